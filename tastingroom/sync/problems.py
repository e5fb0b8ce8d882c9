"""What sync could not settle by itself, kept until a person has seen it.

Orders WineDirect refused live in the outbox (quarantine). Everything else a manager
must look at is a `SyncProblem`: a pulled record that could not be stored, a pickup
handed over twice, a number prefix that WineDirect already holds for another register.
A problem is keyed by its kind and subject, so seeing it again updates it instead of
listing it twice, and it closes by itself once the cause is gone (or when a manager
acknowledges it, for those only a person can close).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from tastingroom.people.staff import Action, Approval, StaffMember, require
from tastingroom.store.database import Database
from tastingroom.store.models import SyncProblem, utcnow

PULL = "pull"
PICKUP_TWICE = "pickup_twice"
NUMBERING = "numbering"

DETAIL_LIMIT = 2000
"""Problems are shown on screens and in `status`: a few lines, never a whole reply."""


@dataclass(frozen=True)
class Problem:
    id: int
    kind: str
    key: str
    label: str
    detail: str
    first_seen: datetime
    last_seen: datetime


def report(s: Session, kind: str, key: str, label: str, detail: str) -> None:
    """Open (or refresh) the problem `kind`/`key` in the caller's transaction."""
    now = utcnow()
    row = s.scalar(select(SyncProblem).where(SyncProblem.kind == kind, SyncProblem.key == key))
    if row is None:
        row = SyncProblem(kind=kind, key=key[:200], first_seen=now)
        s.add(row)
    elif row.resolved_at is not None:
        row.first_seen = now
    row.label, row.detail = label[:200], detail[:DETAIL_LIMIT]
    row.last_seen, row.resolved_at = now, None


def resolve(s: Session, kind: str, key: str) -> None:
    """The cause is gone (the record stored at last, the prefix checked)."""
    s.execute(
        update(SyncProblem)
        .where(SyncProblem.kind == kind, SyncProblem.key == key, SyncProblem.resolved_at.is_(None))
        .values(resolved_at=utcnow())
    )


def open_problems(s: Session, limit: int = 50) -> list[Problem]:
    rows = s.scalars(
        select(SyncProblem)
        .where(SyncProblem.resolved_at.is_(None))
        .order_by(SyncProblem.first_seen, SyncProblem.id)
        .limit(limit)
    )
    return [
        Problem(r.id, r.kind, r.key, r.label, r.detail, r.first_seen, r.last_seen) for r in rows
    ]


def acknowledge(
    db: Database, problem_id: int, staff: StaffMember, approval: Approval | None
) -> None:
    """A manager has dealt with it (the goods of a pickup handed over twice, say); the
    approval itself is the audit row."""
    require(approval, Action.ACKNOWLEDGE_SYNC_PROBLEM, staff.id)
    with db.write() as s:
        row = s.get(SyncProblem, problem_id)
        if row is None or row.resolved_at is not None:
            raise ValueError("That problem is not open any more.")
        row.resolved_at = utcnow()
