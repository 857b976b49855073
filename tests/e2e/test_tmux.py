"""A real terminal: tmux runs ``diary demo`` as a person would."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.common import FROZEN_TODAY
from tests.services import require

ROOT = Path(__file__).resolve().parents[2]
DIARY = Path(sys.executable).parent / "diary"

pytestmark = pytest.mark.tmux


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "diary")

    def wait(self, condition: Callable[[str], bool], what: str, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {seconds:.0f} s for {what}; the screen:\n{text}")
            time.sleep(0.2)


def test_demo_parent_week_next_week_quit(tmp_path: Path) -> None:
    require(shutil.which("tmux") is not None, "tmux")
    assert DIARY.exists(), f"the diary command is not installed at {DIARY}"
    exit_file = tmp_path / "exit"
    tmux = Tmux(f"diary-test-{uuid.uuid4().hex[:8]}")
    command = (
        f"cd {ROOT} && TEXTUAL_ANIMATIONS=none {DIARY} demo --lang en --today {FROZEN_TODAY}; "
        f"echo EXIT=$? > {exit_file}; sleep 60"
    )
    try:
        tmux.run("new-session", "-d", "-s", "diary", "-x", "100", "-y", "30", command)
        chooser = tmux.wait(lambda s: "Choose who to be" in s, "the demo chooser")
        assert "login: parent" in chooser
        # The parent is the first account: Enter logs in as them.
        tmux.run("send-keys", "-t", "diary", "Enter")
        week = tmux.wait(
            lambda s: "(1/2" in s and re.search(r"\d\d:\d\d–\d\d:\d\d", s) is not None,
            "the parent's week",
        )
        dates = re.search(r"Week (\d[^·\n]*?) ·", week)
        assert dates is not None, week
        # The week opens on the demo's frozen today, a Wednesday.
        assert "Wednesday 25 November" in week, week
        tmux.run("send-keys", "-t", "diary", "]")
        moved = tmux.wait(
            lambda s: (
                (m := re.search(r"Week (\d[^·\n]*)", s)) is not None
                and m.group(1).strip() != dates.group(1).strip()
            ),
            "the next week",
        )
        assert "this week" not in moved.splitlines()[1]
        tmux.run("send-keys", "-t", "diary", "q")
        deadline = time.monotonic() + 30
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "EXIT=0"
    finally:
        tmux.run("kill-server")
