"""A real school from an empty database to the next year, with only the command lines and the
app in a real terminal (tmux).

The IT administrator makes the school (``diary-server init``), changes the one-time password,
sets up the year with its halves and a bell schedule, imports subjects, classes, the roster,
groups (5А's English in two), teaching assignments and the timetable from CSV files, and issues
an invite code. A parent registers with it, accepting the school's consent text, and sees the
child's week with the timetable's lessons. The teacher of the first English group enters a mark
in the group's journal. After the last day of the year the administrator sets up the next year
and closes this one: the parent's grades still show last year's mark, and the new year's week
is empty (no timetable yet) but the child is in the next class.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import shutil
import sys
import time
import uuid
from pathlib import Path

import pytest

from api_client.client import DiaryClient
from benchmarks.durability import ServerProcess
from tests.e2e.test_tmux import Tmux
from tests.services import require

BIN = Path(sys.executable).parent
DIARY = BIN / "diary"
SERVER = BIN / "diary-server"
TODAY = "2026-11-25"  # a Wednesday
AFTER_THE_YEAR = "2027-06-10"
IT_PASSWORD = "Narrow-Harbour-41"
PARENT_PASSWORD = "Quiet-Meadow-73"
TEACHER_PASSWORD = "Bright-Window-58"

SUBJECTS = "предмет\nМатематика\nРусский язык\nАнглийский язык\nИстория\n"
CLASSES = "класс\n5А\n6Б\n"
ROSTER = """тип;фамилия;имя;отчество;класс;логин
учитель;Петрова;Ольга;Ивановна;;petrova
учитель;Смирнова;Елена;Павловна;;smirnova
учитель;Кузнецов;Андрей;Сергеевич;;kuznetsov
ученик;Иванов;Пётр;;5А;ivanov.p
ученик;Козлова;Анна;;5А;kozlova.a
ученик;Орлов;Илья;;5А;orlov.i
ученик;Белова;Мария;;5А;belova.m
ученик;Сидоров;Олег;;6Б;sidorov.o
"""
GROUPS = """класс;предмет;группа;учитель;ученики
5А;Английский язык;1;smirnova;ivanov.p, kozlova.a
5А;Английский язык;2;kuznetsov;orlov.i, belova.m
"""
ASSIGNMENTS = """учитель;класс;предмет;группа
petrova;5А;Математика;
petrova;5А;Русский язык;
petrova;6Б;История;
smirnova;5А;Английский язык;1
kuznetsov;5А;Английский язык;2
"""
TIMETABLE = """класс;группа;день;урок;предмет;учитель;кабинет;недели
5А;;пн;1;Математика;petrova;;
5А;;ср;1;Русский язык;petrova;;
5А;1;ср;2;Английский язык;smirnova;;
5А;2;ср;2;Английский язык;kuznetsov;;
5А;;пт;1;Математика;petrova;;
6Б;;ср;3;История;petrova;;
"""

pytestmark = pytest.mark.tmux


class Shell:
    """A bash in tmux, 100x30, in the test's folder, with a throwaway home."""

    def __init__(self, tmp: Path, server: str) -> None:
        self.tmux = Tmux(f"diary-year-{uuid.uuid4().hex[:8]}")
        self.server = server
        env = {
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "DIARY_LANG": "ru",
            "TEXTUAL_ANIMATIONS": "none",
            "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
            "XDG_CONFIG_HOME": str(tmp / "config"),
            "XDG_DATA_HOME": str(tmp / "data"),
            "XDG_CACHE_HOME": str(tmp / "cache"),
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "PS1": "$ ",
            "DIARY_TODAY": TODAY,
        }
        self.exports = " ".join(f"{k}='{v}'" for k, v in env.items())
        self.tmp = tmp
        self.tmux.run(
            "new-session", "-d", "-s", "diary", "-x", "100", "-y", "30",
            f"cd {tmp} && env {self.exports} bash --norc --noprofile",
        )  # fmt: skip
        self.wait("$", "the shell")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux.run("send-keys", "-t", "diary", key)
            time.sleep(0.05)

    def type(self, text: str, enter: bool = True) -> None:
        self.tmux.run("send-keys", "-t", "diary", "-l", text)
        if enter:
            self.tmux.run("send-keys", "-t", "diary", "Enter")

    def wait(self, text: str, what: str, seconds: float = 120) -> str:
        return self.tmux.wait(lambda s: text in s, what, seconds)

    def run(self, command: str, *answers: tuple[str, str], seconds: float = 180) -> str:
        """``command`` on a clear screen; each (prompt, answer) typed when the prompt shows;
        the screen once the command exits (with its exit status)."""
        self.type("clear")
        self.tmux.wait(lambda s: s.strip() == "$", "a clear screen", 30)
        self.type(f"{command}; echo RC=$?")  # the line typed shows RC=$?, the end RC=0
        for prompt, answer in answers:
            self.wait(prompt, f"{prompt!r} of {command}", seconds)
            self.type(answer)
        return self.tmux.wait(
            lambda s: re.search(r"^RC=\d+", s, re.MULTILINE) is not None,
            f"the end of {command}",
            seconds,
        )

    def admin(self, words: str, *answers: tuple[str, str]) -> str:
        screen = self.run(
            f"diary --server {self.server} --login it.admin admin {words}",
            ("Пароль", IT_PASSWORD),
            *answers,
        )
        assert "RC=0" in screen, screen
        return screen

    def app(self, login: str) -> None:
        """The app, logged in as ``login`` (the login form asks for the password)."""
        self.type("clear")
        self.tmux.wait(lambda s: s.strip() == "$", "a clear screen", 30)
        self.type(f"diary --server {self.server} --login {login}")

    def close(self) -> None:
        self.tmux.run("kill-server")


