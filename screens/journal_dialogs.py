"""The journal screen's own dialogs: picking a journal and the administration's change of a
lesson's timetable (a reason or a comment is asked with ``screens.dialogs.ask``). Imported
when one opens, not with the journal (their widgets are not on its first frame)."""

from __future__ import annotations

import uuid

import msgspec
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, Select, Static

from api_client import endpoints, names
from api_client.errors import Conflict
from api_client.i18n import N_, _, ngettext
from api_client.models import (
    LessonChange,
    LessonDetail,
    LessonStatus,
    Problem,
    encode,
)
from diary_tui.data import DiaryData, DiaryError, Offline, describe_error
from diary_tui.text import decode
from screens.dialogs.pick import Pick, picker_matches, picker_words

__all__ = ["PickJournal", "picker_matches", "picker_words"]

PickJournal = Pick
"""Choose one of several journals (class and subject): the kit's picker."""


ROOM_MAX_LENGTH = 20


def lesson_state(lesson: LessonDetail) -> str:
    """``planned · Смирнова А. П. · room 101 · 2 marks``: the lesson as the timetable holds it."""
    parts = [names.lesson_status(lesson.status)]
    if lesson.substitute:
        parts.append(
            _("{substitute} instead of {teacher}").format(
                substitute=lesson.substitute, teacher=lesson.teacher
            )
        )
    else:
        parts.append(lesson.teacher)
    room = _("room {room}").format(room=lesson.room) if lesson.room else _("no room")
    if lesson.planned_room and lesson.room != lesson.planned_room:
        room += " " + _("(timetable: {room})").format(room=lesson.planned_room)
    parts.append(room)
    if lesson.marks:
        parts.append(ngettext("{n} mark", "{n} marks", lesson.marks).format(n=lesson.marks))
    if lesson.absences:
        parts.append(
            ngettext("{n} absence", "{n} absences", lesson.absences).format(n=lesson.absences)
        )
    if lesson.note:
        parts.append(f"“{lesson.note}”")
    return " · ".join(parts)


def lesson_change(
    lesson: LessonDetail, cancelled: bool, substitute_id: int | None, room: str, reason: str
) -> LessonChange | None:
    """What the form asks to change (None when nothing), based on ``lesson``'s version."""
    status: LessonStatus | None = None
    if cancelled and lesson.status is not LessonStatus.CANCELLED:
        status = LessonStatus.CANCELLED
    elif not cancelled and lesson.status is LessonStatus.CANCELLED:
        status = LessonStatus.PLANNED
    substitute: int | msgspec.UnsetType | None = msgspec.UNSET
    if substitute_id != lesson.substitute_id:
        substitute = substitute_id
    room = " ".join(room.split())
    wanted_room = room or lesson.planned_room
    new_room = room if wanted_room != lesson.room else None
    if status is None and isinstance(substitute, msgspec.UnsetType) and new_room is None:
        return None
    return LessonChange(
        version=lesson.version,
        status=status,
        substitute_id=substitute,
        room=new_room,
        reason=reason.strip(),
    )


