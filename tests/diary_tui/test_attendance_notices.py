"""A parent reads back, withdraws and is kept from duplicating absence notices; the form
stays open with everything typed when the server refuses; the class teacher sees withdrawn
notices as withdrawn."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import func, select
from textual.widgets import DataTable, Input, Static

from api_client.models import API_PREFIX, AbsenceNotice, AbsenceNotices, decode
from demo_server import schema as s
from screens.attendance import AttendanceScreen, NoticeScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.diary_tui.harness import log_in, make_app, password_of, wait_for
from tests.diary_tui.test_outbox_family import Switch, count, plain, quick_retries


async def send(
    http: httpx.AsyncClient, headers: dict[str, str], pupil: int, body: dict[str, str], key: str
) -> AbsenceNotice:
    response = await http.post(
        f"{API_PREFIX}/pupils/{pupil}/absence-notices",
        json=body,
        headers={**headers, "Idempotency-Key": key},
    )
    assert response.status_code == 201, response.text
    return decode(response.content, AbsenceNotice)


def error_text(form: Any) -> str:
    return plain(form.query_one("#notice-error", Static))


def row_of(table: DataTable[Any], key: str) -> list[str]:
    return [plain(cell) for cell in table.get_row(key)]


@sqlite_only
async def test_parent_reads_back_withdraws_and_is_kept_from_a_duplicate(
    app: Litestar, http: httpx.AsyncClient, demo: Any, demo_url: str, login_as: LoginAs
) -> None:
    parent = await login_as(http, "parent")
    switch = Switch(asgi_transport(app))
    diary = make_app(app, transport=switch)
    note = "Простуда, температура 38; вернётся в понедельник, справку принесём"
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        quick_retries(diary)
        assert diary.data.me is not None
        pupil = diary.data.me.children[0].id
        first = await send(
            http,
            parent,
            pupil,
            {"start": "2026-11-26", "end": "2026-11-27", "reason": "illness", "note": note},
            "tui-notice-0001",
        )
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(diary.screen, AttendanceScreen))
        screen = diary.screen
        assert isinstance(screen, AttendanceScreen)
        await pilot.press("t", "t")
        await wait_for(pilot, lambda: screen.view == "notices" and screen.notices is not None)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: str(first.id) in table.rows)

        # Read back: Enter shows the whole note, the days, the reason and that it is unread.
        table.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(diary.screen, DetailScreen))
        shown = plain(diary.screen.query_one("#notice-detail-text", Static))
        assert note in shown and "26.11.2026 – 27.11.2026" in shown
        assert "not read yet" in shown and first.parent in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)

        # A notice for a day the first covers: the form says so and sends nothing.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, NoticeScreen))
        form = diary.screen
        form.query_one("#notice-start", Input).value = "27.11.2026"
        form.query_one("#notice-end", Input).value = "30.11.2026"
        form.query_one("#notice-note", Input).value = "Семейные обстоятельства"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "already sent a notice" in error_text(form))
        assert diary.screen is form
        assert [w for w in switch.writes if "absence-notices" in w] == []

        # Another parent's notice the form does not know of: the server refuses, the form
        # stays open with everything typed and says the server's reason.
        other = await send(
            http,
            parent,
            pupil,
            {"start": "2026-12-01", "end": "2026-12-01", "reason": "family"},
            "tui-notice-0002",
        )
        form.query_one("#notice-start", Input).value = "30.11.2026"
        form.query_one("#notice-end", Input).value = "01.12.2026"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: f"notice {other.id}" in error_text(form))
        assert diary.screen is form
        assert form.query_one("#notice-note", Input).value == "Семейные обстоятельства"
        assert form.query_one("#notice-start", Input).value == "30.11.2026"
        assert form.query_one("#notice-end", Input).value == "01.12.2026"
        form.query_one("#notice-end", Input).value = "30.11.2026"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: diary.screen is screen)
        await wait_for(
            pilot, lambda: screen.notices is not None and len(screen.notices.notices) == 3
        )
        await wait_for(pilot, lambda: str(first.id) in table.rows)

        # Withdraw the first, unread notice: x, yes.
        table.move_cursor(row=table.get_row_index(str(first.id)))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "withdrawn" in row_of(table, str(first.id))[3])

        # Offline, the withdrawal of another waits in the outbox and goes when it can.
        switch.up = False
        table.move_cursor(row=table.get_row_index(str(other.id)))
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "withdrawal waiting" in row_of(table, str(other.id))[3], 30)
        switch.up = True
        diary.data.sync_engine().kick()
        await wait_for(
            pilot, lambda: diary.data.store is not None and not diary.data.store.outbox_count(), 30
        )
        await wait_for(pilot, lambda: "withdrawn" in row_of(table, str(other.id))[3], 30)

    listed = decode(
        (await http.get(f"{API_PREFIX}/pupils/{pupil}/absence-notices", headers=parent)).content,
        AbsenceNotices,
    )
    assert {n.id: n.withdrawn for n in listed.notices if n.id in (first.id, other.id)} == {
        first.id: True,
        other.id: True,
    }
    assert await count(demo_url, select(func.count(s.AbsenceNotice.id))) == 3
