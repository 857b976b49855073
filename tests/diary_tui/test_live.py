"""Live changes: a teacher's mark reaches an open parent's week by itself, through the stream
over a real connection and by polling in-process; the notification says what happened and
follows the preferences."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from textual.pilot import Pilot

from api_client.client import DiaryClient
from api_client.models import ChangeItem, ClassRef, MarkCreate, Me, PupilRef, Role, SchoolInfo
from diary_tui.app import DiaryApp
from diary_tui.config import Notifications
from diary_tui.live import CURSOR_KEY, ChangesArrived
from diary_tui.notify import announce, describe, group_of
from screens.week import WeekScreen
from tests.conftest import asgi_transport, frozen_settings
from tests.diary_tui.harness import (
    BASE_URL,
    MONDAY,
    NOW,
    TODAY,
    log_in,
    make_app,
    record_notes,
    wait_for,
)


@pytest.fixture
def school_kind() -> str:
    return "mini"


def week_shown(app: DiaryApp, pupil_id: int | None = None) -> bool:
    """The week is on screen (the app's live worker never ends, so do not wait for workers)."""
    screen = app.screen
    if not isinstance(screen, WeekScreen) or screen.week is None:
        return False
    return screen.week.start == MONDAY and pupil_id in (None, screen.week.pupil.id)


async def show_pupil(pilot: Any, app: DiaryApp, demo: Any) -> None:
    """The parent's week of the child named ``pupil`` (in 5А)."""
    await wait_for(pilot, lambda: week_shown(app))
    for _ in range(3):
        child = app.data.child
        if child is not None and child.id == demo.ids["pupil"]:
            break
        await pilot.press("c")
    await wait_for(pilot, lambda: week_shown(app, demo.ids["pupil"]))


def marks_of(app: DiaryApp, lesson_id: int) -> list[int]:
    screen = app.screen
    if not isinstance(screen, WeekScreen) or screen.week is None:
        return []
    for lesson in screen.week.lessons:
        if lesson.id == lesson_id:
            return [mark.value for mark in lesson.marks]
    return []


async def teacher_gives_mark(client: DiaryClient, demo: Any, value: int) -> None:
    await client.create_mark(
        MarkCreate(lesson_id=demo.ids["wed1"], pupil_id=demo.ids["pupil"], value=value),
        uuid.uuid4().hex,
    )


async def test_a_mark_reaches_the_open_week_in_process(
    app: Litestar, demo: Any, login_as: Any
) -> None:
    """Over the in-process transport the app polls the feed (it cannot stream)."""
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
    notes = record_notes(diary)
    async with DiaryClient(BASE_URL, transport=transport) as teacher:
        await teacher.login("teacher", demo.password)
        async with diary.run_test(size=(100, 30)) as pilot:
            await log_in(pilot, "parent", demo.password)
            await show_pupil(pilot, diary, demo)
            await wait_for(
                pilot, lambda: bool(diary.data.store and diary.data.store.get_meta(CURSOR_KEY))
            )
            assert marks_of(diary, demo.ids["wed1"]) == []
            await teacher_gives_mark(teacher, demo, 5)
            await wait_for(pilot, lambda: marks_of(diary, demo.ids["wed1"]) == [5], 5)
            await wait_for(pilot, lambda: any("New mark 5 in Математика" in n for n in notes), 2)


@pytest.fixture
async def served(demo_url: str, demo: Any) -> AsyncIterator[str]:
    from demo_server.app import create_app
    from diary_tui.demo import DemoServer

    today: dt.date = demo.today
    server = DemoServer(create_app(demo_url, settings=frozen_settings(today)))
    await asyncio.to_thread(server.start)
    try:
        yield server.url
    finally:
        await asyncio.to_thread(server.stop)


async def test_a_teachers_mark_reaches_an_open_parent_through_the_stream(
    served: str, demo: Any
) -> None:
    diary = DiaryApp(
        server=served,
        login="parent",
        today=TODAY,
        now=lambda: NOW,
        live=True,
        notifications=Notifications(bell=True),
    )
    notes = record_notes(diary)
    arrived: list[ChangesArrived] = []

    async with DiaryClient(served) as teacher:
        await teacher.login("teacher", demo.password)
        async with diary.run_test(
            size=(100, 30),
            message_hook=lambda m: arrived.append(m) if isinstance(m, ChangesArrived) else None,
        ) as pilot:
            await log_in(pilot, "parent", demo.password)
            await show_pupil(pilot, diary, demo)
            client = diary.data.client
            assert client is not None and client.streams
            # The stream is open once the first cursor is stored and a request is out.
            await wait_for(
                pilot, lambda: bool(diary.data.store and diary.data.store.get_meta(CURSOR_KEY))
            )
            await pilot.pause(0.3)
            started = time.monotonic()
            await teacher_gives_mark(teacher, demo, 4)
            await wait_for(pilot, lambda: marks_of(diary, demo.ids["wed1"]) == [4], 5)
            elapsed = time.monotonic() - started
            assert elapsed < 2, elapsed
            assert [c.kind for m in arrived for c in m.changes] == ["mark.added"]
            assert not any(m.catch_up for m in arrived)  # live, not read after a break
            await wait_for(
                pilot, lambda: any("New mark 4 in Математика for Миша" in n for n in notes), 2
            )


# --- notification texts and preferences --------------------------------------------------------


def change(kind: str, payload: dict[str, object], **more: Any) -> ChangeItem:
    return ChangeItem(
        cursor="1",
        at=dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC),
        kind=kind,
        entity_id=1,
        payload=payload,
        **more,
    )


