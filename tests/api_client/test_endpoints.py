"""Every GET is one value: the query the request sends is the key its answer is kept under."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from api_client import endpoints
from api_client.cache import CachedResponse, MemoryCache, cache_key
from api_client.client import DiaryClient
from api_client.endpoints import Get
from api_client.errors import NotFound
from api_client.models import API_PREFIX, Role

WEDNESDAY = dt.date(2025, 10, 15)
MONDAY = dt.date(2025, 10, 13)

#: Each endpoint asked as a caller may ask it: untrimmed text, a mid-week day, ids as text,
#: the optional parts left out and given.
CALLS: dict[str, list[Callable[[], Get[Any]]]] = {
    "health": [endpoints.health],
    "me": [endpoints.me],
    "week": [lambda: endpoints.week(7), lambda: endpoints.week(7, WEDNESDAY)],
    "grades": [
        lambda: endpoints.grades(7),
        lambda: endpoints.grades(7, 3),
        lambda: endpoints.grades(7, "year"),
    ],
    "report_card": [lambda: endpoints.report_card(7)],
    "homework": [
        lambda: endpoints.homework(7),
        lambda: endpoints.homework(7, MONDAY, WEDNESDAY, 12),
        lambda: endpoints.homework(7, end=WEDNESDAY),
    ],
    "attendance": [lambda: endpoints.attendance(7), lambda: endpoints.attendance(7, 2)],
    "absence_notices": [lambda: endpoints.absence_notices(7)],
    "class_absence_notices": [lambda: endpoints.class_absence_notices(4)],
    "journal": [lambda: endpoints.journal(4, 9), lambda: endpoints.journal(4, 9, 2)],
    "lesson": [lambda: endpoints.lesson(120)],
    "threads": [endpoints.threads],
    "thread": [lambda: endpoints.thread(5)],
    "recipients": [lambda: endpoints.recipients(7)],
    "announcements": [lambda: endpoints.announcements(), lambda: endpoints.announcements(7)],
    "blog_posts": [lambda: endpoints.blog_posts()],
    "blog_post": [lambda: endpoints.blog_post(7)],
    "events": [
        lambda: endpoints.events(MONDAY, WEDNESDAY),
        lambda: endpoints.events(MONDAY, WEDNESDAY, 7),
    ],
    "users": [
        lambda: endpoints.users(),
        lambda: endpoints.users("  Иванова Мария ", Role.PUPIL, "5А", offset=200, limit=200),
        lambda: endpoints.users("x" * 150, class_=""),
        lambda: endpoints.users("a&b=c+d", role=Role.PARENT),
    ],
    "groups": [lambda: endpoints.groups(), lambda: endpoints.groups(4)],
    "assignments": [
        lambda: endpoints.assignments(),
        lambda: endpoints.assignments(4),
        lambda: endpoints.assignments(teacher_id=11),
    ],
    "timetable": [lambda: endpoints.timetable(), lambda: endpoints.timetable(4, WEDNESDAY)],
    "classes": [endpoints.classes],
    "user": [lambda: endpoints.user(11)],
    "audit": [
        lambda: endpoints.audit(),
        lambda: endpoints.audit(
            pupil="petrov", teacher="", start=MONDAY, end=WEDNESDAY, entity="mark", before=90
        ),
    ],
    "school_stats": [lambda: endpoints.school_stats(), lambda: endpoints.school_stats(2)],
    "class_stats": [lambda: endpoints.class_stats(4), lambda: endpoints.class_stats(4, 2)],
    "authority_stats": [lambda: endpoints.authority_stats(), lambda: endpoints.authority_stats(1)],
    "search_pupils": [lambda: endpoints.search_pupils("Пет ров")],
    "medical_absences": [
        lambda: endpoints.medical_absences(7),
        lambda: endpoints.medical_absences(7, MONDAY, WEDNESDAY),
    ],
}


def test_every_endpoint_is_asked() -> None:
    assert set(CALLS) == {make.__name__ for make in endpoints.CONSTRUCTORS}


class KeysAsked(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def get(self, key: str) -> CachedResponse | None:
        self.asked.append(key)
        return super().get(key)


CASES = [(name, i) for name, makers in CALLS.items() for i in range(len(makers))]


@pytest.mark.parametrize(("name", "index"), CASES)
async def test_the_cache_key_is_the_query_sent(name: str, index: int) -> None:
    req = CALLS[name][index]()
    sent: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(404, json={"title": "Not Found", "status": 404, "detail": "no"})

    cache = KeysAsked()
    transport = httpx.MockTransport(answer)
    async with DiaryClient("http://school.invalid", transport=transport, cache=cache) as client:
        client._access_token, client._access_expires = "token", float("inf")
        with pytest.raises(NotFound):
            await client.fetch(req)
    (request,) = sent
    url = urlsplit(str(request.url))
    assert url.path == API_PREFIX + req.path
    pairs = parse_qsl(url.query, keep_blank_values=True)
    # What is sent is the value's query, in its order, and the cache looked under that query.
    assert tuple(pairs) == req.params
    assert cache.asked == [req.key] == [cache_key(req.path, dict(pairs))]
    assert ("Authorization" in request.headers) is req.auth


def test_queries_are_normalised_once() -> None:
    assert endpoints.week(7, WEDNESDAY) == endpoints.week(7, MONDAY)
    assert endpoints.week(7, WEDNESDAY).params == (("date", "2025-10-13"),)
    assert endpoints.grades(7, 3) == endpoints.grades(7, "3")
    assert endpoints.users("  ann ") == endpoints.users("ann")
    assert endpoints.users(class_="") == endpoints.users()
    assert dict(endpoints.users("x" * 150).params)["q"] == "x" * 100
    assert endpoints.audit(pupil="", teacher=None) == endpoints.audit()
    assert endpoints.journal(4, 9).params == (("class_id", "4"), ("subject_id", "9"))
    assert endpoints.school_stats().key == "/stats/school"
    assert endpoints.class_stats(4, 2).key == "/stats/classes/4?period=2"
