"""Orders as staff look them up: register and web alike, with where each stands with
WineDirect (waiting, sent, refused and why), its shipping status and tracking number.

The shipping status is WineDirect's word, except for a register sale the guest took
with them: WineDirect calls that "Picked Up", which at this counter means a web order
collected, so staff read "Carried out" (what is sent to WineDirect is unchanged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from tastingroom.entry import matches, search_text
from tastingroom.store.database import Database
from tastingroom.store.models import Customer, Order, OutboxItem
from tastingroom.sync.outbox import OutboxKind

SYNC_LABELS = {"pending": "waiting", "sent": "sent", "quarantined": "refused", "void": "voided"}
CARRIED_OUT = "Carried out"
PICKED_UP = "Picked Up"
"""WineDirect's shipping status for an order that left with the guest."""


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    number: str
    created_at: datetime
    source: str
    status: str
    customer: str
    total_cents: int
    sync: str
    sync_reason: str | None
    shipping_status: str | None
    tracking_number: str | None


def list_orders(db: Database, query: str = "", limit: int = 200) -> list[OrderRow]:
    """Newest first; searchable by order number, customer name or email."""
    with db.read() as s:
        stmt = (
            select(Order, Customer)
            .outerjoin(Customer, Customer.id == Order.customer_id)
            .order_by(Order.created_at.desc())
            .limit(limit)
        )
        q = search_text(query)
        if q:
            stmt = stmt.where(
                or_(
                    matches(Order.number, q),
                    matches(Order.tracking_number, q),
                    matches(Customer.email, q),
                    matches(Customer.first_name + " " + Customer.last_name, q),
                )
            )
        rows = s.execute(stmt).all()
        ids = [order.id for order, _ in rows]
        outbox = {
            item.entity_id: item
            for item in s.scalars(
                select(OutboxItem).where(
                    OutboxItem.entity_id.in_(ids),
                    OutboxItem.kind.in_((OutboxKind.ORDER.value, OutboxKind.REFUND.value)),
                )
            )
        }
    out = []
    for order, customer in rows:
        item = outbox.get(order.id)
        if order.source == "web":
            sync, reason = "from WineDirect", None
        elif item is None:
            sync, reason = "not sent", None
        else:
            sync, reason = SYNC_LABELS.get(item.state, item.state), item.last_error
        out.append(
            OrderRow(
                order.id,
                order.number,
                order.created_at,
                order.source,
                order.status,
                customer.name if customer else "",
                order.total_cents,
                sync,
                reason,
                _shipping_shown(order),
                order.tracking_number,
            )
        )
    return out


def _shipping_shown(order: Order) -> str | None:
    """The shipping status as staff read it (see the module's docstring)."""
    carried = order.source == "register" and order.fulfilment == "carry_out"
    return CARRIED_OUT if carried and order.shipping_status == PICKED_UP else order.shipping_status
