"""Ringing up: pricing a cart for this store and committing the sale, durably.

`Register.commit` is the only way a register sale reaches the database. Everything is
checked before anything is written (tenders cover the total, an age check passed
where alcohol is sold, quantities make sense, every privileged change carries its
manager approval, and, as the last guard, every amount and text typed into the cart
passes `tastingroom.entry`'s rules against the store's current limits, however the
cart was changed); then one transaction writes the order, its lines and their
discounts part by part (`PricedLine.parts`, for the day report), tenders, the age
check, the stock it depletes, one outbox row, one audit row, the close of the party's
tab when the cart is one (`tabs`) and, when cash changes hands and a drawer session is
open, the cash in and the change out as the session's movements
(`tastingroom.drawer`: whether a sale needs an open session is the store's setting,
checked in the same transaction). When `commit` returns, the sale survives
a crash or a power cut (`synchronous=FULL`); a receipt may be printed only after that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from tastingroom import entry
from tastingroom.catalog.index import CatalogIndex
from tastingroom.drawer.sessions import MovementKind, SaleDrawer
from tastingroom.drawer.sessions import no_sale as drawer_no_sale
from tastingroom.entry import EntryRefused, Limits, refused_as
from tastingroom.money import format_cents
from tastingroom.people.customers import customer_info
from tastingroom.people.staff import Action, Approval, AuthError, StaffMember, require
from tastingroom.selling.age import AgeCheckResult, needs_check
from tastingroom.selling.cart import Cart, check_quantity
from tastingroom.selling.pricing import (
    Discount,
    PricedCart,
    PricingContext,
    discount_share_ppm,
    price_cart,
)
from tastingroom.selling.tabs import close_paid
from tastingroom.selling.tenders import Settlement, TenderInput, TenderKind, settle
from tastingroom.settings import StoreSettings, load_settings, tax_rates
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AgeCheck,
    AuditEntry,
    NumberSequence,
    Order,
    OrderLine,
    OrderLineDiscount,
    OutboxItem,
    Sku,
    Stock,
    Tender,
    new_id,
    utcnow,
)
from tastingroom.store.prepared import Prepared
from tastingroom.sync.outbox import OutboxKind, enqueue, outbox_row

if TYPE_CHECKING:
    from tastingroom.selling.refunds import CommittedRefund

# The sale's statements, built once: building them per sale costs more than SQLite
# takes to run them (see `tastingroom bench`).
_stock = Stock.__table__
_sequence = NumberSequence.__table__
STOCK_DELTA = (
    _stock.update()
    .where(_stock.c.sku_id == bindparam("b_sku"), _stock.c.pool == bindparam("b_pool"))
    .values(on_hand=_stock.c.on_hand + bindparam("b_delta"))
)
"""Moves a counted SKU's stock; run with one parameter set per line (executemany)."""
NEXT_NUMBER = (
    _sequence.update()
    .where(_sequence.c.prefix == bindparam("b_prefix"))
    .values(last_value=_sequence.c.last_value + 1)
    .returning(_sequence.c.last_value)
)


class SaleStatements:
    """The sale commit's statements, compiled once for this database's dialect."""

    def __init__(self, dialect: Dialect) -> None:
        self.next_number = Prepared(NEXT_NUMBER, dialect)
        self.first_number = Prepared(_sequence.insert(), dialect)
        self.order = Prepared(Order.__table__.insert(), dialect)
        self.lines = Prepared(OrderLine.__table__.insert(), dialect)
        self.discounts = Prepared(OrderLineDiscount.__table__.insert(), dialect)
        self.tenders = Prepared(Tender.__table__.insert(), dialect)
        self.age_check = Prepared(AgeCheck.__table__.insert(), dialect)
        self.stock = Prepared(STOCK_DELTA, dialect)
        self.outbox = Prepared(OutboxItem.__table__.insert(), dialect)
        self.audit = Prepared(AuditEntry.__table__.insert(), dialect)
        self.drawer = SaleDrawer(dialect)


