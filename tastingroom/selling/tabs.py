"""Tabs: carts held under a party's name or a spot number until the party pays.

A busy tasting bar serves several parties at once, each running a tab of pours, flights
and bottles. The cashier holds the cart on screen as a named tab, starts another, and
resumes any open tab later; a tab keeps its customer (so their club pricing), its
discounts, its price overrides with the managers' approvals, and its age check.

A tab is not a sale. Holding, resuming, releasing and abandoning one write the `tab`
table (and an audit row for an abandonment), never the outbox: WineDirect hears of the
party's order only when it is paid, as of any sale, through `Register.commit`. The cart
carries its tab's id (`Cart.tab_id`), and the sale's own transaction closes the tab
(`close_paid`), so a crash never leaves a paid sale with its tab still open, nor a
closed tab without its sale. Each hold is one short transaction (`synchronous=FULL`):
once `hold` returns, the tab survives a crash or a power cut.

What is kept is the cart's choices, never its prices: resuming rebuilds the cart from
the live catalog and attaches the customer again, so pricing (club discounts included)
is worked out as for any cart. An item gone from the catalog, or a customer gone from
the register's list, is named in `ResumedTab.missing` and left out; the rest comes back.
A manager's approval is kept with its audit row's id, and on resume it is compared with
the audit log: one that does not match (a tab row edited on disk) comes back without
its approval, and the commit asks for a manager again.

Handing over: whoever resumes a tab finishes it (`Cart.hand_over`); the managers'
approvals the earlier cashiers asked for stay on their lines, and the stored cart
names those cashiers so that they still do after the tab is held again.

In use: resuming marks the tab in use, so that one party is never on two carts (and
paid twice). Holding it again, paying or abandoning it ends that; `release` puts it back
unchanged when its cart is cleared, and `release_all` at start-up, since no cart
outlives the process.

The drawer: a tab belongs to the session open when it was first held, or to the next
session opened (`drawer.open_session` takes in tabs that have none). The Z close
refuses while the session has open tabs, unless a manager carries them to the next
session (`drawer.close_session`'s `carry_tabs`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, select, update

from tastingroom import entry
from tastingroom.entry import EntryRefused, refused_as
from tastingroom.localtime import stamp
from tastingroom.money import format_cents
from tastingroom.people.customers import CustomerError
from tastingroom.people.staff import Action, Approval, StaffMember, require
from tastingroom.selling.age import AgeCheckResult, Method
from tastingroom.selling.cart import Cart, CartLine, ShipTo, check_quantity
from tastingroom.selling.pricing import Discount
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, DrawerSession, Staff, Tab, new_id, utcnow

if TYPE_CHECKING:
    from tastingroom.selling.sales import Register

OPEN = "open"
PAID = "paid"
ABANDONED = "abandoned"


class TabError(EntryRefused):
    """A tab action that was refused; nothing was changed. The message says why."""


@dataclass(frozen=True)
class TabInfo:
    """An open tab as the tabs list shows it."""

    id: str
    name: str
    line_count: int
    total_cents: int
    """As priced when it was last held."""
    opened_at: datetime
    opened_by: str
    opened_by_name: str
    held_at: datetime
    session_id: str | None
    in_use: bool


@dataclass(frozen=True)
class ResumedTab:
    """A tab brought back into a cart (`resume`)."""

    tab_id: str
    name: str
    cart: Cart
    age_check: AgeCheckResult | None
    missing: tuple[str, ...]
    """What could not come back: items gone from the catalog, a customer gone from the list."""

    @property
    def notice(self) -> str | None:
        """What to tell the cashier when something was left out, or None."""
        if not self.missing:
            return None
        return (
            f"Not on this register any more, so left out of {self.name}'s tab: "
            f"{', '.join(self.missing)}. Everything else is back."
        )


# --- the cart as stored ---------------------------------------------------------------------


def _approval(approval: Approval | None) -> dict[str, str] | None:
    if approval is None:
        return None
    return {
        "audit_id": approval.audit_id,
        "action": approval.action.value,
        "requested_by": approval.requested_by,
        "approved_by": approval.approved_by,
        "at": approval.at.isoformat(),
    }


def _discount(discount: Discount | None) -> dict[str, Any] | None:
    if discount is None:
        return None
    return {
        "reason": discount.reason,
        "rate_ppm": discount.rate_ppm,
        "amount_cents": discount.amount_cents,
    }


def dump_cart(cart: Cart) -> str:
    """The cart's choices as JSON: what a tab keeps (prices are worked out again)."""
    ship = cart.ship_to
    return json.dumps(
        {
            "staff_id": cart.staff_id,
            "earlier_staff": list(cart.earlier_staff),
            "lines": [
                {
                    "sku_id": line.item.sku_id,
                    "code": line.item.code,
                    "name": line.item.name,
                    "quantity": line.quantity,
                    "override_cents": line.override_cents,
                    "override_approval": _approval(line.override_approval),
                    "discount": _discount(line.discount),
                    "discount_approval": _approval(line.discount_approval),
                }
                for line in cart.lines
            ],
            "customer_id": cart.customer.id if cart.customer else None,
            "order_discount": _discount(cart.order_discount),
            "order_discount_approval": _approval(cart.order_discount_approval),
            "ship_to": None
            if ship is None
            else {
                "first_name": ship.first_name,
                "last_name": ship.last_name,
                "address": ship.address,
                "address2": ship.address2,
                "city": ship.city,
                "state": ship.state,
                "zip_code": ship.zip_code,
                "shipping_cents": ship.shipping_cents,
            },
            "tip_cents": cart.tip_cents,
        },
        separators=(",", ":"),
    )


