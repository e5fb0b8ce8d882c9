"""The simulator as a running service: state, DateModified, admin page, web activity."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient
from tastingroom.winedirect.simulator.activity import step
from tastingroom.winedirect.simulator.server import Simulator
from tastingroom.winedirect.simulator.state import SimState

from .conftest import CREDENTIALS
from .test_client import an_order


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_date_modified_moves_on_every_change():
    clock = Clock()
    with Simulator(SimState.demo(clock=clock)) as sim, WineDirectClient(sim.url, CREDENTIALS) as c:
        seeded = clock.now
        clock.now += timedelta(minutes=5)
        [result] = c.upsert_orders([an_order()])
        changed = c.search_orders(
            modified_from=seeded + timedelta(seconds=1), include_external=True
        )
        assert [o.order_id for o in changed.items] == [result.internal_key]
        assert changed.items[0].date_modified == clock.now
        clock.now += timedelta(minutes=5)
        pending = c.search_orders(pending_pickup=True).items[0]
        c.post_pickups([r.PickupToSend(str(pending.order_number), clock.now)])
        later = c.search_orders(modified_from=clock.now).items
        assert [o.order_id for o in later] == [pending.order_id]


def test_cancelled_pickups_cannot_be_handed_over(simulator: Simulator, client: WineDirectClient):
    order = simulator.state.create_web_order(pickup=True)
    simulator.state.cancel_order(order["OrderID"])
    summary = client.search_orders(order_number=int(order["OrderNumber"])).items[0]
    assert summary.status == "Cancelled" and not summary.is_pending_pickup
    try:
        client.post_pickups([r.PickupToSend(str(summary.order_number), datetime.now(UTC))])
    except Exception as exc:
        assert "cancelled" in str(exc)
    else:
        raise AssertionError("a cancelled order was handed over")


def test_web_activity_moves_the_world(simulator: Simulator):
    state = simulator.state
    before = state.summary()["orders"]
    shipped_before = sum(o["ShippingStatus"] == "Shipped" for o in state.orders.values())
    events = [step(state) for _ in range(40)]
    assert any(e.startswith("new pickup order") for e in events)
    assert any(e.startswith("shipped order") for e in events)
    assert state.summary()["orders"] > before
    shipped = [o for o in state.orders.values() if o["ShippingStatus"] == "Shipped"]
    assert len(shipped) > shipped_before and all(o["TrackingNumber"] for o in shipped)


def test_admin_page_shows_state_and_changes_faults(simulator: Simulator, client):
    client.upsert_orders([an_order("TR1-000777")])
    page = httpx.get(f"{simulator.url}/_admin/state").json()
    assert page["register_orders"] == ["TR1-000777"] and page["summary"]["contacts"] == 200
    changed = httpx.post(f"{simulator.url}/_admin/faults", content=json.dumps({"fail_rate": 0.25}))
    assert changed.status_code == 200 and simulator.faults.fail_rate == 0.25
    bad = httpx.post(f"{simulator.url}/_admin/faults", content=json.dumps({"fail_rate": 7}))
    assert bad.status_code == 400 and "fraction" in bad.text


def stop(proc: subprocess.Popen) -> None:
    """Stop a `tastingroom` command as a service manager would: SIGTERM, which it handles
    cleanly even when SIGINT is ignored (as in a background job, or a test run started
    with SIGINT ignored), then SIGKILL if it has not gone within ten seconds. No test
    leaves a process behind."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def start_simulator(**popen: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tastingroom.cli", "simulator", "--port", "0", "--seed", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        **popen,
    )


def test_the_command_runs_a_simulator(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = start_simulator()
    try:
        line = proc.stdout.readline()
        assert "listening at http://127.0.0.1:" in line, line + proc.stderr.read()
        url = line.rsplit(" ", 1)[-1].strip()
        assert "demo-webservice" in proc.stdout.readline()
        result = subprocess.run(
            [sys.executable, "-m", "tastingroom.cli", "winedirect", "check", "--base-url", url],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                **env,
                "TASTINGROOM_WINEDIRECT_USERNAME": "demo-webservice",
                "TASTINGROOM_WINEDIRECT_PASSWORD": "demo-password",
            },
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.count(" OK ") == 5 and "All services answered." in result.stdout
        wrong = subprocess.run(
            [sys.executable, "-m", "tastingroom.cli", "winedirect", "check", "--base-url", url],
            capture_output=True,
            text=True,
            timeout=60,
            env={
                **env,
                "TASTINGROOM_WINEDIRECT_USERNAME": "demo-webservice",
                "TASTINGROOM_WINEDIRECT_PASSWORD": "not-it",
            },
        )
        assert wrong.returncode == 1
        assert (
            "refused the webservice login" in wrong.stdout and "5 service(s) failed" in wrong.stdout
        )
    finally:
        stop(proc)
    assert proc.returncode == 0


def test_the_simulator_stops_cleanly_on_sigterm_with_sigint_ignored():
    """As `tastingroom simulator &` from a script, where Ctrl-C never reaches it."""
    proc = start_simulator(preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert "listening at http://127.0.0.1:" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)  # ignored, as in the background
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    finally:
        stop(proc)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


def test_check_refuses_plain_http_before_asking_for_a_login():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tastingroom.cli",
            "winedirect",
            "check",
            "--base-url",
            "http://webservices.vin65.com",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "https" in result.stderr
