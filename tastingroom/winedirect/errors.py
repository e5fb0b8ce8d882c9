"""What can go wrong talking to WineDirect, in words a person can act on.

Every message is safe to show and to log: none carries a credential or a request body,
and any text that came from a server has been through `scrub` (one line, no credential,
at most `MAX_MESSAGE_CHARS`), since status shows and keeps the last one.
The sync engine decides by type: an `OutcomeUnknown` write must be settled by reading
back before anything is re-sent; `Rejected` records go to quarantine; `RateLimited`
waits until `reset_at`; `ConnectionFailed` is a plain retry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

MAX_MESSAGE_CHARS = 2_000
"""The most of a server's text kept in a message: enough for any real refusal, and a
200 MB reply that is all message is not saved and printed by every `status`."""

_SCRUB_WINDOW = 4 * MAX_MESSAGE_CHARS
"""How much of a server's text is looked at: the kept part and room for what scrubbing
removes, so that a message of megabytes costs no more than one of a few lines."""
_CREDENTIAL_FIELDS = re.compile(
    r"(<(?:[\w.-]+:)?(?:password|username)\b[^<>]{0,200}(?<!/)>)[^<]{1,1000}"  # <Password>…
    r"|\b((?:password|username)\s*=\s*)(?:[\"'][^\"']{0,1000}[\"']?|[^\s&;,<>\"']{1,1000})"
    r"|(\"(?:password|username)\"\s*:\s*)\"[^\"]{0,1000}\"?",  # "password": "…"
    re.IGNORECASE,
)
"""Where a credential sits in an echoed request: an XML element, `password=…`, JSON.
A closing quote is optional, so that a value cut short by the window is scrubbed too."""
_NOT_ONE_LINE = re.compile(r"[\s\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]+")
"""Line breaks, control characters (a terminal's escapes) and invisible or direction
marks, which could make a message printed by `status` say something it does not."""


def scrub(text: str, username: str = "", password: str = "") -> str:
    """A server's text made fit to keep in a message: the webservice password (and the
    username, when longer than 3 characters, so that it cannot match common words) is
    removed wherever it appears, raw or XML-escaped, as is whatever sits in a password or
    username field of an echoed request; the text is put on one line and cut to
    `MAX_MESSAGE_CHARS` (with "…").

    Credentials are removed before the text is cut to what is kept, and a credential
    that the first cut (to `_SCRUB_WINDOW`) went through is dropped, so that no cut
    ever leaves part of one."""
    secrets = [s for s in (password, username if len(username) > 3 else "") if s]
    forms = {f for s in secrets for f in (s, escape(s), escape(s, {'"': "&quot;", "'": "&apos;"}))}
    window = text[:_SCRUB_WINDOW]
    for form in forms:
        window = re.sub(re.escape(form), "***", window, flags=re.IGNORECASE)
    if len(text) > _SCRUB_WINDOW:
        window = _without_partial(window, forms)
    window = _CREDENTIAL_FIELDS.sub(lambda m: f"{m[1] or m[2] or m[3]}***", window)
    kept = _NOT_ONE_LINE.sub(" ", window).strip()
    cut = len(kept) > MAX_MESSAGE_CHARS or len(text) > _SCRUB_WINDOW
    return kept[:MAX_MESSAGE_CHARS] + "…" if cut else kept


def _without_partial(text: str, secrets: set[str]) -> str:
    """`text` without the beginning of a secret at its end (what a cut through one leaves)."""
    low = text.lower()
    for secret in secrets:
        for length in range(min(len(secret) - 1, len(low)), 0, -1):
            if low.endswith(secret[:length].lower()):
                text, low = text[:-length], low[:-length]
                break
    return text


class WineDirectError(Exception):
    """Base of every WineDirect failure."""


class ConfigurationError(WineDirectError):
    """The connection is set up wrongly (address, credentials missing); retrying won't help."""


class InsecureAddress(ConfigurationError):
    """An address that is not https (plain http is allowed only on this computer)."""


class RedirectRefused(ConfigurationError):
    """WineDirect answered with a redirect, which is never followed."""


class MissingCredentials(ConfigurationError):
    """No WineDirect webservice username and password are stored on this computer."""


class ConnectionFailed(WineDirectError):
    """WineDirect could not be reached, or a read's connection was lost. Raised for a write
    only when the write cannot have been applied (the connection never opened)."""


class ConnectionLost(ConnectionFailed):
    """A read whose connection dropped after it was sent (nothing changes by reading
    again, so the client asks once more before giving up)."""


class DeadlineExceeded(ConnectionFailed):
    """A read that did not end within its deadline (a server trickling its reply); a
    write that overruns is `OutcomeUnknown` instead."""


class OutcomeUnknown(WineDirectError):
    """A write was sent but no usable answer came back: it may or may not have been applied.
    Read back before sending it again."""


class ServerError(WineDirectError):
    """WineDirect answered with an HTTP 5xx error to a read."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class ReplyError(WineDirectError):
    """A reply that could not be understood (not XML, not the SOAP we expect)."""


class RateLimited(WineDirectError):
    """Too many requests (HTTP 429); wait until `reset_at` before the next."""

    def __init__(self, message: str, reset_at: datetime | None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


@dataclass(frozen=True)
class ErrorDetail:
    code: str | None
    message: str | None

    def __str__(self) -> str:
        text = self.message or "no message"
        return f"{text} (WineDirect error {self.code})" if self.code else text


class Fault(WineDirectError):
    """WineDirect raised an exception while handling the request (a SOAP Fault)."""

    def __init__(self, message: str, code: str, detail: str) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


class Rejected(WineDirectError):
    """WineDirect answered IsSuccessful=false: it understood and refused the request."""

    def __init__(self, message: str, errors: list[ErrorDetail]) -> None:
        super().__init__(message)
        self.errors = errors


class AuthenticationFailed(Rejected):
    """The webservice username or password was not accepted."""
