"""Grades and the report card: marks per subject, averages, period marks, class figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from api_client.grading import AVERAGE_RULE, format_average, weighted_average
from api_client.models import Grades, Me, Problem, ReportCard, decode
from demo_server import schema as s
from demo_server.db import make_engine
from tests.conftest import LoginAs


async def get_grades(
    http: httpx.AsyncClient, headers: dict[str, str], pupil: int, **params: str
) -> Grades:
    response = await http.get(f"/api/v1/pupils/{pupil}/grades", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, Grades)


class TestMiniSchool:
    @pytest.fixture
    def school_kind(self) -> str:
        return "mini"

    async def test_marks_average_class_average_and_place(
        self, http: httpx.AsyncClient, login_as: LoginAs, demo: Any
    ) -> None:
        ids = demo.ids
        grades = await get_grades(http, await login_as(http, "parent"), ids["pupil"])
        assert grades.pupil.id == ids["pupil"] and grades.rule == AVERAGE_RULE
        # The mini school has no periods: the whole year is shown.
        assert grades.period is None and grades.periods == []
        assert (grades.start, grades.end) == (dt.date(2026, 9, 1), dt.date(2027, 5, 31))
        by_name = {g.subject.name: g for g in grades.subjects}
        # Subjects of the class, in name order, with or without marks.
        assert list(by_name) == ["История", "Математика", "Русский язык"]
        math = by_name["Математика"]
        # The removed mark and a classmate's mark are not the pupil's.
        assert [mk.id for mk in math.marks] == [ids["mark_edited"]]
        mark = math.marks[0]
        assert (mark.value, mark.weight, mark.kind.value, mark.comment, mark.edited) == (
            5,
            2,
            "test",
            "Молодец",
            True,
        )
        assert mark.date == dt.date(2026, 11, 23) and mark.author == "Смирнова А. П."
        assert math.average == "5.00"
        # Class: the pupil's 5x2 and the mover's 3: (10 + 3) / 3.
        assert math.class_average == "4.33"
        assert by_name["История"].average is None and by_name["История"].marks == []
        assert grades.rating is not None
        assert (grades.rating.place, grades.rating.of, grades.rating.average) == (1, 2, "5.00")
        # The class figures name nobody else: not the classmate's name, nor their id.
        raw = (
            await http.get(
                f"/api/v1/pupils/{ids['pupil']}/grades", headers=await login_as(http, "parent")
            )
        ).text
        assert "Новиков" not in raw and "Дима" not in raw
        assert f'"id":{ids["mover"]},' not in raw

    async def test_rating_hidden_where_the_school_does_not_show_it(
        self, http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
    ) -> None:
        engine = make_engine(demo_url)
        async with engine.begin() as db:
            await db.execute(update(s.School).values(show_class_rating=False))
        await engine.dispose()
        grades = await get_grades(http, await login_as(http, "pupil"), demo.ids["pupil"])
        assert grades.rating is None
        assert all(g.class_average is None for g in grades.subjects)
        assert (
            b"class_average"
            not in (
                await http.get(
                    f"/api/v1/pupils/{demo.ids['pupil']}/grades",
                    headers=await login_as(http, "pupil"),
                )
            ).content
        )

    @pytest.mark.parametrize(
        ("period", "status"),
        [
            # Not an id nor 'year' (the document's pattern): 400.
            ("abc", 400),
            ("-1", 400),
            (" 1", 400),
            ("YEAR", 400),
            ("year2", 400),
            # An id of no period of the school's year: 404, as for any id naming nothing.
            ("0", 404),
            ("99999", 404),
            ("1" * 30, 404),
        ],
    )
    async def test_bad_period_is_a_clear_refusal(
        self, http: httpx.AsyncClient, login_as: LoginAs, demo: Any, period: str, status: int
    ) -> None:
        response = await http.get(
            f"/api/v1/pupils/{demo.ids['pupil']}/grades",
            params={"period": period},
            headers=await login_as(http, "parent"),
        )
        assert response.status_code == status, response.text
        problem = decode(response.content, Problem)
        assert problem.field == "period" and "'period' must be" in problem.detail


async def featured_pupils(http: httpx.AsyncClient, login_as: LoginAs) -> list[int]:
    pupils: list[int] = []
    for login in ("parent", "pupil"):
        response = await http.get("/api/v1/me", headers=await login_as(http, login))
        pupils += [child.id for child in decode(response.content, Me).children]
    return pupils


async def test_server_and_client_averages_agree_on_generated_data(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    """Every subject of several pupils, for every period and the year: the client computes
    the average from the marks with the same function and gets the server's figure."""
    headers = await login_as(http, "admin")
    engine = make_engine(demo_url)
    async with engine.connect() as db:
        others = (await db.scalars(select(s.User.id).where(s.User.role == "pupil").limit(4))).all()
    await engine.dispose()
    pupils = [*await featured_pupils(http, login_as), *others]
    compared = 0
    for pupil in pupils:
        first = await get_grades(http, headers, pupil)
        assert first.period is not None, "the demo's today lies in a period"
        assert first.period.start <= dt.date(2026, 11, 25) <= first.period.end
        assert len(first.periods) == 4
        for period in [*(str(p.id) for p in first.periods), "year"]:
            grades = await get_grades(http, headers, pupil, period=period)
            for subject in grades.subjects:
                dates = [mk.date for mk in subject.marks]
                assert dates == sorted(dates)
                assert all(grades.start <= day <= grades.end for day in dates)
                mine = weighted_average((mk.value, mk.weight) for mk in subject.marks)
                assert subject.average == (None if mine is None else format_average(mine))
                compared += subject.average is not None
    assert compared > 50


