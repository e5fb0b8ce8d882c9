"""Refunds and exchanges: amounts as charged, to the cent, whatever the sequence of
returns; what may come back and where the money goes; stock; exchanges as one write."""

from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tastingroom import drawer
from tastingroom.drawer import DrawerCount
from tastingroom.people.staff import Action, AuthError, Role, list_staff
from tastingroom.people.staff import approve as approve_pin
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.pricing import Discount
from tastingroom.selling.refunds import (
    Disposition,
    RefundRefused,
    ReturnLine,
    commit_exchange,
    commit_refund,
    everything,
    find_original,
    load_original,
    quote_refund,
    search_originals,
    share,
)
from tastingroom.selling.sales import Register, SaleRefused
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.settings import save_settings
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AuditEntry,
    ClubMembership,
    Order,
    OrderLine,
    OutboxItem,
    Stock,
    Tender,
    new_id,
    utcnow,
)

TABLES = (Order, OrderLine, Tender, OutboxItem, AuditEntry)


def counts(db: Database) -> dict[str, int]:
    with db.read() as s:
        return {t.__tablename__: s.scalar(select(func.count()).select_from(t)) for t in TABLES}


def cash(amount: int) -> TenderInput:
    return TenderInput(TenderKind.CASH, amount)


def card(amount: int, last4: str = "4242", code: str = "R123") -> TenderInput:
    return TenderInput(
        TenderKind.CARD, amount, card_type="Visa", card_last4=last4, approval_code=code
    )


def adult(register: Register, staff_id: str):
    return check_birth_date(register.settings, staff_id, date(1980, 4, 2))


def sell(
    register: Register,
    staff,
    items: list[tuple[str, int]],
    pay=None,
    order_discount: Discount | None = None,
    customer_id: str | None = None,
) -> str:
    cart = Cart(staff_id=staff.id)
    for code, quantity in items:
        cart.add(register.catalog.by_barcode(code), quantity)
    cart.order_discount = order_discount
    if customer_id:
        register.attach_customer(cart, customer_id)
    total = register.price(cart).total_cents
    tenders = pay(total) if pay else [cash(total)]
    return register.commit(cart, staff, tenders, adult(register, staff.id)).order_id


def on_hand(db: Database, code: str, register: Register) -> int:
    item = register.catalog.by_barcode(code)
    with db.read() as s:
        return s.get(Stock, (item.base_sku_id, "Tasting Room")).on_hand


def refund_ok(db: Database, cashier, manager, action: Action = Action.REFUND):
    return approve_pin(db, action, cashier.id, manager.id, "2222")


# --- the arithmetic ------------------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(
    amount=st.integers(0, 5_000_000),
    sold=st.integers(1, 60),
    data=st.data(),
)
def test_shares_of_any_sequence_of_returns_add_up_exactly(amount, sold, data):
    """Cumulative rounding: every piece is whole cents, none negative, none more than a
    fair share rounded, and the pieces of any partition of `sold` sum to `amount`."""
    left, before, pieces = sold, 0, []
    while left:
        now = data.draw(st.integers(1, left))
        piece = share(amount, sold, before, now)
        assert 0 <= piece <= amount
        assert abs(piece * sold - amount * now) <= sold  # within a cent of the exact share
        pieces.append(piece)
        before += now
        left -= now
    assert sum(pieces) == amount
    with pytest.raises(RefundRefused):
        share(amount, sold, sold, 1)


# --- the whole path, over random sales and random sequences of returns -------------------------

CODES = ("PN22", "CS21-6", "SB24-6", "FEE-TASTE", "FOOD-OLIVE", "ROS24")


@pytest.fixture(scope="module")
def shared(demo_template, tmp_path_factory):
    """One database for every example: each sells and returns an order of its own."""
    path = tmp_path_factory.mktemp("refund-examples") / "tastingroom.sqlite3"
    shutil.copy(demo_template, path)
    db = Database.open(path)
    register = Register(db)
    cashier, manager = staff_of(db, Role.CASHIER), staff_of(db, Role.MANAGER)
    yield db, register, cashier, refund_ok(db, cashier, manager)
    db.close()


