"""The words of the set-up that the screen and ``diary admin setup`` read alike."""

from __future__ import annotations

import argparse

import pytest

from api_client.setup_files import bell_of, bells_of
from diary_tui.setup_cli import bell
from screens.setup import parse_bells


def test_bells_as_typed_in_the_screen_and_the_command_line() -> None:
    assert bell_of("1=8:30-9:15") == (1, "08:30", "09:15")
    assert bell_of(" 2 = 09.25 - 10.10 ") == (2, "09:25", "10:10")
    # The screen's box takes several, with spaces or commas, spaces around = and - too, and
    # writes the times as the server takes them (08:30, not 8.30).
    assert bells_of("1=8.30-9.15, 2 = 09:25 - 10:10") == [
        (1, "08:30", "09:15"),
        (2, "09:25", "10:10"),
    ]
    bells = parse_bells("1=8:30-9:15 2=9:25-10:10")
    assert [(b.number, b.start, b.end) for b in bells] == [
        (1, "08:30", "09:15"),
        (2, "09:25", "10:10"),
    ]


def test_a_wrong_bell_is_refused_in_the_same_words_everywhere() -> None:
    words = (
        r"'08:30-09:15' is not a bell: write the lesson's number and its times, like 1=08:30-09:15"
    )
    with pytest.raises(ValueError, match=words):
        bell_of("08:30-09:15")
    with pytest.raises(ValueError, match=words):
        parse_bells("1=08:00-08:40 08:30-09:15")
    with pytest.raises(argparse.ArgumentTypeError, match=words):
        bell("08:30-09:15")
    with pytest.raises(ValueError, match="give at least one bell"):
        parse_bells(" , ")
    for odd in ("1=8:30", "x=08:30-09:15", "1=08:30-09:15-10:00", "123=08:30-09:15"):
        with pytest.raises(ValueError, match="is not a bell"):
            bells_of(odd)
