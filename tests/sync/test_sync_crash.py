"""The sync process is killed at 50 random moments while it drains 500 orders.

After every restart it carries on where it was; at the end WineDirect holds exactly the
register's orders: none missing, none twice. A fifth of the replies are also lost, so the
kills land between "sent" and "recorded" as well as everywhere else.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OutboxItem
from tastingroom.winedirect.simulator.server import Simulator

CHILD = Path(__file__).with_name("sync_child.py")
KILLS = 50


def local_numbers(path: Path) -> list[str]:
    db = Database.open(path)
    with db.read() as s:
        numbers = sorted(s.scalars(select(Order.number).where(Order.source == "register")))
    db.close()
    return numbers


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_sync_survives_sigkill_at_random_moments(demo_db: Database):
    ring_demo_sales(demo_db, 500, seed=12)
    path = demo_db.path
    demo_db.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "4")))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with Simulator(seed=5) as sim:
        sim.set_faults(drop_reply_after_write=0.2, latency_ms=5)
        kills = 0
        while kills < KILLS:
            child = subprocess.Popen(
                [sys.executable, str(CHILD), str(path), sim.url],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            time.sleep(rng.uniform(0.0, 0.25))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                kills += 1
            child.communicate(timeout=60)
            sent = len(sim.state.register_order_numbers())
            assert sent == len(set(sim.state.register_order_numbers()))  # never twice
            if sent == len(local_numbers(path)):  # all caught up: more sales keep it busy
                more = Database.open(path)
                ring_demo_sales(more, 20, seed=1000 + kills)
                more.close()
        sim.set_faults(drop_reply_after_write=0.0)
        final = subprocess.run(
            [sys.executable, str(CHILD), str(path), sim.url],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert "drained" in final.stdout, final.stderr
        server = sim.state.register_order_numbers()
    local = local_numbers(path)
    db = Database.open(path)
    with db.read() as s:
        unsent = s.scalar(select(func.count()).where(OutboxItem.state != "sent"))
    db.close()
    assert kills == KILLS
    assert len(server) == len(set(server)), "an order reached WineDirect twice"
    assert server == local, "the server's orders differ from the register's"
    assert unsent == 0


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_two_sync_processes_with_sigkills_and_lost_replies_apply_each_order_once(
    demo_db: Database,
):
    """Two engines on one database (the register's and a `sync --once`), killed at
    random moments, a fifth of the replies lost: every order is applied exactly once."""
    ring_demo_sales(demo_db, 500, seed=21)
    path = demo_db.path
    demo_db.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "7")))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with Simulator(seed=9) as sim:
        sim.set_faults(drop_reply_after_write=0.2, latency_ms=5)

        def start() -> subprocess.Popen:
            child = subprocess.Popen(
                [sys.executable, str(CHILD), str(path), sim.url, "--persist"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
            return child

        kills = 0
        for _ in range(25):
            pair = [start(), start()]
            time.sleep(rng.uniform(0.0, 0.4))
            for child in rng.sample(pair, rng.randint(1, 2)):
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                    kills += 1
            for child in pair:
                if child.poll() is None:
                    child.send_signal(signal.SIGKILL)
                child.communicate(timeout=60)
            counts = sim.state.applied("orders")
            assert set(counts.values()) <= {1}, "an order was applied twice"
        sim.set_faults(drop_reply_after_write=0.0)
        pair = [start(), start()]
        outs = [child.communicate(timeout=180)[0] for child in pair]
        assert all("drained" in out for out in outs)
        counts = sim.state.applied("orders")
    local = local_numbers(path)
    assert kills >= 15  # a child that finished first is not killed
    assert sorted(counts) == local, "the server's orders differ from the register's"
    assert set(counts.values()) == {1}, "an order was applied twice"
