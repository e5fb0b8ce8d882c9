"""What the register sells, by kind; pricing, age checks and reports key on these."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    BOTTLE = "bottle"
    CAN = "can"
    GLASS_POUR = "glass_pour"
    TASTING_FLIGHT = "tasting_flight"
    TASTING_FEE = "tasting_fee"
    MERCHANDISE = "merchandise"
    FOOD = "food"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


WINE_BOTTLE_KINDS = frozenset({Kind.BOTTLE})
"""Kinds whose units count as bottles toward a mixed case and a tasting-fee waiver."""
