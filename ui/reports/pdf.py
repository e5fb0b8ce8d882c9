"""The day report as a PDF, written with Qt's QPdfWriter: the figures as the CSV's
tables and the three charts, painted by the very functions the screen uses."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPdfWriter

from tastingroom.reports.day import DayReport
from tastingroom.reports.exports import report_path, save, sections
from ui.reports.charts import CHARTS, INK, RULE

RESOLUTION = 150
"""Dots per inch of the PDF's coordinates (its text and bars stay vector)."""


def report_pdf(report: DayReport) -> bytes:
    """The whole report as the bytes of a PDF file: one page of charts, then the tables."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(RESOLUTION)
    writer.setPageLayout(
        QPageLayout(QPageSize(QPageSize.Letter), QPageLayout.Portrait, QMarginsF(15, 15, 15, 15))
    )
    writer.setTitle(f"Day report {report.terminal} {report.day.isoformat()}")
    painter = QPainter(writer)
    try:
        _paint(painter, writer, report)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def _paint(painter: QPainter, writer: QPdfWriter, report: DayReport) -> None:
    page = QRectF(painter.viewport())
    font = QFont("DejaVu Sans")
    font.setPointSizeF(10)
    painter.setFont(font)
    line_h = QFontMetricsF(font, writer).height() * 1.3
    # Page one: the headline and the charts.
    heading = QFont(font)
    heading.setPointSizeF(16)
    heading.setBold(True)
    painter.setFont(heading)
    painter.setPen(INK)
    painter.drawText(
        QRectF(page.left(), page.top(), page.width(), line_h * 2),
        Qt.AlignLeft,
        f"{report.store}: day report, register {report.terminal}, {report.day:%A %d %B %Y}",
    )
    painter.setFont(font)
    top = page.top() + line_h * 2.5
    height = (page.bottom() - top) / len(CHARTS)
    for index, paint in enumerate(CHARTS):
        paint(
            painter, QRectF(page.left(), top + index * height, page.width(), height * 0.9), report
        )
    # Then the tables, as many pages as they take.
    writer.newPage()
    y = page.top()
    for title, header, rows in sections(report):
        needed = line_h * (len(rows) + 3)
        if y + min(needed, line_h * 6) > page.bottom():
            writer.newPage()
            y = page.top()
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(page.left(), y, page.width(), line_h), Qt.AlignLeft, title)
        y += line_h
        for cells, is_header in [(header, True), *((r, False) for r in rows)]:
            if y + line_h > page.bottom():
                writer.newPage()
                y = page.top()
            painter.setFont(bold if is_header else font)
            _row(painter, QRectF(page.left(), y, page.width(), line_h), cells)
            y += line_h
        painter.setPen(RULE)
        painter.drawLine(page.left(), y + line_h * 0.3, page.right(), y + line_h * 0.3)
        painter.setPen(INK)
        y += line_h


def _row(painter: QPainter, rect: QRectF, cells: list[str]) -> None:
    """One table row: a wide first column, the rest evenly, figures right-aligned."""
    if len(cells) == 1:
        painter.drawText(rect.adjusted(0, 0, 0, rect.height() * 3), Qt.TextWordWrap, cells[0])
        return
    first = rect.width() * 0.34
    rest = (rect.width() - first) / (len(cells) - 1)
    metrics = QFontMetricsF(painter.font(), painter.device())
    for index, cell in enumerate(cells):
        left = rect.left() + (0 if index == 0 else first + (index - 1) * rest)
        width = first if index == 0 else rest
        text = metrics.elidedText(cell, Qt.ElideRight, width - 6)
        align = Qt.AlignLeft if index == 0 else Qt.AlignRight
        painter.drawText(QRectF(left, rect.top(), width - 6, rect.height()), align, text)


def save_pdf(data_folder: Path, report: DayReport) -> Path:
    """Write the PDF beside the CSV (`<data>/reports/`); a failure is a `ReportSaveError`."""
    return save(report_path(data_folder, report, ".pdf"), report_pdf(report))
