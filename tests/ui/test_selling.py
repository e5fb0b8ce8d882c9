"""Selling through the real widgets: sign in, ring up, check ID, pay, see the receipt."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tastingroom.store.models import Order, Tender
from ui.main_window import MainWindow

from .conftest import sign_in

LICENCE = (
    "@\n\x1e\rANSI 636014090001DL00410150DL"
    "DAQD7654321\nDCSOKAFOR\nDACSAM\nDBB07041975\nDBA07042030\nDCGUSA\r"
)


def ring(qtbot, window: MainWindow, *queries: str) -> None:
    for query in queries:
        qtbot.keyClicks(window.selling.search, query)
        qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)


def orders(window: MainWindow) -> int:
    with window.register.db.read() as s:
        return s.scalar(select(func.count()).select_from(Order))


def check_age(qtbot, window: MainWindow, year: int) -> None:
    qtbot.mouseClick(window.selling.pay_button, Qt.MouseButton.LeftButton)
    dialog = window.selling.age_dialog
    qtbot.waitUntil(lambda: dialog.isVisible())
    qtbot.mouseClick(dialog.dob, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.dob, f"05/17/{year}")
    qtbot.waitUntil(dialog.check_button.isEnabled)
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)


def test_cash_sale_with_change(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22", "FEE-TASTE")
    check_age(qtbot, window, 1980)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    total = pay.total_cents()
    qtbot.keyClicks(pay.cash_amount, "100")
    pay._add_cash_text(pay.cash_amount.text())
    assert pay.due_label.text() == f"Change due ${(10_000 - total) / 100:,.2f}".replace("$-", "-$")
    qtbot.mouseClick(pay.complete, Qt.MouseButton.LeftButton)
    assert pay.sale is not None and pay.sale.settlement.change_cents == 10_000 - total
    assert "Change" in pay.receipt_shown and "Estate Pinot Noir" in pay.receipt_shown
    assert "Change due" in pay.done_label.text()
    qtbot.mouseClick(
        pay.findChild(type(pay.complete), "") or pay.complete, Qt.MouseButton.LeftButton
    )
    pay.accept()
    assert window.selling.table.rowCount() == 0  # ready for the next guest
    with window.register.db.read() as s:
        [tender] = s.scalars(select(Tender)).all()
    assert (tender.kind, tender.amount_cents, tender.change_cents) == (
        "cash",
        10_000,
        10_000 - total,
    )


def test_split_tender(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "CS21", "MER-TOTE")
    check_age(qtbot, window, 1966)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    qtbot.keyClicks(pay.card_last4, "4242")
    qtbot.keyClicks(pay.card_approval, "OK1234")
    qtbot.keyClicks(pay.card_amount, "50.00")
    pay.add_card()
    assert not pay.complete.isEnabled()
    exact = pay.quick_row.itemAt(0).widget()  # the first quick amount is exactly what is due
    qtbot.mouseClick(exact, Qt.MouseButton.LeftButton)
    assert pay.complete.isEnabled()
    qtbot.mouseClick(pay.complete, Qt.MouseButton.LeftButton)
    with window.register.db.read() as s:
        kinds = sorted((t.kind, t.card_last4) for t in s.scalars(select(Tender)))
    assert kinds == [("card", "4242"), ("cash", None)]
    assert "Visa ****4242" in pay.receipt_shown


def test_under_age_is_refused_and_nothing_is_sold(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "ROS24")
    check_age(qtbot, window, 2010)
    dialog = window.selling.age_dialog
    assert "legal age is 21" in dialog.message.text()
    assert dialog.isVisible() and window.selling.payment_dialog is None
    dialog.reject()
    assert orders(window) == 0


def test_a_scanned_licence_passes_the_age_check(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "GEW23")
    qtbot.mouseClick(window.selling.pay_button, Qt.MouseButton.LeftButton)
    dialog = window.selling.age_dialog
    qtbot.waitUntil(lambda: dialog.isVisible())
    # A 2D scanner in keyboard mode: line breaks come as Enter, the RS character is lost,
    # and focus is wherever it happens to be (here the date field).
    dialog.dob.setFocus()
    for char in LICENCE.replace("\x1e", ""):
        if char in "\r\n":
            qtbot.keyClick(dialog.dob, Qt.Key.Key_Return)
        else:
            qtbot.keyClick(dialog.dob, char)
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=5_000)
    assert dialog.result.passed
    assert dialog.result.method.value == "id_scan"
    qtbot.waitUntil(
        lambda: (
            window.selling.payment_dialog is not None and window.selling.payment_dialog.isVisible()
        )
    )


def test_wrong_pin_and_locking(qtbot, window: MainWindow):
    sign_in(qtbot, window, "Alex Rivera", "9999")
    assert window.pages.currentIndex() == 0
    assert "Wrong PIN" in window.lock_screen.pad.message.text()
    sign_in(qtbot, window, "Morgan Lee", "2222")
    assert window.pages.currentIndex() == 1 and window.staff.name == "Morgan Lee"
    qtbot.mouseClick(window.selling.lock_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentIndex() == 0 and window.staff is None


def test_quick_cash_offers_what_guests_hand_over():
    from ui.payment_dialog import quick_cash

    assert quick_cash(12_534) == [12_534, 13_000, 14_000, 15_000, 20_000]
    assert quick_cash(1_725) == [1_725, 2_000, 5_000, 10_000]
    assert quick_cash(2_000) == [2_000, 5_000, 10_000]


def test_a_scan_lands_in_the_cart_whatever_has_focus(qtbot, signed_in: MainWindow):
    window = signed_in
    window.selling.table.setFocus()
    barcode = window.register.catalog.by_barcode("PN22").barcode
    qtbot.keyClicks(window.selling.table, barcode)
    qtbot.keyClick(window.selling.table, Qt.Key.Key_Return)
    assert (
        window.selling.table.rowCount() == 1 and "Pinot" in window.selling.table.item(0, 0).text()
    )
    window.selling.search.setFocus()
    qtbot.keyClicks(window.selling.search, "rose", delay=60)  # a person typing is not a scan
    qtbot.waitUntil(lambda: window.selling.search.text() == "rose")
    assert window.selling.table.rowCount() == 1


def test_a_club_members_discounted_sale(qtbot, signed_in: MainWindow):
    from tastingroom.store.models import Club, ClubMembership, Customer

    window = signed_in
    db = window.register.db
    with db.read() as s:
        member = s.scalar(
            select(Customer)
            .join(ClubMembership)
            .join(Club)
            .where(Club.name == "Lune Club Reserve", ClubMembership.status == "Active")
            .limit(1)
        )
    ring(qtbot, window, "CS21", "FEE-TASTE")
    before = window.selling.total.text()
    qtbot.mouseClick(window.selling.customer_button, Qt.MouseButton.LeftButton)
    dialog = window.selling.customer_dialog
    qtbot.waitUntil(dialog.isVisible)
    qtbot.keyClicks(dialog.query, member.email, delay=20)
    qtbot.waitUntil(lambda: dialog.results.count() == 1)
    assert "Lune Club Reserve" in dialog.results.item(0).text()
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Lune Club Reserve" in window.selling.customer_label.text())
    assert window.selling.total.text() != before
    assert "Lune Club Reserve 20% off" in window.selling.table.item(0, 3).text()
    assert "waived for club members" in window.selling.table.item(1, 3).text()
    check_age(qtbot, window, 1970)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    qtbot.mouseClick(pay.quick_row.itemAt(0).widget(), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(pay.complete, Qt.MouseButton.LeftButton)
    with db.read() as s:
        order = s.get(Order, pay.sale.order_id)
    assert order.customer_id == member.id and order.discount_cents > 0
