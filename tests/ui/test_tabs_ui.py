"""Tabs at the register, through the real window: parties' carts held under a name or a
bar spot, resumed with one tap, paid in turn with the ID checked once; kept across a
restart; closed by another cashier; put back by New sale; abandoned only with a
manager; and the Z close refused while one is open, until a manager carries it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from tastingroom import drawer
from tastingroom.drawer import DrawerCount
from tastingroom.people.staff import Role, add_staff
from tastingroom.selling import tabs
from tastingroom.startup import open_register
from tastingroom.store.models import AgeCheck, AuditEntry, Order, OutboxItem, Tab
from tastingroom.sync.outbox import OutboxKind
from ui.main_window import MainWindow

from .conftest import approve_in, sign_in, tap
from .test_selling import ring


def pass_age_check(qtbot, window: MainWindow, year: int = 1980) -> None:
    dialog = window.selling.age_dialog
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.dob)
    qtbot.keyClicks(dialog.dob, f"05/17/{year}")
    qtbot.waitUntil(dialog.check_button.isEnabled)
    tap(qtbot, dialog.check_button)


def hold(qtbot, window: MainWindow, name: str, *, check_age: bool = False) -> None:
    """Hold as tab…: the ID first when asked, then a spot tapped or a name typed."""
    tap(qtbot, window.selling.tabs.hold_button)
    if check_age:
        pass_age_check(qtbot, window)
    dialog = window.selling.tabs.name_dialog
    qtbot.waitUntil(dialog.isVisible)
    if name in dialog.spot_buttons:
        tap(qtbot, dialog.spot_buttons[name])
    else:
        qtbot.keyClicks(dialog.name, name)
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.selling.cart.lines)


def strip(window: MainWindow) -> list[str]:
    panel = window.selling.tabs
    return [panel.open[tab_id].name for tab_id in panel.buttons]


def resume(qtbot, window: MainWindow, name: str) -> None:
    panel = window.selling.tabs
    tab_id = next(i for i, info in panel.open.items() if info.name == name)
    tap(qtbot, panel.buttons[tab_id])


def pay(qtbot, window: MainWindow, *, card: bool = False):
    """Pay the cart on screen, in cash or on the card terminal; no ID check is asked."""
    window.selling.age_dialog = None
    tap(qtbot, window.selling.pay_button)
    assert window.selling.age_dialog is None, "the tab's kept age check was not reused"
    dialog = window.selling.payment_dialog
    qtbot.waitUntil(dialog.isVisible)
    if card:
        qtbot.keyClicks(dialog.card_last4, "4242")
        qtbot.keyClicks(dialog.card_approval, "OK1234")
        dialog.add_card()
    else:
        tap(qtbot, dialog.quick_row.itemAt(0).widget())  # exactly what is due
    tap(qtbot, dialog.complete)
    sale = dialog.sale
    assert sale is not None
    dialog.accept()
    return sale


def count(window: MainWindow, model, *where) -> int:
    with window.register.db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_two_tabs_paid_in_turn_with_the_id_checked_once_each(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "PN22", "FEE-TASTE")
    hold(qtbot, window, "Bar 1", check_age=True)
    ring(qtbot, window, "CS21")
    hold(qtbot, window, "Garcia party", check_age=True)
    assert strip(window) == ["Bar 1", "Garcia party"]
    assert count(window, OutboxItem) == 0  # a tab is not a sale

    resume(qtbot, window, "Bar 1")
    assert window.selling.customer_label.text().startswith("Tab: Bar 1")
    bar_1 = window.selling.cart.tab_id
    assert window.selling.tabs.buttons[bar_1].isChecked()
    pay(qtbot, window)
    assert strip(window) == ["Garcia party"]
    assert window.selling.customer_label.text().startswith("Cart")

    resume(qtbot, window, "Garcia party")
    paid = pay(qtbot, window, card=True)
    assert strip(window) == [] and window.selling.tabs.empty.isVisible()
    assert count(window, OutboxItem, OutboxItem.kind == OutboxKind.ORDER) == 2
    assert count(window, Order) == 2 and count(window, AgeCheck, AgeCheck.purpose == "sale") == 2
    with window.register.db.read() as s:
        assert s.scalar(select(Tab.order_id).where(Tab.name == "Garcia party")) == paid.order_id


def test_no_cart_is_lost_and_a_restart_lists_the_tabs(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "FOOD-OLIVE")
    hold(qtbot, window, "Bar 1")  # no alcohol: no ID check
    ring(qtbot, window, "PN22")
    resume(qtbot, window, "Bar 1")
    box = window.selling.tabs.ask_box
    qtbot.waitUntil(box.isVisible)
    tap(qtbot, next(b for b in box.buttons() if b.text() == "Cancel"))
    assert [x.item.code for x in window.selling.cart.lines] == ["PN22"]
    assert window.selling.cart.tab_id is None

    resume(qtbot, window, "Bar 1")
    box = window.selling.tabs.ask_box
    qtbot.waitUntil(box.isVisible)
    tap(qtbot, next(b for b in box.buttons() if b.text() == "Hold it as a tab"))
    pass_age_check(qtbot, window)
    dialog = window.selling.tabs.name_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.spot_buttons["Bar 1"].isEnabled()  # taken by an open tab
    qtbot.keyClicks(dialog.name, "bar 1")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert "already an open tab called bar 1" in dialog.messages.text("tab_name")
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "Okafor")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.selling.customer_label.text().startswith("Tab: Bar 1"))

    # A tab on screen is held again at once, without asking, when another is resumed.
    window.selling.add_item(window.register.catalog.by_barcode("FOOD-OLIVE"))
    resume(qtbot, window, "Okafor")
    assert window.selling.customer_label.text().startswith("Tab: Okafor")
    listed = {t.name: t for t in tabs.open_tabs(window.register)}
    assert listed["Bar 1"].line_count == 1 and not listed["Bar 1"].in_use
    assert listed["Okafor"].in_use

    path = window.register.db.path
    window.close()
    register = open_register(path)  # as the register starts: tabs left in use are put back
    try:
        again = MainWindow(register)
        qtbot.addWidget(again)
        again.show()
        sign_in(qtbot, again, "Alex Rivera", "1111")
        assert strip(again) == ["Bar 1", "Okafor"]
        resume(qtbot, again, "Okafor")
        assert [x.item.code for x in again.selling.cart.lines] == ["PN22"]
        assert again.selling.tabs.age_check_for(again.selling.cart) is not None
    finally:
        register.db.close()


def test_another_cashier_closes_the_tab(qtbot, signed_in: MainWindow):
    window = signed_in
    add_staff(window.register.db, "Jo Park", Role.CASHIER, "4444")
    ring(qtbot, window, "PN22", "FEE-TASTE")
    window.selling.table.selectRow(0)
    tap(qtbot, window.selling.price_button)
    price = window.selling.line_dialog
    qtbot.waitUntil(price.isVisible)
    qtbot.keyClicks(price.value, "40.00")
    tap(qtbot, price.apply)
    approve_in(qtbot, window.selling.approval_dialog, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: window.selling.cart.lines[0].override_cents == 4000)
    hold(qtbot, window, "Bar 2", check_age=True)

    tap(qtbot, window.selling.lock_button)
    sign_in(qtbot, window, "Jo Park", "4444")
    resume(qtbot, window, "Bar 2")
    assert window.selling.cart.staff_id == window.staff.id
    sale = pay(qtbot, window)
    with window.register.db.read() as s:
        order = s.get(Order, sale.order_id)
        assert order.staff_id == window.staff.id and order.lines[0].unit_price_cents == 4000
    assert strip(window) == []


def test_new_sale_puts_the_tab_back_and_abandoning_needs_a_manager(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "FOOD-OLIVE")
    hold(qtbot, window, "Bar 4")
    assert not window.selling.tabs.abandon_button.isEnabled()
    resume(qtbot, window, "Bar 4")
    window.selling.add_item(window.register.catalog.by_barcode("FOOD-CHEESE"))
    tap(qtbot, window.selling.clear_button)
    assert not window.selling.cart.lines and strip(window) == ["Bar 4"]
    (kept,) = tabs.open_tabs(window.register)
    assert kept.line_count == 2 and not kept.in_use  # the cheese was kept; free to resume

    resume(qtbot, window, "Bar 4")
    tap(qtbot, window.selling.tabs.abandon_button)
    dialog = window.selling.approval_dialog
    assert set(dialog.buttons) == {"Morgan Lee", "Sam Okafor"}
    approve_in(qtbot, dialog, "Morgan Lee", "0000")
    assert "Wrong PIN" in dialog.pad.message.text()
    dialog.reject()
    assert strip(window) == ["Bar 4"] and window.selling.cart.lines

    tap(qtbot, window.selling.tabs.abandon_button)
    approve_in(qtbot, window.selling.approval_dialog, "Sam Okafor", "3333")
    qtbot.waitUntil(lambda: strip(window) == [])
    assert not window.selling.cart.lines
    assert count(window, AuditEntry, AuditEntry.action == "tab_abandoned") == 1
    assert count(window, OutboxItem) == 0


def test_the_z_close_waits_for_an_open_tab_until_a_manager_carries_it(qtbot, signed_in: MainWindow):
    window = signed_in
    session = drawer.open_session(window.register.db, window.staff, DrawerCount({"bill_2000": 5}))
    ring(qtbot, window, "FOOD-OLIVE")
    hold(qtbot, window, "Bar 5")
    tap(qtbot, window.nav["Drawer"])
    tap(qtbot, window.drawer.close_button)
    dialog = window.drawer.close_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.tabs_label.text() == "Open tabs: Bar 5 ($9.00)"
    for _ in range(5):
        tap(qtbot, dialog.counter.rows["bill_2000"].plus)
    tap(qtbot, dialog.close_button)
    approve_in(qtbot, dialog.approval_dialog, "Morgan Lee", "2222")
    assert "1 tab(s) still open: Bar 5." in dialog.messages.text("tabs")
    assert dialog.z is None and drawer.current_session(window.register.db).id == session.id

    tap(qtbot, dialog.carry_button)
    approve_in(qtbot, dialog.approval_dialog, "Sam Okafor", "3333")
    assert not dialog.carry_button.isEnabled() and "Sam Okafor" in dialog.carry_button.text()
    tap(qtbot, dialog.close_button)
    approve_in(qtbot, dialog.approval_dialog, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: dialog.z is not None)
    (waiting,) = tabs.open_tabs(window.register)
    assert waiting.name == "Bar 5" and waiting.session_id is None
    assert count(window, AuditEntry, AuditEntry.action == "tabs_carried") == 1
