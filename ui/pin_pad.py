"""A PIN pad: large keys for touch screens, and the keyboard works too. Digits are shown
as dots; the pad never keeps a PIN after it has been handed over."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

MAX_DIGITS = 8
MESSAGE_LINES = 3
"""Room kept under the keys for a message ("Wrong PIN. 2 more wrong attempt(s)…"), so
that the keys stay where the fingers are when one appears."""


class PinPad(QWidget):
    sig_entered = Signal(str)
    """The PIN, when OK is pressed (or Enter); the pad is cleared at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._digits = ""
        self.display = QLabel("", objectName="pinDisplay", alignment=Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel(
            "",
            objectName="notice",
            alignment=Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
        )
        self.message.setWordWrap(True)
        # As wide as the keys (a long message wraps rather than widening the pad), and tall
        # enough for the usual message even when empty; a longer one still shows whole.
        self.message.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)
        self.message.ensurePolished()
        self.message.setMinimumHeight(MESSAGE_LINES * self.message.fontMetrics().lineSpacing())
        grid = QGridLayout()
        self.keys: dict[str, QPushButton] = {}
        labels = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "Clear", "0", "OK"]
        for index, label in enumerate(labels):
            key = QPushButton(label, objectName="pinKey")
            key.setMinimumSize(88, 64)
            key.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            key.clicked.connect(self._pressed)
            grid.addWidget(key, index // 3, index % 3)
            self.keys[label] = key
        layout = QVBoxLayout(self)
        layout.addWidget(self.display)
        layout.addLayout(grid)
        layout.addWidget(self.message)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    def _pressed(self) -> None:
        self.press(self.sender().text())

    def press(self, key: str) -> None:
        if key == "Clear":
            self._digits = ""
        elif key == "OK":
            pin, self._digits = self._digits, ""
            self.display.setText("")
            if pin:
                self.sig_entered.emit(pin)
            return
        elif key.isdigit() and len(self._digits) < MAX_DIGITS:
            self._digits += key
        self.display.setText("●" * len(self._digits))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.text().isdigit():
            self.press(event.text())
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.press("OK")
        elif event.key() in (Qt.Key.Key_Backspace, Qt.Key.Key_Escape):
            self.press("Clear")
        else:
            super().keyPressEvent(event)

    def show_message(self, text: str) -> None:
        self.message.setText(text)
