"""The class journal in words, with no Textual in it: the line under the grid that says what
the focused cell holds and where its changes stand with the server, and the names the journal
gives a lesson's kind, an absence and a write.

Each text comes as pieces, ``(text, style)`` (``""``: plain; else a Textual style name such as
``dim`` or ``$text-error``), which the screen joins with `` · `` and paints. ``key_of`` turns a
binding's id into its key as the keymap and the language name it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from api_client import names
from api_client.i18n import N_, _, day_month
from api_client.models import AbsenceKind, LessonKind
from diary_tui.journal_model import CellMark, CellState, Edit, EditOp, JournalModel, PeriodMarkCell
from diary_tui.ui import MUTED

Piece = tuple[str, str]
"""A piece of the journal's line: its text and its style (``""``: plain)."""

KeyOf = Callable[[str], str]

WRITE_NAMES = {
    "mark": N_("The mark"),
    "absence": N_("The absence"),
    "period_mark": N_("The period mark"),
    "topic": N_("The topic"),
    "homework": N_("The homework"),
    "lesson_kind": N_("The kind of lesson"),
}
"""A journal write by what it is about (``OutboxOp.kind``), as the teacher is told of it."""

LESSON_KIND_NAMES: dict[LessonKind, str] = {
    LessonKind.LESSON: N_("an ordinary lesson"),
    LessonKind.TEST: N_("a test"),
    LessonKind.QUIZ: N_("a quiz"),
    LessonKind.DICTATION: N_("a dictation"),
    LessonKind.LAB: N_("a lab"),
    LessonKind.ESSAY: N_("an essay"),
}


def write_name(kind: str) -> str:
    """``The mark``, ``The topic``, ...: a journal write by its ``OutboxOp.kind``."""
    return _(WRITE_NAMES.get(kind, kind))


def lesson_kind_name(kind: LessonKind) -> str:
    return _(LESSON_KIND_NAMES[kind])


def absence_name(kind: AbsenceKind) -> str:
    """An absence as the journal's line says it of a pupil (``names.absence_states``; not the
    kind's name in a list, ``names.absence_kind``)."""
    return names.absence_states()[kind]


def needs_reason(edit: Edit, reason_after_days: int, now: dt.datetime) -> bool:
    """Whether the school asks for a reason: a change or removal of a mark given more than
    ``reason_after_days`` days before ``now``."""
    if edit.op not in (EditOp.CHANGE_MARK, EditOp.REMOVE_MARK):
        return False
    mark = edit.before
    if not isinstance(mark, CellMark) or mark.created_at is None:
        return False
    return now - mark.created_at > dt.timedelta(days=reason_after_days)


def cell_words(
    model: JournalModel, pupil_id: int, lesson_id: int | None, today: dt.date, key_of: KeyOf
) -> list[Piece]:
    """The focused cell in words: whose, which lesson (None: the period mark), its marks and
    where they stand."""
    pupil = next(p for p in model.pupils if p.id == pupil_id)
    parts: list[Piece] = [(pupil.display_name, "")]
    if lesson_id is None:
        period = model.period_marks.get(pupil_id)
        suggestion = model.suggested_period_mark(pupil_id)
        parts.append((_("period mark"), ""))
        if period is not None and period.value is not None:
            parts.append((str(period.value), ""))
        elif suggestion is not None:
            parts.append((_("suggested {mark}").format(mark=suggestion), ""))
        parts.extend(state_words(period.state if period else None, period, key_of))
        return parts
    lesson = model.lesson(lesson_id)
    parts.append((day_month(lesson.date, short=True), ""))
    if lesson.kind is not LessonKind.LESSON:
        parts.append((lesson_kind_name(lesson.kind), ""))
    refusal = model.refusal(pupil_id, lesson_id, today)
    if refusal is not None:
        parts.append((refusal, MUTED))
    cell = model.peek(pupil_id, lesson_id)
    if cell is not None:
        for mark in cell.marks:
            text = f"{mark.value}"
            if mark.weight != 1:
                text += f"×{mark.weight}"
            text += f" {names.mark_kind(mark.kind)}"
            if mark.comment:
                text += f" “{mark.comment}”"
            parts.append((text, ""))
            parts.extend(state_words(mark.state, mark, key_of))
        if cell.absence is not None or cell.absence_state is not CellState.SAVED:
            words = absence_name(cell.absence) if cell.absence else _("present")
            if cell.absence is AbsenceKind.LATE and cell.absence_minutes:
                words += " " + _("{n} min").format(n=cell.absence_minutes)
            parts.append((words, ""))
            if cell.absence_state is CellState.WAITING:
                parts.append((_("waiting"), "dim"))
            elif cell.absence_state is not CellState.SAVED:
                parts.append(
                    (
                        _("refused: {reason} ({discard}: discard)").format(
                            reason=cell.absence_reason, discard=key_of("journal.discard")
                        ),
                        "$text-warning",
                    )
                )
    if lesson.state is CellState.WAITING:
        parts.append((_("topic waiting"), "dim"))
    elif lesson.state is not CellState.SAVED:
        parts.append(
            (
                _("topic refused: {reason} ({discard}: discard, {edit}: correct)").format(
                    reason=lesson.reason,
                    discard=key_of("journal.discard"),
                    edit=key_of("journal.edit_lesson"),
                ),
                "$text-error",
            )
        )
    return parts


def state_words(
    state: CellState | None, thing: CellMark | PeriodMarkCell | None, key_of: KeyOf
) -> list[Piece]:
    """A mark's state in words, naming the keys that resolve it."""
    if state is None or state is CellState.SAVED or thing is None:
        return []
    if state is CellState.WAITING:
        return [(_("waiting"), "dim")]
    if state is CellState.REJECTED:
        return [
            (
                _("refused: {reason} ({discard}: discard)").format(
                    reason=thing.reason, discard=key_of("journal.discard")
                ),
                "$text-error",
            )
        ]
    return [
        (
            _(
                "changed elsewhere to {theirs}: {mine_key} keep mine, {theirs_key} take theirs"
            ).format(
                theirs=thing.theirs,
                mine_key=key_of("journal.keep_mine"),
                theirs_key=key_of("journal.take_theirs"),
            ),
            "$text-warning",
        )
    ]
