"""An open drawer session survives the register being killed, like a sale does.

A child process opens a session and keeps it busy (sales, paid-ins, drops), printing each
as its engine call returns; the test SIGKILLs it at random moments and after every kill
checks that the file is sound, that the same session is open and holds every movement the
child reported, that each cash sale and its drawer movements were written together or not
at all, and that the next start comes back into that session.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path

import pytest

from tastingroom import drawer
from tastingroom.store.database import Database
from tests.engine import killing

CHILD = Path(__file__).with_name("drawer_crash_child.py")
KILLS = 6


def check(path: Path, session_id: str, moves: set[str], sales: set[str]) -> None:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        open_ = con.execute("SELECT id FROM drawer_session WHERE status = 'open'").fetchall()
        assert open_ == [(session_id,)], "the open session was lost or another one opened"
        kept = {r[0] for r in con.execute("SELECT id FROM drawer_movement")}
        assert moves <= kept, f"movements reported as written were lost: {moves - kept}"
        numbers = {r[0] for r in con.execute("SELECT number FROM sale_order")}
        assert sales <= numbers, f"sales reported as committed were lost: {sales - numbers}"
        # Every cash sale's drawer movements match its tenders exactly, and no movement
        # names a sale that is not there: the two were written in one transaction.
        by_tenders = dict(
            con.execute(
                "SELECT o.id, sum(t.amount_cents - t.change_cents) FROM sale_order o "
                "JOIN tender t ON t.order_id = o.id AND t.kind = 'cash' GROUP BY o.id"
            ).fetchall()
        )
        by_drawer = dict(
            con.execute(
                "SELECT order_id, sum(amount_cents) FROM drawer_movement "
                "WHERE kind IN ('cash_sale', 'change') GROUP BY order_id"
            ).fetchall()
        )
        assert by_drawer == by_tenders
        float_cents, others = con.execute(
            "SELECT s.float_cents, (SELECT coalesce(sum(amount_cents), 0) FROM drawer_movement "
            "WHERE kind IN ('paid_in', 'drop')) FROM drawer_session s WHERE s.id = ?",
            (session_id,),
        ).fetchone()
    finally:
        con.close()
    db = Database.open(path)
    try:
        assert (
            drawer.expected_cash(db, session_id) == float_cents + sum(by_tenders.values()) + others
        )
        assert drawer.x_report(db).expected_cents == drawer.expected_cash(db, session_id)
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_an_open_session_survives_sigkill_and_the_register_comes_back_into_it(demo_db: Database):
    path = demo_db.path
    demo_db.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261123")))
    session_id: str | None = None
    moves: set[str] = set()
    sales: set[str] = set()
    for n in range(KILLS + 1):
        child = killing.start(CHILD, str(path), str(n))
        assert child.stdout is not None
        how, _, opened = child.stdout.readline().strip().partition(" ")
        if session_id is None:
            assert how == "opened", child.stderr.read()
            session_id = opened
        else:
            assert (how, opened) == ("resumed", session_id), child.stderr.read()
        killing.expect(child, "ready")
        if n == KILLS:  # the last start only proves it came back into the session
            killing.kill(child)
            break
        time.sleep(rng.uniform(0.05, 0.5))
        for line in killing.kill(child):
            what, _, value = line.partition(" ")
            if what == "move":
                moves.add(value)
            elif what == "sale":
                sales.add(value)
        Database.open(path).close()  # the start-up check, as the register runs it
        check(path, session_id, moves, sales)
    assert len(sales) > KILLS and moves, "the child did too little to prove anything"
