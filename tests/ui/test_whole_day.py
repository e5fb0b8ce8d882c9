"""A whole day at the counter of the demo winery, driven through the real window the way
staff work it: the drawer opened on a counted float, two parties' tabs open at once and
paid in turn, cash and card sales, a partial refund to cash, an exchange, a paid-out and
a drop, an X report, a Z close that comes out exactly right, the next session carried
over and closed $5 short with a reason, and the day's report exported.

The drawer's expected cash is checked against a ledger this test keeps itself from what
the guests paid and were given, not against the engine's own sum."""

from __future__ import annotations

from sqlalchemy import func, select

from tastingroom import drawer
from tastingroom.drawer.counts import DENOMINATIONS
from tastingroom.money import format_cents
from tastingroom.selling import tabs
from tastingroom.selling.age import store_today
from tastingroom.settings import save_settings
from tastingroom.store.models import AuditEntry, Order, OutboxItem
from tests.ui.conftest import approve_in, tap
from tests.ui.test_refund_screen import open_refunds, refunds_of, scan_receipt
from tests.ui.test_selling import check_age, ring
from tests.ui.test_tabs_ui import hold, resume, strip
from ui.drawer.close_dialog import CloseDialog
from ui.main_window import MainWindow

MANAGER = ("Morgan Lee", "2222")


def pay_in_cash(qtbot, window: MainWindow, handed: int | None = None):
    """Pay the cart on screen in cash: `handed` cents, or exactly what is due. Returns
    the sale and the cash it left in the drawer (what was handed less the change)."""
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    due = pay.due_cents()
    if handed is None:
        tap(qtbot, pay.quick_row.itemAt(0).widget())  # the first quick amount: exact
    else:
        qtbot.keyClicks(pay.cash_amount, f"{handed / 100:.2f}")
        pay._add_cash_text(pay.cash_amount.text())
    tap(qtbot, pay.complete)
    sale = pay.sale
    assert sale is not None
    assert sale.settlement.change_cents == (0 if handed is None else handed - due)
    pay.accept()
    return sale, due


def pay_by_card(qtbot, window: MainWindow):
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    qtbot.keyClicks(pay.card_last4, "4242")
    qtbot.keyClicks(pay.card_approval, "OK1234")
    pay.add_card()
    tap(qtbot, pay.complete)
    sale = pay.sale
    assert sale is not None
    pay.accept()
    return sale


def type_count(qtbot, dialog: CloseDialog, cents: int) -> None:
    """Count `cents` into the close dialog the way staff do with a full drawer: the
    number of each bill and coin typed into its field, largest first."""
    for denomination in DENOMINATIONS:
        pieces, cents = divmod(cents, denomination.cents)
        if pieces:
            field = dialog.counter.rows[denomination.key].field
            field.clear()
            qtbot.keyClicks(field, str(pieces))
    assert cents == 0


def close_counting(qtbot, window: MainWindow, counted: int, reason: str = "") -> CloseDialog:
    """Close drawer (Z)…: count, give a reason, and have a manager sign it off."""
    screen = window.drawer
    tap(qtbot, screen.close_button)
    dialog = screen.close_dialog
    qtbot.waitUntil(dialog.isVisible)
    type_count(qtbot, dialog, counted)
    if reason:
        qtbot.keyClicks(dialog.reason, reason)
    tap(qtbot, dialog.close_button)
    approve_in(qtbot, dialog.approval_dialog, *MANAGER)
    qtbot.waitUntil(lambda: dialog.z is not None)
    qtbot.waitUntil(lambda: dialog.saved is not None)
    return dialog


