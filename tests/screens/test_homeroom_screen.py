"""The class teacher's class (``k``): the attendance of the class by pupil and day, the
parents with their contacts, one message to the parents; at 80x24, on the frozen day."""

from __future__ import annotations

from typing import Any, cast

from litestar import Litestar
from sqlalchemy import update
from textual.widgets import DataTable, Input, Static, TextArea
from textual.widgets._footer import FooterKey

from api_client.models import AbsenceKind, AbsenceSet, UserUpdate
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import SchoolClass
from diary_tui.app import DiaryApp
from screens.dialogs.detail import DetailScreen
from screens.dialogs.pick import Pick
from screens.homeroom import ClassMessageScreen, ClassScreen, cell_text, totals_text
from tests.conftest import asgi_transport
from tests.diary_tui.harness import log_in, wait_for
from tests.screens.test_attendance_class_teacher import make, signed_in
from tests.screens.test_attendance_class_teacher import text as text_of


def grid_loaded(app: DiaryApp) -> bool:
    screen = app.screen
    return (
        isinstance(screen, ClassScreen)
        and screen.attendance is not None
        and not screen.workers
        and screen.query_one("#homeroom-grid", DataTable).row_count > 0
    )


def row_texts(table: DataTable[Any], row: int) -> list[str]:
    return [str(getattr(cell, "plain", cell)) for cell in table.get_row_at(row)]


async def test_the_class_s_attendance_by_day_at_80x24(app: Litestar, demo: Any) -> None:
    transport = asgi_transport(app)
    ids = demo.ids
    async with signed_in(transport, "classteacher", demo.password) as lead:
        await lead.set_absence(
            ids["mon1"], ids["pupil"], AbsenceSet(kind=AbsenceKind.ILLNESS), "absence-screen-1"
        )
    diary = make(transport, "classteacher", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("k")
        await wait_for(pilot, lambda: grid_loaded(diary))
        screen = diary.screen
        assert isinstance(screen, ClassScreen)
        grid = screen.query_one("#homeroom-grid", DataTable)
        keys = [column.key.value for column in grid.ordered_columns]
        assert keys[:2] == ["pupil", "total"]
        assert "2026-11-23" in keys and "2026-11-24" not in keys  # Tuesday's lesson cancelled
        monday = keys.index("2026-11-23")
        rows = {row_texts(grid, n)[0]: row_texts(grid, n) for n in range(grid.row_count)}
        sokolov = rows["Соколов Миша"]
        # Monday: one lesson missed through illness, and late to another.
        assert sokolov[monday] == "1IL"
        assert sokolov[1].startswith("1 (I 1)") and "1 day" in sokolov[1]
        assert rows["Total"][monday] == "1"
        # The cursor starts on the first day; End goes to the last, Home back.
        assert grid.cursor_coordinate.column == 2
        await pilot.press("end")
        assert grid.cursor_coordinate.column == len(keys) - 1
        await pilot.press("home")
        assert grid.cursor_coordinate.column == 2
        # Enter on Monday of the pupil: the day's lessons and reasons.
        row = next(n for n in range(grid.row_count) if row_texts(grid, n)[0] == "Соколов Миша")
        grid.move_cursor(row=row, column=monday)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, DetailScreen))
        said = text_of(diary.screen.query_one("#homeroom-day-text", Static))
        assert "Lesson 1, Математика: illness" in said
        assert "Lesson 2, Русский язык: late, 10 min" in said
        await pilot.press("escape")
        # The period switches with ] (the whole year after the last period).
        before = screen.attendance
        assert before is not None
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.attendance is not before and not screen.workers)
        assert screen.period is not None


def test_cells_and_totals_in_words() -> None:
    from api_client.models import AttendanceTotals

    both = AttendanceTotals(missed=2, illness=1, unexcused=1, late=1)
    assert cell_text(both, [AbsenceKind.ILLNESS, AbsenceKind.UNEXCUSED, AbsenceKind.LATE]) == (
        "2*L"
    )
    assert cell_text(AttendanceTotals(late=1), [AbsenceKind.LATE]) == "L"
    assert totals_text(both, 2) == "2 (I 1, A 1) · 2 days · L 1"


async def test_parents_and_their_contacts_then_one_message(app: Litestar, demo: Any) -> None:
    transport = asgi_transport(app)
    ids = demo.ids
    async with signed_in(transport, "it", demo.password) as it:
        account = await it.user(ids["parent"])
        await it.update_user(
            ids["parent"],
            UserUpdate(version=account.version, phone="+7 912 345-67-89", email="irina@mail.ru"),
        )
    diary = make(transport, "classteacher", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("k")
        await wait_for(pilot, lambda: grid_loaded(diary))
        screen = diary.screen
        assert isinstance(screen, ClassScreen)
        await pilot.press("v")
        table = screen.query_one("#homeroom-parents", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2 and not screen.workers)
        rows = [row_texts(table, n) for n in range(table.row_count)]
        assert ["Соколов Миша", "Соколова Ирина", "+7 912 345-67-89", "irina@mail.ru"] in rows
        assert rows[0][0] == "Новиков Дима" and rows[0][1] == "no parent linked"
        # n: one message to the parents; an empty text is refused and the form stays.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ClassMessageScreen))
        form = cast(ClassMessageScreen, diary.screen)
        assert form.chosen() == [ids["parent"]]
        form.query_one("#class-message-subject", Input).value = "Собрание"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.sending and not form.workers)
        assert diary.screen is form
        assert "empty" in text_of(form.query_one("#class-message-problem", Static))
        # The server refuses (the parent was unlinked meanwhile): the text stays.
        async with signed_in(transport, "it", demo.password) as it:
            await it.set_parent_link(ids["parent"], ids["pupil"], False)
        form.query_one("#class-message-body", TextArea).text = "Собрание в четверг."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: not form.sending and not form.workers)
        assert diary.screen is form
        assert "no parents" in text_of(form.query_one("#class-message-problem", Static))
        assert form.query_one("#class-message-body", TextArea).text == "Собрание в четверг."
        async with signed_in(transport, "it", demo.password) as it:
            await it.set_parent_link(ids["parent"], ids["pupil"], True)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: diary.screen is screen)
    async with signed_in(transport, "parent", demo.password) as parent:
        threads = await parent.threads()
        ours = [t for t in threads.threads if t.subject == "Собрание"]
        assert len(ours) == 1
        assert [p.id for p in ours[0].participants] == [ids["classteacher"]]


