"""The end-of-day report of one register for one business day of the store.

Charts, PDF and printing: the screen draws its charts with Qt's own painting (QPainter)
and writes the PDF with Qt's QPdfWriter (`ui.reports`), so the report adds no dependency
and nothing to the installer; a charting library would add megabytes to the bundle and
its import to whoever loads it. This package and the report's screen are imported only
when a manager opens the report, never while the register starts.

The day is the store's calendar day (`StoreSettings.timezone`, `tastingroom.localtime`),
whatever the computer's clock zone. Every figure is summed by SQLite (GROUP BY over the
day's rows, found through the `created_at` index), never by a Python loop over the
history: a year of 200,000 sales is measured by `tastingroom bench`.

What is counted where:
- Sales: this register's orders of the day that were not voided (an order refunded
  later still counts as a sale; its refund is counted on the refund's own day).
- Refunds: this register's refund orders of the day, by total and by the tenders paid back.
- Discounts: of the day's sales, part by part as pricing decided them
  (`selling.pricing.DiscountPart`, kept with each sale since migration 0009): club by
  the club's name, mixed case, tasting fee waived, manual with its reason, and each
  line's share of an order discount with the order's reason. A line with a club and a
  manual discount counts in both rows, each with its own cents. Lines sold before 0009
  have no parts and are read from what pricing wrote on them; such a line that carried
  two automatic or manual discounts shows as one combined row, because only its total
  was kept. A refund gives back the net amount it returns and is counted under refunds;
  it does not take anything off the day's discounts.
- Tax per rate, tenders (change taken off cash) and tips by staff are of sales, less
  what refunds gave back.
- Age checks (at sales and pickups, passed or refused), voided sales and line voids
  (audit), pickups handed over and the day's orders not yet sent come from this
  register's database, which holds only this register's work.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from tastingroom.localtime import local, start_of_day
from tastingroom.money import to_cents
from tastingroom.selling.pricing import DiscountKind
from tastingroom.selling.tenders import TenderKind
from tastingroom.settings import load_settings
from tastingroom.status import end_of_day_warning
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AgeCheck,
    AuditEntry,
    Order,
    OrderLine,
    OrderLineDiscount,
    OutboxItem,
    Staff,
    Tender,
    utcnow,
)

TOP_PRODUCTS = 10

_register = Order.source.concat("") == "register"
"""A register's own order. Written so that SQLite cannot use it to pick an index: on
`source` alone it would take the pickups index (source first) and read every register
order ever made, where the day's range on `created_at` reads only the day's."""


@dataclass(frozen=True)
class Totals:
    """Orders of one kind (sales or refunds) added up."""

    count: int = 0
    subtotal_cents: int = 0
    discount_cents: int = 0
    tax_cents: int = 0
    shipping_cents: int = 0
    tip_cents: int = 0
    total_cents: int = 0

    @property
    def net_cents(self) -> int:
        """Goods after discounts, before tax, shipping and tips."""
        return self.subtotal_cents - self.discount_cents


@dataclass(frozen=True)
class DiscountRow:
    kind: str
    """`DISCOUNT_KINDS`' names; "Combined" only for lines sold before migration 0009."""
    reason: str
    """The club, the reason typed with a manual or order discount, why a tasting fee was
    waived, or what a combined line says."""
    lines: int
    cents: int


@dataclass(frozen=True)
class TaxRow:
    rate_ppm: int
    taxable_cents: int
    tax_cents: int
    refunded_cents: int

    @property
    def net_cents(self) -> int:
        return self.tax_cents - self.refunded_cents


@dataclass(frozen=True)
class TenderRow:
    kind: str
    label: str
    count: int
    taken_cents: int
    """Paid with this tender for sales, less change given."""
    refunded_cents: int

    @property
    def net_cents(self) -> int:
        return self.taken_cents - self.refunded_cents


@dataclass(frozen=True)
class TipRow:
    staff: str
    sales: int
    cents: int


@dataclass(frozen=True)
class HourRow:
    hour: int
    """The store's local hour, 0-23."""
    sales: int
    total_cents: int


@dataclass(frozen=True)
class ProductRow:
    name: str
    quantity: int
    net_cents: int


