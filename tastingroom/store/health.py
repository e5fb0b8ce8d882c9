"""The full integrity check, in the register's background: daily, and after a crash.

`PRAGMA integrity_check` reads every page and checks every index against its table, so
it takes seconds on a big history; the register cannot wait for it at start-up (opening
checks what is cheap: see `Database.check_integrity`). `IntegrityWatch` runs it on a
thread of its own, on its own connection: SQLite reads in WAL mode never block the
register's writes, and the sqlite3 module lets go of Python's lock while SQLite works,
so selling goes on meanwhile. It runs

- soon after the register starts when the last session ended without closing the
  database (`Database.open` marks that in `sync_state`, key `integrity_due`), and
- once a day otherwise (the first time a few minutes after start-up).

Its result is kept in `sync_state` (`integrity_result`, `integrity_checked_at`,
`integrity_reason`), where `status` and the Sync screen read it (`read_state`); a file
that fails it is a problem there until a later check passes.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from tastingroom.store.models import SyncState, utcnow

if TYPE_CHECKING:
    from tastingroom.store.database import Database

log = logging.getLogger(__name__)

DUE = "integrity_due"
RESULT = "integrity_result"
CHECKED_AT = "integrity_checked_at"
REASON = "integrity_reason"
KEYS = (DUE, RESULT, CHECKED_AT, REASON)

DAILY = timedelta(days=1)
FIRST_DELAY_S = 300.0
"""After start-up, a check that is only due by the calendar waits this long: the first
minutes are when staff sign in and ring the first sales."""
AFTER_CRASH_DELAY_S = 15.0
"""After an unclean end, the check starts as soon as the register is up."""
RESULT_LIMIT = 2000
"""What is kept of SQLite's report on a damaged file (its first errors)."""
ERRORS_REPORTED = 20
"""`integrity_check(N)` stops after N errors: enough to say what is wrong."""


@dataclass(frozen=True)
class IntegrityState:
    """The last full check and whether another is owed (from `sync_state`)."""

    checked_at: datetime | None = None
    result: str | None = None
    """"ok", or what SQLite found wrong."""
    reason: str | None = None
    """Why it ran: "daily", or after an unclean end."""
    due: str | None = None
    """Why a check is owed before the daily one (an unclean end), or None."""

    @property
    def problem(self) -> str | None:
        """The failed check, in words for `status`; None when the last check passed."""
        if self.result is None or self.result == "ok":
            return None
        when = self.checked_at.strftime("%Y-%m-%d %H:%M UTC") if self.checked_at else "lately"
        return (
            f"The database failed its full integrity check ({when}): {self.result}. Restore "
            "the latest backup with 'tastingroom restore', or call support."
        )

    def next_due(self, now: datetime) -> datetime:
        """When the next check should start (`now` or earlier: at once)."""
        if self.due or self.checked_at is None:
            return now
        return self.checked_at + DAILY


def read_state(values: dict[str, str]) -> IntegrityState:
    """The integrity check's state from `sync_state`'s rows (key to value)."""
    at = values.get(CHECKED_AT)
    return IntegrityState(
        checked_at=datetime.fromisoformat(at) if at else None,
        result=values.get(RESULT) or None,
        reason=values.get(REASON) or None,
        due=values.get(DUE) or None,
    )


def load_state(session: Session) -> IntegrityState:
    rows = session.execute(select(SyncState.key, SyncState.value).where(SyncState.key.in_(KEYS)))
    return read_state({key: value for key, value in rows})


def mark_due(db: Database, why: str) -> None:
    """Owe a full check (`why`: what makes it due); kept until one has run. A file that
    has no `sync_state` yet (opened without migrating) has nothing to keep it in."""
    with db.write() as s:
        has_table = s.connection().exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'"
        )
        if has_table.scalar():
            s.merge(SyncState(key=DUE, value=f"{why} ({utcnow():%Y-%m-%d %H:%M UTC})"))


def run_check(
    db: Database, reason: str, connected: Callable[[sqlite3.Connection], None] | None = None
) -> IntegrityState:
    """Run `PRAGMA integrity_check` on a connection of its own and record the result.

    `connected` is told the connection before the check starts (`IntegrityWatch` keeps
    it to interrupt a check when the register closes: `sqlite3.OperationalError`, and
    nothing is recorded)."""
    from tastingroom.store.database import BUSY_TIMEOUT_MS

    conn = sqlite3.connect(db.path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    try:
        if connected is not None:
            connected(conn)
        found = "; ".join(
            str(row[0])
            for row in conn.execute(f"PRAGMA integrity_check({ERRORS_REPORTED})").fetchall()
        )
    except sqlite3.DatabaseError as exc:
        if not _damage(exc):
            raise  # interrupted, or the file was busy: no verdict on the file
        found = str(exc)  # so damaged that the check itself could not go on
    finally:
        conn.close()
    result = found if len(found) <= RESULT_LIMIT else found[:RESULT_LIMIT] + "…"
    now = utcnow()
    with db.write() as s:
        for key, value in ((RESULT, result), (CHECKED_AT, now.isoformat()), (REASON, reason)):
            s.merge(SyncState(key=key, value=value))
        due = s.get(SyncState, DUE)
        if due is not None:
            s.delete(due)
    if result != "ok":
        log.error("The database failed its full integrity check: %s", result)
    return IntegrityState(checked_at=now, result=result, reason=reason)


def _damage(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite stopped because the file is damaged (not busy, not interrupted)."""
    name = getattr(exc, "sqlite_errorname", "")
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in str(exc)


class IntegrityWatch:
    """Runs `run_check` on a background thread whenever it is due, until `stop`."""

    def __init__(
        self,
        db: Database,
        *,
        first_delay_s: float = FIRST_DELAY_S,
        after_crash_delay_s: float = AFTER_CRASH_DELAY_S,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.first_delay_s = first_delay_s
        self.after_crash_delay_s = after_crash_delay_s
        self.now = now
        self.checked = threading.Event()
        """Set after each check that ran to its end (tests wait on it)."""
        self._stopping = threading.Event()
        self._running: sqlite3.Connection | None = None
        self._guard = threading.Lock()
        self._thread = threading.Thread(
            target=self._loop, name="tastingroom-integrity", daemon=True
        )

    def start(self) -> IntegrityWatch:
        """Start watching; `db.close()` stops it (see `Database.closing`)."""
        self.db.closing.append(self.stop)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop, interrupting a check in progress (it is run again next time)."""
        self._stopping.set()
        with self._guard:
            if self._running is not None:
                self._running.interrupt()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _hold(self, conn: sqlite3.Connection) -> None:
        with self._guard:
            self._running = conn
            if self._stopping.is_set():
                conn.interrupt()

    def _wait_s(self, first: bool) -> tuple[float, str]:
        """Seconds until the next check, and why it will run."""
        with self.db.read() as s:
            state = load_state(s)
        if state.due:
            return (self.after_crash_delay_s if first else 0.0), state.due
        wait = (state.next_due(self.now()) - self.now()).total_seconds()
        return max(wait, self.first_delay_s if first else 0.0), "daily"

    def _loop(self) -> None:
        first = True
        while not self._stopping.is_set():
            try:
                wait, reason = self._wait_s(first)
                first = False
                if self._stopping.wait(wait):
                    return
                run_check(self.db, reason, self._hold)
            except Exception:  # a busy or full disk, say: the register sells on regardless
                if self._stopping.is_set():
                    return  # interrupted: the register is closing
                log.exception("The background integrity check could not run; trying later")
                self._stopping.wait(FIRST_DELAY_S)
                continue
            finally:
                with self._guard:
                    self._running = None
            self.checked.set()
