"""Committing sales: what one sale writes, what a refused sale does not, privileges."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tastingroom.people.staff import Action, AuthError, approve
from tastingroom.selling.age import check_birth_date, store_today, years_between
from tastingroom.selling.cart import Cart, CartError, ShipTo
from tastingroom.selling.pricing import Discount
from tastingroom.selling.sales import Register, SaleRefused
from tastingroom.selling.tenders import TenderError, TenderInput, TenderKind
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AgeCheck,
    AuditEntry,
    ClubMembership,
    Order,
    OrderLine,
    OutboxItem,
    Stock,
    Tender,
)

TABLES = (Order, OrderLine, Tender, AgeCheck, OutboxItem, AuditEntry)


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}


def adult(register: Register, staff_id: str):
    return check_birth_date(register.settings, staff_id, date(1980, 4, 2))


def cash(amount: int) -> TenderInput:
    return TenderInput(TenderKind.CASH, amount)


def wine_cart(register: Register, staff_id: str) -> Cart:
    cart = Cart(staff_id=staff_id)
    cart.add(register.catalog.by_barcode("PN22"), 2)
    cart.add(register.catalog.by_barcode("FEE-TASTE"))
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    return cart


def test_one_sale_writes_everything_once(register: Register, cashier, demo_db: Database):
    cart = wine_cart(register, cashier.id)
    total = register.price(cart).total_cents
    sale = register.commit(cart, cashier, [cash(total + 1000)], adult(register, cashier.id))
    assert sale.number == "TR1-000001"
    assert sale.settlement.change_cents == 1000
    assert counts(demo_db) == {
        "sale_order": 1,
        "order_line": 3,
        "tender": 1,
        "age_check": 1,
        "outbox_item": 1,
        "audit_entry": 1,
    }
    with demo_db.read() as s:
        order = s.get(Order, sale.order_id)
        assert order.total_cents == total == sum(x.net_cents + x.tax_cents for x in order.lines)
        assert order.staff_id == cashier.id
        # Written by prepared statements, read by the ORM: the same instant, zone-aware.
        assert order.created_at == sale.created_at and order.created_at.tzinfo is not None
        assert order.age_checks[0].checked_at.tzinfo is not None
        expected_age = years_between(date(1980, 4, 2), store_today(register.settings))
        assert order.age_checks[0].age_years == expected_age
        assert order.age_checks[0].staff_id == cashier.id
        box = s.scalar(select(OutboxItem))
        assert box.entity_id == order.id and box.idempotency_key == f"order.upsert:{order.id}:0"
        olives = next(x for x in order.lines if x.sku_code == "FOOD-OLIVE")
        assert olives.tax_cents == 0 and olives.taxable is False
        wine = next(x for x in order.lines if x.sku_code == "PN22")
        assert wine.tax_rate_ppm == 86_250


def test_numbers_follow_on_and_packs_deplete_their_bottles(register: Register, cashier, demo_db):
    case = register.catalog.by_barcode("CS21-12")
    with demo_db.read() as s:
        before = s.get(Stock, (case.base_sku_id, "Tasting Room")).on_hand
    numbers = []
    for _ in range(3):
        cart = Cart(staff_id=cashier.id)
        cart.add(case)
        total = register.price(cart).total_cents
        numbers.append(
            register.commit(cart, cashier, [cash(total)], adult(register, cashier.id)).number
        )
    assert numbers == ["TR1-000001", "TR1-000002", "TR1-000003"]
    with demo_db.read() as s:
        assert s.get(Stock, (case.base_sku_id, "Tasting Room")).on_hand == before - 36


@pytest.mark.parametrize(
    "problem",
    [
        "short payment",
        "no age check",
        "under age",
        "empty cart",
        "bad quantity",
        "other cashier",
        "no tenders",
        "card over total",
    ],
)
def test_refused_sales_write_nothing(register: Register, cashier, manager, demo_db, problem):
    cart = wine_cart(register, cashier.id)
    total = register.price(cart).total_cents
    tenders = [cash(total)]
    check = adult(register, cashier.id)
    staff = cashier
    expected: type[Exception] = SaleRefused
    if problem == "short payment":
        tenders, expected = [cash(total - 1)], TenderError
    elif problem == "no age check":
        check = None
    elif problem == "under age":
        check = check_birth_date(register.settings, cashier.id, date(2010, 1, 1))
    elif problem == "empty cart":
        cart.lines.clear()
    elif problem == "bad quantity":
        cart.lines[0].quantity = -2
    elif problem == "other cashier":
        staff = manager
    elif problem == "no tenders":
        tenders = []
    elif problem == "card over total":
        tenders = [
            TenderInput(
                TenderKind.CARD,
                total + 500,
                card_type="Visa",
                card_last4="1234",
                approval_code="OK1",
            )
        ]
        expected = TenderError
    before = counts(demo_db)
    with pytest.raises(expected):
        register.commit(cart, staff, tenders, check)
    assert counts(demo_db) == before
    # The refused sale's number was never used: the next sale takes the first one.
    ok = wine_cart(register, cashier.id)
    sale = register.commit(
        ok, cashier, [cash(register.price(ok).total_cents)], adult(register, cashier.id)
    )
    assert sale.number == "TR1-000001"


def test_cart_refuses_nonsense_quantities(register: Register, cashier):
    cart = Cart(staff_id=cashier.id)
    item = register.catalog.by_barcode("PN22")
    for bad in (0, -1, 1000, 2.5, True):
        with pytest.raises(CartError):
            cart.add(item, bad)  # type: ignore[arg-type]


def test_privileged_changes_need_a_manager(register: Register, cashier, manager, demo_db):
    cart = wine_cart(register, cashier.id)
    with pytest.raises(AuthError):
        cart.void_line(0, None)
    with pytest.raises(AuthError):
        cart.override_price(0, 100, None)
    with pytest.raises(AuthError):
        cart.set_quantity(0, 1)
    cart.set_quantity(0, 3)  # more is fine
    approval = approve(demo_db, Action.VOID_LINE, cashier.id, manager.id, "2222")
    cart.void_line(2, approval)
    assert len(cart.lines) == 2

    big = Discount("friend of the winemaker", rate_ppm=500_000)
    assert register.discount_needs_approval(cart, 0, big)
    small = Discount("dented capsule", rate_ppm=100_000)
    assert not register.discount_needs_approval(cart, 0, small)
    cart.set_line_discount(0, big)
    total = register.price(cart).total_cents
    with pytest.raises(AuthError, match="manager"):
        register.commit(cart, cashier, [cash(total)], adult(register, cashier.id))
    ok = approve(demo_db, Action.DISCOUNT_OVER_LIMIT, cashier.id, manager.id, "2222", "50% off")
    cart.set_line_discount(0, big, ok)
    register.commit(cart, cashier, [cash(total)], adult(register, cashier.id))
    with demo_db.read() as s:
        actions = sorted(s.scalars(select(AuditEntry.action)))
    assert actions == ["discount_over_limit", "sale", "void_line"]


def test_changing_pack_keeps_the_line_and_fewer_bottles_need_a_manager(
    register: Register, cashier, manager, demo_db
):
    index = register.catalog
    cart = Cart(staff_id=cashier.id)
    cart.add(index.by_barcode("CHD22"), 2)
    case = index.by_barcode("CHD22-12")
    cart.set_pack(0, case)  # more bottles: no approval
    assert cart.lines[0].item is case and cart.lines[0].quantity == 2
    with pytest.raises(CartError, match="not a pack"):
        cart.set_pack(0, index.by_barcode("PN22"))
    with pytest.raises(AuthError):
        cart.set_pack(0, index.by_barcode("CHD22"))
    approval = approve(demo_db, Action.VOID_LINE, cashier.id, manager.id, "2222")
    cart.override_price(
        0, 20_000, approve(demo_db, Action.PRICE_OVERRIDE, cashier.id, manager.id, "2222")
    )
    cart.set_pack(0, index.by_barcode("CHD22"), approval)
    assert cart.lines[0].item.units == 1
    assert cart.lines[0].override_cents is None  # the override was for the case


def test_order_discount_over_limit_needs_approval(register: Register, cashier, manager, demo_db):
    cart = wine_cart(register, cashier.id)
    cart.set_order_discount(Discount("event", amount_cents=5000))
    total = register.price(cart).total_cents
    with pytest.raises(AuthError):
        register.commit(cart, cashier, [cash(total)], adult(register, cashier.id))
    cart.set_order_discount(
        Discount("event", amount_cents=5000),
        approve(demo_db, Action.DISCOUNT_OVER_LIMIT, cashier.id, manager.id, "2222"),
    )
    assert register.commit(cart, cashier, [cash(total)], adult(register, cashier.id)).number


def test_club_member_pricing_applies_when_attached(register: Register, cashier, demo_db):
    with demo_db.read() as s:
        member = s.scalar(
            select(ClubMembership.customer_id).where(ClubMembership.status == "Active").limit(1)
        )
    cart = wine_cart(register, cashier.id)
    plain = register.price(cart).total_cents
    register.attach_customer(cart, member)
    assert cart.customer and cart.customer.clubs
    assert register.price(cart).total_cents < plain


def test_shipped_orders_use_the_destination_tax_rate(register: Register, cashier, demo_db):
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    cart.ship_to = ShipTo("Ana", "Silva", "1 Pike St", "Seattle", "wa", "98101", 1500)
    priced = register.price(cart)
    assert priced.lines[0].tax_rate_ppm == 65_000  # WA
    assert priced.shipping_cents == 1500
    sale = register.commit(cart, cashier, [cash(priced.total_cents)], adult(register, cashier.id))
    with demo_db.read() as s:
        order = s.get(Order, sale.order_id)
    assert (order.fulfilment, order.ship_state, order.shipping_status) == (
        "ship",
        "WA",
        "Sent to Fulfillment",
    )
    cart.ship_to = ShipTo("A", "B", "1 Main", "Boise", "ID", "83702", 0)
    assert register.price(cart).lines[0].tax_rate_ppm == 86_250  # no rate set: the store's
    with pytest.raises(CartError, match="street address"):
        ShipTo("A", "B", " ", "Boise", "ID", "83702", 0)


def test_void_and_refund_need_approval_and_restock(register: Register, cashier, manager, demo_db):
    pn = register.catalog.by_barcode("PN22")
    with demo_db.read() as s:
        start = s.get(Stock, (pn.sku_id, "Tasting Room")).on_hand

    def sell() -> str:
        cart = Cart(staff_id=cashier.id)
        cart.add(pn, 2)
        total = register.price(cart).total_cents
        return register.commit(cart, cashier, [cash(total)], adult(register, cashier.id)).order_id

    first, second = sell(), sell()
    with pytest.raises(AuthError):
        register.void_sale(first, cashier, None)
    register.void_sale(
        first, cashier, approve(demo_db, Action.VOID_SALE, cashier.id, manager.id, "2222")
    )
    with demo_db.read() as s:
        total = s.get(Order, second).total_cents
    refund_ok = approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222")
    with pytest.raises(SaleRefused, match="exactly"):
        register.refund_sale(second, cashier, refund_ok, [cash(total - 1)])
    refund = register.refund_sale(second, cashier, refund_ok, [cash(total)])
    with pytest.raises(SaleRefused):
        register.refund_sale(second, cashier, refund_ok, [cash(total)])
    with demo_db.read() as s:
        assert s.get(Stock, (pn.sku_id, "Tasting Room")).on_hand == start
        assert s.get(Order, first).status == "voided"
        assert s.get(Order, second).status == "refunded"
        r = s.get(Order, refund.order_id)
        assert (r.transaction_type, r.previous_order_id) == ("refund", second)
        kinds = sorted(s.scalars(select(OutboxItem.kind)))
    assert kinds == ["order.refund", "order.upsert", "order.upsert", "order.void"]
