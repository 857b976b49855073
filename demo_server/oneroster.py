"""OneRoster 1.2 CSV bulk files (``orgs``, ``academicSessions``, ``courses``, ``classes``,
``users``, ``enrollments``; ``roles``, ``demographics`` and ``manifest`` when present), as a
school information system exports them, read and checked; nothing here touches the database.

:func:`read_bundle` takes a zip (or a folder's files by name) and checks every file on its own
and against the others: the columns each needs, the values each line needs, dates written
``YYYY-MM-DD``, every ``sourcedId`` named by another file present. Each problem is an
:class:`Issue` with the file, the line, the column and the reason. :func:`translate` then says
the set in the school's own terms, as the set-up files and the roster say it (subjects,
classes, the roster, class teachers, groups, teaching assignments), every generated line
remembering the OneRoster line and column it came from, so a refusal of the set-up planners is
reported against the file the school has. The importing itself
(:mod:`demo_server.oneroster_apply`) goes through the set-up files' and the roster's planners
and writers: there is one account importer, the roster's.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field

from api_client.i18n import _
from demo_server.roster import collapse, normalise_class_name

FILES: dict[str, tuple[str, ...]] = {
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type", "startDate", "endDate"),
    "courses": ("sourcedId", "title"),
    "classes": ("sourcedId", "title", "courseSourcedId", "classType"),
    "users": ("sourcedId", "givenName", "familyName"),
    "enrollments": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
}
"""The files a bulk set needs and, of each, the columns it must have."""
OPTIONAL = ("roles", "demographics", "manifest")
ZIP_LIMIT = 50 * 1024 * 1024
"""The most a zip may unpack to."""

_ROLES = {
    "student": "pupil",
    "teacher": "teacher",
    "parent": "parent",
    "guardian": "parent",
    "relative": "parent",
}


class OneRosterError(ValueError):
    """The set cannot be read at all; the message says why and what to do."""


@dataclass(frozen=True)
class Issue:
    file: str
    line: int
    column: str
    reason: str


@dataclass(frozen=True)
class Record:
    file: str
    line: int
    values: Mapping[str, str]

    def get(self, key: str) -> str:
        return self.values.get(key, "")


@dataclass
class Bundle:
    """The set, read: its records by file, and every problem found."""

    records: dict[str, list[Record]] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def by_id(self, name: str) -> dict[str, Record]:
        return {r.get("sourcedId"): r for r in self.records.get(name, [])}


def files_of(data: bytes) -> dict[str, bytes]:
    """A zip's CSV files by their name without ``.csv`` (folders inside ignored)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise OneRosterError(
            _("this is not a zip file: send the OneRoster CSV files zipped together")
        ) from None
    out: dict[str, bytes] = {}
    total = 0
    for info in archive.infolist():
        name = info.filename.rsplit("/", 1)[-1]
        if info.is_dir() or not name.lower().endswith(".csv"):
            continue
        total += info.file_size
        if total > ZIP_LIMIT:
            raise OneRosterError(
                _("the zip unpacks to more than {mb} MB").format(mb=ZIP_LIMIT // 2**20)
            )
        out[name[:-4]] = archive.read(info)
    return out


def _text(name: str, data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise OneRosterError(_("{file}.csv is neither UTF-8 nor Windows-1251").format(file=name))


def _day(record: Record, key: str, issues: list[Issue], *, required: bool) -> dt.date | None:
    value = record.get(key)
    if not value:
        if required:
            issues.append(Issue(record.file, record.line, key, _("it is empty; it must be given")))
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else _bad_date()
    except ValueError:
        issues.append(
            Issue(
                record.file,
                record.line,
                key,
                _("'{value}' is not a date written YYYY-MM-DD").format(value=value),
            )
        )
        return None


def _bad_date() -> dt.date:
    raise ValueError


def read_bundle(files: Mapping[str, bytes]) -> Bundle:
    """Read and check the set; ``OneRosterError`` when it cannot be read at all."""
    bundle = Bundle()
    lowered = {name.lower(): name for name in files}
    manifest: dict[str, str] = {}
    if "manifest" in lowered:
        for row in csv.reader(io.StringIO(_text("manifest", files[lowered["manifest"]]))):
            if len(row) >= 2:
                manifest[row[0].strip()] = row[1].strip().lower()
    for name in (*FILES, "roles", "demographics"):
        state = manifest.get(f"file.{name}", "")
        if state == "delta":
            raise OneRosterError(
                _(
                    "manifest.csv says {file}.csv is a delta: export a bulk set (every file "
                    "whole) instead"
                ).format(file=name)
            )
        if name.lower() not in lowered:
            if name in FILES and state != "absent" and name != "orgs":
                raise OneRosterError(
                    _("the set has no {file}.csv: export it with the others").format(file=name)
                )
            continue
        if name == "demographics":
            bundle.warnings.append(_("demographics.csv is not imported: the diary keeps none"))
            continue
        reader = csv.reader(io.StringIO(_text(name, files[lowered[name.lower()]]), newline=""))
        rows = list(reader)
        if not rows:
            raise OneRosterError(_("{file}.csv is empty").format(file=name))
        header = [h.strip() for h in rows[0]]
        missing = [c for c in FILES.get(name, ("userSourcedId", "role")) if c not in header]
        if missing:
            raise OneRosterError(
                _("{file}.csv lacks the column(s) {missing}").format(
                    file=name, missing=", ".join(missing)
                )
            )
        records: list[Record] = []
        seen: dict[str, int] = {}
        for number, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            values = {k: collapse(v) for k, v in zip(header, row, strict=False)}
            record = Record(f"{name}.csv", number, values)
            if record.get("status").lower() == "tobedeleted":
                continue
            sourced = record.get("sourcedId")
            if "sourcedId" in header:
                if not sourced:
                    bundle.issues.append(
                        Issue(record.file, number, "sourcedId", _("it is empty; it must be given"))
                    )
                    continue
                if sourced in seen:
                    bundle.issues.append(
                        Issue(
                            record.file,
                            number,
                            "sourcedId",
                            _("'{value}' is given on line {line} too").format(
                                value=sourced, line=seen[sourced]
                            ),
                        )
                    )
                    continue
                seen[sourced] = number
            records.append(record)
        bundle.records[name] = records
    _check_references(bundle)
    return bundle


def _ref(bundle: Bundle, record: Record, column: str, target: str, *, required: bool) -> None:
    value = record.get(column)
    if not value:
        if required:
            bundle.issues.append(
                Issue(record.file, record.line, column, _("it is empty; it must be given"))
            )
        return
    for item in (v.strip() for v in value.split(",")):
        if item and item not in bundle.by_id(target):
            bundle.issues.append(
                Issue(
                    record.file,
                    record.line,
                    column,
                    _("no {file}.csv line has the sourcedId '{value}'").format(
                        file=target, value=item
                    ),
                )
            )


def _check_references(bundle: Bundle) -> None:
    issues = bundle.issues
    for record in bundle.records.get("academicSessions", []):
        start = _day(record, "startDate", issues, required=True)
        end = _day(record, "endDate", issues, required=True)
        if start and end and end < start:
            issues.append(
                Issue(record.file, record.line, "endDate", _("it is before the startDate"))
            )
        if record.get("type") not in ("schoolYear", "term", "semester", "gradingPeriod"):
            issues.append(
                Issue(
                    record.file,
                    record.line,
                    "type",
                    _("'{value}' is not schoolYear, term, semester or gradingPeriod").format(
                        value=record.get("type")
                    ),
                )
            )
        if record.get("type") != "schoolYear":
            _ref(bundle, record, "parentSourcedId", "academicSessions", required=False)
    for record in bundle.records.get("classes", []):
        _ref(bundle, record, "courseSourcedId", "courses", required=True)
        _ref(bundle, record, "termSourcedIds", "academicSessions", required=False)
        if record.get("classType") not in ("homeroom", "scheduled"):
            issues.append(
                Issue(
                    record.file,
                    record.line,
                    "classType",
                    _("'{value}' is not homeroom or scheduled").format(
                        value=record.get("classType")
                    ),
                )
            )
        elif record.get("classType") == "homeroom" and _class_name(record) is None:
            issues.append(
                Issue(
                    record.file,
                    record.line,
                    "title",
                    _("'{value}' is not a class name like 5А (with grades: a letter)").format(
                        value=record.get("title")
                    ),
                )
            )
    roles = {r.get("userSourcedId"): r.get("role") for r in bundle.records.get("roles", [])}
    for record in bundle.records.get("users", []):
        role = record.get("role") or roles.get(record.get("sourcedId"), "")
        if role not in _ROLES:
            issues.append(
                Issue(
                    record.file,
                    record.line,
                    "role",
                    _("'{value}' is not student, teacher, parent or guardian").format(value=role),
                )
            )
        _ref(bundle, record, "agentSourcedIds", "users", required=False)
    for record in bundle.records.get("enrollments", []):
        _ref(bundle, record, "classSourcedId", "classes", required=True)
        _ref(bundle, record, "userSourcedId", "users", required=True)
        _day(record, "beginDate", issues, required=False)
        _day(record, "endDate", issues, required=False)
        if record.get("role") not in ("student", "teacher"):
            issues.append(
                Issue(
                    record.file,
                    record.line,
                    "role",
                    _("'{value}' is not student or teacher").format(value=record.get("role")),
                )
            )


def role_of(bundle: Bundle, user: Record) -> str:
    """``pupil``, ``teacher`` or ``parent``."""
    roles = {r.get("userSourcedId"): r.get("role") for r in bundle.records.get("roles", [])}
    return _ROLES.get(user.get("role") or roles.get(user.get("sourcedId"), ""), "")


def _class_name(record: Record) -> str | None:
    """A homeroom's name: the grade from ``grades`` (``05`` or ``5``) and the letter from the
    title (``5А``, ``5 А``, ``А``), or the title alone."""
    title = record.get("title")
    grade = record.get("grades").split(",")[0].strip().lstrip("0")
    whole = normalise_class_name(title)
    if whole is not None:
        return whole
    letter = re.sub(r"[^\w]|\d|_", "", title)
    if grade.isdigit() and letter:
        return normalise_class_name(f"{grade}{letter}")
    return None


def class_name(record: Record) -> str:
    return _class_name(record) or record.get("title")
