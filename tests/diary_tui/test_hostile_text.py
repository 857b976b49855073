"""Text from the server never drives the terminal, on any screen of any role.

Every text column of the demo school (names, subjects, rooms, topics, homework, comments,
messages, announcements, events, notes, file names, reasons, the change feed's payloads) is
given escape sequences (CSI colours and clears, an OSC window title, a one-byte C1 CSI), a bidi
override, invisible characters and Rich markup. Every screen of every role is then rendered,
with the detail dialogs where a screen has one, and the bytes Textual would write to the
terminal are read: the only escape sequences in them are Textual's own colours (SGR), the
server's controls are there as visible stand-ins (``␛``, ``⟨U+202E⟩``), and the markup is
literal text.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from typing import Any

import pytest
from litestar import Litestar
from sqlalchemy.engine import make_url
from textual.app import App
from textual.pilot import Pilot
from textual.screen import ModalScreen

from diary_tui.app import DiaryApp
from diary_tui.navigation import destinations_for
from tests.conftest import sqlite_only
from tests.diary_tui.harness import (
    log_in,
    make_app,
    open_screen,
    password_of,
    settled,
    wait_for,
)

PAYLOAD = "\x1b]0;pwned\x07\x1b[2J\x1b[K\x1b[31m\x9b8m\u202e\u200b\u2066[red]x[/red]\x1b[0m"
"""What a hostile or broken server (or an old database) may hold in any text."""

SHOWN = "␛]0;pwned␇"
"""How the start of the payload reads on screen."""

TEXT_COLUMNS: dict[str, tuple[str, ...]] = {
    "schools": ("name",),
    "academic_years": ("name",),
    "periods": ("name",),
    "holidays": ("name",),
    "subjects": ("name",),
    "users": ("first_name", "last_name", "middle_name", "phone", "email"),
    "classes": ("letter",),
    "timetable_slots": ("room",),
    "lessons": ("room", "planned_room", "note", "topic"),
    "homework": ("text",),
    "homework_attachments": ("name",),
    "marks": ("comment",),
    "absences": ("note",),
    "absence_notices": ("note",),
    "message_threads": ("subject",),
    "messages": ("body",),
    "announcements": ("title", "body"),
    "events": ("title", "place", "description", "agenda", "minutes"),
    "meeting_answers": ("comment",),
    "bell_schedules": ("name",),
    "blog_posts": ("title", "body"),
    "blog_comments": ("body",),
    "chat_messages": ("body",),
    "audit_log": ("reason",),
}
"""Every column of the server's database that holds what a person wrote or named (the others
hold logins, hashes, enumerations, times and keys)."""

SGR = re.compile(r"\x1b\[[0-9;:]*m")
"""Textual's own sequences in a rendered frame: colours and text attributes."""


def _poisoned(value: Any) -> Any:
    if isinstance(value, str):
        return value + PAYLOAD
    if isinstance(value, list):
        return [_poisoned(item) for item in value]
    if isinstance(value, dict):
        return {key: _poisoned(item) for key, item in value.items()}
    return value


def poison(database_url: str) -> None:
    """Add the payload to every text column of the school, and to every string in the change
    feed's payloads."""
    path = make_url(database_url).database
    assert path is not None
    with sqlite3.connect(path) as db:
        for table, columns in TEXT_COLUMNS.items():
            sets = ", ".join(f"{column} = {column} || :payload" for column in columns)
            db.execute(f"UPDATE {table} SET {sets}", {"payload": PAYLOAD})
        rows = db.execute("SELECT id, payload FROM changes").fetchall()
        for row_id, payload in rows:
            poisoned = json.dumps(_poisoned(json.loads(payload)))
            db.execute("UPDATE changes SET payload = ? WHERE id = ?", (poisoned, row_id))


