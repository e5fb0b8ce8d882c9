"""Override a line's unit price (a bin-end, a damaged bottle). Always a manager's call:
the main window asks for the approval, and the engine refuses the sale without it.
A price the engine's rules refuse (not dollars and cents, above the store's limit) is
said under the field, and the dialog stays open."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.entry import DEFAULT_LIMITS, EntryRefused, Limits
from tastingroom.money import format_cents
from ui.dialog_footer import dialog_footer


class PriceDialog(QDialog):
    def __init__(
        self,
        name: str,
        list_cents: int,
        overridden: bool,
        parent: QWidget | None = None,
        *,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        """`limits`: the store's (`Register.limits`); a new price above them is refused."""
        super().__init__(parent)
        self.setWindowTitle("Change price")
        self.limits = limits
        self.cents: int | None = None
        """The new unit price; None with the dialog accepted means: back to list price."""
        self.value = QLineEdit(placeholderText=format_cents(list_cents, symbol=""))
        self.message = QLabel("", objectName="notice")
        """Right under the price field: what is wrong with the price typed."""
        self.message.setWordWrap(True)
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
        try:
            self.cents = entry.dollars(
                self.value.text(), entry.OVERRIDE, self.limits.override_cents
            )
        except EntryRefused as exc:
            self.message.setText(str(exc))
            return
        self.accept()

    def _back(self) -> None:
        self.cents = None
        self.accept()
