"""A school from nothing: ``diary-server init``, then its set-up through the API (year,
periods, holidays, bell schedules, subjects, rooms, classes), with conflicts named; and two
schools made this way on one server, each blind to the other."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from api_client.models import API_PREFIX, Problem, decode
from demo_server import schema as s
from demo_server.cli import main as server_main
from demo_server.db import make_engine
from demo_server.migrate import upgrade_engine
from demo_server.setup_school import init_school
from tests.conftest import BASE_URL, asgi_transport, frozen_settings, server_app

TODAY = dt.date(2026, 11, 25)
NOW = frozen_settings(TODAY).now()
NEW_PASSWORD = "Ключ-от-школы-2026"


@dataclass
class School:
    id: int
    headers: dict[str, str]


async def _it_account(http: httpx.AsyncClient, login: str, password: str) -> dict[str, str]:
    """Logs the first IT account in and changes its one-time password, as its owner must."""
    answer = await http.post(
        f"{API_PREFIX}/auth/login", json={"login": login, "password": password}
    )
    assert answer.status_code == 200, answer.text
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    refused = await http.get(f"{API_PREFIX}/setup/years", headers=headers)
    assert refused.status_code == 403, refused.text  # the one-time password's gate
    changed = await http.post(
        f"{API_PREFIX}/me/password",
        json={"old": password, "new": NEW_PASSWORD},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert changed.status_code == 200, changed.text
    answer = await http.post(
        f"{API_PREFIX}/auth/login", json={"login": login, "password": NEW_PASSWORD}
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
async def two(db_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, School, School, Any]]:
    """Two schools made by ``init_school`` on one empty server, each IT account logged in."""
    engine = make_engine(db_url)
    await upgrade_engine(engine)
    made = []
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        for name in ("МБОУ «Школа № 7»", "Гимназия № 2"):
            made.append(
                await init_school(db, name=name, timezone="Europe/Moscow", language="ru", now=NOW)
            )
        await db.commit()
    await engine.dispose()
    app = server_app(db_url, frozen_settings(TODAY), slot="two schools")
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as http:
        schools = [
            School(one.school_id, await _it_account(http, one.login, one.password)) for one in made
        ]
        yield http, schools[0], schools[1], app
    await app.state["server"].engine.dispose()


async def send(
    http: httpx.AsyncClient, method: str, path: str, school: School, body: Any = None
) -> httpx.Response:
    headers = dict(school.headers)
    if method != "GET":
        headers["Idempotency-Key"] = uuid.uuid4().hex
    return await http.request(method, f"{API_PREFIX}{path}", json=body, headers=headers)


def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def problem(answer: httpx.Response, status: int, field: str) -> Problem:
    assert answer.status_code == status, answer.text
    refusal = decode(answer.content, Problem)
    assert refusal.field == field, answer.text
    assert refusal.detail
    return refusal


async def set_up(http: httpx.AsyncClient, school: School) -> dict[str, int]:
    """A small school: a year with two halves and a holiday, bells, a subject, a room, 5А."""
    year = ok(
        await send(
            http,
            "POST",
            "/setup/years",
            school,
            {"name": "2026/2027", "start": "2026-09-01", "end": "2027-05-31"},
        ),
        201,
    )
    first = ok(
        await send(
            http,
            "POST",
            f"/setup/years/{year['id']}/periods",
            school,
            {"kind": "half", "number": 1, "start": "2026-09-01", "end": "2026-12-28"},
        ),
        201,
    )
    assert first["name"] == "1 полугодие"  # the school's language
    holidays = ok(
        await send(
            http,
            "POST",
            f"/setup/years/{year['id']}/holidays",
            school,
            {"start": "2026-12-29", "end": "2027-01-08", "name": "Зимние каникулы"},
        ),
        201,
    )
    assert len(holidays["holidays"]) == 11
    bells = ok(
        await send(
            http,
            "POST",
            "/setup/bell-schedules",
            school,
            {
                "name": "Основное",
                "weekdays": [0, 1, 2, 3, 4],
                "bells": [
                    {"number": 1, "start": "08:30", "end": "09:15"},
                    {"number": 2, "start": "09:25", "end": "10:10"},
                ],
            },
        ),
        201,
    )
    subject = ok(await send(http, "POST", "/setup/subjects", school, {"name": "Математика"}), 201)
    room = ok(
        await send(http, "POST", "/setup/rooms", school, {"name": "301", "capacity": 30}), 201
    )
    cls = ok(
        await send(
            http,
            "POST",
            "/setup/classes",
            school,
            {"year_id": year["id"], "grade": 5, "letter": "а"},
        ),
        201,
    )
    assert cls["name"] == "5А"
    return {
        "year": year["id"],
        "period": first["id"],
        "holiday": holidays["holidays"][0]["id"],
        "schedule": bells["id"],
        "subject": subject["id"],
        "room": room["id"],
        "class": cls["id"],
    }


async def test_a_school_is_set_up_and_conflicts_are_named(two: Any) -> None:
    http, school, _, _ = two
    ids = await set_up(http, school)
    year = ids["year"]
    # periods: overlapping another, outside the year, another kind
    overlap = problem(
        await send(
            http,
            "POST",
            f"/setup/years/{year}/periods",
            school,
            {"kind": "half", "number": 2, "start": "2026-12-01", "end": "2027-05-31"},
        ),
        409,
        "start",
    )
    assert overlap.conflict is not None and overlap.conflict.id == ids["period"]
    assert "1 полугодие" in overlap.detail
    outside = problem(
        await send(
            http,
            "POST",
            f"/setup/years/{year}/periods",
            school,
            {"kind": "half", "number": 2, "start": "2027-01-11", "end": "2027-06-30"},
        ),
        409,
        "end",
    )
    assert outside.conflict is not None and outside.conflict.kind == "year"
    problem(
        await send(
            http,
            "POST",
            f"/setup/years/{year}/periods",
            school,
            {"kind": "quarter", "number": 2, "start": "2027-01-11", "end": "2027-03-20"},
        ),
        409,
        "kind",
    )
    # a holiday outside the year, or already a holiday
    problem(
        await send(http, "POST", f"/setup/years/{year}/holidays", school, {"start": "2027-07-01"}),
        409,
        "start",
    )
    again = problem(
        await send(http, "POST", f"/setup/years/{year}/holidays", school, {"start": "2026-12-31"}),
        409,
        "start",
    )
    assert again.conflict is not None and again.conflict.kind == "holiday"
    # two classes with the same grade and letter; a class teacher who is not a teacher
    same = problem(
        await send(
            http, "POST", "/setup/classes", school, {"year_id": year, "grade": 5, "letter": "А"}
        ),
        409,
        "letter",
    )
    assert same.conflict is not None and same.conflict.id == ids["class"]
    me = ok(await send(http, "GET", "/me", school))
    not_teacher = problem(
        await send(
            http,
            "POST",
            "/setup/classes",
            school,
            {"year_id": year, "grade": 6, "letter": "А", "class_teacher_id": me["id"]},
        ),
        409,
        "class_teacher_id",
    )
    assert not_teacher.conflict is not None and not_teacher.conflict.kind == "user"
    # bell times overlapping, and a weekday another schedule holds
    problem(
        await send(
            http,
            "POST",
            "/setup/bell-schedules",
            school,
            {
                "name": "Суббота",
                "weekdays": [5],
                "bells": [
                    {"number": 1, "start": "09:00", "end": "09:40"},
                    {"number": 2, "start": "09:30", "end": "10:10"},
                ],
            },
        ),
        409,
        "bells[1].start",
    )
    taken = problem(
        await send(
            http,
            "POST",
            "/setup/bell-schedules",
            school,
            {
                "name": "Сокращённый",
                "weekdays": [4],
                "bells": [{"number": 1, "start": "08:30", "end": "09:00"}],
            },
        ),
        409,
        "weekdays",
    )
    assert taken.conflict is not None and taken.conflict.id == ids["schedule"]
    # duplicate names, bad input: a problem naming the field, nothing written
    problem(
        await send(http, "POST", "/setup/subjects", school, {"name": " математика "}), 409, "name"
    )
    problem(await send(http, "POST", "/setup/rooms", school, {"name": ""}), 422, "name")
    problem(
        await send(http, "POST", "/setup/years", school, {"name": "X", "start": "2027-09-01"}),
        400,
        "end",
    )
    listed = ok(await send(http, "GET", "/setup/years", school))
    assert [len(y["periods"]) for y in listed["years"]] == [1]
    assert len(listed["years"][0]["holidays"]) == 11


def cyrillic(text: str) -> bool:
    return any("а" <= ch.lower() <= "я" for ch in text)


async def in_both(
    http: httpx.AsyncClient, method: str, path: str, school: School, body: Any, status: int
) -> tuple[Problem, Problem]:
    """The same refusal asked in Russian and in English: the same status, field and conflict,
    the ``detail`` in each language."""
    answers = []
    for lang in ("ru-RU,ru;q=0.9", "en-GB,en;q=0.9"):
        headers = {**school.headers, "Accept-Language": lang}
        if method != "GET":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        answer = await http.request(method, f"{API_PREFIX}{path}", json=body, headers=headers)
        assert answer.status_code == status, answer.text
        answers.append(decode(answer.content, Problem))
    ru, en = answers
    assert ru.field == en.field
    if en.conflict is not None:  # the same other thing (a bell's name is words: урок 1)
        assert ru.conflict is not None
        assert (ru.conflict.kind, ru.conflict.id) == (en.conflict.kind, en.conflict.id)
    else:
        assert ru.conflict is None
    assert cyrillic(ru.detail) and ru.detail != en.detail, ru.detail
    # nothing English left in the Russian sentence but codes, the field's name and data
    unquoted = re.sub(r"'[^']*'", "", ru.detail)
    english = set(re.findall(r"[A-Za-z]{3,}", unquoted)) - {"Europe", "Moscow"}
    english -= {"Asia", "Yekaterinburg", "London", "IANA", "diary", "admin", "reset", "password"}
    assert not english, ru.detail
    return ru, en


async def test_refusals_speak_russian_and_english(two: Any) -> None:
    """Every kind of set-up refusal is told in the request's language, with the same field
    and the same other object; the English words are the source's."""
    http, school, _, _ = two
    ids = await set_up(http, school)
    year = ids["year"]
    period = f"/setup/years/{year}/periods"
    cases: list[tuple[str, str, Any, int, str]] = [
        ("PATCH", "/setup/school", {"timezone": "Mars/Base"}, 422, "timezone"),
        (
            "POST",
            "/setup/years",
            {"name": " ", "start": "2027-09-01", "end": "2028-05-31"},
            422,
            "name",
        ),
        (
            "POST",
            "/setup/years",
            {"name": "Y", "start": "2027-09-01", "end": "2027-08-01"},
            422,
            "end",
        ),
        (
            "POST",
            "/setup/years",
            {"name": "Y", "start": "2027-09-01", "end": "2028-12-31"},
            422,
            "end",
        ),
        (
            "POST",
            "/setup/years",
            {"name": "Y", "start": "2027-05-01", "end": "2028-05-31"},
            409,
            "start",
        ),
        (
            "POST",
            period,
            {"kind": "half", "number": 2, "start": "2027-02-01", "end": "2027-01-11"},
            422,
            "end",
        ),
        (
            "POST",
            period,
            {"kind": "half", "number": 2, "start": "2026-12-01", "end": "2027-05-31"},
            409,
            "start",
        ),
        (
            "POST",
            period,
            {"kind": "half", "number": 2, "start": "2027-01-11", "end": "2027-06-30"},
            409,
            "end",
        ),
        (
            "POST",
            period,
            {"kind": "quarter", "number": 2, "start": "2027-01-11", "end": "2027-03-20"},
            409,
            "kind",
        ),
        (
            "POST",
            period,
            {"kind": "half", "number": 1, "start": "2027-01-11", "end": "2027-03-20"},
            409,
            "number",
        ),
        (
            "POST",
            period,
            {"kind": "half", "number": 3, "start": "2027-01-11", "end": "2027-03-20"},
            422,
            "number",
        ),
        ("POST", f"/setup/years/{year}/holidays", {"start": "2027-07-01"}, 409, "start"),
        ("POST", f"/setup/years/{year}/holidays", {"start": "2026-12-31"}, 409, "start"),
        (
            "POST",
            f"/setup/years/{year}/holidays",
            {"start": "2027-03-01", "end": "2027-02-01"},
            422,
            "end",
        ),
        (
            "POST",
            "/setup/bell-schedules",
            {
                "name": "Суббота",
                "weekdays": [5],
                "bells": [
                    {"number": 1, "start": "09:00", "end": "09:40"},
                    {"number": 2, "start": "09:30", "end": "10:10"},
                ],
            },
            409,
            "bells[1].start",
        ),
        (
            "POST",
            "/setup/bell-schedules",
            {
                "name": "Суббота",
                "weekdays": [5],
                "bells": [{"number": 1, "start": "09:00", "end": "08:40"}],
            },
            422,
            "bells[0].end",
        ),
        (
            "POST",
            "/setup/bell-schedules",
            {
                "name": "Суббота",
                "weekdays": [5],
                "bells": [
                    {"number": 1, "start": "09:00", "end": "09:40"},
                    {"number": 1, "start": "10:00", "end": "10:40"},
                ],
            },
            422,
            "bells[1].number",
        ),
        (
            "POST",
            "/setup/bell-schedules",
            {
                "name": "Пятница",
                "weekdays": [4],
                "bells": [{"number": 1, "start": "08:30", "end": "09:00"}],
            },
            409,
            "weekdays",
        ),
        (
            "PATCH",
            f"/setup/bell-schedules/{ids['schedule']}",
            {"version": 1, "retired": True},
            422,
            "retired",
        ),
        ("POST", "/setup/subjects", {"name": " математика "}, 409, "name"),
        ("POST", "/setup/rooms", {"name": "301"}, 409, "name"),
        ("POST", "/setup/rooms", {"name": " "}, 422, "name"),
        ("POST", "/setup/classes", {"year_id": year, "grade": 5, "letter": "А"}, 409, "letter"),
        ("POST", "/setup/classes", {"year_id": year, "grade": 5, "letter": "?!"}, 422, "letter"),
        (
            "PATCH",
            f"/setup/subjects/{ids['subject']}",
            {"version": 7, "name": "Алгебра"},
            409,
            "version",
        ),
        ("PATCH", f"/setup/classes/{ids['class']}", {"version": 7, "letter": "Б"}, 409, "version"),
    ]
    for method, path, body, status, field in cases:
        ru, en = await in_both(http, method, path, school, body, status)
        assert ru.field == field, (path, body, ru)
    me = ok(await send(http, "GET", "/me", school))
    ru, en = await in_both(
        http,
        "POST",
        "/setup/classes",
        school,
        {"year_id": year, "grade": 6, "letter": "А", "class_teacher_id": me["id"]},
        409,
    )
    assert en.detail.endswith("a class teacher must be one")
    assert ru.detail.endswith("классным руководителем может быть только учитель")
    # the words agree with their thing, whatever its name: a retired schedule is "выведено"
    ok(
        await send(
            http,
            "POST",
            "/setup/bell-schedules",
            school,
            {
                "name": "Суббота",
                "weekdays": [5],
                "bells": [{"number": 1, "start": "09:00", "end": "09:40"}],
            },
        ),
        201,
    )
    ok(
        await send(
            http,
            "PATCH",
            f"/setup/bell-schedules/{ids['schedule']}",
            school,
            {"version": 1, "retired": True},
        )
    )
    ru, en = await in_both(
        http,
        "POST",
        "/setup/bell-days",
        school,
        {"date": "2026-11-27", "schedule_id": ids["schedule"]},
        409,
    )
    assert en.detail == "the schedule 'Основное' is retired: bring it back or choose another"
    assert ru.detail.startswith("расписание звонков 'Основное' выведено из использования")
    ok(await send(http, "PATCH", f"/setup/years/{year}", school, {"version": 1, "retired": True}))
    ru, en = await in_both(
        http, "POST", "/setup/classes", school, {"year_id": year, "grade": 7, "letter": "В"}, 409
    )
    assert en.detail == "the year 2026/2027 is retired: classes are added to a year in use"
    assert ru.detail.startswith("учебный год 2026/2027 выведен из использования")


