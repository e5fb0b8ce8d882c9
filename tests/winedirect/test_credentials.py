"""Where the WineDirect login is kept: the OS keyring, or the environment on headless
machines; never anywhere a log or a repr could show it."""

from __future__ import annotations

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends.fail import Keyring as NoKeyring
from keyring.errors import PasswordDeleteError

from tastingroom.winedirect.credentials import (
    ENV_PASSWORD,
    ENV_USERNAME,
    Credentials,
    load_credentials,
    store_credentials,
)
from tastingroom.winedirect.errors import MissingCredentials


class MemoryKeyring(KeyringBackend):
    """An in-memory keyring: the real keyring API, nothing written to this machine."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    monkeypatch.delenv(ENV_USERNAME, raising=False)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_stored_in_and_read_from_the_keyring(memory_keyring: MemoryKeyring):
    with pytest.raises(MissingCredentials, match="No WineDirect webservice login"):
        load_credentials()
    store_credentials(Credentials("winery-pos", "first-secret"))
    store_credentials(Credentials("winery-pos-2", "second-secret"))
    assert load_credentials() == Credentials("winery-pos-2", "second-secret")
    assert "first-secret" not in memory_keyring.items.values()  # the old login was removed


def test_environment_wins_for_headless_machines(memory_keyring, monkeypatch):
    store_credentials(Credentials("keyring-user", "keyring-secret"))
    monkeypatch.setenv(ENV_USERNAME, "env-user")
    monkeypatch.setenv(ENV_PASSWORD, "env-secret")
    assert load_credentials() == Credentials("env-user", "env-secret")


def test_no_keyring_at_all_is_a_clear_message(monkeypatch):
    monkeypatch.delenv(ENV_USERNAME, raising=False)
    monkeypatch.delenv(ENV_PASSWORD, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        with pytest.raises(MissingCredentials, match=ENV_USERNAME):
            load_credentials()
        with pytest.raises(MissingCredentials, match="no password store"):
            store_credentials(Credentials("u", "p"))
    finally:
        keyring.set_keyring(previous)


def test_the_password_is_never_shown():
    creds = Credentials("winery-pos", "hunter2-secret")
    assert "hunter2" not in repr(creds) and "hunter2" not in str(creds)
