"""Starting the register: the Qt application, its style, and the window.

Start-up shows the lock screen first and loads the engine behind it. Importing
SQLAlchemy, opening and checking the database and indexing the catalog take several
times longer than Qt needs to show a window; staff can tap their name and type their
PIN meanwhile, and the PIN is checked as soon as the engine is ready (`LockScreen`).
The loading runs on a `QThread` (`EngineLoader`), so the lock screen answers taps while
it happens; the widgets are built on the UI thread once it is done (`RegisterFrame`).
This module and the lock screen import no engine code for that reason. PINs are checked
as soon as the database is open, before the catalog's search index (the longest step
with a big catalog) and the register's screens are built: whoever signs in meanwhile is
told the register opens in a moment, and is let in when it does.

Before Qt is asked for a window, `platform_problem` checks on Linux what Qt's X11
platform plugin needs and would otherwise abort on, core dump and all, with a message
about plugins: the system's xcb libraries (Qt 6.5 and later need libxcb-cursor0, which a
fresh desktop often lacks, among others) and a display to connect to. What is missing is
said in one line, with the command that installs it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QLibraryInfo, QThread, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget

from tastingroom.logs import hide_stored_login, setup_logging, stop_logging
from tastingroom.paths import resources_dir
from tastingroom.store.first_look import data_folder_problem, first_look
from ui.error_dialog import ErrorGuard
from ui.lock_screen import LockScreen
from ui.worker import shutdown as stop_worker

if TYPE_CHECKING:
    from tastingroom.people.staff import StaffMember
    from tastingroom.selling.sales import Register
    from tastingroom.store.database import Database
    from ui.main_window import MainWindow
    from ui.sync_bridge import SyncBridge

DEFAULT_TITLE = "Tastingroom"
FREEZE_HEAP = False
"""Whether the window moves everything alive once it is built (the catalog above all) out
of the garbage collector's reach (`gc.freeze`), and again after each catalog refresh. A
full collection otherwise walks every SKU's row, tens of milliseconds with the
interpreter held, whenever the sync thread's allocations set one off: mid-scan, on the
bench, 30 to 50 ms. Set by `run_register` (the register's own process, one window
for its life) and the scan bench, never by tests: frozen objects are never collected, so
a process that builds window after window would keep every one of them."""

XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
}
"""The system libraries Qt's xcb platform plugin links against (its libQt6XcbQpa's
NEEDED entries beyond Qt, GL and C++), and the Debian/Ubuntu package of each. The first
six are those a fresh desktop most often lacks; the README's apt-get line names them."""


def _library_loads(name: str) -> bool:
    """Whether the dynamic loader finds `name` as Qt's plugin would: on the system's
    search path, or among the libraries PySide6 ships."""
    bundled = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)) / name
    if bundled.is_file():
        return True
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def _display_answers(display: str) -> bool:
    """Whether the X server `display` accepts a connection (libxcb, as Qt connects)."""
    xcb = ctypes.CDLL("libxcb.so.1")
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
    xcb.xcb_connection_has_error.restype = ctypes.c_int
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return xcb.xcb_connection_has_error(connection) == 0
    finally:
        xcb.xcb_disconnect(connection)  # an errored connection is freed the same way


def platform_problem(
    env: Mapping[str, str] = os.environ,
    system: str = sys.platform,
    loads: Callable[[str], bool] = _library_loads,
    answers: Callable[[str], bool] = _display_answers,
) -> str | None:
    """Why Qt could not open the register's window on this desktop, in one line; None
    when nothing is known to stand in its way (or Qt will not use X11 at all)."""
    if not system.startswith("linux"):
        return None
    chosen = [name.split(":")[0] for name in env.get("QT_QPA_PLATFORM", "").split(";") if name]
    if chosen:
        if chosen[0] != "xcb":
            return None
    elif env.get("XDG_SESSION_TYPE") == "wayland" and env.get("WAYLAND_DISPLAY"):
        return None  # Qt takes Wayland first on a Wayland desktop
    missing = [name for name in XCB_LIBRARIES if not loads(name)]
    if missing:
        packages = " ".join(XCB_LIBRARIES[name] for name in missing)
        return (
            f"the register cannot open its window: Qt needs {', '.join(missing)}, which this "
            f"computer lacks. Install with: sudo apt-get install {packages} "
            "(Debian and Ubuntu names; see the README's Linux desktop note)"
        )
    display = env.get("DISPLAY", "")
    if not display:
        return (
            "the register needs a desktop to show its window, and no display is set (DISPLAY). "
            "Start it from the computer's desktop; every other command runs without one"
        )
    if not answers(display):
        return (
            f"the register cannot reach the display {display}: start it from the desktop "
            "session of the account that is signed in on this computer"
        )
    return None


