"""Who has the database open, across processes: enough to tell a crash from a close.

`PRAGMA quick_check` reads every page of the file, so its cost grows with the sales in
it (0.67 s at 200,000); run at every open it made every command and every start-up
slower as the history grew. A crash (a kill, a power cut) is when a check is worth it,
and it has one sign: when SQLite closes its last connection to a database in WAL mode,
it checkpoints the write-ahead log into the file and deletes it, so a non-empty -wal
file that nobody is using was left by a process that died with the database open.

"Nobody is using it" is what this lock answers. Every process that opens the database
holds it shared until it closes the database; the kernel drops it when a process dies,
however it dies. An opener that can take it exclusively is alone: any -wal file then
belongs to a session that ended without closing. It is a lock on a small SQLite file of
its own beside the database (a read transaction holds it shared, BEGIN EXCLUSIVE takes it
exclusively), because SQLite's own locks are shared or exclusive on every platform (POSIX
advisory locks; LockFileEx on Windows) and are never confused with the database's.

Taking it exclusively and then shared is not one atomic step: another opener coming in
between finds itself alone, sees the -wal of a live session and runs a needless
quick_check. That errs on the safe side only, which is why it is acceptable.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from tastingroom.store.private import create_private_file

log = logging.getLogger(__name__)

SUFFIX = ".open-lock"


def wal_left_behind(database: Path) -> bool:
    """Whether `database` has a write-ahead log with something in it (ask while alone)."""
    wal = database.with_name(database.name + "-wal")
    try:
        return wal.stat().st_size > 0
    except FileNotFoundError:
        return False


class OpenLock:
    """Held shared by every process that has the database at `database` open."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + SUFFIX)
        self._conn: sqlite3.Connection | None = None

    def take_alone(self) -> bool:
        """Take the lock exclusively if nobody else holds it (True: this process is the
        only one with the database open); False at once otherwise. Follow with `share`."""
        create_private_file(self.path)
        # check_same_thread=False: the register opens its database on its loading thread
        # and closes it from the UI thread.
        conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.OperationalError:
            conn.close()
            return False
        self._conn = conn
        return True

    def share(self, timeout_s: float) -> None:
        """Hold the lock shared until `release`. An opener that is checking the file
        holds it exclusively meanwhile; after `timeout_s` this process goes on without
        it and is merely not counted (the next opener may then run a needless check)."""
        conn = self._conn
        if conn is None:
            create_private_file(self.path)
            conn = sqlite3.connect(
                self.path, timeout=timeout_s, isolation_level=None, check_same_thread=False
            )
        else:
            conn.execute("COMMIT")
            conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
        try:
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError as exc:
            log.warning("%s could not be held (%s); going on without it", self.path, exc)
            conn.close()
            self._conn = None
            return
        self._conn = conn

    def release(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
