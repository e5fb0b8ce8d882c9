"""The engine on its thread: a committed sale wakes it at once; stop() is clean."""

from __future__ import annotations

import time
from datetime import date

import pytest
from sqlalchemy import select

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.people.staff import Action, AuthError, approve
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.models import Order, OutboxItem
from tastingroom.sync.engine import SyncEngine, SyncThread
from tastingroom.sync.quarantine import QuarantineError, list_quarantined, void
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.simulator.server import Simulator

from .conftest import CREDENTIALS


def wait_until(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def sell(register, cashier):
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    total = register.price(cart).total_cents
    check = check_birth_date(register.settings, cashier.id, date(1980, 1, 1))
    return register.commit(cart, cashier, [TenderInput(TenderKind.CASH, total)], check)


def test_a_sale_wakes_the_thread_and_stop_is_clean(demo_db, register, cashier):
    with Simulator() as sim:
        engine = SyncEngine(demo_db, lambda: WineDirectClient(sim.url, CREDENTIALS), pull=False)
        thread = SyncThread(engine, interval_s=3600).start()  # only a wake-up makes it sync now
        try:
            assert wait_until(lambda: engine.backoff.failures == 0 and engine._client is not None)
            register.after_commit.append(lambda sale: thread.wake())
            sale = sell(register, cashier)
            assert wait_until(lambda: sim.state.register_order_numbers() == [sale.number])
        finally:
            thread.stop(timeout=30)
        assert not thread.alive
        with demo_db.read() as s:
            assert s.scalar(select(OutboxItem.in_flight_at)) is None  # nothing half-recorded


def test_register_commits_call_their_hooks(register, cashier):
    seen = []
    register.after_commit.append(seen.append)
    sale = sell(register, cashier)
    assert seen == [sale]


def test_voiding_a_quarantined_order_needs_a_manager(demo_db, simulator, engine, cashier, manager):
    ring_demo_sales(demo_db, 1, seed=3)
    with demo_db.write() as s:  # make WineDirect refuse it
        s.scalars(select(Order)).first().lines[0].sku_code = "NO-SUCH-SKU"
    engine.pull_enabled = False
    engine.run_once()
    [held] = list_quarantined(demo_db)
    with pytest.raises(AuthError):
        void(demo_db, held.seq, cashier, None)
    void(
        demo_db,
        held.seq,
        cashier,
        approve(demo_db, Action.VOID_QUARANTINED, cashier.id, manager.id, "2222"),
    )
    assert list_quarantined(demo_db) == []
    with demo_db.read() as s:
        assert s.scalars(select(Order)).first().status == "voided"
    with pytest.raises(QuarantineError):
        void(
            demo_db,
            held.seq,
            cashier,
            approve(demo_db, Action.VOID_QUARANTINED, cashier.id, manager.id, "2222"),
        )