def staff_of(db: Database, role: Role):
    return next(s for s in list_staff(db) if s.role is role)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    items=st.lists(
        st.tuples(st.sampled_from(CODES), st.integers(1, 12)),
        min_size=1,
        max_size=5,
        unique_by=lambda x: x[0],
    ),
    off_ppm=st.integers(0, 150_000),
    tip=st.integers(0, 900),
    data=st.data(),
)
def test_any_sequence_of_partial_returns_refunds_exactly_what_was_charged(
    shared, items, off_ppm, tip, data
):
    db, register, cashier, approval = shared
    cart = Cart(staff_id=cashier.id)
    for code, quantity in items:
        cart.add(register.catalog.by_barcode(code), quantity)
    if off_ppm:
        cart.order_discount = Discount("regular", rate_ppm=off_ppm)
    cart.tip_cents = tip
    total = register.price(cart).total_cents
    split = data.draw(st.integers(0, total))  # part card, part cash
    pay = [t for t in (card(split), cash(total - split)) if t.amount_cents]
    sale = register.commit(cart, cashier, pay, adult(register, cashier.id))
    with db.read() as s:
        order = s.get(Order, sale.order_id)
        charged = {
            line.line_no: (line.net_cents, line.tax_cents, line.discount_cents)
            for line in order.lines
        }
    refunded, per_line = 0, {n: [0, 0, 0] for n in charged}
    completes = False
    while not completes:
        original = load_original(db, sale.order_id)
        out = [line for line in original.lines if line.returnable]
        chosen = data.draw(st.lists(st.sampled_from(out), min_size=1, unique=True))
        returns = [
            ReturnLine(line.line_no, data.draw(st.integers(1, line.returnable))) for line in chosen
        ]
        # Never more than is still out.
        too_many = ReturnLine(chosen[0].line_no, chosen[0].returnable + 1)
        with pytest.raises(RefundRefused, match="at most"):
            quote_refund(register, sale.order_id, [too_many])
        quote = quote_refund(register, sale.order_id, returns)
        assert quote.total_cents <= total - refunded
        tenders = [
            card(a) if p.kind is TenderKind.CARD else cash(a) for p, a in quote.default_split()
        ]
        done = commit_refund(register, sale.order_id, returns, cashier, approval, tenders)
        refunded += done.total_cents
        completes = done.quote.completes
        for q in done.quote.lines:
            acc = per_line[q.sold.line_no]
            acc[0] += q.net_cents
            acc[1] += q.tax_cents
            acc[2] += q.discount_cents
    assert refunded == total
    assert {n: tuple(v) for n, v in per_line.items()} == charged
    with db.read() as s:
        assert s.get(Order, sale.order_id).status == "refunded"
        refunds = s.scalars(select(Order).where(Order.previous_order_id == sale.order_id))
        back = {}
        for r in refunds:
            paid = sum(t.amount_cents for t in r.tenders)
            assert (
                paid
                == r.total_cents
                == sum(x.net_cents + x.tax_cents for x in r.lines)
                + (r.shipping_cents + r.tip_cents)
            )
            for t in r.tenders:
                back[t.kind] = back.get(t.kind, 0) + t.amount_cents
        # Each tender took back exactly what it paid.
        assert back == {t.kind.value: t.amount_cents for t in pay}
        ids = select(Order.id).where(Order.previous_order_id == sale.order_id)
        boxes = s.scalars(select(OutboxItem.kind).where(OutboxItem.entity_id.in_(ids))).all()
        assert boxes and set(boxes) == {"order.refund"}
        assert len(boxes) == s.scalar(select(func.count()).select_from(ids.subquery()))
    with pytest.raises(RefundRefused, match="already been refunded"):
        load_original(db, sale.order_id)


# --- what may come back ---------------------------------------------------------------------------


def test_refused_returns_write_nothing(register: Register, cashier, manager, demo_db):
    order_id = sell(register, cashier, [("PN22", 2), ("FOOD-OLIVE", 1)])
    ok = refund_ok(demo_db, cashier, manager)
    before = counts(demo_db)
    quote = quote_refund(register, order_id, [ReturnLine(1, 1)])
    for returns, match in (
        ([ReturnLine(1, 3)], "at most 2"),
        ([ReturnLine(1, 0)], "above zero"),
        ([ReturnLine(9, 1)], "no line 9"),
        ([ReturnLine(1, 1), ReturnLine(1, 1)], "twice"),
        ([], "Choose what"),
    ):
        with pytest.raises(RefundRefused, match=match):
            commit_refund(register, order_id, returns, cashier, ok, [cash(quote.total_cents)])
    with pytest.raises(RefundRefused, match="exactly"):
        commit_refund(register, order_id, [ReturnLine(1, 1)], cashier, ok, [cash(1)])
    with pytest.raises(AuthError):
        commit_refund(
            register, order_id, [ReturnLine(1, 1)], cashier, None, [cash(quote.total_cents)]
        )
    assert counts(demo_db) == before
    commit_refund(register, order_id, [ReturnLine(1, 1)], cashier, ok, [cash(quote.total_cents)])
    with pytest.raises(RefundRefused, match=r"1 already returned\); at most 1"):
        quote_refund(register, order_id, [ReturnLine(1, 2)])
    # A sale with a return cannot be voided any more: the rest is returned instead.
    with pytest.raises(SaleRefused, match="has refunds"):
        register.void_sale(
            order_id, cashier, refund_ok(demo_db, cashier, manager, Action.VOID_SALE)
        )


