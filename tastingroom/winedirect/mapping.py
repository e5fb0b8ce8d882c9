"""Every WineDirect name in one place: services, operations, types, fields, namespaces.

The definitions for OrderService V301 and Contact, Product and Inventory V300 are those
of the real WSDL files (field names, order, types and namespaces; a conformance test
compares them with `../shared/winedirect/wsdl/` whenever it is present). The V304
upserts, ClubMembershipService and the v202 calls are not in any WSDL we hold: their
fields come from WineDirect's documentation and an integrator's client, and every
choice made where the record is silent is marked UNKNOWN below, so that a correction
learned from a real sandbox account is a change to this file alone.

Field specs are compact: `"Name:s"` is xsd:string, `:d` xsd:double, `:b` xsd:boolean,
`:t` xsd:dateTime, and `:key` a complex type or array passed by keyword.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from tastingroom.money import to_cents
from tastingroom.winedirect import records
from tastingroom.winedirect.soap import (
    BOOLEAN,
    DATETIME,
    DOUBLE,
    STRING,
    Array,
    SoapParseError,
    Struct,
)

_SCALARS = {"s": STRING, "d": DOUBLE, "b": BOOLEAN, "t": DATETIME}


RECORD_KEYS = (
    "ProductID",
    "OrderID",
    "ContactID",
    "ShippingAddressID",
    "ClubMembershipID",
    "ClubID",
    "SKU",
)
"""The field that identifies a record of each search's reply (a record that cannot be
read is set aside under it)."""


def fields(spec: str, **refs: Any) -> list[tuple[str, Any]]:
    out = []
    for token in spec.split():
        name, _, code = token.partition(":")
        out.append((name, _SCALARS[code] if code in _SCALARS else refs[code]))
    return out


def struct(namespace: str, name: str, spec: str, **refs: Any) -> Struct:
    return Struct(namespace, name, fields(spec, **refs))


@dataclass(frozen=True)
class Service:
    """One SOAP endpoint: `/<version>/<name>.cfc`, operations in namespace `http://<version>`."""

    version: str
    name: str

    @property
    def path(self) -> str:
        return f"/{self.version}/{self.name}.cfc"

    @property
    def namespace(self) -> str:
        return f"http://{self.version}"


@dataclass(frozen=True, eq=False)
class Operation:
    """One SOAP operation; compared and hashed by identity (each is defined once, below)."""

    service: Service
    name: str
    parts: tuple[tuple[str, Any], ...]
    """The request message's parts: one `Request` in V3, named fields in V2."""
    response: Struct
    write: bool = False

    @property
    def reply_part(self) -> str:
        return f"{self.name}Return"

    @property
    def label(self) -> str:
        return f"{self.service.name} {self.service.version} {self.name}"


class Family:
    """The base types a WSDL version family shares: Security, Request, Error, Response."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.arrays = f"http://{version}"
        self.security = struct(
            f"http://request.base.{version}", "Security", "Password:s Username:s"
        )
        self.error = struct(
            f"http://response.base.{version}", "Error", "ErrorCode:s ErrorMessage:s"
        )
        self.errors = Array(self.arrays, "ArrayOf_tns3_Error", self.error)
        self.response_base = fields(
            "Errors:errors IsSuccessful:b RecordCount:d", errors=self.errors
        )

    def array(self, name: str, item: Struct) -> Array:
        return Array(self.arrays, name, item)

    def operation(
        self,
        service: Service,
        name: str,
        namespace: str,
        request: str,
        response: str = "",
        *,
        write: bool = False,
        **refs: Any,
    ) -> Operation:
        """A V3 operation: Request and Response extend the family's base types."""
        req = Struct(namespace, "Request", [("Security", self.security), *fields(request, **refs)])
        res = Struct(namespace, "Response", [*self.response_base, *fields(response, **refs)])
        return Operation(service, name, (("Request", req),), res, write)


# --- ContactService V300 (WSDL) -------------------------------------------------------

V300 = Family("V300")
CONTACT_SERVICE = Service("V300", "ContactService")
_C = "http://_contact.contact.V300"
CONTACT = struct(
    _C,
    "Contact",
    "Address:s Address2:s BirthDate:t City:s Company:s ContactID:s CountryCode:s "
    "CustomerNumber:d DateAdded:t DateModified:t Email:s EmailStatus:s FirstName:s "
    "IsNonTaxable:b LastLoginDate:t LastName:s LastOrderDate:t LifetimeValue:d "
    "MasterContactID:s OrderCount:d Phone:s SourceCode:s StateCode:s Title:s Username:s "
    "WebsiteID:s WholesaleNumber:s ZipCode:s",
)
CONTACT_TYPE = struct(
    _C,
    "ContactType",
    "ContactType:s ContactTypeID:s DateAdded:t DateModified:t IsPublic:s WebsiteID:s",
)
SHIPPING_ADDRESS = struct(
    _C,
    "ShippingAddress",
    "Address:s Address2:s Birthdate:t City:s Company:s ContactID:s CountryCode:s DateAdded:t "
    "DateModified:t Email:s Firstname:s Lastname:s Phone:s ShippingAddressID:s StateCode:s "
    "WebsiteID:s ZipCode:s",
)
GET_CONTACT = V300.operation(
    CONTACT_SERVICE,
    "GetContact",
    "http://getContact.contact.V300",
    "AltContactID:s ContactID:s CustomerNumber:s WebsiteID:s",
    "Contact:contact",
    contact=CONTACT,
)
SEARCH_CONTACTS = V300.operation(
    CONTACT_SERVICE,
    "SearchContacts",
    "http://searchContacts.contact.V300",
    "AltContactID:s City:s Company:s ContactID:s ContactType:s CustomerNumber:d "
    "DateModifiedFrom:t DateModifiedTo:t Email:s EmailStatus:s FirstName:s LastName:s "
    "MaxRows:d Page:d Phone:s SortBy:s StateCode:s WebsiteIDs:s",
    "Contacts:contacts",
    contacts=V300.array("ArrayOf_tns4_Contact", CONTACT),
)
SEARCH_SHIPPING_ADDRESSES = V300.operation(
    CONTACT_SERVICE,
    "SearchShippingAddresses",
    "http://searchShippingAddresses.contact.V300",
    "AltShippingAddressID:s ContactID:s DateModifiedFrom:t DateModifiedTo:t IsPrimary:s "
    "MaxRows:d Page:d ShippingAddressID:s WebsiteIDs:s",
    "ShippingAddresses:addresses",
    addresses=V300.array("ArrayOf_tns4_ShippingAddress", SHIPPING_ADDRESS),
)
SEARCH_CONTACT_TYPES = V300.operation(
    CONTACT_SERVICE,
    "SearchContactTypes",
    "http://searchContactTypes.contact.V300",
    "ContactType:s ContactTypeID:s DateModifiedFrom:t DateModifiedTo:t MaxRows:d Page:d "
    "WebsiteIDs:s",
    "ContactTypes:types",
    types=V300.array("ArrayOf_tns4_ContactType", CONTACT_TYPE),
)
ADD_CONTACT_TYPE_TO_CONTACT = V300.operation(
    CONTACT_SERVICE,
    "AddContactTypeToContact",
    "http://addContactTypeToContact.contact.V300",
    "ContactID:s ContactTypeID:s",
    write=True,
)

