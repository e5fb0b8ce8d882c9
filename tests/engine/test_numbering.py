"""Order-number series: a prefix of its own per register, and a new series whenever a
database is copied, moved or rolled back, so that no number reaches WineDirect twice."""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tastingroom.cli import main
from tastingroom.demo.winery import ring_demo_sales
from tastingroom.selling.numbering import (
    PREFIX_ALPHABET,
    SIDECAR_NAME,
    check_home,
    generate_prefix,
    next_series,
    numbering_notice,
    read_high_water,
    record_high_water,
    start_new_series,
    unsent_orders,
)
from tastingroom.selling.sales import Register
from tastingroom.settings import SettingsError, StoreSettings, load_settings, save_settings
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, NumberSequence, Order, OutboxItem, utcnow


def prefix_of(db: Database) -> str:
    with db.read() as s:
        return load_settings(s).terminal_prefix


def set_outbox(db: Database, number: str, **values: object) -> None:
    with db.write() as s:
        order_id = s.scalar(select(Order.id).where(Order.number == number))
        s.execute(update(OutboxItem).where(OutboxItem.entity_id == order_id).values(**values))


def mark_all_sent(db: Database) -> None:
    with db.write() as s:
        s.execute(update(OutboxItem).values(state="sent", sent_at=utcnow()))


def numbers(db: Database) -> set[str]:
    with db.read() as s:
        return set(s.scalars(select(Order.number)))


# --- prefixes ------------------------------------------------------------------------------


def test_generated_prefixes_are_unambiguous_valid_and_varied():
    drawn = {generate_prefix() for _ in range(200)}
    assert len(drawn) > 190
    for prefix in drawn:
        assert re.fullmatch(r"T[2-9A-HJKMNP-Z]{4}", prefix), prefix
        assert not set(prefix[1:]) & set("01OIL")
        assert set(prefix[1:]) <= set(PREFIX_ALPHABET)
        StoreSettings(terminal_prefix=prefix)  # passes the settings' own validation


def test_next_series_counts_up_and_fits_sixteen_characters():
    assert next_series("TR1") == "TR1_2"
    assert next_series("TR1_2") == "TR1_3"
    assert next_series("TR1_9") == "TR1_10"
    assert next_series("TK7M3") == "TK7M3_2"
    assert next_series("TR_1") == "TR_1_2"  # "_1" is part of a chosen name, not a series
    long = next_series("ABCDEFGHIJKLMNOP")
    assert long == "ABCDEFGHIJKLMN_2" and len(long) == 16
    assert len(next_series("ABCDEFGHIJKLM_99")) <= 16
    for prefix in ("TR1", "TR1_2", "ABCDEFGHIJKLMNOP", "ABCDEFGHIJKLM_99"):
        StoreSettings(terminal_prefix=next_series(prefix))


# --- init and --data-dir ---------------------------------------------------------------------


def test_init_gives_each_register_a_prefix_of_its_own(tmp_path: Path, capsys):
    seen = []
    for name in ("bar-1", "bar-2"):
        assert main(["--data-dir", str(tmp_path / name), "init"]) == 0
        out = capsys.readouterr().out
        found = re.search(
            r"Terminal prefix: (T[2-9A-Z]{4}) \(unique to this register; its sales are "
            r"numbered \1-000001 and up\)",
            out,
        )
        assert found, out
        seen.append(found[1])
    assert seen[0] != seen[1]

    # Running init again never changes the prefix by itself.
    assert main(["--data-dir", str(tmp_path / "bar-1"), "init"]) == 0
    assert f"Terminal prefix: {seen[0]} (kept)" in capsys.readouterr().out
    db = Database.open(tmp_path / "bar-1" / "tastingroom.sqlite3")
    try:
        assert prefix_of(db) == seen[0]
    finally:
        db.close()

    # A prefix of one's own choosing, and the demo's TR1.
    assert main(["--data-dir", str(tmp_path / "own"), "init", "--terminal-prefix", "BAR7"]) == 0
    assert "Terminal prefix: BAR7\n" in capsys.readouterr().out
    assert main(["--data-dir", str(tmp_path / "demo"), "init", "--demo"]) == 0
    for name, expected in (("own", "BAR7"), ("demo", "TR1")):
        db = Database.open(tmp_path / name / "tastingroom.sqlite3")
        try:
            assert prefix_of(db) == expected
        finally:
            db.close()


@pytest.mark.parametrize("where", ["before", "after"])
def test_data_dir_is_heard_before_or_after_the_command(
    tmp_path: Path, capsys, monkeypatch, where: str
):
    decoy = tmp_path / "decoy"  # where the data would go if --data-dir were lost
    decoy.mkdir()
    monkeypatch.setenv("TASTINGROOM_DATA_DIR", str(decoy))
    data = tmp_path / "data"

    def cli(*args: str) -> int:
        option = ["--data-dir", str(data)]
        return main([*option, *args] if where == "before" else [*args, *option])

    assert cli("init", "--terminal-prefix", "TR5") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("4821\n"))
    assert cli("staff", "add", "Dana Cruz", "--role", "owner", "--pin-stdin") == 0
    capsys.readouterr()
    assert cli("status", "--json") == 0
    assert json.loads(capsys.readouterr().out)["terminal"] == "TR5"
    assert (data / "tastingroom.sqlite3").is_file()
    assert list(decoy.iterdir()) == []


