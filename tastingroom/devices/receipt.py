"""Receipts and pickup slips as ESC/POS bytes, built from the committed order (so a
reprint is identical).

Each job is built on python-escpos's `Dummy` printer and sent to the real printer in
one write. It starts with a printer reset (ESC @), so that a job cut off half-way (a
printer switched off mid-receipt) leaves no bold or double height behind for the next.
The code page is set explicitly (CP858: Latin letters with accents and the euro sign),
so Rosé and Gewürztraminer print as themselves; what CP858 cannot print is
transliterated (`printable`: curly quotes, dashes, the ellipsis, Polish or Czech
letters) instead of coming out as "?".

Nothing is cut at the paper's edge: text wraps at word boundaries onto the next row with
a hanging indent, and an amount stays right-aligned on its line's last row, so "(6-pack)",
a vintage, an approval code or a discount reason always prints whole. The width is the
store's paper (`StoreSettings.receipt_columns`). `receipt_text` turns the same bytes back
into the text a screen shows when no printer is configured.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from tastingroom.devices.escpos_loader import escpos_printer
from tastingroom.money import format_cents, format_rate
from tastingroom.selling.age import describe
from tastingroom.selling.tenders import TenderKind
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import AgeCheck, Customer, Order, OrderLine, Staff, Tender

CODE_PAGE = "CP858"
DRAWER_PIN = 2

_SUBSTITUTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": ",",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "″": '"',
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "−": "-",
        "…": "...",
        "•": "*",
        "™": "TM",
        "\u00a0": " ",
        "\u202f": " ",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "ħ": "h",
        "Ħ": "H",
        "ı": "i",
        "œ": "oe",
        "Œ": "OE",
    }
)
"""What CP858 lacks and has a plain equivalent that decomposing does not give."""


def _prints(char: str) -> bool:
    try:
        char.encode(CODE_PAGE)
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """`text` in characters CP858 can print: kept where it has them (é, ü, ñ, €), else
    transliterated (’ to ', – to -, … to ..., ž to z), "?" only where nothing fits."""
    out = []
    for char in text.translate(_SUBSTITUTES):
        if _prints(char):
            out.append(char)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
        )
        out.append(base if base and all(_prints(c) for c in base) else "?")
    return "".join(out)


def wrap(text: str, width: int, indent: int = 2, first: int = 0) -> list[str]:
    """`text` in rows of at most `width`, broken between words (a word longer than a row
    is split); rows after the first are indented by `indent`, the first by `first`."""
    return textwrap.wrap(
        text,
        width=width,
        initial_indent=" " * first,
        subsequent_indent=" " * indent,
        break_on_hyphens=False,
    ) or [" " * first]


def row(left: str, right: str, width: int, indent: int = 2, first: int = 0) -> list[str]:
    """`left` wrapped in the room `right` leaves, `right` aligned to the edge of the last
    row: an amount never moves off its line, a long description never hides it."""
    room = width - len(right) - 1
    rows = wrap(left, room, indent, first)
    rows[-1] = f"{rows[-1]:<{room}} {right}"
    return rows


def together(parts: list[str], width: int) -> list[str]:
    """Short pieces on one row ("Fri 02 May 2025 14:03  Alex Rivera"); each on rows of
    its own, wrapped, when they do not fit together."""
    joined = "  ".join(p for p in parts if p)
    if len(joined) <= width:
        return [joined]
    return [r for part in parts if part for r in wrap(part, width)]


class ReceiptError(LookupError):
    """There is no such order to print."""


@dataclass(frozen=True)
class Receipt:
    order_number: str
    data: bytes
    opens_drawer: bool


