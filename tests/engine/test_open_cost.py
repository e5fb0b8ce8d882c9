"""Opening the database costs the same whatever the history; the full checks happen
after a crash and in the background, and `status` says what they found.

No timings here: what opening does is counted (its statements, and whether
`PRAGMA quick_check`, which reads every page, ran), across real processes, one of them
killed with SIGKILL as a power cut would.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from tastingroom.demo.synthetic import generate_sales_history
from tastingroom.status import read_status
from tastingroom.store import health
from tastingroom.store.database import Database, OpenCheck

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CHILD = """
import sys, time
from pathlib import Path
from tastingroom.demo.winery import ring_demo_sales
from tastingroom.store.database import Database
db = Database.open(Path(sys.argv[1]))
ring_demo_sales(db, 2, seed=3)
if sys.argv[2] == "close":
    db.close()
print("done", flush=True)
time.sleep(0 if sys.argv[2] == "close" else 600)
"""
"""Opens the database and rings two sales; then closes it and exits, or keeps it open."""


@pytest.fixture
def store(tmp_path: Path, demo_template: Path) -> Path:
    path = tmp_path / "data" / "tastingroom.sqlite3"
    path.parent.mkdir(mode=0o700)
    shutil.copy(demo_template, path)
    return path


@contextmanager
def another_process(path: Path, how: str) -> Iterator[subprocess.Popen[str]]:
    """A process that has rung two sales on the database (and, unless `how` is "close",
    still has it open)."""
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), how], stdout=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "done"
        yield child
    finally:
        child.kill()
        child.wait(timeout=30)


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement SQLAlchemy sends meanwhile, on any engine."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(Engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", note)


def open_and_count(path: Path) -> tuple[OpenCheck, list[str]]:
    with statements() as seen:
        db = Database.open(path)
    try:
        assert db.opened is not None
        return db.opened, seen
    finally:
        db.close()


@posix_only
def test_a_database_closed_cleanly_is_opened_without_reading_every_page(store: Path):
    with another_process(store, "close") as child:
        assert child.wait(timeout=60) == 0
    assert not store.with_name(store.name + "-wal").exists()  # the last close removed it
    opened, seen = open_and_count(store)
    assert opened == OpenCheck(alone=True, unclean=False, quick_check=False)
    assert not [s for s in seen if "quick_check" in s or "integrity_check" in s]


@posix_only
def test_a_session_killed_mid_way_is_found_and_checked_in_full(store: Path):
    with another_process(store, "stay") as child:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    assert store.with_name(store.name + "-wal").stat().st_size > 0
    opened, seen = open_and_count(store)
    assert opened == OpenCheck(alone=True, unclean=True, quick_check=True)
    assert "PRAGMA quick_check" in seen
    db = Database.open(store)  # the next open finds it closed cleanly again
    try:
        assert db.opened == OpenCheck(alone=True, unclean=False, quick_check=False)
        status = read_status(db)
        assert status.integrity.due is not None and "without closing" in status.integrity.due
        assert "one is due: the last session ended without closing" in status.render()
    finally:
        db.close()


@posix_only
def test_a_database_another_process_has_open_is_not_taken_for_a_crash(store: Path):
    with another_process(store, "stay"):
        assert store.with_name(store.name + "-wal").stat().st_size > 0  # theirs, live
        opened, seen = open_and_count(store)
    assert opened == OpenCheck(alone=False, unclean=False, quick_check=False)
    assert "PRAGMA quick_check" not in seen


def test_opening_runs_the_same_statements_whatever_the_history(tmp_path: Path, store: Path):
    small, large = tmp_path / "small" / "tastingroom.sqlite3", store
    small.parent.mkdir(mode=0o700)
    shutil.copy(store, small)
    for path, sales in ((small, 10), (large, 5_000)):
        db = Database.open(path)
        generate_sales_history(db, sales)
        db.close()
    (_, few), (_, many) = open_and_count(small), open_and_count(large)
    assert few == many
    assert large.stat().st_size > 5 * small.stat().st_size


def test_the_background_check_records_its_result_for_status(demo_db: Database):
    assert read_status(demo_db).integrity == health.IntegrityState()
    assert "no full check yet" in read_status(demo_db).render()
    health.mark_due(demo_db, "the last session ended without closing the database")
    watch = health.IntegrityWatch(demo_db, first_delay_s=0, after_crash_delay_s=0).start()
    assert watch.checked.wait(60)
    status = read_status(demo_db)
    assert status.integrity.result == "ok" and status.integrity.due is None
    assert status.integrity.reason.startswith("the last session ended without closing")
    assert "Integrity:       full check passed" in status.render()
    assert status.as_dict()["integrity"]["result"] == "ok"
    assert not status.problems
    demo_db.close()  # stops the watch (see Database.closing)
    assert not watch._thread.is_alive()


def test_damage_the_open_does_not_read_is_found_by_the_full_check(store: Path):
    db = Database.open(store)
    db.close()
    con = sqlite3.connect(store)
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    (root,) = con.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_customer_email'"
    ).fetchone()
    con.close()
    data = bytearray(store.read_bytes())
    data[(root - 1) * page_size : root * page_size] = bytes(page_size)  # an index page gone
    store.write_bytes(bytes(data))

    db = Database.open(store)  # a few pages of each table: the index is not among them
    try:
        found = health.run_check(db, "daily")
        assert found.result != "ok" and found.problem is not None
        status = read_status(db)
        assert status.integrity.result == found.result
        assert any("failed its full integrity check" in p for p in status.problems)
        assert "tastingroom restore" in status.integrity.problem
        assert "full check FAILED" in status.render()
    finally:
        db.close()
