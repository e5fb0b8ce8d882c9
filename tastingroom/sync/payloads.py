"""A stored register order, as WineDirect's UpsertOrder takes it."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tastingroom.store.models import Customer, Order
from tastingroom.winedirect.records import Address, ItemToSend, OrderToSend, TenderToSend

VOID_SUFFIX = "-VOID"
"""A void after the order reached WineDirect goes up as a full refund numbered `<number>-VOID`."""


def order_payload(
    s: Session, order: Order, website_code: str, *, void: bool = False
) -> OrderToSend:
    customer = s.get(Customer, order.customer_id) if order.customer_id else None
    bill = None
    if customer is not None:
        bill = Address(
            first_name=customer.first_name,
            last_name=customer.last_name,
            address=customer.address or "",
            address2=customer.address2,
            city=customer.city or "",
            state=customer.state or "",
            zip_code=customer.zip_code or "",
            email=customer.email,
            phone=customer.phone,
            birth_date=customer.birth_date,
        )
    ship = None
    if order.fulfilment == "ship":
        ship = Address(
            first_name=order.ship_first_name or "",
            last_name=order.ship_last_name or "",
            address=order.ship_address or "",
            address2=order.ship_address2,
            city=order.ship_city or "",
            state=order.ship_state or "",
            zip_code=order.ship_zip or "",
        )
    refund_of = None
    if order.transaction_type == "refund" and order.previous_order_id:
        refund_of = s.get(Order, order.previous_order_id).number
    if void:
        refund_of = order.number
    return OrderToSend(
        number=f"{order.number}{VOID_SUFFIX}" if void else order.number,
        ordered_at=order.date_modified if void else order.created_at,
        website_code=website_code,
        subtotal_cents=order.subtotal_cents - order.discount_cents,
        shipping_cents=order.shipping_cents,
        tax_cents=order.tax_cents,
        tip_cents=order.tip_cents,
        total_cents=order.total_cents,
        items=tuple(
            ItemToSend(
                sku=line.sku_code,
                name=line.name,
                quantity=line.quantity,
                line_total_cents=line.net_cents,
                original_price_cents=line.original_price_cents,
                tax_cents=line.tax_cents,
                non_taxable=not line.taxable,
            )
            for line in order.lines
        ),
        tenders=tuple(
            TenderToSend(
                kind=t.kind,
                amount_cents=t.amount_cents - t.change_cents,
                paid_at=order.created_at,
                card_type=t.card_type,
                gift_card_code=t.gift_card_code,
            )
            for t in order.tenders
        ),
        shipping_status=order.shipping_status or "Picked Up",
        register_number=order.terminal or "",
        cashier_id=order.staff_id,
        contact_id=customer.wd_contact_id if customer else None,
        alt_contact_id=customer.id if customer else None,
        bill_to=bill,
        ship_to=ship,
        refund_of=refund_of,
    )
