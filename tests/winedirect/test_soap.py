"""The SOAP codec: the same values read back from inline and multiRef forms."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect.soap import (
    Call,
    Fault,
    Reader,
    SoapParseError,
    build_call,
    build_fault,
    parse_datetime,
    parse_message,
)

ORDER = {
    **{name: None for name, _ in m.ORDER.fields},
    "OrderID": "ABC",
    "OrderNumber": Decimal(10042),
    "AltOrderNumber": "TR1-000007",
    "IsAPickupOrder": True,
    "Total": Decimal("123.45"),
    "PickupDate": datetime(2026, 11, 23, 18, 30, tzinfo=UTC),
    "OrderItems": [
        {
            **{n: None for n, _ in m.ORDER_ITEM.fields},
            "SKU": "PN22",
            "Quantity": Decimal(2),
            "Title": "Rosé & <Friends>",
        },
        {**{n: None for n, _ in m.ORDER_ITEM.fields}, "SKU": "CS21", "Quantity": Decimal(1)},
    ],
    "BillContact": {**{n: None for n, _ in m.BILL_CONTACT.fields}, "LastName": "Müller"},
    "Tender": [],
}


def reply(multiref: bool) -> bytes:
    response = {n: None for n, _ in m.GET_ORDER_DETAIL.response.fields}
    response.update(Errors=[], IsSuccessful=True, RecordCount=1, Order=ORDER)
    return build_call(
        "http://V301",
        "GetOrderDetailResponse",
        [("GetOrderDetailReturn", m.GET_ORDER_DETAIL.response, response)],
        multiref=multiref,
    )


def read(payload: bytes) -> dict:
    message = parse_message(payload)
    assert isinstance(message, Call)
    return Reader(message.refs).read(
        message.parts["GetOrderDetailReturn"], m.GET_ORDER_DETAIL.response, "reply"
    )


def test_inline_and_multiref_read_the_same():
    multi = reply(multiref=True)
    assert b"multiRef" in multi and b'href="#id' in multi
    assert b"multiRef" not in reply(multiref=False)
    assert read(multi) == read(reply(multiref=False))
    order = read(multi)["Order"]
    assert order["OrderNumber"] == Decimal(10042)
    assert order["OrderItems"][0]["Title"] == "Rosé & <Friends>"
    assert order["BillContact"]["LastName"] == "Müller"
    assert order["PickupDate"] == datetime(2026, 11, 23, 18, 30, tzinfo=UTC)
    assert order["ShippedDate"] is None and order["Tender"] == []


def test_every_field_is_written_in_wsdl_order_with_nil_and_types():
    text = reply(multiref=False).decode()
    assert '<ShippedDate xsi:nil="true"/>' in text
    assert '<Total xsi:type="xsd:double">123.45</Total>' in text
    assert 'soapenc:arrayType="ns' in text and "OrderItem[2]" in text
    message = parse_message(reply(multiref=False))
    order = message.parts["GetOrderDetailReturn"].find("Order")
    assert [child.tag for child in order] == [name for name, _ in m.ORDER.fields]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T10:00:00Z", datetime(2026, 11, 23, 10, tzinfo=UTC)),
        ("2026-11-23T10:00:00.123Z", datetime(2026, 11, 23, 10, 0, 0, 123000, tzinfo=UTC)),
        ("2026-11-23T02:00:00-08:00", datetime(2026, 11, 23, 10, tzinfo=UTC)),
        ("2026-11-23T10:00:00", datetime(2026, 11, 23, 10, tzinfo=UTC)),
    ],
)
def test_datetimes_are_utc(text, expected):
    assert parse_datetime(text) == expected
    assert parse_datetime(text).utcoffset() == timedelta(0)


def test_non_utc_datetimes_are_written_in_utc():
    pacific = timezone(timedelta(hours=-8))
    order = {**ORDER, "PickupDate": datetime(2026, 11, 23, 10, 30, tzinfo=pacific)}
    payload = build_call("http://V301", "X", [("Order", m.ORDER, order)])
    assert b"2026-11-23T18:30:00.000Z" in payload


def test_bad_replies_are_errors_not_crashes():
    with pytest.raises(SoapParseError, match="not well-formed"):
        parse_message(b"<soapenv:Envelope><unclosed>")
    with pytest.raises(SoapParseError, match="not a SOAP"):
        parse_message(b"<html><body>502 Bad Gateway</body></html>")
    broken = reply(multiref=True).replace(b'id="id1"', b'id="gone"')
    with pytest.raises(SoapParseError, match="missing"):
        read(broken)
    not_a_number = reply(multiref=False).replace(b">123.45<", b">lots<")
    with pytest.raises(SoapParseError, match="xsd:double"):
        read(not_a_number)


def test_faults_are_read():
    fault = parse_message(build_fault("soapenv:Server", "boom <b>", "detail"))
    assert isinstance(fault, Fault)
    assert (fault.code, fault.message, fault.detail) == ("soapenv:Server", "boom <b>", "detail")


def test_floats_are_never_written():
    with pytest.raises(TypeError):
        build_call("http://V301", "X", [("Order", m.ORDER, {**ORDER, "Total": 1.5})])
