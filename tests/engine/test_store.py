"""The store: pragmas in effect, migrations from empty, damaged files refused, backups."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import event, func, select

from tastingroom.demo.winery import ring_demo_sales
from tastingroom.localtime import local_day
from tastingroom.reports.day import day_report
from tastingroom.settings import StoreSettings
from tastingroom.store import order_search
from tastingroom.store.database import SCHEMA_REVISION, Database, DatabaseDamaged, DiskFull
from tastingroom.store.migrate import current_revision, head_revision
from tastingroom.store.models import Base, Order, OrderLineDiscount, Setting


def test_pragmas_are_in_effect_on_every_connection(db: Database):
    assert db.pragma("journal_mode") == "wal"
    assert db.pragma("synchronous") == 2  # FULL
    assert db.pragma("foreign_keys") == 1
    assert db.pragma("busy_timeout") == 10_000
    with db.write() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrations_from_empty_build_exactly_the_models(db: Database):
    assert current_revision(db.path) == head_revision()
    with db.engine.connect() as conn:
        # The orders' search index is an FTS5 table made by SQL, not a model: see
        # `store.order_search`.
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, kind, _: name not in order_search.TABLES}
        )
        assert compare_metadata(context, Base.metadata) == []
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []


def test_the_schema_revision_that_skips_alembic_is_the_head(db: Database):
    assert head_revision() == SCHEMA_REVISION
    assert db.schema_revision() == head_revision()


def test_opening_again_is_a_no_op(db: Database):
    with db.write() as s:
        s.add(Setting(key="store_name", value='"Kept"'))
    again = Database.open(db.path)
    with again.read() as s:
        assert s.get(Setting, "store_name").value == '"Kept"'
    again.close()


def test_a_damaged_file_is_refused_with_a_clear_message(tmp_path: Path):
    garbage = tmp_path / "tastingroom.sqlite3"
    garbage.write_bytes(b"this is not a database" * 200)
    with pytest.raises(DatabaseDamaged, match=r"damaged|cannot be opened"):
        Database.open(garbage)


def test_a_corrupted_page_fails_the_integrity_check(demo_db: Database):
    path = demo_db.path
    demo_db.close()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 12)):
        data[offset] = 0xA5
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged):
        Database.open(path)


def test_a_full_disk_is_a_clear_error_and_writes_nothing(demo_db: Database):
    ring_demo_sales(demo_db, 1, seed=1)
    with demo_db.read() as s:
        before = s.scalar(select(func.count()).select_from(Order))
        pages = s.connection().exec_driver_sql("PRAGMA page_count").scalar()

    @event.listens_for(demo_db._write_engine, "connect")
    def _tiny(dbapi_conn, _record):
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    demo_db._write_engine.dispose()
    with pytest.raises(DiskFull, match="disk is full"):
        ring_demo_sales(demo_db, 200, seed=2)
    with demo_db.read() as s:
        after = s.scalar(select(func.count()).select_from(Order))
    # Every sale either fully committed before the disk filled, or not at all.
    with demo_db.read() as s:
        for order in s.scalars(select(Order)):
            assert order.lines and order.tenders
    assert after >= before


def test_backup_is_consistent_while_sales_are_rung(demo_db: Database, tmp_path: Path):
    stop = threading.Event()

    def sell() -> None:
        while not stop.is_set():
            ring_demo_sales(demo_db, 1)

    seller = threading.Thread(target=sell)
    seller.start()
    try:
        target = demo_db.backup(tmp_path / "backups" / "copy.sqlite3")
    finally:
        stop.set()
        seller.join()
    con = sqlite3.connect(target)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    orders = con.execute("SELECT count(*) FROM sale_order").fetchone()[0]
    outbox = con.execute("SELECT count(*) FROM outbox_item WHERE kind='order.upsert'").fetchone()[0]
    con.close()
    assert orders == outbox  # a sale and its outbox row are never split by a backup


def test_a_database_from_the_first_release_upgrades_with_its_data(tmp_path: Path):
    from tastingroom.store.migrate import upgrade

    path = tmp_path / "old.sqlite3"
    upgrade(path, "0001")
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO outbox_item (id, kind, entity_id, idempotency_key, created_at, state, "
        "attempts) VALUES ('x', 'order.upsert', 'o1', 'order.upsert:o1:0', "
        "'2026-11-23 10:00:00.000000', 'pending', 0)"
    )
    con.commit()
    con.close()
    db = Database.open(path)
    assert current_revision(path) == head_revision()
    with db.read() as s:
        from tastingroom.store.models import OutboxItem

        item = s.scalar(select(OutboxItem))
    assert (item.idempotency_key, item.in_flight_at) == ("order.upsert:o1:0", None)
    db.close()


def test_a_database_at_0008_upgrades_and_its_discounts_still_report(tmp_path: Path):
    from tastingroom.store.migrate import upgrade

    path = tmp_path / "old.sqlite3"
    upgrade(path, "0008")
    con = sqlite3.connect(path)
    con.execute(
        "INSERT INTO sale_order (id, number, source, status, transaction_type, created_at, "
        "terminal, fulfilment, subtotal_cents, discount_cents, tax_cents, shipping_cents, "
        "tip_cents, total_cents, date_modified) VALUES ('o1', 'TR1-000001', 'register', "
        "'completed', 'order', '2026-11-23 20:00:00.000000', 'TR1', 'carry_out', 4800, 780, "
        "0, 0, 0, 4020, '2026-11-23 20:00:00.000000')"
    )
    con.execute(
        "INSERT INTO order_line (id, order_id, line_no, sku_code, name, kind, quantity, units, "
        "unit_price_cents, original_price_cents, discount_cents, taxable, tax_rate_ppm, "
        "tax_cents, net_cents, explanation) VALUES ('l1', 'o1', 1, 'PN22', 'Pinot', 'bottle', "
        "1, 1, 4800, 4800, 780, 0, 0, 0, 4020, 'Lune Club 10% off; $3.00 off (dented)')"
    )
    con.commit()
    con.close()

    db = Database.open(path)
    assert current_revision(path) == head_revision()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(OrderLineDiscount)) == 0
    day = local_day(datetime(2026, 11, 23, 20, tzinfo=UTC), StoreSettings().timezone)
    report = day_report(db, day, "TR1")
    db.close()
    assert [(d.kind, d.reason, d.cents) for d in report.discounts] == [
        ("Combined", "Club Lune Club + Manual dented", 780)
    ]


@pytest.mark.parametrize(
    ("demo", "set_before", "after"),
    [(True, None, False), (False, None, True), (True, "true", True), (False, "false", False)],
)
def test_an_upgrade_keeps_the_demo_selling_without_a_drawer(
    tmp_path: Path, demo: bool, set_before: str | None, after: bool
):
    """0010: the drawer becomes required by default; a demo database that never chose
    keeps selling at once, and whatever a store chose itself stays."""
    from tastingroom.settings import load_settings
    from tastingroom.store.migrate import upgrade

    path = tmp_path / "old.sqlite3"
    upgrade(path, "0009")
    con = sqlite3.connect(path)
    con.execute("INSERT INTO setting (key, value) VALUES ('demo_mode', ?)", (str(demo).lower(),))
    if set_before is not None:
        con.execute("INSERT INTO setting (key, value) VALUES ('drawer_required', ?)", (set_before,))
    con.commit()
    con.close()
    db = Database.open(path)
    try:
        with db.read() as s:
            assert load_settings(s).drawer_required is after
    finally:
        db.close()
