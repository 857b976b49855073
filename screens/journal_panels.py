"""The journal screen's lesson panel: the topic and homework of the focused lesson, edited in
place. The journal's dialogs are in ``screens.journal_dialogs``, imported when one opens."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from api_client.i18n import N_, _, pgettext
from diary_tui.journal_model import JournalLesson
from diary_tui.keys import key_of, with_keys
from diary_tui.ui import size_text


def attachment_path_problem(typed: str) -> str | None:
    """What is wrong with a path typed to attach a file (None: a readable file is there)."""
    if not typed.strip():
        return _("Type the path of the file to attach.")
    path = Path(typed.strip()).expanduser()
    try:
        if not path.exists():
            return _("There is no file {path}: check the path and the file's name.").format(
                path=path
            )
        if path.is_dir():
            return _("{path} is a folder: add the name of the file in it.").format(path=path)
        if not os.access(path, os.R_OK):
            return _("{path} cannot be read with your rights on this computer.").format(path=path)
    except OSError as error:
        return _("{path} cannot be read: {error}").format(path=path, error=error.strerror)
    return None


def files_line(files: list[tuple[str, int]], waiting: list[str], attach_key: str) -> Content:
    """The homework's files (name and size), then those waiting to be sent; none, and
    ``attach_key`` (the key that attaches one, as bound)."""
    parts: list[Content] = [
        Content.assemble(name, (f" ({size_text(size)})", "dim")) for name, size in files
    ]
    parts += [Content.assemble(name, (" " + _("(waiting to be sent)"), "dim")) for name in waiting]
    if not parts:
        return Content.styled(_("none · {key} attaches a file").format(key=attach_key), "dim")
    return Content(" · ").join(parts)


def parse_due(text: str, today: dt.date) -> dt.date:
    """A due date as a teacher types it: ``27.11``, ``27.11.2026`` or ``2026-11-27``."""
    text = text.strip()
    try:
        if "-" in text:
            return dt.date.fromisoformat(text)
        parts = [int(p) for p in text.split(".") if p]
        if len(parts) == 2:
            day, month = parts
            year = today.year if month >= today.month - 6 else today.year + 1
            return dt.date(year, month, day)
        if len(parts) == 3:
            day, month, year = parts
            return dt.date(year if year > 99 else 2000 + year, month, day)
    except ValueError:
        pass
    raise ValueError(
        _("{text} is not a date: write it as 27.11 or 27.11.2026").format(text=repr(text))
    )


class LessonPanel(Vertical):
    """Topic and homework of the focused lesson, edited in place (Enter or ctrl+s saves)."""

    DEFAULT_CSS = """
    LessonPanel { height: 3; background: $panel; }
    LessonPanel Horizontal { height: 1; }
    LessonPanel Label { width: 10; color: $text-muted; padding: 0 0 0 1; }
    LessonPanel Label.due { width: 5; }
    LessonPanel Input.-textual-compact { padding: 0 1; margin: 0; background: $panel; }
    LessonPanel Input.-textual-compact:focus { background: $boost; }
    LessonPanel #topic { width: 1fr; }
    LessonPanel #homework { width: 1fr; }
    LessonPanel #due { width: 13; }
    """

    class Save(Message):
        """The teacher saved the panel."""

        def __init__(self, lesson_id: int, topic: str, homework: str, due: str) -> None:
            super().__init__()
            self.lesson_id = lesson_id
            self.topic = topic
            self.homework = homework
            self.due = due

    class Done(Message):
        """The teacher left the panel (saved or not)."""

    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="lesson.save"),
        Binding("escape", "cancel", N_("Cancel"), id="lesson.cancel"),
    ]

    def __init__(self) -> None:
        super().__init__(id="lesson-panel")
        self.lesson: JournalLesson | None = None
        self._waiting: list[str] = []

    def compose(self) -> ComposeResult:
        # One line each, so compact: a full input is three lines with its border, and one
        # squeezed into a line shows the border's row of ``▔`` instead of the text. Focusing
        # selects nothing: typing adds to the topic instead of replacing it.
        with Horizontal():
            yield Label(_("Topic"))
            yield Input(
                id="topic",
                placeholder=with_keys(self.screen, _("{journal.edit_lesson} to write the topic")),
                compact=True,
                select_on_focus=False,
            )
        with Horizontal():
            yield Label(pgettext("lesson panel", "Homework"))
            yield Input(id="homework", placeholder="", compact=True, select_on_focus=False)
            yield Label(_("due"), classes="due")
            yield Input(id="due", placeholder=_("dd.mm"), compact=True, select_on_focus=False)
        with Horizontal():
            yield Label(_("Files"))
            yield Static(id="files")

    @property
    def editing(self) -> bool:
        return any(i.has_focus for i in self.query(Input))

    def show(
        self,
        lesson: JournalLesson | None,
        waiting: list[str] | None = None,
        *,
        force: bool = False,
    ) -> None:
        """Show a lesson (not while the teacher is writing in the panel, unless ``force``:
        what was typed is put back as the lesson holds it) and its homework's files, those
        on the server and ``waiting`` ones (in the outbox)."""
        if self.editing and not force:
            return
        self.lesson = lesson
        self._waiting = list(waiting or [])
        files = self.query_one("#files", Static)
        attach = key_of(self.screen, "journal.attach")
        files.update(files_line(lesson.files, waiting or [], attach) if lesson else Content(""))
        for widget in self.query(Input):
            widget.disabled = lesson is None
        topic, homework, due = self.query(Input)
        topic.value = lesson.topic if lesson else ""
        homework.value = lesson.homework_text if lesson else ""
        due.value = f"{lesson.homework_due:%d.%m.%Y}" if lesson and lesson.homework_due else ""
        for widget in (topic, homework, due):
            # The cursor after the text: typing adds to the topic, never replaces it.
            widget.cursor_position = len(widget.value)

    def edit(self) -> None:
        if self.lesson is None:
            self.app.bell()
            return
        self.query_one("#topic", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        if self.lesson is None:
            return
        topic, homework, due = self.query(Input)
        self.post_message(self.Save(self.lesson.id, topic.value, homework.value, due.value))

    def action_cancel(self) -> None:
        """Esc: what was typed goes, the lesson's own text is back on screen at once."""
        self.show(self.lesson, self._waiting, force=True)
        self.post_message(self.Done())
