"""Where a user can go: the app's screens, their keys, and who may open them.

The list is data, not code, so the navigation bar, the key bindings, the command palette and
F1 help all come from one place. A screen module registers its factory with the app under the
same ``name`` (see ``diary_tui.app.SCREEN_CLASSES``); a destination with no registered screen is
not offered. What a role may open is decided again by the server for every request: hiding a
screen here is a convenience, never the protection.
"""

from __future__ import annotations

from dataclasses import dataclass

from api_client.i18n import N_
from api_client.models import Me, Role

FAMILY = frozenset({Role.PARENT, Role.PUPIL})


@dataclass(frozen=True, slots=True)
class Destination:
    name: str
    """The id of the screen: ``week``, ``grades``, ..."""
    key: str
    """The key that opens it from any screen."""
    title: str
    """A short title for the navigation bar (the key letter is shown beside it); in English,
    marked: shown as ``_(title)``."""
    description: str
    """A line for the command palette and help (``_(description)`` where shown)."""
    roles: frozenset[Role]
    teachers_with_children: bool = False
    class_teachers: bool = False
    """Also offered to a teacher who leads a class (``Me.homeroom``), whatever the role."""


DESTINATIONS: tuple[Destination, ...] = (
    Destination(
        "week",
        "w",
        N_("Week"),
        N_("A child's week: lessons, homework, marks, absences, changes"),
        FAMILY,
    ),
    Destination(
        "grades",
        "g",
        N_("Grades"),
        N_("Marks by period per subject: averages, period marks, trend, what-if, report card"),
        FAMILY,
    ),
    Destination(
        "homework",
        "o",
        N_("Homework"),
        N_("Homework due, upcoming first, with attachments; a pupil ticks it done"),
        FAMILY,
    ),
    Destination(
        "attendance",
        "a",
        N_("Attendance"),
        N_("Absences and lateness by period with totals; absence notices to the class teacher"),
        FAMILY,
        class_teachers=True,
    ),
    Destination(
        "stats",
        "s",
        N_("Statistics"),
        N_("The school in a period: averages, marks, attendance, ranking, pupils at risk, trend"),
        frozenset({Role.ADMINISTRATION, Role.AUTHORITY}),
    ),
    Destination(
        "homeroom",
        "k",
        N_("My class"),
        N_(
            "The class you lead (the administration: any class): attendance by pupil and day "
            "in a period, the parents and their contacts, one message to the parents"
        ),
        frozenset({Role.ADMINISTRATION}),
        class_teachers=True,
    ),
    Destination(
        "journal",
        "j",
        N_("Journal"),
        N_("The class journal: marks, absences, topics and homework (administration: read-only)"),
        frozenset({Role.TEACHER, Role.ADMINISTRATION}),
    ),
    Destination(
        "messages",
        "m",
        N_("Messages"),
        N_("Messages with teachers (or parents): threads, unread counts, replies, new threads"),
        frozenset({Role.PARENT, Role.PUPIL, Role.TEACHER, Role.ADMINISTRATION}),
    ),
    Destination(
        "chat",
        "z",
        N_("Chat"),
        N_("The class chat: the pupils of a class and their teachers; the class teacher moderates"),
        frozenset({Role.PUPIL, Role.TEACHER, Role.ADMINISTRATION}),
    ),
    Destination(
        "news",
        "b",
        N_("News"),
        N_("The school's and the class's announcements, newest first, and upcoming events"),
        frozenset({Role.PARENT, Role.PUPIL, Role.TEACHER, Role.ADMINISTRATION}),
    ),
    Destination(
        "blogs",
        "B",
        N_("Blogs"),
        N_("Teachers' blogs: posts to a class or the school, comments; teachers write posts"),
        frozenset({Role.PARENT, Role.PUPIL, Role.TEACHER, Role.ADMINISTRATION}),
    ),
    Destination(
        "users",
        "U",
        N_("Users"),
        N_(
            "Accounts: search, create, lock, reset passwords, link parents and children, "
            "move pupils"
        ),
        frozenset({Role.IT_STAFF}),
    ),
    Destination(
        "setup",
        "S",
        N_("Set-up"),
        N_(
            "The school's set-up: years, periods, holidays, bells, subjects, rooms, classes, "
            "set-up files, the end of the year"
        ),
        frozenset({Role.IT_STAFF, Role.ADMINISTRATION}),
    ),
    Destination(
        "audit",
        "l",
        N_("Audit log"),
        N_("Every change of a mark, absence, homework or topic: before, after, who, when, why"),
        frozenset({Role.IT_STAFF, Role.ADMINISTRATION}),
    ),
    Destination(
        "medical",
        "h",
        N_("Medical"),
        N_("Find a pupil, see and record illness absences (no marks)"),
        frozenset({Role.HEALTH_WORKER}),
    ),
    Destination(
        "bells",
        "Z",
        N_("Bells"),
        N_("The school's bell schedules and which days this week and next keep which"),
        frozenset(Role),
    ),
    Destination(
        "whatsnew",
        "u",
        N_("What's new"),
        N_(
            "Every change since you last looked, by child and day: marks (edits too), lessons, news"
        ),
        frozenset(Role),
    ),
    Destination(
        "settings",
        "p",
        N_("Settings"),
        N_("The language; notifications of live changes: which kinds, quiet hours, the bell"),
        frozenset(Role),
    ),
)


def allowed(destination: Destination, me: Me | None) -> bool:
    """Whether the navigation offers ``destination`` to ``me`` (None: not known yet)."""
    if me is None:
        return False
    if destination.class_teachers and me.homeroom is not None:
        return True
    return me.role in destination.roles


def destinations_for(me: Me | None, available: set[str] | frozenset[str]) -> list[Destination]:
    """What ``me`` can open, of the screens the app has."""
    return [d for d in DESTINATIONS if d.name in available and allowed(d, me)]


def destination(name: str) -> Destination | None:
    for candidate in DESTINATIONS:
        if candidate.name == name:
            return candidate
    return None


def home_for(me: Me | None, available: set[str] | frozenset[str]) -> str:
    """The first screen after login: the first destination the role may open (not one
    offered besides, to a class teacher)."""
    offered = [d for d in destinations_for(me, available) if me is not None and me.role in d.roles]
    return offered[0].name if offered else "week"
