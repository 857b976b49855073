"""The grades, homework and attendance screens against the real server in-process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import insert
from textual.widgets import DataTable, Input, OptionList, Static

from api_client.models import (
    API_PREFIX,
    AbsenceNotices,
    Attendance,
    Grades,
    HomeworkList,
    Me,
    decode,
)
from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.widgets import NavBar
from screens.attendance import AttendanceScreen, NoticeScreen
from screens.base import ChildScreen
from screens.dialogs.ask import AskText
from screens.grades import GradesScreen, ReportCardScreen, SubjectDetailScreen, WhatIfScreen
from screens.homework import HomeworkScreen
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import log_in, make_app, wait_for


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


async def children(http: httpx.AsyncClient, headers: dict[str, str]) -> list[int]:
    me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
    return [child.id for child in me.children]


def loaded(app: Any, kind: type[ChildScreen[Any]], pupil_id: int) -> bool:
    screen = app.screen
    return (
        isinstance(screen, kind)
        and screen.value is not None
        and screen.value.pupil.id == pupil_id
        and not any(w.group == "load" for w in screen.workers)
    )


def cell_text(table: DataTable[Any], row: int, column: int) -> str:
    value = table.get_row_at(row)[column]
    return str(getattr(value, "plain", value))


@sqlite_only
async def test_grades_screen_what_if_and_report_card(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "parent")
    first = (await children(http, headers))[0]
    response = await http.get(f"{API_PREFIX}/pupils/{first}/grades", headers=headers)
    expected = decode(response.content, Grades)
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        await pilot.press("g")
        await wait_for(pilot, lambda: loaded(diary, GradesScreen, first))
        screen = diary.screen
        assert isinstance(screen, GradesScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == len(expected.subjects)
        for row, subject in enumerate(expected.subjects):
            assert cell_text(table, row, 2) == (subject.average or "—")
        title = screen.query_one("#grades-title", Static).visual
        assert expected.period is not None and expected.period.name in str(title)
        assert "sum of (mark × weight)" in str(screen.query_one("#grades-rule", Static).visual)

        # A subject in full, then a "what if" 5 of weight 2 added to it.
        row = next(i for i, g in enumerate(expected.subjects) if g.marks)
        subject = expected.subjects[row]
        table.move_cursor(row=row)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, SubjectDetailScreen))
        detail = str(diary.screen.query_one("#subject-detail-text", Static).visual)
        assert subject.subject.name in detail and "Running average" in detail
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, WhatIfScreen))
        await pilot.press("9", "enter")  # off the scale: refused in words
        error = diary.screen.query_one("#whatif-error", Static)
        assert "from 1 to 5" in str(error.visual)
        diary.screen.query_one("#whatif-value", Input).value = "5"
        diary.screen.query_one("#whatif-weight", Input).value = "2"
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, SubjectDetailScreen))
        assert "5×2?" in str(diary.screen.query_one("#subject-detail-text", Static).visual)
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)
        quarter = screen.shown_period()
        assert screen.data.hypothetical_marks(first, subject.subject.id, quarter) == [(5, 2)]
        marks = [(m.value, m.weight) for m in subject.marks]
        from api_client.grading import format_average, weighted_average

        want = format_average(weighted_average([*marks, (5, 2)]))
        assert cell_text(table, row, 2) == "≈" + want
        assert "5×2?" in cell_text(table, row, 1)
        # Never sent: the server's answer is unchanged.
        again = await http.get(f"{API_PREFIX}/pupils/{first}/grades", headers=headers)
        assert again.content == response.content
        await pilot.press("x")
        assert screen.data.hypothetical_marks(first, subject.subject.id, quarter) == []
        assert cell_text(table, row, 2) == (subject.average or "—")

        # Another period, then the report card.
        await pilot.press("right_square_bracket")
        await wait_for(
            pilot,
            lambda: (
                loaded(diary, GradesScreen, first)
                and screen.value is not None
                and screen.value.period != expected.period
            ),
        )
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(diary.screen, ReportCardScreen))
        card = diary.screen
        await wait_for(pilot, lambda: card.query_one(DataTable).row_count > 0)
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)


@sqlite_only
async def test_pupil_ticks_homework_and_saves_a_file(
    app: Litestar,
    http: httpx.AsyncClient,
    demo: Any,
    login_as: LoginAs,
    demo_url: str,
    tmp_path: Path,
) -> None:
    headers = await login_as(http, "pupil")
    pupil = (await children(http, headers))[0]
    listed = decode(
        (await http.get(f"{API_PREFIX}/pupils/{pupil}/homework", headers=headers)).content,
        HomeworkList,
    )
    assert listed.items, "the demo pupil has homework"
    first = listed.items[0]
    engine = make_engine(demo_url)
    async with engine.begin() as db:
        await db.execute(
            insert(s.HomeworkAttachment).values(
                homework_id=first.id, name="../plan.txt", size=4, content=b"plan"
            )
        )
    await engine.dispose()
    diary = make_app(app, login="pupil")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "pupil", password_of(demo, "pupil"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        await pilot.press("o")
        await wait_for(pilot, lambda: loaded(diary, HomeworkScreen, pupil))
        screen = diary.screen
        assert isinstance(screen, HomeworkScreen)
        await wait_for(pilot, lambda: screen.highlighted_item() is not None)
        item = screen.highlighted_item()
        assert item is not None and item.id == first.id
        prompts = [
            str(getattr(o.prompt, "plain", o.prompt)) for o in screen.query_one(OptionList).options
        ]
        assert prompts[0].startswith("Upcoming") and "plan.txt" in "\n".join(prompts)
        was = item.done
        await pilot.press("space")
        assert screen.highlighted_item() is not None
        assert screen.highlighted_item().done is (not was)  # type: ignore[union-attr]

        async def server_done() -> bool:
            answer = await http.get(f"{API_PREFIX}/pupils/{pupil}/homework", headers=headers)
            return next(
                i for i in decode(answer.content, HomeworkList).items if i.id == first.id
            ).done

        for _ in range(100):
            if await server_done() is not was:
                break
            await pilot.pause(0.05)
        assert await server_done() is not was

        # Save the attachment: its own name only, never a path outside the folder.
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(diary.screen, AskText))
        diary.screen.query_one(Input).value = str(tmp_path / "files")
        await pilot.press("enter")
        await wait_for(pilot, lambda: (tmp_path / "files" / "plan.txt").exists())
        assert (tmp_path / "files" / "plan.txt").read_bytes() == b"plan"
        assert not (tmp_path / "plan.txt").exists()


@sqlite_only
async def test_parent_cannot_tick_and_sends_an_absence_notice(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "parent")
    first = (await children(http, headers))[0]
    expected = decode(
        (await http.get(f"{API_PREFIX}/pupils/{first}/attendance", headers=headers)).content,
        Attendance,
    )
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        await pilot.press("o")
        await wait_for(pilot, lambda: loaded(diary, HomeworkScreen, first))
        assert diary.screen.check_action("toggle_done", ()) is False

        await pilot.press("a")
        await wait_for(pilot, lambda: loaded(diary, AttendanceScreen, first))
        screen = diary.screen
        assert isinstance(screen, AttendanceScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == max(len(expected.entries), 1)
        totals = str(screen.query_one("#attendance-totals", Static).visual)
        if expected.total.missed:
            assert f"Missed {expected.total.missed} lesson" in totals
        await pilot.press("t")
        assert table.row_count == len(expected.subjects) + 1 or not expected.subjects

        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, NoticeScreen))
        form = diary.screen
        form.query_one("#notice-start", Input).value = "2026-11-30"
        form.query_one("#notice-end", Input).value = "2026-11-29"
        await pilot.press("ctrl+s")
        assert "must not be before" in str(form.query_one("#notice-error", Static).visual)
        form.query_one("#notice-end", Input).value = "2026-12-01"
        form.query_one("#notice-note", Input).value = "[red]Зубной врач[/]"
        form.query_one("#notice-note", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: diary.screen is screen)
        await wait_for(
            pilot,
            lambda: (
                screen.view == "notices"
                and screen.notices is not None
                and len(screen.notices.notices) == 1
            ),
        )
        await wait_for(pilot, lambda: screen.query_one(DataTable).row_count == 1)
        note = cell_text(screen.query_one(DataTable), 0, 4)
        assert note == "[red]Зубной врач[/]"  # server text stays plain text
        listed = decode(
            (
                await http.get(f"{API_PREFIX}/pupils/{first}/absence-notices", headers=headers)
            ).content,
            AbsenceNotices,
        )
        assert [(n.start, n.end) for n in listed.notices] == [
            (dt.date(2026, 11, 30), dt.date(2026, 12, 1))
        ]


@pytest.fixture
def painted() -> Iterator[list[tuple[str, int | None, int]]]:
    """Every paint of the three screens: (screen, the child shown, whose data it was)."""
    records: list[tuple[str, int | None, int]] = []
    originals = {cls: cls.paint for cls in (GradesScreen, HomeworkScreen, AttendanceScreen)}

    def wrap(cls: Any) -> Any:
        original = originals[cls]

        def paint(self: Any, value: Any) -> None:
            child = self.data.child
            records.append((cls.NAME, child.id if child else None, value.pupil.id))
            original(self, value)

        return paint

    for cls in originals:
        cls.paint = wrap(cls)  # type: ignore[method-assign]
    yield records
    for cls, original in originals.items():
        cls.paint = original  # type: ignore[method-assign]


@sqlite_only
async def test_switching_child_never_shows_the_other_childs_data(
    app: Litestar,
    http: httpx.AsyncClient,
    demo: Any,
    login_as: LoginAs,
    painted: list[tuple[str, int | None, int]],
) -> None:
    first, second = (await children(http, await login_as(http, "parent")))[:2]
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        kinds: list[tuple[str, type[ChildScreen[Any]]]] = [
            ("g", GradesScreen),
            ("o", HomeworkScreen),
            ("a", AttendanceScreen),
        ]
        for key, kind in kinds:

            def showing(pupil_id: int | None, kind: type[ChildScreen[Any]] = kind) -> bool:
                return pupil_id is not None and loaded(diary, kind, pupil_id)

            def current() -> int | None:
                return diary.data.child.id if diary.data.child is not None else None

            await pilot.press(key)
            await wait_for(pilot, lambda: showing(current()))
            shown = current()
            other = second if shown == first else first
            # Switch quickly twice (the second answer may arrive after the third press),
            # then once more slowly.
            await pilot.press("c", "c")
            await wait_for(pilot, lambda shown=shown: showing(shown))  # type: ignore[misc]
            await pilot.press("c")
            await wait_for(pilot, lambda other=other: showing(other))  # type: ignore[misc]
            names = str(diary.screen.query_one(NavBar).visual)
            assert diary.data.child is not None and diary.data.child.last_name in names
    assert {name for name, _, _ in painted} == {"grades", "homework", "attendance"}
    assert all(child == whose for _, child, whose in painted), painted


@sqlite_only
async def test_what_if_marks_are_kept_per_child_in_the_local_store(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    first, second = (await children(http, await login_as(http, "parent")))[:2]
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        diary.data.set_hypothetical_marks(first, 1, [(5, 1), (3, 2)])
        assert diary.data.hypothetical_marks(first, 1) == [(5, 1), (3, 2)]
        assert diary.data.hypothetical_marks(second, 1) == []
        # In the account's store, so they survive a restart of the app.
        assert diary.data.remembered(f"whatif:{first}:year:1") == "[[5, 1], [3, 2]]"
        diary.data.set_hypothetical_marks(first, 1, [])
        assert diary.data.hypothetical_marks(first, 1) == []
