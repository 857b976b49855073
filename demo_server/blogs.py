"""Teacher blogs: the queries and writes behind ``/blogs``.

A teacher writes a post for a class they teach or lead, or for the whole school; the pupils and
parents of that audience, its teachers and the administration read it (``access.blog_visibility``)
and may comment while its author keeps comments open. The post's author hides comments of their
posts; the administration hides any post or comment. Nothing is deleted: a hidden post or
comment keeps its row, is shown only to the post's author and the administration, and every
write appends an audit record and a change-feed row in its own transaction.

Anyone else asking for a post (another class's, another school's, a hidden one) gets the same
404 as for a post that does not exist. Each function runs a fixed number of queries, however
many posts or comments there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import (
    BLOG_READERS,
    blog_comment_visibility,
    blog_visibility,
    may_blog_for,
    may_moderate_blog,
    teacher_class_ids,
    valid_id,
)
from demo_server.auth import Viewer
from demo_server.messaging import (
    _class_refs,
    audience_classes,
    check_text,
    full_name,
    users_by_id,
)
from demo_server.problems import ProblemError
from demo_server.records import append_audit, record_change, record_write

#: Roles that comment (every reader).
COMMENTERS = BLOG_READERS


def post_not_found() -> ProblemError:
    """The one answer for a post that does not exist and one the viewer may not see."""
    return ProblemError(404, _("there is no blog post with this id"), field="post_id")


def comment_not_found() -> ProblemError:
    return ProblemError(
        404, _("there is no comment with this id under this post"), field="comment_id"
    )


def _post_item(
    viewer: Viewer,
    row: s.BlogPost,
    authors: dict[int, s.User],
    classes: dict[int, m.ClassRef],
    comments: int,
) -> m.BlogPostItem:
    author = authors.get(row.author_id)
    hidden = row.hidden_at is not None
    return m.BlogPostItem(
        id=row.id,
        title=row.title,
        body=row.body,
        published_at=row.published_at,
        author=full_name(author) if author else "",
        author_id=row.author_id,
        class_=classes.get(row.class_id) if row.class_id else None,
        edited_at=row.edited_at,
        comments_closed=row.comments_closed,
        hidden=hidden,
        comments=comments,
        version=row.version,
        may_edit=row.author_id == viewer.id,
        may_moderate=may_moderate_blog(viewer, row),
        may_comment=viewer.role in COMMENTERS and not row.comments_closed and not hidden,
    )


def _comment_item(row: s.BlogComment, authors: dict[int, s.User]) -> m.BlogComment:
    author = authors.get(row.author_id)
    return m.BlogComment(
        id=row.id,
        post_id=row.post_id,
        body=row.body,
        created_at=row.created_at,
        author=full_name(author) if author else "",
        author_id=row.author_id,
        author_role=m.Role(author.role) if author else m.Role.PARENT,
        hidden=row.hidden_at is not None,
        version=row.version,
    )


async def _visible_post(
    db: AsyncSession, viewer: Viewer, post_id: int, today: dt.date
) -> s.BlogPost:
    if not valid_id(post_id):
        raise post_not_found()
    classes = await audience_classes(db, viewer, today)
    row = await db.scalar(
        select(s.BlogPost).where(
            s.BlogPost.id == post_id,
            s.BlogPost.school_id == viewer.school_id,
            blog_visibility(viewer, classes),
        )
    )
    if row is None:
        raise post_not_found()
    return row


async def _comment_counts(
    db: AsyncSession, viewer: Viewer, posts: Iterable[s.BlogPost]
) -> dict[int, int]:
    """How many comments ``viewer`` sees under each post, in one query."""
    mine = [p.id for p in posts if may_moderate_blog(viewer, p)]
    others = [p.id for p in posts if not may_moderate_blog(viewer, p)]
    counts: dict[int, int] = {}
    for ids, all_of_them in ((mine, True), (others, False)):
        if not ids:
            continue
        query = (
            select(s.BlogComment.post_id, func.count())
            .where(s.BlogComment.post_id.in_(ids))
            .group_by(s.BlogComment.post_id)
        )
        if not all_of_them:
            query = query.where(s.BlogComment.hidden_at.is_(None))
        counts.update({int(pid): int(n) for pid, n in (await db.execute(query)).all()})
    return counts


async def _items(db: AsyncSession, viewer: Viewer, rows: list[s.BlogPost]) -> list[m.BlogPostItem]:
    authors = await users_by_id(db, (row.author_id for row in rows))
    classes = await _class_refs(db, (row.class_id for row in rows if row.class_id))
    counts = await _comment_counts(db, viewer, rows)
    return [_post_item(viewer, row, authors, classes, counts.get(row.id, 0)) for row in rows]


async def load_posts(db: AsyncSession, viewer: Viewer, today: dt.date) -> m.BlogPosts:
    """The posts ``viewer`` reads, newest first; for a teacher, the classes they write for."""
    classes = await audience_classes(db, viewer, today)
    rows = list(
        (
            await db.scalars(
                select(s.BlogPost)
                .where(s.BlogPost.school_id == viewer.school_id, blog_visibility(viewer, classes))
                .order_by(s.BlogPost.published_at.desc(), s.BlogPost.id.desc())
            )
        ).all()
    )
    may_post = viewer.role is m.Role.TEACHER
    own: list[m.ClassRef] = []
    if may_post:
        taught = await _class_refs(
            db,
            await db.scalars(
                select(s.SchoolClass.id).where(
                    s.SchoolClass.school_id == viewer.school_id,
                    s.SchoolClass.id.in_(teacher_class_ids(viewer.id)),
                )
            ),
        )
        own = sorted(taught.values(), key=lambda c: (c.grade, c.name))
    return m.BlogPosts(posts=await _items(db, viewer, rows), classes=own, may_post=may_post)


async def _page(db: AsyncSession, viewer: Viewer, row: s.BlogPost) -> m.BlogPostPage:
    comments = list(
        (
            await db.scalars(
                select(s.BlogComment)
                .where(s.BlogComment.post_id == row.id, blog_comment_visibility(viewer, row))
                .order_by(s.BlogComment.created_at, s.BlogComment.id)
            )
        ).all()
    )
    authors = await users_by_id(db, [row.author_id, *(c.author_id for c in comments)])
    classes = await _class_refs(db, [row.class_id] if row.class_id else [])
    return m.BlogPostPage(
        post=_post_item(viewer, row, authors, classes, len(comments)),
        comments=[_comment_item(c, authors) for c in comments],
    )


async def load_post(
    db: AsyncSession, viewer: Viewer, post_id: int, today: dt.date
) -> m.BlogPostPage:
    """One post and the comments ``viewer`` sees, oldest first."""
    return await _page(db, viewer, await _visible_post(db, viewer, post_id, today))


async def _one_item(db: AsyncSession, viewer: Viewer, row: s.BlogPost) -> m.BlogPostItem:
    return (await _items(db, viewer, [row]))[0]


def _post_state(row: s.BlogPost) -> dict[str, Any]:
    return {
        "class_id": row.class_id,
        "title": row.title,
        "body": row.body,
        "comments_closed": row.comments_closed,
        "hidden": row.hidden_at is not None,
        "version": row.version,
    }


async def create_post(
    db: AsyncSession, viewer: Viewer, request: m.BlogPostRequest, now: dt.datetime
) -> m.BlogPostItem:
    """A teacher's post for a class they teach or for the whole school; its readers hear of
    it on the change feed (``blog.new``, routed to the class or the school)."""
    await may_blog_for(db, viewer, request.class_id)
    title = check_text(request.title, "title", m.TITLE_MAX_LENGTH)
    body = check_text(request.body, "body", m.MESSAGE_MAX_LENGTH)
    row = s.BlogPost(
        school_id=viewer.school_id,
        class_id=request.class_id,
        author_id=viewer.id,
        title=title,
        body=body,
        published_at=now,
        comments_closed=False,
        version=1,
    )
    db.add(row)
    await db.flush()
    item = await _one_item(db, viewer, row)
    await record_write(
        db,
        viewer,
        now,
        action="create",
        entity="blog_post",
        entity_id=row.id,
        after=_post_state(row),
        kind="blog.new",
        class_id=row.class_id,
        payload={"title": title, "class": item.class_.name if item.class_ else None},
    )
    return item


async def _stale(db: AsyncSession, viewer: Viewer, row: s.BlogPost, seen: int) -> ProblemError:
    await db.refresh(row)
    return ProblemError(
        409,
        _(
            "this post was changed meanwhile: your change was based on version {seen}, the "
            "current one is version {version}; look at it again and repeat your change"
        ).format(seen=seen, version=row.version),
        field="version",
        current=await _one_item(db, viewer, row),
    )


async def _bump_post(
    db: AsyncSession, viewer: Viewer, row: s.BlogPost, seen: int, values: dict[str, Any]
) -> None:
    """UPDATE the post only if still at version ``seen`` (the check is the UPDATE itself)."""
    if row.version != seen:
        raise await _stale(db, viewer, row, seen)
    result = await db.execute(
        update(s.BlogPost)
        .where(s.BlogPost.id == row.id, s.BlogPost.version == seen)
        .values(version=seen + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise await _stale(db, viewer, row, seen)
    await db.refresh(row)


async def _post_changed(
    db: AsyncSession,
    viewer: Viewer,
    row: s.BlogPost,
    before: dict[str, Any],
    now: dt.datetime,
    reason: str = "",
) -> m.BlogPostItem:
    item = await _one_item(db, viewer, row)
    await record_write(
        db,
        viewer,
        now,
        action="update",
        entity="blog_post",
        entity_id=row.id,
        before=before,
        after=_post_state(row),
        reason=reason,
        kind="blog.changed",
        class_id=row.class_id,
        payload=_change_payload(row, item),
    )
    return item


def _change_payload(row: s.BlogPost, item: m.BlogPostItem) -> dict[str, Any]:
    """What the feed says of a changed post (its title and class, for the readers' "a post
    in 5А's blog changed"); nothing of a hidden post, which its readers no longer see."""
    if row.hidden_at is not None:
        return {"class": item.class_.name if item.class_ else None}
    return {"title": row.title, "class": item.class_.name if item.class_ else None}


async def edit_post(
    db: AsyncSession,
    viewer: Viewer,
    post_id: int,
    edit: m.BlogPostEdit,
    now: dt.datetime,
    today: dt.date,
) -> m.BlogPostItem:
    """The author changes the title or text of their post, or opens or closes its comments."""
    row = await _visible_post(db, viewer, post_id, today)
    if row.author_id != viewer.id:
        raise ProblemError(403, _("only the post's author changes it"))
    values: dict[str, Any] = {}
    if edit.title is not None:
        values["title"] = check_text(edit.title, "title", m.TITLE_MAX_LENGTH)
    if edit.body is not None:
        values["body"] = check_text(edit.body, "body", m.MESSAGE_MAX_LENGTH)
    if values:
        values["edited_at"] = now
    if edit.comments_closed is not None:
        values["comments_closed"] = edit.comments_closed
    if not values:
        raise ProblemError(
            422,
            _("say what to change: the title, the text or whether comments are open"),
            field="title",
        )
    before = _post_state(row)
    await _bump_post(db, viewer, row, edit.version, values)
    return await _post_changed(db, viewer, row, before, now)


async def set_post_hidden(
    db: AsyncSession,
    viewer: Viewer,
    post_id: int,
    body: m.BlogVisibility,
    now: dt.datetime,
    today: dt.date,
) -> m.BlogPostItem:
    """The administration hides a post (or shows it again); the row stays, the reason goes
    to the audit log."""
    row = await _visible_post(db, viewer, post_id, today)
    if viewer.role is not m.Role.ADMINISTRATION:
        raise ProblemError(403, _("only the school administration hides a blog post"))
    before = _post_state(row)
    values: dict[str, Any] = (
        {"hidden_at": now, "hidden_by": viewer.id}
        if body.hidden
        else {"hidden_at": None, "hidden_by": None}
    )
    await _bump_post(db, viewer, row, body.version, values)
    return await _post_changed(db, viewer, row, before, now, body.reason.strip())


async def add_comment(
    db: AsyncSession,
    viewer: Viewer,
    post_id: int,
    request: m.BlogCommentRequest,
    now: dt.datetime,
    today: dt.date,
) -> m.BlogComment:
    """A reader's comment, while the post's comments are open; its author hears of it."""
    row = await _visible_post(db, viewer, post_id, today)
    if row.hidden_at is not None:
        raise ProblemError(
            409, _("this post is hidden: it takes no comments until it is shown again")
        )
    if row.comments_closed:
        raise ProblemError(409, _("the author has closed comments on this post"))
    text = check_text(request.body, "body", m.BLOG_COMMENT_MAX_LENGTH)
    comment = s.BlogComment(
        post_id=row.id, author_id=viewer.id, body=text, created_at=now, version=1
    )
    db.add(comment)
    await db.flush()
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity="blog_comment",
        entity_id=comment.id,
        after={"post_id": row.id, "body": text, "hidden": False, "version": 1},
    )
    if row.author_id != viewer.id:
        await record_change(
            db,
            school_id=viewer.school_id,
            kind="blog.comment",
            entity_id=row.id,
            at=now,
            user_id=row.author_id,
            actor_id=viewer.id,
            payload={"title": row.title},
        )
    authors = await users_by_id(db, [viewer.id])
    return _comment_item(comment, authors)


