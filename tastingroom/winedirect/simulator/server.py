"""The simulator's HTTP server: WineDirect's SOAP endpoints on 127.0.0.1.

It answers at WineDirect's paths (`/V301/OrderService.cfc`, `/v202/orderService.cfc`, ...)
with multiRef-encoded replies, as WineDirect's Axis stack does. It checks the webservice
login, keeps the documented rate limit (480 reads a minute per username, with
`x-rate-limit-*` headers and HTTP 429), and injects the faults that `Faults` describes;
these can be changed while it runs, from Python or by POSTing JSON to `/_admin/faults`.
`GET /_admin/state` shows what it holds and how often each write was applied;
`POST /_admin/stamp` stamps a record with a DateModified from the future. Every reply's
`Date` header comes from the state's clock, WineDirect's time, not this machine's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.utils
import json
import logging
import random
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tastingroom.winedirect import mapping as m
from tastingroom.winedirect.simulator.operations import HANDLERS, Refused
from tastingroom.winedirect.simulator.state import APPLIED_KINDS, SimState
from tastingroom.winedirect.soap import (
    Call,
    SoapParseError,
    build_call,
    build_fault,
    iter_parts,
    parse_message,
)

log = logging.getLogger(__name__)

DEMO_USERNAME = "demo-webservice"
DEMO_PASSWORD = "demo-password"


@dataclass
class Faults:
    """What goes wrong, and how often (each rate a fraction from 0 to 1)."""

    latency_ms: int = 0
    fail_rate: float = 0.0
    """Share of requests answered with HTTP 503 (nothing applied)."""
    rate_limit: int = m.READS_PER_MINUTE
    """Requests a minute per username; 0 lifts the limit."""
    limit_writes: bool = False
    """Hold writes to the rate limit too (WineDirect documents it for reads)."""
    reset_before_write: float = 0.0
    """Share of writes whose connection is reset before they are applied."""
    drop_reply_after_write: float = 0.0
    """Share of writes that are applied, then their reply is lost (the connection drops)."""
    malformed_rate: float = 0.0
    """Share of replies that are not well-formed XML (writes are applied first)."""
    fault_on_text: str = ""
    """A poison row: an UpsertOrder or UpsertContact holding this text anywhere is answered
    with a SOAP Fault and none of its batch is applied, as when ColdFusion fails to convert
    the input. Empty: off."""

    def __post_init__(self) -> None:
        if not isinstance(self.fault_on_text, str):
            raise ValueError(f"fault_on_text must be text, not {self.fault_on_text!r}")
        for name in ("fail_rate", "reset_before_write", "drop_reply_after_write", "malformed_rate"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"{name} must be a fraction from 0 to 1, not {value}")
        if self.latency_ms < 0 or self.rate_limit < 0:
            raise ValueError("latency and rate limit cannot be negative")


class RateWindow:
    """Requests counted per username in fixed one-minute windows, as the headers describe."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.counts: dict[tuple[str, int], int] = {}

    def take(self, username: str, limit: int) -> tuple[bool, dict[str, str]]:
        now = self.clock()
        window = int(now // 60)
        reset = (window + 1) * 60
        with self.lock:
            used = self.counts.get((username, window), 0)
            allowed = limit == 0 or used < limit
            if allowed:
                used += 1
                self.counts[(username, window)] = used
            self.counts = {k: v for k, v in self.counts.items() if k[1] >= window}
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - used)) if limit else "unlimited",
            "x-rate-limit-reset": str(reset),
        }
        if not allowed:
            headers["Retry-After"] = str(max(1, int(reset - now)))
        return allowed, headers


_CONVERTED_INPUT = (m.UPSERT_ORDERS, m.UPSERT_CONTACTS)
"""The writes whose input ColdFusion converts as a whole: a bad row faults the batch."""


