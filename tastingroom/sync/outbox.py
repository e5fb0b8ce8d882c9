"""The outbox: what WineDirect must be told, written in the same transaction as the change.

A change and its outbox row commit together or not at all, so nothing committed can be
forgotten by sync, and nothing uncommitted can be sent. The idempotency key is derived
from the record and the kind of change, so that a retry after a crash or a timeout is
recognisably the same message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from tastingroom.store.models import OutboxItem, new_id, utcnow

_INSERT = OutboxItem.__table__.insert()


class OutboxKind(StrEnum):
    ORDER = "order.upsert"
    REFUND = "order.refund"
    VOID = "order.void"
    PICKUP = "order.pickup"
    CONTACT = "contact.upsert"


def outbox_row(kind: OutboxKind, entity_id: str, revision: int = 0) -> dict[str, object]:
    """A new outbox row for `entity_id`; `revision` tells apart later changes to one record."""
    return {
        "id": new_id(),
        "kind": kind.value,
        "entity_id": entity_id,
        "idempotency_key": f"{kind.value}:{entity_id}:{revision}",
        "created_at": utcnow(),
        "state": "pending",
        "attempts": 0,
    }


def enqueue(
    target: Session | Connection, kind: OutboxKind, entity_id: str, revision: int = 0
) -> str:
    """Add one row for `entity_id` in the caller's transaction; returns its idempotency key."""
    row = outbox_row(kind, entity_id, revision)
    conn = target.connection() if isinstance(target, Session) else target
    conn.execute(_INSERT, row)
    return str(row["idempotency_key"])


@dataclass(frozen=True)
class OutboxSummary:
    pending: int
    quarantined: int
    oldest_pending_at: datetime | None

    def oldest_pending_age_seconds(self, now: datetime | None = None) -> float | None:
        if self.oldest_pending_at is None:
            return None
        return ((now or utcnow()) - self.oldest_pending_at).total_seconds()


def summary(session: Session) -> OutboxSummary:
    # Counted state by state on the (state, seq) index: a year of sent rows is never read.
    rows = {
        state: session.scalar(
            select(func.count()).select_from(OutboxItem).where(OutboxItem.state == state)
        )
        for state in ("pending", "quarantined")
    }
    oldest = session.scalar(
        select(OutboxItem.created_at)
        .where(OutboxItem.state == "pending")
        .order_by(OutboxItem.seq)
        .limit(1)
    )
    return OutboxSummary(rows.get("pending", 0), rows.get("quarantined", 0), oldest)
