"""Settings, as a manager changes them; a cashier cannot."""

from __future__ import annotations

from pathlib import Path

import keyring
from PySide6.QtCore import Qt

from tastingroom.settings import save_settings, tax_rates
from tastingroom.winedirect.credentials import load_credentials
from ui.main_window import MainWindow
from ui.settings_screen import OVER_SHORT

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
        go_live(window)
        sign_in(qtbot, window, "Morgan Lee", "2222")
        qtbot.mouseClick(window.nav["Settings"], Qt.MouseButton.LeftButton)
        screen = window.settings_screen
        assert not screen.demo_banner.isVisible()
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
        screen.state_taxes.setText("ca 7.25%, OR 0; TX 6.25")
        screen.printer_kind.setCurrentText("file")
        screen.printer_address.setText(str(target))
        screen.save()
        assert screen.message.text() == "Settings saved."
        settings = window.register.settings
        assert (settings.terminal_prefix, settings.tax_rate_ppm) == ("TR2", 92_500)
        with window.register.db.read() as s:
            assert tax_rates(s) == {"CA": 72_500, "OR": 0, "TX": 62_500}
        assert screen.state_taxes.text() == "CA 7.25, OR 0, TX 6.25"
        assert window.printer.kind == "file" and window.orders.printer.path == str(target)
        screen.test_print()  # on the worker: the screen waits for nothing
        qtbot.waitUntil(lambda: screen.message.text() == "Test page sent.", timeout=10_000)
        assert "Test print: Rosé".encode("cp858") in target.read_bytes()
    finally:
        keyring.set_keyring(previous)


def test_a_manager_sets_the_drawer_rules_and_the_refund_window(qtbot, window: MainWindow):
    """The drawer's rules and the refund window, set on the screen: a card-only register
    (drawer required, cards without one), a $2.00 over/short limit, 60 days of refunds;
    a limit that is not an amount is said under its field and nothing is saved."""
    sign_in(qtbot, window, "Morgan Lee", "2222")
    qtbot.mouseClick(window.nav["Settings"], Qt.MouseButton.LeftButton)
    screen = window.settings_screen
    assert not screen.drawer_required.isChecked()  # the demo winery sells at once
    assert not screen.card_only.isEnabled()  # it only means something with the drawer on
    screen.drawer_required.click()
    assert screen.card_only.isEnabled()
    screen.card_only.click()
    screen.over_short.setText("two dollars")
    screen.save()
    assert "not the drawer's over/short limit" in screen.messages.text(OVER_SHORT)
    assert window.register.settings.drawer_required is False
    screen.over_short.setText("2.00")
    screen.refund_days.setValue(60)
    screen.save()
    assert screen.message.text() == "Settings saved."
    s = window.register.settings
    assert (s.drawer_required, s.card_only_without_drawer) == (True, True)
    assert (s.drawer_over_short_limit_cents, s.refund_max_age_days) == (200, 60)


def go_live(window: MainWindow) -> None:
    """The demo database turned into a live store's (as `tastingroom init` would make)."""
    with window.register.db.write() as s:
        save_settings(s, demo_mode=False)
    window.register.reload_settings()


def test_demo_mode_says_so_and_keeps_its_simulator(qtbot, window: MainWindow):
    sign_in(qtbot, window, "Sam Okafor", "3333")
    qtbot.mouseClick(window.nav["Settings"], Qt.MouseButton.LeftButton)
    screen = window.settings_screen
    assert screen.demo_banner.isVisible() and "Demo mode" in screen.demo_banner.text()
    assert screen.url.text() == "Built-in WineDirect simulator (demo)"
    assert not screen.url.isEnabled() and not screen.username.isEnabled()
    before = window.register.settings.winedirect_url
    screen.state_taxes.setText("CA seven")
    screen.save()
    assert "CA seven" in screen.message.text() and screen.message.text().startswith("Not saved")
    screen.state_taxes.setText("CA 7.25")
    screen.prefix.setText("TR3")
    screen.idle_lock.setValue(2)
    screen.save()
    assert screen.message.text() == "Settings saved."
    assert window.idle.isActive() and window.idle.interval() == 2 * 60_000
    screen.idle_lock.setValue(0)  # "never": only the Lock button locks
    screen.save()
    assert not window.idle.isActive()
    window.touched()
    assert not window.idle.isActive()
    assert window.register.settings.winedirect_url == before  # still the simulator
    assert window.register.settings.terminal_prefix == "TR3"
