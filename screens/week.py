"""The week screen: a child's lessons, homework, marks, absences and changes, day by day.

One scrollable list holds the days of the week; under each day its events and lessons. At
80 columns a lesson takes two or three lines (time, subject, room, marks; then teacher and
topic; then homework); from 120 columns on, one line with teacher, topic and homework side
by side. Changes stand out by colour and by a sign, so they read without colour too:
``✗`` cancelled, ``⇄`` substitution, ``→`` room change, ``↷`` moved.

Text from the server is always put on screen as plain text (``Content``), never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from api_client import endpoints, i18n, names
from api_client.i18n import N_, _, pgettext
from api_client.models import WeekBellDay, WeekSignature
from diary_tui.data import (
    Absence,
    AbsenceKind,
    DiaryData,
    Event,
    Lesson,
    LessonStatus,
    Mark,
    PupilRef,
    Role,
    Sent,
    Week,
    monday_of,
)
from diary_tui.keys import with_keys
from diary_tui.ui import MUTED, event_name, fit, local, plain, size_text
from screens.base import ChildScreen, choice_width, list_layout
from screens.dialogs.detail import DetailScreen

#: From this width on, a lesson is one line with teacher, topic and homework side by side.
WIDE = 116
NOTE_INDENT = 15
"""Lines under a lesson's first start under its subject (after the number and the time)."""

# Styles by meaning; the theme gives the colours.
CANCELLED = "strike $text-error"
CHANGED = "bold $text-warning"
NOTE = "$text-warning"
"""The school's note on a changed lesson: why (a substitution, a room change, ...)."""


def cell(content: Content | str, width: int) -> Content:
    """A column of ``width`` cells whose last cell is always a gap."""
    return fit(content, width - 1) + Content(" ")


def short_date(day: dt.date) -> str:
    """``Wed 2 Dec`` / ``ср, 2 дек.``."""
    return i18n.day_label(day)


def week_range(start: dt.date, end: dt.date) -> str:
    """``23–29 Nov 2026`` / ``23–29 нояб. 2026``; ``30 Nov – 6 Dec 2026``."""
    if start.month == end.month and start.year == end.year:
        return f"{start.day}–{i18n.day_month(end, short=True)} {end.year}"
    if start.year == end.year:
        return f"{i18n.day_month(start, short=True)} – {i18n.day_month(end, short=True)} {end.year}"
    return (
        f"{i18n.day_month(start, short=True)} {start.year} – "
        f"{i18n.day_month(end, short=True)} {end.year}"
    )


def mark_content(mark: Mark) -> Content:
    """``5``, or ``4×2`` for a mark of weight 2."""
    text = str(mark.value) if mark.weight <= 1 else f"{mark.value}×{mark.weight}"
    style = (
        "bold $text-success"
        if mark.value >= 4
        else ("bold $text-error" if mark.value <= 2 else "bold")
    )
    return Content.styled(text, style)


def marks_content(marks: Iterable[Mark]) -> Content:
    return Content(" ").join(mark_content(mark) for mark in marks)


def absence_content(absence: Absence | None, *, long: bool = False) -> Content:
    if absence is None:
        return Content("")
    letter = names.absence_letter(absence.kind)
    style = "bold $text-error" if absence.kind == AbsenceKind.UNEXCUSED else "bold $text-warning"
    if not long:
        return Content.styled(letter, style)
    text = f"{letter} {names.absence_kind(absence.kind)}"
    if absence.kind == AbsenceKind.LATE and absence.minutes:
        text += " " + _("{minutes} min").format(minutes=absence.minutes)
    return Content.styled(text, style)


def room_content(lesson: Lesson, width: int | None = None) -> Content:
    """The room; a changed one as ``→Library was 203`` (``→214 вместо 203``), or just
    ``→Library`` when the whole does not fit in ``width`` cells (the new room is what the
    family needs to read)."""
    room = plain(lesson.room)
    original = plain(lesson.original_room)
    if original and original != room:
        new = Content.styled(f"→{room or '?'}", CHANGED)
        whole = new + Content.styled(" " + _("was {room}").format(room=original), MUTED)
        return whole if width is None or whole.cell_length <= width else new
    return Content(room)