def _holds_text(value: Any, text: str) -> bool:
    """Whether any string in a decoded request (nested dicts and lists) contains `text`."""
    if isinstance(value, str):
        return text in value
    if isinstance(value, dict):
        return any(_holds_text(v, text) for v in value.values())
    if isinstance(value, list):
        return any(_holds_text(v, text) for v in value)
    return False


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("simulator: " + format, *args)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK hold every keep-alive reply back by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # a connection cut on purpose (a simulated fault)
            super().finish()

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The `Date` header from WineDirect's clock (the state's), not this machine's:
        a register reads WineDirect's time from it, so tests must be able to set it."""
        when = (
            self.server.simulator.state.now()
            if timestamp is None
            else datetime.fromtimestamp(timestamp, UTC)
        )
        return email.utils.format_datetime(when.astimezone(UTC), usegmt=True)

    # --- plumbing -----------------------------------------------------------------------

    def _send(
        self,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "text/xml; charset=utf-8",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _cut(self) -> None:
        """Drop the connection without a reply: the client sees a reset."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _fault(self, message: str, headers: dict[str, str] | None = None) -> None:
        body = build_fault(
            "soapenv:Server.userException",
            f"coldfusion.xml.rpc.CFCInvocationException: {message}",
        )
        self._send(500, body, headers)

    # --- admin --------------------------------------------------------------------------

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), content_type="application/json")

    def do_GET(self) -> None:
        sim = self.server.simulator
        if self.path == "/_admin/state":
            state = sim.state
            self._json(
                200,
                {
                    "summary": state.summary(),
                    "faults": dataclasses.asdict(sim.faults),
                    "register_orders": state.register_order_numbers(),
                    "applied": {kind: state.applied(kind) for kind in APPLIED_KINDS},
                    "overwritten": state.overwritten(),
                },
            )
        else:
            self._send(404, b"Not found", content_type="text/plain")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length)
        admin = {"/_admin/faults": self._set_faults, "/_admin/stamp": self._stamp}
        if self.path in admin:
            try:
                admin[self.path](json.loads(payload or b"{}"))
            except KeyError as exc:
                self._send(404, str(exc.args[0]).encode(), content_type="text/plain")
            except (ValueError, TypeError, AttributeError) as exc:
                self._send(400, str(exc).encode(), content_type="text/plain")
            return
        self.server.simulator.handle_soap(self, payload)

    def _set_faults(self, changes: dict[str, Any]) -> None:
        """POST /_admin/faults: change some faults; answers with all of them."""
        self._json(200, dataclasses.asdict(self.server.simulator.set_faults(**changes)))

    def _stamp(self, body: dict[str, Any]) -> None:
        """POST /_admin/stamp {"kind", "id", "when" (ISO 8601 with a zone)}: a record
        stamped from the future; answers with what was set."""
        for name in ("kind", "id", "when"):
            if not isinstance(body.get(name), str):
                raise ValueError(f"{name} is required, as text")
        when = datetime.fromisoformat(body["when"])
        sim = self.server.simulator
        with sim.state.lock:
            sim.state.stamp_future(body["kind"], body["id"], when)
            sim.changed()
        self._json(200, {**body, "when": when.astimezone(UTC).replace(microsecond=0).isoformat()})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    simulator: Simulator


class Simulator:
    """A running simulated WineDirect (start it, use `url`, stop it)."""

    def __init__(
        self,
        state: SimState | None = None,
        *,
        username: str = DEMO_USERNAME,
        password: str = DEMO_PASSWORD,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int | None = None,
        rate_clock: Callable[[], float] = time.time,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self.state = state or SimState.demo()
        self.on_change = on_change
        """Called with the state's lock held after every change a request made (a write
        applied, a record stamped), before its reply goes out: the demo keeps its account
        on disk with it (`persist`), so nothing a register has seen is ever lost."""
        self.username = username
        self.password = password
        self.faults = faults or Faults()
        self.rng = random.Random(seed)
        self.rate = RateWindow(rate_clock)
        self._server = _Server((host, port), _Handler)
        self._server.simulator = self
        self._thread: threading.Thread | None = None
        self.requests = 0

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Simulator:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="wd-simulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def changed(self) -> None:
        """A request changed the state (call with its lock held)."""
        if self.on_change is not None:
            self.on_change()

    def set_faults(self, **changes: Any) -> Faults:
        self.faults = dataclasses.replace(self.faults, **changes)
        return self.faults

    def _roll(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    def handle_soap(self, h: _Handler, payload: bytes) -> None:
        faults = self.faults
        self.requests += 1
        if faults.latency_ms:
            time.sleep(faults.latency_ms / 1000)
        if self._roll(faults.fail_rate):
            h._send(503, b"Service Temporarily Unavailable", content_type="text/html")
            return
        try:
            message = parse_message(payload)
        except SoapParseError as exc:
            h._fault(f"The request could not be read: {exc}")
            return
        op = m.operation(h.path, message.operation) if isinstance(message, Call) else None
        if op is None or not isinstance(message, Call):
            h._fault(f"No operation {getattr(message, 'operation', '?')} at {h.path}.")
            return
        try:
            parts = dict(iter_parts(message, list(op.parts)))
        except SoapParseError as exc:
            h._fault(f"The request could not be read: {exc}")
            return
        if "Request" in parts:
            request = parts["Request"] or {}
            security = request.get("Security") or {}
            username, password = security.get("Username"), security.get("Password")
        else:
            request = parts
            username, password = parts.get("username"), parts.get("password")

        headers: dict[str, str] = {}
        if faults.rate_limit and (not op.write or faults.limit_writes):
            allowed, headers = self.rate.take(username or "", faults.rate_limit)
            if not allowed:
                h._send(429, b"Too Many Requests", headers, content_type="text/plain")
                return

        def reply(
            fields: dict[str, Any], count: int | None, errors: list[dict] | None = None
        ) -> bytes:
            body = {name: None for name, _ in op.response.fields}
            body.update(fields)
            body.update(
                Errors=errors or [],
                IsSuccessful=not errors,
                RecordCount=None if count is None else count,
            )
            return build_call(
                op.service.namespace,
                f"{op.name}Response",
                [(op.reply_part, op.response, body)],
                multiref=True,
            )

        if (
            op in _CONVERTED_INPUT
            and faults.fault_on_text
            and _holds_text(request, faults.fault_on_text)
        ):
            h._fault(f"The argument {op.parts[0][0]} could not be converted.", headers)
            return
        if username != self.username or password != self.password:
            error = {
                "ErrorCode": "INVALID_LOGIN",
                "ErrorMessage": "Invalid webservice username or password.",
            }
            h._send(200, reply({}, 0, [error]), headers)
            return
        if op.write and self._roll(faults.reset_before_write):
            h._cut()
            return
        try:
            with self.state.lock:
                fields, count = HANDLERS[op](self.state, request)
                if op.write:
                    self.changed()
        except Refused as refusal:
            h._send(
                200,
                reply({}, 0, [{"ErrorCode": refusal.code, "ErrorMessage": refusal.message}]),
                headers,
            )
            return
        except Exception as exc:  # a simulator bug must look like WineDirect's own fault
            log.exception("simulator failed on %s", op.label)
            h._fault(f"{type(exc).__name__}: {exc}", headers)
            return
        if "rows" in fields:
            raise AssertionError("handlers name their result field")
        if op.write and self._roll(faults.drop_reply_after_write):
            h._cut()
            return
        body = reply(fields, count)
        if self._roll(faults.malformed_rate):
            body = body[: len(body) // 2]
        h._send(200, body, headers)
