"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 01:06:49.665391
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "club",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wd_club_id", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("discount_ppm", sa.Integer(), nullable=False),
        sa.Column("discount_kinds", sa.String(length=200), nullable=False),
        sa.Column("waives_tasting_fee", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club")),
        sa.UniqueConstraint("wd_club_id", name=op.f("uq_club_wd_club_id")),
    )
    op.create_table(
        "customer",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wd_contact_id", sa.String(length=64), nullable=True),
        sa.Column("customer_number", sa.String(length=32), nullable=True),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("address2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=True),
        sa.Column("zip_code", sa.String(length=16), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("non_taxable", sa.Boolean(), nullable=False),
        sa.Column("price_level", sa.String(length=64), nullable=True),
        sa.Column("date_modified", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer")),
        sa.UniqueConstraint("wd_contact_id", name=op.f("uq_customer_wd_contact_id")),
    )
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_customer_email"), ["email"], unique=False)

    op.create_table(
        "number_sequence",
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("prefix", name=op.f("pk_number_sequence")),
    )
    op.create_table(
        "outbox_item",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_item")),
        sa.UniqueConstraint("id", name=op.f("uq_outbox_item_id")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_item_idempotency_key")),
    )
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_item_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index("ix_outbox_item_state_seq", ["state", "seq"], unique=False)

    op.create_table(
        "product",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wd_product_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("pos_title", sa.String(length=200), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("varietal", sa.String(length=64), nullable=True),
        sa.Column("vintage", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("date_modified", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("wd_product_id", name=op.f("uq_product_wd_product_id")),
    )
    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "staff",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("pin_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff")),
        sa.UniqueConstraint("name", name=op.f("uq_staff_name")),
    )
    op.create_table(
        "tax_rate",
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("rate_ppm", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("state", name=op.f("pk_tax_rate")),
    )
    op.create_table(
        "club_membership",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wd_membership_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("club_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("is_pickup", sa.Boolean(), nullable=False),
        sa.Column("pickup_location", sa.String(length=64), nullable=True),
        sa.Column("date_modified", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["club_id"], ["club.id"], name=op.f("fk_club_membership_club_id_club")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_club_membership_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_club_membership")),
        sa.UniqueConstraint("wd_membership_id", name=op.f("uq_club_membership_wd_membership_id")),
    )
    with op.batch_alter_table("club_membership", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_club_membership_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "contact_type",
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_contact_type_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("customer_id", "name", name=op.f("pk_contact_type")),
    )
    op.create_table(
        "sale_order",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("transaction_type", sa.String(length=8), nullable=False),
        sa.Column("previous_order_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("terminal", sa.String(length=16), nullable=True),
        sa.Column("staff_id", sa.String(length=36), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=True),
        sa.Column("price_level", sa.String(length=64), nullable=True),
        sa.Column("inventory_pool", sa.String(length=64), nullable=True),
        sa.Column("fulfilment", sa.String(length=16), nullable=False),
        sa.Column("ship_first_name", sa.String(length=80), nullable=True),
        sa.Column("ship_last_name", sa.String(length=80), nullable=True),
        sa.Column("ship_address", sa.String(length=200), nullable=True),
        sa.Column("ship_address2", sa.String(length=200), nullable=True),
        sa.Column("ship_city", sa.String(length=80), nullable=True),
        sa.Column("ship_state", sa.String(length=8), nullable=True),
        sa.Column("ship_zip", sa.String(length=16), nullable=True),
        sa.Column("subtotal_cents", sa.Integer(), nullable=False),
        sa.Column("discount_cents", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), nullable=False),
        sa.Column("shipping_cents", sa.Integer(), nullable=False),
        sa.Column("tip_cents", sa.Integer(), nullable=False),
        sa.Column("total_cents", sa.Integer(), nullable=False),
        sa.Column("order_discount_reason", sa.String(length=200), nullable=True),
        sa.Column("wd_order_id", sa.String(length=64), nullable=True),
        sa.Column("wd_order_number", sa.String(length=32), nullable=True),
        sa.Column("shipping_status", sa.String(length=32), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("shipped_at", sa.DateTime(), nullable=True),
        sa.Column("pickup_location", sa.String(length=64), nullable=True),
        sa.Column("picked_up_at", sa.DateTime(), nullable=True),
        sa.Column("date_modified", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_sale_order_customer_id_customer")
        ),
        sa.ForeignKeyConstraint(
            ["previous_order_id"],
            ["sale_order.id"],
            name=op.f("fk_sale_order_previous_order_id_sale_order"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_sale_order_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sale_order")),
        sa.UniqueConstraint("number", name=op.f("uq_sale_order_number")),
        sa.UniqueConstraint("wd_order_id", name=op.f("uq_sale_order_wd_order_id")),
    )
    with op.batch_alter_table("sale_order", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sale_order_created_at"), ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sale_order_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "shipping_address",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("wd_address_id", sa.String(length=64), nullable=True),
        sa.Column("customer_id", sa.String(length=36), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("address2", sa.String(length=200), nullable=True),
        sa.Column("city", sa.String(length=80), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("zip_code", sa.String(length=16), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customer.id"], name=op.f("fk_shipping_address_customer_id_customer")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_address")),
        sa.UniqueConstraint("wd_address_id", name=op.f("uq_shipping_address_wd_address_id")),
    )
    with op.batch_alter_table("shipping_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipping_address_customer_id"), ["customer_id"], unique=False
        )

    op.create_table(
        "sku",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("barcode", sa.String(length=32), nullable=True),
        sa.Column("unit_description", sa.String(length=64), nullable=True),
        sa.Column("non_taxable", sa.Boolean(), nullable=False),
        sa.Column("base_sku_id", sa.String(length=36), nullable=True),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["base_sku_id"], ["sku.id"], name=op.f("fk_sku_base_sku_id_sku")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_sku_product_id_product")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sku")),
        sa.UniqueConstraint("barcode", name=op.f("uq_sku_barcode")),
        sa.UniqueConstraint("code", name=op.f("uq_sku_code")),
    )
    with op.batch_alter_table("sku", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sku_product_id"), ["product_id"], unique=False)

    op.create_table(
        "age_check",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("staff_id", sa.String(length=36), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("age_years", sa.Integer(), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sale_order.id"], name=op.f("fk_age_check_order_id_sale_order")
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_age_check_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_age_check")),
    )
    with op.batch_alter_table("age_check", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_age_check_order_id"), ["order_id"], unique=False)

    op.create_table(
        "audit_entry",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("requested_by", sa.String(length=36), nullable=False),
        sa.Column("approved_by", sa.String(length=36), nullable=True),
        sa.Column("order_id", sa.String(length=36), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["staff.id"], name=op.f("fk_audit_entry_approved_by_staff")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sale_order.id"], name=op.f("fk_audit_entry_order_id_sale_order")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["staff.id"], name=op.f("fk_audit_entry_requested_by_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_entry_at"), ["at"], unique=False)

    op.create_table(
        "order_line",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.String(length=36), nullable=True),
        sa.Column("sku_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        sa.Column("original_price_cents", sa.Integer(), nullable=False),
        sa.Column("discount_cents", sa.Integer(), nullable=False),
        sa.Column("taxable", sa.Boolean(), nullable=False),
        sa.Column("tax_rate_ppm", sa.Integer(), nullable=False),
        sa.Column("tax_cents", sa.Integer(), nullable=False),
        sa.Column("net_cents", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sale_order.id"], name=op.f("fk_order_line_order_id_sale_order")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_order_line_sku_id_sku")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line")),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)

    op.create_table(
        "price",
        sa.Column("sku_id", sa.String(length=36), nullable=False),
        sa.Column("price_level", sa.String(length=64), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("sale_price_cents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_price_sku_id_sku")),
        sa.PrimaryKeyConstraint("sku_id", "price_level", name=op.f("pk_price")),
    )
    op.create_table(
        "stock",
        sa.Column("sku_id", sa.String(length=36), nullable=False),
        sa.Column("pool", sa.String(length=64), nullable=False),
        sa.Column("on_hand", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_stock_sku_id_sku")),
        sa.PrimaryKeyConstraint("sku_id", "pool", name=op.f("pk_stock")),
    )
    op.create_table(
        "tender",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("order_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("change_cents", sa.Integer(), nullable=False),
        sa.Column("card_type", sa.String(length=24), nullable=True),
        sa.Column("card_last4", sa.String(length=4), nullable=True),
        sa.Column("approval_code", sa.String(length=16), nullable=True),
        sa.Column("gift_card_code", sa.String(length=40), nullable=True),
        sa.Column("check_number", sa.String(length=20), nullable=True),
        sa.Column("account", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sale_order.id"], name=op.f("fk_tender_order_id_sale_order")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tender")),
    )
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tender_order_id"), ["order_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tender", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tender_order_id"))

    op.drop_table("tender")
    op.drop_table("stock")
    op.drop_table("price")
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_order_id"))

    op.drop_table("order_line")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entry_at"))

    op.drop_table("audit_entry")
    with op.batch_alter_table("age_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_age_check_order_id"))

    op.drop_table("age_check")
    with op.batch_alter_table("sku", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sku_product_id"))

    op.drop_table("sku")
    with op.batch_alter_table("shipping_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipping_address_customer_id"))

    op.drop_table("shipping_address")
    with op.batch_alter_table("sale_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sale_order_customer_id"))
        batch_op.drop_index(batch_op.f("ix_sale_order_created_at"))

    op.drop_table("sale_order")
    op.drop_table("contact_type")
    with op.batch_alter_table("club_membership", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_club_membership_customer_id"))

    op.drop_table("club_membership")
    op.drop_table("tax_rate")
    op.drop_table("staff")
    op.drop_table("setting")
    op.drop_table("product")
    with op.batch_alter_table("outbox_item", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_item_state_seq")
        batch_op.drop_index(batch_op.f("ix_outbox_item_entity_id"))

    op.drop_table("outbox_item")
    op.drop_table("number_sequence")
    with op.batch_alter_table("customer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_customer_email"))

    op.drop_table("customer")
    op.drop_table("club")
