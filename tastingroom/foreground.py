"""The cashier comes first: background work steps aside while the register is in use.

The register's sync runs on a thread of the register's own process, and Python runs one
thread at a time. A first pull parses and stores page after page of web orders; left to
itself it takes the interpreter for half of every few milliseconds, and a scan rung up
meanwhile takes twice as long, with the odd page write landing in the middle of one (over
a 60 Hz frame on the bench). So the window `touch`es this on every key press and tap, and
the sync engine calls `step_aside` between pages and between requests, where it holds no
database transaction (a sale's commit must never wait for a sleeping writer): it waits
there until the register has been quiet for `quiet_s`, but never longer than `longest_s`
at one place, so a cashier who never stops scanning slows sync down without stopping it.

Outside the register (`tastingroom sync`) nothing touches it and nothing waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

STEP_S = 0.005
"""The shortest wait: a few milliseconds are nothing to sync, and the loop never spins."""


class Foreground:
    """When someone last used the register; `step_aside` for background work."""

    def __init__(
        self,
        quiet_s: float = 0.3,
        longest_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.quiet_s = quiet_s
        self.longest_s = longest_s
        self.clock = clock
        self.sleep = sleep
        self._last: float | None = None
        self.waited_s = 0.0
        """Seconds background work has spent stepping aside (the bench reports it)."""

    def touch(self) -> None:
        """A key press or a tap on the register (from the UI thread)."""
        self._last = self.clock()

    def step_aside(self) -> float:
        """Wait while the register is in use (up to `longest_s`); the seconds waited."""
        started = self.clock()
        while True:
            last = self._last
            now = self.clock()
            if last is None or now - last >= self.quiet_s or now - started >= self.longest_s:
                break
            left = min(self.quiet_s - (now - last), self.longest_s - (now - started))
            self.sleep(max(left, STEP_S))  # never a spin on a rounding error
        waited = self.clock() - started
        self.waited_s += waited
        return waited


FOREGROUND = Foreground()
"""The register's one foreground: its window and its sync thread share the process."""
