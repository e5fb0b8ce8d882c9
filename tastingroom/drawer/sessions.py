"""Drawer sessions: the float in, every movement of cash, the X report and the Z close.

One register, one database, one physical drawer: at most one session is open at a
time (a unique index says so in the file), and `current_session` finds it again after
a crash, a kill or a power cut, since a session and each of its movements are written
exactly as a sale is (one short transaction, `synchronous=FULL`). WineDirect has no
drawer: nothing here is ever sent.

Expected cash, the one rule (`x_report` and `expected_cash` compute it two ways):

    float + cash taken for sales - change given - cash refunds - cash handed back on
    voids + paid-in - paid-out - drops to the safe

Each term is a `DrawerMovement` with its sign (+ into the drawer, - out), so expected
cash is also the float plus the sum of the session's movements. A sale's cash and its
change are written by `Register.commit` inside the sale's own transaction
(`SaleDrawer`): a sale is never in the drawer without its cash, nor its cash without it.

Cash tips, the store's rule: a tip paid in cash is part of that sale's cash, so it stays
in the drawer and in expected cash; tips handed to staff from the drawer (cash or card
tips alike) are paid-outs with a reason, which need a manager like any paid-out.

Who may do what: opening, paid-in and drops are any signed-in staff's; paid-out and a
no-sale opening need a manager's approval (`staff.approve`), and so does every close.
Each is audited (`AuditEntry`) in its own transaction. A close counts by denomination,
states over or short against expected, needs a reason when that is more than the
store's `drawer_over_short_limit_cents`, takes the next Z number for the terminal
(advanced in the close's transaction: a failed close uses none, and none is ever
issued twice), and says what float stays for the next session. A closed session is
final: the engine refuses to touch it, and triggers in the file refuse it too.

Whether a sale needs an open session is the store's choice (`drawer_refusal`): with
`drawer_required` off (the default), sales ring as before and cash is recorded whenever
a session is open; on, cash is refused without a session, and so are other sales
unless `card_only_without_drawer` lets a drawerless stand take cards.

Open tabs (`tastingroom.selling.tabs`: parties served, not yet paid) belong to a
session; its Z close refuses while any is open, naming them, unless a manager carries
them to the next session, which takes them in as it opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, func, literal_column, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from tastingroom import entry
from tastingroom.drawer.counts import DrawerCount
from tastingroom.entry import EntryRefused, refused_as
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.people.staff import Action, Approval, StaffMember, require
from tastingroom.settings import StoreSettings, load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AuditEntry,
    DrawerMovement,
    DrawerSession,
    DrawerZSequence,
    Tab,
    new_id,
    utcnow,
)
from tastingroom.store.prepared import Prepared


class DrawerError(EntryRefused):
    """A drawer action that was refused; nothing was changed. The message says why."""


class NoDrawerSession(DrawerError):
    """No drawer session is open, and what was asked needs one."""


class MovementKind(StrEnum):
    CASH_SALE = "cash_sale"
    CHANGE = "change"
    CASH_REFUND = "cash_refund"
    CASH_VOID = "cash_void"
    PAID_IN = "paid_in"
    PAID_OUT = "paid_out"
    DROP = "drop"
    NO_SALE = "no_sale"

    @property
    def sign(self) -> int:
        """+1 into the drawer, -1 out of it, 0 for a no-sale opening."""
        return _SIGNS[self]

    @property
    def label(self) -> str:
        return _LABELS[self]


_SIGNS = {
    MovementKind.CASH_SALE: 1,
    MovementKind.CHANGE: -1,
    MovementKind.CASH_REFUND: -1,
    MovementKind.CASH_VOID: -1,
    MovementKind.PAID_IN: 1,
    MovementKind.PAID_OUT: -1,
    MovementKind.DROP: -1,
    MovementKind.NO_SALE: 0,
}
_LABELS = {
    MovementKind.CASH_SALE: "cash sale",
    MovementKind.CHANGE: "change",
    MovementKind.CASH_REFUND: "cash refund",
    MovementKind.CASH_VOID: "cash back on a void",
    MovementKind.PAID_IN: "paid-in",
    MovementKind.PAID_OUT: "paid-out",
    MovementKind.DROP: "drop to the safe",
    MovementKind.NO_SALE: "no-sale opening",
}


@dataclass(frozen=True)
class StaffRule:
    """What a movement staff record by hand needs."""

    approval: Action | None
    reason_required: bool


STAFF_MOVEMENTS: dict[MovementKind, StaffRule] = {
    MovementKind.PAID_IN: StaffRule(None, reason_required=True),
    MovementKind.PAID_OUT: StaffRule(Action.PAID_OUT, reason_required=True),
    MovementKind.DROP: StaffRule(None, reason_required=False),
    MovementKind.NO_SALE: StaffRule(Action.NO_SALE, reason_required=False),
}
"""The movements staff record themselves; the others come with a sale, refund or void."""

CASH_REFUSED = (
    "The cash drawer is not open, so cash cannot be taken or given back: open the drawer "
    "(count the float) first, or take a card."
)
NO_DRAWER = (
    "No cash drawer is open on this register: open the drawer (count the float) before "
    "ringing sales."
)


def drawer_refusal(settings: StoreSettings, *, session_open: bool, cash: bool) -> str | None:
    """Why a sale (or refund, or void) cannot go ahead under the store's drawer rule, or
    None when it can. A screen may ask before taking payment; the commit asks again."""
    if session_open or not settings.drawer_required:
        return None
    if cash:
        return CASH_REFUSED
    return None if settings.card_only_without_drawer else NO_DRAWER


# --- what screens are given -----------------------------------------------------------------


@dataclass(frozen=True)
class DrawerSessionInfo:
    id: str
    terminal: str
    status: str
    opened_at: datetime
    opened_by: str
    float_cents: int
    float_source: str
    float_count: DrawerCount | None
    z_number: int | None
    closed_at: datetime | None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True)
class MovementInfo:
    id: str
    session_id: str
    at: datetime
    kind: MovementKind
    amount_cents: int
    """Signed: + into the drawer, - out of it."""
    staff_id: str
    approved_by: str | None
    order_id: str | None
    reason: str | None


@dataclass(frozen=True)
class XReport:
    """A session's cash so far (or at its close). Every amount is positive cents; the
    signs are in `expected_cents`'s rule (module docstring)."""

    session_id: str
    terminal: str
    opened_at: datetime
    at: datetime
    float_cents: int
    cash_sales_cents: int
    change_cents: int
    cash_refunds_cents: int
    cash_voids_cents: int
    paid_in_cents: int
    paid_out_cents: int
    drops_cents: int
    cash_sales: int
    """How many sales took cash."""
    no_sales: int
    """How many times the drawer was opened without a sale."""

    @property
    def net_cash_sales_cents(self) -> int:
        return self.cash_sales_cents - self.change_cents

    @property
    def expected_cents(self) -> int:
        return (
            self.float_cents
            + self.cash_sales_cents
            - self.change_cents
            - self.cash_refunds_cents
            - self.cash_voids_cents
            + self.paid_in_cents
            - self.paid_out_cents
            - self.drops_cents
        )


