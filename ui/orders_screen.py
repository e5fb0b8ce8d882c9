"""Orders: today's and earlier, register and web alike, each with where it stands with
WineDirect, its shipping status and tracking number, and how the guest's age was checked
(ID scanned, date of birth typed, visibly over N); a receipt can be printed again, in
the background. A refund is a row of its own, saying which sale it gives back, with its
own sync state; "Refund…" on a register sale starts a refund of it (`sig_refund`).

The search runs once typing pauses (`DEBOUNCE_MS`) or on Enter, not on every keystroke:
each search is a few milliseconds on the trigram index (`store.order_search`) at any
history, but a burst of keys would still queue one per key."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from tastingroom.devices.printer import PrinterConfig
from tastingroom.devices.receipt import build_receipt
from tastingroom.entry import search_text
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.selling.age import passed_checks
from tastingroom.selling.orders import OrderRow, list_orders
from tastingroom.selling.sales import Register
from tastingroom.store.order_search import MIN_QUERY
from ui.receipt_view import print_or_show

DEBOUNCE_MS = 200
"""A pause in typing this long runs the search (a person types a key every 80 ms or more;
reading what was found takes longer than this)."""

COLUMNS = (
    "Order",
    "When",
    "Customer",
    "Total",
    "WineDirect",
    "Shipping",
    "Tracking",
    "Age check",
    "What",
)
"""What an order is ("Sale", "Refund of TR1-000003") comes last: the columns before it
keep their places."""


WIDEST = (
    "TR7KM3-000000",
    "2026-11-23 14:05",
    "Isabella Dubois",
    "$9,999.99",
    "from WineDirect",
    "Pending Pickup",
    "1Z999AA1012345",
    "Visibly over 21 (no ID)",
)
"""What each column but the last (which takes the rest) is sized for, once: sizing the
columns to what a search found measured every cell again on every search, most of its
cost. A wider text is elided, and the column can be dragged wider."""
CELL_PADDING = 18


class OrdersModel(QAbstractTableModel):
    """The orders shown, as texts: the view asks only for the cells it paints, so showing
    200 orders costs what a screenful does (a `QTableWidget` made an item per cell)."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[tuple[str, ...]] = []

    def show(self, texts: list[tuple[str, ...]]) -> None:
        self.beginResetModel()
        self.texts = texts
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.texts)

    def columnCount(self, parent: QModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> str | None:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        return self.texts[index.row()][index.column()]

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> str | None:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None


class OrdersScreen(QWidget):
    sig_refund = Signal(str)
    """The id of a register sale to refund (the shell opens the refund screen on it)."""

    def __init__(self, register: Register, printer: PrinterConfig) -> None:
        super().__init__(objectName="register")
        self.register = register
        self.printer = printer
        self.rows: list[OrderRow] = []
        self.search = QLineEdit(placeholderText="Order number, customer or tracking number")
        self.pause = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.pause.timeout.connect(self.reload)
        self.search.textChanged.connect(self.pause.start)
        self.search.returnPressed.connect(self.reload)
        self.model = OrdersModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.reprint_button = QPushButton("Reprint receipt")
        self.reprint_button.clicked.connect(self.reprint)
        self.refund_button = QPushButton("Refund…")
        self.refund_button.clicked.connect(self.refund)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.receipt = QPlainTextEdit(readOnly=True)
        self.receipt.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.refund_button)
        buttons.addWidget(self.reprint_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.receipt, 2)
        layout.addLayout(buttons)
        self.reload()

    def showEvent(self, event: QShowEvent) -> None:
        """Size the columns in the font the style sheet gave the table (known once shown,
        not when the screen was built)."""
        super().showEvent(event)
        header = self.table.horizontalHeader()
        metrics = self.table.fontMetrics()
        for column, widest in enumerate(WIDEST):
            title = header.fontMetrics().horizontalAdvance(COLUMNS[column])
            width = max(metrics.horizontalAdvance(widest), title) + CELL_PADDING
            self.table.setColumnWidth(column, width)

    def reload(self) -> None:
        """The orders matching the search, times in the store's own zone."""
        self.pause.stop()
        zone = self.register.settings.timezone
        typed = search_text(self.search.text())
        if typed and len(typed) < MIN_QUERY:
            self.message.setText(f"Type {MIN_QUERY} or more letters or digits to search.")
        elif typed:
            self.message.setText("")
        self.rows = list_orders(self.register.db, self.search.text())
        checks = passed_checks(self.register.db, (row.order_id for row in self.rows))
        shown = []
        for row in self.rows:
            sync = row.sync + (f": {row.sync_reason}" if row.sync_reason else "")
            shown.append(
                (
                    row.number + ("" if row.status == "completed" else f" ({row.status})"),
                    stamp(row.created_at, zone),
                    row.customer,
                    format_cents(row.total_cents),
                    sync,
                    row.shipping_status or "",
                    row.tracking_number or "",
                    checks.get(row.order_id, ""),
                    row.what,
                )
            )
        self.model.show(shown)

    def _chosen(self) -> OrderRow | None:
        index = self.table.currentIndex().row()
        if not 0 <= index < len(self.rows):
            self.message.setText("Choose an order first.")
            return None
        return self.rows[index]

    def refund(self) -> None:
        """A refund of the chosen sale, on the refund screen (which says why when the
        engine will not refund it: a web order, a refund, one already refunded)."""
        row = self._chosen()
        if row is not None:
            self.sig_refund.emit(row.order_id)

    def reprint(self) -> None:
        row = self._chosen()
        if row is None:
            return
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
