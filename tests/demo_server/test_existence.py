"""An object the caller may not see looks exactly like one that does not exist.

For every route that names an object by id (in its path, its query or its body), and for every
role, the answer about an object of another school, or of this school but outside the caller's
relation (another family's child, a class the teacher does not teach), is compared with the
answer about an id that exists nowhere: the same status and the same body, byte for byte. So
ids cannot be probed, and no refusal names a pupil, a subject or a class the caller may not see.

The routes with an id in their path are taken from the app's route table: a new one fails
:func:`test_every_route_with_an_id_is_probed` until it is added to :data:`REQUESTS`.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api_client.models import API_PREFIX
from tests.conftest import LoginAs

MISSING = 999_999
"""An id no object of any kind has."""

ROLES = [
    "pupil",
    "parent",
    "teacher",
    "classteacher",
    "teacher2",
    "admin",
    "it",
    "nurse",
    "authority",
]

#: The ids a request is filled with where it names an object the caller may see (the mini
#: school's pupil of 5А, their Monday maths lesson, its mark, ...); the one probed is replaced.
OWN = {
    "pupil": "pupil",
    "lesson": "mon1",
    "mark": "mark_edited",
    "class": "c5a",
    "subject": "math",
    "period": "period",
    "homework": "hw1",
    "user": "teacher",
    "parent": "parent",
    "thread": "far_thread",
    "announcement": "far_announcement",
    "event": "meeting",
    "notice": "far_notice",
    "attachment": "far_attachment",
    "year": "year",
    "holiday": "holiday",
    "schedule": "bells",
    "room": "room",
    "group": "far_group",
    "assignment": "far_assignment",
    "row": "far_row",
    "post": "post",
    "comment": "comment",
    "chat": "chat_5a",
}

#: Objects of the caller's own school the caller may not see, beyond every object of the
#: neighbouring school (``far_*``), which nobody here may see. (teacher: 5А and 6Б maths;
#: classteacher: leads 5А, teaches its Russian; teacher2: history in 5А, 6Б and 7В, leads 6Б.)
FOREIGN_IN_SCHOOL: dict[str, dict[str, list[str]]] = {
    "pupil": {
        "pupil": ["sibling", "stranger"],
        "mark": ["mark_sibling"],
        "class": ["c6b", "c7v"],
        "event": ["c7v_trip"],
        "post": ["post_7v", "post_hidden"],
        "comment": ["comment_hidden"],
        "chat": ["chat_6b"],
    },
    "parent": {
        "pupil": ["stranger"],
        "class": ["c7v"],
        "user": ["other_parent"],
        "event": ["c7v_trip"],
        "post": ["post_7v", "post_hidden"],
        "comment": ["comment_hidden"],
    },
    "teacher": {
        "pupil": ["stranger"],
        "lesson": ["c7v_mon1"],
        "class": ["c7v"],
        "post": ["post_7v", "post_hidden"],
    },
    "teacher2": {"comment": ["comment_hidden"]},
    "classteacher": {
        "post": ["post_7v", "post_hidden"],
        "comment": ["comment_hidden"],
        "pupil": ["sibling", "stranger"],
        "lesson": ["c6b_mon1", "c7v_mon1"],
        "mark": ["mark_sibling"],
        "class": ["c6b", "c7v"],
        "chat": ["chat_6b"],
    },
}

FAR = {
    "pupil": "far_pupil",
    "lesson": "far_lesson",
    "mark": "far_mark",
    "class": "far_class",
    "subject": "far_subject",
    "period": "far_period",
    "homework": "far_homework",
    "user": "far_teacher",
    "parent": "far_parent",
    "thread": "far_thread",
    "announcement": "far_announcement",
    "event": "far_event",
    "notice": "far_notice",
    "attachment": "far_attachment",
    "year": "far_year",
    "holiday": "far_holiday",
    "schedule": "far_bells",
    "room": "far_room",
    "group": "far_group",
    "assignment": "far_assignment",
    "row": "far_row",
    "post": "far_post",
    "comment": "far_comment",
    "chat": "far_chat",
}


@dataclass(frozen=True)
class Call:
    """A request with ``{kind}`` placeholders in its path, query values and body values."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    query: dict[str, str] | None = None

    def kinds(self) -> list[str]:
        text = self.path + repr(self.body) + repr(self.query)
        return list(dict.fromkeys(re.findall(r"\{([a-z]+)\}", text)))


