"""Where receipts go: a network printer, a USB or serial one, a file, or nowhere (the
demo, which shows the receipt on screen). Every job is one write of prepared bytes.

Sending can wait (a network printer switched off answers nothing until the timeout), so
the register never sends from its UI thread: `ui.worker` runs every job. A failure is a
`PrinterError` naming the printer; the screen that asked says what it means there (the
sale is saved, reprint from Orders...)."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from tastingroom.devices.escpos_loader import escpos_printer

KINDS = ("none", "network", "usb", "serial", "file")


class PrinterError(OSError):
    """The printer could not be reached or used. `problem` says so in words without a
    full stop, for a screen to go on with what it means there."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"{problem}.")
        self.problem = problem


@dataclass(frozen=True)
class PrinterConfig:
    kind: str = "none"
    host: str | None = None
    port: int = 9100
    usb_vendor: int | None = None
    usb_product: int | None = None
    serial_device: str | None = None
    path: str | None = None
    timeout_s: float = 10.0
    """How long a network printer has to accept a job."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Printer kind must be one of {', '.join(KINDS)}.")

    @property
    def where(self) -> str:
        """The printer as staff set it up: "10.0.0.9:9100", "USB 04b8:0202", a device."""
        if self.kind == "network":
            return f"{self.host}:{self.port}"
        if self.kind == "usb":
            return f"USB {self.usb_vendor or 0:04x}:{self.usb_product or 0:04x}"
        if self.kind == "serial":
            return self.serial_device or "serial"
        return self.path or self.kind


def config_from(kind: str, address: str) -> PrinterConfig:
    """A printer from the settings' two fields; a bad address is a clear error."""
    address = address.strip()
    if kind == "none":
        return PrinterConfig()
    if not address:
        raise ValueError("Enter the printer's address.")
    if kind == "network":
        host, _, port = address.partition(":")
        if port and not port.isdigit():
            raise ValueError("A network printer is host or host:port, e.g. 192.168.1.50:9100.")
        return PrinterConfig("network", host=host, port=int(port or 9100))
    if kind == "usb":
        vendor, _, product = address.partition(":")
        try:
            return PrinterConfig("usb", usb_vendor=int(vendor, 16), usb_product=int(product, 16))
        except ValueError:
            raise ValueError("A USB printer is vendor:product in hex, e.g. 04b8:0202.") from None
    if kind == "serial":
        return PrinterConfig("serial", serial_device=address)
    return PrinterConfig(kind, path=address)


def test_page(store_name: str) -> bytes:
    """A short page that proves the printer, the code page and the cutter work."""
    p = escpos_printer().Dummy(profile="default")
    p.hw("INIT")
    p.charcode("CP858")
    p.set(align="center", bold=True)
    p.textln(store_name)
    p.set(align="center", bold=False)
    p.textln("Test print: Rosé, Gewürztraminer, Côte")
    p.cut()
    return p.output


def send(config: PrinterConfig, data: bytes) -> bool:
    """Send one job; False when no printer is configured (show it on screen instead)."""
    if config.kind == "none":
        return False
    try:
        if config.kind == "network":
            address = (config.host or "", config.port)
            with socket.create_connection(address, timeout=config.timeout_s) as conn:
                conn.sendall(data)
        elif config.kind == "file":
            with Path(config.path or "").open("ab") as fh:
                fh.write(data)
        else:
            module = escpos_printer()
            if config.kind == "usb":
                device = module.Usb(config.usb_vendor, config.usb_product)
            else:
                device = module.Serial(config.serial_device)
            device._raw(data)  # one write of the whole job
            device.close()
    except OSError as exc:
        raise PrinterError(f"The receipt printer at {config.where} did not answer") from exc
    except Exception as exc:  # python-escpos raises its own types for USB/serial trouble
        raise PrinterError(
            f"The receipt printer at {config.where} could not be used ({exc})"
        ) from exc
    return True
