"""Every GET of the API, defined once.

A :class:`Get` is one request as a value: its path, its query (normalised once, here) and the
type of its answer. The client fetches it (``DiaryClient.fetch``), the response cache keeps its
answer under :attr:`Get.key`, and the app's data layer reads the cache and loads through the
same value, so the query that is sent is the query a stored answer is found under.

No httpx here: the app reads its cache through these values before it loads the network code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from api_client.cache import cache_key
from api_client.models import (
    AbsenceNotices,
    Announcements,
    AssignmentList,
    Attendance,
    AuditPage,
    AuthorityStats,
    BellScheduleList,
    BlogPostPage,
    BlogPosts,
    Chat,
    Chats,
    ClassAttendance,
    ClassGroupList,
    ClassList,
    ClassParents,
    ClassStats,
    ConsentHistory,
    ConsentState,
    ConsentTexts,
    EventDetail,
    Events,
    Grades,
    Health,
    HomeworkList,
    Journal,
    JournalMark,
    LessonDetail,
    Me,
    MedicalAbsences,
    MyConsent,
    ParentConsents,
    PupilSearch,
    Recipients,
    ReportCard,
    Role,
    RoomList,
    SchoolBells,
    SchoolStats,
    SetupClassList,
    SetupSchool,
    SubjectList,
    Thread,
    Threads,
    TimetableList,
    UserPage,
    UserSummary,
    Week,
    YearList,
    users_query,
)

T = TypeVar("T")

Query = tuple[tuple[str, str], ...]
"""A query as it is sent: pairs of text, sorted by name."""

USER_SEARCH_MAX = 100
"""The longest ``q`` of ``GET /users`` (the server refuses more)."""


def query(params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> Query:
    """``params`` as the request sends them and the cache keeps them: text values, sorted by
    name, with the ``None`` ones left out (``True`` is ``true``, as httpx sends it)."""
    if params is None:
        return ()
    pairs = params.items() if isinstance(params, Mapping) else params
    return tuple(sorted((name, _text(value)) for name, value in pairs if value is not None))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True, slots=True)
class Get(Generic[T]):
    """One GET: what is sent (``path``, ``params``) and what comes back (``type``)."""

    path: str
    """Below the API's prefix, e.g. ``/pupils/7/week``."""
    type: type[T]
    params: Query = ()
    auth: bool = True
    """False for the few GETs open without a login (health)."""

    @property
    def key(self) -> str:
        """Where the response cache keeps the answer: the path and the query as sent."""
        return cache_key(self.path, dict(self.params))


def get(path: str, type_: type[T], params: Mapping[str, Any] | None = None) -> Get[T]:
    """A GET of any path, its query normalised as every other's (scripts, tests)."""
    return Get(path, type_, query(params))


# -- the session -------------------------------------------------------------------------


def health() -> Get[Health]:
    return Get("/health", Health, auth=False)


def me() -> Get[Me]:
    return Get("/me", Me)


# -- a pupil's diary -----------------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    """The Monday of the week that contains ``day``."""
    return day - dt.timedelta(days=day.weekday())


def week(pupil_id: int, day: dt.date | None = None) -> Get[Week]:
    """The week of ``pupil_id`` that contains ``day`` (asked by its Monday, so every day of a
    week is one request and one cached answer); the server's today without ``day``."""
    monday = monday_of(day) if day is not None else None
    return Get(f"/pupils/{pupil_id}/week", Week, query({"date": monday}))


def grades(pupil_id: int, period: int | str | None = None) -> Get[Grades]:
    """Marks per subject of a period (an id, or ``"year"``); the current one by default."""
    return Get(f"/pupils/{pupil_id}/grades", Grades, query({"period": period}))


def report_card(pupil_id: int, period: int | None = None) -> Get[ReportCard]:
    """The report card of the year holding today, or of the year holding ``period``."""
    return get(f"/pupils/{pupil_id}/report-card", ReportCard, {"period": period})


def homework(
    pupil_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    subject_id: int | None = None,
) -> Get[HomeworkList]:
    params = {"from": start, "to": end, "subject": subject_id}
    return Get(f"/pupils/{pupil_id}/homework", HomeworkList, query(params))


def attendance(pupil_id: int, period: int | str | None = None) -> Get[Attendance]:
    return Get(f"/pupils/{pupil_id}/attendance", Attendance, query({"period": period}))


def absence_notices(pupil_id: int) -> Get[AbsenceNotices]:
    return Get(f"/pupils/{pupil_id}/absence-notices", AbsenceNotices)


def class_absence_notices(class_id: int) -> Get[AbsenceNotices]:
    """The absence notices about a class's pupils (its class teacher)."""
    return Get(f"/classes/{class_id}/absence-notices", AbsenceNotices)


