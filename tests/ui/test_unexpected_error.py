"""An unexpected error in the real window: a calm dialog, the traceback in the log (with
no secret in it), one dialog however many errors, and the register goes on selling."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tastingroom import logs
from ui.error_dialog import ErrorDialog, ErrorGuard
from ui.main_window import MainWindow

from .test_selling import check_age, ring

LEFT = Qt.MouseButton.LeftButton
CARD = "4111 1111 1111 1111"

pytestmark = pytest.mark.qt_no_exception_capture  # the register's own hook takes them


@pytest.fixture
def guarded(signed_in: MainWindow, tmp_path: Path) -> Iterator[tuple[MainWindow, ErrorGuard]]:
    """The window with the register's log and error hooks, as `run_register` sets them."""
    log_file = logs.setup_logging(tmp_path / "data", "register")
    guard = ErrorGuard(log_file, lambda: signed_in, signed_in).install()
    yield signed_in, guard
    guard.uninstall()
    if guard.dialog is not None:
        guard.dialog.close()
    logs.stop_logging()


def log_text(guard: ErrorGuard) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return guard.log_file.read_text(encoding="utf-8")


def make_plus_one_fail(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(delta: int) -> None:
        raise RuntimeError(f"a bug in change_quantity, with card {CARD} and pin=4821")

    monkeypatch.setattr(window.selling, "change_quantity", broken)  # what the +1 button calls


def dialogs() -> list[ErrorDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()
    ]


def test_a_slot_that_raises_shows_a_calm_dialog_and_the_register_goes_on(
    qtbot, guarded, monkeypatch: pytest.MonkeyPatch
):
    window, guard = guarded
    make_plus_one_fail(window, monkeypatch)
    qtbot.mouseClick(window.selling.more_button, LEFT)
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.isVisible())
    said = guard.dialog.text()
    assert "Something went wrong" in said and "has carried on" in said
    assert str(guard.log_file) in said
    assert "is saved" not in said  # no sale was made: nothing is said about one
    for technical in ("Traceback", "RuntimeError", "change_quantity", CARD):
        assert technical not in said
    text = log_text(guard)
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: a bug in change_quantity, with card *** and pin=***" in text
    assert CARD not in text and "4821" not in text

    qtbot.mouseClick(guard.dialog.ok, LEFT)
    assert not guard.dialog.isVisible()
    monkeypatch.undo()
    ring(qtbot, window, "PN22")  # the register still sells
    assert len(window.selling.cart.lines) == 1
    window.selling.table.selectRow(0)
    qtbot.mouseClick(window.selling.more_button, LEFT)
    assert window.selling.cart.lines[0].quantity == 2


def test_a_flood_of_errors_shows_one_dialog(qtbot, guarded, monkeypatch: pytest.MonkeyPatch):
    window, guard = guarded
    make_plus_one_fail(window, monkeypatch)
    for _ in range(200):
        qtbot.mouseClick(window.selling.more_button, LEFT)
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.times == 200)
    assert len(dialogs()) == 1
    assert "It happened 200 times." in guard.dialog.text()
    text = log_text(guard)
    assert text.count("Traceback (most recent call last)") == 1  # then one line each
    assert text.count("The same unexpected error again") == 199

    qtbot.mouseClick(guard.dialog.ok, LEFT)
    qtbot.mouseClick(window.selling.more_button, LEFT)  # the same error, just after: quiet
    QApplication.processEvents()
    assert dialogs() == []


def test_after_a_sale_the_dialog_says_it_is_saved(qtbot, guarded, monkeypatch):
    window, guard = guarded
    ring(qtbot, window, "PN22")
    check_age(qtbot, window, 1980)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    qtbot.mouseClick(pay.quick_row.itemAt(0).widget(), LEFT)
    qtbot.mouseClick(pay.complete, LEFT)
    number = pay.sale.number
    pay.accept()
    make_plus_one_fail(window, monkeypatch)
    qtbot.mouseClick(window.selling.more_button, LEFT)
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.isVisible())
    assert f"The sale {number} is saved." in guard.dialog.text()


def test_while_paying_nothing_is_said_of_the_sale(qtbot, guarded):
    window, guard = guarded
    ring(qtbot, window, "PN22")
    check_age(qtbot, window, 1980)
    pay = window.selling.payment_dialog
    qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
    guard.report(RuntimeError, RuntimeError("while paying"), None, "MainThread")
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.isVisible())
    assert "is saved" not in guard.dialog.text()
    guard.dialog.close()
    pay.reject()


def test_an_error_on_another_thread_is_logged_and_shown(qtbot, guarded):
    _window, guard = guarded

    def fails() -> None:
        raise ValueError("a background thread's bug")

    thread = threading.Thread(target=fails, name="tastingroom-test-thread")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.isVisible())
    text = log_text(guard)
    assert "Unexpected error in tastingroom-test-thread" in text
    assert "ValueError: a background thread's bug" in text
