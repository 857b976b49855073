"""Schemathesis hooks for ``run_schemathesis``: a bearer token for one demo account.

Loaded by ``st run`` through ``SCHEMATHESIS_HOOKS``. The account's first access token and its
refresh token come from the environment (``DIARY_ST_ACCESS``, ``DIARY_ST_REFRESH``,
``DIARY_ST_BASE``); a new pair is taken from ``/auth/refresh`` before the access token expires
(or at once after a 401), so a run longer than the token's lifetime stays logged in. Refreshing
never goes through ``/auth/login``, which the anonymous pass floods with wrong passwords.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import httpx
import schemathesis

_lock = threading.Lock()
_tokens = {
    "access": os.environ.get("DIARY_ST_ACCESS", ""),
    "refresh": os.environ.get("DIARY_ST_REFRESH", ""),
}
_first = [True]


def _refreshed() -> str:
    with _lock:
        if _first[0]:
            _first[0] = False
            return _tokens["access"]
        response = httpx.post(
            f"{os.environ['DIARY_ST_BASE']}/auth/refresh",
            json={"refresh_token": _tokens["refresh"]},
            timeout=30,
        )
        response.raise_for_status()
        pair = response.json()
        _tokens["access"] = pair["access_token"]
        _tokens["refresh"] = pair["refresh_token"]
        return _tokens["access"]


if os.environ.get("DIARY_ST_REFRESH"):

    @schemathesis.auth(refresh_interval=120)
    class DemoAccountAuth:
        def get(self, case: Any, ctx: Any) -> str:
            return _refreshed()

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = case.headers or {}
            case.headers["Authorization"] = f"Bearer {data}"
