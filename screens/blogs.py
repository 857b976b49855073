"""Blogs: the teachers' posts to a class or to the whole school, newest first.

One GET brings the list (``endpoints.blog_posts()``), one a post with its comments
(``endpoints.blog_post(id)``); both are painted from the store first, then refreshed. Enter
opens a post: its text and its comments in one scrolling list. A teacher writes a post (``n``:
to one of their classes or the school) and edits their own (``e``); a reader comments
(``c``); the author closes or opens the comments (``t``) and, with the administration, hides or
shows a comment (``h``); the administration hides or shows a post (``x``), saying why. Every
write goes through the outbox, and every form is the shared ``FormScreen``: it closes only when
the server took the write (or it was kept to be sent), and keeps what was typed otherwise.

Text from the server is put on screen as plain text (``Content``), never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints
from api_client.endpoints import Get
from api_client.i18n import N_, _, day_month, ngettext, pgettext
from api_client.models import (
    BlogComment,
    BlogPostItem,
    BlogPostPage,
    BlogPosts,
    ChangeItem,
    ClassRef,
)
from diary_tui.data import DiaryData, NotSaved, Role, Sent, Unfit, Waiting
from diary_tui.ui import MUTED, fit, local, plain
from diary_tui.widgets import KeyFooter
from diary_tui.widgets.lists import DiaryList
from screens.base import ListScreen, under_cursor
from screens.dialogs.form import Field, FormScreen, Outcome, Refusal, sent_or_refused

SCHOOL = "school"
"""The form's value for a post to the whole school (the others are class ids)."""