ME = Me(
    id=1,
    login="parent",
    first_name="Ирина",
    last_name="Соколова",
    role=Role.PARENT,
    school=SchoolInfo(id=1, name="Школа"),
    children=[PupilRef(id=7, first_name="Анна", last_name="Соколова")],
)


@pytest.mark.parametrize(
    ("item", "text"),
    [
        (
            change("mark.added", {"subject": "Математика", "value": 5}, pupil_id=7),
            "New mark 5 in Математика for Анна",
        ),
        (
            change(
                "mark.edited",
                {"subject": "Математика", "old": {"value": 4}, "new": {"value": 5}},
                pupil_id=7,
                actor="Анна Смирнова",
            ),
            "Mark in Математика for Анна changed: 4 → 5 (by Анна Смирнова)",
        ),
        (
            change(
                "lesson.changed", {"subject": "Физика", "date": "2026-11-26", "status": "cancelled"}
            ),
            "Физика on Thursday 26 Nov is cancelled",
        ),
        (
            change(
                "absence.set",
                {"subject": "Физика", "date": "2026-11-26", "kind": "illness"},
                pupil_id=7,
            ),
            "Анна ill at Физика on Thursday 26 Nov",
        ),
        (
            change("homework.set", {"subject": "Физика", "due": "2026-11-27", "text": "§ 5"}),
            "New homework in Физика due Friday 27 Nov: § 5",
        ),
        (
            change("message.new", {"subject": "Экскурсия", "author": "Ольга Иванова"}),
            "New message from Ольга Иванова: Экскурсия",
        ),
        (change("announcement.new", {"title": "Собрание"}), "Announcement: Собрание"),
        (
            change("announcement.new", {"title": "Собрание", "audience": "parents"}),
            "Announcement for all parents: Собрание",
        ),
        (
            change("announcement.new", {"title": "Собрание", "audience": "parents", "class": "5А"}),
            "Announcement for the parents of 5А: Собрание",
        ),
        (
            change("announcement.new", {"title": "Педсовет", "audience": "teachers"}),
            "Announcement for the teachers: Педсовет",
        ),
        (
            change("announcement.new", {"title": "Экскурсия", "audience": "grade", "grade": 6}),
            "Announcement for grade 6: Экскурсия",
        ),
        (
            change("announcement.new", {"title": "Каникулы", "audience": "school"}),
            "Announcement for the whole school: Каникулы",
        ),
        (
            change(
                "absence_notice.new",
                {
                    "start": "2026-11-26",
                    "end": "2026-11-27",
                    "reason": "illness",
                    "pupil": "Пётр Орлов",
                    "parent": "Орлова Н.",
                },
                pupil_id=12,
            ),
            "Absence notice for Пётр Орлов on Thursday 26 Nov to Friday 27 Nov, illness"
            " (from Орлова Н.)",
        ),
        (
            change(
                "absence_notice.new",
                {"start": "2026-11-26", "end": "2026-11-26", "reason": "other", "pupil": "Пётр"},
                pupil_id=12,
            ),
            "Absence notice for Пётр on Thursday 26 Nov",
        ),
        (
            change(
                "absence_notice.seen",
                {"start": "2026-11-26", "end": "2026-11-27", "pupil": "Пётр Орлов"},
                pupil_id=12,
                actor="Ольга Иванова",
            ),
            "Ольга Иванова read the absence notice for Пётр Орлов on Thursday 26 Nov to "
            "Friday 27 Nov",
        ),
        (
            change(
                "absence_notice.seen",
                {"start": "2026-11-26", "end": "2026-11-26", "seen_by": "Иванова О. С."},
            ),
            "Иванова О. С. read the absence notice on Thursday 26 Nov",
        ),
        (
            change("event.changed", {"title": "Собрание 5А", "date": "2026-12-01"}, class_id=50),
            "Changed: Собрание 5А on Tuesday 1 Dec",
        ),
        (
            change("event.cancelled", {"title": "Собрание 5А", "date": "2026-12-01"}, class_id=50),
            "Cancelled: Собрание 5А on Tuesday 1 Dec",
        ),
        (
            change("event.minutes", {"title": "Собрание 5А", "date": "2026-11-25"}, class_id=50),
            "The minutes of Собрание 5А are written",
        ),
    ],
)
def test_describe_says_what_happened(item: ChangeItem, text: str) -> None:
    assert describe(item, ME) == text


