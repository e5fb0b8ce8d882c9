"""The simulator's WineDirect: records held as WineDirect shapes them, and what each
operation does to them.

Records are dicts with WineDirect's own field names (those of `mapping`), so replies are
the stored records themselves. Every change moves the record's DateModified, which is
kept to whole seconds, as coarse as WineDirect's. Register orders are keyed by the
number the register sent: sending the same number again updates the order, never
duplicates it, and our orders come back from SearchOrders as external orders. All of it
is guarded by one lock; the server's threads and the web-activity thread share it.

The state also counts every write it applies (per order number, contact or pickup), so
that tests can tell a write WineDirect applied twice from one it never saw, and keeps a
digest of each register sale so that a number reused by another sale shows up as
overwritten rather than as a harmless re-send.
"""

from __future__ import annotations

import hashlib
import json
import random
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from tastingroom.demo.winery import demo_data, demo_people
from tastingroom.winedirect import mapping as m
from tastingroom.winedirect import records as r
from tastingroom.winedirect.soap import Call, build_call, iter_parts, parse_message

Record = dict[str, Any]

APPLIED_KINDS = ("orders", "contacts", "pickups", "shipping_statuses", "tracking")
"""What `SimState.applied` counts: UpsertOrder per number we sent, UpsertContact per
AltContactID, and PostPickup, PostOrderShippingStatus and PostOrderTracking per
WineDirect order number."""

STAMPED_KINDS = ("orders", "products", "contacts", "memberships", "addresses")
"""The records whose DateModified `SimState.stamp_future` can set."""

_SALE_FIELDS = (
    "OrderDate",
    "OrderItems",
    "Tenders",
    "SubTotal",
    "Tax",
    "Shipping",
    "Tip",
    "Total",
    "TransactionType",
    "PreviousOrderNumber",
)
"""What makes a register order the sale it is. Shipping status and the customer may be
re-sent changed for the same sale, so they are left out of the overwrite check."""


class SimulatorFault(Exception):
    """A request the simulated WineDirect refuses with a SOAP Fault (CFCInvocationException)."""


def _blank(kind: m.Struct) -> Record:
    return {name: None for name, _ in kind.fields}


