"""What the lock screen shows before the engine has loaded: the store's name and its staff.

The register must put its lock screen in front of staff within twice the time a bare
Qt window takes to appear, and importing SQLAlchemy alone takes longer than that. So
these two facts are read with the standard library's sqlite3, read-only, while the
engine loads behind the lock screen. Signing in still goes through the engine
(`staff.sign_in`). Anything unusual (no file yet, a damaged file, a schema without
these tables) gives None: the lock screen then waits for the engine, which explains
the problem properly.

Only SQLite and json are imported here, so this module stays cheap to import.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class FirstLook:
    store_name: str | None
    """None when the store was never given a name (the engine's default applies)."""
    staff: tuple[tuple[str, str], ...]
    """(id, name) of active staff, in the order the engine's `list_staff` gives them."""


def first_look(path: Path) -> FirstLook | None:
    """The store's name and active staff from the database at `path`, or None."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            staff = conn.execute("SELECT id, name FROM staff WHERE active ORDER BY name").fetchall()
            row = conn.execute("SELECT value FROM setting WHERE key = 'store_name'").fetchone()
        finally:
            conn.close()
        name = json.loads(row[0]) if row else None
    except (sqlite3.Error, ValueError):
        return None
    if not staff:
        return None
    return FirstLook(
        name if isinstance(name, str) else None,
        tuple((str(i), str(n)) for i, n in staff),
    )
