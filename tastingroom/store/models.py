"""SQLAlchemy models of the register's cache.

Every amount is integer cents and every rate integer parts per million (see
`tastingroom.money`); every record has a UUID so that two terminals and
WineDirect never confuse one for another. WineDirect's own ids are stored beside
ours once known (`wd_*`). Times are UTC; the store's local date is derived only
where the law asks for it (age checks).

The schema itself is created by the Alembic migrations in `migrations/`; these
classes must stay identical to what the migrations build (a test compares them).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    """A fresh record id."""
    return str(uuid.uuid4())


def utcnow() -> datetime:
    """Now, in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored naive in UTC and read back timezone-aware.

    SQLite has no time zones; without this a value read back would silently
    lose its zone and compare wrongly with `utcnow()`.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Timestamps must be timezone-aware.")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _id() -> Mapped[str]:
    return mapped_column(String(36), primary_key=True, default=new_id)


# --- settings -------------------------------------------------------------------------------


class Setting(Base):
    """One store setting; `tastingroom.settings` gives them types and defaults."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class TaxRate(Base):
    """Sales tax for orders shipped to a state; carry-out uses the store's own rate."""

    __tablename__ = "tax_rate"
    state: Mapped[str] = mapped_column(String(8), primary_key=True)
    rate_ppm: Mapped[int] = mapped_column(Integer)


class NumberSequence(Base):
    """The last order number used per terminal prefix; advanced inside the sale's transaction."""

    __tablename__ = "number_sequence"
    prefix: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


# --- catalog --------------------------------------------------------------------------------


class Product(Base):
    __tablename__ = "product"
    id: Mapped[str] = _id()
    wd_product_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    pos_title: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    category: Mapped[str | None] = mapped_column(String(64))
    varietal: Mapped[str | None] = mapped_column(String(64))
    vintage: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    date_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    skus: Mapped[list[Sku]] = relationship(back_populates="product")


class Sku(Base):
    """Something the register sells. A pack (3-pack, 6-pack, case) is a SKU of its own,
    with its own price and barcode, that depletes `units` of its `base_sku`."""

    __tablename__ = "sku"
    id: Mapped[str] = _id()
    product_id: Mapped[str] = mapped_column(ForeignKey("product.id"), index=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    barcode: Mapped[str | None] = mapped_column(String(32), unique=True)
    unit_description: Mapped[str | None] = mapped_column(String(64))
    non_taxable: Mapped[bool] = mapped_column(Boolean, default=False)
    base_sku_id: Mapped[str | None] = mapped_column(ForeignKey("sku.id"))
    units: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    product: Mapped[Product] = relationship(back_populates="skus")


class PinnedFavourite(Base):
    """A SKU a manager pinned to the register's favourites, at `position` (0 first).
    Pinned tiles come before the best sellers and never move by themselves, so staff
    can learn where they are (`tastingroom.catalog.favourites`)."""

    __tablename__ = "pinned_favourite"
    sku_id: Mapped[str] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class Price(Base):
    __tablename__ = "price"
    sku_id: Mapped[str] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    price_level: Mapped[str] = mapped_column(String(64), primary_key=True)
    price_cents: Mapped[int] = mapped_column(Integer)
    sale_price_cents: Mapped[int | None] = mapped_column(Integer)


class Stock(Base):
    """On-hand count of a (base) SKU in one inventory pool: one pool per room or stand."""

    __tablename__ = "stock"
    sku_id: Mapped[str] = mapped_column(ForeignKey("sku.id"), primary_key=True)
    pool: Mapped[str] = mapped_column(String(64), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)


# --- customers and clubs --------------------------------------------------------------------


class Customer(Base):
    __tablename__ = "customer"
    id: Mapped[str] = _id()
    wd_contact_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_number: Mapped[str | None] = mapped_column(String(32))
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str | None] = mapped_column(String(200), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(200))
    address2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(80))
    state: Mapped[str | None] = mapped_column(String(8))
    zip_code: Mapped[str | None] = mapped_column(String(16))
    birth_date: Mapped[date | None] = mapped_column(Date)
    non_taxable: Mapped[bool] = mapped_column(Boolean, default=False)
    price_level: Mapped[str | None] = mapped_column(String(64))
    date_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    contact_types: Mapped[list[ContactType]] = relationship(cascade="all, delete-orphan")
    shipping_addresses: Mapped[list[ShippingAddress]] = relationship(cascade="all, delete-orphan")
    memberships: Mapped[list[ClubMembership]] = relationship(back_populates="customer")

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ContactType(Base):
    __tablename__ = "contact_type"
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(80), primary_key=True)


