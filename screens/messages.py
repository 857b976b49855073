"""Messages: the thread list with unread counts, a thread's messages, replies and new threads.

The list paints from the store first and refreshes in a worker. A parent sees the threads
about the child shown now (and those about no child); ``c`` switches child. Enter opens a
thread: its messages scroll, long ones wrap, and opening it marks it read on the server.
``r`` replies and ``n`` starts a thread with one of the child's teachers, in a modal where
ctrl+s sends and Escape cancels (asking first when something was typed).

Text from the server is always put on screen as plain text (``Content``), never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from api_client import endpoints, names
from api_client.endpoints import Get
from api_client.i18n import N_, _, ngettext, pgettext
from api_client.models import (
    ChangeItem,
    Participant,
    Recipients,
    Thread,
    Threads,
    ThreadSummary,
)
from diary_tui.data import DiaryData, Queued, Role, Sent, describe_error
from diary_tui.outbox_ops import ReplyOp, ThreadCreateOp
from diary_tui.ui import MUTED, fit, plain, when_said
from diary_tui.widgets import KeyFooter
from screens.base import ListScreen, under_cursor
from screens.dialogs.form import Outcome, SendingForm, close_unless_typed

UNREAD = "bold $accent"


def people(participants: list[Participant]) -> str:
    """``Анна Петрова (классный руководитель 5А), Олег Смирнов (родитель)``: a title the
    school gave, else the role's name in the language in force."""
    return ", ".join(
        f"{plain(p.name)} ({plain(p.title) if p.title else names.role(p.role.value)})"
        for p in participants
    )


def thread_prompt(thread: ThreadSummary, width: int, now: dt.datetime, zone: dt.tzinfo) -> Content:
    """Two lines: sign, subject and time (on the school's clock, as in the thread); then who,
    the child and the unread count."""
    unread = thread.unread > 0
    sign = Content.styled("● ", UNREAD) if unread else Content("  ")
    time = when_said(thread.updated_at, now, zone)
    subject = Content.styled(plain(thread.subject), "bold" if unread else "")
    first = sign + fit(subject, width - 2 - len(time) - 1) + Content(" ") + Content(time)
    detail: list[Content] = [Content.styled(people(thread.participants), MUTED)]
    if thread.pupil is not None:
        detail.append(
            Content.styled(_("about {name}").format(name=plain(thread.pupil.first_name)), MUTED)
        )
    tail = (
        Content.styled(
            ngettext("{count} new", "{count} new", thread.unread).format(count=thread.unread),
            UNREAD,
        )
        if unread
        else Content("")
    )
    line = Content(" · ").join(detail)
    second = (
        Content("  ")
        + fit(line, width - 2 - tail.cell_length - (1 if unread else 0))
        + (Content(" ") + tail if unread else Content(""))
    )
    return Content("\n").join([first, second])


WAITING_TO_SEND = N_("waiting to be sent")
"""How a reply or a new thread kept in the outbox (offline) is marked until it is sent."""

NEVER_LOADED = N_(
    "This thread was never loaded on this computer; it will appear when the server can be reached."
)


def queued_thread_prompt(item: Queued[ThreadCreateOp], width: int) -> Content:
    """A new thread that waits in the outbox: its subject, marked as waiting."""
    subject = Content.styled(plain(item.write.request.subject), "bold")
    tail = Content.styled(_(WAITING_TO_SEND), "$warning")
    first = Content("  ") + fit(subject, width - 2)
    second = Content("  ") + tail
    return Content("\n").join([first, second])


def message_header(author: str, sent: str, mine: bool, new: bool) -> Content:
    parts = [Content.styled(plain(author), "bold $primary" if not mine else "bold")]
    parts.append(Content.styled(f"  {sent}", MUTED))
    if new:
        parts.append(Content.styled("  ● " + pgettext("a message", "new"), UNREAD))
    return Content.assemble(*parts)


# --- modals ------------------------------------------------------------------------------------


SendMessage = Callable[[int | None, str, str], Awaitable[Outcome]]
"""Sends what a compose form holds (recipient, subject, body) through the outbox."""


