"""The first sync's banner on a new store's lock screen: what has come down from
WineDirect so far (catalog items, customers, pickups), as it arrives, with a Cancel.

The counts come from the sync engine's pull progress (`SyncEngine.on_pull_progress`),
told on the sync thread and carried here by a queued signal; pickups waiting here are
counted from the store after each page of orders, since the orders pull also brings
the store's other orders' changes. Cancel asks the sync loop to stop after the part in
progress (every pull keeps its page and its mark, so the next start of the register goes
on from there); the register sells meanwhile either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

if TYPE_CHECKING:
    from tastingroom.status import Status
    from tastingroom.store.database import Database
    from ui.sync_bridge import SyncBridge

SHOWN = {"catalog": "Catalog items", "contacts": "Customers", "orders": "Pickups"}
"""The pulls the banner counts, and what it calls them (the others run unannounced)."""


class FirstSyncBanner(QFrame):
    """Progress of the first sync of a store just set up."""

    sig_progress = Signal(str, int)
    """(pull, records so far): emitted on the sync thread, handled on the UI thread."""

    def __init__(self, db: Database | None = None) -> None:
        super().__init__(objectName="firstSync")
        self.db = db
        self.bridge: SyncBridge | None = None
        self.counts: dict[str, int] = dict.fromkeys(SHOWN, 0)
        self.done = False
        self.stopping = False
        self._cycle_running = False
        """A cycle is under way (it says when it ends); else the loop waits between them."""
        self.title = QLabel("First sync with WineDirect", objectName="firstSyncTitle")
        self.counts_label = QLabel("", objectName="firstSyncCounts")
        self.state = QLabel("Starting…", objectName="hint", wordWrap=True)
        self.cancel = QPushButton("Cancel", objectName="navButton")
        self.cancel.setMinimumHeight(48)
        self.cancel.clicked.connect(self.stop)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.counts_label)
        text.addWidget(self.state)
        row = QHBoxLayout(self)
        row.addLayout(text, 1)
        row.addWidget(self.cancel)
        self.sig_progress.connect(self._progress)
        self._show_counts()

    def watch(self, bridge: SyncBridge, db: Database) -> None:
        """Follow `bridge`'s sync from its first cycle (call it before the bridge starts)."""
        self.bridge = bridge
        self.db = db
        bridge.engine.on_pull_progress.append(self.sig_progress.emit)
        bridge.sig_status.connect(self._status)
        self._cycle_running = True  # the loop's first cycle starts at once
        self.state.setText("Bringing your catalog, customers and pickups down from WineDirect…")

    def no_sync(self) -> None:
        """The store opened without a sync (no login in the keyring): say so."""
        self.cancel.hide()
        self.state.setText(
            "This register has no WineDirect login on this computer, so nothing syncs: sign "
            "in as the owner and save it in Settings."
        )

    @Slot(str, int)
    def _progress(self, pull: str, count: int) -> None:
        self._cycle_running = True
        if pull not in SHOWN:
            return
        if pull == "orders" and self.db is not None:
            from tastingroom.fulfilment.pickups import pickups

            count = sum(p.waiting for p in pickups(self.db))
        self.counts[pull] = count
        self._show_counts()

    def _show_counts(self) -> None:
        self.counts_label.setText(
            "   ·   ".join(f"{label}: {self.counts[pull]:,}" for pull, label in SHOWN.items())
        )

    @Slot(object)
    def _status(self, status: Status) -> None:
        """After each cycle: done, stopped, or why not yet (the loop tries again)."""
        self._cycle_running = False
        if self.done:
            return
        if self.stopping:
            self._stopped()
        elif status.online and status.last_pull_at:
            self.done = True
            self.cancel.hide()
            self.state.setText("First sync done: the register is in step with WineDirect.")
        elif status.problems:
            self.state.setText(f"Not yet: {status.problems[0]} It tries again by itself.")

    def stop(self) -> None:
        """Cancel: the sync stops after the part in progress (never in the middle of one)."""
        if self.bridge is None or self.stopping:
            return
        self.stopping = True
        self.cancel.setEnabled(False)
        self.state.setText("Stopping after the part in progress…")
        self.bridge.loop.request_stop()
        if not self._cycle_running:  # waiting between cycles: nothing more will be said
            self._stopped()

    def _stopped(self) -> None:
        self.done = True
        self.cancel.hide()
        self.state.setText(
            "First sync stopped. The register works without it; the sync goes on where it "
            "stopped the next time the register starts."
        )
