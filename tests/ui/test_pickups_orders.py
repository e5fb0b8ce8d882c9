"""The pickups and orders screens, driven like a user, over a real sync with the simulator."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from tastingroom.store.models import Order, OutboxItem
from ui.main_window import MainWindow

from .conftest import pull_a_web_pickup, ring_cash_sale


def test_a_pickup_is_found_and_handed_over(qtbot, signed_in: MainWindow):
    window = signed_in
    db = window.register.db
    number = pull_a_web_pickup(db)
    qtbot.mouseClick(window.nav["Pickups"], Qt.MouseButton.LeftButton)
    screen = window.pickups
    qtbot.keyClicks(screen.search, number, delay=60)
    assert screen.list.count() == 1 and "waiting" in screen.list.item(0).text()
    assert screen.hand_over_button.isEnabled()
    qtbot.mouseClick(screen.hand_over_button, Qt.MouseButton.LeftButton)
    dialog = screen.age_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.dob.setText("09/09/1971")
    qtbot.mouseClick(dialog.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "handed over" in screen.message.text())
    assert "Pickup of web order" in screen.slip.toPlainText()
    assert "picked up" in screen.list.item(0).text()
    assert not screen.hand_over_button.isEnabled()
    with db.read() as s:
        order = s.scalar(select(Order).where(Order.number == number))
        kinds = [
            i.kind for i in s.scalars(select(OutboxItem).where(OutboxItem.entity_id == order.id))
        ]
    assert order.picked_up_at is not None and kinds == ["order.pickup"]


def test_orders_screen_shows_sync_state_and_reprints(qtbot, signed_in: MainWindow, cashier):
    window = signed_in
    register = window.register
    sale = ring_cash_sale(register, cashier)
    qtbot.mouseClick(window.nav["Orders"], Qt.MouseButton.LeftButton)
    screen = window.orders
    assert screen.model.rowCount() == 1
    assert screen.model.index(0, 0).data() == sale.number
    assert screen.model.index(0, 4).data() == "waiting"
    screen.table.selectRow(0)
    qtbot.mouseClick(screen.reprint_button, Qt.MouseButton.LeftButton)
    text = screen.receipt.toPlainText()
    assert "(copy)" in text and "Brut" in text and sale.number in text
    assert "shown above" in screen.message.text()
