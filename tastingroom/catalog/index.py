"""The catalog as the register sees it: sellable items, barcode look-up and search.

Search has to answer within a frame while someone types, over catalogs of 100,000
SKUs, and SQLite's `LIKE '%x%'` scans the whole table, so the index is held in memory.
That memory is most of what a big catalog costs the register, so it holds no Python
object per SKU (a dataclass with its dict of prices and five strings came to 1.5 KiB a
SKU). Instead the SKUs are rows in name order, kept column by column (`_Columns`):

- text (ids, codes, barcodes, names) as one UTF-8 `bytes` blob per column, with an
  `array` of where each row starts; the names once more casefolded, for search;
- numbers (units, prices) in `array`s; kinds, categories and price levels as small
  integers into lists of their few distinct values (interned: each is stored once);
- look-ups by SKU id, code or barcode bisect a permutation of the rows sorted by that
  key (4 bytes a SKU, where a dict entry with its key costs about 100).

That is about 0.2 KiB a SKU (`tests/engine/test_catalog_memory.py` holds it under 0.3).
An `Item` is built when it is asked for (a search result, a scan, a tile) and lives as
long as someone holds it: a weak cache hands back the same object for the same SKU
meanwhile. A name prefix bisects the sorted names; a substring is found with
`bytes.find` over the casefolded names (C speed), so results come in name order.

The index is a snapshot of the active catalog, rebuilt when the catalog changes
(`Register.refresh_catalog`). `CatalogIndex.from_session` builds it in one SQL query
whose rows go straight into the columns, sorted by SQLite (with Python's casefold as
the sort key, so the order is the one `search` bisects) and never held as a list.
"""

from __future__ import annotations

import bisect
import sqlite3
import weakref
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar, overload

from sqlalchemy import select
from sqlalchemy.orm import Session

from tastingroom.kinds import Kind
from tastingroom.selling.pricing import LineInput
from tastingroom.store.models import Price, Product, Sku

NO_SALE = -(2**63)
"""A price row without a sale price (the column holds whole cents, never this)."""


@dataclass(frozen=True, slots=True, weakref_slot=True)
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


def name_key(title: str, pos_title: str | None, unit_description: str | None, units: int) -> str:
    """The order the register lists SKUs in: by display name, ignoring case."""
    return display_name(title, pos_title, unit_description, units).casefold()


def load_items(session: Session, *, active_only: bool = True) -> list[Item]:
    """Every sellable SKU with its prices, as `Item`s (for a few hundred SKUs at most:
    the register's own index never builds them all, see `CatalogIndex.from_session`)."""
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


KINDS: tuple[Kind, ...] = tuple(Kind)
"""A row's kind is its position here (one byte a SKU)."""

CATALOG_ROWS = """
SELECT s.id, s.code, NULLIF(s.barcode, ''), tr_display_name(p.title, p.pos_title,
       s.unit_description, s.units), p.kind, s.units, COALESCE(s.base_sku_id, s.id),
       s.non_taxable, p.category, pr.price_level, pr.price_cents, pr.sale_price_cents
FROM sku s
JOIN product p ON p.id = s.product_id
LEFT JOIN price pr ON pr.sku_id = s.id
WHERE s.active AND p.active
ORDER BY tr_name_key(p.title, p.pos_title, s.unit_description, s.units), s.id, pr.price_level
"""
"""The active catalog, a row per SKU and price level, in the order the index keeps."""