async def set_comment_hidden(
    db: AsyncSession,
    viewer: Viewer,
    post_id: int,
    comment_id: int,
    body: m.BlogVisibility,
    now: dt.datetime,
    today: dt.date,
) -> m.BlogComment:
    """The post's author or the administration hides a comment (or shows it again)."""
    row = await _visible_post(db, viewer, post_id, today)
    comment = (
        await db.scalar(
            select(s.BlogComment).where(
                s.BlogComment.id == comment_id,
                s.BlogComment.post_id == row.id,
                blog_comment_visibility(viewer, row),
            )
        )
        if valid_id(comment_id)
        else None
    )
    if comment is None:
        raise comment_not_found()
    if not may_moderate_blog(viewer, row):
        raise ProblemError(
            403, _("only the post's author or the school administration hides its comments")
        )
    authors = await users_by_id(db, [comment.author_id])
    if comment.version != body.version:
        raise ProblemError(
            409,
            _(
                "this comment was changed meanwhile: your change was based on version {seen}, "
                "the current one is version {version}"
            ).format(seen=body.version, version=comment.version),
            field="version",
            current=_comment_item(comment, authors),
        )
    before = {"hidden": comment.hidden_at is not None, "version": comment.version}
    values: dict[str, Any] = (
        {"hidden_at": now, "hidden_by": viewer.id}
        if body.hidden
        else {"hidden_at": None, "hidden_by": None}
    )
    result = await db.execute(
        update(s.BlogComment)
        .where(s.BlogComment.id == comment.id, s.BlogComment.version == body.version)
        .values(version=body.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        await db.refresh(comment)
        raise ProblemError(
            409,
            _("this comment was changed meanwhile; look at it again"),
            field="version",
            current=_comment_item(comment, authors),
        )
    await db.refresh(comment)
    await record_write(
        db,
        viewer,
        now,
        action="update",
        entity="blog_comment",
        entity_id=comment.id,
        before=before,
        after={"hidden": comment.hidden_at is not None, "version": comment.version},
        reason=body.reason.strip(),
        kind="blog.changed",
        changed_id=row.id,
        class_id=row.class_id,
        payload=_change_payload(row, await _one_item(db, viewer, row)),
    )
    return _comment_item(comment, authors)
