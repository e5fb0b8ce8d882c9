"""Time, as the sync engine sees it: now, and waiting.

Backoff, rate-limit waits and the circuit breaker all wait on this clock, so tests can
run "72 hours offline" in a second with a clock whose sleep just moves time forward.
A wait can be cut short (the engine is stopping, or a sale asked for a sync now).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    def wait(self, seconds: float, wake: threading.Event) -> bool:
        """Wait up to `seconds`; True if `wake` was set first."""
        ...


class RealClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def wait(self, seconds: float, wake: threading.Event) -> bool:
        return wake.wait(max(0.0, seconds))


class FakeClock:
    """A clock for tests: waiting moves time forward at once; `waits` records each wait."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
        self.waits: list[float] = []
        self.lock = threading.Lock()

    def now(self) -> datetime:
        with self.lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self.lock:
            self._now += timedelta(seconds=seconds)

    def wait(self, seconds: float, wake: threading.Event) -> bool:
        self.waits.append(seconds)
        self.advance(max(0.0, seconds))
        return wake.is_set()
