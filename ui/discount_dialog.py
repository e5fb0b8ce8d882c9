"""A manual discount on one cart line or on the whole order: percentage or amount, with
a reason. Whether it needs a manager is the engine's call (`Register.
discount_needs_approval`, against the store's limit); this dialog only collects it, and
shows what the engine refuses under the field to correct."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.entry import EntryRefused
from tastingroom.money import format_cents
from tastingroom.selling.pricing import Discount, PricingError
from ui.dialog_footer import dialog_footer
from ui.field_messages import FieldMessages

REASONS = (
    "Industry",
    "Staff",
    "Friends and family",
    "Damaged label or box",
    "Event",
    "Service recovery",
)
QUICK_PERCENTS = (10, 15, 20, 25)


class DiscountDialog(QDialog):
    def __init__(
        self,
        subject: str,
        base_cents: int,
        current: Discount | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Discount")
        self.base_cents = base_cents
        self.discount: Discount | None = None
        """What was chosen; None with the dialog accepted means: remove the discount."""
        heading = QLabel(f"Discount on {subject} ({format_cents(base_cents)})")
        heading.setWordWrap(True)
        self.percent = QPushButton(
            "Percent", checkable=True, autoExclusive=True, objectName="tabButton"
        )
        self.amount = QPushButton(
            "Amount", checkable=True, autoExclusive=True, objectName="tabButton"
        )
        self.percent.setChecked(True)
        for button in (self.percent, self.amount):
            button.setMinimumHeight(44)
            button.toggled.connect(self._preview)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.percent)
        kind_row.addWidget(self.amount)
        self.value = QLineEdit(placeholderText="e.g. 15 or 12.50")
        self.value.textChanged.connect(self._preview)
        quick_row = QHBoxLayout()
        for percent in QUICK_PERCENTS:
            button = QPushButton(f"{percent}%", objectName="lineButton")
            button.setMinimumHeight(44)
            button.clicked.connect(lambda _=False, p=percent: self.quick(p))
            quick_row.addWidget(button)
        self.reason = QComboBox(editable=True)
        self.reason.addItems(REASONS)
        self.reason.setCurrentText("")
        self.reason.lineEdit().setPlaceholderText("Why? (printed on the receipt)")
        self.reason.lineEdit().setMaxLength(entry.DISCOUNT_REASON.max_length)
        self.preview = QLabel("")
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        form = QFormLayout()
        form.addRow("Off", self.messages.under(entry.DISCOUNT.field, self.value))
        form.addRow("", quick_row)
        form.addRow("Reason", self.messages.under(entry.DISCOUNT_REASON.field, self.reason))
        remove = ("Remove discount", self._remove, current is not None)
        buttons, self.apply = dialog_footer(self, "Apply", self._apply, remove)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(kind_row)
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        if current is not None:
            self._show(current)

    def _show(self, current: Discount) -> None:
        if current.rate_ppm:
            self.percent.setChecked(True)
            self.value.setText(f"{Decimal(current.rate_ppm) / 10_000:f}".rstrip("0").rstrip("."))
        else:
            self.amount.setChecked(True)
            self.value.setText(format_cents(current.amount_cents, symbol=""))
        self.reason.setCurrentText(current.reason)

    def quick(self, percent: int) -> None:
        self.percent.setChecked(True)
        self.value.setText(str(percent))

    def _size(self) -> tuple[int, int]:
        """(rate_ppm, amount_cents) as typed; `EntryRefused` says what is wrong."""
        text = self.value.text().strip()
        if not text:
            raise PricingError("Type how much off.", entry.DISCOUNT.field)
        if self.amount.isChecked():
            return 0, entry.dollars(text, entry.DISCOUNT)
        return entry.percent(text, entry.DISCOUNT.field), 0

    def built(self) -> Discount:
        """The discount as typed; raises `EntryRefused` with a message for staff."""
        rate_ppm, amount_cents = self._size()
        return Discount(self.reason.currentText(), rate_ppm, amount_cents)

    def _preview(self) -> None:
        try:
            off = Discount("preview", *self._size()).cents_off(self.base_cents)
        except EntryRefused:
            self.preview.setText("")
            return
        self.preview.setText(f"−{format_cents(off)} off {format_cents(self.base_cents)}")

    def _apply(self) -> None:
        try:
            self.discount = self.built()
        except EntryRefused as exc:
            self.messages.show(exc)
            return
        self.accept()

    def _remove(self) -> None:
        self.discount = None
        self.accept()
