"""The statistics, audit and medical screens against the real server in-process."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from textual.widgets import DataTable, Input, OptionList, Select, Sparkline, Static

from api_client.models import API_PREFIX, AuditPage, SchoolStats, decode
from screens.audit import AuditScreen
from screens.dialogs.detail import DetailScreen
from screens.medical import IllnessForm, MedicalScreen
from screens.stats import StatsScreen
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.diary_tui.harness import log_in, make_app, signed_in, wait_for


def password_of(demo: Any, login: str) -> str:
    return str(next(a.password for a in demo.featured if a.login == login))


def cell(table: DataTable[Any], row: int, column: int) -> str:
    value = table.get_row_at(row)[column]
    return str(getattr(value, "plain", value))


def text_of(widget: Static) -> str:
    return str(widget.visual)


def idle(screen: Any) -> bool:
    return not any(w.is_running for w in screen.workers)


@sqlite_only
async def test_stats_is_the_administrations_home(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "admin")
    stats = decode(
        (await http.get(f"{API_PREFIX}/stats/school", headers=headers)).content, SchoolStats
    )
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "admin", password_of(demo, "admin"))
        await wait_for(
            pilot, lambda: isinstance(diary.screen, StatsScreen) and diary.screen.school is not None
        )
        screen = diary.screen
        assert isinstance(screen, StatsScreen)
        await wait_for(pilot, lambda: idle(screen))
        title = text_of(screen.query_one("#stats-title", Static))
        assert f"avg {stats.average:.2f}" in title and f"{stats.pupils} pupils" in title
        chart = text_of(screen.query_one("#stats-chart", Static))
        for count in stats.distribution:
            assert f" {count} " in chart
        assert list(screen.query_one(Sparkline).data or []) == [
            w.average for w in stats.weeks if w.average is not None
        ]
        await pilot.press("t")  # the classes, ranked
        table = screen.query_one(DataTable)
        assert table.row_count == len(stats.classes)
        assert [cell(table, n, 1) for n in range(table.row_count)] == [
            c.class_.name for c in stats.classes
        ]
        assert cell(table, 0, 0) == "1" and cell(table, 0, 3) == f"{stats.classes[0].average:.2f}"
        # Enter opens the class; Escape comes back to the school.
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.one_class is not None and idle(screen))
        assert screen.one_class is not None
        assert screen.one_class.summary.class_.id == stats.classes[0].class_.id
        assert "rank 1 of" in text_of(screen.query_one("#stats-title", Static))
        await pilot.press("escape")
        await wait_for(pilot, lambda: screen.class_id is None and idle(screen))
        await pilot.press("t", "t")  # subjects, then at risk
        table = screen.query_one(DataTable)
        assert table.row_count == len(stats.at_risk)
        # The previous period.
        await pilot.press("[")
        await wait_for(
            pilot,
            lambda: (
                screen.school is not None
                and screen.school.period.id == stats.periods[0].id
                and idle(screen)
            ),
        )


@sqlite_only
async def test_authority_sees_figures_without_pupils(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "authority", password_of(demo, "authority"))
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, StatsScreen) and diary.screen.anonymous is not None,
        )
        screen = diary.screen
        assert isinstance(screen, StatsScreen) and screen.anonymous is not None
        await pilot.press("t")
        table = screen.query_one(DataTable)
        assert table.row_count == len(screen.anonymous.classes)
        await pilot.press("t")
        assert screen.view == "overview"  # two views only: no subjects, nobody at risk


@sqlite_only
async def test_audit_screen_filters(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "it")

    async def page(**params: Any) -> AuditPage:
        answer = await http.get(f"{API_PREFIX}/audit", params=params, headers=headers)
        return decode(answer.content, AuditPage)

    # The screen opens on the corrections and removals; every entry's record is one choice away.
    changes = await page(action="update,remove", limit=100)
    mine = await page(action="update,remove", limit=100, pupil="pupil")
    everything = await page(limit=200)
    assert changes.next_before is None and mine.entries and everything.next_before is not None
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "it", password_of(demo, "it"))
        await wait_for(pilot, lambda: signed_in(diary))
        if not isinstance(diary.screen, AuditScreen):  # IT staff's home is the users screen
            await wait_for(pilot, lambda: idle(diary.screen))
            diary.go("audit")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, AuditScreen)
                and len(diary.screen.entries) == len(changes.entries)
            ),
        )
        screen = diary.screen
        assert isinstance(screen, AuditScreen)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == len(changes.entries) and idle(screen))
        assert [e.id for e in screen.entries] == [e.id for e in changes.entries]
        title = screen.query_one("#audit-title", Static)
        assert f"{len(changes.entries)} records, newest first" in text_of(title)
        screen.query_one("#audit-action", Select).value = ""
        await wait_for(pilot, lambda: len(screen.entries) == 100 and idle(screen))
        assert [e.id for e in screen.entries] == [e.id for e in everything.entries[:100]]
        assert "100+ records: the newest 100 shown" in text_of(title)
        await pilot.press("n")
        await wait_for(pilot, lambda: len(screen.entries) == 200 and idle(screen))
        assert [e.id for e in screen.entries] == [e.id for e in everything.entries]
        screen.query_one("#audit-action", Select).value = "update,remove"
        await wait_for(pilot, lambda: len(screen.entries) == len(changes.entries) and idle(screen))
        await pilot.press("f", *"pupil", "enter")
        await wait_for(pilot, lambda: table.row_count == len(mine.entries) and idle(screen))
        assert [e.id for e in screen.entries] == [e.id for e in mine.entries]
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, DetailScreen) and diary.screen.name == "audit-detail",
        )
        # The whole record in plain words: what the mark was and became, never stored JSON.
        shown = text_of(diary.screen.query_one("#audit-detail-text", Static))
        assert "Before:" in shown and "After:" in shown and "mark " in shown
        assert not any(sign in shown for sign in ("{", "}", '"', "lesson_id", "version"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)
        # The columns fit the screen at any width, and are laid out again when it changes.
        for width in (80, 132):
            await pilot.resize_terminal(width, 24)
            await wait_for(pilot, lambda: idle(screen))
            await pilot.pause()
            used = sum(c.get_render_width(table) for c in table.columns.values())
            assert used <= width, (width, used)
        screen.query_one("#audit-pupil", Input).value = ""
        screen.query_one("#audit-from", Input).value = "yesterday"
        screen.query_one("#audit-from", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: idle(screen))
        await pilot.pause()
        assert any("2026" in str(n.message) for n in diary._notifications)


@sqlite_only
async def test_medical_screen_finds_and_records(app: Litestar, demo: Any) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "nurse", password_of(demo, "nurse"))
        await wait_for(pilot, lambda: isinstance(diary.screen, MedicalScreen))
        screen = diary.screen
        assert isinstance(screen, MedicalScreen)
        await pilot.pause()
        await pilot.press(*"а", "enter")
        found = screen.query_one("#medical-found", OptionList)
        await wait_for(pilot, lambda: bool(screen.found) and idle(screen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.pupil is not None and idle(screen))
        assert screen.pupil is not None and screen.pupil.id == screen.found[0].id
        assert found.option_count >= 1
        before = screen.query_one(DataTable).row_count
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, IllnessForm))
        form = diary.screen
        form.query_one("#illness-start", Input).value = "2026-11-24"
        form.query_one("#illness-end", Input).value = "2026-11-24"
        form.query_one("#illness-note", Input).focus()
        await pilot.press(*"flu", "enter")
        await wait_for(pilot, lambda: diary.screen is screen)
        await wait_for(
            pilot, lambda: screen.query_one(DataTable).row_count > before and idle(screen)
        )
        assert "flu" in cell(screen.query_one(DataTable), 0, 3)


async def test_medical_screen_esc_leaves_the_search_box_for_the_screen_keys(
    app: Litestar, demo: Any
) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "nurse", password_of(demo, "nurse"))
        # The screen and its search box (the screen is current a moment before it is composed).
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, MedicalScreen)
                and bool(diary.screen.query("#medical-search"))
            ),
        )
        screen = diary.screen
        search = screen.query_one("#medical-search", Input)
        await pilot.pause()
        assert search.has_focus  # the nurse types a name at once
        await pilot.press("escape")
        assert not search.has_focus
        await pilot.press("p")  # a screen key, no longer a letter in the box
        await wait_for(pilot, lambda: diary.screen is not screen)
        assert search.value == ""


@sqlite_only
async def test_statistics_never_loaded_here_say_so_offline(app: Litestar, demo: Any) -> None:
    """The server cannot be reached for the statistics, which were never loaded on this
    computer: the screen says what it lacks instead of "Loading…" forever."""

    class NoStats(httpx.AsyncBaseTransport):
        def __init__(self) -> None:
            self.target = asgi_transport(app)

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if "/stats/" in request.url.path:
                raise httpx.ConnectError("connection refused", request=request)
            return await self.target.handle_async_request(request)

    diary = make_app(app, transport=NoStats(), login="admin")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "admin", password_of(demo, "admin"))
        await wait_for(pilot, lambda: isinstance(diary.screen, StatsScreen))
        screen = diary.screen
        assert isinstance(screen, StatsScreen)
        title = screen.query_one("#stats-title", Static)
        await wait_for(pilot, lambda: "never loaded on this computer" in text_of(title))
        assert screen.school is None and "Loading" not in text_of(title)
