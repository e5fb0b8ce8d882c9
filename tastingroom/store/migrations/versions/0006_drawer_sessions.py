"""drawer sessions: the cash drawer's float, every movement of cash, X and Z

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 17:00:00

Besides the tables, triggers make a closed session final in the file itself, whatever
code writes to it: a closed session is never changed or deleted, a movement is added
only to an open session, and a movement once written is never changed or deleted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TRIGGERS = {
    "drawer_session_closed_is_final": (
        "BEFORE UPDATE ON drawer_session WHEN OLD.status = 'closed' BEGIN "
        "SELECT RAISE(ABORT, 'a closed drawer session cannot be changed'); END"
    ),
    "drawer_session_never_deleted": (
        "BEFORE DELETE ON drawer_session BEGIN "
        "SELECT RAISE(ABORT, 'a drawer session cannot be deleted'); END"
    ),
    "drawer_movement_open_session_only": (
        "BEFORE INSERT ON drawer_movement WHEN "
        "(SELECT status FROM drawer_session WHERE id = NEW.session_id) IS NOT 'open' BEGIN "
        "SELECT RAISE(ABORT, 'cash can only move in an open drawer session'); END"
    ),
    "drawer_movement_never_changed": (
        "BEFORE UPDATE ON drawer_movement BEGIN "
        "SELECT RAISE(ABORT, 'a drawer movement cannot be changed'); END"
    ),
    "drawer_movement_never_deleted": (
        "BEFORE DELETE ON drawer_movement BEGIN "
        "SELECT RAISE(ABORT, 'a drawer movement cannot be deleted'); END"
    ),
}


def upgrade() -> None:
    op.create_table(
        "drawer_session",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("terminal", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("opened_by", sa.String(length=36), nullable=False),
        sa.Column("float_cents", sa.Integer(), nullable=False),
        sa.Column("float_source", sa.String(length=8), nullable=False),
        sa.Column("float_count", sa.Text(), nullable=True),
        sa.Column("carried_from_id", sa.String(length=36), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.String(length=36), nullable=True),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("z_number", sa.Integer(), nullable=True),
        sa.Column("expected_cents", sa.Integer(), nullable=True),
        sa.Column("counted_cents", sa.Integer(), nullable=True),
        sa.Column("closing_count", sa.Text(), nullable=True),
        sa.Column("over_short_cents", sa.Integer(), nullable=True),
        sa.Column("over_short_reason", sa.String(length=200), nullable=True),
        sa.Column("carried_float_cents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["staff.id"], name=op.f("fk_drawer_session_opened_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["staff.id"], name=op.f("fk_drawer_session_closed_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_drawer_session_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["carried_from_id"],
            ["drawer_session.id"],
            name=op.f("fk_drawer_session_carried_from_id_drawer_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawer_session")),
    )
    with op.batch_alter_table("drawer_session", schema=None) as batch_op:
        # At most one open session per register (one database per register).
        batch_op.create_index(
            "uq_drawer_session_open",
            ["status"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
        )
        batch_op.create_index("uq_drawer_session_terminal_z", ["terminal", "z_number"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_drawer_session_closed_at"), ["closed_at"], unique=False
        )
    op.create_table(
        "drawer_movement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["drawer_session.id"],
            name=op.f("fk_drawer_movement_session_id_drawer_session"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_drawer_movement_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_drawer_movement_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sale_order.id"], name=op.f("fk_drawer_movement_order_id_sale_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drawer_movement")),
    )
    with op.batch_alter_table("drawer_movement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_drawer_movement_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_drawer_movement_order_id"), ["order_id"], unique=False)
    op.create_table(
        "drawer_z_sequence",
        sa.Column("terminal", sa.String(length=16), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("terminal", name=op.f("pk_drawer_z_sequence")),
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("drawer_z_sequence")
    op.drop_table("drawer_movement")
    op.drop_table("drawer_session")
