"""The orders screen's search: any part of a number, tracking number, name or email, from
the trigram index kept by triggers (`store.order_search`), at any history."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import select, update

from tastingroom.selling.orders import list_orders
from tastingroom.selling.sales import Register
from tastingroom.store.database import Database
from tastingroom.store.migrate import upgrade
from tastingroom.store.models import Customer, Order
from tests.engine.test_receipt import a_sale


def numbers(db: Database, query: str) -> set[str]:
    return {row.number for row in list_orders(db, query)}


def a_customer_sale(register: Register, cashier, first: str, last: str, email: str) -> str:
    with register.db.write() as s:
        customer = Customer(first_name=first, last_name=last, email=email)
        s.add(customer)
        s.flush()
        customer_id = customer.id
    sale = a_sale(register, cashier, "FOOD-OLIVE")
    with register.db.write() as s:
        s.execute(update(Order).where(Order.id == sale.order_id).values(customer_id=customer_id))
    return sale.number


def test_any_part_of_a_number_name_email_or_tracking_number_finds_the_order(
    register: Register, cashier
):
    db = register.db
    dana = a_customer_sale(register, cashier, "Dana", "Cruz", "dana.cruz@example.com")
    other = a_customer_sale(register, cashier, "Lee", "Park", "lee@example.org")
    with db.write() as s:
        s.execute(update(Order).where(Order.number == other).values(tracking_number="1Z999AA1"))
    assert numbers(db, "cruz") == {dana}
    assert numbers(db, "DANA C") == {dana}  # across the first and last name, any case
    assert numbers(db, "example.com") == {dana}
    assert numbers(db, "999aa") == {other}
    assert numbers(db, dana[-4:]) >= {dana}
    assert numbers(db, "no such thing") == set()
    assert numbers(db, 'a "quote') == set()  # FTS syntax in a search is only text


def test_a_search_never_matches_across_two_fields(register: Register, cashier):
    number = a_customer_sale(register, cashier, "Ann", "Lee", "ann@x.org")
    assert numbers(register.db, "x.organn") == set()
    assert numbers(register.db, f"{number[-3:]}ann") == set()


def test_searches_shorter_than_three_characters_find_nothing(register: Register, cashier):
    a_customer_sale(register, cashier, "Al", "Bo", "ab@x.org")
    assert list_orders(register.db, "ab") == []
    assert len(list_orders(register.db, "")) == 1  # no search: the newest orders


def test_a_renamed_customer_is_found_by_the_new_name_only(register: Register, cashier):
    db = register.db
    number = a_customer_sale(register, cashier, "Robin", "Oldname", "robin@x.org")
    with db.write() as s:
        customer = s.scalar(select(Customer).where(Customer.last_name == "Oldname"))
        customer.last_name = "Newname"
        customer.email = "robin@y.org"
    assert numbers(db, "newname") == {number}
    assert numbers(db, "oldname") == set() and numbers(db, "x.org") == set()


def test_a_deleted_order_leaves_the_index(register: Register, cashier):
    db = register.db
    number = a_customer_sale(register, cashier, "Kim", "Gone", "kim@x.org")
    with db.write() as s:
        order = s.scalar(select(Order).where(Order.number == number))
        s.execute(update(Order).where(Order.id == order.id).values(number="WEB-1"))
    assert numbers(db, "WEB-1") == {"WEB-1"} and numbers(db, number) == set()
    conn = sqlite3.connect(db.path)
    try:
        with conn:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("DELETE FROM sale_order WHERE number = 'WEB-1'")
        assert conn.execute("SELECT count(*) FROM order_search").fetchone() == (0,)
    finally:
        conn.close()


def test_orders_recorded_before_the_index_existed_are_found_after_the_upgrade(tmp_path: Path):
    """A store upgraded from 0004 keeps its history searchable: the migration fills the
    index from every order already there."""
    path = tmp_path / "tastingroom.sqlite3"
    upgrade(path, "0004")  # a store as the last version left it
    conn = sqlite3.connect(path)
    try:
        with conn:
            conn.execute(
                "INSERT INTO sale_order (id, number, source, status, transaction_type, "
                "created_at, fulfilment, subtotal_cents, discount_cents, tax_cents, "
                "shipping_cents, tip_cents, total_cents, date_modified) VALUES "
                "('o-1', 'OLD-424242', 'register', 'completed', 'order', "
                "'2026-01-02 10:00:00', 'carry_out', 0, 0, 0, 0, 0, 0, '2026-01-02 10:00:00')"
            )
    finally:
        conn.close()
    db = Database.open(path)
    try:
        assert numbers(db, "24242") == {"OLD-424242"}
    finally:
        db.close()
