"""Helpers for the journal tests: open a teacher's journal, send a write with a key."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec

from api_client.models import Journal, JournalLesson, LessonStatus, Me, decode, encode

API = "/api/v1"


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


async def teacher_desk(http: httpx.AsyncClient, headers: dict[str, str], today: dt.date) -> Desk:
    who = await me(http, headers)
    assert who.teaching, "the teacher teaches nothing"
    teaching = who.teaching[0]
    journal = await open_journal(http, headers, teaching.class_.id, teaching.subject.id)
    held = [
        lesson
        for lesson in journal.lessons
        if lesson.date <= today and lesson.status is not LessonStatus.CANCELLED
    ]
    assert held, "no lesson held in this period yet"
    return Desk(headers, journal, held[-1])