@dataclass(frozen=True)
class ZReport:
    """A closed session: its X report at the close, the count, and its Z number."""

    x: XReport
    z_number: int
    terminal: str
    closed_at: datetime
    closed_by: str
    approved_by: str
    counted: DrawerCount
    over_short_reason: str | None
    carried_float_cents: int

    @property
    def label(self) -> str:
        return f"Z{self.z_number}"

    @property
    def expected_cents(self) -> int:
        return self.x.expected_cents

    @property
    def counted_cents(self) -> int:
        return self.counted.total_cents

    @property
    def over_short_cents(self) -> int:
        """Counted less expected: positive over, negative short."""
        return self.counted_cents - self.expected_cents

    @property
    def deposit_cents(self) -> int:
        """What leaves the drawer for the bank or safe: counted less the float left."""
        return self.counted_cents - self.carried_float_cents


def _info(row: DrawerSession) -> DrawerSessionInfo:
    return DrawerSessionInfo(
        id=row.id,
        terminal=row.terminal,
        status=row.status,
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        float_cents=row.float_cents,
        float_source=row.float_source,
        float_count=DrawerCount.from_json(row.float_count) if row.float_count else None,
        z_number=row.z_number,
        closed_at=row.closed_at,
    )


def _movement_info(row: DrawerMovement) -> MovementInfo:
    return MovementInfo(
        id=row.id,
        session_id=row.session_id,
        at=row.at,
        kind=MovementKind(row.kind),
        amount_cents=row.amount_cents,
        staff_id=row.staff_id,
        approved_by=row.approved_by,
        order_id=row.order_id,
        reason=row.reason,
    )


