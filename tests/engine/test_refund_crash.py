"""A refund survives a SIGKILL whole, or is not there at all.

A child process refunds demo sales one item at a time and prints each refund's number
when `commit_refund` returns; the test kills it at random moments and, after every
restart, checks that each reported refund is there, that every refund has its lines,
tenders adding up to its total and exactly one outbox row, that no line came back more
often than it was sold, and that stock moved by exactly what the refunds restocked."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.store.database import Database
from tests.engine import killing

CHILD = Path(__file__).with_name("refund_crash_child.py")
KILLS = 8

posix_only = pytest.mark.skipif(os.name != "posix", reason="SIGKILL is POSIX")


def stock(con: sqlite3.Connection) -> dict[str, int]:
    return dict(con.execute("SELECT sku_id, on_hand FROM stock WHERE pool = 'Tasting Room'"))


def restocked(con: sqlite3.Connection) -> dict[str, int]:
    rows = con.execute(
        "SELECT coalesce(s.base_sku_id, s.id), sum(l.quantity * l.units) FROM order_line l "
        "JOIN sale_order o ON o.id = l.order_id JOIN sku s ON s.id = l.sku_id "
        "WHERE o.transaction_type = 'refund' AND l.disposition = 'restock' GROUP BY 1"
    )
    return dict(rows)


def check(path: Path, reported: set[str], start: dict[str, int]) -> int:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        refunds = dict(
            con.execute("SELECT number, id FROM sale_order WHERE transaction_type = 'refund'")
        )
        missing = reported - set(refunds)
        assert not missing, f"refunds reported as committed were lost: {sorted(missing)}"
        for number, refund_id in refunds.items():
            boxes = con.execute(
                "SELECT count(*) FROM outbox_item WHERE entity_id = ? AND kind = 'order.refund'",
                (refund_id,),
            ).fetchone()[0]
            assert boxes == 1, f"refund {number} has {boxes} outbox rows"
            total, lines, paid = con.execute(
                "SELECT o.total_cents, (SELECT sum(net_cents + tax_cents) FROM order_line "
                "WHERE order_id = o.id), (SELECT coalesce(sum(amount_cents), 0) FROM tender "
                "WHERE order_id = o.id) FROM sale_order o WHERE o.id = ?",
                (refund_id,),
            ).fetchone()
            assert lines is not None and paid == total, f"refund {number} is incomplete"
        over = con.execute(
            "SELECT count(*) FROM order_line l JOIN sale_order o ON o.id = l.order_id "
            "WHERE o.transaction_type = 'order' AND l.quantity < (SELECT coalesce(sum("
            "r.quantity), 0) FROM order_line r JOIN sale_order ro ON ro.id = r.order_id "
            "WHERE ro.previous_order_id = o.id AND r.line_no = l.line_no)"
        ).fetchone()[0]
        assert over == 0, "a line came back more often than it was sold"
        now, back = stock(con), restocked(con)
        assert now == {sku: start[sku] + back.get(sku, 0) for sku in start}
        return len(refunds)
    finally:
        con.close()


@posix_only
@pytest.mark.slow
@pytest.mark.timeout(300)
def test_refunds_survive_sigkill_whole_or_not_at_all(demo_db: Database):
    ring_demo_sales(demo_db, 200, seed=3)
    path = demo_db.path
    demo_db.close()
    con = sqlite3.connect(path)
    start = stock(con)
    con.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261124")))
    reported: set[str] = set()
    for _ in range(KILLS):
        child = killing.start(CHILD, str(path))
        killing.expect(child, "ready")
        time.sleep(rng.uniform(0.05, 0.3))
        reported.update(killing.kill(child))
        assert child.returncode == -signal.SIGKILL, "the child ended before it was killed"
        Database.open(path).close()  # the register's start-up, as after a power cut
        total = check(path, reported, start)
    assert total >= len(reported) > KILLS, "the child refunded too little to prove anything"