@dataclass(frozen=True)
class DayReport:
    store: str
    terminal: str
    day: date
    timezone: str
    made_at: datetime
    sales: Totals
    refunds: Totals
    discounts: tuple[DiscountRow, ...]
    taxes: tuple[TaxRow, ...]
    tenders: tuple[TenderRow, ...]
    tips: tuple[TipRow, ...]
    age_checks: int
    age_checks_refused: int
    voided_sales: int
    voided_cents: int
    line_voids: int
    pickups: tuple[str, ...]
    """Numbers of the web orders handed over here that day."""
    unsent: int
    """This register's orders of the day (sales, refunds, voids) not yet at WineDirect."""
    warning: str | None
    """`status.end_of_day_warning`: everything still waiting, whatever its day."""
    by_hour: tuple[HourRow, ...]
    top_products: tuple[ProductRow, ...]

    @property
    def discount_cents(self) -> int:
        return sum(d.cents for d in self.discounts)

    @property
    def net_sales_cents(self) -> int:
        """What the day brought in: sales less refunds (tax, shipping and tips included)."""
        return self.sales.total_cents - self.refunds.total_cents


def day_report(
    db: Database, day: date, terminal: str | None = None, now: datetime | None = None
) -> DayReport:
    """The report of register `terminal` (this one by default) for the store's `day`."""
    with db.read() as s:
        settings = load_settings(s)
        terminal = terminal or settings.terminal_prefix
        zone = settings.timezone
        start, end = start_of_day(day, zone), start_of_day(day + timedelta(days=1), zone)
        in_day = and_(Order.created_at >= start, Order.created_at < end, Order.terminal == terminal)
        sales_of_day = and_(
            in_day,
            _register,
            Order.transaction_type == "order",
            Order.status != "voided",
        )
        refunds_of_day = and_(in_day, _register, Order.transaction_type == "refund")
        sales = _totals(s, sales_of_day)
        refunds = _totals(s, refunds_of_day)
        voided = s.execute(
            select(func.count(), func.coalesce(func.sum(Order.total_cents), 0)).where(
                in_day, Order.transaction_type == "order", Order.status == "voided"
            )
        ).one()
        checks = _age_checks(s, start, end)
        report = DayReport(
            store=settings.store_name,
            terminal=terminal,
            day=day,
            timezone=zone,
            made_at=now or utcnow(),
            sales=sales,
            refunds=refunds,
            discounts=_discounts(s, sales_of_day),
            taxes=_taxes(s, sales_of_day, refunds_of_day),
            tenders=_tenders(s, sales_of_day, refunds_of_day),
            tips=_tips(s, sales_of_day),
            age_checks=checks[0],
            age_checks_refused=checks[1],
            voided_sales=voided[0],
            voided_cents=voided[1],
            line_voids=_count(
                s, AuditEntry, AuditEntry.at, start, end, AuditEntry.action == "void_line"
            ),
            pickups=_pickups(s, start, end),
            unsent=_unsent(s, in_day),
            warning=None,
            by_hour=_by_hour(s, sales_of_day, zone),
            top_products=_top_products(s, sales_of_day),
        )
    # Read after the report's own queries: it opens its own read of the outbox and problems.
    return replace(report, warning=end_of_day_warning(db))


def _totals(s: Session, where) -> Totals:
    row = s.execute(
        select(
            func.count(),
            *(
                func.coalesce(func.sum(column), 0)
                for column in (
                    Order.subtotal_cents,
                    Order.discount_cents,
                    Order.tax_cents,
                    Order.shipping_cents,
                    Order.tip_cents,
                    Order.total_cents,
                )
            ),
        ).where(where)
    ).one()
    return Totals(*row)


def _count(s: Session, model, column, start: datetime, end: datetime, *more) -> int:
    return (
        s.scalar(
            select(func.count()).select_from(model).where(column >= start, column < end, *more)
        )
        or 0
    )