class ComposeScreen(SendingForm[Outcome]):
    """Write a message: a reply (body only) or a new thread (recipient, subject and body).

    It sends the message itself (``send_with``, through the outbox) and closes only when the
    server has it (answering :class:`~diary_tui.data.Sent`) or it is kept to be sent later
    (:class:`~diary_tui.data.Waiting`); a refusal is said in the form and everything typed
    stays. None when cancelled.
    """

    BINDINGS = [
        Binding("ctrl+s", "send", N_("Send"), id="compose.send", priority=True),
        Binding("escape", "cancel", N_("Cancel"), id="compose.cancel"),
    ]
    DEFAULT_CSS = """
    ComposeScreen { align: center middle; }
    ComposeScreen > Vertical {
        width: 90%; max-width: 100; height: 90%; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    ComposeScreen #compose-recipients { height: auto; max-height: 7; }
    ComposeScreen TextArea { height: 1fr; min-height: 4; }
    ComposeScreen .hint { color: $text-muted; }
    ComposeScreen #compose-error { color: $text-error; height: auto; }
    """
    PROBLEM = "compose-error"
    FIELDS: ClassVar[Mapping[str, str]] = {
        "recipient_id": "compose-recipients",
        "subject": "compose-subject",
        "body": "compose-body",
    }

    def __init__(
        self,
        title: str,
        recipients: Recipients | None = None,
        send_with: SendMessage | None = None,
    ) -> None:
        super().__init__()
        self.heading = title
        self.recipients = recipients
        self.send_with = send_with

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.heading, "bold"))
            if self.recipients is not None:
                yield Static(Content(_("To:")), classes="hint")
                yield OptionList(
                    *[
                        Option(
                            Content.assemble(
                                (plain(p.name), "bold"), (f"  {plain(p.title)}", MUTED)
                            ),
                            id=f"to-{p.id}",
                        )
                        for p in self.recipients.recipients
                    ],
                    id="compose-recipients",
                )
                yield Input(
                    placeholder=pgettext("of a message", "Subject"),
                    id="compose-subject",
                    max_length=200,
                )
            yield TextArea(id="compose-body", soft_wrap=True, show_line_numbers=False)
            yield Static("", id="compose-error")
            yield Static(Content(_("ctrl+s sends · Esc cancels")), classes="hint")

    def on_mount(self) -> None:
        if self.recipients is not None:
            chooser = self.query_one("#compose-recipients", OptionList)
            if self.recipients.recipients:
                chooser.highlighted = 0
            chooser.focus()
        else:
            self.query_one(TextArea).focus()

    def _typed(self) -> bool:
        subject = self.query("#compose-subject")
        typed_subject = bool(subject) and bool(self.query_one("#compose-subject", Input).value)
        return bool(self.query_one(TextArea).text.strip()) or typed_subject

    def action_send(self) -> None:
        body = self.query_one(TextArea).text
        recipient: int | None = None
        subject = ""
        if self.recipients is not None:
            chooser = self.query_one("#compose-recipients", OptionList)
            option = chooser.highlighted_option
            if option is None or option.id is None:
                self.say(_("Choose whom to write to."), "recipient_id")
                return
            recipient = int(option.id.removeprefix("to-"))
            subject = self.query_one("#compose-subject", Input).value
            if not subject.strip():
                self.say(_("Write a subject."), "subject")
                return
        if not body.strip():
            self.say(_("The message is empty: write something first."), "body")
            return
        send_with = self.send_with
        if send_with is None:
            return
        self.send(
            lambda: send_with(recipient, subject, body), _("The message was not sent: {reason}")
        )

    def action_cancel(self) -> None:
        close_unless_typed(self, self._typed(), None)

    @on(OptionList.OptionSelected, "#compose-recipients")
    def _chosen(self) -> None:
        self.query_one("#compose-subject", Input).focus()

    @on(Input.Submitted, "#compose-subject")
    def _subject_done(self) -> None:
        self.query_one(TextArea).focus()