async def test_changes_are_versioned_retired_and_audited(two: Any) -> None:
    http, school, _, app = two
    ids = await set_up(http, school)
    retired = ok(
        await send(
            http,
            "PATCH",
            f"/setup/subjects/{ids['subject']}",
            school,
            {"version": 1, "retired": True},
        )
    )
    assert retired["retired"] and retired["version"] == 2
    stale = problem(
        await send(
            http, "PATCH", f"/setup/subjects/{ids['subject']}", school, {"version": 1, "name": "A"}
        ),
        409,
        "version",
    )
    assert stale.current is not None and stale.current["retired"] is True
    # a period with period marks is kept; one without can be removed
    removed = ok(
        await send(http, "POST", f"/setup/periods/{ids['period']}/remove", school, {"version": 1})
    )
    assert removed == {"id": ids["period"]}
    # a shortened day: the week gives its lessons the day's bells
    short = ok(
        await send(
            http,
            "POST",
            "/setup/bell-schedules",
            school,
            {"name": "Сокращённый", "bells": [{"number": 1, "start": "08:30", "end": "09:00"}]},
        ),
        201,
    )
    ok(
        await send(
            http,
            "POST",
            "/setup/bell-days",
            school,
            {"date": "2026-11-27", "schedule_id": short["id"]},
        )
    )
    schedules = ok(await send(http, "GET", "/setup/bell-schedules", school))["schedules"]
    assert [(x["name"], x.get("main", False), x.get("days", [])) for x in schedules] == [
        ("Основное", True, []),
        ("Сокращённый", False, ["2026-11-27"]),
    ]
    engine = app.state["server"].engine
    async with engine.connect() as conn:
        entities = (
            await conn.execute(
                select(s.AuditRecord.entity, func.count())
                .where(s.AuditRecord.entity.in_(["year", "period", "subject", "bell_day", "class"]))
                .group_by(s.AuditRecord.entity)
            )
        ).all()
    assert dict(entities) == {"year": 1, "period": 2, "subject": 2, "bell_day": 1, "class": 1}


