"""Attaching a customer to the sale: search the local cache by name, email or phone, or
add a new customer (saved here and sent to WineDirect by sync). Club membership shows
in the list, and club pricing applies to the cart as soon as the customer is attached.
A new customer the engine refuses keeps the dialog open, with the reason under the
field to correct."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.people.customers import (
    CustomerError,
    NewCustomer,
    add_customer,
    customer_info,
    search,
)
from tastingroom.store.database import Database
from ui.field_messages import FieldMessages


class CustomerDialog(QDialog):
    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Customer")
        self.db = db
        self.chosen_id: str | None = None
        self.query = QLineEdit(placeholderText="Name, email or phone")
        self.query.textChanged.connect(self.find)
        self.results = QListWidget()
        self.results.itemActivated.connect(self._pick)
        self.results.itemDoubleClicked.connect(self._pick)
        attach = QPushButton("Attach")
        attach.clicked.connect(lambda: self._pick(self.results.currentItem()))
        self.first = QLineEdit(maxLength=entry.FIRST_NAME.max_length)
        self.last = QLineEdit(maxLength=entry.LAST_NAME.max_length)
        self.email = QLineEdit(maxLength=entry.EMAIL.max_length)
        self.phone = QLineEdit(maxLength=entry.PHONE.max_length)
        create = QPushButton("Add new customer")
        create.clicked.connect(self.create)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        form = QFormLayout()
        for label, rule, field in (
            ("First name", entry.FIRST_NAME, self.first),
            ("Last name", entry.LAST_NAME, self.last),
            ("Email", entry.EMAIL, self.email),
            ("Phone", entry.PHONE, self.phone),
        ):
            form.addRow(label, self.messages.under(rule.field, field))
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(attach)
        buttons.addStretch(1)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.query)
        layout.addWidget(self.results, 1)
        layout.addLayout(buttons)
        layout.addWidget(QLabel("New customer"))
        layout.addLayout(form)
        layout.addWidget(create)
        layout.addWidget(self.message)
        self.setMinimumSize(560, 600)

    def find(self, text: str) -> None:
        self.results.clear()
        with self.db.read() as s:
            found = search(s, text)
            for customer in found:
                clubs = ", ".join(c.name for c in customer_info(s, customer.id).clubs)
                label = f"{customer.name}  ·  {customer.email or ''}"
                if clubs:
                    label += f"  ·  {clubs}"
                row = QListWidgetItem(label)
                row.setData(Qt.ItemDataRole.UserRole, customer.id)
                self.results.addItem(row)
        if self.results.count():
            self.results.setCurrentRow(0)

    def _pick(self, row: QListWidgetItem | None) -> None:
        if row is None:
            self.message.setText("Choose a customer from the list.")
            return
        self.chosen_id = row.data(Qt.ItemDataRole.UserRole)
        self.accept()

    def create(self) -> None:
        try:
            new = NewCustomer(
                self.first.text(),
                self.last.text(),
                self.email.text() or None,
                self.phone.text() or None,
            )
            self.chosen_id = add_customer(self.db, new)
        except CustomerError as exc:
            self.messages.show(exc)
            return
        self.accept()
