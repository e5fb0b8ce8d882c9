"""What the WineDirect client returns and takes: typed records in our own words.

Amounts are integer cents, counts are ints, times are aware UTC datetimes. Nothing here
spells a WineDirect field name; `mapping` translates both ways.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a search, with WineDirect's total count of matches, and the records
    of it that could not be read (set aside by the caller, never silently dropped)."""

    items: list[T]
    record_count: int
    page: int
    max_rows: int
    refused: tuple[RefusedRecord, ...] = ()

    @property
    def has_more(self) -> bool:
        return self.page * self.max_rows < self.record_count and bool(self.items or self.refused)


@dataclass(frozen=True)
class RefusedRecord:
    """A record of a search that could not be read: its WineDirect id if that could be
    read, and why."""

    key: str | None
    reason: str


@dataclass(frozen=True)
class ProductSummary:
    product_id: str
    sku: str | None
    title: str
    type: str | None
    price_cents: int | None
    sale_price_cents: int | None
    vintage: int | None
    is_active: bool
    date_modified: datetime | None


@dataclass(frozen=True)
class PriceInfo:
    level: str
    price_cents: int
    sale_price_cents: int | None
    quantity: int


@dataclass(frozen=True)
class SkuInfo:
    sku: str
    upc: str | None
    unit_description: str | None
    non_taxable: bool
    prices: tuple[PriceInfo, ...]
    inventory: dict[str, int]


@dataclass(frozen=True)
class ProductDetail:
    product_id: str
    title: str
    pos_title: str | None
    type: str | None
    is_active: bool
    date_modified: datetime | None
    varietal: str | None
    vintage: int | None
    skus: tuple[SkuInfo, ...]


@dataclass(frozen=True)
class InventoryLevel:
    sku: str
    pool: str
    pool_id: str | None
    count: int


@dataclass(frozen=True)
class ContactInfo:
    contact_id: str
    customer_number: int | None
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    address: str | None
    address2: str | None
    city: str | None
    state: str | None
    zip_code: str | None
    birth_date: date | None
    non_taxable: bool
    date_modified: datetime | None


@dataclass(frozen=True)
class ContactTypeInfo:
    contact_type_id: str
    name: str
    date_modified: datetime | None


@dataclass(frozen=True)
class ShippingAddressInfo:
    address_id: str
    contact_id: str
    first_name: str
    last_name: str
    address: str
    address2: str | None
    city: str
    state: str
    zip_code: str
    date_modified: datetime | None


@dataclass(frozen=True)
class ClubInfo:
    club_id: str
    name: str
    date_modified: datetime | None


@dataclass(frozen=True)
class MembershipInfo:
    membership_id: str
    club_id: str
    club_name: str | None
    contact_id: str
    status: str
    is_pickup: bool
    pickup_location: str | None
    date_modified: datetime | None


@dataclass(frozen=True)
class OrderSummary:
    order_id: str
    order_number: int | None
    type: str | None
    status: str | None
    payment_status: str | None
    shipping_status: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    is_pickup: bool
    is_pending_pickup: bool
    is_external: bool
    contact_id: str | None
    bill_name: str
    total_cents: int | None
    date_modified: datetime | None


@dataclass(frozen=True)
class Address:
    first_name: str
    last_name: str
    address: str
    address2: str | None
    city: str
    state: str
    zip_code: str
    email: str | None = None
    phone: str | None = None
    birth_date: date | None = None


@dataclass(frozen=True)
class OrderItemInfo:
    sku: str
    title: str | None
    quantity: int
    price_cents: int
    original_price_cents: int | None
    sales_tax_cents: int
    non_taxable: bool
    inventory_pool: str | None
    tracking_number: str | None
    shipped_at: datetime | None


@dataclass(frozen=True)
class TenderInfo:
    payment_type: str
    amount_cents: int
    card_type: str | None
    paid_at: datetime | None


@dataclass(frozen=True)
class OrderDetail:
    order_id: str
    order_number: int | None
    alt_order_number: str | None
    type: str | None
    transaction_type: str | None
    previous_order_number: int | None
    status: str | None
    payment_status: str | None
    shipping_status: str | None
    tracking_number: str | None
    shipped_at: datetime | None
    is_pickup: bool
    is_external: bool
    pickup_location: str | None
    picked_up_at: datetime | None
    contact_id: str | None
    bill_to: Address | None
    ship_to: Address | None
    items: tuple[OrderItemInfo, ...]
    tenders: tuple[TenderInfo, ...]
    subtotal_cents: int
    shipping_cents: int
    tax_cents: int
    tip_cents: int
    total_cents: int
    completed_at: datetime | None
    website_id: str | None


@dataclass(frozen=True)
class UpsertResult:
    """WineDirect's answer for one record of a batch upsert."""

    external_key: str | None
    internal_key: str | None
    ok: bool
    message: str | None


# --- what we send -----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemToSend:
    sku: str
    name: str
    quantity: int
    line_total_cents: int
    """What the line costs after every discount (WineDirect gets the unit price from it)."""
    original_price_cents: int
    tax_cents: int
    non_taxable: bool


@dataclass(frozen=True)
class TenderToSend:
    kind: str
    """Our tender kind (`tastingroom.selling.tenders.TenderKind` value)."""
    amount_cents: int
    paid_at: datetime
    card_type: str | None = None
    gift_card_code: str | None = None


@dataclass(frozen=True)
class OrderToSend:
    """A register order (or refund) as WineDirect's V304 `UpsertOrder` takes it."""

    number: str
    ordered_at: datetime
    website_code: str
    subtotal_cents: int
    shipping_cents: int
    tax_cents: int
    tip_cents: int
    total_cents: int
    items: tuple[ItemToSend, ...]
    tenders: tuple[TenderToSend, ...]
    shipping_status: str
    register_number: str
    cashier_id: str | None = None
    store_id: str | None = None
    batch_id: str | None = None
    contact_id: str | None = None
    alt_contact_id: str | None = None
    bill_to: Address | None = None
    ship_to: Address | None = None
    refund_of: str | None = None
    """For a refund: our number of the order it refunds."""


@dataclass(frozen=True)
class ContactToSend:
    alt_contact_id: str
    first_name: str
    last_name: str
    contact_id: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    address2: str | None = None
    city: str | None = None
    state: str | None = None
    zip_code: str | None = None
    birth_date: date | None = None
    non_taxable: bool = False


@dataclass(frozen=True)
class PickupToSend:
    order_number: str
    """WineDirect's order number."""
    picked_up_at: datetime
    picked_up: bool = True


@dataclass(frozen=True)
class ShippingStatusToSend:
    order_number: str
    status: str
    """A v202 code: PickedUp, Shipped, HandledExternally, SentToFulfillment, NoShippingRequired."""
    at: datetime


@dataclass(frozen=True)
class PackageToSend:
    carrier: str
    tracking_number: str
    shipped_at: datetime


@dataclass
class RateLimit:
    """What WineDirect last said about our request budget (from x-rate-limit-* headers)."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None
