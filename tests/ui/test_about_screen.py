"""The About screen: version, where things are, the newest backup, and the backups list."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tastingroom import __version__
from tastingroom.store.backups import DAILY, make_backup
from ui.main_window import MainWindow

from .conftest import ring_cash_sale

LEFT = Qt.MouseButton.LeftButton


def test_about_says_what_runs_here_and_where(qtbot, signed_in: MainWindow, cashier):
    window = signed_in
    db = window.register.db
    ring_cash_sale(window.register, cashier)
    backup = make_backup(db, DAILY)
    qtbot.mouseClick(window.nav["About"], LEFT)
    about = window.about
    assert window.screens.currentWidget() is about
    fields = {name: label.text() for name, label in about.fields.items()}
    assert fields["version"] == f"Tastingroom {__version__}"
    assert fields["folder"] == str(db.path.parent)
    assert fields["database"].startswith("tastingroom.sqlite3, ") and "KB" in fields["database"]
    assert fields["log"].endswith("tastingroom.log")
    assert fields["backups"] == str(db.path.parent / "backups")
    assert "  ·  daily  ·  " in fields["newest"]
    assert fields["check"].startswith("Not run yet")
    assert about.list.count() == 1
    qtbot.waitUntil(lambda: "1 order" in about.list.item(0).text())
    assert about.list.item(0).data(Qt.ItemDataRole.UserRole).path == backup


def test_without_the_register_around_it_restore_says_how(qtbot, signed_in: MainWindow):
    window = signed_in
    make_backup(window.register.db, DAILY)
    window.show_screen(window.screens.indexOf(window.about))
    qtbot.mouseClick(window.about.restore_button, LEFT)
    assert "tastingroom restore" in window.about.message.text()
    assert window.about.approval_dialog is None


def test_with_no_backup_yet_it_says_when_the_first_comes(signed_in: MainWindow):
    window = signed_in
    window.show_screen(window.screens.indexOf(window.about))
    assert window.about.fields["newest"].text().startswith("None yet")
    assert not window.about.restore_button.isEnabled()
