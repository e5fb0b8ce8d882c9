"""Tabs: a cart held under a party's name comes back whole (lines, packs, discounts,
overrides with their approvals, customer and club prices, age check); several run at
once; none reaches the outbox until paid, and paying closes it in the sale's own
transaction; the Z close waits for them unless a manager carries them; and a register
killed while holding tabs keeps every tab it had held."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tastingroom import drawer
from tastingroom.drawer import DrawerCount, DrawerError
from tastingroom.people.staff import Action, AuthError, Role, add_staff, approve, list_staff
from tastingroom.selling import tabs
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.pricing import Discount
from tastingroom.selling.sales import Register, SaleRefused
from tastingroom.selling.tabs import TabError
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, ClubMembership, Order, OutboxItem, Sku, Tab
from tests.engine import killing

FLOAT = DrawerCount({"bill_2000": 5})  # $100


def adult(register: Register, staff_id: str):
    return check_birth_date(register.settings, staff_id, date(1980, 4, 2))


def cash(amount: int) -> list[TenderInput]:
    return [TenderInput(TenderKind.CASH, amount)]


def outbox_rows(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(OutboxItem))


def club_member(db: Database) -> str:
    with db.read() as s:
        return s.scalar(
            select(ClubMembership.customer_id).where(ClubMembership.status == "Active").limit(1)
        )


def party_cart(register: Register, cashier, manager, db: Database):
    """Pours, a bottle sold as a 6-pack, a line discount, an overridden price (with its
    approval), an order discount over the limit (with its), and a club member."""
    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("FEE-TASTE"), 3)
    cart.add(register.catalog.by_barcode("CHD22"), 2)
    cart.set_pack(1, register.catalog.by_barcode("CHD22-6"))
    cart.add(register.catalog.by_barcode("PN22"))
    cart.set_line_discount(2, Discount("Staff pick", amount_cents=200))
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    override = approve(db, Action.PRICE_OVERRIDE, cashier.id, manager.id, "2222")
    cart.override_price(3, 500, override)
    big = approve(db, Action.DISCOUNT_OVER_LIMIT, cashier.id, manager.id, "2222")
    cart.set_order_discount(Discount("Birthday party", rate_ppm=300_000), big)
    register.attach_customer(cart, club_member(db))
    return cart


def test_a_tab_comes_back_whole_at_the_same_price(register: Register, cashier, manager, demo_db):
    cart = party_cart(register, cashier, manager, demo_db)
    check = adult(register, cashier.id)
    before = register.price(cart)
    tab_id = tabs.hold(register, cart, "  Smith   party ", cashier, check)

    (listed,) = tabs.open_tabs(register)
    assert (listed.id, listed.name, listed.line_count) == (tab_id, "Smith party", 4)
    assert listed.total_cents == before.total_cents and listed.opened_by_name == cashier.name
    assert not listed.in_use

    back = tabs.resume(register, tab_id, cashier)
    again = back.cart
    assert back.missing == () and back.notice is None and again.tab_id == tab_id
    assert [(x.item.code, x.quantity) for x in again.lines] == [
        (x.item.code, x.quantity) for x in cart.lines
    ]
    assert again.lines[1].item.units == 6
    assert again.lines[2].discount == Discount("Staff pick", amount_cents=200)
    assert again.lines[3].override_cents == 500
    assert again.lines[3].override_approval == cart.lines[3].override_approval
    assert again.order_discount_approval == cart.order_discount_approval
    assert again.customer == cart.customer and again.customer.clubs
    assert register.price(again) == before
    assert back.age_check == check
    assert tabs.open_tabs(register)[0].in_use
    # The approvals came back valid: the sale goes through without asking a manager again.
    sale = register.commit(again, cashier, cash(before.total_cents), back.age_check)
    assert sale.priced.total_cents == before.total_cents


def test_names_are_checked_and_unique_among_open_tabs(register: Register, cashier):
    cart = register.new_cart(cashier.id)
    with pytest.raises(TabError, match="nothing in the cart"):
        tabs.hold(register, cart, "Spot 4", cashier)
    cart.add(register.catalog.by_barcode("FEE-TASTE"))
    with pytest.raises(TabError, match="Name the tab") as refused:
        tabs.hold(register, cart, "   ", cashier)
    assert refused.value.field == "tab_name"
    with pytest.raises(TabError, match="card number"):
        tabs.hold(register, cart, "4111 1111 1111 1111", cashier)
    tabs.hold(register, cart, "Spot 4", cashier)
    other = register.new_cart(cashier.id)
    other.add(register.catalog.by_barcode("PN22"))
    with pytest.raises(TabError, match="already an open tab called spot 4"):
        tabs.hold(register, other, "spot 4", cashier)
    assert [t.name for t in tabs.open_tabs(register)] == ["Spot 4"]


def test_two_tabs_at_once_paid_in_turn_and_nothing_sent_until_paid(
    register: Register, cashier, manager, demo_db
):
    check = adult(register, cashier.id)
    first = register.new_cart(cashier.id)
    first.add(register.catalog.by_barcode("FEE-TASTE"), 2)
    a = tabs.hold(register, first, "Garcia", cashier, check)
    second = register.new_cart(cashier.id)
    second.add(register.catalog.by_barcode("PN22"))
    b = tabs.hold(register, second, "Spot 7", cashier)

    # More pours for the first party: resumed, added to, held again (the same tab).
    cart = tabs.resume(register, a, cashier).cart
    cart.add(register.catalog.by_barcode("CHD22"))
    assert tabs.hold(register, cart, "Garcia", cashier, check) == a
    assert {t.name: t.line_count for t in tabs.open_tabs(register)} == {"Garcia": 2, "Spot 7": 1}
    # Resumed and put back unchanged, a tab listed in use is free again.
    tabs.resume(register, b, cashier)
    with pytest.raises(TabError, match="already open on screen"):
        tabs.resume(register, b, cashier)
    tabs.release(demo_db, b)
    assert outbox_rows(demo_db) == 0

    back = tabs.resume(register, b, cashier)
    assert back.age_check is None
    with pytest.raises(SaleRefused, match="check the guest's age"):
        register.commit(back.cart, cashier, cash(10_000), None)
    paid_b = register.commit(back.cart, cashier, cash(register.price(back.cart).total_cents), check)
    assert outbox_rows(demo_db) == 1
    assert [t.name for t in tabs.open_tabs(register)] == ["Garcia"]

    back = tabs.resume(register, a, cashier)
    paid_a = register.commit(
        back.cart, cashier, cash(register.price(back.cart).total_cents), back.age_check
    )
    assert outbox_rows(demo_db) == 2 and tabs.open_tabs(register) == []
    with demo_db.read() as s:
        assert s.get(Tab, a).order_id == paid_a.order_id and s.get(Tab, a).status == "paid"
        assert s.get(Tab, b).order_id == paid_b.order_id
        with_lines = s.get(Order, paid_a.order_id)
        assert [x.sku_code for x in with_lines.lines] == ["FEE-TASTE", "CHD22"]


def test_paying_closes_the_tab_in_the_sales_transaction(register: Register, cashier, demo_db):
    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    tab_id = tabs.hold(register, cart, "Lee", cashier)
    back = tabs.resume(register, tab_id, cashier).cart
    total = register.price(back).total_cents
    # A tab closed behind the cart's back (here: by hand in the file) refuses the sale, and
    # the sale's transaction writes nothing: no order, no outbox row, no number used.
    con = sqlite3.connect(demo_db.path)
    con.execute("UPDATE tab SET status = 'abandoned' WHERE id = ?", (tab_id,))
    con.commit()
    con.close()
    with pytest.raises(SaleRefused, match="no longer open"):
        register.commit(back, cashier, cash(total))
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == 0
    assert outbox_rows(demo_db) == 0

    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    tab_id = tabs.hold(register, cart, "Lee", cashier)
    sale = register.commit(tabs.resume(register, tab_id, cashier).cart, cashier, cash(total))
    assert sale.number.endswith("000001")
    with demo_db.read() as s:
        row = s.get(Tab, tab_id)
        assert (row.status, row.order_id, row.closed_by) == ("paid", sale.order_id, cashier.id)
        assert row.closed_at == sale.created_at
    # Paid is final, in the file itself.
    con = sqlite3.connect(demo_db.path)
    with pytest.raises(sqlite3.IntegrityError, match="cannot be changed"):
        con.execute("UPDATE tab SET status = 'open' WHERE id = ?", (tab_id,))
    con.close()


def test_abandoning_needs_a_manager_and_is_audited(register: Register, cashier, manager, demo_db):
    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("PN22"), 2)
    tab_id = tabs.hold(register, cart, "Walked out", cashier)
    with pytest.raises(AuthError, match="manager"):
        tabs.abandon(demo_db, tab_id, cashier, None)
    wrong = approve(demo_db, Action.VOID_SALE, cashier.id, manager.id, "2222")
    with pytest.raises(AuthError, match="something else"):
        tabs.abandon(demo_db, tab_id, cashier, wrong)
    ok = approve(demo_db, Action.ABANDON_TAB, cashier.id, manager.id, "2222")
    tabs.abandon(demo_db, tab_id, cashier, ok)
    assert tabs.open_tabs(register) == []
    with pytest.raises(TabError, match="no longer open"):
        tabs.resume(register, tab_id, cashier)
    with pytest.raises(TabError, match="no longer open"):
        tabs.abandon(demo_db, tab_id, cashier, ok)
    with demo_db.read() as s:
        audit = s.scalar(select(AuditEntry).where(AuditEntry.action == "tab_abandoned"))
        assert audit.approved_by == manager.id and audit.detail.startswith("Walked out: 1 line")
    assert outbox_rows(demo_db) == 0
    # The name is free again once the tab is closed; the old cart cannot revive the tab.
    with pytest.raises(TabError, match="already paid or abandoned"):
        tabs.hold(register, cart, "Walked out", cashier)
    cart.tab_id = None
    assert tabs.hold(register, cart, "Walked out", cashier) != tab_id


def test_what_left_the_catalog_is_named_and_the_rest_comes_back(
    register: Register, cashier, manager, demo_db
):
    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("PN22"))
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    cart.override_price(
        0, 900, approve(demo_db, Action.PRICE_OVERRIDE, cashier.id, manager.id, "2222")
    )
    tab_id = tabs.hold(register, cart, "Spot 2", cashier)
    with demo_db.write() as s:
        s.get(Sku, cart.lines[1].item.sku_id).active = False
    # A manager's approval is honoured only if the audit log holds it as stored.
    con = sqlite3.connect(demo_db.path)
    con.execute(
        "UPDATE tab SET contents = replace(contents, ?, ?) WHERE id = ?",
        (manager.id, cashier.id, tab_id),
    )
    con.commit()
    con.close()
    register.refresh_catalog()
    back = tabs.resume(register, tab_id, cashier)
    assert [x.item.code for x in back.cart.lines] == ["PN22"]
    assert "FOOD-OLIVE" in back.notice and "Spot 2" in back.notice
    assert back.cart.lines[0].override_cents == 900
    assert back.cart.lines[0].override_approval is None
    with pytest.raises(AuthError, match="manager"):
        register.commit(back.cart, cashier, cash(10_000), adult(register, cashier.id))
    # A row damaged on disk is refused in words, and stays open for a manager to abandon.
    tabs.release(demo_db, tab_id)
    con = sqlite3.connect(demo_db.path)
    con.execute("UPDATE tab SET contents = '{\"lines\": 5}' WHERE id = ?", (tab_id,))
    con.commit()
    con.close()
    with pytest.raises(TabError, match="Spot 2's tab cannot be read back"):
        tabs.resume(register, tab_id, cashier)
    assert not tabs.open_tabs(register)[0].in_use


def test_another_cashier_closes_the_tab_with_the_approvals_on_it(
    register: Register, cashier, manager, demo_db
):
    """At a bar the cashier who opened a tab is often not the one who closes it: whoever
    resumes it finishes it, and the managers' approvals on it stay valid, even after
    it has been held again by the second cashier and closed by a third."""
    second = add_staff(demo_db, "Jo Park", Role.CASHIER, "4444")
    third = add_staff(demo_db, "Ana Diaz", Role.CASHIER, "5555")
    cart = party_cart(register, cashier, manager, demo_db)
    check = adult(register, cashier.id)
    tab_id = tabs.hold(register, cart, "Spot 3", cashier, check)

    back = tabs.resume(register, tab_id, second)
    assert back.cart.staff_id == second.id and back.cart.earlier_staff == (cashier.id,)
    # The first cashier can no longer finish it on their own cart's say-so.
    with pytest.raises(SaleRefused, match="rung by someone else"):
        register.commit(back.cart, cashier, cash(100_000), back.age_check)
    # A new privileged change is asked for by the new hand.
    with pytest.raises(AuthError, match="something else"):
        back.cart.void_line(0, approve(demo_db, Action.VOID_LINE, cashier.id, manager.id, "2222"))
    back.cart.add(register.catalog.by_barcode("FEE-TASTE"))
    tabs.hold(register, back.cart, "Spot 3", second, back.age_check)

    again = tabs.resume(register, tab_id, third)
    assert again.cart.earlier_staff == (cashier.id, second.id)
    assert again.cart.lines[3].override_approval is not None
    assert again.cart.order_discount_approval is not None
    total = register.price(again.cart).total_cents
    sale = register.commit(again.cart, third, cash(total), again.age_check)
    with demo_db.read() as s:
        assert s.get(Order, sale.order_id).staff_id == third.id
        assert s.get(Tab, tab_id).closed_by == third.id
    # An approval asked for by someone who never rang the cart is still refused.
    stranger = register.new_cart(third.id)
    stranger.add(register.catalog.by_barcode("PN22"))
    stranger.override_price(
        0, 900, approve(demo_db, Action.PRICE_OVERRIDE, third.id, manager.id, "2222")
    )
    stranger.hand_over(second.id)
    stranger.lines[0].override_approval = approve(
        demo_db, Action.PRICE_OVERRIDE, cashier.id, manager.id, "2222"
    )
    with pytest.raises(AuthError, match="something else"):
        register.commit(stranger, second, cash(10_000), check)


# --- the Z close ----------------------------------------------------------------------------


def test_the_z_close_waits_for_open_tabs_unless_a_manager_carries_them(
    register: Register, cashier, manager, demo_db
):
    session = drawer.open_session(demo_db, cashier, FLOAT)
    cart = register.new_cart(cashier.id)
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    tab_id = tabs.hold(register, cart, "Okafor", cashier)
    assert tabs.open_tabs(register, session.id)[0].id == tab_id
    close = approve(demo_db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
    with pytest.raises(DrawerError, match=r"1 tab\(s\) still open: Okafor\.") as refused:
        drawer.close_session(demo_db, session.id, cashier, FLOAT, 10_000, close)
    assert refused.value.field == "tabs"
    assert drawer.current_session(demo_db).id == session.id  # nothing was written
    wrong = approve(demo_db, Action.ABANDON_TAB, cashier.id, manager.id, "2222")
    with pytest.raises(AuthError):
        drawer.close_session(demo_db, session.id, cashier, FLOAT, 10_000, close, carry_tabs=wrong)

    carry = approve(demo_db, Action.CARRY_TABS, cashier.id, manager.id, "2222")
    z = drawer.close_session(demo_db, session.id, cashier, FLOAT, 10_000, close, carry_tabs=carry)
    assert z.z_number == 1
    (waiting,) = tabs.open_tabs(register)
    assert waiting.session_id is None
    with demo_db.read() as s:
        assert s.get(Tab, tab_id).carried_from_id == session.id
        carried = s.scalar(select(AuditEntry).where(AuditEntry.action == "tabs_carried"))
        assert carried.approved_by == manager.id and "Okafor" in carried.detail

    nxt = drawer.open_session(demo_db, cashier, carry=True)
    assert tabs.open_tabs(register, nxt.id)[0].id == tab_id
    back = tabs.resume(register, tab_id, cashier).cart
    register.commit(back, cashier, cash(register.price(back).total_cents))
    close = approve(demo_db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
    dollars, cents = divmod(drawer.expected_cash(demo_db, nxt.id), 100)
    counted = DrawerCount({"bill_100": dollars, "coin_1": cents})
    z = drawer.close_session(demo_db, nxt.id, cashier, counted, 10_000, close)
    assert (z.z_number, z.over_short_cents) == (2, 0)


# --- a kill while holding tabs --------------------------------------------------------------

CHILD = Path(__file__).with_name("tabs_crash_child.py")
KILLS = 6


def check_after_kill(
    path: Path, held: dict[str, str], pending: dict[str, str], paid: dict[str, str]
) -> None:
    """Every tab held is there and whole; a paid tab has its sale and no sale lacks one.

    `held`: each tab's contents hash as its last hold returned; `pending`: a hold again
    the child had begun (either is whole); `paid`: the sale number that paid a tab.
    `held` is brought up to what was found: a hold the kill cut off after its commit but
    before it was reported stands, and the next kill's check starts from it."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = {
            tab_id: (status, contents, order_id)
            for tab_id, status, contents, order_id in con.execute(
                "SELECT id, status, contents, order_id FROM tab"
            )
        }
        for tab_id, digest in held.items():
            assert tab_id in rows, "a tab reported as held was lost"
            found = hashlib.sha256(rows[tab_id][1].encode()).hexdigest()
            assert found in (digest, pending.get(tab_id)), "a tab came back changed"
            held[tab_id] = found  # a hold killed after it committed is the tab from now on
        numbers = dict(con.execute("SELECT id, number FROM sale_order").fetchall())
        paid_by = {order_id for status, _, order_id in rows.values() if status == "paid"}
        assert set(numbers) == paid_by, "a sale without its tab closed, or the reverse"
        for tab_id, number in paid.items():
            assert numbers[rows[tab_id][2]] == number
    finally:
        con.close()
    db = Database.open(path)
    try:
        tabs.release_all(db)  # as the register does at start-up
        register = Register(db)
        cashier = next(s for s in list_staff(db) if s.role is Role.CASHIER)
        for info in tabs.open_tabs(register):
            back = tabs.resume(register, info.id, cashier)
            assert len(back.cart.lines) == info.line_count and back.missing == ()
            assert register.price(back.cart).total_cents == info.total_cents
            tabs.release(db, info.id)
    finally:
        db.close()


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_tabs_survive_sigkill_whole(demo_db: Database):
    path = demo_db.path
    demo_db.close()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261125")))
    held: dict[str, str] = {}
    paid: dict[str, str] = {}
    for n in range(KILLS):
        child = killing.start(CHILD, str(path), str(n))
        killing.expect(child, "ready")
        time.sleep(rng.uniform(0.2, 0.8))
        pending: dict[str, str] = {}
        for line in killing.kill(child):
            what, tab_id, *rest = line.split()
            if what == "held":
                held[tab_id] = rest[0]
                pending.pop(tab_id, None)
            elif what == "update":
                pending[tab_id] = rest[0]
            elif what == "paid":
                paid[tab_id] = rest[0]
        Database.open(path).close()  # the start-up check, as the register runs it
        check_after_kill(path, held, pending, paid)
    assert len(held) > KILLS and len(paid) > 1, "the child did too little to prove anything"
