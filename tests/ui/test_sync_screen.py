"""The sync panel: a refused order with WineDirect's reason, retried or voided."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sqlalchemy import select

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.store.models import Order, OutboxItem
from tastingroom.sync.engine import SyncEngine
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator
from ui.main_window import MainWindow

from .test_cart_editing import approve_as


def test_refused_orders_are_listed_with_the_reason_and_voided(qtbot, signed_in: MainWindow):
    window = signed_in
    db = window.register.db
    ring_demo_sales(db, 2, seed=4)
    with db.write() as s:  # WineDirect will not know this SKU
        s.scalars(select(Order).order_by(Order.number)).first().lines[0].sku_code = "NO-SUCH-SKU"
    with Simulator() as sim:
        creds = Credentials(DEMO_USERNAME, DEMO_PASSWORD)
        engine = SyncEngine(db, lambda: WineDirectClient(sim.url, creds), pull=False)
        engine.run_once()
        engine.close()
    qtbot.mouseClick(window.nav["Sync"], Qt.MouseButton.LeftButton)
    screen = window.sync_screen
    assert screen.list.count() == 1
    assert (
        "TR1-000001" in screen.list.item(0).text() and "NO-SUCH-SKU" in screen.list.item(0).text()
    )
    assert "Rejected by WineDirect (needs attention): 1" in screen.details.text()
    qtbot.mouseClick(screen.retry_button, Qt.MouseButton.LeftButton)
    assert screen.list.count() == 0 and "Back in line" in screen.message.text()
    with db.write() as s:  # refused again on the next sync
        s.scalar(select(OutboxItem).where(OutboxItem.state == "pending")).state = "quarantined"
    screen.reload()
    qtbot.mouseClick(screen.void_button, Qt.MouseButton.LeftButton)
    window.selling.approval_dialog = screen.approval_dialog
    approve_as(qtbot, window, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: screen.list.count() == 0)
    with db.read() as s:
        assert s.scalars(select(Order).order_by(Order.number)).first().status == "voided"


def test_a_sync_problem_is_a_warning_in_the_status_bar_and_a_manager_closes_it(
    qtbot, signed_in: MainWindow, tmp_path
):
    """A pull that sets a record aside is not "Online": the status bar says there is a
    problem, the Sync screen says which, and a manager closes it once dealt with."""
    window = signed_in
    db = window.register.db
    with Simulator() as sim:
        product = next(p for p in sim.state.products.values() if p["SKUs"])
        prices = product["SKUs"][0]["Prices"]
        prices.append(dict(prices[0]))  # two prices at one level: cannot be stored
        creds = Credentials(DEMO_USERNAME, DEMO_PASSWORD)
        engine = SyncEngine(db, lambda: WineDirectClient(sim.url, creds))
        engine.run_once()
        engine.close()
    from tastingroom.status import read_status

    window.show_status(read_status(db))
    label = window.status_label
    assert "▲ Sync problem" in label.text() and product["Title"] in label.toolTip()
    assert label.property("state") == "warning"
    qtbot.mouseClick(window.nav["Sync"], Qt.MouseButton.LeftButton)
    screen = window.sync_screen
    assert screen.problem_list.count() == 1
    assert product["Title"] in screen.problem_list.item(0).text()
    window.resize(1280, 800)
    window.grab().save(str(tmp_path / "sync-problem.png"))
    qtbot.mouseClick(screen.acknowledge_button, Qt.MouseButton.LeftButton)
    window.selling.approval_dialog = screen.approval_dialog
    approve_as(qtbot, window, "Morgan Lee", "2222")
    qtbot.waitUntil(lambda: screen.problem_list.count() == 0)
    assert "Closed" in screen.message.text()
