"""The `tastingroom` command, run as a user would: in a subprocess."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SUBCOMMANDS = [
    "register",
    "init",
    "demo",
    "demo sales",
    "backup",
    "status",
    "report",
    "bench",
    "screenshots",
    "simulator",
    "winedirect",
    "winedirect check",
    "staff",
    "staff add",
    "staff list",
]


def run(*args: str, data_dir: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TASTINGROOM_DATA_DIR"}
    if data_dir is not None:
        env["TASTINGROOM_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["", *SUBCOMMANDS])
def test_every_command_answers_help(command: str):
    result = run(*command.split(), "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: tastingroom" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["frobnicate"],
        ["demo", "sales", "--count", "many"],
        ["demo", "sales", "--count", "-3"],
        ["status", "--bogus"],
        ["demo"],
    ],
)
def test_bad_arguments_get_one_clear_line_and_exit_2(args: list[str]):
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tastingroom"), result.stderr


def test_init_demo_sales_status_backup(tmp_path: Path):
    data = tmp_path / "data"
    result = run("init", "--demo", "--data-dir", str(data))
    assert result.returncode == 0, result.stderr
    assert "demo winery" in result.stdout
    again = run("init", "--demo", data_dir=data)
    assert again.returncode == 1 and "already has" in again.stderr

    sales = run("demo", "sales", "--count", "5", "--seed", "3", data_dir=data)
    assert sales.returncode == 0, sales.stderr
    assert "Rang 5 sales (TR1-000001 to TR1-000005)" in sales.stdout

    status = run("status", "--json", data_dir=data)
    assert status.returncode == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["orders"] == 5 and info["pending"] == 5 and info["terminal"] == "TR1"
    assert info["oldest_pending_age_seconds"] >= 0 and info["last_sync_at"] is None
    assert "Waiting to sync: 5" in run("status", data_dir=data).stdout

    target = tmp_path / "copy.sqlite3"
    backup = run("backup", "--to", str(target), data_dir=data)
    assert backup.returncode == 0, backup.stderr
    con = sqlite3.connect(target)
    assert con.execute("select count(*) from sale_order").fetchone()[0] == 5
    con.close()


def test_commands_on_a_missing_database_say_what_to_do(tmp_path: Path):
    result = run("status", data_dir=tmp_path / "nothing-here")
    assert result.returncode == 1
    assert "tastingroom init" in result.stderr


def test_bench_quick_reports_every_figure():
    result = run("bench", "--quick", "--json")
    assert result.returncode == 0, result.stderr
    names = [f["name"] for f in json.loads(result.stdout)]
    assert any("search substring" in n for n in names)
    assert "sale commit: bare sqlite3 baseline" in names
    assert "sale commit: Register.commit" in names


def test_a_live_store_is_never_seeded_with_the_demo_and_gets_its_owner(tmp_path: Path):
    assert run("init", "--terminal-prefix", "TR2", data_dir=tmp_path).returncode == 0
    from tastingroom.demo.winery import is_empty
    from tastingroom.settings import load_settings
    from tastingroom.store.database import Database

    db = Database.open(tmp_path / "tastingroom.sqlite3")
    try:
        assert not is_empty(db)
        with db.read() as s:
            settings = load_settings(s)
        assert not settings.demo_mode and settings.terminal_prefix == "TR2"
    finally:
        db.close()
    env = {k: v for k, v in os.environ.items() if k != "TASTINGROOM_DATA_DIR"}
    env["TASTINGROOM_DATA_DIR"] = str(tmp_path)
    owner = ["staff", "add", "Dana Cruz", "--role=owner", "--pin-stdin"]
    added = subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", *owner],
        input="4821\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert added.returncode == 0 and "Dana Cruz (owner) can sign in now." in added.stdout
    short = subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", "staff", "add", "Lee", "--pin-stdin"],
        input="12\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert short.returncode == 1 and "4 to 8 digits" in short.stderr
    assert run("staff", "list", data_dir=tmp_path).stdout == "Dana Cruz\towner\n"


def test_demo_sales_never_go_into_a_stores_own_database(tmp_path: Path):
    """Made-up sales in a live store would go up to the winery's real WineDirect."""
    store = tmp_path / "store"
    assert run("init", data_dir=store).returncode == 0
    refused = run("demo", "sales", "--count", "3", data_dir=store)
    assert refused.returncode == 1 and "only into a demo winery" in refused.stderr
    assert "Traceback" not in refused.stderr
    status = json.loads(run("status", "--json", data_dir=store).stdout)
    assert status["orders"] == 0


def test_the_day_report_command_prints_and_saves_csv_and_pdf(tmp_path: Path):
    """`tastingroom report --save` as the owner types it: the day as text, then the same
    CSV and PDF the Reports screen exports; a day that is not a date is refused."""
    data = tmp_path / "data"
    assert run("init", "--demo", data_dir=data).returncode == 0
    assert run("demo", "sales", "--count", "3", data_dir=data).returncode == 0
    done = run("report", "--save", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "Sales (3)" in done.stdout and "Orders not yet sent" in done.stdout
    csv_path, pdf_path = (Path(line) for line in done.stdout.strip().splitlines()[-2:])
    assert csv_path.parent == data / "reports" and "Sales" in csv_path.read_text()
    assert pdf_path.read_bytes().startswith(b"%PDF")
    other_day = run("report", "--day", "2020-01-01", data_dir=data)
    assert other_day.returncode == 0 and "Sales (0)" in other_day.stdout
    wrong = run("report", "--day", "yesterday", data_dir=data)
    assert wrong.returncode == 2 and "is not a day" in wrong.stderr
    (data / "reports").chmod(0o500)  # a folder it may not write to
    try:
        refused = run("report", "--save", data_dir=data)
    finally:
        (data / "reports").chmod(0o700)
    if os.geteuid() != 0:  # root writes anywhere
        assert refused.returncode == 1 and "may not write" in refused.stderr
        assert "Traceback" not in refused.stderr