class ShippingAddress(Base):
    __tablename__ = "shipping_address"
    id: Mapped[str] = _id()
    wd_address_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(80), default="")
    last_name: Mapped[str] = mapped_column(String(80), default="")
    address: Mapped[str] = mapped_column(String(200))
    address2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(8))
    zip_code: Mapped[str] = mapped_column(String(16))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class Club(Base):
    """A wine club (each tier is a club of its own, as in WineDirect).

    `discount_kinds` is a comma-separated list of product kinds the discount applies to;
    empty means every kind.
    """

    __tablename__ = "club"
    id: Mapped[str] = _id()
    wd_club_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    discount_ppm: Mapped[int] = mapped_column(Integer, default=0)
    discount_kinds: Mapped[str] = mapped_column(String(200), default="")
    waives_tasting_fee: Mapped[bool] = mapped_column(Boolean, default=True)


class ClubMembership(Base):
    __tablename__ = "club_membership"
    id: Mapped[str] = _id()
    wd_membership_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customer.id"), index=True)
    club_id: Mapped[str] = mapped_column(ForeignKey("club.id"))
    status: Mapped[str] = mapped_column(String(16), default="Active")
    is_pickup: Mapped[bool] = mapped_column(Boolean, default=False)
    pickup_location: Mapped[str | None] = mapped_column(String(64))
    date_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    customer: Mapped[Customer] = relationship(back_populates="memberships")
    club: Mapped[Club] = relationship()


# --- staff and audit ------------------------------------------------------------------------


class Staff(Base):
    """A person who uses the register. The PIN is kept only as a salted scrypt hash."""

    __tablename__ = "staff"
    id: Mapped[str] = _id()
    name: Mapped[str] = mapped_column(String(80), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    pin_hash: Mapped[str] = mapped_column(String(200))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AuditEntry(Base):
    """Who asked for what, who approved it, and when. Never updated, never deleted."""

    __tablename__ = "audit_entry"
    id: Mapped[str] = _id()
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(40))
    requested_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("sale_order.id"))
    detail: Mapped[str] = mapped_column(Text, default="")


# --- orders ---------------------------------------------------------------------------------


class Order(Base):
    """A register sale or a web order held here (pickups, orders shipped by WineDirect).

    Register orders are numbered `<prefix>-<sequence>`; web orders keep WineDirect's
    number. Totals are what `pricing` computed from the lines, never typed in.
    """

    __tablename__ = "sale_order"
    id: Mapped[str] = _id()
    number: Mapped[str] = mapped_column(String(50), unique=True)
    source: Mapped[str] = mapped_column(String(16), default="register")
    status: Mapped[str] = mapped_column(String(16), default="completed")
    transaction_type: Mapped[str] = mapped_column(String(8), default="order")
    previous_order_id: Mapped[str | None] = mapped_column(ForeignKey("sale_order.id"), index=True)
    """For a refund: the order it returns goods or money from (`tastingroom.selling.refunds`)."""
    exchange_id: Mapped[str | None] = mapped_column(String(36))
    """Shared by the refund and the new sale of one exchange: one receipt shows both."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    terminal: Mapped[str | None] = mapped_column(String(16))
    staff_id: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customer.id"), index=True)
    price_level: Mapped[str | None] = mapped_column(String(64))
    inventory_pool: Mapped[str | None] = mapped_column(String(64))
    fulfilment: Mapped[str] = mapped_column(String(16), default="carry_out")
    ship_first_name: Mapped[str | None] = mapped_column(String(80))
    ship_last_name: Mapped[str | None] = mapped_column(String(80))
    ship_address: Mapped[str | None] = mapped_column(String(200))
    ship_address2: Mapped[str | None] = mapped_column(String(200))
    ship_city: Mapped[str | None] = mapped_column(String(80))
    ship_state: Mapped[str | None] = mapped_column(String(8))
    ship_zip: Mapped[str | None] = mapped_column(String(16))
    subtotal_cents: Mapped[int] = mapped_column(Integer, default=0)
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    tax_cents: Mapped[int] = mapped_column(Integer, default=0)
    shipping_cents: Mapped[int] = mapped_column(Integer, default=0)
    tip_cents: Mapped[int] = mapped_column(Integer, default=0)
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    order_discount_reason: Mapped[str | None] = mapped_column(String(200))
    wd_order_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    wd_order_number: Mapped[str | None] = mapped_column(String(32))
    shipping_status: Mapped[str | None] = mapped_column(String(32))
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pickup_location: Mapped[str | None] = mapped_column(String(64))
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    date_modified: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order",
    )
    tenders: Mapped[list[Tender]] = relationship(cascade="all, delete-orphan")
    age_checks: Mapped[list[AgeCheck]] = relationship()

    __table_args__ = (
        # pickups waiting at this location, oldest first, without reading the register's
        # own history (`tastingroom.fulfilment.pickups`)
        Index("ix_sale_order_pickups", "source", "pickup_location", "picked_up_at", "created_at"),
    )


class OrderLine(Base):
    """One line as priced at the time of sale: the numbers and the words that explain them."""

    __tablename__ = "order_line"
    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("sale_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sku_id: Mapped[str | None] = mapped_column(ForeignKey("sku.id"))
    sku_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    quantity: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    original_price_cents: Mapped[int] = mapped_column(Integer)
    discount_cents: Mapped[int] = mapped_column(Integer, default=0)
    taxable: Mapped[bool] = mapped_column(Boolean, default=True)
    tax_rate_ppm: Mapped[int] = mapped_column(Integer, default=0)
    tax_cents: Mapped[int] = mapped_column(Integer, default=0)
    net_cents: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text, default="")
    tracking_number: Mapped[str | None] = mapped_column(String(64))
    disposition: Mapped[str | None] = mapped_column(String(16))
    """On a refund's line: "restock" (back on the shelf) or "damaged" (written off).
    A refund's line keeps the `line_no` of the line it returns."""
    order: Mapped[Order] = relationship(back_populates="lines")


