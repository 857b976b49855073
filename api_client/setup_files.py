"""The school's set-up files: which CSV files a school brings (subjects, rooms, classes,
groups, teaching assignments, the timetable), their columns in English and Russian, and the
templates ``diary admin templates DIR`` writes.

One definition for both sides: the server reads a file's header through :data:`KINDS` (any
case, English or Russian names, the aliases too), and the client writes the templates from the
same columns and example rows, so a template always imports.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from api_client.i18n import N_, _


@dataclass(frozen=True)
class Column:
    key: str
    """The column's English name, as an English template's header names it."""
    russian: str
    """Its Russian name, as a Russian template's header names it."""
    help: str
    """What the column holds (marked for translation; shown in ``docs/setup.md`` too)."""
    required: bool = False
    aliases: tuple[str, ...] = ()
    """Other names a header may give it (compared folded, spaces as ``_``)."""

    def names(self) -> tuple[str, ...]:
        return (self.key, self.russian, *self.aliases)


@dataclass(frozen=True)
class FileKind:
    name: str
    """``subjects``, ``rooms``, ... : the command's KIND and the template's file name."""
    title: str
    """What one line of the file is (marked for translation)."""
    columns: tuple[Column, ...]
    examples: tuple[tuple[str, ...], ...]
    """Example rows, one value a column in the columns' order."""

    def header(self, lang: str) -> list[str]:
        return [c.russian if lang == "ru" else c.key for c in self.columns]


_TEACHER_HELP = N_(
    "the teacher: their login, or surname, first name and middle name as in the roster"
)

SUBJECTS = FileKind(
    "subjects",
    N_("one subject a line"),
    (Column("subject", "предмет", N_("the subject's name"), True, ("name", "название")),),
    (("Русский язык",), ("Литература",), ("Математика",), ("Английский язык",),
     ("Информатика",), ("Физическая культура",)),
)  # fmt: skip

ROOMS = FileKind(
    "rooms",
    N_("one room a line"),
    (
        Column("room", "кабинет", N_("the room's number or name"), True, ("number", "номер")),
        Column("description", "описание", N_("what the room is (optional)"), False, ("note",)),
    ),
    (("101", "Кабинет математики"), ("204", "Кабинет информатики"), ("Спортзал", "")),
)

CLASSES = FileKind(
    "classes",
    N_("one class a line"),
    (
        Column("class", "класс", N_("the class: grade and letter, like 5А"), True, ("name",)),
        Column(
            "class_teacher",
            "классный_руководитель",
            N_("the class teacher (optional): a login or a full name; leave empty before the "
               "teachers are imported and import the file again after"),
            False,
            ("homeroom_teacher", "классный руководитель", "кл_руководитель"),
        ),
    ),
    (("5А", "Петрова Ольга Ивановна"), ("5Б", ""), ("6А", "sidorov.i")),
)  # fmt: skip

GROUPS = FileKind(
    "groups",
    N_("one group a line: a class split for a subject"),
    (
        Column("class", "класс", N_("the class the group belongs to, like 5А"), True),
        Column("subject", "предмет", N_("the subject the class is split for"), True),
        Column("group", "группа", N_("the group's name within the class, like 1 or англ-1"),
               True, ("name", "название")),
        Column("teacher", "учитель", _TEACHER_HELP, False, ("педагог",)),
        Column("pupils", "ученики", N_("the group's pupils (optional): logins or surname and "
               "first name, separated by commas"), False, ("members", "состав")),
    ),
    (("5А", "Английский язык", "1", "Смирнова Елена Павловна", "Иванов Пётр, Козлова Анна"),
     ("5А", "Английский язык", "2", "Кузнецов Андрей Сергеевич", "Орлов Илья, Белова Мария")),
)  # fmt: skip

ASSIGNMENTS = FileKind(
    "assignments",
    N_("one teaching assignment a line: who teaches which subject in which class"),
    (
        Column("teacher", "учитель", _TEACHER_HELP, True, ("педагог",)),
        Column("class", "класс", N_("the class, like 5А"), True),
        Column("subject", "предмет", N_("the subject"), True),
        Column("group", "группа", N_("the group, when only one group is taught (optional)"),
               False),
    ),
    (("Петрова Ольга Ивановна", "5А", "Математика", ""),
     ("Смирнова Елена Павловна", "5А", "Английский язык", "1"),
     ("Кузнецов Андрей Сергеевич", "5А", "Английский язык", "2")),
)  # fmt: skip

TIMETABLE = FileKind(
    "timetable",
    N_("one lesson of the weekly timetable a line"),
    (
        Column("class", "класс", N_("the class, like 5А"), True),
        Column("group", "группа", N_("the group, for a lesson of one group only (optional)"),
               False),
        Column("day", "день", N_("the weekday: Monday or понедельник, Mon or пн, or 1 to 6"),
               True, ("weekday", "день_недели", "день недели")),
        Column("lesson", "урок", N_("the lesson's number in the day's bell schedule"), True,
               ("number", "номер", "номер_урока")),
        Column("subject", "предмет", N_("the subject"), True),
        Column("teacher", "учитель", _TEACHER_HELP, True, ("педагог",)),
        Column("room", "кабинет", N_("the room (optional)"), False, ("аудитория",)),
        Column("weeks", "недели", N_("every week (empty), or odd or even weeks only "
               "(нечётные, чётные) for alternating lessons"), False, ("week", "неделя")),
    ),
    (("5А", "", "пн", "1", "Математика", "Петрова Ольга Ивановна", "101", ""),
     ("5А", "1", "пн", "2", "Английский язык", "Смирнова Елена Павловна", "204", ""),
     ("5А", "2", "пн", "2", "Английский язык", "Кузнецов Андрей Сергеевич", "205", ""),
     ("5А", "", "вт", "1", "Информатика", "sidorov.i", "204", "нечётные")),
)  # fmt: skip

