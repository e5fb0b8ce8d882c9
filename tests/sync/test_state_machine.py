"""A hypothesis state machine: sales, hand-overs, pulls, faults, crashes and restarts in
any order, holding the invariant that every committed sale ends on WineDirect exactly
once and nothing acknowledged is ever lost.

A "crash" throws the engine away mid-life (with whatever it had in flight) and starts a
new one on the same database, as a restarted process would; lost replies and resets
before writes make sure crashes land between sending and recording.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select

from tastingroom.demo.winery import ring_demo_sales, seed_demo
from tastingroom.fulfilment.pickups import HandOverRefused, hand_over, pickups
from tastingroom.people.staff import Role, list_staff
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.sales import Register
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OutboxItem
from tastingroom.sync.clock import FakeClock
from tastingroom.winedirect.simulator.server import Simulator
from tastingroom.winedirect.simulator.state import SimState

from .conftest import Endpoint, make_engine

_TEMPLATE: Path | None = None


def template() -> Path:
    global _TEMPLATE
    if _TEMPLATE is None:
        folder = Path(tempfile.mkdtemp(prefix="tastingroom-sm-"))
        db = Database.open(folder / "seed.sqlite3")
        seed_demo(db)
        db.backup(folder / "template.sqlite3")
        db.close()
        _TEMPLATE = folder / "template.sqlite3"
    return _TEMPLATE


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="tastingroom-sm-"))
        shutil.copy(template(), self.folder / "db.sqlite3")
        self.db = Database.open(self.folder / "db.sqlite3")
        self.clock = FakeClock()
        self.sim = Simulator(
            SimState.demo(clock=self.clock.now),
            seed=1,
            rate_clock=lambda: self.clock.now().timestamp(),
        ).start()
        self.endpoint = Endpoint(self.sim.url)
        self.engine = make_engine(self.db, self.endpoint, self.clock)
        self.committed: set[str] = set()
        self.acknowledged: set[str] = set()
        self.seed = 0
        self.cashier = next(s for s in list_staff(self.db) if s.role is Role.CASHIER)

    @rule(count=st.integers(1, 6))
    def ring_sales(self, count: int) -> None:
        self.seed += 1
        for sale in ring_demo_sales(self.db, count, seed=self.seed):
            self.committed.add(sale.number)

    @rule()
    def web_pickup_ordered(self) -> None:
        self.sim.state.create_web_order(pickup=True)

    @precondition(lambda self: bool(pickups(self.db)))
    @rule(data=st.data())
    def hand_over_a_pickup(self, data) -> None:
        waiting = [p for p in pickups(self.db) if p.waiting]
        if not waiting:
            return
        target = data.draw(st.sampled_from(waiting))
        settings_ = Register(self.db).settings
        check = check_birth_date(settings_, self.cashier.id, date(1980, 1, 1))
        with contextlib.suppress(HandOverRefused):  # cancelled meanwhile: refused, fine
            hand_over(self.db, target.order_id, self.cashier, check)

    @rule(
        drop=st.sampled_from([0.0, 0.3, 1.0]),
        reset=st.sampled_from([0.0, 0.3]),
        fail=st.sampled_from([0.0, 0.5]),
    )
    def network_changes(self, drop: float, reset: float, fail: float) -> None:
        self.sim.set_faults(drop_reply_after_write=drop, reset_before_write=reset, fail_rate=fail)

    @rule()
    def sync_cycle(self) -> None:
        self.engine.run_once(force=True)
        self.clock.advance(60)

    @rule()
    def crash_and_restart(self) -> None:
        self.engine.close()  # whatever was in flight is simply abandoned, as in a kill
        self.engine = make_engine(self.db, self.endpoint, self.clock)

    @invariant()
    def nothing_twice_and_nothing_acknowledged_lost(self) -> None:
        server = self.sim.state.register_order_numbers()
        assert len(server) == len(set(server)), "an order reached WineDirect twice"
        assert set(server) <= self.committed, "WineDirect holds an order nobody sold"
        with self.db.read() as s:
            sent = set(
                s.scalars(
                    select(Order.number)
                    .join(OutboxItem, OutboxItem.entity_id == Order.id)
                    .where(OutboxItem.kind == "order.upsert", OutboxItem.state == "sent")
                )
            )
        self.acknowledged |= sent
        assert self.acknowledged <= set(server), "an acknowledged order is missing"

    def teardown(self) -> None:
        try:
            self.sim.set_faults(drop_reply_after_write=0.0, reset_before_write=0.0, fail_rate=0.0)
            self.engine.close()
            self.engine = make_engine(self.db, self.endpoint, self.clock, pull=False)
            self.engine.drain()
            server = self.sim.state.register_order_numbers()
            assert sorted(server) == sorted(self.committed), "committed sales did not all arrive"
        finally:
            self.engine.close()
            self.sim.stop()
            self.db.close()
            shutil.rmtree(self.folder, ignore_errors=True)


SyncMachine.TestCase.settings = settings(
    max_examples=12,
    stateful_step_count=18,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSyncMachine = SyncMachine.TestCase