def _dollars(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _wd_id() -> str:
    return str(uuid.uuid4()).upper()


def _wd_number(order: Record) -> str:
    """WineDirect's own order number as V2 calls spell it (the key for V2 apply counts)."""
    return str(int(order["OrderNumber"]))


def _sale_digest(wire: Record) -> str:
    """A fingerprint of one UpsertOrder's sale, to tell a re-send from another sale."""
    sale = {name: wire.get(name) for name in _SALE_FIELDS}
    return hashlib.sha256(json.dumps(sale, sort_keys=True, default=str).encode()).hexdigest()


def _as_received(op: m.Operation, request: Record) -> Record:
    """A request as the server would decode it after a trip through the SOAP codec, so
    records made in-process carry exactly the types of ones sent over HTTP."""
    payload = build_call(op.service.namespace, op.name, [("Request", op.parts[0][1], request)])
    call = parse_message(payload)
    assert isinstance(call, Call)  # build_call writes calls, never faults
    return dict(iter_parts(call, list(op.parts)))["Request"]


class SimState:
    """A winery's WineDirect account, in memory."""

    def __init__(self, clock: Callable[[], datetime] | None = None, seed: int = 65) -> None:
        self.lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(UTC))
        self.rng = random.Random(seed)
        self.products: dict[str, Record] = {}
        self.inventory: dict[tuple[str, str], Record] = {}
        self.contacts: dict[str, Record] = {}
        self.alt_contact_ids: dict[str, str] = {}
        self.contact_types: dict[str, Record] = {}
        self.contact_type_links: set[tuple[str, str]] = set()
        self.shipping_addresses: dict[str, Record] = {}
        self.clubs: dict[str, Record] = {}
        self.memberships: dict[str, Record] = {}
        self.orders: dict[str, Record] = {}
        self.order_modified: dict[str, datetime] = {}
        self.register_orders: dict[str, str] = {}
        """Our order number -> WineDirect's OrderID."""
        self._applied: dict[str, Counter[str]] = {kind: Counter() for kind in APPLIED_KINDS}
        self._sale_digests: dict[str, str] = {}
        self._overwritten: set[str] = set()
        self._next_numbers = {"order": 10_001, "customer": 50_001}
        """WineDirect's next OrderNumber and CustomerNumber (kept by `snapshot`)."""
        self.pickup_location = "TASTINGROOM"
        self.pools = ("Tasting Room", "Warehouse")

    def now(self) -> datetime:
        return self._clock().replace(microsecond=0)

    def _take_number(self, kind: str) -> Decimal:
        """WineDirect's next order or customer number: never issued twice, even across a
        restart from a `snapshot`."""
        with self.lock:
            number = self._next_numbers[kind]
            self._next_numbers[kind] = number + 1
        return Decimal(number)

    # --- seeding ----------------------------------------------------------------------

    @classmethod
    def demo(cls, clock: Callable[[], datetime] | None = None, seed: int = 65) -> SimState:
        """The demo winery's account: catalog, stock, customers, clubs and web orders."""
        state = cls(clock, seed)
        data = demo_data()
        state.pickup_location = data["store"]["pickup_location"]
        state.pools = (data["store"]["inventory_pool"], "Warehouse")
        with state.lock:
            state._seed_catalog(data)
            state._seed_people(data)
            state._seed_web_orders(40)
        return state

    def _seed_catalog(self, data: dict) -> None:
        now = self.now()
        for p in data["products"]:
            product = _blank(m.PRODUCT)
            product.update(
                ProductID=_wd_id(),
                Title=p["title"],
                POSTitle=p.get("pos_title"),
                Type="Wine" if p["kind"] == "bottle" else p["kind"].replace("_", " ").title(),
                IsActive=True,
                IsDisplayOnWebsite=True,
                DateAdded=now,
                DateModified=now,
                WebsiteID="VALLEELUNE",
                SKUs=[],
            )
            self.products[product["ProductID"]] = product
            if p.get("varietal"):
                wine = _blank(m.WINE_PROPERTIES)
                wine.update(Varietal=p["varietal"], Vintage=Decimal(p["vintage"]))
                product["WineProperties"] = wine
            for k in p["skus"]:
                sku = _blank(m.SKU)
                sku.update(
                    SKU=k["code"],
                    UPCCode=k.get("barcode"),
                    UnitDescription=k.get("unit_description"),
                    IsNonTaxable=k.get("non_taxable", False),
                    IsInventoryOn="stock" in k,
                    Prices=[
                        {
                            "Price": _dollars(c),
                            "PriceLevel": lvl,
                            "PriceQuantity": Decimal(1),
                            "SalePrice": None,
                        }
                        for lvl, c in k["prices"].items()
                    ],
                    Inventory=[],
                )
                product["SKUs"].append(sku)
                if "stock" in k:
                    for pool, count in zip(self.pools, (k["stock"], k["stock"] * 5), strict=True):
                        self._set_inventory(k["code"], pool, count)

    def _seed_people(self, data: dict) -> None:
        now = self.now()
        for name in ("Customer", "Club Member", "Trade"):
            ct = _blank(m.CONTACT_TYPE)
            ct.update(
                ContactTypeID=_wd_id(),
                ContactType=name,
                DateAdded=now,
                DateModified=now,
                IsPublic="true",
                WebsiteID="VALLEELUNE",
            )
            self.contact_types[ct["ContactTypeID"]] = ct
        types = {t["ContactType"]: t["ContactTypeID"] for t in self.contact_types.values()}
        club_ids = []
        for c in data["clubs"]:
            club = {"ClubID": _wd_id(), "ClubName": c["name"], "DateModified": now}
            self.clubs[club["ClubID"]] = club
            club_ids.append(club["ClubID"])
        for person in demo_people(data):
            contact = _blank(m.CONTACT)
            contact.update(
                ContactID=_wd_id(),
                CustomerNumber=self._take_number("customer"),
                FirstName=person.first_name,
                LastName=person.last_name,
                Email=person.email,
                Phone=person.phone,
                Address=person.address,
                City=person.city,
                StateCode=person.state,
                ZipCode=person.zip_code,
                CountryCode="US",
                BirthDate=datetime(
                    person.birth_date.year,
                    person.birth_date.month,
                    person.birth_date.day,
                    tzinfo=UTC,
                ),
                IsNonTaxable=person.non_taxable,
                DateAdded=now,
                DateModified=now,
                WebsiteID="VALLEELUNE",
            )
            cid = contact["ContactID"]
            self.contacts[cid] = contact
            self.contact_type_links.add((cid, types["Customer"]))
            if person.club_index is not None:
                self.contact_type_links.add((cid, types["Club Member"]))
                club_id = club_ids[person.club_index]
                membership = {
                    "ClubMembershipID": _wd_id(),
                    "ClubID": club_id,
                    "ClubName": self.clubs[club_id]["ClubName"],
                    "ContactID": cid,
                    "CurrentMembershipStatus": person.membership_status,
                    "IsPickup": person.pickup_member,
                    "PickupLocationCode": self.pickup_location,
                    "DateModified": now,
                }
                self.memberships[membership["ClubMembershipID"]] = membership
            if person.has_shipping_address:
                address = _blank(m.SHIPPING_ADDRESS)
                address.update(
                    ShippingAddressID=_wd_id(),
                    ContactID=cid,
                    Firstname=person.first_name,
                    Lastname=person.last_name,
                    Address=person.address,
                    City=person.city,
                    StateCode=person.state,
                    ZipCode=person.zip_code,
                    CountryCode="US",
                    DateAdded=now,
                    DateModified=now,
                    WebsiteID="VALLEELUNE",
                )
                self.shipping_addresses[address["ShippingAddressID"]] = address

    def _seed_web_orders(self, count: int) -> None:
        for n in range(count):
            pickup = n % 4 == 0
            order = self.create_web_order(pickup=pickup)
            if not pickup and n % 3 == 0:
                self.ship_order(order["OrderID"])
            if pickup and n % 12 == 0:
                self.cancel_order(order["OrderID"])

    # --- helpers used by operations and web activity ------------------------------------

    def _set_inventory(self, sku: str, pool: str, count: int) -> None:
        row = self.inventory.get((sku, pool))
        if row is None:
            row = _blank(m.INVENTORY)
            row.update(
                SKU=sku,
                InventoryPool=pool,
                InventoryPoolID=pool.upper().replace(" ", "_"),
                WebsiteID="VALLEELUNE",
            )
            self.inventory[(sku, pool)] = row
        row["CurrentInventory"] = Decimal(count)
        for product in self.products.values():
            for s in product["SKUs"]:
                if s["SKU"] == sku:
                    s["Inventory"] = [
                        {
                            "CurrentInventory": r["CurrentInventory"],
                            "InventoryPool": r["InventoryPool"],
                        }
                        for (code, _), r in self.inventory.items()
                        if code == sku
                    ]
                    product["DateModified"] = self.now()

    def sku_prices(self) -> dict[str, Decimal]:
        out = {}
        for product in self.products.values():
            for s in product["SKUs"]:
                retail = next(
                    (p["Price"] for p in s["Prices"] if p["PriceLevel"] == "Retail"), None
                )
                if retail is not None:
                    out[s["SKU"]] = retail
        return out

    def _touch(self, order_id: str) -> None:
        self.order_modified[order_id] = self.now()

    def _count(self, kind: str, key: str) -> None:
        """One write applied; called only once the change is made, never for a refusal."""
        with self.lock:
            self._applied[kind][key] += 1

    def _note_sale(self, number: str, wire: Record) -> None:
        """Count an applied UpsertOrder and note whether it replaced a different sale."""
        digest = _sale_digest(wire)
        with self.lock:
            if self._sale_digests.get(number, digest) != digest:
                self._overwritten.add(number)
            self._sale_digests[number] = digest
            self._count("orders", number)

    def create_web_order(self, *, pickup: bool, contact_id: str | None = None) -> Record:
        """A customer orders on the website: shipped to them, or for pickup here."""
        with self.lock:
            contact = self.contacts.get(contact_id) if contact_id else None
            contact = contact or self.rng.choice(list(self.contacts.values()))
            prices = self.sku_prices()
            bottles = [k for k in prices if "-" not in k and not k.startswith(("FEE", "FLT", "GL"))]
            now = self.now()
            items = []
            for sku in self.rng.sample(bottles, self.rng.randint(1, 3)):
                qty = self.rng.choice((1, 2, 3, 6))
                item = _blank(m.ORDER_ITEM)
                item.update(
                    SKU=sku,
                    Title=self._title(sku),
                    Quantity=Decimal(qty),
                    Price=prices[sku],
                    OriginalPrice=prices[sku],
                    InventoryPool=self.pools[1],
                    SalesTax=Decimal("0.00"),
                    IsNonTaxable=False,
                    ProductSKUID=_wd_id(),
                    Type="Wine",
                )
                items.append(item)
            subtotal = sum(i["Price"] * i["Quantity"] for i in items)
            tax = (subtotal * Decimal("0.0725")).quantize(Decimal("0.01"))
            shipping = Decimal("0.00") if pickup else Decimal("15.00")
            total = subtotal + tax + shipping
            order = _blank(m.ORDER)
            bill = _blank(m.BILL_CONTACT)
            for key in (
                "ContactID",
                "FirstName",
                "LastName",
                "Email",
                "Phone",
                "Address",
                "City",
                "StateCode",
                "ZipCode",
                "CountryCode",
                "BirthDate",
            ):
                bill[key] = contact[key]
            ship = None
            if not pickup:
                ship = _blank(m.SHIP_TO_ADDRESS)
                for key in (
                    "FirstName",
                    "LastName",
                    "Address",
                    "City",
                    "StateCode",
                    "ZipCode",
                    "Email",
                    "Phone",
                ):
                    ship[key] = contact[key]
            order.update(
                OrderID=_wd_id(),
                OrderNumber=self._take_number("order"),
                Type="Website",
                OrderStatus="Completed",
                PaymentStatus="Paid",
                IsExternalOrder=False,
                IsAPickupOrder=pickup,
                PickupLocationCode=self.pickup_location if pickup else None,
                ShippingStatus="Not Shipped" if not pickup else "Pending Pickup",
                ShippingType="Pickup" if pickup else "Ground",
                BillContact=bill,
                ShipToAddress=ship,
                OrderItems=items,
                SubTotal=subtotal,
                Tax=tax,
                Shipping=shipping,
                Handling=Decimal("0.00"),
                Tip=Decimal("0.00"),
                Total=total,
                TotalAfterTip=total,
                CompletedDate=now,
                SubmittedDate=now,
                TransactionType="Order",
                WebsiteID="VALLEELUNE",
                OrderCoupons=[],
                Tender=[
                    {
                        **_blank(m.ORDER_TENDER),
                        "PaymentType": "CreditCard",
                        "AmountTendered": total,
                        "CardType": "Visa",
                        "PaymentDate": now,
                        "PaymentStatus": "Paid",
                        "IsActive": True,
                    }
                ],
            )
            self.orders[order["OrderID"]] = order
            self._touch(order["OrderID"])
            return order

    def _title(self, sku: str) -> str | None:
        for product in self.products.values():
            if any(s["SKU"] == sku for s in product["SKUs"]):
                return product["Title"]
        return None

    def ship_order(self, order_id: str, carrier: str = "UPS") -> Record:
        """WineDirect's fulfilment ships an order and records its tracking number."""
        with self.lock:
            order = self.orders[order_id]
            now = self.now()
            tracking = "1Z" + "".join(
                self.rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16)
            )
            order.update(
                ShippingStatus="Shipped",
                ShippedDate=now,
                TrackingNumber=tracking,
                FulfillmentHouse=carrier,
            )
            for item in order["OrderItems"] or []:
                item["TrackingNumber"] = tracking
                item["ShippedDate"] = now
            self._touch(order_id)
            return order

    def cancel_order(self, order_id: str) -> Record:
        with self.lock:
            order = self.orders[order_id]
            order["OrderStatus"] = "Cancelled"
            self._touch(order_id)
            return order

    @staticmethod
    def is_pending_pickup(order: Record) -> bool:
        return bool(
            order["IsAPickupOrder"]
            and order["PickupDate"] is None
            and order["OrderStatus"] != "Cancelled"
        )

    def order_summary(self, order: Record) -> Record:
        bill = order["BillContact"] or {}
        ship = order["ShipToAddress"] or {}
        summary = _blank(m.ORDER_SUMMARY)
        summary.update(
            BillFirstName=bill.get("FirstName"),
            BillLastName=bill.get("LastName"),
            CompletedDate=order["CompletedDate"],
            ContactID=bill.get("ContactID"),
            DateModified=self.order_modified[order["OrderID"]],
            GiftMessage=order["GiftMessage"],
            IsAPickupOrder=order["IsAPickupOrder"],
            IsARMSOrder=order["Type"] == "POS",
            IsExternalOrder=order["IsExternalOrder"],
            IsPendingPickup=self.is_pending_pickup(order),
            OrderID=order["OrderID"],
            OrderNotes=order["OrderNotes"],
            OrderNumber=order["OrderNumber"],
            OrderStatus=order["OrderStatus"],
            OrderTotal=order["Total"],
            PaymentStatus=order["PaymentStatus"],
            ShipFirstName=ship.get("FirstName"),
            ShipLastName=ship.get("LastName"),
            ShipStateCode=ship.get("StateCode"),
            ShippedDate=order["ShippedDate"],
            ShippingStatus=order["ShippingStatus"],
            ShippingType=order["ShippingType"],
            SubmittedDate=order["SubmittedDate"],
            TrackingNumber=order["TrackingNumber"],
            Type=order["Type"],
            WebsiteID=order["WebsiteID"],
        )
        return summary

    def find_order(
        self, *, order_id: str | None = None, number: Decimal | None = None
    ) -> Record | None:
        if order_id:
            return self.orders.get(order_id)
        if number is not None:
            return next((o for o in self.orders.values() if o["OrderNumber"] == number), None)
        return None

    def find_by_v2_number(self, number: str) -> Record | None:
        """V2 calls name an order by WineDirect's number, or by the number we sent."""
        if number in self.register_orders:
            return self.orders[self.register_orders[number]]
        try:
            return self.find_order(number=Decimal(number))
        except ArithmeticError:
            return None

    # --- writes from the register -----------------------------------------------------

    def upsert_order(self, wire: Record) -> Record:
        """UpsertOrder for one order: create, or update the order with the same number."""
        number = (wire.get("OrderNumber") or "").strip()
        problem = self._order_problem(wire, number)
        if problem:
            return {
                "isSuccessful": False,
                "externalKeyCode": number or None,
                "internalKeyCode": None,
                "message": problem,
            }
        existing_id = self.register_orders.get(number)
        order = self.orders[existing_id] if existing_id else _blank(m.ORDER)
        if not existing_id:
            order.update(OrderID=_wd_id(), OrderNumber=self._take_number("order"))
            sign = 1 if wire.get("TransactionType") == m.TRANSACTION_REFUND else -1
            for w in wire["OrderItems"]:  # a new POS sale takes stock from the POS pool
                row = self.inventory.get((w["ProductSKU"], self.pools[0]))
                if row is not None:
                    count = int(row["CurrentInventory"]) + sign * int(w["Quantity"])
                    self._set_inventory(w["ProductSKU"], self.pools[0], count)
        items = []
        for w in wire["OrderItems"]:
            item = _blank(m.ORDER_ITEM)
            item.update(
                SKU=w["ProductSKU"],
                Title=w["ProductName"],
                Quantity=w["Quantity"],
                Price=w["Price"],
                OriginalPrice=w["OriginalPrice"],
                SalesTax=w["SalesTax"],
                IsNonTaxable=w["isNonTaxable"],
                InventoryPool=self.pools[0],
            )
            items.append(item)
        tenders = [
            {
                **_blank(m.ORDER_TENDER),
                "PaymentType": t["PaymentType"],
                "AmountTendered": t["AmountTendered"],
                "PaymentDate": t["PaymentDate"],
                "CardType": t["CreditCardType"],
                "GiftCardCode": t["GiftCardCode"],
                "PaymentStatus": "Paid",
                "IsActive": True,
            }
            for t in wire["Tenders"] or []
        ]
        bill = _blank(m.BILL_CONTACT)
        bill.update(
            ContactID=self._contact_for(wire),
            FirstName=wire.get("BillingFirstName"),
            LastName=wire.get("BillingLastName"),
            Email=wire.get("BillingEmail"),
            Address=wire.get("BillingAddress"),
            Address2=wire.get("BillingAddress2"),
            City=wire.get("BillingCity"),
            StateCode=wire.get("BillingStateCode"),
            ZipCode=wire.get("BillingZipCode"),
            Phone=wire.get("BillingPhone"),
            BirthDate=wire.get("BillingBirthdate"),
        )
        ship = None
        if wire.get("ShippingAddress"):
            ship = _blank(m.SHIP_TO_ADDRESS)
            ship.update(
                FirstName=wire.get("ShippingFirstName"),
                LastName=wire.get("ShippingLastName"),
                Address=wire["ShippingAddress"],
                Address2=wire.get("ShippingAddress2"),
                City=wire.get("ShippingCity"),
                StateCode=wire.get("ShippingStateCode"),
                ZipCode=wire.get("ShippingZipCode"),
            )
        rms = _blank(m.RMS)
        rms.update(wire.get("RMS") or {})
        previous = None
        if wire.get("PreviousOrderNumber"):
            original = self.orders[self.register_orders[wire["PreviousOrderNumber"]]]
            previous = original["OrderNumber"]
        order.update(
            AltOrderNumber=number,
            Type=wire.get("OrderType") or m.ORDER_TYPE_POS,
            IsExternalOrder=True,
            OrderStatus="Completed",
            PaymentStatus="Paid",
            IsAPickupOrder=False,
            ShippingStatus=wire.get("ShippingStatus"),
            ShippingType="Ground" if ship else "Carry Out",
            BillContact=bill,
            ShipToAddress=ship,
            OrderItems=items,
            Tender=tenders,
            SubTotal=wire["SubTotal"],
            Tax=wire["Tax"],
            Shipping=wire["Shipping"],
            Tip=wire["Tip"],
            Total=wire["Total"],
            TotalAfterTip=wire["Total"],
            Handling=Decimal("0.00"),
            RMS=rms,
            CompletedDate=wire["OrderDate"],
            SubmittedDate=wire["OrderDate"],
            TransactionType=wire.get("TransactionType") or m.TRANSACTION_ORDER,
            PreviousOrderNumber=previous,
            WebsiteID=wire.get("WebsiteCode"),
            OrderCoupons=[],
        )
        self.orders[order["OrderID"]] = order
        self.register_orders[number] = order["OrderID"]
        self._touch(order["OrderID"])
        self._note_sale(number, wire)
        return {
            "isSuccessful": True,
            "externalKeyCode": number,
            "internalKeyCode": order["OrderID"],
            "message": None,
        }

    def _order_problem(self, wire: Record, number: str) -> str | None:
        if not number:
            return "OrderNumber is required."
        if wire.get("OrderDate") is None:
            return "OrderDate is required."
        items = wire.get("OrderItems") or []
        if not items:
            return "An order needs at least one item."
        known = self.sku_prices()
        for item in items:
            if item.get("ProductSKU") not in known:
                return f"Product SKU {item.get('ProductSKU')!r} was not found."
            if item.get("Quantity") is None or item["Quantity"] <= 0:
                return f"Quantity for SKU {item['ProductSKU']} must be greater than zero."
        for name in ("SubTotal", "Tax", "Shipping", "Tip", "Total"):
            if wire.get(name) is None:
                return f"{name} is required."
        previous = wire.get("PreviousOrderNumber")
        if (
            wire.get("TransactionType") == m.TRANSACTION_REFUND
            and previous not in self.register_orders
        ):
            return f"The refunded order {previous!r} was not found."
        return None

    def _contact_for(self, wire: Record) -> str | None:
        if wire.get("ContactID") in self.contacts:
            return wire["ContactID"]
        return self.alt_contact_ids.get(wire.get("AltContactID") or "")

    def upsert_contact(self, wire: Record) -> Record:
        """Matched by ContactID, then AltContactID, then Email; otherwise created."""
        alt = wire.get("AltContactID")
        if not (wire.get("FirstName") or wire.get("LastName")):
            return {
                "isSuccessful": False,
                "externalKeyCode": alt,
                "internalKeyCode": None,
                "message": "FirstName or LastName is required.",
            }
        contact_id = wire.get("ContactID") if wire.get("ContactID") in self.contacts else None
        contact_id = contact_id or self.alt_contact_ids.get(alt or "")
        if contact_id is None and wire.get("Email"):
            email = wire["Email"].lower()
            contact_id = next(
                (
                    c["ContactID"]
                    for c in self.contacts.values()
                    if (c["Email"] or "").lower() == email
                ),
                None,
            )
        now = self.now()
        if contact_id is None:
            contact = _blank(m.CONTACT)
            contact.update(
                ContactID=_wd_id(),
                CustomerNumber=self._take_number("customer"),
                DateAdded=now,
                WebsiteID="VALLEELUNE",
                CountryCode="US",
            )
        else:
            contact = self.contacts[contact_id]
        for key in (
            "FirstName",
            "LastName",
            "Email",
            "Phone",
            "Address",
            "Address2",
            "City",
            "StateCode",
            "ZipCode",
            "BirthDate",
            "IsNonTaxable",
        ):
            if wire.get(key) is not None:
                contact[key] = wire[key]
        contact["DateModified"] = now
        self.contacts[contact["ContactID"]] = contact
        if alt:
            self.alt_contact_ids[alt] = contact["ContactID"]
        self._count("contacts", alt or contact["ContactID"])
        return {
            "isSuccessful": True,
            "externalKeyCode": alt,
            "internalKeyCode": contact["ContactID"],
            "message": None,
        }

    def pickup_problem(self, wire: Record) -> str | None:
        """Why PostPickup would refuse this row (checked for a whole batch before any row
        is applied, so that a refused call changes nothing)."""
        order = self.find_by_v2_number(str(wire.get("OrderNumber") or ""))
        if order is None:
            return f"Order {wire.get('OrderNumber')} was not found."
        if not order["IsAPickupOrder"]:
            return f"Order {wire.get('OrderNumber')} is not a pickup order."
        if order["OrderStatus"] == "Cancelled" and wire.get("isPickedUp"):
            return f"Order {wire.get('OrderNumber')} was cancelled and cannot be picked up."
        return None

    def post_pickup(self, wire: Record) -> str | None:
        """Hand an order over (or take the hand-over back). WineDirect accepts a second
        hand-over of an order already picked up without a word, and keeps the first
        PickupDate: only the apply count shows that it happened twice."""
        problem = self.pickup_problem(wire)
        if problem:
            return problem
        order = self.find_by_v2_number(str(wire["OrderNumber"]))
        assert order is not None  # pickup_problem found it
        if wire.get("isPickedUp", True):
            order["PickupDate"] = order["PickupDate"] or wire.get("PickupDate") or self.now()
            order["ShippingStatus"] = "Picked Up"
        else:
            order["PickupDate"] = None
            order["ShippingStatus"] = "Pending Pickup"
        self._touch(order["OrderID"])
        self._count("pickups", _wd_number(order))
        return None

    def shipping_status_problem(self, wire: Record) -> str | None:
        """Why PostOrderShippingStatus would refuse this row (checked for the whole batch
        first, as `pickup_problem` is)."""
        if self.find_by_v2_number(str(wire.get("OrderNumber") or "")) is None:
            return f"Order {wire.get('OrderNumber')} was not found."
        if wire.get("ShippingStatus") not in m.V2_SHIPPING_STATUS:
            return f"Shipping status {wire.get('ShippingStatus')!r} is not valid."
        return None

    def post_shipping_status(self, wire: Record) -> str | None:
        problem = self.shipping_status_problem(wire)
        if problem:
            return problem
        order = self.find_by_v2_number(str(wire["OrderNumber"]))
        assert order is not None  # shipping_status_problem found it
        status = m.V2_SHIPPING_STATUS[wire["ShippingStatus"]]
        order["ShippingStatus"] = status
        if status == "Shipped":
            order["ShippedDate"] = wire.get("ShippingStatusDate") or self.now()
        self._touch(order["OrderID"])
        self._count("shipping_statuses", _wd_number(order))
        return None

    def post_tracking(self, number: Decimal | None, packages: Iterable[Record]) -> str | None:
        order = self.find_order(number=number)
        if order is None:
            return f"Order {number} was not found."
        packages = list(packages)
        if not packages:
            return "At least one package is required."
        first = packages[0]
        order.update(
            TrackingNumber=first["TrackingNumber"],
            ShippedDate=first["ShipDate"],
            ShippingStatus="Shipped",
            FulfillmentHouse=first["Carrier"],
        )
        for item in order["OrderItems"] or []:
            item["TrackingNumber"] = first["TrackingNumber"]
            item["ShippedDate"] = first["ShipDate"]
        self._touch(order["OrderID"])
        self._count("tracking", _wd_number(order))
        return None

    def update_inventory(self, wire: Record, mode: str | None) -> str | None:
        sku, pool = wire.get("SKU"), wire.get("InventoryPool")
        if sku not in self.sku_prices():
            return f"SKU {sku!r} was not found."
        if wire.get("CurrentInventory") is None or not pool:
            return "SKU, InventoryPool and CurrentInventory are required."
        count = int(wire["CurrentInventory"])
        if (mode or m.INVENTORY_MODE_STRICT) != m.INVENTORY_MODE_STRICT:
            current = self.inventory.get((sku, pool))
            count += int(current["CurrentInventory"]) if current else 0
        self._set_inventory(sku, pool, count)
        return None

    # --- the world as tests arrange it ------------------------------------------------

    def stamp_future(self, kind: str, record_id: str, when: datetime) -> None:
        """Set a record's DateModified to `when` (a clock ahead of ours stamped it).

        Nothing but a later change to that very record moves the stamp again, so a pull's
        high-water mark can be tested against a row from the future. Orders are named by
        OrderID, the number we sent or WineDirect's number; contacts by ContactID or
        AltContactID; the rest by their WineDirect id.
        """
        if when.tzinfo is None:
            raise ValueError("when must carry a time zone (WineDirect's times are UTC)")
        stamp = when.astimezone(UTC).replace(microsecond=0)
        with self.lock:
            if kind == "orders":
                self.order_modified[self._order_named(record_id)["OrderID"]] = stamp
            else:
                self._record_named(kind, record_id)["DateModified"] = stamp

    def _order_named(self, record_id: str) -> Record:
        order = self.orders.get(record_id) or self.find_by_v2_number(record_id)
        if order is None:
            raise KeyError(f"no order {record_id!r}")
        return order

    def _record_named(self, kind: str, record_id: str) -> Record:
        tables = {
            "products": self.products,
            "contacts": self.contacts,
            "memberships": self.memberships,
            "addresses": self.shipping_addresses,
        }
        if kind not in tables:
            raise ValueError(f"kind must be one of {', '.join(STAMPED_KINDS)}, not {kind!r}")
        if kind == "contacts":
            record_id = self.alt_contact_ids.get(record_id, record_id)
        if record_id not in tables[kind]:
            raise KeyError(f"no {kind} record {record_id!r}")
        return tables[kind][record_id]

    def add_foreign_register_orders(self, prefix: str, count: int, start: int = 1) -> list[str]:
        """Orders another register pushed: numbered f"{prefix}-{n:06d}" from `start`.

        Each goes through `upsert_order` exactly as decoded from a real UpsertOrder, so it
        is external, POS, takes stock and is counted like any push; a number that another
        sale already holds is overwritten, as WineDirect would.
        """
        with self.lock:
            numbers = [f"{prefix}-{n:06d}" for n in range(start, start + count)]
            sales = [m.order_to_wire(self._foreign_sale(number, prefix)) for number in numbers]
            request = _as_received(m.UPSERT_ORDERS, {"Orders": sales})
            for wire in request["Orders"]:
                result = self.upsert_order(wire)
                assert result["isSuccessful"], result["message"]
            return numbers

    def _foreign_sale(self, number: str, register: str) -> r.OrderToSend:
        """One cash sale of a bottle or two at retail, as another register rings it up."""
        prices = self.sku_prices()
        sku = self.rng.choice(sorted(k for k in prices if (k, self.pools[0]) in self.inventory))
        quantity = self.rng.randint(1, 2)
        line = int(prices[sku] * 100) * quantity
        tax = line * 725 // 10_000
        now = self.now()
        return r.OrderToSend(
            number=number,
            ordered_at=now,
            website_code="VALLEELUNE",
            subtotal_cents=line,
            shipping_cents=0,
            tax_cents=tax,
            tip_cents=0,
            total_cents=line + tax,
            items=(
                r.ItemToSend(
                    sku, self._title(sku) or sku, quantity, line, line // quantity, tax, False
                ),
            ),
            tenders=(r.TenderToSend("cash", line + tax, now),),
            shipping_status="Picked Up",
            register_number=register,
        )

    # --- a look without SOAP (tests, the admin page) ------------------------------------

    def applied(self, kind: str) -> dict[str, int]:
        """How many times each write of `kind` (one of APPLIED_KINDS) was applied: refused,
        faulted or cut writes are not; writes whose reply was lost afterwards are."""
        if kind not in APPLIED_KINDS:
            raise ValueError(f"kind must be one of {', '.join(APPLIED_KINDS)}, not {kind!r}")
        with self.lock:
            return dict(self._applied[kind])

    def overwritten(self) -> list[str]:
        """Order numbers applied again with a different sale (two registers sharing a
        number), as opposed to the same sale re-sent."""
        with self.lock:
            return sorted(self._overwritten)

    def register_order_numbers(self) -> list[str]:
        """Every number the register sent, once per order held (a duplicate would repeat)."""
        with self.lock:
            return sorted(o["AltOrderNumber"] for o in self.orders.values() if o["IsExternalOrder"])

    def summary(self) -> dict[str, int]:
        with self.lock:
            return {
                "products": len(self.products),
                "contacts": len(self.contacts),
                "memberships": len(self.memberships),
                "orders": len(self.orders),
                "register_orders": len(self.register_orders),
                "pending_pickups": sum(self.is_pending_pickup(o) for o in self.orders.values()),
            }

    # --- keeping the account across restarts (see `persist`) --------------------------

    def snapshot(self) -> dict[str, Any]:
        """Everything the account holds, as dicts, lists, text, numbers, Decimals and
        datetimes, for `from_snapshot` to rebuild: records with their ids, the next order
        and customer numbers, the write counts and the random generator, so that a restarted
        simulator goes on where it stopped. The records are the live ones, not copies:
        serialise the result while holding `lock`."""
        with self.lock:
            return {
                "products": self.products,
                "inventory": [[sku, pool, row] for (sku, pool), row in self.inventory.items()],
                "contacts": self.contacts,
                "alt_contact_ids": self.alt_contact_ids,
                "contact_types": self.contact_types,
                "contact_type_links": sorted(self.contact_type_links),
                "shipping_addresses": self.shipping_addresses,
                "clubs": self.clubs,
                "memberships": self.memberships,
                "orders": self.orders,
                "order_modified": self.order_modified,
                "register_orders": self.register_orders,
                "applied": self._applied,
                "sale_digests": self._sale_digests,
                "overwritten": sorted(self._overwritten),
                "next_numbers": self._next_numbers,
                "pickup_location": self.pickup_location,
                "pools": list(self.pools),
                "rng": self.rng.getstate(),
            }

    @classmethod
    def from_snapshot(
        cls, data: dict[str, Any], clock: Callable[[], datetime] | None = None
    ) -> SimState:
        """The account a `snapshot` describes (after a trip through JSON: tuples as lists).
        A snapshot missing a part raises KeyError; one of the wrong shape, ValueError or
        TypeError."""
        state = cls(clock)
        state.products = data["products"]
        state.inventory = {(sku, pool): row for sku, pool, row in data["inventory"]}
        state.contacts = data["contacts"]
        state.alt_contact_ids = data["alt_contact_ids"]
        state.contact_types = data["contact_types"]
        state.contact_type_links = {(cid, tid) for cid, tid in data["contact_type_links"]}
        state.shipping_addresses = data["shipping_addresses"]
        state.clubs = data["clubs"]
        state.memberships = data["memberships"]
        state.orders = data["orders"]
        state.order_modified = data["order_modified"]
        state.register_orders = data["register_orders"]
        state._applied = {kind: Counter(data["applied"][kind]) for kind in APPLIED_KINDS}
        state._sale_digests = data["sale_digests"]
        state._overwritten = set(data["overwritten"])
        state._next_numbers = {kind: int(n) for kind, n in data["next_numbers"].items()}
        state.pickup_location = data["pickup_location"]
        state.pools = tuple(data["pools"])
        version, internal, gauss = data["rng"]
        state.rng.setstate((version, tuple(internal), gauss))
        return state


def modified_between(stamp: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if stamp is None:
        return start is None and end is None
    return (start is None or stamp >= start) and (end is None or stamp <= end)


def window(rows: list[Record], page: Decimal | None, max_rows: Decimal | None) -> list[Record]:
    size = int(max_rows) if max_rows else m.DEFAULT_MAX_ROWS
    first = (int(page) if page else m.FIRST_PAGE) - m.FIRST_PAGE
    return rows[first * size : (first + 1) * size]