def frame(app: App[Any]) -> str:
    """What Textual writes to the terminal for the screen shown now (all of it)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.render(app.console) for strip in strips)


FORBIDDEN = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def check_frame(raw: str, where: str) -> str:
    """The frame's text with Textual's colours taken out; fails on any other control."""
    text = SGR.sub("", raw)
    found = sorted({f"U+{ord(ch):04X}" for ch in FORBIDDEN.findall(text)})
    assert found == [], f"{where}: the terminal would receive {found}"
    assert "pwned\x07" not in raw and "\x1b]" not in raw and "\x1b[2J" not in raw, where
    assert "\x1b[K" not in raw and "\x9b" not in raw and "\u202e" not in raw, where
    return text


async def steady_frame(pilot: Pilot[Any], seconds: float = 15) -> str:
    """The frame once the screen has loaded: its workers are done (or the frame stopped
    changing, for a screen with a worker that lives as long as it does)."""
    app = pilot.app
    deadline = time.monotonic() + seconds
    previous = ""
    while time.monotonic() < deadline:
        await pilot.pause(0.25)
        current = frame(app)
        if current == previous and (settled(app.screen) or time.monotonic() > deadline - 10):
            return current
        previous = current
    return frame(app)


async def show(pilot: Pilot[Any], name: str) -> str:
    app = pilot.app
    assert isinstance(app, DiaryApp)
    await open_screen(pilot, name)
    await wait_for(pilot, lambda: getattr(app.screen, "NAME", "") == name)
    if name == "medical":  # the health worker finds a pupil first
        screen = app.screen
        await pilot.press("а", "enter")
        await wait_for(pilot, lambda: bool(getattr(screen, "found", None)) and settled(screen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: getattr(screen, "pupil", None) is not None)
    return await steady_frame(pilot)


DETAIL = {"week", "grades", "homework", "messages", "news"}
"""Screens whose Enter opens a dialog with the whole of the item under the cursor."""

NO_SERVER_TEXT = {"admin": {"messages"}}
"""Screens with nothing of the server's to show in the demo school (the administration has no
message threads); settings and what's new (nothing new since login) never do."""

CUT_SHORT = {"it", "authority"}
"""Roles whose screens show the payload only in columns too narrow for all of it."""

ROLES = ("parent", "pupil", "teacher", "classteacher", "admin", "it", "nurse", "authority")


@sqlite_only
@pytest.mark.parametrize("login", ROLES)
async def test_no_screen_lets_server_text_drive_the_terminal(
    backend: str, demo_url: str, app: Litestar, demo: Any, login: str
) -> None:
    poison(demo_url)
    diary = make_app(app, login=login)
    seen: dict[str, str] = {}
    async with diary.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, login, password_of(demo, login))
        await wait_for(pilot, lambda: diary.data.me is not None)
        me = diary.data.me
        assert me is not None
        assert me.last_name.endswith(
            "␛]0;pwned␇␛[2J␛[K␛[31m⟨U+009B⟩8m⟨U+202E⟩⟨U+200B⟩⟨U+2066⟩[red]x[/red]␛[0m"
        )
        for destination in destinations_for(me, diary.available_screens()):
            raw = await show(pilot, destination.name)
            seen[destination.name] = check_frame(raw, f"{login} {destination.name}")
            if destination.name in DETAIL:
                await pilot.press("enter")
                raw = await steady_frame(pilot)
                if isinstance(diary.screen, ModalScreen):
                    name = f"{destination.name} detail"
                    seen[name] = check_frame(raw, f"{login} {name}")
                    await pilot.press("escape")
                    await pilot.pause()
    shown = {name for name, text in seen.items() if SHOWN in text}
    silent = set(seen) - shown - NO_SERVER_TEXT.get(login, set()) - {"settings", "whatsnew"}
    assert silent == set(), f"the payload was not on these screens of {login}: {silent}"
    if login not in CUT_SHORT:
        assert any("[red]x[/red]" in text for text in seen.values())  # markup stays literal