class SaleRefused(EntryRefused):
    """The sale was not committed; nothing was written. The message says why."""


@dataclass(frozen=True)
class CommittedSale:
    order_id: str
    number: str
    priced: PricedCart
    settlement: Settlement
    tenders: tuple[TenderInput, ...]
    created_at: datetime
    kinds: frozenset[str] = field(default_factory=frozenset)


@dataclass
class PreparedSale:
    """A checked sale and every row it writes, not yet written (`Register.prepare`)."""

    order_row: dict[str, object]
    line_rows: list[dict[str, object]]
    discount_rows: list[dict[str, object]]
    """The lines' discount parts; none when no line is discounted."""
    tender_rows: list[dict[str, object]]
    stock_rows: list[dict[str, object]]
    age_rows: list[dict[str, object]]
    staff_id: str
    priced: PricedCart
    settlement: Settlement
    tenders: tuple[TenderInput, ...]
    created_at: datetime
    kinds: frozenset[str]
    tab_id: str | None = None
    """The open tab this sale pays (`Cart.tab_id`); `write` closes it with the sale."""

    @property
    def cash_in_cents(self) -> int:
        """The cash the guest hands over (before change): the drawer's cash-sale movement."""
        return sum(t.amount_cents for t in self.tenders if t.kind is TenderKind.CASH)


def format_number(prefix: str, value: int) -> str:
    return f"{prefix}-{value:06d}"


