"""The refund screen and exchanges, driven like a cashier would on the real window: scan the
receipt, choose what comes back, give the money back, and exchange for something else."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import func, select

from tastingroom.people.staff import Action, approve
from tastingroom.selling.refunds import RefundRefused, ReturnLine, commit_refund
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.models import AuditEntry, Order, OutboxItem, Stock, Tender
from tests.ui.conftest import approve_in, ring_cash_sale
from tests.ui.test_selling import check_age, ring
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton
SHOTS = Path("/tmp/shots")


def on_hand(window: MainWindow, code: str) -> int:
    item = window.register.catalog.by_barcode(code)
    with window.register.db.read() as s:
        return s.get(Stock, (item.base_sku_id, "Tasting Room")).on_hand


def card_sale(window: MainWindow, code: str = "PN22"):
    """One bottle paid by Visa ****1111 through the engine, age checked."""
    from datetime import date

    from tastingroom.selling.age import check_birth_date
    from tastingroom.selling.cart import Cart

    register = window.register
    cart = Cart(staff_id=window.staff.id)
    cart.add(register.catalog.by_barcode(code))
    total = register.price(cart).total_cents
    card = TenderInput(
        TenderKind.CARD, total, card_type="Visa", card_last4="1111", approval_code="S1"
    )
    check = check_birth_date(register.settings, window.staff.id, date(1980, 1, 1))
    return register.commit(cart, window.staff, [card], check)


def shoot(window: MainWindow, name: str) -> None:
    """The window as staff see it once its layouts have caught up with the last change."""
    QApplication.processEvents()
    SHOTS.mkdir(exist_ok=True)
    window.grab().save(str(SHOTS / name))


def open_refunds(qtbot, window: MainWindow) -> None:
    qtbot.mouseClick(window.nav["Refunds"], LEFT)
    assert window.screens.currentWidget() is window.refunds


def scan_receipt(qtbot, window: MainWindow, number: str) -> None:
    """A receipt's barcode read by the wedge scanner: keys in a burst, then Enter, into
    whatever has focus (the shell routes the burst to the refund screen)."""
    window.refunds.table.setFocus()
    qtbot.keyClicks(window.refunds.table, number)
    qtbot.keyClick(window.refunds.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.refunds.original is not None)
    assert window.refunds.original.number == number


def refunds_of(window: MainWindow, order_id: str) -> list[tuple[Order, list, list]]:
    with window.register.db.read() as s:
        found = s.scalars(select(Order).where(Order.previous_order_id == order_id))
        return [(o, list(o.lines), list(o.tenders)) for o in found]


def outbox(window: MainWindow) -> list[tuple[str, str]]:
    with window.register.db.read() as s:
        return [(b.kind, b.entity_id) for b in s.scalars(select(OutboxItem))]


def test_a_cash_sale_partly_refunded_to_cash_by_scanning_its_receipt(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22", "PN22", "CS21")
    check_age(qtbot, window, 1980)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(pay.isVisible)
    pay.add_cash(pay.due_cents())
    qtbot.mouseClick(pay.complete, LEFT)
    sale = pay.sale
    pay.accept()
    stock = on_hand(window, "PN22"), on_hand(window, "CS21")

    open_refunds(qtbot, window)
    screen = window.refunds
    scan_receipt(qtbot, window, sale.number)
    assert screen.table.rowCount() == 2 and not screen.refund_button.isEnabled()
    pinot, cab = screen.steppers[1], screen.steppers[2]
    assert pinot.more.minimumHeight() >= 44 and pinot.more.minimumWidth() >= 44
    qtbot.mouseClick(pinot.more, LEFT)
    qtbot.mouseClick(cab.more, LEFT)
    qtbot.mouseClick(screen.conditions[2], LEFT)  # the Cabernet came back broken
    assert screen.conditions[2].text() == "Damaged"
    quote = screen.quote()
    first = quote.lines[0]
    assert screen.table.item(0, 5).text() == (
        f"${first.total_cents / 100:,.2f} (tax ${first.tax_cents / 100:,.2f})"
    )
    assert f"Tax ${quote.tax_cents / 100:,.2f}" in screen.quote_label.text()
    assert screen.total.text() == f"Refund ${quote.total_cents / 100:,.2f}"

    qtbot.mouseClick(screen.refund_button, LEFT)
    assert screen.approval_dialog.action is Action.REFUND
    approve_in(qtbot, screen.approval_dialog)
    assert "done" in screen.message.text() and "in cash" in screen.message.text()
    [(refund, lines, tenders)] = refunds_of(window, sale.order_id)
    assert refund.transaction_type == "refund" and refund.total_cents == quote.total_cents
    assert [(ln.line_no, ln.quantity, ln.disposition) for ln in lines] == [
        (1, 1, "restock"),
        (2, 1, "damaged"),
    ]
    assert [(t.kind, t.amount_cents) for t in tenders] == [("cash", quote.total_cents)]
    assert (on_hand(window, "PN22"), on_hand(window, "CS21")) == (stock[0] + 1, stock[1])
    shown = screen.receipt_shown
    assert f"REFUND {refund.number}" in shown and f"Refund of {sale.number}" in shown
    assert "written off as damaged" in shown and f"|| {refund.number} ||" in shown

    # The same receipt again: one Pinot is still out, the Cabernet is all back.
    scan_receipt(qtbot, window, sale.number)
    assert screen.table.item(0, 2).text() == "1" and screen.steppers[1].returnable == 1
    assert not screen.steppers[2].more.isEnabled()
    qtbot.mouseClick(screen.steppers[1].more, LEFT)
    shoot(window, "refund.png")

    # The orders screen: the refund is its own row, linked to the sale, waiting to sync.
    qtbot.mouseClick(window.nav["Orders"], LEFT)
    model = window.orders.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == refund.number)
    last = model.columnCount() - 1
    assert model.index(row, last).data() == f"Refund of {sale.number}"
    assert model.index(row, 4).data() == "waiting"
    assert outbox(window).count(("order.refund", refund.id)) == 1


def test_more_than_sold_cannot_be_chosen_and_the_engine_refuses_it(qtbot, signed_in):
    window = signed_in
    sale = ring_cash_sale(window.register, window.staff)
    open_refunds(qtbot, window)
    screen = window.refunds
    scan_receipt(qtbot, window, sale.number)
    stepper = screen.steppers[1]
    qtbot.mouseClick(stepper.more, LEFT)
    qtbot.mouseClick(stepper.more, LEFT)
    assert stepper.count == 1 and not stepper.more.isEnabled()
    with pytest.raises(RefundRefused, match="at most 1"):
        commit_refund(window.register, sale.order_id, [ReturnLine(1, 2)], window.staff, None, [])
    # Meanwhile the bottle comes back at another register session: the screen's choice is
    # now more than is out, and the engine's words say so, with nothing written.
    other = approve(window.register.db, Action.REFUND, window.staff.id, manager_id(window), "2222")
    quote_total = screen.quote().total_cents
    commit_refund(
        window.register, sale.order_id, [ReturnLine(1, 1)], window.staff, other,
        [TenderInput(TenderKind.CASH, quote_total)],
    )  # fmt: skip
    qtbot.mouseClick(screen.refund_button, LEFT)
    assert screen.approval_dialog is None
    assert "has already been refunded in full" in screen.message.text()
    assert len(refunds_of(window, sale.order_id)) == 1


def manager_id(window: MainWindow) -> str:
    from tastingroom.people.staff import Role, list_staff

    return next(m.id for m in list_staff(window.register.db) if m.role is Role.MANAGER)


def test_a_card_refund_needs_the_terminals_approval_code(qtbot, signed_in: MainWindow):
    window = signed_in
    sale = card_sale(window)
    qtbot.mouseClick(window.nav["Orders"], LEFT)
    orders = window.orders
    row = next(r for r, o in enumerate(orders.rows) if o.order_id == sale.order_id)
    orders.table.selectRow(row)
    qtbot.mouseClick(orders.refund_button, LEFT)  # "Refund…" opens the refund screen on it
    screen = window.refunds
    assert window.screens.currentWidget() is screen and screen.original.number == sale.number
    qtbot.mouseClick(screen.steppers[1].more, LEFT)
    box, _, code = screen.tender_rows[("card", "Visa", "1111")]
    assert box.isVisibleTo(screen) and code is not None
    qtbot.mouseClick(screen.refund_button, LEFT)
    assert "approval code from the card terminal" in screen.message.text()
    assert screen.approval_dialog is None and refunds_of(window, sale.order_id) == []
    qtbot.keyClicks(code, "RF77", delay=60)
    qtbot.mouseClick(screen.refund_button, LEFT)
    approve_in(qtbot, screen.approval_dialog)
    [(_, _, tenders)] = refunds_of(window, sale.order_id)
    assert [(t.kind, t.card_last4, t.approval_code) for t in tenders] == [("card", "1111", "RF77")]
    assert "Visa ****1111 auth RF77" in screen.receipt_shown
    assert "to Visa ****1111" in screen.message.text()


def test_a_refund_to_another_tender_needs_a_manager(qtbot, signed_in: MainWindow):
    window = signed_in
    sale = card_sale(window)
    open_refunds(qtbot, window)
    screen = window.refunds
    scan_receipt(qtbot, window, sale.number)
    qtbot.mouseClick(screen.steppers[1].more, LEFT)
    screen.way.setCurrentText("All in cash")
    assert not screen.tender_rows[("card", "Visa", "1111")][0].isVisibleTo(screen)
    qtbot.mouseClick(screen.refund_button, LEFT)
    approve_in(qtbot, screen.approval_dialog)  # the refund itself
    second = screen.approval_dialog
    assert second.action is Action.REFUND_OTHER_TENDER
    second.reject()  # no manager for that: nothing is written
    assert refunds_of(window, sale.order_id) == []
    qtbot.mouseClick(screen.refund_button, LEFT)
    approve_in(qtbot, screen.approval_dialog)
    approve_in(qtbot, screen.approval_dialog)
    [(_, _, tenders)] = refunds_of(window, sale.order_id)
    assert [t.kind for t in tenders] == ["cash"]


def test_an_order_older_than_the_window_needs_a_manager(qtbot, signed_in: MainWindow):
    window = signed_in
    sale = ring_cash_sale(window.register, window.staff)
    with window.register.db.write() as s:
        order = s.get(Order, sale.order_id)
        order.created_at = order.created_at - timedelta(days=121)
    open_refunds(qtbot, window)
    screen = window.refunds
    scan_receipt(qtbot, window, sale.number)
    qtbot.mouseClick(screen.steppers[1].more, LEFT)
    assert "120-day refund window" in screen.quote_label.text()
    qtbot.mouseClick(screen.refund_button, LEFT)
    approve_in(qtbot, screen.approval_dialog)
    assert screen.approval_dialog.action is Action.REFUND_OLD_ORDER
    approve_in(qtbot, screen.approval_dialog)
    [(refund, _, _)] = refunds_of(window, sale.order_id)
    with window.register.db.read() as s:
        actions = set(s.scalars(select(AuditEntry.action)))
    assert {"refund", "refund_old_order"} <= actions and refund.status == "completed"


def exchange(qtbot, window: MainWindow, code: str) -> object:
    """Return the one bottle of a cash sale of `code`, as credit on a new sale."""
    sale = ring_cash_sale(window.register, window.staff, code)
    open_refunds(qtbot, window)
    screen = window.refunds
    scan_receipt(qtbot, window, sale.number)
    qtbot.mouseClick(screen.steppers[1].more, LEFT)
    qtbot.mouseClick(screen.exchange_button, LEFT)
    approve_in(qtbot, screen.approval_dialog)
    assert window.screens.currentWidget() is window.selling
    assert window.selling.exchange is not None
    assert window.selling.exchange.number == sale.number
    return sale


def counts(window: MainWindow) -> tuple[int, int]:
    with window.register.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Order)),
            s.scalar(select(func.count()).select_from(Tender)),
        )


def test_an_exchange_for_something_dearer_the_guest_pays_the_difference(qtbot, signed_in):
    window = signed_in
    sale = exchange(qtbot, window, "PN22")
    selling = window.selling
    credit = selling.exchange.value_cents
    assert "Exchange credit" in selling.total.text()
    ring(qtbot, window, "CS21")
    new_total = window.register.price(selling.cart).total_cents
    assert selling.total.text() == f"To pay ${(new_total - credit) / 100:,.2f}"
    assert f"Exchange credit for the return of {sale.number}" in selling.totals.text()
    shoot(window, "exchange.png")
    before = counts(window)[0]
    check_age(qtbot, window, 1980)
    pay = selling.payment_dialog
    qtbot.waitUntil(pay.isVisible)
    assert pay.total_cents() == new_total - credit and "To pay" in pay.total_label.text()
    pay.add_cash(2000)  # a $20 note
    qtbot.mouseClick(pay.complete, LEFT)
    assert "Exchange complete" in pay.done_label.text()
    assert counts(window)[0] == before + 2  # the return and the sale, together
    receipt = pay.receipt_shown
    assert receipt.count("Thank you for visiting!") == 1  # one receipt
    assert f"Returned from {sale.number}" in receipt and "Cabernet" in receipt
    assert "Pinot Noir" in receipt and "TO PAY" in receipt and "Change" in receipt
    [(refund, _, _)] = refunds_of(window, sale.order_id)
    boxes = outbox(window)
    assert boxes.count(("order.refund", refund.id)) == 1
    assert boxes.count(("order.upsert", pay.sale.order_id)) == 1
    pay.accept()
    assert selling.exchange is None and not selling.cart.lines


def test_an_exchange_for_something_cheaper_gives_the_difference_back_in_cash(
    qtbot, signed_in: MainWindow
):
    window = signed_in
    sale = exchange(qtbot, window, "CS21")
    selling = window.selling
    credit = selling.exchange.value_cents
    ring(qtbot, window, "FOOD-OLIVE")
    new_total = window.register.price(selling.cart).total_cents
    assert selling.total.text() == f"Back to guest ${(credit - new_total) / 100:,.2f}"
    qtbot.mouseClick(selling.pay_button, LEFT)  # olives: no age check
    pay = selling.payment_dialog
    qtbot.waitUntil(pay.isVisible)
    assert pay.giving_back and "Back to guest" in pay.total_label.text()
    pay.add_cash(pay.due_cents() + 100)  # more than is due back: never change on a refund
    assert not pay.complete.isEnabled()
    pay.clear_tenders()
    pay.add_cash(pay.due_cents())
    qtbot.mouseClick(pay.complete, LEFT)
    assert pay.approval_dialog is None  # cash back to a cash sale: no other tender
    [(refund, _, tenders)] = refunds_of(window, sale.order_id)
    assert sorted((t.kind, t.amount_cents) for t in tenders) == sorted(
        [("cash", credit - new_total), ("exchange", new_total)]
    )
    receipt = pay.receipt_shown
    assert receipt.count("Thank you for visiting!") == 1
    assert "BACK TO GUEST" in receipt and "Cash back" in receipt and "Olives" in receipt
    boxes = outbox(window)
    assert boxes.count(("order.refund", refund.id)) == 1
    assert boxes.count(("order.upsert", pay.sale.order_id)) == 1


def test_a_licence_scanned_on_the_refund_screen_is_not_shown(qtbot, signed_in: MainWindow):
    window = signed_in
    open_refunds(qtbot, window)
    screen = window.refunds
    qtbot.keyClicks(screen.customer, "ab", delay=60)
    screen.search_customer()
    assert "3 or more letters" in screen.message.text()
    window.refunds.take_scan("@\n\x1e\rANSI 636014080102DL00410288ZC03290034DLDAQD1234567\n")
    assert "licence" in window.refunds.message.text()
    assert "D1234567" not in window.refunds.number.text() + window.refunds.message.text()