def subject_content(lesson: Lesson) -> Content:
    name = plain(lesson.subject.name)
    if lesson.status == LessonStatus.CANCELLED:
        return Content.assemble(("✗ ", "bold $text-error"), (name, CANCELLED))
    if lesson.status == LessonStatus.MOVED:
        return Content.assemble(("↷ ", CHANGED), (name, "bold"))
    return Content.styled(name, "bold")


def teacher_content(lesson: Lesson, *, long: bool) -> Content:
    teacher = plain(lesson.teacher)
    if lesson.status == LessonStatus.SUBSTITUTED or (
        lesson.original_teacher and lesson.original_teacher != lesson.teacher
    ):
        original = plain(lesson.original_teacher)
        tail = " " + (
            _("instead of {name}") if long else pgettext("substitution, short", "for {name}")
        ).format(name=original)
        return Content.assemble(
            ("⇄ ", CHANGED), (teacher, CHANGED), (tail if original else "", MUTED)
        )
    return Content(teacher)


STATUS_SIGNS: dict[LessonStatus, str] = {
    LessonStatus.CANCELLED: "✗",
    LessonStatus.MOVED: "↷",
    LessonStatus.SUBSTITUTED: "⇄",
}


def status_word(status: LessonStatus) -> str:
    """A changed lesson's status in a sentence: ``cancelled`` / ``отменён``; a substitution
    is named as the change it is (``substitution`` / ``замена``)."""
    if status == LessonStatus.SUBSTITUTED:
        return pgettext("lesson change", "substitution")
    return names.lesson_status(status)


def labelled_note(label: str, note: str) -> str:
    """``cancelled: the reason``, or the note alone when it already starts with the label
    (a reason typed as "Cancelled: …" is not shown as "cancelled: Cancelled: …")."""
    if not note:
        return label
    first = note.split(maxsplit=1)[0].rstrip(":,.;!-—–").casefold()
    if first == label.casefold():
        return note
    return f"{label}: {note}"


def topic_content(lesson: Lesson) -> Content:
    """What the lesson is about, after what changed and why.

    A cancelled or moved lesson says so in words, with the school's note (the reason, or where
    it went). A substitution or a room change has its sign in the teacher or room column, so
    its note (why) comes alone, before the topic; so does a note on any other lesson (a lesson
    moved here from another day, or held again after all).
    """
    said = change_content(lesson)
    if lesson.status == LessonStatus.CANCELLED:
        return said
    topic = plain(lesson.topic)
    parts = [part for part in (said, Content(topic)) if part.plain]
    return Content(" · ").join(parts)


def change_content(lesson: Lesson) -> Content:
    """What :func:`topic_content` says before the topic: ``cancelled`` or ``moved`` with the
    school's note, or the note alone (empty when there is nothing to say)."""
    note = plain(lesson.note)
    if lesson.status == LessonStatus.CANCELLED:
        return Content.styled(labelled_note(status_word(lesson.status), note), "$text-error")
    if lesson.status == LessonStatus.MOVED:
        word = status_word(lesson.status)
        text = labelled_note(word, note)
        if text.startswith(word):
            return Content.assemble((word, CHANGED), text.removeprefix(word))
        return Content.styled(text, CHANGED)  # the note says it in its own words
    return Content.styled(note, NOTE)


def homework_content(lesson: Lesson, *, label: bool) -> Content:
    parts: list[Content] = []
    for item in lesson.homework:
        parts.append(
            Content.assemble(
                (_("HW:") + " " if label else "", "bold"),
                plain(item.text),
                (
                    " (" + _("due {day}").format(day=short_date(item.due)) + ")"
                    if label
                    else f" → {i18n.weekday(item.due, short=True)} {item.due.day}",
                    MUTED,
                ),
                (" ✓" if item.done else "", "$text-success"),
            )
        )
    return Content(" · ").join(parts)


