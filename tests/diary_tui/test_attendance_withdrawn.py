"""The class teacher's list of absence notices shows a withdrawn notice as withdrawn: not
unread, not counted, not excused by."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from textual.widgets import DataTable, Static

from api_client.models import API_PREFIX
from screens.attendance import AttendanceScreen
from screens.dialogs.confirm import ConfirmScreen
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.diary_tui.harness import log_in, password_of, wait_for
from tests.diary_tui.test_attendance_notices import row_of, send
from tests.diary_tui.test_outbox_family import plain
from tests.screens.test_attendance_class_teacher import make


@pytest.fixture
def school_kind() -> str:
    return "mini"


@sqlite_only
async def test_the_class_teacher_sees_a_withdrawn_notice_withdrawn(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    parent = await login_as(http, "parent")
    pupil = demo.ids["pupil"]
    notice = await send(
        http,
        parent,
        pupil,
        {"start": "2026-11-26", "end": "2026-11-26", "reason": "illness"},
        "tui-notice-0003",
    )
    response = await http.post(
        f"{API_PREFIX}/absence-notices/{notice.id}/withdraw",
        headers={**parent, "Idempotency-Key": "tui-withdraw-0001"},
    )
    assert response.status_code == 200
    diary = make(asgi_transport(app), "classteacher", open_screen="attendance")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "classteacher", password_of(demo, "classteacher"))
        await wait_for(pilot, lambda: isinstance(diary.screen, AttendanceScreen))
        screen = diary.screen
        assert isinstance(screen, AttendanceScreen)
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: str(notice.id) in table.rows)
        cells = row_of(table, str(notice.id))
        assert cells[2] == "withdrawn" and not cells[0].startswith("●")
        assert "unread" not in plain(screen.query_one("#attendance-totals", Static))
        await pilot.press("e")
        await pilot.pause(0.2)
        assert not isinstance(diary.screen, ConfirmScreen)
