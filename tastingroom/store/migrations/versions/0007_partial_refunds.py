"""partial refunds and exchanges: what each returned line became, the exchange that ties
a refund to its new sale, and an index to find an order's refunds

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 10:00:00

Plain ADD COLUMN (no batch copy): `sale_order` carries the order search's triggers
(`store.order_search`), which a batch rebuild of the table would drop.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("order_line", sa.Column("disposition", sa.String(length=16), nullable=True))
    op.add_column("sale_order", sa.Column("exchange_id", sa.String(length=36), nullable=True))
    op.create_index(
        "ix_sale_order_previous_order_id", "sale_order", ["previous_order_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_sale_order_previous_order_id", table_name="sale_order")
    # Native DROP COLUMN (SQLite 3.35+): a batch rebuild would drop the search triggers.
    op.drop_column("sale_order", "exchange_id")
    op.drop_column("order_line", "disposition")
