"""What each WineDirect operation does in the simulator.

A handler takes the request's fields (already read with the WSDL's types) and returns
the reply's own fields; the server adds IsSuccessful, Errors and RecordCount. A handler
refuses a request by raising `Refused`, which becomes IsSuccessful=false with WineDirect's
kind of error. Searches sort by DateModified (then id) so that paging is stable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect.simulator.state import Record, SimState, modified_between, window


class Refused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Reply = tuple[dict[str, Any], int | None]
"""The reply's own fields, and RecordCount (None: not a search)."""


def _modified(row: Record, req: Record) -> bool:
    return modified_between(
        row["DateModified"], req.get("DateModifiedFrom"), req.get("DateModifiedTo")
    )


def _search(rows: list[Record], req: Record, key: str, stamp: str = "DateModified") -> Reply:
    ordered = sorted(rows, key=lambda r: (r.get(stamp) is None, r.get(stamp), r.get(key) or ""))
    return {"rows": window(ordered, req.get("Page"), req.get("MaxRows"))}, len(ordered)


def search_orders(state: SimState, req: Record) -> Reply:
    start, end = req.get("DateModifiedFrom"), req.get("DateModifiedTo")
    rows = []
    for order in state.orders.values():
        summary = state.order_summary(order)
        if order["IsExternalOrder"] and not req.get("IncludeExternalOrders"):
            continue
        if not modified_between(summary["DateModified"], start, end):
            continue
        checks = (
            ("IsAPickupOrder", summary["IsAPickupOrder"]),
            ("IsPendingPickup", summary["IsPendingPickup"]),
            ("OrderNumber", summary["OrderNumber"]),
            ("OrderID", summary["OrderID"]),
            ("ContactID", summary["ContactID"]),
            ("OrderStatus", summary["OrderStatus"]),
            ("PickupLocationCode", order["PickupLocationCode"]),
        )
        if any(req.get(name) is not None and req[name] != value for name, value in checks):
            continue
        rows.append(summary)
    fields, count = _search(rows, req, "OrderID")
    return {"Orders": fields["rows"]}, count


def get_order_detail(state: SimState, req: Record) -> Reply:
    order = state.find_order(order_id=req.get("OrderID"), number=req.get("OrderNumber"))
    if order is None:
        raise Refused("ORDER_NOT_FOUND", "Order was not found.")
    return {"Order": order}, 1


def post_order_tracking(state: SimState, req: Record) -> Reply:
    problem = state.post_tracking(req.get("OrderNumber"), req.get("Packages") or [])
    if problem:
        raise Refused("TRACKING", problem)
    return {}, None


def upsert_order(state: SimState, req: Record) -> Reply:
    orders = req.get("Orders") or []
    if not orders:
        raise Refused("NO_ORDERS", "No orders were sent.")
    results = [state.upsert_order(o or {}) for o in orders]
    return {"Results": results}, len(results)


def upsert_contact(state: SimState, req: Record) -> Reply:
    results = [state.upsert_contact(c or {}) for c in req.get("Contacts") or []]
    return {"Results": results}, len(results)


def search_contacts(state: SimState, req: Record) -> Reply:
    rows = [
        c
        for c in state.contacts.values()
        if _modified(c, req)
        and (req.get("Email") is None or (c["Email"] or "").lower() == req["Email"].lower())
        and (req.get("ContactID") is None or c["ContactID"] == req["ContactID"])
        and (
            req.get("AltContactID") is None
            or state.alt_contact_ids.get(req["AltContactID"]) == c["ContactID"]
        )
    ]
    fields, count = _search(rows, req, "ContactID")
    return {"Contacts": fields["rows"]}, count


def get_contact(state: SimState, req: Record) -> Reply:
    contact_id = req.get("ContactID") or state.alt_contact_ids.get(req.get("AltContactID") or "")
    contact = state.contacts.get(contact_id or "")
    if contact is None:
        raise Refused("CONTACT_NOT_FOUND", "Contact was not found.")
    return {"Contact": contact}, 1


def search_shipping_addresses(state: SimState, req: Record) -> Reply:
    rows = [
        a
        for a in state.shipping_addresses.values()
        if (req.get("ContactID") is None or a["ContactID"] == req["ContactID"])
        and _modified(a, req)
    ]
    fields, count = _search(rows, req, "ShippingAddressID")
    return {"ShippingAddresses": fields["rows"]}, count


def search_contact_types(state: SimState, req: Record) -> Reply:
    rows = [t for t in state.contact_types.values() if _modified(t, req)]
    fields, count = _search(rows, req, "ContactTypeID")
    return {"ContactTypes": fields["rows"]}, count


def add_contact_type(state: SimState, req: Record) -> Reply:
    if req.get("ContactID") not in state.contacts:
        raise Refused("CONTACT_NOT_FOUND", "Contact was not found.")
    if req.get("ContactTypeID") not in state.contact_types:
        raise Refused("CONTACT_TYPE_NOT_FOUND", "Contact type was not found.")
    state.contact_type_links.add((req["ContactID"], req["ContactTypeID"]))
    state.contacts[req["ContactID"]]["DateModified"] = state.now()
    return {}, None


