"""The sync engine: push, then pull, again and again, without ever hurting a sale.

`SyncEngine.run_once` is one cycle. Failures decide the next attempt:
- a transient failure (no network, 5xx, a lost or unreadable reply) backs off
  exponentially with full jitter, capped; after several in a row the circuit opens and
  only one probe is let through when it half-opens;
- HTTP 429 waits exactly until WineDirect's reset time;
- a login or configuration problem waits longer and says what to fix.
Every search it makes asks for the store's `max_rows` records a page (WineDirect's
MaxRows; 100 unless set), but for the one-record probe of a half-open circuit.
Everything people need to know is written to `sync_state` (see `status`): "online"
only when the push and every pull of the last cycle worked; otherwise what failed.

Only one engine syncs a database at a time, across processes (`lock.SyncLock`): an
engine that cannot take the lock does nothing and says who is syncing instead.

`SyncThread` runs cycles in the background, wakes at once when a sale is committed, and
stops cleanly: the batch in progress finishes and is recorded before it exits (and even
a killed process leaves nothing half-recorded; see `push`).
"""

from __future__ import annotations

import json
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tastingroom.selling.numbering import record_high_water
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import SyncState, new_id
from tastingroom.sync.clock import Clock, RealClock, ServerTime
from tastingroom.sync.lock import SyncLock
from tastingroom.sync.pull import Puller
from tastingroom.sync.push import Pusher, release_claims
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.errors import (
    ConfigurationError,
    RateLimited,
    Rejected,
    WineDirectError,
)

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 2000
"""What is kept of a failure's message for `status`: a few lines, never a whole reply."""
RATE_WINDOW_S = 61.0
"""WineDirect's limit is per minute: no 429 wait is ever longer than that, whatever a
reply's headers claim."""


@dataclass
class Backoff:
    """Exponential backoff with full jitter, and a circuit breaker in front of it."""

    base_s: float = 2.0
    cap_s: float = 300.0
    open_after: int = 5
    open_for_s: float = 120.0
    failures: int = 0
    state: str = "closed"
    rng: random.Random = field(default_factory=random.Random)

    def delay(self) -> float:
        return self.rng.uniform(0, min(self.cap_s, self.base_s * 2 ** max(0, self.failures - 1)))

    def failed(self) -> float:
        """Count a failure; seconds until the next attempt."""
        self.failures += 1
        if self.state == "half-open" or self.failures >= self.open_after:
            self.state = "open"
            return self.open_for_s
        return self.delay()

    def succeeded(self) -> None:
        self.failures = 0
        self.state = "closed"


@dataclass
class CycleReport:
    ran: bool
    sent: int = 0
    quarantined: int = 0
    settled: int = 0
    pulled: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    problems: list[str] = field(default_factory=list)
    """What did not work this cycle, in words (empty: all of it did)."""
    busy: str | None = None
    """Another engine holds the sync lock (who, in words): this one did nothing."""
    blocked: bool = False
    """Orders are held back until a person acts (see `Pusher.verify_prefix`)."""


