"""Sync details for staff: what is waiting, when WineDirect was last reached, what is
wrong, the orders WineDirect refused, each with its reason, to retry once the cause is
corrected or to void with a manager's approval, and the problems sync cannot settle
alone (a pickup handed over twice, a record set aside, a number prefix already used),
which a manager acknowledges once dealt with. The status lines include the database's
last full integrity check (run in the background: `store.health`); a failed one is
listed among the problems."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom.people.staff import Action, StaffMember
from tastingroom.status import read_status
from tastingroom.store.database import Database
from tastingroom.sync import problems
from tastingroom.sync.quarantine import QuarantineError, list_quarantined, retry, void
from ui.approval_dialog import ApprovalDialog


class SyncScreen(QWidget):
    def __init__(
        self, db: Database, staff: Callable[[], StaffMember | None], wake: Callable[[], None]
    ) -> None:
        super().__init__(objectName="register")
        self.db = db
        self.current_staff = staff
        self.wake = wake
        self.approval_dialog: ApprovalDialog | None = None
        self.details = QLabel("")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setFont(QFont("DejaVu Sans Mono", 11))  # the status lines are in columns
        self.list = QListWidget()
        self.retry_button = QPushButton("Retry")
        self.retry_button.clicked.connect(self.retry_selected)
        self.void_button = QPushButton("Void (manager)")
        self.void_button.clicked.connect(self.void_selected)
        self.problem_list = QListWidget()
        self.problem_list.setWordWrap(True)
        self.problem_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.acknowledge_button = QPushButton("Dealt with (manager)")
        self.acknowledge_button.clicked.connect(self.acknowledge_selected)
        sync_now = QPushButton("Sync now")
        sync_now.clicked.connect(self.wake)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(sync_now)
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.void_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.details)
        layout.addWidget(QLabel("Refused by WineDirect"))
        layout.addWidget(self.list, 1)
        problem_buttons = QHBoxLayout()
        problem_buttons.addWidget(QLabel("Needs a manager's attention"))
        problem_buttons.addStretch(1)
        problem_buttons.addWidget(self.acknowledge_button)
        layout.addLayout(problem_buttons)
        layout.addWidget(self.problem_list, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        self.details.setText(read_status(self.db).render())
        self.list.clear()
        for item in list_quarantined(self.db):
            row = QListWidgetItem(f"{item.label} · {item.kind} · {item.reason}")
            row.setData(Qt.ItemDataRole.UserRole, item.seq)
            self.list.addItem(row)
        has_items = self.list.count() > 0
        if has_items:
            self.list.setCurrentRow(0)
        self.retry_button.setEnabled(has_items)
        self.void_button.setEnabled(has_items)
        self.problem_list.clear()
        with self.db.read() as s:
            found = problems.open_problems(s)
        for problem in found:
            row = QListWidgetItem(f"{problem.label}\n{problem.detail}")
            row.setData(Qt.ItemDataRole.UserRole, problem.id)
            self.problem_list.addItem(row)
        if found:
            self.problem_list.setCurrentRow(0)
        self.acknowledge_button.setEnabled(bool(found))

    def _selected(self) -> int | None:
        row = self.list.currentItem()
        return None if row is None else row.data(Qt.ItemDataRole.UserRole)

    def retry_selected(self) -> None:
        seq = self._selected()
        if seq is None:
            return
        try:
            retry(self.db, seq)
        except QuarantineError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Back in line: it will be sent on the next sync.")
        self.wake()
        self.reload()

    def void_selected(self) -> None:
        seq, staff = self._selected(), self.current_staff()
        if seq is None or staff is None:
            return
        label = self.list.currentItem().text().split(" · ")[0]
        self.approval_dialog = ApprovalDialog(
            self.db, Action.VOID_QUARANTINED, staff, f"give up sending {label}", self
        )
        self.approval_dialog.accepted.connect(self._void_approved)
        self.approval_dialog.open()

    @Slot()
    def _void_approved(self) -> None:
        seq, staff = self._selected(), self.current_staff()
        try:
            void(self.db, seq, staff, self.approval_dialog.approval)
        except QuarantineError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Voided: it will not be sent, and its order is marked void.")
        self.reload()

    def acknowledge_selected(self) -> None:
        row, staff = self.problem_list.currentItem(), self.current_staff()
        if row is None or staff is None:
            return
        label = row.text().split("\n")[0]
        self.approval_dialog = ApprovalDialog(
            self.db, Action.ACKNOWLEDGE_SYNC_PROBLEM, staff, f"close “{label}”", self
        )
        self.approval_dialog.accepted.connect(self._acknowledge_approved)
        self.approval_dialog.open()

    @Slot()
    def _acknowledge_approved(self) -> None:
        row, staff = self.problem_list.currentItem(), self.current_staff()
        try:
            problems.acknowledge(
                self.db, row.data(Qt.ItemDataRole.UserRole), staff, self.approval_dialog.approval
            )
        except ValueError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("Closed: it stays in the audit log.")
        self.reload()