def test_a_change_to_a_class_names_the_child_when_a_parent_has_several() -> None:
    def child(pupil_id: int, name: str, class_id: int) -> PupilRef:
        cls = ClassRef(id=class_id, name=f"{class_id}А", grade=5, letter="А")
        return PupilRef(id=pupil_id, first_name=name, last_name="Соколова", class_=cls)

    family = msgspec.structs.replace(
        ME, children=[child(7, "Анна", 50), child(8, "Вера", 60), child(9, "Оля", 60)]
    )
    cancelled: dict[str, object] = {
        "subject": "Физика",
        "date": "2026-11-26",
        "status": "cancelled",
    }
    assert describe(change("lesson.changed", cancelled, class_id=60), family) == (
        "Физика on Thursday 26 Nov is cancelled (Вера and Оля)"
    )
    assert describe(change("lesson.changed", cancelled, class_id=50), family).endswith("(Анна)")
    assert describe(change("lesson.changed", cancelled, class_id=50), ME).endswith("cancelled")
    assert describe(change("announcement.new", {"title": "Собрание"}), family) == (
        "Announcement: Собрание"
    )


def test_server_text_stays_plain_and_short() -> None:
    long = "[red]x[/red] " * 40
    text = describe(change("announcement.new", {"title": long}), ME)
    assert len(text) < 80 and text.startswith("Announcement: [red]")


def test_preferences_decide_what_is_announced() -> None:
    mark = change("mark.added", {"subject": "Математика", "value": 5}, pupil_id=7)
    news = change("announcement.new", {"title": "Собрание"})
    own = change("announcement.new", {"title": "Моё"}, actor_id=ME.id)
    noon = dt.datetime(2026, 11, 25, 12, 0)
    night = dt.datetime(2026, 11, 25, 23, 30)
    early = dt.datetime(2026, 11, 26, 6, 59)
    assert announce([mark, news, own], Notifications(), ME, noon).lines == [
        "New mark 5 in Математика for Анна",
        "Announcement: Собрание",
    ]
    assert announce([mark, news], Notifications(marks=False), ME, noon).lines == [
        "Announcement: Собрание"
    ]
    quiet = Notifications(quiet_from="22:00", quiet_to="07:00", bell=True)
    assert announce([mark], quiet, ME, night).lines == []
    assert announce([mark], quiet, ME, early).lines == []
    loud = announce([mark], quiet, ME, noon)
    assert loud.lines and loud.bell
    assert not announce([mark], Notifications(), ME, noon).bell
    many = announce([mark] * 5, Notifications(), ME, noon, most=3)
    assert many.lines[-1] == "… and 3 more changes" and len(many.lines) == 3


def test_every_kind_of_the_feed_has_a_group() -> None:
    for kind in (
        "mark.added",
        "mark.edited",
        "mark.removed",
        "absence.set",
        "absence.removed",
        "lesson.topic",
        "lesson.changed",
        "homework.set",
        "period_mark.set",
        "message.new",
        "announcement.new",
        "event.new",
    ):
        assert group_of(kind), kind
    assert group_of("homework.done") == "homework"
    assert group_of("unknown.thing") == ""


