"""sync state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 01:38:19.522173
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_mark",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_sync_mark")),
    )
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_flight_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_column("in_flight_at")

    op.drop_table("sync_state")
    op.drop_table("sync_mark")
