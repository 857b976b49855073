"""Roster import from CSV: read a spreadsheet's file and plan what importing it would do.

Nothing here touches the database. ``parse_roster`` turns the bytes of a file into rows with
their line numbers (or raises ``RosterError`` for a file that cannot be read at all, saying what
to do about it); ``plan_import`` compares the rows with a snapshot of the school
(``ExistingSchool``) and says, line by line, what importing would create, change, leave
unchanged, skip or refuse, and why. Whoever applies a plan does it in one transaction and only
when nothing is refused, so a file is never half-imported.

The file: one header line, then one person a line. Columns (English or Russian names, any
case): ``kind``/``тип`` (pupil, parent or teacher; inferred when the column is absent),
``last_name``/``фамилия``, ``first_name``/``имя``, ``middle_name``/``отчество`` (or one
``full_name``/``фио`` column instead of the three), ``class``/``класс`` (a pupil's class),
``login``/``логин`` (optional: the account to update, or the login a new account gets),
``children``/``дети`` (a parent's children: ``Иванова Анна 5А; Иванов Павел 9Б`` or pupil ids),
``classes``/``классы`` and ``subjects``/``предметы`` (a teacher teaches each subject in each
class), ``phone``/``телефон`` and ``email``/``почта`` (a parent's; optional, checked by the
account's rules). Separators ``,`` ``;`` or tab; UTF-8 with or without BOM, UTF-16 with BOM, or
Windows-1251.

How rows find people who already exist: by login when the row gives one; otherwise a pupil by
name and class, a teacher by name, a parent by name among the parents of the listed children.
Anything less certain is refused with a reason saying how to make it certain (usually: give the
login). Empty cells mean "not given": they never erase what the school already has, and links
(parent to child, teacher to class and subject) are only ever added.
"""

from __future__ import annotations

import codecs
import csv
import enum
import functools
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypedDict, TypeVar

from api_client import names
from api_client.i18n import N_, _, ngettext
from api_client.models import (
    NAME_MAX_LENGTH,
    ImportAction,
    Role,
    RosterFieldChange,
    RosterImportReport,
    RosterImportRow,
    email_refusal,
    normal_email,
    normal_phone,
    phone_refusal,
)
from demo_server.demo_data import transliterate

SAVE_AS_CSV = N_(
    "Save the file as CSV UTF-8 (in Excel: File > Save As > 'CSV UTF-8 (Comma delimited)'; "
    "in LibreOffice: Save As > Text CSV, character set Unicode (UTF-8)) and import it again."
)


class RosterError(ValueError):
    """The file cannot be read at all; the message says why and what to do."""


Action = ImportAction
"""What a plan does with a line: created, changed, unchanged, skipped or refused."""


class RowKind(enum.StrEnum):
    PUPIL = "pupil"
    PARENT = "parent"
    TEACHER = "teacher"


# --- reading the file ----------------------------------------------------------------------------

_COLUMNS: dict[str, tuple[str, ...]] = {
    "kind": ("kind", "type", "role", "тип", "роль", "вид"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "фамилия"),
    "first_name": ("first_name", "firstname", "given_name", "name", "имя"),
    "middle_name": ("middle_name", "middlename", "patronymic", "отчество"),
    "full_name": ("full_name", "fullname", "фио", "ф.и.о.", "ф_и_о", "полное_имя"),
    "class": ("class", "class_name", "form", "класс"),
    "login": ("login", "username", "user", "логин"),
    "children": ("children", "child", "дети", "ребенок", "ребёнок"),
    "subjects": ("subjects", "subject", "предметы", "предмет"),
    "classes": ("classes", "классы"),
    "phone": ("phone", "telephone", "tel", "mobile", "телефон", "тел", "тел.", "мобильный"),
    "email": (
        "email",
        "e_mail",
        "mail",
        "почта",
        "эл._почта",
        "эл.почта",
        "электронная_почта",
        "e_mail_родителя",
    ),
}
_HEADER_ALIASES = {alias: key for key, aliases in _COLUMNS.items() for alias in aliases}

_KIND_WORDS: dict[str, RowKind] = {
    **dict.fromkeys(
        ("pupil", "student", "ученик", "ученица", "учащийся", "учащаяся", "обучающийся"),
        RowKind.PUPIL,
    ),
    **dict.fromkeys(
        ("parent", "mother", "father", "guardian", "родитель", "мать", "отец", "опекун"),
        RowKind.PARENT,
    ),
    **dict.fromkeys(
        ("teacher", "учитель", "учительница", "преподаватель", "педагог"), RowKind.TEACHER
    ),
}

_SPACE = re.compile(r"\s+")
_CLASS = re.compile(r"^(\d{1,2})\s*[-‐–]?\s*([^\W\d_]{1,2})$")
_CHILD_WITH_CLASS = re.compile(r"^(?P<name>.*\S)\s+(?P<cls>\d{1,2}\s*[-‐–]?\s*[^\W\d_]{1,2})$")
_PUPIL_ID = re.compile(r"^(?:id\s*[:=]?\s*|#|№\s*)?(\d+)$", re.IGNORECASE)
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What a name may not hold: control characters and bidirectional overrides (the API refuses
them in names too, see ``api_client.models.LINE_PATTERN``)."""


def _name_problem(label: str, value: str) -> str | None:
    """Why ``value`` cannot be a person's ``label`` (surname...), or None."""
    if bad := _CONTROL.search(value):
        return _(
            "the {label} holds an invisible control character (U+{code:04X}): retype it"
        ).format(label=_(label), code=ord(bad.group()))
    if len(value) > NAME_MAX_LENGTH:
        return _("the {label} is longer than {n} characters").format(
            label=_(label), n=NAME_MAX_LENGTH
        )
    return None


def collapse(text: str) -> str:
    """``text`` with runs of white space (no-break spaces too) made one space, and trimmed."""
    return " ".join(text.split())  # str.split() splits at what \s matches, no-break space too


# A file names the same surnames, first names and classes again and again: the functions
# that normalise a name or a class remember their last answers.
@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """The form names are compared in: collapsed, case-folded, ё as е."""
    return collapse(text).casefold().replace("ё", "е")


# Latin letters that look like Cyrillic ones: "5A" typed on an English layout is "5А".
_LATIN_TO_CYRILLIC = str.maketrans("ABCEHKMOPTXY", "АВСЕНКМОРТХУ")


@functools.lru_cache(maxsize=1024)
def normalise_class_name(text: str) -> str | None:
    """``"5 а"`` -> ``"5А"``; None when ``text`` is not a class name like 5А or 10B."""
    match = _CLASS.match(collapse(text))
    if match is None or not 1 <= int(match.group(1)) <= 12:
        return None
    return f"{int(match.group(1))}{match.group(2).upper()}"


