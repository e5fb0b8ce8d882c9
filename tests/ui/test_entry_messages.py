"""What the engine refuses is said under the field it is about, and the dialog stays open
with nothing changed: payment and tip, a new customer, a price, a discount reason, a
date of birth, a shipping charge, the store's limits."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tastingroom.entry import CARD_NUMBER_MESSAGE
from tastingroom.store.models import Customer
from ui.main_window import MainWindow
from ui.payment_dialog import CASH, GIFT

from .conftest import sign_in
from .test_selling import check_age, ring


def tap(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def shown(dialog, field: str) -> str:
    """The message under `field`, checked to be on screen."""
    label = dialog.messages.labels[field]
    assert label.isVisible(), field
    return label.text()


def customers(window: MainWindow) -> int:
    with window.register.db.read() as s:
        return s.scalar(select(func.count()).select_from(Customer))


def test_payment_refusals_show_under_their_row(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22")
    check_age(qtbot, window, 1980)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())

    qtbot.keyClicks(pay.tip, "5000")
    qtbot.keyClick(pay.tip, Qt.Key.Key_Return)
    assert shown(pay, "tip") == "A tip cannot be more than $1,000.00 (store limit)."
    assert window.selling.cart.tip_cents == 0 and pay.message.text() == ""

    qtbot.keyClicks(pay.gift_code, "4111.1111.1111.1111")
    qtbot.keyClicks(pay.gift_amount, "10")
    pay.add_gift_card()
    assert shown(pay, GIFT) == CARD_NUMBER_MESSAGE
    assert not pay.messages.labels["tip"].isVisible()  # one message at a time

    pay.cash_amount.setText("inf")
    pay._add_cash_text(pay.cash_amount.text())
    assert "“inf” is not a payment in dollars and cents" in shown(pay, CASH)
    assert pay.cash_amount.text() == "inf"  # kept, to be corrected
    pay.cash_amount.setText("60000")
    pay._add_cash_text(pay.cash_amount.text())
    assert shown(pay, CASH) == "A payment cannot be more than $50,000.00 (store limit)."
    assert pay.tenders == [] and pay.isVisible()

    pay.tip.setText("5")
    qtbot.keyClick(pay.tip, Qt.Key.Key_Return)
    assert window.selling.cart.tip_cents == 500 and not pay.messages.labels[CASH].isVisible()
    tap(qtbot, pay.quick_row.itemAt(0).widget())
    tap(qtbot, pay.complete)
    assert pay.sale is not None and pay.sale.priced.tip_cents == 500


def test_a_new_customer_is_refused_under_the_field_and_not_saved(qtbot, signed_in: MainWindow):
    window = signed_in
    before = customers(window)
    tap(qtbot, window.selling.customer_button)
    dialog = window.selling.customer_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.first.setText("A" * 10_000)
    assert len(dialog.first.text()) == 50  # the field holds what the engine keeps
    dialog.first.setText("Ann\x07")
    dialog.last.setText("Guest")
    dialog.create()
    assert "cannot be printed or sent (U+0007)" in shown(dialog, "first_name")
    dialog.first.setText("Ann")
    dialog.phone.setText("4111 1111 1111 1111")
    dialog.create()
    assert shown(dialog, "phone") == CARD_NUMBER_MESSAGE
    assert not dialog.messages.labels["first_name"].isVisible()
    assert dialog.isVisible() and customers(window) == before
    dialog.query.setText("%")
    assert dialog.results.count() == 0  # "%" is looked for, not a wildcard


def test_a_price_above_the_limit_keeps_the_price_dialog_open(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22")
    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.price_button)
    dialog = window.selling.line_dialog
    qtbot.keyClicks(dialog.value, "100000")
    tap(qtbot, dialog.apply)
    assert dialog.message.text() == "A price cannot be more than $10,000.00 (store limit)."
    assert dialog.isVisible() and window.selling.approval_dialog is None


def test_a_card_number_in_a_discount_reason_is_refused_under_the_reason(
    qtbot, signed_in: MainWindow
):
    window = signed_in
    ring(qtbot, window, "PN22")
    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.discount_button)
    dialog = window.selling.line_dialog
    qtbot.keyClicks(dialog.value, "10")
    dialog.reason.setCurrentText("comp 4111-1111-1111-1111")
    tap(qtbot, dialog.apply)
    assert shown(dialog, "reason") == CARD_NUMBER_MESSAGE
    assert dialog.isVisible() and window.selling.cart.lines[0].discount is None


def test_a_date_of_birth_226_years_ago_is_refused_under_the_date(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22")
    check_age(qtbot, window, 1800)
    dialog = window.selling.age_dialog
    assert "more than 120 years ago is a typo" in shown(dialog, "birth_date")
    assert dialog.isVisible() and dialog.result is None and window.selling.payment_dialog is None
    dialog.dob.setText("05/17/1980")
    tap(qtbot, dialog.check_button)
    assert dialog.result.passed and not dialog.messages.labels["birth_date"].isVisible()


def test_the_ship_dialog_says_what_is_wrong_under_each_field(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22")
    tap(qtbot, window.selling.ship_button)
    dialog = window.selling.line_dialog
    qtbot.waitUntil(dialog.isVisible)
    for name, value in (
        ("first", "Ana"),
        ("last", "Silva"),
        ("address", "1 Pike St\x1b"),
        ("city", "Seattle"),
        ("state", "WA"),
        ("zip", "98101"),
    ):
        dialog.fields[name].setText(value)
    dialog.shipping.setText("5000")
    tap(qtbot, dialog.ship)
    assert shown(dialog, "shipping") == (
        "A shipping charge cannot be more than $1,000.00 (store limit)."
    )
    dialog.shipping.setText("25")
    tap(qtbot, dialog.ship)
    assert "cannot be printed or sent (U+001B)" in shown(dialog, "address")
    assert dialog.isVisible() and window.selling.cart.ship_to is None
    dialog.fields["address"].setText("1 Pike St")
    tap(qtbot, dialog.ship)
    assert window.selling.cart.ship_to.shipping_cents == 2500


def test_a_manager_sets_the_limits(qtbot, window: MainWindow):
    sign_in(qtbot, window, "Morgan Lee", "2222")
    tap(qtbot, window.nav["Settings"])
    screen = window.settings_screen
    assert screen.limits["max_tip_cents"].text() == "1,000.00"
    screen.limits["max_tip_cents"].setText("fifty")
    screen.save()
    assert "“fifty” is not the largest tip in dollars and cents" in shown(screen, "max_tip_cents")
    screen.limits["max_tip_cents"].setText("0")
    screen.save()
    assert screen.message.text() == (
        "Not saved: The largest tip must be between $0.01 and $100,000,000.00."
    )
    screen.limits["max_tip_cents"].setText("50")
    screen.save()
    assert screen.message.text() == "Settings saved."
    assert window.register.limits.tip_cents == 5_000


def test_a_saved_address_the_rules_refuse_is_said_in_the_dialog(qtbot, signed_in: MainWindow):
    window = signed_in
    with window.register.db.write() as s:
        guest = s.scalar(select(Customer).where(Customer.address.is_not(None)).limit(1))
        guest.city = "Napa\x07"  # as a pull might have left it
        guest_id = guest.id
    ring(qtbot, window, "PN22")
    window.register.attach_customer(window.selling.cart, guest_id)
    tap(qtbot, window.selling.ship_button)
    dialog = window.selling.line_dialog
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.choices["home"])
    tap(qtbot, dialog.ship)
    assert "The city holds a character that cannot be printed" in dialog.message.text()
    assert dialog.isVisible() and window.selling.cart.ship_to is None
