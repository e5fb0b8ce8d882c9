"""The one bridge between the register's window and the sync engine.

The engine's loop runs on a QThread, so the window never waits on the network. After
every cycle the worker reads the status (in its own thread) and hands it to the window
through a queued signal; a committed sale wakes the loop at once. On quit the loop is
asked to stop, finishes the batch in progress, and the thread is waited for: a running
QThread is never destroyed.

In demo mode (the demo winery, no WineDirect account) the bridge runs the demo's own
simulated WineDirect on 127.0.0.1 inside the register, with a little web activity, so a
newcomer sees the whole loop: sales go up, pickups arrive, tracking numbers appear. Its
account is kept in the demo's data folder, so the next start goes on where this one
stopped (`winedirect.simulator.persist`). A demo database never syncs with anything but a
simulator on this computer, with the demo's login (`persist.demo_sync_url`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from tastingroom.settings import load_settings
from tastingroom.status import Status, read_status
from tastingroom.store.database import Database
from tastingroom.sync.engine import CycleReport, SyncEngine, SyncThread
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import load_credentials
from tastingroom.winedirect.errors import ConfigurationError, MissingCredentials
from tastingroom.winedirect.simulator.persist import (
    DEMO_CREDENTIALS,
    DemoWineDirect,
    demo_sync_url,
)
from tastingroom.winedirect.simulator.server import Simulator

log = logging.getLogger(__name__)


class _Worker(QObject):
    sig_status = Signal(object)

    def __init__(self, db: Database, loop: SyncThread) -> None:
        super().__init__()
        self.db = db
        self.loop = loop
        loop.on_cycle = self._cycled

    @Slot()
    def run(self) -> None:
        self.sig_status.emit(read_status(self.db))
        self.loop.loop()

    def _cycled(self, report: CycleReport) -> None:
        self.sig_status.emit(read_status(self.db))


class SyncBridge(QObject):
    """Owns the sync QThread; `sig_status` carries a `tastingroom.status.Status`."""

    sig_status = Signal(object)
    sig_catalog_changed = Signal()
    """A pull brought catalog changes (emitted from the sync thread; queued to the UI)."""

    def __init__(
        self,
        db: Database,
        client_factory: Callable[[], WineDirectClient],
        interval_s: float = 30.0,
        demo: DemoWineDirect | None = None,
    ) -> None:
        super().__init__()
        self.demo = demo
        self.engine = SyncEngine(db, client_factory, role="the register")
        self.engine.on_catalog_changed.append(self.sig_catalog_changed.emit)
        self.loop = SyncThread(self.engine, interval_s)
        self._thread = QThread()
        self._thread.setObjectName("tastingroom-sync")
        self._worker = _Worker(db, self.loop)
        self._worker.moveToThread(self._thread)
        self._worker.sig_status.connect(self._relay)
        self._thread.started.connect(self._worker.run)
        self.last_status: Status | None = None

    @classmethod
    def for_register(cls, db: Database, interval_s: float = 30.0) -> SyncBridge | None:
        """The bridge this register's settings call for (None: no WineDirect login yet)."""
        with db.read() as s:
            settings = load_settings(s)
        if settings.demo_mode:
            local = demo_sync_url(settings.winedirect_url)
            if local is not None:  # a trainer's simulator (`init --demo --winedirect-url`)
                return cls(db, lambda: WineDirectClient(local, DEMO_CREDENTIALS), interval_s)
            demo = DemoWineDirect(db.path.parent)
            bridge = cls(db, demo.client, interval_s, demo=demo)
            # The demo's account runs where this store's sync runs. Taken here, not on the
            # first cycle, so that the simulator is up as soon as the window is; when another
            # program syncs this store, it starts once that one is done (`demo.client`).
            if bridge.engine.take_lock():
                try:
                    demo.start()
                except ConfigurationError as exc:  # said by the status when sync asks again
                    log.warning("the demo's WineDirect did not start: %s", exc)
            return bridge
        try:
            creds = load_credentials()
        except MissingCredentials:
            return None
        url = settings.winedirect_url
        return cls(db, lambda: WineDirectClient(url, creds), interval_s)

    @Slot(object)
    def _relay(self, status: Status) -> None:
        self.last_status = status
        self.sig_status.emit(status)

    def start(self) -> SyncBridge:
        self._thread.start()
        return self

    @Slot()
    def wake(self) -> None:
        self.loop.wake()

    @property
    def simulator(self) -> Simulator | None:
        """The demo's simulated WineDirect while it runs here (tests and screenshots
        arrange its world through it)."""
        return self.demo.simulator if self.demo is not None else None

    def stop(self) -> None:
        """Finish the batch in progress, record it, then let the thread end. The demo's
        account is saved before the sync lock is let go, so the next program to sync this
        store finds it as this one left it."""
        self.loop.request_stop()
        self._thread.quit()
        self._thread.wait()
        if self.demo is not None:
            self.demo.stop()
        self.engine.close()
