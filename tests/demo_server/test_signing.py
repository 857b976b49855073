"""Signing the week: who may sign, what is kept, and what the week says changed since."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api_client.models import Week, WeekSignature, decode
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import Absence, Lesson, Mark, WeekAcknowledgement
from demo_server.signing import content_hash, describe_changes
from tests.conftest import LoginAs

API = "/api/v1"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def get_week(http: httpx.AsyncClient, headers: dict[str, str], pupil: int) -> Week:
    response = await http.get(f"{API}/pupils/{pupil}/week", headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Week)


async def test_a_parent_signs_and_later_changes_are_listed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    parent = await login_as(http, "parent")
    pupil = ids["pupil"]
    assert (await get_week(http, parent, pupil)).signed is None
    response = await http.post(
        f"{API}/pupils/{pupil}/weeks/2026-11-23/sign", headers={**parent, **key()}
    )
    assert response.status_code == 201, response.text
    signature = decode(response.content, WeekSignature)
    assert signature.by == "Ирина Соколова" and signature.changed == []
    assert len(signature.content_hash) == 64
    week = await get_week(http, parent, pupil)
    assert week.signed is not None and week.signed.changed == []
    # The pupil sees that the week was signed, too.
    assert (await get_week(http, await login_as(http, "pupil"), pupil)).signed is not None

    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            row = await db.scalar(select(WeekAcknowledgement))
            assert row is not None and row.parent_id == ids["parent"]
            assert content_hash(row.content) == row.content_hash
            assert {m["id"] for m in row.content["marks"]} == {ids["mark_edited"]}
            await db.execute(update(Mark).where(Mark.id == ids["mark_edited"]).values(value=4))
            lesson_id = await db.scalar(select(Lesson.id).where(Lesson.id == ids["wed1"]))
            db.add(Mark(lesson_id=lesson_id, pupil_id=pupil, value=3, author_id=ids["teacher"]))
            await db.execute(
                update(Absence).where(Absence.id == ids["absence"]).values(kind="unexcused")
            )
            await db.execute(update(Lesson).where(Lesson.id == ids["wed1"]).values(topic="Новая"))
    finally:
        await engine.dispose()
    changed = (await get_week(http, parent, pupil)).signed
    assert changed is not None
    assert changed.changed == [
        "Mark 5 in Математика on 23 Nov changed to 4",
        "New mark 3 in Математика on 25 Nov",
        "Absence changed: Русский язык on 23 Nov (unexcused)",
        "Topic of Математика on 25 Nov changed",
    ]


async def test_who_may_sign(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    ids = demo.ids
    expected = [
        ("parent", "sibling", 201),
        ("parent", "stranger", 404),
        ("pupil", "pupil", 403),
        ("teacher", "pupil", 403),
        ("admin", "pupil", 403),
        ("it", "pupil", 403),
        ("other_parent", "pupil", 404),
    ]
    for login, pupil, status in expected:
        headers = await login_as(http, login)
        response = await http.post(
            f"{API}/pupils/{ids[pupil]}/weeks/2026-11-23/sign", headers={**headers, **key()}
        )
        assert response.status_code == status, (login, pupil, response.text)
    parent = await login_as(http, "parent")
    for bad, status in (("2026-11-24", 422), ("2026-02-30", 400), ("monday", 400)):
        # A Tuesday is a date (the document's format) but not a Monday: 422.
        response = await http.post(
            f"{API}/pupils/{ids['pupil']}/weeks/{bad}/sign", headers={**parent, **key()}
        )
        assert response.status_code == status, bad
    no_key = await http.post(f"{API}/pupils/{ids['pupil']}/weeks/2026-11-23/sign", headers=parent)
    assert no_key.status_code == 400


def test_describe_changes_words() -> None:
    where = {"lesson_id": 1, "subject": "Физика", "date": "2026-11-24"}
    old = {
        "marks": [{"id": 1, **where, "value": 4, "weight": 1, "kind": "oral", "comment": ""}],
        "absences": [],
        "lessons": [{**where, "status": "planned", "note": "", "topic": "a"}],
    }
    new = {
        "marks": [],
        "absences": [{"id": 9, **where, "kind": "illness", "minutes": 0, "note": ""}],
        "lessons": [{**where, "status": "cancelled", "note": "", "topic": "a"}],
    }
    assert describe_changes(old, new) == [
        "Mark 4 in Физика on 24 Nov removed",
        "Absence added: Физика on 24 Nov (illness)",
        "Lesson Физика on 24 Nov is now cancelled",
    ]
    assert describe_changes(new, new) == []


async def test_a_week_that_has_not_begun_cannot_be_signed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    parent = await login_as(http, "parent")
    pupil = demo.ids["pupil"]
    for lang, words in (("en", "has not begun"), ("ru", "ещё не началась")):
        response = await http.post(
            f"{API}/pupils/{pupil}/weeks/2026-11-30/sign",
            headers={**parent, **key(), "Accept-Language": lang},
        )
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["field"] == "monday" and words in problem["detail"], problem
    assert (await get_week(http, parent, pupil)).signed is None
    # The week under way (today is Wednesday 25 November) is signed as before.
    response = await http.post(
        f"{API}/pupils/{pupil}/weeks/2026-11-23/sign", headers={**parent, **key()}
    )
    assert response.status_code == 201, response.text
