"""diary_tui.text: server text is shown, never obeyed by the terminal."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import httpx
import msgspec
import pytest

from api_client import endpoints
from api_client import models as wire
from diary_tui.text import MULTILINE_FIELDS, decode, visible, visible_all

CONTROLS = [chr(c) for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))]
BIDI = [chr(c) for c in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069)]
MARKS = ["\u200e", "\u200f", "\u061c"]
INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u2028", "\u2029", "\U000e0041", "\u180e"]


def harmless(text: str) -> bool:
    """No control, no bidi or invisible format character left."""
    import unicodedata

    return all(
        unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp") or ch in "\u200c\u200d"
        for ch in text
    )


@pytest.mark.parametrize(
    "char", CONTROLS + BIDI + MARKS + INVISIBLE, ids=lambda c: f"U+{ord(c):04X}"
)
def test_every_control_and_invisible_character_gets_a_visible_stand_in(char: str) -> None:
    shown = visible(f"a{char}b")
    assert shown.startswith("a") and shown.endswith("b")
    assert char not in shown
    assert len(shown) > 2 and harmless(shown)
    assert visible(shown) == shown


def test_c0_controls_become_their_pictures() -> None:
    assert visible("\x1b[2J\x1b]0;pwned\x07") == "␛[2J␛]0;pwned␇"
    assert visible("\x00\x7f") == "␀␡"
    assert visible("\x9b31m") == "⟨U+009B⟩31m"
    assert visible("abc\u202edcba") == "abc⟨U+202E⟩dcba"


def test_line_feeds_and_tabs_stay_only_in_long_text() -> None:
    assert visible("one\ntwo\tthree") == "one␊two␉three"
    assert visible("one\ntwo\tthree", multiline=True) == "one\ntwo\tthree"
    assert visible("one\r\ntwo\rthree", multiline=True) == "one\ntwo␍three"
    assert visible("one\r\ntwo", multiline=False) == "one␍␊two"
    assert visible("\x1b[31mred\n", multiline=True) == "␛[31mred\n"


def test_ordinary_text_is_the_same_object() -> None:
    for text in ("", "Иванов Пётр", "[red]x[/red]", "5А", "👨\u200d👩\u200d👧", "مرحبا\u200c"):
        assert visible(text) is text
        assert visible(text, multiline=True) is text


def test_stand_ins_are_idempotent() -> None:
    nasty = "".join(CONTROLS + BIDI + MARKS + INVISIBLE)
    for multiline in (False, True):
        once = visible(nasty, multiline=multiline)
        assert visible(once, multiline=multiline) == once
        assert harmless(once.replace("\n", "").replace("\t", ""))


def test_a_decoded_answer_is_cleaned_in_every_string_field() -> None:
    body = wire.encode(
        wire.Thread(
            id=7,
            subject="\x1b]0;pwned\x07Subject",
            participants=[],
            pupil=wire.PupilRef(
                id=1,
                first_name="Ann\u202eeva",
                last_name="Petrova",
                class_=wire.ClassRef(id=1, name="5\x9bА", grade=5, letter="\x9bА"),
            ),
            messages=[
                wire.ThreadMessage(
                    id=1,
                    author_id=2,
                    author="T\x1b[8m",
                    sent_at=dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC),
                    body="line one\nline\x1b[2J two",
                )
            ],
        )
    )
    thread = decode(body, wire.Thread)
    assert thread.subject == "␛]0;pwned␇Subject"
    assert thread.pupil is not None and thread.pupil.first_name == "Ann⟨U+202E⟩eva"
    assert thread.pupil.class_ is not None and thread.pupil.class_.name == "5⟨U+009B⟩А"
    message = thread.messages[0]
    assert message.author == "T␛[8m"
    assert message.body == "line one\nline␛[2J two"  # a body keeps its lines
    assert message.sent_at == dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
    assert decode(wire.encode(thread), wire.Thread) == thread


def test_machine_fields_and_enums_are_untouched() -> None:
    me = wire.Me(
        id=3,
        login="ivanova.m",
        first_name="Мария",
        last_name="Иванова",
        role=wire.Role.PARENT,
        school=wire.SchoolInfo(id=1, name="Школа № 5"),
    )
    same = visible_all(me)
    assert same is me and same.role is wire.Role.PARENT and same.login == "ivanova.m"
    page = wire.ChangeFeed(changes=[], next="c:123-abc_DEF", more=False)
    assert visible_all(page).next == "c:123-abc_DEF"


def test_plain_json_data_is_cleaned_with_its_keys_as_field_names() -> None:
    current = msgspec.json.decode(
        b'{"comment":"a\\nb\\u001b","name":"x\\ny","items":[["\\u202e"]]}'
    )
    cleaned = visible_all(current)
    assert cleaned == {"comment": "a\nb␛", "name": "x␊y", "items": [["⟨U+202E⟩"]]}


def test_multiline_fields_are_the_long_texts() -> None:
    assert {"body", "text", "comment", "note"} <= MULTILINE_FIELDS
    assert not {"name", "subject", "title", "login", "room"} & MULTILINE_FIELDS


# -- where server text enters the client --------------------------------------------------

HOSTILE = "\x1b]0;pwned\x07\x1b[2J\u202e"
SHOWN = "␛]0;pwned␇␛[2J⟨U+202E⟩"


def me_json(last_name: str) -> dict[str, object]:
    return {
        "id": 3,
        "login": "parent",
        "first_name": "Мария",
        "last_name": last_name,
        "role": "parent",
        "school": {"id": 1, "name": "Школа"},
    }


async def test_the_client_decodes_every_answer_and_its_cached_copy_as_visible_text() -> None:
    from api_client.client import DiaryClient

    answers = [
        httpx.Response(200, json=me_json(HOSTILE), headers={"ETag": '"1"'}),
        httpx.Response(304, headers={"ETag": '"1"'}),
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    transport = httpx.MockTransport(answer)
    async with DiaryClient("http://school.invalid", transport=transport, decode=decode) as c:
        c._access_token, c._access_expires = "token", float("inf")
        fresh = await c.me()
        again = await c.me()  # 304: from the cache, which keeps the server's bytes
        cached = c.cached(endpoints.me())
    assert fresh.last_name == again.last_name == SHOWN
    assert cached is not None and cached.last_name == SHOWN


async def test_problem_details_reason_phrases_and_conflicts_are_visible_text() -> None:
    from api_client.client import DiaryClient
    from api_client.errors import Conflict, InvalidRequest

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/users/1"):
            problem = {
                "title": "Conflict",
                "status": 409,
                "detail": f"Changed by {HOSTILE}",
                "current": {"id": 1, "login": "x", "last_name": HOSTILE, "comment": "a\nb\x1b"},
            }
            return httpx.Response(409, json=problem)
        return httpx.Response(400, extensions={"reason_phrase": b"Bad \x1b[2J"})

    transport = httpx.MockTransport(answer)
    async with DiaryClient("http://school.invalid", transport=transport, decode=decode) as c:
        c._access_token, c._access_expires = "token", float("inf")
        with pytest.raises(Conflict) as conflict:
            await c.update_user(1, wire.UserUpdate(version=1, locked=True))
        with pytest.raises(InvalidRequest) as refused:
            await c.classes()
    assert conflict.value.message == f"Changed by {SHOWN}"
    current = conflict.value.current_as(dict[str, object])
    assert current == {"id": 1, "login": "x", "last_name": SHOWN, "comment": "a\nb␛"}
    assert refused.value.message == "The server answered 400 Bad ␛[2J."


async def test_change_events_from_the_stream_are_visible_text() -> None:
    from api_client.client import DiaryClient

    item = wire.ChangeItem(
        cursor="c1",
        at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        kind="message.new",
        entity_id=1,
        actor=HOSTILE,
        payload={"subject": HOSTILE, "body": "hi\n" + HOSTILE},
    )

    async def lines() -> AsyncIterator[str]:
        for line in ("event: change", "data: " + wire.encode(item).decode(), ""):
            yield line

    async with DiaryClient("http://school.invalid", decode=decode) as client:
        got = [change async for change in client._events(lines())]
    assert got[0].actor == SHOWN and got[0].cursor == "c1"
    assert got[0].payload == {"subject": SHOWN, "body": "hi\n" + SHOWN}


def test_the_store_copy_of_an_answer_is_read_as_visible_text() -> None:
    from api_client.cache import cache_key
    from diary_tui.data import DiaryData
    from diary_tui.store import Store

    data = DiaryData()
    data.store = Store.open_for("http://school.invalid", "parent")
    try:
        data.store.put(cache_key("/me", None), '"1"', msgspec.json.encode(me_json(HOSTILE)))
        me = data.cached_me()
    finally:
        data.store.close()
    assert me is not None and me.last_name == SHOWN


def test_errors_are_described_in_visible_text() -> None:
    from api_client.errors import NotFound
    from diary_tui.data import describe_error

    assert describe_error(NotFound(HOSTILE)) == f"Not found: {SHOWN}"
    assert describe_error(ValueError("no class 5\x1b[K")) == "no class 5␛[K"


def test_a_plain_answer_is_not_walked() -> None:
    """The fast path: JSON with no escape and no invisible character is decoded as it is."""
    body = msgspec.json.encode(me_json("Иванова"))
    assert decode(body, wire.Me).last_name == "Иванова"
    from diary_tui.text import _SUSPECT

    assert _SUSPECT.search(body) is None
    assert _SUSPECT.search(msgspec.json.encode(me_json("a\u202e"))) is not None
    assert _SUSPECT.search(msgspec.json.encode(me_json("a\x1b"))) is not None
