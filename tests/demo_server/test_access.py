"""Who may see whose week: each role against its own pupil and a foreign one."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from api_client.models import ClassList, Problem, Week, decode
from tests.conftest import LoginAs


@pytest.fixture
def school_kind() -> str:
    return "mini"


# viewer -> (own pupil, expected), (foreign pupil, expected)
TABLE = [
    ("pupil", ("pupil", 200), ("sibling", 404)),
    ("parent", ("sibling", 200), ("stranger", 404)),
    ("teacher", ("pupil", 200), ("stranger", 404)),
    ("classteacher", ("pupil", 200), ("sibling", 404)),
    ("teacher2", ("stranger", 200), ("pupil", 200)),  # teaches 5А history too
    ("admin", ("pupil", 200), ("stranger", 200)),
    ("it", ("pupil", 403), ("stranger", 403)),
    ("nurse", ("pupil", 403), ("stranger", 403)),
    ("authority", ("pupil", 403), ("stranger", 403)),
    (None, ("pupil", 401), ("stranger", 401)),
]


@pytest.mark.readonly
@pytest.mark.parametrize(("viewer", "own", "foreign"), TABLE)
async def test_week_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str | None,
    own: tuple[str, int],
    foreign: tuple[str, int],
) -> None:
    headers = await login_as(http, viewer) if viewer else {}
    for pupil, expected in (own, foreign):
        response = await http.get(f"/api/v1/pupils/{demo.ids[pupil]}/week", headers=headers)
        assert response.status_code == expected, (viewer, pupil, response.text)
        if expected == 200:
            assert decode(response.content, Week).pupil.id == demo.ids[pupil]
        else:
            assert decode(response.content, Problem).status == expected


@pytest.mark.readonly
@pytest.mark.parametrize("viewer", ["pupil", "parent", "teacher", "classteacher"])
async def test_foreign_pupil_looks_exactly_like_no_pupil(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str
) -> None:
    headers = await login_as(http, viewer)
    foreign = await http.get(f"/api/v1/pupils/{demo.ids['stranger']}/week", headers=headers)
    missing = await http.get("/api/v1/pupils/999999/week", headers=headers)
    not_a_pupil = await http.get(f"/api/v1/pupils/{demo.ids['admin']}/week", headers=headers)
    assert foreign.status_code == missing.status_code == not_a_pupil.status_code == 404
    assert foreign.content == missing.content == not_a_pupil.content
    assert dict(foreign.headers) == dict(missing.headers)


@pytest.mark.readonly
@pytest.mark.parametrize(
    "viewer", ["pupil", "parent", "teacher", "classteacher", "admin", "it", "nurse", "authority"]
)
async def test_me_for_every_role_and_anonymous(
    http: httpx.AsyncClient, login_as: LoginAs, viewer: str
) -> None:
    assert (await http.get("/api/v1/me", headers=await login_as(http, viewer))).status_code == 200
    assert (await http.get("/api/v1/me")).status_code == 401


# ---- Messages, announcements and events, signing
# viewer -> expected status for: recipients of (own pupil, foreign pupil), the thread list, a
# thread between ``parent`` and ``teacher`` (read), news of (own, foreign) pupil, signing
# (own, foreign) pupil's week, posting an announcement to (5А, 7В).
FAMILY_TABLE = [
    # viewer, own, foreign, recipients, threads, thread, news, sign, post
    ("pupil", "pupil", "sibling", (200, 404), 200, 404, (200, 404), (403, 404), (403, 403)),
    ("parent", "sibling", "stranger", (200, 404), 200, 200, (200, 404), (201, 404), (403, 403)),
    ("teacher", "pupil", "stranger", (200, 404), 200, 200, (200, 404), (403, 404), (201, 404)),
    ("classteacher", "pupil", "sibling", (200, 404), 200, 404, (200, 404), (403, 404), (201, 404)),
    ("admin", "pupil", "stranger", (200, 200), 200, 404, (200, 200), (403, 403), (201, 201)),
    ("it", "pupil", "stranger", (403, 403), 403, 403, (403, 403), (403, 403), (403, 403)),
    ("nurse", "pupil", "stranger", (403, 403), 403, 403, (403, 403), (403, 403), (403, 403)),
    ("authority", "pupil", "stranger", (403, 403), 403, 403, (403, 403), (403, 403), (403, 403)),
    (None, "pupil", "stranger", (401, 401), 401, 401, (401, 401), (401, 401), (401, 401)),
]


@pytest.mark.parametrize(
    ("viewer", "own", "foreign", "recipients", "threads", "thread", "news", "sign", "post"),
    FAMILY_TABLE,
)
async def test_messages_news_and_signing_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str | None,
    own: str,
    foreign: str,
    recipients: tuple[int, int],
    threads: int,
    thread: int,
    news: tuple[int, int],
    sign: tuple[int, int],
    post: tuple[int, int],
) -> None:
    import uuid

    from api_client.models import Announcements, Events, Recipients, Thread, Threads

    ids = demo.ids
    parent = await login_as(http, "parent")
    started = await http.post(
        "/api/v1/threads",
        json={
            "recipient_id": ids["teacher"],
            "pupil_id": ids["pupil"],
            "subject": "Вопрос",
            "body": "Текст",
        },
        headers={**parent, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert started.status_code == 201, started.text
    thread_id = decode(started.content, Thread).id
    headers = await login_as(http, viewer) if viewer else {}

    def check(response: httpx.Response, expected: int, type_: Any, what: str) -> None:
        assert response.status_code == expected, (viewer, what, response.text)
        if expected in (200, 201) and type_ is not None:
            decode(response.content, type_)
        elif expected >= 400:
            assert decode(response.content, Problem).status == expected

    def write() -> dict[str, str]:
        return {**headers, "Idempotency-Key": uuid.uuid4().hex}

    for pupil, expected in zip((own, foreign), recipients, strict=True):
        response = await http.get(f"/api/v1/pupils/{ids[pupil]}/recipients", headers=headers)
        check(response, expected, Recipients, f"recipients of {pupil}")
    check(await http.get("/api/v1/threads", headers=headers), threads, Threads, "threads")
    check(await http.get(f"/api/v1/threads/{thread_id}", headers=headers), thread, Thread, "thread")
    for pupil, expected in zip((own, foreign), news, strict=True):
        params = {"pupil_id": ids[pupil]}
        response = await http.get("/api/v1/announcements", params=params, headers=headers)
        check(response, expected, Announcements, f"news of {pupil}")
        response = await http.get("/api/v1/events", params=params, headers=headers)
        check(response, expected, Events, f"events of {pupil}")
    for pupil, expected in zip((own, foreign), sign, strict=True):
        response = await http.post(
            f"/api/v1/pupils/{ids[pupil]}/weeks/2026-11-23/sign", headers=write()
        )
        check(response, expected, None, f"sign {pupil}")
    for cls, expected in zip(("c5a", "c7v"), post, strict=True):
        response = await http.post(
            "/api/v1/announcements",
            json={"title": "Объявление", "body": "Текст", "class_id": ids[cls]},
            headers=write(),
        )
        check(response, expected, None, f"announce to {cls}")


# ---- The audit log, statistics and medical absences, by role (on the generated school,
# which has periods and audit records). Expected status per endpoint:
# audit, school stats, class stats, authority stats, pupil search, medical read, medical
# write, the pupil's grades (marks), private message threads.
OFFICE_TABLE = [
    ("pupil", (403, 403, 403, 403, 403, 403, 403, 200, 200)),
    ("parent", (403, 403, 403, 403, 403, 403, 403, 200, 200)),
    ("teacher", (403, 403, 403, 403, 403, 403, 403, 200, 200)),
    ("admin", (200, 200, 200, 200, 200, 403, 403, 200, 200)),
    ("it", (200, 403, 403, 403, 200, 403, 403, 403, 403)),
    ("nurse", (403, 403, 403, 403, 200, 200, 201, 403, 403)),
    ("authority", (403, 403, 403, 200, 403, 403, 403, 403, 403)),
    (None, (401, 401, 401, 401, 401, 401, 401, 401, 401)),
]


@pytest.mark.parametrize("school_kind", ["demo"])
@pytest.mark.parametrize(("viewer", "expected"), OFFICE_TABLE)
async def test_audit_stats_and_medical_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo_url: str,
    viewer: str | None,
    expected: tuple[int, ...],
) -> None:
    import uuid

    from sqlalchemy import select

    from demo_server import schema as s
    from demo_server.db import make_engine

    engine = make_engine(demo_url)
    try:
        async with engine.connect() as c:
            pupil_id = await c.scalar(select(s.User.id).where(s.User.login == "pupil"))
            class_id = await c.scalar(
                select(s.Enrolment.class_id).where(s.Enrolment.pupil_id == pupil_id)
            )
    finally:
        await engine.dispose()
    headers = await login_as(http, viewer) if viewer else {}
    write = {**headers, "Idempotency-Key": uuid.uuid4().hex}
    day = {"start": "2026-11-24", "end": "2026-11-24"}
    responses = [
        await http.get("/api/v1/audit", headers=headers),
        await http.get("/api/v1/stats/school", headers=headers),
        await http.get(f"/api/v1/stats/classes/{class_id}", headers=headers),
        await http.get("/api/v1/stats/authority", headers=headers),
        await http.get("/api/v1/pupils/search", params={"q": "а"}, headers=headers),
        await http.get(f"/api/v1/medical/absences?pupil={pupil_id}", headers=headers),
        await http.post(
            "/api/v1/medical/absences", json={"pupil_id": pupil_id, **day}, headers=write
        ),
        await http.get(f"/api/v1/pupils/{pupil_id}/grades", headers=headers),
        await http.get("/api/v1/threads", headers=headers),
    ]
    got = tuple(r.status_code for r in responses)
    assert got == expected, (viewer, [r.text[:120] for r in responses])


# ---- Journal: who may write what (the mini school; the lesson is 5А maths on Monday)
# teacher: teaches 5А maths; teacher2: 5А history (another subject's teacher);
# classteacher: leads 5А and teaches its Russian; nurse: illness absences only.

JOURNAL_WRITES = ("mark", "edit", "remove", "absent", "ill", "topic", "homework", "period")
_OK = dict.fromkeys(JOURNAL_WRITES, 200) | {"mark": 201}
_NONE = dict.fromkeys(JOURNAL_WRITES, 403)
JOURNAL_TABLE: list[tuple[str | None, dict[str, int]]] = [
    ("teacher", _OK),
    ("teacher2", _NONE),
    ("classteacher", _NONE | {"absent": 200, "ill": 200}),
    ("nurse", _NONE | {"ill": 200}),
    ("admin", _NONE),
    ("parent", _NONE),
    ("pupil", _NONE),
    ("it", _NONE),
    ("authority", _NONE),
    (None, dict.fromkeys(JOURNAL_WRITES, 401)),
]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        pytest.param(v, e, marks=pytest.mark.readonly)
        if all(code in (401, 403, 404) for code in e.values())
        else (v, e)
        for v, e in JOURNAL_TABLE
    ],
)
async def test_journal_writes_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    demo_url: str,
    viewer: str | None,
    expected: dict[str, int],
) -> None:
    import datetime as dt

    from sqlalchemy import insert, select

    from demo_server import schema as s
    from tests.demo_server.journal_support import fetch_all, send

    ids = demo.ids
    year = (await fetch_all(demo_url, select(s.AcademicYear.id)))[0].id
    # The mini school has no periods: add the second quarter for the period mark.
    from demo_server.db import make_engine

    engine = make_engine(demo_url)
    async with engine.begin() as conn:
        period = (
            await conn.execute(
                insert(s.Period)
                .values(
                    year_id=year,
                    kind="quarter",
                    number=2,
                    name="2 четверть",
                    start=dt.date(2026, 11, 5),
                    end=dt.date(2026, 12, 28),
                )
                .returning(s.Period.id)
            )
        ).scalar_one()
    await engine.dispose()

    headers = await login_as(http, viewer) if viewer else {}
    lesson, pupil, mark = ids["mon1"], ids["pupil"], ids["mark_edited"]
    writes = {
        "mark": ("POST", "/marks", {"lesson_id": lesson, "pupil_id": pupil, "value": 4}),
        "edit": ("PATCH", f"/marks/{mark}", {"version": 2, "value": 4}),
        "remove": ("POST", f"/marks/{mark}/remove", {"version": 2}),
        "absent": ("PUT", f"/lessons/{lesson}/absences/{pupil}", {"kind": "unexcused"}),
        "ill": ("PUT", f"/lessons/{ids['wed1']}/absences/{pupil}", {"kind": "illness"}),
        "topic": ("PATCH", f"/lessons/{lesson}/topic", {"version": 1, "topic": "Дроби 2"}),
        "homework": (
            "PUT",
            f"/lessons/{lesson}/homework",
            {"text": "x", "due": "2026-11-30", "version": 1},
        ),
        "period": (
            "PUT",
            "/period-marks",
            {"pupil_id": pupil, "subject_id": ids["math"], "period_id": period, "value": 5},
        ),
    }
    got: dict[str, int] = {}
    for name in JOURNAL_WRITES:
        method, path, body = writes[name]
        if name == "remove" and got.get("edit") == 200:
            body = {"version": 3}
        response = await send(http, headers, method, path, body)
        got[name] = response.status_code
        if response.status_code >= 400:
            assert decode(response.content, Problem).status == response.status_code
    assert got == expected, viewer


async def test_nurse_may_not_remove_or_change_a_teachers_absence(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    from tests.demo_server.journal_support import send

    ids = demo.ids
    nurse = await login_as(http, "nurse")
    late = f"/lessons/{ids['mon2']}/absences/{ids['pupil']}"  # late, set by the class teacher
    removed = await send(http, nurse, "POST", f"{late}/remove", {"version": 1})
    assert removed.status_code == 403, removed.text
    ill = await send(http, nurse, "PUT", late, {"kind": "illness", "version": 1})
    assert ill.status_code == 200, ill.text
    assert (
        await send(http, nurse, "PUT", late, {"kind": "late", "minutes": 3, "version": 2})
    ).status_code == 403
    assert (await send(http, nurse, "POST", f"{late}/remove", {"version": 2})).status_code == 200


# ---- Grades, homework, attendance

#: Marks and homework: the readers of the week, each within its relation.
PUPIL_DATA = ("grades", "report-card", "homework")

# viewer -> (own pupil, expected), (foreign pupil, expected) for attendance: as the week,
# and the health worker sees any pupil of the school.
ATTENDANCE_TABLE = [
    (viewer, own, foreign) if viewer != "nurse" else ("nurse", ("pupil", 200), ("stranger", 200))
    for viewer, own, foreign in TABLE
]

# Absence notices about a pupil: the pupil, their parents, the class teacher of the pupil's
# class, administration; a teacher who only teaches the class sees no notices.
NOTICES_TABLE = [
    ("pupil", ("pupil", 200), ("sibling", 404)),
    ("parent", ("sibling", 200), ("stranger", 404)),
    ("teacher", ("pupil", 404), ("stranger", 404)),
    ("classteacher", ("pupil", 200), ("sibling", 404)),
    ("teacher2", ("sibling", 200), ("pupil", 404)),  # class teacher of 6Б
    ("admin", ("pupil", 200), ("stranger", 200)),
    ("it", ("pupil", 403), ("stranger", 403)),
    ("nurse", ("pupil", 403), ("stranger", 403)),
    ("authority", ("pupil", 403), ("stranger", 403)),
    (None, ("pupil", 401), ("stranger", 401)),
]

GRADES_CASES = [
    (path, viewer, own, foreign) for path in PUPIL_DATA for viewer, own, foreign in TABLE
]
GRADES_CASES += [("attendance", *row) for row in ATTENDANCE_TABLE]
GRADES_CASES += [("absence-notices", *row) for row in NOTICES_TABLE]


@pytest.mark.readonly
@pytest.mark.parametrize(("path", "viewer", "own", "foreign"), GRADES_CASES)
async def test_grades_homework_attendance_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    path: str,
    viewer: str | None,
    own: tuple[str, int],
    foreign: tuple[str, int],
) -> None:
    from api_client import models

    types: dict[str, type[Any]] = {
        "grades": models.Grades,
        "report-card": models.ReportCard,
        "homework": models.HomeworkList,
        "attendance": models.Attendance,
        "absence-notices": models.AbsenceNotices,
    }
    headers = await login_as(http, viewer) if viewer else {}
    for pupil, expected in (own, foreign):
        response = await http.get(f"/api/v1/pupils/{demo.ids[pupil]}/{path}", headers=headers)
        assert response.status_code == expected, (path, viewer, pupil, response.text)
        if expected == 200:
            value = decode(response.content, types[path])
            if path != "absence-notices":
                assert value.pupil.id == demo.ids[pupil]
        else:
            assert decode(response.content, Problem).status == expected


@pytest.mark.readonly
@pytest.mark.parametrize("path", [*PUPIL_DATA, "attendance", "absence-notices"])
@pytest.mark.parametrize("viewer", ["pupil", "parent", "teacher", "classteacher"])
async def test_foreign_pupil_looks_like_no_pupil_everywhere(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, path: str, viewer: str
) -> None:
    headers = await login_as(http, viewer)
    foreign = await http.get(f"/api/v1/pupils/{demo.ids['stranger']}/{path}", headers=headers)
    missing = await http.get(f"/api/v1/pupils/999999/{path}", headers=headers)
    not_a_pupil = await http.get(f"/api/v1/pupils/{demo.ids['admin']}/{path}", headers=headers)
    assert foreign.status_code == missing.status_code == not_a_pupil.status_code == 404
    assert foreign.content == missing.content == not_a_pupil.content


# Reading a parent's absence notice (``/seen``) and excusing by it (``/apply``): the class
# teacher of the pupil's class; the administration reads but does not excuse (the journal is
# read-only to it); a teacher who does not lead the pupil's class gets the 404 of no notice;
# parents, pupils and the other roles 403. The notice is about the pupil of 5А, who is absent
# without excuse at Monday's lesson.
NOTICE_WRITES_TABLE = [
    # viewer, /seen, /apply
    ("classteacher", 200, 200),
    ("admin", 200, 403),
    ("teacher", 404, 404),  # teaches 5А, but is not its class teacher
    ("teacher2", 404, 404),  # the class teacher of 6Б
    ("parent", 403, 403),  # sent it
    ("other_parent", 403, 403),
    ("pupil", 403, 403),
    ("it", 403, 403),
    ("nurse", 403, 403),
    ("authority", 403, 403),
    (None, 401, 401),
]


@pytest.mark.parametrize(("viewer", "seen", "apply"), NOTICE_WRITES_TABLE)
async def test_who_reads_and_applies_an_absence_notice(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str | None,
    seen: int,
    apply: int,
) -> None:
    ids = demo.ids
    absent = await http.put(
        f"/api/v1/lessons/{ids['mon1']}/absences/{ids['pupil']}",
        json={"kind": "unexcused"},
        headers={**await login_as(http, "classteacher"), "Idempotency-Key": "absent-mon1-1"},
    )
    assert absent.status_code == 200, absent.text
    sent = await http.post(
        f"/api/v1/pupils/{ids['pupil']}/absence-notices",
        json={"start": "2026-11-23", "end": "2026-11-24", "reason": "family"},
        headers={**await login_as(http, "parent"), "Idempotency-Key": "notice-access-1"},
    )
    assert sent.status_code == 201, sent.text
    notice_id = sent.json()["id"]
    headers = await login_as(http, viewer) if viewer else {}
    for what, expected in (("seen", seen), ("apply", apply)):
        response = await http.post(
            f"/api/v1/absence-notices/{notice_id}/{what}",
            headers={**headers, "Idempotency-Key": f"notice-{what}-1"},
        )
        assert response.status_code == expected, (viewer, what, response.text)
        if expected != 200:
            assert decode(response.content, Problem).status == expected
        if expected == 404 or viewer == "classteacher":
            # Not theirs looks exactly like none at all (the class teacher: another id).
            missing = await http.post(
                f"/api/v1/absence-notices/999999/{what}",
                headers={**headers, "Idempotency-Key": f"notice-{what}-2"},
            )
            assert missing.status_code == 404
            if expected == 404:
                assert missing.content == response.content


# ---- Accounts: every endpoint of the IT staff, for every role
#
# (method, path, JSON body or CSV bytes): the IT staff get 2xx, everyone else 403, anonymous
# 401. Ids are filled in from the mini school.

ACCOUNT_ENDPOINTS: list[tuple[str, str, object]] = [
    ("GET", "/users", None),
    ("GET", "/users/{pupil}", None),
    ("POST", "/users", {"role": "teacher", "first_name": "Вера", "last_name": "Ким"}),
    ("PATCH", "/users/{stranger}", {"version": 1, "first_name": "Николай"}),
    ("POST", "/users/{stranger}/reset-password", None),
    ("POST", "/parent-links", {"parent_id": "{other_parent}", "pupil_id": "{pupil}"}),
    ("POST", "/parent-links/remove", {"parent_id": "{parent}", "pupil_id": "{pupil}"}),
    ("POST", "/pupils/{stranger}/move", {"class_id": "{c6b}"}),
    ("POST", "/roster/import?dry_run=true", b"kind,last_name,first_name,class\npupil,A,B,5A\n"),
    ("POST", "/roster/import?dry_run=false", b"kind,last_name,first_name,class\npupil,A,B,5A\n"),
    ("POST", "/classes/{c7v}/slips", None),
]
ROLES = ["pupil", "parent", "teacher", "classteacher", "admin", "it", "nurse", "authority", None]


def _fill(value: object, ids: dict[str, int]) -> object:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _refused_share_a_school(roles: list[str | None], allowed: set[str | None]) -> list[Any]:
    """Refused writes change nothing, so those cases share one copy of the school."""
    return [r if r in allowed else pytest.param(r, marks=pytest.mark.readonly) for r in roles]


@pytest.mark.parametrize("viewer", _refused_share_a_school(ROLES, {"it"}))
@pytest.mark.parametrize(("method", "path", "body"), ACCOUNT_ENDPOINTS)
async def test_accounts_only_for_it_staff(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    method: str,
    path: str,
    body: object,
    viewer: str | None,
) -> None:
    import uuid

    headers = await login_as(http, viewer) if viewer else {}
    headers["Idempotency-Key"] = uuid.uuid4().hex
    url = "/api/v1" + path.format(**demo.ids)
    if isinstance(body, bytes):
        headers["Content-Type"] = "text/csv"
        response = await http.request(method, url, content=body, headers=headers)
    else:
        response = await http.request(method, url, json=_fill(body, demo.ids), headers=headers)
    expected = {None: 401, "it": 200}.get(viewer, 403)
    if expected == 200:
        assert response.status_code in (200, 201), (path, response.text)
    else:
        assert response.status_code == expected, (path, viewer, response.text)
        assert decode(response.content, Problem).status == expected


@pytest.mark.readonly
@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("it", 200), ("admin", 200)]
    + [(role, 403) for role in ("pupil", "parent", "teacher", "classteacher", "nurse", "authority")]
    + [(None, 401)],
)
async def test_the_list_of_classes_for_the_it_staff_and_the_administration(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str | None, expected: int
) -> None:
    """The IT staff put pupils in classes; the administration opens any class's My class."""
    headers = await login_as(http, viewer) if viewer else {}
    response = await http.get("/api/v1/classes", headers=headers)
    assert response.status_code == expected, response.text
    if expected == 200:
        names = [c.name for c in decode(response.content, ClassList).classes]
        assert names == ["5А", "6Б", "7В"]


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [
        ("classteacher", 200),  # leads 5А
        ("teacher2", 403),  # leads 6Б
        ("teacher", 403),
        ("it", 200),
        ("admin", 403),
        ("parent", 403),
        ("pupil", 403),
        ("nurse", 403),
        ("authority", 403),
        (None, 401),
    ],
)
async def test_invite_codes_for_the_class_teacher_and_it(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, viewer: str | None, expected: int
) -> None:
    headers = await login_as(http, viewer) if viewer else {}
    headers["Idempotency-Key"] = f"invite-{viewer}-codes"
    response = await http.post(f"/api/v1/classes/{demo.ids['c5a']}/invite-codes", headers=headers)
    assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("viewer", "expected"),
    [("parent", 422), ("pupil", 403), ("teacher", 403), ("it", 403), (None, 401)],
)
async def test_add_child_is_for_parents(
    http: httpx.AsyncClient, login_as: LoginAs, viewer: str | None, expected: int
) -> None:
    headers = await login_as(http, viewer) if viewer else {}
    headers["Idempotency-Key"] = f"add-child-{viewer}"
    response = await http.post(
        "/api/v1/register/add-child", json={"code": "WXYZ-2345"}, headers=headers
    )
    assert response.status_code == expected, response.text