def lesson_prompt(lesson: Lesson, width: int) -> Content:
    """A lesson as one (wide) or two or three (narrow) lines of exactly ``width`` cells."""
    number = Content.styled(f"{lesson.number:>2}", MUTED)
    time = Content(f"{lesson.start}–{lesson.end}")
    marks = marks_content(lesson.marks)
    marks_and_absence = Content(" ").join(
        part for part in (marks, absence_content(lesson.absence)) if part.plain
    )
    if width >= WIDE:
        flex = width - (3 + 12 + 19 + 13 + 23 + 9)
        # Without homework, the topic (and the note on a change) takes its column too.
        topic_w = flex // 2 if lesson.homework else flex
        topic = topic_content(lesson)
        said = change_content(lesson) if plain(lesson.note) else Content("")
        below: list[Content] = []
        if topic.cell_length > topic_w - 1 and said.plain:
            # The school's note does not fit its column: it goes whole on lines of its own
            # under the lesson (as in the narrow layout), the column keeps the topic.
            below = said.wrap(width - NOTE_INDENT)
            topic = (
                Content("")
                if lesson.status == LessonStatus.CANCELLED
                else Content(plain(lesson.topic))
            )
        columns = [
            fit(number, 3),
            fit(time, 12),
            cell(subject_content(lesson), 19),
            cell(room_content(lesson, 12), 13),
            cell(teacher_content(lesson, long=False), 23),
            cell(topic, topic_w),
        ]
        if lesson.homework:
            columns.append(cell(homework_content(lesson, label=False), flex - topic_w))
        line = Content.assemble(*columns, marks_and_absence.right(9))
        indent = Content(" " * NOTE_INDENT)
        return Content("\n").join([line, *(indent + fit(x, width - NOTE_INDENT) for x in below)])
    flex = width - (3 + 12 + 13 + 12)
    first = Content.assemble(
        fit(number, 3),
        fit(time, 12),
        cell(subject_content(lesson), flex),
        cell(room_content(lesson, 12), 13),
        marks_and_absence.right(12),
    )
    indent = Content(" " * NOTE_INDENT)
    detail = [teacher_content(lesson, long=True)]
    topic = topic_content(lesson)
    if topic.plain:
        detail.append(topic)
    lines = [first, indent + fit(Content(" · ").join(detail), width - NOTE_INDENT)]
    if lesson.homework:
        lines.append(indent + fit(homework_content(lesson, label=True), width - NOTE_INDENT))
    return Content("\n").join(lines)


def event_prompt(event: Event, width: int, zone: dt.tzinfo = dt.UTC) -> Content:
    kind = event_name(event.kind)
    when = f"{local(event.starts_at, zone):%H:%M}"
    if event.ends_at is not None:
        when += f"–{local(event.ends_at, zone):%H:%M}"
    parts = [Content.assemble(("◆ ", "bold $accent"), (kind, "bold $accent"), f" {when} ")]
    if event.cancelled:
        parts.append(Content.styled(_("cancelled") + " ", "bold $error"))
    parts.append(Content(plain(event.title)))
    if event.place:
        parts.append(Content(f" · {plain(event.place)}"))
    if event.description:
        parts.append(Content.styled(f" · {plain(event.description)}", MUTED))
    return fit(Content("   ") + Content.assemble(*parts), width)


def week_days(week: Week, zone: dt.tzinfo = dt.UTC) -> list[dt.date]:
    """Monday to Friday, plus Saturday and Sunday when the week has anything on them."""
    days = [week.start + dt.timedelta(days=i) for i in range(7)]
    busy = {lesson.date for lesson in week.lessons}
    busy |= {local(event.starts_at, zone).date() for event in week.events}
    busy |= set(week.holidays)
    return [day for day in days if day.weekday() < 5 or day in busy]


def bell_day_words(day: WeekBellDay) -> str:
    """A day's bells when they are not the normal ones: ``shortened day (Сокращённый день,
    08:30–13:00)``, ``bells: Суббота``; server text passes ``plain``."""
    span = f"{day.bells[0].start}–{day.bells[-1].end}" if day.bells else ""
    name = plain(day.schedule)
    if day.shortened:
        inside = ", ".join(part for part in (name, span) if part)
        return (
            _("shortened day ({schedule})").format(schedule=inside)
            if inside
            else _("shortened day")
        )
    return _("bells: {schedule}").format(schedule=name)


