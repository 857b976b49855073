"""Helpers for the journal tests: open a teacher's journal, send a write with a key."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import msgspec

from api_client.models import Journal, JournalLesson, LessonStatus, Me, Problem, decode, encode

API = "/api/v1"

T = TypeVar("T")


def new_key() -> str:
    return uuid.uuid4().hex


async def me(http: httpx.AsyncClient, headers: dict[str, str]) -> Me:
    response = await http.get(f"{API}/me", headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Me)


async def open_journal(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    class_id: int,
    subject_id: int,
    period_id: int | None = None,
) -> Journal:
    params = {"class_id": class_id, "subject_id": subject_id}
    if period_id is not None:
        params["period_id"] = period_id
    response = await http.get(f"{API}/journal", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Journal)


async def send(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    method: str,
    path: str,
    body: msgspec.Struct | dict[str, Any] | bytes,
    key: str | None = None,
) -> httpx.Response:
    """A write with an Idempotency-Key (a new one unless ``key`` is given)."""
    content = body if isinstance(body, bytes) else encode(body)
    return await http.request(
        method,
        f"{API}{path}",
        content=content,
        headers={
            **headers,
            "Content-Type": "application/json",
            "Idempotency-Key": key or new_key(),
        },
    )


@dataclass
class Desk:
    """A teacher's journal of their first class and subject, and a lesson to write at."""

    headers: dict[str, str]
    journal: Journal
    lesson: JournalLesson
    """The latest held (not cancelled) lesson up to today."""

    @property
    def pupil_id(self) -> int:
        return self.journal.pupils[0].id


async def teacher_desk(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    today: dt.date,
    class_ids: set[int] | None = None,
) -> Desk:
    """The first class and subject the teacher teaches (among ``class_ids`` if given)."""
    who = await me(http, headers)
    teachings = [t for t in who.teaching if class_ids is None or t.class_.id in class_ids]
    assert teachings, "the teacher teaches none of these classes"
    teaching = teachings[0]
    journal = await open_journal(http, headers, teaching.class_.id, teaching.subject.id)
    held = [
        lesson
        for lesson in journal.lessons
        if lesson.date <= today and lesson.status is not LessonStatus.CANCELLED
    ]
    assert held, "no lesson held in this period yet"
    return Desk(headers, journal, held[-1])


async def fetch_all(url: str, query: Any) -> list[Any]:
    """Rows of ``query`` read straight from the database behind the app."""
    from demo_server.db import make_engine

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(query)).all())
    finally:
        await engine.dispose()


def current_as(problem: Problem, type_: type[T]) -> T:
    """A 409 problem's ``current`` value as its Struct."""
    assert problem.current is not None, problem
    return decode(encode(problem.current), type_)
