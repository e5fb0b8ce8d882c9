"""WineDirect's replies are a trust boundary: hostile ones, served over real HTTP.

Each case ends in one typed error whose message is one line, within its time (and, for
the largest, memory) bound, and the same client then works for the next call.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect import records as r
from tastingroom.winedirect.client import MAX_RATE_WAIT_S, WineDirectClient
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.errors import (
    MAX_MESSAGE_CHARS,
    DeadlineExceeded,
    Fault,
    OutcomeUnknown,
    RateLimited,
    RedirectRefused,
    Rejected,
    ReplyError,
    scrub,
)
from tastingroom.winedirect.soap import SOAPENC, SOAPENV, XSI, build_call, build_fault

from .hostile_server import HostileServer, Script, http_reply, trickle

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "tasting-room-ws"
PASSWORD = "Sup3r-s3cret&<pw>"
CREDENTIALS = Credentials(USERNAME, PASSWORD)
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
MARK = Decimal(424242)
"""A number written into a good reply, then replaced by the hostile value under test."""
MIB = 2**20
OPEN = (
    f'<soapenv:Envelope xmlns:soapenv="{SOAPENV}" xmlns:soapenc="{SOAPENC}" xmlns:xsi="{XSI}">'
    "<soapenv:Body>"
).encode()
CLOSE = b"</soapenv:Body></soapenv:Envelope>"


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    assert [t for t in threading.enumerate() if t not in before] == []


def reply(op: m.Operation, **fields: object) -> bytes:
    """A well-formed reply to `op` in Axis's multiRef form, successful unless told."""
    response = {"IsSuccessful": True, "Errors": [], **fields}
    part = [(op.reply_part, op.response, response)]
    return build_call(op.service.namespace, f"{op.name}Response", part, multiref=True)


GOOD = http_reply(
    reply(
        m.SEARCH_CLUBS,
        RecordCount=Decimal(1),
        Clubs=[{"ClubID": "C1", "ClubName": "Cellar Club", "DateModified": NOW}],
    )
)


def works_again(server: HostileServer, client: WineDirectClient) -> None:
    """The same client, asked again once the server behaves, gets its answer."""
    server.script = GOOD
    assert [c.name for c in client.search_clubs().items] == ["Cellar Club"]


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert text and "\n" not in text and "Traceback" not in text
    return text


def hostile(script: Script, *, deadline: float = 60.0) -> tuple[HostileServer, WineDirectClient]:
    server = HostileServer(script)
    return server, WineDirectClient(server.url, CREDENTIALS, deadline=deadline)


# --- size -------------------------------------------------------------------------------


