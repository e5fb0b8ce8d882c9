from decimal import Decimal

import pytest

from tastingroom.money import (
    MoneyError,
    apply_rate,
    format_cents,
    format_rate,
    percent_to_ppm,
    to_cents,
)


def test_to_cents_rounds_half_up():
    assert to_cents("12.345") == 1235
    assert to_cents("12.344") == 1234
    assert to_cents(Decimal("0.005")) == 1
    assert to_cents(7) == 700


def test_floats_and_garbage_are_refused():
    with pytest.raises(MoneyError):
        to_cents(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        to_cents("twelve")
    with pytest.raises(MoneyError):
        to_cents("NaN")


def test_rates_are_exact_parts_per_million():
    assert percent_to_ppm("8.625") == 86_250
    assert apply_rate(1000, 86_250) == 86  # 86.25 cents
    assert apply_rate(200, 86_250) == 17  # 17.25
    assert apply_rate(1000, 85_000) == 85
    assert apply_rate(1001, 50_000) == 50  # 50.05
    assert apply_rate(1010, 50_000) == 51  # 50.5 rounds half-up
    assert format_rate(86_250) == "8.625%"


def test_format_cents():
    assert format_cents(123456) == "$1,234.56"
    assert format_cents(-300) == "-$3.00"
    assert format_cents(5) == "$0.05"