async def test_period_marks_and_report_card(http: httpx.AsyncClient, login_as: LoginAs) -> None:
    headers = await login_as(http, "parent")
    pupil = (await featured_pupils(http, login_as))[0]
    first = await get_grades(http, headers, pupil)
    earlier = first.periods[0]
    assert earlier.end < first.period.start if first.period else False
    past = await get_grades(http, headers, pupil, period=str(earlier.id))
    assert past.period == earlier
    response = await http.get(f"/api/v1/pupils/{pupil}/report-card", headers=headers)
    assert response.status_code == 200, response.text
    card = decode(response.content, ReportCard)
    assert card.pupil.id == pupil and card.periods == first.periods and card.year
    assert all(len(row.periods) == len(card.periods) for row in card.subjects)
    by_subject = {row.subject.id: row for row in card.subjects}
    given = [g for g in past.subjects if g.period_mark is not None]
    assert given, "the demo gives period marks for the ended quarter"
    for subject in given:
        assert by_subject[subject.subject.id].periods[0] == subject.period_mark


@pytest.mark.parametrize("path", ["grades", "report-card"])
async def test_unchanged_answer_is_a_304(
    http: httpx.AsyncClient, login_as: LoginAs, path: str
) -> None:
    headers = await login_as(http, "pupil")
    pupil = (await featured_pupils(http, login_as))[-1]
    first = await http.get(f"/api/v1/pupils/{pupil}/{path}", headers=headers)
    assert first.status_code == 200 and first.headers["etag"]
    again = await http.get(
        f"/api/v1/pupils/{pupil}/{path}",
        headers={**headers, "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize("path", ["grades", "report-card"])
@pytest.mark.parametrize("period", ["", "x", "-1", "year "])
async def test_a_period_that_is_neither_an_id_nor_year_is_refused(
    http: httpx.AsyncClient, login_as: LoginAs, path: str, period: str
) -> None:
    """An empty ``period`` is not the default: it is refused naming the field, as any other
    value the schema's pattern does not allow (the report card took it for the year)."""
    headers = await login_as(http, "pupil")
    pupil = (await featured_pupils(http, login_as))[-1]
    answer = await http.get(
        f"/api/v1/pupils/{pupil}/{path}", params={"period": period}, headers=headers
    )
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["field"] == "period"
