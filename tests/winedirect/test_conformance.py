"""Conformance with WineDirect's real WSDL files (in ../shared/winedirect, beside the repo).

1. Our type definitions (`mapping`) match the WSDLs: every field, in order, with its type
   and namespace, for every type and operation we use that the WSDLs define.
2. The requests our client sends deserialize against the WSDLs (zeep reads them).
3. A standard SOAP client built from the WSDLs (zeep) calls the simulator and reads the
   seeded data back: SearchOrders, GetOrderDetail, SearchContacts, GetContact,
   SearchProducts, GetProductDetail and SearchInventory.

The SOAP-encoding schema cannot be downloaded here; `soapenc-minimal.xsd` stands in.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect.simulator.server import DEMO_PASSWORD, DEMO_USERNAME, Simulator
from tastingroom.winedirect.soap import Array, Scalar, Struct, build_call

SHARED = Path(__file__).resolve().parents[3] / "shared" / "winedirect"
WSDL = SHARED / "wsdl"
pytestmark = pytest.mark.skipif(
    not (WSDL / "V301-OrderService.wsdl").is_file(),
    reason=f"WineDirect's WSDL files are not at {WSDL} (../shared beside the repository): "
    "conformance cannot be checked on this machine",
)
XSD = "{http://www.w3.org/2001/XMLSchema}"
WSDL_NS = "{http://schemas.xmlsoap.org/wsdl/}"
FILES = {
    "ContactService": "V300-ContactService.wsdl",
    "ProductService": "V300-ProductService.wsdl",
    "InventoryService": "V300-InventoryService.wsdl",
    "OrderService": "V301-OrderService.wsdl",
}
WSDL_OPERATIONS = [
    op for op in m.OPERATIONS if op.service.version in ("V300", "V301") and op.service.name in FILES
]
SCALAR_NAMES = {"string", "double", "boolean", "dateTime"}


def wsdl_types(path: Path) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(namespace, type name) -> [(field, resolved type as '{ns}Name' or 'xsd:x')]."""
    root = ET.parse(path).getroot()
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema in root.iter(f"{XSD}schema"):
        tns = schema.get("targetNamespace")
        prefixes = _prefixes(path)
        for ct in schema.findall(f"{XSD}complexType"):
            restriction = ct.find(f".//{XSD}restriction")
            if restriction is not None:
                attr = restriction.find(f"{XSD}attribute")
                item = attr.get(f"{WSDL_NS}arrayType").removesuffix("[]")
                found[(tns, ct.get("name"))] = [("[]", _resolve(item, prefixes))]
                continue
            extension = ct.find(f".//{XSD}extension")
            fields = []
            if extension is not None:
                fields.append(("<base>", _resolve(extension.get("base"), prefixes)))
            for el in ct.iter(f"{XSD}element"):
                fields.append((el.get("name"), _resolve(el.get("type"), prefixes)))
            found[(tns, ct.get("name"))] = fields
    return found


def _prefixes(path: Path) -> dict[str, str]:
    return {prefix: uri for _, (prefix, uri) in ET.iterparse(path, events=["start-ns"])}


def _resolve(qname: str, prefixes: dict[str, str]) -> str:
    prefix, name = qname.split(":")
    uri = prefixes[prefix]
    return f"xsd:{name}" if uri.endswith("XMLSchema") else f"{{{uri}}}{name}"


def ours(kind) -> str:
    if isinstance(kind, Scalar):
        return f"xsd:{kind.name}"
    return f"{{{kind.namespace}}}{kind.name}"


def expand(struct: Struct, wsdl: dict, base_fields: int) -> list[tuple[str, str]]:
    """Our struct's fields in the WSDL's terms (a Request/Response's base fields folded)."""
    return [(name, ours(kind)) for name, kind in struct.fields[base_fields:]]


