"""Routing a keyboard-wedge scanner's bursts to the register, whatever has focus.

Installed on the application: every key press on the register window (or on the ID
check, for licences) goes through `BurstDetector`. Keys that come fast are held back;
a burst becomes `sig_scan`. Keys that turn out to be a person typing are replayed, in
order, to the widget that has focus, so typing works exactly as before (a few
milliseconds later). Elsewhere (the payment dialog, settings) nothing is intercepted.

Every key press and tap also tells background sync to step aside for a moment
(`tastingroom.foreground`): this filter is the first to see them.

A licence's line breaks come as Enter, Ctrl+J or Tab, and other control characters as
keys with control text: while a burst is held they are held with it, so a licence never
moves focus or shows up in a field. A Tab or Ctrl key pressed with nothing held is a
person's, and goes through at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tastingroom.devices.scanner import ENTER, TAB, BurstDetector
from tastingroom.foreground import FOREGROUND

_USE = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin)
"""Input that tells background sync the register is in use (`tastingroom.foreground`)."""


class ScannerFilter(QObject):
    sig_scan = Signal(str)

    def __init__(self, active: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active = active
        self.detector = BurstDetector()
        self._replaying = False
        self._idle = QTimer(self, singleShot=True)
        self._idle.timeout.connect(self._pause)

    def _char(self, event: QKeyEvent) -> str | None:
        """The character a key press feeds the detector, or None to let it through."""
        text = event.text()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) or text == "\n":
            return ENTER
        if event.key() == Qt.Key.Key_Tab or text == TAB:
            return TAB if self.detector.holding else None
        if len(text) == 1 and not text.isprintable():
            return text if self.detector.holding else None
        return text if text and text.isprintable() else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _USE:
            FOREGROUND.touch()  # background sync steps aside while the register is used
        if self._replaying or event.type() != QEvent.Type.KeyPress or not self.active():
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        char = self._char(key_event)
        if char is None:
            return False
        saved = (watched, key_event.key(), key_event.modifiers(), key_event.text())
        scan, released = self.detector.key(char, time.monotonic() * 1000, saved)
        self._replay(released)
        if scan is not None:
            self.sig_scan.emit(scan)
        if self.detector.holding:
            self._idle.start(int(self.detector.quiet_ms) + 10)
        return True

    def _pause(self) -> None:
        scan, released = self.detector.idle(time.monotonic() * 1000)
        self._replay(released)
        if scan is not None:
            self.sig_scan.emit(scan)
        elif self.detector.holding:  # the timer fired a hair early: wait out the rest
            self._idle.start(int(self.detector.quiet_ms) + 10)

    def _replay(self, keys: list[tuple]) -> None:
        """Give typed keys back to the widgets they were meant for, in order."""
        if not keys:
            return
        self._replaying = True
        try:
            for target, key, modifiers, text in keys:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(kind, key, modifiers, text))
        finally:
            self._replaying = False
