"""Settings, as a manager changes them; a cashier cannot."""

from __future__ import annotations

from pathlib import Path

import keyring
from PySide6.QtCore import Qt

from tastingroom.winedirect.credentials import load_credentials
from ui.main_window import MainWindow

from ..winedirect.test_credentials import MemoryKeyring
from .conftest import sign_in


def test_cashiers_cannot_change_settings(qtbot, signed_in: MainWindow):
    qtbot.mouseClick(signed_in.nav["Settings"], Qt.MouseButton.LeftButton)
    screen = signed_in.settings_screen
    assert "Only a manager" in screen.message.text() and not screen.prefix.isEnabled()


def test_a_manager_saves_login_settings_and_a_printer(
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch
):
    monkeypatch.delenv("TASTINGROOM_WINEDIRECT_USERNAME", raising=False)
    monkeypatch.delenv("TASTINGROOM_WINEDIRECT_PASSWORD", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        sign_in(qtbot, window, "Morgan Lee", "2222")
        qtbot.mouseClick(window.nav["Settings"], Qt.MouseButton.LeftButton)
        screen = window.settings_screen
        qtbot.keyClicks(screen.username, "vallee-pos", delay=5)
        qtbot.keyClicks(screen.password, "s3cret", delay=5)
        screen.save_login()
        assert "saved in the system keyring" in screen.message.text()
        assert load_credentials().username == "vallee-pos" and screen.password.text() == ""

        screen.url.setText("http://webservices.vin65.com")
        screen.save()
        assert screen.message.text().startswith("Not saved") and "https" in screen.message.text()

        target = tmp_path / "receipts.bin"
        screen.url.setText("https://webservices.vin65.com")
        screen.prefix.setText("tr2")
        screen.tax.setText("9.25")
        screen.printer_kind.setCurrentText("file")
        screen.printer_address.setText(str(target))
        screen.save()
        assert screen.message.text() == "Settings saved."
        settings = window.register.settings
        assert (settings.terminal_prefix, settings.tax_rate_ppm) == ("TR2", 92_500)
        assert window.printer.kind == "file" and window.orders.printer.path == str(target)
        screen.test_print()
        assert "Test print: Rosé".encode("cp858") in target.read_bytes()
    finally:
        keyring.set_keyring(previous)
