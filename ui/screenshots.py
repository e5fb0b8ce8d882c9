"""Renders the register's screens to PNG files under offscreen Qt, on a fresh demo winery,
so the README's pictures are made by a command rather than by hand."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from tastingroom.demo import seed_demo
from tastingroom.store.database import Database
from tastingroom.store.models import Club, ClubMembership

if TYPE_CHECKING:
    from ui.sync_bridge import SyncBridge

FULL_CART = ("FEE-TASTE", "PN22", "CS21", "ROS24-6", "GL-ROS", "FOOD-CHEESE", "CHD22")


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
            register = window.register
            for code in FULL_CART:
                window.add_item(register.catalog.by_barcode(code))
            with db.read() as s:
                member = s.scalar(
                    select(ClubMembership.customer_id)
                    .join(Club)
                    .where(Club.name == "Lune Club", ClubMembership.status == "Active")
                    .limit(1)
                )
            register.attach_customer(window.cart, member)
            window.refresh_cart()
            window.search.setText("ros")
            target = folder / "register.png"
            window.grab().save(str(target))
            window.close()
            bridge.stop()
        finally:
            db.close()
    return [target]
