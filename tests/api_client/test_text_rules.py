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


def test_a_refusal_of_typed_text_is_said_in_the_language_in_force() -> None:
    from api_client.i18n import N_, using
    from diary_tui.data import Unfit

    with using("ru"), pytest.raises(Unfit) as empty:
        DiaryData.check_message("  ", N_("comment"), field="body")
    assert str(empty.value) == "Поле «комментарий» пустое: сначала напишите текст."
    assert empty.value.field == "body"
    with using("ru"), pytest.raises(Unfit, match="в одну строку"):
        DiaryData.check_message("Две\nстроки", N_("title"), 200, one_line=True)
    with using("ru"), pytest.raises(Unfit, match="управляющие символы"):
        DiaryData.check_message("Звонок\x07", N_("text"))
    with using("en"), pytest.raises(Unfit, match="The title is 201 characters long"):
        DiaryData.check_message("x" * 201, N_("title"), 200, one_line=True)
