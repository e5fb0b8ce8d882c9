"""The one bridge between the register's window and the sync engine.

The engine's loop runs on a QThread, so the window never waits on the network. After
every cycle the worker reads the status (in its own thread) and hands it to the window
through a queued signal; a committed sale wakes the loop at once. On quit the loop is
asked to stop, finishes the batch in progress, and the thread is waited for: a running
QThread is never destroyed.

In demo mode (the demo winery, no WineDirect account) the bridge starts the project's
simulated WineDirect on 127.0.0.1 inside the register, with a little web activity, so
a newcomer sees the whole loop: sales go up, pickups arrive, tracking numbers appear.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from tastingroom.settings import load_settings
from tastingroom.status import Status, read_status
from tastingroom.store.database import Database
from tastingroom.sync.engine import CycleReport, SyncEngine, SyncThread
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials, load_credentials
from tastingroom.winedirect.errors import MissingCredentials
from tastingroom.winedirect.simulator.activity import WebActivity
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator


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

    def __init__(
        self,
        db: Database,
        client_factory: Callable[[], WineDirectClient],
        interval_s: float = 30.0,
        simulator: Simulator | None = None,
        activity: WebActivity | None = None,
    ) -> None:
        super().__init__()
        self.simulator = simulator
        self.activity = activity
        self.engine = SyncEngine(db, client_factory, role="the register")
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
            sim = Simulator().start()
            activity = WebActivity(sim.state, 6, report=lambda line: None).start()
            creds = Credentials(DEMO_USERNAME, DEMO_PASSWORD)
            url = sim.url
            return cls(db, lambda: WineDirectClient(url, creds), interval_s, sim, activity)
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

    def stop(self) -> None:
        """Finish the batch in progress, record it, then let the thread end."""
        self.loop.request_stop()
        self._thread.quit()
        self._thread.wait()
        self.engine.close()
        if self.activity is not None:
            self.activity.stop()
        if self.simulator is not None:
            self.simulator.stop()
