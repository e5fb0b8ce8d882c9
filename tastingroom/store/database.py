"""Opening the cache: pragmas, the writer lock, the start-up check and migrations.

Every connection gets the same pragmas here and nowhere else: WAL so that readers
(the screens, the sync thread) never block the writer; `synchronous=FULL` so a
committed sale survives a power cut, not just a crash; foreign keys; a busy
timeout so a second process waits instead of failing. Writes go through one
lock per process (`Database.write`), which keeps SQLite's single writer from
ever answering "database is locked" to our own threads.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tastingroom.store.errors import DatabaseDamaged, DiskFull, StoreError

BUSY_TIMEOUT_MS = 10_000
SCHEMA_REVISION = "0002"
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


def translate_error(exc: BaseException) -> StoreError | None:
    """A low-level SQLite failure as an error a person at the counter understands."""
    message = str(getattr(exc, "orig", exc)).lower()
    if "disk is full" in message or "database or disk is full" in message:
        return DiskFull(
            "The disk is full, so nothing was saved. Free some space on this computer "
            "(or call the person who looks after it) and try again; the sale is still open."
        )
    if "not a database" in message or "malformed" in message:
        return DatabaseDamaged(
            "The register's database file is damaged. Restore the latest backup "
            "(tastingroom backup) or call support; nothing was changed."
        )
    return None


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


class Database:
    """One SQLite cache file, shared by the screens and the sync thread of a process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.engine = make_engine(self.path)
        self._write_engine = make_engine(self.path, immediate=True)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_sessions = sessionmaker(self._write_engine, expire_on_commit=False)
        self._write_lock = threading.RLock()

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True) -> Database:
        """Open (creating if needed), check integrity, and bring the schema up to date."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        db = cls(path)
        db.check_integrity()
        if migrate and db.schema_revision() != SCHEMA_REVISION:
            from tastingroom.store.migrate import upgrade

            upgrade(db.path)
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

    def check_integrity(self) -> None:
        """Refuse a damaged file before anything reads or writes it."""
        try:
            with self.engine.connect() as conn:
                result = conn.exec_driver_sql("PRAGMA quick_check").scalar()
        except (DatabaseError, OperationalError) as exc:
            raise translate_error(exc) or DatabaseDamaged(
                f"The register's database at {self.path} cannot be opened: {exc.orig}. "
                "Restore the latest backup or call support."
            ) from exc
        if result != "ok":
            raise DatabaseDamaged(
                f"The register's database at {self.path} failed its integrity check "
                f"({result}). Restore the latest backup (tastingroom backup) or call support; "
                "nothing was changed."
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

        Safe while the register is selling: the copy is a snapshot of committed data.
        """
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(target.suffix + ".partial")
        tmp.unlink(missing_ok=True)
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
            tmp.unlink(missing_ok=True)
            raise DatabaseDamaged(f"The backup copy failed its integrity check ({check}).")
        tmp.replace(target)
        return target

    def close(self) -> None:
        self.engine.dispose()
        self._write_engine.dispose()
