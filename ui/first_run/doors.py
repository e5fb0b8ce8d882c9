"""The two doors of a first start: try the demo winery, or set up my winery."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

DEMO_TEXT = (
    "A made-up winery, Vallée Lune, with wines, customers, club members and web pickups, "
    "and a simulated WineDirect on this computer. Ring up anything: it is a training "
    "store, kept apart from your own, and nothing of it ever reaches WineDirect."
)
SET_UP_TEXT = (
    "A few questions, one screen each: your store, your name and PIN, your WineDirect "
    "webservice login, this register's codes, the sales tax and the receipt printer. "
    "Nothing is saved until the last screen."
)


class DoorsPage(QWidget):
    """Shown when nothing is set up here yet."""

    sig_demo = Signal()
    sig_set_up = Signal()

    def __init__(self) -> None:
        super().__init__(objectName="register")
        title = QLabel(
            "Welcome to Tastingroom", objectName="storeName", alignment=Qt.AlignmentFlag.AlignCenter
        )
        intro = QLabel(
            "Nothing is set up on this computer yet.", alignment=Qt.AlignmentFlag.AlignCenter
        )
        self.notice = QLabel(
            "", objectName="notice", alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True
        )
        self.notice.hide()
        self.demo_button = QPushButton("Try the demo winery", objectName="doorButton")
        self.set_up_button = QPushButton("Set up my winery", objectName="doorButton")
        self.demo_button.clicked.connect(self.sig_demo)
        self.set_up_button.clicked.connect(self.sig_set_up)
        doors = QHBoxLayout()
        doors.addStretch(1)
        for button, text in ((self.demo_button, DEMO_TEXT), (self.set_up_button, SET_UP_TEXT)):
            button.setMinimumSize(320, 96)
            column = QVBoxLayout()
            column.addWidget(button)
            words = QLabel(text, objectName="hint", wordWrap=True)
            words.setMaximumWidth(360)
            column.addWidget(words)
            column.addStretch(1)
            doors.addLayout(column)
            doors.addSpacing(32)
        doors.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addWidget(self.notice)
        layout.addSpacing(24)
        layout.addLayout(doors)
        layout.addStretch(2)

    def say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
