"""Every time shown is on the school's clock, never the computer's: the app runs here on a
machine set to Los Angeles (eleven hours behind the demo school's Moscow)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from litestar import Litestar
from textual.widgets import OptionList

from api_client.i18n import using
from api_client.models import (
    API_PREFIX,
    AuditEntry,
    ChangeItem,
    Me,
    Role,
    SchoolInfo,
    Threads,
    decode,
)
from diary_tui.app import DiaryApp
from diary_tui.audit_cli import table
from diary_tui.clock import clock_time, local, short_when, utcnow, when_said
from diary_tui.data import DiaryData, SyncState
from diary_tui.widgets.status import status_content
from screens.audit import detail
from screens.messages import MessagesScreen, ThreadScreen
from screens.week import WeekScreen
from screens.whatsnew import change_line
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import BASE_URL, TODAY, log_in, password_of, wait_for

SCHOOL = ZoneInfo("Europe/Moscow")
EVENING = dt.datetime(2026, 11, 25, 16, 34, tzinfo=dt.UTC)
"""19:34 at school; 08:34 in Los Angeles."""


@pytest.fixture(autouse=True)
def far_machine_zone() -> Iterator[None]:
    """The computer's zone is America/Los_Angeles for the test, restored after."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Los_Angeles"
    time.tzset()
    assert dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC).astimezone().hour == 4
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def plain(widget: Any) -> str:
    visual = widget.visual if hasattr(widget, "visual") else widget
    return str(getattr(visual, "plain", visual))


def test_the_clock_is_utc_and_reads_the_school_zone() -> None:
    assert utcnow().utcoffset() == dt.timedelta(0)
    assert clock_time(EVENING, SCHOOL) == "19:34"
    assert short_when(EVENING, EVENING + dt.timedelta(hours=1), SCHOOL) == "19:34"
    # 23:30 at school is already tomorrow there, whatever the computer says.
    late = dt.datetime(2026, 11, 25, 20, 30, tzinfo=dt.UTC)
    assert when_said(EVENING, late + dt.timedelta(hours=1), SCHOOL) == "yesterday 19:34"
    assert when_said(EVENING, late, SCHOOL) == "today 19:34"


def test_when_said_speaks_the_language_in_force() -> None:
    """A message's time in Russian: no English word or month is left (сегодня, вчера, нояб.)."""
    late = dt.datetime(2026, 11, 25, 20, 30, tzinfo=dt.UTC)
    with using("ru"):
        assert when_said(EVENING, late, SCHOOL) == "сегодня 19:34"
        assert when_said(EVENING, late + dt.timedelta(hours=1), SCHOOL) == "вчера 19:34"
        assert when_said(EVENING, late + dt.timedelta(days=3), SCHOOL) == "25 нояб. 19:34"
        assert when_said(EVENING, late + dt.timedelta(days=60), SCHOOL) == "25 нояб. 2026 19:34"
    assert when_said(EVENING, late + dt.timedelta(days=3), SCHOOL) == "25 Nov 19:34"
    assert when_said(EVENING, late + dt.timedelta(days=60), SCHOOL) == "25 Nov 2026 19:34"


def test_the_data_layers_today_is_the_schools_date() -> None:
    # 22:30 UTC: 01:30 on the 26th at school, 14:30 on the 25th in Los Angeles.
    data = DiaryData(clock=lambda: dt.datetime(2026, 11, 25, 22, 30, tzinfo=dt.UTC))
    assert data.zone is dt.UTC  # no account yet: UTC, still not the computer's zone
    data.me = Me(
        id=1,
        login="parent",
        first_name="A",
        last_name="B",
        role=Role.PARENT,
        school=SchoolInfo(id=1, name="School", timezone="Europe/Moscow"),
    )
    assert data.today() == dt.date(2026, 11, 26)


def test_status_line_audit_and_whats_new_show_the_schools_time() -> None:
    state = SyncState(online=True, last_sync=EVENING)
    line = status_content(state, EVENING + dt.timedelta(minutes=5), SCHOOL).plain
    assert "synced 19:34" in line
    offline = SyncState(online=False, last_sync=EVENING)
    assert (
        "19:34, 5 min ago"
        in status_content(offline, EVENING + dt.timedelta(minutes=5), SCHOOL).plain
    )
    entry = AuditEntry(id=7, at=EVENING, action="update", entity="mark", entity_id=1)
    assert "25.11.2026 19:34:00 MSK" in detail(entry, SCHOOL).plain
    assert any("25.11.2026 19:34" in row for row in table([entry], SCHOOL))
    change = ChangeItem(cursor="1", at=EVENING, kind="announcement.new", entity_id=1)
    assert change_line(change, None, SCHOOL).plain.startswith("19:34")


@sqlite_only
async def test_thread_list_thread_and_status_line_agree_on_the_schools_time(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "parent")
    threads = decode((await http.get(f"{API_PREFIX}/threads", headers=headers)).content, Threads)
    newest = threads.threads[0]
    now = newest.updated_at + dt.timedelta(minutes=20)  # the same evening, so the list shows HH:MM
    school_time = f"{local(newest.updated_at, SCHOOL):%H:%M}"
    machine_time = f"{newest.updated_at.astimezone():%H:%M}"
    assert school_time != machine_time
    server: Any = app
    diary = DiaryApp(
        server=BASE_URL,
        login="parent",
        transport=httpx.ASGITransport(app=server),
        today=TODAY,
        now=lambda: now,
    )
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        await pilot.press("m")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, MessagesScreen) and diary.screen.threads is not None,
        )
        await pilot.pause()
        screen = diary.screen
        first = plain(screen.query_one("#threads", OptionList).get_option_at_index(0).prompt)
        assert first.splitlines()[0].endswith(school_time), first
        status = plain(screen.query_one("StatusLine"))
        assert f"synced {local(now, SCHOOL):%H:%M}" in status, status
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, ThreadScreen) and diary.screen.thread is not None,
        )
        await pilot.pause()
        heads = [plain(w) for w in diary.screen.query(".message-head")]
        assert school_time in heads[-1], heads
        assert machine_time not in heads[-1]
