"""Carry out or ship: where a shipped order goes, and what shipping costs.

The customer's own address, one of their saved shipping addresses, or a new one typed
here; then the shipping charge. The engine builds the `ShipTo` (and refuses one with a
part of the address missing); pricing then taxes at the destination state's rate, the
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

from tastingroom.cart import CartError, CustomerInfo, ShipTo
from tastingroom.customers import CustomerError, one_line, saved_addresses, ship_to_customer
from tastingroom.money import MoneyError, format_cents, to_cents
from tastingroom.store.database import Database
from tastingroom.store.models import Customer
from ui.dialog_footer import dialog_footer
from ui.product_grid import mnemonic_safe

NEW = "new"
HOME = "home"


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
        self.fields = {
            name: QLineEdit()
            for name in ("first", "last", "address", "address2", "city", "state", "zip")
        }
        self.fields["state"].setMaxLength(2)
        self.fields["state"].setPlaceholderText("CA")
        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        for label, name in (
            ("First name", "first"),
            ("Last name", "last"),
            ("Street address", "address"),
            ("Apartment, suite", "address2"),
            ("City", "city"),
            ("State", "state"),
            ("ZIP code", "zip"),
        ):
            form.addRow(label, self.fields[name])
        self.shipping = QLineEdit(placeholderText="0.00")
        charge = QFormLayout()
        charge.addRow("Shipping charge", self.shipping)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
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
        self.message.setText("")
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
        text = self.shipping.text().strip().lstrip("$").replace(",", "")
        try:
            return to_cents(text) if text else 0
        except MoneyError as exc:
            raise CartError(f"“{self.shipping.text()}” is not a shipping charge.") from exc

    def built(self) -> ShipTo:
        """The destination as chosen; `CartError`/`CustomerError` say what is missing."""
        cents = self._charge()
        if self.choice == NEW:
            f = {name: field.text().strip() for name, field in self.fields.items()}
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
        except (CartError, CustomerError) as exc:
            self.message.setText(str(exc))
            return
        self.accept()

    def _carry_out(self) -> None:
        self.ship_to = None
        self.accept()