def _open_row(s: Session) -> DrawerSession | None:
    return s.scalar(select(DrawerSession).where(DrawerSession.status == "open"))


def _last_closed(s: Session) -> DrawerSession | None:
    return s.scalar(
        select(DrawerSession)
        .where(DrawerSession.status == "closed")
        .order_by(DrawerSession.closed_at.desc())
        .limit(1)
    )


def _audit(
    s: Session,
    action: str,
    staff_id: str,
    detail: str,
    at: datetime,
    approved_by: str | None = None,
) -> None:
    s.add(
        AuditEntry(
            id=new_id(),
            at=at,
            action=action,
            requested_by=staff_id,
            approved_by=approved_by,
            detail=detail,
        )
    )


def _movement_sum(s: Session, session_id: str) -> int:
    return s.scalar(
        select(func.coalesce(func.sum(DrawerMovement.amount_cents), 0)).where(
            DrawerMovement.session_id == session_id
        )
    )


# --- opening --------------------------------------------------------------------------------


def current_session(db: Database) -> DrawerSessionInfo | None:
    """The register's open session, if any (after a restart too)."""
    with db.read() as s:
        row = _open_row(s)
        return _info(row) if row else None


def carried_float(db: Database) -> int | None:
    """The float the last close left in the drawer (None: never closed here)."""
    with db.read() as s:
        row = _last_closed(s)
        return row.carried_float_cents if row else None


def open_session(
    db: Database,
    staff: StaffMember,
    count: DrawerCount | None = None,
    *,
    carry: bool = False,
    now: datetime | None = None,
) -> DrawerSessionInfo:
    """Open the drawer with a float counted by denomination (`count`), or with the float
    the last close left (`carry=True`): exactly one of the two."""
    if (count is None) == (not carry):
        raise DrawerError("Count the float, or accept the float the last close left: one of them.")
    if count is not None and not isinstance(count, DrawerCount):
        raise DrawerError("Count the float by denomination.")
    at = now or utcnow()
    with db.write() as s:
        already = _open_row(s)
        settings = load_settings(s)
        if already is not None:
            since = stamp(already.opened_at, settings.timezone)
            raise DrawerError(
                f"The drawer is already open (since {since}); close it before opening another."
            )
        carried_from: DrawerSession | None = None
        if carry:
            carried_from = _last_closed(s)
            if carried_from is None or carried_from.carried_float_cents is None:
                raise DrawerError("No earlier close left a float here: count the float.")
            float_cents = carried_from.carried_float_cents
        else:
            assert count is not None
            float_cents = count.total_cents
        row = DrawerSession(
            id=new_id(),
            terminal=settings.terminal_prefix,
            status="open",
            opened_at=at,
            opened_by=staff.id,
            float_cents=float_cents,
            float_source="carried" if carry else "counted",
            float_count=None if count is None else count.to_json(),
            carried_from_id=carried_from.id if carried_from else None,
        )
        s.add(row)
        s.flush()
        # Tabs carried from the last close, or held while no drawer was open, are this
        # session's now (`tastingroom.selling.tabs`).
        taken_in = s.execute(
            update(Tab)
            .where(
                Tab.status == "open",
                Tab.terminal == row.terminal,
                Tab.session_id.is_(None),
            )
            .values(session_id=row.id)
        ).rowcount
        how = f"carried from Z{carried_from.z_number}" if carried_from else "counted"
        tabs = f"; {taken_in} open tab(s) taken in" if taken_in else ""
        _audit(s, "drawer_open", staff.id, f"float {format_cents(float_cents)} {how}{tabs}", at)
    return _info(row)


