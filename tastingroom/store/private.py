"""The data folder is private to the account that runs the register.

It holds customers' names and addresses, card types with their last four digits and
approval codes, and staff PIN hashes: nothing another account on the computer may read.
On POSIX the folder is 700 and every file in it 600, whatever the umask; folders and
files made by an older version, or by hand, are tightened when the register opens its
database, with a log line saying what changed. SQLite gives its -wal and -shm files the
database file's own permissions, so tightening the database covers them too.

On Windows, permissions come from the folder's place: the default data folder is under
the user's own profile (%LOCALAPPDATA%), which other accounts cannot read.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

log = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
PRIVATE_FOLDERS = ("backups", "replaced")
"""Folders inside the data folder that hold copies of the database."""


def _posix() -> bool:
    return os.name == "posix"


def tighten(path: Path, mode: int) -> bool:
    """Take away from group and others what `mode` does not give them; True if changed."""
    if not _posix():
        return False
    try:
        current = stat.S_IMODE(path.lstat().st_mode)
    except FileNotFoundError:
        return False
    if path.is_symlink() or not current & ~mode & 0o077:
        return False
    path.chmod(current & mode)
    log.warning("Made %s private (permissions %o -> %o).", path, current, current & mode)
    return True


def private_folder(folder: Path) -> Path:
    """Create `folder` (and its parents) if needed; make the folder itself private."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    tighten(folder, FOLDER_MODE)
    return folder


def create_private_file(path: Path) -> None:
    """Create an empty `path` readable by this account alone, if it does not exist: SQLite
    takes an empty file as a new database, and gives its -wal and -shm the same mode."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def protect_data_folder(database: Path) -> None:
    """Make the database's folder, the database and every copy of it beside it private."""
    folder = database.parent
    private_folder(folder)
    for entry in folder.iterdir():
        if entry.is_symlink():
            continue
        if entry.is_dir() and entry.name in PRIVATE_FOLDERS:
            tighten(entry, FOLDER_MODE)
            for inner in entry.iterdir():
                if inner.is_file():
                    tighten(inner, FILE_MODE)
        elif entry.is_file():
            tighten(entry, FILE_MODE)
