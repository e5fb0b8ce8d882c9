"""A second tap is not replayed onto whatever moved under the finger.

On a touch screen a double tap, or an impatient second tap, arrives a few hundred
milliseconds after the first; by then the first may have changed the screen (the
quick-cash row vanishes once the sale is paid, a dialog opens, tiles are rebuilt), and
the second lands on a different button now in that spot: "Add card" instead of "$50".
`TapGuard` drops a press on a button when the previous press was on another widget, at
about the same place, less than `TAP_INTERVAL_MS` ago. A repeated tap on the same button
(+1, +1) and quick taps in different places (a PIN) go through as always.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QAbstractButton, QWidget

TAP_INTERVAL_MS = 350
"""Taps closer together than this belong to one gesture (Qt's double-click is ~400 ms)."""
SAME_SPOT_PX = 24
"""How far apart two taps of one finger land (a fingertip is wider than this)."""

_PRESSES = (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick)


@dataclass(frozen=True)
class _Tap:
    at: float
    where: QPoint
    target: QWidget


class TapGuard(QObject):
    """An application-wide event filter (`QApplication.installEventFilter`); parent it
    to the window it protects, and it goes with that window."""

    def __init__(
        self,
        parent: QObject | None = None,
        interval_ms: int = TAP_INTERVAL_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.interval_s = interval_ms / 1000
        self.clock = clock
        """Seconds, steadily increasing; a test may replace it to step past the interval."""
        self._last: _Tap | None = None
        self._swallowed: QWidget | None = None
        """The button whose press was dropped: its release is dropped too."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonRelease and watched is self._swallowed:
            self._swallowed = None
            return True
        if kind not in _PRESSES or not isinstance(watched, QWidget):
            return False
        assert isinstance(event, QMouseEvent)
        tap = _Tap(self.clock(), event.globalPosition().toPoint(), watched)
        if self._moved_under_finger(tap):
            self._swallowed = watched
            return True
        self._last = tap
        self._swallowed = None  # a release that never came must not eat a later one
        return False

    def _moved_under_finger(self, tap: _Tap) -> bool:
        last = self._last
        return (
            last is not None
            and isinstance(tap.target, QAbstractButton)
            and tap.target is not last.target
            and tap.at - last.at < self.interval_s
            and (tap.where - last.where).manhattanLength() <= SAME_SPOT_PX
        )
