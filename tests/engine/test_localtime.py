"""Times people read are in the store's time zone, whatever the computer's clock is set to;
what machines read (`status --json`) stays ISO UTC."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime

import pytest

from tastingroom.localtime import clock, local_day, stamp, start_of_day
from tastingroom.status import Status, read_status
from tastingroom.store.database import Database
from tastingroom.store.models import SyncState

PACIFIC = "America/Los_Angeles"
SALE = datetime(2026, 11, 23, 14, 8, tzinfo=UTC)  # 06:08 in California (PST)


@pytest.fixture
def computer_in_tokyo(monkeypatch: pytest.MonkeyPatch):
    """The register's computer set to another zone than the store's."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_the_stores_whatever_zone_the_computer_is_in(computer_in_tokyo):
    assert stamp(SALE, PACIFIC) == "2026-11-23 06:08"
    assert clock(SALE, PACIFIC) == "06:08"
    assert clock("2026-11-23T14:08:00+00:00", PACIFIC) == "06:08"  # as sync_state keeps it
    assert stamp(SALE.replace(tzinfo=None), PACIFIC) == "2026-11-23 06:08"  # naive is UTC
    assert clock(SALE, "Europe/Paris") == "15:08"


def test_the_store_day_begins_at_its_own_midnight_across_daylight_saving():
    assert local_day(datetime(2026, 11, 24, 7, 30, tzinfo=UTC), PACIFIC) == date(2026, 11, 23)
    assert start_of_day(date(2026, 11, 23), PACIFIC) == datetime(2026, 11, 23, 8, tzinfo=UTC)
    assert start_of_day(date(2026, 3, 8), PACIFIC) == datetime(2026, 3, 8, 8, tzinfo=UTC)
    assert start_of_day(date(2026, 3, 9), PACIFIC) == datetime(2026, 3, 9, 7, tzinfo=UTC)


def test_a_zone_this_computer_cannot_name_shows_its_own_time_and_says_so(caplog):
    with caplog.at_level(logging.WARNING, logger="tastingroom.localtime"):
        shown = stamp(SALE, "Nowhere/Atlantis")
    assert shown == f"{SALE.astimezone():%Y-%m-%d %H:%M}"
    assert "Nowhere/Atlantis" in caplog.text


def status_with(**times: object) -> Status:
    return Status(
        database="db",
        store="Vallée Lune Winery",
        terminal="TR1",
        orders=1,
        pending=0,
        quarantined=0,
        oldest_pending_at=None,
        oldest_pending_age_s=None,
        timezone=PACIFIC,
        **times,
    )


def test_status_shows_local_times_to_people_and_utc_to_machines(demo_db: Database):
    status = status_with(
        last_sync_at=SALE,
        last_pull_at="2026-11-23T14:09:00+00:00",
        next_attempt_at="2026-11-23T14:10:30+00:00",
    )
    text = status.render()
    assert "Last item sent:  2026-11-23 06:08" in text
    assert "Last pull:       2026-11-23 06:09" in text
    assert "Next attempt:    2026-11-23 06:10" in text
    assert "UTC" not in text
    assert status.as_dict()["last_sync_at"] == "2026-11-23T14:08:00+00:00"
    assert "Last item sent:  never" in status_with(last_sync_at=None).render()

    with demo_db.write() as s:
        s.merge(SyncState(key="last_pull_at", value="2026-11-23T14:09:00+00:00"))
    read = read_status(demo_db)
    assert read.timezone == PACIFIC and "Last pull:       2026-11-23 06:09" in read.render()
    assert read.as_dict()["last_pull_at"] == "2026-11-23T14:09:00+00:00"
