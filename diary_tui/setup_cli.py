"""``diary admin setup ...``: the school's set-up by hand, in the order a school does it.

    school [--name N] [--timezone ZONE] [--lang ru|en]      show or change the school
    years | year add NAME FROM TO | year change YEAR ... | year retire YEAR [--undo]
    periods [--year Y] | period add KIND NUMBER FROM TO | period change|remove PERIOD
    holidays [--year Y] | holiday add FROM [TO] [--name N] | holiday remove FROM [TO]
    bells | bell add NAME 1=08:30-09:15 ... [--weekdays mon-fri] | bell change|retire NAME
          | bell day DATE [SCHEDULE]                         a shortened day, or back
    subjects | subject add|change|retire NAME
    rooms | room add|change|retire NAME [--capacity N] [--note TEXT]
    classes [--year Y] | class add|change|retire 5А [--teacher LOGIN|NAME]
    groups | group new|rename|teacher|retire|add-pupils|remove-pupils   (diary_tui.admin_schedule)
    assignments | assignment add|remove
    timetable show|add|change|end|generate

Dates are written ``01.09.2026`` or ``2026-09-01``. Each change reads the thing first and
goes with its version, so a colleague's change made in between is refused, not overwritten.
A refusal names the option or argument as it was typed (``--from 31.08.2026: ...``). Every
write needs the server (set-up is never queued). Lists fit in 80 columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from api_client.cli_text import parse_date
from api_client.i18n import _, ngettext
from api_client.setup_files import bell_of, weekdays_of
from diary_tui.admin_cli import (
    WIDTH,
    Env,
    Refused,
    Usage,
    _class_key,
    command,
    command_group,
    in_session,
)

if TYPE_CHECKING:
    from api_client.models import (
        BellScheduleInfo,
        SetupClass,
        SetupHoliday,
        SetupPeriod,
        SetupRoom,
        SetupSubject,
        SetupYear,
    )
    from diary_tui.data import DiaryData

T = TypeVar("T")

ORDER = (
    "school",
    "years",
    "year",
    "periods",
    "period",
    "holidays",
    "holiday",
    "bells",
    "bell",
    "subjects",
    "subject",
    "rooms",
    "room",
    "classes",
    "class",
    "groups",
    "group",
    "assignments",
    "assignment",
    "timetable",
    "import",
)
"""``diary admin setup``'s commands in the order a school sets itself up; others follow."""

PERIOD_KINDS = ("quarter", "trimester", "half")
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLASS = re.compile(r"^\s*(\d{1,2})\s*-?\s*(\S{1,4})\s*$")


# --- what the user typed -----------------------------------------------------------------------


def day(text: str) -> dt.date:
    """A date as a Russian school writes it (``01.09.2026``, ``1.9.2026``) or ISO."""
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def weekdays(text: str) -> list[int]:
    """``mon-fri``, ``mon,wed,fri``, ``sat``, ``пн-пт``; ``none`` for no weekday."""
    days = weekdays_of(text)
    if days is None:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a list of weekdays: write it like mon-fri or mon,wed,sat").format(
                text=text
            )
        )
    return days


def bell(text: str) -> tuple[int, str, str]:
    """``1=08:30-09:15``: the lesson's number, its start and end (``setup_files.bell_of``)."""
    try:
        return bell_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def class_name(text: str) -> tuple[int, str]:
    """``5А``, ``5 А``, ``5-а``: the grade and the letter."""
    found = CLASS.match(text)
    if not found:
        raise argparse.ArgumentTypeError(
            _("{text!r} is not a class: write its grade and letter, like 5А").format(text=text)
        )
    return int(found[1]), found[2]


