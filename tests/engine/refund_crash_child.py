"""Refunds one item at a time from the demo sales, forever, printing each refund's number
the moment `commit_refund` returns. Run by `test_refund_crash.py`, which kills this
process with SIGKILL at random moments."""

from __future__ import annotations

import sys
from pathlib import Path

from sqlalchemy import select

from tastingroom.people.staff import Action, Role, approve, list_staff
from tastingroom.selling.refunds import RefundRefused, ReturnLine, commit_refund, load_original
from tastingroom.selling.sales import Register
from tastingroom.selling.tenders import TenderInput
from tastingroom.store.database import Database
from tastingroom.store.models import Order


def main(path: str) -> None:
    db = Database.open(Path(path))
    register = Register(db)
    cashier = next(s for s in list_staff(db) if s.role is Role.CASHIER)
    manager = next(s for s in list_staff(db) if s.role is Role.MANAGER)
    ok = approve(db, Action.REFUND, cashier.id, manager.id, "2222")
    print("ready", flush=True)
    while True:
        with db.read() as s:
            ids = s.scalars(
                select(Order.id).where(
                    Order.transaction_type == "order", Order.status == "completed"
                )
            ).all()
        if not ids:
            return
        for order_id in ids:
            try:
                original = load_original(db, order_id)
            except RefundRefused:
                continue
            line = next(x for x in original.lines if x.returnable)
            returns = [ReturnLine(line.line_no, 1)]
            from tastingroom.selling.refunds import quote_refund

            quote = quote_refund(register, order_id, returns)
            tenders = [
                TenderInput(
                    p.kind, amount, p.card_type, p.card_last4, "R1" if p.card_type else None
                )
                for p, amount in quote.default_split()
            ]
            done = commit_refund(register, order_id, returns, cashier, ok, tenders)
            print(done.number, flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
