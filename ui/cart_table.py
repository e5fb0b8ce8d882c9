"""The cart's table, updated cell by cell.

A scan changes one line of the cart (a new line, or one more of a line), yet a table
rebuilt from scratch pays for every cell of every line: at 30 lines that was 150 new
`QTableWidgetItem`s per scan, and columns sized to their contents measured every one of
them again (24 ms a scan on the bench, over one 60 Hz frame). Here only the cells whose
text changed are touched and only their rows are re-measured; the number columns have
fixed widths, wide enough for what a register rings up, so that a new total never
re-lays out the whole table (nor makes the columns jump under a cashier's finger).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

COLUMNS = ("Item", "Qty", "Price", "Discounts", "Line total")
NUMBERS = (1, 2, 4)
"""Right-aligned, fixed-width columns."""
WIDEST = {1: "9999", 2: "$99,999.99", 4: "$999,999.99"}
"""What each number column must show without eliding: a quantity up to the cart's
limit and prices up to what `entry` lets a register ring up."""
PADDING = 24
"""Room for the cell's margins and the header's sort indicator space, in pixels."""

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class CartTable(QTableWidget):
    """The cart's lines; `show_lines` changes only what changed."""

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        for col in NUMBERS:
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Fixed)
        self._size_number_columns()
        header.sectionResized.connect(self._section_resized)

    def _size_number_columns(self) -> None:
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        for col in NUMBERS:
            title = header.fontMetrics().horizontalAdvance(COLUMNS[col])
            width = max(metrics.horizontalAdvance(WIDEST[col]), title) + PADDING
            self.setColumnWidth(col, width)

    def _section_resized(self, col: int, _old: int, _new: int) -> None:
        """The wrapping columns changed width (the window, or a scroll bar appearing):
        the rows' heights follow."""
        if col not in NUMBERS:
            self.resizeRowsToContents()

    def changeEvent(self, event) -> None:
        """A new font (the style sheet arrives after construction) re-measures the
        number columns."""
        super().changeEvent(event)
        if event.type() in (event.Type.FontChange, event.Type.StyleChange):
            self._size_number_columns()

    def show_lines(self, rows: Sequence[Sequence[str]]) -> int:
        """Show `rows` (one tuple of texts per cart line, in `COLUMNS` order), setting only
        the cells whose text differs from what is shown. Returns how many cells changed
        (the bench and tests read it)."""
        before = self.rowCount()
        if len(rows) != before:
            self.setRowCount(len(rows))
        changed = 0
        for row, values in enumerate(rows):
            row_changed = False
            for col, value in enumerate(values):
                cell = self.item(row, col)
                if cell is None:
                    cell = QTableWidgetItem(value)
                    if col in NUMBERS:
                        cell.setTextAlignment(RIGHT)
                    self.setItem(row, col, cell)
                elif cell.text() != value:
                    cell.setText(value)
                else:
                    continue
                changed += 1
                row_changed = True
            if row_changed:
                self.resizeRowToContents(row)
        return changed