# --- ProductService V300 (WSDL) -------------------------------------------------------

PRODUCT_SERVICE = Service("V300", "ProductService")
_P = "http://_product.product.V300"
PRODUCT_INVENTORY = struct(_P, "Inventory", "CurrentInventory:d InventoryPool:s")
PRICE = struct(_P, "Price", "Price:d PriceLevel:s PriceQuantity:d SalePrice:d")
BUNDLE_ITEM = struct(_P, "BundleItem", "Quantity:d SKU:s")
DESCRIPTION = struct(_P, "Description", "Description:s Teaser:s")
MEDIA = struct(_P, "Media", "Caption:s DisplayOrder:d File:s Thumbnail:s Title:s Type:s")
PHOTO = struct(_P, "Photo", "Caption:s DisplayOrder:d Photo:s Title:s")
SPIRIT_PROPERTIES = struct(_P, "SpiritProperties", "Country:s Region:s Type:s")
VINTAGE_NOTE = struct(_P, "VintageNote", "Note:s Vintage:d")
WINE_PROPERTIES = struct(
    _P,
    "WineProperties",
    "Acid:s Alcohol:s Appellation:s AvgRating:d Awards:s BottleSize:s BottleSizeInML:d "
    "BottlesInCase:d BottlingDate:s CGRating:d Fermentation:s FoodPairingNotes:s HarvestDate:s "
    "JHRating:d OtherNotes:s PH:s Production:s ProductionNotes:s RPRating:d Ratings:s Region:s "
    "ResidualSugar:s STRating:d Sugar:s Tannin:s TastingNotes:s Type:s Varietal:s "
    "VineyardDesignation:s VineyardNotes:s Vintage:d WARating:d WAndSRating:d WBRating:d "
    "WERating:d WNRating:d WSRating:d WineMakerNotes:s",
)
SKU = struct(
    _P,
    "SKU",
    "CostOfGood:d DisplayOrder:d Inventory:inventory IsInventoryOn:b IsNoShippingCharge:b "
    "IsNonTaxable:b MaxOrderQty:d MinOrderQty:d OrderInMultiplesOf:d Prices:prices SKU:s "
    "UPCCode:s UnitDescription:s Weight:d",
    inventory=V300.array("ArrayOf_tns4_Inventory", PRODUCT_INVENTORY),
    prices=V300.array("ArrayOf_tns4_Price", PRICE),
)
PRODUCT = struct(
    _P,
    "Product",
    "ActionMessage:s Brand:s BundleItems:bundle DateAdded:t DateModified:t "
    "Description:description IsActive:b IsDisplayOnWebsite:b Media:media POSTitle:s "
    "Photos:photos ProductID:s SKUs:skus SpiritProperties:spirit SubTitle:s Title:s Type:s "
    "VintageNotes:notes WebsiteID:s WineProperties:wine",
    bundle=V300.array("ArrayOf_tns4_BundleItem", BUNDLE_ITEM),
    description=DESCRIPTION,
    media=V300.array("ArrayOf_tns4_Media", MEDIA),
    photos=V300.array("ArrayOf_tns4_Photo", PHOTO),
    skus=V300.array("ArrayOf_tns4_SKU", SKU),
    spirit=SPIRIT_PROPERTIES,
    notes=V300.array("ArrayOf_tns4_VintageNote", VINTAGE_NOTE),
    wine=WINE_PROPERTIES,
)
PRODUCT_SUMMARY = struct(
    "http://searchProducts.product.V300",
    "Product",
    "Brand:s DateModified:t Price:d ProductID:s SKU:s SalePrice:d Title:s Type:s Vintage:d "
    "WebsiteID:s isActive:b",
)
SEARCH_PRODUCTS = V300.operation(
    PRODUCT_SERVICE,
    "SearchProducts",
    "http://searchProducts.product.V300",
    "DateModifiedFrom:t DateModifiedTo:t IsActive:b MaxRows:d Page:d ProductID:s SKU:s "
    "SortBy:s Title:s Type:s WebsiteIDs:s",
    "Products:products",
    products=V300.array("ArrayOf_tns7_Product", PRODUCT_SUMMARY),
)
GET_PRODUCT_DETAIL = V300.operation(
    PRODUCT_SERVICE,
    "GetProductDetail",
    "http://getProductDetail.product.V300",
    "ProductID:s SKU:s WebsiteID:s",
    "Product:product",
    product=PRODUCT,
)