def test_amounts_are_the_prices_charged_club_case_and_order_discount(
    register: Register, cashier, manager, demo_db
):
    with demo_db.read() as s:
        member = s.scalar(
            select(ClubMembership.customer_id).where(ClubMembership.status == "Active").limit(1)
        )
    order_id = sell(
        register,
        cashier,
        [("PN22", 7), ("CS21", 6), ("FOOD-OLIVE", 3)],
        order_discount=Discount("regular", amount_cents=1001),
        customer_id=member,
    )
    with demo_db.read() as s:
        lines = {x.line_no: x for x in s.get(Order, order_id).lines}
    assert lines[1].discount_cents > 0  # club or case, and a share of the order discount
    quote = quote_refund(register, order_id, [ReturnLine(1, 3), ReturnLine(3, 3)])
    pn = quote.lines[0]
    assert pn.net_cents == round(lines[1].net_cents * 3 / 7)  # no halves here at 3/7
    assert pn.gross_cents == lines[1].unit_price_cents * 3
    assert pn.tax_cents == share(lines[1].tax_cents, 7, 0, 3)
    assert pn.sold.tax_rate_ppm == lines[1].tax_rate_ppm == 86_250
    olives = quote.lines[1]
    assert (olives.net_cents, olives.tax_cents) == (lines[3].net_cents, 0)  # all 3, untaxed
    assert quote.shipping_cents == quote.tip_cents == 0 and not quote.completes


# --- age and approvals ----------------------------------------------------------------------------


def test_orders_older_than_the_window_need_a_manager(register: Register, cashier, manager, demo_db):
    order_id = sell(register, cashier, [("PN22", 1)])
    ok = refund_ok(demo_db, cashier, manager)
    created = load_original(demo_db, order_id).created_at
    quote = quote_refund(register, order_id, [ReturnLine(1, 1)])
    tenders = [cash(quote.total_cents)]
    day_120 = created + timedelta(days=120)
    assert not quote_refund(register, order_id, [ReturnLine(1, 1)], now=day_120).too_old
    later = created + timedelta(days=120, minutes=1)
    assert quote_refund(register, order_id, [ReturnLine(1, 1)], now=later).too_old
    with pytest.raises(AuthError, match="refund window"):
        commit_refund(register, order_id, [ReturnLine(1, 1)], cashier, ok, tenders, now=later)
    old_ok = refund_ok(demo_db, cashier, manager, Action.REFUND_OLD_ORDER)
    with pytest.raises(AuthError, match="manager's PIN \\(refund\\)"):
        commit_refund(register, order_id, [ReturnLine(1, 1)], cashier, old_ok, tenders, now=later)
    # The store's own window.
    with demo_db.write() as s:
        save_settings(s, refund_max_age_days=30)
    register.reload_settings()
    day_31 = created + timedelta(days=31)
    with pytest.raises(AuthError, match="refund window"):
        commit_refund(register, order_id, [ReturnLine(1, 1)], cashier, ok, tenders, now=day_31)
    done = commit_refund(
        register, order_id, [ReturnLine(1, 1)], cashier, [ok, old_ok], tenders, now=day_31
    )
    with demo_db.read() as s:
        audit = s.scalar(select(AuditEntry).where(AuditEntry.order_id == done.order_id))
        assert audit.action == "refund" and audit.approved_by == manager.id


