"""Refunds and exchanges: giving back some or all of a sale, at the prices charged.

Finding the original: a receipt's barcode carries its order number (`receipt`), so a
scan and a typed number are one search (`find_original`); `search_originals` finds them
by customer. Only this register's own sales are refundable here: a web order's payment
went through WineDirect's gateway, which the register's card terminal cannot reverse,
and WineDirect takes a POS Refund only against an order it received from us
(`winedirect.mapping.WEB_ORDER_REFUNDS_AT_REGISTER`).

What comes back, and for how much (`quote_refund`): any lines and quantities, never more
than was sold minus what earlier returns took; each restocked or written off as damaged.
The amounts are the original line's own numbers (its price, club and case discounts,
its share of the order discount, its tax at the rate charged then), shared out by
quantity with *cumulative* rounding: returning k of a line's n items refunds
round(amount * k / n) minus what the earlier returns of that line already refunded.
So any sequence of partial returns that ends with everything back refunds exactly
what was charged, to the cent, and no return is ever worth more than it cost. The
shipping charge and the tip come back with the return that completes the order.

Where the money goes (`check_tenders`): to the original tenders by default (cash as
cash, a card through the card terminal's refund, recorded with that refund's approval
code and the same last four digits, a gift card re-credited to the same code, a house
account credited); each original tender takes back at most what it paid less what
earlier refunds returned to it. Anything else needs a manager's approval
(`Action.REFUND_OTHER_TENDER`), as does an order older than the store's refund window
(`StoreSettings.refund_max_age_days`; `Action.REFUND_OLD_ORDER`). Every refund needs
`Action.REFUND`. The tenders add up to the refund exactly: no change is given.

An exchange (`commit_exchange`) is one transaction: the refund and the new sale, tied by
one `exchange_id` for one receipt. The return's value pays for the new sale as exchange
credit (a tender of kind `exchange` on both orders, so each balances on its own); the
guest pays the difference, or it is refunded by the rules above.

Every refund is written like a sale: one transaction holds the refund order, its lines,
tenders, the stock it restocks, one outbox row (`order.refund`, sent as a WineDirect
Refund whose PreviousOrderNumber is the original's), an audit row and, when a drawer
session is open, the cash paid back as the session's `cash_refund` movement
(`Register.cash_back`). The store's drawer rule applies as to a sale (with
`drawer_required` on, cash is not paid back without an open session), and a refund
never pays back more cash than the drawer should hold; either refusal writes nothing.
In an exchange, cash the guest pays towards the new sale (less change) goes into the
drawer with that sale (`Register.write`), and cash paid back for the difference leaves
it with the refund, all in the exchange's one transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from tastingroom.drawer.sessions import MovementKind
from tastingroom.entry import Limits, refused_as, search_text
from tastingroom.money import format_cents, round_cents
from tastingroom.people.staff import Action, Approval, AuthError, StaffMember, require
from tastingroom.selling.age import AgeCheckResult
from tastingroom.selling.cart import Cart
from tastingroom.selling.orders import OrderRow, list_orders
from tastingroom.selling.sales import CommittedSale, Register, SaleRefused
from tastingroom.selling.tenders import TenderInput, TenderKind, check_limit
from tastingroom.store.database import Database
from tastingroom.store.models import AuditEntry, Order, OrderLine, Tender, new_id, utcnow
from tastingroom.sync.outbox import OutboxKind, enqueue
from tastingroom.winedirect.mapping import WEB_ORDER_REFUNDS_AT_REGISTER


class RefundRefused(SaleRefused):
    """The refund was not committed; nothing was written. The message says why."""


class Disposition(StrEnum):
    RESTOCK = "restock"
    """Back on the shelf: the stock count goes up."""
    DAMAGED = "damaged"
    """Written off: refunded, but not counted back into stock."""


@dataclass(frozen=True)
class ReturnLine:
    """What the guest brings back of one line of the original (by its line number)."""

    line_no: int
    quantity: int
    disposition: Disposition = Disposition.RESTOCK


# --- the original, as refunds see it ---------------------------------------------------------


@dataclass(frozen=True)
class SoldLine:
    """A line of the original: what was charged, and how much of it came back already."""

    line_no: int
    sku_id: str | None
    sku_code: str
    name: str
    kind: str
    quantity: int
    units: int
    unit_price_cents: int
    original_price_cents: int
    discount_cents: int
    net_cents: int
    taxable: bool
    tax_rate_ppm: int
    tax_cents: int
    explanation: str
    returned: int

    @property
    def gross_cents(self) -> int:
        return self.unit_price_cents * self.quantity

    @property
    def returnable(self) -> int:
        return self.quantity - self.returned


def tender_key(
    kind: TenderKind | str,
    card_type: str | None,
    card_last4: str | None,
    gift_card_code: str | None,
    account: str | None,
) -> tuple[str | None, ...]:
    """What makes two payments "the same tender": the kind, and for a card its type and
    last four digits, for a gift card its code, for a house account whose it is."""
    kind = TenderKind(kind)
    if kind is TenderKind.CARD:
        return (kind.value, card_type, card_last4)
    if kind is TenderKind.GIFT_CARD:
        return (kind.value, gift_card_code)
    if kind is TenderKind.HOUSE_ACCOUNT:
        return (kind.value, account)
    return (kind.value,)


@dataclass(frozen=True)
class PaidTender:
    """One way the original was paid, net of change, and what refunds gave back to it."""

    kind: TenderKind
    paid_cents: int
    refunded_cents: int
    card_type: str | None = None
    card_last4: str | None = None
    gift_card_code: str | None = None
    account: str | None = None

    @property
    def refundable_cents(self) -> int:
        return self.paid_cents - self.refunded_cents

    @property
    def key(self) -> tuple[str | None, ...]:
        return tender_key(
            self.kind, self.card_type, self.card_last4, self.gift_card_code, self.account
        )

    def takes(self, tender: TenderInput) -> bool:
        """Is `tender` a refund to this very payment (same kind, same card, code, account)?"""
        return self.key == tender_key(
            tender.kind, tender.card_type, tender.card_last4, tender.gift_card_code, tender.account
        )

    def describe(self) -> str:
        if self.kind is TenderKind.CARD:
            return f"{self.card_type} ****{self.card_last4}"
        if self.kind is TenderKind.GIFT_CARD:
            return f"gift card {(self.gift_card_code or '')[-4:]}"
        if self.kind is TenderKind.HOUSE_ACCOUNT:
            return f"house account {self.account}"
        return self.kind.label.lower()


@dataclass(frozen=True)
class Original:
    order_id: str
    number: str
    created_at: datetime
    customer_id: str | None
    inventory_pool: str | None
    shipping_cents: int
    tip_cents: int
    total_cents: int
    lines: tuple[SoldLine, ...]
    tenders: tuple[PaidTender, ...]
    refunded_cents: int
    """What earlier refunds of this order gave back, in all."""

    def line(self, line_no: int) -> SoldLine:
        for line in self.lines:
            if line.line_no == line_no:
                return line
        raise RefundRefused(f"Order {self.number} has no line {line_no}.")

    @property
    def fully_returned(self) -> bool:
        return all(line.returnable == 0 for line in self.lines)

    def age(self, now: datetime) -> timedelta:
        return now - self.created_at


def _refusal_for(order: Order | None) -> str | None:
    """Why `order` cannot be refunded at this register (None: it can)."""
    if order is None:
        return "No order with that number is on this register."
    if order.source != "register" and not WEB_ORDER_REFUNDS_AT_REGISTER:
        return (
            f"Order {order.number} is a web order: its payment went through WineDirect, "
            "so refund it in WineDirect's admin, not at the register."
        )
    if order.transaction_type != "order":
        return f"{order.number} is itself a refund; find the sale it refunded."
    if order.status == "refunded":
        return f"Order {order.number} has already been refunded in full."
    if order.status != "completed":
        return f"Order {order.number} is {order.status}; it cannot be refunded."
    return None


def _load(s: Session, order_id: str) -> Original:
    """The original as it stands now, in `s` (inside the refund's transaction on commit)."""
    order = s.get(Order, order_id)
    refusal = _refusal_for(order)
    if refusal:
        raise RefundRefused(refusal)
    refunds = list(
        s.scalars(
            select(Order).where(
                Order.previous_order_id == order.id,
                Order.transaction_type == "refund",
                Order.status == "completed",
            )
        )
    )
    returned: dict[int, int] = {}
    given: list[Tender] = []
    for refund in refunds:
        for line in refund.lines:
            returned[line.line_no] = returned.get(line.line_no, 0) + line.quantity
        given.extend(t for t in refund.tenders if t.kind != TenderKind.EXCHANGE.value)
    lines = tuple(
        SoldLine(
            line_no=line.line_no,
            sku_id=line.sku_id,
            sku_code=line.sku_code,
            name=line.name,
            kind=line.kind,
            quantity=line.quantity,
            units=line.units,
            unit_price_cents=line.unit_price_cents,
            original_price_cents=line.original_price_cents,
            discount_cents=line.discount_cents,
            net_cents=line.net_cents,
            taxable=line.taxable,
            tax_rate_ppm=line.tax_rate_ppm,
            tax_cents=line.tax_cents,
            explanation=line.explanation,
            returned=returned.get(line.line_no, 0),
        )
        for line in sorted(order.lines, key=lambda x: x.line_no)
    )
    paid: dict[tuple[str | None, ...], PaidTender] = {}
    for t in order.tenders:
        if t.kind == TenderKind.EXCHANGE.value:
            continue  # paid by an earlier return's value: that money went back with it
        key = tender_key(t.kind, t.card_type, t.card_last4, t.gift_card_code, t.account)
        before = paid[key].paid_cents if key in paid else 0
        paid[key] = PaidTender(
            TenderKind(t.kind),
            before + t.amount_cents - t.change_cents,
            0,
            t.card_type,
            t.card_last4,
            t.gift_card_code,
            t.account,
        )
    back: dict[tuple[str | None, ...], int] = {}
    for g in given:
        key = tender_key(g.kind, g.card_type, g.card_last4, g.gift_card_code, g.account)
        back[key] = back.get(key, 0) + g.amount_cents
    tenders = tuple(dataclasses.replace(p, refunded_cents=back.get(k, 0)) for k, p in paid.items())
    return Original(
        order_id=order.id,
        number=order.number,
        created_at=order.created_at,
        customer_id=order.customer_id,
        inventory_pool=order.inventory_pool,
        shipping_cents=order.shipping_cents,
        tip_cents=order.tip_cents,
        total_cents=order.total_cents,
        lines=lines,
        tenders=tenders,
        refunded_cents=sum(r.total_cents for r in refunds),
    )


def load_original(db: Database, order_id: str) -> Original:
    """The order `order_id`, if it can be refunded here (else `RefundRefused`)."""
    with db.read() as s:
        return _load(s, order_id)


def find_original(db: Database, scanned_or_typed: str) -> Original:
    """The order whose receipt barcode was scanned, or whose number was typed (with or
    without the terminal prefix's leading zeros: "TR1-42" finds TR1-000042)."""
    text = search_text(scanned_or_typed).upper()
    if not text:
        raise RefundRefused("Scan the receipt's barcode or type its order number.", "number")
    candidates = [text]
    head, dash, tail = text.rpartition("-")
    if dash and tail.isdigit():
        candidates.append(f"{head}-{int(tail):06d}")
    with db.read() as s:
        order_id = s.scalar(select(Order.id).where(Order.number.in_(candidates)).limit(1))
        if order_id is None:
            raise RefundRefused(f"No order {text} is on this register.", "number")
        return _load(s, order_id)


def search_originals(db: Database, query: str, limit: int = 50) -> list[OrderRow]:
    """Sales a refund could start from, by customer name or email, number or tracking
    number (the orders search), newest first: this register's completed sales only."""
    rows = list_orders(db, query, limit=limit * 4)
    with db.read() as s:
        ids = [r.order_id for r in rows]
        ok = set(
            s.scalars(
                select(Order.id).where(
                    Order.id.in_(ids),
                    Order.transaction_type == "order",
                    Order.status == "completed",
                    *([Order.source == "register"] if not WEB_ORDER_REFUNDS_AT_REGISTER else []),
                )
            )
        )
    return [r for r in rows if r.order_id in ok][:limit]


# --- how much comes back -----------------------------------------------------------------------


def share(amount: int, sold: int, before: int, now: int) -> int:
    """The cents of `amount` (charged for `sold` items) refunded for `now` more items
    after `before` came back already: cumulative rounding, so that the shares of any
    sequence of returns add up to `amount` exactly once all `sold` are back."""
    if not 0 <= before <= before + now <= sold or sold <= 0:
        raise RefundRefused("That is more than was sold.")

    def upto(k: int) -> int:
        return round_cents(Decimal(amount) * k / sold)

    return upto(before + now) - upto(before)


@dataclass(frozen=True)
class QuotedLine:
    """One returned line, with its refund at the prices charged."""

    sold: SoldLine
    quantity: int
    disposition: Disposition
    gross_cents: int
    discount_cents: int
    net_cents: int
    tax_cents: int

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents


@dataclass(frozen=True)
class RefundQuote:
    original: Original
    lines: tuple[QuotedLine, ...]
    shipping_cents: int
    tip_cents: int
    completes: bool
    """This return brings back everything still out: the original becomes "refunded"."""
    too_old: bool
    """Older than the store's refund window: a manager must approve."""
    max_age_days: int

    @property
    def subtotal_cents(self) -> int:
        return sum(q.gross_cents for q in self.lines)

    @property
    def discount_cents(self) -> int:
        return sum(q.discount_cents for q in self.lines)

    @property
    def tax_cents(self) -> int:
        return sum(q.tax_cents for q in self.lines)

    @property
    def total_cents(self) -> int:
        return sum(q.total_cents for q in self.lines) + self.shipping_cents + self.tip_cents

    def default_split(self, total_cents: int | None = None) -> list[tuple[PaidTender, int]]:
        """Where `total_cents` (the refund's total unless given) goes back by default: to
        the original's non-cash tenders first, in the order they were paid, each up to
        what it can still take back, and the rest as cash. An original with no cash
        and nothing left on its tenders returns what it can; the rest needs a manager."""
        left = self.total_cents if total_cents is None else total_cents
        split = []
        ordered = sorted(self.original.tenders, key=lambda p: p.kind is TenderKind.CASH)
        for paid in ordered:
            amount = min(left, paid.refundable_cents)
            if amount > 0:
                split.append((paid, amount))
                left -= amount
        return split


def _quote(
    original: Original, returns: Sequence[ReturnLine], max_age_days: int, now: datetime
) -> RefundQuote:
    if not returns:
        raise RefundRefused("Choose what the guest is returning.")
    seen: set[int] = set()
    quoted = []
    for r in returns:
        if isinstance(r.quantity, bool) or not isinstance(r.quantity, int) or r.quantity <= 0:
            raise RefundRefused("A returned quantity is a whole number above zero.", "quantity")
        if r.line_no in seen:
            raise RefundRefused(f"Line {r.line_no} is listed twice; give its quantity once.")
        seen.add(r.line_no)
        sold = original.line(r.line_no)
        if r.quantity > sold.returnable:
            already = f" ({sold.returned} already returned)" if sold.returned else ""
            raise RefundRefused(
                f"{sold.name}: {sold.quantity} sold{already}; at most {sold.returnable} "
                "can come back.",
                "quantity",
            )
        disposition = Disposition(r.disposition)
        n, before, k = sold.quantity, sold.returned, r.quantity
        gross = sold.unit_price_cents * k
        net = share(sold.net_cents, n, before, k)
        quoted.append(
            QuotedLine(
                sold=sold,
                quantity=k,
                disposition=disposition,
                gross_cents=gross,
                discount_cents=gross - net,
                net_cents=net,
                tax_cents=share(sold.tax_cents, n, before, k),
            )
        )
    back = {q.sold.line_no: q.quantity for q in quoted}
    completes = all(line.returnable == back.get(line.line_no, 0) for line in original.lines)
    return RefundQuote(
        original=original,
        lines=tuple(sorted(quoted, key=lambda q: q.sold.line_no)),
        shipping_cents=original.shipping_cents if completes else 0,
        tip_cents=original.tip_cents if completes else 0,
        completes=completes,
        too_old=original.age(now) > timedelta(days=max_age_days),
        max_age_days=max_age_days,
    )


def quote_refund(
    register: Register,
    order_id: str,
    returns: Sequence[ReturnLine],
    now: datetime | None = None,
) -> RefundQuote:
    """What returning `returns` of order `order_id` gives back (nothing is written)."""
    with register.db.read() as s:
        original = _load(s, order_id)
    return _quote(original, returns, register.settings.refund_max_age_days, now or utcnow())


def everything(original: Original) -> list[ReturnLine]:
    """Every line still out, in full, back to stock."""
    return [ReturnLine(line.line_no, line.returnable) for line in original.lines if line.returnable]


# --- where the money goes ---------------------------------------------------------------------


def check_tenders(
    quote: RefundQuote,
    tenders: Sequence[TenderInput],
    limits: Limits,
    total_cents: int | None = None,
) -> set[Action]:
    """Check that `tenders` return exactly `total_cents` (the quote's total unless given);
    returns the approvals they need beyond `Action.REFUND` (an old order, another tender)."""
    due = quote.total_cents if total_cents is None else total_cents
    needs: set[Action] = {Action.REFUND}
    if quote.too_old:
        needs.add(Action.REFUND_OLD_ORDER)
    room = {index: p.refundable_cents for index, p in enumerate(quote.original.tenders)}
    paid_kinds = {p.kind for p in quote.original.tenders}
    for tender in tenders:
        if tender.kind is TenderKind.EXCHANGE:
            raise RefundRefused("Exchange credit comes only with an exchange (commit_exchange).")
        if tender.kind is TenderKind.COMPLIMENTARY and TenderKind.COMPLIMENTARY not in paid_kinds:
            raise RefundRefused("Only a complimentary order is refunded as complimentary.")
        if tender.amount_cents <= 0:
            raise RefundRefused("Each refund payment is an amount above zero.", "amount")
        with refused_as(RefundRefused):
            check_limit(tender, limits)
        left = tender.amount_cents
        for index, paid in enumerate(quote.original.tenders):
            if left and paid.takes(tender) and room[index] > 0:
                taken = min(left, room[index])
                room[index] -= taken
                left -= taken
        if left:
            needs.add(Action.REFUND_OTHER_TENDER)
    given = sum(t.amount_cents for t in tenders)
    if given != due:
        raise RefundRefused(
            f"The refund must return exactly {format_cents(due)}; the refund payments add "
            f"up to {format_cents(given)}."
        )
    return needs


def _require_all(
    needs: set[Action], approvals: Approval | Sequence[Approval] | None, staff: StaffMember
) -> Approval:
    """Every approval `needs` asks for, given for `staff`; returns the refund's own."""
    if approvals is None:
        given: list[Approval] = []
    elif isinstance(approvals, Approval):
        given = [approvals]
    else:
        given = list(approvals)
    found: dict[Action, Approval] = {}
    for action in sorted(needs):
        match = next((a for a in given if a.action is action), None)
        if action is Action.REFUND_OLD_ORDER and match is None:
            raise AuthError(
                "This order is older than the store's refund window: a manager's PIN "
                "(refund old order) is needed."
            )
        if action is Action.REFUND_OTHER_TENDER and match is None:
            raise AuthError(
                "The refund does not go back to how the guest paid: a manager's PIN "
                "(refund other tender) is needed."
            )
        require(match, action, staff.id)
        found[action] = match  # type: ignore[assignment]
    return found[Action.REFUND]


# --- committing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommittedRefund:
    order_id: str
    number: str
    original_id: str
    original_number: str
    quote: RefundQuote
    tenders: tuple[TenderInput, ...]
    created_at: datetime
    exchange_id: str | None = None

    @property
    def total_cents(self) -> int:
        return self.quote.total_cents


@dataclass(frozen=True)
class CommittedExchange:
    exchange_id: str
    refund: CommittedRefund
    sale: CommittedSale
    difference_cents: int
    """What the guest paid (above zero) or was given back (below zero)."""


@dataclass
class _Refund:
    """A refund being written: the parts `_write_refund` needs."""

    quote: RefundQuote
    staff: StaffMember
    approval: Approval
    tenders: list[TenderInput]
    now: datetime
    exchange_id: str | None = None
    order_id: str = field(default_factory=new_id)


def _write_refund(register: Register, s: Session, r: _Refund) -> str:
    """The refund order, its lines, tenders, stock, outbox and audit rows, and the cash
    it pays back as a drawer movement, in `s`."""
    quote, original = r.quote, r.quote.original
    number = register._next_number(s)
    held = s.get(Order, original.order_id)
    s.add(
        Order(
            id=r.order_id,
            number=number,
            source="register",
            status="completed",
            transaction_type="refund",
            previous_order_id=original.order_id,
            exchange_id=r.exchange_id,
            created_at=r.now,
            date_modified=r.now,
            terminal=register.settings.terminal_prefix,
            staff_id=r.staff.id,
            customer_id=original.customer_id,
            price_level=held.price_level,
            inventory_pool=original.inventory_pool,
            fulfilment="carry_out",
            subtotal_cents=quote.subtotal_cents,
            discount_cents=quote.discount_cents,
            tax_cents=quote.tax_cents,
            shipping_cents=quote.shipping_cents,
            tip_cents=quote.tip_cents,
            total_cents=quote.total_cents,
            shipping_status="No Shipping Required",
        )
    )
    # The refund's row is written first: the audit and drawer rows below point at it, and
    # SQLAlchemy orders INSERTs into tables with no relationship() between them at random.
    s.flush()
    pool = original.inventory_pool or register.settings.inventory_pool
    for q in quote.lines:
        sold = q.sold
        s.add(
            OrderLine(
                id=new_id(),
                order_id=r.order_id,
                line_no=sold.line_no,
                sku_id=sold.sku_id,
                sku_code=sold.sku_code,
                name=sold.name,
                kind=sold.kind,
                quantity=q.quantity,
                units=sold.units,
                unit_price_cents=sold.unit_price_cents,
                original_price_cents=sold.original_price_cents,
                discount_cents=q.discount_cents,
                taxable=sold.taxable,
                tax_rate_ppm=sold.tax_rate_ppm,
                tax_cents=q.tax_cents,
                net_cents=q.net_cents,
                explanation="; ".join(
                    part for part in (sold.explanation, f"returned from {original.number}") if part
                ),
                disposition=q.disposition.value,
            )
        )
        if sold.sku_id and q.disposition is Disposition.RESTOCK:
            register._adjust_stock(
                s, register._base_sku(s, sold.sku_id), pool, q.quantity * sold.units
            )
    for t in r.tenders:
        s.add(
            Tender(
                id=new_id(),
                order_id=r.order_id,
                kind=t.kind.value,
                amount_cents=t.amount_cents,
                card_type=t.card_type,
                card_last4=t.card_last4,
                approval_code=t.approval_code,
                gift_card_code=t.gift_card_code,
                check_number=t.check_number,
                account=t.account,
                reason=t.reason,
            )
        )
    if quote.completes:
        held.status = "refunded"
        held.date_modified = r.now
    damaged = [f"{q.quantity} x {q.sold.sku_code}" for q in quote.lines if q.disposition
               is Disposition.DAMAGED]  # fmt: skip
    s.add(
        AuditEntry(
            id=new_id(),
            at=r.now,
            action="refund",
            requested_by=r.staff.id,
            approved_by=r.approval.approved_by,
            order_id=r.order_id,
            detail=f"{number} of {original.number} {format_cents(quote.total_cents)}"
            + (f"; written off as damaged: {', '.join(damaged)}" if damaged else ""),
        )
    )
    s.flush()
    # Cash paid back leaves the open drawer session in this same transaction; the
    # store's drawer rule and what the drawer should hold may still refuse the refund.
    register.cash_back(
        s,
        r.order_id,
        r.staff.id,
        MovementKind.CASH_REFUND,
        sum(t.amount_cents for t in r.tenders if t.kind is TenderKind.CASH),
        r.now,
        RefundRefused,
    )
    enqueue(s, OutboxKind.REFUND, r.order_id)
    return number


def commit_refund(
    register: Register,
    order_id: str,
    returns: Sequence[ReturnLine],
    staff: StaffMember,
    approvals: Approval | Sequence[Approval] | None,
    tenders: Sequence[TenderInput],
    now: datetime | None = None,
) -> CommittedRefund:
    """Return `returns` of order `order_id`, the money going back as `tenders`, in one
    transaction (see the module docstring for the rules); nothing is written if refused."""
    now = now or utcnow()
    tenders = list(tenders)
    with register.db.write() as s:
        original = _load(s, order_id)
        quote = _quote(original, returns, register.settings.refund_max_age_days, now)
        needs = check_tenders(quote, tenders, register.limits)
        approval = _require_all(needs, approvals, staff)
        refund = _Refund(quote, staff, approval, tenders, now)
        number = _write_refund(register, s, refund)
    return CommittedRefund(
        refund.order_id, number, original.order_id, original.number, quote, tuple(tenders), now
    )


def refund_everything(
    register: Register,
    order_id: str,
    staff: StaffMember,
    approvals: Approval | Sequence[Approval] | None,
    tenders: Sequence[TenderInput],
    now: datetime | None = None,
) -> CommittedRefund:
    """Everything of order `order_id` still out comes back to stock (`Register.refund_sale`)."""
    original = load_original(register.db, order_id)
    return commit_refund(register, order_id, everything(original), staff, approvals, tenders, now)


def exchange_difference(quote: RefundQuote, cart_total_cents: int) -> int:
    """What the guest pays for the new sale beyond the return's value (below zero: what
    goes back to them)."""
    return cart_total_cents - quote.total_cents


def commit_exchange(
    register: Register,
    order_id: str,
    returns: Sequence[ReturnLine],
    cart: Cart,
    staff: StaffMember,
    approvals: Approval | Sequence[Approval] | None,
    tenders: Sequence[TenderInput],
    age_check: AgeCheckResult | None = None,
    now: datetime | None = None,
) -> CommittedExchange:
    """Return `returns` of order `order_id` and sell `cart`, as one transaction.

    The return's value pays for the cart (exchange credit). `tenders` settle the
    difference: when the cart costs more, they are the guest's payment (any tender,
    change from cash as in a sale); when it costs less, they are the refund of the rest,
    under the refund's tender rules. Both orders, or neither, are written."""
    now = now or utcnow()
    tenders = list(tenders)
    quote = quote_refund(register, order_id, returns, now)
    priced = register.price(cart)
    value, due = quote.total_cents, priced.total_cents
    credit = min(value, due)
    exchange_id = new_id()
    credit_tender = [TenderInput(TenderKind.EXCHANGE, credit)] if credit else []
    if any(t.kind is TenderKind.EXCHANGE for t in tenders):
        raise RefundRefused("Exchange credit is worked out by the register; remove it.")
    if due > value:
        sale_tenders, refund_tenders = credit_tender + tenders, []
    else:
        sale_tenders, refund_tenders = credit_tender, tenders
    if not sale_tenders:
        raise RefundRefused(f"Take payment of {format_cents(due)} first.")
    sale = register.prepare(cart, staff, sale_tenders, age_check)
    sale.order_row["exchange_id"] = exchange_id
    with register.db.write() as s:
        original = _load(s, order_id)
        fresh = _quote(original, returns, register.settings.refund_max_age_days, now)
        if fresh.total_cents != value:
            raise RefundRefused(
                f"Order {original.number} changed while the exchange was rung; start again."
            )
        needs = check_tenders(fresh, refund_tenders, register.limits, value - credit)
        approval = _require_all(needs, approvals, staff)
        refund = _Refund(fresh, staff, approval, credit_tender + refund_tenders, now, exchange_id)
        number = _write_refund(register, s, refund)
        register.write(s.connection(), sale)
    done = CommittedRefund(
        refund.order_id,
        number,
        original.order_id,
        original.number,
        fresh,
        tuple(refund.tenders),
        now,
        exchange_id,
    )
    return CommittedExchange(exchange_id, done, register.committed(sale), due - value)
