"""Where things live on disk: the data folder and the bundled resources.

The data folder is the platform's per-user data directory (platformdirs), unless
`--data-dir` or `TASTINGROOM_DATA_DIR` says otherwise; a winery may keep it on
another local disk. Resources ship beside the packages in a source install and
inside the bundle of a frozen app (PyInstaller's `sys._MEIPASS`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from platformdirs import user_data_dir

DATA_DIR_ENV = "TASTINGROOM_DATA_DIR"


DB_FILENAME = "tastingroom.sqlite3"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: the override, else the environment variable, else the platform's."""
    chosen = override or os.environ.get(DATA_DIR_ENV) or user_data_dir("Tastingroom", "Tastingroom")
    return Path(chosen).expanduser().resolve()


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def resources_dir() -> Path:
    """The `resources/` folder, in a checkout, an installed tree or a frozen bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "resources")
    for candidate in candidates:
        if (candidate / "demo" / "winery.json").is_file():
            return candidate
    raise FileNotFoundError("Tastingroom's resources folder is missing; reinstall the program.")