# --- InventoryService V300 (WSDL) -----------------------------------------------------

INVENTORY_SERVICE = Service("V300", "InventoryService")
INVENTORY = struct(
    "http://_inventory.inventory.V300",
    "Inventory",
    "CurrentInventory:d InventoryPool:s InventoryPoolID:s SKU:s WebsiteID:s",
)
SEARCH_INVENTORY = V300.operation(
    INVENTORY_SERVICE,
    "SearchInventory",
    "http://searchInventory.inventory.V300",
    "Filter:s InventoryPool:s InventoryPoolID:s MaxRows:d Page:d SKU:s WebsiteIDs:s",
    "Inventory:inventory",
    inventory=V300.array("ArrayOf_tns4_Inventory", INVENTORY),
)
UPDATE_INVENTORY = V300.operation(
    INVENTORY_SERVICE,
    "UpdateInventory",
    "http://updateInventory.inventory.V300",
    "Inventory:inventory Mode:s",
    write=True,
    inventory=INVENTORY,
)
INVENTORY_MODE_STRICT = "Strict"
"""UpdateInventory sets an absolute count in this mode."""

# --- OrderService V301 (WSDL) ---------------------------------------------------------

V301 = Family("V301")
ORDER_SERVICE = Service("V301", "OrderService")
_O = "http://_orderDetail.order.V301"
BILL_CONTACT = struct(
    "http://_contact.contact.V301",
    "Contact",
    "Address:s Address2:s BirthDate:t CashierID:s City:s Company:s ContactID:s CountryCode:s "
    "CustomerNumber:d DateAdded:t DateModified:t Email:s FirstName:s IsNonTaxable:b "
    "LastLoginDate:t LastName:s LastOrderDate:t LifetimeValue:d MasterContactID:s OrderCount:d "
    "Phone:s SourceCode:s StateCode:s Title:s Username:s WebsiteID:s WholesaleNumber:s ZipCode:s",
)
ORDER_COUPON = struct(
    _O, "OrderCoupon", "Code:s CouponName:s ProductValue:d ShippingValue:d TotalValue:d"
)
ORDER_ITEM = struct(
    _O,
    "OrderItem",
    "CostOfGood:d Department:s DepartmentCode:s InventoryPool:s IsNonTaxable:b IsSubSKU:b "
    "OriginalPrice:d ParentSKU:s ParentSKUID:s Price:d ProductID:s ProductSKUID:s Quantity:d "
    "SKU:s SalesTax:d ShippedDate:t ShippingSKU:s ShippingService:s SubDepartment:s "
    "SubDepartmentCode:s SubTitle:s Title:s TrackingNumber:s Type:s UnitDescription:s Weight:d",
)
RMS = struct(_O, "RMS", "BatchID:s CashierID:s RegisterNumber:s StoreID:s")
SHIP_TO_ADDRESS = struct(
    _O,
    "ShipToAddress",
    "Address:s Address2:s BirthDate:t City:s Company:s CountryCode:s Email:s FirstName:s "
    "LastName:s Phone:s StateCode:s Title:s ZipCode:s",
)
ORDER_TENDER = struct(
    _O,
    "Tender",
    "AmountTendered:d CardExpiryMo:d CardExpiryYr:d CardNumber:s CardType:s GiftCardCode:s "
    "GiftCardID:s GiftCardNumber:s GiftCardVendor:s IsActive:b NameOnCard:s PaymentDate:t "
    "PaymentStatus:s PaymentTerms:s PaymentType:s PointsID:s PointsRedeemed:d",
)
ORDER = struct(
    _O,
    "Order",
    "AltOrderNumber:s BillContact:contact ClubName:s ClubShipmentName:s CompletedDate:t "
    "CorporateOrderBatchID:s CorporateOrderNumber:d Deposit:d FFSN:s FulfillmentHouse:s "
    "FutureShipDate:t GiftMessage:s Handling:d IsAPickupOrder:b IsExternalOrder:b Marketplace:s "
    "OrderCoupons:coupons OrderID:s OrderItems:items OrderNotes:s OrderNumber:d OrderStatus:s "
    "PaymentStatus:s PaymentTerms:s PickupDate:t PickupLocationCode:s PreviousOrderNumber:d "
    "PriceLevel:s RMS:rms RequestedDeliveryDate:t RequestedShipDate:t SalesAssociate:s "
    "SalesAttribute:s ShipToAddress:shipto ShippedDate:t Shipping:d ShippingService:s "
    "ShippingStatus:s ShippingType:s SourceCode:s SubTotal:d SubmittedDate:t Tax:d "
    "Tender:tenders Tip:d Total:d TotalAfterTip:d TrackingNumber:s TransactionType:s Type:s "
    "WebsiteID:s WholesaleNumber:s",
    contact=BILL_CONTACT,
    coupons=V301.array("ArrayOf_tns4_OrderCoupon", ORDER_COUPON),
    items=V301.array("ArrayOf_tns4_OrderItem", ORDER_ITEM),
    rms=RMS,
    shipto=SHIP_TO_ADDRESS,
    tenders=V301.array("ArrayOf_tns4_Tender", ORDER_TENDER),
)
ORDER_SUMMARY = struct(
    "http://searchOrders.order.V301",
    "Order",
    "BillFirstName:s BillLastName:s CompletedDate:t ContactID:s DateModified:t GiftMessage:s "
    "IsAPickupOrder:b IsARMSOrder:b IsExternalOrder:b IsPendingPickup:b OrderID:s OrderNotes:s "
    "OrderNumber:d OrderStatus:s OrderTotal:d PaymentStatus:s ShipFirstName:s ShipLastName:s "
    "ShipStateCode:s ShippedDate:t ShippingStatus:s ShippingType:s SubmittedDate:t "
    "TrackingNumber:s Type:s WebsiteID:s",
)
SEARCH_ORDERS = V301.operation(
    ORDER_SERVICE,
    "SearchOrders",
    "http://searchOrders.order.V301",
    "BillFirstName:s BillLastName:s ContactID:s DateCompletedFrom:t DateCompletedTo:t "
    "DateModifiedFrom:t DateModifiedTo:t DateShippedFrom:t DateShippedTo:t DateSubmittedFrom:t "
    "DateSubmittedTo:t IncludeExternalOrders:b IsAPickupOrder:b IsARMSOrder:b IsPendingPickup:b "
    "MaxRows:d OrderID:s OrderNumber:d OrderStatus:s Page:d PaymentStatus:s "
    "PickupLocationCode:s ShipFirstName:s ShipLastName:s ShipStateCode:s ShippingStatus:s "
    "Type:s WebsiteIDs:s",
    "Orders:orders",
    orders=V301.array("ArrayOf_tns8_Order", ORDER_SUMMARY),
)
GET_ORDER_DETAIL = V301.operation(
    ORDER_SERVICE,
    "GetOrderDetail",
    "http://getOrderDetail.order.V301",
    "OrderID:s OrderNumber:d ShowKitAsIndividualSKUs:b WebsiteID:s",
    "Order:order",
    order=ORDER,
)
PACKAGE = struct(
    "http://postOrderTracking.order.V301", "Package", "Carrier:s ShipDate:t TrackingNumber:s"
)
POST_ORDER_TRACKING = V301.operation(
    ORDER_SERVICE,
    "PostOrderTracking",
    "http://postOrderTracking.order.V301",
    "OrderNumber:d Packages:packages",
    write=True,
    packages=V301.array("ArrayOf_tns7_Package", PACKAGE),
)