async def _child_marks(server: str) -> list[int]:
    """The marks of the registered parent's child this school year."""
    async with DiaryClient(server) as client:
        await client.login("morozova", PARENT_PASSWORD)
        me = await client.me()
        grades = await client.grades(me.children[0].id, "year")
        return [m.value for subject in grades.subjects for m in subject.marks]


async def _class_in_september(server: str) -> tuple[str, int]:
    """The child's class in the new year's first week, and the lessons of that week."""
    async with DiaryClient(server) as client:
        await client.login("morozova", PARENT_PASSWORD)
        me = await client.me()
        week = await client.week(me.children[0].id, dt.date(2027, 9, 6))
        klass = week.pupil.class_.name if week.pupil.class_ else ""
        return klass, len(week.lessons)


def test_a_school_from_nothing_to_the_next_year(tmp_path: Path) -> None:
    require(shutil.which("tmux") is not None, "tmux")
    for folder in ("config", "data", "cache"):
        (tmp_path / folder).mkdir()
    for name, text in {
        "subjects.csv": SUBJECTS,
        "classes.csv": CLASSES,
        "roster.csv": ROSTER,
        "groups.csv": GROUPS,
        "assignments.csv": ASSIGNMENTS,
        "timetable.csv": TIMETABLE,
    }.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    db_url = f"sqlite:///{tmp_path / 'school.sqlite3'}"
    server = ServerProcess(db_url, today=TODAY)
    shell: Shell | None = None
    try:
        # The school, from an empty database, and its first IT account.
        import subprocess

        made = subprocess.run(
            [str(SERVER), "init", "--db", db_url, "--school", "МБОУ «Школа № 7»",
             "--timezone", "Europe/Moscow", "--lang", "ru"],
            capture_output=True, text=True, timeout=180,
            env={**os.environ, "DIARY_LANG": "en"},
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        one_time = re.search(r"(?:password|пароль):\s+(\S+)", made.stdout)
        assert one_time is not None and "it.admin" in made.stdout, made.stdout
        server.start()
        shell = Shell(tmp_path, server.url)

        # The first command asks for a new password in place of the one-time one.
        screen = shell.run(
            f"diary --server {server.url} --login it.admin admin setup years",
            ("Пароль", one_time.group(1)),
            ("Новый пароль", IT_PASSWORD),
            ("ещё раз", IT_PASSWORD),
        )
        assert "RC=0" in screen, screen
        shell.admin("setup year add 2026/2027 01.09.2026 31.05.2027")
        shell.admin("setup period add half 1 01.09.2026 28.12.2026")
        shell.admin("setup period add half 2 12.01.2027 31.05.2027")
        shell.admin(
            "setup bell add Основное 1=08:30-09:15 2=09:25-10:10 3=10:30-11:15 --weekdays пн-пт"
        )
        for kind in ("subjects", "classes"):
            shell.admin(f"setup import {kind} {kind}.csv --apply")
        screen = shell.admin("import roster.csv")
        assert "ivanov.p" in screen or "8" in screen, screen
        for kind in ("groups", "assignments", "timetable"):
            shell.admin(f"setup import {kind} {kind}.csv --apply")
        screen = shell.admin("invite ivanov.p")
        code = re.search(r"\b([A-Z0-9]{4}(?:-[A-Z0-9]{4})+)\b", screen)
        assert code is not None, screen

        # A parent registers with the code, accepting the consent text.
        screen = shell.run(
            f"diary register --server {server.url}",
            ("код", code.group(1)),
            ("да", "да"),
            ("Имя", "Наталья"),
            ("Фамилия", "Морозова"),
            ("Логин", "morozova"),
            ("Пароль", PARENT_PASSWORD),
            ("ещё раз", PARENT_PASSWORD),
        )
        assert "RC=0" in screen, screen
        # ... and sees the child's week, the timetable's lessons in it.
        shell.app("morozova")
        shell.wait("Пароль", "the login form")
        time.sleep(0.5)
        shell.type(PARENT_PASSWORD)
        week = shell.wait("Английский язык", "the child's week")
        assert "Математика" in week and "Русский язык" in week, week

        # The teacher of the first English group marks a pupil of the group.
        shell.keys("C-q")
        shell.wait("$", "the shell again")
        screen = shell.admin("reset-password smirnova")
        teacher_one_time = re.search(r"smirnova[^\n:]*:\s*(\S+)", screen)
        assert teacher_one_time is not None, screen
        shell.app("smirnova")
        shell.wait("Пароль", "the login form")
        time.sleep(0.5)
        shell.type(teacher_one_time.group(1))
        shell.tmux.wait(
            lambda screen: "one-time" in screen or "одноразов" in screen,
            "the new password form",
            120,
        )
        time.sleep(0.5)
        shell.type(TEACHER_PASSWORD, enter=False)
        shell.keys("Tab")
        shell.type(TEACHER_PASSWORD)
        journal = shell.wait("Козлова", "the group's journal")
        assert "Иванов" in journal and "Орлов" not in journal, journal
        shell.keys("5")
        time.sleep(3)  # the mark is sent (the status line says when all is sent)
        shell.keys("C-q")
        shell.wait("$", "the shell again")
        assert asyncio.run(_child_marks(server.url)) == [5]

        # After the year: the next year set up, this one closed.
        server.close()
        server = ServerProcess(db_url, port=server.port, today=AFTER_THE_YEAR)
        server.start()
        shell.exports = shell.exports.replace(TODAY, AFTER_THE_YEAR)
        shell.type(f"export DIARY_TODAY={AFTER_THE_YEAR}")
        shell.admin("setup year add 2027/2028 01.09.2027 31.05.2028")
        shell.admin("setup period add half 1 01.09.2027 28.12.2027 --year 2027/2028")
        screen = shell.admin("year close 2026/2027 --next 2027/2028 --apply")
        assert "5А → 6А" in screen, screen
        assert asyncio.run(_class_in_september(server.url)) == ("6А", 0)

        # Last year's mark is still shown: the grades step back into its halves.
        shell.app("morozova")
        shell.wait("Пароль", "the login form")
        time.sleep(0.5)
        shell.type(PARENT_PASSWORD)
        shell.wait("Неделя", "the week")
        shell.keys("g")
        shell.wait("Английский язык", "the grades")
        shell.keys("[")  # back from the second half to the first, where the mark was given
        grades = shell.tmux.wait(
            lambda screen: re.search(r"Английский язык.*\b5\b", screen) is not None,
            "last year's mark",
            60,
        )
        assert "1 полугодие" in grades or "полугодие" in grades, grades
        # ... and its report card is last year's.
        shell.keys("k")
        card = shell.wait("2026/2027", "last year's report card")
        assert "Английский язык" in card, card
        shell.keys("Escape")
        time.sleep(1)  # a lone Esc, not the start of Alt+w
        # The new year's week: its first Monday, no lessons yet, the child in 6А.
        shell.keys("w")
        shell.wait("Неделя", "the week")
        days = (dt.date(2027, 9, 6) - dt.date.fromisoformat(AFTER_THE_YEAR)).days // 7 + 1
        for _ in range(days):
            shell.keys("]")
            time.sleep(0.1)
        september = shell.wait("Пятница, 10 сентября", "the new year's first week")
        shown = september.split("Понедельник, 6 сентября", 1)[-1]
        assert shown.count("Уроков нет") == 5, september
        shell.keys("C-q")
    finally:
        if shell is not None:
            shell.close()
        server.close()
