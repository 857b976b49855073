"""The class journal in memory: pupils, lessons, the marks and absences in each cell.

Pure data and pure edit operations, no Textual and no I/O. Every edit returns an ``Edit``
record (what changed, before and after) that the screen sends to the outbox and that
``JournalModel.undo`` turns back. The sync engine reports what the server said with
``JournalModel.set_state``. ``model_from_journal`` builds the model from the server's
``Journal``; ``journal_choices`` lists the journals a teacher opens.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import enum
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from api_client.grading import suggested_period_mark, weighted_average
from api_client.i18n import _
from api_client.models import (
    LATE_MINUTES_MAX,
    MARK_WEIGHT_MAX,
    AbsenceKind,
    Journal,
    JournalMark,
    LessonKind,
    LessonStatus,
    MarkKind,
    Me,
)

KIND_ORDER: tuple[MarkKind, ...] = tuple(MarkKind)
"""The order ``K`` cycles a mark's kind through."""

MAX_WEIGHT = MARK_WEIGHT_MAX
MAX_LATE_MINUTES = LATE_MINUTES_MAX
LATE_MINUTES = 5
"""Minutes late when the teacher does not say (the ``o`` key)."""


class CellState(enum.StrEnum):
    """Where a change stands with the server."""

    SAVED = "saved"
    WAITING = "waiting"
    REJECTED = "rejected"
    """The server refused it; ``reason`` says why."""
    CONFLICT = "conflict"
    """Someone else changed the same thing; ``theirs`` holds their value."""


STATE_RANK = {
    CellState.SAVED: 0,
    CellState.WAITING: 1,
    CellState.REJECTED: 2,
    CellState.CONFLICT: 3,
}


@dataclass
class JournalPupil:
    id: int
    number: int
    last_name: str
    first_name: str
    enrolled: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    """When the pupil is in the class (start, end or None); empty: not known, always."""

    def in_class(self, day: dt.date) -> bool:
        if not self.enrolled:
            return True
        return any(start <= day and (end is None or day <= end) for start, end in self.enrolled)

    @property
    def display_name(self) -> str:
        return f"{self.last_name} {self.first_name}".strip()


@dataclass
class JournalLesson:
    id: int
    date: dt.date
    number: int = 0
    """The bell number (0 when unknown)."""
    topic: str = ""
    homework_text: str = ""
    homework_due: dt.date | None = None
    status: LessonStatus = LessonStatus.PLANNED
    version: int | None = None
    """The lesson's version (a topic change sends it)."""
    homework_version: int | None = None
    """The version of the lesson's homework; None when there is none on the server."""
    state: CellState = CellState.SAVED
    """Where the last topic or homework change stands with the server."""
    reason: str = ""
    files: list[tuple[str, int]] = field(default_factory=list)
    """The homework's files on the server: (name, size in bytes)."""
    kind: LessonKind = LessonKind.LESSON
    """A test (a quiz, ...) gives every new mark of the column its kind and ``weight``."""
    weight: int = 1


def new_key() -> str:
    """A key for a mark typed here, before the server gives it an id."""
    return "n" + uuid.uuid4().hex[:12]


@dataclass
class CellMark:
    value: int
    weight: int = 1
    kind: MarkKind = MarkKind.ORAL
    comment: str = ""
    mark_id: int | None = None
    version: int | None = None
    state: CellState = CellState.SAVED
    reason: str = ""
    theirs: int | None = None
    key: str = field(default_factory=new_key)
    """Stable while the journal is open: ``m<id>`` for a mark from the server, else random.
    The outbox names the mark by it, so an answer finds its mark again."""
    created_at: dt.datetime | None = None

    @property
    def counts(self) -> bool:
        """Whether the mark counts towards the average (a rejected one does not)."""
        return self.state is not CellState.REJECTED


