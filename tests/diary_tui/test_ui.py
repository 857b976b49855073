"""diary_tui.ui: the screen kit's shared helpers."""

from __future__ import annotations

import datetime as dt

import pytest

from diary_tui.ui import parse_day


def test_a_typed_day_is_read_with_spaces_around() -> None:
    assert parse_day(" 2026-11-30 ", "first") == dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("30.11.2026", dt.date(2026, 11, 30)),
        ("01.11.2026", dt.date(2026, 11, 1)),
        ("1.11.2026", dt.date(2026, 11, 1)),
        ("1/11/2026", dt.date(2026, 11, 1)),
        (" 2026-11-01 ", dt.date(2026, 11, 1)),
    ],
)
def test_a_day_is_read_as_people_write_it(typed: str, day: dt.date) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize(
    ("what", "said"),
    [
        ("first", "The first day: '30.13.2026' is not a day of the calendar."),
        ("last", "The last day: '30.13.2026' is not a day of the calendar."),
        ("", "'30.13.2026' is not a day of the calendar."),
    ],
)
def test_every_form_says_the_same_about_a_day_written_wrong(what: str, said: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_day("30.13.2026", what)
    assert str(caught.value) == said


def test_a_day_that_is_no_date_says_how_to_write_one() -> None:
    with pytest.raises(ValueError, match=r"like 25\.11\.2026 or 2026-11-25"):
        parse_day("tomorrow")