def test_a_whole_day_at_the_counter(qtbot, signed_in: MainWindow):
    window = signed_in
    db = window.register.db
    with db.write() as s:  # as a store set up for real: no sale without an open drawer
        save_settings(s, drawer_required=True)
    window.register.reload_settings()
    ring(qtbot, window, "FOOD-OLIVE")
    tap(qtbot, window.selling.pay_button)
    assert window.selling.payment_dialog is None  # the drawer first
    assert "open the drawer" in window.selling.messages.labels["cart"].text()
    window.selling.new_sale()

    # Opening: $100 in fives tapped in, 80 quarters typed.
    tap(qtbot, window.nav["Drawer"])
    screen = window.drawer
    tap(qtbot, screen.counter.rows["bill_500"].plus, 20)
    qtbot.keyClicks(screen.counter.rows["coin_25"].field, "80")
    tap(qtbot, screen.open_button)
    assert screen.session is not None and screen.session.float_cents == 12_000
    cash = 12_000  # the ledger: what should be in the drawer

    # Two parties at the bar, each ID checked once, when their tab is first held.
    tap(qtbot, window.nav["Register"])
    ring(qtbot, window, "GL-ROS", "GL-ROS")
    hold(qtbot, window, "Bar 1", check_age=True)
    ring(qtbot, window, "FOOD-CHEESE", "PN22")
    hold(qtbot, window, "Bar 2", check_age=True)
    assert strip(window) == ["Bar 1", "Bar 2"]
    resume(qtbot, window, "Bar 1")
    ring(qtbot, window, "GL-ROS")  # a third glass before they settle up
    window.selling.age_dialog = None  # forget the dialog of the check made at the hold
    tap(qtbot, window.selling.pay_button)
    assert window.selling.age_dialog is None  # the tab's check is kept
    _, bar_one = pay_in_cash(qtbot, window)
    cash += bar_one
    resume(qtbot, window, "Bar 2")
    tap(qtbot, window.selling.pay_button)
    assert window.selling.age_dialog is None
    pay_by_card(qtbot, window)
    assert strip(window) == [] and tabs.open_tabs(window.register) == []

    # A cash sale with change, and a card sale.
    ring(qtbot, window, "PN22", "PN22", "CS21")
    check_age(qtbot, window, 1980)
    cash_sale, due = pay_in_cash(qtbot, window, handed=20_000)
    cash += due
    ring(qtbot, window, "SPK21")
    check_age(qtbot, window, 1975)
    pay_by_card(qtbot, window)

    # A corked Pinot from the cash sale: scanned receipt, one bottle back, to cash.
    open_refunds(qtbot, window)
    refunds = window.refunds
    scan_receipt(qtbot, window, cash_sale.number)
    tap(qtbot, refunds.steppers[1].more)
    tap(qtbot, refunds.conditions[1])  # corked: written off, not back on the shelf
    refund_total = refunds.quote().total_cents
    tap(qtbot, refunds.refund_button)
    approve_in(qtbot, refunds.approval_dialog, *MANAGER)
    assert "in cash" in refunds.message.text()
    cash -= refund_total

    # The guest swaps the Cabernet for two bottles of Brut, paying the difference in cash.
    scan_receipt(qtbot, window, cash_sale.number)
    assert refunds.table.item(1, 0).text().startswith("Cabernet")
    tap(qtbot, refunds.steppers[2].more)  # line 2: the Cabernet
    tap(qtbot, refunds.exchange_button)
    approve_in(qtbot, refunds.approval_dialog, *MANAGER)
    assert window.showing("Register") and window.selling.exchange is not None
    ring(qtbot, window, "SPK21", "SPK21")
    check_age(qtbot, window, 1980)
    _, difference = pay_in_cash(qtbot, window, handed=10_000)
    cash += difference
    returned = refunds_of(window, cash_sale.order_id)
    assert len(returned) == 2

    # Ice for the market stand (a manager's PIN), and a drop to the safe.
    tap(qtbot, window.nav["Drawer"])
    tap(qtbot, screen.paid_out_button)
    movement = screen.movement_dialog
    qtbot.waitUntil(movement.isVisible)
    qtbot.keyClicks(movement.amount, "12.50")
    qtbot.keyClicks(movement.reason, "Ice for the market stand")
    tap(qtbot, movement.record_button)
    approve_in(qtbot, movement.approval_dialog, *MANAGER)
    qtbot.waitUntil(lambda: not movement.isVisible())
    cash -= 1_250
    tap(qtbot, screen.drop_button)
    movement = screen.movement_dialog
    qtbot.waitUntil(movement.isVisible)
    qtbot.keyClicks(movement.amount, "100")
    tap(qtbot, movement.record_button)
    qtbot.waitUntil(lambda: not movement.isVisible())
    cash -= 10_000

    # The X report agrees with the ledger.
    tap(qtbot, screen.x_button)
    assert f"Expected in drawer {format_cents(cash)}" == screen.expected_label.text()
    x = drawer.x_report(db)
    assert x.expected_cents == cash and x.paid_out_cents == 1_250 and x.drops_cents == 10_000
    assert "X REPORT" in screen.x_view.toPlainText()

    # Z1: counted exactly what the ledger says.
    first = close_counting(qtbot, window, cash)
    assert first.z.z_number == 1 and first.z.over_short_cents == 0
    assert first.z_title.text() == "Closed as Z1: the drawer is exactly right"
    assert first.saved.pdf.read_bytes().startswith(b"%PDF") and first.saved.csv.exists()
    carried = first.z.carried_float_cents
    tap(qtbot, first.done_button)

    # The evening session on the carried float: one cash sale, then $5 short.
    assert screen.carry_button.isVisible()
    tap(qtbot, screen.carry_button)
    assert screen.session.float_cents == carried
    tap(qtbot, window.nav["Register"])
    ring(qtbot, window, "FOOD-OLIVE")
    tap(qtbot, window.selling.pay_button)  # olives: no age check
    _, olives = pay_in_cash(qtbot, window)
    tap(qtbot, window.nav["Drawer"])
    evening = carried + olives
    second = close_counting(qtbot, window, evening - 500, "Gave change for a $20 as a $10")
    assert second.z.z_number == 2 and second.z.over_short_cents == -500
    assert second.z_title.text() == "Closed as Z2: short by $5.00"
    assert "Reason: Gave change for a $20 as a $10" in second.report_view.toPlainText()
    tap(qtbot, second.done_button)
    assert drawer.current_session(db) is None

    # Every refund reached the outbox once; the day report adds the day up.
    with db.read() as s:
        refund_ids = s.scalars(select(Order.id).where(Order.transaction_type == "refund")).all()
        sent = s.scalars(select(OutboxItem.entity_id).where(OutboxItem.kind == "order.refund"))
        assert sorted(sent) == sorted(refund_ids) and len(refund_ids) == 2
        closes = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "drawer_close")
        )
    assert closes == 2
    tap(qtbot, window.nav["Reports"])
    qtbot.waitUntil(lambda: window.reports is not None and window.reports.report is not None)
    report = window.reports.report
    assert report.day == store_today(window.register.settings)
    assert report.sales.count == 6 and report.refunds.count == 2
    assert report.age_checks >= 4
    saved: list = []
    window.reports.sig_saved.connect(saved.append)
    tap(qtbot, window.reports.pdf_button)
    qtbot.waitUntil(lambda: len(saved) == 1)
    tap(qtbot, window.reports.csv_button)
    qtbot.waitUntil(lambda: len(saved) == 2)
    assert saved[0].read_bytes().startswith(b"%PDF") and saved[1].suffix == ".csv"
