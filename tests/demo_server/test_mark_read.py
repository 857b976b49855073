"""``GET /marks/{mark_id}``: one mark, to whoever reads its journal, and to the pupil and
their parents while it stands; to anyone else the same 404 as for a mark that does not exist.

The mini school (``mini_school.py``): ``mark_edited`` and ``mark_removed`` are the pupil's in a
5А maths lesson of ``teacher``; ``mark_sibling`` the pupil's sibling's in 6Б maths (same teacher,
6Б led by ``teacher2``, who teaches history in 5А); ``mark_other_pupil`` another 5А pupil's.
"""

from __future__ import annotations

from typing import Any

import httpx
import msgspec
import pytest

from api_client.models import API_PREFIX, JournalMark
from tests.conftest import LoginAs

SEEN = {
    "pupil": {"mark_edited"},
    "parent": {"mark_edited", "mark_sibling"},
    "teacher": {"mark_edited", "mark_removed", "mark_sibling", "mark_other_pupil"},
    "classteacher": {"mark_edited", "mark_removed", "mark_other_pupil"},
    "teacher2": {"mark_sibling"},
    "admin": {"mark_edited", "mark_removed", "mark_sibling", "mark_other_pupil"},
}
"""Which marks each role sees; every other mark is answered as none at all."""


@pytest.fixture
def school_kind() -> str:
    return "district"


MARKS = ("mark_edited", "mark_removed", "mark_sibling", "mark_other_pupil", "far_mark")


async def _get(http: httpx.AsyncClient, headers: dict[str, str], mark_id: int) -> httpx.Response:
    return await http.get(f"{API_PREFIX}/marks/{mark_id}", headers=headers)


@pytest.mark.parametrize("role", sorted(SEEN))
async def test_a_mark_is_seen_by_its_journal_and_its_family_only(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, role: str
) -> None:
    headers = await login_as(http, role)
    none = await _get(http, headers, 999_999)
    assert none.status_code == 404
    for name in MARKS:
        answer = await _get(http, headers, demo.ids[name])
        if name in SEEN[role]:
            assert answer.status_code == 200, (role, name, answer.text)
            mark = msgspec.json.decode(answer.content, type=JournalMark)
            assert mark.id == demo.ids[name]
            assert mark.removed == (name == "mark_removed")
        else:
            assert (answer.status_code, answer.content) == (404, none.content), (role, name)


async def test_the_answer_is_the_mark_as_the_journal_has_it(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    """The value, weight, kind, comment and the version a change is based on."""
    headers = await login_as(http, "teacher")
    mark = msgspec.json.decode(
        (await _get(http, headers, demo.ids["mark_edited"])).content, type=JournalMark
    )
    assert (mark.value, mark.weight, mark.kind.value, mark.comment, mark.version) == (
        5,
        2,
        "test",
        "Молодец",
        2,
    )
    assert (mark.lesson_id, mark.pupil_id) == (demo.ids["mon1"], demo.ids["pupil"])


@pytest.mark.parametrize("role", ["it", "nurse", "authority"])
async def test_roles_that_never_see_marks_are_refused_alike(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, role: str
) -> None:
    """A role that sees no marks is refused for its role, the same for every id."""
    headers = await login_as(http, role)
    answers = {
        ((r := await _get(http, headers, i)).status_code, r.content)
        for i in (demo.ids["mark_edited"], demo.ids["far_mark"], 999_999)
    }
    assert len(answers) == 1 and next(iter(answers))[0] == 403


@pytest.mark.parametrize("mark_id", ["0", "10000000000000000000000000", "-1", "x"])
async def test_an_id_that_cannot_be_is_none(
    http: httpx.AsyncClient, login_as: LoginAs, mark_id: str
) -> None:
    answer = await http.get(f"{API_PREFIX}/marks/{mark_id}", headers=await login_as(http, "admin"))
    assert answer.status_code == 404, answer.text
