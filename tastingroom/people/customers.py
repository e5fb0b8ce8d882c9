"""Customers in the local cache: finding them at the counter and adding new ones.

A new customer gets our UUID, which goes to WineDirect as `AltContactID`; the
contact id WineDirect gives back is stored beside it once sync learns it. What staff
type for a customer, and what they search for, passes `tastingroom.entry`'s rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from tastingroom import entry
from tastingroom.entry import EntryRefused, matches, refused_as, search_text
from tastingroom.selling.cart import CustomerInfo, ShipTo
from tastingroom.selling.pricing import ClubTerms
from tastingroom.store.database import Database
from tastingroom.store.models import ClubMembership, Customer, ShippingAddress, new_id, utcnow
from tastingroom.sync.outbox import OutboxKind, enqueue

ACTIVE = "Active"


class CustomerError(EntryRefused):
    """A customer that cannot be saved as entered."""


@dataclass(frozen=True)
class NewCustomer:
    """A customer as typed at the counter, cleaned by the text rules as it is made."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        with refused_as(CustomerError):
            for name, rule in _RULES:
                object.__setattr__(self, name, entry.text(getattr(self, name), rule))
            for name, rule in _OPTIONAL_RULES:
                object.__setattr__(self, name, entry.optional_text(getattr(self, name), rule))
        if not (self.first_name or self.last_name):
            raise CustomerError("A customer needs a name.", entry.FIRST_NAME.field)
        if self.email and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email):
            raise CustomerError(f"{self.email!r} is not an email address.", entry.EMAIL.field)


_RULES = (("first_name", entry.FIRST_NAME), ("last_name", entry.LAST_NAME))
_OPTIONAL_RULES = (("email", entry.EMAIL), ("phone", entry.PHONE))


def customer_info(session: Session, customer_id: str) -> CustomerInfo:
    """The customer with the clubs whose terms apply to them now (active memberships)."""
    row = session.scalar(
        select(Customer)
        .where(Customer.id == customer_id)
        .options(selectinload(Customer.memberships).selectinload(ClubMembership.club))
    )
    if row is None:
        raise CustomerError("That customer is not in this register's list.")
    clubs = tuple(
        ClubTerms(
            name=m.club.name,
            discount_ppm=m.club.discount_ppm,
            kinds=frozenset(k for k in m.club.discount_kinds.split(",") if k),
            waives_tasting_fee=m.club.waives_tasting_fee,
        )
        for m in row.memberships
        if m.status == ACTIVE
    )
    return CustomerInfo(
        id=row.id,
        name=row.name,
        price_level=row.price_level,
        tax_exempt=row.non_taxable,
        clubs=clubs,
        email=row.email,
    )


def ship_to_customer(
    session: Session, customer_id: str, shipping_cents: int, address_id: str | None = None
) -> ShipTo:
    """Where a shipped order goes: one of the customer's saved shipping addresses when
    `address_id` is given, otherwise the customer's own address. (A new address is typed
    straight into a `ShipTo`.)"""
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise CustomerError("That customer is not in this register's list.")
    if address_id is not None:
        saved = session.get(ShippingAddress, address_id)
        if saved is None or saved.customer_id != customer_id:
            raise CustomerError("That shipping address does not belong to this customer.")
        return ShipTo(
            saved.first_name,
            saved.last_name,
            saved.address,
            saved.city,
            saved.state,
            saved.zip_code,
            shipping_cents,
            saved.address2,
        )
    return ShipTo(
        customer.first_name,
        customer.last_name,
        customer.address or "",
        customer.city or "",
        customer.state or "",
        customer.zip_code or "",
        shipping_cents,
        customer.address2,
    )


def saved_addresses(session: Session, customer_id: str) -> list[ShippingAddress]:
    """The customer's saved shipping addresses, their default first."""
    return list(
        session.scalars(
            select(ShippingAddress)
            .where(ShippingAddress.customer_id == customer_id)
            .order_by(ShippingAddress.is_default.desc(), ShippingAddress.address)
        )
    )


def one_line(address: str, city: str, state: str, zip_code: str) -> str:
    """An address as one line for a button or a list: "12 Vine St, Napa CA 94558"."""
    return f"{address}, {city} {state.upper()} {zip_code}".strip(", ")


def search(session: Session, query: str, limit: int = 30) -> list[Customer]:
    """By name, email or phone; digits in the query match phone numbers however typed.
    `%` and `_` are looked for as themselves."""
    q = search_text(query)
    if not q:
        return []
    conditions = [
        matches(Customer.first_name, q),
        matches(Customer.last_name, q),
        matches(Customer.first_name + " " + Customer.last_name, q),
        matches(Customer.email, q),
    ]
    digits = re.sub(r"\D", "", q)
    if len(digits) >= 3:
        conditions.append(matches(Customer.phone, digits))
    return list(
        session.scalars(
            select(Customer)
            .where(or_(*conditions))
            .order_by(Customer.last_name, Customer.first_name)
            .limit(limit)
        )
    )


def add_customer(db: Database, new: NewCustomer) -> str:
    """Save a customer here and queue them for WineDirect in the same transaction."""
    phone = re.sub(r"\D", "", new.phone) if new.phone else None
    with db.write() as s:
        row = Customer(
            id=new_id(),
            first_name=new.first_name,
            last_name=new.last_name,
            email=new.email.lower() if new.email else None,
            phone=phone or None,
            date_modified=utcnow(),
        )
        s.add(row)
        s.flush()
        enqueue(s, OutboxKind.CONTACT, row.id)
    return row.id
