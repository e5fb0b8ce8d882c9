"""Tenders: how an order is paid, and whether the payments cover it.

Cards are taken on a separate card terminal. The register records the card type,
the last four digits and the approval code, and refuses anything that looks like a
full card number in any field (`tastingroom.entry`), so that card data can never reach
the disk or a log. Every amount is whole cents, and no payment is above the store's
limit. Change is given only from cash: the non-cash tenders may not exceed what is due.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from tastingroom import entry
from tastingroom.entry import DEFAULT_LIMITS, EntryRefused, Limits, refused_as
from tastingroom.money import format_cents


class TenderKind(StrEnum):
    CASH = "cash"
    CARD = "card"
    GIFT_CARD = "gift_card"
    CHECK = "check"
    HOUSE_ACCOUNT = "house_account"
    COMPLIMENTARY = "complimentary"
    EXCHANGE = "exchange"
    """What a return in an exchange is worth, paying for the new sale (`refunds`)."""

    @property
    def label(self) -> str:
        return {
            "cash": "Cash",
            "card": "Card",
            "gift_card": "Gift card",
            "check": "Check",
            "house_account": "House account",
            "complimentary": "Complimentary",
            "exchange": "Exchange credit",
        }[self.value]


CARD_TYPES = ("Visa", "Mastercard", "American Express", "Discover", "Other")


class TenderError(EntryRefused):
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
        with refused_as(TenderError):
            entry.cents(self.amount_cents, entry.TENDER)
            for name, rule in _TEXT_RULES:
                object.__setattr__(self, name, entry.optional_text(getattr(self, name), rule))
        if self.kind is TenderKind.CARD:
            if self.card_type not in CARD_TYPES:
                raise TenderError(f"Choose the card type: {', '.join(CARD_TYPES)}.", "card_type")
            if not _matches(r"[0-9]{4}", self.card_last4):
                raise TenderError(
                    "Enter only the last four digits of the card, as the card terminal shows them.",
                    "card_last4",
                )
            if not _matches(r"[A-Za-z0-9]{1,12}", self.approval_code):
                raise TenderError(
                    "Enter the approval code from the card terminal's slip.", "approval_code"
                )
        if self.kind is TenderKind.GIFT_CARD and not self.gift_card_code:
            raise TenderError("Enter the gift card's code.", entry.GIFT_CARD_CODE.field)
        if self.kind is TenderKind.HOUSE_ACCOUNT and not self.account:
            raise TenderError("Choose whose house account this goes on.", entry.ACCOUNT.field)
        if self.kind is TenderKind.COMPLIMENTARY and not self.reason:
            raise TenderError("A complimentary order needs a reason.", entry.TENDER_REASON.field)


def _matches(pattern: str, value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(pattern, value) is not None


_TEXT_RULES = (
    ("gift_card_code", entry.GIFT_CARD_CODE),
    ("check_number", entry.CHECK_NUMBER),
    ("account", entry.ACCOUNT),
    ("reason", entry.TENDER_REASON),
)


def check_limit(tender: TenderInput, limits: Limits) -> TenderInput:
    """`tender` if its amount is within the store's limit on one payment."""
    with refused_as(TenderError):
        entry.cents(tender.amount_cents, entry.TENDER, limits.tender_cents)
    return tender


@dataclass(frozen=True)
class Settlement:
    """How the tenders meet the total: change is owed only from cash."""

    paid_cents: int
    change_cents: int
    change_from_index: int | None


def settle(
    total_cents: int, tenders: list[TenderInput], limits: Limits = DEFAULT_LIMITS
) -> Settlement:
    """Check that the tenders cover `total_cents` exactly, give or take cash change, and
    that each is within the store's `limits`."""
    if total_cents < 0:
        raise TenderError("The order total cannot be negative.")
    for tender in tenders:
        check_limit(tender, limits)
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
