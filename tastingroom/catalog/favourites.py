"""The favourites a register offers on its front page, and where each tile sits.

Tapping beats typing at a busy bar, so the first page of the product grid holds what a
manager pinned there, in the order chosen, then the items rung up most over the 30 days
before today (register sales only; voided and refunded ones left out). A new store has
no history yet; its favourites are filled up with tastings and single bottles so the
grid is never empty.

Staff tap by position, not by reading: a tile that moved between two sales rings up the
wrong wine. So today's sales never count until tomorrow (the look-back ends at the
store's midnight, in its own time zone), and `FavouritesBoard` works the order out once
per store day and keeps it. Only a manager changing the pins moves tiles during a day.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tastingroom.catalog.index import CatalogIndex, Item
from tastingroom.kinds import Kind
from tastingroom.localtime import local_day, start_of_day
from tastingroom.people.staff import AuthError, StaffMember
from tastingroom.settings import load_settings
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AuditEntry,
    Order,
    OrderLine,
    PinnedFavourite,
    Sku,
    new_id,
    utcnow,
)

FAVOURITE_COUNT = 15
"""Tiles on the favourites page (five full rows of three), pinned ones included; also the
most a manager may pin."""
LOOK_BACK_DAYS = 30
STARTERS = (Kind.TASTING_FLIGHT, Kind.TASTING_FEE, Kind.GLASS_POUR, Kind.BOTTLE)
"""What fills up a new store's favourites, in this order."""


class PinRefused(ValueError):
    """The pinned favourites cannot be saved as asked (the message says why); nothing
    was changed."""


def pinned_ids(session: Session) -> list[str]:
    """The SKUs a manager pinned, first tile first."""
    return list(session.scalars(select(PinnedFavourite.sku_id).order_by(PinnedFavourite.position)))


def pinned(db: Database, catalog: CatalogIndex) -> list[Item]:
    """The pinned favourites the register can sell now (an inactive SKU is left out)."""
    with db.read() as s:
        ids = pinned_ids(s)
    return [item for item in map(catalog.by_id, ids) if item is not None]


def set_pinned(
    db: Database, sku_ids: Sequence[str], staff: StaffMember, now: datetime | None = None
) -> None:
    """Pin exactly `sku_ids`, in this order, in place of the pins before (an empty list
    unpins all). Only a manager or the owner arranges the register's front page, and
    each change leaves an audit row naming who made it and the new order."""
    if not staff.can_approve:
        raise AuthError(
            f"{staff.name} is a cashier; only a manager or the owner can pin favourites."
        )
    if len(set(sku_ids)) != len(sku_ids):
        raise PinRefused("A favourite can be pinned once only.")
    if len(sku_ids) > FAVOURITE_COUNT:
        raise PinRefused(f"At most {FAVOURITE_COUNT} favourites can be pinned (one page of tiles).")
    with db.write() as s:
        codes = dict(s.execute(select(Sku.id, Sku.code).where(Sku.id.in_(sku_ids))).all())
        unknown = [sku_id for sku_id in sku_ids if sku_id not in codes]
        if unknown:
            raise PinRefused("That product is no longer in the catalog; it cannot be pinned.")
        s.execute(delete(PinnedFavourite))
        s.add_all(
            PinnedFavourite(sku_id=sku_id, position=position)
            for position, sku_id in enumerate(sku_ids)
        )
        s.add(
            AuditEntry(
                id=new_id(),
                at=now or utcnow(),
                action="pin_favourites",
                requested_by=staff.id,
                detail="pinned favourites: " + (", ".join(codes[i] for i in sku_ids) or "none"),
            )
        )


def _best_sellers(session: Session, since: datetime, until: datetime, limit: int) -> list[str]:
    """SKU ids by bottles (or pours, or tastings) sold at this register in [since, until)."""
    return list(
        session.scalars(
            select(OrderLine.sku_id)
            .join(Order, OrderLine.order_id == Order.id)
            .where(
                Order.created_at >= since,
                Order.created_at < until,
                Order.source == "register",
                Order.status == "completed",
                Order.transaction_type == "order",
                OrderLine.sku_id.is_not(None),
            )
            .group_by(OrderLine.sku_id)
            .order_by(func.sum(OrderLine.quantity).desc(), OrderLine.sku_id)
            .limit(limit)
        )
    )


def _for_day(
    session: Session, catalog: CatalogIndex, day: date, zone: str, count: int
) -> list[Item]:
    """Pinned, then the best sellers of the 30 store days before `day`, then starters,
    without repeats: `count` tiles at most."""
    pins = pinned_ids(session)
    until = start_of_day(day, zone)
    since = start_of_day(day - timedelta(days=LOOK_BACK_DAYS), zone)
    sellers = _best_sellers(session, since, until, count + len(pins))
    chosen: list[Item] = []
    seen: set[str] = set()
    for item in map(catalog.by_id, [*pins, *sellers]):
        if item is not None and item.sku_id not in seen and len(chosen) < count:
            chosen.append(item)
            seen.add(item.sku_id)
    for kind in STARTERS:
        for item in catalog.of_kind(kind):
            if len(chosen) >= count:
                return chosen
            if item.kind is kind and item.units == 1 and item.sku_id not in seen:
                chosen.append(item)
                seen.add(item.sku_id)
    return chosen


def favourites(
    db: Database,
    catalog: CatalogIndex,
    count: int = FAVOURITE_COUNT,
    now: datetime | None = None,
) -> list[Item]:
    """The favourites page for the store day `now` falls on (today by default)."""
    with db.read() as s:
        zone = load_settings(s).timezone
        return _for_day(s, catalog, local_day(now or utcnow(), zone), zone, count)


class FavouritesBoard:
    """The favourites one register shows, worked out on the first look each store day and
    then kept. Today's sales never count before tomorrow anyway; the board also holds the
    tiles still when an older sale is voided or refunded during the day. `forget` after
    the pins change, so that a manager's order shows at once."""

    def __init__(self, db: Database, count: int = FAVOURITE_COUNT) -> None:
        self.db = db
        self.count = count
        self._day: date | None = None
        self._ids: list[str] = []

    def items(self, catalog: CatalogIndex, now: datetime | None = None) -> list[Item]:
        """Today's tiles, in today's order (a SKU the catalog no longer sells drops out)."""
        with self.db.read() as s:
            zone = load_settings(s).timezone
            day = local_day(now or utcnow(), zone)
            if day != self._day:
                self._ids = [i.sku_id for i in _for_day(s, catalog, day, zone, self.count)]
                self._day = day
        return [item for item in map(catalog.by_id, self._ids) if item is not None]

    def forget(self) -> None:
        """Work the tiles out again on the next look (the pins changed)."""
        self._day = None