class PupilPickerScreen(ModalScreen[int | None]):
    """A teacher chooses a class (and subject) they teach, then a pupil of it."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="picker.cancel")]
    DEFAULT_CSS = """
    PupilPickerScreen { align: center middle; }
    PupilPickerScreen > Vertical {
        width: 70; max-width: 90%; height: 80%; border: thick $primary;
        background: $surface; padding: 0 1;
    }
    PupilPickerScreen OptionList { height: 1fr; }
    """

    class Pupils(Message):
        def __init__(self, key: tuple[int, int], pupils: list[tuple[int, str]]) -> None:
            super().__init__()
            self.key = key
            self.pupils = pupils

    def __init__(self, data: DiaryData, classes: list[tuple[str, int, int]]) -> None:
        super().__init__()
        self.data = data
        self.choices = classes
        self._key: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(_("Write to the parents of…"), "bold"), id="picker-title")
            yield OptionList(
                *[
                    Option(Content(label), id=f"class-{i}")
                    for i, (label, _, _) in enumerate(self.choices)
                ],
                id="picker-list",
            )
            yield Static(Content.styled(_("Enter chooses · Esc cancels"), MUTED))

    def on_mount(self) -> None:
        chooser = self.query_one(OptionList)
        chooser.highlighted = 0
        chooser.focus()

    @on(OptionList.OptionSelected, "#picker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("pupil-"):
            self.dismiss(int(option_id.removeprefix("pupil-")))
            return
        _label, class_id, subject_id = self.choices[int(option_id.removeprefix("class-"))]
        self._key = (class_id, subject_id)
        self.load_pupils(class_id, subject_id)

    @work(exclusive=True, group="pupils", exit_on_error=False)
    async def load_pupils(self, class_id: int, subject_id: int) -> None:
        journal = self.data.cached(endpoints.journal(class_id, subject_id, None))
        if journal is None:
            journal = await self.data.load(endpoints.journal(class_id, subject_id))
        pupils = [(p.id, f"{p.number}. {p.last_name} {p.first_name}") for p in journal.pupils]
        self.post_message(self.Pupils((class_id, subject_id), pupils))

    @on(Pupils)
    def _pupils(self, event: Pupils) -> None:
        if event.key != self._key:
            return
        chooser = self.query_one(OptionList)
        chooser.set_options(
            Option(Content(plain(name)), id=f"pupil-{pid}") for pid, name in event.pupils
        )
        if event.pupils:
            chooser.highlighted = 0
        self.query_one("#picker-title", Static).update(
            Content.styled(_("Write to the parents of which pupil?"), "bold")
        )

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.notify(
                describe_error(event.worker.error), severity="error", timeout=8, markup=False
            )

    def action_cancel(self) -> None:
        self.dismiss(None)


# --- one thread ----------------------------------------------------------------------------------


class ThreadScreen(ModalScreen[None]):
    """One thread: its messages, oldest first, in a scrolling view; ``r`` replies."""

    BINDINGS = [
        Binding("r", "reply", N_("Reply"), id="thread.reply"),
        Binding("escape,q", "close", N_("Back"), id="thread.close"),
        Binding("f5", "reload", N_("Refresh"), id="thread.reload", show=False),
    ]
    DEFAULT_CSS = """
    ThreadScreen { background: $background; }
    ThreadScreen #thread-title { height: auto; padding: 0 1; background: $panel; }
    ThreadScreen #thread-messages { height: 1fr; padding: 0 1; }
    ThreadScreen .message { margin-bottom: 1; }
    ThreadScreen .message-head { height: 1; }
    """

    class Loaded(Message):
        def __init__(self, thread: Thread) -> None:
            super().__init__()
            self.thread = thread

    def __init__(self, data: DiaryData, summary: ThreadSummary) -> None:
        super().__init__()
        self.data = data
        self.summary = summary
        self.thread: Thread | None = None
        self._read_sent = 0

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="thread-title")
        yield VerticalScroll(id="thread-messages", can_focus=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self._title(self.summary.subject, self.summary.participants)
        cached = self.data.cached(endpoints.thread(self.summary.id))
        if cached is not None:
            self._paint(cached)
        else:
            self._say(_("Loading the messages…"))
        self.query_one("#thread-messages").focus()
        self.load()

    def _title(self, subject: str, participants: list[Participant]) -> None:
        me = self.data.me
        others = [p for p in participants if me is None or p.id != me.id]
        self.query_one("#thread-title", Static).update(
            Content("\n").join(
                [
                    Content.styled(plain(subject), "bold"),
                    Content.styled(_("with {people}").format(people=people(others)), MUTED)
                    if others
                    else Content(""),
                ]
            )
        )

    def _paint(self, thread: Thread) -> None:
        self.thread = thread
        self._title(thread.subject, thread.participants)
        box = self.query_one("#thread-messages", VerticalScroll)
        box.remove_children()
        me = self.data.me
        # Written as the thread list writes its time (the school's clock), so the two agree.
        now, zone = self.data.clock(), self.data.zone
        widgets: list[Static] = []
        for msg in thread.messages:
            mine = me is not None and msg.author_id == me.id
            new = not mine and msg.id > thread.last_read_id
            widgets.append(
                Static(
                    message_header(msg.author, when_said(msg.sent_at, now, zone), mine, new),
                    classes="message-head",
                )
            )
            widgets.append(Static(Content(msg.body), classes="message", markup=False))
        widgets.extend(self._queued_widgets())
        if not widgets:
            widgets.append(Static(Content.styled(_("No messages yet."), MUTED)))
        box.mount_all(widgets)
        box.call_after_refresh(box.scroll_end, animate=False)

    def _queued_widgets(self) -> list[Static]:
        """Replies typed here that wait in the outbox, marked as waiting."""
        me = self.data.me
        author = me.full_name if me is not None else _("You")
        widgets: list[Static] = []
        for item in self.data.queued(ReplyOp):
            if item.write.thread_id != self.summary.id:
                continue
            head = Content.assemble(
                Content.styled(plain(author), "bold"),
                Content.styled("  " + _(WAITING_TO_SEND), "$warning"),
            )
            widgets.append(Static(head, classes="message-head queued"))
            text = Content(item.write.request.body)
            widgets.append(Static(text, classes="message queued", markup=False))
        return widgets

    def _say(self, text: str) -> None:
        box = self.query_one("#thread-messages", VerticalScroll)
        box.remove_children()
        box.mount(Static(Content.styled(text, MUTED)))
        box.mount_all(self._queued_widgets())

    def changes_arrived(self, changes: list[ChangeItem]) -> None:
        """A new message came live: one in this thread is shown at once."""
        if any(
            c.kind == "message.new" and c.payload.get("thread_id") == self.summary.id
            for c in changes
        ):
            self.load()

    def write_settled(self, item: object) -> None:
        """A reply of this thread kept in the outbox was sent (or refused): show the thread
        as the server has it now."""
        if getattr(item, "op", "") == "message.reply":
            self.load()

    @work(exclusive=True, group="thread", exit_on_error=False)
    async def load(self) -> None:
        thread = await self.data.load(endpoints.thread(self.summary.id))
        self.post_message(self.Loaded(thread))
        newest = thread.messages[-1].id if thread.messages else 0
        if newest > thread.last_read_id and newest > self._read_sent:
            self._read_sent = newest
            await self.data.mark_thread_read(thread.id, newest)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.thread.id == self.summary.id:
            self._paint(event.thread)

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_reply(self) -> None:
        data, thread_id = self.data, self.summary.id

        def send(_to: int | None, _subject: str, body: str) -> Awaitable[Outcome]:
            return data.send_reply(thread_id, body)

        self.app.push_screen(
            ComposeScreen(
                _("Reply: {subject}").format(subject=plain(self.summary.subject)), send_with=send
            ),
            self.replied,
        )

    def replied(self, result: Outcome | None) -> None:
        """The reply form closed on the server's answer, or with the reply kept to be sent."""
        if result is None:
            return
        if isinstance(result, Sent):
            self.post_message(self.Loaded(result.value))
            self.notify(_("Sent."))
            return
        self.notify(
            _(
                "The server cannot be reached: the reply is kept on this computer and will be "
                "sent when it can."
            ),
            severity="warning",
            timeout=8,
        )
        self._repaint()

    def _repaint(self) -> None:
        if self.thread is not None:
            self._paint(self.thread)
        else:
            self._say(_(NEVER_LOADED))

    @on(Worker.StateChanged)
    def _failed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            if event.worker.group == "thread" and self.thread is None:
                self._say(_(NEVER_LOADED))
            self.notify(
                describe_error(event.worker.error), severity="error", timeout=8, markup=False
            )