def _dump_age(check: AgeCheckResult | None) -> str | None:
    if check is None:
        return None
    return json.dumps(
        {
            "staff_id": check.staff_id,
            "method": check.method.value,
            "passed": check.passed,
            "age_years": check.age_years,
            "checked_at": check.checked_at.isoformat(),
            "message": check.message,
        }
    )


def _load_age(raw: str | None) -> AgeCheckResult | None:
    if raw is None:
        return None
    data = json.loads(raw)
    return AgeCheckResult(
        staff_id=data["staff_id"],
        method=Method(data["method"]),
        passed=bool(data["passed"]),
        age_years=data["age_years"],
        checked_at=datetime.fromisoformat(data["checked_at"]),
        message=data["message"],
    )


def _load_discount(raw: dict[str, Any] | None) -> Discount | None:
    return None if raw is None else Discount(**raw)  # runs the discount's own checks


class _Approvals:
    """The approvals a stored cart names, kept only where the audit log agrees."""

    def __init__(self, db: Database, data: dict[str, Any]) -> None:
        named = [data.get("order_discount_approval")] + [
            a
            for line in data["lines"]
            for a in (line["override_approval"], line["discount_approval"])
        ]
        ids = [a["audit_id"] for a in named if a]
        with db.read() as s:
            rows = s.execute(
                select(
                    AuditEntry.id,
                    AuditEntry.action,
                    AuditEntry.requested_by,
                    AuditEntry.approved_by,
                ).where(AuditEntry.id.in_(ids))
            ).all()
        self._audited = {row[0]: tuple(row[1:]) for row in rows}

    def load(self, raw: dict[str, str] | None) -> Approval | None:
        if raw is None:
            return None
        wanted = (raw["action"], raw["requested_by"], raw["approved_by"])
        if self._audited.get(raw["audit_id"]) != wanted:
            return None
        return Approval(
            audit_id=raw["audit_id"],
            action=Action(raw["action"]),
            requested_by=raw["requested_by"],
            approved_by=raw["approved_by"],
            at=datetime.fromisoformat(raw["at"]),
        )


