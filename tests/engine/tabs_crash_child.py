"""Keeps a bar busy forever: opens tabs, adds to some and holds them again, pays others,
printing what it is about to do and what each engine call returned.

Run by `test_tabs.py`, which kills this process at random moments: every tab printed as
held must be there, whole, and every paid tab must have its sale (and no sale its tab
still open).

    held ID HASH      a hold returned: the tab's contents hash to HASH
    update ID HASH    about to hold the tab again with contents hashing to HASH
    paying ID         about to pay the tab
    paid ID NUMBER    the sale NUMBER paid it
"""

from __future__ import annotations

import hashlib
import random
import sys
from datetime import date
from pathlib import Path

from tastingroom.people.staff import Role, list_staff
from tastingroom.selling import tabs
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.sales import Register
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.database import Database

ITEMS = ("PN22", "CHD22", "FEE-TASTE", "FOOD-OLIVE", "CHD22-6")


def digest(contents: str) -> str:
    return hashlib.sha256(contents.encode()).hexdigest()


def main(path: str, seed: int) -> None:
    db = Database.open(Path(path))
    tabs.release_all(db)  # as the register does at start-up
    register = Register(db)
    cashier = next(s for s in list_staff(db) if s.role is Role.CASHIER)
    check = check_birth_date(register.settings, cashier.id, date(1980, 4, 2))
    rng = random.Random(seed)
    print("ready", flush=True)
    turn = 0
    while True:
        turn += 1
        open_now = tabs.open_tabs(register)
        choice = rng.random()
        if open_now and choice < 0.3:
            tab = rng.choice(open_now)
            cart = tabs.resume(register, tab.id, cashier).cart
            cart.add(register.catalog.by_barcode(rng.choice(ITEMS)), rng.randint(1, 3))
            print("update", tab.id, digest(tabs.dump_cart(cart)), flush=True)
            tabs.hold(register, cart, tab.name, cashier, check)
            print("held", tab.id, digest(tabs.dump_cart(cart)), flush=True)
        elif open_now and choice < 0.5:
            tab = rng.choice(open_now)
            cart = tabs.resume(register, tab.id, cashier).cart
            total = register.price(cart).total_cents
            print("paying", tab.id, flush=True)
            sale = register.commit(cart, cashier, [TenderInput(TenderKind.CASH, total)], check)
            print("paid", tab.id, sale.number, flush=True)
        else:
            cart = register.new_cart(cashier.id)
            for code in rng.sample(ITEMS, rng.randint(1, 4)):
                cart.add(register.catalog.by_barcode(code), rng.randint(1, 4))
            tab_id = tabs.hold(register, cart, f"Party {seed}-{turn}", cashier, check)
            print("held", tab_id, digest(tabs.dump_cart(cart)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
