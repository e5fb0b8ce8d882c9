"""Orders as staff look them up: register and web alike, with where each stands with
WineDirect (waiting, sent, refused and why), its shipping status and tracking number.

The shipping status is WineDirect's word, except for a register sale the guest took
with them: WineDirect calls that "Picked Up", which at this counter means a web order
collected, so staff read "Carried out" (what is sent to WineDirect is unchanged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import literal_column, select

from tastingroom.entry import search_text
from tastingroom.store import order_search
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
    refund_of: str | None = None
    """For a refund, the number of the sale it gives back."""
    exchange: bool = False
    """Half of an exchange (a refund and a sale written together)."""

    @property
    def what(self) -> str:
        """What the order is, in the words the orders screen shows."""
        if self.refund_of is not None:
            return ("Exchange: refund of " if self.exchange else "Refund of ") + self.refund_of
        if self.source == "web":
            return "Web order"
        return "Exchange: sale" if self.exchange else "Sale"


def list_orders(db: Database, query: str = "", limit: int = 200) -> list[OrderRow]:
    """Newest first; searchable by any part of the order number, tracking number, or the
    customer's name or email (three characters or more: see `store.order_search`).

    Only the columns shown are read (plain rows, not ORM objects: the screen runs this
    after every pause in typing, and loading 200 whole orders was half of its time)."""
    with db.read() as s:
        stmt = (
            select(
                Order.id,
                Order.number,
                Order.created_at,
                Order.source,
                Order.status,
                Order.total_cents,
                Order.fulfilment,
                Order.shipping_status,
                Order.tracking_number,
                Order.previous_order_id,
                Order.exchange_id,
                Customer.first_name,
                Customer.last_name,
            )
            .outerjoin(Customer, Customer.id == Order.customer_id)
            .order_by(Order.created_at.desc())
            .limit(limit)
        )
        q = search_text(query)
        if q:
            wanted = order_search.phrase(q)
            if wanted is None:
                return []
            rowids = s.scalars(
                order_search.MATCHING_ROWIDS, {"phrase": wanted, "limit": limit}
            ).all()
            stmt = stmt.where(literal_column("sale_order.rowid").in_(rowids))
        rows = s.execute(stmt).all()
        outbox = {
            entity_id: (state, last_error)
            for entity_id, state, last_error in s.execute(
                select(OutboxItem.entity_id, OutboxItem.state, OutboxItem.last_error).where(
                    OutboxItem.entity_id.in_([row.id for row in rows]),
                    OutboxItem.kind.in_((OutboxKind.ORDER.value, OutboxKind.REFUND.value)),
                )
            )
        }
        previous = [row.previous_order_id for row in rows if row.previous_order_id]
        numbers = dict(
            s.execute(select(Order.id, Order.number).where(Order.id.in_(previous))).all()
        )
    out = []
    for row in rows:
        sent = outbox.get(row.id)
        if row.source == "web":
            sync, reason = "from WineDirect", None
        elif sent is None:
            sync, reason = "not sent", None
        else:
            sync, reason = SYNC_LABELS.get(sent[0], sent[0]), sent[1]
        carried = row.source == "register" and row.fulfilment == "carry_out"
        shipping = row.shipping_status
        if carried and shipping == PICKED_UP:
            shipping = CARRIED_OUT
        name = f"{row.first_name or ''} {row.last_name or ''}".strip()
        out.append(
            OrderRow(
                row.id,
                row.number,
                row.created_at,
                row.source,
                row.status,
                name,
                row.total_cents,
                sync,
                reason,
                shipping,
                row.tracking_number,
                numbers.get(row.previous_order_id),
                row.exchange_id is not None,
            )
        )
    return out
