"""Drawer sessions: counts, opening, movements and their approvals, the sale's cash in the
same transaction, the store's drawer rule, X and Z, and a closed session being final."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from sqlalchemy import func, select

from tastingroom import drawer
from tastingroom.drawer import (
    DENOMINATIONS,
    CountRefused,
    DrawerCount,
    DrawerError,
    MovementKind,
    NoDrawerSession,
)
from tastingroom.people.staff import Action, AuthError, approve
from tastingroom.selling.age import check_birth_date
from tastingroom.selling.cart import Cart
from tastingroom.selling.sales import Register, SaleRefused
from tastingroom.selling.tenders import TenderInput, TenderKind
from tastingroom.settings import SettingsError, StoreSettings, load_settings, save_settings
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, DrawerMovement, Order, Tender


def count_of(cents: int) -> DrawerCount:
    """`cents` in the fewest US pieces (bills before coins)."""
    pieces: dict[str, int] = {}
    for d in DENOMINATIONS:
        pieces[d.key], cents = divmod(cents, d.cents)
    return DrawerCount(pieces)


FLOAT = DrawerCount({"bill_2000": 5, "bill_500": 10, "bill_100": 20, "coin_25": 40})  # $180


def cash(amount: int) -> TenderInput:
    return TenderInput(TenderKind.CASH, amount)


def card(amount: int) -> TenderInput:
    return TenderInput(
        TenderKind.CARD, amount, card_type="Visa", card_last4="4242", approval_code="A1"
    )


def sell(register: Register, staff, pay) -> object:
    """One bottle of pinot and an olive jar, paid by `pay(total)`."""
    cart = Cart(staff_id=staff.id)
    cart.add(register.catalog.by_barcode("PN22"))
    cart.add(register.catalog.by_barcode("FOOD-OLIVE"))
    total = register.price(cart).total_cents
    check = check_birth_date(register.settings, staff.id, date(1980, 4, 2))
    return register.commit(cart, staff, pay(total), check)


def set_store(db: Database, register: Register | None = None, **changes: object) -> None:
    with db.write() as s:
        save_settings(s, **changes)
    if register is not None:
        register.reload_settings()


def audit_actions(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))


def sale_rows(db: Database) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Order))


# --- counts ---------------------------------------------------------------------------------


def test_a_count_is_whole_pieces_of_us_money():
    assert FLOAT.total_cents == 18_000
    assert len({d.key for d in DENOMINATIONS}) == len(DENOMINATIONS) == 13
    assert DrawerCount({"coin_25": 0, "bill_100": 3}) == DrawerCount({"bill_100": 3})
    assert DrawerCount.from_json(FLOAT.to_json()) == FLOAT
    assert count_of(12_345).total_cents == 12_345
    # the $1 bill and the $1 coin are counted apart, and add up alike
    assert DrawerCount({"bill_100": 1, "coin_100": 1}).total_cents == 200
    for bad in ({"bill_300": 1}, {"bill_100": -1}, {"coin_1": 2.0}, {"coin_1": True}):
        with pytest.raises(CountRefused):
            DrawerCount(bad)
    with pytest.raises(CountRefused, match="more than a drawer holds"):
        DrawerCount({"coin_1": 100_001})


def test_a_new_store_needs_its_drawer_open_and_the_demo_does_not(tmp_path):
    """A store set up with `init` starts with its drawer required (the refusals are
    tested below); the demo winery, for training, sells at once."""
    from tastingroom.store_setup import init_store

    real = tmp_path / "real" / "tastingroom.sqlite3"
    init_store(real, demo=False, terminal_prefix="TR9")
    db = Database.open(real)
    try:
        with db.read() as s:
            assert load_settings(s).drawer_required is True
    finally:
        db.close()
    demo = tmp_path / "demo" / "tastingroom.sqlite3"
    init_store(demo, demo=True)
    db = Database.open(demo)
    try:
        with db.read() as s:
            assert load_settings(s).drawer_required is False
    finally:
        db.close()


def test_drawer_settings_have_defaults_and_are_checked():
    default = StoreSettings()
    assert (default.drawer_required, default.card_only_without_drawer) == (True, False)
    assert default.drawer_over_short_limit_cents == 500
    with pytest.raises(SettingsError):
        StoreSettings(drawer_required="yes")  # type: ignore[arg-type]
    with pytest.raises(SettingsError):
        StoreSettings(drawer_over_short_limit_cents=-1)
    with pytest.raises(SettingsError):
        StoreSettings(drawer_over_short_limit_cents=5.0)  # type: ignore[arg-type]


# --- opening and the day --------------------------------------------------------------------


def test_opening_counts_the_float_and_only_one_session_is_open(demo_db, cashier):
    assert drawer.current_session(demo_db) is None
    with pytest.raises(DrawerError, match="one of them"):
        drawer.open_session(demo_db, cashier)
    with pytest.raises(DrawerError, match="No earlier close"):
        drawer.open_session(demo_db, cashier, carry=True)
    opened = drawer.open_session(demo_db, cashier, FLOAT)
    assert (opened.float_cents, opened.float_source, opened.float_count) == (
        18_000,
        "counted",
        FLOAT,
    )
    assert drawer.current_session(demo_db) == opened
    with pytest.raises(DrawerError, match="already open"):
        drawer.open_session(demo_db, cashier, FLOAT)
    assert drawer.expected_cash(demo_db, opened.id) == 18_000
    assert audit_actions(demo_db) == ["drawer_open"]


def test_a_cash_sale_moves_its_cash_and_change_with_the_sale(register, demo_db, cashier):
    session = drawer.open_session(demo_db, cashier, FLOAT)
    sale = sell(register, cashier, lambda total: [cash(total + 1_000)])
    card_sale = sell(register, cashier, lambda total: [card(total)])
    split = sell(register, cashier, lambda total: [card(total - 500), cash(2_000)])
    moves = drawer.movements(demo_db, session.id)
    got = [(m.kind, m.amount_cents, m.order_id) for m in moves]
    total = sale.priced.total_cents
    assert got == [
        (MovementKind.CASH_SALE, total + 1_000, sale.order_id),
        (MovementKind.CHANGE, -1_000, sale.order_id),
        (MovementKind.CASH_SALE, 2_000, split.order_id),
        (MovementKind.CHANGE, -1_500, split.order_id),
    ]
    assert card_sale.order_id not in {m.order_id for m in moves}
    expected = 18_000 + total + 500
    assert drawer.expected_cash(demo_db, session.id) == expected
    x = drawer.x_report(demo_db)
    assert (x.cash_sales, x.cash_sales_cents, x.change_cents) == (2, total + 3_000, 2_500)
    assert x.net_cash_sales_cents == total + 500
    assert x.expected_cents == expected
    # what the drawer says agrees with the sale's own tenders
    with demo_db.read() as s:
        kept = s.scalar(
            select(func.sum(Tender.amount_cents - Tender.change_cents)).where(Tender.kind == "cash")
        )
    assert kept == expected - 18_000


def test_refunds_and_voids_paid_back_in_cash_leave_the_drawer(register, demo_db, cashier, manager):
    session = drawer.open_session(demo_db, cashier, FLOAT)
    first = sell(register, cashier, lambda total: [cash(total + 300)])
    second = sell(register, cashier, lambda total: [cash(total)])
    register.void_sale(
        first.order_id, cashier, approve(demo_db, Action.VOID_SALE, cashier.id, manager.id, "2222")
    )
    total = second.priced.total_cents
    register.refund_sale(
        second.order_id,
        cashier,
        approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222"),
        [cash(total)],
    )
    x = drawer.x_report(demo_db)
    assert x.cash_voids_cents == first.priced.total_cents  # change was given, not kept
    assert x.cash_refunds_cents == total
    assert x.expected_cents == drawer.expected_cash(demo_db, session.id) == 18_000


def test_paid_in_paid_out_drops_and_no_sale_are_audited_and_privileged_ones_need_a_manager(
    register, demo_db, cashier, manager
):
    with pytest.raises(NoDrawerSession, match="open the drawer"):
        drawer.paid_in(demo_db, cashier, 1_000, "change from the bank")
    session = drawer.open_session(demo_db, cashier, FLOAT)
    with pytest.raises(DrawerError, match="reason"):
        drawer.paid_in(demo_db, cashier, 1_000, "  ")
    with pytest.raises(DrawerError):
        drawer.paid_in(demo_db, cashier, -5, "negative")
    with pytest.raises(DrawerError, match="card number"):
        drawer.paid_in(demo_db, cashier, 100, "4111 1111 1111 1111")
    drawer.paid_in(demo_db, cashier, 2_000, "change from the bank")

    with pytest.raises(AuthError, match="manager"):
        drawer.paid_out(demo_db, cashier, 1_500, "ice for the market stand", None)
    wrong = approve(demo_db, Action.NO_SALE, cashier.id, manager.id, "2222")
    with pytest.raises(AuthError, match="something else"):
        drawer.paid_out(demo_db, cashier, 1_500, "ice for the market stand", wrong)
    ok = approve(demo_db, Action.PAID_OUT, cashier.id, manager.id, "2222")
    with pytest.raises(DrawerError, match="should hold only"):
        drawer.paid_out(demo_db, cashier, 1_000_000, "too much", ok)
    out = drawer.paid_out(demo_db, cashier, 1_500, "ice for the market stand", ok)
    assert out is not None and (out.amount_cents, out.approved_by) == (-1_500, manager.id)

    drawer.drop(demo_db, cashier, 10_000)
    with pytest.raises(AuthError):
        register.no_sale(cashier, None)
    register.no_sale(cashier, wrong)  # the NO_SALE approval
    with pytest.raises(DrawerError, match="recorded by the sale"):
        drawer.record(demo_db, cashier, MovementKind.CASH_SALE, 100)

    x = drawer.x_report(demo_db)
    assert (x.paid_in_cents, x.paid_out_cents, x.drops_cents, x.no_sales) == (
        2_000,
        1_500,
        10_000,
        1,
    )
    assert x.expected_cents == drawer.expected_cash(demo_db, session.id) == 18_000 + 2_000 - 11_500
    actions = audit_actions(demo_db)
    for action in ("drawer_open", "drawer_paid_in", "drawer_paid_out", "drawer_drop"):
        assert actions.count(action) == 1
    assert actions.count("drawer_no_sale") == 1
    assert actions.count("paid_out") == 1 and actions.count("no_sale") == 1  # the approvals


def test_a_no_sale_with_no_session_open_is_still_audited(register, demo_db, cashier, manager):
    register.no_sale(cashier, approve(demo_db, Action.NO_SALE, cashier.id, manager.id, "2222"))
    assert audit_actions(demo_db) == ["no_sale", "drawer_no_sale"]


# --- the store's drawer rule ----------------------------------------------------------------


def test_by_default_sales_ring_without_a_drawer_as_before(register, demo_db, cashier):
    sell(register, cashier, lambda total: [cash(total)])
    with demo_db.read() as s:
        assert s.scalar(select(func.count()).select_from(DrawerMovement)) == 0


def test_when_the_store_requires_a_drawer_cash_and_card_are_refused_without_one(
    register, demo_db, cashier
):
    set_store(demo_db, register, drawer_required=True)
    for pay in (lambda t: [cash(t)], lambda t: [card(t)]):
        with pytest.raises(SaleRefused, match="open the drawer") as refused:
            sell(register, cashier, pay)
        assert sale_rows(demo_db) == 0
    assert "cash cannot be taken" not in str(refused.value)  # the card sale's own message
    drawer.open_session(demo_db, cashier, FLOAT)
    sale = sell(register, cashier, lambda total: [cash(total)])
    assert sale.number == "TR1-000001"  # the refused sales used no number


def test_a_card_only_register_sells_cards_but_never_cash_without_a_drawer(
    register, demo_db, cashier
):
    set_store(demo_db, register, drawer_required=True, card_only_without_drawer=True)
    with pytest.raises(SaleRefused, match="cash cannot be taken"):
        sell(register, cashier, lambda total: [cash(total)])
    with pytest.raises(SaleRefused, match="cash cannot be taken"):
        sell(register, cashier, lambda total: [card(total - 100), cash(100)])
    assert sale_rows(demo_db) == 0
    assert sell(register, cashier, lambda total: [card(total)]).number == "TR1-000001"
    assert drawer.drawer_refusal(register.settings, session_open=False, cash=False) is None


# --- X and Z --------------------------------------------------------------------------------


def test_closing_needs_a_manager_and_a_reason_beyond_the_limit(demo_db, cashier, manager):
    session = drawer.open_session(demo_db, cashier, FLOAT)
    close_ok = approve(demo_db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
    with pytest.raises(AuthError):
        drawer.close_session(demo_db, session.id, cashier, FLOAT, 10_000, None)
    with pytest.raises(DrawerError, match="more than was counted"):
        drawer.close_session(demo_db, session.id, cashier, FLOAT, 18_001, close_ok)
    short = count_of(18_000 - 501)  # $5.01 short, the limit being $5.00
    with pytest.raises(DrawerError, match=r"short by \$5\.01.*say why"):
        drawer.close_session(demo_db, session.id, cashier, short, 10_000, close_ok)
    with pytest.raises(DrawerError, match=r"over by \$5\.01"):
        drawer.close_session(demo_db, session.id, cashier, count_of(18_501), 10_000, close_ok)
    assert drawer.current_session(demo_db) is not None  # refused closes changed nothing
    assert "drawer_close" not in audit_actions(demo_db)
    z = drawer.close_session(
        demo_db, session.id, cashier, short, 10_000, close_ok, "a roll of quarters miscounted"
    )
    assert (z.label, z.expected_cents, z.counted_cents, z.over_short_cents) == (
        "Z1",
        18_000,
        17_499,
        -501,
    )
    assert (z.carried_float_cents, z.deposit_cents, z.approved_by) == (10_000, 7_499, manager.id)
    assert drawer.z_report(demo_db, session.id) == z
    assert drawer.current_session(demo_db) is None
    assert "drawer_close" in audit_actions(demo_db)


def test_within_the_limit_no_reason_is_needed(demo_db, cashier, manager):
    set_store(demo_db, drawer_over_short_limit_cents=0)
    session = drawer.open_session(demo_db, cashier, FLOAT)
    close_ok = approve(demo_db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
    with pytest.raises(DrawerError, match="over by"):
        drawer.close_session(demo_db, session.id, cashier, count_of(18_001), 0, close_ok)
    z = drawer.close_session(demo_db, session.id, cashier, FLOAT, 0, close_ok)
    assert (z.over_short_cents, z.over_short_reason) == (0, None)


def test_a_closed_session_is_final(register, demo_db, cashier, manager):
    session = drawer.open_session(demo_db, cashier, FLOAT)
    sell(register, cashier, lambda total: [cash(total)])
    close_ok = approve(demo_db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
    expected = drawer.expected_cash(demo_db, session.id)
    drawer.close_session(demo_db, session.id, cashier, count_of(expected), 0, close_ok)
    with pytest.raises(DrawerError, match="already closed as Z1"):
        drawer.close_session(demo_db, session.id, cashier, count_of(expected), 0, close_ok)
    with pytest.raises(NoDrawerSession):
        drawer.drop(demo_db, cashier, 100)
    sell(register, cashier, lambda total: [cash(total)])  # no session: nothing recorded
    assert drawer.x_report(demo_db, session.id).cash_sales == 1
    # The file itself refuses, whatever code tries.
    con = sqlite3.connect(demo_db.path)
    try:
        for sql in (
            "UPDATE drawer_session SET counted_cents = 0",
            "DELETE FROM drawer_session",
            "UPDATE drawer_movement SET amount_cents = 0",
            "DELETE FROM drawer_movement",
            "INSERT INTO drawer_movement (id, session_id, at, kind, amount_cents, staff_id) "
            f"VALUES ('x', '{session.id}', '2026-11-23 10:00:00', 'drop', -1, '{cashier.id}')",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                con.execute(sql)
    finally:
        con.close()


def test_z_numbers_follow_on_across_restarts_and_a_failed_close_uses_none(
    demo_db, cashier, manager, monkeypatch
):
    from tastingroom.drawer import sessions

    real_audit = sessions._audit

    def audit_then_fail(s, action, *args, **kwargs):
        real_audit(s, action, *args, **kwargs)
        if action == "drawer_close":  # after the Z number was taken, before the commit
            raise OSError("the disk went away")

    path = demo_db.path
    db = demo_db
    labels = []
    for day in range(3):
        if day:
            db.close()
            db = Database.open(path)  # the register restarted overnight
        if day == 0:
            session = drawer.open_session(db, cashier, FLOAT)
        else:
            assert drawer.carried_float(db) == 10_000
            session = drawer.open_session(db, cashier, carry=True)
            assert (session.float_cents, session.float_source) == (10_000, "carried")
        close_ok = approve(db, Action.CLOSE_DRAWER, cashier.id, manager.id, "2222")
        with pytest.raises(DrawerError, match="say why"):
            drawer.close_session(db, session.id, cashier, count_of(1), 0, close_ok)
        counted = count_of(drawer.expected_cash(db, session.id))
        with monkeypatch.context() as patch:
            patch.setattr(sessions, "_audit", audit_then_fail)
            with pytest.raises(OSError):
                drawer.close_session(db, session.id, cashier, counted, 10_000, close_ok)
        assert drawer.current_session(db) == session  # still open, untouched
        labels.append(
            drawer.close_session(db, session.id, cashier, counted, 10_000, close_ok).label
        )
    db.close()
    assert labels == ["Z1", "Z2", "Z3"]


def test_cash_the_drawer_does_not_hold_is_never_handed_back(register, demo_db, cashier, manager):
    session = drawer.open_session(demo_db, cashier, DrawerCount({"bill_100": 5}))
    sale = sell(register, cashier, lambda total: [card(total)])
    refund_ok = approve(demo_db, Action.REFUND, cashier.id, manager.id, "2222")
    # a card sale paid back in cash also needs the manager's "other tender" approval
    other_ok = approve(demo_db, Action.REFUND_OTHER_TENDER, cashier.id, manager.id, "2222")
    total = sale.priced.total_cents
    with pytest.raises(SaleRefused, match=r"should hold only \$5\.00"):
        register.refund_sale(sale.order_id, cashier, [refund_ok, other_ok], [cash(total)])
    with demo_db.read() as s:
        assert s.get(Order, sale.order_id).status == "completed"  # nothing was written
    assert drawer.expected_cash(demo_db, session.id) == 500
    register.refund_sale(sale.order_id, cashier, refund_ok, [card(total)])
    assert drawer.expected_cash(demo_db, session.id) == 500
