"""The class journal grid: pupils as rows, lessons as columns, marks typed at keyboard speed.

A Line API widget (``ScrollView``): it paints only the lines it is asked for, and a keystroke
marks dirty only the cells it changed, so a keystroke repaints one or two cells and a row's
summary, not the table. The pupil column is frozen on the left, the average and period mark
are frozen on the right, the date header is frozen on top.

Keys (every binding has an id, so users can remap them):

==================  =====================  ==================================================
key                 id                     what it does
==================  =====================  ==================================================
arrows, h j k l     journal.left/down/...  move
home / end          journal.first/last     first lesson / period-mark column
digit               (typed)                add that mark and move down (on the period-mark
                                           column: set the period mark). On a scale above 9
                                           the digits of ``10`` are typed in a row.
enter               journal.enter          move down; on the period-mark column, accept the
                                           suggested mark first when none is set
tab / shift+tab     journal.next/previous  move right / left
n                   journal.absent         absent (unexcused); pressed again, clears it
b                   journal.ill            absent, ill
u                   journal.excused        absent for a good reason
o                   journal.late           late
delete, backspace   journal.remove         remove the cell's last mark (or its absence)
w then a digit      journal.weight         weight (1 to 5) of the cell's last mark
K                   journal.kind           next kind of the cell's last mark
c                   journal.comment        ask for a comment (posts ``CommentRequested``)
ctrl+z              journal.undo           take back this session's edits, newest first
r or "              journal.repeat         repeat the last value here and move down
==================  =====================  ==================================================

The grid changes its ``JournalModel`` and posts ``JournalGrid.Edited`` for each change; it
never does I/O. Text from the server (names) is painted as plain text, never as markup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from api_client.grading import format_average
from api_client.i18n import N_, _, decimal, pgettext, using
from api_client.models import MARK_WEIGHT_MAX, AbsenceKind, LessonKind, LessonStatus, MarkKind
from diary_tui.journal_model import Cell, CellMark, CellState, Edit, JournalModel

CELL_WIDTH = 7
"""One lesson column: a space, five characters of marks, one for the sync sign."""
AVERAGE_WIDTH = 6
PERIOD_WIDTH = 5
NUMBER_WIDTH = 3
NAME_MIN, NAME_MAX = 10, 24
DIGIT_WAIT = 0.8
"""Seconds to wait for a second digit on a scale above 9."""

SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
COMMENT_SIGN = "*"
STATE_SIGN = {
    CellState.SAVED: " ",
    CellState.WAITING: "·",
    CellState.REJECTED: "!",
    CellState.CONFLICT: "?",
}


@dataclass(frozen=True)
class GridLabels:
    absence: dict[AbsenceKind, str]
    pupil: str
    average: str
    period: str
    kind: dict[LessonKind, str]
    """One letter a test (a quiz, ...) column's date carries."""


def grid_labels(lang: str | None = None) -> GridLabels:
    """Absence letters, column titles and lesson kinds' letters in the interface's language
    (``lang``, else the one in force): Russian journals write ``н`` for absent."""
    with using(lang) if lang else contextlib.nullcontext():
        return GridLabels(
            absence={
                AbsenceKind.UNEXCUSED: pgettext("absence letter", "A"),
                AbsenceKind.ILLNESS: pgettext("absence letter", "I"),
                AbsenceKind.EXCUSED: pgettext("absence letter", "E"),
                AbsenceKind.LATE: pgettext("absence letter", "L"),
            },
            pupil=pgettext("journal column", "Pupil"),
            average=pgettext("journal column", "Avg"),
            period=pgettext("journal column", "Term"),
            kind={
                LessonKind.LESSON: "",
                LessonKind.TEST: pgettext("lesson kind letter", "T"),
                LessonKind.QUIZ: pgettext("lesson kind letter", "Q"),
                LessonKind.DICTATION: pgettext("lesson kind letter", "D"),
                LessonKind.LAB: pgettext("lesson kind letter", "L"),
                LessonKind.ESSAY: pgettext("lesson kind letter", "E"),
            },
        )


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    if right:
        return " " * (width - cell_len(text)) + text
    return set_cell_size(text, width)


def mark_text(value: int, weight: int) -> str:
    """``4`` for a mark of weight 1, ``4²`` for weight 2."""
    return str(value) if weight == 1 else f"{value}{str(weight).translate(SUPERSCRIPT)}"


