"""Automatic backups: daily and at closing, the newest of each of 14 days kept, those made
by hand never deleted, and a failure that deletes nothing and says why."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tastingroom.cli import main
from tastingroom.store import backups
from tastingroom.store.backups import (
    CLOSING,
    DAILY,
    KEEP_DAYS,
    BackupWatch,
    closing_backup,
    count_orders,
    list_backups,
    make_backup,
    prune,
)
from tastingroom.store.database import Database
from tastingroom.store.errors import StoreError


def fake_backup(folder: Path, made: datetime, reason: str = "") -> Path:
    """A file in the backups folder, written at `made` (its modification time)."""
    path = folder / "backups" / backups.backup_name(made, reason)
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"a backup")
    os.utime(path, (made.timestamp(), made.timestamp()))
    return path


def test_an_automatic_backup_is_a_private_whole_copy(demo_db: Database):
    path = make_backup(demo_db, DAILY)
    assert path.parent == demo_db.path.parent / "backups"
    assert path.name.startswith("tastingroom-") and path.name.endswith("-daily.sqlite3")
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    con.close()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    (listed,) = list_backups(demo_db.path.parent)
    assert listed.path == path and listed.reason == DAILY and listed.automatic
    assert count_orders(path) == 0
    assert closing_backup(demo_db).name.endswith("-closing.sqlite3")


def test_the_newest_of_each_of_the_last_14_days_is_kept(tmp_path: Path):
    today = datetime(2026, 3, 20, 18, 0)
    made = []
    for days_ago in range(20):
        day = today - timedelta(days=days_ago)
        made.append(fake_backup(tmp_path, day.replace(hour=9), DAILY))
        made.append(fake_backup(tmp_path, day, CLOSING))
    by_hand = fake_backup(tmp_path, today - timedelta(days=60))
    deleted = prune(tmp_path)
    kept = {b.path for b in list_backups(tmp_path)}
    closing = [p for p in made if p.name.endswith("-closing.sqlite3")]
    assert kept == {*closing[:KEEP_DAYS], by_hand}  # newest of each day, days 0 to 13
    assert set(deleted) == set(made) - kept
    assert prune(tmp_path) == []  # nothing more to do


def test_days_without_a_backup_do_not_count(tmp_path: Path):
    """A register closed for a month keeps the 14 days it was open, however long ago."""
    now = datetime(2026, 3, 20, 18, 0)
    old = [fake_backup(tmp_path, now - timedelta(days=100 + n), CLOSING) for n in range(14)]
    newest = fake_backup(tmp_path, now, DAILY)
    prune(tmp_path)
    assert {b.path for b in list_backups(tmp_path)} == {newest, *old[:13]}


def test_a_failed_backup_deletes_nothing_and_says_why(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
):
    data = demo_db.path.parent
    old = [fake_backup(data, datetime.now() - timedelta(days=n), DAILY) for n in range(1, 20)]

    def full(target: Path) -> Path:
        raise StoreError(f"The backup could not be written to {target}: the disk is full.")

    monkeypatch.setattr(demo_db, "backup", full)
    with pytest.raises(StoreError, match="the disk is full"):
        make_backup(demo_db, DAILY)
    assert closing_backup(demo_db) is None  # closing goes on
    assert all(p.exists() for p in old)  # not even the old ones beyond 14 days went

    watch = BackupWatch(demo_db, first_delay_s=0).start()
    try:
        deadline = datetime.now() + timedelta(seconds=20)
        while watch.problem is None and datetime.now() < deadline:
            watch._stopping.wait(0.02)
    finally:
        watch.stop()
    assert watch.problem is not None and "the disk is full" in watch.problem
    assert all(p.exists() for p in old)


def test_the_daily_backup_is_made_once_a_day_and_after_midnight(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
):
    data = demo_db.path.parent
    yesterday_evening = datetime.now().replace(hour=23, minute=59) - timedelta(days=1)
    fake_backup(data, yesterday_evening.replace(hour=8), DAILY)
    clock = [yesterday_evening]
    monkeypatch.setattr(backups, "RETRY_S", 0.05)  # looks at the calendar often
    watch = BackupWatch(demo_db, first_delay_s=0, now=lambda: clock[0]).start()
    try:
        assert not watch.made.wait(0.5)  # yesterday had its backup
        clock[0] = datetime.now()  # midnight passed while the register ran
        assert watch.made.wait(20)
        watch.made.clear()
        assert not watch.made.wait(0.5)  # one a day
    finally:
        watch.stop()
    daily = [b for b in list_backups(data) if b.reason == DAILY]
    assert len(daily) == 2 and daily[0].made_at.date() == datetime.now().date()


def test_closing_the_database_stops_the_watch(demo_db: Database):
    watch = BackupWatch(demo_db, first_delay_s=3600).start()
    demo_db.close()
    assert not watch._thread.is_alive()


def test_a_backup_by_hand_is_named_alike_and_never_pruned(demo_db: Database, capsys):
    data = demo_db.path.parent
    demo_db.close()
    assert main(["--data-dir", str(data), "backup"]) == 0
    (by_hand,) = list_backups(data)
    assert by_hand.reason == "" and f"Backed up to {by_hand.path}." in capsys.readouterr().out
    for n in range(20):
        fake_backup(data, datetime.now() - timedelta(days=n + 1), DAILY)
    prune(data)
    assert by_hand.path.exists()
