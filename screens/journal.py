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

import asyncio
import contextlib
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from api_client import endpoints, names
from api_client.i18n import N_, _, day_label, day_month, ngettext
from api_client.models import (
    LATE_MINUTES_MAX,
    LESSON_KIND_WEIGHTS,
    MARK_WEIGHT_MAX,
    ChangeItem,
    Journal,
    LessonDetail,
    LessonKind,
    Role,
)
from diary_tui import journal_sync, journal_words
from diary_tui.data import DiaryData, DiaryError, describe_error
from diary_tui.journal_model import (
    LATE_MINUTES,
    CellState,
    Choice,
    Edit,
    JournalModel,
    journal_choices,
    model_from_journal,
)
from diary_tui.journal_sync import Address
from diary_tui.keys import with_keys
from diary_tui.outbox_ops import AttachmentUploadOp, Op
from diary_tui.store import REFUSED, SENT, WAITING, OutboxItem
from diary_tui.sync import Settled, SyncEvent
from diary_tui.ui import period_label
from diary_tui.widgets import KeyFooter, NavBar, StatusLine
from screens.base import DiaryScreen
from screens.journal_grid import JournalGrid
from screens.journal_panels import LessonPanel, attachment_path_problem, parse_due


class JournalScreen(DiaryScreen):
    TITLE = N_("Journal")
    NAME = "journal"
    HELP = N_("""
The class journal. Pupils are rows, lessons are columns; the last two columns are the weighted
average and the period mark (a grey number is the suggested mark: Enter takes it).
{journal.today} goes to today's lesson.

Type a mark (it moves down, like a spreadsheet; a second one adds to the cell);
{journal.replace} then a mark replaces the cell's last one. {journal.absent} absent,
{journal.ill} ill, {journal.excused} excused, {journal.late} late (5 minutes;
{journal.late_minutes} asks how many). {journal.remove:all} removes; {journal.weight} then a
digit sets the weight; {journal.kind} changes the kind; {journal.comment} comments;
{journal.repeat} repeats the last value; {journal.undo} takes back your last change. A lesson in
the future, a cancelled one or one outside a pupil's time in the class takes no mark: the line
under the grid says why.

{journal.lesson_kind} makes the lesson a test (a quiz, a dictation, ...): every new mark of its
column is then of that kind and weight, and its date carries the kind's letter.
{journal.edit_lesson} writes the lesson's topic and homework (Enter or {lesson.save} saves, Esc
cancels), {journal.attach} attaches a file to the homework. {journal.pick} picks another class
or subject, {journal.prev_period} and {journal.next_period} the period. The school
administration reads every journal; {journal.change_lesson} on a lesson's column cancels or
restores it, gives it a substitute teacher or another room (sent at once: it needs a
connection). {journal.year} picks the school year: a closed year's journal is read only by
teachers and corrected by the administration alone, giving a reason, asked before the first
change and sent with every change ({journal.reason} changes it; the audit log keeps it).

Every change is saved on this computer at once and sent to the server in the background: ·
waiting, ! refused (the reason shows below the grid; {journal.discard} discards it after
asking), ? changed elsewhere: {journal.keep_mine} keeps yours, {journal.take_theirs} takes
theirs. Nothing is lost when the connection drops; the status line says how many changes wait;
{journal.reload} reads the journal again and sends at once.
""")

    DEFAULT_CSS = """
    JournalScreen #journal-title { height: 1; padding: 0 1; background: $boost; }
    JournalScreen #journal-info { height: 1; padding: 0 1; color: $text-muted; }
    JournalScreen #journal-empty { height: 1fr; padding: 1 2; }
    """

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="journal.help", show=False),
        Binding("v", "pick", N_("Class"), id="journal.pick"),
        Binding("left_square_bracket", "period(-1)", N_("Prev period"), id="journal.prev_period"),
        Binding("right_square_bracket", "period(1)", N_("Next period"), id="journal.next_period"),
        Binding("e", "edit_lesson", N_("Topic"), id="journal.edit_lesson"),
        Binding("ctrl+t", "lesson_kind", N_("Test"), id="journal.lesson_kind"),
        Binding("x", "change_lesson", N_("Change lesson"), id="journal.change_lesson"),
        Binding("f", "attach", N_("Attach file"), id="journal.attach"),
        Binding("M", "keep_mine", N_("Keep mine"), id="journal.keep_mine", show=False),
        Binding("T", "take_theirs", N_("Take theirs"), id="journal.take_theirs", show=False),
        Binding("D", "discard", N_("Discard refused"), id="journal.discard", show=False),
        Binding("ctrl+r", "reload", N_("Reload and send now"), id="journal.reload", show=False),
        Binding("y", "year", N_("Year"), id="journal.year"),
        Binding("R", "correction_reason", N_("Reason"), id="journal.reason"),
    ]

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.journal: Journal | None = None
        self.model: JournalModel | None = None
        self.choice: tuple[int, int, int | None, int | None] | None = None
        """The journal open: class, subject, period and group ids."""
        """Class id, subject id, period id (None: the server's current period)."""
        self.conflicts: dict[Address, OutboxItem] = {}
        self._stop_listening: Any = None
        self._grid: JournalGrid | None = None
        self.choices: list[Choice] = []
        """The journals on offer: (class id, class, subject id, subject)."""
        self._settled_count = 0
        self.correction_reason = ""
        """The administration's reason for correcting this closed year's journal, asked once
        before the first change of a visit and sent with every change (R changes it)."""
        self.year_id: int | None = None
        """The academic year whose journals the administration picks from (None: today's)."""
        self._echoes: Counter[tuple[str, int]] = Counter()
        """Our own saved writes whose change has not come back from the feed yet: (thing,
        id). Their echo is not news; the same teacher's change on another computer is."""
        """How many of our changes the server has answered (a reload started before one
        was saved asks again)."""

    # -- layout ---------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        yield Static(Content(_("Journal")), id="journal-title")
        yield Static(Content(_("Opening the journal…")), id="journal-empty")
        yield Static(Content(""), id="journal-info")
        yield LessonPanel()
        yield StatusLine()
        yield KeyFooter()

    @property
    def reads_school(self) -> bool:
        """The administration: it opens any class's journal (and writes none while the year
        is open)."""
        me = self.data.me
        return me is not None and me.role is not Role.TEACHER

    @property
    def correcting(self) -> bool:
        """The administration in a closed year's journal: every change needs a reason."""
        me, journal = self.data.me, self.journal
        return (
            me is not None
            and me.role is Role.ADMINISTRATION
            and journal is not None
            and journal.year_closed
        )

    @property
    def read_only(self) -> bool:
        if self.journal is not None and self.journal.year_closed:
            return not self.correcting
        return self.reads_school

    def read_only_words(self) -> str:
        """Why the journal takes no change from this user, in words."""
        journal = self.journal
        if journal is not None and journal.year_closed:
            return _(
                "The year {year} is closed: its journal can only be read. The administration "
                "corrects it, giving a reason."
            ).format(year=journal.year)
        return _("This journal is read-only for you.")

    @property
    def journal_key(self) -> str:
        if self.choice is None:
            return ""
        return journal_sync.journal_key(self.choice[0], self.choice[1])

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
        if self.reads_school:
            self.load_school_journals()
            return
        self.choices = journal_choices(me)
        self._open_remembered_or_first()

    def _open_remembered_or_first(self) -> None:
        choices = self.choices
        remembered = self.data.remembered("journal.last")
        if remembered:
            try:
                class_id, subject_id, period_id, *rest = json.loads(remembered)
                group_id = rest[0] if rest else None
            except (ValueError, TypeError):
                class_id = subject_id = period_id = group_id = None
            if any(c[0] == class_id and c[2] == subject_id and c[4] == group_id for c in choices):
                self.open_journal(class_id, subject_id, period_id, group_id)
                return
        if choices:
            self.open_journal(choices[0][0], choices[0][2], None, choices[0][4])
        elif self.reads_school:
            self._empty(_("The school has no class with marks yet: there is no journal to read."))
        else:
            self._empty(_("You teach no class here: there is no journal to open."))

    @work(exclusive=True, group="journal-list", exit_on_error=False)
    async def load_school_journals(self, period_id: int | None = None) -> None:
        """Administration reads any class's journal: the classes and subjects with marks (of
        today's year, or of the year holding ``period_id``: a closed year is corrected so)."""
        wanted = endpoints.school_stats(period_id)
        stats = self.data.cached(wanted)
        if stats is None:
            stats = await self.data.load(wanted)
        ordered = sorted(stats.classes, key=lambda c: (c.class_.grade, c.class_.letter))
        self.choices = [
            (c.class_.id, c.class_.name, row.subject.id, row.subject.name, None)
            for c in ordered
            for row in sorted(c.subjects, key=lambda r: r.subject.name)
        ]
        self._open_remembered_or_first()

    def worker_failed(self, error: BaseException) -> bool:
        if self._grid is None:
            self._empty(
                _("The journal could not be opened: {why}").format(why=describe_error(error))
            )
        return False

    def _empty(self, text: str) -> None:
        self.query_one("#journal-empty", Static).update(Content(text))

    def open_journal(
        self, class_id: int, subject_id: int, period_id: int | None, group_id: int | None = None
    ) -> None:
        if self.choice is None or self.choice[:2] != (class_id, subject_id):
            self.correction_reason = ""  # a reason is given for one journal's corrections
        self.choice = (class_id, subject_id, period_id, group_id)
        self.conflicts.clear()
        cached = self.data.cached(endpoints.journal(class_id, subject_id, period_id, group_id))
        if cached is not None:
            self.show_journal(cached)
        self.load()

    @work(exclusive=True, group="journal", exit_on_error=False)
    async def load(self) -> None:
        assert self.choice is not None
        class_id, subject_id, period_id, group_id = self.choice
        for _attempt in range(3):
            settled = self._settled_count
            journal = await self.data.load(
                endpoints.journal(class_id, subject_id, period_id, group_id)
            )
            if self.choice != (class_id, subject_id, period_id, group_id):
                return
            if settled == self._settled_count:
                break
            # A change of ours was saved while the journal was on its way: that copy may
            # predate it (the cell would show the old value until the next refresh).
        if period_id is None:
            self.choice = (class_id, subject_id, journal.period.id, group_id)
        self.data.remember_setting(
            "journal.last", json.dumps([class_id, subject_id, journal.period.id, group_id])
        )
        if journal != self.journal:
            self.show_journal(journal)
        self.refresh_status()

    # -- live changes ---------------------------------------------------------------------

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        """Whether someone else (or this teacher on another computer) changed this journal
        (``journal_sync.touched``); the echoes of our own writes are used up here."""
        if self.journal is None:
            return False
        me = self.data.me
        return journal_sync.touched(
            self.journal, changes, me.id if me is not None else None, self._echoes
        )

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
        if store is not None:
            self.conflicts = journal_sync.apply_outbox(
                model, self.journal_key, store.items((WAITING, *REFUSED)), journal.period.id
            )
        if same and self.model is not None:
            model.keep_unsettled(self.model)
        self.model = model
        self.query_one("#journal-title", Static).update(
            Content.assemble(
                (
                    f"{journal.class_.name} · {journal.subject.name}"
                    + (f" ({journal.group.name})" if journal.group else ""),
                    "bold",
                ),
                f" · {period_label(journal.period)} ({day_month(journal.period.start, short=True)}"
                f" – {day_month(journal.period.end, short=True)})",
                (
                    "  "
                    + _("{year} is closed: corrections only with a reason").format(
                        year=journal.year
                    )
                    if self.correcting
                    else "  " + _("{year} is closed: read-only").format(year=journal.year)
                    if journal.year_closed
                    else "  "
                    + _("{pick} class · {period} period · {today} today · {topic} topic").format(
                        pick=self.key_of("journal.pick"),
                        period=self.key_of("journal.prev_period")
                        + " "
                        + self.key_of("journal.next_period"),
                        today=self.key_of("journal.today"),
                        topic=self.key_of("journal.edit_lesson"),
                    )
                    if not self.read_only
                    else "  "
                    + _("read-only · {change} changes a lesson").format(
                        change=self.key_of("journal.change_lesson")
                    )
                    if self.check_action("change_lesson", ())
                    else "  " + _("read-only"),
                    "dim",
                ),
            )
        )
        if same and old is not None:
            old.read_only = self.read_only
            old.replace_model(model)
            self.call_after_refresh(self._focused_changed)
            return
        grid = JournalGrid(model, today=self.data.today())
        grid.read_only = self.read_only
        empty = self.query("#journal-empty")
        if old is not None:
            old.remove()
        self._grid = grid
        self.mount(grid, after=self.query_one("#journal-title"))
        empty.set(display=False)
        grid.focus()
        self.call_after_refresh(self._focused_changed)
        self.call_after_refresh(self.refresh_nav)  # the grid's keys are not the bar's

    def _same(self, journal: Journal) -> bool:
        assert self.journal is not None
        return (
            journal.class_.id == self.journal.class_.id
            and journal.subject.id == self.journal.subject.id
            and journal.group == self.journal.group
            and journal.period.id == self.journal.period.id
        )

    # -- choosing ---------------------------------------------------------------------------

    def action_pick(self) -> None:
        from screens.journal_dialogs import PickJournal

        choices = self.choices
        if not choices:
            self.notify(_("There is no other journal to open."), severity="warning", markup=False)
            return
        current = 0
        for index, (class_id, _c, subject_id, _s, group_id) in enumerate(choices):
            if self.choice is not None and (class_id, subject_id, group_id) == (
                self.choice[0],
                self.choice[1],
                self.choice[3],
            ):
                current = index

        def chosen(index: int | None) -> None:
            if index is not None:
                class_id, _class, subject_id, _subject, group_id = choices[index]
                period = self.choice[2] if self.choice is not None else None
                self.open_journal(class_id, subject_id, period, group_id)

        texts = [f"{c} · {s}" for _ci, c, _si, s, _g in choices]
        self.app.push_screen(
            PickJournal(_("Open the journal of"), texts, current, filtering=True), chosen
        )

    def action_period(self, step: int) -> None:
        if self.journal is None or self.choice is None or not self.journal.periods:
            return
        ids = [p.id for p in self.journal.periods]
        index = ids.index(self.journal.period.id) if self.journal.period.id in ids else 0
        target = index + step
        if not 0 <= target < len(ids):
            self.app.bell()
            return
        self.open_journal(self.choice[0], self.choice[1], ids[target], self.choice[3])

    def action_reload(self) -> None:
        """Read the journal again, and try sending waiting changes now."""
        if self.choice is not None:
            self.load()
        with contextlib.suppress(DiaryError):
            self.data.sync_engine().kick()

    # -- edits into the outbox ------------------------------------------------------------

    def write_for(self, edit: Edit, reason: str = "") -> Op | None:
        """The outbox write that tells the server about ``edit`` (None: nothing to tell)."""
        assert self.model is not None and self.journal is not None
        return journal_sync.write_for(self.model, self.journal, edit, reason)

    def _needs_reason(self, edit: Edit) -> bool:
        """Whether the school asks for a reason: a change to a mark older than its limit."""
        if self.journal is None:
            return False
        return journal_words.needs_reason(edit, self.journal.reason_after_days, self.data.clock())

    @on(JournalGrid.Edited)
    def _edited(self, event: JournalGrid.Edited) -> None:
        from screens.dialogs.ask import AskText

        event.stop()
        edit = event.edit
        # The line under the grid says what the cell holds now (Delete, w, K and = change
        # the cell without moving the cursor).
        self.call_after_refresh(self._focused_changed)
        if self.read_only:
            self._take_back(edit)
            self.notify(self.read_only_words(), severity="warning", markup=False)
            return
        if self.correcting:
            self._dismiss(
                lambda _w, pupil, lesson: (pupil, lesson) == (edit.pupil_id, edit.lesson_id)
            )
            self.with_correction_reason(
                lambda: self.enqueue(self.write_for(edit)), lambda: self._take_back(edit)
            )
            return
        # A new value in a cell deals with what the server refused there before.
        self._dismiss(lambda _w, pupil, lesson: (pupil, lesson) == (edit.pupil_id, edit.lesson_id))
        if self._needs_reason(edit):
            days = self.journal.reason_after_days if self.journal else 0

            def answered(reason: str | None) -> None:
                if reason is None:
                    self._take_back(edit)
                else:
                    self.enqueue(self.write_for(edit, reason))

            self.app.push_screen(
                AskText(
                    ngettext(
                        "This mark is older than {days} day: why is it changed?",
                        "This mark is older than {days} days: why is it changed?",
                        days,
                    ).format(days=days)
                ),
                answered,
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

    def _dismiss(self, about: Callable[[Op, int | None, int | None], bool]) -> None:
        """Stop showing this journal's refused or conflicting writes that ``about`` (the
        write, pupil, lesson; None for the period mark) picks: the teacher dealt with them."""
        store = self.data.store
        if not self.data.state.refused or store is None:
            return  # nothing refused: no look into the store on every typed mark
        chosen = journal_sync.refused_here(store.items(REFUSED), self.journal_key, about)
        if chosen:
            store.dismiss(chosen)
            self.data.state.refused = store.refused_count()
            self.refresh_status()

    # -- the administration's corrections of a closed year --------------------------------

    def with_correction_reason(
        self, then: Callable[[], None], cancelled: Callable[[], None] | None = None
    ) -> None:
        """Run ``then`` once the reason for correcting this closed year is known: asked once
        per visit of a journal, before its first change is sent (Esc: ``cancelled``, nothing
        is sent). Outside a correction, ``then`` at once."""
        if not self.correcting or self.correction_reason:
            then()
            return

        def answered(reason: str | None) -> None:
            if reason is None:
                if cancelled is not None:
                    cancelled()
                self.notify(
                    _("Nothing was sent: a correction of a closed year needs a reason."),
                    severity="warning",
                    markup=False,
                )
                return
            self.correction_reason = reason
            self.refresh_status()
            then()

        self.ask_correction_reason(answered)

    def ask_correction_reason(self, answered: Callable[[str | None], None]) -> None:
        from screens.dialogs.ask import AskText

        year = self.journal.year if self.journal is not None else ""
        self.app.push_screen(
            AskText(
                _(
                    "The year {year} is closed. Why is its journal corrected? The reason is "
                    "sent with every change of this visit and kept in the audit log."
                ).format(year=year),
                self.correction_reason,
                label=_("Reason for the correction"),
                name="correction-reason",
            ),
            answered,
        )

    def action_correction_reason(self) -> None:
        """R: give or change the reason sent with the next corrections."""
        if not self.correcting:
            return

        def answered(reason: str | None) -> None:
            if reason is not None:
                self.correction_reason = reason
                self.refresh_status()

        self.ask_correction_reason(answered)

    def refresh_status(self, note: str = "") -> None:
        if self.correcting and not note:
            note = (
                _("reason: {reason} ({key} changes it)").format(
                    reason=self.correction_reason, key=self.key_of("journal.reason")
                )
                if self.correction_reason
                else _("corrections need a reason")
            )
        super().refresh_status(note)

    def action_year(self) -> None:
        """y: the administration picks the academic year whose journals it opens (a closed
        year is corrected giving a reason)."""
        self.load_years()

    @work(exclusive=True, group="journal-years", exit_on_error=False)
    async def load_years(self) -> None:
        from screens.journal_dialogs import PickJournal

        years = [y for y in (await self.data.load(endpoints.setup_years())).years if y.periods]
        if not years:
            self.notify(_("The school has no year with periods."), markup=False)
            return
        shown = self.journal.periods if self.journal is not None else []
        current = next(
            (i for i, y in enumerate(years) if any(p.id == q.id for p in y.periods for q in shown)),
            0,
        )
        texts = [_("{year} (closed)").format(year=y.name) if y.closed else y.name for y in years]

        def chosen(index: int | None) -> None:
            if index is None or index == current:
                return
            year = years[index]
            self.year_id = year.id
            self.choice = None
            self.load_school_journals(year.periods[-1].id)

        self.app.push_screen(
            PickJournal(_("Open the journals of the year"), texts, current), chosen
        )

    def enqueue(self, write: Op | None) -> None:
        """Into the outbox (a local commit); the engine sends it in the background. In a
        correction of a closed year every write carries the reason given."""
        if write is None:
            return
        if (
            self.correcting
            and self.correction_reason
            and write.takes_reason
            and not write.given_reason
        ):
            write = write.with_reason(self.correction_reason)
        try:
            self.data.sync_engine().enqueue(write)
        except Exception as error:
            self.notify(
                _("Could not keep this change: {error}").format(error=error),
                severity="error",
                markup=False,
            )
            return
        self.refresh_status()

    @on(JournalGrid.LateRequested)
    def _late(self, event: JournalGrid.LateRequested) -> None:
        from screens.dialogs.ask import AskText

        event.stop()

        def answered(text: str | None) -> None:
            grid = self.grid()
            if text is None or grid is None:
                return
            try:
                minutes = int(text)
            except ValueError:
                self.app.bell()
                self.notify(
                    _("Minutes late is a number (1 to {most}), not {text}.").format(
                        most=LATE_MINUTES_MAX, text=text
                    ),
                    markup=False,
                )
                return
            grid.set_late(event.pupil_id, event.lesson_id, minutes)

        shown = str(event.minutes or LATE_MINUTES)
        question = _("How many minutes late? (1 to {most})").format(most=LATE_MINUTES_MAX)
        self.app.push_screen(AskText(question, shown), answered)

    @on(JournalGrid.CommentRequested)
    def _comment(self, event: JournalGrid.CommentRequested) -> None:
        from screens.dialogs.ask import AskText

        event.stop()

        def answered(text: str | None) -> None:
            grid = self.grid()
            if text is not None and grid is not None:
                grid.set_comment(event.pupil_id, event.lesson_id, event.index, text)

        self.app.push_screen(
            AskText(_("Comment on the mark:"), event.current, required=False), answered
        )

    # -- the lesson panel -----------------------------------------------------------------

    def action_edit_lesson(self) -> None:
        if self.read_only:
            self.notify(self.read_only_words(), severity="warning", markup=False)
            return
        self.query_one(LessonPanel).edit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "change_lesson":
            me = self.data.me
            return me is not None and me.role is Role.ADMINISTRATION
        if action == "year":
            return self.reads_school
        if action == "correction_reason":
            return self.correcting
        if action in (
            "edit_lesson",
            "lesson_kind",
            "attach",
            "keep_mine",
            "take_theirs",
            "discard",
        ):
            return not self.read_only  # False: not listed, the key falls to the screen's
        return super().check_action(action, parameters)

    # -- homework files ---------------------------------------------------------------------

    def _file_settled(self, item: OutboxItem) -> None:
        """A file sent: the journal is read again to show it; refused: the server's reason
        (the size limit, the allowed types) is said, and the write stays among the refused."""
        name = getattr(item.write, "name", "")
        if item.state == SENT:
            self.notify(_("{name} attached.").format(name=name), markup=False, timeout=4)
            self.load()
        elif item.state in REFUSED:
            self.notify(
                _("{name} was not attached: {reason}").format(name=name, reason=item.error),
                severity="error",
                markup=False,
                timeout=12,
            )
            self._focused_changed()

    def waiting_files(self, lesson_id: int | None) -> list[str]:
        """The names of files attached to this lesson's homework here, not yet sent."""

        if lesson_id is None or self.data.store is None:
            return []
        return [
            item.write.name
            for item in self.data.store.items((WAITING,))
            if isinstance(item.write, AttachmentUploadOp) and item.write.lesson_id == lesson_id
        ]

    def action_attach(self, path: str = "") -> None:
        """Attach a file from this computer to the focused lesson's homework: its path is
        asked for (a missing file is said in the dialog, which stays open); the file's bytes
        go into the outbox at once and are sent when the server can be reached."""
        from screens.dialogs.ask import AskText

        grid, model = self.grid(), self.model
        lesson_id = grid.current_lesson_id if grid is not None else None
        if model is None or lesson_id is None:
            self.app.bell()
            self.notify(_("Move to a lesson's column first."), severity="warning", markup=False)
            return
        if self.read_only:
            self.notify(self.read_only_words(), severity="warning", markup=False)
            return
        lesson = model.lesson(lesson_id)
        if not lesson.homework_text:
            self.app.bell()
            self.notify(
                with_keys(
                    self,
                    _("Write the homework first ({journal.edit_lesson}), then attach files to it."),
                ),
                severity="warning",
                markup=False,
            )
            return

        def chosen(answer: str | None) -> None:
            if answer:
                self.data.remember_setting("attach_folder", str(Path(answer).expanduser().parent))
                self.read_attachment(lesson_id, answer)

        folder = self.data.remembered("attach_folder") or "~"
        start = path or (folder.rstrip("/") + "/")
        question = _("Attach a file to the homework of {day}, lesson {number}").format(
            day=day_month(lesson.date), number=lesson.number
        )
        self.app.push_screen(
            AskText(
                question,
                start,
                label=_("The file's path on this computer"),
                hint=_("Enter attaches · Esc cancels · PDF, office files, text, images"),
                name="attach",
                binding_id="journal.attach.cancel",
                frame="primary",
                compact=True,
                check=attachment_path_problem,
            ),
            chosen,
        )

    @work(group="attach", exit_on_error=False)
    async def read_attachment(self, lesson_id: int, typed: str) -> None:
        from diary_tui.outbox_ops import JournalPlace

        path = await asyncio.to_thread(lambda: Path(typed).expanduser())
        try:
            content = await asyncio.to_thread(path.read_bytes)
        except OSError as error:
            self.notify(
                _("Could not read {path}: {error}").format(path=path, error=error.strerror),
                severity="error",
                markup=False,
            )
            self.action_attach(typed)  # the dialog again, with the path as typed
            return
        if self.choice is None:
            return
        place = JournalPlace(journal=self.journal_key, lesson=lesson_id)
        write = AttachmentUploadOp(
            lesson_id=lesson_id, name=path.name, content=content, place=place
        )
        if self.correcting and not self.correction_reason:
            self.with_correction_reason(lambda: self._keep_file(write))
            return
        self._keep_file(write)

    def _keep_file(self, write: AttachmentUploadOp) -> None:
        path = Path(write.name)
        self.enqueue(write)
        self.notify(
            _("{name} is kept on this computer and sent with the homework.").format(name=path.name),
            markup=False,
            timeout=5,
        )
        self._focused_changed()  # the lesson panel lists the file as waiting to be sent

    def action_lesson_kind(self) -> None:
        """Make the focused lesson a test (a quiz, ...) or an ordinary lesson: every new mark
        of its column then has that kind and weight."""
        from screens.journal_dialogs import PickJournal

        grid, model = self.grid(), self.model
        lesson_id = grid.current_lesson_id if grid is not None else None
        if grid is None or model is None or lesson_id is None:
            self.app.bell()
            self.notify(_("Move to a lesson's column first."), severity="warning", markup=False)
            return
        lesson = model.lesson(lesson_id)
        kinds = list(LessonKind)
        texts = [
            _("{kind} · weight {weight}").format(
                kind=journal_words.lesson_kind_name(kind), weight=LESSON_KIND_WEIGHTS[kind]
            )
            for kind in kinds
        ]
        title = _("The lesson of {day} is").format(day=day_month(lesson.date))

        def chosen(index: int | None) -> None:
            if index is None:
                return
            kind = kinds[index]
            if kind is LessonKind.LESSON:
                self._set_lesson_kind(lesson_id, kind, 1)
                return
            self._ask_lesson_weight(lesson_id, kind)

        self.app.push_screen(PickJournal(title, texts, kinds.index(lesson.kind)), chosen)

    def _ask_lesson_weight(self, lesson_id: int, kind: LessonKind) -> None:
        from screens.dialogs.ask import AskText

        def answered(text: str | None) -> None:
            if text is None:
                return
            try:
                weight = int(text)
                if not 1 <= weight <= MARK_WEIGHT_MAX:
                    raise ValueError
            except ValueError:
                self.app.bell()
                self.notify(
                    _("A weight is a number from 1 to {most}, not {text}.").format(
                        most=MARK_WEIGHT_MAX, text=text
                    ),
                    severity="warning",
                    markup=False,
                )
                return
            self._set_lesson_kind(lesson_id, kind, weight)

        question = _("{kind}: the weight of its marks (1 to {most})").format(
            kind=journal_words.lesson_kind_name(kind), most=MARK_WEIGHT_MAX
        )
        self.app.push_screen(AskText(question, str(LESSON_KIND_WEIGHTS[kind])), answered)

    def _set_lesson_kind(self, lesson_id: int, kind: LessonKind, weight: int) -> None:
        if self.correcting and not self.correction_reason:
            self.with_correction_reason(lambda: self._set_lesson_kind(lesson_id, kind, weight))
            return
        model, grid = self.model, self.grid()
        if model is None or grid is None:
            return
        write = journal_sync.lesson_kind_write(model, self.journal_key, lesson_id, kind, weight)
        if write is None:
            return
        self._dismiss(lambda w, _pupil, at: w.kind == "lesson_kind" and at == lesson_id)
        self.enqueue(write)
        grid.refresh_headers()
        self._focused_changed()

    @on(JournalGrid.ReadOnlyTyped)
    def _read_only_typed(self, event: JournalGrid.ReadOnlyTyped) -> None:
        event.stop()
        self.app.bell()
        self.notify(self.read_only_words(), severity="warning", markup=False)

    @on(JournalGrid.Awaiting)
    def _awaiting(self, event: JournalGrid.Awaiting) -> None:
        """Say on screen that the grid waits for a digit (after ``w`` or ``=``)."""
        event.stop()
        if event.prompt is None:
            self._focused_changed()
        else:
            self.query_one("#journal-info", Static).update(
                Content.styled(event.prompt, "bold $text-accent")
            )

    @on(JournalGrid.KindChanged)
    def _kind_changed(self, event: JournalGrid.KindChanged) -> None:
        event.stop()
        self._focused_changed()

    def action_change_lesson(self) -> None:
        """The administration cancels or restores the focused lesson, gives it a substitute
        or another room (sent at once, not through the outbox)."""
        from screens.journal_dialogs import ChangeLesson

        grid, journal = self.grid(), self.journal
        lesson_id = grid.current_lesson_id if grid is not None else None
        if journal is None or lesson_id is None:
            self.app.bell()
            self.notify(_("Move to a lesson's column first."), severity="warning", markup=False)
            return
        lesson = next((x for x in journal.lessons if x.id == lesson_id), None)
        if lesson is None:
            return
        title = f"{journal.class_.name} · {journal.subject.name} · " + _(
            "{day}, lesson {number}"
        ).format(day=day_label(lesson.date), number=lesson.number)

        def changed(result: LessonDetail | None) -> None:
            if result is None:
                return
            words = _("{subject} on {day}: {status}").format(
                subject=journal.subject.name,
                day=day_label(lesson.date),
                status=names.lesson_status(result.status),
            )
            if result.notice:
                words += f". {result.notice}"
            self.notify(words, title=_("Lesson changed"), timeout=8, markup=False)
            if self.choice is not None:
                self.load()

        self.app.push_screen(ChangeLesson(self.data, lesson_id, title), changed)

    @on(LessonPanel.Save)
    def _save_lesson(self, event: LessonPanel.Save) -> None:
        if self.model is None:
            return
        if self.correcting and not self.correction_reason:
            # The panel keeps what was typed while the reason is asked (Esc: nothing sent).
            self.with_correction_reason(lambda: self._save_lesson(event))
            return
        lesson = self.model.lesson(event.lesson_id)
        topic = event.topic.strip()
        homework = event.homework.strip()
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
                self.notify(
                    _("Homework needs a due date (e.g. 27.11)."), severity="warning", markup=False
                )
                return
        writes = journal_sync.lesson_writes(
            self.model, self.journal_key, lesson.id, topic, homework, due
        )
        for write in writes:
            self.enqueue(write)
        if writes:
            self._dismiss(
                lambda write, _pupil, at: write.kind in ("topic", "homework") and at == lesson.id
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
            echo = journal_sync.echo_of(event.item) if event.item.state == SENT else None
            if echo is not None:
                self._echoes[echo] += 1
            self._settled(event.item)
        self.refresh_status()

    def _settled(self, item: OutboxItem) -> None:
        model = self.model
        if model is None:
            return
        if item.op == "attachment.upload":
            self._file_settled(item)
            return
        period = self.journal.period.id if self.journal is not None else None
        outcome = journal_sync.settle(model, self.journal_key, period, item)
        if outcome is None:
            return
        if outcome.reload:
            self.load()
            return
        if outcome.address is not None:
            if outcome.state is CellState.CONFLICT:
                self.conflicts[outcome.address] = item
            else:
                self.conflicts.pop(outcome.address, None)
            if outcome.state is CellState.REJECTED and item.field == "reason":
                self._ask_reason_again(item)
            self._refresh_cell(outcome.address)
        self._focused_changed()

    def _refresh_cell(self, address: Address) -> None:
        grid = self.grid()
        if grid is not None:
            grid.refresh_cell(*address)

    def _ask_reason_again(self, item: OutboxItem) -> None:
        """The server wants a reason for this change: ask, and send it again with one."""
        from screens.dialogs.ask import AskText

        def answered(reason: str | None) -> None:
            if reason is not None:
                self._resend(item, journal_sync.with_reason(item, reason))

        self.app.push_screen(
            AskText(_("{reason} Why is it changed?").format(reason=item.error)), answered
        )

    def _resend(self, item: OutboxItem, write: Op) -> None:
        self.enqueue(write)
        self._dismiss_at(item)
        if self.model is not None:
            address = journal_sync.mark_waiting(self.model, item)
            if address is not None:
                self._refresh_cell(address)
        self._focused_changed()

    def _dismiss_at(self, item: OutboxItem) -> None:
        """The refused writes at ``item``'s cell are dealt with."""
        address = journal_sync.address_of(item)
        self._dismiss(lambda _write, pupil, lesson: (pupil, lesson) == address)

    # -- refused writes the teacher lets go ------------------------------------------------

    def refused_at_cursor(self) -> list[OutboxItem]:
        """The refused or conflicting writes shown at the cursor: the cell's (a mark, an
        absence, the period mark), else the focused lesson's topic and homework."""
        grid, store = self.grid(), self.data.store
        if grid is None or store is None or not grid.model.pupils:
            return []
        pupil, lesson = grid.current_pupil_id, grid.current_lesson_id
        items = store.items(REFUSED)
        ids = journal_sync.refused_here(
            items, self.journal_key, lambda _w, p, at: (p, at) == (pupil, lesson)
        )
        if not ids and lesson is not None:
            ids = journal_sync.refused_here(
                items, self.journal_key, lambda _w, p, at: p is None and at == lesson
            )
        return [item for item in items if item.id in ids]

    def action_discard(self) -> None:
        """Let go of what the server refused here, after asking: the journal shows again what
        the server holds. A refused write is never dropped without the teacher's word."""
        from screens.dialogs.confirm import ConfirmScreen

        chosen = self.refused_at_cursor()
        if not chosen:
            self.app.bell()
            self.notify(_("Nothing refused here to discard."), severity="warning", markup=False)
            return
        lines = [
            _("{what} refused: {reason}").format(
                what=journal_words.write_name(item.write.kind), reason=item.error
            )
            for item in chosen
        ]
        question = Content("\n").join(
            [
                *(Content(line) for line in lines),
                Content(_("Discard it? The journal shows what the server holds.")),
            ]
        )

        def answered(yes: bool | None) -> None:
            store = self.data.store
            if not yes or store is None:
                return
            store.dismiss([item.id for item in chosen])
            self.data.state.refused = store.refused_count()
            for item in chosen:
                address = journal_sync.address_of(item)
                if address is not None:
                    self.conflicts.pop(address, None)
            self.refresh_status()
            if self.journal is not None:
                self.model = None  # nothing of the refused writes is kept on screen
                self.show_journal(self.journal)
            self.load()

        self.app.push_screen(ConfirmScreen(question), answered)

    # -- conflicts ----------------------------------------------------------------------

    def _focused_conflict(self) -> OutboxItem | None:
        grid = self.grid()
        if grid is None or not grid.model.pupils:
            return None
        return self.conflicts.get((grid.current_pupil_id, grid.current_lesson_id))

    def action_keep_mine(self) -> None:
        """Send my value again, based on the version the server has now."""
        item = self._focused_conflict()
        address = journal_sync.address_of(item) if item is not None else None
        if item is None or address is None:
            self.app.bell()
            return
        del self.conflicts[address]
        self._resend(item, journal_sync.keep_mine(item))

    def action_take_theirs(self) -> None:
        """Take the value the server has now; mine is dropped."""
        item = self._focused_conflict()
        model = self.model
        address = journal_sync.address_of(item) if item is not None else None
        if item is None or model is None or address is None:
            self.app.bell()
            return
        if journal_sync.take_theirs(model, item) is None:
            self.load()
        del self.conflicts[address]
        self._dismiss_at(item)
        self._refresh_cell(address)
        self._focused_changed()

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
        self.query_one(LessonPanel).show(lesson, self.waiting_files(lesson_id))
        self.query_one("#journal-info", Static).update(
            self.cell_info(grid.current_pupil_id, lesson_id)
        )

    def cell_info(self, pupil_id: int, lesson_id: int | None) -> Content:
        """The focused cell in words: whose, which lesson, its marks and where they stand."""
        assert self.model is not None
        pieces = journal_words.cell_words(
            self.model, pupil_id, lesson_id, self.data.today(), self.key_of
        )
        return Content(" · ").join(Content.styled(text, style) for text, style in pieces)