def _load_cart(register: Register, tab_id: str, raw: str) -> tuple[Cart, list[str]]:
    """The stored cart rebuilt on the live catalog, and what could not come back."""
    data = json.loads(raw)
    approvals = _Approvals(register.db, data)
    cart = register.new_cart(data["staff_id"])
    cart.earlier_staff = tuple(data.get("earlier_staff", ()))  # absent in tabs held before
    cart.tab_id = tab_id
    missing: list[str] = []
    for line in data["lines"]:
        item = register.catalog.by_id(line["sku_id"])
        if item is None:
            missing.append(f"{line['name']} ({line['code']})")
            continue
        cart.lines.append(
            CartLine(
                item,
                check_quantity(line["quantity"]),
                override_cents=line["override_cents"],
                override_approval=approvals.load(line["override_approval"]),
                discount=_load_discount(line["discount"]),
                discount_approval=approvals.load(line["discount_approval"]),
            )
        )
    cart.order_discount = _load_discount(data["order_discount"])
    cart.order_discount_approval = approvals.load(data["order_discount_approval"])
    cart.ship_to = None if data["ship_to"] is None else ShipTo(**data["ship_to"])
    cart.set_tip(data["tip_cents"])
    if data["customer_id"] is not None:
        try:
            register.attach_customer(cart, data["customer_id"])
        except CustomerError:
            missing.append("the customer")
    return cart, missing


# --- holding --------------------------------------------------------------------------------


def _clean_name(name: object) -> str:
    with refused_as(TabError):
        cleaned = entry.text(name, entry.TAB_NAME)
    if not cleaned:
        raise TabError("Name the tab: the party's name or a spot number.", entry.TAB_NAME.field)
    return cleaned


def hold(
    register: Register,
    cart: Cart,
    name: str,
    staff: StaffMember,
    age_check: AgeCheckResult | None = None,
) -> str:
    """Keep `cart` as the open tab `name` (its age check with it), durably, in one short
    transaction; returns the tab's id, which the cart now carries. A cart resumed from a
    tab updates that tab (and may rename it). An empty cart is refused."""
    name = _clean_name(name)
    if not cart.lines:
        raise TabError("There is nothing in the cart to hold as a tab.")
    with refused_as(TabError):
        total = register.price(cart).total_cents
    contents = dump_cart(cart)
    age = _dump_age(age_check)
    terminal = register.settings.terminal_prefix
    key = name.casefold()
    at = utcnow()
    with register.db.write() as s:
        clash = s.scalar(
            select(Tab.id).where(
                Tab.terminal == terminal,
                Tab.status == OPEN,
                Tab.name_key == key,
                Tab.id != (cart.tab_id or ""),
            )
        )
        if clash is not None:
            raise TabError(
                f"There is already an open tab called {name}: choose another name, "
                "or resume that tab.",
                entry.TAB_NAME.field,
            )
        if cart.tab_id is None:
            row = Tab(
                id=new_id(),
                terminal=terminal,
                status=OPEN,
                session_id=s.scalar(select(DrawerSession.id).where(DrawerSession.status == "open")),
                opened_at=at,
                opened_by=staff.id,
            )
            s.add(row)
        else:
            row = s.get(Tab, cart.tab_id)
            if row is None or row.status != OPEN:
                raise TabError(
                    "That tab was already paid or abandoned; hold this cart under a new name."
                )
        row.name = name
        row.name_key = key
        row.held_at = at
        row.held_by = staff.id
        row.contents = contents
        row.line_count = len(cart.lines)
        row.total_cents = total
        row.customer_id = cart.customer.id if cart.customer else None
        row.age_check = age
        row.in_use_by = None
        row.in_use_at = None
    cart.tab_id = row.id
    return row.id


# --- the list and resuming ------------------------------------------------------------------


def open_tabs(register: Register, session_id: str | None = None) -> list[TabInfo]:
    """This terminal's open tabs, oldest first (only `session_id`'s, when given)."""
    query = (
        select(Tab, Staff.name)
        .join(Staff, Staff.id == Tab.opened_by)
        .where(Tab.status == OPEN, Tab.terminal == register.settings.terminal_prefix)
        .order_by(Tab.opened_at)
    )
    if session_id is not None:
        query = query.where(Tab.session_id == session_id)
    with register.db.read() as s:
        return [
            TabInfo(
                id=row.id,
                name=row.name,
                line_count=row.line_count,
                total_cents=row.total_cents,
                opened_at=row.opened_at,
                opened_by=row.opened_by,
                opened_by_name=who,
                held_at=row.held_at,
                session_id=row.session_id,
                in_use=row.in_use_by is not None,
            )
            for row, who in s.execute(query)
        ]


