"""A real terminal: ``diary demo`` in the language of the locale, with no ``--lang`` and no
``DIARY_LANG``; the grades opened with ``g`` and with ``п``, the key in the same place on the
Russian ЙЦУКЕН layout."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.common import FROZEN_TODAY
from tests.services import require

ROOT = Path(__file__).resolve().parents[2]
DIARY = Path(sys.executable).parent / "diary"

pytestmark = pytest.mark.tmux

WORDS: dict[str, dict[str, Any]] = {
    "ru": {
        "chooser": "Выберите, кем войти",
        "week": "Неделя",
        "grades": "Оценки",
        "period": "период",  # [ and ] of a screen by period: Пред. период, След. период
        "english": ("Choose who to be", " Week ", " Grades "),
        "grades_key": "п",
        "week_key": "ц",
    },
    "en": {
        "chooser": "Choose who to be",
        "week": "Week",
        "grades": "Grades",
        "period": "period",
        "english": (),
        "grades_key": "g",
        "week_key": "w",
    },
}


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket

    def run(self, *args: str) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=20
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "diary", *keys)

    def wait(self, condition: Callable[[str], bool], what: str, seconds: float = 90) -> str:
        deadline = time.monotonic() + seconds
        while True:
            text = self.run("capture-pane", "-p", "-t", "diary")
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {seconds:.0f} s for {what}; the screen:\n{text}")
            time.sleep(0.2)


def week_shown(screen: str) -> bool:
    return "(1/2" in screen and re.search(r"\d\d:\d\d–\d\d:\d\d", screen) is not None


def grades_shown(screen: str, words: dict[str, Any]) -> bool:
    """The grades: a screen by period (its footer steps the periods), not the week."""
    return str(words["period"]) in screen and re.search(r"\d\d:\d\d–\d\d:\d\d", screen) is None


@pytest.mark.parametrize(("locale", "lang"), [("ru_RU.UTF-8", "ru"), ("en_GB.UTF-8", "en")])
def test_demo_speaks_the_locales_language_and_keys_work_in_both_layouts(
    tmp_path: Path, locale: str, lang: str
) -> None:
    require(shutil.which("tmux") is not None, "tmux")
    assert DIARY.exists(), f"the diary command is not installed at {DIARY}"
    words = WORDS[lang]
    exit_file = tmp_path / "exit"
    tmux = Tmux(f"diary-lang-{uuid.uuid4().hex[:8]}")
    # The locale names the language (LANG); LC_CTYPE keeps the terminal's UTF-8 whatever
    # locales the machine has installed. No --lang, no DIARY_LANG, no config file.
    env = (
        f"env -u DIARY_LANG -u LC_ALL -u LC_MESSAGES LANG={locale} LC_CTYPE=C.UTF-8 "
        f"TEXTUAL_ANIMATIONS=none XDG_CONFIG_HOME={tmp_path}/c XDG_DATA_HOME={tmp_path}/d "
        f"XDG_CACHE_HOME={tmp_path}/k PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring "
        f"DIARY_TODAY={FROZEN_TODAY}"
    )
    command = f"cd {ROOT} && {env} {DIARY} demo; echo EXIT=$? > {exit_file}; sleep 60"
    try:
        tmux.run("new-session", "-d", "-s", "diary", "-x", "120", "-y", "32", command)
        chooser = tmux.wait(lambda s: str(words["chooser"]) in s, "the demo chooser")
        for english in words["english"]:
            assert english not in chooser, chooser
        tmux.keys("Enter")  # the parent is the first account
        week = tmux.wait(week_shown, "the parent's week")
        bar = week.splitlines()[0]
        assert str(words["week"]) in bar, week
        for english in words["english"]:
            assert english not in bar, bar
        for key in ("g", str(words["grades_key"])):
            tmux.keys(key)
            tmux.wait(lambda s: grades_shown(s, words), f"the grades opened with {key}")
            tmux.keys(str(words["week_key"]))
            tmux.wait(week_shown, "the week again")
        tmux.keys("q")
        deadline = time.monotonic() + 30
        while not exit_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert exit_file.read_text().strip() == "EXIT=0"
    finally:
        tmux.run("kill-server")