KINDS: Final[dict[str, FileKind]] = {
    kind.name: kind for kind in (SUBJECTS, ROOMS, CLASSES, GROUPS, ASSIGNMENTS, TIMETABLE)
}
"""Every set-up file, in the order a school imports them (the roster of people comes between
the classes and the groups: groups, assignments and the timetable name teachers and pupils)."""


def template(kind: FileKind, lang: str) -> bytes:
    """The template file of ``kind``: its header in ``lang`` (Russian or English) and the
    example rows, as UTF-8 with a BOM and ``;`` between columns (what Excel opens in a Russian
    locale without asking)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(kind.header(lang))
    writer.writerows(kind.examples)
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


# --- weekdays as people write them ----------------------------------------------------------

WEEKDAY_WORDS: dict[str, int] = {}
"""Every way the set-up files, the command lines and the screens take a weekday (0 = Monday):
``1`` to ``7``, English and Russian names, full and short (``понедельник``, ``пн``, ``mon``),
in any case, a trailing dot and ё/е alike."""
for _number, _words in enumerate(
    (
        ("monday", "mon", "mo", "понедельник", "пн", "пнд", "пон"),
        ("tuesday", "tue", "tu", "вторник", "вт", "втр"),
        ("wednesday", "wed", "we", "среда", "ср", "срд"),
        ("thursday", "thu", "th", "четверг", "чт", "чтв"),
        ("friday", "fri", "fr", "пятница", "пт", "птн"),
        ("saturday", "sat", "sa", "суббота", "сб", "суб"),
        ("sunday", "sun", "su", "воскресенье", "вс", "вск"),
    )
):
    WEEKDAY_WORDS[str(_number + 1)] = _number
    for _word in _words:
        WEEKDAY_WORDS[_word] = _number


def weekday_of(text: str) -> int | None:
    """The weekday ``text`` names (0 = Monday), None when it names none."""
    return WEEKDAY_WORDS.get(text.strip().casefold().replace("ё", "е").rstrip("."))


def weekdays_of(text: str) -> list[int] | None:
    """The weekdays of ``пн-пт``, ``mon,wed,fri``, ``1-5``, ``sat`` in order (0 = Monday); an
    empty list for an empty text or ``none``/``нет``/``-``; None when a part names no weekday
    or a range runs backwards."""
    value = text.strip().casefold()
    if value in ("", "none", "нет", "-"):
        return []
    days: set[int] = set()
    for part in value.replace(" ", "").split(","):
        if not part:
            continue
        first, _dash, last = part.partition("-")
        start, end = weekday_of(first), weekday_of(last or first)
        if start is None or end is None or end < start:
            return None
        days.update(range(start, end + 1))
    return sorted(days)


# --- bells as people write them -------------------------------------------------------------

BELL = re.compile(r"^\s*(\d{1,2})\s*=\s*(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})\s*$")
"""One bell: the lesson's number and its times, ``1=08:30-09:15`` (``8.30`` and spaces too)."""


def _clock(text: str) -> str:
    hours, _sep, minutes = text.replace(".", ":").partition(":")
    return f"{int(hours):02d}:{minutes}"


def bell_of(text: str) -> tuple[int, str, str]:
    """``1=08:30-09:15``: the lesson's number, its start and end as ``HH:MM``; a ValueError
    in words when ``text`` is not a bell."""
    found = BELL.match(text)
    if not found:
        raise ValueError(
            _(
                "{text!r} is not a bell: write the lesson's number and its times, like "
                "1=08:30-09:15"
            ).format(text=text)
        )
    return int(found[1]), _clock(found[2]), _clock(found[3])


def bells_of(text: str) -> list[tuple[int, str, str]]:
    """The bells of ``1=08:30-09:15 2=09:25-10:10`` (spaces or commas between them, spaces
    around ``=`` and ``-`` allowed); a ValueError when a part is not a bell or there is none."""
    packed = re.sub(r"\s*([=-])\s*", r"\1", text)
    bells = [bell_of(part) for part in packed.replace(",", " ").split()]
    if not bells:
        raise ValueError(_("give at least one bell, like 1=08:30-09:15"))
    return bells


def oneroster_zip(path: Path) -> bytes:
    """A OneRoster 1.2 CSV bulk set as the server takes it, a zip: the file itself, or a
    folder's ``.csv`` files zipped (as a school information system leaves them). A ValueError
    in words when there is nothing to send; an OSError when a file cannot be read."""
    if path.is_file():
        return path.read_bytes()
    if not path.is_dir():
        raise ValueError(_("there is no file or folder {path}").format(path=path))
    files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if not files:
        raise ValueError(_("the folder {path} holds no .csv files").format(path=path))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.writestr(file.name, file.read_bytes())
    return out.getvalue()
