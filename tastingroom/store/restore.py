"""Putting a backup back in place of the register's database (`tastingroom restore`).

A restore is the one time a register's database goes back in time on purpose, so it is
done in a way that loses nothing and cannot reuse an order number:

- the backup is checked first, on a copy, before anything is touched: it must be a
  Tastingroom database this program can open, and pass SQLite's full integrity check;
- nothing else may have the database open for selling or syncing: the sync lock (held by
  a running register and by `tastingroom sync`) is taken and held throughout;
- the database being replaced is kept, never deleted: a consistent copy through SQLite's
  backup API in `replaced/`, or, when it cannot be read (the usual reason to restore),
  its raw files moved there;
- the backup goes into place atomically (a copy beside the live file, flushed, renamed)
  after SQLite's stale working files are removed: an old WAL applied to a different file
  would corrupt it;
- the terminal then moves to a new number series: numbers issued after the backup was
  taken may already be in WineDirect, which would update (overwrite) those orders if a
  restored register issued them again.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tastingroom.paths import database_path
from tastingroom.store.errors import StoreError

BACKUPS_FOLDER = "backups"
REPLACED_FOLDER = "replaced"
SIDE_FILES = ("-wal", "-shm", "-journal")
TASTINGROOM_TABLES = frozenset(
    {"alembic_version", "setting", "staff", "sale_order", "number_sequence", "outbox_item"}
)
"""Tables every Tastingroom database has had since its first release."""


class RestoreRefused(StoreError):
    """The restore did not happen; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class RestoreResult:
    backup: Path
    database: Path
    kept_at: Path | None
    """Where the replaced database was kept (None: there was none)."""
    kept_consistent: bool
    """True: a copy made through SQLite; False: the raw files, moved as they were."""
    orders: int
    """Orders in the restored database."""
    backup_time: datetime
    previous_prefix: str | None
    new_prefix: str
    notice: str


def newest_backup(data_dir: Path) -> Path:
    """The most recent backup in `<data>/backups/` (by the time it was written)."""
    folder = Path(data_dir) / BACKUPS_FOLDER
    found = [p for p in folder.glob("*.sqlite3") if p.is_file()] if folder.is_dir() else []
    if not found:
        raise RestoreRefused(
            f"There are no backups in {folder}. Name the file to restore: "
            "tastingroom restore FILE. Nothing was changed."
        )
    return max(found, key=lambda p: (p.stat().st_mtime, p.name))


def restore_backup(
    data_dir: Path, backup: Path | None = None, *, now: datetime | None = None
) -> RestoreResult:
    """Replace the database in `data_dir` with `backup` (default: the newest backup), keep
    the replaced one in `<data>/replaced/`, and move the terminal to a new number series.

    Raises `RestoreRefused` (nothing changed) for a missing file, a file that is not a
    Tastingroom database or fails its integrity check, and a database in use by a running
    register or sync.
    """
    from tastingroom.sync.lock import SyncLock

    folder = Path(data_dir)
    live = database_path(folder)
    source = Path(backup) if backup is not None else newest_backup(folder)
    if not source.is_file():
        raise RestoreRefused(f"There is no backup file at {source}; nothing was changed.")
    if _is_live(source, live):
        raise RestoreRefused(
            f"{source} is the register's live database, not a backup; nothing was changed."
        )
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    lock = SyncLock(live, role="restore")
    if not lock.acquire(blocking=False):
        raise RestoreRefused(
            f"The register's database is in use by {lock.holder() or 'another program'}. "
            "Close the register and stop any 'tastingroom sync', then restore again; "
            "nothing was changed."
        )
    try:
        return _restore_locked(folder, live, source, now or datetime.now())
    finally:
        lock.release()


