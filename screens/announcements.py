"""News: the school's and the class's announcements, newest first, and the upcoming events.

One GET brings both. Unread announcements are marked with ``●`` and bold; Enter shows the
whole text and marks it read on the server. A parent sees the news of the child shown now
(the school's and that child's class); ``c`` switches child. Teachers post to a class they
teach and administration to the whole school with ``n``.

Text from the server is always put on screen as plain text (``Content``), never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from api_client import endpoints
from api_client.endpoints import Get
from api_client.i18n import N_, _, day_month, ngettext, pgettext
from api_client.models import (
    AnnouncementAudience,
    AnnouncementItem,
    Announcements,
    ClassRef,
    Event,
    Me,
)
from diary_tui.data import DiaryData, Role, Sent
from diary_tui.ui import MUTED, event_name, fit, local, plain
from screens.announcements_meetings import EventScreen, may_plan, plan_meeting_form, when_text
from screens.base import ListScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen
from screens.dialogs.form import Outcome, SendingForm

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""
UNREAD = "bold $accent"


def published(moment: dt.datetime, zone: dt.tzinfo) -> str:
    local_time = local(moment, zone)
    return day_month(local_time.date(), short=True)


def announcement_prompt(item: AnnouncementItem, width: int, zone: dt.tzinfo) -> Content:
    """Two lines: sign, title and date; then where it is from and the start of the text."""
    sign = Content.styled("● ", UNREAD) if not item.read else Content("  ")
    date = published(item.published_at, zone)
    title = Content.styled(plain(item.title), "bold" if not item.read else "")
    first = sign + fit(title, width - 2 - len(date) - 1) + Content(" ") + Content(date)
    source = item.class_.name if item.class_ is not None else _("School")
    second = Content("  ") + fit(
        Content.assemble((source, "bold"), (f" · {plain(item.body)}", MUTED)), width - 2
    )
    return Content("\n").join([first, second])


def event_line(event: Event, width: int, zone: dt.tzinfo) -> Content:
    """One line: when, what kind, the title and place; a cancelled one says so, a past
    meeting with minutes shows ✎."""
    kind = event_name(event.kind)
    parts = [
        Content.styled("◆ ", "bold $accent"),
        Content.styled(f"{when_text(event, zone)} ", "bold"),
    ]
    if not plain(event.title).casefold().startswith(kind.casefold()):
        parts.append(Content.styled(f"{kind}: ", "$accent"))  # the title does not say it
    parts.append(Content(plain(event.title)))
    if event.class_ is not None and event.class_.name not in plain(event.title).split():
        parts.append(Content(f" · {event.class_.name}"))  # unless the title names it
    if event.place:
        parts.append(Content(f" · {plain(event.place)}"))
    if event.cancelled:
        parts.insert(1, Content.styled(_("cancelled") + " ", "bold $error"))
    elif event.minutes:
        parts.append(Content.styled(" · ✎ " + _("minutes"), MUTED))
    return fit(Content.assemble(*parts), width)


def announcement_text(item: AnnouncementItem, zone: dt.tzinfo) -> Content:
    local_time = local(item.published_at, zone)
    source = (
        pgettext("announcement's source", "class {name}").format(name=item.class_.name)
        if item.class_ is not None
        else _("the whole school")
    )
    day = day_month(local_time.date(), short=True)
    head = Content.assemble(
        (plain(item.title), "bold"),
        "\n",
        (
            f"{day} {local_time:%Y} {local_time:%H:%M} · {source}"
            + (f" · {plain(item.author)}" if item.author else ""),
            MUTED,
        ),
    )
    return Content("\n\n").join([head, Content(item.body)])


Target = tuple[AnnouncementAudience, int | None, int | None]
"""Whom an announcement is for: the audience, the class (or None), the grade (or None)."""


def post_targets(me: Me | None, school_classes: list[ClassRef]) -> list[tuple[str, Target]]:
    """Whom ``me`` may address, as the form lists them: a teacher each class they teach or
    lead, a class teacher also their class's parents alone; the administration the school,
    all parents, the teachers, each parallel, each class and each class's parents (of
    ``school_classes``). The server decides again (``access.may_announce``)."""
    if me is None:
        return []
    audience = AnnouncementAudience
    classes: dict[int, ClassRef] = {}
    if me.role is Role.ADMINISTRATION:
        classes = {c.id: c for c in school_classes}
    if me.homeroom is not None:
        classes[me.homeroom.id] = me.homeroom
    for teaching in me.teaching:
        classes.setdefault(teaching.class_.id, teaching.class_)
    ordered = sorted(classes.values(), key=lambda c: (c.grade, c.letter))
    targets: list[tuple[str, Target]] = []
    if me.role is Role.ADMINISTRATION:
        targets.append((_("The whole school"), (audience.SCHOOL, None, None)))
        targets.append((_("All parents of the school"), (audience.PARENTS, None, None)))
        targets.append((_("The teachers"), (audience.TEACHERS, None, None)))
        for grade in sorted({c.grade for c in ordered}):
            targets.append(
                (
                    _("All the classes of grade {grade}").format(grade=grade),
                    (audience.GRADE, None, grade),
                )
            )
    for cls in ordered:
        targets.append((_("Class {name}").format(name=cls.name), (audience.CLASS, cls.id, None)))
        leads = me.homeroom is not None and me.homeroom.id == cls.id
        if leads or me.role is Role.ADMINISTRATION:
            targets.append(
                (
                    _("Parents of class {name} only").format(name=cls.name),
                    (audience.PARENTS, cls.id, None),
                )
            )
    return targets


PostWith = Callable[[str, str, Target], Awaitable[Outcome]]
"""Posts what the form holds (title, text, whom to) through the outbox."""


class PostScreen(SendingForm[Outcome]):
    """Post an announcement: to one of the given classes, or the whole school.

    It posts itself (``post_with``, through the outbox) and closes only when the server has
    it or it is kept to be posted later; a refusal is said in the form (the box it names gets
    the cursor) and everything typed stays."""

    BINDINGS = [
        Binding("ctrl+s", "send", N_("Post"), id="post.send", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="post.cancel"),
    ]
    DEFAULT_CSS = """
    PostScreen { align: center middle; }
    PostScreen > Vertical {
        width: 90%; max-width: 100; height: 90%; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    PostScreen #post-to { height: auto; max-height: 6; }
    PostScreen TextArea { height: 1fr; min-height: 4; }
    PostScreen #post-error { color: $text-error; height: auto; }
    """
    PROBLEM = "post-error"
    FIELDS: ClassVar[Mapping[str, str]] = {
        "audience": "post-to",
        "class_id": "post-to",
        "grade": "post-to",
        "title": "post-title",
        "body": "post-body",
        "text": "post-body",
    }

    def __init__(
        self, targets: list[tuple[str, Target]], post_with: PostWith | None = None
    ) -> None:
        super().__init__()
        self.targets = targets
        self.post_with = post_with

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(_("New announcement"), "bold"))
            yield Static(Content(_("To whom (Tab, then Up and Down):")), classes="post-label")
            yield OptionList(
                *[Option(Content(name), id=f"to-{i}") for i, (name, _t) in enumerate(self.targets)],
                id="post-to",
            )
            yield Input(placeholder=_("Title"), id="post-title", max_length=200)
            yield TextArea(id="post-body", soft_wrap=True)
            yield Static("", id="post-error")
            yield Static(Content.styled(_("ctrl+s posts · Esc cancels"), MUTED))

    def on_mount(self) -> None:
        chooser = self.query_one(OptionList)
        chooser.highlighted = 0
        self.query_one("#post-title", Input).focus()

    def action_send(self) -> None:
        index = self.query_one(OptionList).highlighted or 0
        title = self.query_one("#post-title", Input).value
        body = self.query_one(TextArea).text
        if not title.strip():
            self.say(_("Write a title and a text."), "title")
            return
        if not body.strip():
            self.say(_("Write a title and a text."), "body")
            return
        post_with, target = self.post_with, self.targets[index][1]
        if post_with is None:
            return
        self.send(
            lambda: post_with(title, body, target),
            _("The announcement was not posted: {reason}"),
        )

    def action_cancel(self) -> None:
        typed = self.query_one("#post-title", Input).value or self.query_one(TextArea).text
        if not typed.strip():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen(_("Discard this announcement?")), answered)


class NewsScreen(ListScreen[Announcements]):
    ENDS_SESSION = True
    TITLE = N_("News")
    WRITES = (
        "announcement.post",
        "announcement.read",
        "meeting.create",
        "meeting.update",
        "meeting.answer",
        "meeting.minutes",
    )
    NAME = "news"
    HELP = N_("""
Announcements of the school and of the class, newest first; ● and bold mark the unread. Enter
shows the whole text and marks it read. Upcoming events (parent meetings, school events, exams)
are listed below with their date, time and place, then past parent meetings, newest first; they
also show on the week screen on their day. Enter on an event opens it: the agenda, the place and
time, the minutes; a parent answers a meeting there ({event.coming} will come,
{event.not_coming} will not), the class teacher sees the answers, changes ({event.edit}) or
cancels ({event.cancel}) the meeting and records the minutes ({event.minutes}). A parent sees
the news of the child shown now ({app.next_child}: next child). A teacher posts to a class they
teach, administration to the whole school: {news.post}. A class teacher or the administration
plans a parent meeting: {news.meeting}.
""")

    TITLE_ID = "news-title"
    LIST_ID = "news"
    LOADING = N_("Loading the news…")
    NEVER_LOADED = N_(
        "The news was never loaded on this computer; it will appear when the server can be reached."
    )

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="news.help"),
        Binding("n", "post", N_("Write"), id="news.post"),
        Binding("M", "plan_meeting", N_("New meeting"), id="news.meeting"),
        Binding("f5", "reload", N_("Refresh"), id="news.reload"),
        Binding("q", "app.quit", N_("Quit"), id="news.quit"),
    ]

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.news: Announcements | None = None
        self.shown_pupil: int | None = None
        """The child whose news is on screen (None: all the user's classes)."""

    @property
    def pupil_id(self) -> int | None:
        """The child whose class news is shown: a parent's chosen child; else all classes."""
        me, child = self.data.me, self.data.child
        if me is not None and me.role is Role.PARENT and child is not None:
            return child.id
        return None

    @property
    def zone(self) -> dt.tzinfo:
        return self.data.zone

    def source(self) -> Get[Announcements]:
        return endpoints.announcements(self.pupil_id)

    def painted(self) -> Announcements | None:
        return self.news

    def show(self) -> None:
        self.news = None
        super().show()

    def show_loading(self) -> None:
        self._update_title(None)
        super().show_loading()

    def _update_title(self, news: Announcements | None) -> None:
        parts = [Content.styled(_("News"), "bold")]
        child = self.data.child
        if self.pupil_id is not None and child is not None:
            parts.append(
                Content(
                    pgettext("news of a child", "for {name}").format(name=plain(child.first_name))
                )
            )
        if news is not None:
            parts.append(
                Content.styled(
                    ngettext("{count} unread", "{count} unread", news.unread).format(
                        count=news.unread
                    ),
                    UNREAD,
                )
                if news.unread
                else Content.styled(_("all read"), MUTED)
            )
        self.query_one("#news-title", Static).update(Content(" · ").join(parts))

    def paint(self, news: Announcements) -> None:
        self.news = news
        self.shown_pupil = self.pupil_id
        self._update_title(news)
        width = self.painted_width = self.list_width()
        zone = self.zone
        options: list[Option] = []
        if news.announcements:
            for item in news.announcements:
                options.append(Option(announcement_prompt(item, width, zone), id=f"a-{item.id}"))
        else:
            options.append(Option(Content.styled(_("No announcements."), MUTED), disabled=True))
        options.append(
            Option(fit(Content.styled(_("Upcoming events"), "bold $primary"), width), disabled=True)
        )
        if news.events:
            for event in news.events:
                options.append(Option(event_line(event, width, zone), id=f"e-{event.id}"))
        else:
            options.append(
                Option(Content.styled(_("No events in the coming weeks."), MUTED), disabled=True)
            )
        if news.past_meetings:
            options.append(
                Option(
                    fit(Content.styled(_("Past parent meetings"), "bold $primary"), width),
                    disabled=True,
                )
            )
            for event in news.past_meetings:
                options.append(Option(event_line(event, width, zone), id=f"p-{event.id}"))
        self.set_choices(options, first=bool(news.announcements))

    def child_changed(self) -> None:
        self.query_one(OptionList).highlighted = None
        self.show()

    # -- workers ------------------------------------------------------------------------

    @work(group="read", exit_on_error=False)
    async def mark_read(self, announcement_id: int) -> None:
        answer = await self.data.mark_announcement_read(announcement_id)
        if not isinstance(answer, Sent):
            return  # offline: the read mark waits in the outbox, the list stays as saved
        await self.relist()

    # -- actions ------------------------------------------------------------------------

    def open_choice(self, option_id: str) -> None:
        if self.news is None:
            return
        for shown in (*self.news.events, *self.news.past_meetings):
            if option_id in (f"e-{shown.id}", f"p-{shown.id}"):
                self.open_event(shown)
                return
        for item in self.news.announcements:
            if f"a-{item.id}" == option_id:
                self.app.push_screen(
                    DetailScreen(
                        announcement_text(item, self.zone),
                        name="announcement",
                        binding_id="announcement.close",
                        thick=True,
                    )
                )
                if not item.read:
                    self.mark_read(item.id)
                return

    def open_event(self, event: Event) -> None:
        def closed(changed: bool | None) -> None:
            if changed:
                self.action_reload()

        self.app.push_screen(EventScreen(self.data, event), closed)

    def action_plan_meeting(self) -> None:
        self.open_plan()

    async def school_classes(self) -> list[ClassRef]:
        """The school's classes in use, which the administration may address (read from the
        store, else loaded); nobody else's forms name them."""
        me = self.data.me
        if me is None or me.role is not Role.ADMINISTRATION:
            return []
        listed = self.data.cached(endpoints.setup_classes())
        if listed is None:
            listed = await self.data.load(endpoints.setup_classes())
        return [
            ClassRef(id=c.id, name=c.name, grade=c.grade, letter=c.letter)
            for c in listed.classes
            if not c.retired
        ]

    @work(group="post-form", exclusive=True, exit_on_error=False)
    async def open_plan(self) -> None:
        """The new meeting's form (the administration's names the school's classes)."""
        school = await self.school_classes()

        def planned(answer: object) -> None:
            if isinstance(answer, Sent):
                self.notify(_("The meeting is planned."), markup=False)
            else:
                self.notify(
                    _(
                        "The server cannot be reached: the meeting is kept on this computer "
                        "and will be planned when it can."
                    ),
                    severity="warning",
                    timeout=8,
                    markup=False,
                )
                self.refresh_status()
            self.call_later(self.action_reload)

        self.app.push_screen(plan_meeting_form(self.data, school, planned))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "plan_meeting":
            return may_plan(self.data)
        if action == "post":
            me = self.data.me
            return me is not None and me.role in (Role.TEACHER, Role.ADMINISTRATION)
        return super().check_action(action, parameters)

    def action_post(self) -> None:
        self.open_post()

    @work(group="post-form", exclusive=True, exit_on_error=False)
    async def open_post(self) -> None:
        """The form, with whom the user may address (the administration's list names the
        school's classes: read from the store, else loaded)."""
        me = self.data.me
        school = await self.school_classes()
        targets = post_targets(me, school)
        if not targets:
            self.notify(_("You have no class to post to."), severity="warning", markup=False)
            return

        data = self.data

        def post(title: str, body: str, target: Target) -> Awaitable[Outcome]:
            audience, class_id, grade = target
            return data.post_announcement(title, body, class_id, audience, grade)

        self.app.push_screen(PostScreen(targets, post), self.posted)

    def posted(self, answer: Outcome | None) -> None:
        """The form closed on the server's answer, or with the announcement kept to be sent."""
        if answer is not None:
            self.after_post(answer)

    @work(group="post", exit_on_error=False)
    async def after_post(self, answer: Outcome) -> None:
        if not isinstance(answer, Sent):
            self.notify(
                _(
                    "The server cannot be reached: the announcement is kept on this computer "
                    "and will be posted when it can."
                ),
                severity="warning",
                timeout=8,
            )
            self.refresh_status()
            return
        self.notify(_("Posted."))
        await self.relist()
