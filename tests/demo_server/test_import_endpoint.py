"""Roster import through the endpoint: the dry run writes nothing, the real run writes all or
nothing, re-importing changes nothing, and every kind of bad file gets a clear answer."""

from __future__ import annotations

import codecs
import uuid
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import func, select

from api_client.models import ImportAction, Problem, RosterImportReport, UserPage, decode
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import AuditRecord, Enrolment, ParentLink, TeachingAssignment, User
from tests.conftest import LoginAs

API = "/api/v1"

ROSTER = """тип;фамилия;имя;отчество;класс;логин;дети;классы;предметы
ученик;Зайцева;Анна;Сергеевна;5А;;;;
ученик;Зайцев;Павел;;6Б;;;;
ученик;Соколов;Миша;;7В;pupil;;;
родитель;Зайцева;Мария;Петровна;;;"Зайцева Анна 5А; Зайцев Павел 6Б";;
родитель;Соколова;Ирина;;;parent;Зайцева Анна 5А;;
учитель;Петров;Олег;Ильич;;;;"5А, 7В";"Математика; История"
ученик;Зайцева;Анна;Сергеевна;5А;;;;
"""


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def send(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    body: bytes,
    *,
    dry_run: bool,
    content_type: str = "text/csv",
    idem: str | None = None,
) -> httpx.Response:
    return await http.post(
        f"{API}/roster/import",
        params={"dry_run": str(dry_run).lower()},
        content=body,
        headers={
            **headers,
            "Content-Type": content_type,
            "Idempotency-Key": idem or uuid.uuid4().hex,
        },
    )


async def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            out = {}
            for name, table in (
                ("users", User),
                ("enrolments", Enrolment),
                ("links", ParentLink),
                ("teaching", TeachingAssignment),
                ("audit", AuditRecord),
            ):
                out[name] = int(await db.scalar(select(func.count()).select_from(table)) or 0)
            return out
    finally:
        await engine.dispose()


