"""diary_tui.ui: the screen kit's shared helpers."""

from __future__ import annotations

import datetime as dt

import pytest

from diary_tui.ui import parse_day


def test_a_typed_day_is_read_with_spaces_around() -> None:
    assert parse_day(" 2026-11-30 ", "first") == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("what", "said"),
    [
        ("first", "The first day must be written YYYY-MM-DD, like 2026-11-25."),
        ("last", "The last day must be written YYYY-MM-DD, like 2026-11-25."),
        ("", "The day must be written YYYY-MM-DD, like 2026-11-25."),
    ],
)
def test_every_form_says_the_same_about_a_day_written_wrong(what: str, said: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_day("30.11.2026", what)
    assert str(caught.value) == said
