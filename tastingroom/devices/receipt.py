"""Receipts as ESC/POS bytes, built from the committed order (so a reprint is identical).

Each receipt is built on python-escpos's `Dummy` printer and sent to the real printer in
one write. The code page is set explicitly (CP858: Latin letters with accents and the
euro sign), so Rosé and Gewürztraminer print as themselves. `receipt_text` turns the
same bytes back into the text a screen shows when no printer is configured.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from tastingroom.devices.escpos_loader import escpos_printer
from tastingroom.money import format_cents, format_rate
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import Customer, Order, Staff
from tastingroom.tenders import TenderKind

CODE_PAGE = "CP858"
WIDTH = 42
"""Characters per line in font A on an 80 mm printer."""
DRAWER_PIN = 2


class ReceiptError(LookupError):
    """There is no such order to print."""


@dataclass(frozen=True)
class Receipt:
    order_number: str
    data: bytes
    opens_drawer: bool


def _row(left: str, right: str, width: int = WIDTH) -> str:
    room = width - len(right) - 1
    return f"{left[:room]:<{room}} {right}"


def build_receipt(db: Database, order_id: str, *, reprint: bool = False) -> Receipt:
    """The receipt for a committed order; opens the drawer only when cash was taken."""
    with db.read() as s:
        settings = load_settings(s)
        order = s.get(Order, order_id)
        if order is None:
            raise ReceiptError("That order is not on this register.")
        staff = s.get(Staff, order.staff_id) if order.staff_id else None
        customer = s.get(Customer, order.customer_id) if order.customer_id else None
        lines = list(order.lines)
        tenders = list(order.tenders)
        checked = any(c.passed for c in order.age_checks)
    when = order.created_at.astimezone(ZoneInfo(settings.timezone))
    p = escpos_printer().Dummy(profile="default")
    p.charcode(CODE_PAGE)
    p.set(align="center", bold=True, double_height=True)
    p.textln(settings.store_name)
    p.set(align="center", normal_textsize=True)
    title = "REFUND" if order.transaction_type == "refund" else "Receipt"
    p.textln(f"{title} {order.number}" + ("  (copy)" if reprint else ""))
    p.textln(f"{when:%a %d %b %Y %H:%M}" + (f"  {staff.name}" if staff else ""))
    if customer is not None:
        p.textln(customer.name)
    p.set(align="left")
    p.textln("-" * WIDTH)
    for line in lines:
        gross = line.unit_price_cents * line.quantity
        p.textln(_row(f"{line.quantity} x {line.name}", format_cents(gross)))
        if line.discount_cents:
            reason = line.explanation.split(";")[0].strip() or "discount"
            p.textln(_row(f"   {reason}", f"-{format_cents(line.discount_cents)}"))
    p.textln("-" * WIDTH)
    p.textln(_row("Subtotal", format_cents(order.subtotal_cents)))
    if order.discount_cents:
        p.textln(_row("Discounts", f"-{format_cents(order.discount_cents)}"))
    rates = sorted({line.tax_rate_ppm for line in lines if line.tax_rate_ppm})
    label = "Tax " + ", ".join(format_rate(r) for r in rates) if rates else "Tax"
    p.textln(_row(label, format_cents(order.tax_cents)))
    if order.shipping_cents:
        p.textln(_row("Shipping", format_cents(order.shipping_cents)))
    if order.tip_cents:
        p.textln(_row("Tip", format_cents(order.tip_cents)))
    p.set(bold=True)
    p.textln(_row("TOTAL", format_cents(order.total_cents)))
    p.set(bold=False)
    for t in tenders:
        kind = TenderKind(t.kind)
        detail = kind.label
        if kind is TenderKind.CARD:
            detail = f"{t.card_type} ****{t.card_last4} auth {t.approval_code}"
        elif kind is TenderKind.GIFT_CARD:
            detail = f"Gift card {t.gift_card_code[-4:] if t.gift_card_code else ''}"
        p.textln(_row(detail, format_cents(t.amount_cents)))
        if t.change_cents:
            p.textln(_row("Change", format_cents(t.change_cents)))
    if checked:
        p.textln("ID checked for alcohol")
    if order.fulfilment == "ship":
        p.textln(f"Ships to {order.ship_city}, {order.ship_state}")
    p.ln()
    p.set(align="center")
    p.textln("Thank you for visiting!")
    with contextlib.redirect_stdout(io.StringIO()):  # the library prints a notice here
        p.barcode("{B" + order.number, "CODE128", function_type="B", height=60, width=2, pos="OFF")
    p.cut()
    cash = any(t.kind == TenderKind.CASH.value for t in tenders) and not reprint
    return Receipt(order.number, p.output, cash)


def build_pickup_slip(db: Database, order_id: str, staff_name: str) -> bytes:
    """What a guest collecting a web order signs or keeps: the order and who handed it over."""
    with db.read() as s:
        settings = load_settings(s)
        order = s.get(Order, order_id)
        if order is None:
            raise ReceiptError("That order is not on this register.")
        customer = s.get(Customer, order.customer_id) if order.customer_id else None
        lines = [(line.quantity, line.name) for line in order.lines]
        picked_up = order.picked_up_at
    p = escpos_printer().Dummy(profile="default")
    p.charcode(CODE_PAGE)
    p.set(align="center", bold=True, double_height=True)
    p.textln(settings.store_name)
    p.set(align="center", normal_textsize=True)
    p.textln(f"Pickup of web order {order.number}")
    if customer is not None:
        p.textln(customer.name)
    p.set(align="left")
    p.textln("-" * WIDTH)
    for quantity, name in lines:
        p.textln(f"{quantity} x {name}"[:WIDTH])
    p.textln("-" * WIDTH)
    if picked_up is not None:
        when = picked_up.astimezone(ZoneInfo(settings.timezone))
        p.textln(f"Handed over {when:%d %b %Y %H:%M} by {staff_name}")
    p.textln("ID checked for alcohol")
    p.ln(2)
    p.textln("Signature: ______________________________")
    p.cut()
    return p.output


def drawer_kick() -> bytes:
    """The pulse that opens a cash drawer wired to the printer."""
    p = escpos_printer().Dummy(profile="default")
    p.cashdraw(DRAWER_PIN)
    return p.output


_PARAMETERS = {
    b"\x1b@": 0,
    b"\x1bt": 1,
    b"\x1b!": 1,
    b"\x1bE": 1,
    b"\x1ba": 1,
    b"\x1bM": 1,
    b"\x1bG": 1,
    b"\x1b-": 1,
    b"\x1bd": 1,
    b"\x1bp": 3,
    b"\x1dh": 1,
    b"\x1dw": 1,
    b"\x1df": 1,
    b"\x1dH": 1,
    b"\x1d!": 1,
    b"\x1dB": 1,
}
"""ESC/POS commands our receipts use, and how many parameter bytes follow each."""


def receipt_text(data: bytes) -> str:
    """The text a receipt's bytes print, for showing it on screen when there is no printer.

    Reads exactly the commands `build_receipt` writes; anything else is an error rather
    than something silently shown wrong.
    """
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] not in (0x1B, 0x1D):
            out.append(data[i])
            i += 1
            continue
        command = data[i : i + 2]
        if command == b"\x1dk":  # barcode: type, length, data
            length = data[i + 3]
            code = data[i + 4 : i + 4 + length].removeprefix(b"{B")
            out += b"|| " + code + b" ||\n"
            i += 4 + length
        elif command == b"\x1dV":  # cut
            i += 3 if data[i + 2] in (0, 1, 48, 49) else 4
            out += b"\n"
        elif command in _PARAMETERS:
            if command == b"\x1bd":
                out += b"\n" * data[i + 2]
            i += 2 + _PARAMETERS[command]
        else:
            raise ValueError(f"unexpected ESC/POS command {command!r} at byte {i}")
    return out.decode(CODE_PAGE.lower()).rstrip() + "\n"
