"""What a person needs to know about this register at a glance: where its data is,
what is still waiting to reach WineDirect and how old the oldest of it is, and every
problem sync cannot settle alone (`problems`). "Online" means the last cycle's push and
every pull worked; anything less is a problem, said in words, until it is fixed. The
database's last full integrity check (run by the register in the background:
`store.health`) is reported too, and a failed one is a problem."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from tastingroom.localtime import stamp
from tastingroom.selling.numbering import numbering_notice
from tastingroom.settings import StoreSettings, load_settings
from tastingroom.store.database import Database
from tastingroom.store.health import IntegrityState
from tastingroom.store.health import read_state as integrity_state
from tastingroom.store.models import Order, OutboxItem, SyncState, utcnow
from tastingroom.sync import problems as sync_problems
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
    online: bool | None = None
    last_push_at: str | None = None
    last_pull_at: str | None = None
    next_attempt_at: str | None = None
    last_error: str | None = None
    quarantine_reasons: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()
    """Everything a person must know is wrong, in words; empty when all is well."""
    syncing_elsewhere: str | None = None
    """Another program holds this database's sync lock (who), or None."""
    notice: str | None = None
    """A one-time word for staff: order numbers moved to a new series, and why."""
    timezone: str = StoreSettings.timezone
    """The store's time zone: `render` shows times in it (the JSON keeps ISO UTC)."""
    integrity: IntegrityState = field(default_factory=IntegrityState)
    """The last full integrity check of the database, and whether one is owed."""

    @property
    def healthy(self) -> bool:
        return bool(self.online) and not self.problems

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
            "online": self.online,
            "last_push_at": self.last_push_at,
            "last_pull_at": self.last_pull_at,
            "next_attempt_at": self.next_attempt_at,
            "last_error": self.last_error,
            "quarantine_reasons": list(self.quarantine_reasons),
            "problems": list(self.problems),
            "syncing_elsewhere": self.syncing_elsewhere,
            "notice": self.notice,
            "integrity": {
                "result": self.integrity.result,
                "checked_at": _iso(self.integrity.checked_at),
                "reason": self.integrity.reason,
                "due": self.integrity.due,
            },
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
            lines.extend(f"  - {reason}" for reason in self.quarantine_reasons)
        if self.online is not None:
            word = "online" if self.healthy else "online, with problems"
            lines.append(f"WineDirect:      {word if self.online else 'offline'}")
        if self.problems:
            lines.append(f"Problems ({len(self.problems)}):")
            lines.extend(f"  - {problem}" for problem in self.problems)
        if self.next_attempt_at:
            lines.append(f"Next attempt:    {_when(self.next_attempt_at, self.timezone)}")
        lines.append(f"Last item sent:  {_when(self.last_sync_at, self.timezone)}")
        lines.append(f"Last pull:       {_when(self.last_pull_at, self.timezone)}")
        if self.syncing_elsewhere:
            lines.append(f"Synced by:       {self.syncing_elsewhere}")
        if self.notice:
            lines.append(f"Notice:          {self.notice}")
        lines.append(f"Integrity:       {self._integrity_line()}")
        return "\n".join(lines)

    def _integrity_line(self) -> str:
        check = self.integrity
        if check.result is None:
            said = "no full check yet (the register runs one daily, in the background)"
        else:
            verdict = "passed" if check.result == "ok" else "FAILED"
            when = _when(check.checked_at, self.timezone)
            said = f"full check {verdict} {when} ({check.reason})"
        return f"{said}; one is due: {check.due}" if check.due else said


def _when(value: datetime | str | None, zone: str) -> str:
    """A stored time (UTC) as the store's staff read it: their own zone's date and time."""
    return stamp(value, zone) if value else "never"


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
    from tastingroom.sync.lock import SyncLock  # filelock: only when status is asked for

    holder = SyncLock(db.path).holder(others_only=True)
    with db.read() as s:
        settings = load_settings(s)
        box = summary(s)
        orders = s.scalar(select(func.count()).select_from(Order)) or 0
        last_sent = s.scalar(select(func.max(OutboxItem.sent_at)))
        state = {row.key: row.value for row in s.scalars(select(SyncState))}
        reasons = tuple(
            s.scalars(
                select(OutboxItem.last_error)
                .where(OutboxItem.state == "quarantined")
                .order_by(OutboxItem.seq)
                .limit(20)
            )
        )
        open_problems = sync_problems.open_problems(s)
        notice = numbering_notice(s)
    online = {"true": True, "degraded": True, "false": False}.get(state.get("online", ""))
    found = _cycle_problems(state)
    if box.quarantined:
        found.append(f"{box.quarantined} item(s) were refused by WineDirect and need attention")
    found.extend(f"{p.label}: {p.detail}" for p in open_problems)
    integrity = integrity_state(state)
    if integrity.problem:
        found.append(integrity.problem)
    return Status(
        database=str(db.path),
        store=settings.store_name,
        terminal=settings.terminal_prefix,
        orders=orders,
        pending=box.pending,
        quarantined=box.quarantined,
        oldest_pending_at=box.oldest_pending_at,
        oldest_pending_age_s=_not_negative(box.oldest_pending_age_seconds(now)),
        last_sync_at=last_sent,
        online=online,
        last_push_at=state.get("last_push_at") or None,
        last_pull_at=state.get("last_pull_at") or None,
        next_attempt_at=state.get("next_attempt_at") or None,
        last_error=state.get("last_error") or None,
        quarantine_reasons=tuple(r or "" for r in reasons),
        problems=tuple(dict.fromkeys(found)),
        syncing_elsewhere=holder,
        notice=notice,
        timezone=settings.timezone,
        integrity=integrity,
    )


def _cycle_problems(state: dict[str, str]) -> list[str]:
    """What the last sync cycle said went wrong (see `SyncEngine.run_once`)."""
    try:
        listed = json.loads(state.get("problems") or "[]")
    except ValueError:
        listed = []
    if not listed and state.get("online") == "false" and state.get("last_error"):
        listed = [state["last_error"]]
    return [str(p) for p in listed if p]


def _not_negative(seconds: float | None) -> float | None:
    """A sale stamped by a clock that was ahead is not "-3 min old": it is new."""
    return None if seconds is None else max(0.0, seconds)


def end_of_day_warning(db: Database) -> str | None:
    """What to tell staff closing the register if anything has not reached WineDirect."""
    status = read_status(db)
    with db.read() as s:
        twice = [p for p in sync_problems.open_problems(s) if p.kind == sync_problems.PICKUP_TWICE]
    if not status.pending and not status.quarantined and not twice:
        return None
    parts = []
    if status.pending:
        parts.append(
            f"{status.pending} item(s) have not reached WineDirect yet"
            + (
                f" (the oldest is {_age(status.oldest_pending_age_s)} old)"
                if status.oldest_pending_age_s is not None
                else ""
            )
        )
    if status.quarantined:
        parts.append(f"{status.quarantined} were refused by WineDirect and need attention")
    if twice:
        parts.append(
            f"{len(twice)} pickup(s) were handed over here after being picked up elsewhere "
            f"({', '.join(p.label for p in twice)}): a manager must check them"
        )
    return (
        "Before closing: " + "; ".join(parts) + ". They are saved on this register and will be "
        "sent when WineDirect can be reached: leave the register running and connected (it "
        "sends them by itself), or run 'tastingroom sync --once' once online."
    )
