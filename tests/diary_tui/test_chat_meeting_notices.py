"""The class chat's and meeting answers' notifications: their groups, their words in both
languages, and no pop-up for what the screen on top shows already."""

from __future__ import annotations

import datetime as dt

from api_client import i18n
from api_client.models import ChangeItem
from diary_tui.config import NOTIFICATION_GROUPS, Notifications
from diary_tui.notify import announce, describe, group_of

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
NOON = dt.datetime(2026, 11, 25, 12, 0)


def item(kind: str, payload: dict[str, object], class_id: int = 7) -> ChangeItem:
    return ChangeItem(cursor="1", at=AT, kind=kind, entity_id=1, payload=payload, class_id=class_id)


CHAT = item("chat.message", {"author": "Петров Пётр"})
ANSWER = item(
    "event.answer",
    {
        "parent_last_name": "Иванова",
        "parent": "Иванова Анна",
        "coming": True,
        "date": "2026-12-10",
        "title": "Собрание",
    },
)


def test_the_chat_has_a_group_on_by_default_and_answers_are_events() -> None:
    assert "chat" in NOTIFICATION_GROUPS and Notifications().enabled("chat")
    assert group_of("chat.message") == "chat" and group_of("chat.closed") == "chat"
    assert group_of("chat.hidden") == "" and group_of("chat.shown") == ""
    assert group_of("event.answer") == "events"
    assert announce([CHAT], Notifications(chat=False), None, NOON).lines == []


def test_an_answer_is_said_with_the_parent_and_the_day() -> None:
    with i18n.using("ru"):
        assert describe(ANSWER) == "Иванова: придёт на собрание 10.12"
        refusal = item(
            "event.answer", {"parent": "Иванова Анна", "coming": False, "comment": "на работе"}
        )
        assert describe(refusal) == "Иванова Анна: не придёт на собрание (на работе)"
    with i18n.using("en"):
        assert describe(ANSWER) == "Иванова: will come to the meeting 10.12"


def test_what_the_open_chat_shows_does_not_pop_up() -> None:
    def open_on_7(change: ChangeItem) -> bool:
        return change.kind.startswith("chat.") and change.class_id == 7

    with i18n.using("ru"):
        said = announce([CHAT, ANSWER], Notifications(), None, NOON).lines
        assert said == ["Чат класса: сообщение от Петров Пётр", describe(ANSWER)]
        assert announce([CHAT, ANSWER], Notifications(), None, NOON, shown=open_on_7).lines == [
            describe(ANSWER)
        ]
        elsewhere = item("chat.message", {"author": "Петров Пётр"}, class_id=8)
        assert announce([elsewhere], Notifications(), None, NOON, shown=open_on_7).lines
