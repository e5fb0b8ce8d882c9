"""Counting the drawer: US bills and coins, in integer cents.

A count is how many of each denomination staff found (or put) in the drawer; its total
is the only amount the engine takes from it. Counts are what staff type at the counter,
so they pass the same kind of rule as any amount (`tastingroom.entry`): whole numbers,
never negative, never a float or a bool, and no more pieces of one kind than a drawer
and a safe bag could hold.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from tastingroom.entry import CEILING_CENTS, EntryRefused

MAX_PIECES = 100_000
"""The most of one denomination a count may hold (a thousand rolls of pennies)."""


class CountRefused(EntryRefused):
    """A count that cannot be right as entered; the message says what to fix."""


@dataclass(frozen=True)
class Denomination:
    key: str
    """`bill_<cents>` or `coin_<cents>`: the $1 bill and the $1 coin are counted apart."""
    label: str
    cents: int
    kind: Literal["bill", "coin"]


def _bill(dollars: int) -> Denomination:
    return Denomination(f"bill_{dollars * 100}", f"${dollars} bill", dollars * 100, "bill")


def _coin(cents: int, label: str) -> Denomination:
    return Denomination(f"coin_{cents}", label, cents, "coin")


DENOMINATIONS: tuple[Denomination, ...] = (
    *(_bill(d) for d in (100, 50, 20, 10, 5, 2, 1)),
    _coin(100, "$1 coin"),
    _coin(50, "Half dollar"),
    _coin(25, "Quarter"),
    _coin(10, "Dime"),
    _coin(5, "Nickel"),
    _coin(1, "Penny"),
)
"""US currency in circulation, largest first: the order a count screen lists them in."""

BY_KEY: dict[str, Denomination] = {d.key: d for d in DENOMINATIONS}


@dataclass(frozen=True)
class DrawerCount:
    """How many of each denomination: `DrawerCount({"bill_2000": 5, "coin_25": 40})`.

    Zero counts are dropped, so two counts of the same money compare equal."""

    pieces: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.pieces, Mapping):
            raise CountRefused("A count is a number of pieces for each denomination.")
        kept: dict[str, int] = {}
        for key, number in self.pieces.items():
            denomination = BY_KEY.get(key)
            if denomination is None:
                raise CountRefused(f"“{key}” is not a US bill or coin.", "count")
            if isinstance(number, bool) or not isinstance(number, int):
                raise CountRefused(
                    f"Count the {denomination.label.lower()}s in whole pieces, not {number!r}.",
                    key,
                )
            if number < 0:
                raise CountRefused(
                    f"The number of {denomination.label.lower()}s cannot be negative.", key
                )
            if number > MAX_PIECES:
                raise CountRefused(
                    f"{number:,} {denomination.label.lower()}s is more than a drawer holds; "
                    "count again.",
                    key,
                )
            if number:
                kept[key] = number
        ordered = {d.key: kept[d.key] for d in DENOMINATIONS if d.key in kept}
        object.__setattr__(self, "pieces", ordered)
        if self.total_cents > CEILING_CENTS:
            raise CountRefused("That count is more money than a drawer can hold; count again.")

    @property
    def total_cents(self) -> int:
        return sum(BY_KEY[key].cents * number for key, number in self.pieces.items())

    def to_json(self) -> str:
        """As kept in the database (denomination key to pieces, largest first)."""
        return json.dumps(dict(self.pieces), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> DrawerCount:
        return cls(json.loads(text))
