"""The class chat: a class's pupils and their teachers in one room.

The messages of the chosen class (a teacher of several classes chooses with ``c``), oldest at
the top and the newest at the bottom; ``e`` brings the page before. The input line at the
bottom sends with Enter, through the outbox: offline the message waits and is shown as
waiting, and the line is emptied only once the message is kept. New messages arrive live
(the change feed's ``chat.*``) and the screen shows them by itself.

The class teacher and the administration moderate: ``x`` hides the highlighted message (or
shows it again), ``L`` closes the chat or opens it. A hidden message stays in its place as
"hidden by ..."; in a closed chat the input line says so and only the class teacher writes.

Text from the server is put on screen as plain text (``Content``), never as markup.
"""

from __future__ import annotations

import dataclasses

from textual import on, work
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints
from api_client.i18n import N_, _, pgettext
from api_client.models import (
    CHAT_MESSAGE_MAX_LENGTH,
    ChangeItem,
    Chat,
    ChatMessage,
    Chats,
    ChatSummary,
    Role,
)
from diary_tui.clock import when_said
from diary_tui.data import DiaryData, NotSaved, Sent
from diary_tui.keys import with_keys
from diary_tui.outbox_ops import ChatPostOp
from diary_tui.ui import MUTED
from diary_tui.widgets import DiaryList, KeyFooter, NavBar, StatusLine
from screens.base import DiaryScreen, under_cursor

WAITING_TO_SEND = N_("waiting to be sent")


class ClassPicker(ModalScreen[int | None]):
    """Choose one of the user's class chats."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"), id="chat_picker.cancel")]
    DEFAULT_CSS = """
    ClassPicker { align: center middle; }
    ClassPicker > Vertical {
        width: 40; height: auto; max-height: 80%; border: thick $primary; background: $surface;
    }
    ClassPicker OptionList { height: auto; max-height: 20; }
    """

    def __init__(self, chats: list[ChatSummary], current: int | None) -> None:
        super().__init__()
        self.chats = chats
        self.current = current

    def compose(self) -> ComposeResult:
        options = []
        for summary in self.chats:
            label = Content(summary.class_.name)
            if summary.closed:
                label += Content.styled("  " + _("closed"), MUTED)
            options.append(Option(label, id=str(summary.class_.id)))
        with Vertical():
            yield Static(Content.styled(_("Which class's chat?"), "bold"))
            yield OptionList(*options, id="chat-classes")

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        picker.focus()
        for index, summary in enumerate(self.chats):
            if summary.class_.id == self.current:
                picker.highlighted = index

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0) or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


def message_prompt(message: ChatMessage, mine: bool, when: str, moderator: bool) -> Content:
    """Two lines or more: who and when, then the text (or that it was hidden)."""
    head = Content.assemble(
        Content.styled(message.author, "bold" if mine else "bold $primary"),
        Content.styled(f"  {when}", MUTED),
    )
    if message.hidden:
        said = (
            _("hidden by {name}").format(name=message.hidden_by)
            if message.hidden_by
            else _("hidden by the teacher")
        )
        note = Content.styled(f"({said})", "italic $warning")
        body = Content(message.body) + Content(" ") + note if moderator and message.body else note
    else:
        body = Content(message.body)
    return Content("\n").join([head, body])


class ChatScreen(DiaryScreen):
    ENDS_SESSION = True
    TITLE = N_("Chat")
    NAME = "chat"
    WRITES = ("chat.post", "chat.hide", "chat.state")
    HELP = N_("""
The class chat: the pupils of a class and their teachers. The newest messages are at the bottom;
{chat.older} shows the ones before. {chat.write} (or Enter) goes to the line at the bottom: type
and press Enter to send (Esc leaves the line). Without the server a message waits on this
computer and is sent when it can. A teacher of several classes chooses the class with
{chat.class}.

