"""A winery's first day at the command line, as a person runs it (in a subprocess): one
clear line and exit status 1 for every mistake, never a traceback, and a demo that syncs
with nothing but a simulator on this computer, going on where it stopped."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tastingroom.winedirect.simulator.persist import STATE_FILENAME
from tastingroom.winedirect.simulator.server import Simulator

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")

CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER = 1, 2, 3
PR_CAPBSET_DROP = 24


def run(*args: str, stdin: str | None = None, **popen: object) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TASTINGROOM_")}
    return subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        **popen,
    )


def refused(done: subprocess.CompletedProcess) -> str:
    """The one line a refused command wrote; asserts there was exactly that."""
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tastingroom: "), done.stderr
    return lines[0]


@pytest.fixture
def demo_folder(tmp_path: Path, demo_template: Path) -> Path:
    folder = tmp_path / "demo"
    folder.mkdir(mode=0o700)
    shutil.copy(demo_template, folder / "tastingroom.sqlite3")
    return folder


@pytest.fixture
def store_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    assert run("--data-dir", str(folder), "init", "--terminal-prefix", "BAR1").returncode == 0
    return folder


# --- --data-dir before or after the command ------------------------------------------------


def test_data_dir_goes_before_or_after_the_command(store_folder: Path):
    before = run("--data-dir", str(store_folder), "status", "--json")
    after = run("status", "--json", "--data-dir", str(store_folder))
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert json.loads(before.stdout)["terminal"] == json.loads(after.stdout)["terminal"] == "BAR1"


# --- the demo and a store never mix ---------------------------------------------------------


def test_the_demo_is_refused_where_a_store_already_is(store_folder: Path):
    database = store_folder / "tastingroom.sqlite3"
    before = database.read_bytes()
    line = refused(run("--data-dir", str(store_folder), "init", "--demo"))
    assert "already has a store" in line and "folder of its own" in line and "--data-dir" in line
    assert database.read_bytes() == before


def contents(database: Path) -> list[str]:
    """What the database holds, as SQL (its bytes change when opening moves it to WAL)."""
    con = sqlite3.connect(database)
    try:
        return list(con.iterdump())
    finally:
        con.close()


def test_init_never_turns_the_demo_into_a_store(demo_folder: Path):
    database = demo_folder / "tastingroom.sqlite3"
    before = contents(database)
    args = ["--winedirect-url", "https://webservices.vin65.com", "--website-code", "MINE"]
    line = refused(run("--data-dir", str(demo_folder), "init", *args))
    assert "holds the demo winery" in line and "folder of its own" in line
    line = refused(run("--data-dir", str(demo_folder), "init", "--demo"))
    assert "already has the demo winery" in line
    assert contents(database) == before


def test_a_demo_is_never_set_up_to_reach_a_real_winedirect(tmp_path: Path):
    folder = tmp_path / "demo"
    url = "https://webservices.vin65.com"
    line = refused(run("--data-dir", str(folder), "init", "--demo", "--winedirect-url", url))
    assert f"never with {url}" in line
    assert not folder.exists()


# --- a data folder that is a file, a read-only or damaged database ----------------------------


def test_a_data_folder_that_is_a_file_is_refused(tmp_path: Path):
    not_a_folder = tmp_path / "Tastingroom"
    not_a_folder.write_text("notes")
    for args in (["init"], ["init", "--demo"], ["status"], ["staff", "list"]):
        line = refused(run("--data-dir", str(not_a_folder), *args))
        assert f"{not_a_folder} is a file, not a folder" in line, args
    line = refused(run("--data-dir", str(not_a_folder / "inside"), "init"))
    assert f"{not_a_folder} is a file" in line
    assert not_a_folder.read_text() == "notes"


def as_an_ordinary_account() -> None:
    """In the child, before it runs: root gives up the capabilities that let it write any
    file, so that file permissions bind it as they bind every other account."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "cannot drop a capability")


@posix_only
@pytest.mark.skipif(
    os.geteuid() == 0 and not sys.platform.startswith("linux"), reason="root obeys no file mode"
)
@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_read_only_database_is_said_to_be_read_only_not_damaged(demo_folder: Path, journal: str):
    database = demo_folder / "tastingroom.sqlite3"  # a backup: journal_mode DELETE
    if journal == "wal":  # as the register leaves it
        assert run("--data-dir", str(demo_folder), "status").returncode == 0
    database.chmod(0o400)
    before = database.read_bytes()
    names = sorted(p.name for p in demo_folder.iterdir())
    for args in (["status"], ["demo", "sales", "--count", "1"], ["staff", "list"]):
        line = refused(
            run("--data-dir", str(demo_folder), *args, preexec_fn=as_an_ordinary_account)
        )
        assert f"database at {database} is read-only for this account" in line, line
        assert "not damaged" in line and "nothing was changed" in line
        assert f"chmod -R u+rwX {demo_folder}" in line and "restore" not in line
    assert database.read_bytes() == before
    assert sorted(p.name for p in demo_folder.iterdir()) == names  # no -wal or -shm made


