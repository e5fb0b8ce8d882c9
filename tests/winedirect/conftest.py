"""A real simulated WineDirect on 127.0.0.1 for each test that asks for one."""

from __future__ import annotations

import pytest

from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator

CREDENTIALS = Credentials(DEMO_USERNAME, DEMO_PASSWORD)


@pytest.fixture
def simulator() -> Simulator:
    sim = Simulator(seed=7).start()
    yield sim
    sim.stop()


@pytest.fixture
def client(simulator: Simulator) -> WineDirectClient:
    with WineDirectClient(simulator.url, CREDENTIALS) as c:
        yield c