# --- the prefix-change rule ------------------------------------------------------------------


def test_prefix_cannot_change_while_orders_wait_to_reach_winedirect(demo_db: Database):
    ring_demo_sales(demo_db, 2, seed=4)
    with demo_db.read() as s:
        assert unsent_orders(s) == 2
    with (
        pytest.raises(
            SettingsError,
            match=r"^The terminal prefix cannot change while 2 order\(s\) are waiting to "
            r"reach WineDirect; sync first\.$",
        ),
        demo_db.write() as s,
    ):
        save_settings(s, terminal_prefix="TR9")
    assert prefix_of(demo_db) == "TR1"
    with demo_db.write() as s:  # saving the same prefix with other settings is fine
        save_settings(s, terminal_prefix="TR1", store_name="Vallée Lune")

    mark_all_sent(demo_db)
    with demo_db.write() as s:
        save_settings(s, terminal_prefix="TR9")
    assert prefix_of(demo_db) == "TR9"


def test_unsent_orders_counts_pending_and_quarantined_orders_only(demo_db: Database):
    sales = ring_demo_sales(demo_db, 4, seed=5)
    set_outbox(demo_db, sales[0].number, state="sent", sent_at=utcnow())
    set_outbox(demo_db, sales[1].number, state="quarantined", attempts=1)
    set_outbox(demo_db, sales[2].number, in_flight_at=utcnow(), attempts=1)
    with demo_db.write() as s:
        s.add(OutboxItem(kind="contact.upsert", entity_id="c1", idempotency_key="contact:c1:0"))
    with demo_db.read() as s:
        assert unsent_orders(s) == 3


# --- a new series ----------------------------------------------------------------------------


def test_a_new_series_is_audited_and_announced(demo_db: Database, manager):
    ring_demo_sales(demo_db, 2, seed=6)
    assert start_new_series(demo_db, "testing the till.", staff_id=manager.id) == "TR1_2"
    assert prefix_of(demo_db) == "TR1_2"
    with demo_db.read() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "new_number_series")).one()
        assert audit.requested_by == manager.id
        assert audit.detail == "Order numbers moved from TR1 to TR1_2: testing the till."
        assert numbering_notice(s) == "Order numbers now start from TR1_2-000001: testing the till."
    assert ring_demo_sales(demo_db, 1, seed=7)[0].number == "TR1_2-000001"
    # Without anyone signed in, the audit row names the register itself.
    assert start_new_series(demo_db, "automatic") == "TR1_3"


def test_renumber_unsent_renumbers_only_orders_never_sent(demo_db: Database):
    sales = ring_demo_sales(demo_db, 5, seed=8)
    first, tried, in_flight, never, refused = (s.number for s in sales)
    set_outbox(demo_db, first, state="sent", sent_at=utcnow(), attempts=1)
    set_outbox(demo_db, tried, attempts=1, last_error="timed out")
    set_outbox(demo_db, in_flight, in_flight_at=utcnow(), attempts=1)
    set_outbox(demo_db, refused, state="quarantined", attempts=1)

    assert start_new_series(demo_db, "WineDirect holds TR1", renumber_unsent=True) == "TR1_2"
    after = numbers(demo_db)
    assert {first, tried, in_flight, refused} <= after  # possibly in WineDirect: kept
    assert never not in after and "TR1_2-000001" in after
    with demo_db.read() as s:
        renumbered = s.scalars(select(Order).where(Order.number == "TR1_2-000001")).one()
        assert renumbered.id == sales[3].order_id and renumbered.terminal == "TR1_2"
        assert s.get(NumberSequence, "TR1_2").last_value == 1
        detail = s.scalar(select(AuditEntry.detail).where(AuditEntry.action == "new_number_series"))
        assert f"{never} -> TR1_2-000001" in detail and first not in detail
        assert numbering_notice(s).startswith("Order numbers now start from TR1_2-000002:")
    assert ring_demo_sales(demo_db, 1, seed=9)[0].number == "TR1_2-000002"


def test_renumber_keeps_its_original_order(demo_db: Database):
    sales = ring_demo_sales(demo_db, 3, seed=10)
    start_new_series(demo_db, "again", renumber_unsent=True)
    with demo_db.read() as s:
        by_id = {o.id: o.number for o in s.scalars(select(Order))}
    assert [by_id[x.order_id] for x in sales] == ["TR1_2-000001", "TR1_2-000002", "TR1_2-000003"]


def test_orders_that_came_back_from_a_copy_are_never_renumbered(demo_db: Database):
    """A restored or copied database's outbox may be out of date: the other copy may have
    sent those orders since. Renumbering them would put the same sale in WineDirect twice."""
    old = ring_demo_sales(demo_db, 2, seed=11)
    start_new_series(demo_db, "restored from the backup x", stale_outbox=True)
    new = ring_demo_sales(demo_db, 1, seed=12)[0]
    assert new.number == "TR1_2-000001"
    start_new_series(demo_db, "WineDirect holds TR1_2", renumber_unsent=True)
    after = numbers(demo_db)
    assert {o.number for o in old} <= after
    assert new.number not in after and "TR1_3-000001" in after


