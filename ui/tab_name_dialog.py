"""Naming a tab: the party's name, or one tap on a spot at the bar ("Bar 1".."Bar 8"), so
that a touch screen needs no typing. A spot already taken by an open tab is greyed out.

The name's rules are the engine's (`tabs.hold`, `entry.TAB_NAME`): the dialog hands the
name to `hold`, and a refusal (no name, a card number, a name already open) is said under
the field with the dialog still open."""

from __future__ import annotations

from collections.abc import Callable, Collection
from functools import partial

from PySide6.QtWidgets import (
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tastingroom import entry
from tastingroom.selling.tabs import TabError
from ui.dialog_footer import TOUCH_HEIGHT, dialog_footer
from ui.field_messages import FieldMessages

SPOTS = tuple(f"Bar {n}" for n in range(1, 9))
SPOTS_PER_ROW = 4


class TabNameDialog(QDialog):
    def __init__(
        self,
        open_names: Collection[str],
        hold: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        """`open_names`: the open tabs' names; `hold`: holds the cart under a name, or
        raises `TabError` saying why not."""
        super().__init__(parent)
        self.setWindowTitle("Hold as tab")
        self.hold = hold
        taken = {name.casefold() for name in open_names}
        self.name = QLineEdit(
            placeholderText="The party's name or a spot",
            maxLength=entry.TAB_NAME.max_length,
        )
        self.name.setMinimumHeight(TOUCH_HEIGHT)
        self.name.returnPressed.connect(self._typed)
        self.message = QLabel("", objectName="notice")
        self.message.setWordWrap(True)
        self.messages = FieldMessages(self.message)
        spots = QGridLayout()
        self.spot_buttons: dict[str, QPushButton] = {}
        for index, spot in enumerate(SPOTS):
            button = QPushButton(spot, objectName="lineButton")
            button.setMinimumHeight(TOUCH_HEIGHT)
            button.setEnabled(spot.casefold() not in taken)
            button.clicked.connect(partial(self._named, spot))
            spots.addWidget(button, *divmod(index, SPOTS_PER_ROW))
            self.spot_buttons[spot] = button
        footer, self.hold_button = dialog_footer(self, "Hold tab", self._typed)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Hold this cart as a tab: tap a spot, or type a name."))
        layout.addLayout(spots)
        layout.addWidget(self.messages.under(entry.TAB_NAME.field, self.name))
        layout.addWidget(self.message)
        layout.addLayout(footer)

    def _typed(self) -> None:
        self._named(self.name.text())

    def _named(self, name: str) -> None:
        try:
            self.hold(name)
        except TabError as exc:
            self.messages.show(exc)
            return
        self.accept()
