"""A parent's and a pupil's writes go through the outbox: offline they are kept and shown as
waiting, and sent exactly once when the server is back (counted in the server's tables)."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from api_client import models as wire
from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.app import DiaryApp
from diary_tui.widgets import StatusLine
from screens.attendance import AttendanceScreen, NoticeScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.homework import HomeworkScreen
from screens.messages import ComposeScreen, MessagesScreen, ThreadScreen
from screens.week import WeekScreen
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.harness import (
    BASE_URL,
    MONDAY,
    log_in,
    make_app,
    password_of,
    record_notes,
    wait_for,
    week_loaded,
)


class Switch(httpx.AsyncBaseTransport):
    """The in-process server behind a switch. ``up`` False: nothing connects. ``lose_answers``:
    the server does the write, then the connection drops before its answer arrives."""

    def __init__(self, target: httpx.AsyncBaseTransport) -> None:
        self.target = target
        self.up = True
        self.lose_answers = False
        self.writes: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            raise httpx.ConnectError("connection refused", request=request)
        if request.method != "GET":
            self.writes.append(f"{request.method} {request.url.path}")
        response = await self.target.handle_async_request(request)
        if self.lose_answers and request.method != "GET" and "/auth/" not in request.url.path:
            await response.aread()
            raise httpx.ReadError("connection reset", request=request)
        return response


async def count(url: str, query: Any) -> int:
    engine = make_engine(url)
    try:
        async with engine.connect() as c:
            return int(await c.scalar(query) or 0)
    finally:
        await engine.dispose()


def plain(widget: Any) -> str:
    visual = widget.visual if hasattr(widget, "visual") else widget
    return str(getattr(visual, "plain", visual))


def status(app: DiaryApp) -> str:
    return plain(app.screen.query_one(StatusLine))


def outbox(app: DiaryApp) -> int:
    store = app.data.store
    return store.outbox_count() if store is not None else -1


def quick_retries(app: DiaryApp) -> None:
    """The sender tries again within half a second (not up to 30 s) once the server is back."""
    app.data.sync_engine().cap = 0.5


async def idle_screen(pilot: Pilot[Any], kind: type[Any], attribute: str) -> None:
    app = pilot.app
    await wait_for(
        pilot,
        lambda: (
            isinstance(app.screen, kind)
            and getattr(app.screen, attribute) is not None
            and not any(w.is_running for w in app.screen.workers)
        ),
    )


@sqlite_only
async def test_a_parents_writes_offline_wait_and_are_sent_once(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    switch = Switch(asgi_transport(app))
    diary = make_app(app, transport=switch)
    subject, reply, note = "Экскурсия в пятницу", "Ответ, набранный без сети", "Зубной врач"
    async with diary.run_test(size=(100, 30)) as pilot:
        notes = record_notes(diary)
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        quick_retries(diary)
        assert diary.data.me is not None
        pupil = diary.data.me.children[0].id
        parent = diary.data.me.id
        # Online first: the thread list, one thread and the recipients are saved here.
        await pilot.press("m")
        await idle_screen(pilot, MessagesScreen, "threads")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, MessagesScreen))
        messages = diary.screen
        messages.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await idle_screen(pilot, ThreadScreen, "thread")
        thread_screen = diary.screen
        assert isinstance(thread_screen, ThreadScreen)
        thread_id = thread_screen.summary.id

        switch.up = False
        # A reply, offline: kept, shown waiting in the thread.
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        diary.screen.query_one(TextArea).text = reply
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: bool(thread_screen.query(".queued")))
        shown = [plain(w) for w in thread_screen.query(".queued")]
        assert "waiting to be sent" in shown[0] and shown[1] == reply
        assert any("kept on this computer" in n for n in notes)
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is messages)

        # A new thread, offline: listed as waiting.
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, ComposeScreen))
        compose = diary.screen
        await pilot.press("enter")
        compose.query_one("#compose-subject", Input).value = subject
        await pilot.press("enter")
        compose.query_one(TextArea).text = "Можно ли поехать?"
        await pilot.press("ctrl+s")
        listed = messages.query_one(OptionList)
        await wait_for(
            pilot,
            lambda: any(
                subject in plain(o.prompt) and "waiting to be sent" in plain(o.prompt)
                for o in listed.options
            ),
        )

        # Signing the week, offline: the title says it waits.
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        week = diary.screen
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        title = week.query_one("#week-title", Static)
        await wait_for(pilot, lambda: "signature waiting to be sent" in plain(title))

        # An absence notice, offline: the notices list shows it waiting, although the
        # notices were never loaded here.
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(diary.screen, AttendanceScreen))
        assert isinstance(diary.screen, AttendanceScreen)
        attendance: AttendanceScreen = diary.screen
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, NoticeScreen))
        form = diary.screen
        form.query_one("#notice-start", Input).value = "2026-11-30"
        form.query_one("#notice-end", Input).value = "2026-12-01"
        form.query_one("#notice-note", Input).value = note
        form.query_one("#notice-note", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: diary.screen is attendance and attendance.view == "notices")
        table = attendance.query_one(DataTable)
        await wait_for(
            pilot,
            lambda: (
                table.row_count >= 1
                and "waiting to be sent" in plain(table.get_row_at(0)[3])
                and plain(table.get_row_at(0)[4]) == note
            ),
        )
        assert outbox(diary) == 4
        await wait_for(pilot, lambda: "4 waiting to send" in status(diary))
        assert not any("not saved" in n.lower() for n in notes)

        # The server is back: every write goes, once, and the screen shows the server's answer.
        switch.up = True
        diary.data.sync_engine().kick()
        await wait_for(pilot, lambda: outbox(diary) == 0, 30)
        await wait_for(
            pilot,
            lambda: (
                attendance.notices is not None
                and any(n.note == note for n in attendance.notices.notices)
            ),
        )
        await wait_for(pilot, lambda: "waiting to be sent" not in plain(table.get_row_at(0)[3]))
    assert (
        await count(
            demo_url,
            select(func.count(s.WeekAcknowledgement.id)).where(
                s.WeekAcknowledgement.parent_id == parent,
                s.WeekAcknowledgement.pupil_id == pupil,
                s.WeekAcknowledgement.week_start == MONDAY,
            ),
        )
        == 1
    )
    assert (
        await count(
            demo_url,
            select(func.count(s.Message.id)).where(
                s.Message.thread_id == thread_id, s.Message.body == reply
            ),
        )
        == 1
    )
    assert (
        await count(
            demo_url,
            select(func.count(s.MessageThread.id)).where(s.MessageThread.subject == subject),
        )
        == 1
    )
    assert (
        await count(
            demo_url, select(func.count(s.AbsenceNotice.id)).where(s.AbsenceNotice.note == note)
        )
        == 1
    )


@sqlite_only
async def test_a_pupils_tick_offline_waits_and_a_lost_answer_is_not_done_twice(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    switch = Switch(asgi_transport(app))
    diary = make_app(app, login="pupil", transport=switch)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "pupil", password_of(demo, "pupil"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ == "WeekScreen")
        quick_retries(diary)
        await pilot.press("o")
        await idle_screen(pilot, HomeworkScreen, "value")
        screen = diary.screen
        assert isinstance(screen, HomeworkScreen) and screen.value is not None
        item = screen.highlighted_item()
        assert item is not None
        before = item.done
        pupil = screen.value.pupil.id

        switch.up = False
        await pilot.press("space")
        await wait_for(pilot, lambda: outbox(diary) == 1)
        listed = screen.query_one(OptionList)

        def shown_waiting() -> bool:
            option = listed.highlighted_option
            return option is not None and "tick waiting to be sent" in plain(option.prompt)

        await wait_for(pilot, shown_waiting)
        assert item.done is (not before)

        # Back, but the first answer is lost on the way: the write is sent again with the
        # same Idempotency-Key, and the server does it once.
        switch.up = True
        switch.lose_answers = True
        diary.data.sync_engine().kick()
        await wait_for(pilot, lambda: len(switch.writes) >= 2, 20)
        switch.lose_answers = False
        diary.data.sync_engine().kick()
        await wait_for(pilot, lambda: outbox(diary) == 0, 20)
        await wait_for(pilot, lambda: not shown_waiting())
        assert screen.value is not None
        assert next(i for i in screen.value.items if i.id == item.id).done is (not before)
    done_rows = await count(
        demo_url,
        select(func.count(s.HomeworkDone.homework_id)).where(
            s.HomeworkDone.homework_id == item.id, s.HomeworkDone.pupil_id == pupil
        ),
    )
    assert done_rows == (0 if before else 1)
    answers_kept = await count(
        demo_url,
        select(func.count(s.IdempotencyRecord.id)).where(
            s.IdempotencyRecord.path.like(f"%/homework/{item.id}/done")
        ),
    )
    assert answers_kept == 1  # sent twice with one key: done once, the second was a replay


def question(app: DiaryApp) -> str:
    screen = app.screen
    assert isinstance(screen, ConfirmScreen)
    return str(screen.question)


@sqlite_only
async def test_logging_out_or_quitting_with_unsent_writes_asks_and_names_them(
    app: Litestar, demo: Any
) -> None:
    from diary_tui.outbox_ops import ReplyOp, WeekSignOp
    from diary_tui.store import store_path
    from screens.login import LoginScreen

    switch = Switch(asgi_transport(app))
    diary = make_app(app, transport=switch)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        assert diary.data.me is not None
        pupil = diary.data.me.children[0].id
        switch.up = False
        engine = diary.data.sync_engine()
        engine.enqueue(WeekSignOp(pupil_id=pupil, monday=MONDAY))
        engine.enqueue(ReplyOp(thread_id=1, request=wire.ReplyRequest(body="Да")))
        path = store_path(BASE_URL, "parent")

        # Quitting says they wait and will be sent next time; "n" stays.
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert "2 writes wait to be sent: 1 week signature, 1 message" in question(diary)
        assert "sent the next time" in question(diary)
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        assert diary.is_running

        # Logging out asks twice, the second time naming the count; "n" keeps everything.
        diary.action_log_out()
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert "2 writes wait to be sent" in question(diary)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, ConfirmScreen)
                and "Throw away 2 unsent writes" in question(diary)
            ),
        )
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        assert diary.data.logged_in and path.exists() and outbox(diary) == 2

        # Yes twice: thrown away, as asked.
        diary.action_log_out()
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: isinstance(diary.screen, ConfirmScreen) and "Throw away" in question(diary),
        )
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
        assert not path.exists()


@sqlite_only
async def test_logging_out_counts_writes_refused_and_not_dealt_with(
    app: Litestar, demo: Any
) -> None:
    """A write the server refused waits for the user to deal with it: logging out names it
    with those waiting, and deletes it only after the second yes."""
    from diary_tui.outbox_ops import ReplyOp, WeekSignOp
    from diary_tui.store import REJECTED, store_path
    from screens.login import LoginScreen

    switch = Switch(asgi_transport(app))
    diary = make_app(app, transport=switch)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: week_loaded(diary, MONDAY))
        assert diary.data.me is not None and diary.data.store is not None
        pupil = diary.data.me.children[0].id
        switch.up = False
        engine = diary.data.sync_engine()
        refused = engine.enqueue(ReplyOp(thread_id=1, request=wire.ReplyRequest(body="Да")))
        diary.data.store.settle(refused, REJECTED, error="There is no such thread.")
        path = store_path(BASE_URL, "parent")

        diary.action_log_out()
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert "1 write was refused by the server and not yet dealt with: 1 message" in question(
            diary
        )
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, ConfirmScreen)
                and "Throw away 1 unsent write" in question(diary)
            ),
        )
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, WeekScreen))
        assert diary.data.logged_in and path.exists()

        engine.enqueue(WeekSignOp(pupil_id=pupil, monday=MONDAY))
        diary.action_log_out()
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        assert (
            "1 write waits to be sent: 1 week signature; 1 was refused by the server and not "
            "yet dealt with: 1 message" in question(diary)
        )
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, ConfirmScreen)
                and "Throw away 2 unsent writes" in question(diary)
            ),
        )
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(diary.screen, LoginScreen))
        assert not path.exists()
