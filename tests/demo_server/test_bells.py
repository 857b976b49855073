"""The school's bells for everyone of the school (``GET /bells``) and the week naming a day's
bell schedule when it is not the normal one; over the generated school, on the frozen day
(Wednesday 25 November 2026)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx

from api_client.models import API_PREFIX, Me, SchoolBells, Week, decode
from tests.conftest import LoginAs

FRIDAY = dt.date(2026, 11, 27)
SATURDAY = dt.date(2026, 11, 28)


async def _write(
    http: httpx.AsyncClient, headers: dict[str, str], method: str, path: str, body: Any
) -> dict[str, Any]:
    answer = await http.request(
        method,
        f"{API_PREFIX}{path}",
        json=body,
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert answer.status_code in (200, 201), answer.text
    result: dict[str, Any] = answer.json()
    return result


async def shortened_friday_and_saturday(
    http: httpx.AsyncClient, login_as: LoginAs
) -> tuple[int, int]:
    """The administration adds Saturday's schedule and makes this Friday a shortened day."""
    admin = await login_as(http, "admin")
    saturday = await _write(
        http,
        admin,
        "POST",
        "/setup/bell-schedules",
        {
            "name": "Суббота",
            "weekdays": [5],
            "bells": [
                {"number": 1, "start": "09:00", "end": "09:40"},
                {"number": 2, "start": "09:50", "end": "10:30"},
            ],
        },
    )
    short = await _write(
        http,
        admin,
        "POST",
        "/setup/bell-schedules",
        {
            "name": "Сокращённый день",
            "bells": [
                {"number": n, "start": f"{7 + n:02d}:30", "end": f"{8 + n:02d}:00"}
                for n in range(1, 7)
            ],
        },
    )
    await _write(
        http,
        admin,
        "POST",
        "/setup/bell-days",
        {"date": FRIDAY.isoformat(), "schedule_id": short["id"]},
    )
    return saturday["id"], short["id"]


async def test_everyone_of_the_school_reads_the_bells_and_which_day_keeps_which(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    saturday, short = await shortened_friday_and_saturday(http, login_as)
    for login in ("parent", "pupil", "teacher", "nurse", "it", "admin"):
        answer = await http.get(f"{API_PREFIX}/bells", headers=await login_as(http, login))
        assert answer.status_code == 200, (login, answer.text)
        bells = decode(answer.content, SchoolBells)
        main = bells.schedules[0]
        assert (
            main.main
            and main.bells
            and {s.name for s in bells.schedules[1:]}
            == {
                "Суббота",
                "Сокращённый день",
            }
        )
        assert bells.today == dt.date(2026, 11, 25) and bells.timezone
        days = {d.date: d for d in bells.days}
        # This week and the next, Monday to Saturday (no schedule names Sunday).
        assert min(days) == dt.date(2026, 11, 23) and max(days) == dt.date(2026, 12, 5)
        assert len(days) == 12 and all(d.weekday() != 6 for d in days)
        assert days[FRIDAY].schedule_id == short and days[FRIDAY].shortened
        assert days[SATURDAY].schedule_id == saturday and not days[SATURDAY].shortened
        assert days[dt.date(2026, 12, 4)].schedule_id == main.id  # next Friday: normal
        assert not days[dt.date(2026, 12, 4)].shortened
    anonymous = await http.get(f"{API_PREFIX}/bells")
    assert anonymous.status_code == 401


async def test_the_week_names_a_days_bell_schedule_when_it_is_not_the_normal_one(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    await shortened_friday_and_saturday(http, login_as)
    headers = await login_as(http, "parent")
    me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
    child = me.children[0].id
    answer = await http.get(
        f"{API_PREFIX}/pupils/{child}/week", headers=headers, params={"date": "2026-11-23"}
    )
    assert answer.status_code == 200, answer.text
    week = decode(answer.content, Week)
    named = {d.date: d for d in week.bell_days}
    assert set(named) == {FRIDAY, SATURDAY}
    assert named[FRIDAY].schedule == "Сокращённый день" and named[FRIDAY].shortened
    assert named[FRIDAY].bells[0].start == "08:30"
    assert named[SATURDAY].schedule == "Суббота" and not named[SATURDAY].shortened
    # A Friday lesson is timed by the shortened day's bells.
    friday = [lesson for lesson in week.lessons if lesson.date == FRIDAY]
    if friday:
        first = min(friday, key=lambda lesson: lesson.number)
        assert first.start == f"{7 + first.number:02d}:30"
    next_week = decode(
        (
            await http.get(
                f"{API_PREFIX}/pupils/{child}/week",
                headers=headers,
                params={"date": "2026-11-30"},
            )
        ).content,
        Week,
    )
    assert [d.date for d in next_week.bell_days] == [dt.date(2026, 12, 5)]
