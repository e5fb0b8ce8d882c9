"""Starting the register: the Qt application, its style, and the window.

Start-up shows the lock screen first and loads the engine behind it. Importing
SQLAlchemy, opening and checking the database and indexing the catalog take several
times longer than Qt needs to show a window; staff can tap their name and type their
PIN meanwhile, and the PIN is checked as soon as the engine is ready (`LockScreen`).
The loading runs on a `QThread` (`EngineLoader`), so the lock screen answers taps while
it happens; the widgets are built on the UI thread once it is done (`RegisterFrame`).
This module and the lock screen import no engine code for that reason.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QThread, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from tastingroom.paths import resources_dir
from tastingroom.store.first_look import first_look
from ui.lock_screen import LockScreen

if TYPE_CHECKING:
    from tastingroom.sales import Register
    from tastingroom.store.database import Database
    from ui.main_window import MainWindow
    from ui.sync_bridge import SyncBridge

DEFAULT_TITLE = "Tastingroom"


def application() -> QApplication:
    """The one QApplication, styled; reused if tests or a host already made it."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tastingroom")
    app.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def build_window(db: Database, bridge: SyncBridge | None = None) -> MainWindow:
    """The register over an open database, built in one go (tests, screenshots)."""
    from tastingroom.sales import Register
    from ui.main_window import MainWindow

    application()
    return MainWindow(Register(db), bridge)


class EngineLoader(QThread):
    """Opens the register's engine off the UI thread."""

    sig_loaded = Signal(object)
    """The `Register`, ready to sell."""
    sig_failed = Signal(str)
    """Why the register cannot start, for people."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.setObjectName("tastingroom-start")
        self.path = path

    def run(self) -> None:
        from tastingroom.store.errors import StoreError

        try:
            from tastingroom.startup import open_register

            register = open_register(self.path)
            import ui.main_window  # noqa: F401 -- its imports are most of start-up's cost
        except (StoreError, OSError, ValueError) as exc:
            self.sig_failed.emit(str(exc))
            return
        self.sig_loaded.emit(register)


class RegisterFrame(QMainWindow):
    """The register's window: the lock screen at once, the whole register when loaded."""

    sig_loaded = Signal()

    def __init__(self, path: Path) -> None:
        super().__init__()
        look = first_look(path)
        self.lock_screen = LockScreen(
            (look.store_name if look else None) or DEFAULT_TITLE, look.staff if look else ()
        )
        self.main: MainWindow | None = None
        self.bridge: SyncBridge | None = None
        self.failed = False
        self.loader = EngineLoader(path)
        self.loader.sig_loaded.connect(self.attach)
        self.loader.sig_failed.connect(self.fail)
        self.setWindowTitle(DEFAULT_TITLE)
        self.setMinimumSize(1024, 700)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

    def start_loading(self) -> None:
        self.loader.start()

    def attach(self, register: Register) -> None:
        """Build the register around the lock screen (which keeps what was typed)."""
        from ui.main_window import MainWindow
        from ui.sync_bridge import SyncBridge

        self.bridge = SyncBridge.for_register(register.db)
        self.main = MainWindow(register, self.bridge, lock_screen=self.lock_screen)
        self.stack.addWidget(self.main)
        self.stack.setCurrentWidget(self.main)
        self.setWindowTitle(self.main.windowTitle())
        if self.bridge is not None:
            self.bridge.start()
        self.sig_loaded.emit()

    def fail(self, message: str) -> None:
        self.failed = True
        self.lock_screen.show_failure(message)
        print(f"tastingroom: {message}", file=sys.stderr)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the register's dialogs, finish the sync batch, close the database."""
        self.loader.wait()
        if self.main is not None:
            self.main.close()
        if self.bridge is not None:
            self.bridge.stop()
        if self.main is not None:
            self.main.register.db.close()
        super().closeEvent(event)


def run_register(path: Path, milestone: Callable[[str], None] | None = None) -> int:
    """Run the register on the database at `path` until its window is closed.

    `milestone` hears "interactive" when the lock screen is up and taking input, and
    "loaded" when the engine is ready (the start-up benchmark listens for both).
    """
    app = application()
    frame = RegisterFrame(path)
    frame.resize(1280, 800)
    frame.show()
    if milestone:
        frame.sig_loaded.connect(lambda: milestone("loaded"))

    def started() -> None:
        if milestone:
            milestone("interactive")
        frame.start_loading()

    QTimer.singleShot(0, started)  # once the event loop runs: the window is painted
    code = app.exec()
    frame.loader.wait()
    return 1 if frame.failed else code