def week_options(week: Week, width: int, today: dt.date, zone: dt.tzinfo = dt.UTC) -> list[Option]:
    """The list of the week screen: day headings (not selectable), events, lessons."""
    options: list[Option] = []
    holidays = set(week.holidays)
    bell_days = {d.date: d for d in week.bell_days}
    for day in week_days(week, zone):
        said = i18n.day_heading(day)
        heading = Content.styled(said[:1].upper() + said[1:], "bold $primary")
        if day == today:
            heading += Content.styled("  · " + _("today"), "bold $accent")
        if day in bell_days and day not in holidays:
            heading += Content.styled("  · " + bell_day_words(bell_days[day]), "$text-warning")
        options.append(Option(fit(heading, width), id=f"day-{day.isoformat()}", disabled=True))
        for event in (e for e in week.events if local(e.starts_at, zone).date() == day):
            options.append(Option(event_prompt(event, width, zone), disabled=True))
        lessons = [lesson for lesson in week.lessons if lesson.date == day]
        if day in holidays:
            options.append(
                Option(
                    fit(Content.styled("   " + _("Holiday: no lessons"), "bold $accent"), width),
                    disabled=True,
                )
            )
        elif not lessons:
            options.append(
                Option(fit(Content.styled("   " + _("No lessons"), MUTED), width), disabled=True)
            )
        for lesson in lessons:
            options.append(Option(lesson_prompt(lesson, width), id=f"lesson-{lesson.id}"))
    return options


def lesson_detail(lesson: Lesson, *, save_files: str) -> Content:
    """Everything about one lesson, for the detail modal; ``save_files`` says under the
    homework's files how to save them (its keys named as bound)."""
    lines: list[Content] = [
        Content.assemble(
            subject_content(lesson),
            "  ",
            (short_date(lesson.date), MUTED),
            (
                ", "
                + _("lesson {number}").format(number=lesson.number)
                + f", {lesson.start}–{lesson.end}",
                MUTED,
            ),
        ),
        Content.assemble((_("Teacher:") + " ", "bold"), teacher_content(lesson, long=True)),
    ]
    if lesson.room or lesson.original_room:
        lines.append(Content.assemble((_("Room:") + " ", "bold"), room_content(lesson)))
    note = lesson.note.strip()
    if lesson.status != LessonStatus.PLANNED:
        sign, word = STATUS_SIGNS.get(lesson.status, ""), status_word(lesson.status)
        # The note says why (or where to) after the status: "✗ cancelled: Teacher ill".
        said = labelled_note(word, note)
        lines.append(
            Content.assemble(
                (_("Status:") + " ", "bold"),
                (f"{sign} {said[: len(word)]}".lstrip(), CHANGED),
                said[len(word) :],
            )
        )
    elif note:
        lines.append(Content.assemble((_("Note:") + " ", "bold"), note))
    lines.append(Content(""))
    lines.append(Content.assemble((_("Topic:") + " ", "bold"), lesson.topic or "—"))
    for item in lesson.homework:
        lines.append(Content(""))
        lines.append(
            Content.assemble(
                (_("Homework"), "bold"),
                (" " + _("due {day}").format(day=short_date(item.due)), MUTED),
                (" (" + _("done") + ")" if item.done else "", "$text-success"),
            )
        )
        lines.append(Content(item.text))
        for attachment in item.attachments:
            lines.append(
                Content.assemble(
                    "  📎 ", attachment.name, (f" ({size_text(attachment.size)})", MUTED)
                )
            )
        if item.attachments:
            lines.append(Content.styled("  " + save_files, MUTED))
    if lesson.marks:
        lines.append(Content(""))
        lines.append(Content.styled(_("Marks"), "bold"))
        for mark in lesson.marks:
            weight = (
                ", " + _("weight {weight}").format(weight=mark.weight) if mark.weight > 1 else ""
            )
            parts: list[Content | str] = [
                "  ",
                mark_content(mark),
                (Content.styled(f"  {names.mark_kind(mark.kind)}{weight}", MUTED)),
            ]
            if mark.author:
                parts.append(Content.styled(f" · {mark.author}", MUTED))
            if mark.edited:
                parts.append(Content.styled(" · " + _("corrected"), "$text-warning"))
            lines.append(Content.assemble(*parts))
            if mark.comment:
                lines.append(Content.assemble("    “", mark.comment, "”"))
    if lesson.absence is not None:
        lines.append(Content(""))
        lines.append(
            Content.assemble(
                (_("Absence:") + " ", "bold"), absence_content(lesson.absence, long=True)
            )
        )
        if lesson.absence.note:
            lines.append(Content.assemble("  ", lesson.absence.note))
    return Content("\n").join(lines)


