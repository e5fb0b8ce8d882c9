"""What staff type and scan: the rules a value passes before the engine keeps it.

Every place data enters the register is a trust boundary with its rule in one module
(DESIGN.md). For what people type and scan at the counter, this is that module. The
engine's public entry points (the cart, tenders, customers, age checks, staff names,
searches) call these rules, and the sale commit calls them again as the last guard. A
refusal is an `EntryRefused` that names the field, so that a screen can show it beside
that field, and says in words for the counter what to change.

Money: whole cents as an `int`. A float, NaN, an infinity or a bool is refused (a
float cannot hold cents exactly, and `inf` would be stored and sent as a total); so is
a negative amount, and one above the store's limit (`Limits`, set in the settings) or,
where no store limit applies, above `CEILING_CENTS`.

Text: every field has a stated length (`TextField`) and is single-line. Tabs, line
breaks and other whitespace collapse to one space (pasted text carries them); every
other control character, lone surrogate, private-use character, non-character and
bidirectional override is refused, because XML cannot carry some of them to WineDirect,
some are commands to the receipt printer, and the rest hide what a name really says.
Text longer than its field is cut to the field's length. No field holds a card number.

Searches are never refused (nothing typed into one is kept): they are cleaned the same
way and match `%` and `_` as themselves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement

from tastingroom.money import format_cents


class EntryRefused(ValueError):
    """Something typed or scanned that the engine will not take; nothing was changed.

    `field` names what it is about (`"tip"`, `"first_name"`...), or is None when the
    refusal is about the whole entry; the message says what to change.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@contextmanager
def refused_as(error: type[EntryRefused]) -> Iterator[None]:
    """Raise a rule's refusal as the caller's own error type (`TenderError`, say), so that
    code catching that type sees it; the message and field are unchanged."""
    try:
        yield
    except EntryRefused as exc:
        if isinstance(exc, error):
            raise
        raise error(str(exc), exc.field) from exc


# --- money ------------------------------------------------------------------------------

CEILING_CENTS = 10_000_000_000
"""$100,000,000.00: above any amount a counter sees, where no store limit applies. Sums of
a whole cart of such amounts stay exact in SQLite's 64-bit integers and in the doubles
WineDirect's SOAP carries (2^53)."""


@dataclass(frozen=True)
class Limits:
    """The store's ceilings on amounts typed at the counter (`StoreSettings.limits`)."""

    line_cents: int
    """The most one cart line may come to (its price times its quantity)."""
    tender_cents: int
    """The most one payment may be."""
    tip_cents: int
    override_cents: int
    """The most a manager may set one item's price to."""
    shipping_cents: int


DEFAULT_LIMITS = Limits(
    line_cents=1_000_000,
    tender_cents=5_000_000,
    tip_cents=100_000,
    override_cents=1_000_000,
    shipping_cents=100_000,
)
"""A line $10,000, a payment $50,000, a tip $1,000, a price $10,000, shipping $1,000."""


@dataclass(frozen=True)
class Amount:
    """A kind of amount staff enter: the field it is typed in and how a message names it."""

    field: str
    label: str


LINE = Amount("line", "A line")
TENDER = Amount("amount", "A payment")
TIP = Amount("tip", "A tip")
OVERRIDE = Amount("override", "A price")
SHIPPING = Amount("shipping", "A shipping charge")
DISCOUNT = Amount("discount", "A discount")
DRAWER_AMOUNT = Amount("amount", "An amount of cash")
"""Paid-in, paid-out, drops, and the float left in the drawer at a close."""


