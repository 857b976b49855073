"""Credentials in the OS keyring: the refresh token of a remembered login, and nothing else.

The access token lives only in memory. Where no keyring backend exists (a bare server over SSH,
say), :meth:`Credentials.available` says so in plain words and nothing is written anywhere: the
user can still log in for the session.
"""

from __future__ import annotations

import threading
from typing import Any

from api_client.i18n import _

SERVICE = "diary-tui"
_PROBE_SECONDS = 5.0


def account_key(server: str, login: str) -> str:
    return f"{login}@{server.rstrip('/')}"


class KeyringError(Exception):
    """The keyring refused or failed; the message says so in plain words."""


class Credentials:
    """The refresh tokens of remembered logins, one keyring entry per server and login."""

    def __init__(self, service: str = SERVICE) -> None:
        self.service = service
        self._availability: tuple[bool, str] | None = None

    def _keyring(self) -> Any:
        import keyring

        return keyring

    def available(self) -> tuple[bool, str]:
        """Whether a usable keyring backend exists, and if not, why, in plain words."""
        if self._availability is None:
            self._availability = self._probe()
        return self._availability

    def _probe(self) -> tuple[bool, str]:
        result: list[tuple[bool, str]] = []

        def probe() -> None:
            try:
                backend = self._keyring().get_keyring()
            except Exception as exc:
                result.append(
                    (
                        False,
                        _(
                            "The system keyring could not be opened ({reason}). You can still "
                            "log in for this session."
                        ).format(reason=exc),
                    )
                )
                return
            priority = getattr(backend, "priority", 0)
            module = type(backend).__module__
            if priority <= 0 or module.startswith(
                ("keyring.backends.fail", "keyring.backends.null")
            ):
                result.append(
                    (
                        False,
                        _(
                            "No system keyring was found (on Linux: GNOME Keyring, KWallet or "
                            "another Secret Service), so the login cannot be remembered. You can "
                            "still log in for this session."
                        ),
                    )
                )
                return
            result.append((True, ""))

        # Some backends talk to D-Bus and can block for minutes when it is half there.
        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        thread.join(_PROBE_SECONDS)
        if not result:
            return (
                False,
                _(
                    "The system keyring did not answer, so the login cannot be remembered. "
                    "You can still log in for this session."
                ),
            )
        return result[0]

    def save(self, server: str, login: str, refresh_token: str) -> None:
        try:
            self._keyring().set_password(self.service, account_key(server, login), refresh_token)
        except Exception as exc:
            raise KeyringError(
                _("The system keyring refused to store the login: {reason}").format(reason=exc)
            ) from exc

    def load(self, server: str, login: str) -> str | None:
        try:
            value = self._keyring().get_password(self.service, account_key(server, login))
        except Exception:
            return None
        return value if isinstance(value, str) else None

    def delete(self, server: str, login: str) -> bool:
        """Forget the token; True when there was one."""
        keyring = self._keyring()
        try:
            keyring.delete_password(self.service, account_key(server, login))
        except keyring.errors.PasswordDeleteError:
            return False
        except Exception as exc:
            raise KeyringError(
                _("The system keyring refused to forget the login: {reason}").format(reason=exc)
            ) from exc
        return True