@pytest.mark.parametrize("op", WSDL_OPERATIONS, ids=lambda op: op.label)
def test_operation_types_match_the_wsdl(op: m.Operation):
    wsdl = wsdl_types(WSDL / FILES[op.service.name])
    request = op.parts[0][1]
    family = m.V300 if op.service.version == "V300" else m.V301
    declared = wsdl[(request.namespace, "Request")]
    assert declared[0] == ("<base>", f"{{http://request.base.{family.version}}}Request")
    assert expand(request, wsdl, 1) == declared[1:]
    declared = wsdl[(op.response.namespace, "Response")]
    assert declared[0] == ("<base>", f"{{http://response.base.{family.version}}}Response")
    assert expand(op.response, wsdl, 3) == declared[1:]
    assert [(n, ours(k)) for n, k in family.response_base] == wsdl[
        (f"http://response.base.{family.version}", "Response")
    ]
    _check_nested(op.response, wsdl, set())
    _check_nested(request, wsdl, set())
    root = ET.parse(WSDL / FILES[op.service.name]).getroot()
    messages = {msg.get("name"): msg for msg in root.findall(f"{WSDL_NS}message")}
    assert messages[f"{op.name}Request"].find(f"{WSDL_NS}part").get("name") == "Request"
    assert messages[f"{op.name}Response"].find(f"{WSDL_NS}part").get("name") == op.reply_part
    location = root.find(f".//{WSDL_NS}port/*").get("location")
    assert location.endswith(op.service.path)


def _check_nested(struct: Struct, wsdl: dict, seen: set[int]) -> None:
    for _, kind in struct.fields:
        if id(kind) in seen:
            continue
        seen.add(id(kind))
        if isinstance(kind, Array):
            assert wsdl[(kind.namespace, kind.name)] == [("[]", ours(kind.item))], kind
            kind = kind.item
        if isinstance(kind, Struct) and kind.name not in ("Request", "Response"):
            assert [(n, ours(k)) for n, k in kind.fields] == wsdl[(kind.namespace, kind.name)]
            _check_nested(kind, wsdl, seen)


# --- zeep -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def zeep_clients():
    zeep = pytest.importorskip("zeep")
    from zeep.transports import Transport

    class LocalSoapEncoding(Transport):
        """Serves the SOAP-encoding schema from ../shared instead of the internet."""

        def load(self, url: str) -> bytes:
            if "schemas.xmlsoap.org/soap/encoding" in url:
                return (SHARED / "soapenc-minimal.xsd").read_bytes()
            return super().load(url)

    return {
        name: zeep.Client(str(WSDL / file), transport=LocalSoapEncoding())
        for name, file in FILES.items()
    }


SAMPLES = {
    "SearchOrders": {
        "MaxRows": Decimal(5),
        "Page": Decimal(1),
        "IncludeExternalOrders": True,
        "DateModifiedFrom": datetime(2026, 1, 1, tzinfo=UTC),
        "PickupLocationCode": "TASTINGROOM",
    },
    "GetOrderDetail": {"OrderNumber": Decimal(10042)},
    "PostOrderTracking": {
        "OrderNumber": Decimal(10042),
        "Packages": [
            {
                "Carrier": "UPS",
                "ShipDate": datetime(2026, 11, 23, tzinfo=UTC),
                "TrackingNumber": "1Z",
            }
        ],
    },
    "SearchContacts": {"Email": "ana@example.com", "MaxRows": Decimal(1)},
    "GetContact": {"ContactID": "C-1"},
    "SearchShippingAddresses": {"ContactID": "C-1"},
    "SearchContactTypes": {"MaxRows": Decimal(10)},
    "AddContactTypeToContact": {"ContactID": "C-1", "ContactTypeID": "T-1"},
    "SearchProducts": {"IsActive": True, "SKU": "PN22"},
    "GetProductDetail": {"SKU": "PN22"},
    "SearchInventory": {"InventoryPool": "Tasting Room"},
    "UpdateInventory": {
        "Inventory": {
            "SKU": "PN22",
            "InventoryPool": "Tasting Room",
            "CurrentInventory": Decimal(7),
        },
        "Mode": "Strict",
    },
}