def signature_content(signed: WeekSignature, zone: dt.tzinfo, changes_key: str) -> Content:
    """``✓ signed 25 Nov 18:04 by …`` or ``⚠ changed since signed (v: what)``, ``changes_key``
    the key that shows what changed, as the keymap and the language name it."""
    if signed.changed:
        said = _("changed since signed ({key}: what)").format(key=changes_key)
        return Content.styled("⚠ " + said, "bold $text-warning")
    at = local(signed.signed_at, zone)
    said = _("signed {day} {time} by {name}").format(
        day=i18n.day_month(at.date(), short=True), time=f"{at:%H:%M}", name=plain(signed.by)
    )
    return Content.styled("✓ " + said, "$text-success")


def signature_detail(signed: WeekSignature, zone: dt.tzinfo) -> Content:
    at = local(signed.signed_at, zone)
    lines = [
        Content.styled(
            _("Signed {day} {year} {time} by {name}").format(
                day=i18n.day_month(at.date(), short=True),
                year=at.year,
                time=f"{at:%H:%M}",
                name=plain(signed.by),
            ),
            "bold",
        ),
        Content(""),
    ]
    if signed.changed:
        lines.append(Content.styled(_("Changed since it was signed:"), "bold $text-warning"))
        lines += [Content.assemble("  • ", change) for change in signed.changed]
    else:
        lines.append(Content(_("Nothing has changed since it was signed.")))
    return Content("\n").join(lines)


