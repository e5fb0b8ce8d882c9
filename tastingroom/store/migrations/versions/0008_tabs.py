"""tabs: carts held under a party's name or a spot number until they are paid

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 10:00:00

A trigger makes a paid or abandoned tab final in the file itself, as 0006 does for a
closed drawer session: a paid tab is never reopened, nor an abandoned one revived.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TRIGGERS = {
    "tab_closed_is_final": (
        "BEFORE UPDATE ON tab WHEN OLD.status != 'open' BEGIN "
        "SELECT RAISE(ABORT, 'a paid or abandoned tab cannot be changed'); END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "tab",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("terminal", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("carried_from_id", sa.String(length=36), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=36), nullable=False),
        sa.Column("held_at", sa.DateTime(), nullable=False),
        sa.Column("held_by", sa.String(length=36), nullable=False),
        sa.Column("contents", sa.Text(), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("age_check", sa.Text(), nullable=True),
        sa.Column("in_use_by", sa.String(length=36), nullable=True),
        sa.Column("in_use_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["drawer_session.id"], name=op.f("fk_tab_session_id_drawer_session")
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["drawer_session.id"],
            name=op.f("fk_tab_carried_from_id_drawer_session"),
        ),
        sa.ForeignKeyConstraint(["opened_by"], ["staff.id"], name=op.f("fk_tab_opened_by_staff")),
        sa.ForeignKeyConstraint(["held_by"], ["staff.id"], name=op.f("fk_tab_held_by_staff")),
        sa.ForeignKeyConstraint(["in_use_by"], ["staff.id"], name=op.f("fk_tab_in_use_by_staff")),
        sa.ForeignKeyConstraint(["closed_by"], ["staff.id"], name=op.f("fk_tab_closed_by_staff")),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_tab_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sale_order.id"], name=op.f("fk_tab_order_id_sale_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tab")),
        sa.UniqueConstraint("order_id", name=op.f("uq_tab_order_id")),
    )
    op.create_index(
        "uq_tab_open_name",
        "tab",
        ["terminal", "name_key"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
    )
    op.create_index("ix_tab_status_session", "tab", ["status", "session_id"], unique=False)
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_tab_status_session", table_name="tab")
    op.drop_index("uq_tab_open_name", table_name="tab")
    op.drop_table("tab")
