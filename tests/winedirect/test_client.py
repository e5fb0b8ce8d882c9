"""The client against the simulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from tastingroom.winedirect import mapping
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import WineDirectClient, check_base_url
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    Fault,
    InsecureAddress,
    OutcomeUnknown,
    RateLimited,
    RedirectRefused,
    Rejected,
    ReplyError,
    ServerError,
)
from tastingroom.winedirect.simulator.server import Simulator

from .conftest import CREDENTIALS

NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


def an_order(number: str = "TR1-000001", sku: str = "PN22") -> r.OrderToSend:
    return r.OrderToSend(
        number=number,
        ordered_at=NOW,
        website_code="VALLEELUNE",
        subtotal_cents=9600,
        shipping_cents=0,
        tax_cents=828,
        tip_cents=0,
        total_cents=10428,
        items=(r.ItemToSend(sku, "Estate Pinot Noir", 2, 9600, 4800, 828, False),),
        tenders=(r.TenderToSend("card", 10428, NOW, card_type="Visa"),),
        shipping_status="Picked Up",
        register_number="TR1",
        cashier_id="alex",
        bill_to=r.Address("Ana", "Silva", "1 Vine St", None, "Healdsburg", "CA", "95448"),
    )


def test_reads_are_typed(client: WineDirectClient):
    orders = client.search_orders(max_rows=5)
    assert orders.record_count == 40 and len(orders.items) == 5 and orders.has_more
    first = orders.items[0]
    assert isinstance(first.order_number, int) and first.date_modified.tzinfo is UTC
    detail = client.get_order(order_id=first.order_id)
    assert detail.total_cents == detail.subtotal_cents + detail.tax_cents + detail.shipping_cents
    assert all(isinstance(i.quantity, int) for i in detail.items)
    product = client.get_product(sku="GEW23")
    assert product.title == "2023 Gewürztraminer" and product.varietal == "Gewürztraminer"
    assert product.skus[0].prices[0].price_cents == 2900
    assert product.skus[0].inventory == {"Tasting Room": 120, "Warehouse": 600}
    contact = client.search_contacts(max_rows=1).items[0]
    assert client.get_contact(contact_id=contact.contact_id) == contact
    assert client.search_club_memberships(contact_id=None, max_rows=500).record_count > 30
    assert client.search_clubs().record_count == 3
    assert client.search_inventory(pool="Tasting Room", sku="PN22").items[0].count == 120
    assert client.search_shipping_addresses(max_rows=1).record_count == 40
    assert {t.name for t in client.search_contact_types().items} >= {"Customer", "Club Member"}


def test_paging_covers_record_count(client: WineDirectClient):
    pages = list(client.pages(client.search_contacts, max_rows=30))
    assert len(pages) == 7
    ids = [c.contact_id for p in pages for c in p.items]
    assert len(ids) == len(set(ids)) == 200


def test_pickup_search_and_hand_over(client: WineDirectClient):
    pending = client.search_orders(pending_pickup=True, pickup_location="TASTINGROOM").items
    assert pending and all(o.is_pending_pickup and o.is_pickup for o in pending)
    target = pending[0]
    client.post_pickups([r.PickupToSend(str(target.order_number), NOW)])
    after = client.get_order(order_id=target.order_id)
    assert after.picked_up_at == NOW and after.shipping_status == "Picked Up"
    still = {o.order_id for o in client.search_orders(pending_pickup=True).items}
    assert target.order_id not in still


def test_upsert_twice_updates_never_duplicates(client: WineDirectClient, simulator: Simulator):
    [first] = client.upsert_orders([an_order()])
    assert first.ok and first.external_key == "TR1-000001" and first.internal_key
    [again] = client.upsert_orders([an_order()])
    assert again.internal_key == first.internal_key
    assert simulator.state.register_order_numbers() == ["TR1-000001"]
    web_only = client.search_orders().items
    assert len(web_only) == 40 and not any(o.is_external for o in web_only)  # ours are hidden
    everything = client.search_orders(include_external=True).items
    assert [o.order_id for o in everything if o.is_external] == [first.internal_key]
    detail = client.get_order(order_id=first.internal_key)
    assert (detail.alt_order_number, detail.type, detail.total_cents) == (
        "TR1-000001",
        "POS",
        10428,
    )


def test_a_batch_answers_per_order(client: WineDirectClient, simulator: Simulator):
    results = client.upsert_orders(
        [an_order("TR1-000010"), an_order("TR1-000011", sku="NO-SUCH-SKU"), an_order("TR1-000012")]
    )
    assert [x.ok for x in results] == [True, False, True]
    assert "NO-SUCH-SKU" in results[1].message
    assert simulator.state.register_order_numbers() == ["TR1-000010", "TR1-000012"]


def test_other_writes(client: WineDirectClient, simulator: Simulator):
    [c] = client.upsert_contacts(
        [r.ContactToSend("our-uuid-1", "Renée", "Dubois", email="r@x.org")]
    )
    assert c.ok
    [same] = client.upsert_contacts([r.ContactToSend("our-uuid-1", "Renée", "Dubois-Martin")])
    assert same.internal_key == c.internal_key
    assert client.get_contact(alt_contact_id="our-uuid-1").last_name == "Dubois-Martin"
    client.update_inventory("PN22", "Tasting Room", 17)
    assert client.search_inventory(pool="Tasting Room", sku="PN22").items[0].count == 17
    [ok] = client.upsert_orders([an_order("TR1-000020")])
    number = client.get_order(order_id=ok.internal_key).order_number
    client.post_tracking(number, [r.PackageToSend("UPS", "1Z999", NOW)])
    assert client.get_order(order_number=number).tracking_number == "1Z999"
    client.post_shipping_statuses([r.ShippingStatusToSend("TR1-000020", "HandledExternally", NOW)])
    assert client.get_order(order_number=number).shipping_status == "Handled Externally"
    with pytest.raises(Rejected, match="was not found"):
        client.post_pickups([r.PickupToSend("999999", NOW)])


def test_bad_login(simulator: Simulator):
    bad = WineDirectClient(simulator.url, Credentials("demo-webservice", "nope"))
    with bad, pytest.raises(AuthenticationFailed, match="username or password"):
        bad.search_orders(max_rows=1)


def test_rate_limit_429_carries_the_reset_time(simulator: Simulator, client: WineDirectClient):
    simulator.set_faults(rate_limit=3)
    for _ in range(3):
        client.search_clubs()
    assert client.rate_limit.limit == 3 and client.rate_limit.remaining == 0
    with pytest.raises(RateLimited) as caught:
        client.search_clubs()
    reset = caught.value.reset_at
    assert reset is not None and reset > datetime.now(UTC) - timedelta(seconds=1)
    assert reset <= datetime.now(UTC) + timedelta(seconds=61)
    client.upsert_orders([an_order("TR1-000030")])  # writes are not held to it by default
    simulator.set_faults(limit_writes=True)
    with pytest.raises(RateLimited):
        client.upsert_orders([an_order("TR1-000031")])


def test_5xx_is_a_server_error_for_reads_and_unknown_for_writes(simulator, client):
    simulator.set_faults(fail_rate=1.0)
    with pytest.raises(ServerError):
        client.search_orders()
    with pytest.raises(OutcomeUnknown):
        client.upsert_orders([an_order("TR1-000040")])


def test_reply_lost_after_write_is_unknown_and_applied(simulator, client):
    simulator.set_faults(drop_reply_after_write=1.0)
    with pytest.raises(OutcomeUnknown, match="may or may not"):
        client.upsert_orders([an_order("TR1-000050")])
    assert simulator.state.register_order_numbers() == ["TR1-000050"]


def test_reset_before_write_is_unknown_and_not_applied(simulator, client):
    simulator.set_faults(reset_before_write=1.0)
    with pytest.raises(OutcomeUnknown):
        client.upsert_orders([an_order("TR1-000060")])
    assert simulator.state.register_order_numbers() == []


def test_malformed_replies(simulator, client):
    simulator.set_faults(malformed_rate=1.0)
    with pytest.raises(ReplyError, match="could not be read"):
        client.search_orders()
    with pytest.raises(OutcomeUnknown):
        client.upsert_orders([an_order("TR1-000070")])
    assert simulator.state.register_order_numbers() == ["TR1-000070"]


def test_timeouts_are_explicit(simulator: Simulator):
    simulator.set_faults(latency_ms=400)
    quick = httpx.Timeout(connect=1.0, read=0.1, write=1.0, pool=1.0)
    with WineDirectClient(simulator.url, CREDENTIALS, timeout=quick) as c:
        with pytest.raises(ConnectionFailed):
            c.search_orders()
        with pytest.raises(OutcomeUnknown):
            c.upsert_orders([an_order("TR1-000080")])


def test_soap_fault_is_a_fault(client: WineDirectClient):
    unknown = mapping.Operation(
        mapping.ORDER_SERVICE,
        "NoSuchOperation",
        mapping.SEARCH_ORDERS.parts,
        mapping.SEARCH_ORDERS.response,
    )
    with pytest.raises(Fault, match="No operation NoSuchOperation") as caught:
        client.call(unknown)
    assert "CFCInvocationException" in str(caught.value)


def test_nothing_listening_is_connection_failed():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = WineDirectClient(f"http://127.0.0.1:{port}", CREDENTIALS)
    with c, pytest.raises(ConnectionFailed, match="nothing was sent"):
        c.upsert_orders([an_order()])


class _Redirect(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(302)
        self.send_header("Location", "https://elsewhere.example/V301/OrderService.cfc")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_redirects_are_never_followed():
    server = HTTPServer(("127.0.0.1", 0), _Redirect)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        c = WineDirectClient(f"http://127.0.0.1:{server.server_port}", CREDENTIALS)
        with c, pytest.raises(RedirectRefused, match=r"elsewhere\.example"):
            c.search_orders()
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://webservices.vin65.com", InsecureAddress),
        ("ftp://webservices.vin65.com", ConfigurationError),
        ("http://10.0.0.5:8065", InsecureAddress),
    ],
)
def test_only_https_or_loopback(url, error):
    with pytest.raises(error):
        check_base_url(url)


def test_https_and_loopback_are_accepted():
    assert check_base_url("https://webservices.vin65.com/") == "https://webservices.vin65.com"
    assert check_base_url("http://127.0.0.1:8065") == "http://127.0.0.1:8065"
    assert check_base_url("http://localhost:8065") == "http://localhost:8065"
    assert check_base_url("http://[::1]:8065") == "http://[::1]:8065"


def test_credentials_never_leak(simulator: Simulator, caplog: pytest.LogCaptureFixture):
    secret = "s3cr3t-Pa55word-NEVER-LOG"
    caplog.set_level(logging.DEBUG)
    creds = Credentials("demo-webservice", secret)
    messages = [repr(creds), str(creds)]
    with WineDirectClient(simulator.url, creds) as c:
        messages.append(repr(c))
        for fault in ({}, {"fail_rate": 1.0}, {"malformed_rate": 1.0}, {"rate_limit": 1}):
            simulator.set_faults(
                **{"fail_rate": 0.0, "malformed_rate": 0.0, "rate_limit": 480, **fault}
            )
            for call in (c.search_orders, lambda: c.upsert_orders([an_order()])):
                try:
                    call()
                except Exception as exc:
                    messages.append(str(exc))
                    messages.append(repr(exc))
    messages.extend(record.getMessage() for record in caplog.records)
    assert len(messages) > 8
    assert not [text for text in messages if secret in text]


def test_retry_after_is_used_when_there_is_no_reset_header(client: WineDirectClient):
    response = httpx.Response(429, headers={"Retry-After": "30"}, content=b"slow down")
    with pytest.raises(RateLimited) as caught:
        client._read_reply(mapping.SEARCH_ORDERS, response)
    wait = caught.value.reset_at - datetime.now(UTC)
    assert timedelta(seconds=25) < wait <= timedelta(seconds=30)