def application() -> QApplication:
    """The one QApplication, styled; reused if tests or a host already made it."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tastingroom")
    app.setStyleSheet((resources_dir() / "style.qss").read_text(encoding="utf-8"))
    return app  # type: ignore[return-value]


def build_window(db: Database, bridge: SyncBridge | None = None) -> MainWindow:
    """The register over an open database, built in one go (tests, screenshots)."""
    from tastingroom.selling.sales import Register
    from ui.main_window import MainWindow

    application()
    return MainWindow(Register(db), bridge)


class EngineLoader(QThread):
    """Opens the register's engine off the UI thread."""

    sig_engine = Signal(object)
    """The `Register`, able to check PINs; its catalog index is being built."""
    sig_loaded = Signal(object)
    """The `Register`, ready to sell."""
    sig_failed = Signal(str)
    """Why the register cannot start, for people."""
    sig_prepared = Signal(str)
    """What `prepare` did, for people (a restore: which backup, or why not)."""

    def __init__(
        self,
        path: Path,
        *,
        demo_if_empty: bool = False,
        prepare: Callable[[], str] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("tastingroom-start")
        self.path = path
        self.demo_if_empty = demo_if_empty
        """The training store: seed the demo winery into it the first time."""
        self.prepare = prepare
        """Run before the database is opened (a manager's restore: `RegisterFrame.restore`)."""

    def run(self) -> None:
        from tastingroom.store.errors import StoreError

        try:
            from tastingroom.startup import build_catalog, open_register

            if self.prepare is not None:
                self.sig_prepared.emit(self.prepare())

            register = open_register(self.path, demo_if_empty=self.demo_if_empty)
            self.sig_engine.emit(register)
            build_catalog(register)
            import ui.main_window  # noqa: F401 -- its imports are most of start-up's cost
        except (StoreError, OSError, ValueError) as exc:
            self.sig_failed.emit(str(exc))
            return
        self.sig_loaded.emit(register)


class RegisterFrame(QMainWindow):
    """The register's window: the lock screen at once, the whole register when loaded."""

    sig_pin_ready = Signal()
    """PINs are checked from now on (the register's screens are still being built)."""
    sig_loaded = Signal()
    sig_bridge = Signal(object)
    """The `SyncBridge`, just before it starts (the first-sync banner listens from here)."""

    def __init__(self, path: Path, *, demo_if_empty: bool = False) -> None:
        super().__init__()
        look = first_look(path)
        self.lock_screen = LockScreen(
            (look.store_name if look else None) or DEFAULT_TITLE,
            look.staff if look else (),
            demo=look.demo if look else False,
        )
        self.main: MainWindow | None = None
        self.register: Register | None = None
        self.bridge: SyncBridge | None = None
        self.failed = False
        self._signed_in_early: StaffMember | None = None
        self.loader = EngineLoader(path, demo_if_empty=demo_if_empty)
        self.loader.sig_engine.connect(self.take_pins)
        self.loader.sig_loaded.connect(self.attach)
        self.loader.sig_failed.connect(self.fail)
        self.setWindowTitle(DEFAULT_TITLE)
        self.setMinimumSize(1024, 700)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.lock_screen)
        self.setCentralWidget(self.stack)

    def start_loading(self) -> None:
        """Load the engine behind the lock screen; a data folder that cannot be one (it is
        a file) is said at once instead."""
        problem = data_folder_problem(self.loader.path.parent)
        if problem:
            self.fail(problem)
            return
        self.loader.start()

    def take_pins(self, register: Register) -> None:
        """The database is open: check PINs from now on (one typed already, now)."""
        self.register = register
        self.lock_screen.sig_signed_in.connect(self._hold_sign_in)
        self.lock_screen.attach(register.db, register.settings.store_name)
        self.sig_pin_ready.emit()

    def _hold_sign_in(self, member: StaffMember) -> None:
        self._signed_in_early = member
        self.lock_screen.pad.show_message(
            f"Welcome, {member.name}. The register opens in a moment: its product search "
            "is still warming up."
        )

    def attach(self, register: Register) -> None:
        """Build the register around the lock screen (which keeps what was typed, who
        was chosen and what it said), and let in whoever signed in meanwhile."""
        from ui.main_window import MainWindow
        from ui.sync_bridge import SyncBridge

        lock = self.lock_screen
        lock.sig_signed_in.disconnect(self._hold_sign_in)
        chosen, said = lock.chosen, lock.pad.message.text()
        self.bridge = SyncBridge.for_register(register.db)
        self.main = MainWindow(register, self.bridge, lock_screen=lock)  # attaches it again
        self.stack.addWidget(self.main)
        self.stack.setCurrentWidget(self.main)
        self.setWindowTitle(self.main.windowTitle())
        if self._signed_in_early is not None:
            self.main.signed_in(self._signed_in_early)
            self._signed_in_early = None
        elif chosen in lock.buttons:
            lock.choose(chosen)
            lock.pad.show_message(said)
        if self.bridge is not None:
            self.sig_bridge.emit(self.bridge)
            self.bridge.start()
        from tastingroom.store.backups import BackupWatch

        BackupWatch(register.db).start()  # the daily backup; stopped by db.close()
        self.main.about.restorer = self.restore
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
        if self.register is not None:
            from tastingroom.store.backups import closing_backup

            closing_backup(self.register.db)  # after sync's last batch; never stops closing
            self.register.db.close()
        super().closeEvent(event)

    def restore(self, backup: Path) -> None:
        """A manager's restore (the About screen): stop sync, close the register and its
        database, put `backup` in place with the same `restore_backup` as `tastingroom
        restore` (on the loader's thread, while the lock screen says so), and load the
        engine again; staff sign in again, and the new number series is announced."""
        from functools import partial

        from tastingroom.store.backups import restore_for_register

        main, lock, register = self.main, self.lock_screen, self.register
        if main is None or register is None:
            return
        main.close()  # its dialogs, the scanner's filter, the worker
        lock.sig_signed_in.disconnect(main.signed_in)
        if self.bridge is not None:
            self.bridge.stop()  # the batch in hand, then the sync lock is let go
        register.db.close()
        self.main = self.register = self.bridge = None
        lock.db = None  # a PIN typed now waits for the engine, as at start-up
        self.stack.insertWidget(0, lock)
        self.stack.setCurrentWidget(lock)
        self.stack.removeWidget(main)
        main.deleteLater()
        lock.reload()
        lock.prompt.setText("Restoring the backup… the register opens again in a moment.")
        path = self.loader.path
        self.loader = EngineLoader(
            path,
            demo_if_empty=self.loader.demo_if_empty,
            prepare=partial(restore_for_register, path.parent, backup),
        )
        self.loader.sig_prepared.connect(self._restored)
        self.loader.sig_engine.connect(self.take_pins)
        self.loader.sig_loaded.connect(self.attach)
        self.loader.sig_loaded.connect(self._say_restored)
        self.loader.sig_failed.connect(self.fail)
        self._restore_said = ""
        self.loader.start()

    def _restored(self, said: str) -> None:
        self._restore_said = said

    def _say_restored(self, _register: object) -> None:
        self.lock_screen.pad.show_message(self._restore_said)


