"""The X and Z reports as staff read them: receipt rows, ESC/POS bytes, CSV, saved files.

One list of text rows is the report: the receipt printer prints exactly those rows (so
the paper, the screen and the PDF say the same thing), each no wider than the store's
paper (`StoreSettings.receipt_columns`) and wrapped, never cut, like a receipt
(`devices.receipt.row`). The CSV carries the same figures for a spreadsheet, amounts in
plain dollars ("-5.00").

A Z is saved in `<data folder>/reports/` as `<terminal>-Z<n>.csv` and `.pdf`. Z numbers
are never reused on a terminal, so a name is never another close's; saving again (a
reprint) replaces the file with the same report. The PDF's bytes are made by the caller
(`ui/drawer/z_pdf.py`: the engine imports no Qt) from the same rows. A folder that cannot
be written, or a full disk, is a `ReportNotSaved` saying so; the close it reports on was
committed before and stands.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from tastingroom.devices.escpos_loader import escpos_printer
from tastingroom.devices.receipt import CODE_PAGE, printable, row, wrap
from tastingroom.drawer.counts import BY_KEY
from tastingroom.drawer.sessions import (
    STAFF_MOVEMENTS,
    MovementInfo,
    XReport,
    ZReport,
    movements,
    x_report,
    z_report,
)
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.settings import StoreSettings, load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import DrawerSession, Staff
from tastingroom.store.private import FILE_MODE, private_folder

REPORTS_FOLDER = "reports"


class ReportNotSaved(OSError):
    """The Z report's files could not be written; the message says where and why."""


@dataclass(frozen=True)
class Printout:
    """A report as rows of text at the paper's width, and as the printer's bytes."""

    title: str
    """"X report" or the Z's label ("Z3")."""
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def data(self) -> bytes:
        """One print job: reset, code page, the rows, a cut (see `devices.receipt`)."""
        p = escpos_printer().Dummy(profile="default")
        p.hw("INIT")
        p.charcode(CODE_PAGE)
        for line in self.lines:
            p.textln(printable(line))
        p.cut()
        return p.output


@dataclass(frozen=True)
class _Context:
    settings: StoreSettings
    names: dict[str, str]
    opened_by: str
    staff_moves: list[MovementInfo]

    def who(self, staff_id: str | None) -> str:
        return self.names.get(staff_id or "", "someone no longer on staff")

    def when(self, at: datetime) -> str:
        return stamp(at, self.settings.timezone)


def _context(db: Database, session_id: str) -> _Context:
    with db.read() as s:
        settings = load_settings(s)
        names = {staff_id: name for staff_id, name in s.execute(select(Staff.id, Staff.name))}
        session = s.get(DrawerSession, session_id)
        opened_by = session.opened_by if session else ""
    moves = [m for m in movements(db, session_id) if m.kind in STAFF_MOVEMENTS]
    return _Context(settings, names, opened_by, moves)


def _out(cents: int) -> str:
    return format_cents(-cents) if cents else format_cents(0)


def _cash_rows(x: XReport) -> list[tuple[str, str]]:
    """(label, amount) for each term of expected cash, in the rule's order."""
    return [
        ("Float", format_cents(x.float_cents)),
        (f"Cash sales ({x.cash_sales})", format_cents(x.cash_sales_cents)),
        ("Change given", _out(x.change_cents)),
        ("Cash refunds", _out(x.cash_refunds_cents)),
        ("Cash back on voids", _out(x.cash_voids_cents)),
        ("Paid in", format_cents(x.paid_in_cents)),
        ("Paid out", _out(x.paid_out_cents)),
        ("Drops to the safe", _out(x.drops_cents)),
    ]


def _body(x: XReport, ctx: _Context, title: str) -> list[str]:
    width = ctx.settings.receipt_columns
    lines = [r.center(width).rstrip() for r in wrap(ctx.settings.store_name, width, 0)]
    lines += [r.center(width).rstrip() for r in wrap(title, width, 0)]
    lines += wrap(f"Register {x.terminal}", width)
    lines += wrap(f"Opened {ctx.when(x.opened_at)} by {ctx.who(ctx.opened_by)}", width)
    lines.append("-" * width)
    for label, amount in _cash_rows(x):
        lines += row(label, amount, width)
    lines.append("-" * width)
    lines += row("Expected in drawer", format_cents(x.expected_cents), width)
    lines += wrap(f"No-sale openings: {x.no_sales}", width)
    if ctx.staff_moves:
        lines.append("-" * width)
        for m in ctx.staff_moves:
            head = f"{ctx.when(m.at)[-5:]} {m.kind.label}"
            lines += row(head, format_cents(m.amount_cents) if m.amount_cents else "", width)
            said = f"{ctx.who(m.staff_id)}" + (f": {m.reason}" if m.reason else "")
            if m.approved_by:
                said += f" (approved by {ctx.who(m.approved_by)})"
            lines += wrap(said, width, indent=6, first=6)
    return lines


def x_printout(
    db: Database, session_id: str | None = None, *, now: datetime | None = None
) -> Printout:
    """The open session so far (or `session_id`'s), as the X report prints."""
    x = x_report(db, session_id, now=now)
    ctx = _context(db, x.session_id)
    width = ctx.settings.receipt_columns
    lines = _body(x, ctx, "X REPORT (drawer still open)")
    lines.append("-" * width)
    lines += wrap(f"Printed {ctx.when(x.at)}", width)
    return Printout("X report", lines)


def _count_rows(z: ZReport) -> list[tuple[str, int, int]]:
    """(label, pieces, cents) for each denomination counted, largest first."""
    return [
        (BY_KEY[key].label, pieces, BY_KEY[key].cents * pieces)
        for key, pieces in z.counted.pieces.items()
    ]