def test_money_goes_back_to_the_original_tender_unless_a_manager_says(
    register: Register, cashier, manager, demo_db
):
    def pay(total: int) -> list[TenderInput]:
        return [
            card(total - 3000, last4="1111", code="A1"),
            TenderInput(TenderKind.GIFT_CARD, 2000, gift_card_code="GC-77"),
            cash(1000),
        ]

    order_id = sell(register, cashier, [("PN22", 3), ("CS21", 2)], pay=pay)
    ok = refund_ok(demo_db, cashier, manager)
    everything_back = everything(load_original(demo_db, order_id))
    quote = quote_refund(register, order_id, everything_back)
    total = quote.total_cents
    split = quote.default_split()
    assert [(p.kind, a) for p, a in split] == [
        (TenderKind.CARD, total - 3000),
        (TenderKind.GIFT_CARD, 2000),
        (TenderKind.CASH, 1000),
    ]
    one = [ReturnLine(1, 1)]
    small = quote_refund(register, order_id, one).total_cents
    # The same card, refunded on the card terminal with its own approval code: fine.
    other_card = [card(small, last4="9999", code="R1")]
    for tenders in (
        other_card,  # another card
        [cash(small)],  # cash for a card sale beyond the cash paid
        [TenderInput(TenderKind.GIFT_CARD, small, gift_card_code="GC-OTHER")],
        [TenderInput(TenderKind.CHECK, small)],
    ):
        with pytest.raises(AuthError, match="refund other tender"):
            commit_refund(register, order_id, one, cashier, ok, tenders)
    with pytest.raises(RefundRefused, match="complimentary"):
        commit_refund(
            register,
            order_id,
            one,
            cashier,
            ok,
            [TenderInput(TenderKind.COMPLIMENTARY, small, reason="x")],
        )
    other = refund_ok(demo_db, cashier, manager, Action.REFUND_OTHER_TENDER)
    commit_refund(register, order_id, one, cashier, [ok, other], other_card)
    # The gift card is re-credited to its own code; then the card is only what is left.
    second = quote_refund(register, order_id, [ReturnLine(2, 1)]).total_cents
    gift = min(second, 2000)
    commit_refund(
        register,
        order_id,
        [ReturnLine(2, 1)],
        cashier,
        ok,
        [TenderInput(TenderKind.GIFT_CARD, gift, gift_card_code="GC-77")]
        + ([card(second - gift, last4="1111", code="R2")] if second > gift else []),
    )
    original = load_original(demo_db, order_id)
    by_kind = {p.kind: p for p in original.tenders}
    assert by_kind[TenderKind.GIFT_CARD].refunded_cents == gift
    assert by_kind[TenderKind.CARD].refunded_cents == second - gift  # not the other card's


# --- stock ---------------------------------------------------------------------------------------


def test_restocked_lines_come_back_damaged_ones_do_not(
    register: Register, cashier, manager, demo_db
):
    start = {c: on_hand(demo_db, c, register) for c in ("PN22", "CS21")}
    order_id = sell(register, cashier, [("PN22", 3), ("CS21-6", 2)])
    assert on_hand(demo_db, "CS21", register) == start["CS21"] - 12
    returns = [
        ReturnLine(1, 2, Disposition.DAMAGED),
        ReturnLine(2, 1, Disposition.RESTOCK),  # a 6-pack: six bottles back
    ]
    quote = quote_refund(register, order_id, returns)
    ok = refund_ok(demo_db, cashier, manager)
    done = commit_refund(register, order_id, returns, cashier, ok, [cash(quote.total_cents)])
    assert on_hand(demo_db, "PN22", register) == start["PN22"] - 3
    assert on_hand(demo_db, "CS21", register) == start["CS21"] - 6
    with demo_db.read() as s:
        lines = {x.sku_code: x.disposition for x in s.get(Order, done.order_id).lines}
        audit = s.scalar(select(AuditEntry.detail).where(AuditEntry.order_id == done.order_id))
    assert lines == {"PN22": "damaged", "CS21-6": "restock"}
    assert "damaged: 2 x PN22" in audit


# --- finding the original -------------------------------------------------------------------------


