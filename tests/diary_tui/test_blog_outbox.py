"""Teacher blogs in the app's data layer: a post, a comment, closing comments and hiding a
comment go through the outbox; offline they wait and are done exactly once when the server is
back; the reads are the endpoints' ``Get`` values through ``cached`` and ``load``."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from sqlalchemy import func, select

from api_client import endpoints
from demo_server import schema as s
from diary_tui.data import Sent, Waiting
from tests.conftest import sqlite_only
from tests.diary_tui.test_outbox_family import count
from tests.diary_tui.test_outbox_staff import back_online, signed_in


@sqlite_only
async def test_blog_writes_wait_offline_and_are_done_once(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    teacher, switch = await signed_in(app, demo, "classteacher")
    assert teacher.me is not None and teacher.me.homeroom is not None
    homeroom = teacher.me.homeroom.id
    switch.up = False
    title = "Экскурсия в планетарий"
    waiting = await teacher.write_blog_post(title, "В субботу, сбор в 10:00.", homeroom)
    assert isinstance(waiting, Waiting)
    assert teacher.waiting_ops() == ["blog.post"]
    await back_online(teacher, switch)
    posted = select(func.count(s.BlogPost.id)).where(s.BlogPost.title == title)
    assert await count(demo_url, posted) == 1
    listed = await teacher.load(endpoints.blog_posts())
    post = next(p for p in listed.posts if p.title == title)
    assert teacher.cached(endpoints.blog_posts()) == listed

    parent, parent_switch = await signed_in(app, demo, "parent")
    seen = await parent.load(endpoints.blog_posts())
    assert title in [p.title for p in seen.posts]
    parent_switch.up = False
    assert isinstance(await parent.comment_blog_post(post.id, "Спасибо, придём!"), Waiting)
    await back_online(parent, parent_switch)
    page = await teacher.load(endpoints.blog_post(post.id))
    assert [c.body for c in page.comments] == ["Спасибо, придём!"]

    hidden = await teacher.hide_blog_comment(page.comments[0], True, "повтор")
    assert isinstance(hidden, Sent) and hidden.value.hidden
    closed = await teacher.close_blog_comments(page.post, True)
    assert isinstance(closed, Sent) and closed.value.comments_closed
    again = await parent.load(endpoints.blog_post(post.id))
    assert again.comments == [] and not again.post.may_comment
    await parent.close()
    await teacher.close()
