"""The favourites a register offers on its front page: what this store sells most.

Tapping beats typing at a busy bar, so the first page of the product grid holds the
items rung up most over the last few weeks (register sales only; voided and refunded ones left out).
A new store has no history yet; its favourites are filled up with tastings and single
bottles so the grid is never empty.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tastingroom.catalog import CatalogIndex, Item
from tastingroom.kinds import Kind
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OrderLine, utcnow

FAVOURITE_COUNT = 16
LOOK_BACK = timedelta(days=30)
STARTERS = (Kind.TASTING_FLIGHT, Kind.TASTING_FEE, Kind.GLASS_POUR, Kind.BOTTLE)
"""What fills up a new store's favourites, in this order."""


def favourites(db: Database, catalog: CatalogIndex, count: int = FAVOURITE_COUNT) -> list[Item]:
    """Best sellers of the last 30 days, then starters, without repeats."""
    since = utcnow() - LOOK_BACK
    with db.read() as s:
        rows = s.execute(
            select(OrderLine.sku_id)
            .join(Order, OrderLine.order_id == Order.id)
            .where(
                Order.created_at >= since,
                Order.source == "register",
                Order.status == "completed",
                Order.transaction_type == "order",
                OrderLine.sku_id.is_not(None),
            )
            .group_by(OrderLine.sku_id)
            .order_by(func.sum(OrderLine.quantity).desc(), OrderLine.sku_id)
            .limit(count)
        ).scalars()
        chosen = [item for item in map(catalog.by_id, rows) if item is not None]
    seen = {item.sku_id for item in chosen}
    for kind in STARTERS:
        for item in catalog.items:
            if len(chosen) >= count:
                return chosen
            if item.kind is kind and item.units == 1 and item.sku_id not in seen:
                chosen.append(item)
                seen.add(item.sku_id)
    return chosen
