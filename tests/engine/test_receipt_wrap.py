"""Receipts and slips on real paper widths: nothing cut at the edge, amounts kept on their
line, every job starting with a reset, and text the printer's code page cannot print
transliterated rather than printed as "?". Asserted on the real ESC/POS bytes."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tastingroom.devices import printer
from tastingroom.devices.receipt import (
    build_pickup_slip,
    build_receipt,
    printable,
    receipt_text,
    row,
    wrap,
)
from tastingroom.people.staff import Role, add_staff, list_staff
from tastingroom.selling.age import check_birth_date, check_visual
from tastingroom.selling.cart import Cart
from tastingroom.selling.pricing import Discount
from tastingroom.selling.sales import Register
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.settings import SettingsError, StoreSettings, save_settings
from tastingroom.store.database import Database
from tastingroom.store.models import Order

LONG_STAFF = "Maximiliane Alexandra Featherstonehaugh"
REASON = "Wine club pickup party: second six-pack at the member price"
LONG_NAME = "Blanc de Blancs Brut Grand Cuvée Vieilles Vignes 2021 (6-pack)"


def paper(db: Database, columns: int) -> None:
    with db.write() as s:
        save_settings(s, receipt_columns=columns)


def long_sale(register: Register, db: Database, *, visual: bool = False):
    """A card sale by a staff member with a long name: a 6-pack with a long name and a
    discount with a long reason, a 12-character approval code."""
    staff = next((m for m in list_staff(db) if m.name == LONG_STAFF), None)
    staff = staff or add_staff(db, LONG_STAFF, Role.CASHIER, "4321")
    six_pack = next(i for i in register.catalog.search("Blanc de Blancs") if i.units == 6)
    cart = Cart(staff_id=staff.id)
    cart.add(dataclasses.replace(six_pack, name=LONG_NAME))
    cart.set_line_discount(0, Discount(REASON, rate_ppm=100_000))
    total = register.price(cart).total_cents
    settings = dataclasses.replace(register.settings, visual_check_over_age=40)
    check = (
        check_visual(settings, staff.id)
        if visual
        else check_birth_date(register.settings, staff.id, date(1975, 7, 4))
    )
    card = TenderInput(
        TenderKind.CARD,
        total,
        card_type="Mastercard",
        card_last4="4242",
        approval_code="A1B2C3D4E5F6",
    )
    return register.commit(cart, staff, [card], check)


def rows_of(data: bytes) -> list[str]:
    return receipt_text(data).splitlines()


@pytest.mark.parametrize("columns", [32, 42, 48])
def test_long_lines_wrap_and_nothing_is_cut(demo_db: Database, columns: int):
    paper(demo_db, columns)
    register = Register(demo_db)
    sale = long_sale(register, demo_db)
    data = build_receipt(demo_db, sale.order_id).data
    rows = rows_of(data)
    assert max(len(r) for r in rows) <= columns
    text = " ".join(r.strip() for r in rows)
    for whole in ("(6-pack)", "2021", "A1B2C3D4E5F6", "Featherstonehaugh", "Mastercard"):
        assert whole in text, whole
    words = {w.strip("()") for w in text.split()}
    assert all(word in words for word in REASON.split())  # every word whole
    # The item's amount sits at the right edge of the item's last row.
    item = next(i for i, r in enumerate(rows) if r.startswith("1 x Blanc"))
    last = next(i for i in range(item, len(rows)) if rows[i].endswith("$312.00"))
    assert last > item and len(rows[last]) == columns
    assert all(r.startswith("    ") for r in rows[item + 1 : last + 1])  # hanging indent
    # So does the discount's, after the reason's last word.
    discount = next(r for r in rows if r.endswith("-$31.20"))
    assert "price)" in discount and len(discount) == columns


def test_the_header_fits_a_long_staff_name(demo_db: Database):
    paper(demo_db, 32)
    register = Register(demo_db)
    sale = long_sale(register, demo_db)
    rows = rows_of(build_receipt(demo_db, sale.order_id).data)
    assert LONG_STAFF in rows or LONG_STAFF.rsplit(" ", 1)[0] in rows
    assert all(len(r) <= 32 for r in rows)


def test_the_pickup_slip_wraps_its_handed_over_line(demo_db: Database):
    paper(demo_db, 32)
    register = Register(demo_db)
    sale = long_sale(register, demo_db)
    with demo_db.write() as s:
        order = s.get(Order, sale.order_id)
        order.picked_up_at = order.created_at
    slip = build_pickup_slip(demo_db, sale.order_id, LONG_STAFF)
    rows = rows_of(slip)
    assert slip.startswith(b"\x1b@\x1bt")
    assert all(len(r) <= 32 for r in rows)
    text = " ".join(r.strip() for r in rows)
    assert f"by {LONG_STAFF}" in text and "(6-pack)" in text
    signature = next(r for r in rows if r.startswith("Signature:"))
    assert len(signature) == 32


def test_every_job_starts_with_a_reset(demo_db: Database, register: Register):
    sale = long_sale(register, demo_db)
    assert build_receipt(demo_db, sale.order_id).data.startswith(b"\x1b@\x1bt\x13")  # CP858
    assert printer.test_page("Vallée Lune").startswith(b"\x1b@")


def test_what_cp858_lacks_is_transliterated_not_printed_as_question_marks(demo_db: Database):
    register = Register(demo_db)
    fancy = "Łódź “Reserve” – Winemaker’s Cuvée… Žilavka"
    staff = add_staff(demo_db, "Zoë Nowak", Role.CASHIER, "4321")
    cart = Cart(staff_id=staff.id)
    cart.add(dataclasses.replace(register.catalog.by_barcode("PN22"), name=fancy))
    total = register.price(cart).total_cents
    check = check_birth_date(register.settings, staff.id, date(1975, 7, 4))
    sale = register.commit(cart, staff, [TenderInput(TenderKind.CASH, total)], check)
    data = build_receipt(demo_db, sale.order_id).data
    expected = 'Lódz "Reserve" - Winemaker\'s Cuvée... Zilavka'.encode("cp858")
    assert expected in data.replace(b"\n    ", b" ")
    assert b"?" not in data.split(b"\x1dk")[0]  # nothing unprintable before the barcode
    assert "Zoë Nowak".encode("cp858") in data  # what CP858 has is kept as it is


def test_printable_and_wrap_rules():
    assert printable("’‘“”–—…") == "''\"\"--..."
    assert printable("Rosé Gewürztraminer €5") == "Rosé Gewürztraminer €5"
    assert printable("Šaković Dvořák Œuvre ™ ☃") == "Sakovic Dvorák OEuvre TM ?"
    assert wrap("Rosé of Pinot Noir 2024 (6-pack)", 20, indent=4) == [
        "Rosé of Pinot Noir",
        "    2024 (6-pack)",
    ]
    assert row("Subtotal", "$1.00", 20) == ["Subtotal       $1.00"]
    assert row("a b c d e f g h i j k", "$1.00", 14) == [
        "a b c d",
        "  e f g",
        "  h i j",
        "  k      $1.00",
    ]


def test_the_receipt_states_how_age_was_checked(demo_db: Database, register: Register):
    typed = long_sale(register, demo_db)
    assert "Age checked: Date of birth typed" in receipt_text(
        build_receipt(demo_db, typed.order_id).data
    )
    visual = long_sale(register, demo_db, visual=True)
    text = receipt_text(build_receipt(demo_db, visual.order_id).data)
    assert "Age checked: Visibly over 40 (no ID)" in text and "ID checked" not in text


def test_the_paper_width_is_a_setting():
    assert StoreSettings().receipt_columns == 42
    assert StoreSettings(receipt_columns=32).receipt_columns == 32
    with pytest.raises(SettingsError, match="58 mm"):
        StoreSettings(receipt_columns=40)
