"""Credentials: the keyring wrapper, with an in-memory backend and with none at all."""

from __future__ import annotations

from typing import Any

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import fail

from diary_tui.credentials import Credentials
from tests.diary_tui.conftest import MemoryKeyring


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