class _Job:
    """One print job on a `Dummy` printer: reset, code page, and text that is always
    made printable and never longer than the paper is wide."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.printer: Any = escpos_printer().Dummy(profile="default")
        self.printer.hw("INIT")
        self.printer.charcode(CODE_PAGE)

    def set(self, **style: Any) -> None:
        self.printer.set(**style)

    def rows(self, rows: list[str]) -> None:
        for text in rows:
            self.printer.textln(printable(text))

    def text(self, text: str, indent: int = 2) -> None:
        self.rows(wrap(printable(text), self.width, indent))

    def amount(self, left: str, right: str, indent: int = 2, first: int = 0) -> None:
        self.rows(row(printable(left), printable(right), self.width, indent, first))

    def rule(self) -> None:
        self.printer.textln("-" * self.width)

    @property
    def output(self) -> bytes:
        return self.printer.output


def _check_words(checks: list[AgeCheck], purpose: str) -> str | None:
    passed = [c for c in checks if c.passed and c.purpose == purpose]
    if not passed:
        return None
    latest = max(passed, key=lambda c: c.checked_at)
    return describe(latest.method, latest.age_years)


def build_receipt(db: Database, order_id: str, *, reprint: bool = False) -> Receipt:
    """The receipt for a committed order; opens the drawer only when cash changed hands.

    An exchange (a refund and a sale sharing an `exchange_id`) is one receipt, whichever of
    its two orders is asked for: what came back, what was bought, and the difference paid
    or given back. Its barcode is the new sale's number, the one a later return starts from.
    """
    with db.read() as s:
        settings = load_settings(s)
        order = s.get(Order, order_id)
        if order is None:
            raise ReceiptError("That order is not on this register.")
        orders = [order]
        if order.exchange_id:
            pair = s.scalars(select(Order).where(Order.exchange_id == order.exchange_id))
            orders = sorted(pair, key=lambda o: o.transaction_type != "refund")
        parts = [_Part(o, list(o.lines), list(o.tenders), _previous(s, o)) for o in orders]
        sale = parts[-1].order
        staff = s.get(Staff, sale.staff_id) if sale.staff_id else None
        customer = s.get(Customer, sale.customer_id) if sale.customer_id else None
        checked = _check_words(list(sale.age_checks), "sale")
    when = sale.created_at.astimezone(ZoneInfo(settings.timezone))
    job = _Job(settings.receipt_columns)
    job.set(align="center", bold=True, double_height=True)
    job.text(settings.store_name, indent=0)
    job.set(align="center", normal_textsize=True)
    if len(parts) == 2:
        title = "Exchange"
    else:
        title = "REFUND" if sale.transaction_type == "refund" else "Receipt"
    job.text(f"{title} {sale.number}" + ("  (copy)" if reprint else ""), indent=0)
    job.rows(together([f"{when:%a %d %b %Y %H:%M}", staff.name if staff else ""], job.width))
    if customer is not None:
        job.text(customer.name, indent=0)
    job.set(align="left")
    if len(parts) == 2:
        _exchange(job, *parts)
    else:
        part = parts[0]
        if part.refund_of:
            job.text(f"Refund of {part.refund_of}", indent=0)
        job.rule()
        _lines(job, part.lines)
        job.rule()
        _totals(job, part.order, part.lines, "TOTAL")
        for t in part.tenders:
            _tender(job, t)
    if checked:
        job.text(f"Age checked: {checked}")
    if sale.fulfilment == "ship":
        job.text(f"Ships to {sale.ship_city}, {sale.ship_state}")
    job.printer.ln()
    job.set(align="center")
    job.text("Thank you for visiting!", indent=0)
    with contextlib.redirect_stdout(io.StringIO()):  # the library prints a notice here
        job.printer.barcode(
            "{B" + sale.number, "CODE128", function_type="B", height=60, width=2, pos="OFF"
        )
    job.printer.cut()
    cash = any(t.kind == TenderKind.CASH.value for p in parts for t in p.tenders)
    return Receipt(sale.number, job.output, cash and not reprint)


@dataclass(frozen=True)
class _Part:
    """One order of a receipt, read while its session is open."""

    order: Order
    lines: list[OrderLine]
    tenders: list[Tender]
    refund_of: str | None
    """For a refund, the number of the sale it gives back."""


def _previous(s: Session, order: Order) -> str | None:
    if order.transaction_type != "refund" or order.previous_order_id is None:
        return None
    previous = s.get(Order, order.previous_order_id)
    return previous.number if previous is not None else None


def _lines(job: _Job, lines: list[OrderLine], sign: str = "") -> None:
    for line in lines:
        gross = line.unit_price_cents * line.quantity
        head = f"{line.quantity} x "
        job.amount(head + line.name, sign + format_cents(gross), indent=len(head))
        if line.discount_cents:
            reason = line.explanation.split(";")[0].strip() or "discount"
            job.amount(reason, f"-{format_cents(line.discount_cents)}", indent=5, first=3)
        if line.disposition == "damaged":
            job.text("written off as damaged", indent=5)


def _totals(job: _Job, order: Order, lines: list[OrderLine], label: str, sign: str = "") -> None:
    job.amount("Subtotal", sign + format_cents(order.subtotal_cents))
    if order.discount_cents:
        job.amount("Discounts", ("+" if sign else "-") + format_cents(order.discount_cents))
    rates = sorted({line.tax_rate_ppm for line in lines if line.tax_rate_ppm})
    tax = "Tax " + ", ".join(format_rate(r) for r in rates) if rates else "Tax"
    job.amount(tax, sign + format_cents(order.tax_cents))
    if order.shipping_cents:
        job.amount("Shipping", sign + format_cents(order.shipping_cents))
    if order.tip_cents:
        job.amount("Tip", sign + format_cents(order.tip_cents))
    job.set(bold=True)
    job.amount(label, sign + format_cents(order.total_cents))
    job.set(bold=False)


def _tender(job: _Job, t: Tender, back: bool = False) -> None:
    kind = TenderKind(t.kind)
    detail = kind.label
    if kind is TenderKind.CARD:
        detail = f"{t.card_type} ****{t.card_last4} auth {t.approval_code}"
    elif kind is TenderKind.GIFT_CARD:
        detail = f"Gift card {t.gift_card_code[-4:] if t.gift_card_code else ''}"
    job.amount(detail + (" back" if back else ""), format_cents(t.amount_cents))
    if t.change_cents:
        job.amount("Change", format_cents(t.change_cents))


def _exchange(job: _Job, back: _Part, sale: _Part) -> None:
    """The return, the new sale, and how the difference was settled (exchange credit is
    the return paying for the sale, so it is shown once, as the credit)."""
    job.rule()
    job.text(f"Returned from {back.refund_of}", indent=0)
    _lines(job, back.lines, "-")
    _totals(job, back.order, back.lines, "RETURNED", "-")
    job.rule()
    job.text(f"New sale {sale.order.number}", indent=0)
    _lines(job, sale.lines)
    _totals(job, sale.order, sale.lines, "SALE TOTAL")
    job.rule()
    difference = sale.order.total_cents - back.order.total_cents
    job.set(bold=True)
    if difference >= 0:
        job.amount("TO PAY", format_cents(difference))
    else:
        job.amount("BACK TO GUEST", format_cents(-difference))
    job.set(bold=False)
    for t in sale.tenders:
        if t.kind != TenderKind.EXCHANGE.value:
            _tender(job, t)
    for t in back.tenders:
        if t.kind != TenderKind.EXCHANGE.value:
            _tender(job, t, back=True)


def build_pickup_slip(db: Database, order_id: str, staff_name: str) -> bytes:
    """What a guest collecting a web order signs or keeps: the order, who handed it over,
    and how their age was checked."""
    with db.read() as s:
        settings = load_settings(s)
        order = s.get(Order, order_id)
        if order is None:
            raise ReceiptError("That order is not on this register.")
        customer = s.get(Customer, order.customer_id) if order.customer_id else None
        lines = [(line.quantity, line.name) for line in order.lines]
        picked_up = order.picked_up_at
        checked = _check_words(list(order.age_checks), "pickup")
    job = _Job(settings.receipt_columns)
    job.set(align="center", bold=True, double_height=True)
    job.text(settings.store_name, indent=0)
    job.set(align="center", normal_textsize=True)
    job.text(f"Pickup of web order {order.number}", indent=0)
    if customer is not None:
        job.text(customer.name, indent=0)
    job.set(align="left")
    job.rule()
    for quantity, name in lines:
        head = f"{quantity} x "
        job.text(head + name, indent=len(head))
    job.rule()
    if picked_up is not None:
        when = picked_up.astimezone(ZoneInfo(settings.timezone))
        job.text(f"Handed over {when:%d %b %Y %H:%M} by {staff_name}")
    if checked:
        job.text(f"Age checked: {checked}")
    job.printer.ln(2)
    label = "Signature: "
    job.rows([label + "_" * (job.width - len(label))])
    job.printer.cut()
    return job.output


def drawer_kick() -> bytes:
    """The pulse that opens a cash drawer wired to the printer (after a reset, like
    every job)."""
    p = escpos_printer().Dummy(profile="default")
    p.hw("INIT")
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