async def test_dry_run_then_import_then_reimport(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    data = ROSTER.encode("utf-8")
    before = await counts(demo_url)
    dry = await send(http, it, data, dry_run=True)
    assert dry.status_code == 200, dry.text
    report = decode(dry.content, RosterImportReport)
    assert report.dry_run and not report.applied
    assert (report.created, report.changed, report.skipped, report.refused) == (4, 2, 1, 0)
    by_line = {r.line: r for r in report.rows}
    assert by_line[4].action is ImportAction.CHANGED  # pupil moves from 5А to 7В
    assert by_line[8].reason == "duplicate of line 2"
    assert await counts(demo_url) == before, "a dry run wrote something"

    real = await send(http, it, data, dry_run=False)
    assert real.status_code == 200, real.text
    applied = decode(real.content, RosterImportReport)
    assert applied.applied and applied.created == 4
    after = await counts(demo_url)
    assert after["users"] == before["users"] + 4
    assert after["links"] == before["links"] + 3
    assert after["teaching"] == before["teaching"] + 4
    assert after["audit"] == before["audit"] + 1
    it_page = decode(
        (await http.get(f"{API}/users", params={"q": "зайцева мария"}, headers=it)).content,
        UserPage,
    )
    [mother] = it_page.items
    assert {c.first_name for c in mother.children} == {"Анна", "Павел"}
    pupil = decode(
        (
            await http.get(f"{API}/users", params={"q": "pupil", "role": "pupil"}, headers=it)
        ).content,
        UserPage,
    ).items[0]
    assert pupil.class_ is not None and pupil.class_.name == "7В"

    again = await send(http, it, data, dry_run=False)
    assert again.status_code == 200
    second = decode(again.content, RosterImportReport)
    assert (second.created, second.changed, second.refused) == (0, 0, 0)
    assert second.unchanged == 6
    assert (await counts(demo_url))["users"] == after["users"]


async def test_one_bad_line_writes_nothing(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    it = await login_as(http, "it")
    bad = ROSTER + "ученик;Орлов;Илья;;11Щ;;;;\n"
    before = await counts(demo_url)
    response = await send(http, it, bad.encode("utf-8"), dry_run=False)
    assert response.status_code == 422, response.text
    problem = msgspec.json.decode(response.content)
    assert "nothing was imported" in problem["detail"]
    report = msgspec.convert(problem["current"], RosterImportReport)
    assert report.refused == 1 and not report.applied
    refused = next(r for r in report.rows if r.action is ImportAction.REFUSED)
    assert refused.line == 9 and "11Щ" in refused.reason
    assert await counts(demo_url) == before


async def test_replayed_key_and_the_file_in_the_key(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    it = await login_as(http, "it")
    first = await send(http, it, ROSTER.encode(), dry_run=False, idem="roster-2026-11-25")
    replay = await send(http, it, ROSTER.encode(), dry_run=False, idem="roster-2026-11-25")
    assert replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.content == first.content
    other = await send(http, it, (ROSTER + "\n").encode(), dry_run=False, idem="roster-2026-11-25")
    assert other.status_code == 422 and "different change" in decode(other.content, Problem).detail


@pytest.mark.parametrize(
    ("body", "encoding", "words"),
    [
        (b"", None, "empty"),
        (b"\x00\x01\x02\xff\xfe garbage \x00", None, ""),
        ("фамилия;имя\n".encode(), None, ""),
        (b"just one column\nvalue\n", None, ""),
    ],
)
async def test_unreadable_files_are_refused_clearly(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo_url: str,
    body: bytes,
    encoding: str | None,
    words: str,
) -> None:
    it = await login_as(http, "it")
    before = await counts(demo_url)
    for dry_run in (True, False):
        response = await send(http, it, body, dry_run=dry_run)
        assert response.status_code == 422, response.text
        problem = decode(response.content, Problem)
        assert problem.detail and words in problem.detail
    assert await counts(demo_url) == before


@pytest.mark.parametrize(
    "encode",
    [
        lambda text: text.encode("utf-8"),
        lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
        lambda text: text.encode("cp1251"),
        lambda text: text.replace(";", ",").encode("utf-8"),
        lambda text: text.replace(";", " ;  ").encode("utf-8"),
    ],
    ids=["utf8", "bom", "cp1251", "commas", "stray-spaces"],
)
async def test_spreadsheet_variants_plan_the_same(
    http: httpx.AsyncClient, login_as: LoginAs, encode: Any
) -> None:
    it = await login_as(http, "it")
    response = await send(http, it, encode(ROSTER), dry_run=True)
    assert response.status_code == 200, response.text
    report = decode(response.content, RosterImportReport)
    assert (report.created, report.changed, report.refused) == (4, 2, 0), report.rows


async def test_wrong_content_type_and_roles(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    it = await login_as(http, "it")
    json_body = await send(http, it, b'{"a": 1}', dry_run=True, content_type="application/json")
    assert json_body.status_code == 415
    assert decode(json_body.content, Problem).field == "Content-Type"
    for role in ("admin", "teacher", "parent"):
        headers = await login_as(http, role)
        response = await send(http, headers, ROSTER.encode(), dry_run=True)
        assert response.status_code == 403, role
    assert (await send(http, {}, ROSTER.encode(), dry_run=True)).status_code == 401


# --- cost: a bigger file costs no more queries, and the server answers others meanwhile ------


def _pupils(n: int, surname: str, cls: str, logins: list[str] | None = None) -> bytes:
    lines = ["тип;фамилия;имя;отчество;класс;логин;дети"]
    for i in range(n):
        login = logins[i] if logins else ""
        lines.append(f"ученик;{surname};Имя{i};;{cls};{login};")
        lines.append(f"родитель;{surname};Родитель{i};;;;{surname} Имя{i} {cls}")
    return ("\n".join(lines) + "\n").encode("utf-8")


async def test_a_file_twice_as_long_costs_the_same_queries(
    http: httpx.AsyncClient, login_as: LoginAs, app: Any
) -> None:
    """Import, then rename and move every pupil of it: the number of statements sent to the
    database does not grow with the lines (everything is read up front and written in
    batches), so the work is linear in the file whatever the database's round trip costs."""
    from sqlalchemy import event

    it = await login_as(http, "it")
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    warm_up = await send(http, it, _pupils(1, "Разминкина", "5А"), dry_run=False)
    assert warm_up.status_code == 200, warm_up.text  # what is read once per app is read
    engine = app.state["server"].engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        costs: list[tuple[int, ...]] = []
        for n, surname in ((8, "Счётова"), (16, "Расчётова")):
            steps = []
            statements = 0
            created = await send(http, it, _pupils(n, surname, "5А"), dry_run=False)
            assert created.status_code == 200, created.text
            steps.append(statements)
            report = decode(created.content, RosterImportReport)
            logins = [r.login for r in report.rows if r.kind is not None and r.class_name]
            assert len(logins) == n
            moved = _pupils(n, surname + "Новая", "6Б", logins)
            for dry_run in (True, False):
                statements = 0
                answer = await send(http, it, moved, dry_run=dry_run)
                assert answer.status_code == 200, answer.text
                steps.append(statements)
            changed = decode(answer.content, RosterImportReport)
            assert changed.changed == n and changed.refused == 0
            costs.append(tuple(steps))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert costs[0] == costs[1]
    page = decode(
        (await http.get(f"{API}/users", params={"q": "РасчётоваНовая Имя15"}, headers=it)).content,
        UserPage,
    )
    [pupil] = page.items
    assert pupil.class_ is not None and pupil.class_.name == "6Б"


async def test_health_is_answered_while_an_import_is_planned(
    http: httpx.AsyncClient, login_as: LoginAs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file is read while /health is asked: /health is answered before reading ends."""
    import asyncio
    import threading

    from demo_server.roster import parse_roster
    from demo_server.routes import roster as routes

    it = await login_as(http, "it")
    reading, health_answered = threading.Event(), threading.Event()
    order: list[str] = []

    def slow_reading(data: bytes) -> Any:
        reading.set()
        health_answered.wait(10)  # on the event loop, this would hold /health back 10 s
        order.append("file read")
        return parse_roster(data)

    monkeypatch.setattr(routes, "parse_roster", slow_reading)
    importing = asyncio.create_task(send(http, it, ROSTER.encode("utf-8"), dry_run=True))
    assert await asyncio.to_thread(reading.wait, 10)
    health = await http.get(f"{API}/health")
    order.append("health answered")
    health_answered.set()
    assert health.status_code == 200
    assert (await importing).status_code == 200
    assert order == ["health answered", "file read"]


async def test_too_many_imports_at_once_are_told_to_come_back(
    http: httpx.AsyncClient, login_as: LoginAs, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import threading

    from demo_server.heavy import HeavyWork
    from demo_server.roster import parse_roster
    from demo_server.routes import roster as routes

    heavy = app.state["server"].heavy = HeavyWork(at_once=1, waiting=1)
    it = await login_as(http, "it")
    reading, go_on = threading.Event(), threading.Event()

    def held_reading(data: bytes) -> Any:
        reading.set()
        go_on.wait(10)
        return parse_roster(data)

    monkeypatch.setattr(routes, "parse_roster", held_reading)
    first = asyncio.create_task(send(http, it, ROSTER.encode("utf-8"), dry_run=True))
    assert await asyncio.to_thread(reading.wait, 10)
    second = asyncio.create_task(send(http, it, ROSTER.encode("utf-8"), dry_run=True))
    for _ in range(1000):  # the second waits its turn; the third finds the queue full
        if heavy.waiting:
            break
        await asyncio.sleep(0.01)
    assert heavy.waiting == 1
    third = await send(http, it, ROSTER.encode("utf-8"), dry_run=True)
    go_on.set()
    assert third.status_code == 503, third.text
    assert third.headers["Retry-After"] == "30"
    problem = msgspec.json.decode(third.content, type=Problem)
    assert "busy with roster imports" in problem.detail
    assert (await first).status_code == 200
    assert (await second).status_code == 200


@pytest.mark.parametrize("dry_run", [True, False])
async def test_the_report_is_made_and_encoded_off_the_event_loop(
    http: httpx.AsyncClient, login_as: LoginAs, monkeypatch: pytest.MonkeyPatch, dry_run: bool
) -> None:
    """A big report is 2 MB of JSON: it is built and encoded in the worker thread, and the loop
    sends the bytes (it neither encodes them nor keeps the report's objects alive)."""
    import threading

    from demo_server import heavy
    from demo_server.roster import plan_report
    from demo_server.routes import roster as routes

    loop_thread = threading.get_ident()
    threads: dict[str, int] = {}

    def reporting(*args: Any, **kwargs: Any) -> Any:
        threads["report made"] = threading.get_ident()
        return plan_report(*args, **kwargs)

    def encoding(value: Any) -> bytes:
        if isinstance(value, RosterImportReport):
            threads["report encoded"] = threading.get_ident()
        return msgspec.json.encode(value)

    monkeypatch.setattr(routes, "plan_report", reporting)
    monkeypatch.setattr(heavy, "encode", encoding)
    it = await login_as(http, "it")
    answer = await send(http, it, ROSTER.encode("utf-8"), dry_run=dry_run)
    assert answer.status_code == 200, answer.text
    report = decode(answer.content, RosterImportReport)
    assert report.dry_run is dry_run and report.created > 0
    assert set(threads) == {"report made", "report encoded"}
    assert loop_thread not in threads.values()
    if not dry_run:  # the replay answers the stored bytes, the same report
        again = await send(
            http,
            it,
            ROSTER.encode("utf-8"),
            dry_run=False,
            idem=answer.request.headers["Idempotency-Key"],
        )
        assert again.headers["Idempotent-Replayed"] == "true"
        assert decode(again.content, RosterImportReport) == report


async def test_parents_contacts_are_imported_and_a_bad_one_writes_nothing(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    it = await login_as(http, "it")
    roster = (
        "тип;фамилия;имя;класс;дети;Телефон;E-mail\n"
        "ученик;Зайцева;Анна;5А;;;\n"
        "родитель;Зайцева;Мария;;Зайцева Анна 5А;+7 912 345-67-89;{email}\n"
    )
    before = await counts(demo_url)
    bad = await send(http, it, roster.format(email="maria@").encode(), dry_run=False)
    assert bad.status_code == 422, bad.text
    assert await counts(demo_url) == before
    done = await send(http, it, roster.format(email="Maria@Mail.RU").encode(), dry_run=False)
    assert done.status_code == 200, done.text
    page = decode(
        (await http.get(f"{API}/users", params={"q": "зайцева мария"}, headers=it)).content,
        UserPage,
    )
    assert [(u.phone, u.email) for u in page.items] == [("+7 912 345-67-89", "Maria@mail.ru")]
    moved = roster.format(email="").replace("+7 912 345-67-89", "8 343 222-33-44")
    report = decode(
        (await send(http, it, moved.encode(), dry_run=False)).content, RosterImportReport
    )
    [change] = [c for row in report.rows for c in row.changes]
    assert (change.field, change.label, change.after) == ("phone", "Телефон", "8 343 222-33-44")
    page = decode(
        (await http.get(f"{API}/users", params={"q": "зайцева мария"}, headers=it)).content,
        UserPage,
    )
    assert [(u.phone, u.email) for u in page.items] == [("8 343 222-33-44", "Maria@mail.ru")]
