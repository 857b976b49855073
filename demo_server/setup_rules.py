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
            f"{name!r} is not a time zone: give an IANA name such as Europe/Moscow, "
            "Asia/Yekaterinburg or Europe/London",
            field,
        ) from None
    return name


def check_language(code: str, field: str = "language") -> str:
    if code not in LANGUAGES:
        raise bad(
            f"{code!r} is not a language of the diary: choose one of {', '.join(LANGUAGES)}",
            field,
        )
    return code


def check_school_name(name: str, field: str = "name") -> str:
    name = " ".join(name.split())
    if not name:
        raise bad("the school's name is empty: give its name as families know it", field)
    if len(name) > m.TITLE_MAX_LENGTH:
        raise bad(f"the school's name is longer than {m.TITLE_MAX_LENGTH} characters", field)
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
        raise bad("the year's name is empty: name it like 2026/2027", "name")
    if end <= start:
        raise bad(f"the year ends ({end}) on or before it starts ({start})", field)
    if (end - start).days > MAX_YEAR_DAYS:
        raise bad(
            f"a year from {start} to {end} is longer than {MAX_YEAR_DAYS} days: "
            "a school year runs from autumn to summer",
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
                f"these dates overlap the year {other.name} ({other.start} to {other.end})",
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
        raise bad(f"the period ends ({end}) before it starts ({start})", "end")
    for field, day in (("start", start), ("end", end)):
        if not year.start <= day <= year.end:
            raise conflict(
                "year",
                year.id,
                year.name,
                f"the period's {field} {day} is outside the year {year.name} "
                f"({year.start} to {year.end})",
                field,
            )
    for other, other_kind, other_number in others:
        if other_kind is not kind:
            raise conflict(
                "period",
                other.id,
                other.name,
                f"the year is divided into {other_kind.value}s ({other.name}); "
                f"a {kind.value} cannot be added beside them",
                "kind",
            )
        if other_number == number:
            raise conflict(
                "period",
                other.id,
                other.name,
                f"the year already has {kind.value} {number}: {other.name}",
                "number",
            )
        if start <= other.end and other.start <= end:
            raise conflict(
                "period",
                other.id,
                other.name,
                f"{start} to {end} overlaps {other.name} ({other.start} to {other.end})",
                "start" if other.start <= start <= other.end else "end",
            )
    if number > PERIODS_IN_YEAR[kind]:
        raise bad(
            f"a year has {PERIODS_IN_YEAR[kind]} {kind.value}s; there is no {kind.value} {number}",
            "number",
        )


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
            f"the holiday {day} is outside the year {year.name} ({year.start} to {year.end})",
            field,
        )


def holiday_days(start: dt.date, end: dt.date | None) -> list[dt.date]:
    """Every day from ``start`` to ``end`` (a break), or ``start`` alone."""
    last = end or start
    if last < start:
        raise bad(f"the holiday ends ({last}) before it starts ({start})", "end")
    if (last - start).days > 92:
        raise bad("a holiday of more than three months is not a holiday: check the dates", "end")
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
        raise bad(f"{value!r} is not a time of day: write it as HH:MM, like 08:30", field)


def check_bells(bells: Sequence[tuple[int, str, str]], field: str = "bells") -> None:
    """Each lesson ends after it starts; numbers are each used once; in number order each
    lesson starts after the one before has ended."""
    seen: set[int] = set()
    for index, (number, start, end) in enumerate(bells):
        check_clock(start, f"{field}[{index}].start")
        check_clock(end, f"{field}[{index}].end")
        if number in seen:
            raise bad(f"lesson {number} is given twice", f"{field}[{index}].number")
        seen.add(number)
        if _minutes(end) <= _minutes(start):
            raise bad(
                f"lesson {number} ends ({end}) on or before it starts ({start})",
                f"{field}[{index}].end",
            )
    ordered = sorted(enumerate(bells), key=lambda item: item[1][0])
    for (_, before), (index, after) in itertools.pairwise(ordered):
        if _minutes(after[1]) < _minutes(before[2]):
            raise conflict(
                "bell",
                before[0],
                f"lesson {before[0]}",
                f"lesson {after[0]} starts at {after[1]}, before lesson {before[0]} ends "
                f"({before[2]})",
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
                f"the schedule {other_name!r} already holds weekday {shared[0]} "
                "(0 = Monday): take it from that schedule first",
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
        raise bad(f"the {kind}'s name is empty", field)
    key = fold(name)
    for other_id, other_name in others:
        if fold(other_name) == key:
            raise conflict(
                kind,
                other_id,
                other_name,
                f"the school already has a {kind} named {other_name!r}"
                " (a retired one is brought back by changing it)",
                field,
            )
    return name


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
            f"{letter!r} is not a class letter: use a letter (А, Б, В ...) or a short word",
            field,
        )
    return cleaned


def check_class(
    grade: int, letter: str, others: Iterable[tuple[int, int, str]], field: str = "letter"
) -> str:
    """The letter cleaned, when no class of the year (id, grade, letter) has the same name."""
    if not 1 <= grade <= 12:
        raise bad(f"grade {grade} does not exist: grades are 1 to 12", "grade")
    letter = class_letter(letter, field)
    for other_id, other_grade, other_letter in others:
        if other_grade == grade and other_letter == letter:
            raise conflict(
                "class",
                other_id,
                f"{grade}{letter}",
                f"the year already has a class {grade}{letter}"
                " (a retired one is brought back by changing it)",
                field,
            )
    return letter


def check_class_teacher(
    teacher: tuple[int, str, str] | None, field: str = "class_teacher_id"
) -> None:
    """``teacher`` is (id, role, name) of the chosen account, None when the school has none
    with that id."""
    if teacher is None:
        raise bad("no teacher of the school has this id", field)
    teacher_id, role, name = teacher
    if role != m.Role.TEACHER.value:
        raise conflict(
            "user",
            teacher_id,
            name,
            f"{name} is not a teacher (their account is {role}): a class teacher must be one",
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
