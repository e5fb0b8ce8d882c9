"""The X and Z reports as printed rows, ESC/POS bytes and CSV, and the Z's saved files."""

from __future__ import annotations

import csv
import io
import stat
from datetime import date

import pytest

from tastingroom import drawer
from tastingroom.devices.receipt import receipt_text
from tastingroom.drawer import DrawerCount
from tastingroom.drawer.printout import (
    ReportNotSaved,
    reports_folder,
    save_z,
    x_printout,
    z_csv,
    z_printout,
)
from tastingroom.people.staff import Action, approve
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.settings import save_settings

FLOAT = DrawerCount({"bill_2000": 5, "bill_500": 10, "bill_100": 20, "coin_25": 40})  # $180


def fake_pdf(lines: list[str]) -> bytes:
    """Stands in for Qt's PDF writer (the engine's tests run without Qt)."""
    return b"%PDF-1.4\n" + "\n".join(lines).encode()


@pytest.fixture
def day(demo_db, register, cashier, manager):
    """A session: $180 float, one cash sale, a paid-out for ice, a $100 drop."""
    session = drawer.open_session(demo_db, cashier, FLOAT)
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    total = register.price(cart).total_cents
    check = check_birth_date(register.settings, cashier.id, date(1980, 4, 2))
    register.commit(cart, cashier, [TenderInput(TenderKind.CASH, total + 500)], check)
    out_ok = approve(demo_db, Action.PAID_OUT, cashier.id, manager.id, "2222")
    drawer.paid_out(demo_db, cashier, 1_250, "Ice for the market stand", out_ok)
    drawer.drop(demo_db, cashier, 10_000)
    return session, total


def close(demo_db, cashier, manager, session, count, reason=None):
    ok = approve(demo_db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
    return drawer.close_session(demo_db, session.id, cashier, count, 5_000, ok, reason)


def test_x_report_rows_fit_the_paper_and_carry_the_figures(demo_db, day):
    _, total = day
    expected = 18_000 + total - 1_250 - 10_000
    printout = x_printout(demo_db)
    assert printout.title == "X report"
    assert all(len(line) <= 42 for line in printout.lines)
    text = printout.text
    assert "X REPORT" in text and "Register TR1" in text
    assert "Cash sales (1)" in text and "-$12.50" in text and "-$100.00" in text
    flowing = " ".join(line.strip() for line in printout.lines)  # wrapped rows read as one
    assert "Alex Rivera: Ice for the market stand (approved by Morgan Lee)" in flowing
    expected_row = next(line for line in printout.lines if line.startswith("Expected in drawer"))
    assert expected_row.endswith(f"${expected // 100:,}.{expected % 100:02d}")


def test_narrow_paper_wraps_rather_than_cuts(demo_db, day):
    with demo_db.write() as s:
        save_settings(s, receipt_columns=32, store_name="Domaine des Coteaux de Gewürztraminer")
    lines = x_printout(demo_db).lines
    assert all(len(line) <= 32 for line in lines)
    assert "Gewürztraminer" in "\n".join(lines)


def test_z_printout_bytes_print_exactly_the_rows(demo_db, cashier, manager, day):
    session, _ = day
    z = close(demo_db, cashier, manager, session, drawer.DrawerCount({"bill_2000": 4}), "Miscount")
    printout = z_printout(demo_db, session.id)
    assert printout.title == "Z1"
    data = printout.data
    assert data.startswith(b"\x1b@") and b"\x1dV" in data  # reset first, then a cut
    assert receipt_text(data) == printout.text
    text = printout.text
    assert "Z REPORT Z1" in text and "$20 bill x 4" in text and "Reason: Miscount" in text
    assert "Short" in text and "Approved by Morgan Lee" in text
    assert z.over_short_cents < 0


def test_z_csv_has_the_figures_and_keeps_typed_formulas_as_text(demo_db, cashier, manager, day):
    session, total = day
    count = DrawerCount({"bill_2000": 4})
    close(demo_db, cashier, manager, session, count, "=HYPERLINK(1)")
    rows = list(csv.reader(io.StringIO(z_csv(demo_db, session.id))))
    assert rows[0] == ["section", "item", "pieces", "amount", "note"]
    table = {(r[0], r[1]): r for r in rows[1:]}
    assert table[("report", "z_number")][4] == "1"
    assert table[("cash", "paid_out")][3] == "-12.50"
    expected = 18_000 + total - 1_250 - 10_000
    assert table[("cash", "expected")][3] == f"{expected // 100}.{expected % 100:02d}"
    assert table[("count", "$20 bill")][2:4] == ["4", "80.00"]
    assert table[("close", "over_short")][3] == (
        f"-{(expected - 8_000) // 100}.{(expected - 8_000) % 100:02d}"
    )
    assert table[("close", "reason")][4] == "'=HYPERLINK(1)"


def test_save_z_writes_private_csv_and_pdf_named_by_terminal_and_z(demo_db, cashier, manager, day):
    session, _ = day
    close(demo_db, cashier, manager, session, FLOAT, "Counted twice")
    saved = save_z(demo_db, session.id, fake_pdf)
    assert saved.csv.name == "TR1-Z1.csv" and saved.pdf.name == "TR1-Z1.pdf"
    assert saved.csv.parent == reports_folder(demo_db) == demo_db.path.parent / "reports"
    assert saved.pdf.read_bytes().startswith(b"%PDF")
    assert saved.csv.read_text().startswith("section,item")
    assert stat.S_IMODE(saved.csv.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.csv.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in saved.csv.parent.iterdir()) == sorted(
        ["TR1-Z1.csv", "TR1-Z1.pdf"]
    )


def test_an_unwritable_reports_folder_is_a_clear_message_and_the_close_stands(
    demo_db, cashier, manager, day
):
    session, _ = day
    close(demo_db, cashier, manager, session, FLOAT, "Counted twice")
    reports_folder(demo_db).write_text("a file where the folder should be")
    with pytest.raises(ReportNotSaved, match=r"Z1 report could not be saved.*drawer is closed"):
        save_z(demo_db, session.id, fake_pdf)
    assert drawer.current_session(demo_db) is None
    assert drawer.z_report(demo_db, session.id).z_number == 1
