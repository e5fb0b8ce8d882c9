"""The register's status bar follows the sync engine running on its QThread: online,
offline while WineDirect fails, online again, without the window ever waiting."""

from __future__ import annotations

from datetime import date

from tastingroom.age import check_birth_date
from tastingroom.cart import Cart
from tastingroom.store.database import Database
from tastingroom.tenders import TenderInput, TenderKind
from ui.app import build_window
from ui.sync_bridge import SyncBridge


def sell(window, cashier) -> str:
    register = window.register
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    total = register.price(cart).total_cents
    check = check_birth_date(register.settings, cashier.id, date(1980, 1, 1))
    return register.commit(cart, cashier, [TenderInput(TenderKind.CASH, total)], check).number


def test_status_bar_goes_offline_and_back_online(qtbot, demo_db: Database, cashier):
    bridge = SyncBridge.for_register(demo_db, interval_s=2)
    assert bridge is not None and bridge.simulator is not None  # the demo runs its own WineDirect
    window = build_window(demo_db, bridge)
    qtbot.addWidget(window)
    window.show()
    label = window.status_label
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "● Online" in label.text(), timeout=30_000)
        bridge.simulator.set_faults(fail_rate=1.0)
        number = sell(window, cashier)  # the commit wakes the sync thread at once
        qtbot.waitUntil(
            lambda: "○ Offline" in label.text() and "1 waiting" in label.text(), timeout=30_000
        )
        assert "HTTP 503" in label.text()
        bridge.simulator.set_faults(fail_rate=0.0)
        qtbot.waitUntil(
            lambda: "● Online" in label.text() and "0 waiting" in label.text(), timeout=30_000
        )
        assert number in bridge.simulator.state.register_order_numbers()
    finally:
        bridge.stop()
    assert not bridge._thread.isRunning()
