"""Large generated data for benchmarks: 100,000-SKU catalogs and order histories.

Written with bulk Core inserts (not the ORM) so that making a benchmark's data takes
seconds. The rows are the same shape the register and sync write.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import insert

from tastingroom.kinds import Kind
from tastingroom.store.database import Database
from tastingroom.store.models import Order, OrderLine, Price, Product, Sku, Stock, new_id, utcnow

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


def generate_order_history(db: Database, orders: int, *, seed: int = 11) -> int:
    """Add `orders` past web orders with two lines each, spread over the last year."""
    rng = random.Random(seed)
    now = utcnow()
    order_rows, line_rows = [], []
    for n in range(orders):
        order_id = new_id()
        created = now - timedelta(minutes=rng.randint(0, 525_600))
        totals = [rng.randint(1500, 9000) for _ in range(2)]
        order_rows.append(
            {
                "id": order_id,
                "number": f"{900000 + n}",
                "source": "web",
                "status": "completed",
                "transaction_type": "order",
                "created_at": created,
                "date_modified": created,
                "fulfilment": "ship",
                "subtotal_cents": sum(totals),
                "discount_cents": 0,
                "tax_cents": 0,
                "shipping_cents": 0,
                "tip_cents": 0,
                "total_cents": sum(totals),
                "wd_order_id": f"WD-{n}",
                "wd_order_number": f"{900000 + n}",
                "shipping_status": "Shipped",
            }
        )
        for line_no, cents in enumerate(totals, 1):
            line_rows.append(
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
                    "tax_rate_ppm": 0,
                    "tax_cents": 0,
                    "net_cents": cents,
                    "explanation": "",
                }
            )
    with db.write() as s:
        for model, rows in ((Order, order_rows), (OrderLine, line_rows)):
            for start in range(0, len(rows), 5000):
                s.execute(insert(model), rows[start : start + 5000])
    return orders
