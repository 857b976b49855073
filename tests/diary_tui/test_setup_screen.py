"""The set-up screen (IT staff): a subject, a room, a year and a class made with keys; a refusal
keeps the form open with what was typed and says why; retiring asks first; an import runs a
dry run before anything is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Litestar
from textual.widgets import DataTable, Input, OptionList, Static

from diary_tui.app import DiaryApp
from screens.dialogs.ask import AskText
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from screens.setup import SetupScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import dispose, log_in, make_app, settled, signed_in, wait_for


def idle(screen: Any) -> bool:
    return not screen.workers


def cells(screen: SetupScreen) -> list[str]:
    table = screen.query_one(DataTable)
    return [
        str(getattr(c, "plain", c)) for row in range(table.row_count) for c in table.get_row_at(row)
    ]


async def open_setup(pilot: Any, diary: DiaryApp, demo: Any) -> SetupScreen:
    await log_in(pilot, "it", demo.password)
    # Logged in and home (the accounts screen) before going on: the set-up screen's first
    # load needs the session.
    await wait_for(pilot, lambda: signed_in(diary) and settled(diary.screen))
    diary.go("setup")
    await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen))
    screen = diary.screen
    assert isinstance(screen, SetupScreen)
    await wait_for(pilot, lambda: idle(screen) and bool(screen.rows))
    return screen


async def section(pilot: Any, screen: SetupScreen, name: str) -> None:
    options = screen.query_one("#setup-sections", OptionList)
    options.focus()
    index = next(
        n for n in range(options.option_count) if options.get_option_at_index(n).id == name
    )
    options.highlighted = index
    await wait_for(pilot, lambda: screen.section == name and idle(screen))
    screen.query_one(DataTable).focus()


async def fill(pilot: Any, diary: DiaryApp, values: dict[str, str]) -> FormScreen:
    await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
    form = diary.screen
    assert isinstance(form, FormScreen)
    for name, value in values.items():
        box = form.query_one(f"#form-{name}", Input)
        box.value = ""
        box.focus()
        await pilot.press(*value)
    await pilot.press("ctrl+s")
    return form


@sqlite_only
async def test_it_staff_set_up_subjects_rooms_years_and_classes(
    app: Litestar, demo: Any, tmp_path: Path
) -> None:
    diary = make_app(app, login="it")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, diary, demo)
        # A subject: n, the name, Ctrl+S; the table shows it.
        await section(pilot, screen, "subjects")
        await pilot.press("n")
        await fill(pilot, diary, {"name": "Астрономия"})
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "Астрономия" in cells(screen))
        # The same name again is refused in the form, which keeps what was typed.
        await pilot.press("n")
        form = await fill(pilot, diary, {"name": "астрономия"})
        problem = form.query_one("#form-problem", Static)
        await wait_for(
            pilot,
            lambda: (
                "астрономия".casefold() in str(problem.visual).casefold()
                or "already" in str(problem.visual)
            ),
        )
        assert isinstance(diary.screen, FormScreen)
        assert form.query_one("#form-name", Input).value == "астрономия"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen))
        # Retiring asks first.
        table = screen.query_one(DataTable)
        row = next(
            n for n, r in enumerate(screen.rows) if getattr(r.thing, "name", "") == "Астрономия"
        )
        table.move_cursor(row=row)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                idle(screen)
                and any(
                    getattr(r.thing, "name", "") == "Астрономия" and r.thing.retired
                    for r in screen.rows
                )
            ),
        )

        # A room; a bad seat count is said before anything is sent.
        await section(pilot, screen, "rooms")
        await pilot.press("n")
        form = await fill(pilot, diary, {"name": "305", "capacity": "many"})
        await wait_for(
            pilot, lambda: "whole number" in str(form.query_one("#form-problem", Static).visual)
        )
        form.query_one("#form-capacity", Input).value = "28"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "305" in cells(screen))

        # A class of the chosen year, with its class teacher by login.
        await section(pilot, screen, "classes")
        await pilot.press("n")
        await fill(pilot, diary, {"grade": "9", "letter": "я", "teacher": "teacher"})
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
        await wait_for(pilot, lambda: "9Я" in cells(screen))

        # An import is a dry run first: nothing is written before the yes.
        subjects = tmp_path / "subjects.csv"
        subjects.write_text("название\nИнформатика\nЧерчение\n", encoding="utf-8")
        await section(pilot, screen, "import")
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, AskText))
        box = diary.screen.query_one(Input)
        box.value = str(subjects)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert "Черчение" not in cells(screen)
        await pilot.press("y")
        await section(pilot, screen, "subjects")
        await wait_for(pilot, lambda: "Черчение" in cells(screen))
    await dispose(app)


@sqlite_only
async def test_a_oneroster_set_is_imported_from_the_set_up_screen(
    db_url: str, tmp_path: Path
) -> None:
    """An empty school's IT staff choose OneRoster in Import files, give the folder a school
    information system exported: a refused set shows the report naming file, line and column
    and writes nothing; a good one shows the dry run and is imported only after the yes."""
    import httpx
    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from demo_server import schema as s
    from demo_server.app import create_app
    from demo_server.db import make_engine
    from demo_server.migrate import upgrade_engine
    from demo_server.schema import utcnow
    from demo_server.settings import ServerSettings
    from demo_server.setup_school import init_school
    from screens.dialogs.detail import DetailScreen
    from tests.conftest import BASE_URL, asgi_transport
    from tests.demo_server.test_oneroster import FILES, TODAY
    from tests.demo_server.test_setup import NEW_PASSWORD, _it_account

    engine = make_engine(db_url)
    await upgrade_engine(engine)
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        made = await init_school(
            db, name="Школа № 7", timezone="Europe/Moscow", language="ru", now=utcnow()
        )
        await db.commit()

    async def pupils() -> int:
        async with engine.connect() as conn:
            found = await conn.scalar(
                select(func.count()).select_from(s.User).where(s.User.role == "pupil")
            )
        return int(found or 0)

    def export(name: str, files: dict[str, str]) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        for file, text in files.items():
            (folder / f"{file}.csv").write_text(text, encoding="utf-8-sig")
        return folder

    broken = dict(FILES)
    broken["enrollments"] += "e21,active,,hr-5a,org-7,p99,student,false,2026-09-01,\n"
    bad, good = export("bad", broken), export("good", FILES)

    server = create_app(db_url, settings=ServerSettings(today=lambda: TODAY))
    async with httpx.AsyncClient(transport=asgi_transport(server), base_url=BASE_URL) as http:
        await _it_account(http, made.login, made.password)
    diary = make_app(server, login=made.login)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, made.login, NEW_PASSWORD)
        await wait_for(pilot, lambda: signed_in(diary) and settled(diary.screen))
        diary.go("setup")
        await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen))
        screen = diary.screen
        assert isinstance(screen, SetupScreen)
        await wait_for(pilot, lambda: idle(screen) and bool(screen.rows))
        await section(pilot, screen, "import")
        assert "OneRoster (.zip)" in cells(screen)
        table = screen.query_one(DataTable)

        async def choose(folder: Path) -> None:
            table.focus()
            table.move_cursor(row=table.row_count - 1)
            await pilot.press("i")
            await wait_for(pilot, lambda: isinstance(diary.screen, AskText))
            ask = diary.screen
            assert isinstance(ask, AskText) and "OneRoster" in str(ask.question)
            ask.query_one(Input).value = str(folder)
            await pilot.press("enter")

        # A set with a pupil nobody lists: the report names the file, the line and the column.
        await choose(bad)
        await wait_for(pilot, lambda: isinstance(diary.screen, DetailScreen))
        report = str(diary.screen.query_one("#setup-report-text", Static).visual)
        assert "enrollments.csv, line 22, column userSourcedId" in report, report
        assert "p99" in report
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)
        assert await pupils() == 0

        # The exported folder: a dry run first, nothing written before the yes.
        await choose(good)
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert await pupils() == 0
        await pilot.press("y")
        await wait_for(pilot, lambda: diary.screen is screen and idle(screen))
        for _tick in range(100):
            if await pupils() == 5:
                break
            await pilot.pause(0.05)
        assert await pupils() == 5
    await dispose(server)
    await engine.dispose()


async def rename(pilot: Any, diary: DiaryApp, screen: SetupScreen, renamed: str) -> None:
    """e on the row under the cursor: a day that cannot be read is said in the form, which
    keeps what was typed; the first day as it was saves the new name."""
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
    form = diary.screen
    assert isinstance(form, FormScreen)
    start = form.query_one("#form-start", Input).value
    assert start[:2] == "20"  # filled with the first day, as ISO
    await fill(pilot, diary, {"name": renamed, "start": "тридцатое"})
    problem = form.query_one("#form-problem", Static)
    await wait_for(pilot, lambda: bool(str(problem.visual).strip()))
    assert isinstance(diary.screen, FormScreen)
    assert form.query_one("#form-name", Input).value == renamed
    await fill(pilot, diary, {"start": start})
    await wait_for(pilot, lambda: isinstance(diary.screen, SetupScreen) and idle(screen))
    await wait_for(pilot, lambda: renamed in cells(screen))


@sqlite_only
async def test_a_year_and_a_period_are_renamed_and_moved_with_one_form(
    app: Litestar, demo: Any
) -> None:
    """e on a year or a period opens the same form (name, first and last day) filled with it;
    a refusal keeps the form, a good one is saved and the table shows it."""
    diary = make_app(app, login="it")
    async with diary.run_test(size=(100, 30)) as pilot:
        screen = await open_setup(pilot, diary, demo)
        await section(pilot, screen, "years")
        await rename(pilot, diary, screen, "Учебный год А")
        await section(pilot, screen, "periods")
        await rename(pilot, diary, screen, "Четверть А")
    await dispose(app)
