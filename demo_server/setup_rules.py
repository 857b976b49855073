"""The rules of a school's set-up, with no database: what a school, a year, its periods and
holidays, a bell schedule, a subject, a room and a class must be, and the rows they are
stored as.

Both the set-up services (:mod:`demo_server.setup_calendar`, :mod:`demo_server.setup_bells`,
:mod:`demo_server.setup_catalog`, :mod:`demo_server.setup_school`) and the demo generator
build their rows here, so every demo school passes the same checks a real school's IT staff
meet. A refusal is a :class:`~demo_server.problems.ProblemError` naming the field and, for a
collision, the other object (:class:`api_client.models.Conflict`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from api_client import models as m
from api_client import names
from api_client.i18n import N_, _
from demo_server.problems import ProblemError

LANGUAGES = ("ru", "en")
MAX_YEAR_DAYS = 400
"""An academic year is at most this long (a year and a month)."""

PERIOD_NAMES = {
    "ru": {
        m.PeriodKind.QUARTER: "{n} четверть",
        m.PeriodKind.TRIMESTER: "{n} триместр",
        m.PeriodKind.HALF: "{n} полугодие",
    },
    "en": {
        m.PeriodKind.QUARTER: "Quarter {n}",
        m.PeriodKind.TRIMESTER: "Trimester {n}",
        m.PeriodKind.HALF: "Half {n}",
    },
}
"""A period's name when set-up is given none, in the school's language."""

PERIODS_IN_YEAR = {m.PeriodKind.QUARTER: 4, m.PeriodKind.TRIMESTER: 3, m.PeriodKind.HALF: 2}

# The refusals' words for each kind of period, a sentence each where Russian needs its own
# grammar (the number's ending agrees with the kind: 2-я четверть, 2-й триместр).
KIND = {
    m.PeriodKind.QUARTER: N_("quarter"),
    m.PeriodKind.TRIMESTER: N_("trimester"),
    m.PeriodKind.HALF: N_("half"),
}
KINDS_PLURAL = {
    m.PeriodKind.QUARTER: N_("quarters"),
    m.PeriodKind.TRIMESTER: N_("trimesters"),
    m.PeriodKind.HALF: N_("halves"),
}
ALREADY_HAS = {
    m.PeriodKind.QUARTER: N_("the year already has quarter {number}: {name}"),
    m.PeriodKind.TRIMESTER: N_("the year already has trimester {number}: {name}"),
    m.PeriodKind.HALF: N_("the year already has half {number}: {name}"),
}
NO_SUCH_PERIOD = {
    m.PeriodKind.QUARTER: N_("a year has 4 quarters; there is no quarter {number}"),
    m.PeriodKind.TRIMESTER: N_("a year has 3 trimesters; there is no trimester {number}"),
    m.PeriodKind.HALF: N_("a year has 2 halves; there is no half {number}"),
}
OUTSIDE_YEAR = {
    "start": N_("the period's start {day} is outside the year {name} ({start} to {end})"),
    "end": N_("the period's end {day} is outside the year {name} ({start} to {end})"),
}


@dataclass(frozen=True, slots=True)
class Span:
    """A thing with dates: a year or a period, named for a refusal."""

    kind: str
    id: int
    name: str
    start: dt.date
    end: dt.date

    def conflict(self) -> m.Conflict:
        return m.Conflict(kind=self.kind, id=self.id, name=self.name)


def conflict(kind: str, id: int, name: str, detail: str, field: str) -> ProblemError:
    """A 409 saying ``detail``, naming the ``field`` and the other object."""
    return ProblemError(409, detail, field=field, conflict=m.Conflict(kind=kind, id=id, name=name))


def bad(detail: str, field: str) -> ProblemError:
    return ProblemError(422, detail, field=field)


# --- the school -------------------------------------------------------------------------------


def check_timezone(name: str, field: str = "timezone") -> str:
    """``name`` when it is an IANA time zone this machine knows (``Europe/Moscow``)."""
    name = name.strip()
    try:
        if not name or name.startswith("/") or ".." in name:
            raise ValueError(name)
        zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise bad(
            _(
                "{name} is not a time zone: give an IANA name such as Europe/Moscow, "
                "Asia/Yekaterinburg or Europe/London"
            ).format(name=repr(name)),
            field,
        ) from None
    return name


def check_language(code: str, field: str = "language") -> str:
    if code not in LANGUAGES:
        raise bad(
            _("{code} is not a language of the diary: choose one of {languages}").format(
                code=repr(code), languages=", ".join(LANGUAGES)
            ),
            field,
        )
    return code


def check_school_name(name: str, field: str = "name") -> str:
    name = " ".join(name.split())
    if not name:
        raise bad(_("the school's name is empty: give its name as families know it"), field)
    if len(name) > m.TITLE_MAX_LENGTH:
        raise bad(
            _("the school's name is longer than {n} characters").format(n=m.TITLE_MAX_LENGTH),
            field,
        )
    return name


def school_row(name: str, timezone: str, language: str) -> dict[str, Any]:
    return {
        "name": check_school_name(name),
        "timezone": check_timezone(timezone),
        "language": check_language(language),
        "mark_min": 1,
        "mark_max": 5,
        "show_class_rating": True,
        "reason_after_days": 7,
    }


# --- the calendar -----------------------------------------------------------------------------


def check_year(name: str, start: dt.date, end: dt.date, field: str = "end") -> None:
    if not name.strip():
        raise bad(_("the year's name is empty: name it like 2026/2027"), "name")
    if end <= start:
        raise bad(
            _("the year ends ({end}) on or before it starts ({start})").format(
                end=end, start=start
            ),
            field,
        )
    if (end - start).days > MAX_YEAR_DAYS:
        raise bad(
            _(
                "a year from {start} to {end} is longer than {days} days: "
                "a school year runs from autumn to summer"
            ).format(start=start, end=end, days=MAX_YEAR_DAYS),
            field,
        )


def check_years_apart(start: dt.date, end: dt.date, others: Iterable[Span]) -> None:
    """Two years of one school may not overlap."""
    for other in others:
        if start <= other.end and other.start <= end:
            raise conflict(
                "year",
                other.id,
                other.name,
                _("these dates overlap the year {name} ({start} to {end})").format(
                    name=other.name, start=other.start, end=other.end
                ),
                "start",
            )


def year_row(school_id: int, name: str, start: dt.date, end: dt.date) -> dict[str, Any]:
    name = " ".join(name.split())
    check_year(name, start, end)
    return {"school_id": school_id, "name": name, "start": start, "end": end}


def period_name(kind: m.PeriodKind, number: int, language: str) -> str:
    return PERIOD_NAMES.get(language, PERIOD_NAMES["en"])[kind].format(n=number)


def check_period(
    year: Span,
    kind: m.PeriodKind,
    number: int,
    start: dt.date,
    end: dt.date,
    others: Sequence[tuple[Span, m.PeriodKind, int]],
) -> None:
    """A period lies inside its year, after its start, overlaps none of the year's ``others``
    (each with its kind and number), shares the year's kind of period and not its number."""
    if end < start:
        raise bad(
            _("the period ends ({end}) before it starts ({start})").format(end=end, start=start),
            "end",
        )
    for field, day in (("start", start), ("end", end)):
        if not year.start <= day <= year.end:
            raise conflict(
                "year",
                year.id,
                year.name,
                _(OUTSIDE_YEAR[field]).format(
                    day=day, name=year.name, start=year.start, end=year.end
                ),
                field,
            )
    for other, other_kind, other_number in others:
        if other_kind is not kind:
            raise conflict(
                "period",
                other.id,
                other.name,
                _(
                    "the year is divided into {kinds} ({name}); "
                    "a {kind} cannot be added beside them"
                ).format(kinds=_(KINDS_PLURAL[other_kind]), name=other.name, kind=_(KIND[kind])),
                "kind",
            )
        if other_number == number:
            raise conflict(
                "period",
                other.id,
                other.name,
                _(ALREADY_HAS[kind]).format(number=number, name=other.name),
                "number",
            )
        if start <= other.end and other.start <= end:
            raise conflict(
                "period",
                other.id,
                other.name,
                _("{start} to {end} overlaps {name} ({other_start} to {other_end})").format(
                    start=start,
                    end=end,
                    name=other.name,
                    other_start=other.start,
                    other_end=other.end,
                ),
                "start" if other.start <= start <= other.end else "end",
            )
    if number > PERIODS_IN_YEAR[kind]:
        raise bad(_(NO_SUCH_PERIOD[kind]).format(number=number), "number")