# --- OrderService and ContactService V304 (documentation; UNKNOWN where marked) --------

V304 = Family("V304")
ORDER_SERVICE_V304 = Service("V304", "OrderService")
CONTACT_SERVICE_V304 = Service("V304", "ContactService")
_U = "http://_upsertOrder.order.V304"  # UNKNOWN: namespace names follow the V3 pattern
UPSERT_ORDER_ITEM = struct(
    _U,
    "OrderItem",
    "ProductSKU:s ProductName:s Quantity:d Price:d OriginalPrice:d SalesTax:d isNonTaxable:b",
)
UPSERT_TENDER = struct(
    _U, "Tender", "PaymentType:s AmountTendered:d PaymentDate:t CreditCardType:s GiftCardCode:s"
)
UPSERT_RMS = struct(_U, "RMS", "StoreID:s RegisterNumber:s CashierID:s BatchID:s")
UPSERT_ORDER = struct(
    _U,
    "Order",
    "OrderNumber:s OrderDate:t OrderType:s WebsiteCode:s ContactID:s AltContactID:s "
    "BillingEmail:s BillingFirstName:s BillingLastName:s BillingAddress:s BillingAddress2:s "
    "BillingCity:s BillingStateCode:s BillingZipCode:s BillingPhone:s BillingBirthdate:t "
    "ShippingFirstName:s ShippingLastName:s ShippingAddress:s ShippingAddress2:s ShippingCity:s "
    "ShippingStateCode:s ShippingZipCode:s ShippingStatus:s TransactionType:s "
    "PreviousOrderNumber:s SubTotal:d Shipping:d Tax:d Tip:d Total:d RMS:rms "
    "OrderItems:items Tenders:tenders",
    rms=UPSERT_RMS,
    items=V304.array("ArrayOf_OrderItem", UPSERT_ORDER_ITEM),
    tenders=V304.array("ArrayOf_Tender", UPSERT_TENDER),
)
UPSERT_RESULT = struct(
    "http://response.base.V304",
    "UpsertResult",
    "isSuccessful:b externalKeyCode:s internalKeyCode:s message:s",
)  # UNKNOWN: the result element names (documented: isSuccessful, internalKeyCode, message)
UPSERT_ORDERS = V304.operation(
    ORDER_SERVICE_V304,
    "UpsertOrder",
    "http://upsertOrder.order.V304",
    "Orders:orders",
    "Results:results",
    write=True,
    orders=V304.array("ArrayOf_Order", UPSERT_ORDER),
    results=V304.array("ArrayOf_UpsertResult", UPSERT_RESULT),
)
UPSERT_CONTACT_RECORD = struct(
    "http://_upsertContact.contact.V304",
    "Contact",
    "ContactID:s AltContactID:s FirstName:s LastName:s Email:s Phone:s Address:s Address2:s "
    "City:s StateCode:s ZipCode:s BirthDate:t IsNonTaxable:b",
)
UPSERT_CONTACTS = V304.operation(
    CONTACT_SERVICE_V304,
    "UpsertContact",
    "http://upsertContact.contact.V304",
    "Contacts:contacts",
    "Results:results",
    write=True,
    contacts=V304.array("ArrayOf_Contact", UPSERT_CONTACT_RECORD),
    results=V304.array("ArrayOf_UpsertResult", UPSERT_RESULT),
)
ORDER_TYPE_POS = "POS"
TRANSACTION_ORDER, TRANSACTION_REFUND = "Order", "Refund"
PAYMENT_TYPES = {
    "cash": "Cash",
    "card": "CreditCard",
    "gift_card": "GiftCard",
    "check": "Check",
    "house_account": "OnAccount",
    "complimentary": "ZeroDollarInvoice",
    "exchange": "Other",
}
"""Our tender kinds -> WineDirect's PaymentType. UNKNOWN: how WineDirect wants an
exchange's credit (the value of the return paying for the new sale) recorded; it goes
up as "Other" on both the Refund and the new Order, so each balances on its own."""