REQUESTS: list[Call] = [
    # a pupil's data
    Call("GET", "/pupils/{pupil}/week"),
    Call("GET", "/pupils/{pupil}/grades", query={"period": "{period}"}),
    Call("GET", "/pupils/{pupil}/report-card"),
    Call("GET", "/pupils/{pupil}/homework", query={"subject": "{subject}"}),
    Call("PUT", "/pupils/{pupil}/homework/{homework}/done", {"done": True}),
    Call("GET", "/pupils/{pupil}/attendance", query={"period": "{period}"}),
    Call("GET", "/pupils/{pupil}/absence-notices"),
    Call(
        "POST",
        "/pupils/{pupil}/absence-notices",
        {"start": "2026-11-26", "end": "2026-11-26", "reason": "family"},
    ),
    Call("GET", "/pupils/{pupil}/recipients"),
    Call("POST", "/pupils/{pupil}/weeks/2026-11-23/sign"),
    Call("POST", "/pupils/{pupil}/move", {"class_id": "{class}"}),
    # absence notices, announcements, attachments
    Call("POST", "/absence-notices/{notice}/seen"),
    Call("POST", "/absence-notices/{notice}/apply"),
    Call("POST", "/absence-notices/{notice}/withdraw"),
    Call("GET", "/announcements", query={"pupil_id": "{pupil}"}),
    Call("GET", "/events", query={"pupil_id": "{pupil}"}),
    Call("POST", "/announcements", {"title": "T", "body": "B", "class_id": "{class}"}),
    Call("POST", "/announcements/{announcement}/read"),
    # events and parent meetings
    Call("GET", "/events/{event}"),
    Call(
        "POST",
        "/meetings",
        {"title": "T", "date": "01.12.2026", "time": "18:00", "class_id": "{class}"},
    ),
    Call("PATCH", "/meetings/{event}", {"version": 1, "title": "T"}),
    Call("PUT", "/meetings/{event}/answer", {"coming": True}),
    Call("PUT", "/meetings/{event}/minutes", {"version": 1, "minutes": "M"}),
    Call("GET", "/attachments/{attachment}"),
    Call("POST", "/lessons/{lesson}/homework/attachments", query={"name": "task.pdf"}),
    # teacher blogs
    Call("GET", "/blogs/{post}"),
    Call("POST", "/blogs", {"title": "Т", "body": "Текст", "class_id": "{class}"}),
    Call("PATCH", "/blogs/{post}", {"version": 1, "comments_closed": True}),
    Call("POST", "/blogs/{post}/visibility", {"version": 1, "hidden": True}),
    Call("POST", "/blogs/{post}/comments", {"body": "Спасибо"}),
    Call("POST", "/blogs/{post}/comments/{comment}/visibility", {"version": 1, "hidden": True}),
    # classes
    Call("GET", "/classes/{class}/absence-notices"),
    Call("GET", "/classes/{class}/attendance", query={"period": "{period}"}),
    Call("GET", "/classes/{class}/parents"),
    Call("POST", "/classes/{class}/parent-messages", {"subject": "S", "body": "B"}),
    Call("POST", "/classes/{class}/invite-codes"),
    Call("POST", "/classes/{class}/slips"),
    Call("GET", "/classes/{class}/slips/plan"),
    Call("POST", "/pupils/{pupil}/invite-code"),
    Call("GET", "/stats/classes/{class}", query={"period": "{period}"}),
    Call("GET", "/stats/school", query={"period": "{period}"}),
    Call("GET", "/users", query={"class": "{class}"}),
    # the journal
    Call(
        "GET",
        "/journal",
        query={"class_id": "{class}", "subject_id": "{subject}", "period_id": "{period}"},
    ),
    Call("POST", "/marks", {"lesson_id": "{lesson}", "pupil_id": "{pupil}", "value": 4}),
    Call("GET", "/marks/{mark}"),
    Call("PATCH", "/marks/{mark}", {"version": 2, "value": 4}),
    Call("POST", "/marks/{mark}/remove", {"version": 2}),
    Call("PUT", "/lessons/{lesson}/absences/{pupil}", {"kind": "illness"}),
    Call("POST", "/lessons/{lesson}/absences/{pupil}/remove", {"version": 1}),
    Call("PATCH", "/lessons/{lesson}/topic", {"version": 1, "topic": "Новая тема"}),
    Call("PUT", "/lessons/{lesson}/homework", {"text": "№ 1", "due": "2026-11-30"}),
    Call("POST", "/lessons/{lesson}/homework/attachments", query={"name": "a.pdf"}),
    Call(
        "PUT",
        "/period-marks",
        {"pupil_id": "{pupil}", "subject_id": "{subject}", "period_id": "{period}", "value": 5},
    ),
    Call("GET", "/lessons/{lesson}"),
    Call("PATCH", "/lessons/{lesson}/kind", {"version": 1, "kind": "test", "weight": 2}),
    Call("PATCH", "/lessons/{lesson}", {"version": 1, "status": "cancelled"}),
    Call("PATCH", "/lessons/{lesson}", {"version": 1, "substitute_id": "{user}"}),
    # the health worker, the audit log
    Call("GET", "/medical/absences", query={"pupil": "{pupil}"}),
    Call(
        "POST",
        "/medical/absences",
        {"pupil_id": "{pupil}", "start": "2026-11-23", "end": "2026-11-23"},
    ),
    Call("GET", "/audit", query={"pupil": "{pupil}"}),
    Call("GET", "/audit", query={"teacher": "{user}"}),
    # messages
    Call("GET", "/threads/{thread}"),
    Call("POST", "/threads/{thread}/read", {"last_read_id": 1}),
    Call("POST", "/threads/{thread}/messages", {"body": "Добрый день"}),
    Call(
        "POST",
        "/threads",
        {"recipient_id": "{user}", "pupil_id": "{pupil}", "subject": "Вопрос", "body": "Текст"},
    ),
    # the class chat
    Call("GET", "/chats/{class}"),
    Call("POST", "/chats/{class}/messages", {"body": "Привет"}),
    Call("POST", "/chats/{class}/messages/{chat}/hide", {"hidden": True}),
    Call("POST", "/chats/{class}/state", {"closed": False}),
    # accounts
    Call("GET", "/users/{user}"),
    Call("PATCH", "/users/{user}", {"version": 1, "first_name": "Николай"}),
    Call("POST", "/users/{user}/reset-password"),
    Call("POST", "/parent-links", {"parent_id": "{parent}", "pupil_id": "{pupil}"}),
    Call("POST", "/parent-links/remove", {"parent_id": "{parent}", "pupil_id": "{pupil}"}),
    Call("GET", "/consent/parents/{parent}"),
    Call("POST", "/consent/parents/{parent}", {"action": "given", "signed_on": "2026-11-20"}),
    # set-up
    Call("PATCH", "/setup/years/{year}", {"version": 1, "name": "2026/2027"}),
    Call(
        "POST",
        "/setup/years/{year}/periods",
        {"kind": "quarter", "number": 3, "start": "2027-01-11", "end": "2027-03-20"},
    ),
    Call("POST", "/setup/years/{year}/holidays", {"start": "2026-12-30"}),
    Call("PATCH", "/setup/periods/{period}", {"version": 1, "name": "II четверть"}),
    Call("POST", "/setup/periods/{period}/remove", {"version": 1}),
    Call("PATCH", "/setup/holidays/{holiday}", {"version": 1, "name": "Праздник"}),
    Call("POST", "/setup/holidays/{holiday}/remove", {"version": 1}),
    Call("PATCH", "/setup/bell-schedules/{schedule}", {"version": 1, "name": "Обычное"}),
    Call("POST", "/setup/bell-days", {"date": "2026-12-30", "schedule_id": "{schedule}"}),
    Call("PATCH", "/setup/subjects/{subject}", {"version": 1, "name": "Алгебра"}),
    Call("PATCH", "/setup/rooms/{room}", {"version": 1, "name": "302"}),
    Call("GET", "/setup/classes", query={"year_id": "{year}"}),
    Call("POST", "/setup/classes", {"year_id": "{year}", "grade": 8, "letter": "Г"}),
    Call("PATCH", "/setup/classes/{class}", {"version": 1, "letter": "Д"}),
    Call("POST", "/setup/years/{year}/close", {"next_year_id": "{year}"}),
    # groups, teaching assignments, the timetable
    Call("GET", "/groups/{group}"),
    Call("POST", "/groups/{group}", {"version": 1, "name": "гр. 2"}),
    Call("POST", "/groups/{group}/pupils", {"add": ["{pupil}"]}),
    Call("POST", "/assignments/{assignment}/remove"),
    Call("POST", "/timetable/{row}", {"room": "2"}),
    Call("POST", "/timetable/{row}/end", {}),
    Call(
        "POST",
        "/setup/classes",
        {"year_id": "{year}", "grade": 8, "letter": "Е", "class_teacher_id": "{user}"},
    ),
]

