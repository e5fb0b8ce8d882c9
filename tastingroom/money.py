"""Money as integer cents.

SQLite stores NUMERIC as a binary float, so every amount in the database is an
integer number of cents. Arithmetic that can produce fractions of a cent (a
percentage, a tax rate) is done in `Decimal` and brought back to cents with
half-up rounding, the rule a customer checks with a pocket calculator.
Floats never appear: `to_cents` refuses them.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PPM = Decimal(1_000_000)
"""Rates (tax, discounts) are integers in parts per million: 8.625% is 86_250."""


class MoneyError(ValueError):
    """An amount that cannot be money: not a number, or a float."""


def to_cents(value: Decimal | int | str) -> int:
    """Dollars (Decimal, int or a string such as "12.50") to whole cents, half-up."""
    if isinstance(value, float):
        raise MoneyError("Amounts are never floats; pass a Decimal or a string.")
    try:
        dollars = Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise MoneyError(f"{value!r} is not an amount of money.") from exc
    if not dollars.is_finite():
        raise MoneyError(f"{value!r} is not an amount of money.")
    return int((dollars * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_cents(amount: Decimal) -> int:
    """A fractional number of cents to whole cents, half-up (away from zero on .5)."""
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_rate(cents: int, rate_ppm: int) -> int:
    """`cents` times a rate in parts per million, rounded half-up to the cent."""
    return round_cents(Decimal(cents) * Decimal(rate_ppm) / PPM)


def percent_to_ppm(percent: Decimal | int | str) -> int:
    """A percentage such as "8.625" to parts per million (86_250)."""
    if isinstance(percent, float):
        raise MoneyError("Rates are never floats; pass a Decimal or a string.")
    return int((Decimal(percent) * 10_000).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def ppm_to_percent(rate_ppm: int) -> Decimal:
    """Parts per million back to a percentage for display (86_250 -> 8.625)."""
    return (Decimal(rate_ppm) / 10_000).normalize()


def format_cents(cents: int, symbol: str = "$") -> str:
    """Cents as the register shows them: `$1,234.50`, `-$3.00`."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{symbol}{whole:,}.{frac:02d}"


def format_rate(rate_ppm: int) -> str:
    """A rate for receipts and explanations: 86_250 -> `8.625%`."""
    return f"{ppm_to_percent(rate_ppm):f}%"
