"""Opening the cache: pragmas, the writer lock, the start-up check and migrations.

What is checked when (see `Database.check_integrity`): every open reads the schema and
the first and last page of every table, at a cost that does not grow with the history;
an open that finds the last session ended without closing the file (a crash, a kill, a
power cut: `store.openlock`) runs `PRAGMA quick_check` too, which reads every page; the
full `PRAGMA integrity_check` runs in the register's background, daily and soon after
such an open (`store.health`), and its result is shown by `status` and the Sync screen.

Every connection gets the same pragmas here and nowhere else: WAL so that readers
(the screens, the sync thread) never block the writer; `synchronous=FULL` so a
committed sale survives a power cut, not just a crash; foreign keys; a busy
timeout so a second process waits instead of failing. Writes go through one
lock per process (`Database.write`), which keeps SQLite's single writer from
ever answering "database is locked" to our own threads.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tastingroom.store.errors import DatabaseDamaged, DiskFull, StoreError
from tastingroom.store.openlock import OpenLock, wal_left_behind
from tastingroom.store.private import create_private_file, private_folder, protect_data_folder

BUSY_TIMEOUT_MS = 10_000
SCHEMA_REVISION = "0010"
"""The newest migration. Opening a file already at it skips Alembic, whose import
alone costs about 0.1 s of start-up; a test keeps this equal to the migrations' head."""


def make_engine(path: Path, *, immediate: bool = False, foreign_keys: bool = True) -> Engine:
    """An engine on the SQLite file at `path` with the register's pragmas.

    `immediate` engines start every transaction with BEGIN IMMEDIATE, taking SQLite's
    write lock up front so a writer never fails half-way on a lock upgrade; readers use
    a deferred BEGIN and never block anyone. Migrations ask for `foreign_keys=False`,
    which batch mode on SQLite needs (the pragma is a no-op inside a transaction, so it
    has to be set when the connection opens).
    """
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")
        cur.close()

    begin_sql = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin_sql)

    return engine


def translate_error(exc: BaseException, path: Path | None = None) -> StoreError | None:
    """A low-level SQLite failure as an error a person at the counter understands
    (naming the database file at `path` when the caller knows it)."""
    message = str(getattr(exc, "orig", exc)).lower()
    if "disk is full" in message or "database or disk is full" in message:
        return DiskFull(
            "The disk is full, so nothing was saved. Free some space on this computer "
            "(or call the person who looks after it) and try again; the sale is still open."
        )
    if "readonly" in message or "read-only" in message:
        return read_only(path)
    if "not a database" in message or "malformed" in message:
        return DatabaseDamaged(
            "The register's database file is damaged. Restore the latest backup with "
            "'tastingroom restore', or call support; nothing was changed."
        )
    return None


def read_only(path: Path | None) -> StoreError:
    """The database cannot be written by this account: a permissions matter, never damage.
    Restoring a backup over it would not help, and would throw away its latest sales."""
    where = f" at {path}" if path is not None else ""
    folder = path.parent if path is not None else "FOLDER"
    return StoreError(
        f"The register's database{where} is read-only for this account, so the register "
        "cannot record anything; the file is not damaged and nothing was changed. Give the "
        "account that runs the register the right to write its data folder and every file "
        f"in it (on Linux or macOS: sudo chown -R ACCOUNT {folder} && chmod -R u+rwX "
        f"{folder}), or move the data folder off a read-only disk; then start again."
    )


def _writable(path: Path) -> bool:
    """Whether this account may write the database, its -wal and -shm, and make them beside
    it (permissions, an immutable file, a read-only disk: `os.access` asks the system)."""
    files = [path, *(path.with_name(path.name + side) for side in ("-wal", "-shm"))]
    return os.access(path.parent, os.W_OK | os.X_OK) and all(
        os.access(f, os.W_OK) for f in files if f.exists()
    )


@contextmanager
def _friendly_errors() -> Iterator[None]:
    """Re-raise disk-full and damaged-file failures as `StoreError`s people can act on
    (whether SQLAlchemy wrapped them or the driver's cursor raised them directly)."""
    try:
        yield
    except (DatabaseError, OperationalError, sqlite3.DatabaseError) as exc:
        friendly = translate_error(exc)
        if friendly is not None:
            raise friendly from exc
        raise


SIDE_FILES = ("-wal", "-shm", "-journal")
"""The working files SQLite keeps beside a database file."""