def _restore_locked(folder: Path, live: Path, source: Path, now: datetime) -> RestoreResult:
    from sqlalchemy import func, select

    from tastingroom.selling.numbering import (
        adopt_home,
        numbering_notice,
        read_high_water,
        start_new_series,
    )
    from tastingroom.store.database import Database, fsync_folder
    from tastingroom.store.models import Order

    staged = _stage(source, folder)
    try:
        kept, consistent, previous = _keep_aside(live, folder, now)
    except BaseException:
        _remove(staged)
        raise
    kept_note = f" The database it replaced is kept at {kept}." if kept else ""
    try:
        # Stale working files first: SQLite would apply an old WAL to the restored file.
        for side in SIDE_FILES:
            Path(str(live) + side).unlink(missing_ok=True)
        os.replace(staged, live)
    except OSError as exc:
        _remove(staged)
        raise StoreError(
            f"The backup could not be put in place at {live} ({exc.strerror or exc}).{kept_note}"
        ) from None
    fsync_folder(folder)

    try:
        db = Database.open(live)
    except StoreError as exc:
        raise StoreError(f"{exc}{kept_note}") from exc
    try:
        before = read_high_water(folder)
        known = dict(previous.sequences)
        for prefix, value in (before.high if before else {}).items():
            known[prefix] = max(known.get(prefix, 0), value)
        avoid = set(known) | ({previous.prefix} if previous.prefix else set())
        new_prefix = start_new_series(
            db, f"restored from the backup {source.name}", avoid=avoid, stale_outbox=True
        )
        adopt_home(db, folder, known_high=known)
        with db.read() as s:
            notice = numbering_notice(s) or ""
            orders = int(s.scalar(select(func.count()).select_from(Order)) or 0)
    finally:
        db.close()
    return RestoreResult(
        backup=source,
        database=live,
        kept_at=kept,
        kept_consistent=consistent,
        orders=orders,
        backup_time=datetime.fromtimestamp(source.stat().st_mtime),
        previous_prefix=previous.prefix,
        new_prefix=new_prefix,
        notice=notice,
    )


# --- the backup, checked on a copy -----------------------------------------------------------


def _stage(source: Path, folder: Path) -> Path:
    """A checked, flushed copy of `source` in the data folder, ready to be renamed into place."""
    try:
        fd, name = tempfile.mkstemp(prefix=".restore-", suffix=".sqlite3", dir=folder)
    except OSError as exc:
        raise RestoreRefused(
            f"Nothing can be written in {folder} ({exc.strerror or exc}); nothing was changed."
        ) from None
    os.close(fd)
    staged = Path(name)
    try:
        _copy_database(source, staged)
        _check_backup(staged, source)
        with open(staged, "rb+") as fh:
            os.fsync(fh.fileno())
    except (OSError, sqlite3.Error) as exc:
        _remove(staged)
        why = getattr(exc, "strerror", None) or str(exc)
        raise RestoreRefused(
            f"The backup {source} could not be copied into {folder} ({why}); nothing was changed."
        ) from None
    except BaseException:
        _remove(staged)
        raise
    for side in SIDE_FILES:  # closed cleanly, SQLite leaves none; make sure
        Path(str(staged) + side).unlink(missing_ok=True)
    return staged


def _copy_database(source: Path, dest: Path) -> None:
    """Copy through SQLite, reading the backup read-only (so a backup that still has its
    own WAL beside it is copied whole, and is itself never changed); a file SQLite cannot
    open read-only is copied byte for byte and checked just the same."""
    try:
        src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            dst = sqlite3.connect(dest)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        return
    except sqlite3.DatabaseError as exc:
        if _not_a_database(exc):
            raise RestoreRefused(
                f"{source} is not a Tastingroom database (SQLite says: {exc}); nothing was changed."
            ) from None
        if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc).lower():
            raise RestoreRefused(
                f"The disk is full: there is no room in {dest.parent} for a copy of the backup. "
                "Free some space and restore again; nothing was changed."
            ) from None
    _remove(dest)
    try:
        shutil.copyfile(source, dest)
    except OSError as exc:
        raise RestoreRefused(
            f"The backup {source} could not be copied ({exc.strerror or exc}); nothing was changed."
        ) from None


