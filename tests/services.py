"""Helpers for integration tests that need an outside service.

A test that needs PostgreSQL or the Secret Service keyring asks for it through ``require``:
locally, a missing service skips the test; in CI (``CI`` set, as ``.ci/run`` does) it fails,
because CI starts both services and a skip there would hide a broken set-up.

    from tests.services import postgres_url, require, secret_service_available

    def test_token_in_keyring() -> None:
        require(secret_service_available(), "the Secret Service keyring")
        ...
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

_TRUTHY = {"1", "true", "yes", "on"}

#: The environment variable that carries the PostgreSQL URL for tests.
POSTGRES_URL_ENV = "DIARY_TEST_POSTGRES_URL"

#: How long the keyring probe may take before the keyring counts as unavailable.
KEYRING_PROBE_TIMEOUT = 5.0


def in_ci() -> bool:
    """True when the ``CI`` environment variable is set to a truthy value ("true", "1")."""
    return os.environ.get("CI", "").strip().lower() in _TRUTHY


def require(available: bool, what: str) -> None:
    """Skip the calling test when ``what`` is not available; fail instead when in CI."""
    if available:
        return
    if in_ci():
        pytest.fail(
            f"{what} not available, but CI is set: CI must provide it "
            "(see .ci/run), so this test fails instead of skipping",
            pytrace=False,
        )
    pytest.skip(f"{what} not available")


def postgres_url() -> str | None:
    """The PostgreSQL URL from ``DIARY_TEST_POSTGRES_URL``, or None when it is not set.

    A value that is set but is not a ``postgresql://`` URL is an error, not a silent skip.
    """
    url = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if not url:
        return None
    scheme = urlsplit(url).scheme
    if scheme != "postgresql" and not scheme.startswith("postgresql+"):
        raise ValueError(
            f"{POSTGRES_URL_ENV} must be a postgresql://user:password@host:port/db URL, "
            f"got scheme {scheme!r}"
        )
    return url


def _probe_secret_service() -> bool:
    """Round-trip a throwaway entry through the Secret Service backend itself.

    The backend is built directly rather than taken from ``keyring.get_keyring()``: tests
    install other backends with ``keyring.set_keyring()`` (and any ``KeyringBackend``
    subclass a test defines joins keyring's automatic detection), so the process-wide default
    says nothing about whether the real Secret Service works.
    """
    import keyring.errors
    from keyring.backends import SecretService

    if not SecretService.Keyring.viable:  # no secretstorage, no bus, or no service on it
        return False
    backend: KeyringBackend = SecretService.Keyring()  # type: ignore[no-untyped-call]
    service = "diary-tui-test-probe"
    user = f"probe-{uuid.uuid4().hex}"
    secret = uuid.uuid4().hex
    try:
        backend.set_password(service, user, secret)
        try:
            return backend.get_password(service, user) == secret
        finally:
            backend.delete_password(service, user)
    except (keyring.errors.KeyringError, OSError):
        return False


@functools.cache
def secret_service_available() -> bool:
    """True when a real, unlocked Secret Service keyring answers on the session bus.

    The probe runs in a daemon thread and counts as a failure after
    ``KEYRING_PROBE_TIMEOUT`` seconds: without a session bus, D-Bus calls can block.
    The answer is cached for the test session.
    """
    result: list[bool] = []

    def probe() -> None:
        try:
            result.append(_probe_secret_service())
        except Exception:  # any failure of the backend means "not available"
            result.append(False)

    thread = threading.Thread(target=probe, name="secret-service-probe", daemon=True)
    thread.start()
    thread.join(KEYRING_PROBE_TIMEOUT)
    return bool(result) and result[0]


@contextlib.contextmanager
def secret_service_keyring() -> Iterator[KeyringBackend]:
    """Make the real Secret Service the default keyring inside the block.

    Requires it (skip locally, fail in CI when it is missing), yields the backend, and
    restores the previous default afterwards::

        def test_remember_me() -> None:
            with secret_service_keyring():
                ...  # keyring.get_password() etc. now talk to the Secret Service
    """
    require(secret_service_available(), "the Secret Service keyring")
    import keyring
    from keyring.backends import SecretService

    previous = keyring.get_keyring()
    backend: KeyringBackend = SecretService.Keyring()  # type: ignore[no-untyped-call]
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
