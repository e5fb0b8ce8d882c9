"""Routing a keyboard-wedge scanner's bursts to the register, whatever has focus.

Installed on the application: every key press on the register window (or on the ID
check, for licences) goes through `BurstDetector`. Keys that come fast are held back;
a burst becomes `sig_scan`. Keys that turn out to be a person typing are replayed, in
order, to the widget that has focus, so typing works exactly as before (a few
milliseconds later). Elsewhere (the payment dialog, settings) nothing is intercepted.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

from tastingroom.devices.scanner import ENTER, BurstDetector


class ScannerFilter(QObject):
    sig_scan = Signal(str)

    def __init__(self, active: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active = active
        self.detector = BurstDetector()
        self._replaying = False
        self._idle = QTimer(self, singleShot=True)
        self._idle.setInterval(int(self.detector.max_gap_ms) + 10)
        self._idle.timeout.connect(self._pause)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress or not self.active():
            return False
        key_event: QKeyEvent = event  # type: ignore[assignment]
        if key_event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            char = ENTER
        elif key_event.text() and key_event.text().isprintable():
            char = key_event.text()
        else:
            return False
        saved = (watched, key_event.key(), key_event.modifiers(), key_event.text())
        scan, released = self.detector.key(char, time.monotonic() * 1000, saved)
        self._replay(released)
        if scan is not None:
            self.sig_scan.emit(scan)
        if self.detector.holding:
            self._idle.start()
        return True

    def _pause(self) -> None:
        scan, released = self.detector.idle(time.monotonic() * 1000)
        self._replay(released)
        if scan is not None:
            self.sig_scan.emit(scan)

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