def run_register(path: Path, milestone: Callable[[str], None] | None = None) -> int:
    """Run the register on the database at `path` until its window is closed.

    `milestone` hears "interactive" when the lock screen is up and taking input, "pin"
    when a PIN can be checked, and "loaded" when the register is ready to sell (the
    start-up benchmark listens for all three). When Qt
    could not open a window here, says why in one line on standard error and returns 1.
    """
    problem = platform_problem()
    if problem:
        print(f"tastingroom: {problem}", file=sys.stderr)
        return 1
    global FREEZE_HEAP
    FREEZE_HEAP = True
    app = application()
    log_file = setup_logging(path.parent, "register")  # None: unwritable; the lock screen says
    threading.Thread(target=hide_stored_login, name="tastingroom-log-secrets", daemon=True).start()
    from ui.first_run.launcher import Launcher  # the store, its training store, or the doors

    launcher = Launcher(path)
    launcher.start()
    guard = ErrorGuard(
        log_file, lambda: getattr(launcher.window, "main", None), launcher.window
    ).install()
    launcher.sig_window.connect(lambda window: setattr(guard, "parent_window", window))
    if milestone:
        launcher.sig_pin_ready.connect(lambda: milestone("pin"))
        launcher.sig_loaded.connect(lambda: milestone("loaded"))

    def started() -> None:
        if milestone:
            milestone("interactive")
        launcher.start_loading()

    QTimer.singleShot(0, started)  # once the event loop runs: the window is painted
    code = app.exec()
    launcher.wait()
    stop_worker()  # one a late signal restarted after the window closed: never left running
    guard.uninstall()
    stop_logging()
    return 1 if launcher.failed else code
