"""Counting a drawer by denomination on a touch screen: for each bill and coin a large
minus, a quantity to tap and type into, and a large plus; the running total below.

Opening (the float) and closing (the Z) both count with it. What was typed is checked
by the engine's own rule (`DrawerCount`); the widget only keeps digits in the fields.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from tastingroom.drawer import DENOMINATIONS, Denomination, DrawerCount
from tastingroom.drawer.counts import MAX_PIECES
from tastingroom.money import format_cents

TOUCH = 48
"""Height and width of a stepper key: above the 44 px a fingertip needs."""


class _Row:
    """One denomination's controls."""

    def __init__(self, denomination: Denomination, owner: CountWidget) -> None:
        self.denomination = denomination
        self.label = QLabel(denomination.label)
        self.minus = QPushButton("−", objectName="stepKey")
        self.plus = QPushButton("+", objectName="stepKey")
        self.field = QLineEdit("0", objectName="countField")
        self.field.setValidator(QIntValidator(0, MAX_PIECES, self.field))
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.field.setFixedWidth(84)
        self.amount = QLabel(format_cents(0))
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.amount.setMinimumWidth(96)
        for key in (self.minus, self.plus):
            key.setFixedSize(TOUCH + 8, TOUCH)
            key.setAutoRepeat(True)  # held down, it keeps counting
        self.field.setMinimumHeight(TOUCH)
        self.minus.clicked.connect(lambda: owner.step(denomination.key, -1))
        self.plus.clicked.connect(lambda: owner.step(denomination.key, 1))
        self.field.textChanged.connect(owner.recount)

    @property
    def pieces(self) -> int:
        text = self.field.text().strip()
        return int(text) if text.isdigit() else 0


class CountWidget(QWidget):
    sig_changed = Signal(int)
    """The running total in cents, after every step or keystroke."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, _Row] = {}
        self.total_label = QLabel("", objectName="total")
        columns = QHBoxLayout()
        for kind in ("bill", "coin"):
            grid = QGridLayout()
            grid.setHorizontalSpacing(8)
            grid.setVerticalSpacing(6)
            heading = QLabel("Bills" if kind == "bill" else "Coins", objectName="hint")
            grid.addWidget(heading, 0, 0)
            line = 1
            for denomination in DENOMINATIONS:
                if denomination.kind != kind:
                    continue
                r = _Row(denomination, self)
                grid.addWidget(r.label, line, 0)
                grid.addWidget(r.minus, line, 1)
                grid.addWidget(r.field, line, 2)
                grid.addWidget(r.plus, line, 3)
                grid.addWidget(r.amount, line, 4)
                self.rows[denomination.key] = r
                line += 1
            grid.setRowStretch(line, 1)
            grid.setColumnStretch(5, 1)  # spare width right of the amounts, not inside a row
            columns.addLayout(grid)
            columns.addSpacing(24)
        outer = QGridLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addLayout(columns, 0, 0)
        outer.addWidget(self.total_label, 1, 0, alignment=Qt.AlignmentFlag.AlignRight)
        self.recount()

    def step(self, key: str, by: int) -> None:
        r = self.rows[key]
        r.field.setText(str(min(MAX_PIECES, max(0, r.pieces + by))))

    def set_count(self, count: DrawerCount) -> None:
        for key, r in self.rows.items():
            r.field.setText(str(count.pieces.get(key, 0)))

    def clear(self) -> None:
        self.set_count(DrawerCount())

    def count(self) -> DrawerCount:
        """What is counted now, as the engine takes it (`CountRefused` if it cannot be)."""
        return DrawerCount({key: r.pieces for key, r in self.rows.items()})

    @property
    def total_cents(self) -> int:
        return sum(r.denomination.cents * r.pieces for r in self.rows.values())

    def recount(self) -> None:
        for r in self.rows.values():
            r.amount.setText(format_cents(r.denomination.cents * r.pieces))
        total = self.total_cents
        self.total_label.setText(f"Counted {format_cents(total)}")
        self.sig_changed.emit(total)
