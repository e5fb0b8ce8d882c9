"""Age checks: who may buy alcohol, and the record that proves we checked.

The law asks for a check on every order with alcohol; it allows us to keep who
checked, when, how, the result and the age in whole years, and nothing more: no
licence number, no date of birth.

Age is counted on the store's local date (a sale at 00:30 in California is on the
Californian date, whatever UTC says). Someone born on 29 February turns a year older
on 1 March in years without one, which is what comparing (month, day) gives. A date of
birth in the future, or more than 120 years ago, is a typo (`entry.birth_date`) and is
refused rather than recorded as a check.

The record says how the check was made (`Method`), and receipts, slips and the orders
screen say it in words (`describe`): "ID scanned", "Date of birth typed", "Visibly over
40 (no ID)". A visual check keeps the age the guest was judged to be over as its age in
years: the most it vouches for, and what its receipt states even after the store's
policy age changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tastingroom import entry
from tastingroom.entry import EntryRefused, refused_as
from tastingroom.settings import StoreSettings
from tastingroom.store.database import Database
from tastingroom.store.models import AgeCheck, utcnow


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
    """Age from the date of birth; for a visual check, the age the guest is visibly over."""
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
        staff_id, Method.VISUAL, True, over, now or utcnow(), f"Visibly over {over}: OK."
    )


def describe(method: str, age_years: int | None) -> str:
    """How a recorded check was made, in the words a receipt and the orders screen use."""
    if method == Method.ID_SCAN:
        return "ID scanned"
    if method == Method.TYPED_DOB:
        return "Date of birth typed"
    if method == Method.VISUAL:
        return f"Visibly over {age_years} (no ID)" if age_years else "Visual check (no ID)"
    return method


def passed_checks(db: Database, order_ids: Iterable[str]) -> dict[str, str]:
    """For each of these orders that has one, its latest passed check, described: the
    check its alcohol was sold or handed over on."""
    ids = list(order_ids)
    if not ids:
        return {}
    with db.read() as s:
        rows = s.execute(
            select(AgeCheck.order_id, AgeCheck.method, AgeCheck.age_years)
            .where(AgeCheck.order_id.in_(ids), AgeCheck.passed.is_(True))
            .order_by(AgeCheck.checked_at)
        ).all()
    return {order_id: describe(method, age) for order_id, method, age in rows}


def needs_check(settings: StoreSettings, kinds: set[str]) -> bool:
    """Does an order holding these kinds of item need an age check?"""
    return bool(kinds & set(settings.age_restricted_kinds))


def record_refusal(db: Database, result: AgeCheckResult, purpose: str = "sale") -> None:
    """Keep a refused check, with no order and nothing from the licence: the day report
    counts refusals beside checks made, so an owner sees that staff do turn guests away.
    A refusal that cannot be written (a full disk) is only lost from that count; the
    guest was refused all the same."""
    if result.passed:
        raise ValueError("record_refusal takes refused checks only")
    with db.write() as s:
        s.add(
            AgeCheck(
                order_id=None,
                staff_id=result.staff_id,
                checked_at=result.checked_at,
                method=str(result.method),
                passed=False,
                age_years=result.age_years,
                purpose=purpose,
            )
        )
