"""Starting the register: the Qt application, its style, and the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from tastingroom.paths import resources_dir
from tastingroom.sales import Register
from tastingroom.store.database import Database
from ui.main_window import MainWindow
from ui.sync_bridge import SyncBridge


def application() -> QApplication:
    """The one QApplication, styled; reused if tests or a host already made it."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tastingroom")
    app.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def build_window(db: Database, bridge: SyncBridge | None = None) -> MainWindow:
    application()
    return MainWindow(Register(db), bridge)


def run_register(db: Database) -> int:
    app = application()
    bridge = SyncBridge.for_register(db)
    window = build_window(db, bridge)
    window.resize(1280, 800)
    window.show()
    if bridge is not None:
        app.aboutToQuit.connect(bridge.stop)
        bridge.start()
    try:
        return app.exec()
    finally:
        db.close()
