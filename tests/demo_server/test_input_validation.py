"""Bad input to the server: text fields, strict types, ids in paths, unreadable bodies.

Every case is derived from the app's own route table and the request Structs, so a new
endpoint or field is covered without touching this file: a text field of a request must carry
a length limit and the characters it may hold (``models.LINE_PATTERN`` or ``TEXT_PATTERN``),
numbers and booleans are never read from text, an id in a path is ASCII digits, and no body,
however malformed, gets a 5xx.
"""

from __future__ import annotations

import re
import typing
import uuid
from functools import cache
from typing import Any

import httpx
import msgspec
import pytest

from api_client import models as m
from api_client.models import Problem, Thread, Threads, decode
from tests.conftest import LoginAs, sqlite_only


@pytest.fixture
def school_kind() -> str:
    return "mini"


# --- what the app declares ---------------------------------------------------------------------


def allowed_login(path: str) -> str:
    """A login whose role may use the route (its guard lets it through): these tests are about
    the input, which is read only after the role is allowed."""
    route = path.removeprefix("/api/v1")
    if route.startswith("/medical"):
        return "nurse"
    if route.startswith("/blogs"):
        return "admin" if route.endswith("/visibility") else "teacher"
    if route.startswith("/meetings/") and route.endswith("/answer"):
        return "parent"
    if route.startswith(("/users", "/parent-links", "/roster", "/classes")) or route.endswith(
        "/move"
    ):
        return "it"
    return "admin"


@cache
def json_routes() -> list[tuple[str, str, type[m.Request]]]:
    """``(method, path, request Struct)`` of every route that reads a JSON body, with every
    id in the path set to 1."""
    from demo_server.app import create_app

    app = create_app("sqlite:///:memory:")
    found = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            data = handler.parsed_fn_signature.parameters.get("data")
            if data is None:
                continue
            assert issubclass(data.annotation, m.Request), (route.path, data.annotation)
            path = re.sub(r"\{[^}]+:int\}", "1", route.path)
            for method in sorted(handler.http_methods):
                found.append((method, path, data.annotation))
    assert len(found) > 20
    return sorted(found, key=lambda r: (r[1], r[0]))


@cache
def int_path_routes() -> list[tuple[str, str]]:
    """``(method, path template)`` of every route with an id in its path."""
    from demo_server.app import create_app

    app = create_app("sqlite:///:memory:")
    found: list[tuple[str, str]] = []
    for route in app.routes:
        if ":int}" not in route.path:
            continue
        for handler in getattr(route, "route_handlers", []):
            found.extend((method, route.path) for method in sorted(handler.http_methods))
    assert len(found) > 15
    return sorted(found, key=lambda r: (r[1], r[0]))


def _metas(hint: Any) -> list[msgspec.Meta]:
    if typing.get_origin(hint) is typing.Annotated:
        return [meta for meta in hint.__metadata__ if isinstance(meta, msgspec.Meta)]
    return [meta for arg in typing.get_args(hint) for meta in _metas(arg)]


def _base_types(hint: Any) -> set[Any]:
    if typing.get_origin(hint) is typing.Annotated:
        return _base_types(typing.get_args(hint)[0])
    if typing.get_origin(hint) in (list, tuple, set, frozenset, dict):
        return {typing.get_origin(hint)}  # a list of ids is a list, not a number
    args = typing.get_args(hint)
    return {t for arg in args for t in _base_types(arg)} if args else {hint}


def fields_of(struct: type[m.Request], kind: type) -> list[tuple[str, list[msgspec.Meta]]]:
    """The fields of ``struct`` whose type is ``kind`` (or ``kind | None``), with their Meta."""
    hints = typing.get_type_hints(struct, include_extras=True)
    names = {f.name: f.encode_name for f in msgspec.structs.fields(struct)}
    return [
        (names[name], _metas(hint))
        for name, hint in hints.items()
        if kind in _base_types(hint) and not (kind is int and bool in _base_types(hint))
    ]


def request_structs() -> list[type[m.Request]]:
    return [
        value
        for value in vars(m).values()
        if isinstance(value, type) and issubclass(value, m.Request) and value is not m.Request
    ]


def text_cases() -> list[Any]:
    cases = []
    for method, path, struct in json_routes():
        for name, metas in fields_of(struct, str):
            (meta,) = metas
            if meta.pattern is None:  # a password: any character a person can type
                continue
            cases.append(pytest.param(method, path, name, meta, id=f"{method} {path} {name}"))
    return cases


def typed_cases(kind: type) -> list[Any]:
    return [
        pytest.param(method, path, name, id=f"{method} {path} {name}")
        for method, path, struct in json_routes()
        for name, _ in fields_of(struct, kind)
    ]