def search_products(state: SimState, req: Record) -> Reply:
    rows = []
    for p in state.products.values():
        if req.get("IsActive") is not None and p["IsActive"] != req["IsActive"]:
            continue
        if not modified_between(
            p["DateModified"], req.get("DateModifiedFrom"), req.get("DateModifiedTo")
        ):
            continue
        if req.get("ProductID") and p["ProductID"] != req["ProductID"]:
            continue
        first = p["SKUs"][0] if p["SKUs"] else {}
        if req.get("SKU") and all(s["SKU"] != req["SKU"] for s in p["SKUs"]):
            continue
        retail = next((x for x in first.get("Prices") or [] if x["PriceLevel"] == "Retail"), {})
        wine = p["WineProperties"] or {}
        rows.append(
            {
                "Brand": p["Brand"],
                "DateModified": p["DateModified"],
                "Price": retail.get("Price"),
                "ProductID": p["ProductID"],
                "SKU": first.get("SKU"),
                "SalePrice": retail.get("SalePrice"),
                "Title": p["Title"],
                "Type": p["Type"],
                "Vintage": wine.get("Vintage"),
                "WebsiteID": p["WebsiteID"],
                "isActive": p["IsActive"],
            }
        )
    fields, count = _search(rows, req, "ProductID")
    return {"Products": fields["rows"]}, count


def get_product_detail(state: SimState, req: Record) -> Reply:
    for p in state.products.values():
        if p["ProductID"] == req.get("ProductID") or (
            req.get("SKU") and any(s["SKU"] == req["SKU"] for s in p["SKUs"])
        ):
            return {"Product": p}, 1
    raise Refused("PRODUCT_NOT_FOUND", "Product was not found.")


def search_inventory(state: SimState, req: Record) -> Reply:
    rows = [
        r
        for (sku, pool), r in state.inventory.items()
        if (req.get("SKU") is None or sku == req["SKU"])
        and (req.get("InventoryPool") is None or pool == req["InventoryPool"])
    ]
    ordered = sorted(rows, key=lambda r: (r["SKU"], r["InventoryPool"]))
    return {"Inventory": window(ordered, req.get("Page"), req.get("MaxRows"))}, len(ordered)


def update_inventory(state: SimState, req: Record) -> Reply:
    problem = state.update_inventory(req.get("Inventory") or {}, req.get("Mode"))
    if problem:
        raise Refused("INVENTORY", problem)
    return {}, None


def search_clubs(state: SimState, req: Record) -> Reply:
    fields, count = _search(list(state.clubs.values()), req, "ClubID")
    return {"Clubs": fields["rows"]}, count


def search_club_memberships(state: SimState, req: Record) -> Reply:
    rows = [
        x
        for x in state.memberships.values()
        if _modified(x, req)
        and (req.get("ContactID") is None or x["ContactID"] == req["ContactID"])
        and (req.get("ClubID") is None or x["ClubID"] == req["ClubID"])
    ]
    fields, count = _search(rows, req, "ClubMembershipID")
    return {"ClubMemberships": fields["rows"]}, count


def get_club_membership(state: SimState, req: Record) -> Reply:
    membership = state.memberships.get(req.get("ClubMembershipID") or "")
    if membership is None:
        raise Refused("MEMBERSHIP_NOT_FOUND", "Club membership was not found.")
    return {"ClubMembership": membership}, 1


def _apply_all_or_none(
    code: str,
    rows: list[Record],
    problem: Callable[[Record], str | None],
    apply: Callable[[Record], str | None],
) -> Reply:
    """A V2 batch answers with one IsSuccessful: refuse it whole before changing anything,
    so that a refusal never hides a half-applied batch."""
    problems = [p for p in map(problem, rows) if p]
    if problems:
        raise Refused(code, "; ".join(problems))
    for row in rows:
        apply(row)
    return {}, None


def post_pickup(state: SimState, req: Record) -> Reply:
    rows = [x or {} for x in req.get("pickups") or []]
    return _apply_all_or_none("PICKUP", rows, state.pickup_problem, state.post_pickup)


def post_shipping_status(state: SimState, req: Record) -> Reply:
    rows = [x or {} for x in req.get("ordershippingstatus") or []]
    return _apply_all_or_none(
        "SHIPPING_STATUS", rows, state.shipping_status_problem, state.post_shipping_status
    )


HANDLERS: dict[m.Operation, Callable[[SimState, Record], Reply]] = {
    m.SEARCH_ORDERS: search_orders,
    m.GET_ORDER_DETAIL: get_order_detail,
    m.POST_ORDER_TRACKING: post_order_tracking,
    m.UPSERT_ORDERS: upsert_order,
    m.UPSERT_CONTACTS: upsert_contact,
    m.SEARCH_CONTACTS: search_contacts,
    m.GET_CONTACT: get_contact,
    m.SEARCH_SHIPPING_ADDRESSES: search_shipping_addresses,
    m.SEARCH_CONTACT_TYPES: search_contact_types,
    m.ADD_CONTACT_TYPE_TO_CONTACT: add_contact_type,
    m.SEARCH_PRODUCTS: search_products,
    m.GET_PRODUCT_DETAIL: get_product_detail,
    m.SEARCH_INVENTORY: search_inventory,
    m.UPDATE_INVENTORY: update_inventory,
    m.SEARCH_CLUBS: search_clubs,
    m.SEARCH_CLUB_MEMBERSHIPS: search_club_memberships,
    m.GET_CLUB_MEMBERSHIP: get_club_membership,
    m.POST_PICKUP: post_pickup,
    m.POST_ORDER_SHIPPING_STATUS: post_shipping_status,
}
