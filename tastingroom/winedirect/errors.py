"""What can go wrong talking to WineDirect, in words a person can act on.

Every message is safe to show and to log: none carries a credential or a request body.
The sync engine decides by type: an `OutcomeUnknown` write must be settled by reading
back before anything is re-sent; `Rejected` records go to quarantine; `RateLimited`
waits until `reset_at`; `ConnectionFailed` is a plain retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
