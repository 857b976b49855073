"""A real terminal and a real server: the school office over the command line.

``diary-server init-demo`` builds a demo school in a temporary file and ``diary-server serve``
serves it. In tmux, the demo IT administrator imports a roster with a new pupil (``diary admin
import``), issues the slips of the pupil's class (``diary admin slips``), a parent registers
with the pupil's invite code (``diary register``), logs in (``diary --server URL --login NEW``)
and sees the child's week.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.common import FROZEN_TODAY
from tests.e2e.test_tmux import Tmux
from tests.services import require

BIN = Path(sys.executable).parent
DIARY = BIN / "diary"
SERVER = BIN / "diary-server"
PASSWORD = "Quiet-Meadow-73"
ROSTER = """тип;фамилия;имя;класс
ученик;Тестова;Вера;5Б
"""

pytestmark = pytest.mark.tmux


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[str]:
    """A real diary server over a fresh demo school; yields its address."""
    require(shutil.which("tmux") is not None, "tmux")
    url = f"sqlite:///{tmp_path / 'school.sqlite3'}"
    init = ["init-demo", "--db", url, "--size", "small", "--lang", "ru", "--today", FROZEN_TODAY]
    subprocess.run(
        [str(SERVER), *init],
        check=True,
        capture_output=True,
        timeout=180,
    )
    port = free_port()
    log = (tmp_path / "server.log").open("wb")
    process = subprocess.Popen(
        [str(SERVER), "serve", "--db", url, "--port", str(port), "--today", FROZEN_TODAY],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{address}/api/v1/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "server.log").read_text())
            time.sleep(0.2)
        yield address
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def test_import_slips_register_and_see_the_week(served: str, tmp_path: Path) -> None:
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    env = {
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TEXTUAL_ANIMATIONS": "none",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
        "PS1": "$ ",
        "DIARY_TODAY": FROZEN_TODAY,
    }
    exports = " ".join(f"{k}='{v}'" for k, v in env.items())
    tmux = Tmux(f"diary-office-{uuid.uuid4().hex[:8]}")

    def type_line(text: str) -> None:
        tmux.run("send-keys", "-t", "diary", "-l", text)
        tmux.run("send-keys", "-t", "diary", "Enter")

    def wait_for(text: str, what: str, seconds: float = 90) -> str:
        return tmux.wait(lambda s: text in s, what, seconds)

    def clear() -> None:
        """An empty screen, so that what is waited for next is new."""
        type_line("clear")
        tmux.wait(lambda s: s.strip() == "$", "a clear screen", 30)

    try:
        tmux.run(
            "new-session",
            "-d",
            "-s",
            "diary",
            "-x",
            "80",
            "-y",
            "24",
            f"cd {tmp_path} && env {exports} bash --norc --noprofile",
        )
        wait_for("$", "the shell")
        clear()
        # 1. The IT administrator imports the roster.
        type_line(f"diary --server {served} --login it admin import roster.csv")
        wait_for("Password for it", "the password prompt")
        type_line("demo")
        screen = wait_for("Imported.", "the import")
        assert "1 created" in screen and "login testova.v" in screen, screen
        # 2. ... and prints the slips of the pupil's class.
        clear()
        type_line(f"diary --server {served} --login it admin slips --class 5Б --out slips.txt")
        wait_for("Password for it", "the password prompt")
        type_line("demo")
        screen = wait_for("Wrote", "the slips")
        said = " ".join(screen.split())
        # Invite codes only, for every pupil of the class: no password is reset unless asked.
        assert "invite-code slips for 5Б" in said and "No password was changed" in said, screen
        slips = (tmp_path / "slips.txt").read_text(encoding="utf-8")
        block = slips[slips.index("Тестова Вера") - 400 :]
        code = re.search(r"\b([2-9A-Z]{4}-[2-9A-Z]{4})\b", block)
        assert code is not None, slips
        # 3. A parent registers with the code.
        clear()
        type_line(f"diary register --server {served}")
        for prompt, answer in (
            ("Invite code:", code.group(1)),
            ("Do you accept it?", "yes"),
            ("First name:", "Нина"),
            ("Last name:", "Тестова"),
            ("Login", "nina.t"),
            ("Password:", PASSWORD),
            ("again:", PASSWORD),
        ):
            wait_for(prompt, prompt)
            type_line(answer)
        screen = wait_for("Registered nina.t", "the registration")
        assert "Вера Тестова" in screen, screen
        # 4. The parent logs in and sees the child's week.
        clear()
        type_line(f"diary --server {served} --login nina.t")
        wait_for("Diary: log in", "the login screen")
        time.sleep(1)  # the password field takes the focus once the screen is mounted
        tmux.run("send-keys", "-t", "diary", "-l", PASSWORD)
        tmux.run("send-keys", "-t", "diary", "Enter")
        week = tmux.wait(lambda s: "Week" in s and "Вера" in s, "the child's week", seconds=60)
        # A new pupil is in class from the day of the import: next week is full of lessons.
        tmux.run("send-keys", "-t", "diary", "]")
        tmux.wait(
            lambda s: re.search(r"\d\d:\d\d–\d\d:\d\d", s) is not None and "Вера" in s,
            "lessons of the child's next week",
            seconds=60,
        )
        assert "Тестова" in week or "Вера" in week
        tmux.run("send-keys", "-t", "diary", "q")
        wait_for("$", "the shell again", 30)
    finally:
        tmux.run("kill-server")
