"""Favourites: this store's best sellers (until yesterday) first, topped up with tastings
and bottles."""

from __future__ import annotations

from datetime import timedelta

from tastingroom.catalog.favourites import favourites
from tastingroom.kinds import Kind
from tastingroom.selling.cart import Cart
from tastingroom.selling.sales import Register
from tastingroom.store.models import utcnow

from .test_sales import adult, cash


def test_a_new_store_starts_with_tastings_then_bottles(register: Register):
    items = favourites(register.db, register.catalog, count=8)
    assert len(items) == 8
    assert items[0].kind in (Kind.TASTING_FLIGHT, Kind.TASTING_FEE)
    assert all(i.units == 1 for i in items)
    assert len({i.sku_id for i in items}) == 8


def test_best_sellers_come_first_from_the_next_day(register: Register, cashier):
    cart = Cart(staff_id=cashier.id)
    pinot = register.catalog.by_barcode("PN22")
    cart.add(pinot, 5)
    total = register.price(cart).total_cents
    register.commit(cart, cashier, [cash(total)], adult(register, cashier.id))
    assert favourites(register.db, register.catalog, count=8)[0] is not pinot  # not today
    items = favourites(register.db, register.catalog, count=8, now=utcnow() + timedelta(days=1))
    assert items[0] is pinot
    assert [i.sku_id for i in items].count(pinot.sku_id) == 1