class OrderLineDiscount(Base):
    """One part of a sale line's discount as pricing decided it (`PricedLine.parts`): its
    kind (`selling.pricing.DiscountKind`), which club or reason, and the cents it took
    off. A line's parts add up to its `discount_cents`; sales written before these were
    kept (migration 0009) have none, and the day report reads their explanation instead."""

    __tablename__ = "order_line_discount"
    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("sale_order.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    """The `OrderLine.line_no` of the line in the same order."""
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(200), default="")
    cents: Mapped[int] = mapped_column(Integer)


class Tender(Base):
    """A payment. Cards are taken on a separate terminal: type, last four and approval
    code are all that is ever recorded here."""

    __tablename__ = "tender"
    id: Mapped[str] = _id()
    order_id: Mapped[str] = mapped_column(ForeignKey("sale_order.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    change_cents: Mapped[int] = mapped_column(Integer, default=0)
    card_type: Mapped[str | None] = mapped_column(String(24))
    card_last4: Mapped[str | None] = mapped_column(String(4))
    approval_code: Mapped[str | None] = mapped_column(String(16))
    gift_card_code: Mapped[str | None] = mapped_column(String(40))
    check_number: Mapped[str | None] = mapped_column(String(20))
    account: Mapped[str | None] = mapped_column(String(80))
    reason: Mapped[str | None] = mapped_column(String(200))


class AgeCheck(Base):
    """Proof of age for an order: only what the law allows (no licence number)."""

    __tablename__ = "age_check"
    id: Mapped[str] = _id()
    order_id: Mapped[str | None] = mapped_column(ForeignKey("sale_order.id"), index=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    method: Mapped[str] = mapped_column(String(16))
    passed: Mapped[bool] = mapped_column(Boolean)
    age_years: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16), default="sale")


# --- outbox ---------------------------------------------------------------------------------


class OutboxItem(Base):
    """Something WineDirect must be told, written in the same transaction as the change.

    `seq` is commit order; `idempotency_key` is stable across retries so that the
    same change is never applied twice.
    """

    __tablename__ = "outbox_item"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    in_flight_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    """Set, and committed, just before the item is sent; cleared when WineDirect's answer
    is recorded. Still set after a crash or a lost reply: the outcome is unknown and is
    settled by reading back before anything is sent again. Stamped in WineDirect's
    time (see `sync.clock.ServerTime`): the read-back window is compared with
    WineDirect's DateModified."""
    claimed_by: Mapped[str | None] = mapped_column(String(36))
    """The sync engine run that claimed the item for sending. A claim is taken with one
    UPDATE that only succeeds on unclaimed rows, so no row can go to two senders."""

    __table_args__ = (
        Index("ix_outbox_item_state_seq", "state", "seq"),
        Index("ix_outbox_item_sent_at", "sent_at"),  # the status's "last sent"
    )


class RemoteOrder(Base):
    """An order WineDirect holds that was sent by a register (ours or another terminal's),
    with the number that register gave it. Reading that number costs one GetOrderDetail,
    so each is read once and remembered: the read-back after a lost reply and the check
    of a new number prefix never read it again."""

    __tablename__ = "remote_order"
    wd_order_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    alt_order_number: Mapped[str | None] = mapped_column(String(50), index=True)
    date_modified: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncProblem(Base):
    """Something sync could not do by itself and a person must see: a pulled record that
    could not be stored, a pickup handed over twice, a number prefix WineDirect already
    holds. Open until `resolved_at`; seen again, it is updated, not repeated."""

    __tablename__ = "sync_problem"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("uq_sync_problem_kind_key", "kind", "key", unique=True),)


