"""The day report's charts, painted with Qt's own QPainter: sales by hour, the tender
mix and the top products.

Why QPainter and not a charting library: three bar charts need nothing a library would
add, while QtCharts or matplotlib would add megabytes to the installer and their import
to the report's opening. Each function paints into a rectangle of any QPainter, so the
same code draws on screen (`ChartView`) and into the PDF (`ui.reports.pdf`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from tastingroom.money import format_cents
from tastingroom.reports.day import DayReport

WINE = QColor("#7b2d3b")
INK = QColor("#2b2118")
RULE = QColor("#d9cbbb")
PALETTE = (WINE, QColor("#c08a3e"), QColor("#5b7a4a"), QColor("#3f5f7f"), QColor("#8a6f9e"))
"""The tender mix's colours, in the order of the largest tender first."""


def _dollars(cents: int) -> str:
    return format_cents(cents).split(".")[0]


def _title(painter: QPainter, rect: QRectF, text: str) -> QRectF:
    """Paint the chart's title; returns the room left under it."""
    font = QFont(painter.font())
    font.setBold(True)
    painter.setFont(font)
    height = QFontMetricsF(font).height() * 1.4
    painter.setPen(INK)
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), height), Qt.AlignLeft, text)
    font.setBold(False)
    painter.setFont(font)
    return rect.adjusted(0, height, 0, 0)


def _empty(painter: QPainter, rect: QRectF) -> None:
    painter.setPen(INK)
    painter.drawText(rect, Qt.AlignCenter, "No sales this day")


def paint_sales_by_hour(painter: QPainter, rect: QRectF, report: DayReport) -> None:
    """Columns of the day's sales (total) per store hour, from the first hour to the last."""
    area = _title(painter, rect, "Sales by hour")
    if not report.by_hour:
        _empty(painter, area)
        return
    hours = {h.hour: h.total_cents for h in report.by_hour}
    first, last = min(hours), max(hours)
    top = max(hours.values()) or 1
    metrics = QFontMetricsF(painter.font())
    label_h = metrics.height() * 1.2
    plot = area.adjusted(0, label_h, 0, -label_h)
    slot = plot.width() / (last - first + 1)
    painter.setPen(RULE)
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    for hour in range(first, last + 1):
        cents = hours.get(hour, 0)
        x = plot.left() + (hour - first) * slot
        height = plot.height() * cents / top
        width = min(slot * 0.7, metrics.horizontalAdvance("$00,000") * 1.2)
        bar = QRectF(x + (slot - width) / 2, plot.bottom() - height, width, height)
        painter.fillRect(bar, WINE)
        painter.setPen(INK)
        below = QRectF(x, plot.bottom() + 2, slot, label_h)
        painter.drawText(below, Qt.AlignHCenter | Qt.AlignTop, f"{hour:02d}")
        if cents and metrics.horizontalAdvance(_dollars(cents)) <= slot:
            above = QRectF(x, bar.top() - label_h, slot, label_h)
            painter.drawText(above, Qt.AlignHCenter | Qt.AlignBottom, _dollars(cents))


def _bars(
    painter: QPainter,
    area: QRectF,
    rows: Sequence[tuple[str, int]],
    colour: Callable[[int], QColor],
    right: Callable[[int], str],
) -> None:
    """Horizontal bars, one per (label, value), the label left and the value right."""
    metrics = QFontMetricsF(painter.font())
    row_h = min(area.height() / max(len(rows), 1), metrics.height() * 2.2)
    label_w = area.width() * 0.42
    value_w = max(metrics.horizontalAdvance(right(v)) for _, v in rows) + 8
    top = max(v for _, v in rows) or 1
    for index, (label, value) in enumerate(rows):
        y = area.top() + index * row_h
        painter.setPen(INK)
        text = metrics.elidedText(label, Qt.ElideRight, label_w - 8)
        painter.drawText(QRectF(area.left(), y, label_w, row_h), Qt.AlignVCenter, text)
        room = area.width() - label_w - value_w
        bar = QRectF(area.left() + label_w, y + row_h * 0.2, room * value / top, row_h * 0.6)
        painter.fillRect(bar, colour(index))
        painter.setPen(INK)
        value_rect = QRectF(bar.right() + 4, y, value_w, row_h)
        painter.drawText(value_rect, Qt.AlignVCenter | Qt.AlignLeft, right(value))


def paint_tender_mix(painter: QPainter, rect: QRectF, report: DayReport) -> None:
    """What the day was paid with: each tender's net takings, largest first."""
    area = _title(painter, rect, "Tender mix")
    rows = [(t.label, t.net_cents) for t in report.tenders if t.net_cents > 0]
    if not rows:
        _empty(painter, area)
        return
    whole = sum(v for _, v in rows)
    _bars(
        painter,
        area,
        rows,
        lambda i: PALETTE[i % len(PALETTE)],
        lambda v: f"{_dollars(v)} ({100 * v / whole:.0f}%)",
    )


def paint_top_products(painter: QPainter, rect: QRectF, report: DayReport) -> None:
    """The products that brought in most (net of discounts), best first."""
    area = _title(painter, rect, "Top products")
    rows = [(p.name, p.net_cents) for p in report.top_products if p.net_cents > 0]
    if not rows:
        _empty(painter, area)
        return
    _bars(painter, area, rows, lambda _: WINE, _dollars)


CHARTS = (paint_sales_by_hour, paint_tender_mix, paint_top_products)


class ChartView(QWidget):
    """One chart on screen; shows `report` once given one."""

    def __init__(self, paint: Callable[[QPainter, QRectF, DayReport], None]) -> None:
        super().__init__()
        self.paint = paint
        self.report: DayReport | None = None
        self.setMinimumSize(260, 220)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def show_report(self, report: DayReport) -> None:
        self.report = report
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        if self.report is not None:
            self.paint(painter, QRectF(self.rect()).adjusted(10, 8, -10, -8), self.report)
        painter.end()
