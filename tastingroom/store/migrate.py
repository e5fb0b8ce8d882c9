"""Bringing a database file's schema up to date with Alembic, from inside the program.

The register migrates itself at start-up; nobody runs `alembic` by hand on a winery's
laptop. Batch mode on SQLite rebuilds tables, which fails while foreign keys are
enforced, so migrations run on a connection opened with them off, and
`PRAGMA foreign_key_check` must come back empty before the new schema is accepted.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from tastingroom.store.database import DatabaseDamaged, make_engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migrations folder has no revisions"
    return head


def current_revision(path: Path) -> str | None:
    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def upgrade(path: Path, revision: str = "head") -> None:
    """Migrate the file at `path` to `revision` (a no-op when it is already there)."""
    if revision == "head" and current_revision(path) == head_revision():
        return
    engine = make_engine(path, immediate=True, foreign_keys=False)
    try:
        with engine.begin() as conn:
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise DatabaseDamaged(
                    f"Updating the database left {len(broken)} broken reference(s); "
                    "the update was rolled back. Call support with this message."
                )
    finally:
        engine.dispose()
