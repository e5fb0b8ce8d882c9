"""order_line_discount: each sale line's discount kept part by part

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27 10:00:00

The day report counted club, mixed-case, tasting-fee, manual and order discounts by
reading the words pricing wrote on a line, and a line with two of them showed as one
"combined" row. From this revision each sale writes its lines' discount parts here, in
the sale's transaction. Sales already written get none: their lines keep being read
from their explanation.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_line_discount",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("cents", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sale_order.id"],
            name=op.f("fk_order_line_discount_order_id_sale_order"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line_discount")),
    )
    op.create_index(
        op.f("ix_order_line_discount_order_id"), "order_line_discount", ["order_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_order_line_discount_order_id"), table_name="order_line_discount")
    op.drop_table("order_line_discount")
