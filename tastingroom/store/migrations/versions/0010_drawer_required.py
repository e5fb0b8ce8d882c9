"""drawer_required: a store sells only with its cash drawer open, the demo excepted

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 19:30:00

`drawer_required` now defaults to on: no cash is taken or given back without an open
drawer session, so every drawer balances at its Z. A store that never set it takes the
new default when it upgrades (its staff are told on Pay to open the drawer). The demo
winery keeps selling at once, as it did: a demo database that never set it is given the
old value, off, here. No schema changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    setting = sa.table("setting", sa.column("key"), sa.column("value"))
    demo = bind.execute(sa.select(setting.c.value).where(setting.c.key == "demo_mode")).scalar()
    chosen = bind.execute(
        sa.select(setting.c.key).where(setting.c.key == "drawer_required")
    ).scalar()
    if demo == "true" and chosen is None:
        bind.execute(setting.insert().values(key="drawer_required", value="false"))


def downgrade() -> None:
    """Nothing to undo: the setting stays as it was set, and older code reads it too."""