# --- refunds (every guess about how WineDirect takes a refund is here) ------------------

REFUND_MAX_AGE_DAYS = 120
"""WineDirect refunds an order within 120 days of it (the rule as the project states it;
neither the WSDL nor the documentation we hold says so). UNKNOWN: whether UpsertOrder
itself refuses an older Refund or only WineDirect's admin does. The register's own window
(`StoreSettings.refund_max_age_days`) defaults to this, and a manager may override it."""
REFUND_AMOUNTS_POSITIVE = True
"""UNKNOWN: whether a Refund's quantities, prices, tax and totals travel positive (the
TransactionType says what they are) or negative. Positive, as the register has always
sent a whole-order refund; the simulator refuses a quantity that is not above zero."""
REFUND_PREVIOUS_NUMBER_IS_OURS = True
"""UNKNOWN: whether PreviousOrderNumber (a string in V304) takes the original's number in
our system, as OrderNumber took it, or WineDirect's numeric OrderNumber. Ours: it is the
number the original went up under, and the only one held for an order whose reply was
lost (`sync.payloads.order_payload`)."""
REFUNDS_PER_ORDER = "many"
"""UNKNOWN: whether WineDirect accepts several Refunds against one order. Each partial
return goes up as a Refund of its own, with its own OrderNumber, only the lines and
quantities returned, and their amounts as charged (`tastingroom.selling.refunds`); the sum of
an order's Refunds never exceeds the order. The simulator accepts any number of them."""
REFUND_RESTOCKS = True
"""UNKNOWN: whether WineDirect puts a Refund's items back into the POS inventory pool.
Assumed so (the simulator does). A line returned damaged is written off on the register
only: no V3/V304 field we know says "do not restock", so WineDirect's count keeps it
until someone adjusts it there (the refund's audit row names the damaged lines)."""
REFUND_GIFT_CARD_RECREDITS = False
"""UNKNOWN: whether a Refund whose tender is a GiftCard (with its GiftCardCode) re-credits
that card's balance in WineDirect. Assumed not: the register records the re-credit to
the same code on the refund (`tastingroom.selling.refunds`), and nothing here calls
GiftCardService.AddGiftCardTransaction yet; until a sandbox shows which, a re-credit
must also be made on the card in WineDirect's admin (or by a later gift-card push)."""
WEB_ORDER_REFUNDS_AT_REGISTER = False
"""Web orders are not refunded at the register. Their payment went through WineDirect's
own gateway, which the register's card terminal cannot reverse; and it is UNKNOWN whether
UpsertOrder takes a POS Refund whose PreviousOrderNumber is a web order's WineDirect
number (the register never sent it under a number of its own). They are refunded in
WineDirect's admin, where the payment is; the register says so."""

# --- ClubMembershipService V300 (documentation; full schema UNKNOWN) --------------------

CLUB_SERVICE = Service("V300", "ClubMembershipService")
_M = "http://_clubMembership.clubMembership.V300"
CLUB = struct(_M, "Club", "ClubID:s ClubName:s DateModified:t")
CLUB_MEMBERSHIP = struct(
    _M,
    "ClubMembership",
    "ClubMembershipID:s ClubID:s ClubName:s ContactID:s CurrentMembershipStatus:s IsPickup:b "
    "PickupLocationCode:s DateModified:t",
)
SEARCH_CLUBS = V300.operation(
    CLUB_SERVICE,
    "SearchClubs",
    "http://searchClubs.clubMembership.V300",
    "MaxRows:d Page:d",
    "Clubs:clubs",
    clubs=V300.array("ArrayOf_Club", CLUB),
)
SEARCH_CLUB_MEMBERSHIPS = V300.operation(
    CLUB_SERVICE,
    "SearchClubMemberships",
    "http://searchClubMemberships.clubMembership.V300",
    "ClubID:s ContactID:s DateModifiedFrom:t DateModifiedTo:t MaxRows:d Page:d",
    "ClubMemberships:memberships",
    memberships=V300.array("ArrayOf_ClubMembership", CLUB_MEMBERSHIP),
)
GET_CLUB_MEMBERSHIP = V300.operation(
    CLUB_SERVICE,
    "GetClubMembership",
    "http://getClubMembership.clubMembership.V300",
    "ClubMembershipID:s",
    "ClubMembership:membership",
    membership=CLUB_MEMBERSHIP,
)
MEMBERSHIP_STATUSES = ("Active", "OnHold", "Cancelled", "Pending")

# --- OrderService v202 (V2 style: credentials as top-level parts) -------------------------

ORDER_SERVICE_V202 = Service("v202", "orderService")
_V2 = "http://v202"
V202_RESPONSE = struct(
    _V2,
    "Response",
    "IsSuccessful:b Errors:errors RecordCount:d",
    errors=Array(_V2, "ArrayOf_Error", struct(_V2, "Error", "ErrorCode:s ErrorMessage:s")),
)  # UNKNOWN: V2 reply shape; taken to be the V3 base response
PICKUP = struct(_V2, "Pickup", "OrderNumber:s PickupDate:t isPickedUp:b")
ORDER_SHIPPING_STATUS = struct(
    _V2, "OrderShippingStatus", "OrderNumber:s ShippingStatus:s ShippingStatusDate:t"
)
POST_PICKUP = Operation(
    ORDER_SERVICE_V202,
    "PostPickup",
    (("username", STRING), ("password", STRING), ("pickups", Array(_V2, "ArrayOf_Pickup", PICKUP))),
    V202_RESPONSE,
    write=True,
)
POST_ORDER_SHIPPING_STATUS = Operation(
    ORDER_SERVICE_V202,
    "PostOrderShippingStatus",
    (
        ("username", STRING),
        ("password", STRING),
        ("ordershippingstatus", Array(_V2, "ArrayOf_OrderShippingStatus", ORDER_SHIPPING_STATUS)),
    ),
    V202_RESPONSE,
    write=True,
)
V2_SHIPPING_STATUS = {
    "PickedUp": "Picked Up",
    "Shipped": "Shipped",
    "HandledExternally": "Handled Externally",
    "SentToFulfillment": "Sent to Fulfillment",
    "NoShippingRequired": "No Shipping Required",
}
"""v202 shipping status codes -> the words V3 reads and V304 writes."""

