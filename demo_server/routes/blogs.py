"""Teacher blogs: ``/blogs``.

Reads are one GET each (the posts; one post with its comments); every write is a ``@write``
route. Roles are declared here (readers, writers, moderators); who reads which post and who
moderates it is decided in :mod:`demo_server.access` through :mod:`demo_server.blogs`.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, PathParameter
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import N_
from demo_server import blogs
from demo_server.access import BLOG_MODERATORS, BLOG_READERS, BLOG_WRITERS
from demo_server.auth import Viewer
from demo_server.idempotency import write
from demo_server.routes.deps import requires
from demo_server.settings import ServerState

PostId = Annotated[int, PathParameter(description="The blog post's id")]
CommentId = Annotated[int, PathParameter(description="The comment's id")]

READERS = requires(*BLOG_READERS, what=N_("teacher blogs"))
WRITERS = requires(*BLOG_WRITERS, action=N_("write blog posts"))


@get("/blogs", summary="The teacher blog posts the user reads", tags=["blogs"])
async def list_posts(
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.BlogPosts:
    """The school's posts and those of the user's classes (a child's, for a parent), newest
    first; hidden ones only for their author and the administration."""
    return await blogs.load_posts(db, viewer, viewer.today)


@get("/blogs/{post_id:int}", summary="One blog post with its comments", tags=["blogs"])
async def one_post(
    post_id: PostId,
    viewer: NamedDependency[Viewer],
    db: NamedDependency[AsyncSession],
) -> m.BlogPostPage:
    return await blogs.load_post(db, viewer, post_id, viewer.today)


@post(
    "/blogs",
    summary="Write a blog post",
    tags=["blogs"],
    guards=[WRITERS],
)
@write
async def create_post(
    data: JSONBody[m.BlogPostRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BlogPostItem:
    """A teacher's post for a class they teach or lead (``class_id``) or the whole school."""
    return await blogs.create_post(db, viewer, data, server.settings.now())


@patch(
    "/blogs/{post_id:int}",
    summary="Change a blog post, or open or close its comments",
    tags=["blogs"],
    guards=[WRITERS],
)
@write
async def edit_post(
    post_id: PostId,
    data: JSONBody[m.BlogPostEdit],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BlogPostItem:
    """The author only; the version the change was based on must be the current one."""
    return await blogs.edit_post(db, viewer, post_id, data, server.settings.now(), viewer.today)


@post(
    "/blogs/{post_id:int}/visibility",
    summary="Hide a blog post, or show it again",
    tags=["blogs"],
    status_code=200,
    guards=[requires(m.Role.ADMINISTRATION, action=N_("hide blog posts"))],
)
@write
async def post_visibility(
    post_id: PostId,
    data: JSONBody[m.BlogVisibility],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BlogPostItem:
    """The administration: a hidden post is kept, and read only by its author and the
    administration."""
    return await blogs.set_post_hidden(
        db, viewer, post_id, data, server.settings.now(), viewer.today
    )


@post("/blogs/{post_id:int}/comments", summary="Comment on a blog post", tags=["blogs"])
@write
async def comment(
    post_id: PostId,
    data: JSONBody[m.BlogCommentRequest],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BlogComment:
    """Any reader of the post, while its author keeps comments open."""
    return await blogs.add_comment(db, viewer, post_id, data, server.settings.now(), viewer.today)


@post(
    "/blogs/{post_id:int}/comments/{comment_id:int}/visibility",
    summary="Hide a comment, or show it again",
    tags=["blogs"],
    status_code=200,
    guards=[requires(*BLOG_MODERATORS, action=N_("hide comments on blog posts"))],
)
@write
async def comment_visibility(
    post_id: PostId,
    comment_id: CommentId,
    data: JSONBody[m.BlogVisibility],
    viewer: NamedDependency[Viewer],
    server: NamedDependency[ServerState],
    db: NamedDependency[AsyncSession],
) -> m.BlogComment:
    """The post's author or the administration: a hidden comment is kept, and read only by
    them."""
    return await blogs.set_comment_hidden(
        db, viewer, post_id, comment_id, data, server.settings.now(), viewer.today
    )


router = Router(
    path="/",
    guards=[READERS],
    route_handlers=[
        list_posts,
        one_post,
        create_post,
        edit_post,
        post_visibility,
        comment,
        comment_visibility,
    ],
)
