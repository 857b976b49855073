"""The administration's statistics, checked against a plain Python computation over the same
rows of the generated school."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.grading import weighted_average
from api_client.models import ClassStats, Problem, SchoolStats, decode
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import LoginAs


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


async def _rows(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            return {
                "marks": (
                    await c.execute(
                        select(
                            s.Mark.pupil_id,
                            s.Mark.value,
                            s.Mark.weight,
                            s.Mark.removed_at,
                            s.Lesson.class_id,
                            s.Lesson.subject_id,
                            s.Lesson.date,
                        ).join(s.Lesson, s.Lesson.id == s.Mark.lesson_id)
                    )
                ).all(),
                "lessons": (
                    await c.execute(
                        select(
                            s.Lesson.id,
                            s.Lesson.class_id,
                            s.Lesson.group_id,
                            s.Lesson.date,
                            s.Lesson.status,
                        )
                    )
                ).all(),
                "members": (
                    await c.execute(
                        select(
                            s.GroupMember.group_id,
                            s.GroupMember.pupil_id,
                            s.GroupMember.start,
                            s.GroupMember.end,
                        )
                    )
                ).all(),
                "enrolments": (
                    await c.execute(
                        select(
                            s.Enrolment.pupil_id,
                            s.Enrolment.class_id,
                            s.Enrolment.start,
                            s.Enrolment.end,
                        )
                    )
                ).all(),
                "absences": (
                    await c.execute(
                        select(
                            s.Absence.pupil_id,
                            s.Absence.lesson_id,
                            s.Absence.kind,
                            s.Absence.removed_at,
                        )
                    )
                ).all(),
            }
    finally:
        await engine.dispose()


def _expected(rows: dict[str, Any], start: dt.date, end: dt.date) -> dict[str, Any]:
    """Every figure, by the definitions, the slow way."""
    marks = [r for r in rows["marks"] if r.removed_at is None and start <= r.date <= end]
    by_class: dict[int, list[tuple[int, int]]] = defaultdict(list)
    by_class_subject: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    by_pupil_subject: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    by_week: dict[dt.date, list[tuple[int, int]]] = defaultdict(list)
    dist: dict[int, int] = defaultdict(int)
    for r in marks:
        by_class[r.class_id].append((r.value, r.weight))
        by_class_subject[(r.class_id, r.subject_id)].append((r.value, r.weight))
        by_pupil_subject[(r.pupil_id, r.subject_id)].append((r.value, r.weight))
        by_week[r.date - dt.timedelta(days=r.date.weekday())].append((r.value, r.weight))
        dist[r.value] += 1
    held = {x.id: x for x in rows["lessons"] if start <= x.date <= end and x.status != "cancelled"}
    lessons_of: dict[int, int] = defaultdict(int)
    lessons_in_class: dict[int, int] = defaultdict(int)

    def in_group(pupil: int, lesson: Any) -> bool:
        """A group's lesson is its members' alone (on the lesson's day)."""
        return lesson.group_id is None or any(
            g.group_id == lesson.group_id
            and g.pupil_id == pupil
            and g.start <= lesson.date
            and (g.end is None or lesson.date <= g.end)
            for g in rows["members"]
        )

    for e in rows["enrolments"]:
        for lesson in held.values():
            if (
                lesson.class_id == e.class_id
                and e.start <= lesson.date
                and (e.end is None or lesson.date <= e.end)
                and in_group(e.pupil_id, lesson)
            ):
                lessons_of[e.pupil_id] += 1
                lessons_in_class[e.class_id] += 1
    missed_of: dict[int, int] = defaultdict(int)
    missed_in_class: dict[int, int] = defaultdict(int)
    for a in rows["absences"]:
        if a.removed_at is None and a.kind != "late" and a.lesson_id in held:
            missed_of[a.pupil_id] += 1
            missed_in_class[held[a.lesson_id].class_id] += 1
    at_risk = {
        p
        for (p, _), pairs in by_pupil_subject.items()
        if (weighted_average(pairs) or Decimal(5)) < Decimal(3)
    }
    at_risk |= {p for p, n in lessons_of.items() if n and missed_of[p] / n > 0.2}
    return {
        "average": _f(weighted_average((r.value, r.weight) for r in marks)),
        "marks": len(marks),
        "distribution": [dist[v] for v in range(1, 6)],
        "class_average": {c: _f(weighted_average(p)) for c, p in by_class.items()},
        "class_subject": {k: _f(weighted_average(p)) for k, p in by_class_subject.items()},
        "weeks": {w: _f(weighted_average(p)) for w, p in by_week.items()},
        "attendance": {
            c: round(1 - round(missed_in_class[c] / n, 4), 4)
            for c, n in lessons_in_class.items()
            if n
        },
        "at_risk": at_risk,
    }


async def test_school_figures_match_a_plain_computation(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    response = await http.get("/api/v1/stats/school", headers=await login_as(http, "admin"))
    assert response.status_code == 200, response.text
    stats = decode(response.content, SchoolStats)
    assert stats.period.start <= dt.date(2026, 11, 25) <= stats.period.end
    want = _expected(await _rows(demo_url), stats.period.start, dt.date(2026, 11, 25))
    assert stats.marks == want["marks"] > 100
    assert stats.average == want["average"]
    assert stats.distribution == want["distribution"]
    got_classes = {c.class_.id: c for c in stats.classes}
    assert {c: g.average for c, g in got_classes.items() if g.average is not None} == want[
        "class_average"
    ]
    for cid, summary in got_classes.items():
        for subject in summary.subjects:
            assert subject.average == want["class_subject"][(cid, subject.subject.id)]
        assert summary.attendance == want["attendance"].get(cid)
        assert sum(summary.distribution) == summary.marks
    # Ranked by average, best first, 1, 2, 3...
    ranked = [c for c in stats.classes if c.rank is not None]
    assert [c.rank for c in ranked] == list(range(1, len(ranked) + 1))
    assert [c.average for c in ranked] == sorted((c.average or 0 for c in ranked), reverse=True)
    assert {w.week: w.average for w in stats.weeks if w.average is not None} == want["weeks"]
    assert all(w.week.weekday() == 0 for w in stats.weeks)
    assert {p.pupil.id for p in stats.at_risk} == want["at_risk"]
    for pupil in stats.at_risk:
        assert pupil.pupil.first_name and pupil.pupil.class_ is not None
        assert pupil.low_subjects or pupil.absence_rate > 0.2


async def test_an_earlier_period_and_one_class(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    headers = await login_as(http, "admin")
    school = decode((await http.get("/api/v1/stats/school", headers=headers)).content, SchoolStats)
    first = school.periods[0]
    assert first.id != school.period.id
    response = await http.get(
        f"/api/v1/stats/classes/{school.classes[-1].class_.id}",
        params={"period": first.id},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    one = decode(response.content, ClassStats)
    assert one.period == first
    want = _expected(await _rows(demo_url), first.start, first.end)
    cid = one.summary.class_.id
    assert one.summary.average == want["class_average"][cid]
    assert one.summary.attendance == want["attendance"][cid]
    assert one.classes == len(want["class_average"])
    class_pupils = {p.pupil.id for p in one.at_risk}
    assert class_pupils <= want["at_risk"]
    assert all(p.pupil.class_ is not None for p in one.at_risk)


async def test_bad_requests(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = await login_as(http, "admin")
    for path, params, status, field in [
        ("/api/v1/stats/school", {"period": "99999"}, 404, "period"),
        ("/api/v1/stats/school", {"period": "x"}, 400, None),
        ("/api/v1/stats/school", {"period": str(2**40)}, 404, "period"),
        ("/api/v1/stats/classes/99999", {}, 404, "class_id"),
        ("/api/v1/stats/classes/0", {}, 404, "class_id"),
        ("/api/v1/stats/classes/" + str(2**40), {}, 404, "class_id"),
    ]:
        response = await http.get(path, params=params, headers=headers)
        assert response.status_code == status, (path, params, response.text)
        problem = decode(response.content, Problem)
        if field:
            assert problem.field == field


async def test_a_period_not_begun_has_no_figures(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    headers = await login_as(http, "admin")
    school = decode((await http.get("/api/v1/stats/school", headers=headers)).content, SchoolStats)
    last = school.periods[-1]
    later = decode(
        (
            await http.get("/api/v1/stats/school", params={"period": last.id}, headers=headers)
        ).content,
        SchoolStats,
    )
    assert later.marks == 0 and later.average is None and later.at_risk == []
    assert later.weeks == []
    assert later.pupils == 0 or later.attendance is None


async def test_a_pupil_who_changed_class_counts_once_in_the_school(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    from sqlalchemy import insert, update

    headers = await login_as(http, "admin")
    before = decode((await http.get("/api/v1/stats/school", headers=headers)).content, SchoolStats)
    engine = make_engine(demo_url)
    try:
        async with engine.begin() as c:
            pupil_id, class_id = (
                await c.execute(select(s.Enrolment.pupil_id, s.Enrolment.class_id).limit(1))
            ).one()
            other = await c.scalar(select(s.SchoolClass.id).where(s.SchoolClass.id != class_id))
            assert other is not None
            moved = dt.date(2026, 11, 16)
            await c.execute(
                update(s.Enrolment)
                .where(s.Enrolment.pupil_id == pupil_id)
                .values(end=moved - dt.timedelta(days=1))
            )
            await c.execute(
                insert(s.Enrolment).values(pupil_id=pupil_id, class_id=other, start=moved)
            )
    finally:
        await engine.dispose()
    after = decode((await http.get("/api/v1/stats/school", headers=headers)).content, SchoolStats)
    assert after.pupils == before.pupils
    counts = {c.class_.id: c.pupils for c in after.classes}
    was = {c.class_.id: c.pupils for c in before.classes}
    assert counts[class_id] == was[class_id] and counts[other] == was[other] + 1


async def test_statistics_take_turns_with_the_other_heavy_work(
    http: httpx.AsyncClient, login_as: LoginAs, app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the heavy work's only turn is taken and nobody may wait, statistics are answered
    503 with Retry-After; once it is free, they are answered."""
    from demo_server.heavy import HeavyWork

    heavy = HeavyWork(at_once=1, waiting=0)
    monkeypatch.setattr(app.state["server"], "heavy", heavy)
    admin = await login_as(http, "admin")
    school = decode((await http.get("/api/v1/stats/school", headers=admin)).content, SchoolStats)
    paths = [
        "/api/v1/stats/school",
        f"/api/v1/stats/classes/{school.classes[0].class_.id}",
        "/api/v1/stats/authority",
    ]
    async with heavy.turn("roster imports"):
        for path in paths:
            busy = await http.get(path, headers=admin)
            assert busy.status_code == 503, (path, busy.text)
            assert busy.headers["retry-after"] == "30"
            assert "statistics" in decode(busy.content, Problem).detail
    for path in paths:
        assert (await http.get(path, headers=admin)).status_code == 200, path
    assert heavy.running == 0