def test_a_new_series_skips_series_already_used(demo_db: Database):
    with demo_db.write() as s:
        s.add(NumberSequence(prefix="TR1_2", last_value=40))
    assert start_new_series(demo_db, "x", avoid=["TR1_3"]) == "TR1_4"


# --- where the database lives ----------------------------------------------------------------


def test_an_unmoved_database_keeps_its_series(demo_db: Database):
    data = demo_db.path.parent
    ring_demo_sales(demo_db, 2, seed=13)
    assert check_home(demo_db, data) is None  # first check: adopted silently
    assert check_home(demo_db, data) is None
    ring_demo_sales(demo_db, 1, seed=14)
    record_high_water(demo_db, data)
    assert check_home(demo_db, data) is None
    assert prefix_of(demo_db) == "TR1"
    sidecar = data / SIDECAR_NAME
    assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    water = read_high_water(data)
    assert water is not None and water.high == {"TR1": 3}


def test_a_database_copied_to_another_folder_starts_a_new_series(demo_db: Database, tmp_path):
    data = demo_db.path.parent
    assert check_home(demo_db, data) is None
    sold = {s.number for s in ring_demo_sales(demo_db, 3, seed=15)}
    demo_db.close()
    copy = tmp_path / "elsewhere" / "tastingroom.sqlite3"
    copy.parent.mkdir()
    shutil.copy(demo_db.path, copy)

    moved = Database.open(copy)
    try:
        notice = check_home(moved, copy.parent)
        assert notice == (
            "Order numbers now start from TR1_2-000001: this database was copied or moved "
            "from another computer or folder."
        )
        assert check_home(moved, copy.parent) is None  # once, not at every start
        number = ring_demo_sales(moved, 1, seed=16)[0].number
        assert number == "TR1_2-000001" and number not in sold
    finally:
        moved.close()

    original = Database.open(demo_db.path)
    try:
        assert check_home(original, data) is None and prefix_of(original) == "TR1"
    finally:
        original.close()


def test_a_fresh_database_moved_before_its_first_sale_needs_no_new_series(
    demo_db: Database, tmp_path: Path
):
    assert check_home(demo_db, demo_db.path.parent) is None
    demo_db.close()
    copy = tmp_path / "moved" / "tastingroom.sqlite3"
    copy.parent.mkdir()
    shutil.copy(demo_db.path, copy)
    db = Database.open(copy)
    try:
        assert check_home(db, copy.parent) is None and prefix_of(db) == "TR1"
    finally:
        db.close()


def test_a_rolled_back_file_starts_a_new_series(demo_db: Database, tmp_path: Path):
    data, live = demo_db.path.parent, demo_db.path
    assert check_home(demo_db, data) is None
    ring_demo_sales(demo_db, 2, seed=17)
    old = demo_db.backup(tmp_path / "old.sqlite3")
    later = {s.number for s in ring_demo_sales(demo_db, 5, seed=18)}
    record_high_water(demo_db, data)  # as the sync engine does after each push
    demo_db.close()

    # Someone copies the old backup over the live file by hand.
    for side in ("-wal", "-shm"):
        Path(f"{live}{side}").unlink(missing_ok=True)
    shutil.copy(old, live)

    db = Database.open(live)
    try:
        notice = check_home(db, data)
        assert notice == (
            "Order numbers now start from TR1_2-000001: this database was rolled back to an "
            "earlier copy."
        )
        assert check_home(db, data) is None
        sale = Register(db)  # a register started after the check numbers in the new series
        number = ring_demo_sales(db, 1, seed=19)[0].number
        assert sale.settings.terminal_prefix == "TR1_2"
        assert number == "TR1_2-000001" and number not in later
    finally:
        db.close()


def test_a_high_water_file_that_is_not_ours_is_ignored_and_rewritten(demo_db: Database):
    data = demo_db.path.parent
    ring_demo_sales(demo_db, 1, seed=20)
    (data / SIDECAR_NAME).write_text('{"database_id": 7, "high": "lots"}')
    assert read_high_water(data) is None
    assert check_home(demo_db, data) is None
    water = read_high_water(data)
    assert water is not None and water.high == {"TR1": 1}


def test_numbering_new_series_command(demo_db: Database, capsys):
    data = demo_db.path.parent
    sold = [s.number for s in ring_demo_sales(demo_db, 2, seed=21)]
    demo_db.close()
    assert main(["--data-dir", str(data), "numbering", "new-series", "--renumber-unsent"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Terminal prefix: TR1_2\n")
    assert f"{sold[0]} -> TR1_2-000001" in out and f"{sold[1]} -> TR1_2-000002" in out
    assert main(["numbering", "new-series", "--data-dir", str(data)]) == 0
    assert "Terminal prefix: TR1_3" in capsys.readouterr().out
    with pytest.raises(SystemExit) as usage:
        main(["--data-dir", str(data), "numbering"])
    assert usage.value.code == 2