@dataclass
class Cell:
    marks: list[CellMark] = field(default_factory=list)
    absence: AbsenceKind | None = None
    absence_state: CellState = CellState.SAVED
    absence_reason: str = ""
    absence_id: int | None = None
    absence_version: int | None = None
    absence_minutes: int = 0
    """How late, for a ``late`` absence (0: not said)."""

    @property
    def state(self) -> CellState:
        """The most pressing state in the cell (conflict, then rejected, then waiting)."""
        states = [m.state for m in self.marks]
        if self.absence is not None or self.absence_state is not CellState.SAVED:
            states.append(self.absence_state)
        return max(states, key=STATE_RANK.__getitem__, default=CellState.SAVED)

    @property
    def has_comment(self) -> bool:
        return any(m.comment for m in self.marks)

    @property
    def is_empty(self) -> bool:
        return not self.marks and self.absence is None


@dataclass
class PeriodMarkCell:
    value: int | None = None
    state: CellState = CellState.SAVED
    reason: str = ""
    theirs: int | None = None
    mark_id: int | None = None
    version: int | None = None


class EditOp(enum.StrEnum):
    ADD_MARK = "add_mark"
    REMOVE_MARK = "remove_mark"
    CHANGE_MARK = "change_mark"
    """Value, weight, kind or comment of an existing mark."""
    SET_ABSENCE = "set_absence"
    SET_PERIOD_MARK = "set_period_mark"


@dataclass(frozen=True)
class Edit:
    """One change to the journal.

    - ``ADD_MARK``: ``after`` is the new mark, at ``index``; ``before`` is None.
    - ``REMOVE_MARK``: ``before`` is the removed mark (with its ``mark_id``); ``after`` None.
    - ``CHANGE_MARK``: ``before`` and ``after`` are the mark at ``index``.
    - ``SET_ABSENCE``: ``before``/``after`` are ``AbsenceKind`` or None.
    - ``SET_PERIOD_MARK``: ``lesson_id`` is None; ``before``/``after`` are ints or None.
    """

    op: EditOp
    pupil_id: int
    lesson_id: int | None
    before: CellMark | AbsenceKind | int | None
    after: CellMark | AbsenceKind | int | None
    index: int | None = None
    field: str = ""
    """For ``CHANGE_MARK``: ``"value"``, ``"weight"``, ``"kind"`` or ``"comment"``."""