async def test_the_guard_lets_only_it_staff_and_administration_in(two: Any) -> None:
    http, school, _, _ = two
    ids = await set_up(http, school)
    teacher = ok(
        await send(
            http,
            "POST",
            "/users",
            school,
            {"role": "teacher", "first_name": "Анна", "last_name": "Смирнова"},
        ),
        201,
    )
    answer = await http.post(
        f"{API_PREFIX}/auth/login",
        json={"login": teacher["user"]["login"], "password": teacher["one_time_password"]},
    )
    headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
    # (the teacher's one-time password stops everything first; either way: refused)
    refused = await http.get(f"{API_PREFIX}/setup/subjects", headers=headers)
    assert refused.status_code == 403
    # a teacher can lead a class
    cls = ok(
        await send(
            http,
            "PATCH",
            f"/setup/classes/{ids['class']}",
            school,
            {"version": 1, "class_teacher_id": teacher["user"]["id"]},
        )
    )
    assert cls["class_teacher"]["name"] == "Смирнова А."


async def test_two_schools_on_one_server_are_isolated(two: Any) -> None:
    """Each school's set-up reads see only its own things, and every read or write naming the
    other school's thing is answered as one that does not exist."""
    http, first, second, _ = two
    mine = await set_up(http, first)
    theirs = await set_up(http, second)
    for kind in ("years", "subjects", "rooms", "bell-schedules", "classes"):
        listed = ok(await send(http, "GET", f"/setup/{kind}", first))
        key = {"years": "years", "bell-schedules": "schedules"}.get(kind, kind)
        got = {item["id"] for item in listed[key]}
        own = {
            "years": "year",
            "subjects": "subject",
            "rooms": "room",
            "bell-schedules": "schedule",
            "classes": "class",
        }[kind]
        assert got == {mine[own]}, kind
    school = ok(await send(http, "GET", "/setup/school", first))
    assert school["name"] == "МБОУ «Школа № 7»" and school["language"] == "ru"
    probes = [
        ("PATCH", "/setup/years/{year}", {"version": 1, "name": "2099"}),
        (
            "POST",
            "/setup/years/{year}/periods",
            {"kind": "half", "number": 2, "start": "2027-01-11", "end": "2027-05-31"},
        ),
        ("POST", "/setup/years/{year}/holidays", {"start": "2027-02-23"}),
        ("PATCH", "/setup/periods/{period}", {"version": 1, "name": "I"}),
        ("POST", "/setup/periods/{period}/remove", {"version": 1}),
        ("PATCH", "/setup/holidays/{holiday}", {"version": 1, "name": "I"}),
        ("POST", "/setup/holidays/{holiday}/remove", {"version": 1}),
        ("PATCH", "/setup/bell-schedules/{schedule}", {"version": 1, "name": "I"}),
        ("PATCH", "/setup/subjects/{subject}", {"version": 1, "name": "I"}),
        ("PATCH", "/setup/rooms/{room}", {"version": 1, "name": "I"}),
        ("PATCH", "/setup/classes/{class}", {"version": 1, "letter": "Я"}),
        ("GET", "/classes/{class}/absence-notices", None),
        ("GET", "/users?class={class}", None),
    ]
    for method, path, body in probes:
        kind = path.split("{")[1].split("}")[0]
        foreign = await send(http, method, path.format(**{kind: theirs[kind]}), first, body)
        none = await send(http, method, path.format(**{kind: 999_999}), first, body)
        assert (foreign.status_code, foreign.content) == (none.status_code, none.content), path
        assert foreign.status_code in (403, 404), (path, foreign.text)
    for kind, path, body in (
        ("year", "/setup/classes", {"year_id": "{}", "grade": 9, "letter": "Б"}),
        ("schedule", "/setup/bell-days", {"date": "2026-11-27", "schedule_id": "{}"}),
    ):

        def fill(value: int, body: dict[str, Any] = body) -> dict[str, Any]:
            return {k: value if v == "{}" else v for k, v in body.items()}

        foreign = await send(http, "POST", path, first, fill(theirs[kind]))
        none = await send(http, "POST", path, first, fill(999_999))
        assert (foreign.status_code, foreign.content) == (none.status_code, none.content), path
        assert foreign.status_code == 422
    # and nothing of the second school changed
    after = ok(await send(http, "GET", "/setup/years", second))["years"][0]
    assert after["name"] == "2026/2027" and after.get("version", 1) == 1
    assert len(after["holidays"]) == 11