@pytest.mark.parametrize("op", WSDL_OPERATIONS, ids=lambda op: op.label)
def test_our_requests_deserialize_against_the_wsdl(op: m.Operation, zeep_clients):
    from lxml import etree

    body = {"Security": {"Username": "u", "Password": "p"}, **SAMPLES[op.name]}
    envelope = build_call(op.service.namespace, op.name, [("Request", op.parts[0][1], body)])
    binding = next(iter(zeep_clients[op.service.name].wsdl.bindings.values()))
    parsed = binding.get(op.name).input.deserialize(etree.fromstring(envelope))
    request = parsed  # zeep unwraps the single `Request` part
    assert request.Security.Username == "u"
    for name, value in SAMPLES[op.name].items():
        got = request[name]
        if isinstance(value, dict | list):
            assert got is not None
        elif isinstance(value, Decimal):
            assert Decimal(str(got)) == value
        else:
            assert got == value


@pytest.fixture(scope="module")
def services(zeep_clients):
    sim = Simulator().start()
    yield (
        {
            name: client.create_service(
                next(iter(client.wsdl.bindings)),
                f"{sim.url}/{'V301' if name == 'OrderService' else 'V300'}/{name}.cfc",
            )
            for name, client in zeep_clients.items()
        },
        sim,
    )
    sim.stop()


SECURITY = {"Username": DEMO_USERNAME, "Password": DEMO_PASSWORD}


def test_zeep_reads_orders_from_the_simulator(services):
    svc, sim = services
    found = svc["OrderService"].SearchOrders(
        Request={"Security": SECURITY, "MaxRows": 100, "Page": 1, "IsAPickupOrder": True}
    )
    assert found.IsSuccessful and found.RecordCount == len(found.Orders) > 0
    assert all(o.IsAPickupOrder for o in found.Orders)
    first = found.Orders[0]
    detail = svc["OrderService"].GetOrderDetail(
        Request={"Security": SECURITY, "OrderID": first.OrderID}
    )
    held = sim.state.orders[first.OrderID]
    assert detail.Order.OrderNumber == float(held["OrderNumber"])
    assert [i.SKU for i in detail.Order.OrderItems] == [i["SKU"] for i in held["OrderItems"]]
    assert detail.Order.BillContact.Email == held["BillContact"]["Email"]
    assert detail.Order.PickupLocationCode == "TASTINGROOM"


def test_zeep_reads_contacts_from_the_simulator(services):
    svc, sim = services
    found = svc["ContactService"].SearchContacts(
        Request={"Security": SECURITY, "MaxRows": 5, "Page": 1}
    )
    assert found.IsSuccessful and found.RecordCount == 200 and len(found.Contacts) == 5
    one = svc["ContactService"].GetContact(
        Request={"Security": SECURITY, "ContactID": found.Contacts[0].ContactID}
    )
    held = sim.state.contacts[found.Contacts[0].ContactID]
    assert (one.Contact.LastName, one.Contact.Email) == (held["LastName"], held["Email"])


def test_zeep_reads_products_and_inventory_from_the_simulator(services):
    svc, _ = services
    found = svc["ProductService"].SearchProducts(Request={"Security": SECURITY, "SKU": "GEW23"})
    assert found.IsSuccessful and [p.Title for p in found.Products] == ["2023 Gewürztraminer"]
    detail = svc["ProductService"].GetProductDetail(
        Request={"Security": SECURITY, "ProductID": found.Products[0].ProductID}
    )
    sku = detail.Product.SKUs[0]
    assert sku.SKU == "GEW23" and sku.Prices[0].Price == 29.0
    assert detail.Product.WineProperties.Varietal == "Gewürztraminer"
    stock = svc["InventoryService"].SearchInventory(
        Request={"Security": SECURITY, "SKU": "GEW23", "InventoryPool": "Tasting Room"}
    )
    assert [(i.SKU, i.CurrentInventory) for i in stock.Inventory] == [("GEW23", 120.0)]


def test_zeep_sees_a_bad_login_as_winedirect_reports_it(services):
    svc, _ = services
    reply = svc["OrderService"].SearchOrders(
        Request={"Security": {"Username": DEMO_USERNAME, "Password": "wrong"}, "MaxRows": 1}
    )
    assert reply.IsSuccessful is False
    assert "password" in reply.Errors[0].ErrorMessage
