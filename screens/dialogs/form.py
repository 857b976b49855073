"""A form of a few labelled fields that saves itself: the set-up's dialogs (a year, a period,
a subject, a class ...).

The form never closes on an error and never loses what was typed: ``save`` is called with the
fields' text and answers None when the thing was saved (the form closes, answering True), or
the refusal in words, shown in the form under the fields, with the field it names focused (the
server's ``field`` is matched to the form's field names). Esc cancels (answers False).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static, TextArea

from api_client.i18n import _
from diary_tui.ui import muted
from screens.dialogs.detail import with_binding


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
    }
    FormScreen Label { margin-top: 1; }
    FormScreen Input { margin: 0; }
    FormScreen TextArea { height: 6; margin: 0; }
    FormScreen .hint { height: auto; }
    FormScreen #form-problem { color: $text-error; height: auto; margin-top: 1; }
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
                if field.lines:
                    yield TextArea(field.value, id=f"form-{field.name}", soft_wrap=True)
                else:
                    yield Input(field.value, id=f"form-{field.name}", compact=True)
                if field.hint:
                    yield Static(muted(field.hint), classes="hint")
            yield Static("", id="form-problem")
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
                self.query_one(f"#form-{field.name}").focus()
                break

    def action_cancel(self) -> None:
        self.dismiss(False)