class WeekScreen(ChildScreen[Week]):
    TITLE = N_("Week")
    NAME = "week"
    WRITES = ("week.sign",)
    WHAT = N_("week")
    HELP = N_("""
The week of your child (or your own, for a pupil): every lesson with its time, subject,
room and teacher, the topic, homework, marks and absences. Marks show their weight when it
is more than 1: 4×2 is a 4 that counts twice. Absences: A absent, I ill, E excused, L late.

Changes stand out: ✗ cancelled, ⇄ another teacher (substitution), → another room,
↷ moved. The school's note on a change (why, or where the lesson went) comes before the
topic; Enter shows it in full. ◆ marks events such as parent meetings.

Up/Down and PgUp/PgDn move through the lessons; Enter shows a lesson in full.

A parent signs the week with {week.sign}: the school sees that you have seen its marks and notes.
The title then shows ✓ signed, or ⚠ changed since signed when a mark, an absence or a
lesson note changed afterwards; {week.changes} lists what changed.
""")

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="week.help"),
        Binding("left_square_bracket", "previous_week", N_("Prev week"), id="week.previous"),
        Binding("right_square_bracket", "next_week", N_("Next week"), id="week.next"),
        Binding("t", "this_week", N_("This week"), id="week.this"),
        Binding("f5", "reload", N_("Refresh"), id="week.reload", show=False),
        Binding("s", "sign", N_("Sign"), id="week.sign"),
        Binding("v", "show_changes", N_("Changes"), id="week.changes"),
        Binding("q", "app.quit", N_("Quit"), id="week.quit"),
    ]

    def __init__(self, data: DiaryData) -> None:
        super().__init__(data)
        self.monday = monday_of(data.today())
        self._width = 0

    def compose(self) -> ComposeResult:
        yield from list_layout(self.NAME, "week-title", "lessons")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        super().on_mount()

    # -- what is shown (ChildScreen) ------------------------------------------------------

    @property
    def week(self) -> Week | None:
        """The week on screen (of the current child and ``monday``, or the last painted)."""
        return self.value

    def load_key(self) -> object:
        return self.monday

    def cached(self, pupil_id: int) -> Week | None:
        return self.data.cached(endpoints.week(pupil_id, self.monday))

    async def fetch(self, pupil_id: int) -> Week:
        return await self.data.load(endpoints.week(pupil_id, self.monday))

    def loading_text(self) -> str:
        return _("Loading the week…")

    def never_loaded_text(self, child: PupilRef) -> str:
        return _(
            "This week was never loaded on this computer; it will appear when the server "
            "can be reached."
        )

    def update_title(self) -> None:
        end = self.monday + dt.timedelta(days=6)
        parts: list[Content] = []
        if self.child is None and self.data.me is not None:
            parts.append(Content.styled(plain(self.data.me.full_name), "bold"))
        parts.append(
            Content.styled(_("Week {dates}").format(dates=week_range(self.monday, end)), "bold")
        )
        if self.monday == monday_of(self.data.today()):
            parts.append(Content.styled(_("this week"), "$accent"))
        signed = self._shown_signature()
        if signed is not None:
            parts.append(signature_content(signed, self._zone(), self.key_of("week.changes")))
        elif self._signature_waits():
            parts.append(Content.styled("✎ " + _("signature waiting to be sent"), "$text-warning"))
        self.query_one("#week-title", Static).update(Content(" · ").join(parts))

    # -- signing ----------------------------------------------------------------------------

    def _zone(self) -> dt.tzinfo:
        return self.data.zone

    def _shown_signature(self) -> WeekSignature | None:
        """The signature of the week on screen (None when another week or child is shown)."""
        week, child = self.week, self.child
        if week is None or child is None or week.pupil.id != child.id:
            return None
        return week.signed if week.start == self.monday else None

    def _signature_waits(self) -> bool:
        """Whether the week on screen was signed here and the signature waits in the outbox."""
        child, store = self.child, self.data.store
        if child is None or store is None or not store.outbox_count():
            return False
        # Imported here: the write types are not needed to paint a week with an empty outbox.
        from diary_tui.outbox_ops import WeekSignOp

        return any(
            q.write.pupil_id == child.id and q.write.monday == self.monday
            for q in self.data.queued(WeekSignOp)
        )

    def _may_sign(self) -> bool:
        """A parent signs a week that has begun (a week to come has nothing to sign yet; the
        server refuses it too)."""
        return (
            self.data.me is not None
            and self.data.me.role is Role.PARENT
            and self.child is not None
            and self.monday <= self.data.today()
        )

    def action_sign(self) -> None:
        child = self.child
        if not self._may_sign() or child is None:
            return
        if self.week is None or self.week.pupil.id != child.id or self.week.start != self.monday:
            self.notify(_("Wait for the week to load before signing it."), severity="warning")
            return
        end = self.monday + dt.timedelta(days=6)
        question = _(
            "Sign {name}'s week {dates}?\n"
            "The school will see that you have seen its marks, absences and notes."
        ).format(name=plain(child.first_name), dates=week_range(self.monday, end))
        pupil_id, monday = child.id, self.monday

        def answered(yes: bool | None) -> None:
            if yes:
                self.sign(pupil_id, monday)

        from screens.dialogs.confirm import ConfirmScreen

        self.app.push_screen(ConfirmScreen(question), answered)

    @work(exclusive=True, group="sign", exit_on_error=False)
    async def sign(self, pupil_id: int, monday: dt.date) -> None:
        result = await self.data.sign_week(pupil_id, monday)
        if not isinstance(result, Sent):
            self.notify(
                _(
                    "The server cannot be reached: the signature is kept on this computer and "
                    "will be sent when it can."
                ),
                severity="warning",
                timeout=8,
            )
            self.update_title()
            return
        self.notify(_("The week is signed."))
        week = await self.data.load(endpoints.week(pupil_id, monday))
        self.post_message(self.Loaded(pupil_id, monday, week))

    def action_show_changes(self) -> None:
        signed = self._shown_signature()
        if signed is None:
            self.notify(_("This week is not signed."), severity="warning")
            return
        self.app.push_screen(
            DetailScreen(
                signature_detail(signed, self._zone()),
                name="signature",
                binding_id="signature.close",
                keys="escape,enter,q,v",
                frame="warning",
                thick=True,
            )
        )

    def _list_width(self) -> int:
        return choice_width(self.query_one(OptionList))

    def paint(self, week: Week) -> None:
        self.value = week
        self.update_title()
        self.refresh_bindings()  # "v: what changed" shows only for a signed week
        self._width = self._list_width()
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted_option
        keep = highlighted.id if highlighted is not None else None
        zone = self.data.zone
        option_list.set_options(week_options(week, self._width, self.data.today(), zone))
        if keep is not None:
            try:
                option_list.highlighted = option_list.get_option_index(keep)
                return
            except Exception:
                pass
        self._highlight_first_lesson(option_list, week)

    def _highlight_first_lesson(self, option_list: OptionList, week: Week) -> None:
        today = self.data.today()
        upcoming = [lesson for lesson in week.lessons if lesson.date >= today]
        lessons = upcoming or week.lessons
        if not lessons:
            option_list.scroll_home(animate=False)
            return
        index = option_list.get_option_index(f"lesson-{lessons[0].id}")
        option_list.highlighted = index
        if upcoming and week.start <= today and lessons[0].date != week.start:
            # Open at today (or the next school day) with its heading and events in view.
            day = lessons[0].date
            zone = self.data.zone
            above = 1 + sum(1 for e in week.events if local(e.starts_at, zone).date() == day)
            self.call_after_refresh(self._scroll_highlight_to_top, above)
        else:
            option_list.scroll_home(animate=False)

    def _scroll_highlight_to_top(self, lines_above: int) -> None:
        option_list = self.query_one(OptionList)
        option_list.scroll_to_highlight(top=True)
        option_list.scroll_relative(y=-lines_above, animate=False, immediate=True)

    def show_message(self, message: str) -> None:
        option_list = self.query_one(OptionList)
        option_list.set_options([Option(Content.styled(message, MUTED), disabled=True)])

    def on_resize(self) -> None:
        self.call_after_refresh(self._repaint_if_resized)

    def _repaint_if_resized(self) -> None:
        if self.week is not None and self._list_width() != self._width:
            self.paint(self.week)

    # -- actions ------------------------------------------------------------------------

    def _move_to(self, monday: dt.date) -> None:
        self.monday = monday
        self.refresh_bindings()  # s: sign only for a week that has begun
        if self.child is None:
            self.update_title()
            return
        self.query_one(OptionList).highlighted = None
        self.show_current()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "sign":
            return self._may_sign()
        if action == "show_changes":
            return self._shown_signature() is not None
        return super().check_action(action, parameters)

    def action_previous_week(self) -> None:
        self._move_to(self.monday - dt.timedelta(days=7))

    def action_next_week(self) -> None:
        self._move_to(self.monday + dt.timedelta(days=7))

    def action_this_week(self) -> None:
        self._move_to(monday_of(self.data.today()))

    def child_changed(self) -> None:
        self.query_one(OptionList).highlighted = None
        super().child_changed()

    @on(OptionList.OptionSelected, "#lessons")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if self.week is None or event.option.id is None:
            return
        lesson_id = event.option.id.removeprefix("lesson-")
        save_files = with_keys(
            self, _("Homework ({nav.homework}), then {homework.download} saves the files.")
        )
        for lesson in self.week.lessons:
            if str(lesson.id) == lesson_id:
                self.app.push_screen(
                    DetailScreen(
                        lesson_detail(lesson, save_files=save_files),
                        name="lesson-detail",
                        binding_id="lesson.close",
                        width="80%",
                        min_width=40,
                    )
                )
                return
