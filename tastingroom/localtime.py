"""Times as people read them: in the store's own time zone, whatever the computer says.

The database keeps every time in UTC (`store.models.UTCDateTime`) and WineDirect speaks
UTC; a till in Paso Robles on a computer left set to UTC (or shipped from another state)
must still show 14:05 for a sale rung up at five past two in the afternoon there. So
every screen, report and status line turns a stored time into the store's zone
(`StoreSettings.timezone`) here, and never with `astimezone()` on its own, which would
use the computer's zone. What is handed to machines (`status --json`, WineDirect) stays
ISO UTC.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, tzinfo
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)


@cache
def store_zone(name: str) -> tzinfo | None:
    """The zone called `name` (an IANA name such as "America/Los_Angeles").

    None, and one line in the log, when this computer cannot name it (a misspelt setting,
    or Windows without the `tzdata` package): times are then shown in the computer's own
    zone, which beats not showing them at all.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("time zone %r is unknown here; showing times in this computer's zone", name)
        return None


def _aware(when: datetime) -> datetime:
    """A stored time; one without a zone is UTC, as the store keeps them."""
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def local(when: datetime | str, zone: str) -> datetime:
    """`when` (a datetime, or an ISO string as `sync_state` keeps them) in the store's zone."""
    if isinstance(when, str):
        when = datetime.fromisoformat(when)
    return _aware(when).astimezone(store_zone(zone))


def local_day(when: datetime, zone: str) -> date:
    """The store's calendar day at `when`: the day a cashier would write on a form."""
    return local(when, zone).date()


def start_of_day(day: date, zone: str) -> datetime:
    """Midnight at the start of the store's `day`, as an aware UTC time to compare stored
    times with (on a daylight-saving change, the first moment of that day)."""
    midnight = datetime.combine(day, time(0), tzinfo=store_zone(zone))
    if midnight.tzinfo is None:  # the computer's own zone: let the system place midnight
        midnight = midnight.astimezone()
    return midnight.astimezone(UTC)


def clock(when: datetime | str, zone: str) -> str:
    """Hours and minutes, as on the status bar: "14:08"."""
    return f"{local(when, zone):%H:%M}"


def stamp(when: datetime | str, zone: str) -> str:
    """Date and time, as in lists of orders and pickups: "2026-11-23 14:08"."""
    return f"{local(when, zone):%Y-%m-%d %H:%M}"
