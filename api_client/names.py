"""The words for the contract's codes: the one place a code the server sends (a mark kind
``"oral"``, an absence kind ``"illness"``, a period kind, a lesson status, a role) gets the name
a person reads, in the language in force (:mod:`api_client.i18n`).

The contract carries codes, never words; the app's screens, the command lines and the server's
own texts (credential slips, problem details) all name a code through the functions here, so a
mark kind is called the same everywhere and a translator finds each name once, under its
context (``pgettext("mark kind", "test")``), in the catalog.

Russian follows the class journal: ``устный ответ``, ``контрольная работа``, ``четверть``;
an absence is the journal's letter ``н`` (not there), ``б`` (ill), ``у`` (excused), ``о`` (late).
"""

from __future__ import annotations

from api_client.i18n import _, pgettext
from api_client.models import (
    AbsenceKind,
    AbsenceReason,
    EventKind,
    LessonStatus,
    MarkKind,
    PeriodKind,
    Role,
)

# Each table is made when asked for, in the language in force then, with every name spelled
# out as a ``pgettext`` call so the catalog's extractor finds it under its context.


def mark_kinds(*, short: bool = False) -> dict[MarkKind, str]:
    """Every mark kind's name (short: for a journal column or a mark's line), in the
    contract's order, for a chooser."""
    if short:
        return {
            MarkKind.ORAL: pgettext("mark kind, short", "oral"),
            MarkKind.HOMEWORK: pgettext("mark kind, short", "hw"),
            MarkKind.CLASSWORK: pgettext("mark kind, short", "class"),
            MarkKind.TEST: pgettext("mark kind, short", "test"),
            MarkKind.QUIZ: pgettext("mark kind, short", "quiz"),
            MarkKind.DICTATION: pgettext("mark kind, short", "dict."),
            MarkKind.LAB: pgettext("mark kind, short", "lab"),
            MarkKind.ESSAY: pgettext("mark kind, short", "essay"),
        }
    return {
        MarkKind.ORAL: pgettext("mark kind", "oral"),
        MarkKind.HOMEWORK: pgettext("mark kind", "homework"),
        MarkKind.CLASSWORK: pgettext("mark kind", "classwork"),
        MarkKind.TEST: pgettext("mark kind", "test"),
        MarkKind.QUIZ: pgettext("mark kind", "quiz"),
        MarkKind.DICTATION: pgettext("mark kind", "dictation"),
        MarkKind.LAB: pgettext("mark kind", "lab"),
        MarkKind.ESSAY: pgettext("mark kind", "essay"),
    }


def absence_letters() -> dict[AbsenceKind, str]:
    """The journal's letter for each absence kind."""
    return {
        AbsenceKind.UNEXCUSED: pgettext("absence letter", "A"),
        AbsenceKind.ILLNESS: pgettext("absence letter", "I"),
        AbsenceKind.EXCUSED: pgettext("absence letter", "E"),
        AbsenceKind.LATE: pgettext("absence letter", "L"),
    }


def absence_kinds() -> dict[AbsenceKind, str]:
    """Each absence kind's long name."""
    return {
        AbsenceKind.UNEXCUSED: pgettext("absence kind", "unexcused"),
        AbsenceKind.ILLNESS: pgettext("absence kind", "illness"),
        AbsenceKind.EXCUSED: pgettext("absence kind", "excused"),
        AbsenceKind.LATE: pgettext("absence kind", "late"),
    }


def absence_states() -> dict[AbsenceKind, str]:
    """An absence as said of a pupil: ``не был``, ``болел`` / ``absent``, ``ill``, ``excused``,
    ``late`` (the journal's line about a cell, a notification of an absence)."""
    return {
        AbsenceKind.UNEXCUSED: _("absent"),
        AbsenceKind.ILLNESS: _("ill"),
        AbsenceKind.EXCUSED: _("excused"),
        AbsenceKind.LATE: _("late"),
    }


def period_kinds() -> dict[PeriodKind, str]:
    return {
        PeriodKind.QUARTER: pgettext("period kind", "quarter"),
        PeriodKind.TRIMESTER: pgettext("period kind", "trimester"),
        PeriodKind.HALF: pgettext("period kind", "half-year"),
    }


def lesson_statuses() -> dict[LessonStatus, str]:
    return {
        LessonStatus.PLANNED: pgettext("lesson status", "planned"),
        LessonStatus.SUBSTITUTED: pgettext("lesson status", "substituted"),
        LessonStatus.CANCELLED: pgettext("lesson status", "cancelled"),
        LessonStatus.MOVED: pgettext("lesson status", "moved"),
    }


