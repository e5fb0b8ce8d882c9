"""The lock screen: tap your name, type your PIN. Shown at start, on demand (a quick
switch between staff at a busy bar) and after the register has been idle a while.
Wrong PINs and lock-outs are counted and explained by the engine (`staff.sign_in`)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tastingroom.staff import AuthError, StaffMember, list_staff, sign_in
from tastingroom.store.database import Database
from ui.pin_pad import PinPad


class LockScreen(QWidget):
    sig_signed_in = Signal(object)
    """A `StaffMember` who typed the right PIN."""

    def __init__(self, db: Database, store_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="register")
        self.db = db
        self.chosen: StaffMember | None = None
        title = QLabel(store_name, objectName="storeName", alignment=Qt.AlignmentFlag.AlignCenter)
        self.prompt = QLabel("Tap your name", alignment=Qt.AlignmentFlag.AlignCenter)
        self.staff_row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        self.pad = PinPad()
        self.pad.sig_entered.connect(self._try_pin)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(self.prompt)
        layout.addLayout(self.staff_row)
        layout.addWidget(self.pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.reload()

    def reload(self) -> None:
        for button in self.buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        self.buttons.clear()
        for member in list_staff(self.db):
            button = QPushButton(member.name, objectName="staffButton", checkable=True)
            button.setMinimumHeight(64)
            button.clicked.connect(lambda _=False, m=member: self.choose(m))
            self.group.addButton(button)
            self.staff_row.addWidget(button)
            self.buttons[member.name] = button
        self.chosen = None
        self.prompt.setText("Tap your name")
        self.pad.show_message("")

    def choose(self, member: StaffMember) -> None:
        self.chosen = member
        self.buttons[member.name].setChecked(True)
        self.prompt.setText(f"{member.name}: type your PIN")
        self.pad.show_message("")
        self.pad.setFocus()

    def _try_pin(self, pin: str) -> None:
        if self.chosen is None:
            self.pad.show_message("Tap your name first.")
            return
        try:
            member = sign_in(self.db, self.chosen.id, pin)
        except AuthError as exc:
            self.pad.show_message(str(exc))
            return
        self.pad.show_message("")
        self.sig_signed_in.emit(member)
