"""Orders: today's and earlier, register and web alike, each with where it stands with
WineDirect, its shipping status and tracking number, and how the guest's age was checked
(ID scanned, date of birth typed, visibly over N); a receipt can be printed again, in
the background."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tastingroom.age import passed_checks
from tastingroom.devices.printer import PrinterConfig
from tastingroom.devices.receipt import build_receipt
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.orders import OrderRow, list_orders
from tastingroom.sales import Register
from ui.receipt_view import print_or_show

COLUMNS = ("Order", "When", "Customer", "Total", "WineDirect", "Shipping", "Tracking", "Age check")


class OrdersScreen(QWidget):
    def __init__(self, register: Register, printer: PrinterConfig) -> None:
        super().__init__(objectName="register")
        self.register = register
        self.printer = printer
        self.rows: list[OrderRow] = []
        self.search = QLineEdit(placeholderText="Order number, customer or tracking number")
        self.search.textChanged.connect(self.reload)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.reprint_button = QPushButton("Reprint receipt")
        self.reprint_button.clicked.connect(self.reprint)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.receipt = QPlainTextEdit(readOnly=True)
        self.receipt.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.reprint_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.receipt, 2)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        """The orders matching the search, times in the store's own zone."""
        zone = self.register.settings.timezone
        self.rows = list_orders(self.register.db, self.search.text())
        checks = passed_checks(self.register.db, (row.order_id for row in self.rows))
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            sync = row.sync + (f": {row.sync_reason}" if row.sync_reason else "")
            values = (
                row.number + ("" if row.status == "completed" else f" ({row.status})"),
                stamp(row.created_at, zone),
                row.customer,
                format_cents(row.total_cents),
                sync,
                row.shipping_status or "",
                row.tracking_number or "",
                checks.get(row.order_id, ""),
            )
            for c, value in enumerate(values):
                self.table.setItem(r, c, QTableWidgetItem(value))

    def reprint(self) -> None:
        index = self.table.currentRow()
        if not 0 <= index < len(self.rows):
            self.message.setText("Choose an order first.")
            return
        row = self.rows[index]
        if row.source != "register":
            self.message.setText("Web orders have no register receipt.")
            return
        data = build_receipt(self.register.db, row.order_id, reprint=True).data
        number = row.number
        queued = print_or_show(
            self.printer,
            data,
            self.receipt,
            parent=self,
            on_printed=lambda: self.message.setText(f"Receipt {number} printed again."),
            on_failed=lambda problem: self.message.setText(
                f"{problem}: receipt {number} is shown above. Try again once it is back."
            ),
        )
        if queued:
            self.message.setText(f"Printing receipt {number} again…")
        else:
            self.message.setText(f"No printer is set up: receipt {number} is shown above.")
