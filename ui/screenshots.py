"""Renders the register's screens to PNG files under offscreen Qt, on a fresh demo winery,
so the README's pictures are made by a command rather than by hand.

Besides the README's pictures: the ID check as it opens (an empty date field, its
button off), and a receipt whose long product name and discount reason wrap onto
further rows instead of being cut at the paper's edge."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from tastingroom.demo.winery import seed_demo
from tastingroom.people.staff import Role, list_staff
from tastingroom.store.database import Database
from tastingroom.store.models import Club, ClubMembership

if TYPE_CHECKING:
    from ui.sync_bridge import SyncBridge

FULL_CART = ("FEE-TASTE", "PN22", "CS21", "ROS24-6", "GL-ROS", "FOOD-CHEESE", "CHD22")
LONG_REASON = "Wine club pickup party: second six-pack at the member price"
"""A discount reason longer than a receipt line, for the wrapped-receipt picture."""


def _wait_for_first_sync(bridge: SyncBridge, seconds: float = 30.0) -> None:
    """Let the demo's sync run once, so the status bar shows a live connection."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    bridge.start()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        status = bridge.last_status
        if status is not None and status.online is not None:
            return
        time.sleep(0.02)


def _pickup_taken_twice(window, bridge: SyncBridge, cashier) -> None:
    """A guest collects a web order here while, unknown to the register, it was marked
    picked up on the website: the Sync screen then shows the problem a manager must see."""
    from PySide6.QtWidgets import QApplication

    from tastingroom.fulfilment.pickups import hand_over, pickups
    from tastingroom.selling.age import check_birth_date

    db = window.register.db
    waiting = next(p for p in pickups(db) if p.waiting)
    bridge.simulator.state.post_pickup({"OrderNumber": waiting.number, "isPickedUp": True})
    check = check_birth_date(window.register.settings, cashier.id, date(1972, 5, 2))
    hand_over(db, waiting.order_id, cashier, check)
    bridge.wake()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        QApplication.instance().processEvents()
        status = bridge.last_status
        if status is not None and any(waiting.number in p for p in status.problems):
            return
        time.sleep(0.02)


def _save(widget, target: Path) -> Path:
    from PySide6.QtWidgets import QApplication

    QApplication.instance().processEvents()
    widget.grab().save(str(target))
    return target


def _wrapped_receipt(window, folder: Path) -> Path:
    """A second sale: a 6-pack with a long name and a discount with a long reason, paid in
    cash; its receipt (shown on screen: the demo has no printer) wraps both."""
    register = window.register
    window.selling.new_sale()
    six_pack = next(i for i in register.catalog.search("Blanc de Blancs") if i.units == 6)
    window.selling.add_item(six_pack)
    window.selling.table.selectRow(0)
    window.selling.discount_line()
    discount = window.selling.line_dialog
    discount.quick(10)
    discount.reason.setCurrentText(LONG_REASON)
    discount._apply()
    window.selling.start_payment()
    window.selling.age_dialog.dob.setText("07/04/1975")
    window.selling.age_dialog.check_typed()
    pay = window.selling.payment_dialog
    pay.add_cash(pay.due_cents())
    pay.complete_sale()
    shot = _save(pay, folder / "receipt-wrapped.png")
    pay.accept()
    return shot


def _about(window, folder: Path) -> Path:
    """The About screen after the day's backup and integrity check, with the order count
    of each backup (counted on the worker)."""
    from PySide6.QtWidgets import QApplication

    from tastingroom.store.backups import DAILY, make_backup
    from tastingroom.store.health import run_check

    make_backup(window.register.db, DAILY)
    run_check(window.register.db, "daily")
    window.show_screen(window.screens.indexOf(window.about))
    row = window.about.list.item(0)
    deadline = time.monotonic() + 30
    while "order" not in row.text() and time.monotonic() < deadline:
        QApplication.instance().processEvents()
        time.sleep(0.02)
    return _save(window, folder / "about.png")


def render(folder: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import build_window
    from ui.sync_bridge import SyncBridge

    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tastingroom-shots-") as tmp:
        db = Database.open(Path(tmp) / "demo.sqlite3")
        try:
            seed_demo(db)
            bridge = SyncBridge.for_register(db)
            window = build_window(db, bridge)
            window.resize(1280, 800)
            window.show()
            _wait_for_first_sync(bridge)
            shots = [_save(window, folder / "lock.png")]
            register = window.register
            cashier = next(m for m in list_staff(db) if m.role is Role.CASHIER)
            window.signed_in(cashier)
            for code in FULL_CART:
                window.selling.add_item(register.catalog.by_barcode(code))
            with db.read() as s:
                member = s.scalar(
                    select(ClubMembership.customer_id)
                    .join(Club)
                    .where(Club.name == "Lune Club", ClubMembership.status == "Active")
                    .limit(1)
                )
            register.attach_customer(window.selling.cart, member)
            window.selling.table.selectRow(2)
            window.selling.discount_line()
            discount = window.selling.line_dialog
            discount.quick(10)
            discount.reason.setCurrentText("Industry")
            shots.append(_save(discount, folder / "discount.png"))
            discount._apply()
            shots.append(_save(window, folder / "register.png"))
            window.selling.search.setText("ros")
            shots.append(_save(window, folder / "search.png"))
            window.selling.search.clear()
            window.selling.choose_shipping()
            ship = window.selling.line_dialog
            ship.shipping.setText("25.00")
            shots.append(_save(ship, folder / "ship.png"))
            ship.reject()
            window.selling.table.selectRow(1)
            window.selling.change_quantity(-1)
            window.selling.approval_dialog._choose(next(m for m in list_staff(db) if m.can_approve))
            shots.append(_save(window.selling.approval_dialog, folder / "approval.png"))
            window.selling.approval_dialog.reject()
            window.selling.start_payment()
            dialog = window.selling.age_dialog
            shots.append(_save(dialog, folder / "age-check-empty.png"))
            dialog.dob.setText("03/14/2007")
            dialog.check_typed()
            shots.append(_save(dialog, folder / "age-check.png"))
            dialog.dob.setText("03/14/1979")
            dialog.check_typed()
            pay = window.selling.payment_dialog
            pay.card_last4.setText("4242")
            pay.card_approval.setText("OK1234")
            pay.card_amount.setText("200.00")
            pay.add_card()
            shots.append(_save(pay, folder / "payment.png"))
            pay.add_cash(pay.due_cents() + 1_466)
            pay.complete_sale()
            shots.append(_save(pay, folder / "receipt.png"))
            pay.accept()
            shots.append(_wrapped_receipt(window, folder))
            window.show_screen(window.screens.indexOf(window.pickups))
            shots.append(_save(window, folder / "pickups.png"))
            window.show_screen(window.screens.indexOf(window.orders))
            shots.append(_save(window, folder / "orders.png"))
            window.signed_in(next(m for m in list_staff(db) if m.role is Role.MANAGER))
            _pickup_taken_twice(window, bridge, cashier)
            window.show_screen(window.screens.indexOf(window.sync_screen))
            shots.append(_save(window, folder / "sync.png"))
            window.show_screen(window.screens.indexOf(window.settings_screen))
            shots.append(_save(window, folder / "settings.png"))
            shots.append(_about(window, folder))
            window.close()
            bridge.stop()
        finally:
            db.close()
    from ui.first_run.screenshots import render_first_run  # the doors and the assistant

    return shots + render_first_run(folder)
