"""Pricing: the one place where a line's price, discounts and tax are decided.

`price_cart` is pure: it takes what is being sold, to whom, and the store's rules, and
returns every number with the words that explain it, line by line. The cart, the
receipt, the commit and WineDirect's payload all read its result; nothing else
computes money.

The order of operations on a line (each step works on what the previous one left):

1. Unit price from the customer's price level (the store's default level otherwise);
   a lower sale price wins; a manager-approved override replaces both.
2. Automatic discount: the best club discount for the line's kind, and the mixed-case
   discount for wine when the order holds enough bottles (packs count by their
   bottles). By the store's `case_combines` rule they never stack ("best": the larger
   applies) or the case discount comes off the club price ("stack").
   A tasting fee that is waived (club member, or enough bottles bought) is discounted
   in full instead.
3. A manual line discount (percent or amount, with a reason).
4. A manual order discount (percent or amount, with a reason), spread over the lines
   in proportion to what they still cost, so that tax stays right per line.
5. Tax per line: taxable lines of a taxable customer at the order's rate, half-up.

Each line's discount is also kept part by part (`PricedLine.parts`: club, mixed case,
tasting fee, manual, its share of the order discount), and the parts add up exactly to
the line's `discount_cents`, so that the day report counts each kind to the cent. A
price level, a sale price or a manager's override is no discount: it is the unit price.

Total = sum of line nets + sum of line taxes + shipping + tip. Nothing is negative, and
every amount is whole cents (`tastingroom.entry`): a float or an infinity never reaches
a total.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from tastingroom import entry
from tastingroom.entry import EntryRefused, refused_as
from tastingroom.kinds import WINE_BOTTLE_KINDS, Kind
from tastingroom.money import PPM, apply_rate, format_cents, format_rate, round_cents
from tastingroom.settings import StoreSettings


class PricingError(EntryRefused):
    """A cart that cannot be priced as asked (the message says what to change)."""


@dataclass(frozen=True)
class Discount:
    """A manual discount: a rate (ppm) or an amount in cents, never both, with a reason.

    The reason is printed on the receipt, so it passes the text rule for its field."""

    reason: str
    rate_ppm: int = 0
    amount_cents: int = 0

    def __post_init__(self) -> None:
        with refused_as(PricingError):
            object.__setattr__(self, "reason", entry.text(self.reason, entry.DISCOUNT_REASON))
            entry.cents(self.amount_cents, entry.DISCOUNT)
        size = entry.DISCOUNT.field
        if isinstance(self.rate_ppm, bool) or not isinstance(self.rate_ppm, int):
            raise PricingError("A percentage off must be whole parts per million.", size)
        if not self.reason:
            raise PricingError("A discount needs a reason.", entry.DISCOUNT_REASON.field)
        if (self.rate_ppm > 0) == (self.amount_cents > 0):
            raise PricingError("A discount is either a percentage or an amount.", size)
        if not 0 <= self.rate_ppm <= 1_000_000:
            raise PricingError("A discount must be between 0% and 100% or a positive amount.", size)

    def cents_off(self, base_cents: int) -> int:
        if self.rate_ppm:
            return min(base_cents, apply_rate(base_cents, self.rate_ppm))
        return min(base_cents, self.amount_cents)

    def describe(self) -> str:
        size = format_rate(self.rate_ppm) if self.rate_ppm else format_cents(self.amount_cents)
        return f"{size} off ({self.reason})"


class DiscountKind(StrEnum):
    """What a part of a line's discount is for (stored with the sale, so values never change)."""

    CLUB = "club"
    MIXED_CASE = "mixed_case"
    TASTING_FEE = "tasting_fee"
    MANUAL = "manual"
    ORDER = "order"


@dataclass(frozen=True)
class DiscountPart:
    """One discount on one line and what it took off, in cents.

    `label` says which: the club's name, the reason typed with a manual or order
    discount, why a tasting fee was waived; empty for the mixed-case discount."""

    kind: DiscountKind
    label: str
    cents: int


@dataclass(frozen=True)
class LineInput:
    """One cart line as pricing needs it."""

    sku_code: str
    name: str
    kind: Kind
    quantity: int
    units: int
    """Base units per item sold: 1 for a bottle, 6 for a 6-pack, 12 for a case."""
    prices: dict[str, tuple[int, int | None]]
    """Price level -> (price, sale price or None), in cents per item."""
    taxable: bool = True
    override_cents: int | None = None
    discount: Discount | None = None


@dataclass(frozen=True)
class ClubTerms:
    name: str
    discount_ppm: int
    kinds: frozenset[str]
    """Kinds the discount applies to; empty for every kind."""
    waives_tasting_fee: bool

    def applies_to(self, kind: Kind) -> bool:
        return not self.kinds or kind.value in self.kinds


@dataclass(frozen=True)
class PricingContext:
    settings: StoreSettings
    price_level: str | None = None
    clubs: tuple[ClubTerms, ...] = ()
    tax_exempt: bool = False
    tax_rate_ppm: int = 0
    shipping_cents: int = 0
    tip_cents: int = 0
    order_discount: Discount | None = None


