"""What a user may type as the server's address."""

from __future__ import annotations

import pytest

from diary_tui.data import normalize_server


@pytest.mark.parametrize(
    ("typed", "base"),
    [
        ("diary.school.org", "https://diary.school.org"),
        ("  https://diary.school.org/ ", "https://diary.school.org"),
        ("localhost:8000", "http://localhost:8000"),
        ("127.0.0.1:8741", "http://127.0.0.1:8741"),
        # what diary-server prints when it starts: the API's prefix is the client's to add
        ("http://127.0.0.1:8741/api/v1", "http://127.0.0.1:8741"),
        ("https://city.edu/school12/api/v1/", "https://city.edu/school12"),
    ],
)
def test_an_address_becomes_the_base_url(typed: str, base: str) -> None:
    assert normalize_server(typed) == base


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "Enter the address"),
        ("ftp://diary.school.org", "is not a server address"),
        ("http://diary.school.org:99999", "is not a server address"),
    ],
)
def test_a_hopeless_address_is_refused_in_plain_words(typed: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        normalize_server(typed)
