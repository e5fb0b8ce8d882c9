"""The world comes back: pickups, tracking numbers, customers, refunds, two terminals."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.fulfilment.pickups import HandOverRefused, hand_over, pickups
from tastingroom.people.customers import NewCustomer, add_customer
from tastingroom.people.staff import Action, approve
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart, ShipTo
from tastingroom.selling.refunds import load_original
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.status import end_of_day_warning, read_status
from tastingroom.store.models import Customer, Order, OutboxItem, ShippingAddress

from .conftest import make_engine, terminal


def adult(register, staff):
    return check_birth_date(register.settings, staff.id, date(1975, 6, 1))


def test_a_web_pickup_arrives_is_handed_over_and_shows_picked_up(
    demo_db, simulator, engine, register, cashier
):
    web = simulator.state.create_web_order(pickup=True)
    engine.run_once()
    waiting = {p.number: p for p in pickups(demo_db)}
    number = str(int(web["OrderNumber"]))
    assert number in waiting and waiting[number].waiting
    assert pickups(demo_db, query=number)[0].order_id == waiting[number].order_id
    with pytest.raises(HandOverRefused, match="ID"):
        hand_over(demo_db, waiting[number].order_id, cashier, None)
    hand_over(demo_db, waiting[number].order_id, cashier, adult(register, cashier))
    with pytest.raises(HandOverRefused, match="already picked up"):
        hand_over(demo_db, waiting[number].order_id, cashier, adult(register, cashier))
    engine.run_once()
    held = simulator.state.orders[web["OrderID"]]
    assert held["PickupDate"] is not None and held["ShippingStatus"] == "Picked Up"
    assert not simulator.state.is_pending_pickup(held)
    with demo_db.read() as s:
        kinds = {row.kind: row.state for row in s.scalars(select(OutboxItem))}
    assert kinds["order.pickup"] == "sent"


def test_handed_over_on_the_web_and_here_is_one_hand_over(
    demo_db, simulator, engine, register, cashier
):
    web = simulator.state.create_web_order(pickup=True)
    engine.run_once()
    [mine] = [p for p in pickups(demo_db) if p.number == str(int(web["OrderNumber"]))]
    hand_over(demo_db, mine.order_id, cashier, adult(register, cashier))
    simulator.state.post_pickup({"OrderNumber": str(int(web["OrderNumber"])), "isPickedUp": True})
    first = simulator.state.orders[web["OrderID"]]["PickupDate"]
    engine.run_once()
    engine.run_once()
    assert read_status(demo_db).quarantined == 0 and read_status(demo_db).pending == 0
    assert simulator.state.orders[web["OrderID"]]["PickupDate"] == first  # one hand-over


def test_cancelled_on_the_web_is_refused_here(demo_db, simulator, engine, register, cashier):
    web = simulator.state.create_web_order(pickup=True)
    engine.run_once()
    simulator.state.cancel_order(web["OrderID"])
    engine.run_once()
    [gone] = [p for p in pickups(demo_db) if p.number == str(int(web["OrderNumber"]))]
    assert gone.status == "cancelled" and not gone.waiting
    with pytest.raises(HandOverRefused, match="cancelled"):
        hand_over(demo_db, gone.order_id, cashier, adult(register, cashier))


def test_a_shipped_register_order_gets_its_tracking_number(
    demo_db, simulator, engine, register, cashier
):
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("CS21"), 6)
    cart.ship_to = ShipTo("Ana", "Silva", "1 Pike St", "Seattle", "WA", "98101", 2500)
    total = register.price(cart).total_cents
    sale = register.commit(
        cart, cashier, [TenderInput(TenderKind.CASH, total)], adult(register, cashier)
    )
    engine.run_once()
    with demo_db.read() as s:
        wd_id = s.get(Order, sale.order_id).wd_order_id
    wd_order = simulator.state.orders[wd_id]
    assert wd_order["ShipToAddress"]["City"] == "Seattle" and wd_order["Shipping"] == 25
    simulator.state.ship_order(wd_id)
    engine.run_once()
    with demo_db.read() as s:
        order = s.get(Order, sale.order_id)
    assert order.tracking_number == wd_order["TrackingNumber"]
    assert order.shipping_status == "Shipped" and order.wd_order_number


def test_our_orders_are_never_imported_as_web_orders(demo_db, simulator, engine):
    ring_demo_sales(demo_db, 5, seed=3)
    engine.run_once()
    engine.run_once()
    with demo_db.read() as s:
        register_orders = s.scalars(select(Order).where(Order.source == "register")).all()
        web_numbers = set(s.scalars(select(Order.number).where(Order.source == "web")))
    assert len(register_orders) == 5 and all(o.wd_order_id for o in register_orders)
    assert not web_numbers & {
        str(int(o["OrderNumber"])) for o in simulator.state.orders.values() if o["IsExternalOrder"]
    }


def test_saved_addresses_are_adopted_not_copied_when_winedirect_numbers_them(
    demo_db, simulator, engine
):
    with demo_db.read() as s:
        before = s.scalar(select(func.count()).select_from(ShippingAddress))
    engine.run_once()
    engine.run_once()
    with demo_db.read() as s:
        rows = s.scalars(select(ShippingAddress)).all()
    assert len(rows) == before
    assert all(r.wd_address_id for r in rows)
    keys = [(r.customer_id, r.address, r.zip_code) for r in rows]
    assert len(set(keys)) == len(keys)


def test_new_customers_go_up_and_local_changes_are_not_overwritten(demo_db, simulator, engine):
    ours = add_customer(demo_db, NewCustomer("Søren", "Andersson", "soren@example.com"))
    engine.run_once()
    with demo_db.read() as s:
        wd_id = s.get(Customer, ours).wd_contact_id
    assert wd_id and simulator.state.contacts[wd_id]["FirstName"] == "Søren"
    assert simulator.state.alt_contact_ids[ours] == wd_id
    # Changed on the web and here at once: the local, unsent change is kept.
    simulator.state.contacts[wd_id]["LastName"] = "Web-Edit"
    simulator.state.contacts[wd_id]["DateModified"] = simulator.state.now()
    with demo_db.write() as s:
        s.get(Customer, ours).last_name = "Local-Edit"
        from tastingroom.sync.outbox import OutboxKind, enqueue

        enqueue(s, OutboxKind.CONTACT, ours, revision=1)
    engine.puller_only = True
    engine.pull_enabled = True
    from tastingroom.sync.pull import Puller

    Puller(demo_db, engine.client, register_settings(demo_db), engine.server_time).pull_contacts()
    with demo_db.read() as s:
        assert s.get(Customer, ours).last_name == "Local-Edit"
    engine.run_once()
    assert simulator.state.contacts[wd_id]["LastName"] == "Local-Edit"


def register_settings(db):
    from tastingroom.settings import load_settings

    with db.read() as s:
        return load_settings(s)


def test_refunds_and_voids_reach_winedirect(demo_db, simulator, engine, register, cashier, manager):
    sales = ring_demo_sales(demo_db, 3, seed=8)
    engine.run_once()
    refund_ok = approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222")
    # Back to the tenders the demo sale was paid with (another needs a manager's approval).
    original = load_original(demo_db, sales[0].order_id)
    back = [
        TenderInput(p.kind, p.paid_cents, p.card_type, p.card_last4, "R1" if p.card_type else None)
        for p in original.tenders
    ]
    refund = register.refund_sale(sales[0].order_id, cashier, refund_ok, back)
    register.void_sale(
        sales[1].order_id,
        cashier,
        approve(demo_db, Action.VOID_SALE, cashier.id, manager.id, "2222"),
    )
    engine.run_once()
    numbers = simulator.state.register_order_numbers()
    assert refund.number in numbers and f"{sales[1].number}-VOID" in numbers
    refunded = simulator.state.orders[simulator.state.register_orders[refund.number]]
    assert refunded["TransactionType"] == "Refund"
    assert read_status(demo_db).pending == 0


def test_two_terminals_one_simulator(tmp_path: Path, demo_template, simulator, endpoint, clock):
    first = terminal(tmp_path, demo_template, "one", "TR1")
    second = terminal(tmp_path, demo_template, "two", "TR2")
    try:
        ring_demo_sales(first, 40, seed=1)
        ring_demo_sales(second, 40, seed=2)
        for db in (first, second, first):
            engine = make_engine(db, endpoint, clock)
            engine.drain()
            engine.close()
        server = simulator.state.register_order_numbers()
        assert len(server) == len(set(server)) == 80
        assert sum(n.startswith("TR1-") for n in server) == 40
        for db in (first, second):
            with db.read() as s:
                assert (
                    s.scalar(
                        select(Order.id).where(Order.source == "web", Order.number.like("TR%"))
                    )
                    is None
                )
                assert len(s.scalars(select(Order).where(Order.source == "register")).all()) == 40
    finally:
        first.close()
        second.close()


def test_end_of_day_warning(demo_db, simulator, engine):
    assert end_of_day_warning(demo_db) is None
    ring_demo_sales(demo_db, 2, seed=6)
    warning = end_of_day_warning(demo_db)
    assert warning and "2 item(s) have not reached WineDirect" in warning
    engine.run_once()
    assert end_of_day_warning(demo_db) is None
    status = read_status(demo_db).as_dict()
    assert status["online"] is True and status["last_push_at"] and status["last_pull_at"]