# --- during the day -------------------------------------------------------------------------


def record(
    db: Database,
    staff: StaffMember,
    kind: MovementKind,
    amount_cents: int = 0,
    reason: str | None = None,
    approval: Approval | None = None,
    *,
    now: datetime | None = None,
) -> MovementInfo | None:
    """A paid-in, paid-out, drop or no-sale opening, in the open session, audited.

    `amount_cents` is positive (the sign comes from the kind); a no-sale moves nothing.
    A no-sale with no session open is still audited, and returns None."""
    rule = STAFF_MOVEMENTS.get(kind)
    if rule is None:
        raise DrawerError(f"A {kind.label} is recorded by the sale itself, not by hand.")
    if kind is MovementKind.NO_SALE:
        if amount_cents != 0:
            raise DrawerError("A no-sale opening moves no cash.", "amount")
    else:
        with refused_as(DrawerError):
            entry.cents(amount_cents, entry.DRAWER_AMOUNT)
        if amount_cents == 0:
            raise DrawerError(f"Enter the amount of the {kind.label}.", "amount")
    with refused_as(DrawerError):
        reason = entry.optional_text(reason, entry.DRAWER_REASON)
    if rule.reason_required and not reason:
        raise DrawerError(
            f"A {kind.label} needs a reason (what the cash is for).", entry.DRAWER_REASON.field
        )
    if rule.approval is not None:
        require(approval, rule.approval, staff.id)
    approved_by = approval.approved_by if rule.approval is not None and approval else None
    at = now or utcnow()
    with db.write() as s:
        settings = load_settings(s)
        if amount_cents > settings.max_tender_cents:
            raise DrawerError(
                f"A {kind.label} cannot be more than {format_cents(settings.max_tender_cents)} "
                "(store limit).",
                "amount",
            )
        session = _open_row(s)
        detail = " ".join(
            part for part in (kind.label, format_cents(amount_cents), reason or "") if part
        )
        if session is None:
            if kind is not MovementKind.NO_SALE:
                raise NoDrawerSession(
                    f"No drawer session is open: open the drawer (count the float) before "
                    f"recording a {kind.label}."
                )
            _audit(s, f"drawer_{kind.value}", staff.id, detail, at, approved_by)
            return None
        if kind.sign < 0:
            expected = session.float_cents + _movement_sum(s, session.id)
            if amount_cents > expected:
                raise DrawerError(
                    f"The drawer should hold only {format_cents(expected)}; a {kind.label} "
                    f"of {format_cents(amount_cents)} would take out more than that.",
                    "amount",
                )
        row = DrawerMovement(
            id=new_id(),
            session_id=session.id,
            at=at,
            kind=kind.value,
            amount_cents=kind.sign * amount_cents,
            staff_id=staff.id,
            approved_by=approved_by,
            order_id=None,
            reason=reason,
        )
        s.add(row)
        _audit(s, f"drawer_{kind.value}", staff.id, detail, at, approved_by)
    return _movement_info(row)


def paid_in(
    db: Database, staff: StaffMember, amount_cents: int, reason: str
) -> MovementInfo | None:
    """Cash put into the drawer that is not a sale (change from the bank, say)."""
    return record(db, staff, MovementKind.PAID_IN, amount_cents, reason)


def paid_out(
    db: Database,
    staff: StaffMember,
    amount_cents: int,
    reason: str,
    approval: Approval | None,
) -> MovementInfo | None:
    """Cash taken from the drawer for an expense (ice for the market stand); a manager's."""
    return record(db, staff, MovementKind.PAID_OUT, amount_cents, reason, approval)


