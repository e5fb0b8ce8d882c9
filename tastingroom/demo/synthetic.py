"""Large generated data for benchmarks: 100,000-SKU catalogs and sales histories.

Written with bulk Core inserts (not the ORM) so that making a benchmark's data takes
seconds. The rows are the same shape the register and sync write. `GENERATOR` changes
whenever what they make changes, so that the bench's cached databases are made again.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert, select

from tastingroom.kinds import Kind
from tastingroom.store.database import Database
from tastingroom.store.models import (
    AgeCheck,
    NumberSequence,
    Order,
    OrderLine,
    OutboxItem,
    Price,
    Product,
    Sku,
    Staff,
    Stock,
    Tender,
    new_id,
    utcnow,
)

GENERATOR = 3
"""The version of what this module generates (1: web orders as the history; 3: the demo
winery it starts from sells without a drawer, as `seed_demo` now says explicitly)."""
HISTORY_PREFIX = "HIST"
"""The number series of a generated history, apart from any register's own."""
HISTORY_TABLES = (Order, OrderLine, Tender, AgeCheck, OutboxItem)
"""What a generated sale writes, in the order the foreign keys need."""

VARIETALS = (
    "Cabernet Sauvignon",
    "Pinot Noir",
    "Chardonnay",
    "Sauvignon Blanc",
    "Zinfandel",
    "Syrah",
    "Merlot",
    "Riesling",
    "Gewürztraminer",
    "Grenache",
    "Rosé",
    "Viognier",
    "Malbec",
    "Tempranillo",
    "Sémillon",
    "Mourvèdre",
    "Petite Sirah",
    "Albariño",
)
VINEYARDS = (
    "Estate",
    "Reserve",
    "Hillside",
    "Old Vine",
    "Block 7",
    "River Bench",
    "Côte Ouest",
    "Moonrise",
    "Fog Line",
    "Granite Ridge",
    "Sunset",
    "North Slope",
    "Valley Floor",
)


def generate_catalog(db: Database, skus: int, *, seed: int = 7, pool: str = "Tasting Room") -> int:
    """Add `skus` bottle SKUs (one product each) with prices, barcodes and stock."""
    rng = random.Random(seed)
    now = utcnow()
    products, sku_rows, prices, stock = [], [], [], []
    for n in range(skus):
        product_id, sku_id = new_id(), new_id()
        vintage = rng.randint(2008, 2024)
        title = f"{rng.choice(VINEYARDS)} {rng.choice(VARIETALS)} {vintage} #{n}"
        products.append(
            {
                "id": product_id,
                "title": title,
                "pos_title": title,
                "kind": Kind.BOTTLE.value,
                "category": "Generated",
                "active": True,
                "date_modified": now,
            }
        )
        sku_rows.append(
            {
                "id": sku_id,
                "product_id": product_id,
                "code": f"GEN{n:07d}",
                "barcode": f"2{n:011d}",
                "unit_description": "750 ml",
                "non_taxable": False,
                "units": 1,
                "active": True,
            }
        )
        prices.append(
            {
                "sku_id": sku_id,
                "price_level": "Retail",
                "price_cents": rng.randint(1500, 15000),
                "sale_price_cents": None,
            }
        )
        stock.append({"sku_id": sku_id, "pool": pool, "on_hand": rng.randint(0, 200)})
    with db.write() as s:
        for model, rows in ((Product, products), (Sku, sku_rows), (Price, prices), (Stock, stock)):
            for start in range(0, len(rows), 5000):
                s.execute(insert(model), rows[start : start + 5000])
    return skus


def generate_sales_history(db: Database, sales: int, *, seed: int = 11) -> int:
    """Add `sales` past register sales, spread over the last year, as the register would
    have left them: two lines, a card payment, a passed age check and an outbox row that
    reached WineDirect each. They are numbered in a series of their own (`HISTORY_PREFIX`)
    so that a register opened on the file never issues one of their numbers again. The
    database needs staff (the demo's, say): a sale is rung up by someone."""
    with db.read() as s:
        staff_id = s.scalar(select(Staff.id).order_by(Staff.name).limit(1))
    if staff_id is None:
        raise ValueError("a sales history needs staff to have rung it up (seed the demo first)")
    rng = random.Random(seed)
    now = utcnow()
    rows: dict[type, list[dict]] = {model: [] for model in HISTORY_TABLES}
    for n in range(1, sales + 1):
        order_id = new_id()
        created = now - timedelta(minutes=rng.randint(60, 525_600))
        prices = [rng.randint(1500, 9000) for _ in range(2)]
        tax = [price * 86_250 // 1_000_000 for price in prices]
        total = sum(prices) + sum(tax)
        rows[Order].append(
            {
                "id": order_id,
                "number": f"{HISTORY_PREFIX}-{n:06d}",
                "source": "register",
                "status": "completed",
                "transaction_type": "order",
                "created_at": created,
                "date_modified": created,
                "terminal": HISTORY_PREFIX,
                "staff_id": staff_id,
                "fulfilment": "carry_out",
                "subtotal_cents": sum(prices),
                "discount_cents": 0,
                "tax_cents": sum(tax),
                "shipping_cents": 0,
                "tip_cents": 0,
                "total_cents": total,
                "wd_order_id": f"WD-HIST-{n}",
                "wd_order_number": str(700_000 + n),
            }
        )
        for line_no, (cents, line_tax) in enumerate(zip(prices, tax, strict=True), 1):
            rows[OrderLine].append(
                {
                    "id": new_id(),
                    "order_id": order_id,
                    "line_no": line_no,
                    "sku_code": f"GEN{rng.randint(0, 99_999):07d}",
                    "name": "Generated wine",
                    "kind": Kind.BOTTLE.value,
                    "quantity": 1,
                    "units": 1,
                    "unit_price_cents": cents,
                    "original_price_cents": cents,
                    "discount_cents": 0,
                    "taxable": True,
                    "tax_rate_ppm": 86_250,
                    "tax_cents": line_tax,
                    "net_cents": cents,
                    "explanation": "",
                }
            )
        rows[Tender].append(
            {
                "id": new_id(),
                "order_id": order_id,
                "kind": "card",
                "amount_cents": total,
                "change_cents": 0,
                "card_type": "Visa",
                "card_last4": f"{rng.randint(0, 9999):04d}",
                "approval_code": f"A{rng.randint(10_000, 99_999)}",
            }
        )
        rows[AgeCheck].append(
            {
                "id": new_id(),
                "order_id": order_id,
                "staff_id": staff_id,
                "checked_at": created,
                "method": "typed_dob",
                "passed": True,
                "age_years": rng.randint(21, 80),
                "purpose": "sale",
            }
        )
        rows[OutboxItem].append(
            {
                "id": new_id(),
                "kind": "order.upsert",
                "entity_id": order_id,
                "idempotency_key": f"order.upsert:{order_id}:0",
                "created_at": created,
                "state": "sent",
                "attempts": 1,
                "sent_at": created + timedelta(seconds=rng.randint(2, 600)),
            }
        )
    with db.write() as s:
        for model, table_rows in rows.items():
            for start in range(0, len(table_rows), 5000):
                s.execute(insert(model), table_rows[start : start + 5000])
        s.merge(NumberSequence(prefix=HISTORY_PREFIX, last_value=sales))
    return sales
