"""Automatic backups: one a day and one at closing, in `<data folder>/backups/`.

The register copies its database through SQLite's online backup API (`Database.backup`,
the copy `tastingroom backup` makes), so selling goes on while it runs, and a copy is
either whole, checked and flushed, or not there at all.

When:
- daily: the first time the register runs on a calendar day (local time), a short
  while after start-up, and again after midnight when it runs across one
  (`BackupWatch`, on a thread of its own: never the UI thread);
- at closing: when the register's window closes, after sync has stopped
  (`make_backup(db, CLOSING)`).

How many: the newest automatic backup of each of the last `KEEP_DAYS` (14) days on
which one was made; older ones, and a day's earlier ones, are deleted, but only after a
new backup has been written, so the newest good backup is never deleted. Backups made
by hand (`tastingroom backup`) are never deleted by the register.

A backup that cannot be written (a full disk, no permission) leaves nothing behind,
deletes nothing, and says why in plain words (`StoreError`); the daily one is tried
again an hour later and its reason is kept in `BackupWatch.problem` for the About screen.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from tastingroom.store.errors import StoreError
from tastingroom.store.private import private_folder
from tastingroom.store.restore import BACKUPS_FOLDER

if TYPE_CHECKING:
    from tastingroom.store.database import Database

log = logging.getLogger(__name__)

DAILY = "daily"
CLOSING = "closing"
AUTOMATIC = (DAILY, CLOSING)
KEEP_DAYS = 14
"""Days whose newest automatic backup is kept."""
FIRST_DELAY_S = 30.0
"""After start-up, the daily backup waits this long: staff sign in and ring the first
sale meanwhile, without the copy's reads on the same disk."""
RETRY_S = 3600.0
"""The longest `BackupWatch` sleeps: after a failed backup, and between looks at the
calendar (a computer woken from sleep, or a clock put right, is noticed within it)."""
STAMP = "%Y-%m-%d_%H%M%S"
"""In backup names. Never 13 digits in a row: the log masks such runs as card numbers."""


@dataclass(frozen=True)
class BackupFile:
    """One backup in the backups folder."""

    path: Path
    made_at: datetime
    """When it was written (from the file; aware, in this computer's time zone, whose
    calendar days the daily backup follows; screens show it in the store's)."""
    size: int
    """Bytes."""
    reason: str
    """`DAILY`, `CLOSING`, or "" for one made by hand (or copied there)."""

    @property
    def automatic(self) -> bool:
        return self.reason in AUTOMATIC


def backups_folder(data_folder: Path) -> Path:
    return Path(data_folder) / BACKUPS_FOLDER


def backup_name(now: datetime, reason: str = "") -> str:
    """`tastingroom-2025-06-01_173000-closing.sqlite3` (by hand: no reason)."""
    return f"tastingroom-{now.strftime(STAMP)}{f'-{reason}' if reason else ''}.sqlite3"


def _reason(path: Path) -> str:
    last = path.stem.rsplit("-", 1)[-1]
    return last if last in AUTOMATIC else ""


def list_backups(data_folder: Path) -> list[BackupFile]:
    """The backups in `data_folder`'s backups folder, newest first."""
    folder = backups_folder(data_folder)
    found = []
    for path in folder.glob("*.sqlite3") if folder.is_dir() else ():
        try:
            info = path.stat()
        except OSError:
            continue  # deleted meanwhile
        if path.is_file():
            made = datetime.fromtimestamp(info.st_mtime).astimezone()
            found.append(BackupFile(path, made, info.st_size, _reason(path)))
    return sorted(found, key=lambda b: (b.made_at, b.path.name), reverse=True)


def count_orders(backup: Path) -> int | None:
    """Orders in a backup, read-only (None when it cannot be read: the restore says why)."""
    try:
        con = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT count(*) FROM sale_order").fetchone()[0])
        finally:
            con.close()
    except (sqlite3.Error, OSError):
        return None