def drop(
    db: Database, staff: StaffMember, amount_cents: int, reason: str | None = None
) -> MovementInfo | None:
    """Cash moved from the drawer to the safe during the day."""
    return record(db, staff, MovementKind.DROP, amount_cents, reason)


def no_sale(
    db: Database, staff: StaffMember, approval: Approval | None, reason: str | None = None
) -> MovementInfo | None:
    """The drawer opened without a sale; a manager's, and audited."""
    return record(db, staff, MovementKind.NO_SALE, 0, reason, approval)


def movements(db: Database, session_id: str) -> list[MovementInfo]:
    """A session's movements, in the order they were written (a sale's cash before
    its change: they share one instant, and SQLite's rowid keeps the order)."""
    with db.read() as s:
        rows = s.scalars(
            select(DrawerMovement)
            .where(DrawerMovement.session_id == session_id)
            .order_by(DrawerMovement.at, literal_column("drawer_movement.rowid"))
        )
        return [_movement_info(r) for r in rows]


# --- X and Z --------------------------------------------------------------------------------


def expected_cash(db: Database, session_id: str) -> int:
    """The float plus every movement of the session, signed."""
    with db.read() as s:
        row = s.get(DrawerSession, session_id)
        if row is None:
            raise DrawerError("There is no such drawer session.")
        return row.float_cents + _movement_sum(s, session_id)


def _x_report(s: Session, row: DrawerSession, at: datetime) -> XReport:
    totals: dict[str, tuple[int, int]] = {
        kind: (total, n)
        for kind, total, n in s.execute(
            select(
                DrawerMovement.kind,
                func.coalesce(func.sum(DrawerMovement.amount_cents), 0),
                func.count(),
            )
            .where(DrawerMovement.session_id == row.id)
            .group_by(DrawerMovement.kind)
        )
    }

    def cents(kind: MovementKind) -> int:
        return abs(totals.get(kind.value, (0, 0))[0])

    def times(kind: MovementKind) -> int:
        return totals.get(kind.value, (0, 0))[1]

    return XReport(
        session_id=row.id,
        terminal=row.terminal,
        opened_at=row.opened_at,
        at=at,
        float_cents=row.float_cents,
        cash_sales_cents=cents(MovementKind.CASH_SALE),
        change_cents=cents(MovementKind.CHANGE),
        cash_refunds_cents=cents(MovementKind.CASH_REFUND),
        cash_voids_cents=cents(MovementKind.CASH_VOID),
        paid_in_cents=cents(MovementKind.PAID_IN),
        paid_out_cents=cents(MovementKind.PAID_OUT),
        drops_cents=cents(MovementKind.DROP),
        cash_sales=times(MovementKind.CASH_SALE),
        no_sales=times(MovementKind.NO_SALE),
    )


def x_report(
    db: Database, session_id: str | None = None, *, now: datetime | None = None
) -> XReport:
    """The session so far (the open one unless `session_id` says which); a closed
    session's X report is as it stood at the close."""
    with db.read() as s:
        row = s.get(DrawerSession, session_id) if session_id else _open_row(s)
        if row is None:
            raise NoDrawerSession("No drawer session is open.")
        at = row.closed_at if row.closed_at else (now or utcnow())
        return _x_report(s, row, at)


def _z_report(s: Session, row: DrawerSession) -> ZReport:
    assert row.closed_at and row.z_number and row.closed_by and row.approved_by
    return ZReport(
        x=_x_report(s, row, row.closed_at),
        z_number=row.z_number,
        terminal=row.terminal,
        closed_at=row.closed_at,
        closed_by=row.closed_by,
        approved_by=row.approved_by,
        counted=DrawerCount.from_json(row.closing_count or "{}"),
        over_short_reason=row.over_short_reason,
        carried_float_cents=row.carried_float_cents or 0,
    )