class SyncEngine:
    def __init__(
        self,
        db: Database,
        client_factory: Callable[[], WineDirectClient],
        *,
        clock: Clock | None = None,
        batch_size: int = 25,
        backoff: Backoff | None = None,
        pull: bool = True,
        role: str = "tastingroom sync",
    ) -> None:
        self.db = db
        self.client_factory = client_factory
        self.clock = clock or RealClock()
        self.server_time = ServerTime(self.clock)
        self.batch_size = batch_size
        self.backoff = backoff or Backoff()
        self.pull_enabled = pull
        self.next_attempt: datetime | None = None
        self.stopping = threading.Event()
        self.on_catalog_changed: list[Callable[[], None]] = []
        self.on_pull_progress: list[Callable[[str, int], None]] = []
        """Told how far each pull has got (see `Puller.on_progress`), on the sync thread."""
        self.lock = SyncLock(db.path, role)
        self.run_id = new_id()
        """Claims outbox rows for this engine (see `Pusher._claim`)."""
        self._client: WineDirectClient | None = None

    @property
    def client(self) -> WineDirectClient:
        if self._client is None:
            self._client = self.client_factory()
            self._client.on_reply_date = self.server_time.observe
            self._client.on_rate_limited = self._wait_for_reset
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self.lock.held:
            release_claims(self.db)
            self.lock.release()

    def seconds_until_next_attempt(self) -> float:
        if self.next_attempt is None:
            return 0.0
        return max(0.0, (self.next_attempt - self.clock.now()).total_seconds())

    def take_lock(self, wait_s: float = 0.0) -> bool:
        """Become the one engine syncing this database (True), or find it taken."""
        if self.lock.held:
            return True
        if not self.lock.acquire(blocking=wait_s > 0, timeout_s=wait_s or None):
            return False
        release_claims(self.db, keep=self.run_id)  # their engine is gone: the lock says so
        return True

    def _wait_for_reset(self, reset_at: datetime | None) -> bool:
        """After a 429: wait (on our clock, cut short by a stop) until WineDirect's window
        resets, then send again. The reset is read on WineDirect's clock, and never
        trusted beyond one window."""
        if self.stopping.is_set():
            return False
        wait = RATE_WINDOW_S
        if reset_at is not None:
            wait = (reset_at - self.server_time.now()).total_seconds()
        wait = min(RATE_WINDOW_S, max(0.5, wait))
        log.info("WineDirect's request limit reached; waiting %.0f s", wait)
        self.clock.wait(wait, self.stopping)
        return not self.stopping.is_set()

    def run_once(self, force: bool = False) -> CycleReport:
        """One push-and-pull cycle, unless a backoff or the open circuit says wait, or
        another engine is syncing this database."""
        now = self.clock.now()
        if not force and self.next_attempt is not None and now < self.next_attempt:
            return CycleReport(ran=False)
        if not self.take_lock():
            return CycleReport(ran=False, busy=self.lock.holder() or "another program")
        probing = self.backoff.state == "open"
        if probing:
            self.backoff.state = "half-open"
        report = CycleReport(ran=True)
        try:
            if probing:  # one cheap read decides whether WineDirect is back
                self.client.search_clubs(max_rows=1)
            with self.db.read() as s:
                settings = load_settings(s)
            pusher = Pusher(
                self.db,
                self.client,
                settings,
                self.server_time,
                self.batch_size,
                claimant=self.run_id,
                max_rows=settings.max_rows,
            )
            pushed = pusher.drain(self.stopping.is_set)
            if pushed.sent:  # what WineDirect now holds is remembered outside the file too
                record_high_water(self.db, self.db.path.parent)
            report.sent, report.quarantined, report.settled = (
                pushed.sent,
                pushed.quarantined,
                pushed.settled,
            )
            notes = []  # said in the report; kept as durable problems (see `problems`)
            if pushed.blocked:
                report.blocked = True
                notes.append(pushed.blocked)
            if pushed.conflicts:
                notes.append(f"{pushed.conflicts} pickup(s) were already picked up elsewhere")
            self._record(last_push_at=self.clock.now().isoformat())
            if self.pull_enabled and not self.stopping.is_set():
                puller = Puller(
                    self.db, self.client, settings, self.server_time, max_rows=settings.max_rows
                )
                if self.on_pull_progress:
                    puller.on_progress = self._pull_progress
                report.pulled = puller.pull_all(self.stopping.is_set)
                report.problems.extend(
                    f"Pulling {name} failed: {why}" for name, why in puller.failures.items()
                )
                if puller.set_aside:
                    notes.append(f"{puller.set_aside} record(s) from WineDirect were set aside")
                if len(puller.failures) < len(report.pulled) + len(puller.failures):
                    self._record(last_pull_at=self.clock.now().isoformat())
                if puller.catalog_changed:
                    for callback in self.on_catalog_changed:
                        callback()
        except RateLimited as exc:
            self.next_attempt = self._rate_reset(exc)
            return self._failed(report, str(exc), online="degraded")
        except (ConfigurationError, Rejected) as exc:  # login or set-up: a person must act
            self.next_attempt = self.clock.now() + timedelta(minutes=5)
            return self._failed(report, str(exc))
        except WineDirectError as exc:
            wait = self.backoff.failed()
            self.next_attempt = self.clock.now() + timedelta(seconds=wait)
            log.info("sync failed (%s); next attempt in %.0f s", exc, wait)
            return self._failed(report, str(exc), circuit=self.backoff.state)
        except Exception as exc:  # our own side: a bug, a full disk. Said, never hidden.
            log.exception("sync cycle failed")
            wait = self.backoff.failed()
            self.next_attempt = self.clock.now() + timedelta(seconds=wait)
            return self._failed(report, f"Sync failed on this register: {exc}"[:500])
        self.backoff.succeeded()
        self.next_attempt = None
        failures = list(report.problems)  # this cycle's own failures; notes are durable
        self._record(
            online="degraded" if failures else "true",
            last_error=failures[0] if failures else "",
            problems=json.dumps(failures),
            circuit="closed",
            next_attempt_at="",
        )
        report.problems.extend(notes)
        return report

    def _pull_progress(self, pull: str, count: int) -> None:
        for callback in self.on_pull_progress:
            callback(pull, count)

    def _rate_reset(self, exc: RateLimited) -> datetime:
        """When to try again after a 429 that was not waited out (we are stopping)."""
        wait = RATE_WINDOW_S
        if exc.reset_at is not None:
            wait = (exc.reset_at - self.server_time.now()).total_seconds()
        return self.clock.now() + timedelta(seconds=min(RATE_WINDOW_S, max(1.0, wait)))

    def _failed(self, report: CycleReport, message: str, online: str = "false", **extra: str):
        message = message if len(message) <= MESSAGE_LIMIT else message[:MESSAGE_LIMIT] + "…"
        report.error = message
        report.problems.insert(0, message)
        self._record(
            online=online,
            last_error=message,
            problems=json.dumps(report.problems),
            next_attempt_at=self.next_attempt.isoformat() if self.next_attempt else "",
            **extra,
        )
        return report

    def _record(self, **values: str) -> None:
        with self.db.write() as s:
            for key, value in values.items():
                s.merge(SyncState(key=key, value=value))

    def drain(self, max_cycles: int = 10_000, wake: threading.Event | None = None) -> int:
        """Cycle until nothing is pending (waiting out backoffs on the clock); for the
        command line's `sync --once` and for tests. Returns the cycles run."""
        from tastingroom.sync.outbox import summary

        wake = wake or threading.Event()
        for cycle in range(1, max_cycles + 1):
            report = self.run_once()
            if report.busy or report.blocked:
                return cycle  # another engine syncs, or a person must act first
            with self.db.read() as s:
                if summary(s).pending == 0 and self.next_attempt is None:
                    return cycle
            if self.stopping.is_set():
                return cycle
            self.clock.wait(self.seconds_until_next_attempt(), wake)
        return max_cycles