def make_backup(db: Database, reason: str = "", *, now: datetime | None = None) -> Path:
    """A new backup of `db` in its backups folder; an automatic one (`reason` in
    `AUTOMATIC`) then prunes the older automatic ones (`prune`). Raises `StoreError`
    saying why when it cannot be written; nothing is left behind or deleted then."""
    now = now or datetime.now()
    folder = backups_folder(db.path.parent)
    try:
        private_folder(folder)
    except OSError as exc:
        raise StoreError(
            f"The backup could not be written: the folder {folder} cannot be made "
            f"({exc.strerror or exc}). Nothing was deleted; the register's database is untouched."
        ) from None
    target = folder / backup_name(now, reason)
    n = 2
    while target.exists():
        target = folder / backup_name(now, f"{n}-{reason}" if reason else str(n))
        n += 1
    db.backup(target)
    log.info("Backed up the database to %s", target)
    if reason in AUTOMATIC:
        prune(db.path.parent)
    return target


def prune(data_folder: Path, keep_days: int = KEEP_DAYS) -> list[Path]:
    """Delete the automatic backups beyond the newest of each of the last `keep_days`
    days on which one was made; returns what was deleted. The newest automatic backup
    is always kept, and backups made by hand are never touched."""
    keep_days = max(1, keep_days)
    kept_days: set[object] = set()
    deleted = []
    for backup in list_backups(data_folder):  # newest first
        if not backup.automatic:
            continue
        day = backup.made_at.date()
        if day not in kept_days and len(kept_days) < keep_days:
            kept_days.add(day)
            continue
        try:
            backup.path.unlink()
        except FileNotFoundError:
            continue  # pruned by another program meanwhile
        except OSError as exc:
            log.warning("Could not delete the old backup %s: %s", backup.path, exc)
            continue
        deleted.append(backup.path)
        log.info("Deleted the old backup %s", backup.path)
    return deleted


def made_on(data_folder: Path, day: datetime) -> bool:
    """Whether an automatic backup was made on `day`'s date (local)."""
    return any(b.automatic and b.made_at.date() == day.date() for b in list_backups(data_folder))


def _until_tomorrow_s(now: datetime) -> float:
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time())
    return (midnight - now).total_seconds() + 60.0  # a minute past: the date has turned


class BackupWatch:
    """Makes the daily backup on a background thread whenever a day has none, until
    `stop` (which `Database.close` calls)."""

    def __init__(
        self,
        db: Database,
        *,
        first_delay_s: float = FIRST_DELAY_S,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.db = db
        self.first_delay_s = first_delay_s
        self.now = now
        self.problem: str | None = None
        """Why the last daily backup failed (None: it worked, or none was due yet)."""
        self.made = threading.Event()
        """Set after each daily backup written (tests wait on it)."""
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tastingroom-backup", daemon=True)

    def start(self) -> BackupWatch:
        self.db.closing.append(self.stop)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop watching, once a backup in progress is written (never half of one)."""
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join()

    def _loop(self) -> None:
        wait = self.first_delay_s
        while not self._stopping.wait(wait):
            wait = min(_until_tomorrow_s(self.now()), RETRY_S)
            try:
                if made_on(self.db.path.parent, self.now()):
                    continue
                make_backup(self.db, DAILY, now=self.now())
            except (StoreError, OSError) as exc:
                self.problem = str(exc)
                log.warning("The daily backup failed; trying again within the hour: %s", exc)
                wait = RETRY_S
                continue
            self.problem = None
            self.made.set()


def closing_backup(db: Database) -> Path | None:
    """The backup made as the register closes; a failure is logged and closing goes on
    (the daily backup and the database itself are untouched by it)."""
    try:
        return make_backup(db, CLOSING)
    except (StoreError, OSError) as exc:
        log.warning("The closing backup failed: %s", exc)
        return None


def restore_for_register(data_folder: Path, backup: Path) -> str:
    """Restore `backup` as `tastingroom restore` does (`restore_backup`), for the register,
    whose engine is closed meanwhile; returns what happened, in words for the manager."""
    from tastingroom.store.restore import restore_backup

    try:
        result = restore_backup(data_folder, backup)
    except StoreError as exc:
        log.warning("The register's restore of %s did not happen: %s", backup, exc)
        return f"The backup was not restored. {exc}"
    log.warning(
        "Restored %s (%d orders) from the register; the replaced database is kept at %s; "
        "order numbers moved from %s to %s",
        result.backup,
        result.orders,
        result.kept_at,
        result.previous_prefix,
        result.new_prefix,
    )
    kept = f" The database it replaced is kept at {result.kept_at}." if result.kept_at else ""
    orders = f"{result.orders} order{'' if result.orders == 1 else 's'}"
    return f"Restored the backup {result.backup.name} ({orders}).{kept}"