def when(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``25 нояб. 14:05``: a day and time in the school's zone."""
    at = local(moment, zone)
    return f"{day_month(at.date(), short=True)} {at:%H:%M}"


def audience(post: BlogPostItem) -> str:
    """Whom a post is for: its class, or the school."""
    if post.class_ is not None:
        return pgettext("blog's audience", "class {name}").format(name=plain(post.class_.name))
    return pgettext("blog's audience", "school")


def comments_text(post: BlogPostItem) -> str:
    said = ngettext("{n} comment", "{n} comments", post.comments).format(n=post.comments)
    return said + (" · " + _("closed") if post.comments_closed else "")


def post_prompt(post: BlogPostItem, width: int, zone: dt.tzinfo) -> Content:
    """Two lines: the title and the date; then the author, audience and comments."""
    date = when(post.published_at, zone)
    title = Content.styled(plain(post.title), "bold")
    if post.hidden:
        title = Content.styled(_("[hidden] "), "$error") + title
    first = fit(title, width - len(date) - 1) + Content(" ") + Content.styled(date, MUTED)
    second = Content.assemble(
        (plain(post.author), ""),
        (" · " + audience(post) + " · " + comments_text(post), MUTED),
    )
    return Content("\n").join([first, fit(second, width)])


def post_text(post: BlogPostItem, zone: dt.tzinfo) -> Content:
    """The post in full: title, who wrote it for whom and when, its text."""
    meta = f"{plain(post.author)} · {audience(post)} · {when(post.published_at, zone)}"
    if post.edited_at is not None:
        meta += " · " + _("edited {when}").format(when=when(post.edited_at, zone))
    parts = [Content.styled(plain(post.title), "bold"), Content.styled(meta, MUTED)]
    if post.hidden:
        parts.append(Content.styled(_("Hidden by the administration: only you see it."), "$error"))
    return Content("\n").join(
        [
            *parts,
            Content(""),
            Content(post.body),
            Content(""),
            Content.styled(comments_text(post), "bold"),
        ]
    )


def comment_prompt(comment: BlogComment, zone: dt.tzinfo) -> Content:
    head = Content.assemble(
        (plain(comment.author), "bold"), (" · " + when(comment.created_at, zone), MUTED)
    )
    if comment.hidden:
        head += Content.styled(" · " + _("hidden"), "$error")
    return Content("\n").join([head, Content(comment.body)])


Write = Callable[[dict[str, str]], Awaitable[Outcome]]
"""A write of the data layer given the form's values: ``Sent`` or ``Waiting``, or a refusal
raised."""


async def attempt(screen: Screen[Any], write: Write, values: dict[str, str]) -> Refusal | None:
    """Run ``write`` for a form: None when the server took it or it was kept to be sent (the
    form closes), else the refusal by the field it names (the form stays, with the text)."""
    unfit: list[Unfit] = []

    async def run() -> Outcome:
        try:
            return await write(values)
        except Unfit as exc:
            unfit.append(exc)
            raise

    answer = await sent_or_refused(run(), _("Not saved: {reason}"))
    if unfit:
        return Refusal(str(unfit[0]), unfit[0].field)
    if isinstance(answer, Refusal):
        return answer
    if isinstance(answer, Waiting):
        screen.notify(
            _(
                "The server cannot be reached: this is kept on this computer and will be sent "
                "when it can."
            ),
            severity="warning",
            timeout=8,
        )
    return None


def edit_form(screen: Screen[Any], data: DiaryData, post: BlogPostItem) -> FormScreen:
    """The author's form for a new title and text of ``post``, filled with the current ones."""

    async def save(values: dict[str, str]) -> Refusal | None:
        return await attempt(
            screen, lambda v: data.edit_blog_post(post, v["title"], v["body"]), values
        )

    fields = [
        Field("title", _("Title"), post.title),
        Field("body", _("Text"), post.body, lines=True),
    ]
    return FormScreen(_("Edit the post"), fields, save, name="blog-edit")


def reason_field() -> Field:
    return Field(
        "reason",
        _("Why (kept in the audit log)"),
        hint=_("Say it plainly; it may stay empty when you show it again."),
    )


class BlogPostScreen(ModalScreen[None]):
    """A post and its comments in one scrolling list; Enter on nothing, keys to act."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", N_("Back"), id="blog_post.close"),
        Binding("c", "comment", N_("Comment"), id="blog_post.comment"),
        Binding("e", "edit", N_("Edit"), id="blog_post.edit"),
        Binding("t", "toggle_comments", N_("Close/open comments"), id="blog_post.toggle"),
        Binding("h", "hide_comment", N_("Hide/show comment"), id="blog_post.hide_comment"),
        Binding("x", "hide_post", N_("Hide/show post"), id="blog_post.hide_post"),
        Binding("f5", "reload", N_("Refresh"), id="blog_post.reload"),
    ]
    DEFAULT_CSS = """
    BlogPostScreen { align: center middle; }
    BlogPostScreen > Vertical {
        width: 100%; max-width: 100; height: 100%; border: round $primary;
        background: $surface; padding: 0;
    }
    BlogPostScreen #blog-post { height: 1fr; border: none; }
    BlogPostScreen #blog-post > .option-list--option { padding: 0 1; }
    """

    class Loaded(Message):
        def __init__(self, page: BlogPostPage) -> None:
            super().__init__()
            self.page = page

    def __init__(self, data: DiaryData, post: BlogPostItem) -> None:
        super().__init__()
        self.data = data
        self.post = post
        self.page: BlogPostPage | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield DiaryList(id="blog-post")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DiaryList).focus()
        cached = self.data.cached(endpoints.blog_post(self.post.id))
        self.paint(cached if cached is not None else BlogPostPage(post=self.post))
        self.load()

    def paint(self, page: BlogPostPage) -> None:
        self.page = page
        self.post = page.post
        listing = self.query_one(DiaryList)
        kept = listing.highlighted_option.id if listing.highlighted_option is not None else None
        options = [Option(post_text(page.post, self.data.zone), disabled=True)]
        for comment in page.comments:
            options.append(Option(comment_prompt(comment, self.data.zone), id=f"c-{comment.id}"))
        if not page.comments:
            options.append(Option(Content.styled(_("No comments yet."), MUTED), disabled=True))
        listing.set_options(options)
        if kept is not None:
            try:
                listing.highlighted = listing.get_option_index(kept)
            except Exception:
                listing.highlighted = None
        self.refresh_bindings()

    @work(exclusive=True, group="blog-post", exit_on_error=False)
    async def load(self) -> None:
        page = await self.data.load(endpoints.blog_post(self.post.id))
        self.post_message(self.Loaded(page))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self.paint(event.page)

    def chosen_comment(self) -> BlogComment | None:
        page = self.page
        return under_cursor(self.query_one(DiaryList), page.comments if page else None, "c-")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        post = self.post
        me = self.data.me
        if action == "comment":
            return post.may_comment
        if action in ("edit", "toggle_comments"):
            return post.may_edit
        if action == "hide_comment":
            return post.may_moderate
        if action == "hide_post":
            return me is not None and me.role is Role.ADMINISTRATION
        return True

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self.load()

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.load()

    def action_comment(self) -> None:
        post = self.post

        async def save(values: dict[str, str]) -> Refusal | None:
            return await attempt(
                self, lambda v: self.data.comment_blog_post(post.id, v["body"]), values
            )

        fields = [Field("body", _("Your comment"), lines=True)]
        title = _("A comment on “{title}”").format(title=plain(post.title))
        self.app.push_screen(FormScreen(title, fields, save, name="blog-comment"), self._after)

    def action_edit(self) -> None:
        self.app.push_screen(edit_form(self, self.data, self.post), self._after)

    def action_toggle_comments(self) -> None:
        self.toggle_comments(not self.post.comments_closed)

    @work(group="blog-write", exit_on_error=False)
    async def toggle_comments(self, closed: bool) -> None:
        try:
            answer = await self.data.close_blog_comments(self.post, closed)
        except NotSaved as refused:
            self.notify(str(refused), severity="error", markup=False)
            return
        if isinstance(answer, Sent):
            self.notify(_("Comments are closed.") if closed else _("Comments are open."))
        else:
            self.notify(_("Kept on this computer; it will be sent when the server can be reached."))
        self.load()

    def action_hide_comment(self) -> None:
        comment = self.chosen_comment()
        if comment is None:
            self.notify(_("Choose a comment first (Up and Down)."), severity="warning")
            return
        hide = not comment.hidden

        async def save(values: dict[str, str]) -> Refusal | None:
            return await attempt(
                self,
                lambda v: self.data.hide_blog_comment(comment, hide, v["reason"].strip()),
                values,
            )

        title = (
            _("Hide the comment by {author}?") if hide else _("Show the comment by {author} again?")
        ).format(author=plain(comment.author))
        self.app.push_screen(
            FormScreen(title, [reason_field()], save, name="blog-hide-comment"), self._after
        )

    def action_hide_post(self) -> None:
        post = self.post
        hide = not post.hidden

        async def save(values: dict[str, str]) -> Refusal | None:
            return await attempt(
                self, lambda v: self.data.hide_blog_post(post, hide, v["reason"].strip()), values
            )

        title = (
            _("Hide the post “{title}”?") if hide else _("Show the post “{title}” again?")
        ).format(title=plain(post.title))
        self.app.push_screen(
            FormScreen(title, [reason_field()], save, name="blog-hide-post"), self._after
        )


class BlogsScreen(ListScreen[BlogPosts]):
    ENDS_SESSION = True
    TITLE = N_("Blogs")
    NAME = "blogs"
    WRITES = ("blog.post", "blog.edit", "blog.hide", "blog.comment", "blog.comment_hide")
    HELP = N_("""
Teachers' blogs: posts to a class or to the whole school, newest first, with who wrote them, for
whom, when and how many comments they have. Enter opens a post: its text and its comments. A
teacher writes a post with {blogs.write} (to one of their classes or to the whole school) and
changes their own with {blogs.edit}. In a post: {blog_post.comment} comments, the author closes
or opens the comments with {blog_post.toggle}, the author and the administration hide or show a
comment with {blog_post.hide_comment}, the administration hides or shows a post with
{blog_post.hide_post}, saying why. What is written waits on this computer when the server cannot
be reached and is sent when it can.
""")

    TITLE_ID = "blogs-title"
    LIST_ID = "blogs"
    LOADING = N_("Loading the blogs…")
    NEVER_LOADED = N_(
        "The blogs were never loaded on this computer; they will appear when the "
        "server can be reached."
    )

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="blogs.help"),
        Binding("n", "write", N_("Write"), id="blogs.write"),
        Binding("e", "edit", N_("Edit"), id="blogs.edit"),
        Binding("f5", "reload", N_("Refresh"), id="blogs.reload"),
        Binding("q", "app.quit", N_("Quit"), id="blogs.quit"),
    ]

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.posts: BlogPosts | None = None

    def source(self) -> Get[BlogPosts]:
        return endpoints.blog_posts()

    def painted(self) -> BlogPosts | None:
        return self.posts

    def show_loading(self) -> None:
        self._title(None)
        super().show_loading()

    def _title(self, posts: BlogPosts | None) -> None:
        parts = [Content.styled(_("Blogs"), "bold")]
        if posts is not None:
            n = len(posts.posts)
            parts.append(Content(ngettext("{n} post", "{n} posts", n).format(n=n)))
        self.query_one("#blogs-title", Static).update(Content(" · ").join(parts))

    def paint(self, posts: BlogPosts) -> None:
        self.posts = posts
        self._title(posts)
        width = self.painted_width = self.list_width()
        if posts.posts:
            self.set_choices(
                [Option(post_prompt(p, width, self.data.zone), id=f"p-{p.id}") for p in posts.posts]
            )
        else:
            self.say(_("No blog posts yet."))
        self.refresh_bindings()

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        me = self.data.me
        return any(
            c.kind.startswith("blog.") and (me is None or c.actor_id != me.id) for c in changes
        )

    def chosen(self) -> BlogPostItem | None:
        posts = self.posts
        return under_cursor(self.query_one(OptionList), posts.posts if posts else None, "p-")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "write":
            me = self.data.me
            if self.posts is not None:
                return self.posts.may_post
            return me is not None and me.role is Role.TEACHER
        if action == "edit":
            post = self.chosen()
            return post is not None and post.may_edit
        return super().check_action(action, parameters)

    @on(OptionList.OptionHighlighted, "#blogs")
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def open_choice(self, option_id: str) -> None:
        post = self.chosen()
        if post is not None:
            self.app.push_screen(BlogPostScreen(self.data, post), self._back)

    def _back(self, _none: None) -> None:
        self.load()

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.refresh_status()
            self.load()

    def action_write(self) -> None:
        classes: list[ClassRef] = list(self.posts.classes) if self.posts is not None else []
        choices = [(_("The whole school"), SCHOOL)] + [
            (_("Class {name}").format(name=plain(c.name)), str(c.id)) for c in classes
        ]

        async def save(values: dict[str, str]) -> Refusal | None:
            to = values["to"]
            class_id = None if to == SCHOOL else int(to)
            return await attempt(
                self,
                lambda v: self.data.write_blog_post(v["title"], v["body"], class_id),
                values,
            )

        first = str(classes[0].id) if classes else SCHOOL
        fields = [
            Field("to", _("For whom"), first, choices=tuple(choices), answers_to=("class_id",)),
            Field("title", _("Title")),
            Field("body", _("Text"), lines=True),
        ]
        self.app.push_screen(
            FormScreen(_("New blog post"), fields, save, name="blog-write"), self._after
        )

    def action_edit(self) -> None:
        post = self.chosen()
        if post is not None:
            self.app.push_screen(edit_form(self, self.data, post), self._after)
