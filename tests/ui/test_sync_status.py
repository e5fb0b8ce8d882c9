"""The register's status bar follows the sync engine running on its QThread: online,
offline while WineDirect fails, online again, without the window ever waiting."""

from __future__ import annotations

from datetime import date

from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.database import Database
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


def test_a_shipped_sale_shows_its_tracking_number_once_winedirect_ships_it(
    qtbot, demo_db: Database
):
    from PySide6.QtCore import Qt
    from sqlalchemy import select

    from tastingroom.store.models import Customer, Order

    from .conftest import sign_in
    from .test_selling import check_age, ring

    bridge = SyncBridge.for_register(demo_db, interval_s=2)
    window = build_window(demo_db, bridge)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    bridge.start()
    try:
        sign_in(qtbot, window, "Alex Rivera", "1111")
        ring(qtbot, window, "CS21")
        with demo_db.read() as s:
            guest = s.scalar(select(Customer).where(Customer.state == "WA").limit(1))
        window.register.attach_customer(window.selling.cart, guest.id)
        qtbot.mouseClick(window.selling.ship_button, Qt.MouseButton.LeftButton)
        ship = window.selling.line_dialog
        ship.shipping.setText("18.50")
        qtbot.mouseClick(ship.ship, Qt.MouseButton.LeftButton)
        check_age(qtbot, window, 1968)
        pay = window.selling.payment_dialog
        qtbot.waitUntil(lambda: pay is not None and pay.isVisible())
        qtbot.mouseClick(pay.quick_row.itemAt(0).widget(), Qt.MouseButton.LeftButton)
        qtbot.mouseClick(pay.complete, Qt.MouseButton.LeftButton)
        order_id = pay.sale.order_id
        pay.accept()

        def sent() -> str | None:
            with demo_db.read() as s:
                return s.get(Order, order_id).wd_order_id

        qtbot.waitUntil(lambda: sent() is not None, timeout=30_000)
        wd_order = bridge.simulator.state.orders[sent()]
        assert wd_order["ShipToAddress"]["StateCode"] == "WA"
        bridge.simulator.state.ship_order(sent())
        bridge.wake()

        def tracking() -> str | None:
            with demo_db.read() as s:
                return s.get(Order, order_id).tracking_number

        qtbot.waitUntil(lambda: tracking() is not None, timeout=30_000)
        qtbot.mouseClick(window.nav["Orders"], Qt.MouseButton.LeftButton)
        model = window.orders.model
        cells = [
            model.index(r, c).data()
            for r in range(model.rowCount())
            for c in range(model.columnCount())
        ]
        assert tracking() in cells and "Shipped" in cells
    finally:
        window.close()
        bridge.stop()


def test_a_wine_added_in_winedirect_can_be_scanned_without_a_restart(qtbot, demo_db: Database):
    """The catalog pull brings a new wine; the register rebuilds its index off the UI
    thread and the new barcode rings up, with no restart."""
    import copy
    import uuid
    from datetime import timedelta

    bridge = SyncBridge.for_register(demo_db, interval_s=2)
    window = build_window(demo_db, bridge)
    qtbot.addWidget(window)
    window.show()
    bridge.start()
    try:
        qtbot.waitUntil(lambda: "● Online" in window.status_label.text(), timeout=30_000)
        state = bridge.simulator.state
        with state.lock:
            template = next(p for p in state.products.values() if len(p["SKUs"]) == 1)
            wine = copy.deepcopy(template)
            wine.update(
                ProductID=str(uuid.uuid4()).upper(),
                Title="Late Harvest Riesling 2025",
                POSTitle="Late Harvest Riesling 2025",
            )
            wine["SKUs"][0].update(SKU="LHR25", UPCCode="0861234500991")
            wine["DateModified"] = state.now() + timedelta(seconds=1)
            state.products[wine["ProductID"]] = wine
        assert window.register.catalog.by_barcode("0861234500991") is None
        bridge.wake()
        qtbot.waitUntil(
            lambda: window.register.catalog.by_barcode("0861234500991") is not None,
            timeout=30_000,
        )
        assert window.register.catalog.by_barcode("0861234500991").name.startswith(
            "Late Harvest Riesling"
        )
    finally:
        window.close()
        bridge.stop()
