"""The class journal's side of the outbox, with no Textual in it.

The journal screen turns each edit of its grid (``diary_tui.journal_model.Edit``) into a typed
outbox operation (:func:`write_for`), shows the outbox over the server's journal
(:func:`apply_outbox`: waiting writes, and refused or conflicting ones not dealt with yet),
puts the server's answers into the model (:func:`settle`), and resolves a conflict either way
(:func:`keep_mine`, :func:`take_theirs`). Every function here works on a
:class:`~diary_tui.journal_model.JournalModel` and outbox items; the screen only shows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import msgspec

from api_client.models import (
    AbsenceKind,
    AbsenceRemove,
    AbsenceSet,
    ChangeItem,
    Journal,
    JournalAbsence,
    JournalMark,
    JournalPeriodMark,
    LessonKind,
    MarkCreate,
    MarkRemove,
    MarkUpdate,
    PeriodMarkSet,
)
from diary_tui.journal_model import (
    LATE_MINUTES,
    Cell,
    CellMark,
    CellState,
    Edit,
    EditOp,
    JournalModel,
    new_key,
)
from diary_tui.outbox_ops import (
    UNKNOWN_VERSION,
    AbsenceRemoveOp,
    AbsenceSetOp,
    HomeworkSetOp,
    JournalPlace,
    LessonKindSetOp,
    MarkCreateOp,
    MarkRemoveOp,
    MarkUpdateOp,
    Op,
    PeriodMarkSetOp,
    TopicSetOp,
)
from diary_tui.store import CONFLICT, REJECTED, SENT, WAITING, OutboxItem
from diary_tui.sync import read_answer
from diary_tui.text import decode as decode_visible

Address = tuple[int, int | None]
"""A cell of the grid: (pupil, lesson); lesson None is the period mark."""

SETTLED_STATES = {SENT: CellState.SAVED, REJECTED: CellState.REJECTED, CONFLICT: CellState.CONFLICT}
"""The cell state of a write the server answered."""
SHOWN_STATES = {
    WAITING: CellState.WAITING,
    REJECTED: CellState.REJECTED,
    CONFLICT: CellState.CONFLICT,
}
"""The cell state that shows an outbox write (waiting, or refused and not dealt with)."""
ECHO_THINGS = {
    "mark": "mark",
    "absence": "absence",
    "period_mark": "period_mark",
    "topic": "lesson",
    "lesson_kind": "lesson",
    "homework": "homework",
}
"""The thing a change in the feed names (``mark.edited``) for each kind of outbox write."""


def journal_key(class_id: int, subject_id: int) -> str:
    return f"{class_id}:{subject_id}"


def place_of(item: OutboxItem, key: str) -> JournalPlace | None:
    """Where the journal ``key`` shows this write (None: another journal's, or none's)."""
    place = item.write.place
    return place if place is not None and place.journal == key else None


def address_of(item: OutboxItem) -> Address | None:
    """The cell a journal write is shown in (None for a lesson's topic or homework)."""
    place = item.write.place
    if place is None or place.pupil is None:
        return None
    lesson = None if isinstance(item.write, PeriodMarkSetOp) else place.lesson
    return place.pupil, lesson


def echo_of(item: OutboxItem) -> tuple[str, int] | None:
    """The change the feed will bring back for a write the server took: (thing, id)."""
    thing = ECHO_THINGS.get(item.write.kind)
    answer = read_answer(item.result)
    if thing is None or answer.id is None:
        return None
    return thing, answer.id


# -- edits into writes -------------------------------------------------------------------


def write_for(model: JournalModel, journal: Journal, edit: Edit, reason: str = "") -> Op | None:
    """The outbox write that tells the server about ``edit`` (None: nothing to tell, the
    edit is about a new mark the server refused, so it never had it)."""
    key = journal_key(journal.class_.id, journal.subject.id)
    pupil, lesson = edit.pupil_id, edit.lesson_id
    before = edit.before
    if (
        isinstance(before, CellMark)
        and before.mark_id is None
        and before.state is CellState.REJECTED
        and lesson is not None
    ):
        if edit.op is EditOp.REMOVE_MARK:
            return None
        if edit.op is EditOp.CHANGE_MARK:  # a refused new mark, corrected: try it again
            assert isinstance(edit.after, CellMark)
            edit = Edit(EditOp.ADD_MARK, pupil, lesson, None, edit.after, edit.index)
    place = JournalPlace(journal=key, pupil=pupil, lesson=lesson)
    if edit.op in (EditOp.ADD_MARK, EditOp.REMOVE_MARK, EditOp.CHANGE_MARK):
        assert lesson is not None
        mark = edit.after if edit.op is not EditOp.REMOVE_MARK else edit.before
        assert isinstance(mark, CellMark)
        place = msgspec.structs.replace(place, key=mark.key)
        if edit.op is EditOp.ADD_MARK:
            create = MarkCreate(
                lesson_id=lesson,
                pupil_id=pupil,
                value=mark.value,
                weight=mark.weight,
                kind=mark.kind,
                comment=mark.comment,
                reason=reason,
            )
            return MarkCreateOp(key=mark.key, request=create, place=place)
        if edit.op is EditOp.REMOVE_MARK:
            remove = MarkRemove(version=_known(mark.version), reason=reason)
            return MarkRemoveOp(key=mark.key, mark_id=mark.mark_id, request=remove, place=place)
        assert isinstance(edit.before, CellMark)
        change = {edit.field: getattr(mark, edit.field)}
        update = MarkUpdate(version=_known(edit.before.version), reason=reason, **change)
        return MarkUpdateOp(key=mark.key, mark_id=mark.mark_id, request=update, place=place)
    if edit.op is EditOp.SET_ABSENCE:
        assert lesson is not None
        cell = model.cell(pupil, lesson)
        if edit.after is None:
            request = AbsenceRemove(version=_known(cell.absence_version), reason=reason)
            return AbsenceRemoveOp(lesson_id=lesson, pupil_id=pupil, request=request, place=place)
        assert isinstance(edit.after, AbsenceKind)
        late = edit.after is AbsenceKind.LATE
        absence = AbsenceSet(
            kind=edit.after,
            minutes=(cell.absence_minutes or LATE_MINUTES) if late else 0,
            version=cell.absence_version if edit.before is not None else None,
            reason=reason,
        )
        return AbsenceSetOp(lesson_id=lesson, pupil_id=pupil, request=absence, place=place)
    assert edit.after is None or isinstance(edit.after, int)
    period = model.period_mark(pupil)
    request_pm = PeriodMarkSet(
        pupil_id=pupil,
        subject_id=journal.subject.id,
        period_id=journal.period.id,
        value=edit.after,
        version=period.version,
        reason=reason,
    )
    place = JournalPlace(journal=key, pupil=pupil, period=journal.period.id)
    return PeriodMarkSetOp(request=request_pm, place=place)


def _known(version: int | None) -> int:
    return UNKNOWN_VERSION if version is None else version


# -- the outbox over the server's journal ----------------------------------------------


class _AddressSet:
    def __init__(self, model: JournalModel) -> None:
        self.pupils = {p.id for p in model.pupils}
        self.lessons = {lesson.id for lesson in model.lessons}

    def __contains__(self, address: object) -> bool:
        assert isinstance(address, tuple)
        return address[0] in self.pupils and address[1] in self.lessons


def mark_index(model: JournalModel, write: Op, pupil: int, lesson: int) -> int | None:
    """The index of the mark a write is about: by its key, else by its server id (a mark
    typed here and saved has the server's key after a reload)."""
    key = write.place.key if write.place is not None else ""
    index = model.find_mark(pupil, lesson, key)
    if index is not None:
        return index
    cell = model.peek(pupil, lesson)
    mark_id = getattr(write, "mark_id", None)
    if mark_id is None or cell is None:
        return None
    return next((i for i, m in enumerate(cell.marks) if m.mark_id == mark_id), None)


def apply_outbox(
    model: JournalModel, key: str, items: Iterable[OutboxItem], period_id: int | None = None
) -> dict[Address, OutboxItem]:
    """Show the outbox over the server's journal: writes still to send as waiting, and the
    ones the server refused or found in conflict (not dealt with yet) with their state and
    reason, so a refusal is never lost with a reload or a restart. Returns the conflicts by
    address."""
    where = _AddressSet(model)
    conflicts: dict[Address, OutboxItem] = {}
    for item in items:
        place = place_of(item, key)
        state = SHOWN_STATES.get(item.state)
        if place is None or state is None:
            continue
        refused = state is not CellState.WAITING
        reason = item.error if refused else ""
        theirs = getattr(current_value(item), "value", None) if refused else None
        write = item.write
        pupil, lesson = place.pupil, place.lesson
        if isinstance(write, MarkCreateOp | MarkUpdateOp | MarkRemoveOp):
            if pupil is None or lesson is None or (pupil, lesson) not in where:
                continue
            cell = model.cell(pupil, lesson)
            index = mark_index(model, write, pupil, lesson)
            if isinstance(write, MarkCreateOp) and index is None:
                r = write.request
                cell.marks.append(
                    CellMark(
                        value=r.value,
                        weight=r.weight,
                        kind=r.kind,
                        comment=r.comment,
                        state=state,
                        reason=reason,
                        key=place.key or new_key(),
                    )
                )
            elif isinstance(write, MarkUpdateOp) and index is not None:
                mark = cell.marks[index]
                changes = write.request
                mark.value = changes.value if changes.value is not None else mark.value
                mark.weight = changes.weight if changes.weight is not None else mark.weight
                mark.kind = changes.kind if changes.kind is not None else mark.kind
                mark.comment = changes.comment if changes.comment is not None else mark.comment
                mark.state, mark.reason, mark.theirs = state, reason, theirs
            elif isinstance(write, MarkRemoveOp) and index is not None:
                if refused:  # the server kept the mark: show it with the refusal
                    mark = cell.marks[index]
                    mark.state, mark.reason, mark.theirs = state, reason, theirs
                else:
                    cell.marks.pop(index)
            else:
                continue
        elif isinstance(write, AbsenceSetOp | AbsenceRemoveOp):
            if pupil is None or lesson is None or (pupil, lesson) not in where:
                continue
            cell = model.cell(pupil, lesson)
            if isinstance(write, AbsenceSetOp):
                cell.absence = write.request.kind
                cell.absence_minutes = write.request.minutes
            elif not refused:
                cell.absence = None
            cell.absence_state, cell.absence_reason = state, reason
        elif isinstance(write, PeriodMarkSetOp):
            if pupil not in where.pupils or write.request.period_id != period_id:
                continue
            assert pupil is not None
            period = model.period_mark(pupil)
            period.value, period.state = write.request.value, state
            period.reason, period.theirs = reason, theirs
            lesson = None
        elif isinstance(write, TopicSetOp | HomeworkSetOp | LessonKindSetOp):
            if lesson not in where.lessons:
                continue
            assert lesson is not None
            found = model.lesson(lesson)
            if isinstance(write, TopicSetOp):
                found.topic = write.request.topic
            elif isinstance(write, LessonKindSetOp):
                found.kind, found.weight = write.request.kind, write.request.weight
            else:
                found.homework_text = write.request.text
                found.homework_due = write.request.due
            found.state, found.reason = state, reason
            continue
        else:
            continue
        if state is CellState.CONFLICT and pupil is not None:
            conflicts[(pupil, lesson)] = item
    return conflicts


def current_value(item: OutboxItem) -> JournalMark | JournalAbsence | JournalPeriodMark | None:
    """The server's current value in a conflict's answer (a mark, absence or period mark)."""
    if not item.result:
        return None
    types: dict[str, Any] = {
        "mark": JournalMark,
        "absence": JournalAbsence,
        "period_mark": JournalPeriodMark,
    }
    type_ = types.get(item.write.kind)
    if type_ is None:
        return None
    try:
        value: JournalMark | JournalAbsence | JournalPeriodMark = decode_visible(item.result, type_)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return value


# -- the server's answers ------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an answer changed on screen."""

    address: Address | None
    """The cell to paint again (None: a lesson's topic or homework)."""
    state: CellState
    reload: bool = False
    """The model cannot show it (a refused removal of a mark no longer here): read again."""


def settle(
    model: JournalModel, key: str, period_id: int | None, item: OutboxItem
) -> Outcome | None:
    """Put the server's answer to a journal write into the model (None: not this journal's)."""
    place = place_of(item, key)
    state = SETTLED_STATES.get(item.state)
    if place is None or state is None:
        return None
    write = item.write
    pupil, lesson = place.pupil, place.lesson
    answer = read_answer(item.result) if item.state == SENT else None
    server_id = answer.id if answer else None
    version = answer.version if answer else None
    reason = item.error if state is not CellState.SAVED else ""
    current = current_value(item) if state is CellState.CONFLICT else None
    theirs = getattr(current, "value", None)
    try:
        if isinstance(write, MarkCreateOp | MarkUpdateOp | MarkRemoveOp):
            assert pupil is not None and lesson is not None
            index = model.find_mark(pupil, lesson, place.key)
            if index is None:
                if state is CellState.SAVED:
                    return None
                # a removal was refused: the mark is back (the app says why)
                return Outcome((pupil, lesson), state, reload=True)
            model.set_state(
                pupil,
                lesson,
                state,
                index=index,
                reason=reason,
                theirs=theirs,
                server_id=server_id,
                version=version,
            )
            if server_id is not None:
                _drop_twin(model.cell(pupil, lesson), index)
        elif isinstance(write, AbsenceSetOp | AbsenceRemoveOp):
            assert pupil is not None and lesson is not None
            model.set_state(
                pupil, lesson, state, reason=reason, server_id=server_id, version=version
            )
        elif isinstance(write, PeriodMarkSetOp):
            assert pupil is not None
            if place.period != period_id:
                return None
            lesson = None
            model.set_state(
                pupil,
                None,
                state,
                reason=reason,
                theirs=theirs,
                server_id=server_id,
                version=version,
            )
        elif isinstance(write, TopicSetOp | HomeworkSetOp | LessonKindSetOp):
            assert lesson is not None
            found = model.lesson(lesson)
            found.state, found.reason = state, reason
            if answer is not None and answer.version is not None:
                if isinstance(write, TopicSetOp | LessonKindSetOp):
                    found.version = answer.version
                else:
                    found.homework_version = None if answer.removed else answer.version
            return Outcome(None, state)
        else:
            return None
    except (KeyError, ValueError):
        return None
    assert pupil is not None
    return Outcome((pupil, lesson), state)


def _drop_twin(cell: Cell, index: int) -> None:
    """A mark that was already on the server when the app restarted shows once, not twice."""
    mark_id = cell.marks[index].mark_id
    for other, mark in enumerate(cell.marks):
        if other != index and mark.mark_id == mark_id:
            cell.marks.pop(other)
            return


def mark_waiting(model: JournalModel, item: OutboxItem) -> Address | None:
    """Show a write sent again as waiting; the cell to paint again."""
    address = address_of(item)
    place = item.write.place
    if address is None or place is None:
        return None
    pupil, lesson = address
    try:
        if isinstance(item.write, MarkCreateOp | MarkUpdateOp | MarkRemoveOp):
            assert lesson is not None
            index = model.find_mark(pupil, lesson, place.key)
            if index is not None:
                model.set_state(pupil, lesson, CellState.WAITING, index=index)
        elif isinstance(item.write, AbsenceSetOp | AbsenceRemoveOp | PeriodMarkSetOp):
            model.set_state(pupil, lesson, CellState.WAITING)
    except (KeyError, ValueError):
        return None
    return address


def with_reason(item: OutboxItem, reason: str) -> Op:
    """The refused write again, with the reason the school asks for."""
    return item.write.with_reason(reason)


def keep_mine(item: OutboxItem) -> Op:
    """A write in conflict again, based on the version the server has now."""
    write, current = item.write, current_value(item)
    if current is None or not write.versioned:
        return write
    if current.removed and isinstance(write, AbsenceSetOp):
        return write.with_version(None)
    return write.with_version(current.version)


def take_theirs(model: JournalModel, item: OutboxItem) -> Address | None:
    """Take the server's value of a write in conflict into the model; the cell to paint
    again (None: the answer held no value the model can show: read the journal again)."""
    current, address, place = current_value(item), address_of(item), item.write.place
    if address is None or place is None:
        return None
    pupil, lesson = address
    if isinstance(current, JournalMark) and lesson is not None:
        cell = model.cell(pupil, lesson)
        index = model.find_mark(pupil, lesson, place.key)
        if index is not None:
            if current.removed:
                cell.marks.pop(index)
            else:
                mark = cell.marks[index]
                mark.value, mark.weight = current.value, current.weight
                mark.kind, mark.comment = current.kind, current.comment
                mark.version, mark.mark_id = current.version, current.id
                mark.state, mark.reason, mark.theirs = CellState.SAVED, "", None
    elif isinstance(current, JournalAbsence) and lesson is not None:
        cell = model.cell(pupil, lesson)
        cell.absence = None if current.removed else current.kind
        cell.absence_version, cell.absence_id = current.version, current.id
        cell.absence_state, cell.absence_reason = CellState.SAVED, ""
    elif isinstance(current, JournalPeriodMark):
        period = model.period_mark(pupil)
        period.value = None if current.removed else current.value
        period.version, period.mark_id = current.version, current.id
        period.state, period.reason, period.theirs = CellState.SAVED, "", None
    else:
        return None
    return address


def refused_here(
    items: Iterable[OutboxItem], key: str, about: Callable[[Op, int | None, int | None], bool]
) -> list[int]:
    """The ids of this journal's refused or conflicting writes that ``about`` (the write,
    pupil, lesson; None for the period mark) picks."""
    chosen: list[int] = []
    for item in items:
        place = place_of(item, key)
        if place is None:
            continue
        lesson = None if isinstance(item.write, PeriodMarkSetOp) else place.lesson
        if about(item.write, place.pupil, lesson):
            chosen.append(item.id)
    return chosen


def lesson_kind_write(
    model: JournalModel, key: str, lesson_id: int, kind: LessonKind, weight: int
) -> Op | None:
    """The write that makes a lesson a test (a quiz, ...) or an ordinary lesson, with the
    weight of its marks (None when it already is), put into the model at once."""
    from api_client.models import LessonKindSet

    lesson = model.lesson(lesson_id)
    if (lesson.kind, lesson.weight) == (kind, weight):
        return None
    request = LessonKindSet(version=_known(lesson.version), kind=kind, weight=weight)
    lesson.kind, lesson.weight = kind, weight
    lesson.state, lesson.reason = CellState.WAITING, ""
    place = JournalPlace(journal=key, lesson=lesson.id)
    return LessonKindSetOp(lesson_id=lesson.id, request=request, place=place)


def lesson_writes(
    model: JournalModel,
    key: str,
    lesson_id: int,
    topic: str,
    homework: str,
    due: dt.date | None,
) -> list[Op]:
    """The writes that save a lesson's topic and homework as typed (none when unchanged)."""
    from api_client.models import HomeworkSet, TopicSet

    lesson = model.lesson(lesson_id)
    place = JournalPlace(journal=key, lesson=lesson.id)
    writes: list[Op] = []
    if topic != lesson.topic:
        request = TopicSet(version=_known(lesson.version), topic=topic)
        writes.append(TopicSetOp(lesson_id=lesson.id, request=request, place=place))
    if homework != lesson.homework_text or (homework and due != lesson.homework_due):
        set_homework = HomeworkSet(
            text=homework, due=due or lesson.date, version=lesson.homework_version
        )
        writes.append(HomeworkSetOp(lesson_id=lesson.id, request=set_homework, place=place))
    return writes


# -- the change feed -----------------------------------------------------------------------

JOURNAL_KINDS = ("mark.", "absence.", "period_mark.", "lesson.", "homework.")
"""The changes in the feed that can touch a class journal."""


def touched(
    journal: Journal,
    changes: Iterable[ChangeItem],
    me_id: int | None,
    echoes: Counter[tuple[str, int]],
) -> bool:
    """Whether someone else (or this teacher on another computer) changed ``journal``: a
    mark, absence or period mark of its subject for one of its pupils, or one of its lessons
    (topic, homework, timetable).

    ``echoes`` counts our own saved writes whose change has not come back yet (by
    :func:`echo_of`); each one's change is used up here and is not news."""
    lessons = {lesson.id for lesson in journal.lessons}
    pupils = {pupil.id for pupil in journal.pupils}
    found = False
    for change in changes:
        if not change.kind.startswith(JOURNAL_KINDS):
            continue
        echo = (change.kind.split(".", 1)[0], change.entity_id)
        if me_id is not None and change.actor_id == me_id and echoes[echo] > 0:
            echoes[echo] -= 1  # the echo of a change made here: already on screen
            continue
        if found:
            continue
        payload = change.payload
        found = payload.get("lesson_id") in lessons or (
            payload.get("subject_id") == journal.subject.id
            and (change.pupil_id in pupils or change.class_id == journal.class_.id)
        )
    return found
