"""Sync as a real tasting room runs it: two engines, two registers, a wrong clock, poison
rows, a busy account, one pickup handed over twice, and a status that tells the truth.

Every test runs against the simulator over real HTTP on 127.0.0.1 and judges by what
the simulator actually applied (`SimState.applied`, `SimState.overwritten`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, text, update

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.fulfilment.pickups import hand_over, pickups
from tastingroom.people.customers import NewCustomer, add_customer
from tastingroom.selling.age import check_birth_date
from tastingroom.status import end_of_day_warning, read_status
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OutboxItem, SyncMark
from tastingroom.sync.clock import FakeClock
from tastingroom.sync.engine import SyncEngine
from tastingroom.sync.lock import SyncLock
from tastingroom.sync.push import Item, Pusher
from tastingroom.sync.remote import known_ids
from tastingroom.winedirect.simulator.server import Simulator
from tastingroom.winedirect.simulator.state import SimState

from .conftest import CREDENTIALS, Endpoint, make_engine, terminal


def states(db: Database) -> dict[str, int]:
    with db.read() as s:
        return dict(
            s.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all()
        )


def applied_once(sim: Simulator) -> bool:
    counts = sim.state.applied("orders")
    return bool(counts) and set(counts.values()) == {1}


# --- 1. one engine per database --------------------------------------------------------------


def test_a_second_engine_on_the_same_database_does_nothing_and_says_who_syncs(
    demo_db, endpoint, clock, simulator
):
    ring_demo_sales(demo_db, 30, seed=1)
    first = make_engine(demo_db, endpoint, clock, pull=False)
    second = make_engine(Database.open(demo_db.path), endpoint, clock, pull=False)
    try:
        assert first.take_lock()
        report = second.run_once(force=True)
        assert not report.ran and "process" in report.busy
        assert states(demo_db) == {"pending": 30}  # the second sent nothing
        first.drain()
        first.close()  # the lock goes with it
        assert second.run_once(force=True).ran
        assert applied_once(simulator) and len(simulator.state.applied("orders")) == 30
    finally:
        first.close()
        second.close()
        second.db.close()


def test_rows_are_claimed_atomically_so_no_row_goes_to_two_senders(demo_db, endpoint, clock):
    """Even if two pushers ever ran at once (the lock is the first guard), one UPDATE
    decides which of them takes each row."""
    ring_demo_sales(demo_db, 5, seed=2)
    engine = make_engine(demo_db, endpoint, clock)
    try:
        settings = read_status(demo_db)  # noqa: F841 (the settings below are the store's)
        from tastingroom.settings import load_settings

        with demo_db.read() as s:
            store = load_settings(s)
        a = Pusher(demo_db, engine.client, store, engine.server_time, claimant="engine-a")
        b = Pusher(demo_db, engine.client, store, engine.server_time, claimant="engine-b")
        batch = a.next_batch()
        assert len(batch) == 5
        assert len(a._claim(batch)) == 5
        assert b._claim(batch) == []
        assert b.next_batch() == []  # claimed rows are not even offered to another
    finally:
        engine.close()


def test_sync_once_beside_a_running_engine_says_so_and_exits_0(demo_db, simulator, tmp_path):
    """The closing-time warning suggests `tastingroom sync --once`; with the register's
    own engine running it must not send the same rows again."""
    ring_demo_sales(demo_db, 3, seed=3)
    holder = SyncLock(demo_db.path, "the register")
    assert holder.acquire()
    env = {
        "TASTINGROOM_WINEDIRECT_USERNAME": CREDENTIALS.username,
        "TASTINGROOM_WINEDIRECT_PASSWORD": CREDENTIALS.password,
        "PATH": "/usr/bin:/bin",
    }
    with demo_db.write() as s:
        from tastingroom.settings import save_settings

        save_settings(s, winedirect_url=simulator.url)
    command = [sys.executable, "-m", "tastingroom.cli", "--data-dir", str(demo_db.path.parent)]
    try:
        done = subprocess.run(
            [*command, "sync", "--once"], capture_output=True, text=True, env=env, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert "already syncing" in done.stdout and "the register" in done.stdout
        assert simulator.state.applied("orders") == {}
    finally:
        holder.release()
    done = subprocess.run(
        [*command, "sync", "--once", "--wait", "5"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Sent 3")
    assert applied_once(simulator)


# --- 2. two registers with one prefix --------------------------------------------------------


def test_a_second_register_with_the_same_prefix_never_overwrites_the_first(
    tmp_path: Path, demo_template, simulator, endpoint, clock
):
    first = terminal(tmp_path, demo_template, "one", "TR7")
    second = terminal(tmp_path, demo_template, "two", "TR7")
    try:
        ring_demo_sales(first, 3, seed=1)
        engine = make_engine(first, endpoint, clock)
        engine.drain()
        engine.close()
        ring_demo_sales(second, 3, seed=2)  # the same numbers TR7-000001..3
        engine = make_engine(second, endpoint, clock)
        report = engine.run_once()
        engine.close()
        assert report.blocked and report.sent == 0
        assert simulator.state.overwritten() == []
        assert len(simulator.state.register_order_numbers()) == 3
        status = read_status(second)
        assert any("TR7" in p and "new-series" in p for p in status.problems)
        assert not status.healthy
        # The manager's way out: a new series, renumbering what never left.
        from tastingroom.selling.numbering import start_new_series

        new_prefix = start_new_series(second, "shared prefix", renumber_unsent=True)
        engine = make_engine(second, endpoint, clock)
        engine.drain()
        engine.close()
        server = simulator.state.register_order_numbers()
        assert len(server) == len(set(server)) == 6
        assert sum(n.startswith(f"{new_prefix}-") for n in server) == 3
        assert simulator.state.overwritten() == [] and applied_once(simulator)
        assert read_status(second).problems == ()
    finally:
        first.close()
        second.close()


# --- 4. clocks -------------------------------------------------------------------------------


def test_a_register_clock_a_day_ahead_still_reads_back_a_lost_reply(demo_db, simulator):
    wd_clock = FakeClock()
    simulator.state._clock = wd_clock.now  # WineDirect keeps the right time
    register_clock = FakeClock(wd_clock.now() + timedelta(days=1))
    ring_demo_sales(demo_db, 6, seed=4)
    engine = make_engine(demo_db, Endpoint(simulator.url), register_clock, pull=False)
    try:
        simulator.set_faults(drop_reply_after_write=1.0)
        engine.run_once(force=True)
        assert len(simulator.state.applied("orders")) == 6  # applied; the answers were lost
        simulator.set_faults(drop_reply_after_write=0.0)
        engine.drain()
        assert states(demo_db) == {"sent": 6}
        assert applied_once(simulator)  # found by reading back, never sent twice
    finally:
        engine.close()


def test_a_date_from_the_future_never_hides_later_changes(demo_db, simulator, engine, clock):
    engine.run_once()
    product_id = next(iter(simulator.state.products))
    simulator.state.stamp_future("products", product_id, datetime(2030, 1, 1, tzinfo=UTC))
    web = simulator.state.create_web_order(pickup=True)
    simulator.state.stamp_future("orders", web["OrderID"], datetime(2030, 1, 1, tzinfo=UTC))
    engine.run_once(force=True)
    with demo_db.read() as s:
        marks = {m.name: m.value for m in s.scalars(select(SyncMark))}
    assert all(v <= clock.now() + timedelta(minutes=2) for v in marks.values()), marks
    clock.advance(120)
    later = simulator.state.create_web_order(pickup=True)
    engine.run_once(force=True)
    numbers = {p.number for p in pickups(demo_db)}
    assert str(int(later["OrderNumber"])) in numbers  # pulled, not hidden behind 2030


def test_oldest_waiting_is_never_negative(demo_db):
    ring_demo_sales(demo_db, 1, seed=5)
    with demo_db.write() as s:
        s.execute(update(OutboxItem).values(created_at=datetime.now(UTC) + timedelta(hours=3)))
    status = read_status(demo_db)
    assert status.oldest_pending_age_s == 0
    assert "-" not in status.render().split("Oldest waiting:")[1].splitlines()[0]


# --- 5. poison rows --------------------------------------------------------------------------


def test_a_name_with_a_form_feed_goes_up_as_well_formed_xml(demo_db, simulator, engine, register):
    add_customer(
        demo_db,
        NewCustomer(first_name="Form\x0cFeed", last_name="Guest", email="ff@example.com"),
    )
    engine.pull_enabled = False
    report = engine.run_once()
    assert report.error is None and report.sent == 1
    assert states(demo_db) == {"sent": 1}


def test_one_poison_order_is_quarantined_and_the_rest_go_on(demo_db, simulator, engine):
    ring_demo_sales(demo_db, 30, seed=6)
    with demo_db.write() as s:
        victim = s.scalars(select(Order).order_by(Order.number).offset(12).limit(1)).one()
        victim.lines[0].name = "POISON cuvée"
        victim_number = victim.number
    simulator.set_faults(fault_on_text="POISON")
    engine.pull_enabled = False
    engine.drain()
    assert states(demo_db) == {"sent": 29, "quarantined": 1}
    applied = simulator.state.applied("orders")
    assert victim_number not in applied and len(applied) == 29 and applied_once(simulator)
    status = read_status(demo_db)
    assert status.quarantined == 1 and "CFCInvocationException" in status.quarantine_reasons[0]


def test_an_amount_that_is_not_a_number_is_refused_here_and_blocks_nothing(
    demo_db, simulator, engine
):
    ring_demo_sales(demo_db, 4, seed=7)
    with demo_db.write() as s:
        number = s.scalar(select(Order.number).order_by(Order.number).limit(1))
        s.execute(
            text("UPDATE sale_order SET total_cents = 9e999 WHERE number = :n"), {"n": number}
        )
    engine.pull_enabled = False
    engine.drain()
    assert states(demo_db) == {"sent": 3, "quarantined": 1}
    assert number not in simulator.state.applied("orders")
    assert "cannot be sent as it is stored" in read_status(demo_db).quarantine_reasons[0]


def test_malformed_replies_are_retried_and_drain_exactly_once(demo_db, simulator, clock):
    ring_demo_sales(demo_db, 60, seed=8)
    simulator.set_faults(malformed_rate=0.3)
    engine = make_engine(demo_db, Endpoint(simulator.url), clock, pull=False)
    try:
        runs = 0
        while states(demo_db) != {"sent": 60} and runs < 40:
            engine.run_once(force=True)
            runs += 1
        assert states(demo_db) == {"sent": 60}, f"still waiting after {runs} runs"
        assert applied_once(simulator)
    finally:
        engine.close()


def test_a_product_that_cannot_be_stored_is_set_aside_and_the_pull_completes(
    demo_db, simulator, engine
):
    state = simulator.state
    product = next(p for p in state.products.values() if p["SKUs"])
    prices = product["SKUs"][0]["Prices"]
    prices.append(dict(prices[0], Price=prices[0]["Price"] + Decimal("1.00")))  # two at one level
    report = engine.run_once()
    assert report.error is None and report.pulled["orders"] > 0
    status = read_status(demo_db)
    assert any(product["Title"] in p for p in status.problems)
    assert not status.healthy and status.online  # online, but not all well: it says so
    assert "online, with problems" in status.render()
    prices.pop()  # WineDirect corrected it
    product["DateModified"] = state.now() + timedelta(seconds=1)
    engine.run_once(force=True)
    assert read_status(demo_db).problems == ()


def test_a_product_priced_1e30_is_set_aside_and_the_rest_of_the_catalog_comes_down(
    demo_db, simulator, engine
):
    """A reply value no real price can have is refused by the client (hostile input);
    the sync engine sets that one product aside instead of failing the whole pull."""
    state = simulator.state
    product = next(p for p in state.products.values() if p["SKUs"])
    good_price = product["SKUs"][0]["Prices"][0]["Price"]
    product["SKUs"][0]["Prices"][0]["Price"] = Decimal("1E+30")
    report = engine.run_once()
    assert report.error is None and report.pulled["catalog"] == len(state.products) - 1
    status = read_status(demo_db)
    assert any(
        product["ProductID"] in p and "1E+30" in p and "set aside" in p for p in status.problems
    )
    product["SKUs"][0]["Prices"][0]["Price"] = good_price  # corrected in WineDirect
    product["DateModified"] = state.now() + timedelta(seconds=1)
    engine.run_once(force=True)
    assert read_status(demo_db).problems == ()


# --- 6. bounded read-back, and a first pull under the real limit -------------------------------


def test_read_back_reads_each_other_terminals_order_once_and_finishes_under_the_limit(
    demo_db, simulator, clock
):
    ring_demo_sales(demo_db, 10, seed=9)
    engine = make_engine(demo_db, Endpoint(simulator.url), clock, pull=False)
    try:
        engine.run_once(force=True)  # checks the prefix, sends the first ten
        simulator.state.add_foreign_register_orders("BAR", 300)  # a busy day next door
        for round_ in range(3):  # three lost replies in a day
            ring_demo_sales(demo_db, 10, seed=10 + round_)
            simulator.set_faults(drop_reply_after_write=1.0, rate_limit=60)
            engine.run_once(force=True)  # applied, answers lost
            simulator.set_faults(drop_reply_after_write=0.0)
            engine.drain()
            assert states(demo_db) == {"sent": 20 + 10 * round_} and applied_once(simulator)
        # Each of the 300 other orders' details was read at most once over the three
        # read-backs, beside our own 30 whose answers were lost.
        assert engine.client.calls["GetOrderDetail"] <= 300 + 30
        assert engine.client.rate_limited > 0  # the limit bound, and was waited out
    finally:
        engine.close()


def test_a_new_terminals_first_pull_reads_no_detail_of_other_terminals_orders(
    tmp_path: Path, demo_template, simulator, endpoint, clock
):
    simulator.state.add_foreign_register_orders("BAR", 400)
    simulator.set_faults(rate_limit=480)
    db = terminal(tmp_path, demo_template, "new", "NEW1")
    engine = make_engine(db, endpoint, clock)
    try:
        engine.run_once()
        with db.read() as s:
            foreign = [o for o in simulator.state.orders.values() if o["IsExternalOrder"]]
            assert known_ids(s, (o["OrderID"] for o in foreign)) == set()
        assert read_status(db).healthy
    finally:
        engine.close()
        db.close()


# --- 7. one pickup, two registers -----------------------------------------------------------


def test_a_pickup_handed_over_on_two_offline_registers_is_a_problem_not_sent(
    tmp_path: Path, demo_template, simulator, endpoint, clock
):
    web = simulator.state.create_web_order(pickup=True)
    number = str(int(web["OrderNumber"]))
    bar = terminal(tmp_path, demo_template, "bar", "BAR1")
    patio = terminal(tmp_path, demo_template, "patio", "PAT1")
    try:
        for db in (bar, patio):
            engine = make_engine(db, endpoint, clock)
            engine.run_once()
            engine.close()
        # Both go offline, and both hand it over.
        from tastingroom.people.staff import Role, list_staff
        from tastingroom.selling.sales import Register

        for db in (bar, patio):
            staff = next(s for s in list_staff(db) if s.role is Role.CASHIER)
            register = Register(db)
            check = check_birth_date(register.settings, staff.id, date(1970, 1, 1))
            order_id = next(p.order_id for p in pickups(db) if p.number == number)
            hand_over(db, order_id, staff, check)
            clock.advance(90)
        for db in (bar, patio):
            engine = make_engine(db, endpoint, clock)
            engine.drain()
            engine.close()
        assert simulator.state.applied("pickups") == {number: 1}
        assert states(bar).get("sent", 0) >= 1 and "conflict" not in states(bar)
        assert states(patio).get("conflict") == 1
        status = read_status(patio)
        twice = [p for p in status.problems if f"Pickup {number}" in p]
        assert twice and "Alex Rivera" in twice[0] and "handed over twice" in twice[0]
        assert f"Pickup {number}" in end_of_day_warning(patio)
    finally:
        bar.close()
        patio.close()


# --- 8. an honest status ----------------------------------------------------------------------


def test_a_pull_that_fails_every_cycle_is_never_shown_as_online(demo_db, simulator, clock):
    """The restarted demo: its simulator re-made web orders with the same numbers and new
    ids. Each is set aside with its reason; the status says so, in status --json too."""
    engine = make_engine(demo_db, Endpoint(simulator.url), clock)
    engine.run_once()
    engine.close()
    again = Simulator(
        SimState.demo(clock=clock.now), seed=11, rate_clock=lambda: clock.now().timestamp()
    ).start()
    try:
        engine = make_engine(demo_db, Endpoint(again.url), clock)
        report = engine.run_once(force=True)
        engine.close()
        assert report.error is None and report.problems
        status = read_status(demo_db)
        assert status.online and not status.healthy
        assert any("already held here under another WineDirect id" in p for p in status.problems)
        as_json = status.as_dict()
        assert as_json["problems"] and json.dumps(as_json)
    finally:
        again.stop()


def test_an_engine_that_crashes_on_our_side_says_so(demo_db, simulator, clock, monkeypatch):
    engine = make_engine(demo_db, Endpoint(simulator.url), clock)
    try:
        engine.run_once()
        assert read_status(demo_db).healthy

        def broken(self, should_stop=None):
            raise RuntimeError("disk went away")

        monkeypatch.setattr(Pusher, "drain", broken)
        report = engine.run_once(force=True)
        assert report.error and "disk went away" in report.error
        status = read_status(demo_db)
        assert status.online is False and "disk went away" in status.problems[0]
    finally:
        engine.close()


def test_status_json_lists_problems(demo_db, tmp_path):
    from tastingroom.cli import main

    assert main(["--data-dir", str(demo_db.path.parent), "status", "--json"]) == 0


def _unused(item: Item, engine: SyncEngine) -> None:  # keeps imports honest for readers
    del item, engine