class SyncMark(Base):
    """A pull's high-water mark: the newest DateModified it has seen."""

    __tablename__ = "sync_mark"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[datetime] = mapped_column(UTCDateTime)


class SyncState(Base):
    """What the sync engine last did, for the status people see (key/value, text)."""

    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# --- the cash drawer ------------------------------------------------------------------------


class DrawerSession(Base):
    """One day (or shift) of the register's cash drawer, from the float counted in to the
    Z close (`tastingroom.drawer`). At most one is open per register; once closed it is
    final (triggers made by migration 0006 refuse any change)."""

    __tablename__ = "drawer_session"
    id: Mapped[str] = _id()
    terminal: Mapped[str] = mapped_column(String(16))
    """The terminal prefix when the session opened; Z numbers follow on per terminal."""
    status: Mapped[str] = mapped_column(String(8), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    float_cents: Mapped[int] = mapped_column(Integer)
    float_source: Mapped[str] = mapped_column(String(8))
    """"counted" (by denomination, in `float_count`) or "carried" (the last close's)."""
    float_count: Mapped[str | None] = mapped_column(Text)
    carried_from_id: Mapped[str | None] = mapped_column(ForeignKey("drawer_session.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    z_number: Mapped[int | None] = mapped_column(Integer)
    expected_cents: Mapped[int | None] = mapped_column(Integer)
    counted_cents: Mapped[int | None] = mapped_column(Integer)
    closing_count: Mapped[str | None] = mapped_column(Text)
    over_short_cents: Mapped[int | None] = mapped_column(Integer)
    over_short_reason: Mapped[str | None] = mapped_column(String(200))
    carried_float_cents: Mapped[int | None] = mapped_column(Integer)
    """The float left in the drawer for the next session."""

    __table_args__ = (
        # at most one open session per register (one database per register)
        Index(
            "uq_drawer_session_open", "status", unique=True, sqlite_where=text("status = 'open'")
        ),
        Index("uq_drawer_session_terminal_z", "terminal", "z_number", unique=True),
    )


class DrawerMovement(Base):
    """Cash into (+) or out of (-) the drawer during a session: a sale's cash and change,
    a refund or void paid back in cash, paid-in, paid-out, a drop to the safe, or a
    no-sale opening (0). Never changed or deleted."""

    __tablename__ = "drawer_movement"
    id: Mapped[str] = _id()
    session_id: Mapped[str] = mapped_column(ForeignKey("drawer_session.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("sale_order.id"), index=True)
    reason: Mapped[str | None] = mapped_column(String(200))


class DrawerZSequence(Base):
    """The last Z number issued per terminal; advanced inside the close's transaction."""

    __tablename__ = "drawer_z_sequence"
    terminal: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


# --- tabs -----------------------------------------------------------------------------------


class Tab(Base):
    """A party's tab at the bar: a cart held under a name until it is paid
    (`tastingroom.selling.tabs`). Not a sale: nothing here reaches the outbox; paying it
    writes the sale and closes the tab in one transaction. Once paid or abandoned it is
    final (a trigger made by migration 0008 refuses any change)."""

    __tablename__ = "tab"
    id: Mapped[str] = _id()
    terminal: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    name_key: Mapped[str] = mapped_column(String(40))
    """The name folded for comparison: "Smith" and "smith " are one tab's name."""
    status: Mapped[str] = mapped_column(String(12), default="open")
    """"open", "paid" or "abandoned"."""
    session_id: Mapped[str | None] = mapped_column(ForeignKey("drawer_session.id"))
    """The drawer session it belongs to: the one open when it was held, or, when none was
    or a manager carried it at a Z close, the next one opened."""
    carried_from_id: Mapped[str | None] = mapped_column(ForeignKey("drawer_session.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    opened_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    held_by: Mapped[str] = mapped_column(ForeignKey("staff.id"))
    contents: Mapped[str] = mapped_column(Text)
    """The cart as JSON: SKUs, quantities, discounts, overrides with their approvals."""
    line_count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Integer)
    """As priced when last held; resuming prices the cart again from the live catalog."""
    customer_id: Mapped[str | None] = mapped_column(String(36))
    age_check: Mapped[str | None] = mapped_column(Text)
    in_use_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    in_use_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    approved_by: Mapped[str | None] = mapped_column(ForeignKey("staff.id"))
    order_id: Mapped[str | None] = mapped_column(ForeignKey("sale_order.id"), unique=True)

    __table_args__ = (
        # a name is taken once among a terminal's open tabs
        Index(
            "uq_tab_open_name",
            "terminal",
            "name_key",
            unique=True,
            sqlite_where=text("status = 'open'"),
        ),
        Index("ix_tab_status_session", "status", "session_id"),
    )
