"""The administration changes a lesson from the journal (``x``): cancel it and the server and a
parent's feed say so; a refusal or a lost connection keeps what was typed; a teacher has no
such key."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
import msgspec
from sqlalchemy import select
from textual.widgets import Checkbox, Input, Select, Static

from api_client.models import (
    API_PREFIX,
    ChangeFeed,
    ClassRef,
    LessonChange,
    LessonDetail,
    LessonStatus,
    SubjectRef,
    decode,
)
from demo_server import schema as s
from diary_tui.app import DiaryApp
from diary_tui.notify import describe
from screens.journal import JournalScreen
from screens.journal_dialogs import ChangeLesson, lesson_change
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.demo_server.journal_support import fetch_all
from tests.diary_tui.harness import TODAY, log_in, make_app, wait_for
from tests.diary_tui.test_journal_screen import journal_screen, open_journal
from tests.diary_tui.test_sync import Switch


async def admin_journal(pilot: Any) -> JournalScreen:
    await log_in(pilot, "admin", "demo")
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "StatsScreen")
    await pilot.pause()
    await pilot.press("j")
    await wait_for(pilot, lambda: journal_screen(pilot.app) is not None)
    screen = journal_screen(pilot.app)
    assert screen is not None
    return screen


def dialog(app: DiaryApp) -> ChangeLesson | None:
    screen = app.screen
    if isinstance(screen, ChangeLesson) and screen.lesson is not None and not screen.workers:
        return screen
    return None


def error_text(screen: ChangeLesson) -> str:
    return str(screen.query_one("#lc-error", Static).visual)


async def open_dialog(pilot: Any) -> ChangeLesson:
    await pilot.press("x")
    await wait_for(pilot, lambda: dialog(pilot.app) is not None)
    found = dialog(pilot.app)
    assert found is not None
    return found


@sqlite_only
async def test_administration_cancels_a_lesson_and_a_parent_hears_of_it(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    admin = await login_as(http, "admin")
    tui = make_app(app, login=None)
    async with tui.run_test(size=(100, 30)) as pilot:
        screen = await admin_journal(pilot)
        assert "x changes a lesson" in str(screen.query_one("#journal-title", Static).visual)
        grid = screen.grid()
        assert grid is not None and screen.journal is not None
        lesson_id = grid.current_lesson_id
        assert lesson_id is not None
        lesson = next(x for x in screen.journal.lessons if x.id == lesson_id)
        assert lesson.status is not LessonStatus.CANCELLED
        class_id = screen.journal.class_.id
        # A parent of a pupil of this class, and where their feed stands now.
        pupils = [p.id for p in screen.journal.pupils]
        [(parent_login,)] = await fetch_all(
            demo_url,
            select(s.User.login)
            .join(s.ParentLink, s.ParentLink.parent_id == s.User.id)
            .where(s.ParentLink.pupil_id.in_(pupils))
            .order_by(s.User.id)
            .limit(1),
        )
        parent = await login_as(http, parent_login)
        start = await http.get(f"{API_PREFIX}/changes", headers=parent)
        since = decode(start.content, ChangeFeed).next

        change = await open_dialog(pilot)
        state = str(change.query_one("#lc-state", Static).visual)
        assert state.startswith("Now: ") and change.lesson is not None
        assert change.query_one("#lc-room", Input).value == change.lesson.room
        assert change.query_one("#lc-cancelled", Checkbox).has_focus
        await pilot.press("space")
        change.query_one("#lc-reason", Input).focus()
        await pilot.press(*"Excursion")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: journal_screen(tui) is not None)

        got = await http.get(f"{API_PREFIX}/lessons/{lesson_id}", headers=admin)
        saved = decode(got.content, LessonDetail)
        assert saved.status is LessonStatus.CANCELLED and saved.note == "Excursion"
        # The journal reads itself again: the column is the cancelled lesson now.
        await wait_for(
            pilot,
            lambda: (
                screen.model is not None
                and screen.model.lesson(lesson_id).status is LessonStatus.CANCELLED
            ),
        )
        response = await http.get(f"{API_PREFIX}/changes", params={"since": since}, headers=parent)
        feed = decode(response.content, ChangeFeed)
        ours = [c for c in feed.changes if c.kind == "lesson.changed"]
        assert len(ours) == 1 and ours[0].class_id == class_id
        assert ours[0].entity_id == lesson_id
        assert describe(ours[0]).endswith("is cancelled")


@sqlite_only
async def test_a_refusal_and_a_lost_connection_keep_what_was_typed(app: Any) -> None:
    switch = Switch(asgi_transport(app))
    tui = make_app(app, login=None, transport=switch)
    async with tui.run_test(size=(100, 30)) as pilot:
        screen = await admin_journal(pilot)
        grid = screen.grid()
        assert grid is not None and screen.journal is not None
        old = [x for x in screen.journal.lessons if x.date < TODAY - dt.timedelta(days=7)]
        assert old, "the period has no lesson more than a week ago"
        column = grid.model.lessons.index(next(x for x in grid.model.lessons if x.id == old[0].id))
        grid.move_to(grid.row, column)
        await pilot.pause()
        change = await open_dialog(pilot)
        await pilot.press("space")
        change.query_one("#lc-reason", Input).focus()
        await pilot.press(*"Too late")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "more than 7 days" in error_text(change))
        assert tui.screen is change  # still open, nothing typed is lost
        assert change.query_one("#lc-cancelled", Checkbox).value
        assert change.query_one("#lc-reason", Input).value == "Too late"
        await pilot.press("escape")
        await wait_for(pilot, lambda: journal_screen(tui) is not None)

        # Offline: opening says so; with the lesson read, a send says so and keeps the form.
        switch.down = True
        await pilot.press("x")
        await wait_for(
            pilot,
            lambda: isinstance(tui.screen, ChangeLesson) and "offline" in error_text(tui.screen),
        )
        await pilot.press("escape")
        switch.down = False
        await wait_for(pilot, lambda: journal_screen(tui) is not None)
        grid.move_to(grid.row, len(grid.model.lessons) - 1)
        await pilot.pause()
        change = await open_dialog(pilot)
        change.query_one("#lc-room", Input).focus()
        change.query_one("#lc-room", Input).value = ""
        await pilot.press(*"B-12")
        switch.down = True
        writes = switch.writes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "No connection" in error_text(change))
        assert change.query_one("#lc-room", Input).value == "B-12"
        assert switch.writes == writes  # refused before it reached the server
        switch.down = False


@sqlite_only
async def test_a_teacher_has_no_change_lesson_key(app: Any) -> None:
    tui = make_app(app, login=None)
    async with tui.run_test(size=(100, 30)) as pilot:
        screen, _grid = await open_journal(pilot)
        assert not screen.check_action("change_lesson", ())
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(tui.screen, ChangeLesson)


def test_the_form_sends_only_what_changed() -> None:
    lesson = LessonDetail(
        id=7,
        date=TODAY,
        number=2,
        class_=ClassRef(id=1, name="5А", grade=5, letter="А"),
        subject=SubjectRef(id=1, name="Физика"),
        teacher_id=3,
        teacher="Смирнова А. П.",
        room="204",
        planned_room="101",
        version=4,
    )
    assert lesson_change(lesson, False, None, "204", "") is None
    assert lesson_change(lesson, False, None, " 204 ", "why") is None
    assert lesson_change(lesson, True, None, "204", " ill ") == LessonChange(
        version=4, status=LessonStatus.CANCELLED, reason="ill"
    )
    assert lesson_change(lesson, False, 9, "204", "") == LessonChange(version=4, substitute_id=9)
    assert lesson_change(lesson, False, None, "", "") == LessonChange(version=4, room="")
    substituted = msgspec.structs.replace(lesson, substitute_id=9, status=LessonStatus.SUBSTITUTED)
    assert lesson_change(substituted, False, None, "204", "") == LessonChange(
        version=4, substitute_id=None
    )
    assert lesson_change(substituted, True, 9, "204", "") == LessonChange(
        version=4, status=LessonStatus.CANCELLED
    )


@sqlite_only
async def test_a_change_made_meanwhile_shows_the_lesson_now_and_keeps_what_was_typed(
    app: Any, http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    admin = await login_as(http, "admin")
    tui = make_app(app, login=None)
    async with tui.run_test(size=(100, 40)) as pilot:
        screen = await admin_journal(pilot)
        grid = screen.grid()
        assert grid is not None
        lesson_id = grid.current_lesson_id
        assert lesson_id is not None
        change = await open_dialog(pilot)
        read = change.lesson
        assert read is not None and read.status is not LessonStatus.CANCELLED
        substitute = next(t for t in read.teachers if t.id != read.substitute_id)
        select: Select[int] = change.query_one("#lc-substitute", Select)
        select.value = substitute.id
        room = change.query_one("#lc-room", Input)
        room.focus()
        room.value = ""
        await pilot.press(*"B-12")
        change.query_one("#lc-reason", Input).focus()
        await pilot.press(*"Lab closed")

        # Meanwhile someone else cancels the lesson on the version the dialog read.
        other = await http.patch(
            f"{API_PREFIX}/lessons/{lesson_id}",
            content=msgspec.json.encode(
                LessonChange(version=read.version, status=LessonStatus.CANCELLED, reason="Flood")
            ),
            headers={
                **admin,
                "Idempotency-Key": uuid.uuid4().hex,
                "content-type": "application/json",
            },
        )
        assert other.status_code == 200, other.text
        cancelled = decode(other.content, LessonDetail)
        assert cancelled.version > read.version

        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "was changed" in error_text(change) and not change.workers)
        assert tui.screen is change  # still open
        assert "what you typed stays" in error_text(change)
        state = str(change.query_one("#lc-state", Static).visual)
        assert state.startswith("Now: cancelled") and "Flood" in state
        assert change.lesson is not None and change.lesson.version == cancelled.version
        # What was typed is all there, the substitutes to choose from too.
        assert not change.query_one("#lc-cancelled", Checkbox).value
        assert select.value == substitute.id
        assert room.value == "B-12"
        assert change.query_one("#lc-reason", Input).value == "Lab closed"

        # Saved again, it is based on the version now and is made.
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: journal_screen(tui) is not None)
        got = await http.get(f"{API_PREFIX}/lessons/{lesson_id}", headers=admin)
        saved = decode(got.content, LessonDetail)
        assert saved.version > cancelled.version
        assert saved.status is LessonStatus.SUBSTITUTED
        assert saved.substitute_id == substitute.id
        assert saved.room == "B-12" and saved.note == "Lab closed"
