"""The server answers in the request's language: the same bad request with
``Accept-Language: ru`` and with ``en`` gets its ``title`` and ``detail`` in each language,
with the same status, ``field`` and ``type``; without the header the answer is English."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from api_client import i18n, names
from api_client.models import AbsenceKind, MarkKind, Problem, RosterImportReport, decode
from demo_server.problems import plain_validation
from demo_server.signing import describe_changes
from tests.conftest import LoginAs

API = "/api/v1"

Ask = Callable[[dict[str, str]], Awaitable[httpx.Response]]


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def cyrillic(text: str) -> bool:
    return any("а" <= ch.lower() <= "я" for ch in text)


async def both(ask: Ask) -> tuple[Problem, Problem, Problem]:
    """The problem answered to ``ask`` in Russian, in English and with no header."""
    answers = [
        await ask({"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}),
        await ask({"Accept-Language": "en-GB,en;q=0.9"}),
        await ask({}),
    ]
    for answer in answers:
        assert answer.headers["content-type"].startswith("application/problem+json"), answer.text
    ru, en, plain = (decode(a.content, Problem) for a in answers)
    assert ru.status == en.status == plain.status == answers[0].status_code
    assert ru.field == en.field == plain.field
    assert ru.type == en.type == plain.type
    assert cyrillic(ru.detail) and cyrillic(ru.title), ru
    assert en.detail != ru.detail and not cyrillic(en.title), en
    assert (plain.title, plain.detail) == (en.title, en.detail)
    return ru, en, plain


async def test_a_login_failure_is_told_in_the_asked_language(http: httpx.AsyncClient) -> None:
    async def ask(headers: dict[str, str]) -> httpx.Response:
        body = {"login": "parent", "password": "not the password"}
        return await http.post(f"{API}/auth/login", json=body, headers=headers)

    ru, en, _ = await both(ask)
    assert ru.status == 401
    assert en.detail.startswith("the login or the password is wrong")
    assert ru.detail.startswith("неверный логин или пароль")


async def test_a_body_refused_by_decoding_is_told_in_the_asked_language(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    it = await login_as(http, "it")

    async def too_long(headers: dict[str, str]) -> httpx.Response:
        body = {"role": "teacher", "last_name": "Я" * 500, "first_name": "Анна"}
        return await http.post(f"{API}/users", json=body, headers={**it, **key(), **headers})

    ru, en, _ = await both(too_long)
    assert (ru.status, ru.field) == (422, "last_name")
    assert ru.title == "Недопустимые данные" and en.title == "Unprocessable Entity"

    async def missing(headers: dict[str, str]) -> httpx.Response:
        return await http.post(f"{API}/auth/login", json={"login": "parent"}, headers={**headers})

    ru, en, _ = await both(missing)
    assert (ru.status, ru.field) == (400, "password")
    assert en.detail == "the field 'password' is required"
    assert ru.detail == "поле 'password' обязательно"


async def test_not_found_and_forbidden_are_told_in_the_asked_language(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    parent = await login_as(http, "parent")

    async def unknown_pupil(headers: dict[str, str]) -> httpx.Response:
        return await http.get(f"{API}/pupils/999999/week", headers={**parent, **headers})

    ru, en, _ = await both(unknown_pupil)
    assert (ru.status, ru.field) == (404, "pupil_id")
    assert ru.detail == "среди доступных вам нет ученика с таким номером"

    async def no_such_path(headers: dict[str, str]) -> httpx.Response:
        return await http.get(f"{API}/no-such-thing", headers=headers)

    ru, en, _ = await both(no_such_path)
    assert ru.status == 404 and ru.detail == f"по адресу {API}/no-such-thing ничего нет"

    async def audit(headers: dict[str, str]) -> httpx.Response:
        return await http.get(f"{API}/audit", headers={**parent, **headers})

    ru, en, _ = await both(audit)
    assert ru.status == 403
    assert en.detail == "your role may not see the audit log"
    assert ru.detail == "вашей роли недоступно: журнал аудита"

    async def blog_post(headers: dict[str, str]) -> httpx.Response:
        body = {"title": "Экскурсия", "body": "В субботу."}
        return await http.post(f"{API}/blogs", json=body, headers={**parent, **headers})

    # A guard on an action says what may not be done, not what may not be seen.
    ru, en, _ = await both(blog_post)
    assert ru.status == 403
    assert en.detail == "your role may not write blog posts"
    assert ru.detail == "вашей роли нельзя писать записи в блоги"


async def test_a_conflict_is_told_in_the_asked_language(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    who = demo.ids["stranger"]
    first = await http.patch(
        f"{API}/users/{who}", json={"version": 1, "last_name": "Орлова"}, headers={**it, **key()}
    )
    assert first.status_code == 200, first.text

    async def stale(headers: dict[str, str]) -> httpx.Response:
        body = {"version": 1, "last_name": "Соколова"}
        return await http.patch(f"{API}/users/{who}", json=body, headers={**it, **key(), **headers})

    ru, en, _ = await both(stale)
    assert (ru.status, ru.field) == (409, "version")
    assert "the current one is version 2" in en.detail
    assert "текущая версия 2" in ru.detail and "ничего не сохранено" in ru.detail
    assert ru.current == en.current


async def test_roster_refusals_are_given_per_line_in_the_asked_language(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    it = await login_as(http, "it")
    roster = "тип;фамилия;имя;класс\nученик;Зайцева;Анна;99Я\nшпион;Иванов;Иван;5А\n"

    async def dry_run(headers: dict[str, str]) -> RosterImportReport:
        answer = await http.post(
            f"{API}/roster/import",
            params={"dry_run": "true"},
            content=roster.encode(),
            headers={**it, **key(), "Content-Type": "text/csv", **headers},
        )
        assert answer.status_code == 200, answer.text
        return decode(answer.content, RosterImportReport)

    ru = await dry_run({"Accept-Language": "ru"})
    en = await dry_run({"Accept-Language": "en"})
    assert [(r.line, r.action) for r in ru.rows] == [(r.line, r.action) for r in en.rows]
    reasons = {r.line: (r.reason, e.reason) for r, e in zip(ru.rows, en.rows, strict=True)}
    assert reasons[2] == (
        "'99Я' — не название класса вида 5А",
        "'99Я' is not a class name like 5А",
    )
    assert reasons[3][1].startswith("unknown kind 'шпион'")
    assert reasons[3][0].startswith("неизвестный тип 'шпион'")

    async def the_import(headers: dict[str, str]) -> httpx.Response:
        return await http.post(
            f"{API}/roster/import",
            params={"dry_run": "false"},
            content=roster.encode(),
            headers={**it, **key(), "Content-Type": "text/csv", **headers},
        )

    ru_problem, en_problem, _ = await both(the_import)
    assert ru_problem.status == 422
    assert ru_problem.detail.startswith("отклонены 2 строки; ничего не загружено")
    assert en_problem.detail.startswith("2 lines are refused; nothing was imported")


async def test_slips_follow_the_asked_language_unless_lang_is_given(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    it = await login_as(http, "it")
    class_id = demo.ids["c5a"]

    async def slips(headers: dict[str, str], **params: str) -> str:
        answer = await http.post(
            f"{API}/classes/{class_id}/invite-codes",
            params=params,
            headers={**it, **key(), **headers},
        )
        assert answer.status_code == 200, answer.text
        return base64.b64decode(answer.json()["content"]).decode("utf-8")

    assert "Код приглашения" in await slips({"Accept-Language": "ru"})
    assert "Invite code" in await slips({"Accept-Language": "en"})
    assert "Invite code" in await slips({"Accept-Language": "ru"}, lang="en")


def test_validation_words_are_translated_where_they_are_sent() -> None:
    message = "Expected `str` of length <= 100 - at `$.subject`"
    with i18n.using("ru"):
        ru = plain_validation(message)
    with i18n.using("en"):
        en = plain_validation(message)
    assert ru[1:] == en[1:] == ("subject", 422)
    assert en[0] == "'subject' is too long: at most 100 characters are allowed"
    assert ru[0] == "поле 'subject': слишком длинно — можно не больше 100 символов"


def test_the_names_of_codes_are_one_table_for_every_language() -> None:
    with i18n.using("ru"):
        assert names.mark_kind(MarkKind.TEST) == "контрольная работа"
        assert names.absence_letter(AbsenceKind.ILLNESS) == "б"
        assert names.absence_kind(AbsenceKind.UNEXCUSED) == "не был"
        assert names.period_kind("quarter") == "четверть"
        assert names.mark_kind("a newer kind") == "a newer kind"
        changed = describe_changes(
            {
                "marks": [
                    {
                        "id": 1,
                        "value": 4,
                        "weight": 1,
                        "kind": "oral",
                        "comment": "",
                        "subject": "Алгебра",
                        "date": "2026-11-24",
                    }
                ]
            },
            {
                "marks": [
                    {
                        "id": 1,
                        "value": 4,
                        "weight": 1,
                        "kind": "test",
                        "comment": "",
                        "subject": "Алгебра",
                        "date": "2026-11-24",
                    }
                ]
            },
        )
        assert changed == [
            "Оценка 4 (Алгебра, 24 нояб.): теперь «контрольная работа», было «устный ответ»"
        ]
    with i18n.using("en"):
        assert names.mark_kind(MarkKind.TEST) == "test"
        assert names.absence_letter(AbsenceKind.ILLNESS) == "I"
        assert set(names.mark_kinds()) == set(MarkKind)
        assert set(names.absence_kinds()) == set(AbsenceKind)


async def test_groups_year_close_and_consent_refusals_are_told_in_the_asked_language(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """The refusals of the newer features (groups, closing a year, consent) follow the
    request's language as every other does."""
    it = await login_as(http, "it")
    parent = await login_as(http, "parent")

    async def group_led_by_a_parent(headers: dict[str, str]) -> httpx.Response:
        body = {
            "class_id": demo.ids["c7v"],
            "subject_id": demo.ids["math"],
            "name": "1 группа",
            "teacher_id": demo.ids["parent"],
        }
        return await http.post(f"{API}/groups", json=body, headers={**it, **key(), **headers})

    ru, en, _ = await both(group_led_by_a_parent)
    assert (ru.status, ru.field) == (422, "teacher_id")
    assert "is not a teacher" in en.detail and "не учитель" in ru.detail

    years = (await http.get(f"{API}/setup/years", headers=it)).json()["years"]
    year = years[0]["id"]

    async def close_too_early(headers: dict[str, str]) -> httpx.Response:
        body = {"next_year_id": year}
        url = f"{API}/setup/years/{year}/close"
        return await http.post(url, json=body, headers={**it, **key(), **headers})

    ru, en, _ = await both(close_too_early)
    assert (ru.status, ru.field) == (409, "year_id")
    assert "is not over" in en.detail

    async def accept_a_version_never_shown(headers: dict[str, str]) -> httpx.Response:
        body = {"version": 999}
        return await http.post(
            f"{API}/me/consent", json=body, headers={**parent, **key(), **headers}
        )

    ru, en, _ = await both(accept_a_version_never_shown)
    assert ru.field == "version"
