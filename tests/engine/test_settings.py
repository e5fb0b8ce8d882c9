"""Destination tax rates as staff type them, and as the engine keeps them."""

from __future__ import annotations

import pytest

from tastingroom.settings import (
    SettingsError,
    format_tax_rates,
    parse_tax_rates,
    save_tax_rates,
    tax_rates,
)
from tastingroom.store.database import Database


def test_rates_round_trip_through_the_text_staff_type():
    rates = parse_tax_rates(" ca 7.25% , OR 0;TX 6.25,,")
    assert rates == {"CA": 72_500, "OR": 0, "TX": 62_500}
    assert format_tax_rates(rates) == "CA 7.25, OR 0, TX 6.25"
    assert parse_tax_rates(format_tax_rates(rates)) == rates
    assert parse_tax_rates("") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [("CA", "state and a rate"), ("CA seven", "state and a rate"), ("CA 1, ca 2", "twice")],
)
def test_nonsense_is_refused_with_what_is_wrong(text: str, message: str):
    with pytest.raises(SettingsError, match=message):
        parse_tax_rates(text)


def test_saving_replaces_every_rate(db: Database):
    with db.write() as s:
        save_tax_rates(s, {"CA": 72_500, "NY": 40_000})
    with db.write() as s:
        save_tax_rates(s, {"OR": 0})
    with db.read() as s:
        assert tax_rates(s) == {"OR": 0}
    for bad in ({"California": 1}, {"CA": 1_000_000}, {"ca": 5}):
        with pytest.raises(SettingsError), db.write() as s:
            save_tax_rates(s, bad)
    with db.read() as s:
        assert tax_rates(s) == {"OR": 0}  # a refused save changed nothing