def period_row(
    year: Span,
    kind: m.PeriodKind,
    number: int,
    start: dt.date,
    end: dt.date,
    name: str,
    others: Sequence[tuple[Span, m.PeriodKind, int]],
    language: str,
) -> dict[str, Any]:
    check_period(year, kind, number, start, end, others)
    return {
        "year_id": year.id,
        "kind": kind.value,
        "number": number,
        "name": " ".join(name.split()) or period_name(kind, number, language),
        "start": start,
        "end": end,
    }


def check_holiday(year: Span, day: dt.date, field: str = "start") -> None:
    if not year.start <= day <= year.end:
        raise conflict(
            "year",
            year.id,
            year.name,
            _("the holiday {day} is outside the year {name} ({start} to {end})").format(
                day=day, name=year.name, start=year.start, end=year.end
            ),
            field,
        )


def holiday_days(start: dt.date, end: dt.date | None) -> list[dt.date]:
    """Every day from ``start`` to ``end`` (a break), or ``start`` alone."""
    last = end or start
    if last < start:
        raise bad(
            _("the holiday ends ({end}) before it starts ({start})").format(end=last, start=start),
            "end",
        )
    if (last - start).days > 92:
        raise bad(_("a holiday of more than three months is not a holiday: check the dates"), "end")
    return [start + dt.timedelta(days=n) for n in range((last - start).days + 1)]