def z_report(db: Database, session_id: str) -> ZReport:
    """A closed session's Z report, as it was at the close (to print again)."""
    with db.read() as s:
        row = s.get(DrawerSession, session_id)
        if row is None or row.status != "closed":
            raise DrawerError("That drawer session has not been closed.")
        return _z_report(s, row)


def _carry_open_tabs(
    s: Session, row: DrawerSession, staff: StaffMember, carry: Approval | None, at: datetime
) -> None:
    """Refuse the close while the session has open tabs, unless a manager carries them:
    they then wait, with no session, for the next one opened (`open_session`)."""
    tabs = s.scalars(
        select(Tab)
        .where(
            Tab.status == "open",
            Tab.terminal == row.terminal,
            or_(Tab.session_id == row.id, Tab.session_id.is_(None)),
        )
        .order_by(Tab.opened_at)
    ).all()
    if not tabs:
        return
    names = ", ".join(tab.name for tab in tabs)
    if carry is None:
        raise DrawerError(
            f"{len(tabs)} tab(s) still open: {names}. Take their payment, or have a manager "
            "carry them to the next session, before closing the drawer.",
            "tabs",
        )
    require(carry, Action.CARRY_TABS, staff.id)
    for tab in tabs:
        tab.session_id = None
        tab.carried_from_id = row.id
    _audit(
        s, "tabs_carried", staff.id, f"carried to the next session: {names}", at, carry.approved_by
    )


def _next_z(s: Session, terminal: str) -> int:
    """Advance the terminal's Z sequence inside the close's transaction."""
    row = s.get(DrawerZSequence, terminal)
    if row is None:
        row = DrawerZSequence(terminal=terminal, last_value=0)
        s.add(row)
    row.last_value += 1
    return row.last_value


def close_refusal(
    counted_cents: int,
    expected_cents: int,
    leave_cents: int,
    limit_cents: int,
    reason: str | None,
) -> DrawerError | None:
    """Why a close with these figures would be refused, or None when it would go ahead:
    the float left is at most what was counted, and over or short by more than the
    store's limit needs a reason. `close_session` applies it; a close screen asks it
    before a manager is called over, and to say live what is still missing."""
    if leave_cents > counted_cents:
        return DrawerError(
            f"The float to leave ({format_cents(leave_cents)}) is more than was counted "
            f"({format_cents(counted_cents)}).",
            "leave",
        )
    over_short = counted_cents - expected_cents
    if abs(over_short) > limit_cents and not (reason and reason.strip()):
        which = "over" if over_short > 0 else "short"
        return DrawerError(
            f"The drawer is {which} by {format_cents(abs(over_short))}, more than the "
            f"store's {format_cents(limit_cents)}: count again, or say why before closing.",
            entry.DRAWER_REASON.field,
        )
    return None


def close_session(
    db: Database,
    session_id: str,
    staff: StaffMember,
    count: DrawerCount,
    leave_cents: int,
    approval: Approval | None,
    reason: str | None = None,
    *,
    carry_tabs: Approval | None = None,
    now: datetime | None = None,
) -> ZReport:
    """Z: close the session with what was counted, by denomination, and the float left
    in the drawer for the next session (`leave_cents`, at most what was counted).

    A manager signs off (`Action.CLOSE_DRAWER`). Over or short by more than the store's
    limit needs `reason`. Open tabs of the session (parties not yet paid) refuse the
    close, naming them, unless a manager carries them to the next session that opens
    (`carry_tabs`, `Action.CARRY_TABS`). Nothing is written unless everything is right."""
    require(approval, Action.CLOSE_DRAWER, staff.id)
    assert approval is not None
    if not isinstance(count, DrawerCount):
        raise DrawerError("Count the drawer by denomination.")
    with refused_as(DrawerError):
        entry.cents(leave_cents, entry.DRAWER_AMOUNT)
        reason = entry.optional_text(reason, entry.DRAWER_REASON)
    counted = count.total_cents
    at = now or utcnow()
    with db.write() as s:
        row = s.get(DrawerSession, session_id)
        if row is None:
            raise DrawerError("There is no such drawer session.")
        if row.status != "open":
            raise DrawerError(f"This drawer was already closed as Z{row.z_number}.")
        _carry_open_tabs(s, row, staff, carry_tabs, at)
        expected = row.float_cents + _movement_sum(s, row.id)
        over_short = counted - expected
        limit = load_settings(s).drawer_over_short_limit_cents
        refusal = close_refusal(counted, expected, leave_cents, limit, reason)
        if refusal is not None:
            raise refusal
        z = _next_z(s, row.terminal)
        row.status = "closed"
        row.closed_at = at
        row.closed_by = staff.id
        row.approved_by = approval.approved_by
        row.z_number = z
        row.expected_cents = expected
        row.counted_cents = counted
        row.closing_count = count.to_json()
        row.over_short_cents = over_short
        row.over_short_reason = reason
        row.carried_float_cents = leave_cents
        _audit(
            s,
            "drawer_close",
            staff.id,
            f"Z{z}: counted {format_cents(counted)}, expected {format_cents(expected)}, "
            f"over/short {format_cents(over_short)}, float left {format_cents(leave_cents)}"
            + (f"; {reason}" if reason else ""),
            at,
            approval.approved_by,
        )
        s.flush()
        return _z_report(s, row)


