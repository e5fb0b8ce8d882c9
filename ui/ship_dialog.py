"""Carry out or ship: where a shipped order goes, and what shipping costs.

The customer's own address, one of their saved shipping addresses, or a new one typed
here; then the shipping charge. The engine builds the `ShipTo` (and refuses one with a
part of the address missing, or a field its rules refuse: the reason shows under that
field and the dialog stays open); pricing then taxes at the destination state's rate, the
sale goes to WineDirect for fulfilment, and its tracking number shows on the orders
screen when WineDirect ships it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.entry import EntryRefused
from tastingroom.money import format_cents
from tastingroom.people.customers import one_line, saved_addresses, ship_to_customer
from tastingroom.selling.cart import CustomerInfo, ShipTo
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import Customer
from ui.dialog_footer import dialog_footer
from ui.field_messages import FieldMessages
from ui.product_grid import mnemonic_safe

NEW = "new"
HOME = "home"
FIELDS = (
    ("first", "First name", entry.FIRST_NAME),
    ("last", "Last name", entry.LAST_NAME),
    ("address", "Street address", entry.ADDRESS),
    ("address2", "Apartment, suite", entry.ADDRESS2),
    ("city", "City", entry.CITY),
    ("state", "State", entry.STATE),
    ("zip", "ZIP code", entry.ZIP_CODE),
)
"""The new-address fields, their labels, and the engine's rule for each (its length,
the field its refusals name)."""


class ShipDialog(QDialog):
    def __init__(
        self,
        db: Database,
        customer: CustomerInfo | None,
        current: ShipTo | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Ship this order")
        self.db = db
        self.customer = customer
        self.ship_to: ShipTo | None = None
        """The destination; None with the dialog accepted means: carry out after all."""
        self.choice = NEW
        self.group = QButtonGroup(self)
        self.choices: dict[str, QPushButton] = {}
        choices = QVBoxLayout()
        for key, label in self._destinations():
            button = QPushButton(mnemonic_safe(label), checkable=True, objectName="tabButton")
            button.setMinimumHeight(48)
            button.clicked.connect(lambda _=False, k=key: self.choose(k))
            self.group.addButton(button)
            choices.addWidget(button)
            self.choices[key] = button
        self.fields = {name: QLineEdit(maxLength=rule.max_length) for name, _, rule in FIELDS}
        self.fields["state"].setMaxLength(2)
        self.fields["state"].setPlaceholderText("CA")
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        for name, label, rule in FIELDS:
            form.addRow(label, self.messages.under(rule.field, self.fields[name]))
        self.shipping = QLineEdit(placeholderText="0.00")
        charge = QFormLayout()
        charge.addRow("Shipping charge", self.messages.under(entry.SHIPPING.field, self.shipping))
        buttons, self.ship = dialog_footer(
            self, "Ship", self._ship, ("Carry out instead", self._carry_out, current is not None)
        )
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Ship to"))
        layout.addLayout(choices)
        layout.addWidget(self.form_box)
        layout.addLayout(charge)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        if current is not None:
            self._fill(current)
            self.shipping.setText(format_cents(current.shipping_cents, symbol=""))
            self.choose(NEW)
        else:
            self.choose(next(iter(self.choices)))

    def _destinations(self) -> list[tuple[str, str]]:
        if self.customer is None:
            return [(NEW, "A new address (attach a customer to use theirs)")]
        out = []
        with self.db.read() as s:
            row = s.get(Customer, self.customer.id)
            home = ""
            if row is not None and row.address:
                home = one_line(row.address, row.city or "", row.state or "", row.zip_code or "")
                out.append((HOME, f"{self.customer.name}'s address: {home}"))
            for saved in saved_addresses(s, self.customer.id):
                where = one_line(saved.address, saved.city, saved.state, saved.zip_code)
                if where != home:  # the home address saved again adds nothing
                    out.append((saved.id, f"{saved.first_name} {saved.last_name}: {where}"))
        out.append((NEW, "A new address"))
        return out

    def choose(self, key: str) -> None:
        self.choice = key
        self.choices[key].setChecked(True)
        self.form_box.setVisible(key == NEW)
        self.messages.clear()
        if key == NEW and self.customer is not None and not self.fields["last"].text():
            first, _, last = self.customer.name.partition(" ")
            self.fields["first"].setText(first)
            self.fields["last"].setText(last)

    def _fill(self, ship: ShipTo) -> None:
        for name, value in (
            ("first", ship.first_name),
            ("last", ship.last_name),
            ("address", ship.address),
            ("address2", ship.address2 or ""),
            ("city", ship.city),
            ("state", ship.state),
            ("zip", ship.zip_code),
        ):
            self.fields[name].setText(value)

    def _charge(self) -> int:
        """The shipping charge as typed (none when empty), within the store's limit."""
        text = self.shipping.text()
        if not text.strip():
            return 0
        with self.db.read() as s:
            limit = load_settings(s).max_shipping_cents
        return entry.dollars(text, entry.SHIPPING, limit)

    def built(self) -> ShipTo:
        """The destination as chosen; `EntryRefused` says what is missing or wrong."""
        cents = self._charge()
        if self.choice == NEW:
            f = {name: field.text() for name, field in self.fields.items()}
            return ShipTo(
                f["first"],
                f["last"],
                f["address"],
                f["city"],
                f["state"].upper(),
                f["zip"],
                cents,
                f["address2"] or None,
            )
        assert self.customer is not None
        with self.db.read() as s:
            return ship_to_customer(
                s, self.customer.id, cents, None if self.choice == HOME else self.choice
            )

    def _ship(self) -> None:
        try:
            self.ship_to = self.built()
        except EntryRefused as exc:
            self.messages.show(exc)
            return
        self.accept()

    def _carry_out(self) -> None:
        self.ship_to = None
        self.accept()
