"""What can go wrong with the cache, as people should hear it.

Kept apart from `database` so that code which only reports these errors (the command
line, the register's start-up) need not import SQLAlchemy.
"""

from __future__ import annotations


class StoreError(Exception):
    """The cache cannot be used; the message says why and what to do."""


class DatabaseDamaged(StoreError):
    """The database file failed its integrity check or is not a database at all."""


class DiskFull(StoreError):
    """SQLite could not write because the disk (or the file system quota) is full."""
