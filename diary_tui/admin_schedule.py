"""``diary admin setup groups|assignments|timetable ...``: who teaches whom and when.

    groups [--class 5А] | group new 5А NAME --subject S [--teacher T] [--pupil P ...] [--from D]
    group rename|teacher|retire|add-pupils|remove-pupils 5А GROUP ...
    assignments [--class 5А] [--teacher T] | assignment add|remove TEACHER 5А SUBJECT [--group G]
    timetable show 5А [--on D] | timetable add 5А WEEKDAY N --subject S --teacher T [--room R]
    timetable change|end 5А WEEKDAY N [--group G] --from D ... | timetable generate --from D

As the set-up screen does them, in ``setup_cli``'s manner. People, classes and subjects are
named as people write them: a teacher or pupil by login or by surname and first name
(``Смирнова Анна``), a class ``5А``, a subject ``Математика``, a day ``01.09.2026`` or ISO, a
weekday ``пн``/``mon``/``1``. A refusal says what was wrong with the option as it was given
(``--teacher Смирнова Анна: ...``). Each write is sent at once (set-up is never queued).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from api_client.cli_text import date_argument
from api_client.i18n import _, ngettext, weekday
from api_client.setup_files import weekday_of
from diary_tui.admin_cli import WIDTH, Refused
from diary_tui.data import fold_name
from diary_tui.setup_cli import Typed, _fit, _option, _send

if TYPE_CHECKING:
    from api_client import models as m
    from diary_tui.admin_cli import Env
    from diary_tui.data import DiaryData

WEEKS = ("all", "odd", "even")


def weekday_argument(text: str) -> int:
    """``type=`` of a weekday option: ``пн``, ``понедельник``, ``mon``, ``1`` (Monday) ... 0-6."""
    found = weekday_of(text)
    if found is None:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a day of the week: write пн, вт ... вс, mon ... sun or 1-7").format(
                text=text
            )
        )
    return found


def day_name(number: int) -> str:
    """The weekday's name in the language in force (0 = Monday)."""
    return weekday(dt.date(2024, 1, 1) + dt.timedelta(days=number))