def resume(register: Register, tab_id: str, staff: StaffMember) -> ResumedTab:
    """Bring an open tab back into a cart, priced on today's catalog and the customer's
    clubs, with its age check; the tab is marked in use until it is held, paid,
    abandoned or released. The cart is `staff`'s from now on (at a bar another cashier
    often closes the tab): the approvals already on it stay valid (`Cart.hand_over`)."""
    with register.db.read() as s:
        row = s.get(Tab, tab_id)
        if row is None or row.status != OPEN:
            raise TabError("That tab is no longer open (it was paid or abandoned).")
        if row.in_use_by is not None:
            who = s.get(Staff, row.in_use_by)
            since = stamp(row.in_use_at, register.settings.timezone) if row.in_use_at else ""
            raise TabError(
                f"{row.name}'s tab is already open on screen ({who.name if who else 'staff'}, "
                f"{since}): hold it or take its payment there first, or put it back."
            )
        name, contents, age = row.name, row.contents, row.age_check
    try:
        with refused_as(TabError):
            cart, missing = _load_cart(register, tab_id, contents)
    except TabError:
        raise
    except (ValueError, KeyError, TypeError) as exc:  # a row damaged or edited on disk
        raise TabError(
            f"{name}'s tab cannot be read back ({type(exc).__name__}: {exc}); nothing was "
            "changed. A manager may abandon it and ring the party's order again."
        ) from exc
    with register.db.write() as s:
        taken = s.execute(
            update(Tab)
            .where(Tab.id == tab_id, Tab.status == OPEN, Tab.in_use_by.is_(None))
            .values(in_use_by=staff.id, in_use_at=utcnow())
        ).rowcount
        if taken != 1:
            raise TabError(f"{name}'s tab was taken or closed meanwhile; look at the list again.")
    cart.hand_over(staff.id)
    return ResumedTab(tab_id, name, cart, _load_age(age), tuple(missing))


def release(db: Database, tab_id: str) -> None:
    """Put a resumed tab back unchanged (its cart was cleared without holding it)."""
    with db.write() as s:
        s.execute(
            update(Tab)
            .where(Tab.id == tab_id, Tab.status == OPEN)
            .values(in_use_by=None, in_use_at=None)
        )


def release_all(db: Database) -> int:
    """At start-up: no cart outlives the process, so no tab is in use. Returns how many
    were marked in use."""
    with db.write() as s:
        return s.execute(
            update(Tab)
            .where(Tab.status == OPEN, Tab.in_use_by.is_not(None))
            .values(in_use_by=None, in_use_at=None)
        ).rowcount


# --- closing --------------------------------------------------------------------------------


def close_paid(conn: Connection, tab_id: str, order_id: str, staff_id: str, at: datetime) -> None:
    """Mark the tab paid by `order_id`, inside the sale's own transaction (`Register.write`);
    refused, and so the whole sale with it, unless the tab is still open."""
    closed = conn.execute(
        update(Tab)
        .where(Tab.id == tab_id, Tab.status == OPEN)
        .values(
            status=PAID,
            order_id=order_id,
            closed_at=at,
            closed_by=staff_id,
            in_use_by=None,
            in_use_at=None,
        )
    ).rowcount
    if closed != 1:
        raise TabError(
            "This tab is no longer open (paid or abandoned already), so nothing was charged."
        )


def abandon(db: Database, tab_id: str, staff: StaffMember, approval: Approval | None) -> None:
    """Drop an open tab unpaid: a manager's decision (a tab always holds lines, since an
    empty cart is never held), audited with what was on it."""
    require(approval, Action.ABANDON_TAB, staff.id)
    assert approval is not None
    at = utcnow()
    with db.write() as s:
        row = s.get(Tab, tab_id)
        if row is None or row.status != OPEN:
            raise TabError("That tab is no longer open (it was paid or abandoned).")
        row.status = ABANDONED
        row.closed_at = at
        row.closed_by = staff.id
        row.approved_by = approval.approved_by
        row.in_use_by = None
        row.in_use_at = None
        s.add(
            AuditEntry(
                id=new_id(),
                at=at,
                action="tab_abandoned",
                requested_by=staff.id,
                approved_by=approval.approved_by,
                detail=f"{row.name}: {row.line_count} line(s), {format_cents(row.total_cents)}",
            )
        )
