"""Homework: the list, the pupil's done ticks, attachments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import insert

from api_client.models import HomeworkDoneState, HomeworkList, Problem, decode
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import LoginAs


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def homework(
    http: httpx.AsyncClient, headers: dict[str, str], pupil: int, **params: str
) -> HomeworkList:
    response = await http.get(f"/api/v1/pupils/{pupil}/homework", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, HomeworkList)


async def add_rows(demo_url: str, table: Any, **values: Any) -> int:
    engine = make_engine(demo_url)
    async with engine.begin() as db:
        new_id = (await db.execute(insert(table).values(**values).returning(table.id))).scalar()
    await engine.dispose()
    return int(new_id)


async def test_list_upcoming_then_past(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    # A past homework (due yesterday) and a later one of another subject.
    past = await add_rows(
        demo_url,
        s.Homework,
        lesson_id=ids["prev_mon1"],
        text="старое",
        due=dt.date(2026, 11, 24),
        author_id=ids["teacher"],
    )
    later = await add_rows(
        demo_url,
        s.Homework,
        lesson_id=ids["mon2"],
        text="упражнение 5",
        due=dt.date(2026, 11, 30),
        author_id=ids["classteacher"],
    )
    older = await add_rows(
        demo_url,
        s.Homework,
        lesson_id=ids["prev_mon1"],
        text="ещё старее",
        due=dt.date(2026, 11, 20),
        author_id=ids["teacher"],
    )
    result = await homework(http, await login_as(http, "parent"), ids["pupil"])
    assert result.today == dt.date(2026, 11, 25)
    assert (result.start, result.end) == (dt.date(2026, 11, 11), dt.date(2026, 12, 23))
    # Upcoming soonest first (due today counts as upcoming), then past latest first; the
    # removed homework and other classes' homework are not there.
    assert [item.id for item in result.items] == [ids["hw1"], later, past, older]
    first = result.items[0]
    assert (first.subject.name, first.text, first.given, first.done) == (
        "Математика",
        "№ 123, 124",
        dt.date(2026, 11, 23),
        True,
    )
    assert [(a.name, a.size) for a in first.attachments] == [("task.pdf", 3)]
    assert first.teacher == "Смирнова А. П."
    assert [subject.name for subject in result.subjects] == ["Математика", "Русский язык"]
    russian = await homework(
        http, await login_as(http, "parent"), ids["pupil"], subject=str(ids["russian"])
    )
    assert [item.id for item in russian.items] == [later]
    assert len(russian.subjects) == 2
    narrow = await homework(
        http,
        await login_as(http, "parent"),
        ids["pupil"],
        **{"from": "2026-11-21", "to": "2026-11-25"},
    )
    assert [item.id for item in narrow.items] == [ids["hw1"], past]


@pytest.mark.parametrize(
    ("params", "field", "status"),
    [
        # Not a date (the document's format): 400.
        ({"from": "2026-13-01"}, "from", 400),
        ({"from": ""}, "from", 400),
        ({"to": "tomorrow"}, "to", 400),
        # Dates that do not go together: 422.
        ({"from": "2026-11-25", "to": "2026-11-24"}, "to", 422),
        ({"from": "2024-01-01", "to": "2026-11-24"}, "to", 422),
    ],
)
async def test_bad_ranges_are_refused(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    params: dict[str, str],
    field: str,
    status: int,
) -> None:
    response = await http.get(
        f"/api/v1/pupils/{demo.ids['pupil']}/homework",
        params=params,
        headers=await login_as(http, "parent"),
    )
    assert response.status_code == status, response.text
    assert decode(response.content, Problem).field == field


async def put_done(
    http: httpx.AsyncClient, headers: dict[str, str], pupil: int, hw: int, done: bool, key: str
) -> httpx.Response:
    return await http.put(
        f"/api/v1/pupils/{pupil}/homework/{hw}/done",
        json={"done": done},
        headers={**headers, "Idempotency-Key": key},
    )


async def test_pupil_ticks_homework(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids
    headers = await login_as(http, "pupil")
    response = await put_done(http, headers, ids["pupil"], ids["hw1"], False, "untick-0001")
    assert response.status_code == 200, response.text
    assert decode(response.content, HomeworkDoneState) == HomeworkDoneState(
        homework_id=ids["hw1"], done=False
    )
    assert not (await homework(http, headers, ids["pupil"])).items[0].done
    again = await put_done(http, headers, ids["pupil"], ids["hw1"], False, "untick-0001")
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert (await put_done(http, headers, ids["pupil"], ids["hw1"], True, "tick-00002")).is_success
    assert (await homework(http, headers, ids["pupil"])).items[0].done
    # Ticking twice changes nothing.
    assert (await put_done(http, headers, ids["pupil"], ids["hw1"], True, "tick-00003")).is_success
    assert (await homework(http, headers, ids["pupil"])).items[0].done
    # A parent does not see their child's tick changed by anyone else.
    parent = await homework(http, await login_as(http, "parent"), ids["pupil"])
    assert parent.items[0].done


@pytest.mark.parametrize(
    ("viewer", "pupil", "hw", "status"),
    [
        ("parent", "pupil", "hw1", 403),
        ("teacher", "pupil", "hw1", 403),
        ("admin", "pupil", "hw1", 403),
        ("nurse", "pupil", "hw1", 403),
        ("pupil", "sibling", "hw1", 404),
        ("pupil", "pupil", "hw_removed", 404),
        ("pupil", "pupil", "nonexistent", 404),
    ],
)
async def test_only_the_pupil_ticks_their_own(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str,
    pupil: str,
    hw: str,
    status: int,
) -> None:
    hw_id = demo.ids.get(hw, 999999)
    response = await put_done(
        http, await login_as(http, viewer), demo.ids[pupil], hw_id, True, "key-of-test"
    )
    assert response.status_code == status, response.text


async def test_homework_of_another_class_cannot_be_ticked(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    foreign = await add_rows(
        demo_url,
        s.Homework,
        lesson_id=ids["c6b_mon1"],
        text="6Б",
        due=dt.date(2026, 11, 26),
        author_id=ids["teacher"],
    )
    response = await put_done(
        http, await login_as(http, "pupil"), ids["pupil"], foreign, True, "foreign-01"
    )
    assert response.status_code == 404
    missing = await put_done(
        http, await login_as(http, "pupil"), ids["pupil"], 999999, True, "foreign-02"
    )
    assert response.content == missing.content


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("pupil", 200),
        ("parent", 200),
        ("teacher", 200),
        ("teacher2", 200),
        ("classteacher", 200),
        ("admin", 200),
        ("other_parent", 404),
        ("stranger", 404),
        ("it", 403),
        ("nurse", 403),
        ("authority", 403),
        (None, 401),
    ],
)
async def test_attachment_download_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    demo_url: str,
    viewer: str | None,
    status: int,
) -> None:
    attachment = await add_rows(
        demo_url,
        s.HomeworkAttachment,
        homework_id=demo.ids["hw1"],
        name="Задание №2.txt",
        size=11,
        content=b"hello world",
    )
    headers = await login_as(http, viewer) if viewer else {}
    response = await http.get(f"/api/v1/attachments/{attachment}", headers=headers)
    assert response.status_code == status, response.text
    if status == 200:
        assert response.content == b"hello world"
        assert response.headers["content-type"].startswith("text/plain")
        disposition = response.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''%D0%97%D0%B0%D0%B4" in disposition
        again = await http.get(
            f"/api/v1/attachments/{attachment}",
            headers={**headers, "If-None-Match": response.headers["etag"]},
        )
        assert again.status_code == 304
    elif status == 404:
        missing = await http.get("/api/v1/attachments/999999", headers=headers)
        assert missing.status_code == 404 and missing.content == response.content


async def test_homework_list_304(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    headers = await login_as(http, "pupil")
    url = f"/api/v1/pupils/{demo.ids['pupil']}/homework"
    first = await http.get(url, headers=headers)
    again = await http.get(url, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/pupils/{pupil}/homework?subject=abc", None),
        ("GET", "/api/v1/pupils/{pupil}/homework?from=%00", None),
        ("GET", "/api/v1/pupils/{pupil}/grades?period=%00", None),
        ("GET", "/api/v1/pupils/{pupil}/attendance?period=99999999999999999999", None),
        ("GET", "/api/v1/pupils/99999999999999/grades", None),
        ("GET", "/api/v1/attachments/99999999999999", None),
        ("GET", "/api/v1/classes/99999999999999/absence-notices", None),
        ("PUT", "/api/v1/pupils/{pupil}/homework/{hw}/done", b'{"done": "yes"}'),
        ("PUT", "/api/v1/pupils/{pupil}/homework/{hw}/done", b"not json"),
        ("PUT", "/api/v1/pupils/{pupil}/homework/99999999999999/done", b'{"done": true}'),
        ("POST", "/api/v1/pupils/{pupil}/absence-notices", b'{"start": 1}'),
    ],
)
async def test_bad_requests_get_a_problem_never_a_500(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    method: str,
    path: str,
    body: bytes | None,
) -> None:
    viewer = "parent" if method == "POST" else "pupil"
    headers = {**await login_as(http, viewer), "Idempotency-Key": "bad-request-1"}
    url = path.format(pupil=demo.ids["pupil"], hw=demo.ids["hw1"])
    response = await http.request(method, url, content=body, headers=headers)
    assert 400 <= response.status_code < 500, (url, response.status_code, response.text)
    assert decode(response.content, Problem).detail


async def test_attachment_of_a_class_before_the_pupil_joined_is_not_theirs(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    """The mover joined 5А on Wednesday: homework set at 5А on Monday is not theirs."""
    attachment = await add_rows(
        demo_url,
        s.HomeworkAttachment,
        homework_id=demo.ids["hw1"],
        name="plan.txt",
        size=4,
        content=b"plan",
    )
    mover = await http.get(
        f"/api/v1/attachments/{attachment}", headers=await login_as(http, "mover")
    )
    assert mover.status_code == 404
    listed = await homework(http, await login_as(http, "mover"), demo.ids["mover"])
    assert demo.ids["hw1"] not in [item.id for item in listed.items]
    pupil = await http.get(
        f"/api/v1/attachments/{attachment}", headers=await login_as(http, "pupil")
    )
    assert pupil.status_code == 200