def test_find_by_scan_number_or_customer_and_not_web_orders(
    register: Register, cashier, manager, demo_db
):
    with demo_db.read() as s:
        member = s.scalar(
            select(ClubMembership.customer_id).where(ClubMembership.status == "Active").limit(1)
        )
        from tastingroom.store.models import Customer

        surname = s.get(Customer, member).last_name
    order_id = sell(register, cashier, [("PN22", 1)], customer_id=member)
    number = load_original(demo_db, order_id).number
    assert find_original(demo_db, number).order_id == order_id  # the receipt's barcode
    assert find_original(demo_db, number.lower().replace("-00000", "-")).order_id == order_id
    assert order_id in [r.order_id for r in search_originals(demo_db, surname)]
    with pytest.raises(RefundRefused, match="No order"):
        find_original(demo_db, "TR1-999999")
    with demo_db.write() as s:
        s.add(
            Order(
                id=new_id(),
                number="55123",
                source="web",
                status="completed",
                transaction_type="order",
                created_at=utcnow(),
                date_modified=utcnow(),
            )
        )
    with pytest.raises(RefundRefused, match="web order"):
        find_original(demo_db, "55123")
    assert search_originals(demo_db, "55123") == []


# --- exchanges ------------------------------------------------------------------------------------


def test_an_exchange_is_one_transaction(register: Register, cashier, manager, demo_db):
    order_id = sell(register, cashier, [("PN22", 2)], pay=lambda t: [card(t, last4="1111")])
    ok = refund_ok(demo_db, cashier, manager)
    before = counts(demo_db)
    stock = on_hand(demo_db, "CS21", register), on_hand(demo_db, "PN22", register)

    def new_cart(code: str, quantity: int = 1) -> Cart:
        cart = Cart(staff_id=cashier.id)
        cart.add(register.catalog.by_barcode(code), quantity)
        return cart

    returns = [ReturnLine(1, 1)]
    value = quote_refund(register, order_id, returns).total_cents
    dearer = new_cart("CS21", 2)
    due = register.price(dearer).total_cents
    assert due > value
    # The sale is refused (no age check): the return is not written either.
    with pytest.raises(SaleRefused, match="age"):
        commit_exchange(register, order_id, returns, dearer, cashier, ok, [cash(due - value)])
    # The return is refused (too many): the sale is not written either.
    with pytest.raises(RefundRefused, match="at most"):
        commit_exchange(
            register, order_id, [ReturnLine(1, 5)], dearer, cashier, ok,
            [cash(due)], adult(register, cashier.id),
        )  # fmt: skip
    assert counts(demo_db) == before
    assert (on_hand(demo_db, "CS21", register), on_hand(demo_db, "PN22", register)) == stock

    # The guest pays the difference.
    done = commit_exchange(
        register, order_id, returns, dearer, cashier, ok,
        [cash(due - value + 500)], adult(register, cashier.id),
    )  # fmt: skip
    assert done.difference_cents == due - value and done.sale.settlement.change_cents == 500
    with demo_db.read() as s:
        refund = s.get(Order, done.refund.order_id)
        sale = s.get(Order, done.sale.order_id)
        assert refund.exchange_id == sale.exchange_id == done.exchange_id
        assert [(t.kind, t.amount_cents) for t in refund.tenders] == [("exchange", value)]
        assert sorted((t.kind, t.amount_cents) for t in sale.tenders) == [
            ("cash", due - value + 500),
            ("exchange", value),
        ]
        boxes = [
            (b.kind, b.entity_id) for b in s.scalars(select(OutboxItem).order_by(OutboxItem.seq))
        ][-2:]
        assert boxes == [("order.refund", refund.id), ("order.upsert", sale.id)]
    assert on_hand(demo_db, "CS21", register) == stock[0] - 2
    assert on_hand(demo_db, "PN22", register) == stock[1] + 1

    # Something cheaper: the rest goes back to the card it was paid with.
    cheaper = new_cart("FOOD-OLIVE")
    cost = register.price(cheaper).total_cents
    value = quote_refund(register, order_id, returns).total_cents
    with pytest.raises(AuthError, match="other tender"):
        commit_exchange(register, order_id, returns, cheaper, cashier, ok, [cash(value - cost)])
    done = commit_exchange(
        register, order_id, returns, cheaper, cashier, ok, [card(value - cost, last4="1111")]
    )
    assert done.difference_cents == cost - value < 0
    with demo_db.read() as s:
        refund = s.get(Order, done.refund.order_id)
        assert sorted((t.kind, t.amount_cents) for t in refund.tenders) == [
            ("card", value - cost),
            ("exchange", cost),
        ]
        assert s.get(Order, order_id).status == "refunded"
    with pytest.raises(SaleRefused, match="from a return"):
        register.commit(cheaper, cashier, [TenderInput(TenderKind.EXCHANGE, cost)])


# --- the cash drawer ----------------------------------------------------------------------------


