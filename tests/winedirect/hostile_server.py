"""A WineDirect impostor on 127.0.0.1 that answers with whatever a test scripts.

Raw sockets rather than `http.server`, because the replies worth testing are the ones a
well-behaved server library would never send: a body that never ends, one byte every
twenty seconds, a Content-Length of 200 MB. A script writes the whole reply itself and
is told (by `stop`) when the test is over; a client that hangs up mid-reply is the
normal end of most scripts here, so a broken pipe ends one quietly.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable, Iterable

Script = Callable[[socket.socket, bytes, threading.Event], bool]
"""Writes one reply: (connection, the request's body, the test's stop signal) -> whether
the connection stays open for the next request."""


def http_reply(
    body: bytes | Callable[[], Iterable[bytes]],
    *,
    status: str = "200 OK",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> Script:
    """A script sending `body` (bytes, or a function making each reply's chunks as they
    are sent, so that a reply of gigabytes never exists in memory) with a Content-Length
    (`length`, or the body's own), or chunked when `length` is -1. The connection is closed after it
    unless `headers` say `Connection: keep-alive`."""

    def send(conn: socket.socket, request: bytes, stop: threading.Event) -> bool:
        head = {"Content-Type": "text/xml; charset=utf-8", "Connection": "close", **(headers or {})}
        if length == -1:
            head["Transfer-Encoding"] = "chunked"
        else:
            head["Content-Length"] = str(len(body) if length is None else length)
        lines = "".join(f"{k}: {v}\r\n" for k, v in head.items())
        conn.sendall(f"HTTP/1.1 {status}\r\n{lines}\r\n".encode())
        for chunk in (body,) if isinstance(body, bytes) else body():
            if stop.is_set():
                return False
            conn.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if length == -1 else chunk)
        if length == -1:
            conn.sendall(b"0\r\n\r\n")
        return head["Connection"] == "keep-alive"

    return send


def trickle(head: bytes, every: float) -> Script:
    """A script sending `head` one byte at a time, `every` seconds apart."""

    def send(conn: socket.socket, request: bytes, stop: threading.Event) -> bool:
        for i in range(len(head)):
            conn.sendall(head[i : i + 1])
            if stop.wait(every):
                break
        return False

    return send


class HostileServer:
    """Serves `script` to every request until `script` is changed (to show that the
    client works again); `requests` keeps each request's body. Leaves no thread behind
    once the `with` ends."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.requests: list[bytes] = []
        self.stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self._acceptor.join()
        for thread in self._threads:
            thread.join()
        self._listener.close()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            thread = threading.Thread(target=self._serve, args=(conn,), name="hostile-serve")
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):  # the client hung up: the usual ending
            conn.settimeout(5)
            while (request := _read_request(conn)) is not None:
                self.requests.append(request)
                if not self.script(conn, request, self.stop):
                    conn.shutdown(socket.SHUT_WR)
                    return


def _read_request(conn: socket.socket) -> bytes | None:
    """The body of the next HTTP request on `conn` (the client always sends a
    Content-Length), or None once the client has closed it."""
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return None
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            break
        body += more
    return body