def class_attendance(class_id: int, period: int | str | None = None) -> Get[ClassAttendance]:
    """A class's absences by pupil and school day of a period (its class teacher)."""
    return Get(f"/classes/{class_id}/attendance", ClassAttendance, query({"period": period}))


def class_parents(class_id: int) -> Get[ClassParents]:
    """A class's pupils with their parents and how to reach them (its class teacher)."""
    return Get(f"/classes/{class_id}/parents", ClassParents)


# -- the class journal and the timetable -----------------------------------------------------


def journal(
    class_id: int, subject_id: int, period_id: int | None = None, group_id: int | None = None
) -> Get[Journal]:
    """A class's journal for a subject and period (the period containing today by default);
    with ``group_id``, the journal of that group of the class (its pupils and lessons only)."""
    params = {
        "class_id": class_id,
        "subject_id": subject_id,
        "period_id": period_id,
        "group_id": group_id,
    }
    return Get("/journal", Journal, query(params))


def mark(mark_id: int) -> Get[JournalMark]:
    """One mark as its journal shows it, with the version a change of it is based on."""
    return Get(f"/marks/{mark_id}", JournalMark)


def lesson(lesson_id: int) -> Get[LessonDetail]:
    """One lesson as the timetable holds it, with the teachers who could substitute."""
    return Get(f"/lessons/{lesson_id}", LessonDetail)


# -- messages, announcements, events ---------------------------------------------------------


def threads() -> Get[Threads]:
    return Get("/threads", Threads)


def thread(thread_id: int) -> Get[Thread]:
    return Get(f"/threads/{thread_id}", Thread)


def chats() -> Get[Chats]:
    return Get("/chats", Chats)


def chat(class_id: int, before: int | None = None) -> Get[Chat]:
    """A page of a class chat: the newest messages, or those before message ``before``."""
    return Get(f"/chats/{class_id}", Chat, query({"before": before}))


def recipients(pupil_id: int) -> Get[Recipients]:
    return Get(f"/pupils/{pupil_id}/recipients", Recipients)


def announcements(pupil_id: int | None = None) -> Get[Announcements]:
    """Announcements and upcoming events: of one child's class, or of all the user's classes
    when ``pupil_id`` is None."""
    return Get("/announcements", Announcements, query({"pupil_id": pupil_id}))


def blog_posts() -> Get[BlogPosts]:
    """The teacher blog posts the user reads, newest first."""
    return Get("/blogs", BlogPosts)


def blog_post(post_id: int) -> Get[BlogPostPage]:
    """One blog post with the comments the user sees."""
    return Get(f"/blogs/{post_id}", BlogPostPage)


def events(start: dt.date, end: dt.date, pupil_id: int | None = None) -> Get[Events]:
    return Get("/events", Events, query({"from": start, "to": end, "pupil_id": pupil_id}))


def event(event_id: int) -> Get[EventDetail]:
    """One event with its agenda; a meeting's answers (the viewer's, or the class's)."""
    return Get(f"/events/{event_id}", EventDetail)


# -- accounts (IT staff) ----------------------------------------------------------------------