def drawer_moves(db: Database, order_id: str) -> list[tuple[str, int]]:
    moves = drawer.movements(db, drawer.current_session(db).id)
    return [(m.kind.value, m.amount_cents) for m in moves if m.order_id == order_id]


def test_cash_refunds_and_exchanges_move_the_open_drawer(
    register: Register, cashier, manager, demo_db
):
    session = drawer.open_session(demo_db, cashier, DrawerCount({"bill_2000": 9}))  # $180
    order_id = sell(register, cashier, [("PN22", 3)])  # in cash
    ok = refund_ok(demo_db, cashier, manager)
    expected = drawer.expected_cash(demo_db, session.id)

    # A cash refund: its movement is written with it, and expected cash drops by it.
    value = quote_refund(register, order_id, [ReturnLine(1, 1)]).total_cents
    done = commit_refund(register, order_id, [ReturnLine(1, 1)], cashier, ok, [cash(value)])
    assert drawer_moves(demo_db, done.order_id) == [("cash_refund", -value)]
    assert drawer.expected_cash(demo_db, session.id) == expected - value
    assert drawer.x_report(demo_db).cash_refunds_cents == value
    expected -= value

    def new_cart(code: str) -> Cart:
        cart = Cart(staff_id=cashier.id)
        cart.add(register.catalog.by_barcode(code))
        return cart

    # An exchange for something dearer, the difference paid in cash (with change): the
    # new sale's cash and change move the drawer by exactly the difference.
    value = quote_refund(register, order_id, [ReturnLine(1, 1)]).total_cents
    dearer = new_cart("CS21")
    due = register.price(dearer).total_cents
    assert due > value
    done = commit_exchange(
        register, order_id, [ReturnLine(1, 1)], dearer, cashier, ok,
        [cash(due - value + 500)], adult(register, cashier.id),
    )  # fmt: skip
    assert drawer_moves(demo_db, done.refund.order_id) == []  # paid by exchange credit
    assert drawer_moves(demo_db, done.sale.order_id) == [
        ("cash_sale", due - value + 500),
        ("change", -500),
    ]
    assert drawer.expected_cash(demo_db, session.id) == expected + (due - value)
    expected += due - value

    # An exchange for something cheaper, the rest paid back in cash (as it was paid).
    value = quote_refund(register, order_id, [ReturnLine(1, 1)]).total_cents
    cheaper = new_cart("FOOD-OLIVE")
    cost = register.price(cheaper).total_cents
    done = commit_exchange(
        register, order_id, [ReturnLine(1, 1)], cheaper, cashier, ok, [cash(value - cost)]
    )
    assert drawer_moves(demo_db, done.refund.order_id) == [("cash_refund", -(value - cost))]
    assert drawer_moves(demo_db, done.sale.order_id) == []
    assert drawer.expected_cash(demo_db, session.id) == expected - (value - cost)
    moves = drawer.movements(demo_db, session.id)
    assert session.float_cents + sum(m.amount_cents for m in moves) == drawer.expected_cash(
        demo_db, session.id
    )


def test_cash_refunds_obey_the_drawer_rule_and_what_the_drawer_holds(
    register: Register, cashier, manager, demo_db
):
    order_id = sell(register, cashier, [("PN22", 2)])  # in cash, no drawer open
    ok = refund_ok(demo_db, cashier, manager)
    returns = [ReturnLine(1, 1)]
    value = quote_refund(register, order_id, returns).total_cents
    with demo_db.write() as s:
        save_settings(s, drawer_required=True)
    register.reload_settings()
    before = counts(demo_db)
    with pytest.raises(RefundRefused, match="cash cannot be taken or given back"):
        commit_refund(register, order_id, returns, cashier, ok, [cash(value)])
    assert counts(demo_db) == before  # nothing was written
    # A drawer holding less than the refund never pays it back in cash.
    session = drawer.open_session(demo_db, cashier, DrawerCount({"bill_100": 5}))  # $5
    before = counts(demo_db)  # opening the drawer is audited
    with pytest.raises(RefundRefused, match=r"should hold only \$5\.00"):
        commit_refund(register, order_id, returns, cashier, ok, [cash(value)])
    assert counts(demo_db) == before  # nothing was written
    assert drawer.expected_cash(demo_db, session.id) == 500
    drawer.paid_in(demo_db, cashier, value, "cash for a refund")
    commit_refund(register, order_id, returns, cashier, ok, [cash(value)])
    assert drawer.expected_cash(demo_db, session.id) == 500
