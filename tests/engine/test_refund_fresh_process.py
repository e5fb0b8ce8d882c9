"""A refund committed in a fresh interpreter, importing only what the register imports.

SQLAlchemy orders the INSERTs of one flush by `relationship()`s; between tables with only
a foreign key (the refund's audit row and drawer movement point at the refund order) the
order depends on how the interpreter happened to set things up. Inside the test process
the order came out right by luck, while a fresh process (the register itself) wrote the
audit row first and every refund failed on its foreign key. This runs the commit as the
register would, in a new process, so that luck cannot hide it again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHILD = """
import sys
from datetime import date
from pathlib import Path

from tastingroom import drawer
from tastingroom.demo.winery import seed_demo
from tastingroom.drawer.counts import DrawerCount
from tastingroom.people.staff import Action, Role, approve, list_staff
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.refunds import Disposition, ReturnLine, commit_refund, quote_refund
from tastingroom.selling.sales import Register
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.database import Database

db = Database.open(Path(sys.argv[1]))
seed_demo(db)
register = Register(db)
staff = list_staff(db)
cashier = next(s for s in staff if s.role is Role.CASHIER)
manager = next(s for s in staff if s.role is Role.MANAGER)
drawer.open_session(db, cashier, DrawerCount({"bill_2000": 10}))
cart = Cart(staff_id=cashier.id)
for code in ("PN22", "PN22", "CS21"):
    cart.add(register.catalog.by_barcode(code))
due = register.price(cart).total_cents
check = check_birth_date(register.settings, cashier.id, date(1980, 1, 1))
sale = register.commit(cart, cashier, [TenderInput(TenderKind.CASH, due)], check)
returns = [ReturnLine(1, 1, Disposition.DAMAGED)]
quote = quote_refund(register, sale.order_id, returns)
approval = approve(db, Action.REFUND, cashier.id, manager.id, "2222")
done = commit_refund(
    register, sale.order_id, returns, cashier, approval,
    [TenderInput(TenderKind.CASH, quote.total_cents)],
)
print(done.number, drawer.x_report(db).cash_refunds_cents == quote.total_cents)
"""


def test_a_refund_commits_in_a_fresh_process(tmp_path: Path):
    for seed in ("0", "1", "2"):  # a few hash seeds: set orders differ between them
        path = tmp_path / seed / "tastingroom.sqlite3"
        path.parent.mkdir()
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split() == ["TR1-000002", "True"]