def cents(value: object, amount: Amount, limit: int = CEILING_CENTS) -> int:
    """`value` if it is whole cents from 0 to `limit` (a store limit, or the ceiling)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise EntryRefused(f"{amount.label} must be whole cents, not {value!r}.", amount.field)
    if value < 0:
        raise EntryRefused(f"{amount.label} cannot be negative.", amount.field)
    if value > limit:
        whose = " (store limit)" if limit < CEILING_CENTS else ""
        raise EntryRefused(
            f"{amount.label} cannot be more than {format_cents(limit)}{whose}.", amount.field
        )
    return value


_DOLLARS = re.compile(r"\$?([0-9]+)(?:\.([0-9]{0,2}))?|\$?\.([0-9]{1,2})")


def dollars(text: str, amount: Amount, limit: int = CEILING_CENTS) -> int:
    """Dollars as staff type them ("12.50", "$1,234", ".5") to cents, then `cents`.

    Exponents, NaN, infinities and fractions of a cent are refused rather than rounded:
    what is typed is what is charged.
    """
    typed = text.strip().replace(",", "")
    match = _DOLLARS.fullmatch(typed)
    if match is None:
        noun = amount.label[0].lower() + amount.label[1:]
        raise EntryRefused(
            f"“{text.strip()}” is not {noun} in dollars and cents (e.g. 12.50).", amount.field
        )
    whole, fraction, only_fraction = match.groups()
    digits = (fraction if whole else only_fraction) or ""
    value = int(whole or 0) * 100 + int(digits.ljust(2, "0"))
    return cents(value, amount, limit)


_PERCENT = re.compile(r"([0-9]+)(?:\.([0-9]{0,4}))?|\.([0-9]{1,4})")


def percent(text: str, field: str) -> int:
    """A percentage as staff type it ("15", "7.5%") to parts per million, 0% to 100%:
    the finest a rate is kept is 0.0001%, so finer is refused rather than rounded."""
    typed = text.strip().removesuffix("%").strip()
    match = _PERCENT.fullmatch(typed)
    if match is None:
        raise EntryRefused(f"“{text.strip()}” is not a percentage (e.g. 15 or 7.5).", field)
    whole, fraction, only_fraction = match.groups()
    digits = (fraction if whole else only_fraction) or ""
    ppm = int(whole or 0) * 10_000 + int(digits.ljust(4, "0"))
    if ppm > 1_000_000:
        raise EntryRefused("A percentage cannot be more than 100%.", field)
    return ppm


# --- text -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    """A text field staff fill in: its name, how a message names it, and its length.

    WineDirect's record states no lengths for the fields we send (only `OrderNumber`,
    50), so each length below is our choice, never more than its database column.
    """

    field: str
    label: str
    max_length: int


FIRST_NAME = TextField("first_name", "The first name", 50)  # column 80
LAST_NAME = TextField("last_name", "The last name", 50)  # column 80
EMAIL = TextField("email", "The email address", 100)  # column 200
PHONE = TextField("phone", "The phone number", 30)  # column 40 (digits only are kept)
ADDRESS = TextField("address", "The street address", 100)  # column 200
ADDRESS2 = TextField("address2", "The apartment or suite", 100)  # column 200
CITY = TextField("city", "The city", 50)  # column 80
STATE = TextField("state", "The state", 3)  # column 8; US and Canada 2 letters, NSW 3
ZIP_CODE = TextField("zip", "The ZIP code", 10)  # column 16; "94558-1234"
STAFF_NAME = TextField("name", "A staff name", 40)  # column 80; fits the sign-in buttons
DISCOUNT_REASON = TextField("reason", "The reason", 80)  # column 200; printed on receipts
GIFT_CARD_CODE = TextField("gift_card_code", "The gift card code", 40)  # column 40
CHECK_NUMBER = TextField("check_number", "The check number", 20)  # column 20
ACCOUNT = TextField("account", "The house account", 80)  # column 80
TENDER_REASON = TextField("reason", "The reason", 120)  # column 200
DRAWER_REASON = TextField("reason", "The reason", 120)  # column 200; paid-in/out, over/short
TAB_NAME = TextField("tab_name", "The tab's name", 40)  # column 40; a party's name or a spot
SEARCH_LENGTH = 100
"""A search longer than this finds nothing more; it is cut rather than refused."""

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _forbidden(char: str) -> bool:
    """A character no field may hold (whitespace controls are collapsed instead)."""
    category = unicodedata.category(char)
    code = ord(char)
    return (
        (category == "Cc" and not char.isspace())
        or category in ("Cs", "Co")
        or 0xFDD0 <= code <= 0xFDEF
        or (code & 0xFFFE) == 0xFFFE
        or char in _BIDI_CONTROLS
    )


def text(value: object, spec: TextField) -> str:
    """`value` made fit for `spec`'s field: composed (NFC), whitespace runs collapsed to
    one space, trimmed, and cut to the field's length. Refused when it holds a character
    no field may hold, or a card number (anywhere in what was typed, or in what the cut
    leaves)."""
    if not isinstance(value, str):
        raise EntryRefused(f"{spec.label} must be text.", spec.field)
    bad = next((char for char in value if _forbidden(char)), None)
    if bad is not None:
        raise EntryRefused(
            f"{spec.label} holds a character that cannot be printed or sent "
            f"(U+{ord(bad):04X}); type it again.",
            spec.field,
        )
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    refuse_card_numbers(cleaned, spec.field)  # all that was typed: no part of one is kept
    cut = cleaned[: spec.max_length].rstrip()
    refuse_card_numbers(cut, spec.field)  # a cut through a longer run of digits
    return cut


def optional_text(value: str | None, spec: TextField) -> str | None:
    """`text` for a field that may be left empty: None, or empty once cleaned, is None."""
    if value is None:
        return None
    return text(value, spec) or None


# --- card numbers ----------------------------------------------------------------------

CARD_NUMBER_MESSAGE = "That looks like a card number: card numbers are never stored."
_DIGIT_GROUPS = re.compile(r"[0-9]+(?:[ .\-\u2010-\u2015\u2212]{1,3}[0-9]+)*")
_DIGITS = re.compile(r"[0-9]+")


def _fold_digits(value: str) -> str:
    """Every decimal digit as ASCII (fullwidth, Arabic-Indic...), so none slips past."""
    value = unicodedata.normalize("NFKC", value)
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in value)


def _luhn(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def contains_card_number(value: str) -> bool:
    """Does `value` hold 13 to 19 digits in a row that pass the Luhn check, as every
    payment card number does? Digits may be grouped by spaces, dots or dashes, and the
    card number may be some of the groups of a longer run (a number followed by its
    expiry date, say)."""
    for run in _DIGIT_GROUPS.finditer(_fold_digits(value)):
        groups = _DIGITS.findall(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) > 19:
                    break
                if len(digits) >= 13 and _luhn(digits):
                    return True
    return False


def refuse_card_numbers(value: str, field: str | None = None) -> None:
    """PCI: no card number is ever stored, logged or sent. The one check, for every
    free-text field."""
    if contains_card_number(value):
        raise EntryRefused(CARD_NUMBER_MESSAGE, field)


# --- dates of birth ----------------------------------------------------------------------

OLDEST_AGE_YEARS = 120
BIRTH_DATE = "birth_date"
"""The field a refused date of birth names."""


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def birth_date(born: object, today: date) -> date:
    """A date of birth that can be real: not in the future, not more than 120 years ago
    (a typo such as 1800 for 1980)."""
    if isinstance(born, datetime):
        born = born.date()
    if not isinstance(born, date):
        raise EntryRefused("The date of birth must be a date.", BIRTH_DATE)
    if born > today:
        raise EntryRefused(
            "The date of birth is in the future; check it and try again.", BIRTH_DATE
        )
    if born < _years_before(today, OLDEST_AGE_YEARS):
        raise EntryRefused(
            f"A date of birth more than {OLDEST_AGE_YEARS} years ago is a typo; "
            "check it and try again.",
            BIRTH_DATE,
        )
    return born


_TYPED_DATE = re.compile(r"(\d{1,2})[/.\- ](\d{1,2})[/.\- ](\d{4})|(\d{2})(\d{2})(\d{4})")


def typed_birth_date(text: str) -> date:
    """A date of birth as staff type it, month first: 03/14/1979, 3/14/1979, 03-14-1979
    or 03141979. Only a whole calendar date is taken (a two-digit year is refused rather
    than guessed); whether it can be real is `birth_date`'s rule."""
    typed = text.strip()
    match = _TYPED_DATE.fullmatch(typed)
    if match is None:
        raise EntryRefused(
            "Type the date of birth as month, day and year (MM/DD/YYYY), e.g. 03/14/1979.",
            BIRTH_DATE,
        )
    month, day, year = (int(part) for part in match.groups() if part is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise EntryRefused(
            f"“{typed}” is not a date (month, day, year); check it and try again.", BIRTH_DATE
        ) from None


# --- searches ----------------------------------------------------------------------------


def search_text(query: str) -> str:
    """A search as typed, made safe to look for: what no field may hold becomes a space,
    whitespace runs collapse, and it is cut to `SEARCH_LENGTH`."""
    spaced = "".join(" " if _forbidden(char) else char for char in query)
    return " ".join(spaced.split())[:SEARCH_LENGTH].strip()


def matches(column: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """`column` contains `query`, ignoring case, with `%` and `_` matching themselves
    (SQL LIKE with an ESCAPE clause); `query` comes from `search_text`."""
    return column.icontains(query, autoescape=True)
