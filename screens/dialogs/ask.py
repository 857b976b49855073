"""One line of text asked for: a reason for changing an old mark, a mark's comment, the folder
to save attachments into. The askers differ in the words, the frame and what an empty answer
means, given as parameters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from api_client.i18n import _
from diary_tui.ui import muted
from screens.dialogs.detail import with_binding


class AskText(ModalScreen[str | None]):
    """``question`` over one input holding ``value``; Enter answers the text (stripped), Esc
    (``binding_id``) answers None.

    An empty answer is refused in words when ``required``; otherwise it answers ``empty``.
    ``name`` is the id of the frame (the field's is ``{name}-input``); ``label`` names the
    field above it; ``hint`` is the quiet line of keys below. ``compact``
    draws the field as the other forms' fields (one line, lifted from the background).
    ``check`` says what is wrong with an answer (None: nothing): the dialog stays open with the
    text as typed and says it under the field."""

    DEFAULT_CSS = """
    AskText { align: center middle; }
    AskText > Vertical {
        width: 70; max-width: 100%; height: auto;
        border: round $warning; background: $surface; padding: 0 1;
    }
    AskText.-primary > Vertical { width: 64; border: round $primary; }
    AskText Input { margin: 0; }
    AskText Input.-textual-compact { background: $boost; margin-bottom: 1; }
    AskText .problem { color: $text-error; height: auto; }
    """

    def __init__(
        self,
        question: str | Content,
        value: str = "",
        *,
        required: bool = True,
        empty: str = "",
        label: str = "",
        hint: str = "",
        name: str = "answer",
        binding_id: str = "ask.cancel",
        frame: Literal["warning", "primary"] = "warning",
        compact: bool = False,
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__(classes=f"-{frame}")
        self.question = question
        self.value = value
        self.required = required
        self.empty = empty
        self.label = label
        self.hint = hint or _("Enter: done · Esc: cancel")
        self.field_id = name
        self.compact = compact
        self.check = check
        self._bindings = with_binding(
            self._bindings, Binding("escape", "cancel", _("Cancel"), id=binding_id)
        )

    def compose(self) -> ComposeResult:
        with Vertical(id=self.field_id):
            yield Static(
                self.question if isinstance(self.question, Content) else Content(self.question)
            )
            if self.label:
                yield Label(self.label)
            yield Input(
                self.value,
                id=f"{self.field_id}-input",
                compact=self.compact,
            )
            problem = Static(id=f"{self.field_id}-problem", classes="problem")
            problem.display = False
            yield problem
            yield Static(muted(self.hint))

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text and self.required:
            self.app.bell()
            self.notify(_("Please write a few words."), severity="warning")
            return
        problem = self.check(text) if self.check is not None and text else None
        if problem is not None:
            self.app.bell()
            shown = self.query_one(f"#{self.field_id}-problem", Static)
            shown.update(Content(problem))
            shown.display = True
            return
        self.dismiss(text or self.empty)

    def action_cancel(self) -> None:
        self.dismiss(None)
