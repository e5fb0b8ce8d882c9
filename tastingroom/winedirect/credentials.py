"""The WineDirect webservice account's username and password.

They live in the operating system's keyring (never in the database, a config file or a
log). Headless machines and CI set `TASTINGROOM_WINEDIRECT_USERNAME` and
`TASTINGROOM_WINEDIRECT_PASSWORD` instead, which win when both are set. A keyring that
does not exist (a headless Linux box) is reported in plain words, not as a crash.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import keyring
from keyring.errors import KeyringError

from tastingroom.winedirect.errors import MissingCredentials

KEYRING_SERVICE = "Tastingroom WineDirect"
USERNAME_KEY = "webservice-username"
ENV_USERNAME = "TASTINGROOM_WINEDIRECT_USERNAME"
ENV_PASSWORD = "TASTINGROOM_WINEDIRECT_PASSWORD"


@dataclass(frozen=True)
class Credentials:
    """A webservice login. The password never appears in a repr, str or log line."""

    username: str
    password: str = field(repr=False)

    def __str__(self) -> str:
        return f"WineDirect webservice user {self.username}"


def load_credentials() -> Credentials:
    """From the environment when set, else from the keyring; refuses when neither has them."""
    user, password = os.environ.get(ENV_USERNAME), os.environ.get(ENV_PASSWORD)
    if user and password:
        return Credentials(user, password)
    try:
        user = keyring.get_password(KEYRING_SERVICE, USERNAME_KEY)
        password = keyring.get_password(KEYRING_SERVICE, user) if user else None
    except KeyringError as exc:
        raise MissingCredentials(
            "This computer has no password store (keyring) to read the WineDirect login from. "
            f"Set {ENV_USERNAME} and {ENV_PASSWORD}, or install a keyring backend."
        ) from exc
    if not (user and password):
        raise MissingCredentials(
            "No WineDirect webservice login is stored on this computer. Enter it in Settings "
            f"(it is kept in the system keyring), or set {ENV_USERNAME} and {ENV_PASSWORD}."
        )
    return Credentials(user, password)


def store_credentials(credentials: Credentials) -> None:
    """Keep the login in the keyring (replacing any earlier one)."""
    try:
        old = keyring.get_password(KEYRING_SERVICE, USERNAME_KEY)
        if old and old != credentials.username:
            keyring.delete_password(KEYRING_SERVICE, old)
        keyring.set_password(KEYRING_SERVICE, USERNAME_KEY, credentials.username)
        keyring.set_password(KEYRING_SERVICE, credentials.username, credentials.password)
    except KeyringError as exc:
        raise MissingCredentials(
            "This computer has no password store (keyring) to keep the WineDirect login in. "
            f"Set {ENV_USERNAME} and {ENV_PASSWORD} instead."
        ) from exc
