"""Forms that save themselves, and never close on an error or lose what was typed.

:class:`FormScreen`: a form of a few labelled fields, the set-up's dialogs (a year, a period,
a subject, a class ...). ``save`` is called with the fields' text and answers None when the
thing was saved (the form closes, answering True), or the refusal in words, shown in the form
under the fields, with the field it names focused (the server's ``field`` is matched to the
form's field names). Esc cancels (answers False).

:class:`SendingForm`: the base of every form that sends a write and waits for it with the
form open. Most writes go through the outbox (an absence notice, an illness, a new message or
a reply, an announcement): :meth:`SendingForm.send` puts the write in the outbox and waits for
the server's answer; the server took it, the form closes answering
:class:`~diary_tui.data.Sent`; the server cannot be reached, the write stays in the outbox and
the form closes answering :class:`~diary_tui.data.Waiting` (its opener says it will be sent).
A write that needs the server on purpose (the IT staff's accounts: a one-time password is
shown at once) is an online call: the form closes answering what the server answered, and
offline it stays open and says so. Either way a refusal is said in the form
(:meth:`SendingForm.say`), the box it names gets the cursor, and everything typed stays; a
write may also answer a :class:`Refusal` itself (a check that needed the server). Esc answers
None.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static, TextArea

from api_client.errors import AuthenticationError, DiaryError
from api_client.i18n import _
from diary_tui.data import NotSaved, Sent, Waiting, describe_error
from diary_tui.ui import muted
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import with_binding

Closed = TypeVar("Closed")


def close_unless_typed(screen: ModalScreen[Closed], typed: bool, closed: Closed) -> None:
    """Close ``screen`` with ``closed`` (Esc on a form); when something was ``typed``, first
    ask whether to throw it away: nothing a person typed is lost without their word."""
    if not typed:
        screen.dismiss(closed)
        return

    def answered(discard: bool | None) -> None:
        if discard:
            screen.dismiss(closed)

    screen.app.push_screen(ConfirmScreen(_("Discard what you typed?")), answered)


@dataclass(frozen=True, slots=True)
class Field:
    """One field: ``name`` (what ``save`` gets it as, and the server's ``field`` it answers
    to), its ``label`` (already in the interface's language), the text it starts with, and a
    quiet ``hint`` under it (how to write it)."""

    name: str
    label: str
    value: str = ""
    hint: str = ""
    answers_to: tuple[str, ...] = ()
    """Other names the server may give this field in a refusal (``class_teacher_id``)."""
    lines: bool = False
    """Several lines (an agenda, minutes): a text area, where Enter starts a new line."""
    choices: tuple[tuple[str, str], ...] = ()
    """One of these (label, value) pairs, chosen from a list (a ``Select``); ``value`` the
    chosen one's."""


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a save failed, and the field it is about (None: the form as a whole)."""

    text: str
    field: str | None = None


Save = Callable[[dict[str, str]], Awaitable[Refusal | None]]


class FormScreen(ModalScreen[bool]):
    """``title`` over ``fields``; Enter in the last field (or Ctrl+S anywhere) saves."""

    DEFAULT_CSS = """
    FormScreen { align: center middle; }
    FormScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
        overflow-y: auto;
    }
    FormScreen Label { margin-top: 1; }
    FormScreen Input { margin: 0; }
    FormScreen TextArea { height: 6; margin: 0; }
    FormScreen .hint { height: auto; }
    FormScreen #form-problem { color: $text-error; height: auto; margin-top: 1; }
    FormScreen #form-foot { dock: bottom; height: auto; }
    """

    def __init__(self, title: str, fields: Sequence[Field], save: Save, *, name: str) -> None:
        super().__init__(name=name)
        self.title_text = title
        self.fields = list(fields)
        self.save = save
        self.saving = False
        self._bindings = with_binding(
            with_binding(
                self._bindings, Binding("escape", "cancel", _("Cancel"), id="form.cancel")
            ),
            Binding("ctrl+s", "submit", _("Save"), id="form.save"),
        )

    def compose(self) -> ComposeResult:
        with Vertical(id=self.name):
            yield Static(Content.styled(self.title_text, "bold"))
            for field in self.fields:
                yield Label(field.label)
                if field.choices:
                    values = [value for _label, value in field.choices]
                    yield Select[str](
                        [(Content(label), value) for label, value in field.choices],
                        allow_blank=False,
                        value=field.value if field.value in values else values[0],
                        id=f"form-{field.name}",
                        compact=True,
                    )
                elif field.lines:
                    yield TextArea(field.value, id=f"form-{field.name}", soft_wrap=True)
                else:
                    yield Input(field.value, id=f"form-{field.name}", compact=True)
                if field.hint:
                    yield Static(muted(field.hint), classes="hint")
            # The refusal and the keys stay in sight below the fields, which scroll.
            with Vertical(id="form-foot"):
                yield Static("", id="form-problem")
                if self.fields and self.fields[-1].lines:
                    yield Static(muted(_("Ctrl+S: save · Esc: cancel")))
                else:
                    yield Static(muted(_("Enter in the last field or Ctrl+S: save · Esc: cancel")))

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#form-{self.fields[0].name}").focus()

    def values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for field in self.fields:
            box = self.query_one(f"#form-{field.name}")
            if isinstance(box, TextArea):
                values[field.name] = box.text
            elif isinstance(box, Input):
                values[field.name] = box.value
            elif isinstance(box, Select):
                chosen = box.value
                values[field.name] = chosen if isinstance(chosen, str) else ""
        return values

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        last = f"form-{self.fields[-1].name}" if self.fields else ""
        if event.input.id == last:
            self.action_submit()
        else:
            self.focus_next()

    def action_submit(self) -> None:
        if not self.saving:
            self.saving = True
            self.query_one("#form-problem", Static).update(muted(_("Saving…")))
            self._save(self.values())

    @work(exclusive=True, group="form", exit_on_error=False)
    async def _save(self, values: dict[str, str]) -> None:
        try:
            refusal = await self.save(values)
        finally:
            self.saving = False
        if refusal is None:
            self.dismiss(True)
            return
        self.query_one("#form-problem", Static).update(Content(refusal.text))
        for field in self.fields:
            if refusal.field is not None and refusal.field in (field.name, *field.answers_to):
                box = self.query_one(f"#form-{field.name}")
                box.focus()
                # Once the refusal below the fields has its height, the box is brought
                # into sight above it.
                self.call_after_refresh(box.scroll_visible, animate=False)
                break

    def action_cancel(self) -> None:
        """Closes; a form with a text of several lines first asks before what was typed in
        it is thrown away."""
        typed = self.values()
        close_unless_typed(
            self,
            any(
                f.lines and typed.get(f.name, "").strip() and typed[f.name] != f.value
                for f in self.fields
            ),
            False,
        )


Outcome = Sent[Any] | Waiting
"""What a :class:`SendingForm` of the outbox closes with: the server's answer, or the write kept
to be sent."""

R = TypeVar("R")


async def sent_or_refused(write: Awaitable[R | Refusal], not_sent: str) -> R | Refusal:
    """Await a write (of the outbox, or an online call); a refusal becomes words (``not_sent``,
    with ``{reason}``: "The message was not sent: {reason}") with the field the server named."""
    try:
        return await write
    except AuthenticationError as exc:
        reason = exc.message or describe_error(exc)
        said = not_sent.format(reason=reason).rstrip(".")
        return Refusal(said + ". " + _("Log in again; what you typed is here."))
    except NotSaved as exc:
        return Refusal(not_sent.format(reason=describe_error(exc)), exc.field)
    except DiaryError as exc:
        return Refusal(not_sent.format(reason=describe_error(exc)), exc.field)
    except Exception as exc:
        return Refusal(not_sent.format(reason=describe_error(exc)))


class SendingForm(ModalScreen[R | None], Generic[R]):
    """A form that sends its write and closes only when that is settled: ``R`` is what the
    write answers (:data:`Outcome` for a write of the outbox, the server's answer for an
    online call).

    A form says where a refusal goes (``PROBLEM``, the id of a ``Static``) and which box each
    of the server's ``field`` names means (``FIELDS``: field -> the box's id); it checks what
    it can itself, then calls :meth:`send`."""

    PROBLEM: ClassVar[str] = "form-problem"
    FIELDS: ClassVar[Mapping[str, str]] = {}

    sending: bool = False

    def say(self, text: str, field: str | None = None) -> None:
        """``text`` in the form's problem line; the box ``field`` names gets the cursor."""
        self.query_one(f"#{self.PROBLEM}", Static).update(Content(text))
        box = self.FIELDS.get(field or "")
        if box is not None:
            self.query_one(f"#{box}").focus()

    def send(self, write: Callable[[], Awaitable[R | Refusal]], not_sent: str) -> None:
        """Send ``write`` (called here, once) unless a send is under way; ``not_sent`` says a
        refusal ("The notice was not sent: {reason}")."""
        if self.sending:
            return
        self.sending = True
        self.say(_("Sending…"))
        self._send(write, not_sent)

    @work(group="form-send", exit_on_error=False)
    async def _send(self, write: Callable[[], Awaitable[R | Refusal]], not_sent: str) -> None:
        try:
            answer = await sent_or_refused(write(), not_sent)
        finally:
            self.sending = False
        if isinstance(answer, Refusal):
            self.say(answer.text, answer.field)
            return
        self.dismiss(answer)