def picker_open(app: DiaryApp) -> bool:
    return isinstance(app.screen, Pick) and not app.screen.workers


async def choose(pilot: Any, app: DiaryApp, typed: str) -> Pick:
    """Type ``typed`` into the class picker and press Enter."""
    picker = cast(Pick, app.screen)
    await pilot.press(*typed)
    await pilot.press("enter")
    return picker


async def test_the_administration_chooses_any_class_in_a_picker(app: Litestar, demo: Any) -> None:
    """The administration opens My class for any class: a picker of the school's classes that
    narrows as one types (a Latin a for the Cyrillic А too); c chooses another; the footer
    shows the key."""
    transport = asgi_transport(app)
    diary = make(transport, "admin")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "admin", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") not in ("", "login"))
        await pilot.press("k")
        print(
            "DEBUG",
            diary.screen,
            [text_of(s) for s in diary.screen.query(Static)][:4],
            [n.message for n in diary._notifications],
        )
        await wait_for(pilot, lambda: picker_open(diary))
        picker = diary.screen
        assert isinstance(picker, Pick)
        assert picker.choices == ["5А", "6Б", "7В"]
        await choose(pilot, diary, "6б")
        await wait_for(pilot, lambda: grid_loaded(diary))
        screen = diary.screen
        assert isinstance(screen, ClassScreen)
        assert screen.attendance is not None and screen.attendance.class_.name == "6Б"
        assert "6Б" in text_of(screen.query_one("#homeroom-title", Static))
        assert "c" in screen.active_bindings
        await pilot.press("c")
        await wait_for(pilot, lambda: picker_open(diary))
        await choose(pilot, diary, "5a")
        await wait_for(
            pilot,
            lambda: (
                grid_loaded(diary)
                and screen.attendance is not None
                and screen.attendance.class_.name == "5А"
            ),
        )
        await pilot.press("v")
        table = screen.query_one("#homeroom-parents", DataTable)
        await wait_for(pilot, lambda: table.row_count == 2 and not screen.workers)
        assert "5А" in text_of(screen.query_one("#homeroom-title", Static))


async def test_a_class_teacher_of_two_classes_chooses_one_of_them(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db, db.begin():
            await db.execute(
                update(SchoolClass)
                .where(SchoolClass.id == demo.ids["c7v"])
                .values(homeroom_teacher_id=demo.ids["classteacher"])
            )
    finally:
        await engine.dispose()
    diary = make(asgi_transport(app), "classteacher", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("k")
        await wait_for(pilot, lambda: picker_open(diary))
        picker = diary.screen
        assert isinstance(picker, Pick) and picker.choices == ["5А", "7В"]
        await choose(pilot, diary, "7")
        await wait_for(pilot, lambda: grid_loaded(diary))
        screen = diary.screen
        assert isinstance(screen, ClassScreen)
        assert screen.attendance is not None and screen.attendance.class_.name == "7В"


async def test_a_class_teacher_of_one_class_goes_straight_to_it(app: Litestar, demo: Any) -> None:
    diary = make(asgi_transport(app), "classteacher", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("k")
        await wait_for(pilot, lambda: grid_loaded(diary))
        screen = diary.screen
        assert isinstance(screen, ClassScreen)
        assert "c" not in screen.active_bindings
        # At 80 columns the footer keeps the writing and the view (the period's keys, cut
        # first, are said in the summary line), and the parents' table fits the width.
        footer = [k.key for k in screen.query(FooterKey).results() if k.display]
        assert "n" in footer and "v" in footer, footer
        await pilot.press("v")
        table = screen.query_one("#homeroom-parents", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0 and not screen.workers)
        widths = sum(c.get_render_width(table) for c in table.columns.values())
        assert widths <= 80 - 2, "the parents and their contacts fit without scrolling sideways"


async def test_the_status_line_sits_above_the_footer_at_100x30(app: Litestar, demo: Any) -> None:
    """The table in view takes the free height: the status line is the row above the footer,
    as on the other screens, not right under the table with empty rows below it."""
    from diary_tui.widgets import StatusLine

    diary = make(asgi_transport(app), "classteacher", open_screen="news")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("k")
        await wait_for(pilot, lambda: grid_loaded(diary))
        screen = diary.screen
        await pilot.pause()
        status = screen.query_one(StatusLine)
        assert status.region.y == screen.size.height - 2, status.region
        await pilot.press("v")
        table = screen.query_one("#homeroom-parents", DataTable)
        await wait_for(pilot, lambda: table.row_count > 0 and not screen.workers)
        await pilot.pause()
        assert status.region.y == screen.size.height - 2, status.region


def test_a_long_parent_name_is_cut_to_the_surname_and_initials() -> None:
    from screens.homeroom import short_name

    assert short_name("Волков Игорь Ярославович", 30) == "Волков Игорь Ярославович"
    assert short_name("Волков Игорь Ярославович", 16) == "Волков И. Я."
