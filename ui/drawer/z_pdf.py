"""The Z report as a PDF: the very rows the receipt printer prints, in a monospace font,
on A4/Letter-sized pages, for the office's files (`tastingroom.drawer.printout.save_z`
writes the bytes; the engine imports no Qt, so the rendering is here)."""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QIODevice, QMarginsF
from PySide6.QtGui import QFont, QFontMetrics, QPageLayout, QPageSize, QPainter, QPdfWriter

POINT_SIZE = 10
MARGIN_MM = 18


def pdf_bytes(lines: list[str], title: str = "Z report") -> bytes:
    """A PDF of `lines`, one text row per line, continued on as many pages as needed."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setTitle(title)
    writer.setCreator("Tastingroom")
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.Letter),
            QPageLayout.Orientation.Portrait,
            QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
            QPageLayout.Unit.Millimeter,
        )
    )
    painter = QPainter(writer)
    font = QFont("DejaVu Sans Mono")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSize(POINT_SIZE)
    painter.setFont(font)
    metrics = QFontMetrics(font, writer)
    step = metrics.lineSpacing()
    bottom = writer.height()
    y = metrics.ascent()
    for line in lines:
        if y > bottom:
            writer.newPage()
            y = metrics.ascent()
        painter.drawText(0, y, line)
        y += step
    painter.end()
    buffer.close()
    return bytes(buffer.data())