@functools.lru_cache(maxsize=1024)
def class_key(name: str) -> str:
    """The key two spellings of one class share: ``5A`` (Latin) and ``5А`` (Cyrillic)."""
    normal = normalise_class_name(name)
    return (normal or collapse(name).upper()).translate(_LATIN_TO_CYRILLIC)


@dataclass(frozen=True)
class ChildRef:
    """A parent's child as the file names them: by name and class, or by pupil id."""

    text: str
    pupil_id: int | None = None
    name: str = ""
    class_name: str = ""


@dataclass(frozen=True)
class RosterRow:
    """One person's line of the file, with its values cleaned up.

    ``problem`` is set when the line itself is wrong (unknown kind, a class that is not a class
    name, too many values...): such a row is refused whatever the school holds.
    """

    line: int
    kind: RowKind | None
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    class_name: str = ""
    login: str = ""
    children: tuple[ChildRef, ...] = ()
    classes: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    phone: str = ""
    """A parent's telephone number as kept (``models.normal_phone``); empty: not given."""
    email: str = ""
    """A parent's e-mail address as kept (``models.normal_email``); empty: not given."""
    problem: str = ""

    @property
    def name(self) -> str:
        return collapse(f"{self.last_name} {self.first_name} {self.middle_name}")

    def identity(self) -> tuple[object, ...]:
        """What makes two rows the same row (compared after normalisation)."""
        return (
            self.kind,
            fold(self.last_name),
            fold(self.first_name),
            fold(self.middle_name),
            class_key(self.class_name) if self.class_name else "",
            self.login,
            tuple(sorted(fold(c.text) for c in self.children)),
            tuple(sorted(class_key(c) for c in self.classes)),
            tuple(sorted(fold(s) for s in self.subjects)),
            self.phone,
            self.email.casefold(),
            self.problem,
        )


@dataclass(frozen=True)
class Duplicate:
    line: int
    of_line: int


@dataclass(frozen=True)
class ParsedRoster:
    encoding: str
    delimiter: str
    columns: tuple[str, ...]
    """The recognised columns, in the canonical names (``last_name``, ``class``...)."""
    rows: tuple[RosterRow, ...]
    duplicates: tuple[Duplicate, ...] = ()
    warnings: tuple[str, ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    """Canonical column -> its header as the file spells it (``class`` -> ``Класс``)."""

    def label(self, key: str) -> str:
        """What a report calls the column ``key`` (or a change's field): the header the
        person wrote, else its name in the language in force; never the code."""
        if key in self.headers:
            return self.headers[key]
        if key in ("last_name", "first_name", "middle_name") and "full_name" in self.headers:
            return self.headers["full_name"]
        if key == "teaches":
            written = [self.headers[k] for k in ("subjects", "classes") if k in self.headers]
            if written:
                return ", ".join(written)
        word = COLUMN_WORDS.get(key)
        return _(word) if word is not None else key


COLUMN_WORDS: Mapping[str, str] = {
    "kind": N_("kind"),
    "last_name": N_("surname"),
    "first_name": N_("first name"),
    "middle_name": N_("middle name"),
    "full_name": N_("full name"),
    "class": N_("class"),
    "login": N_("login"),
    "children": N_("children"),
    "subjects": N_("subjects"),
    "classes": N_("classes"),
    "teaches": N_("teaches"),
    "phone": N_("telephone"),
    "email": N_("e-mail"),
}
"""A roster column's (or change's) name in words, for a report when the file has no header
for it."""


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_roster(data: bytes) -> tuple[str, str]:
    """The text of the file and the encoding it was read in; ``RosterError`` when unreadable."""
    if not data.strip():
        raise RosterError(_("The file is empty: it must have a header line and one person a line."))
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(
            _("This is a spreadsheet workbook (.xlsx or .xls), not a CSV file. ") + _(SAVE_AS_CSV)
        )
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), "utf-16"
            except UnicodeDecodeError as exc:
                raise RosterError(
                    _(
                        "The file starts as UTF-16 text but byte {value} is not valid "
                        "UTF-16. {save_as_csv}"
                    ).format(value=exc.start + len(bom), save_as_csv=_(SAVE_AS_CSV))
                ) from None
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = None, "utf-8-sig"
        body = data[len(codecs.BOM_UTF8) :]
    else:
        text, encoding, body = None, "utf-8", data
    zero = data.find(b"\x00")
    if zero >= 0:
        raise RosterError(
            _(
                "This is not a text file: byte {zero} (line {line_of_offset}) is a "
                "zero byte, which CSV files never contain. {save_as_csv}"
            ).format(
                zero=zero, line_of_offset=_line_of_offset(data, zero), save_as_csv=_(SAVE_AS_CSV)
            )
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start + (len(data) - len(body))
        if encoding == "utf-8":
            legacy = _try_cp1251(data)
            if legacy is not None:
                return legacy, "cp1251"
        raise RosterError(
            _(
                "The file is not UTF-8 text: byte {bad} (line {line_of_offset}) "
                "cannot be read, and the file does not look like Windows-1251 "
                "Cyrillic text either. {save_as_csv}"
            ).format(bad=bad, line_of_offset=_line_of_offset(data, bad), save_as_csv=_(SAVE_AS_CSV))
        ) from None
    return text, encoding


def _try_cp1251(data: bytes) -> str | None:
    """The text when ``data`` reads as Windows-1251 and looks Cyrillic; None otherwise."""
    try:
        text = data.decode("cp1251")
    except UnicodeDecodeError:
        return None
    non_ascii = [char for char in text if ord(char) > 127]
    cyrillic = sum(1 for char in non_ascii if "\u0400" <= char <= "\u04ff")
    if not non_ascii or cyrillic < 0.9 * len(non_ascii):
        return None
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        return None
    # Text in another 8-bit encoding (Latin-1 "Müller") reads as words mixing Latin and
    # Cyrillic letters ("Mьller"); real Cyrillic text has few such words, typos aside.
    words = [w for w in re.findall(r"[^\W\d_]+", text) if not w.isascii()]
    mixed = sum(1 for w in words if re.search(r"[A-Za-z]", w))
    return None if mixed > 0.2 * len(words) else text


def _sniff_delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in ("\t", ";", ",")}
    best = max(counts, key=lambda sep: counts[sep])  # ties go to tab, then semicolon
    if counts[best] == 0:
        raise RosterError(
            _(
                "Cannot find the separator in the header line: it must name the columns separated "
                "by commas, semicolons or tabs, for example 'kind;last_name;first_name;class'."
            )
        )
    return best


def header_key(name: str) -> str:
    """A header cell as it is looked up: folded, spaces and dashes made ``_``."""
    return re.sub(r"[\s\-]+", "_", fold(name).strip("\"' "))


