from __future__ import annotations

import pytest
from sqlalchemy import select

from tastingroom.people.customers import (
    CustomerError,
    NewCustomer,
    add_customer,
    search,
    ship_to_customer,
)
from tastingroom.selling.cart import CartError
from tastingroom.store.database import Database
from tastingroom.store.models import Customer, OutboxItem, ShippingAddress


def test_search_by_name_email_and_phone(demo_db: Database):
    with demo_db.read() as s:
        someone = s.scalars(select(Customer).limit(1)).one()
        assert someone in search(s, someone.last_name)
        assert someone in search(s, someone.email.upper())
        formatted = f"({someone.phone[:3]}) {someone.phone[3:6]}-{someone.phone[6:]}"
        assert someone in search(s, formatted)
        assert search(s, "  ") == []


def test_new_customers_are_queued_for_winedirect(demo_db: Database):
    new_id = add_customer(
        demo_db, NewCustomer("Renée", "Dubois", "Renee@Example.com", "707-555-0101")
    )
    with demo_db.read() as s:
        row = s.get(Customer, new_id)
        assert (row.email, row.phone) == ("renee@example.com", "7075550101")
        item = s.scalar(select(OutboxItem).where(OutboxItem.entity_id == new_id))
        assert item.kind == "contact.upsert"
    with pytest.raises(CustomerError):
        NewCustomer("", "")
    with pytest.raises(CustomerError):
        NewCustomer("A", "B", email="not-an-email")


def test_ship_to_the_customer_or_a_saved_address(demo_db: Database):
    with demo_db.read() as s:
        saved = s.scalars(select(ShippingAddress).limit(1)).one()
        other = s.scalar(select(Customer.id).where(Customer.id != saved.customer_id).limit(1))
        home = ship_to_customer(s, saved.customer_id, 1200)
        customer = s.get(Customer, saved.customer_id)
        assert (home.address, home.state, home.shipping_cents) == (
            customer.address,
            customer.state,
            1200,
        )
        chosen = ship_to_customer(s, saved.customer_id, 0, saved.id)
        assert chosen.zip_code == saved.zip_code
        with pytest.raises(CustomerError):
            ship_to_customer(s, other, 0, saved.id)
        nobody = Customer(id="x", first_name="No", last_name="Address")
        s.add(nobody)
        s.flush()
        with pytest.raises(CartError, match="street address"):
            ship_to_customer(s, "x", 0)