def users(
    q: str = "",
    role: Role | None = None,
    class_: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Get[UserPage]:
    """Accounts whose login or name holds ``q`` (trimmed, at most 100 characters); ``class_``
    is a class name (``5А``) or id, an empty one none."""
    params = users_query(q.strip()[:USER_SEARCH_MAX], role, class_ or None, offset, limit)
    return Get("/users", UserPage, query(params))


def setup_years() -> Get[YearList]:
    """The school's academic years with their periods and holidays (set-up)."""
    return get("/setup/years", YearList)


def setup_school() -> Get[SetupSchool]:
    """The caller's school: its name, time zone and language (set-up)."""
    return get("/setup/school", SetupSchool)


def bells() -> Get[SchoolBells]:
    """The school's bell schedules and which one each day of this week and the next keeps
    (anyone of the school)."""
    return Get("/bells", SchoolBells)


def setup_bell_schedules() -> Get[BellScheduleList]:
    """The school's bell schedules, with their bells, weekdays and the dates given one."""
    return get("/setup/bell-schedules", BellScheduleList)


def setup_subjects() -> Get[SubjectList]:
    """The school's subjects, retired ones too (set-up)."""
    return get("/setup/subjects", SubjectList)


def setup_rooms() -> Get[RoomList]:
    """The school's rooms, retired ones too (set-up)."""
    return get("/setup/rooms", RoomList)


def setup_classes(year_id: int | None = None) -> Get[SetupClassList]:
    """The school's classes (set-up): of one year, or of every year."""
    return get("/setup/classes", SetupClassList, {"year_id": year_id})


def consent_texts() -> Get[ConsentTexts]:
    """Every version of the school's consent text, newest first."""
    return Get("/consent/texts", ConsentTexts)


def consent_parents(
    class_: str | None = None, state: ConsentState | None = None
) -> Get[ParentConsents]:
    """Who has and has not consented: the parents of ``class_`` (a name or id), in ``state``."""
    return Get(
        "/consent/parents",
        ParentConsents,
        query({"class": class_ or None, "state": state.value if state else None}),
    )


def consent_history(parent_id: int) -> Get[ConsentHistory]:
    return Get(f"/consent/parents/{parent_id}", ConsentHistory)


def my_consent() -> Get[MyConsent]:
    """A parent's standing with the school's current consent text."""
    return Get("/me/consent", MyConsent)


def groups(class_id: int | None = None) -> Get[ClassGroupList]:
    """The groups within the school's classes (or one class's), with their pupils today."""
    return Get("/groups", ClassGroupList, query({"class_id": class_id}))


def assignments(class_id: int | None = None, teacher_id: int | None = None) -> Get[AssignmentList]:
    """Who teaches which subject to which class or group (of one class, of one teacher)."""
    return Get(
        "/assignments", AssignmentList, query({"class_id": class_id, "teacher_id": teacher_id})
    )


def timetable(class_id: int | None = None, on: dt.date | None = None) -> Get[TimetableList]:
    """The weekly timetable's rows in force on a day (default: today), of one class or all."""
    return Get("/timetable", TimetableList, query({"class_id": class_id, "on": on}))


def classes() -> Get[ClassList]:
    return Get("/classes", ClassList)


def user(user_id: int) -> Get[UserSummary]:
    return Get(f"/users/{user_id}", UserSummary)


# -- the audit log, statistics, medical absences ------------------------------------------------


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Which records of the audit log are read (the ``diary admin audit`` options, the audit
    screen's fields): ``pupil`` and ``teacher`` are logins or ids; ``actions`` keeps only those
    (``("update", "remove")``: corrections and removals); None or empty: any."""

    pupil: str | None = None
    teacher: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    entity: str | None = None
    actions: Sequence[str] | None = None

    def page(self, *, limit: int = 50, before: int | None = None) -> Get[AuditPage]:
        """The page of at most ``limit`` records before the record ``before`` (None: the
        newest)."""
        return audit(
            pupil=self.pupil,
            teacher=self.teacher,
            start=self.start,
            end=self.end,
            entity=self.entity,
            actions=self.actions,
            limit=limit,
            before=before,
        )


def audit(
    *,
    pupil: str | None = None,
    teacher: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    entity: str | None = None,
    limit: int = 50,
    before: int | None = None,
    actions: Sequence[str] | None = None,
) -> Get[AuditPage]:
    """A page of the audit log, newest first; ``pupil`` and ``teacher`` are logins or ids;
    ``actions`` keeps only those (``("update", "remove")``: corrections and removals)."""
    params = {
        "limit": limit,
        "pupil": pupil or None,
        "teacher": teacher or None,
        "entity": entity or None,
        "action": ",".join(actions) if actions else None,
        "from": start,
        "to": end,
        "before": before,
    }
    return Get("/audit", AuditPage, query(params))


def school_stats(period_id: int | None = None) -> Get[SchoolStats]:
    return Get("/stats/school", SchoolStats, query({"period": period_id}))


def class_stats(class_id: int, period_id: int | None = None) -> Get[ClassStats]:
    return Get(f"/stats/classes/{class_id}", ClassStats, query({"period": period_id}))


def authority_stats(period_id: int | None = None) -> Get[AuthorityStats]:
    return Get("/stats/authority", AuthorityStats, query({"period": period_id}))


def search_pupils(text: str) -> Get[PupilSearch]:
    """Pupils by name: names and classes only."""
    return Get("/pupils/search", PupilSearch, query({"q": text}))


def medical_absences(
    pupil_id: int, start: dt.date | None = None, end: dt.date | None = None
) -> Get[MedicalAbsences]:
    params = {"pupil": pupil_id, "from": start, "to": end}
    return Get("/medical/absences", MedicalAbsences, query(params))


CONSTRUCTORS = (
    health,
    me,
    week,
    grades,
    report_card,
    homework,
    attendance,
    absence_notices,
    class_absence_notices,
    journal,
    lesson,
    threads,
    thread,
    recipients,
    announcements,
    blog_posts,
    blog_post,
    events,
    users,
    groups,
    assignments,
    timetable,
    classes,
    user,
    audit,
    school_stats,
    class_stats,
    authority_stats,
    search_pupils,
    medical_absences,
)
"""Every endpoint's constructor (a test checks each one's key against what it sends)."""
