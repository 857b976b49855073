"""Credentials: the keyring wrapper, with an in-memory backend and with none at all."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import keyring
import keyring.backend
import keyring.errors
import pytest
from keyring.backends import fail

from diary_tui.credentials import Credentials


class MemoryKeyring(keyring.backend.KeyringBackend):
    priority = 10

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]


# Every backend class joins keyring's automatic detection: keep this one out of it, so tests that
# rely on the real default backend are not silently handed an in-memory one.
keyring.backend.KeyringBackend._classes.discard(MemoryKeyring)


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous: Any = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_save_load_delete(memory_keyring: MemoryKeyring) -> None:
    creds = Credentials()
    assert creds.available() == (True, "")
    creds.save("http://s/", "anna", "tok")
    assert creds.load("http://s", "anna") == "tok"
    assert creds.load("http://s", "boris") is None
    assert creds.delete("http://s", "anna")
    assert not creds.delete("http://s", "anna")
    assert memory_keyring.items == {}


def test_no_backend_is_explained() -> None:
    previous: Any = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        ok, why = Credentials().available()
    finally:
        keyring.set_keyring(previous)
    assert not ok
    assert "still log in" in why