def test_init_makes_a_school_once_and_names_a_bad_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'school.db'}"
    args = ["init", "--db", url, "--school", "МБОУ «Школа № 7»", "--timezone", "Europe/Moscow"]
    assert server_main([*args, "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    # --lang is the school's language and the command's (it speaks it from the start)
    assert "логин:  it.admin" in out and "пароль: " in out
    assert server_main([*args, "--lang", "ru"]) == 1
    assert "уже есть на этом сервере" in capsys.readouterr().err
    assert server_main([*args, "--lang", "en"]) == 1
    assert "already exists on this server" in capsys.readouterr().err
    assert server_main(["init", "--db", url, "--school", "Другая", "--timezone", "Moon/Base"]) == 2
    assert "--timezone" in capsys.readouterr().err
    assert server_main(["init", "--db", url, "--school", "Другая", "--lang", "de"]) == 2
    assert "--lang" in capsys.readouterr().err
    engine_url = url.replace("sqlite://", "sqlite+aiosqlite://")
    import asyncio

    async def count() -> tuple[int, str, bool]:
        engine = make_engine(engine_url)
        async with engine.connect() as conn:
            schools = await conn.scalar(select(func.count()).select_from(s.School))
            language = await conn.scalar(select(s.School.language))
            must = await conn.scalar(select(s.User.must_change_password))
        await engine.dispose()
        return int(schools or 0), str(language), bool(must)

    assert asyncio.run(count()) == (1, "ru", True)
