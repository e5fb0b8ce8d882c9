"""Time, as the sync engine sees it: now, and waiting.

Backoff, rate-limit waits and the circuit breaker all wait on this clock, so tests can
run "72 hours offline" in a second with a clock whose sleep just moves time forward.
A wait can be cut short (the engine is stopping, or a sale asked for a sync now).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
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


MARK_MARGIN = timedelta(minutes=2)
"""How far past WineDirect's present a high-water mark may ever stand."""


class ServerTime:
    """WineDirect's clock, as the replies' `Date` headers tell it, read on our clock.

    A terminal's clock can be a day out; anything compared with WineDirect's
    DateModified (read-back windows, high-water marks) uses this instead. Until a reply
    has been seen it is the local clock.
    """

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.offset: timedelta | None = None

    def observe(self, date_header: str | None) -> None:
        """Note a reply's `Date` header (ignored when missing or not a date)."""
        if not date_header:
            return
        try:
            server = parsedate_to_datetime(date_header)
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        if server is None or server.tzinfo is None or not 2000 <= server.year <= 2100:
            return  # not a date a real WineDirect could send: keep what we knew
        self.offset = server.astimezone(UTC) - self.clock.now()

    @property
    def known(self) -> bool:
        return self.offset is not None

    def now(self) -> datetime:
        return self.clock.now() + (self.offset or timedelta(0))

    def cap(self, stamp: datetime) -> datetime:
        """A stamp from WineDirect's data, never later than its present plus a margin
        (a record dated 2030 must not push a mark past every later change)."""
        return min(stamp, self.now() + MARK_MARGIN)
