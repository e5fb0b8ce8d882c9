"""Editing the cart: more is free; fewer or removing is a void that a manager approves
with their PIN over the current screen, and the audit row names both people."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from tastingroom.store.models import AuditEntry
from ui.main_window import MainWindow

from .conftest import approve_in


def approve_as(qtbot, window: MainWindow, name: str, pin: str) -> None:
    approve_in(qtbot, window.selling.approval_dialog, name, pin)


def test_more_is_free_fewer_and_remove_need_a_manager(qtbot, signed_in: MainWindow):
    window = signed_in
    qtbot.keyClicks(window.selling.search, "PN22")
    qtbot.keyClick(window.selling.search, Qt.Key.Key_Return)
    window.selling.table.selectRow(0)
    qtbot.mouseClick(window.selling.more_button, Qt.MouseButton.LeftButton)
    assert window.selling.cart.lines[0].quantity == 2 and window.selling.approval_dialog is None

    qtbot.mouseClick(window.selling.fewer_button, Qt.MouseButton.LeftButton)
    dialog = window.selling.approval_dialog
    assert set(dialog.buttons) == {"Morgan Lee", "Sam Okafor"}  # cashiers cannot approve
    approve_as(qtbot, window, "Morgan Lee", "0000")
    assert "Wrong PIN" in dialog.pad.message.text() and window.selling.cart.lines[0].quantity == 2
    approve_as(qtbot, window, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: window.selling.cart.lines[0].quantity == 1)

    window.selling.table.selectRow(0)
    qtbot.mouseClick(window.selling.remove_button, Qt.MouseButton.LeftButton)
    approve_as(qtbot, window, "Sam Okafor", "3333")
    qtbot.waitUntil(lambda: window.selling.table.rowCount() == 0)
    with window.register.db.read() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == "void_line")).all()
    assert len(rows) == 2 and all(r.requested_by == window.staff.id for r in rows)
    assert {r.detail for r in rows} == {
        "Estate Pinot Noir 2022: quantity to 1",
        "remove Estate Pinot Noir 2022",
    }
