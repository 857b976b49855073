"""Groups in the app: 5А's maths split in two (``pupil`` in group 1 with ``teacher``, ``mover``
in group 2 with ``teacher2``), both groups at Thursday's bell 3. The pupil's week shows group
1's lesson and never group 2's; the teacher of group 1 opens the group's journal, which lists
its pupils alone. The district school (today Wednesday 25 November 2026)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from litestar import Litestar

from api_client import models as m
from screens.journal import JournalScreen
from screens.journal_dialogs import PickJournal
from screens.week import WeekScreen
from tests.conftest import LoginAs, sqlite_only
from tests.demo_server.test_schedule import MONDAY, ok, post, split_5a
from tests.diary_tui.harness import log_in, make_app, wait_for

THURSDAY = MONDAY + dt.timedelta(days=3)


@pytest.fixture
def school_kind() -> str:
    return "district"


async def group_timetable(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    it = await login_as(http, "it")
    g1, g2 = await split_5a(http, it, demo)
    for group, teacher, room in ((g1, "teacher", "301"), (g2, "teacher2", "302")):
        await ok(
            await post(
                http,
                it,
                "/timetable",
                m.TimetableRowCreate(
                    class_id=demo.ids["c5a"],
                    group_id=group,
                    weekday=3,
                    number=3,
                    subject_id=demo.ids["math"],
                    teacher_id=demo.ids[teacher],
                    room=room,
                    valid_from=MONDAY,
                ),
            ),
            m.TimetableWrite,
        )


@sqlite_only
async def test_a_pupil_of_group_1_sees_only_group_1s_lesson(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    await group_timetable(http, login_as, demo)
    diary = make_app(app, login=None)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "pupil", demo.password)
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, WeekScreen)
                and diary.screen.week is not None
                and not diary.screen.workers
            ),
        )
        screen = diary.screen
        assert isinstance(screen, WeekScreen) and screen.week is not None
        thursday = [
            (lesson.number, lesson.room, lesson.group)
            for lesson in screen.week.lessons
            if lesson.date == THURSDAY
        ]
        assert (3, "301", "гр. 1") in thursday
        assert [n for n, _room, _group in thursday].count(3) == 1
        assert all(room != "302" and group != "гр. 2" for _n, room, group in thursday)


@sqlite_only
async def test_the_teacher_of_group_1_opens_its_journal_of_its_pupils_alone(
    app: Litestar, http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    await group_timetable(http, login_as, demo)
    diary = make_app(app, login=None)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "teacher", demo.password)
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, JournalScreen) and diary.screen.journal is not None,
        )
        await pilot.pause()
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(diary.screen, PickJournal))
        picker = diary.screen
        assert isinstance(picker, PickJournal)
        assert "5А · Математика (гр. 1)" in picker.choices
        assert not any("гр. 2" in choice for choice in picker.choices)
        await pilot.press(*"5а мат гр. 1")
        await pilot.pause()
        await pilot.press("enter")

        def opened() -> bool:
            screen = diary.screen
            return (
                isinstance(screen, JournalScreen)
                and screen.journal is not None
                and screen.journal.group is not None
                and screen.grid() is not None
            )

        await wait_for(pilot, opened)
        screen = diary.screen
        assert isinstance(screen, JournalScreen) and screen.journal is not None
        journal = screen.journal
        assert journal.group is not None and journal.group.name == "гр. 1"
        assert [p.id for p in journal.pupils] == [demo.ids["pupil"]]
        grid = screen.grid()
        assert grid is not None
        assert [p.id for p in grid.model.pupils] == [demo.ids["pupil"]]
