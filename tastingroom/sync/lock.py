"""One sync engine per database, across processes.

Two engines on one database (the register's own sync thread and a `tastingroom sync
--once` typed at closing time, or two register windows) would both send the same
outbox rows and both import the same pickup. An operating-system file lock beside the
database decides which one syncs: the kernel releases it when its holder exits, however
it exits (`kill -9`, a power cut), so no one ever has to clean up after a crash.

Who holds it is written to a second small file, because a lock file itself may be
truncated by a process that is only trying to take it. The note is for messages only;
the lock alone decides.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout


class SyncLock:
    """The right to sync the database at `database_path` (held until `release`)."""

    def __init__(self, database_path: Path, role: str = "sync") -> None:
        path = Path(database_path)
        self.path = path.with_name(path.name + ".sync-lock")
        self.note_path = path.with_name(path.name + ".sync-holder")
        self.role = role
        # thread_local=False: the register takes it on the UI thread and releases it
        # from the sync thread's shutdown.
        self._lock = FileLock(str(self.path), mode=0o600, thread_local=False, is_singleton=False)
        self._guard = threading.Lock()

    @property
    def held(self) -> bool:
        return self._lock.is_locked

    def acquire(self, blocking: bool = False, timeout_s: float | None = None) -> bool:
        """Take the lock; False when another process (or engine) holds it.

        `blocking` waits up to `timeout_s` (None: for ever) for the holder to finish.
        """
        wait = -1 if blocking and timeout_s is None else (timeout_s or 0) if blocking else 0
        with self._guard:
            if self._lock.is_locked:
                return True
            try:
                self._lock.acquire(timeout=wait, poll_interval=0.2)
            except Timeout:
                return False
            self._write_note()
            return True

    def release(self) -> None:
        with self._guard:
            if not self._lock.is_locked:
                return
            with contextlib.suppress(OSError):
                self.note_path.unlink(missing_ok=True)
            self._lock.release(force=True)

    def holder(self, *, others_only: bool = False) -> str | None:
        """Who holds the lock, in words ("the register, process 4121 on bar-2, since
        2026-11-23 14:02 UTC"); None when nobody does (or, with `others_only`, when it is
        this very process)."""
        if not self._lock.is_locked:
            probe = FileLock(str(self.path), mode=0o600, thread_local=False, is_singleton=False)
            try:
                probe.acquire(timeout=0)
            except Timeout:
                pass
            else:
                probe.release(force=True)
                return None
        try:
            note = json.loads(self.note_path.read_text(encoding="utf-8"))
            if others_only and note["pid"] == os.getpid():
                return None
            # This computer's own time: the register runs where the store is.
            since = datetime.fromisoformat(note["since"]).astimezone().strftime("%Y-%m-%d %H:%M")
            return f"{note['role']}, process {note['pid']} on {note['host']}, since {since}"
        except (OSError, ValueError, KeyError, TypeError):
            return "another program on this computer"

    def _write_note(self) -> None:
        note = {
            "role": self.role,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        tmp = self.note_path.with_name(self.note_path.name + f".{os.getpid()}.tmp")
        try:
            descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                handle.write(json.dumps(note))
            os.replace(tmp, self.note_path)
        except OSError:  # the note is only for messages; the lock is what counts
            tmp.unlink(missing_ok=True)

    def __enter__(self) -> SyncLock:
        if not self.acquire():
            raise RuntimeError(f"The sync lock is held by {self.holder()}.")
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
