"""``GET /audit/head?at=N`` and ``ChangeFeed.head``: a position and a hash of the audit chain,
for the families' computers to witness it; nothing of what a record says."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from api_client.models import API_PREFIX, AuditHead, ChangeFeed, decode
from demo_server.db import make_engine
from demo_server.schema import AuditRecord
from tests.conftest import LoginAs


async def _chain(url: str) -> list[tuple[int, str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(AuditRecord.id, AuditRecord.hash).order_by(AuditRecord.id)
            )
            return [(int(r[0]), str(r[1])) for r in rows]
    finally:
        await engine.dispose()


async def test_head_is_on_every_feed_page_and_at_any_position(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    chain = await _chain(demo_url)
    headers = await login_as(http, demo.featured[0].login)  # a parent
    response = await http.get(f"{API_PREFIX}/changes", headers=headers)
    assert response.status_code == 200
    feed = decode(response.content, ChangeFeed)
    assert feed.head == AuditHead(position=chain[-1][0], hash=chain[-1][1])
    position, digest = chain[len(chain) // 2]
    response = await http.get(f"{API_PREFIX}/audit/head", params={"at": position}, headers=headers)
    assert response.status_code == 200
    assert response.json() == {"position": position, "hash": digest}


async def test_a_position_the_chain_does_not_hold_is_404(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    chain = await _chain(demo_url)
    headers = await login_as(http, demo.featured[0].login)
    response = await http.get(
        f"{API_PREFIX}/audit/head", params={"at": chain[-1][0] + 1}, headers=headers
    )
    assert response.status_code == 404
    problem = response.json()
    assert problem["field"] == "at"
    assert "holds no record" in problem["detail"]
    response = await http.get(f"{API_PREFIX}/audit/head", params={"at": 0}, headers=headers)
    assert response.status_code == 400


async def test_head_needs_a_signed_in_user(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{API_PREFIX}/audit/head", params={"at": 1})
    assert response.status_code == 401
