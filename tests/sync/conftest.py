"""Sync tests: a real register database and a real simulated WineDirect on loopback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tastingroom.settings import save_settings
from tastingroom.store.database import Database
from tastingroom.sync.clock import FakeClock
from tastingroom.sync.engine import Backoff, SyncEngine
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator
from tastingroom.winedirect.simulator.state import SimState

CREDENTIALS = Credentials(DEMO_USERNAME, DEMO_PASSWORD)


class Endpoint:
    """Where the engine's client points; tests move it (a server going down, coming back)."""

    def __init__(self, url: str) -> None:
        self.url = url

    def client(self) -> WineDirectClient:
        return WineDirectClient(self.url, CREDENTIALS)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def simulator(clock: FakeClock) -> Simulator:
    sim = Simulator(
        SimState.demo(clock=clock.now), seed=11, rate_clock=lambda: clock.now().timestamp()
    ).start()
    yield sim
    sim.stop()


@pytest.fixture
def endpoint(simulator: Simulator) -> Endpoint:
    return Endpoint(simulator.url)


def make_engine(db: Database, endpoint: Endpoint, clock: FakeClock, **kw) -> SyncEngine:
    kw.setdefault("backoff", Backoff(rng=__import__("random").Random(3)))
    return SyncEngine(db, endpoint.client, clock=clock, **kw)


@pytest.fixture
def engine(demo_db: Database, endpoint: Endpoint, clock: FakeClock) -> SyncEngine:
    eng = make_engine(demo_db, endpoint, clock)
    yield eng
    eng.close()


def terminal(tmp_path: Path, template: Path, name: str, prefix: str) -> Database:
    """Another register: its own data folder and order-number prefix."""
    path = tmp_path / name / "tastingroom.sqlite3"
    path.parent.mkdir(parents=True)
    shutil.copy(template, path)
    db = Database.open(path)
    with db.write() as s:
        save_settings(s, terminal_prefix=prefix)
    return db