# --- all of them ------------------------------------------------------------------------

OPERATIONS: tuple[Operation, ...] = (
    GET_CONTACT,
    SEARCH_CONTACTS,
    SEARCH_SHIPPING_ADDRESSES,
    SEARCH_CONTACT_TYPES,
    ADD_CONTACT_TYPE_TO_CONTACT,
    SEARCH_PRODUCTS,
    GET_PRODUCT_DETAIL,
    SEARCH_INVENTORY,
    UPDATE_INVENTORY,
    SEARCH_ORDERS,
    GET_ORDER_DETAIL,
    POST_ORDER_TRACKING,
    UPSERT_ORDERS,
    UPSERT_CONTACTS,
    SEARCH_CLUBS,
    SEARCH_CLUB_MEMBERSHIPS,
    GET_CLUB_MEMBERSHIP,
    POST_PICKUP,
    POST_ORDER_SHIPPING_STATUS,
)

DEFAULT_MAX_ROWS = 100  # UNKNOWN: WineDirect's default and maximum MaxRows
FIRST_PAGE = 1  # UNKNOWN: whether Page counts from 1 (assumed)

AUTH_ERROR_HINTS = ("username", "password", "credential", "authenticat", "webservice account")
"""UNKNOWN: WineDirect's exact error code for bad credentials; an error whose message
mentions any of these is treated as an authentication failure."""

RATE_LIMIT_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
READS_PER_MINUTE = 480
PRODUCTION_URL = "https://webservices.vin65.com"
AUSTRALIA_URL = "https://webservices.aus.vin65.com"


def operation(service_path: str, name: str) -> Operation | None:
    """The operation a request names, by endpoint path (case-insensitive) and element."""
    for op in OPERATIONS:
        if op.service.path.lower() == service_path.lower() and op.name == name:
            return op
    return None


# --- translating to and from our records ------------------------------------------------
# (kept here so that every WineDirect field name is spelled in this one module)


# A reply's numbers are WineDirect's, and a broken or hostile reply can say anything:
# each is checked against the range the register can hold before it becomes cents or an
# int, and one out of range refuses the reply (SoapParseError naming the field; the
# client makes it a ReplyError). `soap` has already refused any number that is long or
# of an absurd magnitude, so nothing here costs time.

MAX_AMOUNT = Decimal(10_000_000)
"""Dollars: the largest price, total, tax or tender a reply may carry, either sign.
Digits past the cent are rounded half-up, as `to_cents` does for every amount."""
MAX_COUNT = 10_000_000
"""The largest count a reply may carry: RecordCount, a quantity, stock (which alone may
also be as low as its negative)."""
MAX_NUMBER = 10**15
"""The largest order or customer number or vintage: WineDirect writes them as doubles,
which are not even exact past 2^53."""


def _cents(d: dict[str, Any], field: str) -> int | None:
    value = d[field]
    if value is None:
        return None
    if abs(value) > MAX_AMOUNT:
        limit = f"amounts are within ±${MAX_AMOUNT:,}"
        raise SoapParseError(f"{field} {value} is out of range ({limit})")
    return to_cents(value)


def _whole(d: dict[str, Any], field: str, low: int, high: int) -> int | None:
    value = d[field]
    if value is None:
        return None
    if not low <= value <= high:
        raise SoapParseError(f"{field} {value} is out of range ({low:,} to {high:,})")
    if value != value.to_integral_value():
        raise SoapParseError(f"{field} {value} is not a whole number")
    return int(value)


def _count(d: dict[str, Any], field: str) -> int | None:
    return _whole(d, field, 0, MAX_COUNT)


def _stock(d: dict[str, Any], field: str) -> int | None:
    return _whole(d, field, -MAX_COUNT, MAX_COUNT)


def _int(d: dict[str, Any], field: str) -> int | None:
    return _whole(d, field, 0, MAX_NUMBER)


def record_count(reply: dict[str, Any]) -> int | None:
    """A search reply's RecordCount, a count like any other."""
    return _count(reply, "RecordCount")


