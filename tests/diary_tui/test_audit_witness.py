"""The families' computers witness the server's audit chain: each keeps the newest head it
saw, and warns its user when the server's chain no longer holds it (records deleted from the
audit log, or rewritten)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy import delete, func, select

from api_client.client import DiaryClient
from api_client.models import AuditHead, MarkCreate, decode
from demo_server.db import make_engine
from demo_server.schema import AuditRecord
from diary_tui.app import DiaryApp
from diary_tui.config import Notifications
from diary_tui.live import HEAD_KEY
from diary_tui.widgets.status import status_content
from tests.conftest import asgi_transport
from tests.diary_tui.harness import BASE_URL, NOW, TODAY, log_in, record_notes, wait_for


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def _newest(url: str) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.max(AuditRecord.id))) or 0)
    finally:
        await engine.dispose()


async def _delete_from(url: str, position: int) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(delete(AuditRecord).where(AuditRecord.id >= position))
    finally:
        await engine.dispose()


def _saved(app: DiaryApp) -> AuditHead | None:
    store = app.data.store
    saved = store.get_meta(HEAD_KEY) if store is not None else None
    return decode(saved, AuditHead) if saved else None


@pytest.mark.parametrize("then_written", [False, True], ids=["truncated", "rewritten"])
async def test_the_user_is_warned_when_the_servers_chain_loses_a_head_it_saw(
    app: Litestar, demo: Any, demo_url: str, then_written: bool
) -> None:
    """A teacher's mark moves the chain's head, which the parent's app keeps; then the newest
    records are deleted in the database (and, ``then_written``, a new mark takes the freed
    position with another hash). At its next sync the app warns its user, once, and the status
    line says so."""
    transport = asgi_transport(app)
    diary = DiaryApp(
        server=BASE_URL,
        login="parent",
        transport=transport,
        today=TODAY,
        now=lambda: NOW,
        live=True,
        notifications=Notifications(),
    )
    notes = record_notes(diary)
    async with DiaryClient(BASE_URL, transport=transport) as teacher:
        await teacher.login("teacher", demo.password)

        async def give_mark(value: int) -> None:
            await teacher.create_mark(
                MarkCreate(lesson_id=demo.ids["wed1"], pupil_id=demo.ids["pupil"], value=value),
                uuid.uuid4().hex,
            )

        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", demo.password)
            await give_mark(4)
            newest = await _newest(demo_url)
            await wait_for(
                pilot, lambda: (h := _saved(diary)) is not None and h.position == newest, 5
            )
            assert not diary.data.state.audit_warning
            await give_mark(5)
            seen = await _newest(demo_url)
            await wait_for(
                pilot, lambda: (h := _saved(diary)) is not None and h.position == seen, 5
            )
            await _delete_from(demo_url, seen)
            if then_written:
                await give_mark(3)
                assert await _newest(demo_url) == seen
            await wait_for(pilot, lambda: diary.data.state.audit_warning, 5)
            await wait_for(pilot, lambda: any("audit log was changed" in n for n in notes), 2)
            said = next(n for n in notes if "audit log was changed" in n)
            if then_written:
                assert f"its record {seen} is not the one this computer saw" in said
            else:
                assert f"its record {seen}, which this computer saw, is gone" in said
            text = status_content(diary.data.state, NOW, diary.data.zone).plain
            assert "audit log changed on the server!" in text
            # Later syncs keep the warning in the status line but do not repeat it.
            await pilot.pause(2.5)
            assert sum("audit log was changed" in n for n in notes) == 1
            assert diary.data.state.audit_warning
            saved = _saved(diary)
            assert saved is not None and saved.position == seen


async def test_an_intact_chain_raises_no_warning(app: Litestar, demo: Any) -> None:
    transport = asgi_transport(app)
    diary = DiaryApp(
        server=BASE_URL,
        login="parent",
        transport=transport,
        today=TODAY,
        now=lambda: NOW,
        live=True,
        notifications=Notifications(),
    )
    notes = record_notes(diary)
    async with DiaryClient(BASE_URL, transport=transport) as teacher:
        await teacher.login("teacher", demo.password)
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", demo.password)
            for value in (3, 4, 5):
                await teacher.create_mark(
                    MarkCreate(lesson_id=demo.ids["wed1"], pupil_id=demo.ids["pupil"], value=value),
                    uuid.uuid4().hex,
                )
                await asyncio.sleep(0)
                await pilot.pause(1.2)
            assert _saved(diary) is not None
            assert not diary.data.state.audit_warning
            assert not any("audit log" in n for n in notes)
