"""Override a line's unit price (a bin-end, a damaged bottle). Always a manager's call:
the main window asks for the approval, and the engine refuses the sale without it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tastingroom.money import MoneyError, format_cents, to_cents
from ui.dialog_footer import dialog_footer


class PriceDialog(QDialog):
    def __init__(
        self, name: str, list_cents: int, overridden: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change price")
        self.cents: int | None = None
        """The new unit price; None with the dialog accepted means: back to list price."""
        self.value = QLineEdit(placeholderText=format_cents(list_cents, symbol=""))
        self.message = QLabel("", objectName="notice")
        back = (f"Back to list price ({format_cents(list_cents)})", self._back, overridden)
        buttons, self.apply = dialog_footer(self, "Change price", self._apply, back)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(f"New unit price for {name}\n(list price {format_cents(list_cents)})")
        )
        layout.addWidget(self.value)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def _apply(self) -> None:
        text = self.value.text().strip().lstrip("$").replace(",", "")
        try:
            cents = to_cents(text)
        except MoneyError:
            self.message.setText(f"“{self.value.text()}” is not a price.")
            return
        if cents < 0:
            self.message.setText("A price cannot be negative.")
            return
        self.cents = cents
        self.accept()

    def _back(self) -> None:
        self.cents = None
        self.accept()
