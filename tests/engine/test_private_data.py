"""The data folder is private to the account that runs the register (POSIX: 700/600),
new or made by an older version, and a PIN locked out stays locked after a restart."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.people.staff import AuthError, Role, add_staff, sign_in
from tastingroom.store.database import Database

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@posix_only
def test_a_new_store_is_private_whatever_the_umask(tmp_path: Path):
    folder = tmp_path / "store"
    command = [sys.executable, "-m", "tastingroom.cli", "--data-dir", str(folder)]
    loose = {"preexec_fn": lambda: os.umask(0o022)}
    done = subprocess.run(
        [*command, "init", "--demo"], capture_output=True, text=True, timeout=120, **loose
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*command, "demo", "sales", "--count", "3"],
        capture_output=True,
        text=True,
        timeout=120,
        **loose,
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [*command, "backup"], capture_output=True, text=True, timeout=120, **loose
    )
    assert done.returncode == 0, done.stderr
    assert mode(folder) == 0o700
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert any(p.name == "tastingroom.sqlite3" for p in files)
    assert any(p.parent.name == "backups" for p in files)
    loose_files = {str(p.relative_to(folder)): oct(mode(p)) for p in files if mode(p) & 0o077}
    assert loose_files == {}
    assert all(mode(p) == 0o700 for p in folder.rglob("*") if p.is_dir())


@posix_only
def test_an_older_stores_folder_and_files_are_tightened_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
):
    folder = tmp_path / "old"
    db = Database.open(folder / "tastingroom.sqlite3")
    database = db.path
    db.close()
    backups = folder / "backups"
    backups.mkdir()
    (backups / "old.sqlite3").write_bytes(database.read_bytes())
    for path, loose in (
        (folder, 0o755),
        (database, 0o644),
        (backups, 0o755),
        (backups / "old.sqlite3", 0o644),
    ):
        path.chmod(loose)
    with caplog.at_level(logging.WARNING, logger="tastingroom.store.private"):
        Database.open(database).close()
    assert mode(folder) == 0o700 and mode(database) == 0o600
    assert mode(backups) == 0o700 and mode(backups / "old.sqlite3") == 0o600
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "Made" in said and "private" in said and "644 -> 600" in said


def test_a_locked_out_pin_stays_locked_after_a_restart(tmp_path: Path):
    path = tmp_path / "t" / "tastingroom.sqlite3"
    db = Database.open(path)
    member = add_staff(db, "Dana Cruz", Role.CASHIER, "4821")
    for _ in range(5):
        with pytest.raises(AuthError):
            sign_in(db, member.id, "0000")
    db.close()
    again = Database.open(path)  # the register restarted
    try:
        with pytest.raises(AuthError, match="locked"):
            sign_in(again, member.id, "4821")
    finally:
        again.close()


@posix_only
def test_demo_sales_keep_the_wal_private(tmp_path: Path):
    db = Database.open(tmp_path / "w" / "tastingroom.sqlite3")
    try:
        from tastingroom.demo.winery import seed_demo

        seed_demo(db)
        ring_demo_sales(db, 2, seed=1)
        side = [p for p in db.path.parent.iterdir() if p.name.endswith(("-wal", "-shm"))]
        assert side and all(mode(p) == 0o600 for p in side)
    finally:
        db.close()