class ChangeLesson(ModalScreen[LessonDetail | None]):
    """The administration changes one lesson: cancel or restore it, a substitute, a room and a
    reason. It reads the lesson from the server and sends the change at once (a timetable
    change needs the server); a refusal or a lost connection keeps everything typed."""

    DEFAULT_CSS = """
    ChangeLesson { align: center middle; }
    ChangeLesson > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        border: round $warning; background: $surface; padding: 0 1;
    }
    ChangeLesson #lc-state { color: $text-muted; height: auto; }
    ChangeLesson #lc-error { color: $text-error; height: auto; }
    ChangeLesson Label { margin: 1 0 0 0; }
    ChangeLesson Select { width: 100%; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", N_("Save"), id="lesson_change.save"),
        Binding("escape", "cancel", N_("Cancel"), id="lesson_change.cancel"),
    ]

    def __init__(self, data: DiaryData, lesson_id: int, title: str) -> None:
        super().__init__()
        self.data = data
        self.lesson_id = lesson_id
        self.title_text = title
        self.lesson: LessonDetail | None = None
        self._sent: tuple[bytes, str] | None = None
        """The last change sent and its Idempotency-Key: the same change sent again after a
        lost answer reuses the key, so it is made once."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.title_text, "bold"))
            yield Static(Content(_("Reading the lesson from the server…")), id="lc-state")
            yield Checkbox(_("Cancelled"), id="lc-cancelled", compact=True, disabled=True)
            yield Label(_("Substitute teacher"))
            yield Select[int](
                [],
                prompt=_("none: its own teacher"),
                id="lc-substitute",
                compact=True,
                disabled=True,
            )
            yield Label(_("Room (empty: the timetable's)"))
            yield Input(id="lc-room", compact=True, disabled=True, max_length=ROOM_MAX_LENGTH)
            yield Label(_("Reason (kept in the audit log, shown to families)"))
            yield Input(id="lc-reason", compact=True, disabled=True)
            yield Static(Content.styled(_("ctrl+s saves · Esc cancels"), "dim"))
            yield Static(Content(""), id="lc-error")

    def on_mount(self) -> None:
        self.load()

    def _error(self, text: str) -> None:
        self.query_one("#lc-error", Static).update(Content(text))

    @work(exclusive=True, group="lesson-change-load", exit_on_error=False)
    async def load(self) -> None:
        try:
            lesson = await self.data.load(endpoints.lesson(self.lesson_id))
        except Offline:
            self._state("")
            self._error(
                _(
                    "You are offline: a lesson is changed only with a connection to the server. "
                    "Nothing was sent; try again when the status line says online."
                )
            )
            return
        except DiaryError as error:
            self._state("")
            self._error(describe_error(error))
            return
        self.show(lesson, fill=True)

    def _state(self, text: str) -> None:
        self.query_one("#lc-state", Static).update(Content(text))

    def show(self, lesson: LessonDetail, *, fill: bool) -> None:
        """Show the lesson as the server holds it; ``fill`` also puts it into the form (not
        after a conflict: what was typed stays)."""
        self.lesson = lesson
        self._state(_("Now: {state}").format(state=lesson_state(lesson)))
        select: Select[int] = self.query_one("#lc-substitute", Select)
        options = [
            (
                Content(
                    t.name
                    + (" · " + _("teaches it") if t.teaches_subject else "")
                    + (" · " + _("busy: {lesson}").format(lesson=t.busy) if t.busy else "")
                ),
                t.id,
            )
            for t in lesson.teachers
        ]
        known = {t.id for t in lesson.teachers}
        if lesson.substitute_id is not None and lesson.substitute_id not in known:
            name = lesson.substitute or str(lesson.substitute_id)
            options.insert(0, (Content(name), lesson.substitute_id))
        keep = select.value
        select.set_options(options)
        for widget in self.query("Checkbox, Select, Input"):
            widget.disabled = False
        if fill:
            self.query_one("#lc-cancelled", Checkbox).value = (
                lesson.status is LessonStatus.CANCELLED
            )
            select.value = lesson.substitute_id if lesson.substitute_id is not None else Select.NULL
            self.query_one("#lc-room", Input).value = lesson.room
            self.query_one("#lc-cancelled", Checkbox).focus()
        elif keep != Select.NULL:
            select.value = keep

    def form(self) -> LessonChange | None:
        assert self.lesson is not None
        value = self.query_one("#lc-substitute", Select).value
        return lesson_change(
            self.lesson,
            self.query_one("#lc-cancelled", Checkbox).value,
            value if isinstance(value, int) else None,
            self.query_one("#lc-room", Input).value,
            self.query_one("#lc-reason", Input).value,
        )

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        if self.lesson is None:
            self.app.bell()
            return
        body = self.form()
        if body is None:
            self.app.bell()
            self._error(_("Nothing to change: the lesson is already like this."))
            return
        encoded = encode(body)
        if self._sent is None or self._sent[0] != encoded:
            self._sent = (encoded, uuid.uuid4().hex)
        self._error(_("Sending…"))
        self.send(body, self._sent[1])

    @work(exclusive=True, group="lesson-change-send", exit_on_error=False)
    async def send(self, body: LessonChange, key: str) -> None:
        try:
            lesson = await self.data.change_lesson(self.lesson_id, body, key)
        except Offline:
            self._error(
                _(
                    "No connection: the change was not made. It needs the server; what you "
                    "typed stays here, ctrl+s sends it again."
                )
            )
            return
        except Conflict as error:
            self._sent = None
            problem: Problem | None = error.problem
            if problem is not None and problem.current is not None:
                current = decode(encode(problem.current), LessonDetail)
                if not current.teachers and self.lesson is not None:
                    # A 409 names the lesson, not who could substitute: keep those read.
                    current = msgspec.structs.replace(current, teachers=self.lesson.teachers)
                self.show(current, fill=False)
            self._error(
                _(
                    "{why}. The lesson as it is now is shown above; what you typed stays: "
                    "check it and save again."
                ).format(why=error.message)
            )
            return
        except DiaryError as error:
            self._sent = None
            self._error(_("Not changed: {why}").format(why=describe_error(error)))
            return
        self.dismiss(lesson)

    def action_cancel(self) -> None:
        self.dismiss(None)
