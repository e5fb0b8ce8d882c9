"""Partial refunds reach the simulated WineDirect once each, linked to their order, even
when WineDirect's reply to the refund is lost and the register must read back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tastingroom.people.staff import Action, approve
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.refunds import ReturnLine, commit_refund, quote_refund
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.status import read_status


def test_a_partial_refund_is_applied_once_and_linked(
    demo_db, simulator, engine, register, cashier, manager
):
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("PN22"), 3)
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"), 2)
    total = register.price(cart).total_cents
    paid = TenderInput(
        TenderKind.CARD, total, card_type="Visa", card_last4="4242", approval_code="A1"
    )
    sale = register.commit(
        cart, cashier, [paid], check_birth_date(register.settings, cashier.id, date(1975, 6, 1))
    )
    engine.run_once()
    ok = approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222")

    def refund(returns):
        quote = quote_refund(register, sale.order_id, returns)
        back = [
            TenderInput(
                TenderKind.CARD, amount, card_type="Visa", card_last4="4242", approval_code="R9"
            )
            for _, amount in quote.default_split()
        ]
        return commit_refund(register, sale.order_id, returns, cashier, ok, back)

    first = refund([ReturnLine(1, 1)])
    simulator.set_faults(drop_reply_after_write=1.0)  # WineDirect applies it; we never hear
    engine.run_once()
    simulator.set_faults(drop_reply_after_write=0.0)
    engine.drain()  # unknown outcome: read back, found, not sent again
    second = refund([ReturnLine(1, 2), ReturnLine(2, 2)])
    engine.drain()

    state = simulator.state
    applied = state.applied("orders")
    assert applied[sale.number] == applied[first.number] == applied[second.number] == 1
    original = state.orders[state.register_orders[sale.number]]
    for done, quantities in ((first, {"PN22": 1}), (second, {"PN22": 2, "FOOD-OLIVE": 2})):
        held = state.orders[state.register_orders[done.number]]
        assert held["TransactionType"] == "Refund"
        assert held["PreviousOrderNumber"] == original["OrderNumber"]
        assert {i["SKU"]: int(i["Quantity"]) for i in held["OrderItems"]} == quantities
        assert held["Total"] == Decimal(done.total_cents) / 100
    refunded = sum(state.orders[state.register_orders[d.number]]["Total"] for d in (first, second))
    assert refunded == original["Total"]  # everything back: exactly what was charged
    assert read_status(demo_db).pending == 0
