"""A client for WineDirect's Classic SOAP web services, over httpx.

Safety rules it keeps whatever the caller asks:
- https only; plain http is accepted for loopback addresses alone (the simulator);
- a redirect is never followed (WineDirect's 302 from http, or anything pointing to
  another host, is a configuration error to fix, not something to chase);
- explicit connect and read timeouts, and one deadline for the whole request
  (`CALL_DEADLINE_S`), which a server sending a byte now and then cannot stretch;
- a reply is read as a stream and refused past `MAX_REPLY_BYTES`, so that its size never
  decides how much memory the register takes (the shape and numbers of what is read are
  bounded in `soap` and `mapping`);
- the credentials travel in each body (the protocol wants that) and nowhere else: not
  in a log line, an exception message or a repr. Request bodies are never logged, and
  a server's text is scrubbed (`errors.scrub`) before it enters a message;
- rate-limit times are clamped to WineDirect's documented one-minute window.

Each failure is a typed error from `errors`, whose message is one line; a write whose
fate is unknown (timeout or lost connection after sending, 5xx, an unreadable reply,
a deadline passed) is `OutcomeUnknown`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import logging
import re
import socket
import threading
import time
import weakref
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import httpx

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect import records as r
from tastingroom.winedirect.credentials import Credentials
from tastingroom.winedirect.errors import (
    AuthenticationFailed,
    ConfigurationError,
    ConnectionFailed,
    ConnectionLost,
    DeadlineExceeded,
    ErrorDetail,
    Fault,
    InsecureAddress,
    OutcomeUnknown,
    RateLimited,
    RedirectRefused,
    Rejected,
    ReplyError,
    ServerError,
    WineDirectError,
    scrub,
)
from tastingroom.winedirect.soap import (
    EARLIEST_YEAR,
    LATEST_YEAR,
    Call,
    Reader,
    SoapParseError,
    Unreadable,
    build_call,
    parse_message,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
MAX_REPLY_BYTES = 32 * 1024 * 1024
"""The largest reply read, counted after decompression: a page of orders is a few
hundred kilobytes. Checked against Content-Length before reading, and while reading."""
CALL_DEADLINE_S = 60.0
"""One request's budget of wall-clock time, from connecting to the reply's last byte.
The read timeout starts again with every byte, so it alone lets a server that trickles
keep a call (and the sync thread) for as long as it likes."""
MAX_RATE_WAIT_S = 61
"""The longest wait a 429 may ask for: WineDirect's request window is one minute."""


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str) -> str:
    """The endpoint root (`https://webservices.vin65.com`), refused unless https or loopback."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL as exc:
        raise ConfigurationError(f"{url!r} is not a web address.") from exc
    secure = parsed.scheme == "https" and bool(parsed.host)
    local = parsed.scheme == "http" and is_loopback(parsed.host)
    if secure or local:
        pass
    elif parsed.scheme == "http":
        raise InsecureAddress(
            f"WineDirect must be reached over https, not plain http ({parsed.host}). "
            "Use the https:// address."
        )
    else:
        raise ConfigurationError(f"{url!r} is not an https:// address.")
    return str(parsed.copy_with(path="", query=None, fragment=None)).rstrip("/")


class WineDirectClient:
    """One webservice account at one WineDirect endpoint."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_rows: int = m.DEFAULT_MAX_ROWS,
        transport: httpx.BaseTransport | None = None,
        deadline: float = CALL_DEADLINE_S,
    ) -> None:
        self.base_url = check_base_url(base_url)
        self._credentials = credentials
        self.max_rows = max_rows
        self.deadline = deadline
        """Seconds each request may take in all (`CALL_DEADLINE_S`)."""
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        """Every socket this client has opened and not yet dropped, for `_Deadline` to cut."""
        self._sockets_lock = threading.Lock()
        self.rate_limit = r.RateLimit()
        self.read_retries = 2
        self.requests = 0
        """Requests sent (each retry counts): the bench compares it with the floor."""
        self.rate_limited = 0
        """Replies that were HTTP 429."""
        self.calls: Counter[str] = Counter()
        """Requests per operation that WineDirect answered (429s are not counted here)."""
        self.on_reply_date: Callable[[str | None], None] | None = None
        """Told every reply's `Date` header: WineDirect's clock (see `sync.clock.ServerTime`)."""
        self.on_rate_limited: Callable[[datetime | None], bool] | None = None
        """Asked what to do after a 429: wait for the reset and return True to send again,
        or False to raise `RateLimited`."""
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            follow_redirects=False,
            transport=transport,
            headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
        )

    def __repr__(self) -> str:
        return f"WineDirectClient({self.base_url!r}, user={self._credentials.username!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> WineDirectClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the wire -------------------------------------------------------------------------

    def call(self, op: m.Operation, request: dict[str, Any] | None = None, **v2: Any) -> dict:
        """Send one operation and return its reply as a dict of WineDirect fields.

        V3 operations take `request` (the Request's own fields; Security is added here);
        V2 operations take their parts by name (username and password are added here).

        A read whose reply was lost or garbled is asked again (`read_retries` times): it
        changes nothing, and a long scan should not fail on one bad reply. A request
        answered 429 was not applied, so it is sent again once `on_rate_limited` has
        waited for the window to reset (when it is set and says to go on).
        """
        payload = self._payload(op, request, v2)
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._exchange(op, payload)
            except RateLimited as exc:
                self.rate_limited += 1
                if self.on_rate_limited is None or not self.on_rate_limited(exc.reset_at):
                    raise
            except (ReplyError, ServerError, ConnectionLost):
                if op.write or attempt > self.read_retries:
                    raise
                log.info("%s: reading again after a bad reply", op.label)

    def _payload(self, op: m.Operation, request: dict[str, Any] | None, v2: dict) -> bytes:
        creds = self._credentials
        if op.parts[0][0] == "Request":
            body = {"Security": {"Username": creds.username, "Password": creds.password}}
            body.update(request or {})
            parts = [("Request", op.parts[0][1], body)]
        else:
            values = {"username": creds.username, "password": creds.password, **v2}
            parts = [(name, kind, values.get(name)) for name, kind in op.parts]
        return build_call(op.service.namespace, op.name, parts)

    def _exchange(self, op: m.Operation, payload: bytes) -> dict:
        started = time.perf_counter()
        self.requests += 1
        status: int | str = "-"
        deadline = _Deadline(self.deadline, self._sockets, self._sockets_lock)
        try:
            with (
                deadline,
                self._http.stream(
                    "POST",
                    op.service.path,
                    content=payload,
                    timeout=self._timeout_within(self.deadline),
                    extensions={"trace": deadline.trace},
                ) as response,
            ):
                status = response.status_code
                if self.on_reply_date is not None:
                    self.on_reply_date(response.headers.get("date"))
                self._note_rate_limit(response)
                return self._read_reply(op, response)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise ConnectionFailed(
                f"Could not reach WineDirect at {self.base_url} ({type(exc).__name__}). "
                "Check the internet connection; nothing was sent."
            ) from None
        except httpx.DecodingError:
            raise self._unreadable(op, "its compression is broken") from None
        except httpx.TransportError as exc:
            if deadline.expired:
                raise self._overran(op) from None
            if op.write:
                raise OutcomeUnknown(
                    f"{op.label}: the connection was lost after sending "
                    f"({type(exc).__name__}); WineDirect may or may not have applied it."
                ) from None
            raise ConnectionLost(
                f"{op.label}: the connection was lost ({type(exc).__name__}); try again."
            ) from None
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.debug("%s -> %s in %.0f ms", op.label, status, elapsed_ms)

    def _timeout_within(self, seconds: float) -> httpx.Timeout:
        """The client's timeouts, with connecting (and waiting for a pooled connection)
        no longer than `seconds`: the deadline cuts sockets, and until a connection is
        made there is none to cut. Reads and writes keep theirs (the deadline ends them)."""
        t = self._http.timeout
        return httpx.Timeout(
            connect=seconds if t.connect is None else min(t.connect, seconds),
            read=t.read,
            write=t.write,
            pool=seconds if t.pool is None else min(t.pool, seconds),
        )

    def _overran(self, op: m.Operation) -> WineDirectError:
        if op.write:
            return OutcomeUnknown(
                f"{op.label}: WineDirect did not finish answering within {self.deadline:g} s; "
                "it may or may not have applied the change."
            )
        return DeadlineExceeded(
            f"{op.label}: WineDirect did not finish answering within {self.deadline:g} s; "
            "try again later."
        )

    def _note_rate_limit(self, response: httpx.Response) -> None:
        h = response.headers
        limit, remaining, reset = (h.get(name) for name in m.RATE_LIMIT_HEADERS)
        if limit is None and remaining is None and reset is None:
            return
        self.rate_limit = r.RateLimit(
            limit=_header_int(limit), remaining=_header_int(remaining), reset_at=_reset_at(response)
        )

    def _read_reply(self, op: m.Operation, response: httpx.Response) -> dict:
        status = response.status_code
        if response.is_redirect:
            where = self._scrub(response.headers.get("location", "another address"))
            raise RedirectRefused(
                f"WineDirect answered {op.label} with a redirect to {where}, which is never "
                "followed. Check the WineDirect address in Settings (it must be the https:// one)."
            )
        if status == 429:
            reset = _reset_at(response)
            when = reset.strftime("%H:%M:%S UTC") if reset else "a minute"
            raise RateLimited(
                f"WineDirect's request limit is reached; it accepts more at {when}.", reset
            )
        self.calls[op.name] += 1
        if status in (401, 403):
            raise AuthenticationFailed(
                "WineDirect refused the webservice login (HTTP "
                f"{status}). Check the username and password in Settings.",
                [],
            )
        try:
            message = parse_message(self._body(op, response))
        except SoapParseError as exc:
            if status >= 500:
                return self._server_error(op, status)
            raise self._unreadable(op, str(exc)) from None
        if not isinstance(message, Call):
            raise Fault(
                f"WineDirect could not handle {op.label}: {self._scrub(message.message)}",
                self._scrub(message.code),
                self._scrub(message.detail),
            )
        if status >= 500:
            return self._server_error(op, status)
        if status != 200:
            raise ConfigurationError(
                f"WineDirect answered {op.label} with HTTP {status}; check the address in Settings."
            )
        part = message.parts.get(op.reply_part)
        if part is None:
            raise self._unreadable(op, f"it has no {op.reply_part}")
        try:
            # A search's records are read one by one: one that cannot be read is set
            # aside (see `_page`) instead of making its whole page unreadable.
            lenient = op.name.startswith("Search")
            reader = Reader(message.refs, lenient=lenient, keys=m.RECORD_KEYS)
            reply = reader.read(part, op.response, op.reply_part)
        except SoapParseError as exc:
            raise self._unreadable(op, str(exc)) from None
        if reply is None:
            raise self._unreadable(op, f"{op.reply_part} is empty")
        if reply.get("IsSuccessful") is False:
            details = [
                ErrorDetail(
                    e["ErrorCode"] and self._scrub(e["ErrorCode"]),
                    self._scrub(e["ErrorMessage"] or ""),
                )
                for e in (reply.get("Errors") or [])
                if isinstance(e, dict)
            ]
            text = self._scrub("; ".join(str(d) for d in details)) or "no reason given"
            if any(h in text.lower() for h in m.AUTH_ERROR_HINTS):
                raise AuthenticationFailed(
                    f"WineDirect refused the webservice login: {text}. "
                    "Check the username and password in Settings.",
                    details,
                )
            raise Rejected(f"WineDirect refused {op.label}: {text}", details)
        return reply

    def _body(self, op: m.Operation, response: httpx.Response) -> Iterator[bytes]:
        """The reply's body as it arrives, refused once it is (or says it will be) larger
        than `MAX_REPLY_BYTES`: reading stops there, and the connection is dropped."""
        declared = response.headers.get("content-length", "")
        if re.fullmatch(r"[0-9]{1,18}", declared) and int(declared) > MAX_REPLY_BYTES:
            raise self._too_large(op)
        received = 0
        for chunk in response.iter_bytes():
            received += len(chunk)
            if received > MAX_REPLY_BYTES:
                raise self._too_large(op)
            yield chunk

    def _too_large(self, op: m.Operation) -> WineDirectError:
        return self._unreadable(op, f"it is larger than {MAX_REPLY_BYTES // 2**20} MiB")

    def _unreadable(self, op: m.Operation, why: str) -> WineDirectError:
        why = self._scrub(why)
        if op.write:
            return OutcomeUnknown(
                f"{op.label}: WineDirect's reply could not be read ({why}); "
                "it may or may not have applied the change."
            )
        return ReplyError(f"{op.label}: WineDirect's reply could not be read ({why}).")

    def _server_error(self, op: m.Operation, status: int) -> dict:
        if op.write:
            raise OutcomeUnknown(
                f"{op.label}: WineDirect failed with HTTP {status} after receiving it; "
                "it may or may not have applied the change."
            )
        raise ServerError(f"WineDirect failed with HTTP {status} on {op.label}; try again.", status)

    def _scrub(self, text: str) -> str:
        """A server's text as a message may keep it (see `errors.scrub`)."""
        return scrub(text, self._credentials.username, self._credentials.password)

    def _records(self, op: m.Operation, convert: Callable[[Any], T], value: Any) -> T:
        """`convert(value)`: our records from a reply. A value that `mapping` refuses (a
        price of ten million dollars, a negative quantity) makes the reply unreadable."""
        try:
            return convert(value)
        except SoapParseError as exc:
            raise self._unreadable(op, str(exc)) from None

    def _answers(self, reply: dict) -> list[r.UpsertResult]:
        """A batch's answers, one per record, each message scrubbed: a refusal is kept."""
        results = [m.upsert_result(x) for x in reply.get("Results") or [] if x is not None]
        return [
            x if x.message is None else dataclasses.replace(x, message=self._scrub(x.message))
            for x in results
        ]

    # --- searches ------------------------------------------------------------------------

    def _page(
        self,
        op: m.Operation,
        field: str,
        convert: Callable[[dict], T],
        page: int,
        max_rows: int | None,
        **filters: Any,
    ) -> r.Page[T]:
        rows = max_rows or self.max_rows
        query = {k: v for k, v in filters.items() if v is not None}
        reply = self.call(op, {**query, "MaxRows": Decimal(rows), "Page": Decimal(page)})

        def page_of(reply: dict) -> r.Page[T]:
            items, refused = [], []
            for i, raw in enumerate(reply.get(field) or []):
                if isinstance(raw, Unreadable):
                    refused.append(r.RefusedRecord(raw.key, self._scrub(raw.reason)))
                    continue
                if raw is None:
                    continue
                try:
                    items.append(convert(raw))
                except SoapParseError as exc:  # a value out of range, named
                    key = next((raw[k] for k in m.RECORD_KEYS if isinstance(raw.get(k), str)), None)
                    refused.append(r.RefusedRecord(key, self._scrub(f"{field}[{i}]: {exc}")))
            count = m.record_count(reply)
            seen = len(items) + len(refused)
            return r.Page(items, seen if count is None else count, page, rows, tuple(refused))

        return self._records(op, page_of, reply)

    def pages(self, search: Callable[..., r.Page[T]], **kwargs: Any) -> Iterator[r.Page[T]]:
        """Every page of a search, from the first until RecordCount is covered."""
        page = m.FIRST_PAGE
        while True:
            result = search(page=page, **kwargs)
            yield result
            if not result.has_more:
                return
            page += 1

    def search_products(
        self,
        *,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        active: bool | None = None,
        sku: str | None = None,
        page: int = 1,
        max_rows: int | None = None,
    ) -> r.Page[r.ProductSummary]:
        return self._page(
            m.SEARCH_PRODUCTS,
            "Products",
            m.product_summary,
            page,
            max_rows,
            DateModifiedFrom=modified_from,
            DateModifiedTo=modified_to,
            IsActive=active,
            SKU=sku,
        )

    def get_product(
        self, *, product_id: str | None = None, sku: str | None = None
    ) -> r.ProductDetail | None:
        op = m.GET_PRODUCT_DETAIL
        reply = self.call(op, {"ProductID": product_id, "SKU": sku})
        return self._records(op, m.product_detail, reply["Product"]) if reply["Product"] else None

    def search_inventory(
        self,
        *,
        pool: str | None = None,
        sku: str | None = None,
        page: int = 1,
        max_rows: int | None = None,
    ) -> r.Page[r.InventoryLevel]:
        return self._page(
            m.SEARCH_INVENTORY,
            "Inventory",
            m.inventory_level,
            page,
            max_rows,
            InventoryPool=pool,
            SKU=sku,
        )

    def update_inventory(self, sku: str, pool: str, count: int) -> None:
        """Set the absolute count of `sku` in `pool` (WineDirect's Strict mode)."""
        self.call(
            m.UPDATE_INVENTORY,
            {
                "Inventory": {
                    "SKU": sku,
                    "InventoryPool": pool,
                    "CurrentInventory": Decimal(count),
                },
                "Mode": m.INVENTORY_MODE_STRICT,
            },
        )

    def search_contacts(
        self,
        *,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        email: str | None = None,
        contact_id: str | None = None,
        page: int = 1,
        max_rows: int | None = None,
    ) -> r.Page[r.ContactInfo]:
        return self._page(
            m.SEARCH_CONTACTS,
            "Contacts",
            m.contact,
            page,
            max_rows,
            DateModifiedFrom=modified_from,
            DateModifiedTo=modified_to,
            Email=email,
            ContactID=contact_id,
        )

    def get_contact(
        self, *, contact_id: str | None = None, alt_contact_id: str | None = None
    ) -> r.ContactInfo | None:
        op = m.GET_CONTACT
        reply = self.call(op, {"ContactID": contact_id, "AltContactID": alt_contact_id})
        return self._records(op, m.contact, reply["Contact"]) if reply["Contact"] else None

    def search_shipping_addresses(
        self,
        *,
        contact_id: str | None = None,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        page: int = 1,
        max_rows: int | None = None,
    ) -> r.Page[r.ShippingAddressInfo]:
        return self._page(
            m.SEARCH_SHIPPING_ADDRESSES,
            "ShippingAddresses",
            m.shipping_address,
            page,
            max_rows,
            ContactID=contact_id,
            DateModifiedFrom=modified_from,
            DateModifiedTo=modified_to,
        )

    def search_contact_types(
        self, *, modified_from: datetime | None = None, page: int = 1, max_rows: int | None = None
    ) -> r.Page[r.ContactTypeInfo]:
        return self._page(
            m.SEARCH_CONTACT_TYPES,
            "ContactTypes",
            m.contact_type,
            page,
            max_rows,
            DateModifiedFrom=modified_from,
        )

    def add_contact_type(self, contact_id: str, contact_type_id: str) -> None:
        self.call(
            m.ADD_CONTACT_TYPE_TO_CONTACT,
            {"ContactID": contact_id, "ContactTypeID": contact_type_id},
        )

    def search_clubs(self, *, page: int = 1, max_rows: int | None = None) -> r.Page[r.ClubInfo]:
        return self._page(m.SEARCH_CLUBS, "Clubs", m.club, page, max_rows)

    def search_club_memberships(
        self,
        *,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        contact_id: str | None = None,
        page: int = 1,
        max_rows: int | None = None,
    ) -> r.Page[r.MembershipInfo]:
        return self._page(
            m.SEARCH_CLUB_MEMBERSHIPS,
            "ClubMemberships",
            m.membership,
            page,
            max_rows,
            DateModifiedFrom=modified_from,
            DateModifiedTo=modified_to,
            ContactID=contact_id,
        )

    def get_club_membership(self, membership_id: str) -> r.MembershipInfo | None:
        op = m.GET_CLUB_MEMBERSHIP
        reply = self.call(op, {"ClubMembershipID": membership_id})
        membership = reply["ClubMembership"]
        return self._records(op, m.membership, membership) if membership else None

    def search_orders(
        self,
        *,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
        pickup: bool | None = None,
        pending_pickup: bool | None = None,
        pickup_location: str | None = None,
        include_external: bool | None = None,
        order_number: int | None = None,
        page: int = 1,
        max_rows: int | None = None,
    ) -> r.Page[r.OrderSummary]:
        return self._page(
            m.SEARCH_ORDERS,
            "Orders",
            m.order_summary,
            page,
            max_rows,
            DateModifiedFrom=modified_from,
            DateModifiedTo=modified_to,
            IsAPickupOrder=pickup,
            IsPendingPickup=pending_pickup,
            PickupLocationCode=pickup_location,
            IncludeExternalOrders=include_external,
            OrderNumber=None if order_number is None else Decimal(order_number),
        )

    def get_order(
        self, *, order_id: str | None = None, order_number: int | None = None
    ) -> r.OrderDetail | None:
        number = None if order_number is None else Decimal(order_number)
        op = m.GET_ORDER_DETAIL
        reply = self.call(op, {"OrderID": order_id, "OrderNumber": number})
        return self._records(op, m.order_detail, reply["Order"]) if reply["Order"] else None

    # --- writes ---------------------------------------------------------------------------

    def upsert_orders(self, orders: Iterable[r.OrderToSend]) -> list[r.UpsertResult]:
        """Send a batch; WineDirect answers for each order (see `UpsertResult.ok`)."""
        reply = self.call(m.UPSERT_ORDERS, {"Orders": [m.order_to_wire(o) for o in orders]})
        return self._answers(reply)

    def unsendable(self, order: r.OrderToSend) -> str | None:
        """Why this order cannot be put into an UpsertOrder message (an amount that is
        not a number, say), or None. One such order must not fail a whole batch."""
        try:
            self._payload(m.UPSERT_ORDERS, {"Orders": [m.order_to_wire(order)]}, {})
        except (TypeError, ValueError, ArithmeticError) as exc:
            return str(exc) or type(exc).__name__
        return None

    def upsert_contacts(self, contacts: Iterable[r.ContactToSend]) -> list[r.UpsertResult]:
        reply = self.call(m.UPSERT_CONTACTS, {"Contacts": [m.contact_to_wire(c) for c in contacts]})
        return self._answers(reply)

    def post_pickups(self, pickups: Iterable[r.PickupToSend]) -> None:
        self.call(m.POST_PICKUP, pickups=[m.pickup_to_wire(p) for p in pickups])

    def post_shipping_statuses(self, statuses: Iterable[r.ShippingStatusToSend]) -> None:
        self.call(
            m.POST_ORDER_SHIPPING_STATUS,
            ordershippingstatus=[m.shipping_status_to_wire(s) for s in statuses],
        )

    def post_tracking(self, order_number: int, packages: Iterable[r.PackageToSend]) -> None:
        self.call(
            m.POST_ORDER_TRACKING,
            {
                "OrderNumber": Decimal(order_number),
                "Packages": [m.package_to_wire(p) for p in packages],
            },
        )