@dataclass
class PricedLine:
    sku_code: str
    name: str
    kind: Kind
    quantity: int
    units: int
    unit_price_cents: int
    original_price_cents: int
    gross_cents: int
    discount_cents: int
    net_cents: int
    taxable: bool
    tax_rate_ppm: int
    tax_cents: int
    explanation: list[str] = field(default_factory=list)
    manual_discount_cents: int = 0
    order_discount_cents: int = 0
    parts: tuple[DiscountPart, ...] = ()
    """`discount_cents` part by part (none of zero cents); they add up to it exactly."""

    @property
    def before_manual_cents(self) -> int:
        """What the line cost before its manual discount and its share of the order's."""
        return self.net_cents + self.manual_discount_cents + self.order_discount_cents

    @property
    def total_cents(self) -> int:
        return self.net_cents + self.tax_cents


@dataclass
class PricedCart:
    lines: list[PricedLine]
    subtotal_cents: int
    """Sum of lines before any discount."""
    discount_cents: int
    tax_cents: int
    shipping_cents: int
    tip_cents: int
    total_cents: int
    bottles: int
    notes: list[str] = field(default_factory=list)

    @property
    def net_cents(self) -> int:
        return self.subtotal_cents - self.discount_cents


def _unit_price(line: LineInput, level: str, default_level: str) -> tuple[int, int, list[str]]:
    """(price charged per item, list price per item, explanation)."""
    chosen = level if level in line.prices else default_level
    if chosen not in line.prices:
        if not line.prices:
            raise PricingError(f"{line.name} has no price; it cannot be sold until it has one.")
        chosen = sorted(line.prices)[0]
    price, sale = line.prices[chosen]
    notes = []
    if chosen != default_level:
        notes.append(f"{chosen} price {format_cents(price)}")
    unit = price
    if sale is not None and sale < price:
        unit = sale
        notes.append(f"on sale {format_cents(sale)} (was {format_cents(price)})")
    if line.override_cents is not None:
        with refused_as(PricingError):
            entry.cents(line.override_cents, entry.OVERRIDE)
        notes.append(f"price changed to {format_cents(line.override_cents)} by a manager")
        unit = line.override_cents
    return unit, price, notes


def _best_club(kind: Kind, clubs: tuple[ClubTerms, ...]) -> ClubTerms | None:
    eligible = [c for c in clubs if c.applies_to(kind) and c.discount_ppm > 0]
    return max(eligible, key=lambda c: c.discount_ppm, default=None)


