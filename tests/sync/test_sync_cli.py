"""`tastingroom init --winedirect-url`, `sync --once` and `status --json`, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tastingroom.winedirect.simulator.server import Simulator


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_sync_once_from_the_command_line(tmp_path: Path):
    env = {
        **os.environ,
        "TASTINGROOM_DATA_DIR": str(tmp_path / "data"),
        "TASTINGROOM_WINEDIRECT_USERNAME": "demo-webservice",
        "TASTINGROOM_WINEDIRECT_PASSWORD": "demo-password",
    }
    with Simulator() as sim:
        init = run(
            "init",
            "--demo",
            "--winedirect-url",
            sim.url,
            "--terminal-prefix",
            "TR7",
            "--pickup-location",
            "TASTINGROOM",
            env=env,
        )
        assert init.returncode == 0, init.stderr
        assert run("demo", "sales", "--count", "4", env=env).returncode == 0
        before = json.loads(run("status", "--json", env=env).stdout)
        assert before["pending"] == 4 and before["online"] is None
        synced = run("sync", "--once", env=env)
        assert synced.returncode == 0, synced.stderr
        assert "Sent 4" in synced.stdout
        assert sim.state.register_order_numbers() == [f"TR7-00000{n}" for n in range(1, 5)]
        after = json.loads(run("status", "--json", env=env).stdout)
        assert after["pending"] == 0 and after["online"] is True and after["last_pull_at"]
        sim.set_faults(fail_rate=1.0)
        assert run("demo", "sales", "--count", "1", env=env).returncode == 0
        failing = run("sync", "--once", env=env)
        assert failing.returncode == 1 and "HTTP 503" in failing.stderr
        down = json.loads(run("status", "--json", env=env).stdout)
        assert down["online"] is False and down["pending"] == 1 and "503" in down["last_error"]
        assert "Waiting to sync: 1" in run("status", env=env).stdout
