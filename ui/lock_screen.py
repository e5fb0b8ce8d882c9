"""The lock screen: tap your name, type your PIN. Shown at start, on demand (a quick
switch between staff at a busy bar) and after the register has been idle a while.

At start-up it appears before the engine has loaded (see `ui.app`): staff names come
from `store.first_look`, and a PIN typed before the engine is ready is checked the
moment it is (`attach`). Wrong PINs and lock-outs are counted and explained by the
engine (`staff.sign_in`). This module imports nothing of the engine at import time
but `store.first_look` (the standard library's sqlite3 and json), so the lock screen
costs little more than Qt to show.

The demo winery says it is the demo and shows its staff's PINs, so that anyone can try
it; a store of its own never shows a PIN.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from tastingroom.store.first_look import demo_sign_ins
from ui.pin_pad import PinPad

if TYPE_CHECKING:
    from tastingroom.store.database import Database


NOBODY_YET = (
    "Nobody can sign in yet. Add the owner from a terminal:\n"
    'tastingroom staff add "Your Name" --role owner'
)


class LockScreen(QWidget):
    sig_signed_in = Signal(object)
    """A `StaffMember` who typed the right PIN."""

    def __init__(
        self,
        store_name: str,
        staff: Sequence[tuple[str, str]] = (),
        parent: QWidget | None = None,
        *,
        demo: bool = False,
    ) -> None:
        super().__init__(parent, objectName="register")
        self.db: Database | None = None
        self.chosen: str | None = None
        self._waiting_pin: str | None = None
        self.title = QLabel(
            store_name, objectName="storeName", alignment=Qt.AlignmentFlag.AlignCenter
        )
        self.prompt = QLabel("Tap your name", alignment=Qt.AlignmentFlag.AlignCenter)
        self.demo_hint = QLabel(
            "", objectName="demoHint", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True
        )
        self.staff_row = QHBoxLayout()
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        self.pad = PinPad()
        self.pad.sig_entered.connect(self._try_pin)
        self.corner = QHBoxLayout()
        """Small buttons at the top: the training store, setting up a store (`ui.first_run`)."""
        self.corner.addStretch(1)
        self.banners = QVBoxLayout()
        """Above the names: the first sync's progress (`ui.first_run.progress`)."""
        layout = QVBoxLayout(self)
        layout.addLayout(self.corner)
        layout.addLayout(self.banners)
        layout.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        layout.addLayout(self.staff_row)
        layout.addWidget(self.demo_hint)
        layout.addWidget(self.pad, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        if staff:
            self._show_staff(staff)
        else:
            self.prompt.setText("Starting the register…")
        self.show_demo(demo)

    def add_corner_button(self, button: QPushButton) -> None:
        """A small button in the top corner, away from the names and the keys."""
        self.corner.addWidget(button)

    def add_banner(self, banner: QWidget) -> None:
        """A banner across the top, above the store's name."""
        self.banners.addWidget(banner)

    def attach(self, db: Database, store_name: str) -> None:
        """The engine has loaded: names come from it from now on, and a PIN typed while
        it loaded is checked now."""
        from tastingroom.settings import load_settings  # loaded by now; see module docstring

        self.db = db
        self.title.setText(store_name)
        with db.read() as s:
            self.show_demo(load_settings(s).demo_mode)
        chosen, pin = self.chosen, self._waiting_pin
        self.reload()
        if chosen in self.buttons and pin:
            self.choose(chosen)
            self._try_pin(pin)

    def reload(self) -> None:
        """Fresh names from the engine; nobody chosen (after a lock)."""
        if self.db is not None:
            from tastingroom.people.staff import list_staff  # loaded by now; see module docstring

            self._show_staff([(m.id, m.name) for m in list_staff(self.db)])
        self.chosen = None
        self._waiting_pin = None
        self.prompt.setText("Tap your name" if self.buttons else NOBODY_YET)
        self.pad.show_message("")

    def _show_staff(self, staff: Sequence[tuple[str, str]]) -> None:
        for button in self.buttons.values():
            self.group.removeButton(button)
            button.deleteLater()
        self.buttons.clear()
        for staff_id, name in staff:
            button = QPushButton(name, objectName="staffButton", checkable=True)
            button.setMinimumHeight(64)
            button.clicked.connect(lambda _=False, i=staff_id: self.choose(i))
            self.group.addButton(button)
            self.staff_row.addWidget(button)
            self.buttons[staff_id] = button
        self.prompt.setText("Tap your name")

    def show_demo(self, demo: bool) -> None:
        """Say that this is the demo winery and how its staff sign in; say nothing of
        PINs otherwise."""
        people = demo_sign_ins() if demo else ()
        logins = ", ".join(f"{name} {pin} ({role})" for name, pin, role in people)
        self.demo_hint.setText(f"Demo winery — {logins}" if people else "")
        self.demo_hint.setVisible(bool(people))

    def show_failure(self, message: str) -> None:
        """The engine could not start: say why, and take no PINs (nor offer the demo's)."""
        self.prompt.setText("The register cannot start.")
        self.demo_hint.hide()
        self.pad.show_message(message)
        self.pad.setEnabled(False)
        for button in self.buttons.values():
            button.setEnabled(False)

    def button_for(self, name: str) -> QPushButton:
        return next(b for b in self.buttons.values() if b.text() == name)

    def choose(self, staff_id: str) -> None:
        self.chosen = staff_id
        self.buttons[staff_id].setChecked(True)
        self.prompt.setText(f"{self.buttons[staff_id].text()}: type your PIN")
        self.pad.show_message("")
        self.pad.setFocus()

    def _try_pin(self, pin: str) -> None:
        if self.chosen is None:
            self.pad.show_message("Tap your name first.")
            return
        if self.db is None:
            self._waiting_pin = pin
            self.pad.show_message("Starting the register… your PIN is checked in a moment.")
            return
        from tastingroom.people.staff import AuthError, sign_in  # loaded by now

        self._waiting_pin = None
        try:
            member = sign_in(self.db, self.chosen, pin)
        except AuthError as exc:
            self.pad.show_message(str(exc))
            return
        self.pad.show_message("")
        self.sig_signed_in.emit(member)
