"""What's new since you last looked: every change since the previous visit, by child and day.

New, edited (old to new, and who changed it) and removed marks, absences, schedule changes,
topics, homework, messages, announcements and events. Official diaries hide edits of marks;
this screen shows them. Opening the screen marks the changes seen; the next visit starts
after them. Offline, the previous visit's list is shown from the local store.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client.i18n import N_, _, day_heading, ngettext
from api_client.models import ChangeItem
from diary_tui.data import DiaryData, Me
from diary_tui.live import WhatsNew, saved_whats_new, whats_new
from diary_tui.notify import describe
from diary_tui.ui import MUTED, clock_time, local
from screens.base import DiaryScreen, list_layout

"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""

SCHOOL = N_("School")
FOR_YOU = N_("For you")

MARKERS = {
    "added": "+",
    "set": "+",
    "new": "+",
    "edited": "✎",
    "removed": "−",
    "changed": "⇄",
    "comment": "+",
}


def group_name(change: ChangeItem, me: Me | None) -> str:
    """Whose change it is: a child's name, a class, "For you" (messages) or "School"."""
    children = list(me.children) if me is not None else []
    if change.pupil_id is not None:
        for child in children:
            if child.id == change.pupil_id:
                return child.full_name
        name = change.payload.get("pupil")
        return str(name) if name else _("Pupil {id}").format(id=change.pupil_id)
    if change.class_id is not None:
        names = [
            c.full_name for c in children if c.class_ is not None and c.class_.id == change.class_id
        ]
        if names:
            return ", ".join(names)
        for child in children:
            if child.class_ is not None and child.class_.id == change.class_id:
                return _("Class {name}").format(name=child.class_.name)
        name = change.payload.get("class")
        return _("Class {name}").format(name=name) if name else _("A class")
    if change.kind.startswith(("message.", "blog.comment")):
        return _(FOR_YOU)
    return _(SCHOOL)


def grouped(
    changes: Iterable[ChangeItem], me: Me | None, zone: dt.tzinfo
) -> list[tuple[str, list[tuple[dt.date, list[ChangeItem]]]]]:
    """Changes by group (children first, in the order of ``me.children``) and by day."""
    groups: dict[str, dict[dt.date, list[ChangeItem]]] = {}
    for change in changes:
        day = local(change.at, zone).date()
        groups.setdefault(group_name(change, me), {}).setdefault(day, []).append(change)
    order = [c.full_name for c in me.children] if me is not None else []

    def rank(name: str) -> tuple[int, str]:
        if name in order:
            return (order.index(name), name)
        return (len(order) + (1 if name == _(FOR_YOU) else 2 if name == _(SCHOOL) else 0), name)

    return [
        (name, sorted(days.items()))
        for name, days in sorted(groups.items(), key=lambda g: rank(g[0]))
    ]


def by_others(changes: Iterable[ChangeItem], me: Me | None) -> list[ChangeItem]:
    """The changes someone else made: what the user did is not news to them."""
    if me is None:
        return list(changes)
    return [change for change in changes if change.actor_id != me.id]


def change_line(
    change: ChangeItem, me: Me | None, zone: dt.tzinfo, width: int | None = None
) -> Content:
    """``19:34 + New mark 5 …``; with ``width``, a long one wraps under its own text column
    (not under the time)."""
    marker = MARKERS.get(change.kind.rpartition(".")[2], "•")
    text = describe(change, me, name_pupil=False)  # the group heading names the child
    head = Content.assemble(
        (clock_time(change.at, zone), MUTED),
        " ",
        (marker, "bold $accent" if marker != "−" else "bold $error"),
        " ",
    )
    body = Content(text)
    if change.actor and "(by " not in text and not change.kind.startswith("message."):
        body += Content.styled(f" · {change.actor}", MUTED)
    if width is None or head.cell_length + body.cell_length <= width:
        return head + body
    column = head.cell_length
    lines = body.wrap(max(width - column, 20))
    indent = Content(" " * column)
    return Content("\n").join([head + lines[0], *(indent + line for line in lines[1:])])


