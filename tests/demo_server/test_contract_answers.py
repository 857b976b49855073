"""The server answers what its OpenAPI document says, for requests the document allows.

Each test here is a class of disagreement ``tests/contract/run_schemathesis.py`` found between
the document and the server, pinned in-process: a request the document allows is never
refused with 400 (which says "the document rules this out"), and the status and media type
of a success are the documented ones.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from api_client.models import JournalMark, MarkUpdate, Problem, decode, encode
from tests.conftest import LoginAs, sqlite_only
from tests.demo_server.journal_support import API, me, send, teacher_desk

pytestmark = sqlite_only


def problem(response: httpx.Response, status: int) -> Problem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return decode(response.content, Problem)


async def test_a_whole_number_written_with_a_fraction_is_that_number(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """JSON has one kind of number and JSON Schema's ``integer`` allows ``4.0``: the server
    reads it as 4 wherever a whole number (or a whole number or null) is wanted."""
    d = await teacher_desk(http, await login_as(http, "teacher"), demo.today)
    body = f'{{"lesson_id": {d.lesson.id}.0, "pupil_id": {d.pupil_id}.0, "value": 4.0}}'
    response = await send(http, d.headers, "POST", "/marks", body.encode())
    assert response.status_code == 201, response.text
    mark = decode(response.content, JournalMark)
    assert (mark.lesson_id, mark.pupil_id, mark.value) == (d.lesson.id, d.pupil_id, 4)

    change = MarkUpdate(version=mark.version, value=5, reason="исправление")
    text = encode(change).decode().replace('"version":1', '"version":1.0')
    text = text.replace('"value":5', '"value":5e0')  # int | None, in exponent form
    assert '"version":1.0' in text and '"value":5e0' in text
    response = await send(http, d.headers, "PATCH", f"/marks/{mark.id}", text.encode())
    assert response.status_code == 200, response.text
    assert decode(response.content, JournalMark).value == 5

    # A fraction is still no whole number: the document rules it out (400, naming the field).
    body = f'{{"lesson_id": {d.lesson.id}, "pupil_id": {d.pupil_id}, "value": 4.5}}'
    refused = problem(await send(http, d.headers, "POST", "/marks", body.encode()), 400)
    assert refused.field == "value" and "whole number" in (refused.detail or "")


async def test_a_required_query_parameter_is_documented_and_named_when_missing(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    document = (await http.get(f"{API}/schema/openapi.json")).json()
    params = {p["name"]: p for p in document["paths"][f"{API}/journal"]["get"]["parameters"]}
    assert params["class_id"]["required"] is True
    assert params["subject_id"]["required"] is True
    assert params["period_id"]["required"] is False
    headers = await login_as(http, "teacher")
    refused = problem(
        await http.get(f"{API}/journal", params={"class_id": 1}, headers=headers), 400
    )
    assert refused.field == "subject_id"
    assert refused.detail == "the query parameter 'subject_id' is required"


async def test_values_that_do_not_go_together_are_422_not_400(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """Each parameter is as the document says, but together they are refused: 422."""
    parent, it = await login_as(http, "parent"), await login_as(http, "it")
    pupil = (await me(http, parent)).children[0].id
    key = {"Idempotency-Key": "sign-a-wednesday-1"}
    refusals = [
        (await http.get(f"{API}/events", params={"from": "2026-11-29", "to": "2026-11-23"},
                        headers=parent), "to"),
        (await http.get(f"{API}/events", params={"from": "2020-01-01", "to": "2026-01-01"},
                        headers=parent), "to"),
        (await http.get(f"{API}/pupils/{pupil}/homework",
                        params={"from": "2026-11-25", "to": "2026-11-24"}, headers=parent), "to"),
        (await http.post(f"{API}/pupils/{pupil}/weeks/2026-11-25/sign",
                         headers={**parent, **key}), "monday"),
        (await http.get(f"{API}/audit", params={"from": "2026-11-20", "to": "2026-11-10"},
                        headers=it), "to"),
    ]  # fmt: skip
    for response, field in refusals:
        assert problem(response, 422).field == field, response.request.url


async def test_an_unknown_cursor_is_422_and_a_malformed_one_400(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(http, "parent")
    for since, status in (("99999999", 422), ("9" * 19, 422), ("9" * 20, 400), ("", 400)):
        response = await http.get(f"{API}/changes", params={"since": since}, headers=headers)
        assert problem(response, status).field == "since", since


@pytest.mark.parametrize(
    ("login", "path"),
    [
        ("parent", "/announcements/{announcement_id}/read"),
        ("parent", "/threads/{thread_id}/read"),
    ],
)
async def test_a_write_answers_the_status_the_document_says(
    http: httpx.AsyncClient, login_as: LoginAs, login: str, path: str
) -> None:
    """Marking something read creates nothing: 200, and the document says 200 (not the 201
    a POST is given by default)."""
    headers = await login_as(http, login)
    announcement = (await http.get(f"{API}/announcements", headers=headers)).json()
    threads = (await http.get(f"{API}/threads", headers=headers)).json()
    ids = {
        "announcement_id": announcement["announcements"][0]["id"],
        "thread_id": threads["threads"][0]["id"],
    }
    body = b'{"last_read_id": 1}' if "threads" in path else b""
    document = (await http.get(f"{API}/schema/openapi.json")).json()
    documented = {
        int(status)
        for status in document["paths"][API + path]["post"]["responses"]
        if int(status) < 300
    }
    response = await http.post(
        API + path.format(**ids),
        content=body,
        headers={
            **headers,
            "Idempotency-Key": f"read-{path.count('threads')}-0001",
            **({"Content-Type": "application/json"} if body else {}),
        },
    )
    assert response.status_code == 200, response.text
    assert documented == {200}


async def test_the_change_stream_is_documented_as_events(http: httpx.AsyncClient) -> None:
    document = (await http.get(f"{API}/schema/openapi.json")).json()
    ok = document["paths"][f"{API}/changes/stream"]["get"]["responses"]["200"]
    assert list(ok["content"]) == ["text/event-stream"]
    event = ok["content"]["text/event-stream"]["schema"]
    assert event["properties"]["event"]["const"] == "change"
    assert set(event["required"]) == {"event", "id", "data"}


async def test_optional_query_parameters_are_never_null(http: httpx.AsyncClient) -> None:
    """A query parameter is text or absent: ``required: false`` says it may be left out, and
    no schema offers null (which a client would send as an empty value, refused)."""
    document = (await http.get(f"{API}/schema/openapi.json")).json()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                text = str(parameter["schema"])
                assert "'null'" not in text, (method, path, parameter["name"])
    homework = document["paths"][f"{API}/pupils/{{pupil_id}}/homework"]["get"]["parameters"]
    first = next(p for p in homework if p["name"] == "from")["schema"]
    assert (first["type"], first["format"]) == ("string", "date")


async def test_the_audit_actions_are_what_their_pattern_says(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    """``action`` is read exactly as its documented pattern allows, no more leniently."""
    document = (await http.get(f"{API}/schema/openapi.json")).json()
    params = document["paths"][f"{API}/audit"]["get"]["parameters"]
    pattern = re.compile(next(p for p in params if p["name"] == "action")["schema"]["pattern"])
    headers = await login_as(http, "it")
    for value in ("update", "update,remove", "create,update,remove", "remove,remove"):
        assert pattern.search(value), value
        response = await http.get(f"{API}/audit", params={"action": value}, headers=headers)
        assert response.status_code == 200, (value, response.text)
    for value in ("", "0", "Update", " update", "update, remove", "update,", ",update"):
        assert not pattern.search(value), value
        response = await http.get(f"{API}/audit", params={"action": value}, headers=headers)
        assert problem(response, 400).field == "action", value
