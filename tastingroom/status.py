"""What a person needs to know about this register at a glance: where its data is,
what is still waiting to reach WineDirect and how old the oldest of it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OutboxItem, utcnow
from tastingroom.sync.outbox import summary


@dataclass(frozen=True)
class Status:
    database: str
    store: str
    terminal: str
    orders: int
    pending: int
    quarantined: int
    oldest_pending_at: datetime | None
    oldest_pending_age_s: float | None
    last_sync_at: datetime | None

    def as_dict(self) -> dict[str, object]:
        return {
            "database": self.database,
            "store": self.store,
            "terminal": self.terminal,
            "orders": self.orders,
            "pending": self.pending,
            "quarantined": self.quarantined,
            "oldest_pending_at": _iso(self.oldest_pending_at),
            "oldest_pending_age_seconds": None
            if self.oldest_pending_age_s is None
            else round(self.oldest_pending_age_s, 1),
            "last_sync_at": _iso(self.last_sync_at),
        }

    def render(self) -> str:
        lines = [
            f"Database:        {self.database}",
            f"Store:           {self.store} (terminal {self.terminal})",
            f"Orders here:     {self.orders}",
            f"Waiting to sync: {self.pending}",
        ]
        if self.oldest_pending_age_s is not None:
            lines.append(f"Oldest waiting:  {_age(self.oldest_pending_age_s)} old")
        if self.quarantined:
            lines.append(f"Rejected by WineDirect (needs attention): {self.quarantined}")
        lines.append(
            "Last sync:       "
            + (self.last_sync_at.strftime("%Y-%m-%d %H:%M UTC") if self.last_sync_at else "never")
        )
        return "\n".join(lines)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _age(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    if seconds < 172_800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def read_status(db: Database, now: datetime | None = None) -> Status:
    now = now or utcnow()
    with db.read() as s:
        settings = load_settings(s)
        box = summary(s)
        orders = s.scalar(select(func.count()).select_from(Order)) or 0
        last_sent = s.scalar(select(func.max(OutboxItem.sent_at)))
    return Status(
        database=str(db.path),
        store=settings.store_name,
        terminal=settings.terminal_prefix,
        orders=orders,
        pending=box.pending,
        quarantined=box.quarantined,
        oldest_pending_at=box.oldest_pending_at,
        oldest_pending_age_s=box.oldest_pending_age_seconds(now),
        last_sync_at=last_sent,
    )
