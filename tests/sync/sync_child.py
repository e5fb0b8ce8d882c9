"""Drains the outbox to a simulator, as `tastingroom sync` does; run by test_sync_crash.py,
which kills it at random moments (and runs two of them at once on one database)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from tastingroom.store.database import Database
from tastingroom.sync.engine import SyncEngine
from tastingroom.sync.outbox import summary
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials


def main(path: str, url: str, persist: bool = False) -> None:
    db = Database.open(Path(path))
    engine = SyncEngine(
        db,
        lambda: WineDirectClient(url, Credentials("demo-webservice", "demo-password")),
        pull=False,
        batch_size=10,
    )
    print("ready", flush=True)
    engine.drain()
    # With `persist`, keep at it while another engine holds the lock, as a second
    # `tastingroom sync --forever` would: it must take over, never send alongside.
    while persist:
        with db.read() as s:
            if summary(s).pending == 0:
                break
        time.sleep(0.05)
        engine.drain()
    engine.close()
    print("drained", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], persist="--persist" in sys.argv[3:])
