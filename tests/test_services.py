"""The service helpers: skip locally, fail in CI; and, where CI provides them, the services work."""

from __future__ import annotations

import pytest

from tests.services import in_ci, postgres_url, require, secret_service_keyring


@pytest.mark.parametrize("value", ["true", "1", "True", "yes"])
def test_in_ci_truthy(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert in_ci()


@pytest.mark.parametrize("value", ["", "0", "false", "no"])
def test_in_ci_falsy(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert not in_ci()


def test_in_ci_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert not in_ci()


def test_require_skips_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="the widget service not available"):
        require(False, "the widget service")


def test_require_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"the widget service not available.*CI"):
        require(False, "the widget service")


@pytest.mark.parametrize("ci", ["true", ""])
def test_require_passes_when_available(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    require(True, "the widget service")  # neither skips nor fails


def test_postgres_url_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIARY_TEST_POSTGRES_URL", raising=False)
    assert postgres_url() is None


def test_postgres_url_set(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://diary:pw@127.0.0.1:5433/diary_test"
    monkeypatch.setenv("DIARY_TEST_POSTGRES_URL", url)
    assert postgres_url() == url


def test_postgres_url_rejects_other_schemes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIARY_TEST_POSTGRES_URL", "sqlite:///tmp/x.sqlite3")
    with pytest.raises(ValueError, match="postgresql://"):
        postgres_url()


@pytest.mark.keyring
def test_secret_service_round_trip() -> None:
    """In CI the Secret Service is up and unlocked; locally this skips without it."""
    import keyring

    with secret_service_keyring() as backend:
        assert keyring.get_keyring() is backend
        keyring.set_password("diary-tui-test", "round-trip", "s3cret")
        try:
            assert keyring.get_password("diary-tui-test", "round-trip") == "s3cret"
        finally:
            keyring.delete_password("diary-tui-test", "round-trip")
        assert keyring.get_password("diary-tui-test", "round-trip") is None
    assert keyring.get_keyring() is not backend


@pytest.mark.postgres
async def test_postgres_reachable() -> None:
    """In CI the throwaway PostgreSQL cluster answers at DIARY_TEST_POSTGRES_URL."""
    url = postgres_url()
    require(url is not None, "PostgreSQL (DIARY_TEST_POSTGRES_URL)")
    assert url is not None
    from sqlalchemy import text

    from demo_server.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
    finally:
        await engine.dispose()
