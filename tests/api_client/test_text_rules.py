"""The contract's rules for text a person types, as a client form says them before sending."""

from __future__ import annotations

import pytest

from api_client.models import NAME_MAX_LENGTH, text_refusal
from diary_tui.data import DiaryData


@pytest.mark.parametrize(
    ("value", "one_line", "words"),
    [
        ("Анна", True, None),
        ("two\nlines", False, None),
        ("tab\tand\nline", False, None),
        ("two\nlines", True, "line breaks, tabs or other control characters"),
        ("bell\x07", False, "invisible control characters"),
        ("flip\u202e", False, "invisible control characters"),
        ("x" * (NAME_MAX_LENGTH + 1), True, "101 characters long; at most 100 fit"),
    ],
)
def test_text_refusal(value: str, one_line: bool, words: str | None) -> None:
    refusal = text_refusal(value, "name", NAME_MAX_LENGTH, one_line=one_line)
    assert (refusal is None) if words is None else (refusal is not None and words in refusal)


def test_a_message_is_checked_as_the_server_checks_it() -> None:
    assert DiaryData.check_message("  Line 1\n\tLine 2\n") == "Line 1\n\tLine 2"
    with pytest.raises(ValueError, match="control characters"):
        DiaryData.check_message("Hello \x1b[2J")
    with pytest.raises(ValueError, match="one line"):
        DiaryData.check_message("Two\nlines", "subject", 200, one_line=True)
    with pytest.raises(ValueError, match="control characters"):
        DiaryData.check_message("Sub\tject", "subject", 200, one_line=True)
