"""Which window a start shows, and the moves between them: the doors and the assistant
(`FirstRunWindow`), the store, and its training store.

`store_setup.plan_start` decides what a start opens (see it for the rules); the
launcher shows it and moves on when asked: from the doors to the training store or the
assistant; from the assistant to the new store's lock screen, its first sync shown
(`FirstSyncBanner`); from a store's lock screen to its training store ("Training
store") and back ("Back to my store"); from a training store with no store beside it to
the assistant ("Set up my winery"). Moves start from a lock screen only, so no sale is
ever open. Each store is a `RegisterFrame` of its own: its database, its sync and (for
the demo) its own simulated WineDirect are closed before the next store's open, so the
demo and a store never share a process's sync.

This module is imported before the lock screen shows, so it imports the engine (and
the assistant, which needs it) only when a move needs them.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMainWindow, QPushButton, QStackedWidget

from tastingroom.store_setup import StartPlan, discard_unfinished, plan_start, training_plan
from ui.app import DEFAULT_TITLE, RegisterFrame
from ui.first_run.progress import FirstSyncBanner

if TYPE_CHECKING:
    from ui.first_run.assistant import SetupAssistant
    from ui.first_run.doors import DoorsPage
    from ui.sync_bridge import SyncBridge

UNFINISHED = (
    "A set-up was started here and not finished (the program was closed first). Nothing "
    "of it was kept: start again whenever you like."
)


class FirstRunWindow(QMainWindow):
    """The doors, and the assistant behind "Set up my winery"."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        from ui.first_run.assistant import SetupAssistant
        from ui.first_run.doors import DoorsPage

        self.setWindowTitle(f"{DEFAULT_TITLE} — first start")
        self.setMinimumSize(1024, 700)
        self.doors: DoorsPage = DoorsPage()
        self.assistant: SetupAssistant = SetupAssistant(folder)
        self.assistant.sig_back.connect(self.show_doors)
        self.doors.sig_set_up.connect(self.show_assistant)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.doors)
        self.stack.addWidget(self.assistant)
        self.setCentralWidget(self.stack)

    def show_doors(self) -> None:
        self.stack.setCurrentWidget(self.doors)

    def show_assistant(self) -> None:
        self.assistant.go(0)
        self.stack.setCurrentWidget(self.assistant)


class Launcher(QObject):
    """Shows what a start of the register opens, and moves between stores."""

    sig_pin_ready = Signal()
    """A store's PINs can be checked (relayed from its `RegisterFrame`)."""
    sig_loaded = Signal()
    """A store's register is ready to sell."""
    sig_window = Signal(object)
    """The window now shown (a `RegisterFrame` or the `FirstRunWindow`)."""

    def __init__(self, database: Path) -> None:
        super().__init__()
        self.database = Path(database)
        self.folder = self.database.parent
        self.window: QMainWindow | None = None
        self.frames: list[RegisterFrame] = []
        """Every store window opened, for `wait`."""
        self.banner: FirstSyncBanner | None = None
        """The first sync's banner on a store just set up."""

    # --- what is shown -------------------------------------------------------------------

    def start(self) -> None:
        """Show what this start opens; a store waits for `start_loading` (once the event
        loop runs, so the lock screen is painted first)."""
        self.open(plan_start(self.database), load=False)

    def start_loading(self) -> None:
        if isinstance(self.window, RegisterFrame):
            self.window.start_loading()

    def open(self, plan: StartPlan, *, load: bool = True, first_sync: bool = False) -> None:
        """Show `plan`: the doors, or a store's lock screen (loading it unless told not to)."""
        if plan.database is None:
            self.first_run(UNFINISHED if plan.unfinished else "")
            return
        frame = self._frame(plan, first_sync=first_sync)
        self._show(frame)
        if load:
            frame.start_loading()

    def first_run(self, notice: str = "", *, assistant: bool = False) -> FirstRunWindow:
        """The doors (or the assistant at once: "Set up my winery" on the training store)."""
        window = FirstRunWindow(self.folder)
        window.doors.say(notice)
        window.doors.sig_demo.connect(self.open_demo)
        window.assistant.sig_done.connect(self.open_new_store)
        if assistant:
            window.show_assistant()
        self._show(window)
        return window

    def open_demo(self) -> None:
        """The training store: the demo winery, made in `demo/` the first time."""
        discard_unfinished(self.folder)  # the doors said so; the owner chose the demo
        self.open(training_plan(self.database))

    def open_new_store(self, database: Path) -> None:
        """The store the assistant just made: its lock screen, its first sync shown."""
        self.open(plan_start(Path(database)), first_sync=True)

    def _frame(self, plan: StartPlan, *, first_sync: bool) -> RegisterFrame:
        assert plan.database is not None
        frame = RegisterFrame(plan.database, demo_if_empty=plan.demo_if_empty)
        frame.sig_pin_ready.connect(self.sig_pin_ready)
        frame.sig_loaded.connect(self.sig_loaded)
        lock = frame.lock_screen
        if plan.training is not None:
            move = QPushButton("Training store", objectName="cornerButton")
            move.setToolTip("The demo winery, to practise on; your store is not touched.")
            move.clicked.connect(lambda: self.open(training_plan(self.database)))
            lock.add_corner_button(move)
        elif plan.store is not None and plan.demo_if_empty:
            store = plan.store
            move = QPushButton("Back to my store", objectName="cornerButton")
            move.clicked.connect(lambda: self.open(plan_start(store)))
            lock.add_corner_button(move)
        elif plan.offer_setup:
            move = QPushButton("Set up my winery", objectName="cornerButton")
            move.clicked.connect(lambda: self.first_run(assistant=True))
            lock.add_corner_button(move)
        if first_sync:
            self.banner = banner = FirstSyncBanner()
            lock.add_banner(banner)

            def watch(bridge: SyncBridge) -> None:
                assert frame.register is not None
                banner.watch(bridge, frame.register.db)

            def loaded() -> None:
                if banner.bridge is None:
                    banner.no_sync()

            frame.sig_bridge.connect(watch)
            frame.sig_loaded.connect(loaded)
        self.frames.append(frame)
        return frame

    def _show(self, window: QMainWindow) -> None:
        """`window` in the place of the one shown (shown first, so the application never
        finds itself without a window and quits)."""
        old, self.window = self.window, window
        if old is None:
            window.resize(1280, 800)
            window.show()
        else:
            window.setGeometry(old.geometry())
            if old.isFullScreen():
                window.showFullScreen()
            else:
                window.show()
            old.close()
            old.deleteLater()
        self.sig_window.emit(window)

    # --- the end --------------------------------------------------------------------------

    @property
    def failed(self) -> bool:
        """The store on screen could not start."""
        return isinstance(self.window, RegisterFrame) and self.window.failed

    def wait(self) -> None:
        """Let every store's loading thread finish (before the application goes)."""
        for frame in self.frames:
            with contextlib.suppress(RuntimeError):  # gone: closed, and waited for then
                frame.loader.wait()

    def close(self) -> None:
        """Close the window shown (its store's sync and database with it)."""
        if self.window is not None:
            self.window.close()
            self.window = None