def test_a_damaged_database_names_tastingroom_restore(tmp_path: Path):
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    junk = folder / "tastingroom.sqlite3"
    junk.write_bytes(b"this is not a database" * 1000)
    junk.chmod(0o600)
    line = refused(run("--data-dir", str(folder), "status"))
    assert "damaged" in line or "cannot be opened" in line
    assert "tastingroom restore" in line and "nothing was changed" in line
    assert junk.read_bytes() == b"this is not a database" * 1000


# --- a demo database syncs only with a simulator on this computer ---------------------------


def test_sync_on_the_demo_uses_its_own_simulator_and_goes_on_where_it_stopped(
    demo_folder: Path,
):
    data = ["--data-dir", str(demo_folder)]
    assert run(*data, "demo", "sales", "--count", "2", "--seed", "5").returncode == 0
    first = run(*data, "sync", "--once")
    assert first.returncode == 0, first.stderr
    assert "Sent 2" in first.stdout
    saved = demo_folder / STATE_FILENAME
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    account = json.loads(saved.read_text(encoding="utf-8"))["account"]
    assert sorted(account["register_orders"]) == ["TR1-000001", "TR1-000002"]

    assert run(*data, "demo", "sales", "--count", "1", "--seed", "6").returncode == 0
    again = run(*data, "sync", "--once")
    assert again.returncode == 0, again.stderr
    assert "Sent 1" in again.stdout
    account = json.loads(saved.read_text(encoding="utf-8"))["account"]
    assert sorted(account["register_orders"]) == ["TR1-000001", "TR1-000002", "TR1-000003"]
    status = json.loads(run(*data, "status", "--json").stdout)
    assert status["problems"] == [] and status["pending"] == 0 and status["online"] is True


def test_sync_on_the_demo_uses_a_simulator_on_this_computer_when_named(demo_folder: Path):
    data = ["--data-dir", str(demo_folder)]
    assert run(*data, "demo", "sales", "--count", "1", "--seed", "5").returncode == 0
    with Simulator() as trainer:
        done = run(*data, "sync", "--once", "--winedirect-url", trainer.url)
        assert done.returncode == 0, done.stderr
        assert trainer.state.register_order_numbers() == ["TR1-000001"]
    assert not (demo_folder / STATE_FILENAME).exists()


@pytest.mark.parametrize(
    "url", ["https://webservices.vin65.com", "https://10.0.0.5:8065", "http://example.com"]
)
def test_sync_on_the_demo_refuses_anything_else(demo_folder: Path, url: str):
    data = ["--data-dir", str(demo_folder)]
    assert run(*data, "demo", "sales", "--count", "1", "--seed", "5").returncode == 0
    for how in ("--once", "--forever"):
        line = refused(run(*data, "sync", how, "--winedirect-url", url))
        assert "demo winery" in line or "https" in line, line
    status = json.loads(run(*data, "status", "--json").stdout)
    assert status["pending"] == 1 and status["last_sync_at"] is None  # nothing was sent


def test_a_store_is_not_pointed_elsewhere_by_sync(store_folder: Path):
    line = refused(
        run(
            "--data-dir",
            str(store_folder),
            "sync",
            "--once",
            "--winedirect-url",
            "http://127.0.0.1:8065",
        )
    )
    assert "--winedirect-url is for the demo winery" in line


def test_an_unreadable_demo_account_is_said_not_replaced(demo_folder: Path):
    saved = demo_folder / STATE_FILENAME
    saved.write_text('{"format": 1, "account": {}}', encoding="utf-8")
    saved.chmod(0o600)
    line = refused(run("--data-dir", str(demo_folder), "sync", "--once"))
    assert f"account at {saved} cannot be read" in line and "init --demo" in line
    assert saved.read_text(encoding="utf-8") == '{"format": 1, "account": {}}'


def test_the_demo_account_goes_on_from_its_file_as_if_it_never_stopped(tmp_path: Path):
    from tastingroom.winedirect.simulator.persist import load_state, save_state
    from tastingroom.winedirect.simulator.state import SimState

    running = SimState.demo()
    running.upsert_contact({"FirstName": "Dana", "LastName": "Cruz", "AltContactID": "C-1"})
    save_state(running, tmp_path / STATE_FILENAME)
    restarted = load_state(tmp_path / STATE_FILENAME)
    assert restarted.snapshot() == running.snapshot()
    # What each does next is the same: numbers, ids kept, the random world's next move.
    assert (
        restarted.create_web_order(pickup=True)["OrderNumber"]
        == (running.create_web_order(pickup=True)["OrderNumber"])
    )
    assert restarted.applied("contacts") == {"C-1": 1}
    assert restarted.rng.random() == running.rng.random()


def test_sync_forever_on_the_demo_stops_cleanly_on_sigterm(demo_folder: Path):
    """As a service manager stops it; SIGINT ignored, as in a background job."""
    import signal

    env = {k: v for k, v in os.environ.items() if not k.startswith("TASTINGROOM_")}
    sync = ["sync", "--forever", "--interval", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tastingroom.cli", "--data-dir", str(demo_folder), *sync],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**env, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert "Syncing with the demo's own simulated WineDirect" in proc.stdout.readline()
        proc.terminate()
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "Stopping after the current batch" in out and "Traceback" not in err
    assert (demo_folder / STATE_FILENAME).is_file()
