"""Pricing: the rules case by case, and hypothesis properties over random carts."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tastingroom.kinds import Kind
from tastingroom.money import apply_rate
from tastingroom.selling.pricing import (
    ClubTerms,
    Discount,
    DiscountKind,
    DiscountPart,
    LineInput,
    PricingContext,
    PricingError,
    price_cart,
)
from tastingroom.settings import StoreSettings

STORE = StoreSettings(tax_rate_ppm=86_250)


def bottle(code="PN", price=4800, qty=1, units=1, **kw) -> LineInput:
    return LineInput(code, f"Wine {code}", Kind.BOTTLE, qty, units, {"Retail": (price, None)}, **kw)


def fee(qty=1, price=2000) -> LineInput:
    return LineInput("FEE", "Tasting Fee", Kind.TASTING_FEE, qty, 1, {"Retail": (price, None)})


CLUB10 = ClubTerms("Lune Club", 100_000, frozenset(), True)
CLUB20_WINE = ClubTerms("Reserve", 200_000, frozenset({"bottle"}), False)


def test_plain_sale_taxes_each_line_half_up():
    priced = price_cart([bottle(price=1999, qty=3)], PricingContext(STORE, tax_rate_ppm=86_250))
    line = priced.lines[0]
    assert line.net_cents == 5997
    assert line.tax_cents == 517  # 517.24
    assert line.tax_rate_ppm == 86_250
    assert priced.total_cents == 5997 + 517


def test_price_level_and_sale_price():
    line = LineInput(
        "X", "X", Kind.BOTTLE, 1, 1, {"Retail": (3000, 2500), "Wholesale": (1800, None)}
    )
    assert price_cart([line], PricingContext(STORE)).lines[0].unit_price_cents == 2500
    wholesale = price_cart([line], PricingContext(STORE, price_level="Wholesale")).lines[0]
    assert wholesale.unit_price_cents == 1800
    assert "Wholesale price $18.00" in wholesale.explanation
    unknown = price_cart([line], PricingContext(STORE, price_level="Nope")).lines[0]
    assert unknown.unit_price_cents == 2500


def test_best_club_discount_per_kind():
    ctx = PricingContext(STORE, clubs=(CLUB10, CLUB20_WINE))
    priced = price_cart([bottle(price=1000), fee()], ctx)
    assert priced.lines[0].discount_cents == 200
    assert "Reserve 20% off" in priced.lines[0].explanation


def test_mixed_case_counts_packs_by_bottles_and_best_of_with_club():
    lines = [bottle("A", 2000, qty=6), bottle("B6", 12000, units=6)]
    no_club = price_cart(lines, PricingContext(STORE))
    assert no_club.bottles == 12
    assert all(p.discount_cents == p.gross_cents // 10 for p in no_club.lines)
    club15 = ClubTerms("Fifteen", 150_000, frozenset(), False)
    best = price_cart(lines, PricingContext(STORE, clubs=(club15,)))
    assert best.lines[0].discount_cents == 1800  # 15% beats 10%: never both
    assert "club discount is larger than the mixed-case discount" in best.lines[0].explanation


def test_mixed_case_can_stack_on_club_price():
    store = dataclasses.replace(STORE, case_combines="stack")
    lines = [bottle("A", 1000, qty=12)]
    priced = price_cart(lines, PricingContext(store, clubs=(CLUB10,)))
    # 12000 - 10% = 10800, then 10% off that = 1080: 2280 off in all
    assert priced.lines[0].discount_cents == 2280


def test_below_case_threshold_no_case_discount():
    priced = price_cart([bottle(qty=11)], PricingContext(STORE))
    assert priced.discount_cents == 0


def test_tasting_fee_waived_per_two_bottles_and_for_members():
    one_bottle = price_cart([fee(qty=2), bottle()], PricingContext(STORE))
    assert one_bottle.lines[0].discount_cents == 0
    four_bottles = price_cart([fee(qty=3), bottle(qty=4)], PricingContext(STORE))
    assert four_bottles.lines[0].discount_cents == 4000  # two of three fees waived
    member = price_cart([fee(qty=3)], PricingContext(STORE, clubs=(CLUB10,)))
    assert member.lines[0].net_cents == 0
    assert "tasting fee waived for club members" in member.lines[0].explanation
    no_waiver = dataclasses.replace(STORE, club_waives_tasting_fee=False)
    assert price_cart([fee()], PricingContext(no_waiver, clubs=(CLUB10,))).lines[0].net_cents


def test_order_discount_spreads_exactly_and_keeps_tax_per_line():
    lines = [bottle("A", 1001), bottle("B", 1001), bottle("C", 1001)]
    ctx = PricingContext(
        STORE, tax_rate_ppm=100_000, order_discount=Discount("owner", amount_cents=100)
    )
    priced = price_cart(lines, ctx)
    assert sum(p.order_discount_cents for p in priced.lines) == 100
    assert priced.discount_cents == 100
    assert [p.net_cents for p in priced.lines] == [967, 968, 968]  # the spare cent: first line
    assert priced.tax_cents == sum(apply_rate(p.net_cents, 100_000) for p in priced.lines)


def test_manual_line_discount_needs_a_reason_and_one_size():
    with pytest.raises(PricingError):
        Discount("  ", rate_ppm=100_000)
    with pytest.raises(PricingError):
        Discount("both", rate_ppm=10, amount_cents=10)
    priced = price_cart(
        [bottle(price=1000, discount=Discount("damaged label", amount_cents=300))],
        PricingContext(STORE),
    )
    assert priced.lines[0].net_cents == 700
    assert "$3.00 off (damaged label)" in priced.lines[0].explanation


def test_non_taxable_items_and_tax_exempt_customers():
    food = LineInput("F", "Olives", Kind.FOOD, 1, 1, {"Retail": (900, None)}, taxable=False)
    priced = price_cart([food, bottle()], PricingContext(STORE, tax_rate_ppm=86_250))
    assert priced.lines[0].tax_cents == 0 and "not taxed" in priced.lines[0].explanation
    assert priced.lines[1].tax_cents > 0
    exempt = price_cart([bottle()], PricingContext(STORE, tax_rate_ppm=86_250, tax_exempt=True))
    assert exempt.tax_cents == 0


def test_nonsense_quantities_and_missing_prices_are_refused():
    with pytest.raises(PricingError):
        price_cart([bottle(qty=0)], PricingContext(STORE))
    with pytest.raises(PricingError):
        price_cart([LineInput("N", "No price", Kind.BOTTLE, 1, 1, {})], PricingContext(STORE))


# --- properties ---------------------------------------------------------------------------

kinds = st.sampled_from(list(Kind))
lines_strategy = st.lists(
    st.builds(
        lambda kind, qty, units, price, sale, disc, taxable: LineInput(
            "S", "Item", kind, qty, units, {"Retail": (price, sale)}, taxable=taxable, discount=disc
        ),
        kinds,
        st.integers(1, 30),
        st.sampled_from([1, 1, 3, 6, 12]),
        st.integers(0, 50_000),
        st.one_of(st.none(), st.integers(0, 50_000)),
        st.one_of(
            st.none(),
            st.builds(lambda r: Discount("r", rate_ppm=r), st.integers(1, 1_000_000)),
            st.builds(lambda a: Discount("a", amount_cents=a), st.integers(1, 100_000)),
        ),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)
clubs_strategy = st.lists(
    st.builds(
        ClubTerms,
        st.just("Club"),
        st.integers(0, 500_000),
        st.frozensets(st.sampled_from([k.value for k in Kind]), max_size=3),
        st.booleans(),
    ),
    max_size=2,
).map(tuple)


@settings(max_examples=300, deadline=None)
@given(
    lines=lines_strategy,
    clubs=clubs_strategy,
    rate=st.integers(0, 150_000),
    exempt=st.booleans(),
    shipping=st.integers(0, 5000),
    tip=st.integers(0, 5000),
    order_discount=st.one_of(
        st.none(),
        st.builds(lambda r: Discount("o", rate_ppm=r), st.integers(1, 1_000_000)),
        st.builds(lambda a: Discount("o", amount_cents=a), st.integers(1, 200_000)),
    ),
    combine=st.sampled_from(["best", "stack"]),
)
def test_totals_add_up_to_the_cent_and_are_never_negative(
    lines, clubs, rate, exempt, shipping, tip, order_discount, combine
):
    store = dataclasses.replace(STORE, case_combines=combine)
    ctx = PricingContext(
        store,
        clubs=clubs,
        tax_rate_ppm=rate,
        tax_exempt=exempt,
        shipping_cents=shipping,
        tip_cents=tip,
        order_discount=order_discount,
    )
    priced = price_cart(lines, ctx)
    line_nets = sum(p.net_cents for p in priced.lines)
    line_tax = sum(p.tax_cents for p in priced.lines)
    assert priced.total_cents == line_nets + line_tax + shipping + tip
    assert (
        priced.total_cents
        == priced.subtotal_cents - priced.discount_cents + priced.tax_cents + shipping + tip
    )
    for p in priced.lines:
        assert p.net_cents >= 0 and p.tax_cents >= 0 and p.discount_cents >= 0
        assert p.gross_cents - p.discount_cents == p.net_cents
        if exempt or not p.taxable:
            assert p.tax_cents == 0
    if order_discount is not None:
        base = sum(p.net_cents + p.order_discount_cents for p in priced.lines)
        assert sum(p.order_discount_cents for p in priced.lines) == order_discount.cents_off(base)
    assert priced.total_cents >= 0


def parts_of(line) -> list[tuple[str, str, int]]:
    return [(part.kind.value, part.label, part.cents) for part in line.parts]


def test_a_line_keeps_its_discount_part_by_part():
    store = dataclasses.replace(STORE, case_combines="stack")
    cart = [bottle(qty=12, discount=Discount("dented", amount_cents=500)), fee()]
    ctx = PricingContext(store, clubs=(CLUB10,), order_discount=Discount("regular", 50_000))
    wine, tasting = price_cart(cart, ctx).lines
    # 57,600: 10% club, 10% of what is left for the case, $5 by hand, then 5% of the order
    assert parts_of(wine) == [
        ("club", "Lune Club", 5760),
        ("mixed_case", "", 5184),
        ("manual", "dented", 500),
        ("order", "regular", 2308),
    ]
    assert sum(part.cents for part in wine.parts) == wine.discount_cents
    assert parts_of(tasting) == [("tasting_fee", "for club members", 2000)]


def test_a_line_without_a_discount_has_no_parts():
    priced = price_cart([bottle(qty=2)], PricingContext(STORE, price_level="Retail"))
    assert priced.lines[0].discount_cents == 0
    assert priced.lines[0].parts == ()


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.builds(
            lambda line, override: dataclasses.replace(line, override_cents=override),
            lines_strategy.map(lambda lines: lines[0]),
            st.one_of(st.none(), st.none(), st.integers(0, 50_000)),
        ),
        min_size=1,
        max_size=8,
    ),
    clubs=st.lists(
        st.builds(
            ClubTerms,
            st.sampled_from(["Lune Club", "Reserve"]),
            st.integers(0, 500_000),
            st.frozensets(st.sampled_from([k.value for k in Kind]), max_size=3),
            st.booleans(),
        ),
        max_size=2,
    ).map(tuple),
    order_discount=st.one_of(
        st.none(),
        st.builds(lambda r: Discount("o", rate_ppm=r), st.integers(1, 1_000_000)),
        st.builds(lambda a: Discount("o", amount_cents=a), st.integers(1, 200_000)),
    ),
    combine=st.sampled_from(["best", "stack"]),
    waiver_bottles=st.integers(0, 3),
)
def test_the_parts_of_every_line_add_up_to_its_discount(
    lines, clubs, order_discount, combine, waiver_bottles
):
    store = dataclasses.replace(
        STORE, case_combines=combine, tasting_fee_waiver_bottles=waiver_bottles
    )
    ctx = PricingContext(store, clubs=clubs, order_discount=order_discount)
    priced = price_cart(lines, ctx)
    for p in priced.lines:
        assert sum(part.cents for part in p.parts) == p.discount_cents
        assert all(isinstance(part, DiscountPart) and part.cents > 0 for part in p.parts)
        kinds = [part.kind for part in p.parts]
        assert len(kinds) == len(set(kinds))  # each kind of discount at most once a line
        by_kind = {part.kind: part for part in p.parts}
        manual = by_kind.get(DiscountKind.MANUAL)
        assert (manual.cents if manual else 0) == p.manual_discount_cents
        order = by_kind.get(DiscountKind.ORDER)
        assert (order.cents if order else 0) == p.order_discount_cents
        if club := by_kind.get(DiscountKind.CLUB):
            assert club.label in {c.name for c in clubs}
        if DiscountKind.TASTING_FEE in by_kind:
            assert p.kind is Kind.TASTING_FEE