def _waived_fee_count(
    lines: list[LineInput], ctx: PricingContext, bottles: int
) -> tuple[int, str, str]:
    """(fees waived, the note on the line, why: the label of the discount part)."""
    fees = sum(line.quantity for line in lines if line.kind is Kind.TASTING_FEE)
    if not fees:
        return 0, "", ""
    if ctx.settings.club_waives_tasting_fee and any(c.waives_tasting_fee for c in ctx.clubs):
        return fees, "tasting fee waived for club members", "for club members"
    per = ctx.settings.tasting_fee_waiver_bottles
    if per > 0 and bottles >= per:
        waived = min(fees, bottles // per)
        plural = "bottle" if per == 1 else f"{per} bottles"
        why = f"one per {plural} bought"
        return waived, f"tasting fee waived: {why}", why
    return 0, "", ""


def price_cart(lines: list[LineInput], ctx: PricingContext) -> PricedCart:
    """Price every line and the order; see the module docstring for the rules."""
    settings = ctx.settings
    level = ctx.price_level or settings.default_price_level
    for line in lines:
        if line.quantity <= 0 or line.units <= 0:
            raise PricingError(f"{line.name}: the quantity must be a whole number above zero.")
    with refused_as(PricingError):
        entry.cents(ctx.shipping_cents, entry.SHIPPING)
        entry.cents(ctx.tip_cents, entry.TIP)

    bottles = sum(line.quantity * line.units for line in lines if line.kind in WINE_BOTTLE_KINDS)
    case_applies = (
        settings.case_threshold_bottles > 0
        and settings.case_discount_ppm > 0
        and bottles >= settings.case_threshold_bottles
    )
    fees_to_waive, waiver_note, waiver_why = _waived_fee_count(lines, ctx, bottles)

    priced: list[PricedLine] = []
    for line in lines:
        unit, original, notes = _unit_price(line, level, settings.default_price_level)
        gross = unit * line.quantity
        remaining = gross
        discount = 0
        parts: list[DiscountPart] = []

        if line.kind is Kind.TASTING_FEE and fees_to_waive > 0:
            waived = min(fees_to_waive, line.quantity)
            fees_to_waive -= waived
            off = unit * waived
            notes.append(waiver_note if waived == line.quantity else f"{waiver_note} ({waived})")
            parts.append(DiscountPart(DiscountKind.TASTING_FEE, waiver_why, off))
            discount += off
            remaining -= off
        else:
            club = _best_club(line.kind, ctx.clubs) if line.override_cents is None else None
            case = case_applies and line.kind.value in settings.case_discount_kinds
            club_off = apply_rate(remaining, club.discount_ppm) if club else 0
            case_off = apply_rate(remaining, settings.case_discount_ppm) if case else 0
            if club and case and settings.case_combines == "stack":
                case_off = apply_rate(remaining - club_off, settings.case_discount_ppm)
                notes.append(f"{club.name} {format_rate(club.discount_ppm)} off")
                notes.append(
                    f"mixed case ({bottles} bottles) {format_rate(settings.case_discount_ppm)} "
                    "off the club price"
                )
                parts.append(DiscountPart(DiscountKind.CLUB, club.name, club_off))
                parts.append(DiscountPart(DiscountKind.MIXED_CASE, "", case_off))
                off = club_off + case_off
            elif club and club_off >= case_off:
                notes.append(f"{club.name} {format_rate(club.discount_ppm)} off")
                if case:
                    notes.append("club discount is larger than the mixed-case discount")
                parts.append(DiscountPart(DiscountKind.CLUB, club.name, club_off))
                off = club_off
            elif case:
                notes.append(
                    f"mixed case ({bottles} bottles) {format_rate(settings.case_discount_ppm)} off"
                )
                if club:
                    notes.append("mixed-case discount is larger than the club discount")
                parts.append(DiscountPart(DiscountKind.MIXED_CASE, "", case_off))
                off = case_off
            else:
                off = 0
            discount += off
            remaining -= off

        manual = 0
        if line.discount is not None:
            manual = line.discount.cents_off(remaining)
            notes.append(line.discount.describe())
            parts.append(DiscountPart(DiscountKind.MANUAL, line.discount.reason, manual))
            discount += manual
            remaining -= manual

        priced.append(
            PricedLine(
                sku_code=line.sku_code,
                name=line.name,
                kind=line.kind,
                quantity=line.quantity,
                units=line.units,
                unit_price_cents=unit,
                original_price_cents=original,
                gross_cents=gross,
                discount_cents=discount,
                net_cents=remaining,
                taxable=line.taxable and not ctx.tax_exempt,
                tax_rate_ppm=0,
                tax_cents=0,
                explanation=notes,
                manual_discount_cents=manual,
                parts=tuple(part for part in parts if part.cents),
            )
        )

    notes: list[str] = []
    if ctx.order_discount is not None:
        _spread_order_discount(priced, ctx.order_discount)
        notes.append(f"Order discount: {ctx.order_discount.describe()}")
    if ctx.tax_exempt:
        notes.append("Customer is tax exempt")

    for p in priced:
        if p.taxable and ctx.tax_rate_ppm:
            p.tax_rate_ppm = ctx.tax_rate_ppm
            p.tax_cents = apply_rate(p.net_cents, ctx.tax_rate_ppm)
        elif not p.taxable:
            p.explanation.append("not taxed")

    subtotal = sum(p.gross_cents for p in priced)
    discount_total = sum(p.discount_cents for p in priced)
    tax = sum(p.tax_cents for p in priced)
    total = subtotal - discount_total + tax + ctx.shipping_cents + ctx.tip_cents
    return PricedCart(
        lines=priced,
        subtotal_cents=subtotal,
        discount_cents=discount_total,
        tax_cents=tax,
        shipping_cents=ctx.shipping_cents,
        tip_cents=ctx.tip_cents,
        total_cents=total,
        bottles=bottles,
        notes=notes,
    )


def _spread_order_discount(lines: list[PricedLine], discount: Discount) -> None:
    """Share an order discount over the lines by what each still costs.

    Shares are rounded down and the cents left over go to the largest lines first, so
    the shares add up exactly to the discount.
    """
    base = sum(p.net_cents for p in lines)
    total_off = discount.cents_off(base)
    if total_off <= 0 or base <= 0:
        return
    shares = []
    for index, p in enumerate(lines):
        exact = Decimal(p.net_cents) * total_off / base
        shares.append([int(exact), exact - int(exact), index])
    leftover = total_off - sum(s[0] for s in shares)
    for share in sorted(shares, key=lambda s: (-s[1], -lines[s[2]].net_cents))[:leftover]:
        share[0] += 1
    for cents, _, index in shares:
        p = lines[index]
        cents = min(cents, p.net_cents)
        p.order_discount_cents = cents
        p.discount_cents += cents
        p.net_cents -= cents
        if cents:
            p.explanation.append(f"{format_cents(cents)} of the order discount")
            p.parts += (DiscountPart(DiscountKind.ORDER, discount.reason, cents),)


def discount_share_ppm(discount_cents: int, base_cents: int) -> int:
    """What share of `base_cents` a discount is, in ppm (for the manager-approval limit)."""
    if base_cents <= 0:
        return 0 if discount_cents <= 0 else 1_000_000
    return round_cents(Decimal(discount_cents) * PPM / base_cents)
