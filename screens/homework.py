"""The homework screen: upcoming homework first (soonest first), then past (latest first).

Each item shows its due date, subject, teacher, text and attachments (name and size). A
pupil ticks homework done with space: the tick shows at once and goes to the server in the
background; if the server refuses, the tick goes back and a message says why. ``f`` cycles
the subject filter; ``d`` saves the item's attachments to a folder the user types.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints, i18n
from api_client.i18n import N_, _, pgettext
from api_client.models import Attachment, HomeworkItem, HomeworkList, SubjectRef
from diary_tui.data import DiaryData, Role, Sent, describe_error
from diary_tui.outbox_ops import HomeworkDoneOp
from diary_tui.ui import MUTED, fit, muted, plain, size_text, title_line
from screens.base import ChildScreen, list_layout
from screens.dialogs.ask import AskText
from screens.dialogs.detail import DetailScreen

DONE = "$text-success"
DEFAULT_FOLDER = "~/Downloads"


def due_text(due: dt.date, today: dt.date) -> str:
    days = (due - today).days
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    if days == -1:
        return _("yesterday")
    return i18n.day_label(due)


WAITING_TO_SEND = N_("tick waiting to be sent")
DUE_WIDTH = 11
"""The due column's least width (``Wed 25 Nov`` and a gap); wider when a day needs it."""


def item_prompt(
    item: HomeworkItem,
    today: dt.date,
    width: int,
    *,
    can_tick: bool,
    waiting: bool = False,
    due_width: int = DUE_WIDTH,
) -> Content:
    """Two lines: the tick, due date, subject and teacher; then the text and attachments.
    ``waiting``: the tick was made here and waits in the outbox to be sent."""
    tick = Content.styled("[✓] ", DONE) if item.done else Content("[ ] ")
    if not can_tick:
        tick = Content.styled("✓   ", DONE) if item.done else Content("    ")
    overdue = item.due < today and not item.done
    first = Content.assemble(
        tick,
        (due_text(item.due, today).ljust(due_width), "bold $text-error" if overdue else "bold"),
        (plain(item.subject.name), "bold"),
        (f" · {plain(item.teacher)}" if item.teacher else "", MUTED),
        (f" · {_(WAITING_TO_SEND)}" if waiting else "", "$text-warning"),
    )
    text = Content(plain(item.text))
    if item.done:
        text = text.stylize(MUTED)
    files = [
        Content.assemble("📎 ", plain(a.name), (f" ({size_text(a.size)})", MUTED))
        for a in item.attachments
    ]
    second = Content("    ") + Content("  ").join([text, *files])
    return Content("\n").join([fit(first, width), fit(second, width)])


def homework_options(
    homework: HomeworkList,
    subject_id: int | None,
    width: int,
    *,
    can_tick: bool,
    waiting: frozenset[int] = frozenset(),
) -> list[Option]:
    items = [i for i in homework.items if subject_id is None or i.subject.id == subject_id]
    upcoming = [i for i in items if i.due >= homework.today]
    past = [i for i in items if i.due < homework.today]
    options: list[Option] = []
    due_width = max([DUE_WIDTH, *(len(due_text(i.due, homework.today)) + 1 for i in items)])
    for heading, group in ((_("Upcoming"), upcoming), (_("Past"), past)):
        options.append(
            Option(Content.styled(f"{heading} ({len(group)})", "bold $primary"), disabled=True)
        )
        if not group:
            options.append(Option(muted("    " + _("nothing")), disabled=True))
        for item in group:
            prompt = item_prompt(
                item,
                homework.today,
                width,
                can_tick=can_tick,
                waiting=item.id in waiting,
                due_width=due_width,
            )
            options.append(Option(prompt, id=f"hw-{item.id}"))
    return options