def whatsnew_options(
    news: WhatsNew, me: Me | None, zone: dt.tzinfo, width: int | None = None
) -> list[Option]:
    options: list[Option] = []
    line_width = width - 4 if width is not None else None
    for name, days in grouped(by_others(news.changes, me), me, zone):
        options.append(Option(Content.styled(name, "bold"), disabled=True))
        for day, items in days:
            options.append(Option(Content.styled("  " + day_heading(day), MUTED), disabled=True))
            for change in items:
                line = change_line(change, me, zone, line_width)
                options.append(
                    Option(Content("\n").join(Content("    ") + part for part in line.split("\n")))
                )
    return options


class WhatsNewScreen(DiaryScreen):
    TITLE = N_("What's new")
    NAME = "whatsnew"
    HELP = N_("""
Every change since you last opened this screen, by child and by day: new, edited and removed
marks (an edit shows the old and the new value and who changed it), absences, cancelled or
substituted lessons, topics, homework, messages, announcements, events and teacher blogs
(new posts, changed posts, comments on your own posts).

Opening the screen marks these changes seen: next time it starts after them. When nothing is
new, the list of your previous visit stays. Offline, the saved list is shown.
""")

    DEFAULT_CSS = """
    WhatsNewScreen #whatsnew-title { height: 1; padding: 0 1; background: $boost; }
    WhatsNewScreen #whatsnew-list {
        height: 1fr;
        border: none;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
    }
    WhatsNewScreen #whatsnew-list > .option-list--option { padding: 0 1; }
    """

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="whatsnew.help"),
        Binding("f5", "reload", N_("Refresh"), id="whatsnew.reload"),
        Binding("q", "app.quit", N_("Quit"), id="whatsnew.quit"),
    ]

    class Loaded(Message):
        def __init__(self, news: WhatsNew) -> None:
            super().__init__()
            self.news = news

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.news: WhatsNew | None = None

    def compose(self) -> ComposeResult:
        yield from list_layout(self.NAME, "whatsnew-title", "whatsnew-list")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one(OptionList).focus()
        saved = saved_whats_new(self.data)
        self._paint(WhatsNew(saved, fresh=False), loading=True)
        self.load()

    @property
    def zone(self) -> dt.tzinfo:
        return self.data.zone

    def _paint(self, news: WhatsNew, *, loading: bool = False) -> None:
        self.news = news
        count = len(by_others(news.changes, self.data.me))
        if loading:
            title = Content.styled(_("What's new · looking…"), "bold")
        elif news.fresh:
            title = Content.styled(
                ngettext(
                    "What's new since you last looked: {count} change",
                    "What's new since you last looked: {count} changes",
                    count,
                ).format(count=count),
                "bold",
            )
        elif news.offline:
            title = Content.assemble(
                (_("What's new"), "bold"),
                (" · " + _("offline: the list of your last visit"), MUTED),
            )
        else:
            title = Content.assemble(
                (_("Nothing new since you last looked"), "bold"),
                (" · " + _("the previous list:") if count else "", MUTED),
            )
        self.query_one("#whatsnew-title", Static).update(title)
        option_list = self.query_one(OptionList)
        option_list_width = option_list.scrollable_content_region.width or self.app.size.width
        options = whatsnew_options(news, self.data.me, self.zone, max(option_list_width - 2, 30))
        if not options:
            options = [Option(Content.styled(_("No changes to show yet."), MUTED), disabled=True)]
        option_list.set_options(options)

    @work(exclusive=True, group="whatsnew", exit_on_error=False)
    async def load(self) -> None:
        self.post_message(self.Loaded(await whats_new(self.data)))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self._paint(event.news)
        self.refresh_status()

    def action_reload(self) -> None:
        self.load()

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        return False  # new changes wait for the next visit (or r), the list stays still
