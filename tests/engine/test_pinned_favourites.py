"""Favourites keep their places all day, in the store's own day, and a manager pins the
first tiles in an order of their choosing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from tastingroom.catalog.favourites import (
    FAVOURITE_COUNT,
    FavouritesBoard,
    PinRefused,
    favourites,
    pinned,
    set_pinned,
)
from tastingroom.people.staff import Action, AuthError, approve
from tastingroom.selling.cart import Cart
from tastingroom.selling.sales import Register
from tastingroom.store.models import AuditEntry, Order

from .test_sales import adult, cash

PACIFIC = ZoneInfo("America/Los_Angeles")  # the demo winery's zone


def pacific(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2026 on the demo winery's wall clock (PST, UTC-8)."""
    return datetime(2026, 11, day, hour, minute, tzinfo=PACIFIC)


def sell(register: Register, cashier, code: str, quantity: int, when: datetime) -> str:
    """Ring up `quantity` of `code` as a sale made at `when`; its order id."""
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode(code), quantity)
    total = register.price(cart).total_cents
    sale = register.commit(cart, cashier, [cash(total)], adult(register, cashier.id))
    with register.db.write() as s:
        s.get(Order, sale.order_id).created_at = when
    return sale.order_id


def codes(items) -> list[str]:
    return [item.code for item in items]


def test_a_sale_counts_from_the_next_store_day_not_the_next_utc_day(register: Register, cashier):
    before = codes(favourites(register.db, register.catalog, now=pacific(22, 9)))
    late = pacific(22, 23, 30)  # 07:30 UTC on the 23rd
    sell(register, cashier, "PN22", 5, late)

    assert codes(favourites(register.db, register.catalog, now=pacific(22, 23, 45))) == before
    # At 08:00 in California it is 16:00 UTC on the 23rd: a UTC day would still hold the
    # sale back; the store's day has turned, so it counts.
    assert codes(favourites(register.db, register.catalog, now=pacific(23, 8)))[0] == "PN22"


def test_the_board_keeps_every_tile_in_place_all_day(register: Register, cashier, manager):
    board = FavouritesBoard(register.db)
    last_week = sell(register, cashier, "PN22", 5, pacific(17, 12))
    morning = codes(board.items(register.catalog, now=pacific(23, 9)))
    assert morning[0] == "PN22" and len(morning) == FAVOURITE_COUNT

    sell(register, cashier, "CS21", 24, pacific(23, 11))  # today's best seller by far
    approval = approve(register.db, Action.VOID_SALE, manager.id, manager.id, "2222")
    register.void_sale(last_week, manager, approval)  # yesterday's ranking changes under it
    assert codes(board.items(register.catalog, now=pacific(23, 11, 5))) == morning
    assert codes(FavouritesBoard(register.db).items(register.catalog, pacific(23, 23))) != morning

    tomorrow = codes(board.items(register.catalog, now=pacific(24, 9)))
    assert tomorrow[0] == "CS21" and "PN22" not in tomorrow[:1]


def test_pinned_favourites_come_first_in_the_managers_order(register: Register, manager):
    catalog = register.catalog
    chosen = [catalog.by_barcode(code) for code in ("GL-ROS", "CS21", "FLT-SPARK")]
    set_pinned(register.db, [item.sku_id for item in chosen], manager)

    items = favourites(register.db, catalog)
    assert codes(items[:3]) == ["GL-ROS", "CS21", "FLT-SPARK"]
    assert len(items) == FAVOURITE_COUNT and len(set(codes(items))) == FAVOURITE_COUNT
    assert codes(pinned(register.db, catalog)) == ["GL-ROS", "CS21", "FLT-SPARK"]

    board = FavouritesBoard(register.db)
    assert codes(board.items(catalog))[:3] == ["GL-ROS", "CS21", "FLT-SPARK"]
    set_pinned(register.db, [chosen[2].sku_id, chosen[0].sku_id], manager)
    assert codes(board.items(catalog))[:3] == ["GL-ROS", "CS21", "FLT-SPARK"]  # kept for the day
    board.forget()  # what the settings screen does after a change
    assert codes(board.items(catalog))[:2] == ["FLT-SPARK", "GL-ROS"]
    assert "CS21" not in codes(board.items(catalog))[:2]

    with register.db.read() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "pin_favourites")).all()
    assert [a.detail for a in audit] == [
        "pinned favourites: GL-ROS, CS21, FLT-SPARK",
        "pinned favourites: FLT-SPARK, GL-ROS",
    ]
    assert {a.requested_by for a in audit} == {manager.id}


def test_only_a_manager_pins_and_a_bad_list_changes_nothing(register: Register, cashier, manager):
    catalog = register.catalog
    rose = catalog.by_barcode("GL-ROS").sku_id
    set_pinned(register.db, [rose], manager)

    with pytest.raises(AuthError, match="only a manager or the owner"):
        set_pinned(register.db, [], cashier)
    with pytest.raises(PinRefused, match="once only"):
        set_pinned(register.db, [rose, rose], manager)
    with pytest.raises(PinRefused, match="no longer in the catalog"):
        set_pinned(register.db, [rose, "no-such-sku"], manager)
    too_many = [item.sku_id for item in catalog.items[: FAVOURITE_COUNT + 1]]
    with pytest.raises(PinRefused, match=f"At most {FAVOURITE_COUNT}"):
        set_pinned(register.db, too_many, manager)
    assert codes(pinned(register.db, catalog)) == ["GL-ROS"]

    set_pinned(register.db, [], manager)  # unpin all: the computed favourites alone
    assert pinned(register.db, catalog) == []


def test_the_look_back_is_thirty_store_days(register: Register, cashier):
    sell(register, cashier, "CS21", 30, pacific(23, 9) - timedelta(days=31))
    assert "CS21" not in codes(favourites(register.db, register.catalog, now=pacific(23, 9)))[:1]
    sell(register, cashier, "PN22", 30, pacific(23, 9) - timedelta(days=29))
    assert codes(favourites(register.db, register.catalog, now=pacific(23, 9)))[0] == "PN22"
