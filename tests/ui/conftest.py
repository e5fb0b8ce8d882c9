"""A register window over a private copy of the demo winery, signed in like a person would."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from tastingroom.store.database import Database
from ui.app import build_window
from ui.approval_dialog import ApprovalDialog
from ui.main_window import MainWindow

LEFT = Qt.MouseButton.LeftButton


def sign_in(qtbot, window: MainWindow, name: str, pin: str) -> None:
    lock = window.lock_screen
    qtbot.mouseClick(lock.button_for(name), Qt.MouseButton.LeftButton)
    for digit in pin:
        qtbot.mouseClick(lock.pad.keys[digit], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(lock.pad.keys["OK"], Qt.MouseButton.LeftButton)


@pytest.fixture
def window(qtbot, demo_db: Database) -> MainWindow:
    win = build_window(demo_db)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def signed_in(qtbot, window: MainWindow) -> MainWindow:
    sign_in(qtbot, window, "Alex Rivera", "1111")
    assert window.pages.currentIndex() == 1
    return window


@pytest.fixture(autouse=True)
def no_worker_left_running():
    """Printing and the drawer pulse run on the worker thread (`ui.worker`): after every
    test it is stopped, and must stop (a QThread destroyed while it runs would take the
    test process with it)."""
    yield
    from ui import worker

    assert worker.shutdown(), "the background worker was still busy after the test"


def pull_a_web_pickup(db: Database) -> str:
    """A guest orders on the website for pickup here, and the register pulls it from a
    simulated WineDirect on 127.0.0.1; returns the order's number."""
    from tastingroom.sync.engine import SyncEngine
    from tastingroom.winedirect.client import WineDirectClient
    from tastingroom.winedirect.credentials import Credentials
    from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator

    with Simulator() as sim:
        web = sim.state.create_web_order(pickup=True)
        engine = SyncEngine(
            db, lambda: WineDirectClient(sim.url, Credentials(DEMO_USERNAME, DEMO_PASSWORD))
        )
        engine.run_once()
        engine.close()
    return str(int(web["OrderNumber"]))


def ring_cash_sale(register, cashier, code: str = "SPK21"):
    """One bottle paid in cash through the engine's own commit, age checked (born 1980)."""
    from datetime import date

    from tastingroom.selling.age import check_birth_date
    from tastingroom.selling.cart import Cart
    from tastingroom.selling.tenders import TenderInput, TenderKind

    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode(code))
    total = register.price(cart).total_cents
    return register.commit(
        cart,
        cashier,
        [TenderInput(TenderKind.CASH, total)],
        check_birth_date(register.settings, cashier.id, date(1980, 1, 1)),
    )


def tap(qtbot, button, times: int = 1) -> None:
    """A finger on `button`, `times` times."""
    for _ in range(times):
        qtbot.mouseClick(button, LEFT)


def approve_in(qtbot, dialog: ApprovalDialog, name: str = "Morgan Lee", pin: str = "2222"):
    """A manager taps their name on the approval dialog and types their PIN on its pad."""
    qtbot.waitUntil(dialog.isVisible)
    tap(qtbot, dialog.buttons[name])
    for digit in pin:
        tap(qtbot, dialog.pad.keys[digit])
    tap(qtbot, dialog.pad.keys["OK"])