class JournalModel:
    """One class's journal for one subject and period."""

    def __init__(
        self,
        pupils: list[JournalPupil],
        lessons: list[JournalLesson],
        cells: dict[tuple[int, int], Cell] | None = None,
        scale: tuple[int, int] = (1, 5),
        period_marks: dict[int, PeriodMarkCell] | None = None,
    ) -> None:
        low, high = scale
        if low > high or low < 0:
            raise ValueError(f"the mark scale {low}..{high} is not a valid range")
        self.pupils = pupils
        self.lessons = lessons
        self.cells: dict[tuple[int, int], Cell] = cells if cells is not None else {}
        self.scale = (low, high)
        self.period_marks: dict[int, PeriodMarkCell] = (
            period_marks if period_marks is not None else {}
        )
        self._pupil_ids = {p.id for p in pupils}
        self._lesson_ids = {lesson.id for lesson in lessons}

    # --- reading -------------------------------------------------------------------------

    def cell(self, pupil_id: int, lesson_id: int) -> Cell:
        """The cell of a pupil and a lesson (an empty one when nothing was entered)."""
        self._check(pupil_id, lesson_id)
        found = self.cells.get((pupil_id, lesson_id))
        if found is None:
            found = self.cells[(pupil_id, lesson_id)] = Cell()
        return found

    def peek(self, pupil_id: int, lesson_id: int) -> Cell | None:
        """The cell if anything was ever entered, without creating it."""
        return self.cells.get((pupil_id, lesson_id))

    def find_mark(self, pupil_id: int, lesson_id: int, key: str) -> int | None:
        """The index of the mark with ``key`` in the cell, or None."""
        cell = self.cells.get((pupil_id, lesson_id))
        if cell is None:
            return None
        for index, mark in enumerate(cell.marks):
            if mark.key == key:
                return index
        return None

    def lesson(self, lesson_id: int) -> JournalLesson:
        for lesson in self.lessons:
            if lesson.id == lesson_id:
                return lesson
        raise KeyError(f"no lesson {lesson_id} in this journal")

    def period_mark(self, pupil_id: int) -> PeriodMarkCell:
        self._check(pupil_id, None)
        found = self.period_marks.get(pupil_id)
        if found is None:
            found = self.period_marks[pupil_id] = PeriodMarkCell()
        return found

    def average(self, pupil_id: int) -> Decimal | None:
        """The pupil's weighted average over this journal (rejected marks do not count)."""
        self._check(pupil_id, None)
        pairs: list[tuple[int, int]] = []
        for lesson in self.lessons:
            cell = self.cells.get((pupil_id, lesson.id))
            if cell is not None:
                pairs.extend((m.value, m.weight) for m in cell.marks if m.counts)
        return weighted_average(pairs)

    def suggested_period_mark(self, pupil_id: int) -> int | None:
        low, high = self.scale
        return suggested_period_mark(self.average(pupil_id), low, high)

    def refusal(self, pupil_id: int, lesson_id: int, today: dt.date | None) -> str | None:
        """Why the lesson takes no mark nor absence for the pupil (None: it does): the
        server refuses the same, for the same reasons."""
        lesson = self.lesson(lesson_id)
        day = f"{lesson.date:%d.%m}"
        if lesson.status is LessonStatus.CANCELLED:
            return _("the lesson of {day} was cancelled: it takes no marks").format(day=day)
        if today is not None and lesson.date > today:
            return _(
                "the lesson of {day} has not happened yet: marks are given on its day or later"
            ).format(day=day)
        pupil = next(p for p in self.pupils if p.id == pupil_id)
        if not pupil.in_class(lesson.date):
            return _("{name} is not in the class on {day}").format(name=pupil.display_name, day=day)
        return None

    def validate_value(self, value: int) -> None:
        low, high = self.scale
        if not low <= value <= high:
            raise ValueError(
                _("{value} is not a mark on this school's scale ({low} to {high})").format(
                    value=value, low=low, high=high
                )
            )

    # --- edits -----------------------------------------------------------------------------

    def set_mark(
        self, pupil_id: int, lesson_id: int, value: int, weight: int | None = None
    ) -> Edit:
        """Add a mark to the cell (a lesson may hold several). It has the lesson's kind and
        weight (a test's marks are test marks), unless ``weight`` says otherwise."""
        self.validate_value(value)
        lesson = self.lesson(lesson_id)
        weight = lesson.weight if weight is None else weight
        _check_weight(weight)
        cell = self.cell(pupil_id, lesson_id)
        mark = CellMark(
            value=value, weight=weight, kind=lesson.kind.mark_kind, state=CellState.WAITING
        )
        cell.marks.append(mark)
        index = len(cell.marks) - 1
        return Edit(EditOp.ADD_MARK, pupil_id, lesson_id, None, copy.copy(mark), index)

    def remove_mark(self, pupil_id: int, lesson_id: int, index: int = -1) -> Edit:
        """Remove the mark at ``index`` (the last one by default)."""
        cell = self.cell(pupil_id, lesson_id)
        index = _resolve(cell, index)
        mark = cell.marks.pop(index)
        return Edit(EditOp.REMOVE_MARK, pupil_id, lesson_id, mark, None, index)

    def replace_value(self, pupil_id: int, lesson_id: int, value: int) -> Edit:
        """Put ``value`` in the cell instead of its last mark (a new mark when it has none)."""
        self.validate_value(value)
        cell = self.cell(pupil_id, lesson_id)
        if not cell.marks:
            return self.set_mark(pupil_id, lesson_id, value)
        return self._change(pupil_id, lesson_id, -1, "value", value)

    def set_weight(self, pupil_id: int, lesson_id: int, weight: int, index: int = -1) -> Edit:
        _check_weight(weight)
        return self._change(pupil_id, lesson_id, index, "weight", weight)

    def set_kind(self, pupil_id: int, lesson_id: int, kind: MarkKind, index: int = -1) -> Edit:
        return self._change(pupil_id, lesson_id, index, "kind", MarkKind(kind))

    def cycle_kind(self, pupil_id: int, lesson_id: int, index: int = -1) -> Edit:
        """Give the mark the next kind in ``KIND_ORDER``."""
        cell = self.cell(pupil_id, lesson_id)
        current = cell.marks[_resolve(cell, index)].kind
        following = KIND_ORDER[(KIND_ORDER.index(current) + 1) % len(KIND_ORDER)]
        return self.set_kind(pupil_id, lesson_id, following, index)

    def set_comment(self, pupil_id: int, lesson_id: int, comment: str, index: int = -1) -> Edit:
        return self._change(pupil_id, lesson_id, index, "comment", comment.strip())

    def set_absence(
        self, pupil_id: int, lesson_id: int, kind: AbsenceKind | str | None, minutes: int = 0
    ) -> Edit:
        """Mark the pupil absent (or ``minutes`` late) at the lesson; None clears it."""
        new = None if kind is None else _absence_kind(kind)
        if new is AbsenceKind.LATE and minutes and not 1 <= minutes <= MAX_LATE_MINUTES:
            raise ValueError(
                _("a pupil is 1 to {most} minutes late, not {minutes}").format(
                    most=MAX_LATE_MINUTES, minutes=minutes
                )
            )
        cell = self.cell(pupil_id, lesson_id)
        before = cell.absence
        cell.absence = new
        cell.absence_minutes = (minutes or LATE_MINUTES) if new is AbsenceKind.LATE else 0
        cell.absence_state = CellState.WAITING
        cell.absence_reason = ""
        return Edit(EditOp.SET_ABSENCE, pupil_id, lesson_id, before, new)

    def set_period_mark(self, pupil_id: int, value: int | None) -> Edit:
        """Set (or with None clear) the pupil's mark for the period."""
        if value is not None:
            self.validate_value(value)
        cell = self.period_mark(pupil_id)
        before = cell.value
        cell.value = value
        cell.state = CellState.WAITING
        cell.reason = ""
        cell.theirs = None
        return Edit(EditOp.SET_PERIOD_MARK, pupil_id, None, before, value)

    def undo(self, edit: Edit) -> Edit:
        """Put back what ``edit`` changed; returns the edit that does so (for the outbox)."""
        if edit.op is EditOp.ADD_MARK:
            assert edit.lesson_id is not None and edit.index is not None
            cell = self.cell(edit.pupil_id, edit.lesson_id)
            if edit.index >= len(cell.marks):
                raise ValueError(_("the mark to take back is no longer there"))
            return self.remove_mark(edit.pupil_id, edit.lesson_id, edit.index)
        if edit.op is EditOp.REMOVE_MARK:
            assert edit.lesson_id is not None and isinstance(edit.before, CellMark)
            cell = self.cell(edit.pupil_id, edit.lesson_id)
            index = min(edit.index if edit.index is not None else len(cell.marks), len(cell.marks))
            old = edit.before
            mark = CellMark(
                value=old.value,
                weight=old.weight,
                kind=old.kind,
                comment=old.comment,
                state=CellState.WAITING,
            )
            cell.marks.insert(index, mark)
            return Edit(
                EditOp.ADD_MARK, edit.pupil_id, edit.lesson_id, None, copy.copy(mark), index
            )
        if edit.op is EditOp.CHANGE_MARK:
            assert edit.lesson_id is not None and edit.index is not None
            assert isinstance(edit.before, CellMark)
            value = getattr(edit.before, edit.field)
            return self._change(edit.pupil_id, edit.lesson_id, edit.index, edit.field, value)
        if edit.op is EditOp.SET_ABSENCE:
            assert edit.lesson_id is not None
            assert edit.before is None or isinstance(edit.before, AbsenceKind)
            return self.set_absence(edit.pupil_id, edit.lesson_id, edit.before)
        assert edit.before is None or isinstance(edit.before, int)
        return self.set_period_mark(edit.pupil_id, edit.before)

    # --- the sync engine ---------------------------------------------------------------------

    def set_state(
        self,
        pupil_id: int,
        lesson_id: int | None,
        state: CellState,
        *,
        index: int | None = None,
        reason: str = "",
        theirs: int | None = None,
        server_id: int | None = None,
        version: int | None = None,
    ) -> None:
        """Record what the server said about a change.

        ``lesson_id=None`` is the period mark; ``index=None`` (with a lesson) is the absence;
        otherwise the mark at ``index``. ``server_id`` and ``version`` are stored when given.
        """
        state = CellState(state)
        if lesson_id is None:
            pm = self.period_mark(pupil_id)
            pm.state, pm.reason, pm.theirs = state, reason, theirs
            if server_id is not None:
                pm.mark_id = server_id
            if version is not None:
                pm.version = version
            return
        cell = self.cell(pupil_id, lesson_id)
        if index is None:
            cell.absence_state, cell.absence_reason = state, reason
            if server_id is not None:
                cell.absence_id = server_id
            if version is not None:
                cell.absence_version = version
            return
        mark = cell.marks[_resolve(cell, index)]
        mark.state, mark.reason, mark.theirs = state, reason, theirs
        if server_id is not None:
            mark.mark_id = server_id
        if version is not None:
            mark.version = version

    # --- a fresh copy from the server ------------------------------------------------------

    def keep_unsettled(self, old: JournalModel) -> None:
        """Take from ``old`` (the journal on screen) what the server has not settled yet.

        This model is the journal the server just sent; a cell, period mark or lesson whose
        change is still waiting, was refused or is in conflict keeps what the teacher sees in
        ``old``, so a refresh never hides a change that is not saved yet nor its state.
        """
        for address, cell in old.cells.items():
            pupil_id, lesson_id = address
            if (
                cell.state is not CellState.SAVED
                and pupil_id in self._pupil_ids
                and lesson_id in self._lesson_ids
            ):
                self.cells[address] = cell
        for pupil_id, period in old.period_marks.items():
            if period.state is not CellState.SAVED and pupil_id in self._pupil_ids:
                self.period_marks[pupil_id] = period
        mine = {lesson.id: lesson for lesson in old.lessons if lesson.state is not CellState.SAVED}
        for index, lesson in enumerate(self.lessons):
            kept = mine.get(lesson.id)
            if kept is not None:
                self.lessons[index] = dataclasses.replace(
                    lesson,
                    topic=kept.topic,
                    homework_text=kept.homework_text,
                    homework_due=kept.homework_due,
                    version=kept.version,
                    homework_version=kept.homework_version,
                    kind=kept.kind,
                    weight=kept.weight,
                    state=kept.state,
                    reason=kept.reason,
                )

    # --- helpers -------------------------------------------------------------------------

    def _change(self, pupil_id: int, lesson_id: int, index: int, name: str, value: object) -> Edit:
        cell = self.cell(pupil_id, lesson_id)
        index = _resolve(cell, index)
        mark = cell.marks[index]
        before = copy.copy(mark)
        setattr(mark, name, value)
        mark.state = CellState.WAITING
        mark.reason = ""
        return Edit(EditOp.CHANGE_MARK, pupil_id, lesson_id, before, copy.copy(mark), index, name)

    def _check(self, pupil_id: int, lesson_id: int | None) -> None:
        if pupil_id not in self._pupil_ids:
            raise KeyError(f"no pupil {pupil_id} in this journal")
        if lesson_id is not None and lesson_id not in self._lesson_ids:
            raise KeyError(f"no lesson {lesson_id} in this journal")


