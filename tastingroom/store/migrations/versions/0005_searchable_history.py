"""searchable history: the orders screen's trigram index, and indexes for what the
register reads after every sale and at start-up (last sent, pickups waiting here)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:00:00
"""

from __future__ import annotations

from alembic import op

from tastingroom.store import order_search

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_item_sent_at", "outbox_item", ["sent_at"])
    op.create_index(
        "ix_sale_order_pickups",
        "sale_order",
        ["source", "pickup_location", "picked_up_at", "created_at"],
    )
    conn = op.get_bind()
    for statement in order_search.CREATE:
        op.execute(statement)
    order_search.rebuild(conn)


def downgrade() -> None:
    for statement in order_search.DROP:
        op.execute(statement)
    op.drop_index("ix_sale_order_pickups", table_name="sale_order")
    op.drop_index("ix_outbox_item_sent_at", table_name="outbox_item")
