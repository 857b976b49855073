"""The class journal: a teacher's marks, absences, topics, homework and period marks.

The grid (``JournalGrid``) edits a ``JournalModel`` in memory; every edit becomes a write in
the outbox at once (a local SQLite commit, no network), the cell shows it waiting, and the sync
engine (run by the app in a worker) sends it. What the server answered comes back through the
engine's listener: saved, rejected with the reason, or in conflict with the other value, which
the teacher takes (``T``) or overrides with their own (``M``). No key waits for the network.

The journal paints from the store first (the cached journal plus the writes still waiting in
the outbox), then refreshes from the server in a worker.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any

import msgspec
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Static

from api_client.models import (
    AbsenceKind,
    ChangeItem,
    Journal,
    JournalAbsence,
    JournalMark,
    JournalPeriodMark,
    LessonDetail,
    MarkKind,
    Me,
    Role,
)
from diary_tui.data import DiaryData, DiaryError, describe_error
from diary_tui.journal_model import (
    LATE_MINUTES,
    Cell,
    CellMark,
    CellState,
    Edit,
    EditOp,
    JournalLesson,
    JournalModel,
    JournalPupil,
    PeriodMarkCell,
    new_key,
)
from diary_tui.store import CONFLICT, REFUSED, REJECTED, SENT, WAITING, OutboxItem
from diary_tui.sync import (
    Settled,
    SyncEvent,
    Write,
    absence_remove,
    absence_set,
    decode_meta,
    homework_set,
    mark_create,
    mark_remove,
    mark_update,
    period_mark_set,
    read_answer,
    topic_set,
)
from diary_tui.text import decode as decode_visible
from diary_tui.widgets import NavBar, StatusLine
from diary_tui.widgets.journal_grid import JournalGrid
from screens.base import DiaryScreen
from screens.journal_panels import LessonPanel, parse_due

STATES = {SENT: CellState.SAVED, REJECTED: CellState.REJECTED, CONFLICT: CellState.CONFLICT}
MARK_CHANGES = ("weight", "kind", "comment", "value")
JOURNAL_KINDS = ("mark.", "absence.", "period_mark.", "lesson.", "homework.")
"""The changes in the feed that can touch a class journal."""
ECHO_THINGS = {
    "mark": "mark",
    "absence": "absence",
    "period_mark": "period_mark",
    "topic": "lesson",
    "homework": "homework",
}
"""The thing a change in the feed names (``mark.edited``) for each kind of outbox write."""


def journal_choices(me: Me | None) -> list[tuple[int, str, int, str]]:
    """The journals a teacher may open: (class id, class, subject id, subject).

    A class teacher also opens their own class (for attendance) with the subjects they
    teach elsewhere; the server decides again for every request."""
    if me is None:
        return []
    seen: set[tuple[int, int]] = set()
    found: list[tuple[int, str, int, str]] = []
    for teaching in me.teaching:
        key = (teaching.class_.id, teaching.subject.id)
        if key not in seen:
            seen.add(key)
            found.append(
                (
                    teaching.class_.id,
                    teaching.class_.name,
                    teaching.subject.id,
                    teaching.subject.name,
                )
            )
    return found


def model_from_journal(journal: Journal) -> JournalModel:
    """The journal in memory, as the server sent it."""
    pupils = [JournalPupil(p.id, p.number, p.last_name, p.first_name) for p in journal.pupils]
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
        )
        for lesson in journal.lessons
    ]
    model = JournalModel(
        pupils, lessons, scale=(journal.scale.min, journal.scale.max), period_marks={}
    )
    where = _AddressSet(model)
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


class _AddressSet:
    def __init__(self, model: JournalModel) -> None:
        self.pupils = {p.id for p in model.pupils}
        self.lessons = {lesson.id for lesson in model.lessons}

    def __contains__(self, address: object) -> bool:
        assert isinstance(address, tuple)
        return address[0] in self.pupils and address[1] in self.lessons


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


ITEM_STATES = {
    WAITING: CellState.WAITING,
    REJECTED: CellState.REJECTED,
    CONFLICT: CellState.CONFLICT,
}
"""The cell state that shows an outbox write (waiting, or refused and not dealt with)."""


def _mark_of(model: JournalModel, item: OutboxItem, pupil: int, lesson: int) -> int | None:
    """The index of the mark an outbox write is about: by its key, else by the server id in
    the write's path (a mark typed here and saved has the server's key after a reload)."""
    index = model.find_mark(pupil, lesson, str(decode_meta(item.meta).get("k", "")))
    if index is not None:
        return index
    found = re.fullmatch(r"/marks/(\d+)(?:/remove)?", item.path)
    cell = model.peek(pupil, lesson)
    if found is None or cell is None:
        return None
    mark_id = int(found.group(1))
    return next((i for i, m in enumerate(cell.marks) if m.mark_id == mark_id), None)


def apply_outbox(
    model: JournalModel, journal_key: str, items: list[OutboxItem], period_id: int | None = None
) -> dict[tuple[int, int | None], OutboxItem]:
    """Show the outbox over the server's journal: writes still to send as waiting, and the
    ones the server refused or found in conflict (not dealt with yet) with their state and
    reason, so a refusal is never lost with a reload or a restart. Returns the conflicts by
    address (pupil, lesson; None for the period mark)."""
    where = _AddressSet(model)
    conflicts: dict[tuple[int, int | None], OutboxItem] = {}
    for item in items:
        meta = decode_meta(item.meta)
        state = ITEM_STATES.get(item.state)
        if meta.get("j") != journal_key or state is None:
            continue
        refused = state is not CellState.WAITING
        reason = item.error if refused else ""
        theirs = getattr(_current_value(item), "value", None) if refused else None
        body = json.loads(item.body)
        pupil, lesson = meta.get("p"), meta.get("l")
        if item.op.startswith("mark.") and (pupil, lesson) in where:
            assert isinstance(pupil, int) and isinstance(lesson, int)
            cell = model.cell(pupil, lesson)
            index = _mark_of(model, item, pupil, lesson)
            if item.op == "mark.create" and index is None:
                cell.marks.append(
                    CellMark(
                        value=body["value"],
                        weight=body.get("weight", 1),
                        kind=MarkKind(body.get("kind", "oral")),
                        comment=body.get("comment", ""),
                        state=state,
                        reason=reason,
                        key=str(meta.get("k", "")) or new_key(),
                    )
                )
            elif item.op == "mark.update" and index is not None:
                mark = cell.marks[index]
                for name in MARK_CHANGES:
                    if body.get(name) is not None:
                        value = body[name]
                        setattr(mark, name, MarkKind(value) if name == "kind" else value)
                mark.state, mark.reason, mark.theirs = state, reason, theirs
            elif item.op == "mark.remove" and index is not None:
                if refused:  # the server kept the mark: show it with the refusal
                    mark = cell.marks[index]
                    mark.state, mark.reason, mark.theirs = state, reason, theirs
                else:
                    cell.marks.pop(index)
            else:
                continue
        elif item.op.startswith("absence.") and (pupil, lesson) in where:
            assert isinstance(pupil, int) and isinstance(lesson, int)
            cell = model.cell(pupil, lesson)
            if item.op == "absence.set":
                cell.absence = AbsenceKind(body["kind"])
                cell.absence_minutes = body.get("minutes", 0)
            elif not refused:
                cell.absence = None
            cell.absence_state, cell.absence_reason = state, reason
        elif (
            item.op == "period_mark.set"
            and pupil in where.pupils
            and body.get("period_id") == period_id
        ):
            assert isinstance(pupil, int)
            period = model.period_mark(pupil)
            period.value, period.state = body.get("value"), state
            period.reason, period.theirs = reason, theirs
            lesson = None
        elif item.op in ("topic.set", "homework.set") and lesson in where.lessons:
            assert isinstance(lesson, int)
            found = model.lesson(lesson)
            if item.op == "topic.set":
                found.topic = body["topic"]
            else:
                found.homework_text = body["text"]
                found.homework_due = dt.date.fromisoformat(body["due"])
            found.state, found.reason = state, reason
            continue
        else:
            continue
        if state is CellState.CONFLICT and isinstance(pupil, int):
            conflicts[(pupil, lesson if isinstance(lesson, int) else None)] = item
    return conflicts


def _current_value(item: OutboxItem) -> Any:
    """The server's current value in a conflict's answer (a mark, absence or period mark)."""
    if not item.result:
        return None
    types: dict[str, type[Any]] = {
        "mark": JournalMark,
        "absence": JournalAbsence,
        "period_mark": JournalPeriodMark,
    }
    kind = item.op.split(".", 1)[0]
    type_ = types.get(kind)
    if type_ is None:
        return None
    try:
        return decode_visible(item.result, type_)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None


class JournalScreen(DiaryScreen):
    TITLE = "Journal"
    NAME = "journal"
    HELP = """