def _resolve(cell: Cell, index: int) -> int:
    if not cell.marks:
        raise ValueError(_("there is no mark in this cell"))
    if not -len(cell.marks) <= index < len(cell.marks):
        raise ValueError(
            _("this cell has {n} mark(s), not a mark number {index}").format(
                n=len(cell.marks), index=index + 1
            )
        )
    return index % len(cell.marks)


def _check_weight(weight: int) -> None:
    if not 1 <= weight <= MAX_WEIGHT:
        raise ValueError(
            _("a mark's weight is 1 to {most}, not {weight}").format(most=MAX_WEIGHT, weight=weight)
        )


def _absence_kind(kind: AbsenceKind | str) -> AbsenceKind:
    try:
        return AbsenceKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in AbsenceKind)
        raise ValueError(f"{kind!r} is not a kind of absence (one of: {allowed})") from None


# -- the journal as the server sent it, and the journals a teacher opens ---------------------

Choice = tuple[int, str, int, str, int | None]
"""A journal to open: (class id, class, subject id, subject, group id or None)."""


def journal_choices(me: Me | None) -> list[Choice]:
    """The journals a teacher may open: a class and subject, or one group of the class for
    the subject (the subject's name then says the group: ``англ. (гр. 1)``).

    A class teacher also opens their own class (for attendance) with the subjects they
    teach elsewhere; the server decides again for every request."""
    if me is None:
        return []
    seen: set[tuple[int, int, int | None]] = set()
    found: list[Choice] = []
    for teaching in me.teaching:
        group = teaching.group
        key = (teaching.class_.id, teaching.subject.id, group.id if group else None)
        if key not in seen:
            seen.add(key)
            subject = teaching.subject.name
            if group is not None:
                subject = _("{subject} ({group})").format(subject=subject, group=group.name)
            found.append(
                (teaching.class_.id, teaching.class_.name, teaching.subject.id, subject, key[2])
            )
    return found


