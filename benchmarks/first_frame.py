"""First frame: ``diary`` opening on the week screen, against a minimal Textual app.

Both run in the same tmux server, one after the other, ten times each (interleaved), and the
time is measured from the launch of the command to the moment ``tmux capture-pane`` first
shows the screen's content: for ``diary``, a remembered login (the refresh token in a real
Secret Service keyring) opening straight on a screen (``--open``: the parent's week, grades,
homework, messages and news; the teacher's journal), painted from the local store; for the
baseline, a Textual app with a Header, a DataTable of lessons and a Footer.

    uv run python -m benchmarks.first_frame [--runs 10] [--screens grades,journal] [--lang ru]

It needs tmux, dbus-run-session and gnome-keyring-daemon (it starts a private D-Bus session
with an unlocked keyring and a throwaway HOME, as CI does). Both apps run from bytecode
cached in that HOME by the warm-up runs (as an installed program would), even where the
environment says not to write bytecode. Target (issue 2): the ratio of the medians at most
1.3. ``--lang`` opens the diary in that language (``diary --lang``; the catalog is compiled by
the warm-up run into the cache, as on a user's first start); without it, the diary speaks the
environment's language, English here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, init_demo, median, running_server

SCREENS = ("week", "grades", "homework", "messages", "news", "journal")
"""The screens measured (the parent's five, the teacher's journal)."""

MINIMAL_APP = """
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

ROWS = [(str(n), f"{8 + n}:30", subject, "204", "5")
        for n, subject in enumerate(["Математика", "Русский язык", "История", "Физика",
                                     "Биология", "Английский язык", "Литература"], 1)]


class Minimal(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "time", "subject", "room", "marks")
        table.add_rows(ROWS)