def _split_list(value: str) -> tuple[str, ...]:
    """``"5А, 5Б"`` or ``"Математика; Физика"``: the items, collapsed, empty ones dropped."""
    return tuple(item for item in (collapse(part) for part in re.split(r"[;,\n]", value)) if item)


def _parse_child(text: str) -> ChildRef | str:
    """A child reference, or the reason it cannot be one."""
    match = _PUPIL_ID.match(text)
    if match:
        return ChildRef(text=text, pupil_id=int(match.group(1)))
    match = _CHILD_WITH_CLASS.match(text)
    if match:
        cls = normalise_class_name(match.group("cls"))
        if cls is not None:
            return ChildRef(text=text, name=collapse(match.group("name")), class_name=cls)
    return _(
        "child '{text}' must be given as surname, first name and class (for "
        "example 'Иванова Анна 5А') or as the pupil's id"
    ).format(text=text)


def _infer_kind(values: Mapping[str, str]) -> RowKind | None:
    if values.get("children"):
        return RowKind.PARENT
    if values.get("subjects") or values.get("classes"):
        return RowKind.TEACHER
    if values.get("class"):
        return RowKind.PUPIL
    return None


def _make_row(line: int, values: dict[str, str], has_kind: bool, extra: list[str]) -> RosterRow:
    problems: list[str] = []
    if extra:
        problems.append(
            ngettext(
                "the line has {n} more value than the header has columns",
                "the line has {n} more values than the header has columns",
                len(extra),
            ).format(n=len(extra))
        )
    kind: RowKind | None
    if has_kind:
        word = fold(values.get("kind", ""))
        kind = _KIND_WORDS.get(word)
        if kind is None:
            problems.append(
                (
                    _("unknown kind '{kind}': use pupil, parent or teacher").format(
                        kind=values.get("kind", "")
                    )
                )
                if word
                else (_("the kind is missing: use pupil, parent or teacher"))
            )
    else:
        kind = _infer_kind(values)
        if kind is None:
            problems.append(_("cannot tell whether this is a pupil, a parent or a teacher"))
    last, first, middle = values.get("last_name", ""), values.get("first_name", ""), ""
    middle = values.get("middle_name", "")
    if "full_name" in values and not (last or first):
        parts = values["full_name"].split(" ")
        last = parts[0] if parts else ""
        first = parts[1] if len(parts) > 1 else ""
        middle = middle or " ".join(parts[2:])
    if not last or not first:
        problems.append(_("the surname or the first name is missing"))
    for label, value in (
        (N_("surname"), last),
        (N_("first name"), first),
        (N_("middle name"), middle),
    ):
        if problem := _name_problem(label, value):
            problems.append(problem)

    cls = ""
    if values.get("class"):
        normal = normalise_class_name(values["class"])
        if normal is None:
            problems.append(_("'{item}' is not a class name like 5А").format(item=values["class"]))
        else:
            cls = normal
    if kind is RowKind.PUPIL and not values.get("class"):
        problems.append(_("a pupil needs a class"))

    login = values.get("login", "").lower()
    if login and not _LOGIN.match(login):
        problems.append(
            _("login '{login}' may only hold Latin letters, digits, '.', '-' and '_'").format(
                login=values["login"]
            )
        )

    children: list[ChildRef] = []
    for item in _split_list(values.get("children", "")) if kind is RowKind.PARENT else ():
        ref = _parse_child(item)
        if isinstance(ref, str):
            problems.append(ref)
        else:
            children.append(ref)
    if kind is RowKind.PARENT and not values.get("children"):
        problems.append(_("a parent needs at least one child"))

    classes: list[str] = []
    subjects: tuple[str, ...] = ()
    if kind is RowKind.TEACHER:
        for item in _split_list(values.get("classes", "")):
            normal = normalise_class_name(item)
            if normal is None:
                problems.append(_("'{item}' is not a class name like 5А").format(item=item))
            else:
                classes.append(normal)
        subjects = _split_list(values.get("subjects", ""))
        if bool(classes) != bool(subjects) and not problems:
            problems.append(_("a teacher needs both classes and subjects, or neither"))

    phone, email = values.get("phone", ""), values.get("email", "")
    if (phone or email) and kind is not None and kind is not RowKind.PARENT:
        problems.append(
            _(
                "a telephone and an e-mail are imported for parents only: leave those cells "
                "empty on a pupil's or a teacher's line (the IT staff set them on the account)"
            )
        )
    for refusal in (phone_refusal(phone), email_refusal(email)):
        if refusal is not None:
            problems.append(refusal)

    return RosterRow(
        line=line,
        kind=kind,
        last_name=last,
        first_name=first,
        middle_name=middle,
        class_name=cls,
        login=login,
        children=tuple(children),
        classes=tuple(classes),
        subjects=subjects,
        phone=normal_phone(phone),
        email=normal_email(email),
        problem="; ".join(problems),
    )


@dataclass(frozen=True)
class CsvTable:
    """A CSV file read as text: its header and its non-blank records with their line numbers.

    The reading every import shares (the roster, the school's set-up files): the encoding and
    the separator are found here, once, with the same refusals for a file that is not CSV."""

    encoding: str
    delimiter: str
    header_line: int
    header: tuple[str, ...]
    records: tuple[tuple[int, tuple[str, ...]], ...]
    """(line number, values) of every line after the header that holds anything."""


