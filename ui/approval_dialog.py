"""A manager's approval, asked for over the current screen (never a separate sign-in).

The manager taps their name and types their PIN; the engine (`staff.approve`) checks the
PIN and role, counts wrong attempts and writes the audit row naming who asked and who
approved. The resulting `Approval` is what the engine call that needs it receives."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tastingroom.people.staff import Action, Approval, AuthError, StaffMember, approve, list_staff
from tastingroom.store.database import Database
from ui.pin_pad import PinPad


class ApprovalDialog(QDialog):
    def __init__(
        self,
        db: Database,
        action: Action,
        requested_by: StaffMember,
        detail: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Manager approval")
        self.db, self.action, self.requested_by, self.detail = db, action, requested_by, detail
        self.approval: Approval | None = None
        self.manager: StaffMember | None = None
        what = action.value.replace("_", " ")
        title = QLabel(f"A manager must approve: {what}\n{detail}")
        title.setWordWrap(True)
        row = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for member in list_staff(db):
            if not member.can_approve:
                continue
            button = QPushButton(
                member.name, objectName="staffButton", checkable=True, autoExclusive=True
            )
            button.setMinimumHeight(56)
            button.clicked.connect(lambda _=False, m=member: self._choose(m))
            row.addWidget(button)
            self.buttons[member.name] = button
        self.pad = PinPad()
        self.pad.sig_entered.connect(self._pin)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(row)
        layout.addWidget(self.pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(cancel)

    def _choose(self, member: StaffMember) -> None:
        self.manager = member
        self.pad.show_message(f"{member.name}: type your PIN")
        self.pad.setFocus()

    def _pin(self, pin: str) -> None:
        if self.manager is None:
            self.pad.show_message("Tap the approving manager's name first.")
            return
        try:
            self.approval = approve(
                self.db, self.action, self.requested_by.id, self.manager.id, pin, self.detail
            )
        except AuthError as exc:
            self.pad.show_message(str(exc))
            return
        self.accept()