def z_printout(db: Database, session_id: str) -> Printout:
    """A closed session's Z report, as it prints (the same at every reprint)."""
    z = z_report(db, session_id)
    ctx = _context(db, session_id)
    width = ctx.settings.receipt_columns
    lines = _body(z.x, ctx, f"Z REPORT {z.label} (drawer closed)")
    lines.append("-" * width)
    lines += wrap("Counted:", width)
    for label, pieces, cents in _count_rows(z):
        lines += row(f"{label} x {pieces}", format_cents(cents), width, indent=4, first=2)
    lines += row("Counted", format_cents(z.counted_cents), width)
    lines += row("Expected", format_cents(z.expected_cents), width)
    over_short = z.over_short_cents
    word = "Over" if over_short > 0 else "Short" if over_short < 0 else "Over/short"
    lines += row(word, format_cents(over_short), width)
    if z.over_short_reason:
        lines += wrap(f"Reason: {z.over_short_reason}", width)
    lines += row("Float left for next session", format_cents(z.carried_float_cents), width)
    lines += row("To deposit", format_cents(z.deposit_cents), width)
    lines.append("-" * width)
    lines += wrap(f"Closed {ctx.when(z.closed_at)} by {ctx.who(z.closed_by)}", width)
    lines += wrap(f"Approved by {ctx.who(z.approved_by)}", width)
    return Printout(z.label, lines)


def _dollars(cents: int) -> str:
    """Plain dollars for a spreadsheet: "-5.00", "1234.50"."""
    return format_cents(cents, symbol="").replace(",", "")


def _cell(text: str) -> str:
    """Typed text that a spreadsheet would take as a formula (=, +, -, @) is kept text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def z_csv(db: Database, session_id: str) -> str:
    """The Z report's figures as CSV: section, item, pieces, amount, note."""
    z = z_report(db, session_id)
    ctx = _context(db, session_id)
    x = z.x
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["section", "item", "pieces", "amount", "note"])
    w.writerow(["report", "register", "", "", x.terminal])
    w.writerow(["report", "z_number", "", "", z.z_number])
    w.writerow(["report", "opened", "", "", ctx.when(x.opened_at)])
    w.writerow(["report", "opened_by", "", "", _cell(ctx.who(ctx.opened_by))])
    w.writerow(["report", "closed", "", "", ctx.when(z.closed_at)])
    w.writerow(["report", "closed_by", "", "", _cell(ctx.who(z.closed_by))])
    w.writerow(["report", "approved_by", "", "", _cell(ctx.who(z.approved_by))])
    signed = [
        ("float", "", x.float_cents),
        ("cash_sales", x.cash_sales, x.cash_sales_cents),
        ("change_given", "", -x.change_cents),
        ("cash_refunds", "", -x.cash_refunds_cents),
        ("cash_back_on_voids", "", -x.cash_voids_cents),
        ("paid_in", "", x.paid_in_cents),
        ("paid_out", "", -x.paid_out_cents),
        ("drops", "", -x.drops_cents),
        ("expected", "", x.expected_cents),
    ]
    for item, pieces, cents in signed:
        w.writerow(["cash", item, pieces, _dollars(cents), ""])
    w.writerow(["cash", "no_sale_openings", x.no_sales, "", ""])
    for label, pieces, cents in _count_rows(z):
        w.writerow(["count", label, pieces, _dollars(cents), ""])
    w.writerow(["close", "counted", "", _dollars(z.counted_cents), ""])
    w.writerow(["close", "over_short", "", _dollars(z.over_short_cents), ""])
    w.writerow(["close", "reason", "", "", _cell(z.over_short_reason or "")])
    w.writerow(["close", "float_left", "", _dollars(z.carried_float_cents), ""])
    w.writerow(["close", "deposit", "", _dollars(z.deposit_cents), ""])
    for m in ctx.staff_moves:
        note = f"{ctx.when(m.at)} {ctx.who(m.staff_id)}" + (f": {m.reason}" if m.reason else "")
        w.writerow(["movement", m.kind.value, "", _dollars(m.amount_cents), _cell(note)])
    return out.getvalue()


@dataclass(frozen=True)
class SavedZ:
    csv: Path
    pdf: Path


def reports_folder(db: Database) -> Path:
    """`reports/` in the data folder (the database's folder)."""
    return db.path.parent / REPORTS_FOLDER


def _write(target: Path, data: bytes) -> None:
    """Atomically and privately: a temporary file beside `target`, flushed, renamed."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    try:
        os.chmod(tmp, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_z(db: Database, session_id: str, pdf: Callable[[list[str]], bytes]) -> SavedZ:
    """Write the Z report's CSV and PDF (`pdf` renders the printout's rows) into the
    reports folder; `ReportNotSaved` says why when the folder or disk will not take them."""
    printout = z_printout(db, session_id)
    table = z_csv(db, session_id)
    z = z_report(db, session_id)
    folder = reports_folder(db)
    stem = f"{z.terminal}-{z.label}"
    saved = SavedZ(folder / f"{stem}.csv", folder / f"{stem}.pdf")
    document = pdf(printout.lines)
    try:
        private_folder(folder)
        _write(saved.csv, table.encode("utf-8"))
        _write(saved.pdf, document)
    except OSError as exc:
        raise ReportNotSaved(
            f"The {z.label} report could not be saved in {folder} "
            f"({exc.strerror or exc}). The drawer is closed all the same; free some space "
            "or fix the folder, then save it again."
        ) from None
    return saved