Minimal().run()
"""


def tmux(socket: str, *args: str) -> str:
    return subprocess.run(
        ["tmux", "-L", socket, *args], check=True, capture_output=True, text=True
    ).stdout


def time_to_text(socket: str, command: str, needle: str, timeout: float = 30.0) -> float:
    """Seconds from launching ``command`` in the pane to ``needle`` appearing on it."""
    started = time.perf_counter()
    tmux(socket, "respawn-pane", "-k", "-t", "bench", command)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if needle in tmux(socket, "capture-pane", "-p", "-t", "bench"):
            elapsed = time.perf_counter() - started
            tmux(socket, "send-keys", "-t", "bench", "C-q")
            return elapsed
        time.sleep(0.003)
    screen = tmux(socket, "capture-pane", "-p", "-t", "bench")
    raise TimeoutError(f"{needle!r} did not appear within {timeout} s:\n{screen}")


async def remember(server: str, login: str) -> dict[str, str]:
    """Log in as a demo account with "remember me"; for each screen measured, a text only its
    painted data shows (the screens' own first run stores that data locally)."""
    from api_client import endpoints
    from diary_tui.credentials import Credentials
    from diary_tui.data import DiaryData

    data = DiaryData(credentials=Credentials())
    ok, why = await data.keyring_status()
    if not ok:
        raise SystemExit(f"the keyring does not work here: {why}")
    me = await data.login(server, login, "demo", remember=True)
    needles: dict[str, str] = {}
    child = data.child
    if child is not None:
        week = await data.load(endpoints.week(child.id, data.today()))
        lesson = next(iter(week.lessons), None)
        if lesson is not None:
            needles["week"] = f"{lesson.start}–{lesson.end}"
        grades = await data.load(endpoints.grades(child.id))
        if grades.subjects:
            needles["grades"] = grades.subjects[0].subject.name[:10]
        homework = await data.load(endpoints.homework(child.id))
        if homework.items:
            needles["homework"] = homework.items[0].subject.name[:10]
        threads = await data.load(endpoints.threads())
        if threads.threads:
            needles["messages"] = threads.threads[0].subject[:12]
        news = await data.load(endpoints.announcements(child.id))
        if news.announcements:
            needles["news"] = news.announcements[0].title[:12]
    elif me.teaching:
        first = me.teaching[0]
        journal = await data.load(endpoints.journal(first.class_.id, first.subject.id))
        if journal.pupils:
            needles["journal"] = journal.pupils[0].last_name
    await data.close()
    return needles


def inner(runs: int, screens: frozenset[str] | None = None, lang: str | None = None) -> None:
    with tempfile.TemporaryDirectory(prefix="diary-frame-") as folder:
        db_url = f"sqlite:///{Path(folder) / 'school.sqlite3'}"
        init_demo(db_url, size="small")
        minimal = Path(folder) / "minimal.py"
        minimal.write_text(MINIMAL_APP, encoding="utf-8")
        results: list[tuple[str, float, float]] = []
        with running_server(db_url) as server:
            targets = [
                ("parent", asyncio.run(remember(server, "parent"))),
                ("teacher", asyncio.run(remember(server, "teacher"))),
            ]
            socket = f"frame{os.getpid()}"
            python = sys.executable
            baseline = f"{python} {minimal}"
            tmux(
                socket,
                "new-session",
                "-d",
                "-s",
                "bench",
                "-x",
                "100",
                "-y",
                "30",
                "-c",
                str(ROOT),
                "sleep 1",
            )
            tmux(socket, "set-option", "-t", "bench", "remain-on-exit", "on")
            try:
                for login, needles in targets:
                    for screen, needle in needles.items():
                        if screens is not None and screen not in screens:
                            continue
                        diary = (
                            f"{python} -m diary_tui.cli --server {server} --login {login} "
                            f"--open {screen}"
                        )
                        if lang is not None:
                            diary += f" --lang {lang}"
                        # One warm-up each: the screen's first run stores what it shows, and
                        # the first start pays for cold disk caches.
                        time_to_text(socket, diary, needle)
                        time_to_text(socket, baseline, "Математика")
                        diary_times: list[float] = []
                        base_times: list[float] = []
                        for _ in range(runs):
                            diary_times.append(time_to_text(socket, diary, needle))
                            base_times.append(time_to_text(socket, baseline, "Математика"))
                        results.append(
                            (f"{screen} ({login})", median(diary_times), median(base_times))
                        )
            finally:
                subprocess.run(["tmux", "-L", socket, "kill-server"], check=False)
    said = f", in {lang}" if lang is not None else ""
    print(f"first frame from the local store, median of {runs} (ms){said}")
    print(f"{'screen':<24}{'diary':>10}{'minimal app':>14}{'ratio':>8}")
    for label, d, b in results:
        print(f"{label:<24}{d * 1000:>10.0f}{b * 1000:>14.0f}{d / b:>8.2f}")
    print("target: ratio at most 1.3")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument(
        "--screens",
        metavar="NAMES",
        help=f"measure only these screens, comma-separated (of {', '.join(SCREENS)})",
    )
    parser.add_argument(
        "--lang", choices=("ru", "en"), help="open the diary in this language (diary --lang)"
    )
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    screens = None
    if args.screens:
        screens = frozenset(name.strip() for name in args.screens.split(",") if name.strip())
        unknown = sorted(screens - set(SCREENS))
        if unknown:
            parser.error(f"no such screen: {', '.join(unknown)}; choose of {', '.join(SCREENS)}")
    if args.inner:
        inner(args.runs, screens, args.lang)
        return
    missing = [
        t for t in ("tmux", "dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)
    ]
    if missing:
        print(f"skipped: {', '.join(missing)} not installed")
        return
    home = tempfile.mkdtemp(prefix="diary-frame-home-")
    env = dict(
        os.environ,
        HOME=home,
        XDG_CONFIG_HOME=f"{home}/.config",
        XDG_DATA_HOME=f"{home}/.local/share",
        XDG_CACHE_HOME=f"{home}/.cache",
        XDG_RUNTIME_DIR=home,
        # Both apps start as an installed program does, from compiled bytecode (the warm-up
        # run writes it), not from source compiled anew at every launch.
        PYTHONPYCACHEPREFIX=f"{home}/pycache",
    )
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    script = (
        "printf demo-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
        f"exec {sys.executable} -m benchmarks.first_frame --inner --runs {args.runs}"
    )
    if screens is not None:
        script += f" --screens {','.join(sorted(screens))}"
    if args.lang is not None:
        script += f" --lang {args.lang}"
    try:
        subprocess.run(
            ["dbus-run-session", "--", "sh", "-c", script], env=env, cwd=ROOT, check=True
        )
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
