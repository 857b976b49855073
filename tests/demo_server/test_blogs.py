"""Teacher blogs over the hand-made school: who reads which post, comments, moderation,
versions, the audit log and the change feed."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api_client.models import BlogComment, BlogPostItem, BlogPostPage, BlogPosts, Problem, decode
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import AuditRecord, Change
from demo_server.schema import BlogComment as CommentRow
from tests.conftest import LoginAs

API = "/api/v1"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def posts(http: httpx.AsyncClient, headers: dict[str, str]) -> BlogPosts:
    response = await http.get(f"{API}/blogs", headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, BlogPosts)


async def page(http: httpx.AsyncClient, headers: dict[str, str], post_id: int) -> BlogPostPage:
    response = await http.get(f"{API}/blogs/{post_id}", headers=headers)
    assert response.status_code == 200, response.text
    return decode(response.content, BlogPostPage)


async def write(
    http: httpx.AsyncClient, headers: dict[str, str], method: str, path: str, body: Any
) -> httpx.Response:
    return await http.request(method, f"{API}{path}", json=body, headers={**headers, **key()})


async def test_who_reads_which_post(http: httpx.AsyncClient, login_as: LoginAs, demo: Any) -> None:
    seen = {
        login: [p.title for p in (await posts(http, await login_as(http, login))).posts]
        for login in ("parent", "pupil", "teacher", "teacher2", "admin")
    }
    # Newest first; 7В's only for its teacher; the hidden post only for its author and admin.
    assert seen["pupil"] == ["Музей истории", "Олимпиада по математике"]
    assert seen["parent"] == ["Музей истории", "Олимпиада по математике"]
    assert seen["teacher"] == ["Музей истории", "Олимпиада по математике"]
    assert seen["teacher2"] == [
        "Музей истории",
        "Проекты 7В",
        "Олимпиада по математике",
        "Скрытый пост",
    ]
    assert seen["admin"] == seen["teacher2"]
    for login in ("it", "nurse", "authority"):
        answer = await http.get(f"{API}/blogs", headers=await login_as(http, login))
        assert answer.status_code == 403


async def test_a_post_not_for_you_is_not_found(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    pupil = await login_as(http, "pupil")
    missing = await http.get(f"{API}/blogs/999999", headers=pupil)
    for name in ("post_7v", "post_hidden"):
        answer = await http.get(f"{API}/blogs/{demo.ids[name]}", headers=pupil)
        assert (answer.status_code, answer.content) == (404, missing.content)


async def test_hidden_comments_only_for_author_and_administration(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    post_id = demo.ids["post"]
    for login, bodies in (
        ("pupil", ["Спасибо, запишемся."]),
        ("parent", ["Спасибо, запишемся."]),
        ("teacher2", ["Спасибо, запишемся."]),
        ("teacher", ["Спасибо, запишемся.", "Скучно"]),
        ("admin", ["Спасибо, запишемся.", "Скучно"]),
    ):
        shown = await page(http, await login_as(http, login), post_id)
        assert [c.body for c in shown.comments] == bodies, login
        assert shown.post.comments == len(bodies)
    listed = (await posts(http, await login_as(http, "pupil"))).posts
    assert {p.title: p.comments for p in listed}["Олимпиада по математике"] == 1


async def test_teacher_writes_for_a_class_they_teach(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    teacher = await login_as(http, "teacher")
    ids = demo.ids
    answer = await write(
        http,
        teacher,
        "POST",
        "/blogs",
        {"title": "Контрольная", "body": "В пятницу", "class_id": ids["c6b"]},
    )
    assert answer.status_code == 201, answer.text
    item = decode(answer.content, BlogPostItem)
    assert item.class_ is not None and item.class_.name == "6Б" and item.may_edit
    refused = await write(
        http, teacher, "POST", "/blogs", {"title": "Т", "body": "Т", "class_id": ids["c7v"]}
    )
    assert refused.status_code == 422
    assert decode(refused.content, Problem).field == "class_id"
    blank = await write(http, teacher, "POST", "/blogs", {"title": "  ", "body": "Т"})
    assert blank.status_code == 422 and decode(blank.content, Problem).field == "title"
    for login in ("parent", "pupil", "admin"):
        answer = await write(
            http, await login_as(http, login), "POST", "/blogs", {"title": "Т", "body": "Т"}
        )
        assert answer.status_code == 403, login
    # The parent of the 6Б child reads it; the change feed carried it to the class.
    titles = [p.title for p in (await posts(http, await login_as(http, "parent"))).posts]
    assert titles[0] == "Контрольная"


async def test_comments_open_closed_and_moderated(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    post_id = demo.ids["post"]
    parent, teacher = await login_as(http, "parent"), await login_as(http, "teacher")
    said = await write(http, parent, "POST", f"/blogs/{post_id}/comments", {"body": "Вопрос?"})
    assert said.status_code == 201, said.text
    comment = decode(said.content, BlogComment)
    # Someone else may not hide it; the author of the post may.
    stranger = await write(
        http,
        await login_as(http, "teacher2"),
        "POST",
        f"/blogs/{post_id}/comments/{comment.id}/visibility",
        {"version": comment.version, "hidden": True},
    )
    assert stranger.status_code == 403
    hidden = await write(
        http,
        teacher,
        "POST",
        f"/blogs/{post_id}/comments/{comment.id}/visibility",
        {"version": comment.version, "hidden": True, "reason": "не по теме"},
    )
    assert hidden.status_code == 200, hidden.text
    assert decode(hidden.content, BlogComment).hidden
    stale = await write(
        http,
        teacher,
        "POST",
        f"/blogs/{post_id}/comments/{comment.id}/visibility",
        {"version": comment.version, "hidden": False},
    )
    assert stale.status_code == 409
    assert "Вопрос?" not in [c.body for c in (await page(http, parent, post_id)).comments]
    # The author closes comments, with the version they saw; a stale version is refused.
    version = (await page(http, teacher, post_id)).post.version
    closed = await write(
        http, teacher, "PATCH", f"/blogs/{post_id}", {"version": version, "comments_closed": True}
    )
    assert closed.status_code == 200, closed.text
    assert decode(closed.content, BlogPostItem).comments_closed
    again = await write(
        http, teacher, "PATCH", f"/blogs/{post_id}", {"version": version, "title": "Новое"}
    )
    assert again.status_code == 409
    problem = decode(again.content, Problem)
    assert problem.field == "version" and problem.current["comments_closed"] is True
    late = await write(http, parent, "POST", f"/blogs/{post_id}/comments", {"body": "Ещё"})
    assert late.status_code == 409
    assert not (await page(http, parent, post_id)).post.may_comment
    # Only the author edits the post.
    other = await write(
        http,
        await login_as(http, "teacher2"),
        "PATCH",
        f"/blogs/{post_id}",
        {"version": version + 1, "title": "Чужое"},
    )
    assert other.status_code == 403
    engine = make_engine(demo_url)
    try:
        async with make_sessionmaker(engine)() as db:
            row = await db.get(CommentRow, comment.id)
            assert row is not None and row.hidden_at is not None and row.body == "Вопрос?"
            audit = (
                await db.execute(
                    select(AuditRecord.entity, AuditRecord.action, AuditRecord.reason).where(
                        AuditRecord.entity.in_(("blog_post", "blog_comment"))
                    )
                )
            ).all()
            assert ("blog_comment", "create", "") in audit
            assert ("blog_comment", "update", "не по теме") in audit
            assert ("blog_post", "update", "") in audit
            kinds = set(
                await db.scalars(select(Change.kind).where(Change.kind.startswith("blog.")))
            )
            assert {"blog.comment", "blog.changed"} <= kinds
    finally:
        await engine.dispose()


async def test_administration_hides_a_post(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    post_id = demo.ids["post_school"]
    admin, pupil = await login_as(http, "admin"), await login_as(http, "pupil")
    version = (await page(http, admin, post_id)).post.version
    teacher = await write(
        http,
        await login_as(http, "teacher2"),
        "POST",
        f"/blogs/{post_id}/visibility",
        {"version": version, "hidden": True},
    )
    assert teacher.status_code == 403
    hidden = await write(
        http, admin, "POST", f"/blogs/{post_id}/visibility", {"version": version, "hidden": True}
    )
    assert hidden.status_code == 200, hidden.text
    assert (await http.get(f"{API}/blogs/{post_id}", headers=pupil)).status_code == 404
    assert "Музей истории" not in [p.title for p in (await posts(http, pupil)).posts]
    # Its author still sees it, marked hidden, and takes no comments on it.
    own = await page(http, await login_as(http, "teacher2"), post_id)
    assert own.post.hidden and not own.post.may_comment


async def test_new_post_reaches_the_class_feed(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    pupil = await login_as(http, "pupil")
    start = (await http.get(f"{API}/changes", headers=pupil)).json()["next"]
    teacher = await login_as(http, "teacher")
    for class_id in (demo.ids["c5a"], demo.ids["c6b"]):
        answer = await write(
            http,
            teacher,
            "POST",
            "/blogs",
            {"title": f"Пост {class_id}", "body": "Т", "class_id": class_id},
        )
        assert answer.status_code == 201
    feed = (await http.get(f"{API}/changes", headers=pupil, params={"since": start})).json()
    news = [c for c in feed["changes"] if c["kind"] == "blog.new"]
    assert [c["payload"]["title"] for c in news] == [f"Пост {demo.ids['c5a']}"]
    it_feed = await http.get(
        f"{API}/changes", headers=await login_as(http, "it"), params={"since": start}
    )
    assert not [c for c in it_feed.json().get("changes", []) if c["kind"].startswith("blog.")]


async def test_a_changed_post_is_named_in_the_feed_a_hidden_one_is_not(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any
) -> None:
    pupil = await login_as(http, "pupil")
    start = (await http.get(f"{API}/changes", headers=pupil)).json()["next"]
    teacher = await login_as(http, "teacher")
    made = await write(
        http,
        teacher,
        "POST",
        "/blogs",
        {"title": "Олимпиада", "body": "Т", "class_id": demo.ids["c5a"]},
    )
    assert made.status_code == 201, made.text
    post = decode(made.content, BlogPostItem)
    closed = await write(
        http,
        teacher,
        "PATCH",
        f"/blogs/{post.id}",
        {"version": post.version, "comments_closed": True},
    )
    assert closed.status_code == 200, closed.text
    admin = await login_as(http, "admin")
    hidden = await write(
        http,
        admin,
        "POST",
        f"/blogs/{post.id}/visibility",
        {"version": post.version + 1, "hidden": True, "reason": "повтор"},
    )
    assert hidden.status_code == 200, hidden.text
    feed = (await http.get(f"{API}/changes", headers=pupil, params={"since": start})).json()
    changed = [c["payload"] for c in feed["changes"] if c["kind"] == "blog.changed"]
    assert len(changed) == 2
    assert changed[0]["title"] == "Олимпиада" and changed[0]["class"]
    assert "title" not in changed[1] and changed[1]["class"] == changed[0]["class"]