class _Columns:
    """The catalog's rows, column by column (see the module docstring)."""

    __slots__ = (
        "barcode_at",
        "barcodes",
        "base_of",
        "by_barcode",
        "by_code",
        "by_id",
        "categories",
        "category_of",
        "code_at",
        "codes",
        "folded",
        "folded_at",
        "id_at",
        "ids",
        "kinds",
        "levels",
        "name_at",
        "names",
        "outside_bases",
        "packs",
        "price_at",
        "price_cents",
        "price_level",
        "sale_cents",
        "taxable",
        "units",
    )

    def __init__(self) -> None:
        self.ids, self.id_at = b"", array("I", [0])
        self.codes, self.code_at = b"", array("I", [0])
        self.barcodes, self.barcode_at = b"", array("I", [0])
        self.names, self.name_at = b"", array("I", [0])
        self.folded, self.folded_at = b"", array("I", [0])
        """Casefolded names, each followed by "\\n" (never in a query) so that a
        substring match never runs from one name into the next."""
        self.kinds = bytearray()
        self.units = array("I")
        self.taxable = bytearray()
        self.categories: list[str | None] = []
        self.category_of = array("I")
        self.base_of = array("i")
        """The row of the SKU this one is a pack of (its own row for a single), or
        -1 - k for a base that is not sold itself, `outside_bases[k]`."""
        self.outside_bases: list[str] = []
        self.levels: list[str] = []
        self.price_at = array("I", [0])
        """Row r's prices are entries price_at[r] to price_at[r + 1] of the three below."""
        self.price_level = array("I")
        self.price_cents = array("q")
        self.sale_cents = array("q")
        self.by_id = array("I")
        self.by_code = array("I")
        self.by_barcode = array("I")
        self.packs: dict[int, tuple[int, ...]] = {}
        """Rows sold as packs of one wine, fewest bottles first, by `base_of` (only for
        wines sold in more than one way)."""


def _text(blob: bytes, at: array, row: int) -> bytes:
    return blob[at[row] : at[row + 1]]


class _Builder:
    """Fills `_Columns` from catalog rows in name order, then builds the look-ups."""

    def __init__(self) -> None:
        self.c = _Columns()
        self.count = 0
        self._ids = bytearray()
        self._codes = bytearray()
        self._barcodes = bytearray()
        self._names = bytearray()
        self._folded = bytearray()
        self._categories: dict[str | None, int] = {}
        self._levels: dict[str, int] = {}
        self._base_ids: list[tuple[int, str]] = []
        """(row, base SKU id) of every pack, resolved to rows once all rows are in."""

    def add(self, rows: Iterable[Sequence]) -> None:
        """Take rows shaped as `CATALOG_ROWS` gives them: one a SKU and price level, a
        SKU's rows together. One tight loop over a big catalog: hence the locals."""
        c = self.c
        ids, codes, barcodes, names, folded = (
            self._ids,
            self._codes,
            self._barcodes,
            self._names,
            self._folded,
        )
        id_at, code_at, barcode_at, name_at, folded_at = (
            c.id_at.append,
            c.code_at.append,
            c.barcode_at.append,
            c.name_at.append,
            c.folded_at.append,
        )
        kinds, units, taxable = c.kinds.append, c.units.append, c.taxable.append
        category_of, base_of, price_at = c.category_of.append, c.base_of.append, c.price_at
        price_level, price_cents, sale_cents = (
            c.price_level.append,
            c.price_cents.append,
            c.sale_cents.append,
        )
        categories, levels = self._categories, self._levels
        kind_of = {kind.value: n for n, kind in enumerate(KINDS)}
        row, last = self.count - 1, None
        for (
            sku_id,
            code,
            barcode,
            name,
            kind,
            count,
            base,
            non_taxable,
            category,
            level,
            cents,
            sale,
        ) in rows:
            if sku_id != last:
                last = sku_id
                row += 1
                ids += sku_id.encode()
                id_at(len(ids))
                codes += code.encode()
                code_at(len(codes))
                if barcode:
                    barcodes += barcode.encode()
                barcode_at(len(barcodes))
                names += name.encode()
                name_at(len(names))
                folded += name.casefold().encode() + b"\n"
                folded_at(len(folded))
                kinds(kind_of[kind])
                units(count)
                taxable(not non_taxable)
                category_of(categories.setdefault(category, len(categories)))
                base_of(row)
                if base != sku_id:
                    self._base_ids.append((row, base))
                price_at.append(len(c.price_cents))
            if level is not None:
                price_level(levels.setdefault(level, len(levels)))
                price_cents(cents)
                sale_cents(NO_SALE if sale is None else sale)
                price_at[-1] = len(c.price_cents)
        self.count = row + 1

    def finish(self) -> _Columns:
        c = self.c
        c.ids, c.codes, c.barcodes = bytes(self._ids), bytes(self._codes), bytes(self._barcodes)
        c.names, c.folded = bytes(self._names), bytes(self._folded)
        self._ids = self._codes = self._barcodes = self._names = self._folded = bytearray()
        c.categories = list(self._categories)
        c.levels = list(self._levels)
        rows = range(self.count)
        c.by_id = array("I", sorted(rows, key=lambda r: _text(c.ids, c.id_at, r)))
        c.by_code = array("I", sorted(rows, key=lambda r: _folded_code(c, r)))
        with_barcode = (r for r in rows if c.barcode_at[r] != c.barcode_at[r + 1])
        c.by_barcode = array(
            "I", sorted(with_barcode, key=lambda r: _text(c.barcodes, c.barcode_at, r))
        )
        groups: dict[int, list[int]] = {}
        for row, base_sku_id in self._base_ids:
            base = _find(c.by_id, lambda r: _text(c.ids, c.id_at, r), base_sku_id.encode())
            if base is None:
                base = -1 - len(c.outside_bases)
                c.outside_bases.append(base_sku_id)
            else:
                groups.setdefault(base, [base])
            c.base_of[row] = base
            groups.setdefault(base, []).append(row)
        c.packs = {
            base: tuple(sorted(members, key=c.units.__getitem__))
            for base, members in groups.items()
        }
        return c


