"""Orders WineDirect refused: seen by staff, retried after correction, or voided.

A quarantined item never blocks the ones behind it. Retrying puts it back in line;
voiding it (a manager's approval, audited) closes it for good and marks the order void.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from tastingroom.people.staff import Action, Approval, StaffMember, require
from tastingroom.store.database import Database
from tastingroom.store.models import Customer, Order, OutboxItem, utcnow


class QuarantineError(ValueError):
    """That item is not in quarantine (any more)."""


@dataclass(frozen=True)
class Quarantined:
    seq: int
    kind: str
    entity_id: str
    label: str
    reason: str
    since: datetime


def list_quarantined(db: Database) -> list[Quarantined]:
    with db.read() as s:
        rows = s.scalars(
            select(OutboxItem).where(OutboxItem.state == "quarantined").order_by(OutboxItem.seq)
        ).all()
        out = []
        for row in rows:
            order = s.get(Order, row.entity_id)
            customer = s.get(Customer, row.entity_id) if order is None else None
            label = order.number if order else (customer.name if customer else row.entity_id)
            out.append(
                Quarantined(
                    row.seq, row.kind, row.entity_id, label, row.last_error or "", row.created_at
                )
            )
    return out


def retry(db: Database, seq: int) -> None:
    """Back in line, after the cause (a SKU, an address) was corrected."""
    with db.write() as s:
        row = s.get(OutboxItem, seq)
        if row is None or row.state != "quarantined":
            raise QuarantineError("That item is not waiting in quarantine.")
        row.state, row.last_error, row.in_flight_at = "pending", None, None


def void(db: Database, seq: int, staff: StaffMember, approval: Approval | None) -> None:
    """Give up on sending it (manager approval, audited); its order is marked void."""
    require(approval, Action.VOID_QUARANTINED, staff.id)
    with db.write() as s:
        row = s.get(OutboxItem, seq)
        if row is None or row.state != "quarantined":
            raise QuarantineError("That item is not waiting in quarantine.")
        row.state = "void"
        order = s.get(Order, row.entity_id)
        if order is not None and order.source == "register":
            order.status, order.date_modified = "voided", utcnow()