class HomeworkScreen(ChildScreen[HomeworkList]):
    NAME = "homework"
    WRITES = ("homework_done.set",)
    TITLE = N_("Homework")
    WHAT = N_("homework")
    HELP = N_("""
Homework from two weeks back to four weeks ahead: upcoming first (soonest first), then
past (latest first), with the due date, subject, teacher, text and attachments.

{homework.subject} shows one subject at a time (and then all again). A pupil ticks homework done
with {homework.done}; the tick is kept on the server. {homework.download} saves the item's
attachments to a folder you choose.
""")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", N_("Help"), id="homework.help"),
        Binding("space", "toggle_done", N_("Done"), id="homework.done"),
        Binding("f", "next_subject", N_("Subject"), id="homework.subject"),
        Binding("d", "download", N_("Save files"), id="homework.download"),
        Binding("f5", "reload", N_("Refresh"), id="homework.reload", show=False),
        Binding("q", "app.quit", N_("Quit"), id="homework.quit"),
    ]

    DEFAULT_CSS = """
    #homework-title { height: 1; padding: 0 1; background: $boost; }
    #homework-list { height: 1fr; border: none; padding: 0; scrollbar-size-vertical: 1; }
    """

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.subject_id: int | None = None
        self._pending: set[int] = set()

    def compose(self) -> ComposeResult:
        yield from list_layout(self.NAME, "homework-title", "homework-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        super().on_mount()

    @property
    def can_tick(self) -> bool:
        me = self.data.me
        return me is not None and me.role is Role.PUPIL

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_done":
            return self.can_tick
        return super().check_action(action, parameters)

    # -- data ---------------------------------------------------------------------------

    def cached(self, pupil_id: int) -> HomeworkList | None:
        return self.data.cached(endpoints.homework(pupil_id))

    async def fetch(self, pupil_id: int) -> HomeworkList:
        return await self.data.load(endpoints.homework(pupil_id))

    def subject(self) -> SubjectRef | None:
        if self.value is None or self.subject_id is None:
            return None
        return next((s for s in self.value.subjects if s.id == self.subject_id), None)

    # -- painting -----------------------------------------------------------------------

    def show_message(self, text: str) -> None:
        self.query_one(OptionList).set_options([Option(muted(text), disabled=True)])

    def update_title(self) -> None:
        value = self.value
        parts: list[Content | str] = [Content.styled(_("Homework"), "bold")]
        if value is not None:
            span = (
                f"{i18n.day_month(value.start, short=True)} – "
                f"{i18n.day_month(value.end, short=True)}"
            )
            parts.append(_("due {dates}").format(dates=span))
            subject = self.subject()
            parts.append(
                Content.assemble(_("subject:") + " ", (plain(subject.name), "bold"))
                if subject is not None
                else muted(_("all subjects"))
            )
        self.query_one("#homework-title", Static).update(title_line(*parts))

    def paint(self, value: HomeworkList) -> None:
        option_list = self.query_one(OptionList)
        keep = option_list.highlighted_option.id if option_list.highlighted_option else None
        width = max(option_list.scrollable_content_region.width or self.app.size.width - 2, 40)
        if not value.items:
            self.show_message(_("No homework from two weeks ago to four weeks ahead."))
            return
        waiting = self._apply_waiting_ticks(value)
        option_list.set_options(
            homework_options(
                value, self.subject_id, width - 1, can_tick=self.can_tick, waiting=waiting
            )
        )
        if keep is not None:
            try:
                option_list.highlighted = option_list.get_option_index(keep)
                return
            except Exception:  # the item is gone or filtered out
                pass
        for index, option in enumerate(option_list.options):
            if not option.disabled:
                option_list.highlighted = index
                break

    def _apply_waiting_ticks(self, value: HomeworkList) -> frozenset[int]:
        """Show the ticks that wait in the outbox as made (the newest of each item wins);
        returns the items they are for."""
        ticks: dict[int, bool] = {}
        for queued in self.data.queued(HomeworkDoneOp):
            if queued.write.pupil_id == value.pupil.id:
                ticks[queued.write.homework_id] = queued.write.request.done
        for item in value.items:
            if item.id in ticks:
                item.done = ticks[item.id]
        return frozenset(ticks)

    def on_resize(self) -> None:
        if self.value is not None:
            self.call_after_refresh(self.paint, self.value)

    def highlighted_item(self) -> HomeworkItem | None:
        option = self.query_one(OptionList).highlighted_option
        if self.value is None or option is None or option.id is None:
            return None
        wanted = option.id.removeprefix("hw-")
        return next((i for i in self.value.items if str(i.id) == wanted), None)

    # -- actions ------------------------------------------------------------------------

    def action_next_subject(self) -> None:
        if self.value is None or not self.value.subjects:
            return
        ids: list[int | None] = [None, *(s.id for s in self.value.subjects)]
        index = ids.index(self.subject_id) if self.subject_id in ids else 0
        self.subject_id = ids[(index + 1) % len(ids)]
        self.update_title()
        self.paint(self.value)

    def action_toggle_done(self) -> None:
        item = self.highlighted_item()
        child = self.child
        if item is None or child is None or not self.can_tick or item.id in self._pending:
            return
        item.done = not item.done  # shown at once; put back if the server refuses
        self._pending.add(item.id)
        if self.value is not None:
            self.paint(self.value)
        self.send_done(child.id, item, item.done)

    @work(group="done", exit_on_error=False)
    async def send_done(self, pupil_id: int, item: HomeworkItem, done: bool) -> None:
        try:
            result = await self.data.set_homework_done(pupil_id, item.id, done)
        except Exception as exc:
            item.done = not done
            self.notify(
                _("The tick was not saved: {reason}").format(reason=describe_error(exc)),
                severity="error",
                timeout=8,
                markup=False,
            )
            if self.value is not None and self.shown_pupil == pupil_id:
                self.paint(self.value)
            return
        finally:
            self._pending.discard(item.id)
        if not isinstance(result, Sent):
            self.notify(
                _(
                    "The server cannot be reached: the tick is kept on this computer and will "
                    "be sent when it can."
                ),
                severity="warning",
                timeout=6,
            )
            if self.value is not None and self.shown_pupil == pupil_id:
                self.paint(self.value)
            return
        if self.shown_pupil == pupil_id:
            self.load(pupil_id, self.load_key())  # the saved list gets the new tick

    def action_download(self) -> None:
        item = self.highlighted_item()
        if item is None or not item.attachments:
            self.notify(_("This homework has no files."), timeout=4)
            return
        folder = self.data.remembered("download_folder") or DEFAULT_FOLDER
        files = list(item.attachments)

        def chosen(target: str | None) -> None:
            if target:
                self.data.remember_setting("download_folder", target)
                self.save_files(files, target)

        names = ", ".join(plain(a.name) for a in files)
        ask = AskText(
            Content.assemble((_("Save") + " ", "bold"), names),
            folder,
            required=False,
            empty=DEFAULT_FOLDER,
            label=_("Into the folder"),
            hint=_("Enter saves · Esc cancels · an existing file is kept"),
            name="folder",
            binding_id="homework.folder.cancel",
            frame="primary",
            compact=True,
        )
        self.app.push_screen(ask, chosen)

    @work(group="download", exit_on_error=False)
    async def save_files(self, files: list[Attachment], folder: str) -> None:
        for attachment in files:
            path = await self.data.download_attachment(attachment, folder)
            self.notify(_("Saved {path}").format(path=path), timeout=6, markup=False)

    @on(OptionList.OptionSelected, "#homework-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        item = self.highlighted_item()
        if item is None:
            return
        lines = [
            Content.assemble(
                (plain(item.subject.name), "bold"),
                ("  " + _("due {when}").format(when=i18n.on_day(item.due)), MUTED),
            ),
            Content.styled(
                (
                    _("Given {day} by {name}")
                    if item.teacher
                    else pgettext("homework given", "Given {day}")
                ).format(day=i18n.day_month(item.given, short=True), name=plain(item.teacher)),
                MUTED,
            ),
            Content(""),
            Content(item.text),
        ]
        for attachment in item.attachments:
            lines.append(
                Content.assemble(
                    "📎 ", attachment.name, (f" ({size_text(attachment.size)})", MUTED)
                )
            )
        if item.done:
            lines.append(Content.styled("✓ " + _("done"), DONE))
        self.app.push_screen(
            DetailScreen(
                Content("\n").join(lines),
                name="homework-detail",
                binding_id="homework.detail.close",
                width="72",
            )
        )
