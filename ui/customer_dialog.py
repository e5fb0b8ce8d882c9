"""Attaching a customer to the sale: search the local cache by name, email or phone, or
add a new customer (saved here and sent to WineDirect by sync). Club membership shows
in the list, and club pricing applies to the cart as soon as the customer is attached."""

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

from tastingroom.customers import CustomerError, NewCustomer, add_customer, customer_info, search
from tastingroom.store.database import Database


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
        self.first = QLineEdit()
        self.last = QLineEdit()
        self.email = QLineEdit()
        self.phone = QLineEdit()
        form = QFormLayout()
        form.addRow("First name", self.first)
        form.addRow("Last name", self.last)
        form.addRow("Email", self.email)
        form.addRow("Phone", self.phone)
        create = QPushButton("Add new customer")
        create.clicked.connect(self.create)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
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
                self.first.text().strip(),
                self.last.text().strip(),
                self.email.text().strip() or None,
                self.phone.text().strip() or None,
            )
            self.chosen_id = add_customer(self.db, new)
        except CustomerError as exc:
            self.message.setText(str(exc))
            return
        self.accept()
