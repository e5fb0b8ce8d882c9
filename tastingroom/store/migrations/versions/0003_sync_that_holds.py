"""sync that holds: claims, remembered remote orders, problems for people

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=36), nullable=True))
    op.create_table(
        "remote_order",
        sa.Column("wd_order_id", sa.String(length=64), nullable=False),
        sa.Column("alt_order_number", sa.String(length=50), nullable=True),
        sa.Column("date_modified", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("wd_order_id", name=op.f("pk_remote_order")),
    )
    with op.batch_alter_table("remote_order", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_remote_order_alt_order_number"), ["alt_order_number"], unique=False
        )
    op.create_table(
        "sync_problem",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_problem")),
    )
    with op.batch_alter_table("sync_problem", schema=None) as batch_op:
        batch_op.create_index("uq_sync_problem_kind_key", ["kind", "key"], unique=True)


def downgrade() -> None:
    op.drop_table("sync_problem")
    op.drop_table("remote_order")
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_column("claimed_by")
