"""The orders screen's search box, typed into as a person does: one search once typing
pauses (or on Enter), not one per keystroke; a search too short to run says so."""

from __future__ import annotations

from PySide6.QtCore import Qt

import ui.orders_screen
from tests.ui.conftest import ring_cash_sale
from ui.main_window import MainWindow


def test_typing_searches_once_when_the_typing_pauses(
    qtbot, signed_in: MainWindow, cashier, monkeypatch
):
    window = signed_in
    sales = [ring_cash_sale(window.register, cashier) for _ in range(3)]
    searched: list[str] = []
    real = ui.orders_screen.list_orders

    def counting(db, query="", limit=200):
        searched.append(query)
        return real(db, query, limit)

    monkeypatch.setattr(ui.orders_screen, "list_orders", counting)
    qtbot.mouseClick(window.nav["Orders"], Qt.MouseButton.LeftButton)
    screen = window.orders
    searched.clear()
    number = sales[1].number
    qtbot.keyClicks(screen.search, number, delay=60)  # a person's pace: 60 ms a key
    assert searched == []
    qtbot.waitUntil(lambda: searched == [number], timeout=2_000)
    assert screen.model.rowCount() == 1 and screen.model.index(0, 0).data() == number

    searched.clear()
    screen.search.clear()
    qtbot.keyClicks(screen.search, sales[2].number)
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)  # Enter searches at once
    assert searched == [sales[2].number]
    qtbot.wait(ui.orders_screen.DEBOUNCE_MS + 100)
    assert searched == [sales[2].number]  # and the pause that follows does not again


def test_a_search_too_short_to_run_says_how_long_it_must_be(qtbot, signed_in: MainWindow, cashier):
    window = signed_in
    ring_cash_sale(window.register, cashier)
    qtbot.mouseClick(window.nav["Orders"], Qt.MouseButton.LeftButton)
    screen = window.orders
    assert screen.model.rowCount() == 1
    qtbot.keyClicks(screen.search, "00")
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 0
    assert screen.message.text() == "Type 3 or more letters or digits to search."
    qtbot.keyClicks(screen.search, "0")
    qtbot.keyClick(screen.search, Qt.Key.Key_Return)
    assert screen.model.rowCount() == 1 and screen.message.text() == ""
