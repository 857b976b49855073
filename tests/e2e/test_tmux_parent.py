"""A real terminal: a parent's day in ``diary demo``, then the teacher reads the reply.

tmux runs ``diary demo`` and walks the parent through switching child, the week, grades with
a hypothetical mark, a reply to the teacher and signing the week. While the demo (and so its
server) still runs, a second tmux window starts ``diary --server <the demo's address> --login
teacher``, logs in on the login screen, and finds the parent's reply. Then both quit.
"""

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
REPLY = "Thank you, we will come on Tuesday."

pytestmark = pytest.mark.tmux


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout

    def screen(self, target: str) -> str:
        return self.run("capture-pane", "-p", "-t", target)

    def keys(self, target: str, *keys: str) -> None:
        self.run("send-keys", "-t", target, *keys)

    def type(self, target: str, text: str) -> None:
        self.run("send-keys", "-t", target, "-l", text)

    def wait(
        self, target: str, condition: Callable[[str], bool], what: str, seconds: float = 90
    ) -> str:
        deadline = time.monotonic() + seconds
        while True:
            text = self.screen(target)
            if condition(text):
                return text
            if time.monotonic() > deadline:
                windows = self.run("list-windows", "-a")
                raise AssertionError(
                    f"waited {seconds:.0f} s for {what}; the screen:\n{text}\n{windows}"
                )
            time.sleep(0.2)


def line_of(screen: str, needle: str) -> int:
    for number, line in enumerate(screen.splitlines()):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} is not on the screen:\n{screen}")


def test_parent_day_then_teacher_reads_the_reply(tmp_path: Path) -> None:
    require(shutil.which("tmux") is not None, "tmux")
    assert DIARY.exists(), f"the diary command is not installed at {DIARY}"
    tmux = Tmux(f"diary-parent-{uuid.uuid4().hex[:8]}")
    parent, teacher = "diary:parent", "diary:teacher"
    env = f"TEXTUAL_ANIMATIONS=none XDG_CONFIG_HOME={tmp_path}/c XDG_DATA_HOME={tmp_path}/d"
    env += f" XDG_CACHE_HOME={tmp_path}/k PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring"
    env += f" DIARY_TODAY={FROZEN_TODAY}"  # the demo, its server and the teacher's app alike
    exit_file = tmp_path / "exit"
    command = f"cd {ROOT} && {env} {DIARY} demo --lang en; echo EXIT=$? > {exit_file}; sleep 60"
    try:
        tmux.run(
            "new-session", "-d", "-s", "diary", "-n", "parent", "-x", "100", "-y", "30", command
        )
        chooser = tmux.wait(parent, lambda s: "Choose who to be" in s, "the demo chooser")
        address = re.search(r"http://127\.0\.0\.1:\d+", chooser)
        assert address is not None, chooser
        found = re.search(r"Teacher \([^)]*\): (\S+) (\S+)", chooser)
        assert found is not None, chooser
        teacher_first, teacher_last = found.groups()
        tmux.keys(parent, "Enter")  # the parent is the first account
        first = tmux.wait(
            parent,
            lambda s: "(1/2" in s and re.search(r"\d\d:\d\d–\d\d:\d\d", s) is not None,
            "the parent's week",
        )
        first_child = re.search(r"(\S+ \S+), \S+ \(1/2", first)
        assert first_child is not None, first

        # 1. Switch child: the second child's week.
        tmux.keys(parent, "c")
        week = tmux.wait(
            parent,
            lambda s: "(2/2" in s and re.search(r"\d\d:\d\d–\d\d:\d\d", s) is not None,
            "the second child's week",
        )
        assert first_child.group(1) not in week
        assert "Week " in week and "this week" in week

        # 2. Grades with a hypothetical mark: a "?" mark and an "≈" average appear.
        tmux.keys(parent, "g")
        tmux.wait(parent, lambda s: "Grades ·" in s and "average =" in s, "the grades")
        tmux.keys(parent, "i")
        tmux.wait(parent, lambda s: "What if" in s, "the what-if form")
        tmux.keys(parent, "2", "Enter")
        grades = tmux.wait(parent, lambda s: "≈" in s and "2?" in s, "the hypothetical mark")
        assert "never sent" in grades
        tmux.keys(parent, "x")
        tmux.wait(parent, lambda s: "2?" not in s, "the hypothetical mark cleared")

        # 3. Messages: open the thread with the featured teacher and reply.
        tmux.keys(parent, "m")
        listed = tmux.wait(
            parent,
            lambda s: "Messages ·" in s and f"{teacher_last} {teacher_first}" in s,
            "the thread with the teacher",
        )
        top = line_of(listed, "Messages ·") + 1
        index = (line_of(listed, f"{teacher_last} {teacher_first}") - top) // 2
        for _ in range(index):
            tmux.keys(parent, "Down")
        time.sleep(0.3)
        tmux.keys(parent, "Enter")
        tmux.wait(parent, lambda s: "r Reply" in s and "esc Back" in s, "the thread")
        tmux.keys(parent, "r")
        tmux.wait(parent, lambda s: "ctrl+s sends" in s, "the reply editor")
        tmux.type(parent, REPLY)
        tmux.wait(parent, lambda s: REPLY in s, "the typed reply")
        tmux.keys(parent, "C-s")
        sent = tmux.wait(
            parent, lambda s: REPLY in s and "ctrl+s sends" not in s, "the reply in the thread"
        )
        assert "Sent" in sent or REPLY in sent
        tmux.keys(parent, "Escape")
        tmux.wait(parent, lambda s: "Messages ·" in s, "back to the thread list")

        # 4. Sign the week.
        tmux.keys(parent, "w")
        tmux.wait(parent, lambda s: "s Sign" in s, "the week with Sign")
        tmux.keys(parent, "s")
        tmux.wait(parent, lambda s: "y: yes" in s, "the signing question")
        tmux.keys(parent, "y")
        signed = tmux.wait(parent, lambda s: "✓ signed" in s, "the signed week")
        assert "(2/2" in signed

        # 5. The teacher, in a second window, against the demo's server.
        login = f"cd {ROOT} && {env} {DIARY} --server {address.group(0)} --login teacher; sleep 60"
        tmux.run("new-window", "-t", "diary", "-n", "teacher", login)
        tmux.wait(teacher, lambda s: "Password" in s or "password" in s, "the login screen")
        time.sleep(0.5)
        tmux.type(teacher, "demo")
        tmux.keys(teacher, "Enter")
        tmux.wait(teacher, lambda s: " m" in s and "online" in s, "the teacher's first screen")
        # The journal grid takes letters as marks: open Messages from the command palette.
        tmux.keys(teacher, "C-p")
        tmux.wait(teacher, lambda s: "Search" in s or ">" in s, "the command palette")
        tmux.type(teacher, "Messages")
        time.sleep(0.5)
        tmux.keys(teacher, "Enter")
        inbox = tmux.wait(
            teacher, lambda s: "Messages ·" in s and "1 new" in s, "the teacher's thread list"
        )
        top = line_of(inbox, "Messages ·") + 1
        index = (line_of(inbox, "1 new") - top) // 2
        for _ in range(index):
            tmux.keys(teacher, "Down")
        time.sleep(0.3)
        tmux.keys(teacher, "Enter")
        tmux.wait(teacher, lambda s: REPLY in s, "the parent's reply at the teacher's")
        tmux.keys(teacher, "Escape")
        tmux.keys(teacher, "q")

        # 6. The parent quits; the demo ends cleanly.
        tmux.keys(parent, "q")
        deadline = time.monotonic() + 30
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "EXIT=0"
    finally:
        tmux.run("kill-server")
