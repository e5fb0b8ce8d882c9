"""Expected cash always equals the float plus the session's movements, and what the test
itself handed over, whatever mix of sales, refunds, voids and staff movements a day has.

Each example is one drawer day on the same demo database (so Z numbers keep following
on): it opens a session, plays a random sequence through the engine's public calls,
keeps its own tally of cash in and out, and closes the session on a count of exactly
what it expects.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tastingroom import drawer
from tastingroom.drawer import DrawerError
from tastingroom.people.staff import Action, approve
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.sales import SaleRefused
from tests.engine.test_drawer import card, cash, count_of

OPS = st.one_of(
    st.tuples(st.just("cash_sale"), st.integers(0, 5_000)),
    st.tuples(st.just("card_sale"), st.just(0)),
    st.tuples(st.just("split"), st.integers(0, 3_000)),
    st.tuples(st.just("paid_in"), st.integers(1, 20_000)),
    st.tuples(st.just("paid_out"), st.integers(1, 40_000)),
    st.tuples(st.just("drop"), st.integers(1, 40_000)),
    st.tuples(st.just("no_sale"), st.just(0)),
    st.tuples(st.just("refund"), st.just(0)),
    st.tuples(st.just("void"), st.just(0)),
)


@pytest.fixture
def approvals(demo_db, cashier, manager):
    """One approval per action, reused: scrypt makes each PIN check slow on purpose."""
    actions = (
        Action.PAID_OUT,
        Action.NO_SALE,
        Action.CLOSE_DRAWER,
        Action.REFUND,
        Action.REFUND_OTHER_TENDER,
    )
    found = {a: approve(demo_db, a, cashier.id, manager.id, "2222") for a in actions}
    found[Action.VOID_SALE] = approve(demo_db, Action.VOID_SALE, cashier.id, manager.id, "2222")
    return found


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    float_cents=st.integers(0, 60_000),
    ops=st.lists(OPS, max_size=14),
    leave=st.integers(0, 100),
)
def test_expected_cash_is_the_float_plus_every_movement(
    register, demo_db, cashier, approvals, float_cents, ops, leave
):
    left = drawer.current_session(demo_db)  # by an example that failed (while shrinking)
    if left is not None:
        counted = count_of(drawer.expected_cash(demo_db, left.id))
        drawer.close_session(demo_db, left.id, cashier, counted, 0, approvals[Action.CLOSE_DRAWER])
    session = drawer.open_session(demo_db, cashier, count_of(float_cents))
    tally = {"in": 0, "change": 0, "refunds": 0, "voids": 0, "paid_in": 0, "paid_out": 0}
    tally["drops"] = 0
    sales: list[tuple[str, int, int]] = []  # order id, total, cash the sale left in the drawer
    check = check_birth_date(register.settings, cashier.id, date(1980, 4, 2))

    def undo(op: str, order_id: str, total: int) -> None:
        if op == "refund":
            # every refund here is paid in cash, also of card and split sales: another
            # tender than the sale's, which the refund rules let a manager approve
            refund_ok = [approvals[Action.REFUND], approvals[Action.REFUND_OTHER_TENDER]]
            register.refund_sale(order_id, cashier, refund_ok, [cash(total)])
        else:
            register.void_sale(order_id, cashier, approvals[Action.VOID_SALE])

    for op, n in ops:
        expected = float_cents + tally["in"] - tally["change"] + tally["paid_in"]
        expected -= tally["refunds"] + tally["voids"] + tally["paid_out"] + tally["drops"]
        if op in ("cash_sale", "card_sale", "split"):
            cart = Cart(staff_id=cashier.id)
            cart.add(register.catalog.by_barcode("PN22"))
            total = register.price(cart).total_cents
            if op == "cash_sale":
                tenders, cash_in, change = [cash(total + n)], total + n, n
            elif op == "card_sale":
                tenders, cash_in, change = [card(total)], 0, 0
            else:
                part = min(n, total)
                tenders = [card(total - part), cash(part + 500)]
                cash_in, change = part + 500, 500
            sale = register.commit(cart, cashier, tenders, check)
            sales.append((sale.order_id, total, cash_in - change))
            tally["in"] += cash_in
            tally["change"] += change
        elif op in ("paid_out", "drop") and n > expected:
            with pytest.raises(DrawerError, match="should hold only"):
                if op == "drop":
                    drawer.drop(demo_db, cashier, n)
                else:
                    drawer.paid_out(demo_db, cashier, n, "float test", approvals[Action.PAID_OUT])
        elif op == "paid_in":
            drawer.paid_in(demo_db, cashier, n, "change from the bank")
            tally["paid_in"] += n
        elif op == "paid_out":
            drawer.paid_out(demo_db, cashier, n, "ice", approvals[Action.PAID_OUT])
            tally["paid_out"] += n
        elif op == "drop":
            drawer.drop(demo_db, cashier, n)
            tally["drops"] += n
        elif op == "no_sale":
            drawer.no_sale(demo_db, cashier, approvals[Action.NO_SALE])
        elif op in ("refund", "void") and sales:
            order_id, total, kept = sales[-1]
            back = total if op == "refund" else kept
            if back > expected:  # cash the drawer does not hold is never handed back
                with pytest.raises(SaleRefused, match="should hold only"):
                    undo(op, order_id, total)
                continue
            undo(op, order_id, total)
            sales.pop()
            tally["refunds" if op == "refund" else "voids"] += back

    expected = float_cents + tally["in"] - tally["change"] + tally["paid_in"]
    expected -= tally["refunds"] + tally["voids"] + tally["paid_out"] + tally["drops"]
    moves = drawer.movements(demo_db, session.id)
    assert drawer.expected_cash(demo_db, session.id) == expected
    assert float_cents + sum(m.amount_cents for m in moves) == expected
    x = drawer.x_report(demo_db)
    assert x.expected_cents == expected
    assert (x.cash_sales_cents, x.change_cents, x.paid_in_cents, x.paid_out_cents) == (
        tally["in"],
        tally["change"],
        tally["paid_in"],
        tally["paid_out"],
    )
    assert (x.cash_refunds_cents, x.cash_voids_cents, x.drops_cents) == (
        tally["refunds"],
        tally["voids"],
        tally["drops"],
    )
    assert x.no_sales == sum(1 for op, _ in ops if op == "no_sale")

    z = drawer.close_session(
        demo_db,
        session.id,
        cashier,
        count_of(expected),
        min(leave, expected),
        approvals[Action.CLOSE_DRAWER],
    )
    assert z.over_short_cents == 0 and z.x == drawer.x_report(demo_db, session.id)
    assert drawer.current_session(demo_db) is None