def _why_not_written(exc: BaseException, *, short_of_space: bool = False) -> str:
    """Why a file could not be written, in words for the person at the counter.

    SQLite reports some failed writes only as an I/O error (a file larger than the
    account may write, for one); `short_of_space` says the room left is smaller than the
    copy, which is then the reason.
    """
    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return "the disk is full"
    if code == errno.EROFS:
        return "the disk is read-only"
    if isinstance(exc, IsADirectoryError):
        return "that is a folder; name a file"
    if isinstance(exc, (NotADirectoryError, FileExistsError)):
        return "part of that path is a file, not a folder"
    if isinstance(exc, FileNotFoundError):
        return "there is no such folder"
    if isinstance(exc, PermissionError):
        return "this account is not allowed to write there"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    message = str(exc).lower()
    name = getattr(exc, "sqlite_errorname", "") or ""
    if "full" in message or name == "SQLITE_FULL":
        return "the disk is full"
    if "readonly" in message or "read-only" in message:
        return "the disk or folder is read-only"
    if "unable to open" in message:
        return "the file cannot be created there (no such folder, or no permission)"
    if "i/o error" in message:
        return "the disk is full" if short_of_space else "the disk reported an input/output error"
    if "locked" in message or "busy" in message:
        return "the register's database stayed busy; try again in a moment"
    return str(exc)


def _short_of_space(folder: Path, needed: int) -> bool:
    """Less room in `folder` (free space, or the largest file this process may write) than
    `needed` bytes."""
    try:
        if shutil.disk_usage(folder).free < needed:
            return True
    except OSError:
        pass
    try:
        import resource  # POSIX only
    except ImportError:
        return False
    soft, _hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    return soft != resource.RLIM_INFINITY and soft < needed


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (POSIX; where folders cannot be opened, skipped)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class OpenCheck:
    """What opening the database found and checked."""

    alone: bool
    """No other process had the database open."""
    unclean: bool
    """The last session ended without closing the file (a crash, a kill, a power cut)."""
    quick_check: bool
    """`PRAGMA quick_check` ran (it does after an unclean end only)."""