PROBES = [
    pytest.param(call, kind, id=f"{call.method} {call.path} {kind}")
    for call in REQUESTS
    for kind in call.kinds()
]


@pytest.fixture
def school_kind() -> str:
    return "district"


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        whole = re.fullmatch(r"\{([a-z]+)\}", value)
        if whole:
            return ids[whole.group(1)]
        return re.sub(r"\{([a-z]+)\}", lambda m: str(ids[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


async def _send(
    http: httpx.AsyncClient, headers: dict[str, str], call: Call, ids: dict[str, int]
) -> httpx.Response:
    return await http.request(
        call.method,
        API_PREFIX + _fill(call.path, ids),
        params=_fill(call.query, ids),
        json=_fill(call.body, ids),
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )


@pytest.mark.parametrize(("call", "kind"), PROBES)
async def test_a_foreign_object_looks_like_none(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, call: Call, kind: str
) -> None:
    """Every role: each object it may not see is answered as an id that exists nowhere."""
    school = demo.ids
    differences: list[str] = []
    for role in ROLES:
        headers = await login_as(http, role)
        own = {k: school[v] for k, v in OWN.items()}
        missing = await _send(http, headers, call, {**own, kind: MISSING})
        foreign = [FAR[kind], *FOREIGN_IN_SCHOOL.get(role, {}).get(kind, [])]
        for name in foreign:
            answer = await _send(http, headers, call, {**own, kind: school[name]})
            if (answer.status_code, answer.content) != (missing.status_code, missing.content):
                differences.append(
                    f"{role} about {name}: {answer.status_code} {answer.text[:300]}\n"
                    f"    none at all: {missing.status_code} {missing.text[:300]}"
                )
    assert not differences, "\n".join(differences)


def test_every_route_with_an_id_is_probed(app: Litestar) -> None:
    """Each route with an id in its path is in :data:`REQUESTS` (with every id probed)."""
    probed = {
        (call.method, re.sub(r"\{[a-z]+\}", "{}", call.path).split("?")[0]) for call in REQUESTS
    }
    missing: list[str] = []
    for route in app.routes:
        path = route.path.removeprefix(API_PREFIX)
        if ":int}" not in path:
            continue
        shape = re.sub(r"\{[a-z_]+:int\}", "{}", path)
        shape = re.sub(r"\{monday:str\}", "2026-11-23", shape)
        for method in sorted(getattr(route, "methods", set()) - {"HEAD", "OPTIONS"}):
            if (method, shape) not in probed:
                missing.append(f"{method} {path}")
    assert not missing, missing


#: Refusals about objects the caller does see, but may not change: no pupil, subject or class
#: is named (teacher2 teaches history in 5А, not maths; the sibling is in 6Б, which the
#: teacher teaches; the class teacher of 5А does not lead 6Б... ).
SEEN_NOT_CHANGED = [
    ("teacher2", Call("PATCH", "/lessons/{lesson}/topic", {"version": 1, "topic": "Т"}), 403),
    ("teacher2", Call("PATCH", "/marks/{mark}", {"version": 2, "value": 4}), 403),
    ("teacher2", Call("PUT", "/lessons/{lesson}/absences/{pupil}", {"kind": "unexcused"}), 403),
    (
        "teacher",
        Call("POST", "/marks", {"lesson_id": "{lesson}", "pupil_id": "{sibling}", "value": 4}),
        422,
    ),
    ("teacher", Call("PUT", "/lessons/{lesson}/absences/{sibling}", {"kind": "unexcused"}), 422),
    ("teacher", Call("POST", "/lessons/{lesson}/absences/{sibling}/remove", {"version": 1}), 404),
    (
        "teacher2",
        Call("GET", "/journal", query={"class_id": "{class}", "subject_id": "{subject}"}),
        403,
    ),
    ("teacher", Call("GET", "/classes/{class}/absence-notices"), 403),
    (
        "teacher2",
        Call(
            "PUT",
            "/period-marks",
            {"pupil_id": "{pupil}", "subject_id": "{subject}", "period_id": "{period}", "value": 5},
        ),
        403,
    ),
]


@pytest.mark.parametrize(("role", "call", "status"), SEEN_NOT_CHANGED)
async def test_a_refusal_names_nobody(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, role: str, call: Call, status: int
) -> None:
    """Where the caller sees the object but may not do this, the refusal says so in words that
    name no pupil, subject or class."""
    ids = {**{k: demo.ids[v] for k, v in OWN.items()}, "sibling": demo.ids["sibling"]}
    answer = await _send(http, await login_as(http, role), call, ids)
    assert answer.status_code == status, answer.text
    # (The lesson's own class, 5А, may be named: every caller here teaches in it.)
    for name in ("Миша", "Лена", "Соколов", "Математика", "История", "6Б"):
        assert name not in answer.text, answer.text
