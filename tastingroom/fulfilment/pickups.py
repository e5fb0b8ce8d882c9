"""Web orders waiting for pickup here, and handing them over.

Handing over is a commit like a sale: the order is marked picked up, the age check is
recorded with it (alcohol is never handed over without one), an outbox row tells
WineDirect, and an audit row names who did it, all in one transaction. An order
cancelled on the web is shown as cancelled and refused; one already collected (handed
over on the web, or here) is refused rather than handed over twice.

A line reads as the register names the product when the catalog knows its SKU
("Estate Chardonnay 2022", as on the shelf tag and the receipt), and by WineDirect's
title otherwise ("2022 Estate Chardonnay"), so that staff match the order to the shelf.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tastingroom.catalog.index import display_name
from tastingroom.entry import matches, search_text
from tastingroom.localtime import stamp
from tastingroom.people.staff import StaffMember
from tastingroom.selling.age import AgeCheckResult, needs_check
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AgeCheck,
    AuditEntry,
    Customer,
    Order,
    Product,
    Sku,
    new_id,
    utcnow,
)
from tastingroom.sync.outbox import OutboxKind, enqueue


class HandOverRefused(ValueError):
    """The order cannot be handed over (the message says why); nothing was written."""


@dataclass(frozen=True)
class Pickup:
    order_id: str
    number: str
    customer: str
    email: str | None
    status: str
    picked_up_at: datetime | None
    total_cents: int
    lines: tuple[tuple[str, int], ...]

    @property
    def waiting(self) -> bool:
        return self.status == "completed" and self.picked_up_at is None


def pickups(db: Database, query: str = "", include_done: bool = False) -> list[Pickup]:
    """Web pickup orders for this location, searchable by name, email or order number."""
    with db.read() as s:
        settings = load_settings(s)
        stmt = (
            select(Order, Customer)
            .outerjoin(Customer, Customer.id == Order.customer_id)
            .where(Order.source == "web", Order.pickup_location == settings.pickup_location)
            .order_by(Order.created_at)
        )
        q = search_text(query)
        if q:
            stmt = stmt.where(
                or_(
                    matches(Order.number, q),
                    matches(Customer.email, q),
                    matches(Customer.first_name + " " + Customer.last_name, q),
                )
            )
        if not include_done:
            stmt = stmt.where(Order.picked_up_at.is_(None))
        found = s.execute(stmt).all()
        names = register_names(s, {line.sku_code for order, _ in found for line in order.lines})
        return [
            Pickup(
                order.id,
                order.number,
                customer.name if customer else "",
                customer.email if customer else None,
                order.status,
                order.picked_up_at,
                order.total_cents,
                tuple((names.get(line.sku_code, line.name), line.quantity) for line in order.lines),
            )
            for order, customer in found
        ]


def register_names(session: Session, codes: Iterable[str]) -> dict[str, str]:
    """The register's name (`catalog.display_name`) for each of these SKU codes that the
    catalog holds, active or not; a code it does not know is left out."""
    rows = session.execute(
        select(Sku.code, Product.title, Product.pos_title, Sku.unit_description, Sku.units)
        .join(Product, Sku.product_id == Product.id)
        .where(Sku.code.in_(set(codes)))
    )
    return {code: display_name(title, pos, unit, units) for code, title, pos, unit, units in rows}


def hand_over(
    db: Database, order_id: str, staff: StaffMember, age_check: AgeCheckResult | None
) -> None:
    now = utcnow()
    with db.write() as s:
        settings = load_settings(s)
        order = s.get(Order, order_id)
        if order is None or order.source != "web" or order.pickup_location is None:
            raise HandOverRefused("That is not a web order waiting for pickup here.")
        if order.status == "cancelled":
            raise HandOverRefused(
                f"Order {order.number} was cancelled on the web; it cannot be handed over."
            )
        if order.picked_up_at is not None:
            raise HandOverRefused(
                f"Order {order.number} was already picked up "
                f"({stamp(order.picked_up_at, settings.timezone)})."
            )
        if needs_check(settings, {line.kind for line in order.lines}):
            if age_check is None:
                raise HandOverRefused("This order has alcohol: check the guest's ID first.")
            if not age_check.passed:
                raise HandOverRefused(f"The age check did not pass: {age_check.message}")
        order.picked_up_at = now
        order.shipping_status = "Picked Up"
        order.date_modified = now
        if age_check is not None:
            s.add(
                AgeCheck(
                    id=new_id(),
                    order_id=order.id,
                    staff_id=age_check.staff_id,
                    checked_at=age_check.checked_at,
                    method=age_check.method.value,
                    passed=age_check.passed,
                    age_years=age_check.age_years,
                    purpose="pickup",
                )
            )
        enqueue(s, OutboxKind.PICKUP, order.id)
        s.add(
            AuditEntry(
                id=new_id(),
                at=now,
                action="pickup",
                requested_by=staff.id,
                order_id=order.id,
                detail=f"handed over web order {order.number}",
            )
        )