class _Deadline:
    """One request's wall-clock budget. When it runs out, the client's sockets are shut
    down: that wakes a read blocked on a trickling server at once, wherever the request
    is (sending, waiting for headers, reading the body), where a per-read timeout never
    would. A client serves one call at a time (each sync engine makes its own), so an
    idle pooled connection is the only other thing cut, and the pool replaces it.

    Sockets are learnt from httpcore's trace hook (`trace`) as connections open, and
    kept by the client, since a reused connection's socket is not named again."""

    def __init__(
        self, seconds: float, sockets: weakref.WeakSet[socket.socket], lock: threading.Lock
    ) -> None:
        self.expired = False
        self._sockets = sockets
        self._lock = lock
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        self._timer.join()

    def trace(self, event: str, info: dict[str, Any]) -> None:
        if event not in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            return
        sock = info["return_value"].get_extra_info("socket")
        with self._lock:
            self._sockets.add(sock)
            expired = self.expired
        if expired:  # the deadline passed while this connection was being made
            _cut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _cut(sock)


def _cut(sock: socket.socket) -> None:
    """Shut `sock` down, which ends any read or write blocked on it in another thread.
    The plain socket's shutdown, also for TLS: `SSLSocket.shutdown` would tear down its
    TLS state under the thread that is reading it."""
    with contextlib.suppress(OSError):  # closed meanwhile: nothing left to cut
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


