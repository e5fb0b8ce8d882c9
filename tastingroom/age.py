"""Age checks: who may buy alcohol, and the record that proves we checked.

The law asks for a check on every order with alcohol; it allows us to keep who
checked, when, how, the result and the age in whole years, and nothing more: no
licence number, no date of birth.

Age is counted on the store's local date (a sale at 00:30 in California is on the
Californian date, whatever UTC says). Someone born on 29 February turns a year older
on 1 March in years without one, which is what comparing (month, day) gives. A date of
birth in the future, or more than 120 years ago, is a typo (`entry.birth_date`) and is
refused rather than recorded as a check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from tastingroom import entry
from tastingroom.entry import EntryRefused, refused_as
from tastingroom.settings import StoreSettings
from tastingroom.store.models import utcnow


class Method(StrEnum):
    ID_SCAN = "id_scan"
    TYPED_DOB = "typed_dob"
    VISUAL = "visual"


class AgeCheckError(EntryRefused):
    """A check that cannot be recorded as asked (the message says why)."""


@dataclass(frozen=True)
class AgeCheckResult:
    """What staff learnt at the counter; stored with the order it was made for."""

    staff_id: str
    method: Method
    passed: bool
    age_years: int | None
    checked_at: datetime
    message: str


def years_between(born: date, on: date) -> int:
    """Whole years of age on `on` for someone born on `born`."""
    if born > on:
        raise AgeCheckError("The date of birth is in the future; check it and try again.")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def store_today(settings: StoreSettings, now: datetime | None = None) -> date:
    """The calendar date where the store is."""
    return (now or utcnow()).astimezone(ZoneInfo(settings.timezone)).date()


def check_birth_date(
    settings: StoreSettings,
    staff_id: str,
    born: date,
    method: Method = Method.TYPED_DOB,
    *,
    id_expires: date | None = None,
    now: datetime | None = None,
) -> AgeCheckResult:
    """Check a date of birth read from an ID or typed in; an expired ID fails."""
    if method is Method.VISUAL:
        raise AgeCheckError("A visual check has no date of birth; use check_visual.")
    now = now or utcnow()
    today = store_today(settings, now)
    with refused_as(AgeCheckError):
        born = entry.birth_date(born, today)
    age = years_between(born, today)
    if id_expires is not None and id_expires < today:
        return AgeCheckResult(
            staff_id,
            method,
            False,
            age,
            now,
            f"This ID expired on {id_expires:%Y-%m-%d}. Ask for a valid ID; nothing was sold.",
        )
    if age < settings.minimum_age:
        return AgeCheckResult(
            staff_id,
            method,
            False,
            age,
            now,
            f"The guest is {age}; the legal age is {settings.minimum_age}. "
            "Alcohol cannot be sold or handed over.",
        )
    return AgeCheckResult(staff_id, method, True, age, now, f"Age {age}: OK.")


def check_visual(
    settings: StoreSettings, staff_id: str, now: datetime | None = None
) -> AgeCheckResult:
    """Staff confirm the guest is visibly over the store's visual-check age."""
    over = settings.visual_check_over_age
    if over is None:
        raise AgeCheckError(
            "This store's policy needs an ID for every alcohol sale; "
            "scan it or type the date of birth."
        )
    return AgeCheckResult(
        staff_id, Method.VISUAL, True, None, now or utcnow(), f"Visibly over {over}: OK."
    )


def needs_check(settings: StoreSettings, kinds: set[str]) -> bool:
    """Does an order holding these kinds of item need an age check?"""
    return bool(kinds & set(settings.age_restricted_kinds))
