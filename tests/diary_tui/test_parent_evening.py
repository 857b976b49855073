"""A parent's evening in the diary: what got in the way (issue: a day in the diary)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from textual.widgets import DataTable, OptionList

from screens.grades import GradesScreen, WhatIfScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    MONDAY,
    loaded,
    log_in,
    make_app,
    password_of,
    settled,
    signed_in,
    wait_for,
    week_loaded,
)


async def open_as_parent(pilot: Any, demo: Any) -> None:
    await log_in(pilot, "parent", password_of(demo, "parent"))
    await wait_for(pilot, lambda: signed_in(pilot.app))


def marks_cell(table: DataTable[Any], row: int) -> str:
    value = table.get_row_at(row)[1]
    return str(getattr(value, "plain", value))


@sqlite_only
async def test_a_what_if_mark_stays_in_the_period_it_was_added_to(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await open_as_parent(pilot, demo)
        diary.go("grades")
        await wait_for(pilot, lambda: loaded(diary, GradesScreen, "value"))
        screen = diary.screen
        assert isinstance(screen, GradesScreen) and screen.value is not None
        quarter = screen.value.period
        assert quarter is not None
        table = screen.query_one(DataTable)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, WhatIfScreen))
        await pilot.press("5", "enter")
        await wait_for(pilot, lambda: diary.screen is screen)
        assert "5?" in marks_cell(table, 0)
        # Every other period and the year: no trace of it.
        for _ in range(len(screen.value.periods)):
            await pilot.press("right_square_bracket")
            await wait_for(
                pilot,
                lambda: (
                    settled(screen) and screen.value is not None and screen.value.period != quarter
                ),
            )
            assert all("?" not in marks_cell(table, r) for r in range(table.row_count))
        # Back in its quarter, it is there.
        while screen.value is None or screen.value.period != quarter:
            await pilot.press("right_square_bracket")
            await wait_for(pilot, lambda: settled(screen))
        await wait_for(pilot, lambda: table.row_count > 0 and "5?" in marks_cell(table, 0))
        subject = screen.value.subjects[0].subject.id
        assert screen.whatif(subject) == [(5, 1)]
        assert screen.whatif(subject, "year") == []


@sqlite_only
async def test_home_shows_monday_s_heading_and_up_does_not_wrap(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        lessons = diary.screen.query_one(OptionList)
        await pilot.press("end")
        await pilot.pause(0.2)
        last = lessons.highlighted
        await pilot.press("down")
        assert lessons.highlighted == last  # no wrap to Monday either
        await pilot.press("home")
        await pilot.pause(0.2)
        first = lessons.highlighted
        assert first is not None
        assert str(lessons.options[first].id).startswith("lesson-")
        assert lessons.scroll_y == 0  # Monday's heading is in view
        assert lessons.options[0].id == f"day-{MONDAY.isoformat()}"
        await pilot.press("up")
        await pilot.pause(0.1)
        assert lessons.highlighted == first  # not Friday's last lesson
        assert lessons.scroll_y == 0


@sqlite_only
async def test_grades_honour_home_and_end(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        diary.go("grades")
        await wait_for(pilot, lambda: loaded(diary, GradesScreen, "value"))
        table = diary.screen.query_one(DataTable)
        assert table.row_count > 3
        await pilot.press("end")
        assert table.cursor_row == table.row_count - 1
        await pilot.press("home")
        assert table.cursor_row == 0


@sqlite_only
async def test_settings_time_boxes_pass_the_screen_keys_on(app: Litestar, demo: Any) -> None:
    from textual.widgets import Input, Static

    from screens.settings import SettingsScreen
    from screens.week import WeekScreen

    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        diary.go("settings")
        await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
        screen = diary.screen
        await wait_for(pilot, lambda: bool(screen.query("#quiet-from")))
        await pilot.pause(0.2)
        box = screen.query_one("#quiet-from", Input)
        box.focus()
        await pilot.press("2", "2", ":", "0", "0")
        assert box.value == "22:00"
        # Only one of the two times: the note names the boxes as the screen labels them.
        await pilot.press("ctrl+s")
        note = screen.query_one("#settings-note", Static).visual
        text = str(getattr(note, "plain", note))
        assert "“Quiet from”" in text and "“to”" in text and "quiet_to" not in text
        assert screen.focused is screen.query_one("#quiet-to", Input)
        # A letter is not a time: it is the screen's key (w: the week), not swallowed.
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))


@sqlite_only
async def test_a_week_to_come_offers_no_signing(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await open_as_parent(pilot, demo)
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        screen = diary.screen
        assert "s" in screen.active_bindings  # this week: s signs
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY + dt.timedelta(days=7)))
        assert "s" not in screen.active_bindings
        await pilot.press("s")
        await pilot.pause(0.2)
        assert diary.screen is screen  # no question asked


@sqlite_only
async def test_a_sent_thread_is_under_the_cursor_and_a_reply_arrives_by_itself(
    app: Litestar, demo: Any
) -> None:
    from textual.widgets import Input, Static, TextArea

    from api_client.client import DiaryClient
    from diary_tui.app import DiaryApp
    from diary_tui.config import Notifications
    from screens.messages import ComposeScreen, MessagesScreen, ThreadScreen
    from tests.conftest import asgi_transport
    from tests.diary_tui.harness import BASE_URL, NOW, TODAY

    transport = asgi_transport(app)
    diary = DiaryApp(
        server=BASE_URL,
        login="parent",
        transport=transport,
        today=TODAY,
        now=lambda: NOW,
        live=True,
        notifications=Notifications(),
    )
    async with (
        DiaryClient(BASE_URL, transport=transport) as teacher,
        diary.run_test(size=(80, 24)) as pilot,
    ):
        await teacher.login("classteacher", password_of(demo, "classteacher"))
        await open_as_parent(pilot, demo)
        diary.go("messages")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, MessagesScreen) and diary.screen.threads is not None,
        )
        screen = diary.screen
        assert isinstance(screen, MessagesScreen)
        title = next(a.title for a in demo.featured if a.login == "classteacher")
        for _ in range(3):  # the child in the featured class teacher's class
            child = diary.data.child
            if child is not None and child.class_ is not None and child.class_.name in title:
                break
            await pilot.press("c")
            await pilot.pause(0.3)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        compose = diary.screen
        surname = title.split(": ")[-1].split()[-1]
        recipients = compose.query_one("#compose-recipients", OptionList)
        recipients.highlighted = next(
            i
            for i in range(recipients.option_count)
            if surname in str(getattr(recipients.get_option_at_index(i).prompt, "plain", ""))
        )
        await pilot.press("enter")  # the class teacher, who answers below
        compose.query_one("#compose-subject", Input).value = "Late on Thursday"
        await pilot.press("enter")
        compose.query_one(TextArea).text = "He will come at 10."
        await pilot.press("ctrl+s")
        threads = screen.query_one(OptionList)

        def sent_is_highlighted() -> bool:
            option = threads.highlighted_option
            return (
                screen.threads is not None
                and any(t.subject == "Late on Thursday" for t in screen.threads.threads)
                and option is not None
                and "Late on Thursday" in str(getattr(option.prompt, "plain", option.prompt))
            )

        await wait_for(pilot, sent_is_highlighted)
        assert screen.threads is not None and threads.highlighted_option is not None
        summary = next(t for t in screen.threads.threads if t.subject == "Late on Thursday")
        listed = threads.highlighted_option.prompt
        listed_time = str(getattr(listed, "plain", listed)).split("\n")[0]
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, ThreadScreen) and diary.screen.thread is not None,
        )
        thread_screen = diary.screen
        assert isinstance(thread_screen, ThreadScreen)
        # The list and the thread write the same time.
        head_widget = thread_screen.query(".message-head").first(Static)
        head = str(getattr(head_widget.visual, "plain", ""))
        time = head.split("  ")[1].strip()
        assert listed_time.rstrip().endswith(time), (listed_time, head)
        # The teacher answers: the open thread shows it without a key pressed.
        await teacher.reply(summary.id, "Thank you, noted.")
        await wait_for(
            pilot,
            lambda: any(
                "Thank you, noted." in str(getattr(w.visual, "plain", w.visual))
                for w in thread_screen.query(".message").results(Static)
            ),
            seconds=10,
        )


def test_what_s_new_lists_what_others_did_and_wraps_under_its_column() -> None:
    from api_client.models import ChangeItem, Me, PupilRef, Role, SchoolInfo
    from diary_tui.live import WhatsNew
    from screens.whatsnew import whatsnew_options

    me = Me(
        id=1,
        login="parent",
        first_name="Irene",
        last_name="Wright",
        role=Role.PARENT,
        school=SchoolInfo(id=1, name="School"),
        children=[PupilRef(id=7, first_name="Ruby", last_name="Wright")],
    )
    at = dt.datetime(2026, 11, 25, 16, 34, tzinfo=dt.UTC)
    teacher = ChangeItem(
        cursor="1",
        at=at,
        kind="announcement.new",
        entity_id=1,
        actor="Katherine Hall",
        actor_id=2,
        payload={"title": "The school trip to the museum moves to Friday " * 3},
    )
    mine = ChangeItem(
        cursor="2",
        at=at,
        kind="message.new",
        entity_id=2,
        actor="Irene Wright",
        actor_id=1,
        payload={"subject": "Late on Thursday", "author": "Irene Wright"},
    )
    news = WhatsNew(changes=[teacher, mine], fresh=True, offline=False)
    options = whatsnew_options(news, me, dt.UTC, width=60)
    text = [str(getattr(o.prompt, "plain", o.prompt)) for o in options]
    assert not any("Late on Thursday" in t for t in text)  # the parent's own message
    (line,) = [t for t in text if "museum" in t]
    first, *rest = line.split("\n")
    assert rest, line
    column = first.index(first.split()[2])  # after the time and the marker
    for more in rest:
        assert len(more) <= 60
        assert more[:column].strip() == "" and more[column] != " ", line