class Register:
    """The engine's face to one register: prices carts and commits sales."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.settings: StoreSettings = StoreSettings()
        self._tax_rates: dict[str, int] = {}
        self.reload_settings()
        self._index: CatalogIndex | None = None
        self._sql = SaleStatements(db.engine.dialect)
        self.after_commit: list[Callable[[CommittedSale], None]] = []
        """Called with each committed sale (the sync thread's wake-up, the receipt)."""

    @property
    def limits(self) -> Limits:
        """The store's limits on amounts typed at the counter."""
        return self.settings.limits

    def new_cart(self, staff_id: str) -> Cart:
        """An empty cart that checks what is typed against this store's limits."""
        return Cart(staff_id=staff_id, limits=self.limits)

    def reload_settings(self) -> None:
        """Read the settings and destination tax rates again (after they were changed)."""
        with self.db.read() as s:
            self.settings = load_settings(s)
            self._tax_rates = tax_rates(s)

    @property
    def catalog(self) -> CatalogIndex:
        """The search index, built on first use; `refresh_catalog` after the catalog changes."""
        if self._index is None:
            self.refresh_catalog()
        assert self._index is not None
        return self._index

    def refresh_catalog(self) -> None:
        with self.db.read() as s:
            self._index = CatalogIndex.from_session(s)

    def attach_customer(self, cart: Cart, customer_id: str | None) -> None:
        """Attach (or with None, detach) a customer; their club pricing applies at once."""
        if customer_id is None:
            cart.customer = None
            return
        with self.db.read() as s:
            cart.customer = customer_info(s, customer_id)

    # --- pricing ----------------------------------------------------------------------------

    def context(self, cart: Cart) -> PricingContext:
        state = cart.ship_to.state.upper() if cart.ship_to else None
        rate = self._tax_rates.get(state, self.settings.tax_rate_ppm) if state else None
        customer = cart.customer
        return PricingContext(
            settings=self.settings,
            price_level=customer.price_level if customer else None,
            clubs=customer.clubs if customer else (),
            tax_exempt=customer.tax_exempt if customer else False,
            tax_rate_ppm=self.settings.tax_rate_ppm if rate is None else rate,
            shipping_cents=cart.ship_to.shipping_cents if cart.ship_to else 0,
            tip_cents=cart.tip_cents,
            order_discount=cart.order_discount,
        )

    def knows_tax_for(self, state: str) -> bool:
        """Is a tax rate set for orders shipped to `state`? (Otherwise the store's applies.)"""
        return state.upper() in self._tax_rates

    def price(self, cart: Cart) -> PricedCart:
        return price_cart(cart.pricing_inputs(), self.context(cart))

    def discount_needs_approval(self, cart: Cart, index: int | None, discount: Discount) -> bool:
        """Would this manual discount (on line `index`, or on the whole order) exceed the
        store's limit, so that a manager must approve it?"""
        priced = self.price(cart)
        if index is None:
            base = sum(p.net_cents + p.order_discount_cents for p in priced.lines)
        else:
            base = priced.lines[index].before_manual_cents
        return discount_share_ppm(discount.cents_off(base), base) > self.settings.discount_limit_ppm

    def _check_privileges(self, cart: Cart, priced: PricedCart) -> None:
        limit = self.settings.discount_limit_ppm
        for index, (line, p) in enumerate(zip(cart.lines, priced.lines, strict=True)):
            if line.override_cents is not None:
                require(
                    line.override_approval,
                    Action.PRICE_OVERRIDE,
                    cart.asked_for(line.override_approval),
                )
            if discount_share_ppm(p.manual_discount_cents, p.before_manual_cents) > limit:
                try:
                    require(
                        line.discount_approval,
                        Action.DISCOUNT_OVER_LIMIT,
                        cart.asked_for(line.discount_approval),
                    )
                except AuthError as exc:
                    raise AuthError(f"Line {index + 1}: {exc}") from exc
        order_off = sum(p.order_discount_cents for p in priced.lines)
        base = sum(p.net_cents + p.order_discount_cents for p in priced.lines)
        if discount_share_ppm(order_off, base) > limit:
            approval = cart.order_discount_approval
            require(approval, Action.DISCOUNT_OVER_LIMIT, cart.asked_for(approval))

    # --- the last guard ---------------------------------------------------------------------

    def _check_entries(self, cart: Cart, tenders: list[TenderInput]) -> None:
        """Every amount and text typed into the cart, checked again against the store's
        limits now: a cart is plain data, and may have been changed around its methods."""
        limits = self.limits
        discounts = [cart.order_discount, *(line.discount for line in cart.lines)]
        with refused_as(SaleRefused):
            for line in cart.lines:
                check_quantity(line.quantity)
                if line.override_cents is not None:
                    entry.cents(line.override_cents, entry.OVERRIDE, limits.override_cents)
            entry.cents(cart.tip_cents, entry.TIP, limits.tip_cents)
            if cart.ship_to is not None:
                entry.cents(cart.ship_to.shipping_cents, entry.SHIPPING, limits.shipping_cents)
            for checked in (cart.ship_to, *discounts, *tenders):
                if checked is not None:
                    dataclasses.replace(checked)  # runs its own checks again

    def _check_lines(self, priced: PricedCart) -> None:
        """No line comes to more than the store's line limit, as priced for this customer."""
        limit = self.limits.line_cents
        for p in priced.lines:
            if p.gross_cents > limit:
                raise SaleRefused(
                    f"{p.name} comes to {format_cents(p.gross_cents)}: a line cannot be more "
                    f"than {format_cents(limit)} (store limit).",
                    entry.LINE.field,
                )

    # --- committing -------------------------------------------------------------------------

    def commit(
        self,
        cart: Cart,
        staff: StaffMember,
        tenders: list[TenderInput],
        age_check: AgeCheckResult | None = None,
    ) -> CommittedSale:
        """Validate everything, then write the sale in one transaction. See module docstring."""
        if any(t.kind is TenderKind.EXCHANGE for t in tenders):
            raise SaleRefused("Exchange credit comes only from a return (see `refunds`).")
        sale = self.prepare(cart, staff, tenders, age_check)
        # The write itself: statements compiled once, on the driver's cursor, so that the
        # writer lock is held for as short a time as possible (see `tastingroom bench`).
        with self.db.write_core() as conn:
            self.write(conn, sale)
        return self.committed(sale)

    def prepare(
        self,
        cart: Cart,
        staff: StaffMember,
        tenders: list[TenderInput],
        age_check: AgeCheckResult | None = None,
    ) -> PreparedSale:
        """Check a sale and build every row it writes, writing nothing (see `commit`)."""
        if staff.id != cart.staff_id:
            raise SaleRefused("This cart was rung by someone else; sign in as them to finish it.")
        if not cart.lines:
            raise SaleRefused("The cart is empty.")
        self._check_entries(cart, tenders)
        priced = self.price(cart)
        self._check_lines(priced)
        self._check_privileges(cart, priced)
        if needs_check(self.settings, cart.kinds):
            if age_check is None:
                raise SaleRefused("This order has alcohol: check the guest's age before payment.")
            if not age_check.passed:
                raise SaleRefused(f"The age check did not pass: {age_check.message}")
        if not tenders:
            raise SaleRefused(f"Take payment of {format_cents(priced.total_cents)} first.")
        settlement = settle(priced.total_cents, tenders, self.limits)

        now = utcnow()
        order_id = new_id()
        order_row = self._order_row(cart, staff, priced, order_id, now)
        line_rows = [
            {
                "id": new_id(),
                "order_id": order_id,
                "line_no": line_no,
                "sku_id": line.item.sku_id,
                "sku_code": p.sku_code,
                "name": p.name,
                "kind": p.kind.value,
                "quantity": p.quantity,
                "units": p.units,
                "unit_price_cents": p.unit_price_cents,
                "original_price_cents": p.original_price_cents,
                "discount_cents": p.discount_cents,
                "taxable": p.taxable,
                "tax_rate_ppm": p.tax_rate_ppm,
                "tax_cents": p.tax_cents,
                "net_cents": p.net_cents,
                "explanation": "; ".join(p.explanation),
            }
            for line_no, (line, p) in enumerate(zip(cart.lines, priced.lines, strict=True), 1)
        ]
        discount_rows = [
            {
                "id": new_id(),
                "order_id": order_id,
                "line_no": line_no,
                "kind": part.kind.value,
                "label": part.label,
                "cents": part.cents,
            }
            for line_no, p in enumerate(priced.lines, 1)
            for part in p.parts
        ]
        tender_rows = [
            {
                "id": new_id(),
                "order_id": order_id,
                "kind": t.kind.value,
                "amount_cents": t.amount_cents,
                "change_cents": settlement.change_cents
                if index == settlement.change_from_index
                else 0,
                "card_type": t.card_type,
                "card_last4": t.card_last4,
                "approval_code": t.approval_code,
                "gift_card_code": t.gift_card_code,
                "check_number": t.check_number,
                "account": t.account,
                "reason": t.reason,
            }
            for index, t in enumerate(tenders)
        ]
        stock_rows = [
            {
                "b_sku": line.item.base_sku_id,
                "b_pool": self.settings.inventory_pool,
                "b_delta": -line.quantity * line.item.units,
            }
            for line in cart.lines
        ]
        age_rows = []
        if age_check is not None:
            age_rows.append(
                {
                    "id": new_id(),
                    "order_id": order_id,
                    "staff_id": age_check.staff_id,
                    "checked_at": age_check.checked_at,
                    "method": age_check.method.value,
                    "passed": age_check.passed,
                    "age_years": age_check.age_years,
                    "purpose": "sale",
                }
            )
        return PreparedSale(
            order_row=order_row,
            line_rows=line_rows,
            discount_rows=discount_rows,
            tender_rows=tender_rows,
            stock_rows=stock_rows,
            age_rows=age_rows,
            staff_id=staff.id,
            priced=priced,
            settlement=settlement,
            tenders=tuple(tenders),
            created_at=now,
            kinds=frozenset(cart.kinds),
            tab_id=cart.tab_id,
        )

    def write(self, conn: Connection, sale: PreparedSale) -> str:
        """Write a prepared sale inside the caller's transaction (with its cash and change
        as drawer movements, and the store's drawer rule checked there); returns its number."""
        sql = self._sql
        cash_in = sale.cash_in_cents
        # The store's drawer rule is checked, and the session found, in this transaction.
        with refused_as(SaleRefused):
            drawer = sql.drawer.session_for(conn, self.settings, cash=cash_in > 0)
        number = self._next_number(conn)
        sale.order_row["number"] = number
        sql.order.run(conn, [sale.order_row])
        sql.lines.run(conn, sale.line_rows)
        if sale.discount_rows:
            sql.discounts.run(conn, sale.discount_rows)
        sql.tenders.run(conn, sale.tender_rows)
        if sale.age_rows:
            sql.age_check.run(conn, sale.age_rows)
        sql.stock.run(conn, sale.stock_rows)
        order_id = str(sale.order_row["id"])
        if sale.tab_id is not None:
            # The party's tab closes with its sale, or neither happens.
            with refused_as(SaleRefused):
                close_paid(conn, sale.tab_id, order_id, sale.staff_id, sale.created_at)
        if drawer is not None:
            sql.drawer.record(
                conn,
                drawer,
                order_id,
                sale.staff_id,
                sale.created_at,
                [
                    (MovementKind.CASH_SALE, cash_in),
                    (MovementKind.CHANGE, sale.settlement.change_cents),
                ],
            )
        sql.outbox.run(conn, [outbox_row(OutboxKind.ORDER, order_id)])
        sql.audit.run(
            conn,
            [
                {
                    "id": new_id(),
                    "at": sale.created_at,
                    "action": "sale",
                    "requested_by": sale.staff_id,
                    "order_id": order_id,
                    "detail": f"{number} {format_cents(sale.priced.total_cents)}",
                }
            ],
        )
        return number

    def committed(self, sale: PreparedSale) -> CommittedSale:
        """The sale as committed (once `write`'s transaction has committed); tells
        `after_commit`'s listeners."""
        done = CommittedSale(
            order_id=str(sale.order_row["id"]),
            number=str(sale.order_row["number"]),
            priced=sale.priced,
            settlement=sale.settlement,
            tenders=sale.tenders,
            created_at=sale.created_at,
            kinds=sale.kinds,
        )
        for callback in self.after_commit:
            callback(done)
        return done

    def _order_row(
        self, cart: Cart, staff: StaffMember, priced: PricedCart, order_id: str, now: datetime
    ) -> dict[str, object]:
        customer = cart.customer
        ship = cart.ship_to
        return {
            "id": order_id,
            "source": "register",
            "status": "completed",
            "transaction_type": "order",
            "created_at": now,
            "date_modified": now,
            "terminal": self.settings.terminal_prefix,
            "staff_id": staff.id,
            "customer_id": customer.id if customer else None,
            "price_level": (customer.price_level if customer else None)
            or self.settings.default_price_level,
            "inventory_pool": self.settings.inventory_pool,
            "fulfilment": "ship" if ship else "carry_out",
            "ship_first_name": ship.first_name if ship else None,
            "ship_last_name": ship.last_name if ship else None,
            "ship_address": ship.address if ship else None,
            "ship_address2": ship.address2 if ship else None,
            "ship_city": ship.city if ship else None,
            "ship_state": ship.state.upper() if ship else None,
            "ship_zip": ship.zip_code if ship else None,
            "subtotal_cents": priced.subtotal_cents,
            "discount_cents": priced.discount_cents,
            "tax_cents": priced.tax_cents,
            "shipping_cents": priced.shipping_cents,
            "tip_cents": priced.tip_cents,
            "total_cents": priced.total_cents,
            "order_discount_reason": cart.order_discount.reason if cart.order_discount else None,
            "shipping_status": "Sent to Fulfillment" if ship else "Picked Up",
        }

    def _next_number(self, conn: Session | Connection) -> str:
        """Advance this terminal's sequence inside the sale's transaction.

        A crash before commit rolls the number back with the sale, so no committed
        number is ever issued twice.
        """
        if isinstance(conn, Session):
            conn = conn.connection()
        prefix = self.settings.terminal_prefix
        returned = self._sql.next_number.run(conn, [{"b_prefix": prefix}])
        value = returned[0][0] if returned else None
        if value is None:
            value = 1
            self._sql.first_number.run(conn, [{"prefix": prefix, "last_value": value}])
        return format_number(prefix, value)

    @staticmethod
    def _adjust_stock(s: Session, sku_id: str, pool: str, delta: int) -> None:
        """Move a tracked SKU's count; items nobody counts (fees, pours) have no row."""
        s.connection().execute(STOCK_DELTA, [{"b_sku": sku_id, "b_pool": pool, "b_delta": delta}])

    # --- after the sale ---------------------------------------------------------------------

    def void_sale(self, order_id: str, staff: StaffMember, approval: Approval | None) -> None:
        """Void a committed sale: its stock comes back and WineDirect is told."""
        require(approval, Action.VOID_SALE, staff.id)
        with self.db.write() as s:
            order = s.get(Order, order_id)
            if order is None or order.source != "register" or order.transaction_type != "order":
                raise SaleRefused("Only sales rung on a register can be voided here.")
            if s.scalar(select(Order.number).where(Order.previous_order_id == order.id)):
                raise SaleRefused(
                    f"Order {order.number} has refunds; return what is left instead of voiding."
                )
            if order.status != "completed":
                raise SaleRefused(f"Order {order.number} is already {order.status}.")
            self.cash_back(s, order.id, staff.id, MovementKind.CASH_VOID, _cash_kept(order))
            order.status = "voided"
            order.date_modified = utcnow()
            for line in order.lines:
                if line.sku_id:
                    base = self._base_sku(s, line.sku_id)
                    self._adjust_stock(
                        s,
                        base,
                        order.inventory_pool or self.settings.inventory_pool,
                        line.quantity * line.units,
                    )
            enqueue(s, OutboxKind.VOID, order.id)

    def refund_sale(
        self,
        order_id: str,
        staff: StaffMember,
        approval: Approval | Sequence[Approval] | None,
        refund_tenders: list[TenderInput],
    ) -> CommittedRefund:
        """Refund a whole sale: everything still returnable comes back to stock, and
        `refund_tenders` say how the money went back (they must add up to it exactly).

        The special case of `tastingroom.selling.refunds.commit_refund` that returns every line
        in full; the tender rules are the same (see `refunds`)."""
        from tastingroom.selling import refunds  # refunds builds on the register

        return refunds.refund_everything(self, order_id, staff, approval, refund_tenders)

    def cash_back(
        self,
        s: Session,
        order_id: str,
        staff_id: str,
        kind: MovementKind,
        cents: int,
        at: datetime | None = None,
        refused: type[SaleRefused] = SaleRefused,
    ) -> None:
        """Cash handed back for a refund or void leaves the open drawer session, in the
        same transaction (refused, as a sale would be, by the store's drawer rule, and
        when the drawer should not hold that much). Call it once the order `order_id`
        is flushed in `s`; a refusal raises `refused` and the transaction writes nothing."""
        conn = s.connection()
        with refused_as(refused):
            drawer = self._sql.drawer.session_for(conn, self.settings, cash=cents > 0)
            if drawer is None or not cents:
                return
            self._sql.drawer.check_cash_out(conn, drawer, cents, kind.label)
        self._sql.drawer.record(conn, drawer, order_id, staff_id, at or utcnow(), [(kind, cents)])

    @staticmethod
    def _base_sku(s: Session, sku_id: str) -> str:
        sku = s.get(Sku, sku_id)
        return sku.base_sku_id or sku.id if sku else sku_id

    def no_sale(self, staff: StaffMember, approval: Approval | None) -> None:
        """Opening the drawer without a sale: allowed with a manager's approval, audited
        and counted in the open drawer session (`tastingroom.drawer.no_sale`)."""
        drawer_no_sale(self.db, staff, approval)


def _cash_kept(order: Order) -> int:
    """The cash a sale left in the drawer: cash tendered less the change given."""
    return sum(t.amount_cents - t.change_cents for t in order.tenders if t.kind == "cash")
