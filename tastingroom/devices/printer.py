"""Where receipts go: a network printer, a USB or serial one, a file, or nowhere (the
demo, which shows the receipt on screen). Every job is one write of prepared bytes."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from pathlib import Path

from tastingroom.devices.escpos_loader import escpos_printer

KINDS = ("none", "network", "usb", "serial", "file")


class PrinterError(OSError):
    """The printer could not be reached; the sale is committed, only printing failed."""


@dataclass(frozen=True)
class PrinterConfig:
    kind: str = "none"
    host: str | None = None
    port: int = 9100
    usb_vendor: int | None = None
    usb_product: int | None = None
    serial_device: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Printer kind must be one of {', '.join(KINDS)}.")


def send(config: PrinterConfig, data: bytes) -> bool:
    """Send one job; False when no printer is configured (show it on screen instead)."""
    if config.kind == "none":
        return False
    try:
        if config.kind == "network":
            with socket.create_connection((config.host or "", config.port), timeout=10) as conn:
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
        raise PrinterError(
            f"The receipt printer did not answer ({exc.strerror or exc}). The sale is saved; "
            "check the printer's power and cable, then reprint from the orders screen."
        ) from exc
    except Exception as exc:  # python-escpos raises its own types for USB/serial trouble
        raise PrinterError(
            f"The receipt printer could not be used ({exc}). The sale is saved; reprint it "
            "from the orders screen once the printer is back."
        ) from exc
    return True
