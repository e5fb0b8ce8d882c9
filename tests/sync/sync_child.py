"""Drains the outbox to a simulator, as `tastingroom sync` does; run by test_sync_crash.py,
which kills it at random moments."""

from __future__ import annotations

import sys
from pathlib import Path

from tastingroom.store.database import Database
from tastingroom.sync.engine import SyncEngine
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials


def main(path: str, url: str) -> None:
    db = Database.open(Path(path))
    engine = SyncEngine(
        db,
        lambda: WineDirectClient(url, Credentials("demo-webservice", "demo-password")),
        pull=False,
        batch_size=10,
    )
    print("ready", flush=True)
    engine.drain()
    print("drained", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