def holiday_row(school_id: int, year: Span, day: dt.date, name: str) -> dict[str, Any]:
    check_holiday(year, day)
    return {"school_id": school_id, "date": day, "name": " ".join(name.split())}


# --- bells ------------------------------------------------------------------------------------


CLOCK = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def check_clock(value: str, field: str) -> None:
    if CLOCK.fullmatch(value) is None:
        raise bad(
            _("{value} is not a time of day: write it as HH:MM, like 08:30").format(
                value=repr(value)
            ),
            field,
        )


def check_bells(bells: Sequence[tuple[int, str, str]], field: str = "bells") -> None:
    """Each lesson ends after it starts; numbers are each used once; in number order each
    lesson starts after the one before has ended."""
    seen: set[int] = set()
    for index, (number, start, end) in enumerate(bells):
        check_clock(start, f"{field}[{index}].start")
        check_clock(end, f"{field}[{index}].end")
        if number in seen:
            raise bad(
                _("lesson {number} is given twice").format(number=number),
                f"{field}[{index}].number",
            )
        seen.add(number)
        if _minutes(end) <= _minutes(start):
            raise bad(
                _("lesson {number} ends ({end}) on or before it starts ({start})").format(
                    number=number, end=end, start=start
                ),
                f"{field}[{index}].end",
            )
    ordered = sorted(enumerate(bells), key=lambda item: item[1][0])
    for (_index, before), (index, after) in itertools.pairwise(ordered):
        if _minutes(after[1]) < _minutes(before[2]):
            raise conflict(
                "bell",
                before[0],
                _("lesson {number}").format(number=before[0]),
                _("lesson {number} starts at {start}, before lesson {before} ends ({end})").format(
                    number=after[0], start=after[1], before=before[0], end=before[2]
                ),
                f"{field}[{index}].start",
            )


def check_weekdays(
    weekdays: Sequence[int], others: Iterable[tuple[int, str, Sequence[int]]]
) -> list[int]:
    """The weekdays, each once and in order, held by no other schedule (id, name, days)."""
    days = sorted(set(weekdays))
    for other_id, other_name, other_days in others:
        shared = sorted(set(days) & set(other_days))
        if shared:
            raise conflict(
                "bell_schedule",
                other_id,
                other_name,
                _(
                    "the schedule {name} already holds weekday {day} "
                    "(0 = Monday): take it from that schedule first"
                ).format(name=repr(other_name), day=shared[0]),
                "weekdays",
            )
    return days


def weekdays_text(days: Sequence[int]) -> str:
    return ",".join(str(day) for day in days)


def weekdays_of(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


def schedule_row(school_id: int, name: str, weekdays: Sequence[int]) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "name": " ".join(name.split()),
        "weekdays": weekdays_text(weekdays),
    }