@pytest.mark.parametrize("viewer", ["pupil", "parent", "teacher", "admin", "it", "nurse"])
async def test_everyone_changes_only_their_own_password(
    http: httpx.AsyncClient, login_as: LoginAs, viewer: str
) -> None:
    headers = {**await login_as(http, viewer), "Idempotency-Key": f"pw-{viewer}-change"}
    response = await http.post(
        "/api/v1/me/password", json={"old": "not it", "new": "Lilac-Harbour-41"}, headers=headers
    )
    assert response.status_code == 422 and decode(response.content, Problem).field == "old"
    anonymous = await http.post(
        "/api/v1/me/password",
        json={"old": "x", "new": "Lilac-Harbour-41"},
        headers={"Idempotency-Key": "pw-anonymous"},
    )
    assert anonymous.status_code == 401


@pytest.mark.readonly
async def test_it_staff_cannot_read_private_messages(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """No account route carries a message; the message routes give the IT staff nothing."""
    it = await login_as(http, "it")
    threads = await http.get("/api/v1/threads", headers=it)
    assert threads.status_code == 403 or b'"id"' not in threads.content, threads.text
    for user in ("parent", "teacher"):
        summary = await http.get(f"/api/v1/users/{demo.ids[user]}", headers=it)
        assert summary.status_code == 200
        assert b"message" not in summary.content and b"thread" not in summary.content


# viewer -> sees a mark of "pupil" (5А), of "stranger" (7В), a message to "parent"
CHANGES_TABLE = [
    ("pupil", True, False, False),
    ("parent", True, False, True),
    ("teacher", True, False, False),
    ("classteacher", True, False, False),
    ("teacher2", True, True, False),
    ("admin", True, True, False),
    ("it", False, False, False),
    ("nurse", False, False, False),
    ("authority", False, False, False),
]


@pytest.mark.parametrize(("viewer", "own", "foreign", "message"), CHANGES_TABLE)
async def test_change_feed_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    app: Any,
    demo: Any,
    viewer: str,
    own: bool,
    foreign: bool,
    message: bool,
) -> None:
    """The feed is never a 403: each role gets the changes it may see (see test_changes)."""
    from api_client.models import ChangeFeed
    from tests.demo_server.test_changes import add_change

    headers = await login_as(http, viewer)
    start = decode((await http.get("/api/v1/changes", headers=headers)).content, ChangeFeed)
    await add_change(app, demo, "mark.added", label="own", pupil_id=demo.ids["pupil"])
    await add_change(app, demo, "mark.added", label="foreign", pupil_id=demo.ids["stranger"])
    await add_change(app, demo, "message.new", label="message", user_id=demo.ids["parent"])
    response = await http.get("/api/v1/changes", params={"since": start.next}, headers=headers)
    assert response.status_code == 200
    seen = {item.payload["label"] for item in decode(response.content, ChangeFeed).changes}
    expected = {
        label for label, yes in (("own", own), ("foreign", foreign), ("message", message)) if yes
    }
    assert seen == expected
    assert (await http.get("/api/v1/changes")).status_code == 401