The class teacher and the administration: {chat.hide} hides the highlighted message or shows it
again (a hidden message stays, marked as hidden); {chat.close} closes the chat (only the class
teacher writes while it is closed) or opens it again.
""")

    DEFAULT_CSS = """
    ChatScreen #chat-title { height: 1; padding: 0 1; background: $boost; }
    ChatScreen #chat-messages { height: 1fr; border: none; padding: 0; }
    ChatScreen #chat-messages > .option-list--option { padding: 0 1; }
    ChatScreen #chat-input { height: 3; }
    """

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="chat.help"),
        Binding("i", "write", N_("Write"), id="chat.write"),
        Binding("escape", "leave_input", N_("Messages"), id="chat.leave", show=False),
        Binding("e", "older", N_("Earlier"), id="chat.older"),
        Binding("c", "choose_class", N_("Class"), id="chat.class"),
        Binding("x", "hide", N_("Hide/show"), id="chat.hide"),
        Binding("L", "close_chat", N_("Close/open"), id="chat.close"),
        Binding("f5", "reload", N_("Refresh"), id="chat.reload"),
        Binding("q", "app.quit", N_("Quit"), id="chat.quit"),
    ]

    class ChatsLoaded(Message):
        def __init__(self, chats: Chats) -> None:
            super().__init__()
            self.chats = chats

    class ChatLoaded(Message):
        def __init__(self, chat: Chat, older: bool) -> None:
            super().__init__()
            self.chat = chat
            self.older = older

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.chats: Chats | None = None
        self.class_id: int | None = None
        self.chat: Chat | None = None
        self.earlier: list[ChatMessage] = []
        """Older pages brought with ``e``, before the newest page."""
        self.more_before = False

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(""), id="chat-title")
        yield DiaryList(id="chat-messages")
        yield Input(
            id="chat-input",
            max_length=CHAT_MESSAGE_MAX_LENGTH,
            placeholder=_("Write a message and press Enter"),
        )
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        cached = self.data.cached(endpoints.chats())
        if cached is not None:
            self._chats(cached)
        else:
            self._say(_("Loading the chat…"))
        # The keys of the screen and the bar work at once; i (or Enter) goes to the line.
        self.query_one("#chat-messages", DiaryList).focus()
        self.load_chats()

    # -- which chat ---------------------------------------------------------------------

    def _default_class(self, chats: Chats) -> int | None:
        """The class shown first: a class teacher's own class, else the first."""
        me = self.data.me
        if me is not None and me.homeroom is not None:
            for summary in chats.chats:
                if summary.class_.id == me.homeroom.id:
                    return summary.class_.id
        return chats.chats[0].class_.id if chats.chats else None

    def _chats(self, chats: Chats) -> None:
        self.chats = chats
        known = {c.class_.id for c in chats.chats}
        if self.class_id not in known:
            self.class_id = self._default_class(chats)
            self.chat, self.earlier = None, []
        if self.class_id is None:
            self._say(_("You are in no class chat."))
            return
        if self.chat is None:
            cached = self.data.cached(endpoints.chat(self.class_id))
            if cached is not None:
                self._paint(cached)
            else:
                self._say(_("Loading the chat…"))
        self.refresh_bindings()

    def _summary(self) -> ChatSummary | None:
        if self.chats is None:
            return None
        return next((c for c in self.chats.chats if c.class_.id == self.class_id), None)

    # -- painting -----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        box = self.query_one("#chat-messages", DiaryList)
        box.clear_options()
        box.add_option(Option(Content.styled(text, MUTED), disabled=True))
        box.add_options(self._queued_options())

    def _queued_options(self) -> list[Option]:
        me = self.data.me
        author = me.full_name if me is not None else _("You")
        options = []
        for item in self.data.queued(ChatPostOp):
            if item.write.class_id != self.class_id:
                continue
            head = Content.assemble(
                Content.styled(author, "bold"),
                Content.styled("  " + _(WAITING_TO_SEND), "$warning"),
            )
            body = Content(item.write.request.body)
            options.append(Option(Content("\n").join([head, body]), id=f"q{item.item_id}"))
        return options

    def _title(self, chat: Chat) -> None:
        parts = [Content.styled(_("Chat of {cls}").format(cls=chat.class_.name), "bold")]
        if chat.closed:
            closed = (
                _("closed by {name}").format(name=chat.closed_by) if chat.closed_by else _("closed")
            )
            parts.append(Content.styled(closed, "$warning"))
        if self.more_before:
            parts.append(
                Content.styled(with_keys(self, _("{chat.older}: earlier messages")), MUTED)
            )
        self.query_one("#chat-title", Static).update(Content(" · ").join(parts))

    def _paint(self, chat: Chat) -> None:
        self.chat = chat
        if self.earlier:
            first = chat.messages[0].id if chat.messages else None
            self.earlier = [m for m in self.earlier if first is None or m.id < first]
        else:
            self.more_before = chat.older
        self.refresh_bindings()  # the keys it allows (x, L, e) follow the chat shown
        self._title(chat)
        line = self.query_one("#chat-input", Input)
        if chat.may_write:
            line.disabled = False
            line.placeholder = _("Write a message and press Enter")
        else:
            line.disabled = True
            me = self.data.me
            line.placeholder = (
                _("The administration reads and moderates class chats; it does not write here")
                if me is not None and me.role is Role.ADMINISTRATION
                else _("The class teacher has closed the chat: you can read it")
            )
        box = self.query_one("#chat-messages", DiaryList)
        highlighted = box.highlighted_option.id if box.highlighted_option is not None else None
        at_end = box.highlighted is None or box.highlighted >= box.option_count - 1
        me = self.data.me
        now, zone = self.data.clock(), self.data.zone
        options = [
            Option(
                message_prompt(
                    msg,
                    me is not None and msg.author_id == me.id,
                    when_said(msg.sent_at, now, zone),
                    chat.may_moderate,
                ),
                id=str(msg.id),
            )
            for msg in [*self.earlier, *chat.messages]
        ]
        options.extend(self._queued_options())
        box.clear_options()
        if not options:
            box.add_option(Option(Content.styled(_("No messages yet."), MUTED), disabled=True))
            return
        box.add_options(options)
        index = next(
            (i for i, o in enumerate(options) if not at_end and o.id == highlighted),
            len(options) - 1,
        )
        box.highlighted = index
        box.scroll_to_highlight()

    def _repaint(self) -> None:
        if self.chat is not None:
            self._paint(self.chat)
        else:
            self._say(_("This chat was never loaded on this computer."))

    # -- loading ------------------------------------------------------------------------

    @work(exclusive=True, group="chats", exit_on_error=False)
    async def load_chats(self) -> None:
        chats = await self.data.load(endpoints.chats())
        self.post_message(self.ChatsLoaded(chats))

    @on(ChatsLoaded)
    def _chats_loaded(self, event: ChatsLoaded) -> None:
        self._chats(event.chats)
        if self.class_id is not None:
            self.load_chat(self.class_id)

    @work(exclusive=True, group="chat", exit_on_error=False)
    async def load_chat(self, class_id: int, before: int | None = None) -> None:
        chat = await self.data.load(endpoints.chat(class_id, before))
        self.post_message(self.ChatLoaded(chat, before is not None))

    @on(ChatLoaded)
    def _chat_loaded(self, event: ChatLoaded) -> None:
        if event.chat.class_.id != self.class_id:
            return  # an answer for a chat no longer shown
        if event.older:
            self.earlier = [*event.chat.messages, *self.earlier]
            self.more_before = event.chat.older
            if self.chat is not None:
                self._paint(self.chat)
                box = self.query_one("#chat-messages", DiaryList)
                box.highlighted = 0
                box.scroll_to_highlight()
            return
        self._paint(event.chat)

    def load_failed(self) -> None:
        if self.chat is None and self.chats is None:
            self._say(
                _(
                    "The chat was never loaded on this computer; it will appear when the "
                    "server can be reached."
                )
            )

    def action_reload(self) -> None:
        self.load_chats()

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        """A change of the chat shown (a new message, hidden, closed): shown at once."""
        return any(c.kind.startswith("chat.") and c.class_id == self.class_id for c in changes)

    def shows_change(self, change: ChangeItem) -> bool:
        """A change of the class shown here is seen here: it does not pop up too."""
        return change.kind.startswith("chat.") and change.class_id == self.class_id

    def live_refresh(self) -> None:
        if self.class_id is not None:
            self.load_chat(self.class_id)

    # -- keys ---------------------------------------------------------------------------

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The keys, with ``x`` and ``L`` named for what they do now (hide or show the message
        under the cursor, close or open the chat) and ``i`` in one word: the two-way words
        (Скрыть/показать, Закрыть/открыть) pushed ``L`` and the refresh key out of the footer
        at 80 columns in Russian."""
        bindings = super().active_bindings
        try:
            message = self._highlighted_message()
        except NoMatches:  # not composed yet
            message = None
        words = {
            "chat.write": pgettext("chat key", "Write"),
            "chat.hide": pgettext("chat key", "Show")
            if message is not None and message.hidden
            else pgettext("chat key", "Hide"),
            "chat.close": pgettext("chat key", "Open")
            if self.chat is not None and self.chat.closed
            else pgettext("chat key", "Close"),
        }
        for key, active in bindings.items():
            said = words.get(active.binding.id or "")
            if said is not None:
                binding = dataclasses.replace(active.binding, description=said)
                bindings[key] = active._replace(binding=binding)
        return bindings

    @on(OptionList.OptionHighlighted, "#chat-messages")
    def _message_highlighted(self) -> None:
        self.refresh_bindings()  # x says hide or show for the message under the cursor

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "older":
            return self.more_before
        if action == "choose_class":
            return self.chats is not None and len(self.chats.chats) > 1
        if action in ("hide", "close_chat"):
            return self.chat is not None and self.chat.may_moderate
        return super().check_action(action, parameters)

    def action_write(self) -> None:
        line = self.query_one("#chat-input", Input)
        if not line.disabled:
            line.focus()

    @on(OptionList.OptionSelected, "#chat-messages")
    def _selected(self) -> None:
        self.action_write()

    def action_leave_input(self) -> None:
        self.query_one("#chat-messages", DiaryList).focus()

    def action_older(self) -> None:
        if self.class_id is None or not self.more_before:
            return
        messages = [*self.earlier, *(self.chat.messages if self.chat else [])]
        if messages:
            self.load_chat(self.class_id, messages[0].id)

    def action_choose_class(self) -> None:
        if self.chats is None:
            return

        def chosen(class_id: int | None) -> None:
            if class_id is None or class_id == self.class_id:
                return
            self.class_id = class_id
            self.chat, self.earlier, self.more_before = None, [], False
            assert self.chats is not None
            self._chats(self.chats)
            self.load_chat(class_id)

        self.app.push_screen(ClassPicker(self.chats.chats, self.class_id), chosen)

    def _highlighted_message(self) -> ChatMessage | None:
        messages = [*self.earlier, *(self.chat.messages if self.chat else [])]
        return under_cursor(self.query_one("#chat-messages", DiaryList), messages, "")

    def action_hide(self) -> None:
        message = self._highlighted_message()
        if message is None or self.class_id is None:
            self.notify(_("Choose a message first (the arrow keys)."), severity="warning")
            return
        self.moderate(self.class_id, message.id, not message.hidden)

    @work(group="chat-write", exit_on_error=False)
    async def moderate(self, class_id: int, message_id: int, hidden: bool) -> None:
        try:
            result = await self.data.hide_chat_message(class_id, message_id, hidden)
        except NotSaved as refused:
            self.notify(str(refused), severity="error", timeout=8, markup=False)
            return
        if isinstance(result, Sent):
            self.notify(_("The message is hidden.") if hidden else _("The message is shown again."))
            self.live_refresh()
        else:
            self.notify(
                _("Offline: it is done when the server can be reached."), severity="warning"
            )

    def action_close_chat(self) -> None:
        if self.chat is None or self.class_id is None:
            return
        self.set_closed(self.class_id, not self.chat.closed)

    @work(group="chat-write", exit_on_error=False)
    async def set_closed(self, class_id: int, closed: bool) -> None:
        try:
            result = await self.data.set_chat_closed(class_id, closed)
        except NotSaved as refused:
            self.notify(str(refused), severity="error", timeout=8, markup=False)
            return
        if isinstance(result, Sent):
            self.post_message(self.ChatLoaded(result.value, False))
            self.notify(_("The chat is closed.") if closed else _("The chat is open again."))
        else:
            self.notify(
                _("Offline: it is done when the server can be reached."), severity="warning"
            )

    # -- writing ------------------------------------------------------------------------

    @on(Input.Submitted, "#chat-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.class_id is None or not event.value.strip():
            return
        self.send(self.class_id, event.value)

    @work(group="chat-write", exit_on_error=False)
    async def send(self, class_id: int, text: str) -> None:
        """Send what was typed; the line is emptied only once the message is kept (sent, or
        waiting in the outbox), so a refusal leaves it there to correct."""
        line = self.query_one("#chat-input", Input)
        try:
            result = await self.data.send_chat_message(class_id, text)
        except ValueError as wrong:  # the server's rules, said before anything is sent
            self.notify(str(wrong), severity="warning", timeout=8, markup=False)
            return
        except NotSaved as refused:
            self.notify(str(refused), severity="error", timeout=10, markup=False)
            return
        if line.value == text:
            line.value = ""
        if isinstance(result, Sent):
            self.live_refresh()
        else:
            self.notify(
                _(
                    "The server cannot be reached: the message is kept on this computer and "
                    "will be sent when it can."
                ),
                severity="warning",
                timeout=8,
            )
            self._repaint()
