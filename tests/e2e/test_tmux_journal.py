"""A real terminal: the demo teacher types a column of marks in the journal with no mouse;
the demo parent then sees the new mark."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

from api_client.client import DiaryClient
from api_client.models import Week
from benchmarks.common import FROZEN_TODAY
from benchmarks.durability import ServerProcess, demo_database
from tests.e2e.test_tmux import Tmux
from tests.services import require

ROOT = Path(__file__).resolve().parents[2]
DIARY = Path(sys.executable).parent / "diary"

pytestmark = pytest.mark.tmux


async def child_marks(url: str) -> tuple[int, list[tuple[dt.date, str, int]]]:
    """The parent's child in 5А (the teacher's first journal) and every mark of that child's
    current week."""
    async with DiaryClient(url) as client:
        await client.login("parent", "demo")
        me = await client.me()
        child = next(c for c in me.children if c.class_ is not None and c.class_.name == "5А")
        week: Week = await client.week(child.id)
    marks = [(x.date, x.subject.name, m.value) for x in week.lessons for m in x.marks]
    return child.id, marks


def test_teacher_types_a_column_and_the_parent_sees_it(tmp_path: Path) -> None:
    require(shutil.which("tmux") is not None, "tmux")
    assert DIARY.exists(), f"the diary command is not installed at {DIARY}"
    env_dirs = " ".join(
        f"{name}={tmp_path / name.lower()}"
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    )
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        (tmp_path / name.lower()).mkdir()
    tmux = Tmux(f"diary-journal-{uuid.uuid4().hex[:8]}")
    with demo_database() as db_url:
        server = ServerProcess(db_url)  # the school's today is FROZEN_TODAY, as the app's
        server.start()
        try:
            _child, before = asyncio.run(child_marks(server.url))
            command = (
                f"cd {ROOT} && env {env_dirs} TEXTUAL_ANIMATIONS=none DIARY_TODAY={FROZEN_TODAY} "
                f"{DIARY} --server {server.url} --login teacher; sleep 60"
            )
            tmux.run("new-session", "-d", "-s", "diary", "-x", "80", "-y", "24", command)
            tmux.wait(lambda s: "Password" in s or "password" in s, "the login form", 60)
            time.sleep(0.5)  # the login is filled in: the password has the focus
            tmux.run("send-keys", "-t", "diary", "-l", "demo")
            tmux.run("send-keys", "-t", "diary", "Enter")
            journal = tmux.wait(lambda s: "Ученик" in s and "Итог" in s, "the journal", 60)
            assert "5А" in journal
            # A column of marks, down from the first pupil, keyboard only.
            for key in ("5", "4", "3", "5"):
                tmux.run("send-keys", "-t", "diary", key)
                time.sleep(0.1)
            typed = tmux.wait(lambda s: "outbox empty" in s and "online" in s, "the marks sent", 30)
            rows = [line for line in typed.splitlines() if line[:3].strip().isdigit()]
            assert len(rows) >= 4
            tmux.run("send-keys", "-t", "diary", "C-q")
            time.sleep(1)
            _child, after = asyncio.run(child_marks(server.url))
            new = list(after)
            for mark in before:
                new.remove(mark)
            # The parent's child in 5А is first in the class list: the mark typed first.
            assert [value for _day, _subject, value in new] == [5], (before, after)
        finally:
            tmux.run("kill-server")
            server.close()