def roles(*, short: bool = False) -> dict[Role, str]:
    """Every role's name (short: at most 8 characters, for a table's column)."""
    if short:
        return {
            Role.PUPIL: pgettext("role, short", "pupil"),
            Role.PARENT: pgettext("role, short", "parent"),
            Role.TEACHER: pgettext("role, short", "teacher"),
            Role.ADMINISTRATION: pgettext("role, short", "admin"),
            Role.IT_STAFF: pgettext("role, short", "IT staff"),
            Role.HEALTH_WORKER: pgettext("role, short", "health"),
            Role.AUTHORITY: pgettext("role, short", "auth."),
        }
    return {
        Role.PUPIL: pgettext("role", "pupil"),
        Role.PARENT: pgettext("role", "parent"),
        Role.TEACHER: pgettext("role", "teacher"),
        Role.ADMINISTRATION: pgettext("role", "administration"),
        Role.IT_STAFF: pgettext("role", "IT staff"),
        Role.HEALTH_WORKER: pgettext("role", "health worker"),
        Role.AUTHORITY: pgettext("role", "education authority"),
    }


def event_kinds() -> dict[EventKind, str]:
    return {
        EventKind.PARENT_MEETING: pgettext("event kind", "parent meeting"),
        EventKind.SCHOOL_EVENT: pgettext("event kind", "school event"),
        EventKind.EXAM: pgettext("event kind", "exam"),
        EventKind.HOLIDAY: pgettext("event kind", "holiday"),
    }


def absence_reasons() -> dict[AbsenceReason, str]:
    """Why a parent says a child is away."""
    return {
        AbsenceReason.ILLNESS: pgettext("absence reason", "illness"),
        AbsenceReason.FAMILY: pgettext("absence reason", "family reasons"),
        AbsenceReason.APPOINTMENT: pgettext("absence reason", "appointment"),
        AbsenceReason.OTHER: pgettext("absence reason", "other reason"),
    }


# One code's name; an unknown code (a newer server's) is shown as it came.


def mark_kind(kind: str, *, short: bool = False) -> str:
    """``устный ответ`` / ``oral``; short: ``устн.`` / ``oral``."""
    return str(mark_kinds(short=short).get(kind, kind))  # type: ignore[call-overload]


def absence_letter(kind: str) -> str:
    """The journal's letter: ``н``, ``б``, ``у``, ``о`` / ``A``, ``I``, ``E``, ``L``."""
    return str(absence_letters().get(kind, kind))  # type: ignore[call-overload]


def absence_kind(kind: str) -> str:
    """``не был`` / ``unexcused``, ``болел`` / ``illness``, ``уваж. причина``, ``опоздал``."""
    return str(absence_kinds().get(kind, kind))  # type: ignore[call-overload]


def period_kind(kind: str) -> str:
    """``четверть``, ``триместр``, ``полугодие`` / ``quarter``, ``trimester``, ``half-year``."""
    return str(period_kinds().get(kind, kind))  # type: ignore[call-overload]


def lesson_status(status: str) -> str:
    """``по расписанию``, ``замена``, ``отменён``, ``перенесён``."""
    return str(lesson_statuses().get(status, status))  # type: ignore[call-overload]


def role(code: str, *, short: bool = False) -> str:
    """``ученик``, ``родитель``, ``ИТ-служба`` / ``pupil``, ``parent``, ``IT staff``."""
    return str(roles(short=short).get(code, code))  # type: ignore[call-overload]


def event_kind(kind: str) -> str:
    """``родительское собрание`` / ``parent meeting``, ..."""
    return str(event_kinds().get(kind, kind))  # type: ignore[call-overload]


def absence_reason(reason: str) -> str:
    """``болезнь`` / ``illness``, ``семейные обстоятельства`` / ``family reasons``, ..."""
    return str(absence_reasons().get(reason, reason))  # type: ignore[call-overload]


def audit_record(action: str, entity: str, entity_id: int | str) -> str:
    """What an audit record did, in words: ``изменение оценки № 1786`` / ``change to mark
    No. 1786``; an action or a kind of thing this table does not know is named as the log
    names it (``grant consent 7``)."""
    things = {
        "mark": pgettext("audit record: of the thing", "mark"),
        "absence": pgettext("audit record: of the thing", "absence"),
        "period_mark": pgettext("audit record: of the thing", "period mark"),
        "homework": pgettext("audit record: of the thing", "homework"),
        "topic": pgettext("audit record: of the thing", "lesson topic"),
        "user": pgettext("audit record: of the thing", "account"),
        "blog_post": pgettext("audit record: of the thing", "blog post"),
        "blog_comment": pgettext("audit record: of the thing", "blog comment"),
        "chat_message": pgettext("audit record: of the thing", "chat message"),
        "chat": pgettext("audit record: of the thing", "class chat"),
    }
    actions = {
        "create": pgettext("audit record", "creation of {thing} No. {id}"),
        "update": pgettext("audit record", "change to {thing} No. {id}"),
        "remove": pgettext("audit record", "removal of {thing} No. {id}"),
    }
    if action not in actions or entity not in things:
        return f"{action} {entity} {entity_id}"
    return actions[action].format(thing=things[entity], id=entity_id)


def consent_way(way: str) -> str:
    """How a consent or withdrawal reached the school: ``при регистрации`` / ``when
    registering``, ``в приложении`` / ``in the app``, ``на бумаге`` / ``on paper``."""
    words = {
        "registration": _("when registering"),
        "app": _("in the app"),
        "paper": _("on paper"),
    }
    return words.get(way, way)
