"""What's new and the live notices say blog changes in words, in both languages; a write
waiting in the outbox is counted as a blog post or comment."""

from __future__ import annotations

import datetime as dt

from api_client import i18n
from api_client.models import ChangeItem
from diary_tui.notify import describe, group_of
from diary_tui.sync import _kinds

AT = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def change(kind: str, payload: dict[str, object], actor: str = "Ольга Петровна") -> ChangeItem:
    return ChangeItem(
        cursor="1", kind=kind, at=AT, entity_id=7, actor=actor, actor_id=3, payload=payload
    )


def test_blog_changes_are_said_in_words_in_both_languages() -> None:
    new = change("blog.new", {"title": "Экскурсия", "class": "5А"})
    school = change("blog.new", {"title": "День открытых дверей", "class": None})
    changed = change("blog.changed", {"title": "Экскурсия", "class": "5А"})
    hidden = change("blog.changed", {"class": "5А"})
    comment = change("blog.comment", {"title": "Экскурсия"}, actor="Мария Иванова")
    assert group_of("blog.new") == "blogs"
    with i18n.using("en"):
        assert describe(new) == "New post in 5А's blog: Экскурсия"
        assert describe(school) == "New post in the school blog: День открытых дверей"
        assert describe(changed) == "A post in 5А's blog changed: Экскурсия"
        assert describe(hidden) == "A post in 5А's blog changed"
        assert describe(comment) == "Мария Иванова commented on your blog post: Экскурсия"
        assert _kinds(["blog.post", "blog.comment", "blog.comment"]) == (
            "1 blog post, 2 blog comments"
        )
    with i18n.using("ru"):
        assert describe(new) == "Новая запись в блоге 5А: Экскурсия"
        assert describe(school) == "Новая запись в блоге школы: День открытых дверей"
        assert describe(hidden) == "Запись в блоге 5А изменена"
        assert describe(comment).startswith("Мария Иванова прокомментировал")
        assert _kinds(["blog.post"]) == "1 запись в блоге"