def cell_text(cell: Cell | None, labels: GridLabels) -> tuple[str, str]:
    """The text of a journal cell (``CELL_WIDTH - 1`` cells) and its sync sign."""
    if cell is None or (cell.is_empty and cell.state is CellState.SAVED):
        return " " * (CELL_WIDTH - 1), " "
    parts: list[str] = []
    if cell.absence is not None:
        parts.append(labels.absence[cell.absence])
    parts.extend(mark_text(m.value, m.weight) for m in cell.marks)
    body = " ".join(parts)
    if cell.has_comment:
        body += COMMENT_SIGN
    return " " + fit(body, CELL_WIDTH - 2), STATE_SIGN[cell.state]


class GridMessage(Message):
    """A message from the journal grid to its screen; its ``control`` is the grid (what
    ``@on`` selectors match)."""

    def __init__(self, grid: JournalGrid) -> None:
        super().__init__()
        self.grid = grid

    @property
    def control(self) -> JournalGrid:
        return self.grid


class JournalGrid(ScrollView, can_focus=True):
    """A class journal: marks, absences and the period mark, edited from the keyboard."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor_up", N_("Up"), id="journal.up", show=False),
        Binding("down,j", "cursor_down", N_("Down"), id="journal.down", show=False),
        Binding("left,h", "cursor_left", N_("Left"), id="journal.left", show=False),
        Binding("right,l", "cursor_right", N_("Right"), id="journal.right", show=False),
        Binding("home", "first_column", N_("First lesson"), id="journal.first", show=False),
        Binding("end", "last_column", N_("Period mark"), id="journal.last", show=False),
        Binding("t", "today", N_("Today"), id="journal.today"),
        Binding("enter", "enter", N_("Down"), id="journal.enter", show=False),
        Binding("tab", "next_column", N_("Right"), id="journal.next", show=False),
        Binding("shift+tab", "previous_column", N_("Left"), id="journal.previous", show=False),
        Binding("n", "absence('unexcused')", N_("Absent"), id="journal.absent"),
        Binding("b", "absence('illness')", N_("Ill"), id="journal.ill"),
        Binding("u", "absence('excused')", N_("Excused"), id="journal.excused", show=False),
        Binding("o", "absence('late')", N_("Late"), id="journal.late"),
        Binding("O", "late_minutes", N_("Late, minutes"), id="journal.late_minutes", show=False),
        Binding("delete,backspace", "remove", N_("Remove"), id="journal.remove"),
        Binding("equals_sign", "replace", N_("Replace"), id="journal.replace"),
        Binding("w", "weight", N_("Weight"), id="journal.weight"),
        Binding("K", "cycle_kind", N_("Kind"), id="journal.kind"),
        Binding("c", "comment", N_("Comment"), id="journal.comment"),
        Binding("ctrl+z", "undo", N_("Undo"), id="journal.undo"),
        Binding("r,quotation_mark", "repeat", N_("Repeat"), id="journal.repeat"),
    ]

    EDIT_ACTIONS: ClassVar[frozenset[str]] = frozenset(
        {
            "absence",
            "late_minutes",
            "remove",
            "replace",
            "weight",
            "cycle_kind",
            "comment",
            "undo",
            "repeat",
        }
    )
    """The actions that change the journal: not offered on a read-only one."""

    COMPONENT_CLASSES = {
        "journal-grid--header",
        "journal-grid--fixed",
        "journal-grid--cursor",
        "journal-grid--waiting",
        "journal-grid--rejected",
        "journal-grid--conflict",
        "journal-grid--suggested",
        "journal-grid--absence",
        "journal-grid--cancelled",
        "journal-grid--test",
    }

    DEFAULT_CSS = """
    JournalGrid {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .journal-grid--header { background: $panel; color: $foreground; text-style: bold; }
        & > .journal-grid--fixed { background: $panel; color: $foreground; }
        & > .journal-grid--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .journal-grid--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .journal-grid--waiting { color: $text-muted; }
        &:nocolor > .journal-grid--cursor { text-style: reverse bold; }
        & > .journal-grid--rejected { color: $text-error; text-style: bold; }
        & > .journal-grid--conflict { color: $text-warning; text-style: bold; }
        & > .journal-grid--suggested { color: $text-muted; text-style: dim; }
        & > .journal-grid--absence { color: $text-warning; }
        & > .journal-grid--cancelled { color: $text-muted; text-style: strike; }
        & > .journal-grid--test { color: $text-warning; text-style: bold underline; }
    }
    """

    class Edited(GridMessage):
        """The grid changed the model; the screen sends ``edit`` to the outbox."""

        def __init__(self, grid: JournalGrid, edit: Edit) -> None:
            super().__init__(grid)
            self.edit = edit

    class CellFocused(GridMessage):
        """The cursor moved; ``lesson_id`` is None on the period-mark column."""

        def __init__(self, grid: JournalGrid, pupil_id: int, lesson_id: int | None) -> None:
            super().__init__(grid)
            self.pupil_id = pupil_id
            self.lesson_id = lesson_id

    class LateRequested(GridMessage):
        """The teacher asked to say how many minutes late: the screen asks and calls
        ``JournalGrid.set_late`` with the answer."""

        def __init__(self, grid: JournalGrid, pupil_id: int, lesson_id: int, minutes: int) -> None:
            super().__init__(grid)
            self.pupil_id = pupil_id
            self.lesson_id = lesson_id
            self.minutes = minutes

    class CommentRequested(GridMessage):
        """The teacher asked to comment the cell's last mark: the screen shows an input and
        calls ``JournalGrid.set_comment`` with the answer."""

        def __init__(
            self, grid: JournalGrid, pupil_id: int, lesson_id: int, index: int, current: str
        ) -> None:
            super().__init__(grid)
            self.pupil_id = pupil_id
            self.lesson_id = lesson_id
            self.index = index
            self.current = current

    class KindChanged(Message):
        """``K`` gave the cell's last mark another kind: the screen says which."""

        def __init__(self, grid: JournalGrid, kind: MarkKind) -> None:
            super().__init__()
            self.grid = grid
            self.kind = kind

    class ReadOnlyTyped(Message):
        """A mark was typed into a read-only grid: the screen says why it takes none."""

    class Awaiting(GridMessage):
        """The grid waits for a digit (``prompt`` says for what), or no longer (None)."""

        def __init__(self, grid: JournalGrid, prompt: str | None) -> None:
            super().__init__(grid)
            self.prompt = prompt

    def __init__(
        self,
        model: JournalModel,
        *,
        today: dt.date,
        lang: str | None = None,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.model = model
        self.labels = grid_labels(lang)
        with using(lang) if lang else contextlib.nullcontext():
            self._point = decimal(0.5, 1)[1]
            """The decimal point of the language (``3,45`` in Russian), read once."""
        self.today = today  # the school's today, from the data layer
        self.undo_stack: list[Edit] = []
        self.row = 0
        self.col = self._opening_column(today)
        self.read_only = False
        """A journal the user reads only: keys that edit are not offered, a digit moves
        nothing."""
        self._digits = ""
        self._digit_timer: Timer | None = None
        self._awaiting: str | None = None
        """``weight`` or ``replace`` while the grid waits for the digit that follows."""
        self._replacing = False
        self._last_input: int | AbsenceKind | None = None
        self._lesson_index = {lesson.id: i for i, lesson in enumerate(model.lessons)}
        self._pupil_index = {pupil.id: i for i, pupil in enumerate(model.pupils)}
        self._headers = self._header_texts()
        self._measure()

    def replace_model(self, model: JournalModel) -> None:
        """Show a fresh copy of the same journal (a live change, a reload) in place.

        The cursor stays on the same pupil and lesson, and the undo stack, a half-typed
        mark and a pending weight key are kept: the teacher can go on typing.
        """
        pupil_id = self.current_pupil_id if self.model.pupils else None
        lesson_id = self.current_lesson_id if self.model.pupils else None
        on_period = self.col >= self.period_column
        self.model = model
        self._lesson_index = {lesson.id: i for i, lesson in enumerate(model.lessons)}
        self._pupil_index = {pupil.id: i for i, pupil in enumerate(model.pupils)}
        self._headers = self._header_texts()
        self._measure()
        if pupil_id is not None and pupil_id in self._pupil_index:
            self.row = self._pupil_index[pupil_id]
        if on_period:
            self.col = self.period_column
        elif lesson_id is not None and lesson_id in self._lesson_index:
            self.col = self._lesson_index[lesson_id]
        self.row = max(0, min(len(model.pupils) - 1, self.row))
        self.col = max(0, min(self.period_column, self.col))
        self.refresh()
        self._scroll_to_cursor()

    # --- geometry ----------------------------------------------------------------------

    def _measure(self) -> None:
        longest = max((cell_len(p.display_name) for p in self.model.pupils), default=0)
        longest = max(longest, cell_len(self.labels.pupil))
        self.name_width = max(NAME_MIN, min(NAME_MAX, longest + 1))
        self.left_width = NUMBER_WIDTH + self.name_width + 1
        self.right_width = 1 + AVERAGE_WIDTH + PERIOD_WIDTH
        self.virtual_size = Size(
            self.left_width + len(self.model.lessons) * CELL_WIDTH + self.right_width,
            1 + len(self.model.pupils),
        )

    @property
    def period_column(self) -> int:
        """The column index of the period mark (after the last lesson)."""
        return len(self.model.lessons)

    @property
    def _view(self) -> Size:
        return self.scrollable_content_region.size

    @property
    def _middle_width(self) -> int:
        return max(0, self._view.width - self.left_width - self.right_width)

    def _opening_column(self, today: dt.date) -> int:
        past = [i for i, lesson in enumerate(self.model.lessons) if lesson.date <= today]
        if past:
            return past[-1]
        return 0 if self.model.lessons else self.period_column

    def _header_texts(self) -> list[str]:
        """Each lesson's date; a second lesson of a day has its bell number, a test (a quiz,
        ...) its kind's letter."""
        dates = [lesson.date for lesson in self.model.lessons]
        texts = []
        for lesson in self.model.lessons:
            text = f"{lesson.date:%d.%m}"
            letter = self.labels.kind[lesson.kind]
            if letter:
                text += letter
            elif lesson.number and dates.count(lesson.date) > 1:
                text += str(lesson.number).translate(SUPERSCRIPT)
            texts.append(" " + fit(text, CELL_WIDTH - 1))
        return texts

    def refresh_headers(self) -> None:
        """Paint the header again (a lesson's kind changed)."""
        self._headers = self._header_texts()
        self.refresh()

    def _cell_region(self, row: int, col: int) -> Region | None:
        """Where the cell is on the widget now, or None when it is scrolled out of view."""
        view = self._view
        y = 1 + row - round(self.scroll_y)
        if not 1 <= y < view.height:
            return None
        if col >= self.period_column:
            x = view.width - PERIOD_WIDTH
            return Region(x, y, PERIOD_WIDTH, 1)
        middle = Region(self.left_width, y, self._middle_width, 1)
        x = self.left_width + col * CELL_WIDTH - round(self.scroll_x)
        region = Region(x, y, CELL_WIDTH, 1).intersection(middle)
        return region if region.area else None

    def _summary_region(self, row: int) -> Region | None:
        view = self._view
        y = 1 + row - round(self.scroll_y)
        if not 1 <= y < view.height:
            return None
        return Region(view.width - self.right_width, y, self.right_width, 1)

    def refresh_cell(self, pupil_id: int, lesson_id: int | None) -> None:
        """Repaint one cell and the pupil's summary (after the sync engine changed a state)."""
        row = self._pupil_index[pupil_id]
        col = self.period_column if lesson_id is None else self._lesson_index[lesson_id]
        self._refresh_cell(row, col, summary=True)

    def _refresh_cell(self, row: int, col: int, *, summary: bool = False) -> None:
        regions = [self._cell_region(row, col)]
        if summary:
            regions.append(self._summary_region(row))
        found = [r for r in regions if r is not None]
        if found:
            self.refresh(*found)

    # --- painting ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        view = self._view
        if y == 0:
            strip = self._header_line()
        else:
            row = round(self.scroll_y) + y - 1
            if row >= len(self.model.pupils):
                return Strip.blank(view.width, self.rich_style)
            strip = self._pupil_line(row)
        return strip.adjust_cell_length(view.width, self.rich_style)

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"journal-grid--{name}")

    def _compose_line(
        self, left: list[Segment], middle: list[Segment], first: int, right: list[Segment]
    ) -> Strip:
        """Left + the visible part of the middle (which starts at lesson ``first``) + right."""
        offset = round(self.scroll_x) - first * CELL_WIDTH
        width = self._middle_width
        middle_strip = Strip(middle).crop(offset, offset + width)
        middle_strip = middle_strip.adjust_cell_length(width, self.rich_style)
        return Strip([*left, *middle_strip, *right])

    def _visible_columns(self) -> range:
        scroll_x = round(self.scroll_x)
        first = scroll_x // CELL_WIDTH
        last = (scroll_x + self._middle_width - 1) // CELL_WIDTH
        return range(first, min(len(self.model.lessons), last + 1))

    def _header_line(self) -> Strip:
        base = self.rich_style
        header = base + self._style("header")
        title = fit(" №", NUMBER_WIDTH) + fit(self.labels.pupil, self.name_width)
        left = [Segment(title + "│", header)]
        columns = self._visible_columns()
        test = header + self._style("test")
        middle = [
            Segment(
                self._headers[i],
                test if self.model.lessons[i].kind is not LessonKind.LESSON else header,
            )
            for i in columns
        ]
        average = fit(self.labels.average, AVERAGE_WIDTH - 1, right=True)
        period = fit(self.labels.period, PERIOD_WIDTH - 1, right=True)
        right = [Segment(f"│{average} {period} ", header)]
        return self._compose_line(left, middle, columns.start, right)

    def _pupil_line(self, row: int) -> Strip:
        base = self.rich_style
        fixed = base + self._style("fixed")
        cursor = base + self._style("cursor")
        focused_here = row == self.row
        pupil = self.model.pupils[row]
        number = fit(str(pupil.number), NUMBER_WIDTH - 1, right=True)
        name = fit(pupil.display_name, self.name_width)
        left = [Segment(f"{number} {name}│", fixed)]
        columns = self._visible_columns()
        middle: list[Segment] = []
        for col in columns:
            lesson = self.model.lessons[col]
            cell = self.model.peek(pupil.id, lesson.id)
            text, sign = cell_text(cell, self.labels)
            if focused_here and col == self.col:
                style = cursor
            elif lesson.status is LessonStatus.CANCELLED:
                style = base + self._style("cancelled")
            elif cell is not None and cell.absence is not None and not cell.marks:
                style = base + self._style("absence")
            else:
                style = base
            sign_style = self._sign_style(cell, style)
            if middle and middle[-1].style == style:
                # Fewer, longer segments: fewer escape sequences sent to the terminal.
                text = middle.pop().text + text
            if sign_style == style:
                middle.append(Segment(text + sign, style))
            else:
                middle.append(Segment(text, style))
                middle.append(Segment(sign, sign_style))
        right = [Segment("│", fixed), *self._summary_segments(row, base, cursor)]
        right = list(Strip(right).simplify())
        return self._compose_line(left, middle, columns.start, right)

    def _sign_style(self, cell: Cell | None, style: Style) -> Style:
        if cell is None:
            return style
        state = cell.state
        if state is CellState.SAVED:
            return style
        return style + self._style(state.value)

    def _summary_segments(self, row: int, base: Style, cursor: Style) -> list[Segment]:
        pupil_id = self.model.pupils[row].id
        average = self.model.average(pupil_id)
        text = format_average(average).replace(".", self._point)
        segments = [Segment(fit(text, AVERAGE_WIDTH - 1, right=True) + " ")]
        segments[0] = Segment(segments[0].text, base)
        period = self.model.period_marks.get(pupil_id)
        on_cursor = row == self.row and self.col == self.period_column
        style = cursor if on_cursor else base
        if period is not None and period.value is not None:
            text = fit(str(period.value), PERIOD_WIDTH - 2, right=True)
            sign = STATE_SIGN[period.state]
            sign_style = (
                style
                if period.state is CellState.SAVED
                else style + self._style(period.state.value)
            )
            segments.append(Segment(text, style + Style(bold=True)))
            segments.append(Segment(sign, sign_style))
            segments.append(Segment(" ", style))
        else:
            suggestion = self.model.suggested_period_mark(pupil_id)
            text = "" if suggestion is None else str(suggestion)
            suggested = style if on_cursor else style + self._style("suggested")
            segments.append(Segment(fit(text, PERIOD_WIDTH - 2, right=True), suggested))
            segments.append(Segment("  ", style))
        return segments

    # --- cursor --------------------------------------------------------------------------

    @property
    def current_pupil_id(self) -> int:
        return self.model.pupils[self.row].id

    @property
    def current_lesson_id(self) -> int | None:
        """The focused lesson, or None on the period-mark column."""
        if self.col >= self.period_column:
            return None
        return self.model.lessons[self.col].id

    def move_to(self, row: int, col: int) -> None:
        """Put the cursor on a cell (clamped to the grid) and scroll it into view."""
        if not self.model.pupils:
            return
        row = max(0, min(len(self.model.pupils) - 1, row))
        col = max(0, min(self.period_column, col))
        if (row, col) == (self.row, self.col):
            return
        old = (self.row, self.col)
        self.row, self.col = row, col
        if not self._scroll_to_cursor():
            self._refresh_cell(*old)
            self._refresh_cell(row, col)
        self.post_message(self.CellFocused(self, self.current_pupil_id, self.current_lesson_id))

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor shows; True when the view moved (and so repaints)."""
        view = self._view
        scroll_x, scroll_y = round(self.scroll_x), round(self.scroll_y)
        new_x, new_y = scroll_x, scroll_y
        rows = max(1, view.height - 1)
        if self.row < scroll_y:
            new_y = self.row
        elif self.row >= scroll_y + rows:
            new_y = self.row - rows + 1
        if self.col < self.period_column:
            left = self.col * CELL_WIDTH
            width = self._middle_width
            if left < scroll_x:
                new_x = left
            elif left + CELL_WIDTH > scroll_x + width:
                # Whole columns at the left edge: scroll by column widths.
                new_x = -(-(left + CELL_WIDTH - width) // CELL_WIDTH) * CELL_WIDTH
        if (new_x, new_y) == (scroll_x, scroll_y):
            return False
        self.scroll_to(new_x, new_y, animate=False)
        return True

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_cursor)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.move_to(self.row - 1, self.col)

    def action_cursor_down(self) -> None:
        self.move_to(self.row + 1, self.col)

    def action_cursor_left(self) -> None:
        self.move_to(self.row, self.col - 1)

    def action_cursor_right(self) -> None:
        self.move_to(self.row, self.col + 1)

    def action_next_column(self) -> None:
        self.action_cursor_right()

    def action_previous_column(self) -> None:
        self.action_cursor_left()

    def action_first_column(self) -> None:
        self.move_to(self.row, 0)

    def action_last_column(self) -> None:
        self.move_to(self.row, self.period_column)

    # --- editing -------------------------------------------------------------------------

    def _apply(self, edit_of: Edit | None) -> None:
        """Record an edit the model made: undo stack, repaint, message."""
        if edit_of is None:
            return
        self.undo_stack.append(edit_of)
        self._after_edit(edit_of)

    def _after_edit(self, edit: Edit) -> None:
        row = self._pupil_index[edit.pupil_id]
        col = self.period_column if edit.lesson_id is None else self._lesson_index[edit.lesson_id]
        self._refresh_cell(row, col, summary=True)
        self.post_message(self.Edited(self, edit))

    def _refuse(self, error: ValueError) -> None:
        self.app.bell()
        self.notify(str(error), severity="warning", markup=False)

    def refusal(self) -> str | None:
        """Why the focused lesson takes no mark nor absence for the focused pupil."""
        lesson_id = self.current_lesson_id
        if lesson_id is None or not self.model.pupils:
            return None
        return self.model.refusal(self.current_pupil_id, lesson_id, self.today)

    def _refused_here(self) -> bool:
        """Refuse at once, with the reason, what the server would refuse for this lesson."""
        reason = self.refusal()
        if reason is not None:
            self._refuse(ValueError(reason))
            return True
        return False

    def enter_value(self, value: int) -> None:
        """Type a mark value into the focused cell and move down (what a digit key does;
        after ``=`` it replaces the cell's last mark)."""
        replacing, self._replacing = self._replacing, False
        if self._refused_here():
            return
        try:
            if self.current_lesson_id is None:
                edit = self.model.set_period_mark(self.current_pupil_id, value)
            elif replacing:
                edit = self.model.replace_value(
                    self.current_pupil_id, self.current_lesson_id, value
                )
            else:
                edit = self.model.set_mark(self.current_pupil_id, self.current_lesson_id, value)
        except ValueError as error:
            self._refuse(error)
            return
        self._last_input = value
        self._apply(edit)
        self.move_to(self.row + 1, self.col)

    def set_comment(self, pupil_id: int, lesson_id: int, index: int, text: str) -> None:
        """Comment a mark (the screen calls this with the teacher's answer)."""
        try:
            edit = self.model.set_comment(pupil_id, lesson_id, text, index)
        except ValueError as error:
            self._refuse(error)
            return
        self._apply(edit)

    async def on_key(self, event: events.Key) -> None:
        if self._awaiting is not None:
            awaiting = self._awaiting
            self._await(None)
            if event.character is not None and event.character.isdigit():
                event.stop()
                event.prevent_default()
                if awaiting == "weight":
                    self._set_weight(int(event.character))
                else:
                    self._replacing = True
                    self._type_digit(event.character)
                return
            if event.key == "escape":
                event.stop()
                event.prevent_default()
                return
        character = event.character
        if character is not None and len(character) == 1 and character.isdigit():
            event.stop()
            event.prevent_default()
            if self.read_only:
                self.post_message(self.ReadOnlyTyped())
            else:
                self._type_digit(character)
            return
        if self._digits:
            # A pending "1" on a scale above 9: the next key ends the number. Enter only ends
            # it (the mark already moves the cursor down); other keys then do their own work.
            self._commit_digits()
            if event.key == "enter":
                event.stop()
                event.prevent_default()
                return
        await self._run_own_binding(event)

    def _await(self, what: str | None) -> None:
        """Wait for a digit (``weight``, ``replace``) or no longer (None), and say so."""
        self._awaiting = what
        prompt = None
        if what == "weight":
            prompt = _("Weight: type a digit, 1 to {most} (Esc: leave it)").format(
                most=MARK_WEIGHT_MAX
            )
        elif what == "replace":
            low, high = self.model.scale
            prompt = _("Replace the last mark: type the new one, {low} to {high} (Esc: no)").format(
                low=low, high=high
            )
        self.post_message(self.Awaiting(self, prompt))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A read-only journal does not list its edit keys, and such a key means what the
        # screen says it means (False, unlike None, lets the key fall through).
        return not (self.read_only and action in self.EDIT_ACTIONS)

    async def _run_own_binding(self, event: events.Key) -> None:
        """Run the grid's own binding for this key here, in the order the keys came.

        Left to the app, a binding runs only after the key has bubbled up to it, and a digit
        typed right after (``w`` then ``3``, fast) would be handled first.
        """
        for namespace, bindings in self.screen._modal_binding_chain:
            if namespace is not self:
                continue
            for binding in bindings.key_to_bindings.get(event.key, ()):
                action = binding.action.split("(", 1)[0]
                if not binding.priority and self.check_action(action, ()):
                    event.stop()
                    event.prevent_default()
                    await self.run_action(binding.action)
                    return
            return

    def _type_digit(self, digit: str) -> None:
        digits = self._digits + digit
        high = self.model.scale[1]
        value = int(digits)
        if value * 10 <= high and len(digits) < len(str(high)):
            # A longer mark (10, 11, 12) may follow: wait for the next digit.
            self._digits = digits
            if self._digit_timer is not None:
                self._digit_timer.stop()
            self._digit_timer = self.set_timer(DIGIT_WAIT, self._commit_digits)
            return
        self._digits = ""
        self.enter_value(value)

    def _commit_digits(self) -> None:
        if self._digit_timer is not None:
            self._digit_timer.stop()
            self._digit_timer = None
        digits, self._digits = self._digits, ""
        if digits:
            self.enter_value(int(digits))

    def action_enter(self) -> None:
        pupil_id = self.current_pupil_id
        if self.current_lesson_id is None:
            period = self.model.period_marks.get(pupil_id)
            suggestion = self.model.suggested_period_mark(pupil_id)
            if (period is None or period.value is None) and suggestion is not None:
                self._apply(self.model.set_period_mark(pupil_id, suggestion))
        self.move_to(self.row + 1, self.col)

    def action_absence(self, kind: str) -> None:
        lesson_id = self.current_lesson_id
        if lesson_id is None or self._refused_here():
            return
        wanted = AbsenceKind(kind)
        current = self.model.cell(self.current_pupil_id, lesson_id).absence
        new = None if current is wanted else wanted
        self._apply(self.model.set_absence(self.current_pupil_id, lesson_id, new))
        self._last_input = new
        self.move_to(self.row + 1, self.col)

    def action_late_minutes(self) -> None:
        lesson_id = self.current_lesson_id
        if lesson_id is None or self._refused_here():
            return
        cell = self.model.cell(self.current_pupil_id, lesson_id)
        minutes = cell.absence_minutes if cell.absence is AbsenceKind.LATE else 0
        self.post_message(self.LateRequested(self, self.current_pupil_id, lesson_id, minutes))

    def set_late(self, pupil_id: int, lesson_id: int, minutes: int) -> None:
        """Record the pupil ``minutes`` late (the screen calls this with the answer)."""
        try:
            edit = self.model.set_absence(pupil_id, lesson_id, AbsenceKind.LATE, minutes)
        except ValueError as error:
            self._refuse(error)
            return
        self._last_input = AbsenceKind.LATE
        self._apply(edit)
        if (pupil_id, lesson_id) == (self.current_pupil_id, self.current_lesson_id):
            self.move_to(self.row + 1, self.col)

    def action_remove(self) -> None:
        pupil_id, lesson_id = self.current_pupil_id, self.current_lesson_id
        if lesson_id is None:
            period = self.model.period_marks.get(pupil_id)
            if period is not None and period.value is not None:
                self._apply(self.model.set_period_mark(pupil_id, None))
            return
        cell = self.model.cell(pupil_id, lesson_id)
        if cell.marks:
            self._apply(self.model.remove_mark(pupil_id, lesson_id))
        elif cell.absence is not None:
            self._apply(self.model.set_absence(pupil_id, lesson_id, None))

    def action_weight(self) -> None:
        if self._last_mark_of_cell() is None:
            self._refuse(ValueError(_("there is no mark here to give a weight")))
            return
        self._await("weight")

    def action_replace(self) -> None:
        """The next mark typed replaces the cell's last mark instead of adding one."""
        if self.current_lesson_id is None:
            self._refuse(ValueError(_("the period mark is replaced by typing it")))
            return
        self._await("replace")

    def action_today(self) -> None:
        """To today's lesson (or the last one before today), on the same pupil."""
        self.move_to(self.row, self._opening_column(self.today))

    def _set_weight(self, weight: int) -> None:
        lesson_id = self.current_lesson_id
        if lesson_id is None:
            return
        try:
            edit = self.model.set_weight(self.current_pupil_id, lesson_id, weight)
        except ValueError as error:
            self._refuse(error)
            return
        self._apply(edit)

    def _last_mark_of_cell(self) -> int | None:
        lesson_id = self.current_lesson_id
        if lesson_id is None:
            return None
        cell = self.model.peek(self.current_pupil_id, lesson_id)
        if cell is None or not cell.marks:
            return None
        return len(cell.marks) - 1

    def action_cycle_kind(self) -> None:
        lesson_id = self.current_lesson_id
        if lesson_id is None or self._last_mark_of_cell() is None:
            self._refuse(ValueError(_("there is no mark here to change its kind")))
            return
        edit = self.model.cycle_kind(self.current_pupil_id, lesson_id)
        self._apply(edit)
        assert isinstance(edit.after, CellMark)
        self.post_message(self.KindChanged(self, edit.after.kind))

    def action_comment(self) -> None:
        index = self._last_mark_of_cell()
        lesson_id = self.current_lesson_id
        if index is None or lesson_id is None:
            self._refuse(ValueError(_("there is no mark here to comment")))
            return
        mark = self.model.cell(self.current_pupil_id, lesson_id).marks[index]
        self.post_message(
            self.CommentRequested(self, self.current_pupil_id, lesson_id, index, mark.comment)
        )

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.app.bell()
            return
        edit = self.undo_stack.pop()
        try:
            inverse = self.model.undo(edit)
        except ValueError as error:
            self._refuse(error)
            return
        row = self._pupil_index[edit.pupil_id]
        col = self.period_column if edit.lesson_id is None else self._lesson_index[edit.lesson_id]
        self._after_edit(inverse)
        self.move_to(row, col)

    def action_repeat(self) -> None:
        last = self._last_input
        if isinstance(last, AbsenceKind):
            lesson_id = self.current_lesson_id
            if lesson_id is None or self._refused_here():
                return
            self._apply(self.model.set_absence(self.current_pupil_id, lesson_id, last))
            self.move_to(self.row + 1, self.col)
        elif last is not None:
            self.enter_value(last)
        else:
            self.app.bell()
