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


def _until(done, seconds: float = 30.0) -> None:
    """Run Qt's events until `done()` (work on the worker has come back), or give up."""
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not done() and time.monotonic() < deadline:
        QApplication.instance().processEvents()
        time.sleep(0.01)


def _demo_pin(member) -> str:
    """The demo winery's PIN of `member`, from the demo's own data."""
    from tastingroom.store.first_look import demo_sign_ins

    return next(pin for name, pin, _ in demo_sign_ins() if name == member.name)


def _approve(dialog, manager) -> None:
    """A manager's PIN typed into an approval dialog."""
    dialog._choose(manager)
    for key in (*_demo_pin(manager), "OK"):
        dialog.pad.keys[key].click()


def _tabs_refund_exchange(window, folder: Path, cashier, manager, sale) -> list[Path]:
    """Two parties' tabs with one on screen; `sale`'s receipt found on the Refunds screen
    with a bottle coming back; and that bottle as exchange credit on a new sale."""
    from tastingroom.selling import tabs
    from tastingroom.selling.age import check_birth_date

    register, selling = window.register, window.selling
    check = check_birth_date(register.settings, cashier.id, date(1980, 1, 1))
    for name, codes in (("Garcia party", ("FEE-TASTE", "FEE-TASTE", "PN22")), ("Bar 3", ("CS21",))):
        cart = register.new_cart(cashier.id)
        for code in codes:
            cart.add(register.catalog.by_barcode(code))
        tabs.hold(register, cart, name, cashier, check)
    selling.tabs.reload()
    selling.tabs.resume(next(t.id for t in tabs.open_tabs(register) if t.name == "Bar 3"))
    for code in ("FOOD-CHEESE", "GL-ROS", "GL-ROS"):
        selling.add_item(register.catalog.by_barcode(code))
    shots = [_save(window, folder / "tabs.png")]
    selling.new_sale()  # Bar 3 goes back to the open tabs, with what was added
    window.show_screen("Refunds")
    window.refunds.open_order(sale.order_id)
    window.refunds.steppers[2].more.click()  # the Pinot Noir (line 1: the waived fee)
    shots.append(_save(window, folder / "refund.png"))
    window.refunds.exchange()
    _approve(window.refunds.approval_dialog, manager)
    for code in ("SPK21", "SPK21"):
        selling.add_item(register.catalog.by_barcode(code))
    shots.append(_save(window, folder / "exchange.png"))
    selling.new_sale()  # the exchange is not paid: nothing of it was written
    return shots


def _drawer_and_day(window, folder: Path, cashier, manager) -> list[Path]:
    """The drawer opened with a counted float, a paid-out and a drop, its X report, the Z
    close being counted $5 short, and the day's report with its charts."""
    from tastingroom import drawer
    from tastingroom.people.staff import Action, approve

    db = window.register.db
    window.show_screen("Drawer")
    screen = window.drawer
    for key, count in {"bill_2000": 3, "bill_500": 8, "bill_100": 20, "coin_25": 40}.items():
        screen.counter.rows[key].field.setText(str(count))
    shots = [_save(window, folder / "drawer-open.png")]
    screen.open_counted()
    paid_out = approve(db, Action.PAID_OUT, cashier.id, manager.id, _demo_pin(manager))
    drawer.paid_out(db, cashier, 1_250, "Ice for the market stand", paid_out)
    drawer.drop(db, cashier, 5_000)
    screen.reload()
    screen.show_x()
    shots.append(_save(window, folder / "drawer-session.png"))
    screen.close_drawer()
    close = screen.close_dialog
    counted = {"bill_2000": 2, "bill_1000": 1, "bill_500": 2, "coin_25": 10}  # $62.50
    assert drawer.expected_cash(db, drawer.current_session(db).id) == 6_250 + 500
    for key, pieces in counted.items():
        close.counter.rows[key].field.setText(str(pieces))
    close.leave.setText("50.00")
    close.reason.setText("Gave change for a $20 as a $10")
    close.resize(close.sizeHint())
    shots.append(_save(close, folder / "drawer-close.png"))
    close.reject()
    window.show_screen("Reports")
    _until(lambda: window.reports is not None and window.reports.report is not None)
    shots.append(_save(window, folder / "day-report.png"))
    return shots


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
    window.show_screen("About")
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
            first_sale = pay.sale
            pay.accept()
            shots.append(_wrapped_receipt(window, folder))
            window.show_screen("Pickups")
            shots.append(_save(window, folder / "pickups.png"))
            window.show_screen("Orders")
            shots.append(_save(window, folder / "orders.png"))
            manager = next(m for m in list_staff(db) if m.role is Role.MANAGER)
            shots.extend(_tabs_refund_exchange(window, folder, cashier, manager, first_sale))
            shots.extend(_drawer_and_day(window, folder, cashier, manager))
            window.signed_in(manager)
            _pickup_taken_twice(window, bridge, cashier)
            window.show_screen("Sync")
            shots.append(_save(window, folder / "sync.png"))
            window.show_screen("Settings")
            shots.append(_save(window, folder / "settings.png"))
            shots.append(_about(window, folder))
            window.close()
            bridge.stop()
        finally:
            db.close()
    from ui.first_run.screenshots import render_first_run  # the doors and the assistant

    return shots + render_first_run(folder)
