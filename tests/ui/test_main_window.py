"""The register's main window over the demo winery, driven like a user."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt


def test_window_opens_searches_and_prices_a_cart(qtbot, signed_in, tmp_path: Path):
    window = signed_in
    assert "Vallée Lune Winery" in window.windowTitle()
    assert window.browse.currentWidget() is window.grid  # favourites before anything is typed
    assert window.grid.tiles

    qtbot.keyClicks(window.search, "pinot", delay=60)  # a person typing
    assert window.browse.currentWidget() is window.results
    first = window.results.item(0).text()
    assert "Pinot" in first
    with qtbot.waitSignal(window.sig_cart_changed):
        qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.table.rowCount() == 1
    assert window.search.text() == ""

    qtbot.keyClicks(window.search, "FEE-TASTE")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert window.table.rowCount() == 2
    assert window.total.text().startswith("Total $")
    assert "Tax" in window.totals.text()

    qtbot.keyClicks(window.search, "no-such-wine", delay=60)
    assert "Nothing matches" in window.notice.text()
    window.search.clear()
    qtbot.keyClicks(window.search, "9999999999999")  # a scanner's burst
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert "No product has the code" in window.notice.text()
    assert window.search.text() == ""  # the burst never reached the search field
    assert window.table.rowCount() == 2  # an unknown code changes nothing

    qtbot.mouseClick(window.clear_button, Qt.MouseButton.LeftButton)
    assert window.table.rowCount() == 0
    assert window.total.text() == "$0.00"
    assert window.grab().save(str(tmp_path / "main.png"))
