"""The OpenAPI document says what the server does: its refusals, headers, methods and bodies.

The whole document is checked against the running server by ``tests/contract/
run_schemathesis.py`` (in CI); these tests pin each rule of ``demo_server.openapi`` and the
behaviour it describes, in-process.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client import models
from demo_server.openapi import WRITES
from tests.conftest import LoginAs, sqlite_only

pytestmark = [sqlite_only, pytest.mark.readonly]

PROBLEM_REF = "#/components/schemas/Problem"


async def _document(http: httpx.AsyncClient) -> dict[str, Any]:
    response = await http.get("/api/v1/schema/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method.upper(), operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


async def test_every_refusal_is_documented_as_the_problem_sent(http: httpx.AsyncClient) -> None:
    document = await _document(http)
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        label = f"{method} {path}"
        for status, response in responses.items():
            if int(status) >= 400:
                content = response["content"]
                assert list(content) == ["application/problem+json"], label
                assert content["application/problem+json"]["schema"] == {"$ref": PROBLEM_REF}
        anonymous = ("/api/v1/health", "/api/v1/register", "/api/v1/register/consent")
        secured = "/auth/" not in path and path not in anonymous
        if secured:
            assert {"401", "403"} <= set(responses), label
            assert "WWW-Authenticate" in responses["401"]["headers"], label
        if "{" in path:
            assert "404" in responses, label
        parameters = [p for p in operation.get("parameters", []) if p["name"] != "If-None-Match"]
        if parameters or operation.get("requestBody"):
            assert "400" in responses, label
        if operation.get("requestBody"):
            assert "413" in responses, label
        if method in WRITES and secured:
            assert {"409", "422"} <= set(responses), label
        queried = any(p["in"] == "query" for p in operation.get("parameters", []))
        if operation.get("requestBody") or queried:
            # values of the right form that do not go together ('to' before 'from')
            assert "422" in responses, label
    login = document["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"401", "429"} <= set(login)
    assert "Retry-After" in login["429"]["headers"]


async def test_the_documented_400_is_the_body_sent(http: httpx.AsyncClient) -> None:
    document = await _document(http)
    schema = document["components"]["schemas"]["Problem"]
    assert {"title", "status"} <= set(schema["required"])
    response = await http.post("/api/v1/auth/login", json={"login": "x"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    problem = models.decode(response.content, models.Problem)
    assert problem.field == "password"


async def test_writes_document_their_idempotency_key_and_gets_their_etag(
    http: httpx.AsyncClient,
) -> None:
    document = await _document(http)
    for path, method, operation in _operations(document):
        headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
        # POST /register/consent reads (the consent text for a code) and writes nothing.
        if method in WRITES and "/auth/" not in path and path != "/api/v1/register/consent":
            key = headers.get("Idempotency-Key")
            assert key is not None and key["required"] is True, f"{method} {path}"
            assert key["schema"]["pattern"] == "^[A-Za-z0-9._:\\-]{8,128}$"
        if method == "GET" and path != "/api/v1/changes/stream":
            ok = operation["responses"]["200"]
            assert "ETag" in ok["headers"], path
            assert "304" in operation["responses"], path
            assert headers["If-None-Match"]["required"] is False


async def test_request_bodies_refuse_unknown_fields_in_the_document_as_on_the_wire(
    http: httpx.AsyncClient,
) -> None:
    document = await _document(http)
    schemas = document["components"]["schemas"]
    for name in ("LoginRequest", "LessonChange", "MarkCreate", "RegisterRequest"):
        assert schemas[name]["additionalProperties"] is False, name
        assert getattr(models, name).__struct_config__.forbid_unknown_fields, name
    response = await http.post(
        "/api/v1/auth/login", json={"login": "parent", "password": "demo", "remember": True}
    )
    assert response.status_code == 400
    assert models.decode(response.content, models.Problem).field == "remember"


async def test_options_lists_every_method_of_the_path(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    document = await _document(http)
    for path in ("/api/v1/lessons/{lesson_id}", "/api/v1/users/{user_id}", "/api/v1/users"):
        documented = {m.upper() for m in document["paths"][path]}
        response = await http.options(path.replace("{lesson_id}", "1").replace("{user_id}", "1"))
        assert response.status_code == 204
        allowed = {m.strip() for m in response.headers["allow"].split(",")}
        assert allowed == documented | {"OPTIONS"}, path


async def test_query_parameters_document_what_the_server_reads(http: httpx.AsyncClient) -> None:
    document = await _document(http)

    def schema(path: str, name: str) -> dict[str, Any]:
        params = document["paths"][path]["get"]["parameters"]
        found: dict[str, Any] = next(p for p in params if p["name"] == name)["schema"]
        return found

    for path, name in (("/api/v1/events", "from"), ("/api/v1/pupils/{pupil_id}/week", "date")):
        assert schema(path, name)["format"] == "date"
        assert schema(path, name)["pattern"] == "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
    assert (
        schema("/api/v1/changes", "limit")["minimum"],
        schema("/api/v1/changes", "limit")["maximum"],
    ) == (1, 500)
    assert schema("/api/v1/changes", "since")["pattern"] == "^[0-9]{1,19}$"


async def test_an_optional_parameter_documents_its_limits(http: httpx.AsyncClient) -> None:
    """A limit declared on an optional parameter (``confirm: int | None`` with ``ge=0``) is in
    the document as it is on the wire: the server refuses ``?confirm=-1``, so the document
    must not call it valid (the contract fuzzing found it left out)."""
    document = await _document(http)

    def schema(path: str, method: str, name: str) -> dict[str, Any]:
        params = document["paths"][path][method]["parameters"]
        found: dict[str, Any] = next(p for p in params if p["name"] == name)["schema"]
        return found

    assert schema("/api/v1/classes/{class_id}/slips", "post", "confirm")["minimum"] == 0
    assert schema("/api/v1/groups", "get", "class_id")["minimum"] == 1
    assert schema("/api/v1/assignments", "get", "teacher_id")["minimum"] == 1
    assert schema("/api/v1/users", "get", "class")["maxLength"] == 20
    year = schema("/api/v1/setup/classes", "get", "year_id")
    assert (year["minimum"], year["maximum"]) == (1, 2**31 - 1)
