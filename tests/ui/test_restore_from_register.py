"""A manager restores a backup from the register: sync stops, the database closes, the
backup goes in place through `restore_backup` (as `tastingroom restore`), and the
register opens again on it, on a new number series."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from tastingroom.people.staff import Role, list_staff
from tastingroom.store.backups import DAILY, make_backup
from ui.app import RegisterFrame, application

from .conftest import ring_cash_sale, sign_in

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def frame(qtbot, tmp_path: Path, demo_template: Path) -> Iterator[RegisterFrame]:
    """The register as `tastingroom` starts it, on a demo winery in its own data folder."""
    path = tmp_path / "data" / "tastingroom.sqlite3"
    path.parent.mkdir()
    shutil.copy(demo_template, path)
    application()
    register = RegisterFrame(path)
    qtbot.addWidget(register)
    register.resize(1280, 800)
    register.show()
    with qtbot.waitSignal(register.sig_loaded, timeout=30_000):
        register.start_loading()
    yield register
    register.close()


def order_ids(path: Path) -> set[str]:
    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {row[0] for row in con.execute("SELECT id FROM sale_order")}
    finally:
        con.close()


def approve_as_manager(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons["Morgan Lee"], LEFT)
    for key in "2222":
        qtbot.mouseClick(dialog.pad.keys[key], LEFT)
    qtbot.mouseClick(dialog.pad.keys["OK"], LEFT)


def test_a_manager_restores_a_backup_and_the_register_opens_on_it(qtbot, frame: RegisterFrame):
    db = frame.register.db
    data = db.path.parent
    main = frame.main
    sign_in(qtbot, main, "Alex Rivera", "1111")
    cashier = next(m for m in list_staff(db) if m.role is Role.CASHIER)
    before = ring_cash_sale(main.register, cashier)
    backup = make_backup(db, DAILY)
    after = ring_cash_sale(main.register, cashier)  # rung after the backup: gone after restore
    assert after.number == "TR1-000002"

    qtbot.mouseClick(main.nav["About"], LEFT)
    about = main.about
    rows = [
        about.list.item(i).data(Qt.ItemDataRole.UserRole).path for i in range(about.list.count())
    ]
    about.list.setCurrentRow(rows.index(backup))
    qtbot.mouseClick(about.restore_button, LEFT)
    approval = about.approval_dialog
    qtbot.waitUntil(approval.isVisible)
    approve_as_manager(qtbot, approval)
    confirm = about.confirm_dialog
    qtbot.waitUntil(lambda: confirm is not None and confirm.isVisible())
    with qtbot.waitSignal(frame.sig_loaded, timeout=60_000):
        qtbot.mouseClick(confirm.action, LEFT)

    assert frame.main is not main and frame.main is not None
    restored = frame.register.db
    ids = order_ids(restored.path)
    assert before.order_id in ids and after.order_id not in ids
    (kept,) = (data / "replaced").glob("tastingroom-replaced-*.sqlite3")
    assert after.order_id in order_ids(kept)  # the replaced database is kept, whole
    said = frame.lock_screen.pad.message.text()
    assert said.startswith(f"Restored the backup {backup.name} (1 order).")
    assert str(kept) in said

    sign_in(qtbot, frame.main, "Alex Rivera", "1111")  # everyone signs in again
    assert frame.main.staff is not None
    assert "Order numbers now start from TR1_2-000001" in frame.main.selling.notice.text()
    next_sale = ring_cash_sale(frame.main.register, cashier)
    assert next_sale.number == "TR1_2-000001"  # a new series: no number is issued twice
    assert next_sale.number not in {before.number, after.number}


def test_a_refused_restore_reopens_the_register_unchanged(qtbot, frame: RegisterFrame):
    db = frame.register.db
    main = frame.main
    sign_in(qtbot, main, "Morgan Lee", "2222")
    junk = db.path.parent / "backups" / "tastingroom-2026-01-01_120000.sqlite3"
    junk.parent.mkdir(exist_ok=True)
    junk.write_bytes(b"not a database" * 100)
    with qtbot.waitSignal(frame.sig_loaded, timeout=60_000):
        frame.restore(junk)
    said = frame.lock_screen.pad.message.text()
    assert said.startswith("The backup was not restored.") and "nothing was changed" in said
    assert not (db.path.parent / "replaced").exists()
    sign_in(qtbot, frame.main, "Morgan Lee", "2222")
    assert frame.main.staff is not None
