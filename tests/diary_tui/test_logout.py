"""``diary logout`` never throws away writes that wait to be sent unless told to: it refuses,
says how many wait and for what, and offers to send them first."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import func, select

from api_client import client as client_module
from api_client.client import DiaryClient
from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.cli import main
from diary_tui.credentials import Credentials
from diary_tui.outbox_ops import ReplyOp, WeekSignOp
from diary_tui.store import CONFLICT, REJECTED, Store, store_path
from diary_tui.sync import SyncEngine, describe_unsent, describe_waiting
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.conftest import MemoryKeyring
from tests.diary_tui.harness import BASE_URL, MONDAY, password_of
from tests.diary_tui.writes import mark_create

from api_client import models as wire  # isort: skip


class Unreachable(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)


def queue(writes: list[Any]) -> None:
    """Writes made on this computer that have not reached the server."""
    store = Store.open_for(BASE_URL, "parent")
    engine = SyncEngine(DiaryClient(BASE_URL, transport=Unreachable()), store)
    for write in writes:
        engine.enqueue(write)
    store.close()


def three_writes() -> list[Any]:
    return [
        mark_create(key="a", lesson_id=1, pupil_id=2, value=5),
        mark_create(key="b", lesson_id=1, pupil_id=3, value=4),
        ReplyOp(thread_id=7, request=wire.ReplyRequest(body="Спасибо")),
    ]


def test_waiting_writes_in_words() -> None:
    ops = ["mark.create", "mark.update", "message.reply"]
    assert describe_waiting(ops) == "3 writes wait to be sent: 2 marks, 1 message"
    assert describe_waiting(["week.sign"]) == "1 write waits to be sent: 1 week signature"


def test_logout_refuses_while_writes_wait_and_discards_only_when_told(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(three_writes())
    Credentials().save(BASE_URL, "parent", "refresh-token")
    path = store_path(BASE_URL, "parent")

    assert main(["--server", BASE_URL, "--login", "parent", "logout"]) == 1
    said = capsys.readouterr()
    assert "3 writes wait to be sent: 2 marks, 1 message" in said.err
    assert "--send-first" in said.err and "--discard-unsent" in said.err
    # Nothing was touched: the writes, the store and the saved login stay.
    assert path.exists()
    store = Store(path)
    assert store.outbox_count() == 3
    store.close()
    assert memory_keyring.items

    assert main(["--server", BASE_URL, "--login", "parent", "logout", "--discard-unsent"]) == 0
    said = capsys.readouterr()
    assert "Throwing away 3 unsent writes" in said.out
    assert not path.exists()
    assert memory_keyring.items == {}


def test_unsent_writes_in_words_name_the_refused_too() -> None:
    refused = ["absence.set"]
    assert describe_unsent(["mark.create", "mark.update"], refused) == (
        "2 writes wait to be sent: 2 marks; 1 was refused by the server and not yet dealt "
        "with: 1 absence"
    )
    assert describe_unsent([], ["mark.update", "topic.set"]) == (
        "2 writes were refused by the server and not yet dealt with: 1 mark, 1 lesson topic"
    )
    assert describe_unsent(["week.sign"], []) == describe_waiting(["week.sign"])


def test_logout_counts_refused_and_conflicting_writes_not_dealt_with(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    """A write the server refused (or found in conflict) waits for its teacher to correct it
    or let it go: logging out would delete it as surely as one still waiting."""
    queue(three_writes())
    path = store_path(BASE_URL, "parent")
    store = Store(path)
    first, second, _reply = store.pending()
    store.settle(first.id, REJECTED, error="The lesson is in a closed period.")
    store.settle(second.id, CONFLICT, error="Changed meanwhile by another teacher.")
    store.close()

    assert main(["--server", BASE_URL, "--login", "parent", "logout"]) == 1
    said = capsys.readouterr()
    assert (
        "1 write waits to be sent: 1 message; 2 were refused by the server and not yet "
        "dealt with: 2 marks" in said.err
    )
    assert "--discard-unsent" in said.err
    assert path.exists()

    # Once the only waiting write is gone, the refused ones still hold the logout back.
    store = Store(path)
    store.settle(store.pending()[0].id, "sent", result=b"{}")
    store.close()
    assert main(["--server", BASE_URL, "--login", "parent", "logout"]) == 1
    said = capsys.readouterr()
    assert "2 writes were refused by the server and not yet dealt with: 2 marks" in said.err
    assert path.exists()

    # Dealt with (dismissed): nothing is unsent, logging out goes on.
    store = Store(path)
    store.dismiss([item.id for item in store.items((REJECTED, CONFLICT))])
    store.close()
    assert main(["--server", BASE_URL, "--login", "parent", "logout"]) == 0
    assert not path.exists()


def test_discard_unsent_throws_away_the_refused_too(
    memory_keyring: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    queue(three_writes()[:1])
    path = store_path(BASE_URL, "parent")
    store = Store(path)
    store.settle(store.pending()[0].id, REJECTED, error="No such lesson.")
    store.close()
    assert main(["--server", BASE_URL, "--login", "parent", "logout", "--discard-unsent"]) == 0
    assert "Throwing away 1 unsent write, as asked." in capsys.readouterr().out
    assert not path.exists()


def test_logout_without_waiting_writes_still_logs_out(
    memory_keyring: MemoryKeyring, isolated_dirs: Path
) -> None:
    queue([])
    assert main(["--server", BASE_URL, "--login", "parent", "logout"]) == 0
    assert not store_path(BASE_URL, "parent").exists()


def test_send_first_with_the_server_away_still_refuses(
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    queue(three_writes())
    Credentials().save(BASE_URL, "parent", "refresh-token")

    class Away(DiaryClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "transport": Unreachable()})

    monkeypatch.setattr(client_module, "DiaryClient", Away)
    assert main(["--server", BASE_URL, "--login", "parent", "logout", "--send-first"]) == 1
    said = capsys.readouterr()
    assert "the server could not take the rest now" in said.out
    assert "3 writes wait to be sent" in said.err
    assert store_path(BASE_URL, "parent").exists()


@sqlite_only
def test_send_first_sends_the_waiting_writes_once_then_logs_out(
    app: Litestar,
    demo: Any,
    demo_url: str,
    memory_keyring: MemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def log_in() -> tuple[str, int, int]:
        async with DiaryClient(BASE_URL, transport=asgi_transport(app)) as client:
            await client.login("parent", password_of(demo, "parent"))
            me = await client.me()
            assert client.refresh_token is not None
            return client.refresh_token, me.id, me.children[0].id

    token, parent, pupil = asyncio.run(log_in())
    Credentials().save(BASE_URL, "parent", token)
    queue([WeekSignOp(pupil_id=pupil, monday=MONDAY)])

    class InProcess(DiaryClient):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "transport": asgi_transport(app)})

    monkeypatch.setattr(client_module, "DiaryClient", InProcess)
    assert main(["--server", BASE_URL, "--login", "parent", "logout", "--send-first"]) == 0
    assert not store_path(BASE_URL, "parent").exists()
    assert memory_keyring.items == {}

    async def signatures() -> int:
        engine = make_engine(demo_url)
        try:
            async with engine.connect() as c:
                query = select(func.count(s.WeekAcknowledgement.id)).where(
                    s.WeekAcknowledgement.parent_id == parent,
                    s.WeekAcknowledgement.week_start == dt.date(2026, 11, 23),
                )
                return int(await c.scalar(query) or 0)
        finally:
            await engine.dispose()

    assert asyncio.run(signatures()) == 1
