"""The day report as files and as paper: one CSV, and a text version for the receipt
printer (the same lines the PDF's tables show, at the paper's width).

CSV: one UTF-8 file, one section after another, each a title row, a header row and its
rows, then a blank row; amounts are decimal dollars ("1234.50") so that a spreadsheet
adds them as numbers. Files go to `<data>/reports/day-<terminal>-<date>.<ext>`; a full
disk or a folder that cannot be written is a `ReportSaveError` saying so in words.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import os
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from tastingroom.devices.escpos_loader import escpos_printer
from tastingroom.devices.receipt import CODE_PAGE, printable, row, wrap
from tastingroom.localtime import stamp
from tastingroom.money import format_cents, format_rate
from tastingroom.reports.day import DayReport


class ReportSaveError(OSError):
    """The report could not be saved; the message says why and what to do."""


def dollars(cents: int) -> str:
    """Cents as decimal dollars for a spreadsheet: 123450 -> "1234.50"."""
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


def sections(report: DayReport) -> Iterator[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of each part of the report, amounts as decimal dollars: what
    the CSV holds and the PDF's tables show."""
    yield (
        "Day report",
        ["Store", "Register", "Day", "Made"],
        [[report.store, report.terminal, report.day.isoformat(), _made(report)]],
    )
    header = ["", "Orders", "Subtotal", "Discounts", "Tax", "Shipping", "Tips", "Total"]
    yield (
        "Sales and refunds",
        header,
        [
            [
                name,
                str(t.count),
                *(
                    dollars(c)
                    for c in (
                        t.subtotal_cents,
                        t.discount_cents,
                        t.tax_cents,
                        t.shipping_cents,
                        t.tip_cents,
                        t.total_cents,
                    )
                ),
            ]
            for name, t in (("Sales", report.sales), ("Refunds", report.refunds))
        ]
        + [["Net", "", "", "", "", "", "", dollars(report.net_sales_cents)]],
    )
    yield (
        "Discounts",
        ["Kind", "Reason", "Lines", "Amount"],
        [[d.kind, d.reason, str(d.lines), dollars(d.cents)] for d in report.discounts],
    )
    yield (
        "Tax",
        ["Rate", "Taxable sales", "Tax collected", "Tax refunded", "Net tax"],
        [
            [
                format_rate(t.rate_ppm),
                dollars(t.taxable_cents),
                dollars(t.tax_cents),
                dollars(t.refunded_cents),
                dollars(t.net_cents),
            ]
            for t in report.taxes
        ],
    )
    yield (
        "Tenders",
        ["Tender", "Payments", "Taken", "Refunded", "Net"],
        [
            [t.label, str(t.count)]
            + [dollars(c) for c in (t.taken_cents, t.refunded_cents, t.net_cents)]
            for t in report.tenders
        ],
    )
    yield (
        "Tips by staff",
        ["Staff", "Sales", "Tips"],
        [[t.staff, str(t.sales), dollars(t.cents)] for t in report.tips],
    )
    yield (
        "Checks and voids",
        ["What", "Count", "Amount"],
        [
            ["Age checks made", str(report.age_checks), ""],
            ["Age checks refused", str(report.age_checks_refused), ""],
            ["Sales voided", str(report.voided_sales), dollars(report.voided_cents)],
            ["Lines voided", str(report.line_voids), ""],
            ["Pickups handed over", str(len(report.pickups)), ""],
            ["Orders not yet sent", str(report.unsent), ""],
        ],
    )
    yield (
        "Sales by hour",
        ["Hour", "Sales", "Total"],
        [[f"{h.hour:02d}:00", str(h.sales), dollars(h.total_cents)] for h in report.by_hour],
    )
    yield (
        "Top products",
        ["Product", "Quantity", "Net sales"],
        [[p.name, str(p.quantity), dollars(p.net_cents)] for p in report.top_products],
    )
    if report.warning:
        yield "Before closing", ["Warning"], [[report.warning]]


def _made(report: DayReport) -> str:
    return stamp(report.made_at, report.timezone)


