"""A committed sale survives the process being killed at any moment.

A child process rings sales and prints each number when `commit` returns; the test
SIGKILLs it at 20 random moments, and after every restart checks the file's integrity,
that every sale the child reported is there, that numbers are unique and follow on
without reuse, and that each sale has exactly one outbox row.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from pathlib import Path

import pytest

from tastingroom.store.database import Database
from tests.engine import killing

CHILD = Path(__file__).with_name("crash_child.py")
KILLS = 20


def check(path: Path, reported: set[str]) -> int:
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        numbers = [r[0] for r in con.execute("SELECT number FROM sale_order")]
        assert len(numbers) == len(set(numbers)), "an order number was used twice"
        missing = reported - set(numbers)
        assert not missing, f"sales reported as committed were lost: {sorted(missing)}"
        per_order = con.execute(
            "SELECT o.number, count(b.seq) FROM sale_order o "
            "LEFT JOIN outbox_item b ON b.entity_id = o.id AND b.kind = 'order.upsert' "
            "GROUP BY o.id"
        ).fetchall()
        assert all(n == 1 for _, n in per_order), "a sale without exactly one outbox row"
        lines = con.execute(
            "SELECT count(*) FROM sale_order o WHERE NOT EXISTS "
            "(SELECT 1 FROM order_line l WHERE l.order_id = o.id) OR NOT EXISTS "
            "(SELECT 1 FROM tender t WHERE t.order_id = o.id)"
        ).fetchone()[0]
        assert lines == 0, "a sale was committed without its lines or tenders"
        sequence = sorted(int(n.split("-")[1]) for n in numbers)
        assert sequence == list(range(1, len(sequence) + 1)), "numbering has a gap or repeat"
        return len(numbers)
    finally:
        con.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_sales_survive_sigkill_at_random_moments(demo_db: Database):
    path = demo_db.path
    demo_db.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261123")))
    reported: set[str] = set()
    total = 0
    for n in range(KILLS):
        child = killing.start(CHILD, str(path), str(n))
        killing.expect(child, "ready")
        time.sleep(rng.uniform(0.05, 0.6))
        reported.update(killing.kill(child))
        # Reopening runs the start-up check and migrations exactly as the register does.
        Database.open(path).close()
        total = check(path, reported)
    assert total >= len(reported) > KILLS, "the child rang too few sales to prove anything"
