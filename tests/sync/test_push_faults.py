"""Every committed sale reaches WineDirect exactly once, whatever the network does."""

from __future__ import annotations

import socket
from datetime import timedelta

from sqlalchemy import func, select

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.kinds import Kind
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OutboxItem, Price, Product, Sku, new_id
from tastingroom.sync.clock import FakeClock
from tastingroom.sync.quarantine import list_quarantined, retry

from .conftest import Endpoint, make_engine


def local_numbers(db: Database) -> list[str]:
    with db.read() as s:
        return sorted(s.scalars(select(Order.number).where(Order.source == "register")))


def states(db: Database) -> dict[str, int]:
    with db.read() as s:
        return dict(
            s.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all()
        )


def test_500_orders_with_30_percent_of_replies_lost(demo_db, simulator, engine):
    ring_demo_sales(demo_db, 500, seed=1)
    simulator.set_faults(drop_reply_after_write=0.3)
    engine.pull_enabled = False
    cycles = engine.drain()
    server = simulator.state.register_order_numbers()
    assert len(server) == 500 and len(set(server)) == 500
    assert server == local_numbers(demo_db)
    assert states(demo_db) == {"sent": 500}
    assert cycles > 1  # lost replies were settled by reading back, not by re-sending blindly
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).where(Order.wd_order_id.is_(None))) == 0


def test_only_accepted_orders_are_marked_sent(demo_db, simulator, engine, register, cashier):
    # A SKU the register sells that WineDirect does not know: WineDirect refuses that order.
    with demo_db.write() as s:
        product = Product(id=new_id(), title="Barrel sample", kind=Kind.BOTTLE.value)
        s.add(product)
        s.flush()
        sku = Sku(id=new_id(), product_id=product.id, code="LOCAL-ONLY")
        s.add(sku)
        s.flush()
        s.add(Price(sku_id=sku.id, price_level="Retail", price_cents=3000))
    register.refresh_catalog()
    ring_demo_sales(demo_db, 3, seed=4)
    from datetime import date

    from tastingroom.selling.age import check_birth_date
    from tastingroom.selling.cart import Cart
    from tastingroom.selling.tenders import TenderInput, TenderKind

    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("LOCAL-ONLY"))
    bad = register.commit(
        cart,
        cashier,
        [TenderInput(TenderKind.CASH, 10_000)],
        check_birth_date(register.settings, cashier.id, date(1970, 1, 1)),
    )
    ring_demo_sales(demo_db, 3, seed=5)
    engine.pull_enabled = False
    engine.run_once()
    assert states(demo_db) == {"sent": 6, "quarantined": 1}
    assert bad.number not in simulator.state.register_order_numbers()
    [held] = list_quarantined(demo_db)
    assert held.label == bad.number and "LOCAL-ONLY" in held.reason
    # Corrected on WineDirect's side, it is retried and goes through.
    simulator.state.products[next(iter(simulator.state.products))]["SKUs"].append(
        {
            **simulator.state.products[next(iter(simulator.state.products))]["SKUs"][0],
            "SKU": "LOCAL-ONLY",
        }
    )
    retry(demo_db, held.seq)
    engine.run_once()
    assert states(demo_db) == {"sent": 7}
    assert bad.number in simulator.state.register_order_numbers()


def test_429_storm_waits_for_the_reset_time(demo_db, simulator, engine, clock: FakeClock):
    ring_demo_sales(demo_db, 200, seed=2)
    simulator.set_faults(rate_limit=3, limit_writes=True)
    engine.pull_enabled = False
    engine.batch_size = 10
    report = engine.run_once()
    assert report.error is None and states(demo_db) == {"sent": 200}
    client = engine.client
    assert client.rate_limited >= 6  # the limit really bound, many times
    # Each 429 was waited out until the minute window reset (on WineDirect's clock),
    # never longer than one window, and the request was then sent again.
    assert len(clock.waits) == client.rate_limited
    assert all(0 < w <= 61 for w in clock.waits)
    assert clock.now().second == 0 or clock.waits[-1] < 60
    assert engine.backoff.failures == 0  # 429 is a wait, not a failure
    server = simulator.state.register_order_numbers()
    assert len(server) == len(set(server)) == 200
    assert all(n == 1 for n in simulator.state.applied("orders").values())


def test_72_hours_offline_then_everything_arrives_once(demo_db, simulator, clock: FakeClock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    endpoint = Endpoint(dead)
    engine = make_engine(demo_db, endpoint, clock, pull=False)
    rung = 0
    for hour in range(72):  # three days offline: 14 sales an hour, 1,008 in all
        ring_demo_sales(demo_db, 14, seed=hour)
        rung += 14
        hour_ends = clock.now() + timedelta(hours=1)
        while clock.now() < hour_ends:  # the engine keeps trying on its own schedule
            engine.run_once()
            clock.advance(max(1.0, engine.seconds_until_next_attempt()))
    assert rung >= 1000
    assert states(demo_db) == {"pending": rung}
    assert engine.backoff.state in ("open", "half-open")
    endpoint.url = simulator.url  # the network is back
    engine.close()
    engine.drain()
    server = simulator.state.register_order_numbers()
    assert len(server) == len(set(server)) == rung
    assert server == local_numbers(demo_db)
    assert engine.backoff.state == "closed"


def test_circuit_half_opens_to_probe(demo_db, clock: FakeClock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    engine = make_engine(demo_db, Endpoint(dead), clock, pull=False)
    ring_demo_sales(demo_db, 1, seed=9)
    delays = []
    for _ in range(8):
        engine.run_once(force=True)
        delays.append(engine.seconds_until_next_attempt())
    assert engine.backoff.state == "open"
    assert all(d <= engine.backoff.cap_s for d in delays[:4])
    assert delays[-1] == engine.backoff.open_for_s  # each failed probe re-opens it
    assert not engine.run_once().ran  # while open, nothing is attempted
