"""HTTP behaviour: problems for bad input (never a 5xx), ETag/304, gzip, body limit, OpenAPI."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute

from api_client.models import MAX_ID, Health, Problem, decode
from tests.conftest import LoginAs, sqlite_only


@pytest.fixture
def school_kind() -> str:
    return "mini"


def wire_size(response: httpx.Response) -> int:
    """Bytes of an HTTP/1.1 response on the wire: status line, headers, body."""
    size = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    size += sum(len(k) + len(v) + 4 for k, v in response.headers.raw)
    size += len("date: Wed, 25 Nov 2026 10:00:00 GMT\r\n")  # added by uvicorn
    return size + 2 + len(response.content)


async def test_etag_304_and_gzip(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    headers = {**await login_as(http, "parent"), "Accept-Encoding": "gzip"}
    url = f"/api/v1/pupils/{demo.ids['pupil']}/week"
    first = await http.get(url, headers=headers)
    assert first.status_code == 200
    assert first.headers["content-encoding"] == "gzip"
    etag = first.headers["etag"]
    assert re.fullmatch(r'"[A-Za-z0-9_-]{16}"', etag), "strong, 96 bits in base64url"
    again = await http.get(url, headers=headers)
    assert again.headers["etag"] == etag  # strong: the same body gives the same tag
    unchanged = await http.get(url, headers={**headers, "If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert unchanged.headers["vary"] == first.headers["vary"] == "Accept-Encoding"
    assert wire_size(unchanged) < 400
    other_week = await http.get(
        url, params={"date": "2026-11-16"}, headers={**headers, "If-None-Match": etag}
    )
    assert other_week.status_code == 200 and other_week.headers["etag"] != etag


async def test_a_304_varies_only_where_its_200_does(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """RFC 9110 15.4.5: a 304 repeats the Vary a 200 to the same request would carry; the
    200 varies on Accept-Encoding only when it is compressed."""
    auth = await login_as(http, "parent")
    week = f"/api/v1/pupils/{demo.ids['pupil']}/week"
    for url, encoding in (("/api/v1/health", "gzip"), (week, "identity")):
        headers = {**auth, "Accept-Encoding": encoding}
        first = await http.get(url, headers=headers)
        assert first.status_code == 200 and "content-encoding" not in first.headers
        again = await http.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304
        assert "vary" not in first.headers and "vary" not in again.headers


async def test_small_responses_are_not_compressed(http: httpx.AsyncClient) -> None:
    response = await http.get("/api/v1/health", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert decode(response.content, Health).status == "ok"
    assert "etag" in response.headers


async def test_unknown_route_and_wrong_method(http: httpx.AsyncClient) -> None:
    missing = await http.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert "nothing" in decode(missing.content, Problem).detail
    wrong = await http.get("/api/v1/auth/login")
    assert wrong.status_code == 405
    assert "POST" in decode(wrong.content, Problem).detail


@pytest.mark.parametrize(
    ("date", "field_word"),
    [
        ("2026-13-45", "real date"),
        ("99999-01-01", "YYYY-MM-DD"),
        ("1900-01-01", "2000 to 2100"),
        ("2101-01-01", "2000 to 2100"),
        ("yesterday", "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
        ("2026-02-30", "real date"),
    ],
)
async def test_bad_dates(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, date: str, field_word: str
) -> None:
    response = await http.get(
        f"/api/v1/pupils/{demo.ids['pupil']}/week",
        params={"date": date},
        headers=await login_as(http, "parent"),
    )
    body = decode(response.content, Problem)
    assert response.status_code == 400 and body.field == "date"
    assert field_word in body.detail


@pytest.mark.parametrize(
    ("payload", "field", "status"),
    [
        (b'{"login": "x"}', "password", 400),
        (b'{"password": "x"}', "login", 400),
        (b'{"login": 5, "password": "x"}', "login", 400),
        (b'{"login": "x", "password": "y", "extra": 1}', "extra", 400),
        # The body has the right shape; a value in it is not allowed: 422.
        (b'{"login": "", "password": "x"}', "login", 422),
        (b'{"login": "' + b"x" * 65 + b'", "password": "y"}', "login", 422),
    ],
)
async def test_login_validation_names_the_field(
    http: httpx.AsyncClient, payload: bytes, field: str, status: int
) -> None:
    response = await http.post(
        "/api/v1/auth/login", content=payload, headers={"content-type": "application/json"}
    )
    body = decode(response.content, Problem)
    assert response.status_code == status, response.text
    assert body.field == field and field in body.detail
    assert "msgspec" not in body.detail and "$" not in body.detail


BAD_REQUESTS: list[tuple[str, str, bytes | None, dict[str, str | bytes]]] = [
    ("POST", "/api/v1/auth/login", b"{not json", {"content-type": "application/json"}),
    ("POST", "/api/v1/auth/login", b"", {"content-type": "application/json"}),
    ("POST", "/api/v1/auth/login", b"null", {"content-type": "application/json"}),
    ("POST", "/api/v1/auth/login", b"[]", {"content-type": "application/json"}),
    ("POST", "/api/v1/auth/login", b'{"login": "a", "password": "b"', {}),
    ("POST", "/api/v1/auth/login", b"\xff\xfe\x00", {"content-type": "application/json"}),
    (
        "POST",
        "/api/v1/auth/login",
        b"login=a&password=b",
        {"content-type": "application/x-www-form-urlencoded"},
    ),
    ("POST", "/api/v1/auth/refresh", b'{"refresh_token": ""}', {}),
    ("POST", "/api/v1/auth/refresh", b'{"refresh_token": 123}', {}),
    ("POST", "/api/v1/auth/logout", b"{}", {}),
    ("GET", "/api/v1/pupils/abc/week", None, {}),
    ("GET", "/api/v1/pupils/-1/week", None, {}),
    ("GET", "/api/v1/pupils/0/week", None, {}),
    ("GET", "/api/v1/pupils/99999999999999999999999/week", None, {}),
    ("GET", "/api/v1/pupils/1/week?date=2026-11-23&date=2026-11-24", None, {}),
    ("GET", "/api/v1/pupils/1/week?date=%00", None, {}),
    ("GET", "/api/v1/pupils/1/week?date=２０２６-11-23", None, {}),
    ("DELETE", "/api/v1/me", None, {}),
    ("PUT", "/api/v1/pupils/1/week", b"{}", {}),
    ("GET", "/api/v1/../../etc/passwd", None, {}),
    (
        "GET",
        "/api/v1/me",
        None,
        {"Authorization": b"Bearer \xc3\xa9\xc3\xa9"},
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "headers"), BAD_REQUESTS)
async def test_bad_requests_never_answer_5xx(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    method: str,
    url: str,
    body: bytes | None,
    headers: dict[str, str | bytes],
) -> None:
    auth = await login_as(http, "admin")
    merged = {
        k.encode(): v if isinstance(v, bytes) else v.encode()
        for k, v in {**auth, **headers}.items()
    }
    response = await http.request(method, url, content=body, headers=merged)
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert decode(response.content, Problem).detail


def _id_paths(app: Litestar, value: int) -> list[tuple[str, str]]:
    """Every (method, path) of a route with an id in its path, each id written as ``value``."""
    found = []
    for route in app.routes:
        if ":int}" not in route.path:
            continue
        path = re.sub(r"\{[a-z_]+:int\}", str(value), route.path)
        path = path.replace("{monday:str}", "2026-11-23")
        for method in sorted(getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


@sqlite_only
@pytest.mark.readonly
async def test_an_id_past_the_largest_names_nothing(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """An id larger than any id can be (past 32 or 64 bits) is 404 on every route, before any
    database is asked: SQLite cannot bind it and PostgreSQL's ``integer`` refuses it."""
    auth = await login_as(http, "admin")
    answers: list[str] = []
    for huge in (MAX_ID + 1, 2**63, 701322225938935676871376896):
        for number, (method, path) in enumerate(_id_paths(app, huge)):
            headers = {**auth, "Idempotency-Key": f"huge-id-{huge}-{number}"}
            response = await http.request(method, path, content=b"{}", headers=headers)
            if response.status_code != 404:
                answers.append(f"{method} {path}: {response.status_code} {response.text[:200]}")
            else:
                assert "no id is larger" in decode(response.content, Problem).detail
    assert not answers, "\n".join(answers)


