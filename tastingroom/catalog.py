"""The catalog as the register sees it: sellable items, barcode look-up and search.

Search has to answer within a frame while someone types, over catalogs of 100,000
SKUs. SQLite's `LIKE '%x%'` scans the whole table, so the index is held in memory:
exact dictionaries for SKU codes and barcodes, a sorted list for name prefixes,
and one lower-cased text blob searched with `str.find` (C speed) for substrings.
It is rebuilt when the catalog changes (`CatalogIndex.refresh`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tastingroom.kinds import Kind
from tastingroom.pricing import LineInput
from tastingroom.store.models import Price, Product, Sku


@dataclass(frozen=True)
class Item:
    """A SKU ready to go into a cart: everything pricing needs, read once."""

    sku_id: str
    code: str
    barcode: str | None
    name: str
    kind: Kind
    units: int
    base_sku_id: str
    taxable: bool
    prices: dict[str, tuple[int, int | None]]
    category: str | None = None

    def line(self, quantity: int = 1) -> LineInput:
        return LineInput(
            sku_code=self.code,
            name=self.name,
            kind=self.kind,
            quantity=quantity,
            units=self.units,
            prices=self.prices,
            taxable=self.taxable,
        )

    def price_at(self, level: str) -> int | None:
        price = self.prices.get(level)
        return None if price is None else price[0]


def display_name(
    title: str, pos_title: str | None, unit_description: str | None, units: int
) -> str:
    """What staff see: the short POS title, with the pack size for packs."""
    name = pos_title or title
    return f"{name} ({unit_description})" if unit_description and units > 1 else name


def load_items(session: Session, *, active_only: bool = True) -> list[Item]:
    """Every sellable SKU with its prices, in two column queries (no ORM objects: this
    runs over the whole catalog at start-up)."""
    prices: dict[str, dict[str, tuple[int, int | None]]] = {}
    for sku_id, level, price, sale in session.execute(
        select(Price.sku_id, Price.price_level, Price.price_cents, Price.sale_price_cents)
    ):
        prices.setdefault(sku_id, {})[level] = (price, sale)
    query = select(
        Sku.id,
        Sku.code,
        Sku.barcode,
        Sku.unit_description,
        Sku.units,
        Sku.base_sku_id,
        Sku.non_taxable,
        Product.title,
        Product.pos_title,
        Product.kind,
        Product.category,
    ).join(Product, Sku.product_id == Product.id)
    if active_only:
        query = query.where(Sku.active.is_(True), Product.active.is_(True))
    kinds = {k.value: k for k in Kind}
    return [
        Item(
            sku_id=sku_id,
            code=code,
            barcode=barcode,
            name=display_name(title, pos_title, unit_description, units),
            kind=kinds[kind],
            units=units,
            base_sku_id=base_sku_id or sku_id,
            taxable=not non_taxable,
            prices=prices.get(sku_id, {}),
            category=category,
        )
        for (
            sku_id,
            code,
            barcode,
            unit_description,
            units,
            base_sku_id,
            non_taxable,
            title,
            pos_title,
            kind,
            category,
        ) in session.execute(query)
    ]


class CatalogIndex:
    """In-memory search over the active catalog."""

    def __init__(self, items: list[Item]) -> None:
        self.items = sorted(items, key=lambda i: i.name.casefold())
        self._by_code = {i.code.casefold(): i for i in self.items}
        self._by_barcode = {i.barcode: i for i in self.items if i.barcode}
        self._by_id = {i.sku_id: i for i in self.items}
        self._names = [i.name.casefold() for i in self.items]
        # Row i's name starts at offsets[i] in the blob; "\n" never occurs in a query.
        self._offsets: list[int] = []
        pos = 0
        for name in self._names:
            self._offsets.append(pos)
            pos += len(name) + 1
        self._blob = "\n".join(self._names)
        self._packs: dict[str, list[Item]] = {}
        for item in self.items:
            self._packs.setdefault(item.base_sku_id, []).append(item)
        for packs in self._packs.values():
            packs.sort(key=lambda i: i.units)

    @classmethod
    def from_session(cls, session: Session) -> CatalogIndex:
        return cls(load_items(session))

    def __len__(self) -> int:
        return len(self.items)

    def by_barcode(self, code: str) -> Item | None:
        """Exact barcode (UPC/EAN) or SKU code, as a scanner sends it."""
        code = code.strip()
        return self._by_barcode.get(code) or self._by_code.get(code.casefold())

    def by_id(self, sku_id: str) -> Item | None:
        return self._by_id.get(sku_id)

    def categories(self) -> list[str]:
        """Product categories (Red, Tastings, Merchandise…), alphabetically."""
        return sorted({i.category for i in self.items if i.category}, key=str.casefold)

    def in_category(self, category: str, limit: int) -> tuple[list[Item], int]:
        """Up to `limit` items of a category by name, single bottles before packs (packs
        are chosen on the cart line), and how many the category holds in all."""
        found = [i for i in self.items if i.category == category]
        found.sort(key=lambda i: i.units > 1)  # stable: names stay in order
        return found[:limit], len(found)

    def packs(self, item: Item) -> list[Item]:
        """The ways this wine is sold (bottle, 3-pack, 6-pack, case), fewest bottles first."""
        return list(self._packs.get(item.base_sku_id, [item]))

    def search(self, query: str, limit: int = 50) -> list[Item]:
        """Exact codes first, then names starting with the query, then names containing it."""
        q = query.strip().casefold()
        if not q:
            return []
        seen: set[str] = set()
        out: list[Item] = []

        def take(item: Item) -> bool:
            if item.sku_id not in seen:
                seen.add(item.sku_id)
                out.append(item)
            return len(out) >= limit

        exact = self._by_barcode.get(query.strip()) or self._by_code.get(q)
        if exact is not None and take(exact):
            return out
        start = bisect.bisect_left(self._names, q)
        for index in range(start, len(self._names)):
            if not self._names[index].startswith(q):
                break
            if take(self.items[index]):
                return out
        pos = self._blob.find(q)
        while pos != -1:
            index = bisect.bisect_right(self._offsets, pos) - 1
            if take(self.items[index]):
                return out
            pos = self._blob.find(q, self._offsets[index] + len(self._names[index]) + 1)
        return out
