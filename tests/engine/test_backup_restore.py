"""Backups that cannot destroy what they keep, and restores that lose nothing and never
issue an order number twice."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tastingroom.cli import main
from tastingroom.demo.winery import ring_demo_sales
from tastingroom.selling.numbering import check_home, numbering_notice
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.errors import DatabaseDamaged, StoreError
from tastingroom.store.models import Order
from tastingroom.store.restore import RestoreRefused, restore_backup


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "TASTINGROOM_DATA_DIR"}
    return env | extra


def integrity(path: Path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def order_count(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM sale_order").fetchone()[0]
    finally:
        con.close()


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


@contextmanager
def sync_lock_held_elsewhere(database: Path) -> Iterator[int]:
    """Another process (a running register, say) holding the database's sync lock."""
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tastingroom.sync.lock import SyncLock\n"
        "lock = SyncLock(Path(sys.argv[1]), role='the register')\n"
        "assert lock.acquire()\n"
        "print('held', flush=True)\n"
        "sys.stdin.read()\n"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "held"
        yield child.pid
    finally:
        child.stdin.close()
        child.wait(timeout=30)
        child.stdout.close()


# --- backup ----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["", "-wal", "-shm", "-journal"])
def test_a_backup_over_the_live_database_is_refused(demo_db: Database, capsys, side: str):
    ring_demo_sales(demo_db, 2, seed=1)
    live = demo_db.path
    target = Path(f"{live}{side}")
    with pytest.raises(StoreError, match="that is the register's live database"):
        demo_db.backup(target)
    # The same file by another name is the same file.
    alias = live.parent / "alias" / ".." / f"{live.name}{side}"
    with pytest.raises(StoreError, match="nothing was written"):
        demo_db.backup(alias)
    demo_db.close()

    assert main(["--data-dir", str(live.parent), "backup", "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"tastingroom: The backup cannot be written to {target}")
    assert err.count("\n") == 1
    assert not Path(f"{target}.partial").exists()
    assert integrity(live) == "ok" and order_count(live) == 2


def test_a_hard_link_to_the_live_database_is_refused(demo_db: Database, tmp_path: Path):
    link = tmp_path / "looks-like-a-backup.sqlite3"
    os.link(demo_db.path, link)
    with pytest.raises(StoreError, match="live database"):
        demo_db.backup(link)


def test_a_full_disk_leaves_no_backup_behind(demo_db: Database):
    """A real write failure: the backup runs with a file-size limit smaller than the database."""
    ring_demo_sales(demo_db, 10, seed=2)
    data, live = demo_db.path.parent, demo_db.path
    demo_db.close()
    before = files_under(data)
    limit = live.stat().st_size // 2
    assert limit > 64 * 1024  # room for SQLite's shared-memory file, not for the copy

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    result = subprocess.run(
        [sys.executable, "-m", "tastingroom.cli", "--data-dir", str(data), "backup"],
        preexec_fn=small_disk,
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=120,
    )
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("tastingroom: The backup could not be written to ")
    assert lines[0].endswith(
        ": the disk is full. Nothing was left behind; the register's database is untouched."
    )
    assert files_under(data) - before <= {"tastingroom.sqlite3-wal", "tastingroom.sqlite3-shm"}
    assert not list((data / "backups").iterdir())
    assert integrity(live) == "ok" and order_count(live) == 10


def test_a_backup_into_a_folder_that_cannot_be_written_says_why(demo_db: Database, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    with pytest.raises(StoreError, match=r"not allowed to write there|cannot be created"):
        demo_db.backup(locked / "copy.sqlite3")
    assert list(locked.iterdir()) == []


def test_a_backup_whose_folder_is_a_file_says_why(demo_db: Database, tmp_path: Path):
    (tmp_path / "usb").write_text("a file, not a folder")
    target = tmp_path / "usb" / "copy.sqlite3"
    with pytest.raises(StoreError) as refused:
        demo_db.backup(target)
    assert str(refused.value) == (
        f"The backup could not be written to {target}: part of that path is a file, not a "
        "folder. Nothing was left behind; the register's database is untouched."
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "usb"]


def test_a_damaged_database_names_the_restore_command(tmp_path: Path):
    garbage = tmp_path / "tastingroom.sqlite3"
    garbage.write_bytes(b"this is not a database" * 200)
    with pytest.raises(DatabaseDamaged, match="with 'tastingroom restore', or call support"):
        Database.open(garbage)


# --- restore ---------------------------------------------------------------------------------


def test_restore_after_more_sales_never_reuses_a_number(demo_db: Database, capsys):
    data, live = demo_db.path.parent, demo_db.path
    ring_demo_sales(demo_db, 3, seed=3)
    demo_db.close()
    assert main(["--data-dir", str(data), "backup"]) == 0
    (backup,) = (data / "backups").glob("*.sqlite3")

    db = Database.open(live)
    after_backup = {s.number for s in ring_demo_sales(db, 5, seed=4)}
    assert after_backup == {f"TR1-00000{n}" for n in range(4, 9)}
    db.close()
    capsys.readouterr()

    assert main(["restore", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert f"Restored {backup}" in out and "3 orders" in out
    assert (
        f"Order numbers now start from TR1_2-000001: restored from the backup {backup.name}." in out
    )
    (kept,) = (data / "replaced").glob("tastingroom-replaced-*.sqlite3")
    assert f"The database it replaced is kept at {kept}." in out
    assert integrity(kept) == "ok" and order_count(kept) == 8  # nothing is lost
    assert not [p for p in data.iterdir() if p.name.startswith(".restore-")]

    db = Database.open(live)
    try:
        assert check_home(db, data) is None  # the next start starts no further series
        with db.read() as s:
            assert load_settings(s).terminal_prefix == "TR1_2"
            assert s.scalar(select(func.count()).select_from(Order)) == 3
            assert numbering_notice(s).endswith(f"restored from the backup {backup.name}.")
        sale = ring_demo_sales(db, 1, seed=5)[0]
        assert sale.number == "TR1_2-000001" and sale.number not in after_backup
    finally:
        db.close()


def test_restore_refuses_what_is_not_a_good_backup(demo_db: Database, tmp_path: Path):
    data, live = demo_db.path.parent, demo_db.path
    ring_demo_sales(demo_db, 2, seed=6)
    good = demo_db.backup(tmp_path / "good.sqlite3")
    demo_db.close()
    before = live.read_bytes()

    with pytest.raises(RestoreRefused, match="There are no backups in"):
        restore_backup(data)
    with pytest.raises(RestoreRefused, match="There is no backup file at"):
        restore_backup(data, tmp_path / "missing.sqlite3")
    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database at all\n" * 100)
    with pytest.raises(RestoreRefused, match="is not a Tastingroom database"):
        restore_backup(data, text)
    other = tmp_path / "other-app.sqlite3"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE note (body TEXT)")
    con.commit()
    con.close()
    with pytest.raises(RestoreRefused, match="is not a Tastingroom database"):
        restore_backup(data, other)
    with pytest.raises(RestoreRefused, match="live database, not a backup"):
        restore_backup(data, live)

    damaged = tmp_path / "damaged.sqlite3"
    raw = bytearray(good.read_bytes())
    for offset in range(4096 * 3, min(len(raw), 4096 * 12)):
        raw[offset] = 0xA5
    damaged.write_bytes(bytes(raw))
    with pytest.raises(RestoreRefused, match="damaged"):
        restore_backup(data, damaged)

    assert live.read_bytes() == before
    assert not (data / "replaced").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".restore-")]


def test_restore_is_refused_while_a_register_holds_the_sync_lock(demo_db: Database):
    data, live = demo_db.path.parent, demo_db.path
    ring_demo_sales(demo_db, 1, seed=7)
    demo_db.backup(data / "backups" / "tastingroom-20260101-120000.sqlite3")
    demo_db.close()
    before = live.read_bytes()

    with sync_lock_held_elsewhere(live) as pid:
        result = subprocess.run(
            [sys.executable, "-m", "tastingroom.cli", "restore", "--data-dir", str(data)],
            capture_output=True,
            text=True,
            env=cli_env(),
            timeout=120,
        )
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1
        assert "in use by the register, process" in result.stderr and str(pid) in result.stderr
        assert "nothing was changed" in result.stderr
        with pytest.raises(RestoreRefused, match="in use by"):
            restore_backup(data)
    assert live.read_bytes() == before and not (data / "replaced").exists()

    restore_backup(data)  # once the register has closed


def test_restore_replaces_a_damaged_database_and_keeps_its_files(demo_db: Database):
    data, live = demo_db.path.parent, demo_db.path
    ring_demo_sales(demo_db, 2, seed=8)
    backup = demo_db.backup(data / "backups" / "tastingroom-20260101-120000.sqlite3")
    demo_db.close()
    live.write_bytes(b"\x00garbage" * 4096)
    with pytest.raises(DatabaseDamaged):
        Database.open(live)

    result = restore_backup(data)
    assert result.backup == backup and result.new_prefix == "TR1_2"
    assert result.kept_at is not None and not result.kept_consistent
    assert result.kept_at.read_bytes() == b"\x00garbage" * 4096
    db = Database.open(live)
    try:
        assert ring_demo_sales(db, 1, seed=9)[0].number == "TR1_2-000001"
    finally:
        db.close()


def test_restore_onto_an_empty_folder(demo_db: Database, tmp_path: Path):
    ring_demo_sales(demo_db, 2, seed=10)
    backup = demo_db.backup(tmp_path / "from-the-old-computer.sqlite3")
    fresh = tmp_path / "new-computer"
    result = restore_backup(fresh, backup)
    assert result.kept_at is None and result.orders == 2 and result.new_prefix == "TR1_2"
    db = Database.open(fresh / "tastingroom.sqlite3")
    try:
        assert check_home(db, fresh) is None
    finally:
        db.close()
