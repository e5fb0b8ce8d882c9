"""Pickups: web orders waiting here, found by name, email or order number, handed over
after an ID check. Cancelled orders show as cancelled and cannot be handed over. The slip
prints in the background; this screen says when it has, or why not (and shows it)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom.devices.printer import PrinterConfig
from tastingroom.devices.receipt import build_pickup_slip
from tastingroom.fulfilment.pickups import HandOverRefused, Pickup, hand_over, pickups
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.people.staff import StaffMember
from tastingroom.selling.sales import Register
from ui.age_check_dialog import AgeCheckDialog, keep_refusal
from ui.receipt_view import print_or_show


class PickupsScreen(QWidget):
    sig_handed_over = Signal(str)
    """The order number, once the hand-over is committed."""

    def __init__(
        self, register: Register, staff: Callable[[], StaffMember | None], printer: PrinterConfig
    ) -> None:
        super().__init__(objectName="register")
        self.register = register
        self.current_staff = staff
        self.printer = printer
        self.age_dialog: AgeCheckDialog | None = None
        self.search = QLineEdit(placeholderText="Name, email or order number")
        self.search.textChanged.connect(self.reload)
        self.list = QListWidget()
        self.list.currentItemChanged.connect(self._selected)
        self.details = QLabel("Choose an order.")
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.hand_over_button = QPushButton("Check ID and hand over", objectName="payButton")
        self.hand_over_button.setMinimumHeight(56)
        self.hand_over_button.clicked.connect(self.start_hand_over)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.slip = QPlainTextEdit(readOnly=True)
        self.slip.setVisible(False)
        left = QVBoxLayout()
        left.addWidget(QLabel("Web orders for pickup here"))
        left.addWidget(self.search)
        left.addWidget(self.list, 1)
        right = QVBoxLayout()
        right.addWidget(self.details, 1)
        right.addWidget(self.slip, 1)
        right.addWidget(self.message)
        right.addWidget(self.hand_over_button)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 5)
        layout.addLayout(right, 6)
        self.reload()

    def reload(self) -> None:
        self.list.clear()
        for pickup in pickups(self.register.db, self.search.text(), include_done=True):
            state = "waiting" if pickup.waiting else (
                "CANCELLED" if pickup.status == "cancelled" else "picked up"
            )  # fmt: skip
            row = QListWidgetItem(f"{pickup.number} · {pickup.customer or 'guest'} · {state}")
            row.setData(Qt.ItemDataRole.UserRole, pickup)
            self.list.addItem(row)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self._show(None)

    @Slot()
    def _selected(self, *_: object) -> None:
        row = self.list.currentItem()
        self._show(row.data(Qt.ItemDataRole.UserRole) if row else None)

    def _show(self, pickup: Pickup | None) -> None:
        if pickup is None:
            self.details.setText("No web orders match.")
            self.hand_over_button.setEnabled(False)
            return
        lines = "\n".join(f"  {qty} × {name}" for name, qty in pickup.lines)
        if pickup.status == "cancelled":
            state = "Cancelled on the web: it cannot be handed over."
        elif pickup.waiting:
            state = "Waiting for pickup."
        else:
            state = f"Picked up {stamp(pickup.picked_up_at, self.register.settings.timezone)}."
        self.details.setText(
            f"Order {pickup.number}\n{pickup.customer}  {pickup.email or ''}\n\n{lines}\n\n"
            f"Total {format_cents(pickup.total_cents)}\n{state}"
        )
        self.hand_over_button.setEnabled(pickup.waiting)

    def selected(self) -> Pickup | None:
        row = self.list.currentItem()
        return row.data(Qt.ItemDataRole.UserRole) if row else None

    def start_hand_over(self) -> None:
        staff: StaffMember | None = self.current_staff()
        if staff is None or self.selected() is None:
            return
        self.age_dialog = AgeCheckDialog(self.register.settings, staff.id, self)
        self.age_dialog.sig_refused.connect(partial(keep_refusal, self.register.db, "pickup"))
        self.age_dialog.accepted.connect(self._checked)
        self.age_dialog.open()

    @Slot()
    def _checked(self) -> None:
        pickup, staff = self.selected(), self.current_staff()
        try:
            hand_over(self.register.db, pickup.order_id, staff, self.age_dialog.result)
        except HandOverRefused as exc:
            self.message.setText(str(exc))
            return
        slip = build_pickup_slip(self.register.db, pickup.order_id, staff.name)
        done = f"Order {pickup.number} handed over to {pickup.customer or 'the guest'}."
        queued = print_or_show(
            self.printer,
            slip,
            self.slip,
            parent=self,
            on_printed=lambda: self.message.setText(f"{done} The slip is printed."),
            on_failed=lambda problem: self.message.setText(
                f"{done} {problem}; the hand-over is saved. The slip is shown here."
            ),
        )
        self.message.setText(f"{done} Printing the slip…" if queued else done)
        self.sig_handed_over.emit(pickup.number)
        self.reload()
