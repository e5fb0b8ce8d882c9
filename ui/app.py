"""Starting the register: the Qt application, its style, and the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from tastingroom.paths import resources_dir
from tastingroom.sales import Register
from tastingroom.store.database import Database
from ui.main_window import MainWindow


def application() -> QApplication:
    """The one QApplication, styled; reused if tests or a host already made it."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tastingroom")
    app.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def build_window(db: Database) -> MainWindow:
    application()
    return MainWindow(Register(db))


def run_register(db: Database) -> int:
    app = application()
    window = build_window(db)
    window.resize(1280, 800)
    window.show()
    try:
        return app.exec()
    finally:
        db.close()