async def send(
    http: httpx.AsyncClient, auth: dict[str, str], method: str, path: str, body: bytes
) -> httpx.Response:
    headers = {
        **auth,
        "Content-Type": "application/json",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    return await http.request(method, path, content=body, headers=headers)


def problem(response: httpx.Response, status: int | tuple[int, ...]) -> Problem:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    found = decode(response.content, Problem)
    assert found.detail and "msgspec" not in found.detail and "$" not in found.detail
    return found


# --- the contract itself -----------------------------------------------------------------------


def test_every_text_field_of_a_request_has_a_limit_and_allowed_characters() -> None:
    for struct in request_structs():
        hints = typing.get_type_hints(struct, include_extras=True)
        for name, metas in fields_of(struct, str):
            assert metas, f"{struct.__name__}.{name} is text without a length limit"
            (meta,) = metas
            assert meta.max_length is not None, f"{struct.__name__}.{name} has no length limit"
            if hints[name] in (m.Password, m.Password | None):
                continue
            assert meta.pattern in (m.LINE_PATTERN, m.TEXT_PATTERN), (
                f"{struct.__name__}.{name} may hold control characters"
            )


@pytest.mark.parametrize(
    ("value", "line", "text"),
    [
        ("Анна-Мария O'Neil", True, True),
        ("two\nlines", False, True),
        ("tab\there", False, True),
        ("windows\r\nline", False, True),
        ("trailing line break\n", False, True),
        ("nul\x00", False, False),
        ("escape \x1b[31m", False, False),
        ("delete\x7f", False, False),
        ("c1 \x9b", False, False),
        ("rtl override \u202e", False, False),
        ("isolate \u2066x\u2069", False, False),
        ("emoji 🙂 and no-break\u00a0space", True, True),
    ],
)
def test_the_patterns_allow_and_refuse(value: str, line: bool, text: bool) -> None:
    assert (re.search(m.LINE_PATTERN, value) is not None) is line
    assert (re.search(m.TEXT_PATTERN, value) is not None) is text


# --- text fields on every write endpoint ---------------------------------------------------------


@sqlite_only
@pytest.mark.readonly
@pytest.mark.parametrize(("method", "path", "name", "meta"), text_cases())
async def test_text_with_control_characters_or_too_long_is_refused_naming_the_field(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    method: str,
    path: str,
    name: str,
    meta: msgspec.Meta,
) -> None:
    auth = await login_as(http, allowed_login(path))
    line = meta.pattern == m.LINE_PATTERN
    bad = ["a\nb", "a\tb", "Ann\u202e", "x\x7f"] if line else ["a\x00b", "a\x1b[2Jb", "x\u2067y"]
    for value in bad:
        response = await send(http, auth, method, path, m.encode({name: value}))
        found = problem(response, 422)
        assert found.field == name, found
        assert "control characters" in found.detail and f"'{name}'" in found.detail, found
    assert meta.max_length is not None
    response = await send(http, auth, method, path, m.encode({name: "x" * (meta.max_length + 1)}))
    found = problem(response, 422)
    assert found.field == name
    assert f"at most {meta.max_length:,} characters" in found.detail, found


@sqlite_only
async def test_multi_line_text_keeps_line_breaks_and_tabs_and_nothing_refused_is_saved(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    parent = await login_as(http, "parent")
    start = {"recipient_id": demo.ids["teacher"], "pupil_id": demo.ids["pupil"]}

    async def thread_count() -> int:
        listed = await http.get("/api/v1/threads", headers=parent)
        return len(decode(listed.content, Threads).threads)

    before = await thread_count()
    for subject, body, field in (
        ("Two\nlines", "text", "subject"),
        ("Fine", "bell\x07", "body"),
        ("Fine", "x" * (m.MESSAGE_MAX_LENGTH + 1), "body"),
    ):
        payload = {**start, "subject": subject, "body": body}
        response = await send(http, parent, "POST", "/api/v1/threads", m.encode(payload))
        assert problem(response, 422).field == field
    assert await thread_count() == before

    payload = {**start, "subject": "Вопрос", "body": "Строка 1\r\nСтрока\t2\rКонец"}
    response = await send(http, parent, "POST", "/api/v1/threads", m.encode(payload))
    assert response.status_code == 201, response.text
    thread = decode(response.content, Thread)
    assert thread.messages[-1].body == "Строка 1\nСтрока\t2\nКонец"
    assert await thread_count() == before + 1


# --- strict types -------------------------------------------------------------------------------


@sqlite_only
@pytest.mark.readonly
@pytest.mark.parametrize(("method", "path", "name"), typed_cases(int))
async def test_a_number_is_never_read_from_text_and_must_fit(
    http: httpx.AsyncClient, login_as: LoginAs, method: str, path: str, name: str
) -> None:
    auth = await login_as(http, allowed_login(path))
    for value in ("1", "01", "１", "1.0"):
        found = problem(await send(http, auth, method, path, m.encode({name: value})), 400)
        assert found.field == name and "whole number" in found.detail, found
    for number in (1.5, True):
        found = problem(await send(http, auth, method, path, m.encode({name: number})), 400)
        assert found.field == name
    for huge in (2**31, 2**64, 10**30):
        found = problem(await send(http, auth, method, path, m.encode({name: huge})), 422)
        assert found.field == name and "at most" in found.detail, found


@sqlite_only
@pytest.mark.readonly
@pytest.mark.parametrize(("method", "path", "name"), typed_cases(bool))
async def test_a_boolean_is_never_read_from_text(
    http: httpx.AsyncClient, login_as: LoginAs, method: str, path: str, name: str
) -> None:
    auth = await login_as(http, allowed_login(path))
    for value in ("true", 1, "1"):
        found = problem(await send(http, auth, method, path, m.encode({name: value})), 400)
        assert found.field == name and "true or false" in found.detail, found


@sqlite_only
async def test_a_mark_is_not_given_nor_a_pupil_moved_from_text_numbers(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """The issue's two examples, with bodies otherwise right: refused, nothing written."""
    teacher = await login_as(http, "teacher")
    lesson, pupil = demo.ids["mon1"], demo.ids["pupil"]

    async def week() -> m.Week:
        response = await http.get(f"/api/v1/pupils/{pupil}/week", headers=teacher)
        assert response.status_code == 200, response.text
        return decode(response.content, m.Week)

    before = await week()
    mark = {"lesson_id": lesson, "pupil_id": pupil, "value": "5"}
    found = problem(await send(http, teacher, "POST", "/api/v1/marks", m.encode(mark)), 400)
    assert found.field == "value"
    it = await login_as(http, "it")
    move = {"class_id": str(demo.ids["c6b"])}
    path = f"/api/v1/pupils/{pupil}/move"
    found = problem(await send(http, it, "POST", path, m.encode(move)), 400)
    assert found.field == "class_id"
    after = await week()
    assert after.pupil.class_ is not None and after.pupil.class_.id == demo.ids["c5a"]
    assert [x.marks for x in after.lessons] == [x.marks for x in before.lessons]


# --- ids in the path ----------------------------------------------------------------------------


@sqlite_only
@pytest.mark.readonly
@pytest.mark.parametrize(("method", "route_path"), int_path_routes())
async def test_an_id_in_the_path_is_ascii_digits_only(
    http: httpx.AsyncClient, login_as: LoginAs, method: str, route_path: str
) -> None:
    auth = await login_as(http, allowed_login(route_path))
    for bad in ("01", "+1", "１", "١", "1_0", "٠1"):
        path = re.sub(r"\{[^}]+:int\}", bad, route_path)
        response = await send(http, auth, method, path, b"{}")
        found = problem(response, 404)
        assert "digits 0-9" in found.detail, (path, found)


@sqlite_only
@pytest.mark.readonly
async def test_numbers_in_the_query_are_ascii_digits_only(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    auth = await login_as(http, "it")
    assert (await http.get("/api/v1/users", params={"limit": "5"}, headers=auth)).is_success
    for bad in ("+5", "05", "５", "٥", "5.0", "5_0", " 5"):
        response = await http.get("/api/v1/users", params={"limit": bad}, headers=auth)
        assert problem(response, 400).field == "limit", bad


# --- bodies that cannot be read ------------------------------------------------------------------

DEEP = 1000
UNREADABLE: list[tuple[str, bytes]] = [
    ("nested arrays", b"[" * DEEP + b"]" * DEEP),
    ("nested arrays, unclosed", b"[" * DEEP),
    ("nested objects", b'{"a":' * DEEP + b"1" + b"}" * DEEP),
    ("nested in a field", b'{"x": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
    ("not utf-8", b"\xff\xfe{}"),
    ("not utf-8 in a string", b'{"a": "\xff"}'),
    ("lone surrogate", b'{"a": "\\ud800"}'),
    ("NaN", b'{"a": NaN}'),
    ("Infinity", b'{"a": Infinity}'),
    ("huge exponent", b'{"a": 1e400}'),
    ("text", b'"text"'),
    ("number", b"42"),
    ("null", b"null"),
    ("list", b"[]"),
    ("truncated", b'{"a": '),
    ("trailing garbage", b"{} x"),
]


@sqlite_only
@pytest.mark.readonly
@pytest.mark.parametrize(("method", "path", "struct"), json_routes())
async def test_an_unreadable_body_is_a_problem_on_every_json_endpoint(
    http: httpx.AsyncClient, login_as: LoginAs, method: str, path: str, struct: type
) -> None:
    auth = await login_as(http, allowed_login(path))
    for what, body in UNREADABLE:
        response = await send(http, auth, method, path, body)
        assert response.status_code in (400, 422), (what, response.status_code, response.text)
        problem(response, (400, 422))


@sqlite_only
@pytest.mark.readonly
async def test_a_deeply_nested_body_is_a_400_also_without_logging_in(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    for body in (b"[" * DEEP, b'{"login": ' + b"[" * DEEP, b'{"a":' * DEEP):
        response = await http.post(
            "/api/v1/auth/login", content=body, headers={"Content-Type": "application/json"}
        )
        problem(response, 400)
    parent = await login_as(http, "parent")
    response = await send(http, parent, "POST", "/api/v1/threads", b"[" * 100_000)
    problem(response, 400)
