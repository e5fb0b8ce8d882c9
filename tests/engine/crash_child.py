"""Rings demo sales forever, printing each order number the moment `commit` returns.

Run by `test_crash.py`, which kills this process at random moments: every number printed
here is a sale the register told staff was committed, and must survive the kill.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.store.database import Database


def main(path: str, seed: int) -> None:
    db = Database.open(Path(path))
    print("ready", flush=True)
    ring_demo_sales(db, 10**9, seed=seed, on_sale=lambda sale: print(sale.number, flush=True))


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