# ---- The timetable: only the administration changes a lesson (``PATCH /lessons/{id}``) and
# reads it with the teachers who could substitute (``GET /lessons/{id}``).
LESSON_TABLE = [
    ("admin", 200, 200),
    ("teacher", 403, 403),  # the lesson's own teacher
    ("classteacher", 403, 403),
    ("teacher2", 403, 403),
    ("parent", 403, 403),
    ("pupil", 403, 403),
    ("it", 403, 403),
    ("nurse", 403, 403),
    ("authority", 403, 403),
    (None, 401, 401),
]


@pytest.mark.parametrize(
    ("viewer", "read", "write"),
    [
        row if row[2] == 200 else pytest.param(*row, marks=pytest.mark.readonly)
        for row in LESSON_TABLE
    ],
)
async def test_timetable_changes_by_role(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    viewer: str | None,
    read: int,
    write: int,
) -> None:
    from api_client.models import LessonDetail
    from tests.demo_server.journal_support import send

    headers = await login_as(http, viewer) if viewer else {}
    lesson = demo.ids["wed1"]
    got = await http.get(f"/api/v1/lessons/{lesson}", headers=headers)
    assert got.status_code == read, (viewer, got.text)
    changed = await send(
        http, headers, "PATCH", f"/lessons/{lesson}", {"version": 1, "status": "cancelled"}
    )
    assert changed.status_code == write, (viewer, changed.text)
    if write == 200:
        assert decode(changed.content, LessonDetail).status.value == "cancelled"
    else:
        assert decode(changed.content, Problem).status == write
