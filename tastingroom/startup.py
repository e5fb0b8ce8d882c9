"""Everything the register needs before its first sale, in one call the UI can run off
its own thread: open (and migrate) the database, seed the demo winery into an empty
one, start a new number series if the file was copied, moved or rolled back (before
the first sale can reuse a number WineDirect already holds), and build the search index.
"""

from __future__ import annotations

from pathlib import Path

from tastingroom.demo import is_empty, seed_demo
from tastingroom.numbering import check_home
from tastingroom.sales import Register
from tastingroom.store.database import Database


def open_register(path: Path) -> Register:
    """A `Register` over the database at `path`, ready to search and sell."""
    db = Database.open(path)
    try:
        if is_empty(db):
            seed_demo(db)
        check_home(db, db.path.parent)  # its notice is shown by the register, then cleared
        register = Register(db)
        len(register.catalog)  # build the index now, not on the first keystroke
    except BaseException:
        db.close()
        raise
    return register