# --- the thread list ---------------------------------------------------------------------------


class MessagesScreen(ListScreen[Threads]):
    ENDS_SESSION = True
    TITLE = N_("Messages")
    NAME = "messages"
    WRITES = ("message.reply", "thread.create")
    HELP = N_("""
Your message threads, most recent first. ● and bold mark threads with unread messages; the
number says how many. A parent sees the threads about the child shown now ({app.next_child}:
next child).

Enter opens a thread (reading it marks it read); {messages.reply} replies in it. {messages.new}
writes to one of the child's teachers or the class teacher (a teacher: to a parent of a pupil of
their class). In the editor, {compose.send} sends and Esc cancels.
""")

    TITLE_ID = "messages-title"
    LIST_ID = "threads"
    LOADING = N_("Loading the messages…")
    NEVER_LOADED = N_(
        "The messages were never loaded on this computer; they will appear when "
        "the server can be reached."
    )

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="messages.help"),
        Binding("n", "new_thread", N_("New message"), id="messages.new"),
        Binding("r", "reply", N_("Reply"), id="messages.reply"),
        Binding("f5", "reload", N_("Refresh"), id="messages.reload"),
        Binding("q", "app.quit", N_("Quit"), id="messages.quit"),
    ]

    class RecipientsLoaded(Message):
        def __init__(self, recipients: Recipients) -> None:
            super().__init__()
            self.recipients = recipients

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.threads: Threads | None = None
        self.shown_pupil: int | None = None
        """The child whose threads are on screen (a parent); None: all threads."""
        self._wanted: int | None = None
        """The pupil a new thread is about (a teacher's choice)."""
        self._select: int | None = None
        """A thread to put the cursor on when the list shows it (the one just sent)."""

    def source(self) -> Get[Threads]:
        return endpoints.threads()

    def painted(self) -> Threads | None:
        return self.threads

    # -- what is shown ------------------------------------------------------------------

    def shown(self, threads: Threads) -> list[ThreadSummary]:
        """The threads of the child shown now (a parent), or all of them."""
        me = self.data.me
        child = self.data.child
        if me is None or me.role is not Role.PARENT or child is None:
            return list(threads.threads)
        return [t for t in threads.threads if t.pupil is None or t.pupil.id == child.id]

    def _update_title(self, threads: list[ThreadSummary] | None) -> None:
        parts = [Content.styled(_("Messages"), "bold")]
        me, child = self.data.me, self.data.child
        if me is not None and me.role is Role.PARENT and child is not None:
            parts.append(Content(_("about {name}").format(name=plain(child.first_name))))
        if threads is not None:
            unread = sum(t.unread for t in threads)
            parts.append(
                Content.styled(
                    ngettext("{count} unread", "{count} unread", unread).format(count=unread),
                    UNREAD,
                )
                if unread
                else Content.styled(_("all read"), MUTED)
            )
        self.query_one("#messages-title", Static).update(Content(" · ").join(parts))

    def waiting_options(self) -> list[Option]:
        """New threads about the child shown (or any) that wait in the outbox."""
        child = self.data.child
        me = self.data.me
        parent = me is not None and me.role is Role.PARENT
        found = self.data.queued(ThreadCreateOp)
        if parent and child is not None:
            found = [q for q in found if q.write.request.pupil_id in (None, child.id)]
        return [
            Option(queued_thread_prompt(q, self.painted_width or self.list_width()), disabled=True)
            for q in reversed(found)
        ]

    def paint(self, threads: Threads) -> None:
        self.threads = threads
        shown = self.shown(threads)
        me, child = self.data.me, self.data.child
        parent = me is not None and me.role is Role.PARENT
        self.shown_pupil = child.id if parent and child is not None else None
        self._update_title(shown)
        self.painted_width = self.list_width()
        queued = self.waiting_options()
        if not shown and not queued:
            me = self.data.me
            if me is not None and me.role is Role.TEACHER:
                said = _("No messages yet. Press {key} to write to parents.")
            else:
                said = _("No messages yet. Press {key} to write to your teachers.")
            self.say(said.format(key=self.key_of("messages.new")))
            return
        now, zone = self.data.clock(), self.data.zone
        prefer = None
        if self._select is not None and any(t.id == self._select for t in shown):
            prefer, self._select = f"thread-{self._select}", None
        self.set_choices(
            [
                *queued,
                *(
                    Option(thread_prompt(t, self.painted_width, now, zone), id=f"thread-{t.id}")
                    for t in shown
                ),
            ],
            prefer=prefer,
        )

    def child_changed(self) -> None:
        self.query_one(OptionList).highlighted = None
        if self.threads is not None:
            self.paint(self.threads)
        self.load()

    async def before_load(self) -> None:
        if self.data.me is None:
            await self.data.load_me()
            self.refresh_nav()

    # -- actions ------------------------------------------------------------------------

    def _highlighted(self) -> ThreadSummary | None:
        threads = self.threads
        return under_cursor(
            self.query_one(OptionList), threads.threads if threads else None, "thread-"
        )

    def open_thread(self, thread: ThreadSummary, reply: bool = False) -> None:
        screen = ThreadScreen(self.data, thread)

        def closed(_: None) -> None:
            self.load()

        self.app.push_screen(screen, closed)
        if reply:
            screen.call_after_refresh(screen.action_reply)

    def open_choice(self, option_id: str) -> None:
        thread = self._highlighted()
        if thread is not None:
            self.open_thread(thread)

    def action_reply(self) -> None:
        thread = self._highlighted()
        if thread is None:
            self.notify(_("Choose a thread to reply in."), severity="warning")
            return
        self.open_thread(thread, reply=True)

    def action_new_thread(self) -> None:
        me, child = self.data.me, self.data.child
        if me is None:
            return
        if child is None:
            self._pick_pupil()
            return
        self._wanted = child.id
        cached = self.data.cached(endpoints.recipients(child.id))
        if cached is not None and cached.pupil.id == child.id:
            self._compose_new(cached)
        self.load_recipients(child.id, show=cached is None)

    def _pick_pupil(self) -> None:
        """A teacher: choose a class they teach, then a pupil, then one of the parents."""
        me = self.data.me
        if me is None or me.role is not Role.TEACHER or not me.teaching:
            self.notify(_("There is nobody you can start a thread with."), severity="warning")
            return
        classes = [
            (f"{t.class_.name} · {t.subject.name}", t.class_.id, t.subject.id)
            for t in sorted(me.teaching, key=lambda t: (t.class_.grade, t.class_.letter))
        ]

        def chosen(pupil_id: int | None) -> None:
            if pupil_id is not None:
                self._wanted = pupil_id
                self.load_recipients(pupil_id, show=True)

        self.app.push_screen(PupilPickerScreen(self.data, classes), chosen)

    @work(exclusive=True, group="recipients", exit_on_error=False)
    async def load_recipients(self, pupil_id: int, show: bool) -> None:
        recipients = await self.data.load(endpoints.recipients(pupil_id))
        if show:
            self.post_message(self.RecipientsLoaded(recipients))

    @on(RecipientsLoaded)
    def _recipients_loaded(self, event: RecipientsLoaded) -> None:
        child = self.data.child
        wanted = child.id if child is not None else self._wanted
        if event.recipients.pupil.id == wanted:
            self._compose_new(event.recipients)

    def _compose_new(self, recipients: Recipients) -> None:
        if not recipients.recipients:
            self.notify(_("There is nobody to write to about this pupil."), severity="warning")
            return
        pupil_id = recipients.pupil.id
        name = plain(recipients.pupil.first_name)

        data = self.data

        def send(to: int | None, subject: str, body: str) -> Awaitable[Outcome]:
            assert to is not None  # the form asks whom first
            return data.start_thread(to, pupil_id, subject, body)

        self.app.push_screen(
            ComposeScreen(
                _("New message about {name}").format(name=name), recipients, send_with=send
            ),
            self.thread_started,
        )

    def thread_started(self, result: Outcome | None) -> None:
        """The new-message form closed on the server's answer, or with it kept to be sent."""
        if result is not None:
            self.after_new_thread(result)

    @work(exclusive=True, group="new-thread", exit_on_error=False)
    async def after_new_thread(self, result: Outcome) -> None:
        if not isinstance(result, Sent):
            self.notify(
                _(
                    "The server cannot be reached: the message is kept on this computer and "
                    "will be sent when it can."
                ),
                severity="warning",
                timeout=8,
            )
            if self.threads is not None:
                self.paint(self.threads)
            else:
                self.say(_("The messages were never loaded on this computer."))
            return
        self._select = result.value.id  # the cursor goes to the thread just sent
        self.notify(_("Sent."))
        await self.relist()