def dotted(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


# --- the parsers -------------------------------------------------------------------------------


def add_commands(sub: Any) -> None:
    """Add ``groups``/``group``, ``assignments``/``assignment`` and ``timetable`` to
    ``diary admin setup`` (``setup_cli``'s subparsers; its order puts them after the classes)."""
    from diary_tui.setup_cli import _command, _verbs

    def class_arg(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("class_name", metavar=_("CLASS"), help=_("the class, like 5А"))

    def class_option(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--class", dest="class_name", metavar=_("CLASS"), help=_("only this class, like 5А")
        )

    def group_args(parser: argparse.ArgumentParser) -> None:
        class_arg(parser)
        parser.add_argument("group", metavar=_("GROUP"), help=_("the group's name, like 'гр. 1'"))
        parser.add_argument(
            "--subject",
            metavar=_("SUBJECT"),
            help=_("the group's subject, when the class has groups of that name for several"),
        )

    def from_option(parser: argparse.ArgumentParser, what: str) -> None:
        parser.add_argument(
            "--from", dest="start", type=date_argument, metavar=_("DATE"), help=what
        )

    groups = _command(sub, "groups", _("list the groups with their teacher and pupils"), _groups)
    class_option(groups)
    group = _verbs(
        sub, "group", _("make, rename, retire a group of a class; its teacher and pupils")
    )
    new = _command(group, "new", _("make a group of a class for a subject"), _group_new)
    class_arg(new)
    new.add_argument("name", metavar=_("NAME"), help=_("the group's name, like 'гр. 1'"))
    new.add_argument("--subject", required=True, metavar=_("SUBJECT"), help=_("the subject"))
    new.add_argument(
        "--teacher",
        metavar="LOGIN|NAME",
        help=_("the group's teacher: a login or surname and first name"),
    )
    new.add_argument(
        "--pupil",
        dest="pupils",
        action="append",
        default=[],
        metavar="LOGIN|NAME",
        help=_("a pupil of the class who joins (a login or surname and first name; repeat it)"),
    )
    from_option(new, _("the day the pupils join (default: today)"))
    rename = _command(group, "rename", _("rename a group"), _group_change)
    group_args(rename)
    rename.add_argument("new_name", metavar=_("NAME"), help=_("the new name"))
    teacher = _command(group, "teacher", _("give a group another teacher"), _group_change)
    group_args(teacher)
    teacher.add_argument("teacher", metavar="LOGIN|NAME", help=_("a login or surname and name"))
    retire = _command(
        group, "retire", _("retire a group (its lessons and marks stay)"), _group_change
    )
    group_args(retire)
    retire.add_argument("--undo", action="store_true", help=_("bring a retired group back instead"))
    for verb, what in (
        ("add-pupils", _("pupils of the class join a group")),
        ("remove-pupils", _("pupils leave a group")),
    ):
        members = _command(group, verb, what, _group_pupils)
        group_args(members)
        members.add_argument(
            "pupils", nargs="+", metavar="LOGIN|NAME", help=_("a login or 'surname first name'")
        )
        from_option(members, _("the day of the change (default: today)"))

    assignments = _command(sub, "assignments", _("list the teaching assignments"), _assignments)
    class_option(assignments)
    assignments.add_argument("--teacher", metavar="LOGIN|NAME", help=_("only this teacher's"))
    assignment = _verbs(
        sub,
        "assignment",
        _("add or remove a teaching assignment: who teaches a subject to a class or group"),
    )
    for verb, what in (
        ("add", _("a teacher teaches a subject to a class or group")),
        ("remove", _("take a teaching assignment away")),
    ):
        one = _command(assignment, verb, what, _assignment)
        one.add_argument("teacher", metavar="LOGIN|NAME", help=_("a login or surname and name"))
        class_arg(one)
        one.add_argument("subject", metavar=_("SUBJECT"), help=_("the subject"))
        one.add_argument("--group", metavar=_("GROUP"), help=_("one group of the class only"))

    timetable = _verbs(
        sub,
        "timetable",
        _("the weekly timetable: show, add, change, end rows; generate the lessons"),
    )
    show = _command(timetable, "show", _("show a class's week"), _timetable_show)
    class_arg(show)
    show.add_argument(
        "--on", type=date_argument, metavar=_("DATE"), help=_("the rows in force then")
    )

    def slot_args(parser: argparse.ArgumentParser) -> None:
        class_arg(parser)
        parser.add_argument(
            "day",
            type=weekday_argument,
            metavar=_("WEEKDAY"),
            help=_("пн ... вс, mon ... sun or 1-7"),
        )
        parser.add_argument("lesson", type=int, metavar="N", help=_("the lesson's number"))

    add = _command(timetable, "add", _("add a row"), _timetable_write)
    slot_args(add)
    add.add_argument("--subject", required=True, metavar=_("SUBJECT"), help=_("the subject"))
    add.add_argument(
        "--teacher", required=True, metavar="LOGIN|NAME", help=_("a login or surname and name")
    )
    add.add_argument("--room", default="", metavar=_("ROOM"), help=_("the room"))
    add.add_argument("--group", metavar=_("GROUP"), help=_("one group of the class only"))
    add.add_argument("--weeks", choices=WEEKS, default="all", help=_("every, odd or even weeks"))
    from_option(add, _("the first day (default: today)"))
    change = _command(timetable, "change", _("change a row from a day on"), _timetable_write)
    slot_args(change)
    change.add_argument("--group", metavar=_("GROUP"), help=_("the row's group"))
    from_option(change, _("the first day of the change (default: today)"))
    change.add_argument(
        "--new-day", type=weekday_argument, metavar=_("WEEKDAY"), help=_("another weekday")
    )
    change.add_argument("--new-lesson", type=int, metavar="N", help=_("another lesson number"))
    change.add_argument("--subject", metavar=_("SUBJECT"), help=_("another subject"))
    change.add_argument("--teacher", metavar="LOGIN|NAME", help=_("another teacher"))
    change.add_argument("--room", metavar=_("ROOM"), help=_("another room"))
    change.add_argument("--weeks", choices=WEEKS, help=_("every, odd or even weeks"))
    end = _command(timetable, "end", _("end a row from a day on"), _timetable_write)
    slot_args(end)
    end.add_argument("--group", metavar=_("GROUP"), help=_("the row's group"))
    from_option(end, _("the first day without the row (default: today)"))
    generate = _command(
        timetable, "generate", _("make the lessons again from a day on"), _timetable_generate
    )
    class_option(generate)
    from_option(generate, _("the first day (default: today)"))


# --- running -----------------------------------------------------------------------------------


async def find_person(
    data: DiaryData, text: str, role: m.Role, option: str, class_name: str | None = None
) -> m.UserSummary:
    """A teacher or pupil (of ``class_name``) by login or name (``DiaryData.find_person``)."""
    from diary_tui.admin_cli import Usage

    try:
        return await data.find_person(text, role, class_name, label=option)
    except ValueError as exc:
        raise Usage(str(exc)) from None


async def find_subject(data: DiaryData, text: str, option: str = "--subject") -> m.SetupSubject:
    from api_client import endpoints
    from diary_tui.admin_cli import Usage

    subjects = (await data.load(endpoints.setup_subjects())).subjects
    wanted = fold_name(text)
    for subject in subjects:
        if fold_name(subject.name) == wanted:
            return subject
    known = ", ".join(s.name for s in subjects if not s.retired) or "-"
    raise Usage(
        _("{option} {text}: the school has no such subject (its subjects: {known})").format(
            option=option, text=text, known=known
        )
    )


async def find_class(data: DiaryData, text: str, option: str | None = None) -> tuple[int, str]:
    """A class of this year, written as people write it (``5А``, ``5 а``, ``5a``)."""
    from api_client import endpoints
    from diary_tui.admin_cli import Usage, _class_key

    option = option or _("CLASS")
    wanted = _class_key(text)
    classes = (await data.load(endpoints.classes())).classes
    for cls in classes:
        if _class_key(cls.name) == wanted:
            return cls.id, cls.name
    raise Usage(
        _("{option} {text}: there is no such class this year (its classes: {known})").format(
            option=option, text=text, known=", ".join(c.name for c in classes) or "-"
        )
    )


async def find_group(
    data: DiaryData,
    class_id: int,
    class_name: str,
    name: str,
    subject: str | None,
    option: str | None = None,
) -> m.ClassGroupInfo:
    from api_client import endpoints
    from diary_tui.admin_cli import Usage

    option = option or _("GROUP")
    groups = (await data.load(endpoints.groups(class_id))).groups
    found = [g for g in groups if fold_name(g.name) == fold_name(name)]
    if subject is not None:
        found = [g for g in found if fold_name(g.subject.name) == fold_name(subject)]
    if len(found) == 1:
        return found[0]
    if not found:
        known = ", ".join(f"{g.name} ({g.subject.name})" for g in groups) or "-"
        raise Usage(
            _("{option} {name}: {cls} has no such group (its groups: {known})").format(
                option=option, name=name, cls=class_name, known=known
            )
        )
    subjects = ", ".join(g.subject.name for g in found)
    raise Usage(
        _("{option} {name}: {cls} has groups of that name for {subjects}: give --subject").format(
            option=option, name=name, cls=class_name, subjects=subjects
        )
    )


# --- groups ------------------------------------------------------------------------------------


def group_lines(group: m.ClassGroupInfo) -> list[str]:
    retired = " (" + _("retired") + ")" if group.retired else ""
    teacher = group.teacher or _("no teacher")
    head = f"{group.class_.name} {group.subject.name}, {group.name}{retired}: {teacher}"
    pupils = ", ".join(f"{p.last_name} {p.first_name}" for p in group.pupils) or "-"
    count = ngettext("{n} pupil", "{n} pupils", len(group.pupils)).format(n=len(group.pupils))
    return [_fit(head, WIDTH), _fit(f"  {count}: {pupils}", WIDTH)]


def _say_group(heading: str, group: m.ClassGroupInfo, env: Env) -> int:
    """A group as it now is, under ``heading``: the command is done."""
    env.say(heading)
    for line in group_lines(group):
        env.say(line)
    return 0


async def _the_group(data: DiaryData, args: argparse.Namespace) -> tuple[str, m.ClassGroupInfo]:
    """The class's name and the group the command names (CLASS GROUP [--subject S])."""
    class_id, class_name = await find_class(data, args.class_name)
    return class_name, await find_group(data, class_id, class_name, args.group, args.subject)


async def _groups(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client import endpoints

    class_id = (await find_class(data, args.class_name, "--class"))[0] if args.class_name else None
    groups = (await data.load(endpoints.groups(class_id))).groups
    for group in groups:
        for line in group_lines(group):
            env.say(line)
    env.say(ngettext("{n} group.", "{n} groups.", len(groups)).format(n=len(groups)))
    return 0


async def _group_new(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import ClassGroupCreate, Role

    class_id, class_name = await find_class(data, args.class_name)
    subject = await find_subject(data, args.subject)
    teacher = (
        await find_person(data, args.teacher, Role.TEACHER, "--teacher") if args.teacher else None
    )
    pupils = [await find_person(data, p, Role.PUPIL, "--pupil", class_name) for p in args.pupils]
    typed = Typed(
        {
            "class_id": _option(_("CLASS"), args.class_name),
            "subject_id": _option("--subject", args.subject),
            "name": _option(_("NAME"), args.name),
            "teacher_id": _option("--teacher", args.teacher),
            "pupil_ids": _option("--pupil", ", ".join(args.pupils)),
            "on": _option("--from", args.start),
        }
    )
    body = ClassGroupCreate(
        class_id=class_id,
        subject_id=subject.id,
        name=args.name.strip(),
        teacher_id=teacher.id if teacher else None,
        pupil_ids=[p.id for p in pupils],
        on=args.start,
    )
    made = await _send(data.create_group(body), typed, args.name)
    return _say_group(_("Made the group:"), made, env)


async def _group_change(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    """``group rename``, ``group teacher``, ``group retire``: on the version just read."""
    from api_client.models import ClassGroupChange, Role

    class_name, group = await _the_group(data, args)
    change = ClassGroupChange(version=group.version)
    typed = Typed({"group_id": _option(_("GROUP"), args.group)})
    verb = args.group_verb
    if verb == "rename":
        change.name = args.new_name.strip()
        typed.fields["name"] = _option(_("NAME"), args.new_name)
    elif verb == "teacher":
        change.teacher_id = (await find_person(data, args.teacher, Role.TEACHER, "LOGIN|NAME")).id
        typed.fields["teacher_id"] = _option("LOGIN|NAME", args.teacher)
    else:
        change.retired = not args.undo
    what = f"{class_name} {group.name}"
    changed = await _send(data.change_group(group.id, change), typed, what)
    return _say_group(_("Saved:"), changed, env)


async def _group_pupils(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import GroupPupilsChange, Role

    class_name, group = await _the_group(data, args)
    pupils = [await find_person(data, p, Role.PUPIL, "LOGIN|NAME", class_name) for p in args.pupils]
    ids = [p.id for p in pupils]
    adding = args.group_verb == "add-pupils"
    typed = Typed(
        {"group_id": _option(_("GROUP"), args.group), "on": _option("--from", args.start)}
    )
    for n, text in enumerate(args.pupils):
        typed.fields[f"{'add' if adding else 'remove'}[{n}]"] = text
    body = GroupPupilsChange(add=ids if adding else [], remove=[] if adding else ids, on=args.start)
    changed = await _send(data.change_group_pupils(group.id, body), typed, group.name)
    return _say_group(_("Saved:"), changed, env)


# --- teaching assignments ----------------------------------------------------------------------


def assignment_line(row: m.AssignmentInfo) -> str:
    whom = row.class_.name + (f" ({row.group.name})" if row.group else "")
    return _fit(f"{row.teacher:<28} {whom:<14} {row.subject.name}", WIDTH)


async def _assignments(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client import endpoints
    from api_client.models import Role

    class_id = (await find_class(data, args.class_name, "--class"))[0] if args.class_name else None
    teacher_id = (
        (await find_person(data, args.teacher, Role.TEACHER, "--teacher")).id
        if args.teacher
        else None
    )
    rows = (await data.load(endpoints.assignments(class_id, teacher_id))).assignments
    for row in rows:
        env.say(assignment_line(row))
    env.say(
        ngettext("{n} teaching assignment.", "{n} teaching assignments.", len(rows)).format(
            n=len(rows)
        )
    )
    return 0


async def _assignment(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    """``assignment add`` and ``assignment remove``."""
    from api_client import endpoints
    from api_client.models import AssignmentCreate, Role

    teacher = await find_person(data, args.teacher, Role.TEACHER, "LOGIN|NAME")
    class_id, class_name = await find_class(data, args.class_name)
    subject = await find_subject(data, args.subject, _("SUBJECT"))
    group = (
        await find_group(data, class_id, class_name, args.group, subject.name, "--group")
        if args.group
        else None
    )
    typed = Typed(
        {
            "teacher_id": _option("LOGIN|NAME", args.teacher),
            "class_id": _option(_("CLASS"), args.class_name),
            "subject_id": _option(_("SUBJECT"), args.subject),
            "group_id": _option("--group", args.group),
            "assignment_id": _option("LOGIN|NAME", args.teacher),
        }
    )
    what = f"{teacher.full_name}, {class_name} {subject.name}"
    if args.assignment_verb == "add":
        body = AssignmentCreate(
            teacher_id=teacher.id,
            class_id=class_id,
            subject_id=subject.id,
            group_id=group.id if group else None,
        )
        made = await _send(data.create_assignment(body), typed, what)
        env.say(_("Teaches: {row}").format(row=assignment_line(made).strip()))
        return 0
    rows = (await data.load(endpoints.assignments(class_id, teacher.id))).assignments
    group_id = group.id if group else None
    match = [
        r
        for r in rows
        if r.subject.id == subject.id and (r.group.id if r.group else None) == group_id
    ]
    if not match:
        raise Refused(
            _("{teacher} has no teaching assignment for {cls} {subject}: nothing to remove").format(
                teacher=teacher.full_name,
                cls=class_name + (f" ({group.name})" if group else ""),
                subject=subject.name,
            )
        )
    gone = await _send(data.remove_assignment(match[0].id), typed, what)
    env.say(_("Removed: {row}").format(row=assignment_line(gone).strip()))
    return 0


# --- the timetable -----------------------------------------------------------------------------


def weeks_word(weeks: str) -> str:
    return {"odd": _("odd weeks"), "even": _("even weeks")}.get(weeks, "")


def row_line(row: m.TimetableRowInfo) -> str:
    """One row of a class's week in 80 columns: number, subject, teacher, room, group, weeks."""
    extra = ", ".join(
        p for p in (row.group.name if row.group else "", weeks_word(row.weeks.value)) if p
    )
    text = f"  {row.number:>2}  {_fit(row.subject.name, 20):<20} {_fit(row.teacher, 22):<22} "
    text += f"{_fit(row.room, 6):<6} {extra}"
    return _fit(text.rstrip(), WIDTH)


def week_lines(rows: Sequence[m.TimetableRowInfo]) -> list[str]:
    lines: list[str] = []
    for day in sorted({r.weekday for r in rows}):
        lines.append(day_name(day).capitalize())
        for row in sorted(
            (r for r in rows if r.weekday == day),
            key=lambda r: (r.number, r.group.name if r.group else ""),
        ):
            lines.append(row_line(row))
    return lines


def report_lines(report: m.LessonGeneration) -> list[str]:
    """What making the lessons did, with each kept lesson and why it was kept."""
    lines = [
        _(
            "Lessons from {day}: {created} made, {removed} taken away, {updated} changed, "
            "{unchanged} as they were."
        ).format(
            day=dotted(report.valid_from),
            created=report.created,
            removed=report.removed,
            updated=report.updated,
            unchanged=report.unchanged,
        )
    ]
    if report.kept:
        lines.append(
            ngettext(
                "{n} lesson no longer in the timetable was kept, since something is written in it:",
                "{n} lessons no longer in the timetable were kept, since something is written in "
                "them:",
                len(report.kept),
            ).format(n=len(report.kept))
        )
        words = {
            "marks": _("marks"),
            "absences": _("absences"),
            "topic": _("a topic"),
            "homework": _("homework"),
        }
        for kept in report.kept:
            whom = kept.class_.name + (f" ({kept.group.name})" if kept.group else "")
            why = ", ".join(words.get(r, r) for r in kept.reasons)
            lines.append(
                _fit(
                    _("  {day}, lesson {number}, {whom} {subject}: it has {why}").format(
                        day=dotted(kept.date),
                        number=kept.number,
                        whom=whom,
                        subject=kept.subject.name,
                        why=why,
                    ),
                    WIDTH,
                )
            )
    for warning in report.warnings:
        lines.append(_("Note: {text}").format(text=warning.detail))
    return lines


async def find_row(
    data: DiaryData,
    class_id: int,
    class_name: str,
    day: int,
    number: int,
    group: str | None,
    on: dt.date | None,
) -> m.TimetableRowInfo:
    from api_client import endpoints
    from diary_tui.admin_cli import Usage

    rows = (await data.load(endpoints.timetable(class_id, on))).rows
    found = [r for r in rows if r.weekday == day and r.number == number]
    if group is not None:
        found = [
            r for r in found if r.group is not None and fold_name(r.group.name) == fold_name(group)
        ]
    if len(found) == 1:
        return found[0]
    slot = _("{day}, lesson {number}").format(day=day_name(day), number=number)
    if not found:
        raise Usage(
            _("{option}: {cls} has no timetable row on {slot}{group}{when}").format(
                option=_("WEEKDAY") + " N",
                cls=class_name,
                slot=slot,
                group=f" ({group})" if group else "",
                when=_(" on {day}").format(day=dotted(on)) if on else "",
            )
        )
    names = ", ".join(r.group.name if r.group else _("whole class") for r in found)
    raise Usage(
        _("{cls} has {n} rows on {slot} ({names}): give --group").format(
            cls=class_name, n=len(found), slot=slot, names=names
        )
    )


async def _timetable_show(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client import endpoints

    class_id, class_name = await find_class(data, args.class_name)
    rows = (await data.load(endpoints.timetable(class_id, args.on))).rows
    when = _(" on {day}").format(day=dotted(args.on)) if args.on else ""
    env.say(_("{cls}: the weekly timetable{when}").format(cls=class_name, when=when))
    for line in week_lines(rows):
        env.say(line)
    env.say(ngettext("{n} row.", "{n} rows.", len(rows)).format(n=len(rows)))
    return 0


async def _timetable_generate(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import LessonGenerate

    class_id = (await find_class(data, args.class_name, "--class"))[0] if args.class_name else None
    typed = Typed(
        {
            "valid_from": _option("--from", args.start),
            "class_id": _option("--class", args.class_name),
        }
    )
    body = LessonGenerate(valid_from=args.start, class_id=class_id)
    report = await _send(data.generate_lessons(body), typed, _("the lessons"))
    for line in report_lines(report):
        env.wrap(line, "  ")
    return 0


async def _timetable_write(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    """``timetable add``, ``change`` and ``end``: the row written, then what it did to the
    lessons (made, taken away, kept and why)."""
    from api_client.models import (
        Role,
        TimetableRowChange,
        TimetableRowCreate,
        TimetableRowEnd,
        WeekParity,
    )

    verb = args.timetable_verb
    class_id, class_name = await find_class(data, args.class_name)
    slot = f"{day_name(args.day)} {args.lesson}"
    typed = Typed(
        {
            "class_id": _option(_("CLASS"), args.class_name),
            "weekday": _option(_("WEEKDAY"), day_name(args.day)),
            "number": _option(_("WEEKDAY") + " N", slot),
            "valid_from": _option("--from", args.start),
            "row_id": _option(_("WEEKDAY") + " N", slot),
        }
    )
    what = f"{class_name}, {slot}"
    if verb == "add":
        subject = await find_subject(data, args.subject)
        teacher = await find_person(data, args.teacher, Role.TEACHER, "--teacher")
        group = (
            await find_group(data, class_id, class_name, args.group, subject.name, "--group")
            if args.group
            else None
        )
        typed.fields.update(
            subject_id=_option("--subject", args.subject),
            teacher_id=_option("--teacher", args.teacher),
            room=_option("--room", args.room),
            group_id=_option("--group", args.group)
            if args.group
            else _option(_("CLASS"), class_name),
        )
        body = TimetableRowCreate(
            class_id=class_id,
            weekday=args.day,
            number=args.lesson,
            subject_id=subject.id,
            teacher_id=teacher.id,
            room=args.room.strip(),
            group_id=group.id if group else None,
            weeks=WeekParity(args.weeks),
            valid_from=args.start,
        )
        written = await _send(data.create_timetable_row(body), typed, what)
    else:
        row = await find_row(
            data, class_id, class_name, args.day, args.lesson, args.group, args.start
        )
        if verb == "end":
            body_end = TimetableRowEnd(valid_from=args.start)
            written = await _send(data.end_timetable_row(row.id, body_end), typed, what)
        else:
            change = TimetableRowChange(valid_from=args.start)
            if args.new_day is not None:
                change.weekday = args.new_day
                typed.fields["weekday"] = _option("--new-day", day_name(args.new_day))
                typed.fields["number"] = _option("--new-day", day_name(args.new_day))
            if args.new_lesson is not None:
                change.number = args.new_lesson
                typed.fields["number"] = _option("--new-lesson", args.new_lesson)
            if args.subject is not None:
                change.subject_id = (await find_subject(data, args.subject)).id
                typed.fields["subject_id"] = _option("--subject", args.subject)
            if args.teacher is not None:
                teacher = await find_person(data, args.teacher, Role.TEACHER, "--teacher")
                change.teacher_id = teacher.id
                typed.fields["teacher_id"] = _option("--teacher", args.teacher)
            if args.room is not None:
                change.room = args.room.strip()
                typed.fields["room"] = _option("--room", args.room)
            if args.weeks is not None:
                change.weeks = WeekParity(args.weeks)
            written = await _send(data.change_timetable_row(row.id, change), typed, what)
    if written.row is not None:
        env.say(
            _("{cls}, {day}, from {start}:").format(
                cls=class_name,
                day=day_name(written.row.weekday),
                start=dotted(written.row.valid_from),
            )
        )
        env.say(row_line(written.row))
    else:
        env.say(_("The row is ended."))
    for line in report_lines(written.lessons):
        env.wrap(line, "  ")
    return 0
