"""Everything the register needs before its first sale, in calls the UI runs off its own
thread, in the order staff need them:

1. `open_register`: open (and migrate) the database, seed the demo winery into an empty
   one when asked (the training store's first opening: a store's database is never
   seeded, and a start with nothing set up shows the first-run doors instead, see
   `store_setup.plan_start`), start a new number series if the file was copied, moved
   or rolled back (before the first sale can reuse a number WineDirect already holds),
   put back every tab a cart had taken (`tabs.release_all`: no cart outlives the
   process, so a tab left "in use" by a crash would otherwise never resume), and start the
   background integrity check (`store.health`). After it, a PIN can be checked: none
   of this grows with the catalog, and opening does not grow with the history either
   (see `Database.check_integrity`).
2. `build_catalog`: the catalog's search index (about 0.6 s at 100,000 SKUs), so that
   it is ready before the register's screens are built, not on the first keystroke.
"""

from __future__ import annotations

from pathlib import Path

from tastingroom.demo.winery import is_empty, seed_demo
from tastingroom.selling import tabs
from tastingroom.selling.numbering import check_home
from tastingroom.selling.sales import Register
from tastingroom.store.database import Database
from tastingroom.store.health import IntegrityWatch


def open_register(path: Path, *, demo_if_empty: bool = False) -> Register:
    """A `Register` over the database at `path`, ready to check PINs; its catalog is
    indexed by `build_catalog` (or on first use). `demo_if_empty`: fill an empty database
    with the demo winery (the training store)."""
    db = Database.open(path)
    try:
        if demo_if_empty and is_empty(db):
            seed_demo(db)
        check_home(db, db.path.parent)  # its notice is shown by the register, then cleared
        tabs.release_all(db)
        register = Register(db)
        IntegrityWatch(db).start()  # stopped by db.close()
    except BaseException:
        db.close()
        raise
    return register


def build_catalog(register: Register) -> int:
    """Build the catalog's search index now; the number of SKUs it holds."""
    return len(register.catalog)