@sqlite_only
@pytest.mark.readonly
async def test_a_query_number_past_the_largest_id_is_refused(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """Each whole-number query parameter of every GET, past the largest id: 404 where it names
    an object, 400 otherwise, never a 500 (``/assignments?teacher_id=10**27`` was one)."""
    from demo_server.wire import number_params

    auth = await login_as(http, "admin")
    answers: list[str] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "GET" not in route.methods or "{" in route.path:
            continue
        handler = route.route_handler_map["GET"][0]
        for name in sorted(number_params(handler)):
            for huge in (MAX_ID + 1, 10**27):
                response = await http.get(route.path, params={name: str(huge)}, headers=auth)
                if response.status_code not in (400, 403, 404, 422):
                    answers.append(f"{route.path}?{name}: {response.status_code}")
    assert not answers, "\n".join(answers)


#: Query names that named an object before the routes declared it (``wire.Id``); any other
#: name ending in ``_id`` does too.
_OBJECT_QUERY_NAMES = frozenset(
    {"pupil", "period", "subject", "class", "teacher", "group", "year", "before", "at"}
)


def _query_numbers(app: Litestar) -> list[tuple[str, str, str, bool, bool]]:
    """Every (method, path, name, declared an Id, bounded by its own ``le``) of a whole-number
    query parameter."""
    from litestar.params import ParameterKwarg

    from demo_server.wire import number_params

    found: list[tuple[str, str, str, bool, bool]] = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for method, (handler, _) in sorted(route.route_handler_map.items()):
            if method in ("HEAD", "OPTIONS"):
                continue
            for name, is_id in sorted(number_params(handler).items()):
                field = handler.parsed_fn_signature.parameters.get(name)
                kwarg = None if field is None else field.kwarg_definition
                bounded = isinstance(kwarg, ParameterKwarg) and kwarg.le is not None
                if f"{{{name}:" not in route.path:
                    found.append((method, route.path, name, is_id, bounded))
    return found


def test_every_query_number_that_names_an_object_is_declared_an_id(app: Litestar) -> None:
    """Whether a query number past the largest id is 404 or 400 comes from its declared type,
    so a route whose parameter names an object must declare it ``wire.Id``, not a bare int."""
    found = _query_numbers(app)
    assert {name for _, _, name, _, _ in found} >= {"pupil_id", "class_id", "period", "limit"}
    undeclared = [
        f"{method} {path}?{name}"
        for method, path, name, is_id, _ in found
        if (name.endswith("_id") or name in _OBJECT_QUERY_NAMES) and not is_id
    ]
    assert not undeclared, "declare these wire.Id:\n" + "\n".join(undeclared)


def test_every_query_number_refused_past_the_largest_documents_its_maximum(app: Litestar) -> None:
    """A whole number that is not an ``Id`` is refused (400) past the largest id unless its
    route bounds it itself; the OpenAPI document says so with a ``maximum``, or a request valid
    by the document would be refused (``POST /classes/{id}/slips?confirm=17179869183`` was)."""
    document = app.openapi_schema.to_schema()
    undocumented = []
    for method, path, name, is_id, _bounded in _query_numbers(app):
        if is_id:
            continue  # past the largest id it names nothing: 404, which every such route documents
        path_format = re.sub(r"\{([a-z_]+):[a-z]+\}", r"{\1}", path)
        operation = document["paths"][path_format][method.lower()]
        (parameter,) = [p for p in operation["parameters"] if p["name"] == name]
        maximum = parameter["schema"].get("maximum")
        if maximum is None or maximum > MAX_ID:
            undocumented.append(f"{method} {path_format}?{name}: maximum {maximum}")
    assert not undocumented, "\n".join(undocumented)


@sqlite_only
@pytest.mark.readonly
async def test_a_query_number_past_the_largest_answers_by_its_declared_type(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """Past the largest id, an ``Id`` names nothing (404, "no id is larger") and any other whole
    number is out of range (400, the field named), for a role the route's guard lets in."""
    answers: list[str] = []
    checked = {True: 0, False: 0}
    roles = ("admin", "it", "teacher", "parent", "pupil", "nurse", "authority")
    auths = [await login_as(http, login) for login in roles]
    for method, path, name, is_id, bounded in _query_numbers(app):
        if method != "GET" or "{" in path or bounded:  # Litestar checks the route's own ``le``
            continue
        for auth in auths:
            response = await http.get(path, params={name: str(MAX_ID + 1)}, headers=auth)
            if response.status_code != 403:
                break
        else:
            continue
        problem = decode(response.content, Problem)
        checked[is_id] += 1
        expected = (404, "no id is larger") if is_id else (400, "must be at most")
        if (response.status_code, expected[1] in problem.detail) != (expected[0], True):
            answers.append(f"{path}?{name}: {response.status_code} {problem.detail}")
    assert not answers, "\n".join(answers)
    assert checked[True] >= 5 and checked[False] >= 2, checked


async def test_body_over_one_mib_is_refused(http: httpx.AsyncClient) -> None:
    big = json.dumps({"login": "x", "password": "y" * (1024 * 1024)}).encode()
    response = await http.post(
        "/api/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "1048576" in decode(response.content, Problem).detail

    async def chunks() -> Any:  # streamed, no Content-Length
        for _ in range(20):
            yield b" " * (64 * 1024)

    streamed = await http.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413


@sqlite_only
async def test_openapi_document_validates(http: httpx.AsyncClient) -> None:
    from openapi_spec_validator import validate

    response = await http.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    paths = document["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/pupils/{pupil_id}/week",
        "/api/v1/health",
    ):
        assert path in paths, path
    assert "Week" in document["components"]["schemas"]


@sqlite_only
async def test_internal_errors_are_problems_without_internals(
    app: Litestar,
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = await login_as(http, "admin")
    await app.state["server"].engine.dispose()
    state = app.state["server"]

    class Broken:
        def __call__(self) -> Any:
            raise RuntimeError("secret internals")

    state.sessionmaker = Broken()
    response = await http.get(f"/api/v1/pupils/{demo.ids['pupil']}/week", headers=headers)
    assert response.status_code == 500
    body = decode(response.content, Problem)
    assert "secret internals" not in response.text and body.detail
    assert "secret internals" in caplog.text


@pytest.mark.readonly
async def test_a_bad_query_parameter_is_named_in_plain_words(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(http, "it")
    response = await http.get("/api/v1/audit", params={"limit": "many"}, headers=headers)
    assert response.status_code == 400
    problem = decode(response.content, Problem)
    assert problem.field == "limit"
    assert problem.detail == (
        "the query parameter 'limit' must be a whole number written in the digits 0-9, "
        "without leading zeros"
    )


@pytest.mark.readonly
async def test_a_renamed_query_parameter_is_named_as_the_client_sent_it(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(http, "it")
    response = await http.get("/api/v1/users", params={"class": "5" * 30}, headers=headers)
    assert response.status_code == 400, response.text
    problem = decode(response.content, Problem)
    assert (problem.field, problem.detail) == (
        "class",
        "the query parameter 'class' is missing or not valid",
    )


@pytest.mark.readonly
@pytest.mark.parametrize(
    ("role", "path", "parameter"),
    [
        ("parent", "/api/v1/audit/head", "at"),
        ("nurse", "/api/v1/medical/absences", "pupil"),
        ("admin", "/api/v1/pupils/search", "q"),
    ],
)
async def test_a_required_query_parameter_not_sent_is_named(
    http: httpx.AsyncClient, login_as: LoginAs, role: str, path: str, parameter: str
) -> None:
    response = await http.get(path, headers=await login_as(http, role))
    assert response.status_code == 400, response.text
    problem = decode(response.content, Problem)
    assert (problem.field, problem.detail) == (
        parameter,
        f"the query parameter '{parameter}' is required",
    )
