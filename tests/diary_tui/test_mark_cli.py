"""``diary admin mark set|change|remove``: the administration corrects a closed year's marks
from the command line, always with a reason the audit log keeps; a teacher is refused; an
open year is not corrected so; --help in both languages."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import select

from api_client.models import API_PREFIX
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import sqlite_only
from tests.diary_tui.test_admin_cli import SERVER, run, school_kind  # noqa: F401
from tests.diary_tui.test_journal_correction import close_year

REASON = "ошибка при переносе, исправлено по заявлению"


def as_(login: str, *words: str) -> list[str]:
    return ["--server", SERVER, "--login", login, "admin", "mark", *words]


def audited(url: str, mark_id: int) -> list[tuple[str, str]]:
    async def read() -> list[tuple[str, str]]:
        engine = make_engine(url)
        try:
            async with engine.connect() as conn:
                rows = await conn.execute(
                    select(s.AuditRecord.action, s.AuditRecord.reason)
                    .where(s.AuditRecord.entity == "mark", s.AuditRecord.entity_id == mark_id)
                    .order_by(s.AuditRecord.id)
                )
                return [(r.action, r.reason) for r in rows]
        finally:
            await engine.dispose()

    return asyncio.run(read())


@sqlite_only
def test_the_administration_corrects_a_closed_year_with_a_reason(
    run: Any,  # noqa: F811
    demo: Any,
    demo_url: str,
) -> None:
    asyncio.run(close_year(demo_url))
    lesson, mark = demo.ids["mon1"], demo.ids["mark_edited"]
    code, out, err = run(as_("admin", "set", str(lesson), "Соколов Миша", "4", "--reason", REASON))
    assert code == 0, err
    assert "Given: mark" in out and f"Reason: {REASON}" in out
    given = int(out.split("mark ", 1)[1].split(",", 1)[0])
    assert audited(demo_url, given) == [("create", REASON)]
    code, out, err = run(as_("admin", "change", str(mark), "--value", "3", "--reason", REASON))
    assert code == 0, err
    assert f"Changed: mark {mark}, 5 (" in out and "→ 3 (" in out
    code, out, err = run(as_("admin", "remove", str(mark), "--reason", REASON))
    assert code == 0, err
    assert f"Removed: mark {mark}, 3 (" in out
    assert audited(demo_url, mark)[-2:] == [("update", REASON), ("remove", REASON)]
    # A teacher may not, closed year; nothing was written for them.
    pupil = str(demo.ids["pupil"])
    code, _out, err = run(as_("teacher", "set", str(lesson), pupil, "5", "--reason", REASON))
    assert code == 1 and "closed" in err


@sqlite_only
def test_an_open_year_is_not_corrected_and_a_reason_is_required(
    run: Any,  # noqa: F811
    demo: Any,
) -> None:
    lesson = demo.ids["mon1"]
    code, _out, err = run(as_("admin", "set", str(lesson), "Соколов Миша", "4", "--reason", REASON))
    assert code == 1 and "while the year is open" in err
    with pytest.raises(SystemExit) as exit_:
        run(as_("admin", "set", str(lesson), "Соколов Миша", "4", "--reason", "  "))
    assert exit_.value.code == 2


@pytest.mark.parametrize(
    ("lang", "words"),
    [("en", "Correct the journal of a closed year"), ("ru", "Исправить журнал закрытого года")],
)
def test_help_in_both_languages(lang: str, words: str) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "diary_tui.cli", "--lang", lang, "admin", "mark", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert words in " ".join(done.stdout.split())


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests on and keeps each one's method, path and body."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str, bytes]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.sent.append((request.method, request.url.path, body))
        return await self.inner.handle_async_request(request)


@sqlite_only
def test_a_change_reads_the_mark_and_sends_one_write_on_its_version(
    run: Any,  # noqa: F811
    demo: Any,
    demo_url: str,
) -> None:
    """The mark is read first (its version); then one write, based on it: no write is sent
    on a guessed version to learn the current one from the refusal."""
    asyncio.run(close_year(demo_url))
    mark = demo.ids["mark_edited"]
    for words, method, path, version in (
        (["change", str(mark), "--value", "3"], "PATCH", f"/marks/{mark}", 2),
        (["remove", str(mark)], "POST", f"/marks/{mark}/remove", 3),
    ):
        recorder: list[Recorder] = []

        def wrap(inner: httpx.AsyncBaseTransport, into: list[Recorder] = recorder) -> Recorder:
            into.append(Recorder(inner))
            return into[-1]

        code, _out, err = run(as_("admin", *words, "--reason", REASON), wrap=wrap)
        assert code == 0, err
        about = [
            (m, p.removeprefix(API_PREFIX), b)
            for m, p, b in recorder[0].sent
            if f"/marks/{mark}" in p
        ]
        assert [(m, p) for m, p, _b in about] == [("GET", f"/marks/{mark}"), (method, path)]
        assert msgspec.json.decode(about[1][2])["version"] == version