class Database:
    """One SQLite cache file, shared by the screens and the sync thread of a process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.engine = make_engine(self.path)
        self._write_engine = make_engine(self.path, immediate=True)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._write_lock = threading.RLock()
        self._open_lock = OpenLock(self.path)
        self.opened: OpenCheck | None = None
        """What `open` checked (None until it has)."""
        self.closing: list[Callable[[], None]] = []
        """Called by `close` before the connections go (the background integrity check
        stops there, so that no connection outlives the database)."""

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True) -> Database:
        """Open (creating if needed), check integrity, and bring the schema up to date.

        The data folder and its files are made private to this account first (see
        `private`): they hold customers' details and staff PIN hashes."""
        path = Path(path)
        private_folder(path.parent)
        create_private_file(path)
        db = cls(path)
        db.opened = db.check_integrity()
        protect_data_folder(path)
        if migrate and db.schema_revision() != SCHEMA_REVISION:
            from tastingroom.store.migrate import upgrade

            upgrade(db.path)
        if db.opened.unclean:
            from tastingroom.store.health import mark_due  # rare: after a crash only

            mark_due(db, "the last session ended without closing the database")
        return db

    def schema_revision(self) -> str | None:
        """The migration this file was last brought to (None: new, or never migrated)."""
        with self.engine.connect() as conn:
            has_table = conn.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
            ).scalar()
            if not has_table:
                return None
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def check_integrity(self) -> OpenCheck:
        """Refuse a damaged file, or one this account cannot write, before anything reads
        or writes it. A file that only cannot be written is said to be read-only, never
        damaged: the advice for damage (restore a backup) would lose its latest sales.
        Writability is asked of the system first, as SQLite would open such a file
        read-only without a word (and make its -wal and -shm), and the first sale fail.

        Every open reads the file's header and schema and the first and last page of
        every table (a file that is not a database, a damaged schema, a table whose root
        or newest pages are gone): a few dozen pages whatever the history. When this
        process is the only one with the database open and a -wal file is left over,
        the last session died without closing it (`store.openlock`), and `PRAGMA
        quick_check` reads every page too, before anything is written. Damage elsewhere
        is for the full check the register runs in the background (`store.health`)."""
        if not _writable(self.path):
            raise read_only(self.path)
        alone = self._open_lock.take_alone()
        try:
            unclean = alone and wal_left_behind(self.path)
            self._check_pages(quick_check=unclean)
        except BaseException:
            self._open_lock.release()
            raise
        self._open_lock.share(BUSY_TIMEOUT_MS / 1000)
        return OpenCheck(alone=alone, unclean=unclean, quick_check=unclean)

    def _check_pages(self, *, quick_check: bool) -> None:
        """The reads `check_integrity` does; any SQLite error in them means damage."""
        try:
            with self.engine.connect() as conn:
                tables = conn.exec_driver_sql(
                    "SELECT name, upper(sql) FROM sqlite_master WHERE type = 'table'"
                ).all()
                for name, sql in tables:
                    quoted = '"' + name.replace('"', '""') + '"'
                    conn.exec_driver_sql(f"SELECT * FROM {quoted} LIMIT 1").all()
                    if "WITHOUT ROWID" not in (sql or ""):
                        conn.exec_driver_sql(
                            f"SELECT * FROM {quoted} ORDER BY rowid DESC LIMIT 1"
                        ).all()
                result = (
                    conn.exec_driver_sql("PRAGMA quick_check").scalar() if quick_check else "ok"
                )
        except (DatabaseError, OperationalError) as exc:
            raise translate_error(exc, self.path) or DatabaseDamaged(
                f"The register's database at {self.path} cannot be opened: {exc.orig}. "
                "Restore the latest backup with 'tastingroom restore', or call support; "
                "nothing was changed."
            ) from exc
        if result != "ok":
            raise DatabaseDamaged(
                f"The register's database at {self.path} failed its integrity check "
                f"({result}). Restore the latest backup with 'tastingroom restore', or call "
                "support; nothing was changed."
            )

    def read(self) -> Session:
        """A session for reading; use as a context manager."""
        return self._read_sessions()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One short write transaction under the process's writer lock.

        Commits when the block ends, rolls back if it raises. Disk-full and damaged-file
        failures are re-raised as `StoreError`s with a message for people.
        """
        with (
            self._write_lock,
            _friendly_errors(),
            self._write_sessions() as session,
            session.begin(),
        ):
            yield session

    @contextmanager
    def write_core(self) -> Iterator[Connection]:
        """Like `write`, but a Core connection without a Session: for the sale commit,
        where the ORM's per-transaction bookkeeping costs more than SQLite's own work."""
        with self._write_lock, _friendly_errors(), self._write_engine.begin() as conn:
            yield conn

    def pragma(self, name: str) -> object:
        """Read one pragma on a fresh pooled connection (used by status and tests)."""
        with self.engine.connect() as conn:
            return conn.execute(text(f"PRAGMA {name}")).scalar()

    def backup(self, target: Path) -> Path:
        """A consistent copy of the live database through SQLite's backup API.

        Safe while the register is selling: the copy is a snapshot of committed data. It is
        written to `<target>.partial` and renamed only once complete, checked and flushed,
        so `target` is either a whole backup or untouched. A target that is the live
        database or one of its working files is refused before anything is written (a
        backup "over" the live file would destroy what it was meant to keep). Any failure
        (a full disk, no permission, an I/O error) removes what was written and raises a
        `StoreError` that says why in plain words; the live database is only ever read.
        """
        target = Path(target)
        tmp = target.with_name(target.name + ".partial")
        self._refuse_live_target(target, tmp)
        leftovers = [tmp, *(tmp.with_name(tmp.name + side) for side in SIDE_FILES)]
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            for path in leftovers:
                path.unlink(missing_ok=True)
            source = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                dest = sqlite3.connect(tmp)
                try:
                    source.backup(dest, pages=1024)
                    dest.execute("PRAGMA journal_mode = DELETE")
                    check = dest.execute("PRAGMA quick_check").fetchone()[0]
                finally:
                    dest.close()
            finally:
                source.close()
            if check != "ok":
                raise DatabaseDamaged(
                    f"The backup copy failed its integrity check ({check}). Nothing was left "
                    "behind; the register's database is untouched."
                )
            os.chmod(tmp, 0o600)  # the data folder is private, and so are its copies
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            tmp.replace(target)
        except BaseException as exc:
            for path in leftovers:
                with suppress(OSError):
                    path.unlink(missing_ok=True)
            if isinstance(exc, (sqlite3.Error, OSError)) and not isinstance(exc, StoreError):
                try:
                    needed = self.path.stat().st_size
                except OSError:
                    needed = 0
                why = _why_not_written(exc, short_of_space=_short_of_space(target.parent, needed))
                raise StoreError(
                    f"The backup could not be written to {target}: {why}. "
                    "Nothing was left behind; the register's database is untouched."
                ) from None
            raise
        fsync_folder(target.parent)
        return target

    def _refuse_live_target(self, *targets: Path) -> None:
        """Refuse to write over the live database, its WAL, shared memory or journal."""
        live = [self.path, *(self.path.with_name(self.path.name + s) for s in SIDE_FILES)]
        for target in targets:
            for name in live:
                same = os.path.normcase(target.resolve()) == os.path.normcase(name.resolve())
                if not same and target.exists() and name.exists():
                    with suppress(OSError):
                        same = os.path.samefile(target, name)
                if same:
                    what = "live database" if name == self.path else f"live database's {name.name}"
                    raise StoreError(
                        f"The backup cannot be written to {target}: that is the register's "
                        f"{what}. Choose another file; nothing was written."
                    )

    def close(self) -> None:
        for callback in self.closing:
            callback()
        self.closing.clear()
        self.engine.dispose()
        self._write_engine.dispose()
        self._open_lock.release()