_HEADER_NUMBER = re.compile(r"\s*([+-]?[0-9]{1,15})(?:\.[0-9]*)?\s*")


def _header_int(text: str | None) -> int | None:
    """A header's whole number (a fraction is dropped), or None when it is not a number
    of at most 15 digits: a header is the server's to fill, and may hold anything."""
    match = _HEADER_NUMBER.fullmatch(text or "")
    return int(match[1]) if match else None


def _server_date(response: httpx.Response) -> datetime:
    """The reply's Date header (WineDirect's clock), or ours when it has none (or one
    that is no date WineDirect could be at)."""
    from email.utils import parsedate_to_datetime

    try:
        stamp = parsedate_to_datetime(response.headers.get("date", ""))
    except (TypeError, ValueError, IndexError, OverflowError):
        stamp = None
    if stamp is None or stamp.tzinfo is None or not EARLIEST_YEAR <= stamp.year <= LATEST_YEAR:
        return datetime.now(UTC)
    return stamp.astimezone(UTC)


def _reset_at(response: httpx.Response) -> datetime | None:
    """When WineDirect's request window opens again: by `x-rate-limit-reset` (UTC epoch
    seconds) or else `Retry-After` (seconds), never before the reply's date nor more
    than `MAX_RATE_WAIT_S` after it; None when neither header is a number."""
    now = _server_date(response)
    reset = _header_int(response.headers.get("x-rate-limit-reset"))
    wait = None if reset is None else reset - now.timestamp()
    if wait is None:
        wait = _header_int(response.headers.get("retry-after"))
    if wait is None:
        return None
    return now + timedelta(seconds=min(max(wait, 0), MAX_RATE_WAIT_S))
