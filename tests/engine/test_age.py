import dataclasses
from datetime import UTC, date, datetime

import pytest

from tastingroom.selling.age import (
    AgeCheckError,
    Method,
    check_birth_date,
    check_visual,
    needs_check,
    years_between,
)
from tastingroom.settings import StoreSettings

STORE = StoreSettings(timezone="America/Los_Angeles")


def test_whole_years_and_leap_day_births():
    assert years_between(date(2000, 6, 15), date(2021, 6, 14)) == 20
    assert years_between(date(2000, 6, 15), date(2021, 6, 15)) == 21
    # Born 29 Feb: one year older on 1 March in years without a 29 Feb.
    assert years_between(date(2004, 2, 29), date(2025, 2, 28)) == 20
    assert years_between(date(2004, 2, 29), date(2025, 3, 1)) == 21
    assert years_between(date(2004, 2, 29), date(2024, 2, 29)) == 20
    with pytest.raises(AgeCheckError):
        years_between(date(2030, 1, 1), date(2026, 1, 1))


def test_age_counts_on_the_store_local_date():
    born = date(2005, 11, 23)
    # 05:00 UTC on the 23rd is still the 22nd in California: not yet 21.
    early = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)
    result = check_birth_date(STORE, "s1", born, now=early)
    assert not result.passed and result.age_years == 20
    later = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert check_birth_date(STORE, "s1", born, now=later).passed


def test_under_age_and_expired_id_are_refused_with_clear_words():
    now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
    under = check_birth_date(STORE, "s1", date(2008, 1, 1), now=now)
    assert not under.passed and "legal age is 21" in under.message
    expired = check_birth_date(
        STORE, "s1", date(1980, 1, 1), Method.ID_SCAN, id_expires=date(2026, 1, 1), now=now
    )
    assert not expired.passed and "expired" in expired.message


def test_visual_check_only_where_policy_allows():
    with pytest.raises(AgeCheckError):
        check_visual(STORE, "s1")
    allowed = dataclasses.replace(STORE, visual_check_over_age=40)
    result = check_visual(allowed, "s1")
    # The age the guest was judged to be over is what the check vouches for.
    assert result.passed and result.age_years == 40 and result.method is Method.VISUAL


def test_which_kinds_need_a_check():
    assert needs_check(STORE, {"bottle", "food"})
    assert needs_check(STORE, {"tasting_fee"})
    assert not needs_check(STORE, {"merchandise", "food"})
