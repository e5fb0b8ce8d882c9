"""Favourites: this store's best sellers first, topped up with tastings and bottles."""

from __future__ import annotations

from tastingroom.cart import Cart
from tastingroom.favourites import favourites
from tastingroom.kinds import Kind
from tastingroom.sales import Register

from .test_sales import adult, cash


def test_a_new_store_starts_with_tastings_then_bottles(register: Register):
    items = favourites(register.db, register.catalog, count=8)
    assert len(items) == 8
    assert items[0].kind in (Kind.TASTING_FLIGHT, Kind.TASTING_FEE)
    assert all(i.units == 1 for i in items)
    assert len({i.sku_id for i in items}) == 8


def test_best_sellers_come_first(register: Register, cashier):
    cart = Cart(staff_id=cashier.id)
    pinot = register.catalog.by_barcode("PN22")
    cart.add(pinot, 5)
    total = register.price(cart).total_cents
    register.commit(cart, cashier, [cash(total)], adult(register, cashier.id))
    items = favourites(register.db, register.catalog, count=8)
    assert items[0] is pinot
    assert [i.sku_id for i in items].count(pinot.sku_id) == 1