def model_from_journal(journal: Journal) -> JournalModel:
    """The journal in memory, as the server sent it."""
    pupils = [
        JournalPupil(
            p.id, p.number, p.last_name, p.first_name, [(e.start, e.end) for e in p.enrolled]
        )
        for p in journal.pupils
    ]
    lessons = [
        JournalLesson(
            id=lesson.id,
            date=lesson.date,
            number=lesson.number,
            topic=lesson.topic,
            homework_text=lesson.homework.text if lesson.homework else "",
            homework_due=lesson.homework.due if lesson.homework else None,
            status=lesson.status,
            version=lesson.version,
            homework_version=lesson.homework.version if lesson.homework else None,
            files=[(a.name, a.size) for a in lesson.homework.attachments]
            if lesson.homework
            else [],
            kind=lesson.kind,
            weight=lesson.weight,
        )
        for lesson in journal.lessons
    ]
    model = JournalModel(
        pupils, lessons, scale=(journal.scale.min, journal.scale.max), period_marks={}
    )
    where = {(p.id, lesson.id) for p in pupils for lesson in lessons}
    for mark in sorted(journal.marks, key=lambda m: (m.created_at, m.id)):
        if mark.removed or (mark.pupil_id, mark.lesson_id) not in where:
            continue
        model.cell(mark.pupil_id, mark.lesson_id).marks.append(_cell_mark(mark))
    for absence in journal.absences:
        if absence.removed or (absence.pupil_id, absence.lesson_id) not in where:
            continue
        cell = model.cell(absence.pupil_id, absence.lesson_id)
        cell.absence = absence.kind
        cell.absence_id, cell.absence_version = absence.id, absence.version
        cell.absence_minutes = absence.minutes
    pupil_ids = {p.id for p in pupils}
    for period_mark in journal.period_marks:
        if period_mark.pupil_id in pupil_ids:
            model.period_marks[period_mark.pupil_id] = PeriodMarkCell(
                value=None if period_mark.removed else period_mark.value,
                mark_id=period_mark.id,
                version=period_mark.version,
            )
    return model


def _cell_mark(mark: JournalMark) -> CellMark:
    return CellMark(
        value=mark.value,
        weight=mark.weight,
        kind=mark.kind,
        comment=mark.comment,
        mark_id=mark.id,
        version=mark.version,
        key=f"m{mark.id}",
        created_at=mark.created_at,
    )
