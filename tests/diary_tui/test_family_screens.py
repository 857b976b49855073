"""A parent of two children never sees one child's data on the other child's screen.

Every family screen (each destination of ``diary_tui.navigation`` that the app registers) is
opened for the first child while the server's answers about that child are held back; the
parent switches to the second child at once; the late answer about the first child then
arrives. The screen must show the second child only: its data, its name, nothing of the first.
"""

from __future__ import annotations

import asyncio
import re
from functools import partial
from typing import Any

import httpx
from litestar import Litestar
from textual.widgets import DataTable, OptionList, Static

from api_client.models import API_PREFIX, Me, Role, decode
from diary_tui.app import SCREEN_CLASSES
from diary_tui.navigation import DESTINATIONS
from screens.base import DiaryScreen
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import log_in, make_app, signed_in, wait_for


class DelayingTransport(httpx.AsyncBaseTransport):
    """The in-process server, with answers about one pupil held back while ``armed``."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delay: float = 1.5) -> None:
        self.inner = inner
        self.delay = delay
        self.pupil_id: int | None = None
        self.pending = 0
        self.held = 0
        """Requests about the pupil that were held back (answered late, or cancelled by the
        app when it no longer wanted them: both must leave the screen alone)."""

    def about(self, url: httpx.URL) -> bool:
        if self.pupil_id is None:
            return False
        text = str(url)
        return (
            re.search(rf"/pupils/{self.pupil_id}(/|$|\?)", text) is not None
            or re.search(rf"pupil_id={self.pupil_id}(&|$)", text) is not None
            or url.path.endswith("/threads")  # the thread list, painted per child
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.about(request.url):
            self.pending += 1
            self.held += 1
            try:
                await asyncio.sleep(self.delay)
                return await self.inner.handle_async_request(request)
            finally:
                self.pending -= 1
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def visible_text(screen: Any) -> str:
    """Every line of text the screen shows: statics, list options and table cells."""
    parts: list[str] = []
    for static in screen.query(Static):
        visual = static.visual
        parts.append(str(getattr(visual, "plain", visual)))
    for option_list in screen.query(OptionList):
        for option in option_list.options:
            parts.append(str(getattr(option.prompt, "plain", option.prompt)))
    for table in screen.query(DataTable):
        for row in range(table.row_count):
            for value in table.get_row_at(row):
                parts.append(str(getattr(value, "plain", value)))
    return "\n".join(parts)


def shown_pupil(screen: Any) -> int | None:
    """Whose data the screen holds, when it says (week: the week's pupil)."""
    week = getattr(screen, "week", None)
    if week is not None and hasattr(week, "pupil"):
        return int(week.pupil.id)
    value = getattr(screen, "shown_pupil", None)
    return int(value) if value is not None else None


def on_screen(diary: Any, name: str) -> bool:
    return isinstance(diary.screen, DiaryScreen) and name == diary.screen.NAME


def settled(screen: Any) -> bool:
    return not any(worker.is_running for worker in screen.workers)


def arrived(diary: Any, name: str) -> bool:
    return on_screen(diary, name) and settled(diary.screen)


@sqlite_only
async def test_late_answers_about_the_first_child_never_paint_over_the_second(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "parent")
    me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
    first, second = me.children[0], me.children[1]
    assert first.first_name != second.first_name
    markers = [first.full_name, f"about {first.first_name}", f"for {first.first_name}"]
    family = [d.name for d in DESTINATIONS if d.name in SCREEN_CLASSES and Role.PARENT in d.roles]
    assert {"week", "messages", "news"} <= set(family)
    transport = DelayingTransport(httpx.ASGITransport(app=app))  # type: ignore[arg-type]
    password = next(a.password for a in demo.featured if a.login == "parent")
    diary = make_app(app, transport=transport)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password)
        await wait_for(pilot, lambda: signed_in(diary) and diary.data.child is not None)
        checked: list[str] = []
        held: list[str] = []
        for name in family:
            assert diary.data.child is not None
            if diary.data.child.id != first.id:
                await pilot.press("c")
            await wait_for(
                pilot, lambda: diary.data.child is not None and diary.data.child.id == first.id
            )
            if isinstance(diary.screen, DiaryScreen) and name == diary.screen.NAME:
                other = next(n for n in family if n != name)
                diary.go(other)
                await wait_for(
                    pilot,
                    partial(arrived, diary, other),
                )
            transport.pupil_id = first.id
            before = transport.held
            diary.go(name)
            await wait_for(
                pilot,
                partial(on_screen, diary, name),
            )
            await pilot.pause()
            await pilot.press("c")  # at once: the first child's answer is still on its way
            await wait_for(pilot, lambda: diary.data.child is not None)
            assert diary.data.child is not None and diary.data.child.id == second.id
            # Let the held answers about the first child arrive, then settle.
            await wait_for(pilot, lambda: transport.pending == 0, seconds=30)
            await wait_for(pilot, lambda: settled(diary.screen), seconds=30)
            await pilot.pause(0.3)
            screen = diary.screen
            if transport.held > before:
                held.append(name)
            text = visible_text(screen)
            for marker in markers:
                assert marker not in text, (name, marker, text)
            assert second.first_name in text, (name, text)
            whose = shown_pupil(screen)
            assert whose in (None, second.id), (name, whose)
            transport.pupil_id = None
            checked.append(name)
    assert checked == family
    # The screens that ask for one child's data did ask while the first child was shown.
    assert {"week", "messages", "news"} <= set(held), held