def _check_backup(staged: Path, source: Path) -> None:
    from tastingroom.store.database import SCHEMA_REVISION

    try:
        con = sqlite3.connect(staged)
        try:
            problems = [row[0] for row in con.execute("PRAGMA integrity_check")]
            tables = {
                row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            revision = None
            if "alembic_version" in tables:
                revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        if _not_a_database(exc):
            raise RestoreRefused(
                f"{source} is not a Tastingroom database, or it is damaged (SQLite says: {exc}); "
                "nothing was changed. Try an older backup."
            ) from None
        raise
    if problems != ["ok"]:
        raise RestoreRefused(
            f"The backup {source} is damaged: its integrity check found {problems[0]}"
            f"{f' and {len(problems) - 1} more problem(s)' if len(problems) > 1 else ''}. "
            "Nothing was changed; try an older backup."
        )
    if not TASTINGROOM_TABLES.issubset(tables) or not revision:
        raise RestoreRefused(f"{source} is not a Tastingroom database; nothing was changed.")
    version = str(revision[0])
    if not version.isdigit() or int(version) > int(SCHEMA_REVISION):
        raise RestoreRefused(
            f"The backup {source} was made by a newer version of Tastingroom (its schema is "
            f"{version}; this version knows up to {SCHEMA_REVISION}). Install that version "
            "to restore it; nothing was changed."
        )


# --- the database being replaced -------------------------------------------------------------


@dataclass(frozen=True)
class _Previous:
    prefix: str | None
    sequences: dict[str, int]


def _keep_aside(live: Path, folder: Path, now: datetime) -> tuple[Path | None, bool, _Previous]:
    """Keep the live database in `replaced/`: a consistent copy when SQLite can read it,
    else its raw files, moved. Returns where, whether it is a copy, and its numbering."""
    if not live.exists():
        return None, True, _Previous(None, {})
    replaced = folder / REPLACED_FOLDER
    replaced.mkdir(mode=0o700, exist_ok=True)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    target = replaced / f"tastingroom-replaced-{stamp}.sqlite3"
    n = 2
    while any(Path(str(target) + side).exists() for side in ("", *SIDE_FILES)):
        target = replaced / f"tastingroom-replaced-{stamp}-{n}.sqlite3"
        n += 1
    partial = target.with_name(target.name + ".partial")
    try:
        # Read-write, so that a WAL left by a crash is recovered into the copy.
        src = sqlite3.connect(live, timeout=10)
        try:
            dst = sqlite3.connect(partial)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode = DELETE")
            finally:
                dst.close()
        finally:
            src.close()
        os.chmod(partial, 0o600)
        with open(partial, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(partial, target)
        return target, True, _numbering_of(target)
    except (sqlite3.Error, OSError):
        _remove(partial)
    previous = _numbering_of(live)
    moved: list[tuple[Path, Path]] = []
    try:
        for side in ("", *SIDE_FILES):
            here = Path(str(live) + side)
            if here.exists():
                there = Path(str(target) + side)
                os.replace(here, there)
                moved.append((here, there))
    except OSError as exc:
        for here, there in reversed(moved):
            with contextlib.suppress(OSError):
                os.replace(there, here)
        raise RestoreRefused(
            f"The register's database could not be kept aside in {replaced} "
            f"({exc.strerror or exc}); nothing was changed."
        ) from None
    return target, False, previous


def _numbering_of(path: Path) -> _Previous:
    """The prefix and sequences of a database this restore replaces, if it can be read:
    they are never to be issued again."""
    try:
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            sequences = {
                str(prefix): int(value or 0)
                for prefix, value in con.execute("SELECT prefix, last_value FROM number_sequence")
            }
            row = con.execute("SELECT value FROM setting WHERE key = 'terminal_prefix'").fetchone()
        finally:
            con.close()
    except (sqlite3.Error, ValueError, TypeError):
        return _Previous(None, {})
    try:
        prefix = json.loads(row[0]) if row else None
    except ValueError:
        prefix = None
    return _Previous(prefix if isinstance(prefix, str) else None, sequences)


# --- small helpers ---------------------------------------------------------------------------


def _not_a_database(exc: BaseException) -> bool:
    message = str(exc).lower()
    return "not a database" in message or "malformed" in message or "encrypted" in message


def _is_live(source: Path, live: Path) -> bool:
    for name in (live, *(Path(str(live) + side) for side in SIDE_FILES)):
        if os.path.normcase(source.resolve()) == os.path.normcase(name.resolve()):
            return True
        if name.exists():
            with contextlib.suppress(OSError):
                if os.path.samefile(source, name):
                    return True
    return False


def _remove(path: Path) -> None:
    for side in ("", *SIDE_FILES):
        with contextlib.suppress(OSError):
            Path(str(path) + side).unlink(missing_ok=True)
