"""Exchange credit: what a return carries from the refund screen to the selling screen.

An exchange is one transaction (`refunds.commit_exchange`), but it is rung on two
screens: the refund screen chooses what comes back and gets the manager's approval of the
refund; the selling screen rings the new items and the payment dialog settles the
difference. This is all the selling screen and the payment dialog need to know of the
return, and nothing is written until the payment dialog commits both together.
"""

from __future__ import annotations

from dataclasses import dataclass

from tastingroom.people.staff import Approval
from tastingroom.selling.refunds import RefundQuote, ReturnLine


@dataclass(frozen=True)
class ExchangeCredit:
    quote: RefundQuote
    """What comes back and what it is worth, at the prices charged."""
    returns: tuple[ReturnLine, ...]
    approvals: tuple[Approval, ...]
    """The manager's approval of the refund (and of an old order's), given on the refund
    screen; another tender for the difference is approved when it is chosen."""

    @property
    def order_id(self) -> str:
        return self.quote.original.order_id

    @property
    def number(self) -> str:
        return self.quote.original.number

    @property
    def value_cents(self) -> int:
        return self.quote.total_cents
