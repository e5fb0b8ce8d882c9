"""Keeps a drawer session busy forever: demo sales (cash, card and split), paid-ins and
drops, printing each the moment the engine call returns.

Run by `test_drawer_crash.py`, which kills this process at random moments: the session it
opened (or came back into) must still be open after every kill, holding every movement
printed here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tastingroom import drawer
from tastingroom.demo.winery import ring_demo_sales
from tastingroom.people.staff import Role, list_staff
from tastingroom.store.database import Database


def main(path: str, seed: int) -> None:
    db = Database.open(Path(path))
    cashier = next(s for s in list_staff(db) if s.role is Role.CASHIER)
    session = drawer.current_session(db)
    if session is None:
        session = drawer.open_session(db, cashier, drawer.DrawerCount({"bill_2000": 10}))
        print("opened", session.id, flush=True)
    else:
        print("resumed", session.id, flush=True)
    print("ready", flush=True)
    turn = 0
    while True:
        turn += 1
        for sale in ring_demo_sales(db, 1, seed=seed * 100_000 + turn):
            print("sale", sale.number, flush=True)
        if turn % 3 == 0:
            moved = drawer.paid_in(db, cashier, 500, "change from the bank")
            print("move", moved.id, flush=True)
        elif turn % 3 == 1:
            moved = drawer.drop(db, cashier, 400)
            print("move", moved.id, flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