# --- inside a sale, refund or void ----------------------------------------------------------


_OPEN_SESSION_SQL = "SELECT id FROM drawer_session WHERE status = 'open'"
_EXPECTED_SQL = (
    "SELECT float_cents + (SELECT coalesce(sum(amount_cents), 0) FROM drawer_movement "
    "WHERE session_id = ?) FROM drawer_session WHERE id = ?"
)


class SaleDrawer:
    """The drawer's part of a sale, refund or void, run inside that very transaction, so
    that the cash and the sale are written together or not at all. Compiled once per
    register, and run on the driver's cursor like the rest of the sale."""

    def __init__(self, dialect: Dialect) -> None:
        self._insert = Prepared(DrawerMovement.__table__.insert(), dialect)

    @staticmethod
    def session_for(conn: Connection, settings: StoreSettings, *, cash: bool) -> str | None:
        """The open session's id when this transaction moves cash (or the store needs a
        session for every sale); raises `NoDrawerSession` when the store's rule refuses."""
        if not (cash or settings.drawer_required):
            return None
        cursor = conn.connection.driver_connection.cursor()
        try:
            found = cursor.execute(_OPEN_SESSION_SQL).fetchone()
        finally:
            cursor.close()
        refusal = drawer_refusal(settings, session_open=found is not None, cash=cash)
        if refusal is not None:
            raise NoDrawerSession(refusal)
        return found[0] if found else None

    @staticmethod
    def check_cash_out(conn: Connection, session_id: str, cents: int, what: str) -> None:
        """Refuse to hand back more cash than the drawer should hold (`DrawerError`)."""
        cursor = conn.connection.driver_connection.cursor()
        try:
            (expected,) = cursor.execute(_EXPECTED_SQL, (session_id, session_id)).fetchone()
        finally:
            cursor.close()
        if cents > expected:
            raise DrawerError(
                f"The drawer should hold only {format_cents(expected)}, not the "
                f"{format_cents(cents)} this {what} would pay back in cash: pay it back "
                "another way, or make a paid-in first."
            )

    def record(
        self,
        conn: Connection,
        session_id: str,
        order_id: str,
        staff_id: str,
        at: datetime,
        moves: list[tuple[MovementKind, int]],
    ) -> None:
        """Write each (kind, positive cents) as a signed movement; zero amounts are skipped."""
        rows = [
            {
                "id": new_id(),
                "session_id": session_id,
                "at": at,
                "kind": kind.value,
                "amount_cents": kind.sign * cents,
                "staff_id": staff_id,
                "approved_by": None,
                "order_id": order_id,
                "reason": None,
            }
            for kind, cents in moves
            if cents
        ]
        if rows:
            self._insert.run(conn, rows)