def _folded_code(c: _Columns, row: int) -> str:
    return _text(c.codes, c.code_at, row).decode().casefold()


K = TypeVar("K", str, bytes)


def _find(order: array, key: Callable[[int], K], wanted: K) -> int | None:
    """The row whose key is `wanted`, by bisecting `order` (rows sorted by `key`)."""
    i = bisect.bisect_left(order, wanted, key=key)
    if i < len(order) and key(order[i]) == wanted:
        return order[i]
    return None


class _Items(Sequence[Item]):
    """Every item of an index in name order, each built as it is reached."""

    def __init__(self, index: CatalogIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, i: int) -> Item: ...

    @overload
    def __getitem__(self, i: slice) -> list[Item]: ...

    def __getitem__(self, i: int | slice) -> Item | list[Item]:
        rows = range(len(self._index))
        if isinstance(i, slice):
            return [self._index._item(row) for row in rows[i]]
        return self._index._item(rows[i])

    def __iter__(self) -> Iterator[Item]:
        return map(self._index._item, range(len(self._index)))


class CatalogIndex:
    """In-memory search over the active catalog."""

    def __init__(self, items: Iterable[Item] = ()) -> None:
        """An index over `items` (tests and small catalogs; the register's own comes from
        `from_session`, which never builds an `Item` per SKU)."""
        builder = _Builder()
        builder.add(
            (
                item.sku_id,
                item.code,
                item.barcode,
                item.name,
                item.kind.value,
                item.units,
                item.base_sku_id,
                not item.taxable,
                item.category,
                level,
                *(item.prices[level] if level is not None else (None, None)),
            )
            for item in sorted(items, key=lambda i: (i.name.casefold(), i.sku_id))
            for level in sorted(item.prices) or [None]
        )
        self._adopt(builder)

    def _adopt(self, builder: _Builder) -> None:
        self._c = builder.finish()
        self._count = builder.count
        self._cache: weakref.WeakValueDictionary[int, Item] = weakref.WeakValueDictionary()

    @classmethod
    def from_session(cls, session: Session) -> CatalogIndex:
        """The active catalog, read in one query straight into the index's columns."""
        driver = session.connection().connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        driver.create_function("tr_display_name", 4, display_name, deterministic=True)
        driver.create_function("tr_name_key", 4, name_key, deterministic=True)
        builder = _Builder()
        builder.add(driver.execute(CATALOG_ROWS))
        index = cls.__new__(cls)
        index._adopt(builder)
        return index

    def __len__(self) -> int:
        return self._count

    @property
    def items(self) -> Sequence[Item]:
        """Every item in name order, built as reached (a big catalog's are many: prefer
        `search`, `in_category` or `of_kind`)."""
        return _Items(self)

    def _item(self, row: int) -> Item:
        item = self._cache.get(row)
        if item is None:
            c = self._c
            barcode = _text(c.barcodes, c.barcode_at, row)
            base = c.base_of[row]
            first, end = c.price_at[row], c.price_at[row + 1]
            item = Item(
                sku_id=_text(c.ids, c.id_at, row).decode(),
                code=_text(c.codes, c.code_at, row).decode(),
                barcode=barcode.decode() if barcode else None,
                name=_text(c.names, c.name_at, row).decode(),
                kind=KINDS[c.kinds[row]],
                units=c.units[row],
                base_sku_id=(
                    _text(c.ids, c.id_at, base).decode()
                    if base >= 0
                    else c.outside_bases[-1 - base]
                ),
                taxable=bool(c.taxable[row]),
                prices={
                    c.levels[c.price_level[n]]: (
                        c.price_cents[n],
                        None if c.sale_cents[n] == NO_SALE else c.sale_cents[n],
                    )
                    for n in range(first, end)
                },
                category=c.categories[c.category_of[row]],
            )
            self._cache[row] = item
        return item

    def _row_of_id(self, sku_id: str) -> int | None:
        c = self._c
        return _find(c.by_id, lambda r: _text(c.ids, c.id_at, r), sku_id.encode())

    def _row_of_code(self, code: str) -> int | None:
        """A SKU code, whatever its case (`code` stripped, not yet casefolded)."""
        c = self._c
        return _find(c.by_code, lambda r: _folded_code(c, r), code.casefold())

    def _row_of_barcode(self, barcode: str) -> int | None:
        c = self._c
        return _find(c.by_barcode, lambda r: _text(c.barcodes, c.barcode_at, r), barcode.encode())

    def by_barcode(self, code: str) -> Item | None:
        """Exact barcode (UPC/EAN) or SKU code, as a scanner sends it."""
        code = code.strip()
        row = self._row_of_barcode(code) if code else None
        if row is None:
            row = self._row_of_code(code)
        return None if row is None else self._item(row)

    def by_id(self, sku_id: str) -> Item | None:
        row = self._row_of_id(sku_id)
        return None if row is None else self._item(row)

    def categories(self) -> list[str]:
        """Product categories (Red, Tastings, Merchandise…), alphabetically."""
        return sorted((c for c in self._c.categories if c), key=str.casefold)

    def in_category(self, category: str, limit: int) -> tuple[list[Item], int]:
        """Up to `limit` items of a category by name, single bottles before packs (packs
        are chosen on the cart line), and how many the category holds in all."""
        c = self._c
        try:
            wanted = c.categories.index(category)
        except ValueError:
            return [], 0
        rows = [row for row, of in enumerate(c.category_of) if of == wanted]
        rows.sort(key=lambda row: c.units[row] > 1)  # stable: names stay in order
        return [self._item(row) for row in rows[:limit]], len(rows)

    def of_kind(self, kind: Kind) -> Iterator[Item]:
        """The items of one kind (tasting fees, say) in name order, each built as reached."""
        kinds, wanted = self._c.kinds, KINDS.index(kind)
        row = kinds.find(wanted)
        while row != -1:
            yield self._item(row)
            row = kinds.find(wanted, row + 1)

    def packs(self, item: Item) -> list[Item]:
        """The ways this wine is sold (bottle, 3-pack, 6-pack, case), fewest bottles first."""
        row = self._row_of_id(item.sku_id)
        if row is None:
            return [item]
        rows = self._c.packs.get(self._c.base_of[row], (row,))
        return [self._item(r) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[Item]:
        """Exact codes first, then names starting with the query, then names containing it."""
        q = query.strip().casefold()
        if not q:
            return []
        c = self._c
        seen: set[int] = set()
        out: list[Item] = []

        def take(row: int) -> bool:
            if row not in seen:
                seen.add(row)
                out.append(self._item(row))
            return len(out) >= limit

        exact = self._row_of_barcode(query.strip())
        if exact is None:
            exact = self._row_of_code(q)
        if exact is not None and take(exact):
            return out
        wanted = q.encode()
        folded, at = c.folded, c.folded_at

        def name(row: int) -> bytes:
            return folded[at[row] : at[row + 1] - 1]

        for row in range(bisect.bisect_left(range(self._count), wanted, key=name), self._count):
            if not name(row).startswith(wanted):
                break
            if take(row):
                return out
        pos = folded.find(wanted)
        while pos != -1:
            row = bisect.bisect_right(at, pos) - 1
            if take(row):
                return out
            pos = folded.find(wanted, at[row + 1])
        return out
