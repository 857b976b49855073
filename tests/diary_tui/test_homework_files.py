"""Homework files: a teacher attaches a file in the journal (offline: it waits in the outbox
with the file's bytes, and goes when the server is back); a parent saves it from the homework
screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, insert, select
from textual.widgets import Input, OptionList, Static

from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.outbox_ops import AttachmentUploadOp
from diary_tui.store import WAITING
from screens.dialogs.ask import AskText
from screens.homework import HomeworkScreen
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.harness import log_in, make_app, record_notes, wait_for
from tests.diary_tui.test_journal_screen import (
    headers,  # noqa: F401 (a fixture)
    lesson_of,
    open_journal,
    outbox_empty,
    server_journal,
)
from tests.diary_tui.test_sync import Switch

PDF = b"%PDF-1.4\n% a worksheet\n%%EOF\n"


async def give_parent_only(demo_url: str, parent_login: str, pupil_id: int) -> None:
    """The demo parent becomes the parent of this pupil alone."""
    engine = make_engine(demo_url)
    async with engine.begin() as db:
        parent = (
            await db.execute(select(s.User.id).where(s.User.login == parent_login))
        ).scalar_one()
        await db.execute(delete(s.ParentLink).where(s.ParentLink.parent_id == parent))
        await db.execute(insert(s.ParentLink).values(parent_id=parent, pupil_id=pupil_id))
    await engine.dispose()


@sqlite_only
async def test_a_file_attached_offline_is_sent_when_back_and_a_parent_saves_it(
    app: Any,
    http: httpx.AsyncClient,
    headers: dict[str, str],  # noqa: F811
    demo_url: str,
    tmp_path: Path,
) -> None:
    worksheet = tmp_path / "Лист 3.pdf"
    worksheet.write_bytes(PDF)
    switch = Switch(asgi_transport(app))
    tui = make_app(app, login=None, transport=switch)
    async with tui.run_test(size=(100, 30)) as pilot:
        screen, grid = await open_journal(pilot)
        lesson_id = lesson_of(grid)
        # No homework yet on this lesson: f says to write it first.
        notes = record_notes(tui)
        lesson = grid.model.lesson(lesson_id)
        if not lesson.homework_text:
            await pilot.press("f")
            assert any("Write the homework first" in n for n in notes)
            await pilot.press("e")
            screen.query_one("#homework", Input).value = "Лист 3, задачи 1-4"
            due = tui.data.today() + dt.timedelta(days=3)
            screen.query_one("#due", Input).value = f"{due:%d.%m.%Y}"
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: outbox_empty(tui))
        # Offline now: the teacher attaches the file.
        switch.down = True
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(tui.screen, AskText))
        ask = tui.screen
        field = ask.query_one(Input)
        field.value = str(tmp_path / "missing.pdf")
        await pilot.press("enter")
        # A missing file is said in the dialog, which stays open with the path as typed.
        assert isinstance(tui.screen, AskText)
        said = str(ask.query_one("#attach-problem", Static).render())
        assert "There is no file" in said and "missing.pdf" in said
        assert field.value.endswith("missing.pdf")
        field.value = str(worksheet)
        await pilot.press("enter")
        await wait_for(
            pilot, lambda: tui.data.store is not None and tui.data.store.outbox_count() == 1
        )
        store = tui.data.store
        assert store is not None
        (item,) = store.items((WAITING,))
        assert isinstance(item.write, AttachmentUploadOp)
        assert (item.write.name, item.write.content) == ("Лист 3.pdf", PDF)
        worksheet.unlink()  # the outbox has the bytes: the file may go
        await wait_for(
            pilot, lambda: "waiting to be sent" in str(screen.query_one("#files", Static).render())
        )
        # Back online: it is sent, and the journal shows it.
        switch.down = False
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: outbox_empty(tui))
        after = await server_journal(http, headers, screen)
        on_server = next(x for x in after.lessons if x.id == lesson_id)
        assert on_server.homework is not None
        (attached,) = [a for a in on_server.homework.attachments if a.name == "Лист 3.pdf"]
        assert attached.size == len(PDF)
        pupil_id = after.pupils[0].id

    # A parent of a pupil of the class saves it from the homework screen.
    await give_parent_only(demo_url, "parent", pupil_id)
    downloads = tmp_path / "downloads"
    family = make_app(app, login=None)
    async with family.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", "demo")
        await pilot.press("o")
        await wait_for(
            pilot,
            lambda: isinstance(family.screen, HomeworkScreen) and family.screen.value is not None,
        )
        homework = family.screen
        assert isinstance(homework, HomeworkScreen)
        options = homework.query_one(OptionList)
        assert homework.value is not None
        given = next(
            h for h in homework.value.items if any(a.id == attached.id for a in h.attachments)
        )
        wanted = next(
            i
            for i in range(options.option_count)
            if options.get_option_at_index(i).id == f"hw-{given.id}"
        )
        options.highlighted = wanted
        notes = record_notes(family)
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(family.screen, AskText))
        family.screen.query_one(Input).value = str(downloads)
        await pilot.press("enter")
        await wait_for(pilot, lambda: (downloads / "Лист 3.pdf").exists())
        assert (downloads / "Лист 3.pdf").read_bytes() == PDF
        await wait_for(pilot, lambda: any(str(downloads / "Лист 3.pdf") in n for n in notes))