class SyncThread:
    """The engine on a background thread: every `interval` seconds, or at once on `wake()`.

    `loop()` is the thread's body; the register's Qt bridge runs the same loop on a
    QThread, with `on_cycle` telling it when to refresh the status bar.
    """

    def __init__(
        self,
        engine: SyncEngine,
        interval_s: float = 30.0,
        on_cycle: Callable[[CycleReport], None] | None = None,
    ) -> None:
        self.engine = engine
        self.interval_s = interval_s
        self.on_cycle = on_cycle
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SyncThread:
        self._thread = threading.Thread(target=self.loop, name="tastingroom-sync", daemon=True)
        self._thread.start()
        return self

    def wake(self) -> None:
        """Sync now (called after each committed sale)."""
        self._wake.set()

    def request_stop(self) -> None:
        """Ask the loop to finish the batch in progress, record it, and return."""
        self.engine.stopping.set()
        self._wake.set()

    def stop(self, timeout: float = 60.0) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout)
        self.engine.close()

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def loop(self) -> None:
        while not self.engine.stopping.is_set():
            self._wake.clear()  # a wake() from here on (a sale during this cycle) counts
            report = CycleReport(ran=False)
            try:
                report = self.engine.run_once()
            except Exception:  # the register must keep selling whatever sync does
                log.exception("sync cycle failed")
            if self.on_cycle is not None:
                self.on_cycle(report)
            wait = self.interval_s
            if self.engine.next_attempt is not None:
                wait = min(wait, max(1.0, self.engine.seconds_until_next_attempt()))
            self.engine.clock.wait(wait, self._wake)
