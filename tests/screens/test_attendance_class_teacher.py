"""The class teacher's attendance screen: the absence notices the parents of their class sent,
newest first, the days still to come highlighted, a new one arriving by itself; painted from
the store when the server is away. A parent's attendance screen stays the child's."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import msgspec
from litestar import Litestar
from textual.content import Content
from textual.widgets import DataTable, Static

from api_client.client import DiaryClient
from api_client.i18n import using
from api_client.models import (
    AbsenceKind,
    AbsenceNotice,
    AbsenceNoticeApplied,
    AbsenceNoticeRequest,
    AbsenceNotices,
    AbsenceReason,
    AbsenceSet,
    AttendanceTotals,
    ClassRef,
    ExcusedAbsence,
    JournalAbsence,
    Me,
    PupilRef,
    Role,
    SchoolInfo,
)
from diary_tui.app import DiaryApp
from diary_tui.config import Notifications
from diary_tui.live import CURSOR_KEY
from diary_tui.navigation import destinations_for, home_for
from diary_tui.widgets import StatusLine
from screens.attendance import (
    AHEAD,
    ONGOING,
    AttendanceScreen,
    applied_text,
    class_summary,
    leads_class,
    newest_first,
    notice_days,
    notice_style,
    notice_text,
    read_text,
    sent_text,
    totals_text,
)
from screens.dialogs.confirm import ConfirmOrEnter as ConfirmScreen
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.harness import BASE_URL, NOW, TODAY, log_in, wait_for

# -- what a row says ---------------------------------------------------------------------


def notice(
    start: dt.date, end: dt.date, *, id: int = 1, at: dt.datetime = NOW, note: str = ""
) -> AbsenceNotice:
    return AbsenceNotice(
        id=id,
        pupil=PupilRef(id=7, first_name="Миша", last_name="Соколов"),
        parent="Соколова И.",
        start=start,
        end=end,
        reason=AbsenceReason.ILLNESS,
        created_at=at,
        note=note,
    )


def test_days_of_a_notice_are_written_short() -> None:
    day = dt.date
    assert notice_days(notice(day(2026, 11, 30), day(2026, 11, 30))) == "30 Nov"
    assert notice_days(notice(day(2026, 11, 24), day(2026, 11, 26))) == "24–26 Nov"
    assert notice_days(notice(day(2026, 11, 30), day(2026, 12, 1))) == "30 Nov–1 Dec"
    assert notice_days(notice(day(2026, 12, 30), day(2027, 1, 2))) == "30 Dec 2026–2 Jan 2027"


def test_days_still_to_come_stand_out_and_past_ones_do_not() -> None:
    past = notice(dt.date(2026, 11, 23), dt.date(2026, 11, 24))
    ongoing = notice(dt.date(2026, 11, 24), dt.date(2026, 11, 25))
    ahead = notice(dt.date(2026, 11, 26), dt.date(2026, 11, 27))
    assert notice_style(past, TODAY) == ""
    assert notice_style(ongoing, TODAY) == ONGOING
    assert notice_style(ahead, TODAY) == AHEAD
    summary = class_summary([past, ongoing, ahead, ahead], TODAY).plain
    assert summary == "4 notices · ● 4 unread · 1 for today · 2 still to come"
    read = msgspec.structs.replace(past, seen=True)
    assert class_summary([read], TODAY).plain == "1 notice · none for today or days to come"


def test_newest_first_and_sent_in_the_schools_time() -> None:
    older = notice(TODAY, TODAY, id=1, at=NOW - dt.timedelta(days=1))
    newer = notice(TODAY, TODAY, id=2, at=NOW)
    same_moment = notice(TODAY, TODAY, id=3, at=NOW)
    ordered = newest_first(AbsenceNotices(notices=[older, newer, same_moment]))
    assert [n.id for n in ordered] == [3, 2, 1]
    plus3 = dt.timezone(dt.timedelta(hours=3))
    assert sent_text(NOW, plus3, TODAY) == "today 13:30"
    assert sent_text(NOW - dt.timedelta(days=1), plus3, TODAY) == "24 Nov 13:30"
    assert sent_text(NOW - dt.timedelta(days=365), plus3, TODAY) == "25 Nov 2025"
    full = notice(TODAY, TODAY, note="  Temperature\n38.5 ")
    assert notice_text(full, plus3, TODAY) == (
        "25.11.2026 (25 Nov): illness\nFrom Соколова И., sent today 13:30\n"
        "Class teacher: not read yet\n\nTemperature\n38.5"
    )
    assert notice_text(newer, plus3, TODAY).count("\n") == 2  # no note, no empty line


def me(role: Role, homeroom: ClassRef | None = None) -> Me:
    school = SchoolInfo(id=1, name="School")
    return Me(
        id=1, login="x", first_name="A", last_name="B", role=role, school=school, homeroom=homeroom
    )


def test_attendance_is_offered_to_a_class_teacher_and_home_stays_the_journal() -> None:
    screens = frozenset({"week", "attendance", "journal", "messages"})
    lead = me(Role.TEACHER, ClassRef(id=3, name="5А", grade=5, letter="А"))
    assert [d.name for d in destinations_for(lead, screens)] == [
        "attendance",
        "journal",
        "messages",
    ]
    assert home_for(lead, screens) == "journal"
    assert "attendance" not in [d.name for d in destinations_for(me(Role.TEACHER), screens)]
    assert leads_class(lead) == lead.homeroom
    assert leads_class(me(Role.TEACHER)) is None
    assert leads_class(me(Role.PARENT, lead.homeroom)) is None


# -- the screen against the real server --------------------------------------------------


def cells(table: DataTable[Any], row: int) -> list[Content]:
    return [
        cell if isinstance(cell, Content) else Content(str(cell)) for cell in table.get_row_at(row)
    ]


def text(widget: Static) -> str:
    return str(getattr(widget.visual, "plain", widget.visual))


def make(transport: httpx.AsyncBaseTransport, login: str, **kwargs: Any) -> DiaryApp:
    return DiaryApp(
        server=BASE_URL,
        login=login,
        transport=transport,
        today=TODAY,
        now=lambda: NOW,
        notifications=Notifications(),
        **kwargs,
    )


def class_list_shown(app: DiaryApp, rows: int) -> bool:
    screen = app.screen
    return (
        isinstance(screen, AttendanceScreen)
        and screen.homeroom is not None
        and screen.class_notices is not None
        and len(screen.class_notices.notices) == rows
        and screen.query_one(DataTable).row_count == max(rows, 1)
    )


@asynccontextmanager
async def signed_in(
    transport: httpx.AsyncBaseTransport, login: str, password: str
) -> AsyncIterator[DiaryClient]:
    """A client of the server logged in as ``login``."""
    async with DiaryClient(BASE_URL, transport=transport) as client:
        await client.login(login, password)
        yield client


async def send(
    parent: DiaryClient, pupil_id: int, start: dt.date, end: dt.date, note: str = ""
) -> AbsenceNotice:
    body = AbsenceNoticeRequest(start=start, end=end, reason=AbsenceReason.FAMILY, note=note)
    return await parent.send_absence_notice(pupil_id, body)


@sqlite_only
async def test_class_teacher_sees_the_notices_of_their_class_arrive(
    app: Litestar, demo: Any
) -> None:
    transport = asgi_transport(app)
    # From the news, not the journal (the class teacher's home, not what is tested here).
    diary = make(transport, "classteacher", live=True, open_screen="news")
    async with signed_in(transport, "parent", demo.password) as parent:
        earlier = await send(parent, demo.ids["pupil"], dt.date(2026, 11, 23), TODAY)
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "classteacher", demo.password)
            await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
            await pilot.press("a")
            await wait_for(pilot, lambda: class_list_shown(diary, 1))
            screen = diary.screen
            assert isinstance(screen, AttendanceScreen)
            assert screen.homeroom is not None and screen.homeroom.name == "5А"
            assert "Absence notices of 5А" in text(screen.query_one("#attendance-title", Static))
            # A child's keys make no sense here: no period, no view, no notice to send.
            for action in ("notice", "next_view", "next_period"):
                assert screen.check_action(action, ()) is False
            await wait_for(
                pilot, lambda: bool(diary.data.store and diary.data.store.get_meta(CURSOR_KEY))
            )

            # Parents send notices while the screen is open: one about a pupil of 5А, one
            # about a child in 6Б (another class teacher's).
            later = await send(
                parent, demo.ids["pupil"], dt.date(2026, 11, 30), dt.date(2026, 12, 1), "[b]x[/]"
            )
            await send(parent, demo.ids["sibling"], dt.date(2026, 11, 30), dt.date(2026, 11, 30))
            await wait_for(pilot, lambda: class_list_shown(diary, 2), 10)

            table = screen.query_one(DataTable)
            assert [str(key.value) for key in table.rows] == [str(later.id), str(earlier.id)]
            pupil, days, reason, sent, note = cells(table, 0)
            assert pupil.plain == "● Миша Соколов"  # not read yet: a dot, bold
            assert days.plain == "▸ 30 Nov–1 Dec"
            assert any(str(span.style) == AHEAD for span in days.spans)
            assert reason.plain == "Family"
            assert sent.plain
            assert note.plain.endswith(": [b]x[/]")  # server text stays plain text
            days = cells(table, 1)[1]
            assert days.plain == "▸ 23–25 Nov"  # today is its last day
            assert any(str(span.style) == ONGOING for span in days.spans)
            totals = text(screen.query_one("#attendance-totals", Static))
            assert totals == "2 notices · ● 2 unread · 1 for today · 1 still to come"

            # Enter shows the whole notice, the note as it was written.
            shown: list[tuple[str, str]] = []
            original = screen.notify

            def notify(message: str, *, title: str = "", **kwargs: Any) -> None:
                shown.append((title, message))
                original(message, title=title, **kwargs)

            screen.notify = notify  # type: ignore[method-assign]
            table.focus()
            table.move_cursor(row=0)
            await pilot.press("enter")
            await wait_for(pilot, lambda: bool(shown))
            title, message = shown[0]
            assert title == "Миша Соколов"
            assert message.startswith(
                "30.11.2026 – 01.12.2026 (30 Nov–1 Dec): family reasons\nFrom "
            )
            assert message.endswith("\n[b]x[/]")


@sqlite_only
async def test_class_teacher_reads_saved_notices_offline(app: Litestar, demo: Any) -> None:
    from tests.diary_tui.test_offline import MemoryCredentials, Switch

    switch = Switch(asgi_transport(app))
    credentials = MemoryCredentials()
    async with signed_in(switch, "parent", demo.password) as parent:
        await send(parent, demo.ids["pupil"], dt.date(2026, 11, 20), dt.date(2026, 11, 20))

    first = make(switch, "classteacher", credentials=credentials, open_screen="attendance")
    async with first.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "classteacher", demo.password, remember=True)
        await wait_for(pilot, lambda: class_list_shown(first, 1))

    switch.up = False
    switch.requests.clear()
    second = make(switch, "classteacher", credentials=credentials, open_screen="attendance")
    async with second.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: class_list_shown(second, 1))
        screen = second.screen
        days = cells(screen.query_one(DataTable), 0)[1]
        assert days.plain == "  20 Nov" and not days.spans  # past: not highlighted
        status = screen.query_one(StatusLine)
        await wait_for(pilot, lambda: "offline" in text(status), 5)
        assert switch.requests == []


@sqlite_only
async def test_a_parent_still_sees_their_childs_attendance(app: Litestar, demo: Any) -> None:
    diary = make(asgi_transport(app), "parent")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "week")
        await pilot.press("a")

        def child_shown() -> bool:
            screen = diary.screen
            return (
                isinstance(screen, AttendanceScreen)
                and screen.value is not None
                and screen.shown_pupil is not None
                and not any(w.group == "load" for w in screen.workers)
            )

        await wait_for(pilot, child_shown)
        screen = diary.screen
        assert isinstance(screen, AttendanceScreen)
        assert screen.homeroom is None and screen.class_notices is None
        assert screen.check_action("notice", ()) is True
        title = text(screen.query_one("#attendance-title", Static))
        assert "Absence notices of" not in title
        await pilot.press("t", "t")
        await wait_for(pilot, lambda: screen.view == "notices" and screen.notices is not None)


# -- reading a notice and excusing by it ---------------------------------------------------


def test_the_summary_and_totals_speak_russian_in_plural_forms() -> None:
    past = notice(dt.date(2026, 11, 23), dt.date(2026, 11, 24))
    ongoing = notice(dt.date(2026, 11, 24), dt.date(2026, 11, 25))
    ahead = notice(dt.date(2026, 11, 26), dt.date(2026, 11, 27))
    totals = AttendanceTotals(missed=5, illness=2, excused=1, unexcused=2, late=3, late_minutes=25)
    with using("ru"):
        summary = class_summary([past, ongoing, ahead, ahead, ahead], TODAY).plain
        assert summary == "5 уведомлений · ● 5 непрочитанных · 1 на сегодня · 3 впереди"
        read = msgspec.structs.replace(past, seen=True)
        assert class_summary([read], TODAY).plain == (
            "1 уведомление · на сегодня и на будущие дни нет"
        )
        assert totals_text(totals).plain == (
            "Пропущено 5 уроков: 2 по болезни, 1 по уважительной причине, "
            "2 без уважительной причины · опоздания: 3 раза (25 мин)"
        )
        assert totals_text(AttendanceTotals()).plain == (
            "В этом периоде ни пропусков, ни опозданий."
        )


def test_what_excusing_by_a_notice_says() -> None:
    sent = notice(dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    absence = JournalAbsence(id=5, pupil_id=7, lesson_id=3, kind=AbsenceKind.ILLNESS, version=2)
    applied = AbsenceNoticeApplied(
        notice=sent,
        kind=AbsenceKind.ILLNESS,
        changed=[
            ExcusedAbsence(
                absence=absence,
                date=dt.date(2026, 11, 23),
                number=1,
                subject="[b]Math[/b]",
                old_kind=AbsenceKind.UNEXCUSED,
            )
        ],
        lessons_ahead=2,
    )
    assert applied_text(applied, "u") == (
        "1 lesson of Миша Соколов now illness:\n"
        "Mon 23 Nov, lesson 1: [b]Math[/b]\n"
        "2 lessons of the notice's days still to come got nothing (no absence yet): "
        "press u again after them."
    )
    plus3 = dt.timezone(dt.timedelta(hours=3))
    assert read_text(sent, plus3, TODAY) == "not read yet"
    read = msgspec.structs.replace(sent, seen=True, seen_at=NOW, seen_by="Иванова О. С.")
    assert read_text(read, plus3, TODAY) == "read today 13:30"
    assert class_summary([sent, read], TODAY).plain.startswith("2 notices · ● 1 unread · ")


def notified(screen: Any) -> list[tuple[str, str]]:
    """What ``screen`` says in notifications from now on: (title, message)."""
    shown: list[tuple[str, str]] = []
    original = screen.notify

    def notify(message: str, *, title: str = "", **kwargs: Any) -> None:
        shown.append((title, message))
        original(message, title=title, **kwargs)

    screen.notify = notify
    return shown


@sqlite_only
async def test_class_teacher_reads_a_notice_with_enter_and_excuses_by_it(
    app: Litestar, demo: Any
) -> None:
    transport = asgi_transport(app)
    ids = demo.ids
    async with (
        signed_in(transport, "parent", demo.password) as parent,
        signed_in(transport, "classteacher", demo.password) as teacher,
    ):
        unexcused = AbsenceSet(kind=AbsenceKind.UNEXCUSED)
        await teacher.set_absence(ids["mon1"], ids["pupil"], unexcused, "absent-mon1-tui")
        body = AbsenceNoticeRequest(
            start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 30), reason=AbsenceReason.ILLNESS
        )
        sent = await parent.send_absence_notice(ids["pupil"], body)

        diary = make(transport, "classteacher", open_screen="attendance")
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "classteacher", demo.password)
            await wait_for(pilot, lambda: class_list_shown(diary, 1))
            screen = diary.screen
            assert isinstance(screen, AttendanceScreen)
            table = screen.query_one(DataTable)
            pupil = cells(table, 0)[0]
            assert pupil.plain == "● Миша Соколов"
            assert any(str(span.style) == "bold" for span in pupil.spans)
            totals = text(screen.query_one("#attendance-totals", Static))
            assert "1 unread" in totals

            shown = notified(screen)
            table.focus()
            await pilot.press("enter")

            def read() -> bool:
                notices = screen.class_notices
                return notices is not None and notices.notices[0].seen

            await wait_for(pilot, read)
            assert shown[0][0] == "Миша Соколов"
            pupil = cells(table, 0)[0]
            assert pupil.plain == "  Миша Соколов" and not pupil.spans
            assert "unread" not in text(screen.query_one("#attendance-totals", Static))

            # e asks first; n leaves the journal as it was.
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
            await pilot.press("n")
            await wait_for(pilot, lambda: diary.screen is screen)
            await pilot.pause()
            assert len(shown) == 1
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
            await pilot.press("y")
            await wait_for(pilot, lambda: len(shown) == 2)
            title, message = shown[1]
            assert title == "Excused by the notice"
            assert message.startswith("1 lesson of Миша Соколов now illness:\nMon 23 Nov")
            assert "1 lesson of the notice's days still to come" in message
            # Again: nothing left to change, and the screen says why.
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(shown) == 3)
            title, message = shown[2]
            assert title == "Nothing was excused" and message.startswith("Nothing to excuse")

        attendance = await parent.attendance(ids["pupil"], "year")
        assert [(e.date, e.kind) for e in attendance.entries if e.kind != AbsenceKind.LATE] == [
            (dt.date(2026, 11, 23), AbsenceKind.ILLNESS)
        ]
        (listed,) = (await parent.absence_notices(ids["pupil"])).notices
        assert listed.id == sent.id and listed.seen_by == "Иванова О. С."


@sqlite_only
async def test_the_parent_sees_the_notice_read_as_it_happens(app: Litestar, demo: Any) -> None:
    transport = asgi_transport(app)
    ids = demo.ids
    async with (
        signed_in(transport, "parent", demo.password) as parent,
        # The parent's screen opens on Лена (6Б), whose class teacher is teacher2.
        signed_in(transport, "teacher2", demo.password) as teacher,
    ):
        sent = await send(parent, ids["sibling"], dt.date(2026, 11, 26), dt.date(2026, 11, 26))
        diary = make(transport, "parent", live=True, open_screen="attendance")
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", demo.password)
            await wait_for(pilot, lambda: isinstance(diary.screen, AttendanceScreen))
            screen = diary.screen
            assert isinstance(screen, AttendanceScreen)
            await wait_for(pilot, lambda: screen.value is not None)
            assert screen.child is not None and screen.child.id == ids["sibling"]
            await pilot.press("t", "t")

            def read_cell() -> str:
                table = screen.query_one(DataTable)
                if screen.view != "notices" or screen.notices is None or table.row_count != 1:
                    return ""
                if "read" not in [str(c.key.value) for c in table.ordered_columns]:
                    return ""
                return cells(table, 0)[3].plain

            await wait_for(pilot, lambda: read_cell() == "not read yet")
            await wait_for(
                pilot, lambda: bool(diary.data.store and diary.data.store.get_meta(CURSOR_KEY))
            )
            await teacher.mark_absence_notice_seen(sent.id)
            await wait_for(pilot, lambda: read_cell().startswith("read "), 10)
