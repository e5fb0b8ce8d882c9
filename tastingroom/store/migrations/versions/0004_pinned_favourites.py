"""pinned favourites: the tiles a manager puts first on the register, in their order

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 14:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pinned_favourite",
        sa.Column("sku_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["sku_id"], ["sku.id"], name=op.f("fk_pinned_favourite_sku_id_sku")
        ),
        sa.PrimaryKeyConstraint("sku_id", name=op.f("pk_pinned_favourite")),
    )


def downgrade() -> None:
    op.drop_table("pinned_favourite")