def _age_checks(s: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """(made, refused) that day. `checked_at` has no index: one pass over a year of
    checks (measured by `tastingroom bench`) costs less than an index that every sale
    would keep up to date."""
    made, refused = s.execute(
        select(func.count(), func.coalesce(func.sum(case((AgeCheck.passed, 0), else_=1)), 0)).where(
            AgeCheck.checked_at >= start, AgeCheck.checked_at < end
        )
    ).one()
    return made, refused


# --- discounts --------------------------------------------------------------------------

DISCOUNT_KINDS = {
    DiscountKind.CLUB: "Club",
    DiscountKind.MIXED_CASE: "Mixed case",
    DiscountKind.TASTING_FEE: "Tasting fee waived",
    DiscountKind.MANUAL: "Manual",
    DiscountKind.ORDER: "Order discount",
}
"""How each kind of discount part is named in the report, in the report's order."""
COMBINED = "Combined"
_ROW_ORDER = (*DISCOUNT_KINDS.values(), COMBINED)

_ORDER_SHARE = re.compile(r"^-?\$([\d,]+\.\d\d) of the order discount$")
_MANUAL = re.compile(r"^\S+ off \((?P<reason>.*)\)$")
_CLUB = re.compile(r"^(?P<club>.+) \d[\d.]*% off$")


def _kind_name(kind: str) -> str:
    try:
        return DISCOUNT_KINDS[DiscountKind(kind)]
    except ValueError:  # a kind this version does not know still shows, by its name
        return kind.replace("_", " ").capitalize()


def _discount_part(part: str) -> tuple[str, str] | None:
    """(kind, reason) of one note pricing wrote on a line, or None when it is no discount."""
    if part.startswith("mixed case ("):
        return "Mixed case", ""
    if part.startswith("tasting fee waived"):
        return "Tasting fee waived", part.removeprefix("tasting fee waived").strip(" :()")
    if match := _MANUAL.match(part):
        return "Manual", match["reason"]
    if match := _CLUB.match(part):
        return "Club", match["club"]
    return None


def _discounts(s: Session, sales_of_day) -> tuple[DiscountRow, ...]:
    """The day's discounts by kind and reason: SQLite adds up the parts kept with each
    sale, grouped by kind and label; lines sold before parts were kept are read from
    their notes (`_described_discounts`)."""
    found: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    parts = s.execute(
        select(
            OrderLineDiscount.kind,
            OrderLineDiscount.label,
            func.count(),
            func.sum(OrderLineDiscount.cents),
        )
        .join(Order, Order.id == OrderLineDiscount.order_id)
        .where(sales_of_day)
        .group_by(OrderLineDiscount.kind, OrderLineDiscount.label)
    ).all()
    for kind, label, lines, cents in parts:
        entry = found[_kind_name(kind), label]
        entry[0] += lines
        entry[1] += cents
    _described_discounts(s, sales_of_day, found)

    def rank(kind: str) -> int:
        return _ROW_ORDER.index(kind) if kind in _ROW_ORDER else len(_ROW_ORDER)

    return tuple(
        DiscountRow(kind, reason, lines, cents)
        for (kind, reason), (lines, cents) in sorted(
            found.items(), key=lambda item: (rank(item[0][0]), -item[1][1], item[0][1])
        )
    )


def _described_discounts(s: Session, sales_of_day, found: dict[tuple[str, str], list[int]]) -> None:
    """Add to `found` the discounted lines that have no parts (sold before migration
    0009), by what pricing wrote on them. SQLite groups them by their notes (a few dozen
    distinct notes on a busy day); each note is then read once here."""
    has_parts = exists().where(
        OrderLineDiscount.order_id == OrderLine.order_id,
        OrderLineDiscount.line_no == OrderLine.line_no,
    )
    rows = s.execute(
        select(
            OrderLine.explanation,
            Order.order_discount_reason,
            func.count(),
            func.sum(OrderLine.discount_cents),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(sales_of_day, OrderLine.discount_cents > 0, ~has_parts)
        .group_by(OrderLine.explanation, Order.order_discount_reason)
    ).all()
    for explanation, order_reason, lines, cents in rows:
        parts = [p.strip() for p in (explanation or "").split(";")]
        order_share = sum(
            to_cents(m[1].replace(",", "")) * lines for p in parts if (m := _ORDER_SHARE.match(p))
        )
        if order_share:
            entry = found["Order discount", order_reason or ""]
            entry[0] += lines
            entry[1] += order_share
        kinds = [k for p in parts if (k := _discount_part(p)) is not None]
        rest = cents - order_share
        if rest <= 0:
            continue
        if len(kinds) == 1:
            key = kinds[0]
        else:  # two discounts on one line: only their total is kept
            key = (COMBINED, " + ".join(f"{k} {r}".strip() for k, r in kinds) or "other")
        entry = found[key]
        entry[0] += lines
        entry[1] += rest


# --- tax, tenders, tips -----------------------------------------------------------------


def _taxes(s: Session, sales_of_day, refunds_of_day) -> tuple[TaxRow, ...]:
    is_refund = Order.transaction_type == "refund"
    rows = s.execute(
        select(
            OrderLine.tax_rate_ppm,
            func.sum(case((is_refund, 0), else_=OrderLine.net_cents)),
            func.sum(case((is_refund, 0), else_=OrderLine.tax_cents)),
            func.sum(case((is_refund, OrderLine.tax_cents), else_=0)),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(sales_of_day | refunds_of_day, OrderLine.taxable.is_(True))
        .group_by(OrderLine.tax_rate_ppm)
        .order_by(OrderLine.tax_rate_ppm)
    ).all()
    return tuple(TaxRow(*row) for row in rows)


def _tenders(s: Session, sales_of_day, refunds_of_day) -> tuple[TenderRow, ...]:
    is_refund = Order.transaction_type == "refund"
    rows = s.execute(
        select(
            Tender.kind,
            func.sum(case((is_refund, 0), else_=1)),
            func.sum(case((is_refund, 0), else_=Tender.amount_cents - Tender.change_cents)),
            func.sum(case((is_refund, Tender.amount_cents), else_=0)),
        )
        .join(Order, Order.id == Tender.order_id)
        .where(sales_of_day | refunds_of_day)
        .group_by(Tender.kind)
    ).all()
    tenders = [
        TenderRow(kind, _tender_label(kind), count, taken, refunded)
        for kind, count, taken, refunded in rows
    ]
    return tuple(sorted(tenders, key=lambda t: -t.taken_cents))


def _tender_label(kind: str) -> str:
    try:
        return TenderKind(kind).label
    except ValueError:  # a kind this version does not know still shows, by its name
        return kind.replace("_", " ").capitalize()


def _tips(s: Session, sales_of_day) -> tuple[TipRow, ...]:
    rows = s.execute(
        select(func.coalesce(Staff.name, "(nobody)"), func.count(), func.sum(Order.tip_cents))
        .select_from(Order)
        .outerjoin(Staff, Staff.id == Order.staff_id)
        .where(sales_of_day, Order.tip_cents > 0)
        .group_by(Staff.name)
        .order_by(func.sum(Order.tip_cents).desc())
    ).all()
    return tuple(TipRow(*row) for row in rows)


# --- pickups, the outbox ----------------------------------------------------------------


def _pickups(s: Session, start: datetime, end: datetime) -> tuple[str, ...]:
    # `source` leads the pickups index, which also holds `picked_up_at`.
    return tuple(
        s.scalars(
            select(Order.number)
            .where(Order.source == "web", Order.picked_up_at >= start, Order.picked_up_at < end)
            .order_by(Order.picked_up_at)
        )
    )


def _unsent(s: Session, in_day) -> int:
    return (
        s.scalar(
            select(func.count(func.distinct(Order.id)))
            .select_from(Order)
            .join(OutboxItem, OutboxItem.entity_id == Order.id)
            .where(in_day, OutboxItem.state.in_(("pending", "quarantined")))
        )
        or 0
    )


# --- charts -----------------------------------------------------------------------------


def _by_hour(s: Session, sales_of_day, zone: str) -> tuple[HourRow, ...]:
    """Sales by the store's hour. SQLite groups by UTC minute (at most 1,440 groups);
    each minute is then put in its local hour, which stays right on the days the clocks
    change and in zones a half hour off UTC."""
    minute = func.strftime("%Y-%m-%d %H:%M", Order.created_at)
    rows = s.execute(
        select(minute, func.count(), func.sum(Order.total_cents))
        .where(sales_of_day)
        .group_by(minute)
    ).all()
    hours: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for stamp, count, cents in rows:
        hour = local(datetime.fromisoformat(stamp + ":00+00:00"), zone).hour
        hours[hour][0] += count
        hours[hour][1] += cents
    return tuple(HourRow(hour, *hours[hour]) for hour in sorted(hours))


def _top_products(s: Session, sales_of_day) -> tuple[ProductRow, ...]:
    net = func.sum(OrderLine.net_cents)
    rows = s.execute(
        select(OrderLine.name, func.sum(OrderLine.quantity), net)
        .join(Order, Order.id == OrderLine.order_id)
        .where(sales_of_day)
        .group_by(OrderLine.sku_code, OrderLine.name)
        .order_by(net.desc(), OrderLine.name)
        .limit(TOP_PRODUCTS)
    ).all()
    return tuple(ProductRow(*row) for row in rows)
