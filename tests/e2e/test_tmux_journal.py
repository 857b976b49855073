"""A real terminal: the demo teacher types a column of marks in the journal with no mouse, in
Russian; the server then has the four marks on one lesson."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from api_client.client import DiaryClient
from benchmarks.common import FROZEN_TODAY, server_command
from benchmarks.durability import ServerProcess
from tests.e2e.test_tmux import Tmux
from tests.services import require

ROOT = Path(__file__).resolve().parents[2]
DIARY = Path(sys.executable).parent / "diary"

pytestmark = pytest.mark.tmux


async def journal_marks(url: str) -> list[tuple[int, int, int]]:
    """Every mark of the teacher's first journal (the one the app opens): pupil, lesson,
    value."""
    async with DiaryClient(url) as client:
        await client.login("teacher", "demo")
        me = await client.me()
        first = me.teaching[0]
        journal = await client.journal(first.class_.id, first.subject.id)
    return [(m.pupil_id, m.lesson_id, m.value) for m in journal.marks]


def test_teacher_types_a_column_and_it_is_saved(tmp_path: Path) -> None:
    require(shutil.which("tmux") is not None, "tmux")
    assert DIARY.exists(), f"the diary command is not installed at {DIARY}"
    env_dirs = " ".join(
        f"{name}={tmp_path / name.lower()}"
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    )
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        (tmp_path / name.lower()).mkdir()
    tmux = Tmux(f"diary-journal-{uuid.uuid4().hex[:8]}")
    # A Russian school (the suite's demo is English): its classes are 5А, 9А, ...
    db_url = f"sqlite:///{tmp_path / 'school.sqlite3'}"
    init = [
        *("init-demo", "--db", db_url, "--size", "small", "--lang", "ru"),
        *("--today", FROZEN_TODAY),
    ]
    subprocess.run([*server_command(), *init], cwd=ROOT, check=True, capture_output=True)
    server = ServerProcess(db_url)  # the school's today is FROZEN_TODAY, as the app's
    server.start()
    try:
        before = asyncio.run(journal_marks(server.url))
        command = (
            f"cd {ROOT} && env {env_dirs} TEXTUAL_ANIMATIONS=none DIARY_LANG=ru "
            f"DIARY_TODAY={FROZEN_TODAY} {DIARY} --server {server.url} --login teacher; sleep 60"
        )
        tmux.run("new-session", "-d", "-s", "diary", "-x", "80", "-y", "24", command)
        tmux.wait(lambda s: "Пароль" in s, "the login form", 60)
        time.sleep(0.5)  # the login is filled in: the password has the focus
        tmux.run("send-keys", "-t", "diary", "-l", "demo")
        tmux.run("send-keys", "-t", "diary", "Enter")
        journal = tmux.wait(lambda s: "Ученик" in s and "Итог" in s, "the journal", 60)
        assert "5А" in journal
        # A column of marks, down from the first pupil, keyboard only.
        for key in ("5", "4", "3", "5"):
            tmux.run("send-keys", "-t", "diary", key)
            time.sleep(0.1)
        typed = tmux.wait(lambda s: "всё отправлено" in s and "на связи" in s, "the marks sent", 30)
        rows = [line for line in typed.splitlines() if line[:3].strip().isdigit()]
        assert len(rows) >= 4
        tmux.run("send-keys", "-t", "diary", "C-q")
        time.sleep(1)
        after = asyncio.run(journal_marks(server.url))
        new = list(after)
        for mark in before:
            new.remove(mark)
        # The column typed down from the first pupil: four marks on one lesson, 5, 4, 3, 5.
        assert sorted(value for _pupil, _lesson, value in new) == [3, 4, 5, 5], (before, after)
        assert len({lesson for _pupil, lesson, _value in new}) == 1
    finally:
        tmux.run("kill-server")
        server.close()