def capacity(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(_("{text!r} is not a number of seats").format(text=text))
    return int(text)


# --- the parsers -------------------------------------------------------------------------------


def hook(commands: Any) -> None:
    """Add the set-up commands to ``diary admin setup`` and put them in a school's order."""
    admin = commands.choices.get("admin")
    if admin is None:
        return
    commands_of_admin = subparsers_of(admin)
    setup = commands_of_admin.choices.get("setup")
    if setup is None:
        return
    for action in commands_of_admin._choices_actions:
        if action.dest == "setup":
            action.help = _(
                "the school's set-up in order: school, years, periods, holidays, bells, "
                "subjects, rooms, classes, groups, assignments, timetable (by hand or from files)"
            )
    sub = subparsers_of(setup)
    add_commands(sub)
    rank = {name: index for index, name in enumerate(ORDER)}
    sub._choices_actions.sort(key=lambda action: rank.get(action.dest, len(ORDER)))
    setup.description = _(
        "The school's set-up, in the order a school does it: the school, its year with "
        "periods and holidays, bell schedules, subjects, rooms, classes; then the people "
        "(diary admin import), groups, teaching assignments and the timetable. Each thing "
        "can also be imported from a file (diary admin setup import). See docs/setup.md."
    )


def subparsers_of(parser: argparse.ArgumentParser) -> Any:
    """The subcommands of ``parser`` (``diary admin``'s, or ``diary admin setup``'s)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(parser.prog)


def _command(sub: Any, name: str, help: str, run: Callable[..., Awaitable[int]]) -> Any:
    parser = command(sub, name, help, run=run_setup)
    parser.set_defaults(setup_run=run)
    return parser


def _verbs(sub: Any, name: str, help: str) -> Any:
    return command_group(sub, name, help, dest=f"{name}_verb", metavar="VERB")


def _year_option(parser: Any) -> None:
    parser.add_argument(
        "--year",
        metavar="YEAR",
        help=_("the academic year, like 2026/2027 (default: the newest one not closed)"),
    )


def add_commands(sub: Any) -> None:
    school = _command(
        sub, "school", _("show the school, or change its name, zone or language"), _school
    )
    school.add_argument("--name", help=_("the school's name, as families know it"))
    school.add_argument("--timezone", metavar="ZONE", help=_("its time zone, like Europe/Moscow"))
    school.add_argument("--lang", choices=("ru", "en"), help=_("its language"))

    _command(sub, "years", _("list the academic years with their periods and holidays"), _years)
    year = _verbs(sub, "year", _("create, change or retire an academic year"))
    add = _command(year, "add", _("create an academic year"), _year_add)
    add.add_argument("name", metavar="NAME", help=_("like 2026/2027"))
    add.add_argument("start", metavar="FROM", type=day, help=_("its first day, like 01.09.2026"))
    add.add_argument("end", metavar="TO", type=day, help=_("its last day, like 31.05.2027"))
    change = _command(year, "change", _("change an academic year's name or dates"), _year_change)
    change.add_argument("year", metavar="YEAR")
    change.add_argument("--name", help=_("a new name"))
    change.add_argument("--from", dest="start", type=day, metavar="DATE", help=_("a new first day"))
    change.add_argument("--to", dest="end", type=day, metavar="DATE", help=_("a new last day"))
    retire = _command(
        year, "retire", _("retire an academic year (kept, hidden from new choices)"), _year_retire
    )
    retire.add_argument("year", metavar="YEAR")
    retire.add_argument("--undo", action="store_true", help=_("bring a retired year back"))

    periods = _command(sub, "periods", _("list a year's periods"), _periods)
    _year_option(periods)
    period = _verbs(sub, "period", _("add, change or remove a quarter, trimester or half"))
    add = _command(period, "add", _("add a period to a year"), _period_add)
    add.add_argument("kind", metavar="KIND", choices=PERIOD_KINDS, help=", ".join(PERIOD_KINDS))
    add.add_argument("number", metavar="NUMBER", type=int, help=_("1 for the first"))
    add.add_argument("start", metavar="FROM", type=day)
    add.add_argument("end", metavar="TO", type=day)
    add.add_argument("--name", default="", help=_("default: like 1 четверть"))
    _year_option(add)
    change = _command(
        period, "change", _("change a period's number, name or dates"), _period_change
    )
    change.add_argument("period", metavar="PERIOD", help=_("its number in the year, or its name"))
    change.add_argument("--number", type=int)
    change.add_argument("--name")
    change.add_argument("--from", dest="start", type=day, metavar="DATE")
    change.add_argument("--to", dest="end", type=day, metavar="DATE")
    _year_option(change)
    remove = _command(
        period, "remove", _("remove a period (only while it has no period marks)"), _period_remove
    )
    remove.add_argument("period", metavar="PERIOD", help=_("its number in the year, or its name"))
    _year_option(remove)

    holidays = _command(sub, "holidays", _("list a year's holidays"), _holidays)
    _year_option(holidays)
    holiday = _verbs(sub, "holiday", _("add or remove a day off or a school break"))
    add = _command(holiday, "add", _("add a day off, or every day of a break"), _holiday_add)
    add.add_argument("start", metavar="FROM", type=day)
    add.add_argument("end", metavar="TO", type=day, nargs="?", help=_("the break's last day"))
    add.add_argument("--name", default="", help=_("like Зимние каникулы"))
    _year_option(add)
    remove = _command(
        holiday, "remove", _("remove a day off, or every day of a break"), _holiday_remove
    )
    remove.add_argument("start", metavar="FROM", type=day)
    remove.add_argument("end", metavar="TO", type=day, nargs="?")
    _year_option(remove)

    _command(sub, "bells", _("list the bell schedules"), _bells)
    bells = _verbs(sub, "bell", _("create, change or retire a bell schedule; give a date one"))
    add = _command(bells, "add", _("create a bell schedule"), _bell_add)
    add.add_argument("name", metavar="NAME", help=_("like Основное or Суббота"))
    add.add_argument("bells", metavar="BELL", type=bell, nargs="+", help=_("like 1=08:30-09:15"))
    add.add_argument(
        "--weekdays",
        type=weekdays,
        default=[],
        metavar="DAYS",
        help=_("the weekdays it holds, like mon-fri or sat (default: none)"),
    )
    change = _command(
        bells, "change", _("change a bell schedule's name, weekdays or bells"), _bell_change
    )
    change.add_argument("schedule", metavar="NAME")
    change.add_argument("bells", metavar="BELL", type=bell, nargs="*", help=_("all its bells anew"))
    change.add_argument("--name", help=_("a new name"))
    change.add_argument("--weekdays", type=weekdays, metavar="DAYS")
    retire = _command(bells, "retire", _("retire a bell schedule"), _bell_retire)
    retire.add_argument("schedule", metavar="NAME")
    retire.add_argument("--undo", action="store_true", help=_("bring it back"))
    bell_day = _command(
        bells, "day", _("give a date a bell schedule (a shortened day), or give it back"), _bell_day
    )
    bell_day.add_argument("date", metavar="DATE", type=day)
    bell_day.add_argument(
        "schedule", metavar="NAME", nargs="?", help=_("none: the weekday's schedule again")
    )

    for noun, plural, lister, what in (
        ("subject", "subjects", _subjects, _("subjects")),
        ("room", "rooms", _rooms, _("rooms")),
    ):
        _command(sub, plural, _("list the {what}").format(what=what), lister)
        verbs = _verbs(sub, noun, _("create, change or retire {what}").format(what=what))
        add = _command(verbs, "add", _("create one"), _catalog_add)
        add.add_argument("name", metavar="NAME")
        change = _command(verbs, "change", _("change one"), _catalog_change)
        change.add_argument("target", metavar="NAME")
        change.add_argument("--name", help=_("a new name"))
        retire = _command(
            verbs, "retire", _("retire one (kept, hidden from new choices)"), _catalog_retire
        )
        retire.add_argument("target", metavar="NAME")
        retire.add_argument("--undo", action="store_true", help=_("bring it back"))
        for parser in (add, change, retire):
            parser.set_defaults(noun=noun)
        if noun == "room":
            for parser in (add, change):
                parser.add_argument("--capacity", type=capacity, metavar="SEATS")
                parser.add_argument("--note", help=_("like кабинет информатики"))

    classes = _command(sub, "classes", _("list a year's classes"), _classes)
    _year_option(classes)
    cls = _verbs(sub, "class", _("create, change or retire a class"))
    add = _command(cls, "add", _("create a class"), _class_add)
    add.add_argument("name", metavar="CLASS", type=class_name, help=_("grade and letter, like 5А"))
    add.add_argument("--teacher", metavar="LOGIN|NAME", help=_("the class teacher"))
    _year_option(add)
    change = _command(
        cls, "change", _("change a class's grade, letter or class teacher"), _class_change
    )
    change.add_argument("target", metavar="CLASS")
    change.add_argument("--grade", type=int)
    change.add_argument("--letter")
    teacher = change.add_mutually_exclusive_group()
    teacher.add_argument("--teacher", metavar="LOGIN|NAME", help=_("the class teacher"))
    teacher.add_argument("--no-teacher", action="store_true", help=_("leave it without one"))
    _year_option(change)
    retire = _command(cls, "retire", _("retire a class (its pupils and marks stay)"), _class_retire)
    retire.add_argument("target", metavar="CLASS")
    retire.add_argument("--undo", action="store_true", help=_("bring it back"))
    _year_option(retire)

    from diary_tui.admin_schedule import add_commands as add_schedule_commands

    add_schedule_commands(sub)


# --- running -----------------------------------------------------------------------------------


def run_setup(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    run: Callable[[DiaryData, argparse.Namespace, Env], Awaitable[int]] = args.setup_run
    return in_session(args, env, "diary admin setup", lambda data: run(data, args, env))


@dataclass
class Typed:
    """How the command's words map to the request's fields, to name a refusal as typed."""

    fields: dict[str, str] = field(default_factory=dict)
    """The request's field -> the option or argument with the value typed."""
    bells: Sequence[str] = ()
    """The BELL words as typed (``bells[2].start`` names the third)."""

    @classmethod
    def of(cls, args: argparse.Namespace, **options: str) -> Typed:
        """Each field named as the option or argument it was typed with, whose value the
        command's arguments hold under the field's own name: ``Typed.of(args, start="FROM",
        name="--name")`` names a refused ``start`` as ``FROM 01.09.2026``."""
        return cls(
            {field: _option(option, getattr(args, field)) for field, option in options.items()}
        )

    def name(self, wire: str | None) -> str | None:
        if not wire:
            return None
        found = re.match(r"bells\[(\d+)\]", wire)
        if found and int(found[1]) < len(self.bells):
            return self.bells[int(found[1])]
        return self.fields.get(wire) or self.fields.get(wire.split("[")[0].split(".")[0])


async def _send(call: Awaitable[T], typed: Typed, what: str) -> T:
    """The write, its refusal in plain words naming what the user typed."""
    from api_client.errors import Conflict, DiaryError

    try:
        return await call
    except Conflict as exc:
        if exc.field == "version":
            raise Refused(
                _(
                    "someone else changed {what} while this command ran, so nothing was "
                    "changed: look at it again and run the command again"
                ).format(what=what)
            ) from None
        raise Refused(_refusal(exc.message, typed.name(exc.field))) from None
    except DiaryError as exc:
        if exc.problem is None:
            raise
        raise Refused(_refusal(exc.message, typed.name(exc.field))) from None


def _refusal(message: str, typed: str | None) -> str:
    return f"{typed}: {message}" if typed else message


def _option(name: str, value: object) -> str:
    if isinstance(value, dt.date):
        value = value.strftime("%d.%m.%Y")
    return f"{name} {value}"


def _date(value: dt.date) -> str:
    return value.strftime("%d.%m.%Y")


def _fit(text: str, width: int) -> str:
    """One line of at most ``width`` columns (the columns' spaces kept)."""
    text = " ".join(text.splitlines())
    return text if len(text) <= width else text[: width - 1] + "…"


# --- the school --------------------------------------------------------------------------------


async def _school(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client import endpoints
    from api_client.models import SchoolUpdate

    if args.name is None and args.timezone is None and args.lang is None:
        school = await data.load(endpoints.setup_school())
    else:
        typed = Typed(
            {
                "name": _option("--name", args.name),
                "timezone": _option("--timezone", args.timezone),
                "language": _option("--lang", args.lang),
            }
        )
        body = SchoolUpdate(name=args.name, timezone=args.timezone, language=args.lang)
        school = await _send(data.update_school(body), typed, _("the school"))
        env.say(_("Changed."))
    env.wrap(_("School: {name}").format(name=school.name))
    env.say(_("Time zone: {zone}").format(zone=school.timezone))
    env.say(_("Language: {lang}").format(lang=school.language))
    return 0


# --- years, periods, holidays ------------------------------------------------------------------


async def _all_years(data: DiaryData) -> list[SetupYear]:
    from api_client import endpoints

    return list((await data.load(endpoints.setup_years())).years)


def _key(text: str) -> str:
    return "".join(text.split()).casefold().replace("ё", "е")


async def _find_year(data: DiaryData, name: str | None, option: str = "--year") -> SetupYear:
    """The year named (spaces and case aside), else the newest one neither closed nor retired."""
    years = await _all_years(data)
    if name is None:
        for year in years:
            if not year.closed and not year.retired:
                return year
        raise Usage(
            _(
                "the school has no open academic year: create one with "
                "'diary admin setup year add 2026/2027 01.09.2026 31.05.2027'"
            )
        )
    for year in years:
        if _key(year.name) == _key(name):
            return year
    known = ", ".join(y.name for y in years) or _("none")
    raise Usage(
        _("{option} {name}: there is no such year (the school's years: {known})").format(
            option=option, name=name, known=known
        )
    )


async def _years(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    years = await _all_years(data)
    for year in years:
        state = _("closed") if year.closed else _("retired") if year.retired else ""
        env.say(
            _fit(
                f"{year.name:<12} {_date(year.start)} – {_date(year.end)}  "
                + ngettext("{n} period", "{n} periods", len(year.periods)).format(
                    n=len(year.periods)
                )
                + ", "
                + ngettext("{n} holiday", "{n} holidays", len(year.holidays)).format(
                    n=len(year.holidays)
                )
                + (f"  ({state})" if state else ""),
                WIDTH,
            )
        )
    if not years:
        env.say(_("No academic years yet."))
    return 0


def _year_line(year: SetupYear) -> str:
    return _("Year {name}: {start} – {end}").format(
        name=year.name, start=_date(year.start), end=_date(year.end)
    )


async def _year_add(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import YearCreate

    typed = Typed(
        {"name": args.name, "start": _option("FROM", args.start), "end": _option("TO", args.end)}
    )
    body = YearCreate(name=args.name, start=args.start, end=args.end)
    year = await _send(data.create_year(body), typed, args.name)
    env.wrap(_("Created: {year}.").format(year=_year_line(year)))
    return 0


async def _year_change(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import YearUpdate

    year = await _find_year(data, args.year, "YEAR")
    if args.name is None and args.start is None and args.end is None:
        raise Usage(_("say what to change: --name, --from or --to"))
    typed = Typed.of(args, name="--name", start="--from", end="--to")
    body = YearUpdate(version=year.version, name=args.name, start=args.start, end=args.end)
    saved = await _send(data.update_year(year.id, body), typed, year.name)
    env.wrap(_("Changed: {year}.").format(year=_year_line(saved)))
    return 0


async def _year_retire(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import YearUpdate

    year = await _find_year(data, args.year, "YEAR")
    body = YearUpdate(version=year.version, retired=not args.undo)
    saved = await _send(data.update_year(year.id, body), Typed(), year.name)
    if saved.retired:
        env.wrap(_("Year {name} is retired.").format(name=saved.name))
    else:
        env.wrap(_("Year {name} is back in use.").format(name=saved.name))
    return 0


def _period_line(period: SetupPeriod) -> str:
    return f"{period.number}  {period.name:<20} {_date(period.start)} – {_date(period.end)}"


def _find_period(year: SetupYear, text: str) -> SetupPeriod:
    for period in year.periods:
        if text.strip() == str(period.number) or _key(period.name) == _key(text):
            return period
    known = ", ".join(f"{p.number} ({p.name})" for p in year.periods) or _("none")
    raise Usage(
        _("PERIOD {text}: year {year} has no such period (its periods: {known})").format(
            text=text, year=year.name, known=known
        )
    )


async def _periods(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    year = await _find_year(data, args.year)
    env.wrap(_year_line(year))
    for period in year.periods:
        env.say("  " + _period_line(period))
    if not year.periods:
        env.say("  " + _("No periods yet."))
    return 0


async def _period_add(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import PeriodCreate, PeriodKind

    year = await _find_year(data, args.year)
    typed = Typed.of(args, kind="KIND", number="NUMBER", start="FROM", end="TO", name="--name")
    if not 1 <= args.number <= 6:
        raise Refused(_refusal(_("a year has periods 1 to 6"), typed.name("number")))
    body = PeriodCreate(
        kind=PeriodKind(args.kind),
        number=args.number,
        start=args.start,
        end=args.end,
        name=args.name,
    )
    period = await _send(data.add_period(year.id, body), typed, year.name)
    env.wrap(_("Added to {year}: {period}").format(year=year.name, period=_period_line(period)))
    return 0


async def _period_change(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import PeriodUpdate

    year = await _find_year(data, args.year)
    period = _find_period(year, args.period)
    if all(v is None for v in (args.number, args.name, args.start, args.end)):
        raise Usage(_("say what to change: --number, --name, --from or --to"))
    typed = Typed.of(args, number="--number", name="--name", start="--from", end="--to")
    if args.number is not None and not 1 <= args.number <= 6:
        raise Refused(_refusal(_("a year has periods 1 to 6"), typed.name("number")))
    body = PeriodUpdate(
        version=period.version,
        number=args.number,
        name=args.name,
        start=args.start,
        end=args.end,
    )
    saved = await _send(data.update_period(period.id, body), typed, period.name)
    env.wrap(_("Changed: {period}").format(period=_period_line(saved)))
    return 0


async def _period_remove(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import Removal

    year = await _find_year(data, args.year)
    period = _find_period(year, args.period)
    await _send(
        data.remove_period(period.id, Removal(version=period.version)),
        Typed({"period": _option("PERIOD", args.period)}),
        period.name,
    )
    env.wrap(_("Removed {period} from {year}.").format(period=period.name, year=year.name))
    return 0


def _holiday_spans(holidays: Sequence[SetupHoliday]) -> list[tuple[dt.date, dt.date, str]]:
    """Days off in a row under one name as one break."""
    spans: list[tuple[dt.date, dt.date, str]] = []
    for holiday in sorted(holidays, key=lambda h: h.date):
        if spans:
            start, end, name = spans[-1]
            if name == holiday.name and holiday.date == end + dt.timedelta(days=1):
                spans[-1] = (start, holiday.date, name)
                continue
        spans.append((holiday.date, holiday.date, holiday.name))
    return spans


async def _holidays(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    year = await _find_year(data, args.year)
    env.wrap(_year_line(year))
    for start, end, name in _holiday_spans(year.holidays):
        when = _date(start) if start == end else f"{_date(start)} – {_date(end)}"
        env.say(_fit(f"  {when:<25} {name}", WIDTH))
    if not year.holidays:
        env.say("  " + _("No holidays yet."))
    return 0


async def _holiday_add(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import HolidayCreate

    year = await _find_year(data, args.year)
    typed = Typed.of(args, start="FROM", end="TO", name="--name")
    body = HolidayCreate(start=args.start, end=args.end, name=args.name)
    added = await _send(data.add_holidays(year.id, body), typed, year.name)
    count = len(added.holidays)
    env.wrap(
        ngettext("Added {n} day off to {year}.", "Added {n} days off to {year}.", count).format(
            n=count, year=year.name
        )
    )
    return 0


async def _holiday_remove(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import Removal

    year = await _find_year(data, args.year)
    end = args.end or args.start
    chosen = [h for h in year.holidays if args.start <= h.date <= end]
    if not chosen:
        raise Refused(
            _("FROM {start}: year {year} has no holiday on these days").format(
                start=_date(args.start), year=year.name
            )
        )
    for holiday in chosen:
        await _send(
            data.remove_holiday(holiday.id, Removal(version=holiday.version)),
            Typed(),
            _date(holiday.date),
        )
    count = len(chosen)
    env.wrap(
        ngettext(
            "Removed {n} day off from {year}.", "Removed {n} days off from {year}.", count
        ).format(n=count, year=year.name)
    )
    return 0


# --- bell schedules ----------------------------------------------------------------------------


async def _all_schedules(data: DiaryData) -> list[BellScheduleInfo]:
    from api_client import endpoints

    return list((await data.load(endpoints.setup_bell_schedules())).schedules)


async def _find_schedule(data: DiaryData, name: str, option: str = "NAME") -> BellScheduleInfo:
    schedules = await _all_schedules(data)
    for schedule in schedules:
        if _key(schedule.name) == _key(name) or name.strip() == str(schedule.id):
            return schedule
    known = ", ".join(s.name for s in schedules) or _("none")
    raise Usage(
        _("{option} {name}: there is no such bell schedule (the school's: {known})").format(
            option=option, name=name, known=known
        )
    )


def _weekday_text(days: Sequence[int]) -> str:
    return ",".join(WEEKDAY_NAMES[d] for d in days) or "-"


def _bell_times(typed: Sequence[tuple[int, str, str]]) -> list[Any]:
    from api_client.models import BellTime

    return [BellTime(number=n, start=start, end=end) for n, start, end in typed]


def _bell_words(typed: Sequence[tuple[int, str, str]]) -> list[str]:
    return [f"BELL {n}={start}-{end}" for n, start, end in typed]


def _print_schedule(schedule: BellScheduleInfo, env: Env) -> None:
    flags = [_("main")] if schedule.main else []
    if schedule.retired:
        flags.append(_("retired"))
    head = f"{schedule.name}  [{_weekday_text(schedule.weekdays)}]"
    if flags:
        head += "  (" + ", ".join(flags) + ")"
    env.say(_fit(head, WIDTH))
    bells = [f"{b.number}={b.start}-{b.end}" for b in schedule.bells]
    env.wrap("  " + "  ".join(bells), "  ")
    if schedule.days:
        env.wrap(
            "  " + _("Dates: {days}").format(days=", ".join(_date(d) for d in schedule.days)), "  "
        )


async def _bells(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    schedules = await _all_schedules(data)
    for schedule in schedules:
        _print_schedule(schedule, env)
    if not schedules:
        env.say(_("No bell schedules yet."))
    return 0


async def _bell_add(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import BellScheduleCreate

    typed = Typed(
        {"name": args.name, "weekdays": _option("--weekdays", _weekday_text(args.weekdays))},
        _bell_words(args.bells),
    )
    body = BellScheduleCreate(name=args.name, bells=_bell_times(args.bells), weekdays=args.weekdays)
    schedule = await _send(data.create_bell_schedule(body), typed, args.name)
    env.say(_("Created:"))
    _print_schedule(schedule, env)
    return 0


async def _bell_change(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import BellScheduleUpdate

    schedule = await _find_schedule(data, args.schedule)
    if args.name is None and args.weekdays is None and not args.bells:
        raise Usage(_("say what to change: --name, --weekdays or the bells"))
    typed = Typed(
        {
            "name": _option("--name", args.name),
            "weekdays": _option("--weekdays", _weekday_text(args.weekdays or [])),
        },
        _bell_words(args.bells),
    )
    body = BellScheduleUpdate(
        version=schedule.version,
        name=args.name,
        weekdays=args.weekdays,
        bells=_bell_times(args.bells) if args.bells else None,
    )
    saved = await _send(data.update_bell_schedule(schedule.id, body), typed, schedule.name)
    env.say(_("Changed:"))
    _print_schedule(saved, env)
    return 0


async def _bell_retire(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import BellScheduleUpdate

    schedule = await _find_schedule(data, args.schedule)
    body = BellScheduleUpdate(version=schedule.version, retired=not args.undo)
    saved = await _send(
        data.update_bell_schedule(schedule.id, body),
        Typed({"retired": _option("NAME", args.schedule)}),
        schedule.name,
    )
    word = _("is retired") if saved.retired else _("is back in use")
    env.wrap(_("Bell schedule {name} {state}.").format(name=saved.name, state=word))
    return 0


async def _bell_day(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import BellDaySet

    schedule = await _find_schedule(data, args.schedule) if args.schedule else None
    typed = Typed(
        {"date": _option("DATE", args.date), "schedule_id": _option("NAME", args.schedule)}
    )
    body = BellDaySet(date=args.date, schedule_id=schedule.id if schedule else None)
    await _send(data.set_bell_day(body), typed, _date(args.date))
    if schedule is None:
        env.wrap(
            _("{date} follows its weekday's bell schedule again.").format(date=_date(args.date))
        )
    else:
        env.wrap(
            _("{date} follows the bell schedule {name}.").format(
                date=_date(args.date), name=schedule.name
            )
        )
    return 0


# --- subjects and rooms ------------------------------------------------------------------------


async def _catalog(data: DiaryData, noun: str) -> list[Any]:
    from api_client import endpoints

    if noun == "subject":
        return list((await data.load(endpoints.setup_subjects())).subjects)
    return list((await data.load(endpoints.setup_rooms())).rooms)


async def _subjects(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    subjects: list[SetupSubject] = await _catalog(data, "subject")
    for subject in subjects:
        retired = "  (" + _("retired") + ")" if subject.retired else ""
        env.say(_fit(f"{subject.name}{retired}", WIDTH))
    env.say(ngettext("{n} subject.", "{n} subjects.", len(subjects)).format(n=len(subjects)))
    return 0


async def _rooms(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    rooms: list[SetupRoom] = await _catalog(data, "room")
    for room in rooms:
        seats = str(room.capacity) if room.capacity else "-"
        retired = "  (" + _("retired") + ")" if room.retired else ""
        env.say(_fit(f"{room.name[:20]:<20} {seats:>5}  {room.note}{retired}", WIDTH))
    env.say(ngettext("{n} room.", "{n} rooms.", len(rooms)).format(n=len(rooms)))
    return 0


def _noun(noun: str) -> str:
    return _("subject") if noun == "subject" else _("room")


async def _find_item(data: DiaryData, noun: str, name: str) -> Any:
    items = await _catalog(data, noun)
    for item in items:
        if _key(item.name) == _key(name):
            return item
    raise Usage(
        _("NAME {name}: there is no such {what} (see diary admin setup {list})").format(
            name=name, what=_noun(noun), list=noun + "s"
        )
    )


async def _catalog_add(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import RoomCreate, SubjectCreate

    typed = Typed(
        {
            "name": _option("NAME", args.name),
            "capacity": _option("--capacity", getattr(args, "capacity", None)),
            "note": _option("--note", getattr(args, "note", None)),
        }
    )
    if args.noun == "subject":
        made: Any = await _send(
            data.create_subject(SubjectCreate(name=args.name)), typed, args.name
        )
    else:
        body = RoomCreate(name=args.name, capacity=args.capacity or 0, note=args.note or "")
        made = await _send(data.create_room(body), typed, args.name)
    env.wrap(_("Created {what} {name}.").format(what=_noun(args.noun), name=made.name))
    return 0


async def _catalog_change(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import RoomUpdate, SubjectUpdate

    item = await _find_item(data, args.noun, args.target)
    typed = Typed(
        {
            "name": _option("--name", args.name),
            "capacity": _option("--capacity", getattr(args, "capacity", None)),
            "note": _option("--note", getattr(args, "note", None)),
        }
    )
    if args.noun == "subject":
        if args.name is None:
            raise Usage(_("say what to change: --name"))
        saved: Any = await _send(
            data.update_subject(item.id, SubjectUpdate(version=item.version, name=args.name)),
            typed,
            item.name,
        )
    else:
        if args.name is None and args.capacity is None and args.note is None:
            raise Usage(_("say what to change: --name, --capacity or --note"))
        body = RoomUpdate(
            version=item.version, name=args.name, capacity=args.capacity, note=args.note
        )
        saved = await _send(data.update_room(item.id, body), typed, item.name)
    env.wrap(_("Changed {what} {name}.").format(what=_noun(args.noun), name=saved.name))
    return 0


async def _catalog_retire(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import RoomUpdate, SubjectUpdate

    item = await _find_item(data, args.noun, args.target)
    retired = not args.undo
    if args.noun == "subject":
        call: Awaitable[Any] = data.update_subject(
            item.id, SubjectUpdate(version=item.version, retired=retired)
        )
    else:
        call = data.update_room(item.id, RoomUpdate(version=item.version, retired=retired))
    saved = await _send(call, Typed(), item.name)
    word = _("is retired") if saved.retired else _("is back in use")
    env.wrap(f"{saved.name} {word}.")
    return 0


# --- classes -----------------------------------------------------------------------------------


async def _teacher_id(data: DiaryData, text: str, option: str = "--teacher") -> tuple[int, str]:
    """A teacher of the school by login, or by name when the name fits one teacher."""
    from api_client import endpoints
    from api_client.models import Role

    wanted = text.strip()
    found = (await data.load(endpoints.users(wanted, Role.TEACHER, limit=50))).items
    for user in found:
        if user.login == wanted.lower():
            return user.id, user.full_name
    if len(found) == 1:
        return found[0].id, found[0].full_name
    if not found:
        raise Usage(
            _("{option} {text}: no teacher of the school has this login or name").format(
                option=option, text=text
            )
        )
    who = ", ".join(f"{u.full_name} ({u.login})" for u in found[:5])
    raise Usage(
        _("{option} {text}: several teachers fit ({who}): give the login").format(
            option=option, text=text, who=who
        )
    )


async def _year_classes(data: DiaryData, year: SetupYear) -> list[SetupClass]:
    from api_client import endpoints

    return list((await data.load(endpoints.setup_classes(year.id))).classes)


async def _find_class(data: DiaryData, year: SetupYear, text: str) -> SetupClass:
    wanted = _class_key(text)
    classes = await _year_classes(data, year)
    for cls in classes:
        if _class_key(cls.name) == wanted:
            return cls
    known = ", ".join(c.name for c in classes) or _("none")
    raise Usage(
        _("CLASS {text}: year {year} has no such class (its classes: {known})").format(
            text=text, year=year.name, known=known
        )
    )


async def _classes(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    year = await _find_year(data, args.year)
    classes = await _year_classes(data, year)
    env.wrap(_year_line(year))
    for cls in classes:
        teacher = cls.class_teacher.name if cls.class_teacher else "-"
        pupils = ngettext("{n} pupil", "{n} pupils", cls.pupils).format(n=cls.pupils)
        retired = "  (" + _("retired") + ")" if cls.retired else ""
        env.say(_fit(f"  {cls.name:<5} {pupils:<14} {teacher}{retired}", WIDTH))
    env.say(ngettext("{n} class.", "{n} classes.", len(classes)).format(n=len(classes)))
    return 0


def _class_line(cls: SetupClass) -> str:
    teacher = cls.class_teacher.name if cls.class_teacher else _("no class teacher")
    return f"{cls.name} ({teacher})"


async def _class_add(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import ClassCreate

    year = await _find_year(data, args.year)
    grade, letter = args.name
    teacher_id = (await _teacher_id(data, args.teacher))[0] if args.teacher else None
    typed = Typed(
        {
            "grade": _option("CLASS", f"{grade}{letter}"),
            "letter": _option("CLASS", f"{grade}{letter}"),
            "class_teacher_id": _option("--teacher", args.teacher),
            "year_id": _option("--year", year.name),
        }
    )
    body = ClassCreate(year_id=year.id, grade=grade, letter=letter, class_teacher_id=teacher_id)
    made = await _send(data.create_class(body), typed, f"{grade}{letter}")
    env.wrap(_("Created class {cls} in {year}.").format(cls=_class_line(made), year=year.name))
    return 0


async def _class_change(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    import msgspec

    from api_client.models import ClassUpdate

    year = await _find_year(data, args.year)
    cls = await _find_class(data, year, args.target)
    if args.grade is None and args.letter is None and args.teacher is None and not args.no_teacher:
        raise Usage(_("say what to change: --grade, --letter, --teacher or --no-teacher"))
    teacher: int | msgspec.UnsetType | None = msgspec.UNSET
    if args.teacher:
        teacher = (await _teacher_id(data, args.teacher))[0]
    elif args.no_teacher:
        teacher = None
    typed = Typed(
        {
            "grade": _option("--grade", args.grade),
            "letter": _option("--letter", args.letter),
            "class_teacher_id": _option("--teacher", args.teacher),
        }
    )
    body = ClassUpdate(
        version=cls.version, grade=args.grade, letter=args.letter, class_teacher_id=teacher
    )
    saved = await _send(data.update_class(cls.id, body), typed, cls.name)
    env.wrap(_("Changed class {cls}.").format(cls=_class_line(saved)))
    return 0


async def _class_retire(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import ClassUpdate

    year = await _find_year(data, args.year)
    cls = await _find_class(data, year, args.target)
    body = ClassUpdate(version=cls.version, retired=not args.undo)
    saved = await _send(data.update_class(cls.id, body), Typed(), cls.name)
    word = _("is retired") if saved.retired else _("is back in use")
    env.wrap(_("Class {name} {state}.").format(name=saved.name, state=word))
    return 0
