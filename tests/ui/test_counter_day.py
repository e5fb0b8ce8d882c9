"""A winery's first day at the counter, walked as a cashier and a manager would: tiles that
stay put, search by keyboard, taps that are not replayed onto what moved, messages beside
their cause, the store's own clock everywhere, and screens that read right."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPushButton, QSpinBox, QWidget
from sqlalchemy import select

from tastingroom.fulfilment.pickups import hand_over
from tastingroom.selling.cart import Cart
from tastingroom.status import read_status
from tastingroom.store.models import Order, OrderLine, SyncState, new_id, utcnow
from ui.main_window import MainWindow
from ui.payment_dialog import PaymentDialog
from ui.product_grid import FAVOURITES
from ui.register_screen import CART

from .conftest import pull_a_web_pickup, sign_in
from .test_selling import ring

PACIFIC = ZoneInfo("America/Los_Angeles")  # the demo winery's settings.timezone


def tap(qtbot, widget: QWidget, at: QPoint | None = None) -> None:
    """A finger on `widget` (at its centre, or at `at` in its own coordinates)."""
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=at or widget.rect().center())


def tap_screen(qtbot, window: QWidget, spot: QPoint) -> None:
    """A finger at a spot on the screen, on whatever of `window` is there now."""
    under = window.childAt(window.mapFromGlobal(spot)) or window
    qtbot.mouseClick(under, Qt.MouseButton.LeftButton, pos=under.mapFromGlobal(spot))


def centre(widget: QWidget) -> QPoint:
    return widget.mapToGlobal(widget.rect().center())


def tile_names(window: MainWindow) -> list[str]:
    return [tile.toolTip().split(" · ")[0] for tile in window.selling.grid.tiles]


def open_payment(qtbot, window: MainWindow) -> PaymentDialog:
    """Pay for a cart that needs no ID check (food)."""
    tap(qtbot, window.selling.pay_button)
    qtbot.waitUntil(
        lambda: (
            window.selling.payment_dialog is not None and window.selling.payment_dialog.isVisible()
        )
    )
    return window.selling.payment_dialog


def next_sale_button(pay: PaymentDialog) -> QPushButton:
    return next(b for b in pay.findChildren(QPushButton) if b.text() == "Next sale")


def sell_olives(qtbot, window: MainWindow, quantity: int) -> None:
    """Ring up Marinated Olives, tap +1 up to `quantity`, pay exact cash, next sale."""
    ring(qtbot, window, "FOOD-OLIVE")
    tap(
        qtbot,
        window.selling.table.viewport(),
        window.selling.table.visualItemRect(window.selling.table.item(0, 0)).center(),
    )
    for _ in range(quantity - 1):
        tap(qtbot, window.selling.more_button)  # the same button again and again: every tap counts
    assert window.selling.cart.lines[0].quantity == quantity
    pay = open_payment(qtbot, window)
    tap(qtbot, pay.quick_row.itemAt(0).widget())
    tap(qtbot, pay.complete)
    assert pay.sale is not None
    tap(qtbot, next_sale_button(pay))
    qtbot.waitUntil(lambda: not pay.isVisible())


# --- 1. favourites keep their places; a manager pins the first ones ---------------------


def test_favourites_stay_put_all_day_and_a_manager_pins_the_first(
    qtbot, signed_in: MainWindow, monkeypatch
):
    window = signed_in
    morning = tile_names(window)
    first_tile = window.selling.grid.tiles[0]
    assert morning[0] == "Bubbles Flight" and "Marinated Olives" not in morning

    sell_olives(qtbot, window, 12)  # today's best seller by far
    assert tile_names(window) == morning and window.selling.grid.tiles[0] is first_tile
    tap(qtbot, window.selling.grid.tiles[0])  # muscle memory: the first tile is still the flight
    assert [line.item.name for line in window.selling.cart.lines] == ["Bubbles Flight"]
    tap(qtbot, window.selling.clear_button)

    tomorrow = utcnow() + timedelta(days=1)
    monkeypatch.setattr("tastingroom.catalog.favourites.utcnow", lambda: tomorrow)
    tap(qtbot, window.selling.grid.tab_buttons[FAVOURITES])
    assert tile_names(window)[0] == "Marinated Olives"  # new best sellers: the next day

    window.lock()
    sign_in(qtbot, window, "Morgan Lee", "2222")
    tap(qtbot, window.nav["Settings"])
    screen = window.settings_screen
    for query in ("glass of ros", "tasting fee"):
        qtbot.keyClicks(screen.pin_search, query)
        assert screen.pin_results.currentRow() == 0  # the first match is highlighted
        qtbot.keyClick(screen.pin_search, Qt.Key.Key_Return)
    pinned = [screen.pinned_list.item(i).text() for i in range(screen.pinned_list.count())]
    assert pinned == ["1. Glass of Rosé · GL-ROS", "2. Tasting Fee · FEE-TASTE"]
    rows = screen.pinned_list
    tap(qtbot, rows.viewport(), rows.visualItemRect(rows.item(1)).center())
    tap(qtbot, screen.up_button)
    assert rows.item(0).text() == "1. Tasting Fee · FEE-TASTE" and rows.currentRow() == 0

    tap(qtbot, window.nav["Register"])
    names = tile_names(window)
    assert names[:3] == ["Tasting Fee", "Glass of Rosé", "Marinated Olives"]
    assert len(names) == len(set(names)) == len(morning)


# --- 2. search: the first result highlighted, Enter adds the highlighted one ------------


def test_enter_adds_the_highlighted_result(qtbot, signed_in: MainWindow):
    window = signed_in
    results = window.selling.results
    qtbot.keyClicks(window.selling.search, "ros", delay=60)  # a person typing
    assert results.count() > 2 and results.currentRow() == 0
    assert results.currentItem().isSelected()  # shown highlighted as soon as it appears
    second = results.item(1).data(Qt.ItemDataRole.UserRole)

    qtbot.keyClick(window.selling.search, Qt.Key.Key_Down)
    assert results.currentRow() == 1 and window.selling.search.hasFocus()
    qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)
    assert [line.item for line in window.selling.cart.lines] == [second]
    assert window.selling.search.text() == ""

    qtbot.keyClicks(window.selling.search, "glass of", delay=60)
    assert results.currentRow() == 0
    qtbot.keyClick(window.selling.search, Qt.Key.Key_Up)  # already at the top: stays
    first = results.item(0).data(Qt.ItemDataRole.UserRole)
    qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)
    assert [line.item for line in window.selling.cart.lines] == [second, first]


# --- 3. a second tap is not replayed onto what moved under the finger ------------------


def test_a_double_tap_on_quick_cash_pays_once_and_adds_no_card(qtbot, signed_in: MainWindow):
    window = signed_in
    ring(qtbot, window, "FOOD-OLIVE")
    pay = open_payment(qtbot, window)
    add_card = next(b for b in pay.findChildren(QPushButton) if b.text() == "Add card")
    card_row_at = add_card.mapToGlobal(QPoint(0, 0))
    spot = centre(pay.quick_row.itemAt(0).widget())

    tap_screen(qtbot, pay, spot)  # "$8.50" (exact)...
    tap_screen(qtbot, pay, spot)  # ...and the finger again, a moment later
    assert [t.kind.value for t in pay.tenders] == ["cash"]
    assert pay.complete.isEnabled() and pay.quick_row.count() == 0
    assert add_card.mapToGlobal(QPoint(0, 0)) == card_row_at  # the rows below did not move up

    done_spot = centre(pay.complete)
    tap_screen(qtbot, pay, done_spot)  # "Complete sale"...
    assert pay.sale is not None and pay.pages.currentIndex() == 1
    next_sale = next_sale_button(pay)
    assert next_sale.rect().contains(next_sale.mapFromGlobal(done_spot))  # now under the finger
    tap_screen(qtbot, pay, done_spot)  # ...tapped twice: "Next sale" must not take it
    assert pay.isVisible() and "complete" in pay.done_label.text()

    later = window.tap_guard.clock() + 1.0
    window.tap_guard.clock = lambda: later  # the cashier reads the change, then taps on purpose
    tap_screen(qtbot, pay, done_spot)
    qtbot.waitUntil(lambda: not pay.isVisible())
    assert window.selling.table.rowCount() == 0


# --- 4. messages beside their cause, gone with it; the PIN pad holds still ---------------


def test_messages_appear_beside_their_cause_and_go_with_it(qtbot, signed_in: MainWindow):
    window = signed_in
    cart_word = window.selling.messages.labels[CART]
    buttons = (
        window.selling.pay_button,
        window.selling.more_button,
        window.selling.ship_button,
        window.selling.clear_button,
    )
    where = [b.mapToGlobal(QPoint(0, 0)) for b in buttons]

    tap(qtbot, window.selling.pay_button)
    assert cart_word.isVisible() and cart_word.text() == "The cart is empty."
    assert window.selling.notice.text() == ""  # not under the products, across the screen
    word = cart_word.mapToGlobal(QPoint(0, 0))
    assert word.x() == window.selling.table.mapToGlobal(QPoint(0, 0)).x()  # in the cart's column...
    assert (
        word.y() < window.selling.more_button.mapToGlobal(QPoint(0, 0)).y()
    )  # ...above its buttons
    assert [b.mapToGlobal(QPoint(0, 0)) for b in buttons] == where  # nothing moved

    ring(qtbot, window, "FOOD-OLIVE")
    assert not cart_word.isVisible()  # the cart is not empty any more

    window.selling.table.setCurrentCell(-1, -1)
    tap(qtbot, window.selling.pack_button)
    assert cart_word.text() == "Tap a line in the cart first."
    tap(
        qtbot,
        window.selling.table.viewport(),
        window.selling.table.visualItemRect(window.selling.table.item(0, 0)).center(),
    )
    assert not cart_word.isVisible()
    tap(qtbot, window.selling.pack_button)
    assert cart_word.text() == "Marinated Olives is sold one way only."
    assert [b.mapToGlobal(QPoint(0, 0)) for b in buttons] == where

    qtbot.keyClicks(window.selling.search, "zzz", delay=60)
    assert window.selling.notice.text() == "Nothing matches “zzz”." and not cart_word.isVisible()
    assert (
        window.selling.notice.mapToGlobal(QPoint(0, 0)).x() < word.x()
    )  # under the search's column
    window.selling.search.clear()
    assert window.selling.notice.text() == ""


def test_the_pin_pad_keeps_its_keys_in_place_when_it_speaks(qtbot, window: MainWindow):
    lock = window.lock_screen
    tap(qtbot, lock.button_for("Alex Rivera"))
    keys = {label: key.mapToGlobal(QPoint(0, 0)) for label, key in lock.pad.keys.items()}
    messages = []
    for _ in range(6):  # wrong, wrong... locked: longer and longer messages
        for digit in "9090":
            tap(qtbot, lock.pad.keys[digit])
        tap(qtbot, lock.pad.keys["OK"])
        messages.append(lock.pad.message.text())
        assert {
            label: key.mapToGlobal(QPoint(0, 0)) for label, key in lock.pad.keys.items()
        } == keys
    assert messages[0].startswith("Wrong PIN") and "locked" in messages[-1]


# --- 5. the store's clock, everywhere --------------------------------------------------


def test_times_on_screen_are_the_stores_own(qtbot, signed_in: MainWindow, cashier):
    window = signed_in
    register = window.register
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("FOOD-CHOC"))
    total = register.price(cart).total_cents
    sale = register.commit(cart, cashier, [pay_cash(total)])
    pulled = "2026-11-23T22:05:00+00:00"  # 14:05 at the winery
    with register.db.write() as s:
        s.merge(SyncState(key="last_pull_at", value=pulled))

    window.show_status(read_status(register.db))
    assert "last sync 14:05" in window.status_label.text()
    tap(qtbot, window.nav["Orders"])
    model = window.orders.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == sale.number)
    local = sale.created_at.astimezone(PACIFIC)
    assert model.index(row, 1).data() == f"{local:%Y-%m-%d %H:%M}"
    tap(qtbot, window.nav["Sync"])
    details = window.sync_screen.details.text()
    assert "Last pull:       2026-11-23 14:05" in details and "UTC" not in details


def pay_cash(cents: int):
    from tastingroom.selling.tenders import TenderInput, TenderKind

    return TenderInput(TenderKind.CASH, cents)


# --- 6. words that read right -------------------------------------------------------------


def test_a_carried_out_sale_reads_carried_out(qtbot, signed_in: MainWindow):
    window = signed_in
    sell_olives(qtbot, window, 2)
    tap(qtbot, window.nav["Orders"])
    assert window.orders.model.index(0, 5).data() == "Carried out"


def test_pickups_read_as_the_register_names_products_and_in_local_time(
    qtbot, signed_in: MainWindow, cashier
):
    window = signed_in
    db = window.register.db
    number = pull_a_web_pickup(db)
    with db.write() as s:
        order = s.scalar(select(Order).where(Order.number == number))
        titles = {line.sku_code: line.name for line in order.lines}
        s.add(  # a SKU WineDirect sells that this register's catalog does not know
            OrderLine(
                id=new_id(),
                order_id=order.id,
                line_no=99,
                sku_code="WD-ONLY-7",
                name="2019 Cellar Door Red",
                kind="bottle",
                quantity=1,
                unit_price_cents=3000,
                original_price_cents=3000,
                net_cents=3000,
                explanation="web order",
            )
        )
        order_id = order.id
    catalog = window.register.catalog

    tap(qtbot, window.nav["Pickups"])
    screen = window.pickups
    qtbot.keyClicks(screen.search, number)
    details = screen.details.text()
    for code, title in titles.items():
        name = catalog.by_barcode(code).name
        assert name in details and (title == name or title not in details)
    assert "1 × 2019 Cellar Door Red" in details

    checked = check_adult(window, cashier)
    hand_over(db, order_id, cashier, checked)
    screen.reload()
    with db.read() as s:
        picked = s.get(Order, order_id).picked_up_at.astimezone(PACIFIC)
    assert f"Picked up {picked:%Y-%m-%d %H:%M}." in screen.details.text()
    assert "UTC" not in screen.details.text()


def check_adult(window: MainWindow, cashier):
    from datetime import date

    from tastingroom.selling.age import check_birth_date

    return check_birth_date(window.register.settings, cashier.id, date(1971, 9, 9))


@pytest.mark.parametrize("size", [(1280, 800), (1024, 700)])
def test_the_settings_screen_shows_every_line_whole(qtbot, window: MainWindow, size):
    sign_in(qtbot, window, "Morgan Lee", "2222")
    window.resize(*size)
    tap(qtbot, window.nav["Settings"])
    screen = window.settings_screen
    fields = [
        w
        for kind in (QLineEdit, QComboBox, QSpinBox)
        for w in screen.findChildren(kind)
        if not w.objectName().startswith("qt_")  # a spin box's own insides
    ]
    save = next(b for b in screen.findChildren(QPushButton) if b.text() == "Save settings")
    for line in [*fields, screen.unpin_button]:  # down to the very last line
        assert line.height() >= line.minimumSizeHint().height(), line.objectName()  # not squashed
        screen.scroll.ensureWidgetVisible(line)  # scrolled to, it shows whole
        qtbot.waitUntil(lambda w=line: w.visibleRegion().boundingRect() == w.rect())
        assert save.visibleRegion().boundingRect() == save.rect()  # Save stays in view
