"""Tenders: how an order is paid, and whether the payments cover it.

Cards are taken on a separate card terminal. The register records the card type,
the last four digits and the approval code, and refuses anything that looks like a
full card number, so that card data can never reach the disk or a log.
Change is given only from cash: the non-cash tenders may not exceed what is due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tastingroom.money import format_cents


class TenderKind(StrEnum):
    CASH = "cash"
    CARD = "card"
    GIFT_CARD = "gift_card"
    CHECK = "check"
    HOUSE_ACCOUNT = "house_account"
    COMPLIMENTARY = "complimentary"

    @property
    def label(self) -> str:
        return {
            "cash": "Cash",
            "card": "Card",
            "gift_card": "Gift card",
            "check": "Check",
            "house_account": "House account",
            "complimentary": "Complimentary",
        }[self.value]


CARD_TYPES = ("Visa", "Mastercard", "American Express", "Discover", "Other")


class TenderError(ValueError):
    """A payment that cannot be accepted as entered (the message says what to fix)."""


@dataclass(frozen=True)
class TenderInput:
    kind: TenderKind
    amount_cents: int
    card_type: str | None = None
    card_last4: str | None = None
    approval_code: str | None = None
    gift_card_code: str | None = None
    check_number: str | None = None
    account: str | None = None
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.amount_cents < 0:
            raise TenderError("A payment cannot be negative.")
        if self.kind is TenderKind.CARD:
            if self.card_type not in CARD_TYPES:
                raise TenderError(f"Choose the card type: {', '.join(CARD_TYPES)}.")
            if not (self.card_last4 and re.fullmatch(r"\d{4}", self.card_last4)):
                raise TenderError(
                    "Enter only the last four digits of the card, as the card terminal shows them."
                )
            if not (self.approval_code and re.fullmatch(r"[A-Za-z0-9]{1,12}", self.approval_code)):
                raise TenderError("Enter the approval code from the card terminal's slip.")
        if self.kind is TenderKind.GIFT_CARD and not (self.gift_card_code or "").strip():
            raise TenderError("Enter the gift card's code.")
        if self.kind is TenderKind.HOUSE_ACCOUNT and not (self.account or "").strip():
            raise TenderError("Choose whose house account this goes on.")
        if self.kind is TenderKind.COMPLIMENTARY and not (self.reason or "").strip():
            raise TenderError("A complimentary order needs a reason.")
        for text in (self.gift_card_code, self.check_number, self.account, self.reason):
            if text and re.search(r"\d{12,}", text.replace(" ", "").replace("-", "")):
                raise TenderError("That looks like a card number; never type card numbers here.")


@dataclass(frozen=True)
class Settlement:
    """How the tenders meet the total: change is owed only from cash."""

    paid_cents: int
    change_cents: int
    change_from_index: int | None


def settle(total_cents: int, tenders: list[TenderInput]) -> Settlement:
    """Check that the tenders cover `total_cents` exactly, give or take cash change."""
    if total_cents < 0:
        raise TenderError("The order total cannot be negative.")
    paid = sum(t.amount_cents for t in tenders)
    non_cash = sum(t.amount_cents for t in tenders if t.kind is not TenderKind.CASH)
    comps = [t for t in tenders if t.kind is TenderKind.COMPLIMENTARY]
    if comps and len(tenders) > 1:
        raise TenderError("A complimentary order is complimentary in full; remove other payments.")
    if paid < total_cents:
        raise TenderError(
            f"The payments ({format_cents(paid)}) do not cover the total "
            f"({format_cents(total_cents)}): {format_cents(total_cents - paid)} still due."
        )
    if non_cash > total_cents:
        raise TenderError(
            f"Card and other non-cash payments ({format_cents(non_cash)}) are more than the total "
            f"({format_cents(total_cents)}); change is only given from cash."
        )
    change = paid - total_cents
    index = None
    if change:
        index = max(i for i, t in enumerate(tenders) if t.kind is TenderKind.CASH)
    return Settlement(paid, change, index)