def endless(total: int, sent: list[int] | None = None) -> Iterator[bytes]:
    """An envelope opening, then text up to `total` bytes, made as it is sent."""
    yield OPEN + b"<op><Part>"
    block = b"A" * MIB
    for _ in range(total // MIB):
        if sent is not None:
            sent[0] += len(block)
        yield block


def peak_of_one_call(url: str, call: str) -> tuple[str, int]:
    """`client.<call>` run in a fresh interpreter: its error line and peak RSS in MB.

    The peak is the process's own high-water mark (`VmHWM`), not `ru_maxrss`: Linux keeps
    `ru_maxrss` across exec, so a child of a large test process (the whole suite in one
    pytest) reported its parent's size, not its own."""
    code = textwrap.dedent(
        f"""
        from tastingroom.winedirect.client import WineDirectClient
        from tastingroom.winedirect.credentials import Credentials
        from tastingroom.winedirect.errors import WineDirectError
        with WineDirectClient({url!r}, Credentials("u", "p")) as client:
            try:
                client.{call}
                print("no error")
            except WineDirectError as exc:
                print(type(exc).__name__, exc)
        with open("/proc/self/status") as status:
            print(next(int(s.split()[1]) for s in status if s.startswith("VmHWM")) // 1024)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    error, peak = done.stdout.splitlines()
    return error, int(peak)


def test_a_200_mb_reply_is_refused_by_its_length_in_bounded_memory():
    size = 200 * MIB
    with HostileServer(http_reply(lambda: endless(size), length=size + len(OPEN) + 10)) as server:
        started = time.monotonic()
        error, peak_mb = peak_of_one_call(server.url, "search_orders()")
    assert error == (
        "ReplyError OrderService V301 SearchOrders: WineDirect's reply could not be read "
        "(it is larger than 32 MiB)."
    )
    assert peak_mb < 160  # 31 MB and 63 MB measured: a 200 MB read would not fit
    assert time.monotonic() - started < 15


def test_a_2_gb_chunked_reply_is_cut_at_the_cap():
    sent = [0]
    with HostileServer(http_reply(lambda: endless(2048 * MIB, sent), length=-1)) as server:
        started = time.monotonic()
        error, peak_mb = peak_of_one_call(server.url, "search_orders()")
    assert error.endswith(
        "SearchOrders: WineDirect's reply could not be read (it is larger than 32 MiB)."
    )
    assert error.startswith("ReplyError ")
    assert peak_mb < 160  # 31 MB and 63 MB measured: a 200 MB read would not fit
    assert sent[0] < 3 * 64 * MIB  # three tries (a read is asked again), each stopped near 32 MiB
    assert time.monotonic() - started < 15


def test_a_compressed_reply_is_capped_once_inflated():
    bomb = gzip.compress(OPEN + b"<op><Part>" + b"A" * 40 * MIB, compresslevel=9)
    server, client = hostile(http_reply(bomb, headers={"Content-Encoding": "gzip"}))
    with server, client:
        with pytest.raises(ReplyError, match=r"larger than 32 MiB\)\.$") as caught:
            client.search_orders()
        one_line(caught.value)
        works_again(server, client)


def test_a_write_whose_reply_is_too_large_has_an_unknown_outcome():
    size = 64 * MIB
    server, client = hostile(http_reply(lambda: endless(size), length=-1))
    with server, client:
        with pytest.raises(OutcomeUnknown, match="larger than 32 MiB") as caught:
            client.update_inventory("PN22", "Tasting Room", 5)
        assert one_line(caught.value).endswith("it may or may not have applied the change.")
        assert len(server.requests) == 1  # a write is never sent twice
        works_again(server, client)


# --- time -------------------------------------------------------------------------------

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n"


def test_a_trickling_reply_ends_at_the_call_deadline():
    server, client = hostile(trickle(HEAD + OPEN, every=20), deadline=3)
    with server, client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded) as caught:
            client.search_orders()
        elapsed = time.monotonic() - started
        assert one_line(caught.value) == (
            "OrderService V301 SearchOrders: WineDirect did not finish answering within 3 s; "
            "try again later."
        )
        assert 2.9 < elapsed < 5
        assert len(server.requests) == 1  # not asked again: the deadline is the call's
        works_again(server, client)


def test_a_steady_trickle_cannot_stretch_the_deadline():
    """A byte every 0.2 s: each read succeeds, and a per-read timeout would never fire."""
    server, client = hostile(trickle(HEAD + OPEN + b"<op>" * 1000, every=0.2), deadline=3)
    with server, client:
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.search_orders()
        assert time.monotonic() - started < 5
        works_again(server, client)


def test_trickled_headers_on_a_reused_connection_end_at_the_deadline():
    kept = http_reply(
        reply(m.SEARCH_CLUBS, RecordCount=Decimal(0)), headers={"Connection": "keep-alive"}
    )
    server, client = hostile(kept, deadline=3)
    with server, client:
        client.search_clubs()  # opens the connection the pool will reuse
        server.script = trickle(HEAD, every=1)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            client.search_clubs()
        assert time.monotonic() - started < 5
        works_again(server, client)


def test_a_trickled_write_has_an_unknown_outcome():
    server, client = hostile(trickle(HEAD + OPEN, every=20), deadline=3)
    with server, client:
        started = time.monotonic()
        with pytest.raises(OutcomeUnknown) as caught:
            client.update_inventory("PN22", "Tasting Room", 5)
        assert time.monotonic() - started < 5
        assert one_line(caught.value) == (
            "InventoryService V300 UpdateInventory: WineDirect did not finish answering "
            "within 3 s; it may or may not have applied the change."
        )
        works_again(server, client)


# --- shape ------------------------------------------------------------------------------


def orders_via_chain(length: int, *, cycle: bool = False) -> bytes:
    """SearchOrders whose one order is reached through `length` multiRef pointers."""
    links = b"".join(b'<multiRef id="c%d" href="#c%d"/>' % (i, i + 1) for i in range(length))
    end = (
        b'<multiRef id="c%d" href="#c0"/>' % length
        if cycle
        else b'<multiRef id="c%d"><OrderID>O-1</OrderID><OrderNumber>1001</OrderNumber>'
        b"<OrderTotal>12.50</OrderTotal></multiRef>" % length
    )
    return (
        OPEN + b"<ns:SearchOrdersResponse xmlns:ns='http://V301'><SearchOrdersReturn>"
        b"<IsSuccessful>true</IsSuccessful><RecordCount>1</RecordCount>"
        b'<Orders><item href="#c0"/></Orders></SearchOrdersReturn></ns:SearchOrdersResponse>'
        + links
        + end
        + CLOSE
    )


def test_a_5000_long_multiref_chain_is_followed_without_recursion():
    server, client = hostile(http_reply(orders_via_chain(5000)))
    with server, client:
        [order] = client.search_orders().items
        assert (order.order_id, order.order_number, order.total_cents) == ("O-1", 1001, 1250)


def test_a_multiref_cycle_is_refused():
    server, client = hostile(http_reply(orders_via_chain(5000, cycle=True)))
    with server, client:
        with pytest.raises(ReplyError, match=r"multiRef '#c0' refers back to itself") as caught:
            client.search_orders()
        one_line(caught.value)
        works_again(server, client)


def test_a_multiref_fan_out_is_refused_before_it_expands():
    """1,000 SKUs that are one SKU, holding 1,000 stock rows that are one row: 35 KB
    that would expand to millions of values (gigabytes, minutes)."""
    fan = 1000
    body = (
        OPEN + b"<ns:GetProductDetailResponse xmlns:ns='http://V300'>"
        b'<GetProductDetailReturn href="#r"/></ns:GetProductDetailResponse>'
        b'<multiRef id="r"><IsSuccessful>true</IsSuccessful><Product href="#p"/></multiRef>'
        b'<multiRef id="p"><ProductID>P1</ProductID><SKUs>'
        + b'<item href="#s"/>' * fan
        + b'</SKUs></multiRef><multiRef id="s"><SKU>PN22</SKU><Inventory>'
        + b'<item href="#i"/>' * fan
        + b'</Inventory></multiRef><multiRef id="i"><CurrentInventory>1</CurrentInventory>'
        b"<InventoryPool>Tasting Room</InventoryPool></multiRef>" + CLOSE
    )
    server, client = hostile(http_reply(body))
    with server, client:
        started = time.monotonic()
        with pytest.raises(
            ReplyError, match=r"the reply expands too far \(past 1,000,000 values\)"
        ):
            client.get_product(sku="PN22")
        assert time.monotonic() - started < 2
        works_again(server, client)


def test_a_flood_of_elements_is_refused_while_parsing():
    body = OPEN + b"<op><Part>" + b"<a/>" * 1_100_000 + b"</Part></op>" + CLOSE
    server, client = hostile(http_reply(body))
    with server, client:
        client.read_retries = 0  # one refusal is the point; each try parses a million
        with pytest.raises(ReplyError, match=r"holds more than 1,000,000 elements") as caught:
            client.search_orders()
        one_line(caught.value)
        works_again(server, client)


@pytest.mark.parametrize("kind", ["external entity", "billion laughs"])
def test_a_dtd_is_refused_without_reading_a_file(kind: str, tmp_path: Path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-FILE-CONTENT")
    dtd = {
        "external entity": f'<!ENTITY x SYSTEM "file://{secret}">',
        "billion laughs": '<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY x "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">',
    }[kind]
    body = (
        f'<?xml version="1.0"?><!DOCTYPE e [{dtd}]>'.encode()
        + OPEN
        + b"<op><SearchOrdersReturn><IsSuccessful>true</IsSuccessful><Orders>"
        b"<item><OrderID>&x;</OrderID></item></Orders></SearchOrdersReturn></op>" + CLOSE
    )
    server, client = hostile(http_reply(body))
    with server, client:
        with pytest.raises(ReplyError) as caught:
            client.search_orders()
        text = one_line(caught.value)
        assert text.endswith("could not be read (the message declares a DTD, which is never read).")
        assert "TOP-SECRET" not in text and "aaaa" not in text
        works_again(server, client)


@pytest.mark.parametrize(
    ("body", "headers", "why"),
    [
        (b'<?xml version="1.0" encoding="bogus"?><a/>', {}, "unknown encoding: bogus"),
        (b'<?xml version="1.0" encoding="UTF-7"?><a/>', {}, "multi-byte encodings"),
        (b"\x1f\x8b not really gzip", {"Content-Encoding": "gzip"}, "its compression is broken"),
    ],
)
def test_a_body_no_parser_can_take_is_unreadable(body: bytes, headers: dict[str, str], why: str):
    server, client = hostile(http_reply(body, headers=headers))
    with server, client:
        with pytest.raises(ReplyError, match=why) as caught:
            client.search_orders()
        one_line(caught.value)
        works_again(server, client)


# --- numbers and dates ------------------------------------------------------------------


def orders(**order: object) -> bytes:
    fields = {"OrderID": "O-1", "OrderNumber": Decimal(1001), "DateModified": NOW, **order}
    return reply(m.SEARCH_ORDERS, RecordCount=Decimal(1), Orders=[fields])


COUNTED = reply(m.SEARCH_ORDERS, RecordCount=MARK, Orders=[])
PRICED = reply(
    m.SEARCH_PRODUCTS, RecordCount=Decimal(1), Products=[{"ProductID": "P", "Price": MARK}]
)
STOCKED = reply(m.SEARCH_INVENTORY, RecordCount=Decimal(1), Inventory=[{"CurrentInventory": MARK}])
ORDERED = reply(m.GET_ORDER_DETAIL, Order={"OrderID": "O-1", "OrderItems": [{"Quantity": MARK}]})


@pytest.mark.parametrize(
    ("call", "good", "value", "reason"),
    [
        (
            "search_orders",
            COUNTED,
            "1E+2000000",
            "SearchOrdersReturn.RecordCount: '1E+2000000' is out of range (beyond 10^±20)",
        ),
        (
            "search_orders",
            COUNTED,
            "20000000",
            "RecordCount 20000000 is out of range (0 to 10,000,000)",
        ),
        (
            "search_products",
            PRICED,
            "1E+30",
            "SearchProductsReturn.Products[0].Price: '1E+30' is out of range (beyond 10^±20)",
        ),
        (
            "search_products",
            PRICED,
            "10000000.01",
            "Price 10000000.01 is out of range (amounts are within ±$10,000,000)",
        ),
        (
            "search_products",
            PRICED,
            "1" * 41,
            f"Price: '{'1' * 40}…' is out of range (longer than 40 characters)",
        ),
        ("search_products", PRICED, "NaN", "Products[0].Price: 'NaN' is not a valid xsd:double"),
        (
            "search_products",
            PRICED,
            "1_000",
            "Products[0].Price: '1_000' is not a valid xsd:double",
        ),
        (
            "search_orders",
            orders(OrderTotal=MARK),
            "-1E+8",
            "OrderTotal -1E+8 is out of range (amounts are within ±$10,000,000)",
        ),
        (
            "search_inventory",
            STOCKED,
            "-10000001",
            "CurrentInventory -10000001 is out of range (-10,000,000 to 10,000,000)",
        ),
        ("get_order", ORDERED, "-3", "Quantity -3 is out of range (0 to 10,000,000)"),
        ("get_order", ORDERED, "2.5", "Quantity 2.5 is not a whole number"),
        (
            "search_orders",
            orders(OrderNumber=MARK),
            "1E+16",
            "OrderNumber 1E+16 is out of range (0 to 1,000,000,000,000,000)",
        ),
    ],
)
def test_out_of_range_values_are_refused_naming_the_field(call, good, value, reason):
    """Refused in well under a second, before any conversion costs time (RecordCount
    1E+2000000 once burned 106 s of CPU becoming an int)."""
    body = good.replace(b">424242<", b">%s<" % value.encode())
    assert body != good
    server, client = hostile(http_reply(body))
    with server, client:
        started = time.monotonic()
        if call.startswith("search") and "RecordCount" not in reason:
            # One record of a search's page: set aside with its reason, not the page.
            page = getattr(client, call)()
            assert page.items == [] and len(page.refused) == 1
            assert one_line(page.refused[0].reason).endswith(reason)
        else:
            with pytest.raises(ReplyError) as caught:
                getattr(client, call)(**({"order_id": "O-1"} if call == "get_order" else {}))
            text = one_line(caught.value)
            assert "WineDirect's reply could not be read (" in text
            assert text.endswith(f"{reason}).")
        assert time.monotonic() - started < 1
        works_again(server, client)


@pytest.mark.parametrize("stamp", ["9999-12-31T23:59:59Z", "1066-10-14T09:00:00Z"])
def test_dates_outside_1900_to_2100_are_refused(stamp: str):
    body = orders().replace(b"2026-11-23T18:00:00.000Z", stamp.encode())
    server, client = hostile(http_reply(body))
    with server, client:
        page = client.search_orders()  # the one order is set aside, with its reason
        assert page.items == [] and len(page.refused) == 1
        assert one_line(page.refused[0].reason).endswith(
            f"SearchOrdersReturn.Orders[0].DateModified: '{stamp}' is out of range "
            "(not between 1900 and 2100)"
        )
        works_again(server, client)


# --- rate-limit times -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "wait"),
    [
        ({"x-rate-limit-reset": str(int(datetime(3000, 1, 1, tzinfo=UTC).timestamp()))}, 61),
        ({"Retry-After": str(10**12)}, 61),
        ({"Retry-After": "1" * 5000}, None),  # not a number we read: ignored
        ({"x-rate-limit-reset": "-5"}, 0),
        ({"Retry-After": "-30"}, 0),
        ({"Retry-After": "soon", "x-rate-limit-reset": "1E+2000000"}, None),
        ({"Retry-After": "20", "Date": "Fri, 31 Dec 9999 23:59:59 GMT"}, 20),
    ],
)
def test_absurd_rate_limit_times_are_clamped(headers: dict[str, str], wait: int | None):
    server, client = hostile(
        http_reply(b"slow down", status="429 Too Many Requests", headers=headers)
    )
    with server, client:
        with pytest.raises(RateLimited) as caught:
            client.search_orders()
        one_line(caught.value)
        reset = caught.value.reset_at
        if wait is None:
            assert reset is None and "accepts more at a minute" in str(caught.value)
        else:
            expected = datetime.now(UTC) + timedelta(seconds=wait)
            assert abs(reset - expected) < timedelta(seconds=2)
        works_again(server, client)


def test_rate_limit_headers_of_a_normal_reply_are_clamped_too():
    headers = {
        "x-rate-limit-limit": "480",
        "x-rate-limit-remaining": "9" * 400,
        "x-rate-limit-reset": str(10**14),
    }
    server, client = hostile(http_reply(reply(m.SEARCH_CLUBS), headers=headers))
    with server, client:
        client.search_clubs()
        limit = client.rate_limit
        assert (limit.limit, limit.remaining) == (480, None)
        expected = datetime.now(UTC) + timedelta(seconds=MAX_RATE_WAIT_S)
        assert abs(limit.reset_at - expected) < timedelta(seconds=2)


# --- what the server says back ----------------------------------------------------------


def echo_refusal(as_fault: bool) -> Script:
    """A refusal that echoes the request it got (credentials included), with a 100 KB
    multi-line 'stack trace' after it, the way a careless server reports errors."""

    def send(conn, request: bytes, stop) -> bool:
        said = f"Refused for {USERNAME.upper()} (password={PASSWORD}): {request.decode()}"
        said += "\n\tat coldfusion.runtime.Foo(Foo.java:1)" * 2500
        if as_fault:
            body = build_fault("soapenv:Server", said, said)
        else:
            error = {"ErrorCode": "E42", "ErrorMessage": said}
            body = reply(m.SEARCH_ORDERS, IsSuccessful=False, Errors=[error, error])
        return http_reply(body, status="500 Internal Server Error" if as_fault else "200 OK")(
            conn, request, stop
        )

    return send


def assert_clean(text: str) -> None:
    assert PASSWORD not in text and USERNAME not in text.lower()
    assert "Sup3r" not in text and "s3cret" not in text
    assert "\n" not in text and len(text) < MAX_MESSAGE_CHARS + 200


def test_a_refusal_echoing_the_credentials_is_scrubbed_and_cut():
    server, client = hostile(echo_refusal(as_fault=False))
    with server, client:
        with pytest.raises(Rejected) as caught:
            client.search_orders()
        assert escape(PASSWORD).encode() in server.requests[0]  # what the server echoed
        assert_clean(one_line(caught.value))
        assert_clean(repr(caught.value))
        for detail in caught.value.errors:
            assert_clean(str(detail))
        assert '<Password xsi:type="xsd:string">***</Password>' in str(caught.value)
        assert "Refused for *** (password=***" in str(caught.value)
        assert "coldfusion.runtime" in str(caught.value) and "…" in str(caught.value)  # cut
        works_again(server, client)


def test_a_fault_echoing_the_request_is_one_short_clean_line():
    server, client = hostile(echo_refusal(as_fault=True))
    with server, client:
        with pytest.raises(Fault) as caught:
            client.search_orders()
        assert_clean(one_line(caught.value))
        assert_clean(caught.value.detail)
        assert_clean(caught.value.code)
        works_again(server, client)


def test_an_upsert_answer_echoing_the_password_is_scrubbed():
    said = (
        f"Order refused: <Security><Password>{PASSWORD}</Password></Security>\npassword={PASSWORD}"
    )
    answer = {"isSuccessful": False, "externalKeyCode": "TR1-000001", "message": said}
    server, client = hostile(http_reply(reply(m.UPSERT_ORDERS, Results=[answer])))
    order = r.OrderToSend(
        number="TR1-000001",
        ordered_at=NOW,
        website_code="VALLEELUNE",
        subtotal_cents=100,
        shipping_cents=0,
        tax_cents=0,
        tip_cents=0,
        total_cents=100,
        items=(r.ItemToSend("PN22", "Pinot", 1, 100, 100, 0, False),),
        tenders=(r.TenderToSend("cash", 100, NOW),),
        shipping_status="Picked Up",
        register_number="TR1",
    )
    with server, client:
        [result] = client.upsert_orders([order])
        assert not result.ok
        assert (
            result.message
            == "Order refused: <Security><Password>***</Password></Security> password=***"
        )


def test_a_redirect_to_a_huge_address_is_one_short_line():
    location = "https://elsewhere.example/" + "x" * 50_000 + f"?password={PASSWORD}"
    server, client = hostile(http_reply(b"", status="302 Found", headers={"Location": location}))
    with server, client:
        with pytest.raises(RedirectRefused) as caught:
            client.search_orders()
        assert_clean(one_line(caught.value))
        assert "elsewhere.example/xxxx" in str(caught.value)


def test_scrub_never_leaves_part_of_a_credential_at_a_cut():
    # The secret straddles the first cut; spaces before it would bring its start into view.
    text = " " * (4 * MAX_MESSAGE_CHARS - 4) + PASSWORD + "tail" * 10
    kept = scrub(text, USERNAME, PASSWORD)
    assert "Sup" not in kept and kept == "…"
    assert scrub("x" * 5000).endswith("x…") and len(scrub("x" * 5000)) == MAX_MESSAGE_CHARS + 1
    assert scrub("Banana for ana", "ana", "") == "Banana for ana"  # too short to tell
    assert scrub("Banana for anna", "anna", "") == "Banana for ***"
    assert scrub("\x1b[2J\u202egood\r\nline", "", "") == "[2J good line"