def _dollars(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _unit_price(line_total_cents: int, quantity: int) -> Decimal:
    """A unit price in dollars, exact to a millionth, so a discounted line whose total does
    not divide by its quantity loses no cent (the totals travel separately anyway)."""
    unit = Decimal(line_total_cents) / 100 / max(quantity, 1)
    return unit.quantize(Decimal("0.000001")).normalize()


def _date(value: datetime | None) -> date | None:
    return None if value is None else value.date()


def _midnight(value: date | None) -> datetime | None:
    return None if value is None else datetime(value.year, value.month, value.day, tzinfo=UTC)


def product_summary(d: dict[str, Any]) -> records.ProductSummary:
    return records.ProductSummary(
        product_id=d["ProductID"],
        sku=d["SKU"],
        title=d["Title"] or "",
        type=d["Type"],
        price_cents=_cents(d, "Price"),
        sale_price_cents=_cents(d, "SalePrice"),
        vintage=_int(d, "Vintage"),
        is_active=bool(d["isActive"]),
        date_modified=d["DateModified"],
    )


def product_detail(d: dict[str, Any]) -> records.ProductDetail:
    skus = []
    for s in d["SKUs"] or []:
        prices = tuple(
            records.PriceInfo(
                level=p["PriceLevel"] or "",
                price_cents=_cents(p, "Price") or 0,
                sale_price_cents=_cents(p, "SalePrice"),
                quantity=_count(p, "PriceQuantity") or 1,
            )
            for p in s["Prices"] or []
        )
        inventory = {
            i["InventoryPool"]: _stock(i, "CurrentInventory") or 0 for i in s["Inventory"] or []
        }
        skus.append(
            records.SkuInfo(
                sku=s["SKU"],
                upc=s["UPCCode"],
                unit_description=s["UnitDescription"],
                non_taxable=bool(s["IsNonTaxable"]),
                prices=prices,
                inventory=inventory,
            )
        )
    wine = d["WineProperties"] or {}
    return records.ProductDetail(
        product_id=d["ProductID"],
        title=d["Title"] or "",
        pos_title=d["POSTitle"],
        type=d["Type"],
        is_active=bool(d["IsActive"]),
        date_modified=d["DateModified"],
        varietal=wine.get("Varietal"),
        vintage=_int(wine, "Vintage") if wine else None,
        skus=tuple(skus),
    )


def inventory_level(d: dict[str, Any]) -> records.InventoryLevel:
    return records.InventoryLevel(
        sku=d["SKU"],
        pool=d["InventoryPool"],
        pool_id=d["InventoryPoolID"],
        count=_stock(d, "CurrentInventory") or 0,
    )


def contact(d: dict[str, Any]) -> records.ContactInfo:
    return records.ContactInfo(
        contact_id=d["ContactID"],
        customer_number=_int(d, "CustomerNumber"),
        first_name=d["FirstName"] or "",
        last_name=d["LastName"] or "",
        email=d["Email"],
        phone=d["Phone"],
        address=d["Address"],
        address2=d["Address2"],
        city=d["City"],
        state=d["StateCode"],
        zip_code=d["ZipCode"],
        birth_date=_date(d["BirthDate"]),
        non_taxable=bool(d["IsNonTaxable"]),
        date_modified=d["DateModified"],
    )


def contact_type(d: dict[str, Any]) -> records.ContactTypeInfo:
    return records.ContactTypeInfo(d["ContactTypeID"], d["ContactType"] or "", d["DateModified"])


def shipping_address(d: dict[str, Any]) -> records.ShippingAddressInfo:
    return records.ShippingAddressInfo(
        address_id=d["ShippingAddressID"],
        contact_id=d["ContactID"],
        first_name=d["Firstname"] or "",
        last_name=d["Lastname"] or "",
        address=d["Address"] or "",
        address2=d["Address2"],
        city=d["City"] or "",
        state=d["StateCode"] or "",
        zip_code=d["ZipCode"] or "",
        date_modified=d["DateModified"],
    )


def club(d: dict[str, Any]) -> records.ClubInfo:
    return records.ClubInfo(d["ClubID"], d["ClubName"] or "", d["DateModified"])


def membership(d: dict[str, Any]) -> records.MembershipInfo:
    return records.MembershipInfo(
        membership_id=d["ClubMembershipID"],
        club_id=d["ClubID"],
        club_name=d["ClubName"],
        contact_id=d["ContactID"],
        status=d["CurrentMembershipStatus"] or "",
        is_pickup=bool(d["IsPickup"]),
        pickup_location=d["PickupLocationCode"],
        date_modified=d["DateModified"],
    )


def order_summary(d: dict[str, Any]) -> records.OrderSummary:
    name = " ".join(p for p in (d["BillFirstName"], d["BillLastName"]) if p)
    return records.OrderSummary(
        order_id=d["OrderID"],
        order_number=_int(d, "OrderNumber"),
        type=d["Type"],
        status=d["OrderStatus"],
        payment_status=d["PaymentStatus"],
        shipping_status=d["ShippingStatus"],
        tracking_number=d["TrackingNumber"],
        shipped_at=d["ShippedDate"],
        is_pickup=bool(d["IsAPickupOrder"]),
        is_pending_pickup=bool(d["IsPendingPickup"]),
        is_external=bool(d["IsExternalOrder"]),
        contact_id=d["ContactID"],
        bill_name=name,
        total_cents=_cents(d, "OrderTotal"),
        date_modified=d["DateModified"],
    )


def _address(d: dict[str, Any] | None) -> records.Address | None:
    if not d:
        return None
    return records.Address(
        first_name=d["FirstName"] or "",
        last_name=d["LastName"] or "",
        address=d["Address"] or "",
        address2=d["Address2"],
        city=d["City"] or "",
        state=d["StateCode"] or "",
        zip_code=d["ZipCode"] or "",
        email=d["Email"],
        phone=d["Phone"],
        birth_date=_date(d["BirthDate"]),
    )


def order_detail(d: dict[str, Any]) -> records.OrderDetail:
    items = tuple(
        records.OrderItemInfo(
            sku=i["SKU"] or "",
            title=i["Title"],
            quantity=_count(i, "Quantity") or 0,
            price_cents=_cents(i, "Price") or 0,
            original_price_cents=_cents(i, "OriginalPrice"),
            sales_tax_cents=_cents(i, "SalesTax") or 0,
            non_taxable=bool(i["IsNonTaxable"]),
            inventory_pool=i["InventoryPool"],
            tracking_number=i["TrackingNumber"],
            shipped_at=i["ShippedDate"],
        )
        for i in d["OrderItems"] or []
    )
    tenders = tuple(
        records.TenderInfo(
            payment_type=t["PaymentType"] or "",
            amount_cents=_cents(t, "AmountTendered") or 0,
            card_type=t["CardType"],
            paid_at=t["PaymentDate"],
        )
        for t in d["Tender"] or []
    )
    bill = d["BillContact"] or {}
    return records.OrderDetail(
        order_id=d["OrderID"],
        order_number=_int(d, "OrderNumber"),
        alt_order_number=d["AltOrderNumber"],
        type=d["Type"],
        transaction_type=d["TransactionType"],
        previous_order_number=_int(d, "PreviousOrderNumber"),
        status=d["OrderStatus"],
        payment_status=d["PaymentStatus"],
        shipping_status=d["ShippingStatus"],
        tracking_number=d["TrackingNumber"],
        shipped_at=d["ShippedDate"],
        is_pickup=bool(d["IsAPickupOrder"]),
        is_external=bool(d["IsExternalOrder"]),
        pickup_location=d["PickupLocationCode"],
        picked_up_at=d["PickupDate"],
        contact_id=bill.get("ContactID"),
        bill_to=_address(bill or None),
        ship_to=_address(d["ShipToAddress"]),
        items=items,
        tenders=tenders,
        subtotal_cents=_cents(d, "SubTotal") or 0,
        shipping_cents=_cents(d, "Shipping") or 0,
        tax_cents=_cents(d, "Tax") or 0,
        tip_cents=_cents(d, "Tip") or 0,
        total_cents=_cents(d, "Total") or 0,
        completed_at=d["CompletedDate"],
        website_id=d["WebsiteID"],
    )


def upsert_result(d: dict[str, Any]) -> records.UpsertResult:
    return records.UpsertResult(
        external_key=d["externalKeyCode"],
        internal_key=d["internalKeyCode"],
        ok=bool(d["isSuccessful"]),
        message=d["message"],
    )


def order_to_wire(o: records.OrderToSend) -> dict[str, Any]:
    bill = o.bill_to
    ship = o.ship_to
    return {
        "OrderNumber": o.number,
        "OrderDate": o.ordered_at,
        "OrderType": ORDER_TYPE_POS,
        "WebsiteCode": o.website_code,
        "ContactID": o.contact_id,
        "AltContactID": o.alt_contact_id,
        "BillingEmail": bill.email if bill else None,
        "BillingFirstName": bill.first_name if bill else None,
        "BillingLastName": bill.last_name if bill else None,
        "BillingAddress": bill.address if bill else None,
        "BillingAddress2": bill.address2 if bill else None,
        "BillingCity": bill.city if bill else None,
        "BillingStateCode": bill.state if bill else None,
        "BillingZipCode": bill.zip_code if bill else None,
        "BillingPhone": bill.phone if bill else None,
        "BillingBirthdate": _midnight(bill.birth_date) if bill else None,
        "ShippingFirstName": ship.first_name if ship else None,
        "ShippingLastName": ship.last_name if ship else None,
        "ShippingAddress": ship.address if ship else None,
        "ShippingAddress2": ship.address2 if ship else None,
        "ShippingCity": ship.city if ship else None,
        "ShippingStateCode": ship.state if ship else None,
        "ShippingZipCode": ship.zip_code if ship else None,
        "ShippingStatus": o.shipping_status,
        "TransactionType": TRANSACTION_REFUND if o.refund_of else TRANSACTION_ORDER,
        "PreviousOrderNumber": o.refund_of,
        "SubTotal": _dollars(o.subtotal_cents),
        "Shipping": _dollars(o.shipping_cents),
        "Tax": _dollars(o.tax_cents),
        "Tip": _dollars(o.tip_cents),
        "Total": _dollars(o.total_cents),
        "RMS": {
            "StoreID": o.store_id,
            "RegisterNumber": o.register_number,
            "CashierID": o.cashier_id,
            "BatchID": o.batch_id,
        },
        "OrderItems": [
            {
                "ProductSKU": i.sku,
                "ProductName": i.name,
                "Quantity": i.quantity,
                "Price": _unit_price(i.line_total_cents, i.quantity),
                "OriginalPrice": _dollars(i.original_price_cents),
                "SalesTax": _dollars(i.tax_cents),
                "isNonTaxable": i.non_taxable,
            }
            for i in o.items
        ],
        "Tenders": [
            {
                "PaymentType": PAYMENT_TYPES[t.kind],
                "AmountTendered": _dollars(t.amount_cents),
                "PaymentDate": t.paid_at,
                "CreditCardType": t.card_type,
                "GiftCardCode": t.gift_card_code,
            }
            for t in o.tenders
        ],
    }


def contact_to_wire(c: records.ContactToSend) -> dict[str, Any]:
    return {
        "ContactID": c.contact_id,
        "AltContactID": c.alt_contact_id,
        "FirstName": c.first_name,
        "LastName": c.last_name,
        "Email": c.email,
        "Phone": c.phone,
        "Address": c.address,
        "Address2": c.address2,
        "City": c.city,
        "StateCode": c.state,
        "ZipCode": c.zip_code,
        "BirthDate": _midnight(c.birth_date),
        "IsNonTaxable": c.non_taxable,
    }


def pickup_to_wire(p: records.PickupToSend) -> dict[str, Any]:
    return {"OrderNumber": p.order_number, "PickupDate": p.picked_up_at, "isPickedUp": p.picked_up}


def shipping_status_to_wire(s: records.ShippingStatusToSend) -> dict[str, Any]:
    if s.status not in V2_SHIPPING_STATUS:
        raise ValueError(f"{s.status!r} is not a shipping status WineDirect knows")
    return {"OrderNumber": s.order_number, "ShippingStatus": s.status, "ShippingStatusDate": s.at}


def package_to_wire(p: records.PackageToSend) -> dict[str, Any]:
    return {"Carrier": p.carrier, "ShipDate": p.shipped_at, "TrackingNumber": p.tracking_number}
