"""The register's main window over the demo winery, driven like a user."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt


def test_window_opens_searches_and_prices_a_cart(qtbot, signed_in, tmp_path: Path):
    window = signed_in
    assert "Vallée Lune Winery" in window.windowTitle()
    assert (
        window.selling.browse.currentWidget() is window.selling.grid
    )  # favourites before anything is typed
    assert window.selling.grid.tiles

    qtbot.keyClicks(window.selling.search, "pinot", delay=60)  # a person typing
    assert window.selling.browse.currentWidget() is window.selling.results
    first = window.selling.results.item(0).text()
    assert "Pinot" in first
    with qtbot.waitSignal(window.selling.sig_cart_changed):
        qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)
    assert window.selling.table.rowCount() == 1
    assert window.selling.search.text() == ""

    qtbot.keyClicks(window.selling.search, "FEE-TASTE")
    qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)
    assert window.selling.table.rowCount() == 2
    assert window.selling.total.text().startswith("Total $")
    assert "Tax" in window.selling.totals.text()

    qtbot.keyClicks(window.selling.search, "no-such-wine", delay=60)
    assert "Nothing matches" in window.selling.notice.text()
    window.selling.search.clear()
    qtbot.keyClicks(window.selling.search, "9999999999999")  # a scanner's burst
    qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)
    assert "No product has the code" in window.selling.notice.text()
    assert window.selling.search.text() == ""  # the burst never reached the search field
    assert window.selling.table.rowCount() == 2  # an unknown code changes nothing

    qtbot.mouseClick(window.selling.clear_button, Qt.MouseButton.LeftButton)
    assert window.selling.table.rowCount() == 0
    assert window.selling.total.text() == "$0.00"
    assert window.grab().save(str(tmp_path / "main.png"))
