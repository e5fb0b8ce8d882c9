"""The day report: the figures of a known day on the demo winery, the store's midnight,
one register's report leaving out another's sales, and the exports read back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from tastingroom.devices.receipt import receipt_text
from tastingroom.localtime import start_of_day
from tastingroom.money import apply_rate
from tastingroom.people.staff import Action, approve
from tastingroom.reports.day import day_report
from tastingroom.reports.exports import (
    ReportSaveError,
    save_csv,
    to_csv,
    to_escpos,
    to_text,
)
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.pricing import Discount
from tastingroom.selling.sales import Register
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AgeCheck,
    ClubMembership,
    Order,
    OrderLineDiscount,
    new_id,
)

ZONE = "America/Los_Angeles"
DAY = date(2026, 7, 4)


def at(db: Database, order_id: str, when: datetime) -> None:
    """Stamp a committed order (and its age check) at `when`, as if rung up then."""
    with db.write() as s:
        s.execute(update(Order).where(Order.id == order_id).values(created_at=when))
        s.execute(update(AgeCheck).where(AgeCheck.order_id == order_id).values(checked_at=when))


def noon() -> datetime:
    return start_of_day(DAY, ZONE) + timedelta(hours=12)


def sell(register: Register, staff, codes: list[str], tender: TenderKind, **extra) -> object:
    cart = Cart(staff_id=staff.id)
    for code in codes:
        cart.add(register.catalog.by_barcode(code))
    if "discount" in extra:
        cart.set_line_discount(0, extra["discount"])
    cart.set_tip(extra.get("tip", 0))
    total = register.price(cart).total_cents
    paid = TenderInput(TenderKind.CARD, total, card_type="Visa", card_last4="4242",
                       approval_code="A1") if tender is TenderKind.CARD else (
                       TenderInput(TenderKind.CASH, total + 1000))  # fmt: skip
    age = check_birth_date(register.settings, staff.id, date(1980, 4, 2))
    return register.commit(cart, staff, [paid], age)


def test_a_known_day_to_the_cent(register: Register, cashier, manager, demo_db: Database):
    tipped = sell(register, cashier, ["PN22", "FEE-TASTE"], TenderKind.CASH, tip=500)
    manual = sell(
        register, cashier, ["PN22"], TenderKind.CARD, discount=Discount("dented", 100_000)
    )
    refunded = sell(register, cashier, ["FOOD-OLIVE"], TenderKind.CASH)
    approval = approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222")
    back = [TenderInput(TenderKind.CASH, refunded.priced.total_cents)]
    refund = register.refund_sale(refunded.order_id, cashier, approval, back)
    for order_id in (tipped.order_id, manual.order_id, refunded.order_id, refund.order_id):
        at(demo_db, order_id, noon())

    report = day_report(demo_db, DAY)

    sold = (tipped, manual, refunded)
    assert report.terminal == "TR1"
    assert report.sales.count == 3
    assert report.sales.total_cents == sum(s.priced.total_cents for s in sold)
    assert report.sales.tip_cents == 500
    assert report.refunds.count == 1
    assert report.refunds.total_cents == refunded.priced.total_cents
    assert report.net_sales_cents == tipped.priced.total_cents + manual.priced.total_cents
    # The pinot is $48.00 at retail in the demo: 10% off is $4.80, with its reason.
    assert [(d.kind, d.reason, d.cents) for d in report.discounts] == [("Manual", "dented", 480)]
    assert report.discount_cents == report.sales.discount_cents
    (tax,) = report.taxes
    assert tax.rate_ppm == register.settings.tax_rate_ppm
    assert tax.tax_cents == sum(s.priced.tax_cents for s in sold)
    assert tax.refunded_cents == refunded.priced.tax_cents
    tenders = {t.kind: t for t in report.tenders}
    assert tenders["card"].taken_cents == manual.priced.total_cents
    assert tenders["cash"].taken_cents == tipped.priced.total_cents + refunded.priced.total_cents
    assert tenders["cash"].refunded_cents == refunded.priced.total_cents
    assert [(t.staff, t.sales, t.cents) for t in report.tips] == [(cashier.name, 1, 500)]
    assert (report.age_checks, report.age_checks_refused) == (3, 0)
    assert report.unsent == 4  # nothing was sent: no WineDirect in this test
    assert report.warning is not None and "4 item(s)" in report.warning
    assert [h.hour for h in report.by_hour] == [12]
    assert report.by_hour[0].total_cents == report.sales.total_cents
    assert report.top_products[0].name.startswith("Estate Pinot Noir")


def club_and_manual_sale(register: Register, cashier, db: Database):
    """A club member's pinot with $3.00 off by hand ("dented") and 5% off the order
    ("regular"); returns the sale and the member's club."""
    with db.read() as s:
        member = s.scalar(
            select(ClubMembership.customer_id).where(ClubMembership.status == "Active").limit(1)
        )
    cart = Cart(staff_id=cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    register.attach_customer(cart, member)
    cart.set_line_discount(0, Discount("dented", amount_cents=300))
    cart.order_discount = Discount("regular", rate_ppm=50_000)
    total = register.price(cart).total_cents
    age = check_birth_date(register.settings, cashier.id, date(1980, 4, 2))
    sale = register.commit(cart, cashier, [TenderInput(TenderKind.CASH, total)], age)
    at(db, sale.order_id, noon())
    assert cart.customer is not None
    (club,) = [c for c in cart.customer.clubs if c.applies_to(sale.priced.lines[0].kind)]
    return sale, club


def test_a_club_and_a_manual_discount_on_one_line_are_two_rows(
    register: Register, cashier, demo_db: Database
):
    sale, club = club_and_manual_sale(register, cashier, demo_db)

    report = day_report(demo_db, DAY)

    gross = sale.priced.lines[0].gross_cents
    club_cents = apply_rate(gross, club.discount_ppm)
    order_cents = apply_rate(gross - club_cents - 300, 50_000)
    assert [(d.kind, d.reason, d.lines, d.cents) for d in report.discounts] == [
        ("Club", club.name, 1, club_cents),
        ("Manual", "dented", 1, 300),
        ("Order discount", "regular", 1, order_cents),
    ]
    assert report.discount_cents == report.sales.discount_cents == sale.priced.discount_cents


def test_a_line_sold_before_parts_were_kept_is_read_from_its_notes(
    register: Register, cashier, demo_db: Database
):
    old, club = club_and_manual_sale(register, cashier, demo_db)
    new, _ = club_and_manual_sale(register, cashier, demo_db)
    with demo_db.write() as s:  # as a sale written before migration 0009 left it
        s.execute(delete(OrderLineDiscount).where(OrderLineDiscount.order_id == old.order_id))

    report = day_report(demo_db, DAY)

    line = old.priced.lines[0]
    parts = {part.kind.value: part.cents for part in new.priced.lines[0].parts}
    assert [(d.kind, d.reason, d.lines, d.cents) for d in report.discounts] == [
        ("Club", club.name, 1, parts["club"]),
        ("Manual", "dented", 1, 300),
        ("Order discount", "regular", 2, line.order_discount_cents + parts["order"]),
        (
            "Combined",
            f"Club {club.name} + Manual dented",
            1,
            line.discount_cents - line.order_discount_cents,
        ),
    ]
    assert report.discount_cents == report.sales.discount_cents


def test_the_price_of_the_pinot_is_what_the_discount_test_assumes(register: Register):
    assert register.catalog.by_barcode("PN22").prices["Retail"][0] == 4800


def test_midnight_is_the_stores(register: Register, cashier, demo_db: Database):
    midnight = start_of_day(DAY + timedelta(days=1), ZONE)  # 07:00 UTC in July
    before = sell(register, cashier, ["PN22"], TenderKind.CARD)
    after = sell(register, cashier, ["FOOD-OLIVE"], TenderKind.CARD)
    at(demo_db, before.order_id, midnight - timedelta(seconds=1))
    at(demo_db, after.order_id, midnight)

    today, tomorrow = day_report(demo_db, DAY), day_report(demo_db, DAY + timedelta(days=1))

    assert today.sales.total_cents == before.priced.total_cents
    assert [h.hour for h in today.by_hour] == [23]
    assert tomorrow.sales.total_cents == after.priced.total_cents
    assert [h.hour for h in tomorrow.by_hour] == [0]
    assert midnight.hour == 7 and midnight.tzinfo == UTC


def test_another_registers_sales_are_not_in_this_report(
    register: Register, cashier, demo_db: Database
):
    ours = sell(register, cashier, ["PN22"], TenderKind.CARD)
    theirs = sell(register, cashier, ["FOOD-OLIVE"], TenderKind.CASH)
    for order_id in (ours.order_id, theirs.order_id):
        at(demo_db, order_id, noon())
    with demo_db.write() as s:
        s.execute(update(Order).where(Order.id == theirs.order_id).values(terminal="TR2"))

    mine, other = day_report(demo_db, DAY), day_report(demo_db, DAY, "TR2")

    assert (mine.sales.count, mine.sales.total_cents) == (1, ours.priced.total_cents)
    assert [t.kind for t in mine.tenders] == ["card"]
    assert (other.sales.count, other.sales.total_cents) == (1, theirs.priced.total_cents)


def test_a_refused_age_check_is_counted(register: Register, cashier, demo_db: Database):
    with demo_db.write() as s:
        s.add(AgeCheck(id=new_id(), staff_id=cashier.id, checked_at=noon(), method="visual",
                       passed=False, purpose="sale"))  # fmt: skip
    report = day_report(demo_db, DAY)
    assert (report.age_checks, report.age_checks_refused) == (1, 1)


@pytest.fixture
def busy_day(register: Register, cashier, demo_db: Database):
    for codes in (["PN22", "FEE-TASTE"], ["FOOD-OLIVE"], ["PN22", "PN22"]):
        at(demo_db, sell(register, cashier, codes, TenderKind.CARD).order_id, noon())
    return day_report(demo_db, DAY)


def test_csv_parses_back(busy_day):
    rows = list(csv.reader(io.StringIO(to_csv(busy_day))))
    titles = [rows[i][0] for i in range(len(rows)) if i == 0 or (rows[i - 1] == [] and rows[i])]
    assert titles[:3] == ["Day report", "Sales and refunds", "Discounts"]
    sales = rows[rows.index(["Sales and refunds"]) + 2]
    assert sales[0] == "Sales" and sales[1] == "3"
    assert sales[-1] == f"{busy_day.sales.total_cents / 100:.2f}"


@pytest.mark.parametrize("width", [32, 42, 48])
def test_text_fits_the_paper(busy_day, width: int):
    text = to_text(busy_day, width)
    assert all(len(line) <= width for line in text.splitlines())
    printed = receipt_text(to_escpos(busy_day, width))
    assert "Vallée Lune" in printed and printed.count("TOP PRODUCTS") == 1


def test_saving_into_a_folder_it_cannot_write_says_so(busy_day, tmp_path: Path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(ReportSaveError, match="could not be saved"):
        save_csv(blocked, busy_day)
    path = save_csv(tmp_path / "data", busy_day)
    assert path == tmp_path / "data" / "reports" / f"day-TR1-{DAY.isoformat()}.csv"
    assert path.read_text("utf-8") == to_csv(busy_day)