def to_csv(report: DayReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for title, header, rows in sections(report):
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
        writer.writerow([])
    return out.getvalue()


def to_text(report: DayReport, width: int) -> str:
    """The report for the receipt printer: no row longer than `width` characters, every
    character one the printer's code page has."""
    out: list[str] = []

    def line(left: str, right: str = "", indent: int = 2) -> None:
        left, right = printable(left), printable(right)
        out.extend(row(left, right, width, indent) if right else wrap(left, width, indent))

    def title(text: str) -> None:
        out.append("-" * width)
        line(text.upper())

    line(report.store, indent=0)
    line(f"Day report, register {report.terminal}")
    line(f"{report.day:%a %d %b %Y}", f"made {_made(report)}")
    title("Sales")
    s, r = report.sales, report.refunds
    line(f"Sales ({s.count})", format_cents(s.total_cents))
    line("  Goods before discounts", format_cents(s.subtotal_cents))
    line("  Discounts", format_cents(-s.discount_cents))
    line("  Tax", format_cents(s.tax_cents))
    if s.shipping_cents:
        line("  Shipping", format_cents(s.shipping_cents))
    line("  Tips", format_cents(s.tip_cents))
    line(f"Refunds ({r.count})", format_cents(-r.total_cents))
    line("Net", format_cents(report.net_sales_cents))
    title("Discounts")
    for d in report.discounts:
        what = f"{d.kind}: {d.reason}" if d.reason else d.kind
        line(f"{what} ({d.lines})", format_cents(d.cents), 4)
    line("Total discounts", format_cents(report.discount_cents))
    title("Tax")
    for t in report.taxes:
        line(f"{format_rate(t.rate_ppm)} on {format_cents(t.taxable_cents)}")
        line("  collected", format_cents(t.tax_cents))
        if t.refunded_cents:
            line("  refunded", format_cents(-t.refunded_cents))
    title("Tenders")
    for t in report.tenders:
        line(f"{t.label} ({t.count})", format_cents(t.net_cents))
        if t.refunded_cents:
            line("  refunded", format_cents(-t.refunded_cents))
    title("Tips by staff")
    for tip in report.tips:
        line(f"{tip.staff} ({tip.sales})", format_cents(tip.cents))
    title("Checks")
    line("Age checks made", str(report.age_checks))
    line("Age checks refused", str(report.age_checks_refused))
    line(f"Sales voided ({report.voided_sales})", format_cents(report.voided_cents))
    line("Lines voided", str(report.line_voids))
    line("Pickups handed over", str(len(report.pickups)))
    line("Orders not yet sent", str(report.unsent))
    title("Top products")
    for p in report.top_products:
        line(f"{p.quantity} x {p.name}", format_cents(p.net_cents), 4)
    if report.warning:
        out.append("-" * width)
        line(report.warning, indent=0)
    return "\n".join(out) + "\n"


def to_escpos(report: DayReport, width: int) -> bytes:
    """`to_text` as one print job: reset, code page, the rows, a cut (as `receipt` does)."""
    printer = escpos_printer().Dummy(profile="default")
    printer.hw("INIT")
    printer.charcode(CODE_PAGE)
    for text in to_text(report, width).splitlines():
        printer.textln(text)
    printer.ln(2)
    printer.cut()
    return printer.output


def report_path(data_folder: Path, report: DayReport, suffix: str) -> Path:
    """Where the report of this register and day is kept: `<data>/reports/day-...`."""
    return data_folder / "reports" / f"day-{report.terminal}-{report.day.isoformat()}{suffix}"


def save(path: Path, data: bytes) -> Path:
    """Write `data` to `path` whole (a temporary file renamed over it), in a folder only
    this account can read; a failure says what went wrong and leaves no half file."""
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with partial.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(partial, 0o600)
        partial.replace(path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise ReportSaveError(_why(path, exc)) from exc
    return path


def _why(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"The disk is full: the report could not be saved in {path.parent}. "
            "Free some space and try again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"The report could not be saved: this account may not write to {path.parent}."
    return f"The report could not be saved in {path.parent} ({exc.strerror or exc})."


def save_csv(data_folder: Path, report: DayReport) -> Path:
    return save(report_path(data_folder, report, ".csv"), to_csv(report).encode("utf-8"))