# --- what's new and settings ---------------------------------------------------------------------


def options_text(app: DiaryApp, selector: str) -> str:
    from textual.widgets import OptionList

    option_list = app.screen.query_one(selector, OptionList)
    return "\n".join(str(getattr(o.prompt, "plain", o.prompt)) for o in option_list.options)


def title_text(app: DiaryApp, selector: str) -> str:
    from textual.widgets import Static

    visual = app.screen.query_one(selector, Static).visual
    return str(getattr(visual, "plain", visual))


async def parent_presses(
    pilot: Pilot[Any], diary: DiaryApp, demo: Any, key: str, screen_type: type[Any]
) -> None:
    """Log the parent in, wait for the week, press ``key`` and wait for ``screen_type``."""
    await log_in(pilot, "parent", demo.password)
    await wait_for(pilot, lambda: week_shown(diary))
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(diary.screen, screen_type))


async def test_whats_new_lists_changes_since_the_last_visit(app: Litestar, demo: Any) -> None:
    from screens.whatsnew import WhatsNewScreen
    from tests.demo_server.test_changes import add_change

    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await parent_presses(pilot, diary, demo, "u", WhatsNewScreen)
        await wait_for(pilot, lambda: "Nothing new" in title_text(diary, "#whatsnew-title"))

        pupil = {"pupil_id": demo.ids["pupil"], "class_id": demo.ids["c5a"]}
        edit = {"subject": "Математика", "old": {"value": 4}, "new": {"value": 5}, "value": 5}
        await add_change(app, demo, "mark.edited", payload=edit, **pupil)
        await add_change(
            app, demo, "mark.removed", payload={"subject": "История", "value": 2}, **pupil
        )
        await add_change(app, demo, "announcement.new", payload={"title": "Собрание [red]"})
        await add_change(
            app, demo, "mark.added", payload={"value": 3}, pupil_id=demo.ids["stranger"]
        )
        await pilot.press("f5")
        await wait_for(pilot, lambda: "3 changes" in title_text(diary, "#whatsnew-title"))
        text = options_text(diary, "#whatsnew-list")
        assert "Миша Соколов" in text and "School" in text
        assert "✎ Mark in Математика changed: 4 → 5 (by Анна Смирнова)" in text
        assert "− Mark 2 in История was removed (by Анна Смирнова)" in text
        assert "Announcement: Собрание [red]" in text  # plain text, not markup
        assert text.index("Миша Соколов") < text.index("School")
        # Seen now: the next look has nothing new, and keeps the list.
        await pilot.press("f5")
        await wait_for(pilot, lambda: "Nothing new" in title_text(diary, "#whatsnew-title"))
        assert "4 → 5" in options_text(diary, "#whatsnew-list")


async def test_settings_are_validated_and_written_back(app: Litestar, demo: Any) -> None:
    from textual.widgets import Input, SelectionList

    from diary_tui.config import config_path, load_config
    from screens.settings import SettingsScreen

    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '# my settings\ntheme = "nord"\n[notifications]\nchat = false\n', encoding="utf-8"
    )
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await parent_presses(pilot, diary, demo, "p", SettingsScreen)
        await pilot.pause(0.2)
        await pilot.press("space")  # marks: off
        screen = diary.screen
        # A parent never gets the class chat's changes: its line is not offered, and its
        # setting (from the pupil's use of this computer, say) is kept as it is.
        listed = screen.query_one(SelectionList)
        kinds = [str(listed.get_option_at_index(i).value) for i in range(listed.option_count)]
        assert "chat" not in kinds and "events" in kinds
        screen.query_one("#quiet-from", Input).value = "25:00"
        screen.query_one("#quiet-to", Input).value = "07:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Not saved" in title_text(diary, "#settings-note"))
        note = title_text(diary, "#settings-note")
        assert "“Quiet from”" in note and "quiet_from" not in note  # the label, not the key
        screen.query_one("#quiet-from", Input).value = "22:00"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Saved" in title_text(diary, "#settings-note"))
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# my settings") and 'theme = "nord"' in text
    prefs = load_config(path).notifications
    assert (prefs.marks, prefs.messages, prefs.quiet_from, prefs.quiet_to) == (
        False,
        True,
        "22:00",
        "07:00",
    )
    assert prefs.chat is False
    assert diary.notifications == prefs