def bell_rows(
    school_id: int, schedule_id: int, bells: Sequence[tuple[int, str, str]]
) -> list[dict[str, Any]]:
    check_bells(bells)
    return [
        {"school_id": school_id, "schedule_id": schedule_id, "number": n, "start": a, "end": b}
        for n, a, b in sorted(bells)
    ]


# --- subjects, rooms, classes -------------------------------------------------------------


def fold(text: str) -> str:
    """How two names are compared: spaces squeezed, case and ё/е ignored."""
    return " ".join(text.split()).casefold().replace("ё", "е")


def check_unique_name(
    kind: str, name: str, others: Iterable[tuple[int, str]], field: str = "name"
) -> str:
    """``name`` cleaned, when none of ``others`` (id, name) has it."""
    name = " ".join(name.split())
    if not name:
        raise bad(_(NAME_EMPTY[kind]), field)
    key = fold(name)
    for other_id, other_name in others:
        if fold(other_name) == key:
            raise conflict(
                kind, other_id, other_name, _(NAME_TAKEN[kind]).format(name=repr(other_name)), field
            )
    return name


NAME_EMPTY = {"subject": N_("the subject's name is empty"), "room": N_("the room's name is empty")}
NAME_TAKEN = {
    "subject": N_(
        "the school already has a subject named {name} (a retired one is brought back by "
        "changing it)"
    ),
    "room": N_(
        "the school already has a room named {name} (a retired one is brought back by changing it)"
    ),
}
"""The refusals of :func:`check_unique_name`, a sentence for each kind it checks."""


def subject_row(school_id: int, name: str, others: Iterable[tuple[int, str]]) -> dict[str, Any]:
    return {"school_id": school_id, "name": check_unique_name("subject", name, others)}


def room_row(
    school_id: int, name: str, capacity: int, note: str, others: Iterable[tuple[int, str]]
) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "name": check_unique_name("room", name, others),
        "capacity": capacity,
        "note": " ".join(note.split()),
    }


def class_letter(letter: str, field: str = "letter") -> str:
    """A class's letter as schools write it: upper case, no spaces (``а`` -> ``А``)."""
    cleaned = "".join(letter.split()).upper()
    if not cleaned or not all(ch.isalnum() or ch == "-" for ch in cleaned):
        raise bad(
            _("{letter} is not a class letter: use a letter (А, Б, В ...) or a short word").format(
                letter=repr(letter)
            ),
            field,
        )
    return cleaned


def check_class(
    grade: int, letter: str, others: Iterable[tuple[int, int, str]], field: str = "letter"
) -> str:
    """The letter cleaned, when no class of the year (id, grade, letter) has the same name."""
    if not 1 <= grade <= 12:
        raise bad(
            _("grade {grade} does not exist: grades are 1 to 12").format(grade=grade), "grade"
        )
    letter = class_letter(letter, field)
    for other_id, other_grade, other_letter in others:
        if other_grade == grade and other_letter == letter:
            raise conflict(
                "class",
                other_id,
                f"{grade}{letter}",
                _(
                    "the year already has a class {name} (a retired one is brought back by "
                    "changing it)"
                ).format(name=f"{grade}{letter}"),
                field,
            )
    return letter


def check_class_teacher(
    teacher: tuple[int, str, str] | None, field: str = "class_teacher_id"
) -> None:
    """``teacher`` is (id, role, name) of the chosen account, None when the school has none
    with that id."""
    if teacher is None:
        raise bad(_("no teacher of the school has this id"), field)
    teacher_id, role, name = teacher
    if role != m.Role.TEACHER.value:
        raise conflict(
            "user",
            teacher_id,
            name,
            _(
                "{name} is not a teacher (their account is {role}): a class teacher must be one"
            ).format(name=name, role=names.role(role)),
            field,
        )


def class_row(
    school_id: int,
    year_id: int,
    grade: int,
    letter: str,
    class_teacher_id: int | None,
    others: Iterable[tuple[int, int, str]],
) -> dict[str, Any]:
    return {
        "school_id": school_id,
        "year_id": year_id,
        "grade": grade,
        "letter": check_class(grade, letter, others),
        "homeroom_teacher_id": class_teacher_id,
    }
