"""A paid-in, paid-out or drop to the safe: the amount and what it is for.

Whether a reason is required and whether a manager approves are the engine's rules
(`drawer.STAFF_MOVEMENTS`): a paid-out asks for a manager's PIN over this dialog once
the amount and reason are filled in. What the engine refuses (more than the drawer
holds, over the store's limit) shows under the field it is about; the dialog stays open.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from tastingroom import entry
from tastingroom.drawer import STAFF_MOVEMENTS, MovementKind, record
from tastingroom.entry import EntryRefused
from tastingroom.money import format_cents
from tastingroom.people.staff import Approval, AuthError, StaffMember
from tastingroom.store.database import Database
from ui.approval_dialog import ApprovalDialog
from ui.dialog_footer import TOUCH_HEIGHT, dialog_footer
from ui.field_messages import FieldMessages

TITLES = {
    MovementKind.PAID_IN: ("Paid in", "Cash put into the drawer (change from the bank, say)."),
    MovementKind.PAID_OUT: ("Paid out", "Cash taken out for an expense: a manager approves."),
    MovementKind.DROP: ("Drop to the safe", "Cash moved from the drawer to the safe."),
}


class MovementDialog(QDialog):
    def __init__(
        self, db: Database, staff: StaffMember, kind: MovementKind, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        title, explanation = TITLES[kind]
        self.setWindowTitle(title)
        self.db, self.staff, self.kind = db, staff, kind
        self.rule = STAFF_MOVEMENTS[kind]
        self.approval_dialog: ApprovalDialog | None = None
        self.amount = QLineEdit(placeholderText="0.00")
        self.reason = QLineEdit(
            placeholderText="What it is for" if self.rule.reason_required else "Optional note",
            maxLength=entry.DRAWER_REASON.max_length,
        )
        for field in (self.amount, self.reason):
            field.setMinimumHeight(TOUCH_HEIGHT)
            field.setMinimumWidth(320)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        form = QFormLayout()
        form.addRow("Amount", self.messages.under("amount", self.amount))
        form.addRow(
            "Reason" if self.rule.reason_required else "Note",
            self.messages.under("reason", self.reason),
        )
        action = f"{title} (manager)" if self.rule.approval else title
        footer, self.record_button = dialog_footer(self, action, self.submit)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(explanation, objectName="hint"))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(footer)
        self.amount_cents = 0

    def submit(self) -> None:
        """Check what the dialog can, then ask a manager (when needed), then record."""
        try:
            self.amount_cents = entry.dollars(self.amount.text(), entry.DRAWER_AMOUNT)
        except EntryRefused as exc:
            self.messages.show(exc)
            return
        if self.rule.reason_required and not self.reason.text().strip():
            self.messages.say("Say what the cash is for.", "reason")
            return
        if self.rule.approval is None:
            self._record(None)
            return
        detail = (
            f"{self.kind.label} {format_cents(self.amount_cents)}: {self.reason.text().strip()}"
        )
        self.approval_dialog = ApprovalDialog(self.db, self.rule.approval, self.staff, detail, self)
        self.approval_dialog.accepted.connect(lambda: self._record(self.approval_dialog.approval))
        self.approval_dialog.open()

    def _record(self, approval: Approval | None) -> None:
        try:
            record(self.db, self.staff, self.kind, self.amount_cents, self.reason.text(), approval)
        except EntryRefused as exc:  # DrawerError is one
            self.messages.show(exc)
            return
        except AuthError as exc:
            self.messages.say(str(exc))
            return
        self.accept()