The class journal. Pupils are rows, lessons are columns; the last two columns are the
weighted average and the period mark (a grey number is the suggested mark: Enter takes it).

Type a mark (it moves down, like a spreadsheet); n absent, b ill, u excused, o late
(5 minutes; O asks how many);
Delete removes; w then a digit sets the weight; K changes the kind; c comments; r repeats
the last value; ctrl+z takes back your last change. e writes the lesson's topic and homework
(Enter or ctrl+s saves, Esc cancels). v picks another class or subject, [ and ] the period.
The school administration reads every journal; x on a lesson's column cancels or restores
it, gives it a substitute teacher or another room (sent at once: it needs a connection).

Every change is saved on this computer at once and sent to the server in the background:
· waiting, ! refused (the reason shows below the grid), ? changed elsewhere: M keeps yours,
T takes theirs. Nothing is lost when the connection drops; the status line says how many
changes wait; ctrl+r reads the journal again and sends at once.
"""

    DEFAULT_CSS = """
    JournalScreen #journal-title { height: 1; padding: 0 1; background: $boost; }
    JournalScreen #journal-info { height: 1; padding: 0 1; color: $text-muted; }
    JournalScreen #journal-empty { height: 1fr; padding: 1 2; }
    """

    BINDINGS = [
        Binding("f1", "help", "Help", id="journal.help", show=False),
        Binding("v", "pick", "Class", id="journal.pick"),
        Binding("left_square_bracket", "period(-1)", "Prev period", id="journal.prev_period"),
        Binding("right_square_bracket", "period(1)", "Next period", id="journal.next_period"),
        Binding("e", "edit_lesson", "Topic", id="journal.edit_lesson"),
        Binding("x", "change_lesson", "Change lesson", id="journal.change_lesson"),
        Binding("M", "keep_mine", "Keep mine", id="journal.keep_mine", show=False),
        Binding("T", "take_theirs", "Take theirs", id="journal.take_theirs", show=False),
        Binding("ctrl+r", "reload", "Reload and send now", id="journal.reload", show=False),
    ]

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.journal: Journal | None = None
        self.model: JournalModel | None = None
        self.choice: tuple[int, int, int | None] | None = None
        """Class id, subject id, period id (None: the server's current period)."""
        self.conflicts: dict[tuple[int, int | None], OutboxItem] = {}
        self._stop_listening: Any = None
        self._grid: JournalGrid | None = None
        self.choices: list[tuple[int, str, int, str]] = []
        """The journals on offer: (class id, class, subject id, subject)."""
        self._settled_count = 0
        self._echoes: Counter[tuple[str, int]] = Counter()
        """Our own saved writes whose change has not come back from the feed yet: (thing,
        id). Their echo is not news; the same teacher's change on another computer is."""
        """How many of our changes the server has answered (a reload started before one
        was saved asks again)."""

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content("Journal"), id="journal-title")
        yield Static(Content("Opening the journal…"), id="journal-empty")
        yield Static(Content(""), id="journal-info")
        yield LessonPanel()
        yield StatusLine()
        yield Footer()

    @property
    def read_only(self) -> bool:
        me = self.data.me
        return me is not None and me.role is not Role.TEACHER

    @property
    def journal_key(self) -> str:
        if self.choice is None:
            return ""
        return f"{self.choice[0]}:{self.choice[1]}"

    def grid(self) -> JournalGrid | None:
        """The grid on screen (None before the first journal is painted)."""
        return self._grid

    def on_mount(self) -> None:
        super().on_mount()
        try:
            engine = self.data.sync_engine()
        except DiaryError:  # not logged in: nothing to send
            engine = None
        if engine is not None:
            self._stop_listening = engine.listen(self._sync_event)
        self.open_first()

    def on_unmount(self) -> None:
        if self._stop_listening is not None:
            self._stop_listening()

    def open_first(self) -> None:
        me = self.data.me or self.data.cached_me()
        if self.read_only:
            self.load_school_journals()
            return
        self.choices = journal_choices(me)
        self._open_remembered_or_first()

    def _open_remembered_or_first(self) -> None:
        choices = self.choices
        remembered = self.data.remembered("journal.last")
        if remembered:
            try:
                class_id, subject_id, period_id = json.loads(remembered)
            except (ValueError, TypeError):
                class_id = subject_id = period_id = None
            if any(c[0] == class_id and c[2] == subject_id for c in choices):
                self.open_journal(class_id, subject_id, period_id)
                return
        if choices:
            self.open_journal(choices[0][0], choices[0][2], None)
        elif self.read_only:
            self._empty("The school has no class with marks yet: there is no journal to read.")
        else:
            self._empty("You teach no class here: there is no journal to open.")

    @work(exclusive=True, group="journal-list", exit_on_error=False)
    async def load_school_journals(self) -> None:
        """Administration reads any class's journal: the classes and subjects with marks."""
        stats = self.data.cached_school_stats()
        if stats is None:
            stats = await self.data.load_school_stats()
        ordered = sorted(stats.classes, key=lambda c: (c.class_.grade, c.class_.letter))
        self.choices = [
            (c.class_.id, c.class_.name, row.subject.id, row.subject.name)
            for c in ordered
            for row in sorted(c.subjects, key=lambda r: r.subject.name)
        ]
        self._open_remembered_or_first()

    def worker_failed(self, error: BaseException) -> bool:
        if self._grid is None:
            self._empty(f"The journal could not be opened: {describe_error(error)}")
        return False

    def _empty(self, text: str) -> None:
        self.query_one("#journal-empty", Static).update(Content(text))

    def open_journal(self, class_id: int, subject_id: int, period_id: int | None) -> None:
        self.choice = (class_id, subject_id, period_id)
        self.conflicts.clear()
        cached = self.data.cached_journal(class_id, subject_id, period_id)
        if cached is not None:
            self.show_journal(cached)
        self.load()

    @work(exclusive=True, group="journal", exit_on_error=False)
    async def load(self) -> None:
        assert self.choice is not None
        class_id, subject_id, period_id = self.choice
        for _attempt in range(3):
            settled = self._settled_count
            journal = await self.data.load_journal(class_id, subject_id, period_id)
            if self.choice != (class_id, subject_id, period_id):
                return
            if settled == self._settled_count:
                break
            # A change of ours was saved while the journal was on its way: that copy may
            # predate it (the cell would show the old value until the next refresh).
        if period_id is None:
            self.choice = (class_id, subject_id, journal.period.id)
        self.data.remember_setting(
            "journal.last", json.dumps([class_id, subject_id, journal.period.id])
        )
        if journal != self.journal:
            self.show_journal(journal)
        self.refresh_status()

    # -- live changes ---------------------------------------------------------------------

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        """Whether someone else (or this teacher on another computer) changed this journal: a
        mark, absence or period mark of its subject for one of its pupils, or one of its
        lessons (topic, homework, timetable). The echoes of our own writes are used up here."""
        journal, me = self.journal, self.data.me
        if journal is None:
            return False
        lessons = {lesson.id for lesson in journal.lessons}
        pupils = {pupil.id for pupil in journal.pupils}
        touched = False
        for change in changes:
            if not change.kind.startswith(JOURNAL_KINDS):
                continue
            echo = (change.kind.split(".", 1)[0], change.entity_id)
            if me is not None and change.actor_id == me.id and self._echoes[echo] > 0:
                self._echoes[echo] -= 1  # the echo of a change made here: already on screen
                continue
            if touched:
                continue
            payload = change.payload
            touched = payload.get("lesson_id") in lessons or (
                payload.get("subject_id") == journal.subject.id
                and (change.pupil_id in pupils or change.class_id == journal.class_.id)
            )
        return touched

    def live_refresh(self) -> None:
        """Someone else changed the journal: read it again (the teacher may go on typing)."""
        if self.choice is not None:
            self.load()

    def show_journal(self, journal: Journal) -> None:
        """Paint a journal (from the store or the server) with the outbox's waiting writes.

        A fresh copy of the journal on screen (a live change, a reload) goes into the grid
        in place: cells whose change is not settled keep what the teacher sees, and the
        cursor, the undo stack and a half-typed mark stay.
        """
        old = self.grid()
        same = old is not None and self.journal is not None and self._same(journal)
        self.journal = journal
        model = model_from_journal(journal)
        store = self.data.store
        items = getattr(store, "items", None)
        if items is not None:
            self.conflicts = apply_outbox(
                model, self.journal_key, items((WAITING, *REFUSED)), journal.period.id
            )
        if same and self.model is not None:
            model.keep_unsettled(self.model)
        self.model = model
        self.query_one("#journal-title", Static).update(
            Content.assemble(
                (f"{journal.class_.name} · {journal.subject.name}", "bold"),
                f" · {journal.period.name} ({journal.period.start:%d.%m}–"
                f"{journal.period.end:%d.%m})",
                (
                    "  v class · [ ] period · e topic"
                    if not self.read_only
                    else "  read-only · x changes a lesson"
                    if self.check_action("change_lesson", ())
                    else "  read-only",
                    "dim",
                ),
            )
        )
        if same and old is not None:
            old.replace_model(model)
            self.call_after_refresh(self._focused_changed)
            return
        grid = JournalGrid(model, today=self.data.today(), lang=self._lang())
        empty = self.query("#journal-empty")
        if old is not None:
            old.remove()
        self._grid = grid
        self.mount(grid, after=self.query_one("#journal-title"))
        empty.set(display=False)
        grid.focus()
        self.call_after_refresh(self._focused_changed)

    def _same(self, journal: Journal) -> bool:
        assert self.journal is not None
        return (
            journal.class_.id == self.journal.class_.id
            and journal.subject.id == self.journal.subject.id
            and journal.period.id == self.journal.period.id
        )

    def _lang(self) -> str:
        names = " ".join(p.last_name for p in (self.journal.pupils if self.journal else []))
        return "ru" if any("а" <= ch <= "я" or "А" <= ch <= "Я" for ch in names) else "en"

    # -- choosing ---------------------------------------------------------------------------

    def action_pick(self) -> None:
        from screens.journal_dialogs import PickJournal

        choices = self.choices
        if not choices:
            self.notify("There is no other journal to open.", severity="warning")
            return
        current = 0
        for index, (class_id, _c, subject_id, _s) in enumerate(choices):
            if self.choice is not None and (class_id, subject_id) == self.choice[:2]:
                current = index

        def chosen(index: int | None) -> None:
            if index is not None:
                class_id, _class, subject_id, _subject = choices[index]
                period = self.choice[2] if self.choice is not None else None
                self.open_journal(class_id, subject_id, period)

        texts = [f"{c} · {s}" for _ci, c, _si, s in choices]
        self.app.push_screen(PickJournal("Open the journal of", texts, current), chosen)

    def action_period(self, step: int) -> None:
        if self.journal is None or self.choice is None or not self.journal.periods:
            return
        ids = [p.id for p in self.journal.periods]
        index = ids.index(self.journal.period.id) if self.journal.period.id in ids else 0
        target = index + step
        if not 0 <= target < len(ids):
            self.app.bell()
            return
        self.open_journal(self.choice[0], self.choice[1], ids[target])

    def action_reload(self) -> None:
        """Read the journal again, and try sending waiting changes now."""
        if self.choice is not None:
            self.load()
        with contextlib.suppress(DiaryError):
            self.data.sync_engine().kick()

    # -- edits into the outbox ------------------------------------------------------------

    def _meta(self, pupil_id: int, lesson_id: int | None, key: str = "") -> dict[str, Any]:
        meta: dict[str, Any] = {"j": self.journal_key, "p": pupil_id, "l": lesson_id}
        if key:
            meta["k"] = key
        return meta

    def write_for(self, edit: Edit, reason: str = "") -> Write | None:
        """The outbox write that tells the server about ``edit`` (None: nothing to tell, the
        edit is about a new mark the server refused, so it never had it)."""
        assert self.model is not None and self.journal is not None
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
        if edit.op is EditOp.ADD_MARK:
            assert isinstance(edit.after, CellMark) and lesson is not None
            mark = edit.after
            return mark_create(
                key=mark.key,
                lesson_id=lesson,
                pupil_id=pupil,
                value=mark.value,
                weight=mark.weight,
                kind=mark.kind.value,
                comment=mark.comment,
                meta=self._meta(pupil, lesson, mark.key),
            )
        if edit.op is EditOp.REMOVE_MARK:
            assert isinstance(edit.before, CellMark) and lesson is not None
            mark = edit.before
            return mark_remove(
                key=mark.key,
                mark_id=mark.mark_id,
                version=mark.version,
                reason=reason,
                meta=self._meta(pupil, lesson, mark.key),
            )
        if edit.op is EditOp.CHANGE_MARK:
            assert isinstance(edit.after, CellMark) and lesson is not None
            assert isinstance(edit.before, CellMark)
            mark = edit.after
            value = getattr(mark, edit.field)
            if isinstance(value, MarkKind):
                value = value.value
            return mark_update(
                key=mark.key,
                mark_id=mark.mark_id,
                version=edit.before.version,
                changes={edit.field: value},
                reason=reason,
                meta=self._meta(pupil, lesson, mark.key),
            )
        if edit.op is EditOp.SET_ABSENCE:
            assert lesson is not None
            cell = self.model.cell(pupil, lesson)
            if edit.after is None:
                return absence_remove(
                    lesson_id=lesson,
                    pupil_id=pupil,
                    version=cell.absence_version,
                    reason=reason,
                    meta=self._meta(pupil, lesson),
                )
            assert isinstance(edit.after, AbsenceKind)
            return absence_set(
                lesson_id=lesson,
                pupil_id=pupil,
                kind=edit.after.value,
                minutes=(cell.absence_minutes or LATE_MINUTES)
                if edit.after is AbsenceKind.LATE
                else 0,
                version=cell.absence_version if edit.before is not None else None,
                reason=reason,
                meta=self._meta(pupil, lesson),
            )
        period = self.model.period_mark(pupil)
        assert edit.after is None or isinstance(edit.after, int)
        return period_mark_set(
            pupil_id=pupil,
            subject_id=self.journal.subject.id,
            period_id=self.journal.period.id,
            value=edit.after,
            version=period.version,
            reason=reason,
            meta={**self._meta(pupil, None), "per": self.journal.period.id},
        )

    def _needs_reason(self, edit: Edit) -> bool:
        """Whether the school asks for a reason: a change to a mark older than its limit."""
        if self.journal is None or edit.op not in (EditOp.CHANGE_MARK, EditOp.REMOVE_MARK):
            return False
        mark = edit.before
        if not isinstance(mark, CellMark) or mark.created_at is None:
            return False
        age = self.data.clock() - mark.created_at
        return age > dt.timedelta(days=self.journal.reason_after_days)

    @on(JournalGrid.Edited)
    def _edited(self, event: JournalGrid.Edited) -> None:
        from screens.journal_dialogs import AskText

        event.stop()
        edit = event.edit
        if self.read_only:
            self._take_back(edit)
            self.notify("This journal is read-only for you.", severity="warning")
            return
        # A new value in a cell deals with what the server refused there before.
        self._dismiss(lambda _op, pupil, lesson: (pupil, lesson) == (edit.pupil_id, edit.lesson_id))
        if self._needs_reason(edit):
            days = self.journal.reason_after_days if self.journal else 0

            def answered(reason: str | None) -> None:
                if reason is None:
                    self._take_back(edit)
                else:
                    self.enqueue(self.write_for(edit, reason))

            self.app.push_screen(
                AskText(f"This mark is older than {days} days: why is it changed?"), answered
            )
            return
        self.enqueue(self.write_for(edit))

    def _take_back(self, edit: Edit) -> None:
        """Undo an edit that will not be sent (read-only, or no reason given)."""
        grid, model = self.grid(), self.model
        if grid is None or model is None:
            return
        if grid.undo_stack and grid.undo_stack[-1] is edit:
            grid.undo_stack.pop()
        try:
            inverse = model.undo(edit)
        except ValueError:
            return
        self._restore_states(inverse)
        grid.refresh_cell(edit.pupil_id, edit.lesson_id)

    def _restore_states(self, edit: Edit) -> None:
        assert self.model is not None
        if edit.lesson_id is None:
            self.model.period_mark(edit.pupil_id).state = CellState.SAVED
            return
        cell = self.model.cell(edit.pupil_id, edit.lesson_id)
        cell.absence_state = CellState.SAVED
        for mark in cell.marks:
            if mark.state is CellState.WAITING:
                mark.state = CellState.SAVED

    def _dismiss(self, about: Callable[[str, object, object], bool]) -> None:
        """Stop showing this journal's refused or conflicting writes that ``about`` (op,
        pupil, lesson; None for the period mark) picks: the teacher has dealt with them."""
        if not self.data.state.refused:
            return  # nothing refused: no look into the store on every typed mark
        store = self.data.store
        items, dismiss = getattr(store, "items", None), getattr(store, "dismiss", None)
        if items is None or dismiss is None:
            return
        chosen = []
        for item in items(REFUSED):
            meta = decode_meta(item.meta)
            lesson = None if item.op.startswith("period") else meta.get("l")
            if meta.get("j") == self.journal_key and about(item.op, meta.get("p"), lesson):
                chosen.append(item.id)
        if chosen and store is not None:
            dismiss(chosen)
            self.data.state.refused = store.refused_count()
            self.refresh_status()

    def enqueue(self, write: Write | None) -> None:
        """Into the outbox (a local commit); the engine sends it in the background."""
        if write is None:
            return
        try:
            self.data.sync_engine().enqueue(write)
        except Exception as error:
            self.notify(f"Could not keep this change: {error}", severity="error", markup=False)
            return
        self.refresh_status()

    @on(JournalGrid.LateRequested)
    def _late(self, event: JournalGrid.LateRequested) -> None:
        from screens.journal_dialogs import AskText

        event.stop()

        def answered(text: str | None) -> None:
            grid = self.grid()
            if text is None or grid is None:
                return
            try:
                minutes = int(text)
            except ValueError:
                self.app.bell()
                self.notify(f"Minutes late is a number (1 to 240), not {text!r}.", markup=False)
                return
            grid.set_late(event.pupil_id, event.lesson_id, minutes)

        shown = str(event.minutes or LATE_MINUTES)
        self.app.push_screen(AskText("How many minutes late? (1 to 240)", shown), answered)

    @on(JournalGrid.CommentRequested)
    def _comment(self, event: JournalGrid.CommentRequested) -> None:
        from screens.journal_dialogs import AskText

        event.stop()

        def answered(text: str | None) -> None:
            grid = self.grid()
            if text is not None and grid is not None:
                grid.set_comment(event.pupil_id, event.lesson_id, event.index, text)

        self.app.push_screen(
            AskText("Comment on the mark:", event.current, required=False), answered
        )

    # -- the lesson panel -----------------------------------------------------------------

    def action_edit_lesson(self) -> None:
        if self.read_only:
            self.notify("This journal is read-only for you.", severity="warning")
            return
        self.query_one(LessonPanel).edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "change_lesson":
            me = self.data.me
            return me is not None and me.role is Role.ADMINISTRATION
        return super().check_action(action, parameters)

    def action_change_lesson(self) -> None:
        """The administration cancels or restores the focused lesson, gives it a substitute
        or another room (sent at once, not through the outbox)."""
        from screens.journal_dialogs import ChangeLesson

        grid, journal = self.grid(), self.journal
        lesson_id = grid.current_lesson_id if grid is not None else None
        if journal is None or lesson_id is None:
            self.app.bell()
            self.notify("Move to a lesson's column first.", severity="warning")
            return
        lesson = next((x for x in journal.lessons if x.id == lesson_id), None)
        if lesson is None:
            return
        title = (
            f"{journal.class_.name} · {journal.subject.name} · "
            f"{lesson.date:%a %d.%m}, lesson {lesson.number}"
        )

        def changed(result: LessonDetail | None) -> None:
            if result is None:
                return
            words = f"{journal.subject.name} on {lesson.date:%a %d.%m}: {result.status.value}"
            if result.notice:
                words += f". {result.notice}"
            self.notify(words, title="Lesson changed", timeout=8, markup=False)
            if self.choice is not None:
                self.load()

        self.app.push_screen(ChangeLesson(self.data, lesson_id, title), changed)

    @on(LessonPanel.Save)
    def _save_lesson(self, event: LessonPanel.Save) -> None:
        if self.model is None:
            return
        lesson = self.model.lesson(event.lesson_id)
        topic = event.topic.strip()
        homework = event.homework.strip()
        writes: list[Write] = []
        meta = {"j": self.journal_key, "l": lesson.id}
        if topic != lesson.topic:
            writes.append(
                topic_set(lesson_id=lesson.id, version=lesson.version, topic=topic, meta=meta)
            )
        due: dt.date | None = lesson.homework_due
        if homework or event.due.strip():
            try:
                due = parse_due(event.due, self.data.today()) if event.due.strip() else None
            except ValueError as error:
                self.app.bell()
                self.notify(str(error), severity="warning", markup=False)
                return
            if homework and due is None:
                self.app.bell()
                self.notify("Homework needs a due date (e.g. 27.11).", severity="warning")
                return
        if homework != lesson.homework_text or (homework and due != lesson.homework_due):
            writes.append(
                homework_set(
                    lesson_id=lesson.id,
                    text=homework,
                    due=due or lesson.date,
                    version=lesson.homework_version,
                    meta=meta,
                )
            )
        for write in writes:
            self.enqueue(write)
        if writes:
            self._dismiss(
                lambda op, _pupil, at: op in ("topic.set", "homework.set") and at == lesson.id
            )
            lesson.topic = topic
            lesson.homework_text = homework
            lesson.homework_due = due if homework else None
            lesson.state = CellState.WAITING
        grid = self.grid()
        if grid is not None:
            grid.focus()
        self.call_after_refresh(self._focused_changed)

    @on(LessonPanel.Done)
    def _lesson_done(self) -> None:
        grid = self.grid()
        if grid is not None:
            grid.focus()

    # -- what the server said -------------------------------------------------------------

    def _sync_event(self, event: SyncEvent) -> None:
        if not self.is_attached:
            return
        if isinstance(event, Settled):
            self._settled_count += 1
            if event.item.state == SENT:
                answer = read_answer(event.item.result)
                thing = ECHO_THINGS.get(event.item.op.split(".", 1)[0])
                if thing is not None and answer.id is not None:
                    self._echoes[(thing, answer.id)] += 1
            self._settled(event.item)
        self.refresh_status()

    def _settled(self, item: OutboxItem) -> None:
        model, grid = self.model, self.grid()
        meta = decode_meta(item.meta)
        if model is None or meta.get("j") != self.journal_key:
            return
        state = STATES.get(item.state)
        if state is None:
            return
        pupil, lesson = meta.get("p"), meta.get("l")
        answer = read_answer(item.result) if item.state == SENT else None
        reason = item.error if state is not CellState.SAVED else ""
        current = _current_value(item) if state is CellState.CONFLICT else None
        try:
            if item.op.startswith("mark."):
                assert isinstance(pupil, int) and isinstance(lesson, int)
                index = model.find_mark(pupil, lesson, str(meta.get("k", "")))
                if index is None:
                    if state is not CellState.SAVED:
                        self.load()  # a removal was refused: the mark is back (the app says why)
                    return
                model.set_state(
                    pupil,
                    lesson,
                    state,
                    index=index,
                    reason=reason,
                    theirs=getattr(current, "value", None),
                    server_id=answer.id if answer else None,
                    version=answer.version if answer else None,
                )
                if answer is not None and answer.id is not None:
                    _drop_twin(model.cell(pupil, lesson), index)
            elif item.op.startswith("absence."):
                assert isinstance(pupil, int) and isinstance(lesson, int)
                model.set_state(
                    pupil,
                    lesson,
                    state,
                    reason=reason,
                    server_id=answer.id if answer else None,
                    version=answer.version if answer else None,
                )
            elif item.op == "period_mark.set":
                assert isinstance(pupil, int)
                if self.journal is None or meta.get("per") != self.journal.period.id:
                    return
                model.set_state(
                    pupil,
                    None,
                    state,
                    reason=reason,
                    theirs=getattr(current, "value", None),
                    server_id=answer.id if answer else None,
                    version=answer.version if answer else None,
                )
            elif item.op in ("topic.set", "homework.set"):
                assert isinstance(lesson, int)
                found = model.lesson(lesson)
                found.state, found.reason = state, reason
                if answer is not None and answer.version is not None:
                    if item.op == "topic.set":
                        found.version = answer.version
                    else:
                        found.homework_version = None if answer.removed else answer.version
                self._focused_changed()
                return
            else:
                return
        except (KeyError, ValueError):
            return
        address = (pupil, lesson if not item.op.startswith("period") else None)
        assert isinstance(address[0], int)
        if state is CellState.CONFLICT:
            self.conflicts[(address[0], address[1])] = item
        else:
            self.conflicts.pop((address[0], address[1]), None)
        if state is CellState.REJECTED and item.field == "reason":
            self._ask_reason_again(item)
        if grid is not None:
            grid.refresh_cell(address[0], address[1])
        self._focused_changed()

    def _ask_reason_again(self, item: OutboxItem) -> None:
        """The server wants a reason for this change: ask, and send it again with one."""
        from screens.journal_dialogs import AskText

        def answered(reason: str | None) -> None:
            if reason is None:
                return
            body = json.loads(item.body)
            body["reason"] = reason
            self._resend(item, body)

        self.app.push_screen(AskText(f"{item.error} Why is it changed?"), answered)

    def _resend(self, item: OutboxItem, body: dict[str, Any]) -> None:
        write = Write(item.op, item.method, item.path, body, item.entity, decode_meta(item.meta))
        self.enqueue(write)
        self._dismiss_at(item)
        self._mark_waiting(item)

    def _dismiss_at(self, item: OutboxItem) -> None:
        """The refused writes at ``item``'s cell are dealt with."""
        address = self._address(item)
        self._dismiss(lambda _op, pupil, lesson: (pupil, lesson) == address)

    def _mark_waiting(self, item: OutboxItem) -> None:
        model, grid = self.model, self.grid()
        meta = decode_meta(item.meta)
        pupil, lesson = meta.get("p"), meta.get("l")
        if model is None or not isinstance(pupil, int):
            return
        try:
            if item.op.startswith("mark.") and isinstance(lesson, int):
                index = model.find_mark(pupil, lesson, str(meta.get("k", "")))
                if index is not None:
                    model.set_state(pupil, lesson, CellState.WAITING, index=index)
            elif item.op.startswith("absence.") and isinstance(lesson, int):
                model.set_state(pupil, lesson, CellState.WAITING)
            elif item.op == "period_mark.set":
                model.set_state(pupil, None, CellState.WAITING)
                lesson = None
        except (KeyError, ValueError):
            return
        if grid is not None:
            grid.refresh_cell(pupil, lesson if isinstance(lesson, int) else None)
        self._focused_changed()

    # -- conflicts ----------------------------------------------------------------------

    def _focused_conflict(self) -> OutboxItem | None:
        grid = self.grid()
        if grid is None or not grid.model.pupils:
            return None
        return self.conflicts.get((grid.current_pupil_id, grid.current_lesson_id))

    def action_keep_mine(self) -> None:
        """Send my value again, based on the version the server has now."""
        item = self._focused_conflict()
        if item is None:
            self.app.bell()
            return
        current = _current_value(item)
        body = json.loads(item.body)
        if current is not None and "version" in body:
            body["version"] = getattr(current, "version", body["version"])
            if getattr(current, "removed", False) and item.op == "absence.set":
                body["version"] = None
        del self.conflicts[self._address(item)]
        self._resend(item, body)

    def action_take_theirs(self) -> None:
        """Take the value the server has now; mine is dropped."""
        item = self._focused_conflict()
        model, grid = self.model, self.grid()
        if item is None or model is None or grid is None:
            self.app.bell()
            return
        current = _current_value(item)
        meta = decode_meta(item.meta)
        pupil, lesson = meta.get("p"), meta.get("l")
        assert isinstance(pupil, int)
        if isinstance(current, JournalMark) and isinstance(lesson, int):
            cell = model.cell(pupil, lesson)
            index = model.find_mark(pupil, lesson, str(meta.get("k", "")))
            if index is not None:
                if current.removed:
                    cell.marks.pop(index)
                else:
                    mark = cell.marks[index]
                    mark.value, mark.weight = current.value, current.weight
                    mark.kind, mark.comment = current.kind, current.comment
                    mark.version, mark.mark_id = current.version, current.id
                    mark.state, mark.reason, mark.theirs = CellState.SAVED, "", None
        elif isinstance(current, JournalAbsence) and isinstance(lesson, int):
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
            self.load()
        del self.conflicts[self._address(item)]
        self._dismiss_at(item)
        grid.refresh_cell(pupil, lesson if isinstance(lesson, int) else None)
        self._focused_changed()

    @staticmethod
    def _address(item: OutboxItem) -> tuple[int, int | None]:
        meta = decode_meta(item.meta)
        lesson = None if item.op.startswith("period") else meta.get("l")
        return int(meta["p"]), lesson

    # -- the line under the grid ----------------------------------------------------------

    @on(JournalGrid.CellFocused)
    def _cell_focused(self, event: JournalGrid.CellFocused) -> None:
        self._focused_changed()

    def _focused_changed(self) -> None:
        grid, model = self.grid(), self.model
        if grid is None or model is None or not model.pupils:
            return
        lesson_id = grid.current_lesson_id
        lesson = model.lesson(lesson_id) if lesson_id is not None else None
        self.query_one(LessonPanel).show(lesson)
        self.query_one("#journal-info", Static).update(
            self.cell_info(grid.current_pupil_id, lesson_id)
        )

    def cell_info(self, pupil_id: int, lesson_id: int | None) -> Content:
        """The focused cell in words: whose, which lesson, its marks and where they stand."""
        assert self.model is not None
        pupil = next(p for p in self.model.pupils if p.id == pupil_id)
        parts: list[Content] = [Content(pupil.display_name)]
        if lesson_id is None:
            period = self.model.period_marks.get(pupil_id)
            suggestion = self.model.suggested_period_mark(pupil_id)
            parts.append(Content("period mark"))
            if period is not None and period.value is not None:
                parts.append(Content(str(period.value)))
            elif suggestion is not None:
                parts.append(Content(f"suggested {suggestion}"))
            parts.extend(_state_words(period.state if period else None, period))
            return Content(" · ").join(parts)
        lesson = self.model.lesson(lesson_id)
        parts.append(Content(f"{lesson.date:%d.%m}"))
        cell = self.model.peek(pupil_id, lesson_id)
        if cell is not None:
            for mark in cell.marks:
                text = f"{mark.value}"
                if mark.weight != 1:
                    text += f"×{mark.weight}"
                text += f" {mark.kind.value}"
                if mark.comment:
                    text += f" “{mark.comment}”"
                parts.append(Content(text))
                parts.extend(_state_words(mark.state, mark))
            if cell.absence is not None or cell.absence_state is not CellState.SAVED:
                words = cell.absence.value if cell.absence else "present"
                if cell.absence is AbsenceKind.LATE and cell.absence_minutes:
                    words += f" {cell.absence_minutes} min"
                parts.append(Content(words))
                if cell.absence_state is not CellState.SAVED:
                    parts.append(
                        Content.styled(
                            f"{cell.absence_state.value} {cell.absence_reason}".strip(),
                            "$text-warning",
                        )
                    )
        if lesson.state is not CellState.SAVED:
            parts.append(
                Content.styled(f"lesson {lesson.state.value} {lesson.reason}".strip(), "dim")
            )
        return Content(" · ").join(parts)


def _state_words(state: CellState | None, thing: CellMark | PeriodMarkCell | None) -> list[Content]:
    if state is None or state is CellState.SAVED or thing is None:
        return []
    if state is CellState.WAITING:
        return [Content.styled("waiting", "dim")]
    if state is CellState.REJECTED:
        return [Content.styled(f"refused: {thing.reason}", "$text-error")]
    return [
        Content.styled(
            f"changed elsewhere to {thing.theirs}: M keep mine, T take theirs", "$text-warning"
        )
    ]


def _drop_twin(cell: Cell, index: int) -> None:
    """A mark that was already on the server when the app restarted shows once, not twice."""
    mark_id = cell.marks[index].mark_id
    for other, mark in enumerate(cell.marks):
        if other != index and mark.mark_id == mark_id:
            cell.marks.pop(other)
            return