def read_table(
    data: bytes, *, one_line: str = N_("one person a line"), one_column: bool = False
) -> CsvTable:
    """Read a CSV file (UTF-8 with or without BOM, UTF-16 with BOM or Windows-1251; ``,``
    ``;`` or tab); ``RosterError`` when it cannot be read at all. ``one_line`` says what each
    line holds, for the refusal of an empty file; ``one_column``: a header of one column (no
    separator in it) is a file of one column, not a refusal."""
    empty = _("The file is empty: it must have a header line and {one_line}.").format(
        one_line=_(one_line)
    )
    if not data.strip():
        raise RosterError(empty)
    text, encoding = decode_roster(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    header_index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if header_index is None:
        raise RosterError(empty)
    header_text = lines[header_index]
    if one_column and not any(sep in header_text for sep in ("\t", ";", ",")):
        delimiter = ","
    else:
        delimiter = _sniff_delimiter(header_text)

    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    records: list[tuple[int, tuple[str, ...]]] = []
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(value.strip() for value in record):
                records.append((start, tuple(record)))
    except csv.Error as exc:
        raise RosterError(
            _("Line {line_num} cannot be read as CSV ({exc}). {save_as_csv}").format(
                line_num=reader.line_num, exc=exc, save_as_csv=_(SAVE_AS_CSV)
            )
        ) from None
    if not records:  # a header of separators only: ";;;"
        raise RosterError(empty)
    header_line, header = records[0]
    return CsvTable(
        encoding=encoding,
        delimiter=delimiter,
        header_line=header_line,
        header=header,
        records=tuple(records[1:]),
    )


def map_header(
    header: Sequence[str], aliases: Mapping[str, str]
) -> tuple[list[str | None], list[str]]:
    """Each header cell's canonical column (None for one not known) and the unknown names;
    ``RosterError`` when a column appears twice. ``aliases``: folded name -> column."""
    columns: list[str | None] = []
    unknown: list[str] = []
    for name in header:
        key = aliases.get(header_key(name))
        if key is None:
            if collapse(name):
                unknown.append(collapse(name))
        elif key in columns:
            raise RosterError(
                _("The column '{name}' appears twice in the header line.").format(
                    name=collapse(name)
                )
            )
        columns.append(key)
    return columns, unknown


def parse_roster(data: bytes) -> ParsedRoster:
    """Read a roster file; ``RosterError`` when it cannot be read at all."""
    table = read_table(data)
    encoding, delimiter = table.encoding, table.delimiter
    header_line = table.header_line
    records = [(table.header_line, table.header), *table.records]
    columns, unknown = map_header(table.header, _HEADER_ALIASES)
    warnings: list[str] = []
    known = [c for c in columns if c is not None]
    names_ok = ("last_name" in known and "first_name" in known) or "full_name" in known
    if not names_ok:
        hint = (
            " " + _("Columns not recognised: {names}.").format(names=", ".join(unknown))
            if unknown
            else ""
        )
        raise RosterError(
            _(
                "The header line must name the columns, among them the surname and the first name "
                "(for example 'kind;last_name;first_name;middle_name;class;login;children;classes;"
                "subjects' or 'тип;фамилия;имя;отчество;класс;логин;дети;классы;предметы')."
            )
            + hint
        )
    if unknown:
        warnings.append(
            _("Columns not used and ignored: {names}. Known columns: {known}.").format(
                names=", ".join(unknown), known=", ".join(_COLUMNS)
            )
        )
    if len(records) == 1:
        raise RosterError(
            _("The file has only the header line (line {header_line}) and no people in it.").format(
                header_line=header_line
            )
        )

    rows: list[RosterRow] = []
    duplicates: list[Duplicate] = []
    first_seen: dict[tuple[object, ...], int] = {}
    for line, record in records[1:]:
        values: dict[str, str] = {}
        for key, raw in zip(columns, record, strict=False):
            if key is not None:
                values[key] = collapse(raw)
        extra = [v for v in record[len(columns) :] if v.strip()]
        row = _make_row(line, values, "kind" in known, extra)
        identity = row.identity()
        if identity in first_seen:
            duplicates.append(Duplicate(line=line, of_line=first_seen[identity]))
            continue
        first_seen[identity] = line
        rows.append(row)
    return ParsedRoster(
        encoding=encoding,
        delimiter=delimiter,
        columns=tuple(known),
        rows=tuple(rows),
        duplicates=tuple(duplicates),
        warnings=tuple(warnings),
        headers={
            key: collapse(name)
            for key, name in zip(columns, table.header, strict=False)
            if key is not None
        },
    )


# --- the school as it is -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExistingUser:
    id: int
    role: str
    """An ``api_client.models.Role`` value: pupil, parent, teacher, ..."""
    last_name: str
    first_name: str
    middle_name: str
    login: str
    class_name: str = ""
    """A pupil's current class, by name (``5А``)."""
    phone: str = ""
    email: str = ""

    @property
    def name(self) -> str:
        return collapse(f"{self.last_name} {self.first_name} {self.middle_name}")


@dataclass(frozen=True)
class ExistingSchool:
    """A plain snapshot of what the school holds, as far as an import cares."""

    classes: Mapping[str, int] = field(default_factory=dict)
    """Class id by name (``5А``)."""
    subjects: Mapping[str, int] = field(default_factory=dict)
    """Subject id by name (``Математика``)."""
    users: Sequence[ExistingUser] = ()
    parent_links: frozenset[tuple[int, int]] = frozenset()
    """(parent id, pupil id)."""
    teaching: frozenset[tuple[int, int, int]] = frozenset()
    """(teacher id, class id, subject id)."""


# --- the plan ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def details(changes: Sequence[FieldChange], reason: str = "") -> str:
    """The tail of a plan's line after what it does: ``: field before -> after; ...`` for
    the changes, then ``: reason`` (the roster's and the set-up files' plans alike)."""
    text = ""
    if changes:
        text += ": " + "; ".join(
            f"{c.field} {c.before or '-'} -> {c.after or '-'}" for c in changes
        )
    if reason:
        text += f": {reason}"
    return text


@dataclass(frozen=True)
class PersonRef:
    """A person a plan row points at: an existing user, or the one a row of the plan creates."""

    user_id: int | None = None
    line: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Assignment:
    class_id: int
    class_name: str
    subject_id: int
    subject_name: str


@dataclass(frozen=True)
class PlannedRow:
    line: int
    action: Action
    kind: RowKind | None
    name: str
    login: str = ""
    """The account's login: the existing one, the one given, or a generated one."""
    user_id: int | None = None
    """The existing account this row updates (None for a new one or a refused row)."""
    reason: str = ""
    """Why the row is refused or skipped."""
    changes: tuple[FieldChange, ...] = ()
    last_name: str = ""
    first_name: str = ""
    middle_name: str = ""
    phone: str = ""
    """The account's telephone number after the import."""
    email: str = ""
    class_id: int | None = None
    """A pupil's class after the import."""
    class_name: str = ""
    add_children: tuple[PersonRef, ...] = ()
    """Links to add from this parent."""
    add_assignments: tuple[Assignment, ...] = ()
    """Teaching assignments to add to this teacher."""

    def summary(self) -> str:
        """One line for a person to read: ``line 4: created pupil Иванова Анна (5А), ...``."""
        who = f"{self.kind.value} {self.name}" if self.kind else self.name or "row"
        if self.class_name:
            who += f" ({self.class_name})"
        text = f"line {self.line}: {self.action.value} {who}".rstrip()
        if self.login and self.action is not Action.REFUSED:
            text += f", login {self.login}"
        return text + details(self.changes, self.reason)


class _Planned(Protocol):
    @property
    def action(self) -> Action: ...


_Line = TypeVar("_Line", bound=_Planned)


class ActionCounts(TypedDict):
    """How many lines of a plan each action has, as an import report names them."""

    created: int
    changed: int
    unchanged: int
    skipped: int
    refused: int


class PlanLines(Generic[_Line]):
    """What a plan of lines says of them: the roster's (:class:`ImportPlan`) and the set-up
    files' (``setup_import.SetupPlan``) alike."""

    rows: tuple[_Line, ...]

    def count(self, action: Action) -> int:
        return sum(1 for row in self.rows if row.action is action)

    def counts(self) -> ActionCounts:
        return ActionCounts(
            created=self.count(Action.CREATED),
            changed=self.count(Action.CHANGED),
            unchanged=self.count(Action.UNCHANGED),
            skipped=self.count(Action.SKIPPED),
            refused=self.count(Action.REFUSED),
        )

    @property
    def refused(self) -> tuple[_Line, ...]:
        return tuple(row for row in self.rows if row.action is Action.REFUSED)

    @property
    def can_apply(self) -> bool:
        """True when nothing is refused: a plan with refusals must not be applied at all."""
        return not self.refused


@dataclass(frozen=True)
class ImportPlan(PlanLines[PlannedRow]):
    rows: tuple[PlannedRow, ...]
    warnings: tuple[str, ...] = ()

    @property
    def changes_anything(self) -> bool:
        return any(row.action in (Action.CREATED, Action.CHANGED) for row in self.rows)


@functools.lru_cache(maxsize=4096)
def login_base(last_name: str, first_name: str) -> str:
    """``Иванова``, ``Анна`` -> ``ivanova.a``: the transliterated surname and first initial."""
    last = transliterate(last_name)[:40]
    first = transliterate(first_name)[:1]
    if last and first:
        return f"{last}.{first}"
    return last or first or "user"


def unique_login(base: str, taken: set[str], tried: dict[str, int] | None = None) -> str:
    """``base``, or ``base2``, ``base3``... : the first not in ``taken``.

    ``tried`` (base -> the last number found taken) lets many calls for one base, with
    ``taken`` only growing between them, go on from where the last one stopped instead of
    trying ``base2``, ``base3``... again: a file of 20,000 people who share a surname and an
    initial then costs 20,000 tries, not 200 million."""
    n = tried.get(base, 1) if tried is not None else 1
    login = base if n == 1 else f"{base}{n}"
    while login in taken:
        n += 1
        login = f"{base}{n}"
    if tried is not None:
        tried[base] = n
    return login


_LINES_NAMED = 10
"""A refusal that points at other lines or accounts names at most this many and counts the
rest: its length does not grow with the file or the school."""


def _some(items: Sequence[str], total: int) -> str:
    """``a, b, c``: the first ``_LINES_NAMED`` of ``items`` (the first of ``total``), then
    ``and N more``."""
    shown = ", ".join(items[:_LINES_NAMED])
    more = total - min(len(items), _LINES_NAMED)
    return _("{shown} and {more} more").format(shown=shown, more=more) if more > 0 else shown


class _Planner:
    def __init__(self, parsed: ParsedRoster, school: ExistingSchool) -> None:
        self.parsed = parsed
        self.school = school
        self.by_login = {u.login.lower(): u for u in school.users}
        self.by_id = {u.id: u for u in school.users}
        # Every lookup of an existing person is a dict lookup, never a walk over the school:
        # the cost of planning grows with the file and the school, not with their product.
        self.order = {u.id: i for i, u in enumerate(school.users)}
        self.folded: dict[int, tuple[str, str, str]] = {}
        """User id -> folded surname, first name and middle name."""
        self.by_name: dict[tuple[str, str, str], list[tuple[int, ExistingUser]]] = {}
        """(role, surname, first name) -> (place in the snapshot, user), folded."""
        self.by_full_name: dict[tuple[str, str, str, str], list[tuple[int, ExistingUser]]] = {}
        """(role, surname, first name, middle name) -> (place in the snapshot, user), folded."""
        self.pupils_in: dict[tuple[str, str, str], list[ExistingUser]] = {}
        """(surname, first name, class key) -> pupils, folded."""
        self.pupils_in_full: dict[tuple[str, str, str, str], list[ExistingUser]] = {}
        """(surname, first name, class key, middle name) -> pupils, folded."""
        for place, user in enumerate(school.users):
            last, first = fold(user.last_name), fold(user.first_name)
            middle = fold(user.middle_name)
            self.folded[user.id] = (last, first, middle)
            self.by_name.setdefault((user.role, last, first), []).append((place, user))
            self.by_full_name.setdefault((user.role, last, first, middle), []).append((place, user))
            if user.role == "pupil":
                where = class_key(user.class_name)
                self.pupils_in.setdefault((last, first, where), []).append(user)
                self.pupils_in_full.setdefault((last, first, where, middle), []).append(user)
        self.parents_of: dict[int, list[int]] = {}
        """Pupil id -> the ids of the parents linked to them."""
        for parent_id, pupil_id in school.parent_links:
            self.parents_of.setdefault(pupil_id, []).append(parent_id)
        self.classes = {class_key(name): (name, cid) for name, cid in school.classes.items()}
        self.subjects = {fold(name): (name, sid) for name, sid in school.subjects.items()}
        self.taken_logins: set[str] = set(self.by_login)
        self.taken_logins.update(row.login for row in parsed.rows if row.login)
        self.login_tried: dict[str, int] = {}
        self.claimed: dict[int, int] = {}
        """Existing user id -> the line that updates it."""
        self.results: dict[int, PlannedRow] = {}
        # Pupils as they will be after the import: (folded name, class key) -> refs.
        self.pupils_by_name_class: dict[tuple[str, str], list[PersonRef]] = {}
        self.pupils_by_full_name: dict[tuple[str, str, str], list[PersonRef]] = {}
        """The same refs by (folded name, class key, folded full name)."""
        self.refused_lines: set[int] = set()
        self.refused_pupils: dict[tuple[str, str], int] = {}
        """(folded surname and first name, class key) -> a refused pupil line."""

    # -- helpers --

    def _namesakes(
        self, row: RosterRow, role: str, limit: int | None = None
    ) -> tuple[list[ExistingUser], int]:
        """Existing users of ``role`` with the row's name (middle names compared when both
        have one), in the snapshot's order: the first ``limit`` of them (all when None), and
        how many there are. Never a walk over all of a common name's holders."""
        last, first, middle = fold(row.last_name), fold(row.first_name), fold(row.middle_name)
        if not middle:
            found = self.by_name.get((role, last, first), [])
            total = len(found)
        else:
            same = self.by_full_name.get((role, last, first, middle), [])
            unknown = self.by_full_name.get((role, last, first, ""), [])
            total = len(same) + len(unknown)
            found = sorted(same[:limit] + unknown[:limit])  # places differ: users never compared
        return [user for _place, user in found[:limit]], total

    def _pupils_here(self, row: RosterRow, where: str) -> Sequence[ExistingUser]:
        """The pupils of class ``where`` with the row's name: those whose middle name is the
        row's (both may be empty), or else those whose middle name may be (either is empty)."""
        last, first, middle = fold(row.last_name), fold(row.first_name), fold(row.middle_name)
        exact = self.pupils_in_full.get((last, first, where, middle), [])
        if exact:
            return exact
        if not middle:
            return self.pupils_in.get((last, first, where), ())
        return self.pupils_in_full.get((last, first, where, ""), ())

    def _prefer_exact(self, row: RosterRow, users: list[ExistingUser]) -> list[ExistingUser]:
        """Those of ``users`` whose middle name is the row's (both may be empty), if any."""
        middle = fold(row.middle_name)
        exact = [u for u in users if self.folded[u.id][2] == middle]
        return exact or users

    def _linked_namesakes(self, row: RosterRow, child_ids: set[int]) -> list[ExistingUser]:
        """Existing parents with the row's name linked to one of ``child_ids``."""
        last, first, middle = fold(row.last_name), fold(row.first_name), fold(row.middle_name)
        found: list[ExistingUser] = []
        for parent_id in {p for c in child_ids for p in self.parents_of.get(c, ())}:
            user = self.by_id.get(parent_id)
            if user is None or user.role != "parent":
                continue
            u_last, u_first, u_middle = self.folded[parent_id]
            if (u_last, u_first) == (last, first) and (
                not middle or not u_middle or middle == u_middle
            ):
                found.append(user)
        return sorted(found, key=lambda u: self.order[u.id])

    def _refuse(self, row: RosterRow, reason: str) -> None:
        self.refused_lines.add(row.line)
        if row.kind is RowKind.PUPIL and row.class_name:
            key = (fold(f"{row.last_name} {row.first_name}"), class_key(row.class_name))
            self.refused_pupils.setdefault(key, row.line)
        self.results[row.line] = PlannedRow(
            line=row.line,
            action=Action.REFUSED,
            kind=row.kind,
            name=row.name,
            reason=reason,
            last_name=row.last_name,
            first_name=row.first_name,
            middle_name=row.middle_name,
        )

    def _refused(self, row: RosterRow, reason: str) -> bool:
        """Refuse the row when there is a ``reason`` (empty: none); whether it was."""
        if reason:
            self._refuse(row, reason)
        return bool(reason)

    def _ambiguous(self, row: RosterRow, found: Sequence[ExistingUser], who: str) -> None:
        """Refuse a row whose name fits several accounts (``who``: "3 teachers are named
        ...", with the count of ``found``)."""
        logins = _some([u.login for u in found[:_LINES_NAMED]], len(found))
        self._refuse(
            row,
            _("{who} ({logins}): put the login in the login column").format(who=who, logins=logins),
        )

    def _by_row_login(self, row: RosterRow, role: str) -> tuple[ExistingUser | None, str]:
        """The existing account the row's login names, or the reason the login cannot be used."""
        user = self.by_login.get(row.login)
        if user is None:
            return None, ""
        same_person = user.role == role and (
            fold(user.last_name) == fold(row.last_name)
            or fold(user.first_name) == fold(row.first_name)
        )
        if not same_person:
            return None, (
                _(
                    "login {login} is taken by someone else ({role} {name}); leave the "
                    "login empty to have one made, or choose another"
                ).format(login=row.login, role=names.role(user.role), name=user.name)
            )
        return user, ""

    def _claim(self, row: RosterRow, user: ExistingUser) -> str:
        other = self.claimed.get(user.id)
        if other is not None:
            return _("line {other} already updates the same account ({login})").format(
                other=other, login=user.login
            )
        self.claimed[user.id] = row.line
        return ""

    def _name_changes(self, row: RosterRow, user: ExistingUser) -> list[FieldChange]:
        changes = []
        for field_name, new, old in (
            ("last_name", row.last_name, user.last_name),
            ("first_name", row.first_name, user.first_name),
            ("middle_name", row.middle_name, user.middle_name),
        ):
            if new and fold(new) != fold(old):
                changes.append(FieldChange(field_name, old, new))
        return changes

    @staticmethod
    def _contact_changes(row: RosterRow, user: ExistingUser) -> list[FieldChange]:
        """A parent's telephone and e-mail where the line gives them and they differ (an empty
        cell never erases what the account holds)."""
        return [
            FieldChange(field_name, old, new)
            for field_name, new, old in (
                ("phone", row.phone, user.phone),
                ("email", row.email, user.email),
            )
            if new and new.casefold() != old.casefold()
        ]

    def _new_login(self, row: RosterRow) -> str:
        if row.login:
            return row.login
        base = login_base(row.last_name, row.first_name)
        login = unique_login(base, self.taken_logins, self.login_tried)
        self.taken_logins.add(login)
        return login

    def _planned(
        self,
        row: RosterRow,
        user: ExistingUser | None,
        changes: Sequence[FieldChange],
        *,
        class_id: int | None = None,
        class_name: str = "",
        add_children: tuple[PersonRef, ...] = (),
        add_assignments: tuple[Assignment, ...] = (),
    ) -> PlannedRow:
        if user is None:
            action, login, user_id = Action.CREATED, self._new_login(row), None
            last, first, middle = row.last_name, row.first_name, row.middle_name
            phone, email = row.phone, row.email
        else:
            action = Action.CHANGED if changes else Action.UNCHANGED
            login, user_id = user.login, user.id
            after = {c.field: c.after for c in changes}
            last = after.get("last_name", user.last_name)
            first = after.get("first_name", user.first_name)
            middle = after.get("middle_name", user.middle_name)
            phone = after.get("phone", user.phone)
            email = after.get("email", user.email)
        return PlannedRow(
            line=row.line,
            action=action,
            kind=row.kind,
            name=collapse(f"{last} {first} {middle}"),
            login=login,
            user_id=user_id,
            changes=tuple(changes),
            last_name=last,
            first_name=first,
            middle_name=middle,
            phone=phone,
            email=email,
            class_id=class_id,
            class_name=class_name,
            add_children=add_children,
            add_assignments=add_assignments,
        )

    # -- conflicts inside the file --

    def find_conflicts(self) -> None:
        """Rows that describe the same person differently: all of them are refused.

        Rows are grouped by what makes them one person (the login; a pupil's name and class; a
        teacher's name; a parent's name with one of their children), and groups that share a row
        are one person too. Each refusal names a few of the other lines and counts the rest, so
        a file of 20,000 lines with one login costs 20,000 short reasons, not 20,000 lists of
        20,000 line numbers."""
        groups: dict[tuple[object, ...], list[int]] = {}
        for row in self.parsed.rows:
            if row.problem or row.kind is None:
                continue
            if row.login:
                groups.setdefault(("login", row.login), []).append(row.line)
            name = (row.kind, fold(row.last_name), fold(row.first_name), fold(row.middle_name))
            if row.kind is RowKind.PUPIL:
                groups.setdefault((*name, class_key(row.class_name)), []).append(row.line)
            elif row.kind is RowKind.TEACHER:
                groups.setdefault(name, []).append(row.line)
            else:
                # Parents with one name may be different people, unless they share a child.
                for child in {fold(c.text) for c in row.children}:
                    groups.setdefault((*name, child), []).append(row.line)
        parent: dict[int, int] = {}

        def root(line: int) -> int:
            while parent[line] != line:
                parent[line] = parent[parent[line]]
                line = parent[line]
            return line

        for lines in groups.values():
            if len(lines) < 2:
                continue
            for line in lines:
                parent.setdefault(line, line)
            first = root(lines[0])
            for line in lines[1:]:
                other = root(line)
                if other != first:
                    parent[other] = first
        clusters: dict[int, list[int]] = {}
        for line in parent:
            clusters.setdefault(root(line), []).append(line)
        for lines in clusters.values():
            lines.sort()
        for row in self.parsed.rows:
            if row.line not in parent:
                continue
            lines = clusters[root(row.line)]
            others = [n for n in lines[: _LINES_NAMED + 1] if n != row.line][:_LINES_NAMED]
            listed = ", ".join(str(n) for n in others)
            if len(lines) - 1 > len(others):
                listed += f" and {len(lines) - 1 - len(others)} more"
            self._refuse(
                row,
                _(
                    "conflicting duplicate: line(s) {listed} describe the same person "
                    "differently (or give the same login); keep one line per person"
                ).format(listed=listed),
            )

    # -- each kind --

    def plan_pupil(self, row: RosterRow) -> None:
        key = class_key(row.class_name)
        if key not in self.classes:
            self._refuse(
                row,
                _("unknown class {class_name}: create the class first").format(
                    class_name=row.class_name
                ),
            )
            return
        class_name, class_id = self.classes[key]
        user: ExistingUser | None = None
        if row.login:
            user, reason = self._by_row_login(row, "pupil")
            if self._refused(row, reason):
                return
        if user is None and not row.login:
            here = self._pupils_here(row, key)
            if len(here) > 1:
                self._ambiguous(
                    row,
                    here,
                    ngettext(
                        "{n} pupil named {name} is in {class_name}",
                        "{n} pupils named {name} are in {class_name}",
                        len(here),
                    ).format(n=len(here), name=row.name, class_name=class_name),
                )
                return
            same, total = ([], 0) if here else self._namesakes(row, "pupil", _LINES_NAMED)
            if here:
                user = here[0]
            elif same:
                where = _some([f"{u.login} in {u.class_name or 'no class'}" for u in same], total)
                self._refuse(
                    row,
                    _(
                        "a pupil named {name} already exists ({where}): to move them to "
                        "{class_name} put their login in the login column; for a different "
                        "pupil with the same name give a new login"
                    ).format(name=row.name, where=where, class_name=class_name),
                )
                return
        if user is not None and self._refused(row, self._claim(row, user)):
            return
        changes = self._name_changes(row, user) if user else []
        if user is not None and class_key(user.class_name) != key:
            changes.append(FieldChange("class", user.class_name, class_name))
        planned = self._planned(row, user, changes, class_id=class_id, class_name=class_name)
        self.results[row.line] = planned
        ref = PersonRef(
            user_id=user.id if user else None,
            line=None if user else row.line,
            name=planned.name,
        )
        self._index_pupil(ref, fold(f"{row.last_name} {row.first_name}"), key)

    def _index_pupil(self, ref: PersonRef, name_key: str, where: str) -> None:
        self.pupils_by_name_class.setdefault((name_key, where), []).append(ref)
        self.pupils_by_full_name.setdefault((name_key, where, fold(ref.name)), []).append(ref)

    def index_unchanged_pupils(self) -> None:
        """Existing pupils no row of the file moves, at their current class."""
        for user in self.school.users:
            if user.role != "pupil" or user.id in self.claimed:
                continue
            name_key = fold(f"{user.last_name} {user.first_name}")
            ref = PersonRef(user_id=user.id, name=user.name)
            self._index_pupil(ref, name_key, class_key(user.class_name))

    def plan_teacher(self, row: RosterRow) -> None:
        unknown_classes = [c for c in row.classes if class_key(c) not in self.classes]
        unknown_subjects = [s for s in row.subjects if fold(s) not in self.subjects]
        if unknown_classes or unknown_subjects:
            parts = []
            if unknown_classes:
                parts.append(_("unknown class {names}").format(names=", ".join(unknown_classes)))
            if unknown_subjects:
                parts.append(_("unknown subject {names}").format(names=", ".join(unknown_subjects)))
            self._refuse(
                row,
                _("{what}: create it first or correct the spelling").format(what="; ".join(parts)),
            )
            return
        user: ExistingUser | None = None
        if row.login:
            user, reason = self._by_row_login(row, "teacher")
            if self._refused(row, reason):
                return
        else:
            same = self._prefer_exact(row, self._namesakes(row, "teacher")[0])
            if len(same) > 1:
                self._ambiguous(
                    row,
                    same,
                    ngettext(
                        "{n} teacher is named {name}", "{n} teachers are named {name}", len(same)
                    ).format(n=len(same), name=row.name),
                )
                return
            user = same[0] if same else None
        if user is not None and self._refused(row, self._claim(row, user)):
            return
        assignments = []
        # Each class and subject once: "5А; 5А; ..." does not multiply the pairs.
        subjects = dict.fromkeys(self.subjects[fold(subject)] for subject in row.subjects)
        for class_name, class_id in dict.fromkeys(self.classes[class_key(c)] for c in row.classes):
            for subject_name, subject_id in subjects:
                if user is None or (user.id, class_id, subject_id) not in self.school.teaching:
                    assignments.append(Assignment(class_id, class_name, subject_id, subject_name))
        changes = self._name_changes(row, user) if user else []
        if user is not None and assignments:
            changes.append(
                FieldChange(
                    "teaches",
                    "",
                    ", ".join(f"{a.subject_name} {a.class_name}" for a in assignments),
                )
            )
        self.results[row.line] = self._planned(
            row, user, changes, add_assignments=tuple(assignments)
        )

    def _find_child(self, ref: ChildRef) -> PersonRef | str:
        if ref.pupil_id is not None:
            user = self.by_id.get(ref.pupil_id)
            if user is None or user.role != "pupil":
                return _("child {text}: no pupil has id {pupil_id}").format(
                    text=ref.text, pupil_id=ref.pupil_id
                )
            return PersonRef(user_id=user.id, name=user.name)
        key = class_key(ref.class_name)
        parts = fold(ref.name).split(" ")
        name_key = " ".join(parts[:2])
        found = self.pupils_by_name_class.get((name_key, key), [])
        if len(parts) > 2:  # with a middle name: it must match, where the pupil has one
            found = self.pupils_by_full_name.get(
                (name_key, key, fold(ref.name))
            ) or self.pupils_by_full_name.get((name_key, key, name_key), [])
        if not found:
            refused = self.refused_pupils.get((" ".join(parts[:2]), key))
            if refused is not None:
                return _("child {text} is on line {refused}, which is refused").format(
                    text=ref.text, refused=refused
                )
            return _("child {text} not found: no pupil {name} in {class_name}").format(
                text=ref.text, name=ref.name, class_name=ref.class_name
            )
        if len(found) > 1:
            return _(
                "child {text} is ambiguous: {n} pupils named {name} in {class_name}; "
                "give the pupil's id instead"
            ).format(text=ref.text, n=len(found), name=ref.name, class_name=ref.class_name)
        return found[0]

    def plan_parent(self, row: RosterRow) -> None:
        children: list[PersonRef] = []
        seen: set[PersonRef] = set()
        reasons: list[str] = []
        for ref in row.children:
            child = self._find_child(ref)
            if isinstance(child, str):
                reasons.append(child)
            elif child in seen:
                reasons.append(_("child {text} is listed twice").format(text=ref.text))
            else:
                children.append(child)
                seen.add(child)
        if reasons:
            self._refuse(row, "; ".join(reasons))
            return
        child_ids = {c.user_id for c in children if c.user_id is not None}
        user: ExistingUser | None = None
        if row.login:
            user, reason = self._by_row_login(row, "parent")
            if self._refused(row, reason):
                return
        else:
            linked = self._prefer_exact(row, self._linked_namesakes(row, child_ids))
            same, total = ([], 0) if linked else self._namesakes(row, "parent", _LINES_NAMED)
            if len(linked) > 1:
                self._ambiguous(
                    row,
                    linked,
                    ngettext(
                        "{n} parent named {name} is linked to these children",
                        "{n} parents named {name} are linked to these children",
                        len(linked),
                    ).format(n=len(linked), name=row.name),
                )
                return
            if linked:
                user = linked[0]
            elif same:
                logins = _some([u.login for u in same], total)
                self._refuse(
                    row,
                    _(
                        "a parent named {name} already exists ({logins}) with other "
                        "children: to add these children to that account put its login in "
                        "the login column; for a different person give a new login"
                    ).format(name=row.name, logins=logins),
                )
                return
        if user is not None and self._refused(row, self._claim(row, user)):
            return
        add = [
            c
            for c in children
            if user is None
            or c.user_id is None
            or (user.id, c.user_id) not in self.school.parent_links
        ]
        changes = self._name_changes(row, user) + self._contact_changes(row, user) if user else []
        if user is not None and add:
            changes.append(FieldChange("children", "", ", ".join(c.name for c in add)))
        self.results[row.line] = self._planned(row, user, changes, add_children=tuple(add))

    def plan(self) -> ImportPlan:
        for row in self.parsed.rows:
            if row.problem:
                self._refuse(row, row.problem)
        self.find_conflicts()
        todo = [r for r in self.parsed.rows if r.line not in self.refused_lines]
        # Pupils first, so parents may name children created by the same file.
        for row in todo:
            if row.kind is RowKind.PUPIL:
                self.plan_pupil(row)
        self.index_unchanged_pupils()
        for kind, plan_row in (
            (RowKind.TEACHER, self.plan_teacher),
            (RowKind.PARENT, self.plan_parent),
        ):
            for row in todo:
                if row.kind is kind:
                    plan_row(row)
        for dup in self.parsed.duplicates:
            original = self.results.get(dup.of_line)
            self.results[dup.line] = PlannedRow(
                line=dup.line,
                action=Action.SKIPPED,
                kind=original.kind if original else None,
                name=original.name if original else "",
                reason=_("duplicate of line {of_line}").format(of_line=dup.of_line),
            )
        rows = tuple(self.results[line] for line in sorted(self.results))
        return ImportPlan(rows=rows, warnings=self.parsed.warnings)


def plan_import(parsed: ParsedRoster, existing: ExistingSchool) -> ImportPlan:
    """What importing ``parsed`` into the school ``existing`` would do, line by line."""
    return _Planner(parsed, existing).plan()


def apply_to_snapshot(plan: ImportPlan, school: ExistingSchool) -> ExistingSchool:
    """The snapshot as it would be after applying ``plan``: what the import endpoint does to the
    database, done to a snapshot (new users get the next free ids). Refuses a plan with refused
    rows, as the endpoint must."""
    if not plan.can_apply:
        raise ValueError("a plan with refused rows must not be applied")
    users = {u.id: u for u in school.users}
    links = set(school.parent_links)
    teaching = set(school.teaching)
    next_id = max(users, default=0) + 1
    created: dict[int, int] = {}
    role = {RowKind.PUPIL: "pupil", RowKind.PARENT: "parent", RowKind.TEACHER: "teacher"}
    for row in plan.rows:  # in line order: children's lines may come after their parents'
        if row.action is Action.CREATED and row.kind is not None:
            created[row.line] = next_id
            next_id += 1
    for row in plan.rows:
        if row.action not in (Action.CREATED, Action.CHANGED) or row.kind is None:
            continue
        user_id = row.user_id if row.user_id is not None else created[row.line]
        users[user_id] = ExistingUser(
            id=user_id,
            role=role[row.kind],
            last_name=row.last_name,
            first_name=row.first_name,
            middle_name=row.middle_name,
            login=row.login,
            class_name=row.class_name or (users[user_id].class_name if user_id in users else ""),
            phone=row.phone,
            email=row.email,
        )
        for child in row.add_children:
            child_id = child.user_id if child.user_id is not None else created[child.line or 0]
            links.add((user_id, child_id))
        for a in row.add_assignments:
            teaching.add((user_id, a.class_id, a.subject_id))
    return ExistingSchool(
        classes=school.classes,
        subjects=school.subjects,
        users=tuple(users[i] for i in sorted(users)),
        parent_links=frozenset(links),
        teaching=frozenset(teaching),
    )


def plan_report(
    plan: ImportPlan, parsed: ParsedRoster, *, dry_run: bool, applied: bool
) -> RosterImportReport:
    """The wire form of ``plan``: what the import endpoint answers."""
    return RosterImportReport(
        dry_run=dry_run,
        applied=applied,
        encoding=parsed.encoding,
        **plan.counts(),
        rows=[
            RosterImportRow(
                line=row.line,
                action=row.action,
                kind=Role(row.kind.value) if row.kind else None,
                name=row.name,
                login=row.login,
                class_name=row.class_name,
                reason=row.reason,
                changes=[
                    RosterFieldChange(
                        field=c.field, before=c.before, after=c.after, label=parsed.label(c.field)
                    )
                    for c in row.changes
                ],
            )
            for row in plan.rows
        ],
        warnings=list(plan.warnings),
    )
