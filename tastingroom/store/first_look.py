"""What the lock screen shows before the engine has loaded: the store's name, its staff,
and whether it is the demo winery (whose sign-in PINs are then shown).

The register must put its lock screen in front of staff within twice the time a bare
Qt window takes to appear, and importing SQLAlchemy alone takes longer than that. So
these facts are read with the standard library's sqlite3, read-only, while the engine
loads behind the lock screen. Signing in still goes through the engine
(`staff.sign_in`). Anything unusual (no file yet, a damaged file, a schema without
these tables) gives None: the lock screen then waits for the engine, which explains
the problem properly. A data folder that cannot be one at all (it is a file) is said at
once (`data_folder_problem`), by the lock screen and by every command.

Only SQLite and json are imported here, so this module stays cheap to import.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from tastingroom.paths import resources_dir


@dataclass(frozen=True)
class FirstLook:
    store_name: str | None
    """None when the store was never given a name (the engine's default applies)."""
    staff: tuple[tuple[str, str], ...]
    """(id, name) of active staff, in the order the engine's `list_staff` gives them."""
    demo: bool = False
    """The demo winery (`demo_mode`): its lock screen shows the demo's PINs."""


def first_look(path: Path) -> FirstLook | None:
    """The store's name, active staff and demo mode from the database at `path`, or None."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
        try:
            staff = conn.execute("SELECT id, name FROM staff WHERE active ORDER BY name").fetchall()
            settings = dict(
                conn.execute(
                    "SELECT key, value FROM setting WHERE key IN ('store_name', 'demo_mode')"
                ).fetchall()
            )
        finally:
            conn.close()
        name = json.loads(settings["store_name"]) if "store_name" in settings else None
        demo = json.loads(settings["demo_mode"]) if "demo_mode" in settings else False
    except (sqlite3.Error, ValueError):
        return None
    if not staff:
        return None
    return FirstLook(
        name if isinstance(name, str) else None,
        tuple((str(i), str(n)) for i, n in staff),
        demo is True,
    )


def demo_sign_ins() -> tuple[tuple[str, str, str], ...]:
    """(name, PIN, role) of the demo winery's staff, from the demo's own data (the file
    `demo.seed_demo` seeds them from), for the demo's lock screen. Empty if it cannot be
    read: the hint is a courtesy, never a reason not to start."""
    try:
        with (resources_dir() / "demo" / "winery.json").open(encoding="utf-8") as fh:
            staff = json.load(fh)["staff"]
        return tuple((str(p["name"]), str(p["pin"]), str(p["role"])) for p in staff)
    except (OSError, ValueError, KeyError, TypeError):
        return ()


def data_folder_problem(folder: Path) -> str | None:
    """Why `folder` cannot hold the register's data, before anything tries to make or open
    it: it, or a folder above it, is a file. None when it is a folder or can be made."""
    for place in (folder, *folder.parents):
        if place.is_dir():
            return None
        if place.exists():
            return (
                f"The data folder {folder} cannot be used: {place} is a file, not a folder. "
                "Choose a folder with --data-dir (it is made if it does not exist yet); "
                "nothing was changed."
            )
    return None
