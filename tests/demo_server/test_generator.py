"""The demo school generator: deterministic, consistent, and quick enough for every test run."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select

from api_client.models import email_refusal, normal_email, phone_refusal
from demo_server import schema
from demo_server.audit import first_broken
from demo_server.db import make_engine
from demo_server.generator import DemoSchool, generate
from demo_server.schema import Base
from tests.conftest import TEST_AUDIT_KEY

TODAY = dt.date(2026, 11, 25)  # a Wednesday in the second quarter
FEATURED = ["parent", "pupil", "teacher", "classteacher", "admin", "it", "nurse", "authority"]


async def _generate_into(url: str, **kwargs: Any) -> DemoSchool:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        return await generate(engine, **kwargs)
    finally:
        await engine.dispose()


class Built:
    def __init__(self, path: Path, school: DemoSchool) -> None:
        self.path = path
        self.school = school
        self.db = sqlite3.connect(path)
        self.db.row_factory = sqlite3.Row

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        return list(self.db.execute(sql, args))

    def one(self, sql: str, *args: Any) -> Any:
        return self.db.execute(sql, args).fetchone()[0]

    def user(self, login: str) -> sqlite3.Row:
        row = self.db.execute("SELECT * FROM users WHERE login = ?", (login,)).fetchone()
        assert row is not None, login
        return row  # type: ignore[no-any-return]

    def class_of(self, pupil_id: int) -> int:
        return int(self.one("SELECT class_id FROM enrolments WHERE pupil_id = ?", pupil_id))


def build(tmp: Path, name: str, **kwargs: Any) -> Built:
    path = tmp / f"{name}.sqlite3"
    school = asyncio.run(_generate_into(f"sqlite:///{path}", **kwargs))
    return Built(path, school)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    built = build(tmp_path_factory.mktemp("gen"), "small", seed=1, today=TODAY)
    yield built
    built.db.close()


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    built = build(tmp_path_factory.mktemp("gen"), "en", seed=1, lang="en", today=TODAY)
    yield built
    built.db.close()


DUMPED = {
    "users": "id, login, role, first_name, last_name, middle_name, created_at, phone, email",
    "classes": "*",
    "enrolments": "*",
    "parent_links": "*",
    "timetable_slots": "*",
    "lessons": "*",
    "marks": "*",
    "absences": "*",
    "homework": "*",
    "period_marks": "*",
    "messages": "*",
    "events": "*",
    "audit_log": "*",
}
"""Tables compared between two runs (the password hash is salted, so it differs by design)."""


def dump(built: Built) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(r) for r in built.rows(f"SELECT {cols} FROM {table} ORDER BY 1, 2")]
        for table, cols in DUMPED.items()
    }


# --- determinism -------------------------------------------------------------------------------


def test_same_seed_gives_the_same_school(small: Built, tmp_path: Path) -> None:
    again = build(tmp_path, "again", seed=1, today=TODAY)
    assert dump(again) == dump(small)
    assert again.school == small.school


def test_another_seed_gives_another_school(small: Built, tmp_path: Path) -> None:
    other = build(tmp_path, "other", seed=2, today=TODAY)
    mine, theirs = dump(small), dump(other)
    assert mine["users"] != theirs["users"]
    assert mine["marks"] != theirs["marks"]
    assert mine["timetable_slots"] != theirs["timetable_slots"]


# --- size and content --------------------------------------------------------------------------


def test_small_school_is_small(small: Built) -> None:
    """Its size; how fast it is built is measured by ``benchmarks`` (``init-demo``), not here."""
    counts = small.school.counts
    assert counts["classes"] == small.one("SELECT count(*) FROM classes") == 4
    names = sorted(
        f"{r['grade']}{r['letter']}" for r in small.rows("SELECT grade, letter FROM classes")
    )
    assert names == ["2А", "5А", "5Б", "9А"]
    for row in small.rows("SELECT class_id, count(*) AS n FROM enrolments GROUP BY class_id"):
        assert 10 <= row["n"] <= 12
    assert counts["pupils"] == small.one("SELECT count(*) FROM users WHERE role = 'pupil'")
    assert counts["parents"] == small.one("SELECT count(*) FROM users WHERE role = 'parent'")
    assert counts["teachers"] == small.one("SELECT count(*) FROM users WHERE role = 'teacher'")
    for table in ("lessons", "marks", "absences", "homework", "messages", "events"):
        assert counts[table] == small.one(f"SELECT count(*) FROM {table}") > 0, table
    # The class chat of the featured pupil's class: six messages, none in another class.
    assert counts["chat_messages"] == small.one("SELECT count(*) FROM chat_messages") == 6
    assert small.one("SELECT count(DISTINCT class_id) FROM chat_messages") == 1
    assert 40 <= counts["pupils"] <= 48
    assert 10 <= counts["teachers"] <= 25
    assert counts["substitutions"] > 0
    assert counts["cancellations"] > 0
    assert counts["room_changes"] > 0
    assert counts["moved"] > 0
    assert counts["edited_marks"] > 0


def test_the_school_row(small: Built) -> None:
    row = small.rows("SELECT * FROM schools")[0]
    assert row["id"] == small.school.school_id
    assert (row["mark_min"], row["mark_max"]) == (1, 5)
    assert row["show_class_rating"] == 1
    assert row["reason_after_days"] == 7


def test_calendar(small: Built) -> None:
    year = small.rows("SELECT * FROM academic_years")[0]
    assert (year["start"], year["end"]) == ("2026-09-01", "2027-05-31")
    periods = small.rows("SELECT * FROM periods ORDER BY number")
    assert [p["number"] for p in periods] == [1, 2, 3, 4]
    assert periods[0]["start"] == "2026-09-01"
    assert periods[3]["end"] == "2027-05-31"
    for before, after in itertools.pairwise(periods):
        gap = dt.date.fromisoformat(after["start"]) - dt.date.fromisoformat(before["end"])
        assert gap.days > 3, "a break between quarters"
    holidays = {r["date"] for r in small.rows("SELECT date FROM holidays")}
    assert "2026-11-04" in holidays  # a public holiday on a Wednesday
    assert "2026-12-30" in holidays and "2027-01-05" in holidays  # winter break
    bells = small.rows('SELECT number, start, "end" FROM bells ORDER BY number')
    assert len(bells) == 7
    for bell in bells:
        start = dt.datetime.strptime(bell["start"], "%H:%M")
        end = dt.datetime.strptime(bell["end"], "%H:%M")
        assert end - start == dt.timedelta(minutes=45)
    for a, b in itertools.pairwise(bells):
        assert a["end"] < b["start"]


def test_strings_fit_their_columns(small: Built, english: Built) -> None:
    # SQLite ignores VARCHAR lengths; PostgreSQL does not.
    from sqlalchemy import String

    for built in (small, english):
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String) and column.type.length:
                    longest = built.one(f'SELECT max(length("{column.name}")) FROM "{table.name}"')
                    assert (longest or 0) <= column.type.length, f"{table.name}.{column.name}"


def test_every_lesson_is_on_a_school_day(small: Built) -> None:
    holidays = {r["date"] for r in small.rows("SELECT date FROM holidays")}
    for row in small.rows("SELECT DISTINCT date FROM lessons"):
        day = dt.date.fromisoformat(row["date"])
        assert day.weekday() < 5, day
        assert row["date"] not in holidays, day
        assert dt.date(2026, 9, 1) <= day <= dt.date(2027, 5, 31)


def test_no_teacher_or_class_in_two_places_at_once(small: Built) -> None:
    held = small.rows(
        "SELECT class_id, group_id, coalesce(substitute_id, teacher_id) AS who, date, number "
        "FROM lessons WHERE status IN ('planned', 'substituted')"
    )
    teachers = Counter((r["who"], r["date"], r["number"]) for r in held)
    assert max(teachers.values()) == 1
    # A class has one lesson at a time, or its groups one each (a pupil is in one of them).
    at_once: dict[tuple[Any, ...], list[Any]] = {}
    for r in held:
        at_once.setdefault((r["class_id"], r["date"], r["number"]), []).append(r["group_id"])
    for groups in at_once.values():
        assert groups == [None] or (None not in groups and len(set(groups)) == len(groups))
    slots = small.rows("SELECT teacher_id, weekday, number FROM timetable_slots")
    assert max(Counter(tuple(r) for r in slots).values()) == 1


def test_split_classes_learn_in_groups(small: Built) -> None:
    """The first class of a grade from 5 learns English (from 7 also computer science) in two
    groups: the pupils halved, each group its own teacher, both groups' lessons at the same
    bell, marks and absences only for the group's pupils."""
    groups = small.rows(
        "SELECT g.*, c.grade, c.letter, s.name AS subject FROM class_groups g "
        "JOIN classes c ON c.id = g.class_id JOIN subjects s ON s.id = g.subject_id"
    )
    split = Counter((g["class_id"], g["subject_id"]) for g in groups)
    assert set(split.values()) == {2}
    assert {(g["grade"], g["subject"]) for g in groups} == {
        (5, "Английский язык"),
        (9, "Английский язык"),
        (9, "Информатика"),
    }
    pupil = small.user("pupil")["id"]
    assert small.one("SELECT count(*) FROM group_members WHERE pupil_id = ?", pupil) == 1
    for (class_id, subject_id), _n in split.items():
        pair = [g for g in groups if (g["class_id"], g["subject_id"]) == (class_id, subject_id)]
        assert pair[0]["teacher_id"] != pair[1]["teacher_id"]
        members = [
            {
                r["pupil_id"]
                for r in small.rows(
                    "SELECT pupil_id FROM group_members WHERE group_id = ?", g["id"]
                )
            }
            for g in pair
        ]
        everyone = {
            r["pupil_id"]
            for r in small.rows("SELECT pupil_id FROM enrolments WHERE class_id = ?", class_id)
        }
        assert members[0] and members[1] and not members[0] & members[1]
        assert members[0] | members[1] == everyone
        slots = [
            {
                (r["weekday"], r["number"])
                for r in small.rows(
                    "SELECT weekday, number FROM timetable_slots WHERE group_id = ?", g["id"]
                )
            }
            for g in pair
        ]
        assert slots[0] and slots[0] == slots[1]
        assert (
            small.one(
                "SELECT count(*) FROM timetable_slots WHERE class_id = ? AND subject_id = ? "
                "AND group_id IS NULL",
                class_id,
                subject_id,
            )
            == 0
        )
        for g, pupils in zip(pair, members, strict=True):
            assert (
                small.one(
                    "SELECT count(*) FROM teaching_assignments "
                    "WHERE group_id = ? AND teacher_id = ?",
                    g["id"],
                    g["teacher_id"],
                )
                == 1
            )
            lesson_pupils = {
                r["pupil_id"]
                for table in ("marks", "absences")
                for r in small.rows(
                    f"SELECT x.pupil_id FROM {table} x JOIN lessons l ON l.id = x.lesson_id "
                    "WHERE l.group_id = ?",
                    g["id"],
                )
            }
            assert lesson_pupils and lesson_pupils <= pupils
    made = small.one("SELECT count(*) FROM lessons WHERE slot_id IS NOT NULL")
    assert made >= 0.95 * small.one("SELECT count(*) FROM lessons")


def test_timetable_fits_the_day(small: Built) -> None:
    for row in small.rows(
        "SELECT c.grade, t.class_id, t.weekday, count(DISTINCT t.number) AS n, "
        "max(t.number) AS last "
        "FROM timetable_slots t JOIN classes c ON c.id = t.class_id "
        "GROUP BY t.class_id, t.weekday"
    ):
        assert 4 <= row["n"] <= 7
        assert row["last"] <= 7
    per_class = small.rows(
        "SELECT class_id, count(DISTINCT weekday) AS days FROM timetable_slots GROUP BY class_id"
    )
    assert all(r["days"] == 5 for r in per_class)


def test_marks_are_realistic(small: Built) -> None:
    marks = small.rows(
        "SELECT m.*, l.date, l.status FROM marks m JOIN lessons l ON l.id = m.lesson_id"
    )
    values = Counter(m["value"] for m in marks)
    assert set(values) <= {2, 3, 4, 5}
    assert values[4] + values[5] > 0.6 * len(marks)
    assert all(m["date"] <= TODAY.isoformat() for m in marks)
    assert all(m["status"] in ("planned", "substituted") for m in marks)
    for m in marks:
        if m["kind"] in ("oral", "homework", "classwork"):
            assert m["weight"] == 1
        if m["kind"] in ("test", "dictation"):
            assert m["weight"] in (2, 3)
    assert sum(bool(m["comment"]) for m in marks) > 0.05 * len(marks)
    absent = small.rows(
        "SELECT 1 FROM marks m JOIN absences a ON a.lesson_id = m.lesson_id "
        "AND a.pupil_id = m.pupil_id AND a.kind != 'late'"
    )
    assert absent == []


def test_past_and_future(small: Built) -> None:
    today = TODAY.isoformat()
    future = small.rows("SELECT * FROM lessons WHERE date > ?", today)
    assert future and all(not r["topic"] for r in future)
    past = small.rows(
        "SELECT * FROM lessons WHERE date <= ? AND status IN ('planned', 'substituted')", today
    )
    assert all(r["topic"] for r in past)
    assert (
        small.one(
            "SELECT count(*) FROM absences a JOIN lessons l ON l.id = a.lesson_id WHERE l.date > ?",
            today,
        )
        == 0
    )
    kinds = {r["kind"] for r in small.rows("SELECT DISTINCT kind FROM absences")}
    assert kinds == {"unexcused", "illness", "excused", "late"}
    late = small.rows("SELECT minutes FROM absences WHERE kind = 'late'")
    assert all(r["minutes"] > 0 for r in late)


def test_homework_is_due_at_the_next_lesson(small: Built) -> None:
    rows = small.rows(
        "SELECT h.due, l.class_id, l.group_id, l.subject_id, l.date FROM homework h "
        "JOIN lessons l ON l.id = h.lesson_id"
    )
    assert rows
    for row in rows[:200]:
        following = small.one(
            "SELECT min(date) FROM lessons WHERE class_id = ? AND subject_id = ? AND date > ? "
            "AND coalesce(group_id, 0) = coalesce(?, 0) "
            "AND status IN ('planned', 'substituted')",
            row["class_id"],
            row["subject_id"],
            row["date"],
            row["group_id"],
        )
        assert row["due"] == following


def test_changes_around_today_for_the_featured_pupil(small: Built) -> None:
    pupil_class = small.class_of(small.user("pupil")["id"])
    ahead = small.rows(
        "SELECT * FROM lessons WHERE class_id = ? AND date >= ? AND date < ?",
        pupil_class,
        TODAY.isoformat(),
        (TODAY + dt.timedelta(days=14)).isoformat(),
    )
    statuses = {r["status"] for r in ahead}
    assert {"substituted", "cancelled", "moved"} <= statuses
    assert any(r["room"] != r["planned_room"] for r in ahead)
    for r in ahead:
        if r["status"] == "substituted":
            assert r["substitute_id"] not in (None, r["teacher_id"])
        if r["status"] in ("cancelled", "moved"):
            assert r["note"]
    past = small.rows(
        "SELECT * FROM lessons WHERE class_id = ? AND date < ? AND status != 'planned'",
        pupil_class,
        TODAY.isoformat(),
    )
    assert past


def test_a_lesson_note_never_repeats_its_status(small: Built, english: Built) -> None:
    """The week shows "cancelled: <note>" and "moved: <note>": the note gives the reason, or
    where the lesson went, and never says "cancelled" or "moved" again (in either language)."""
    words = ("cancel", "moved", "отмен", "перенес", "перенёс")
    for built in (small, english):
        rows = built.rows(
            "SELECT status, note FROM lessons WHERE status IN ('cancelled', 'moved', 'substituted')"
        )
        assert {r["status"] for r in rows} == {"cancelled", "moved", "substituted"}
        for r in rows:
            assert r["note"], r["status"]
            assert not any(word in r["note"].casefold() for word in words), tuple(r)


def test_period_marks_for_finished_quarters_only(small: Built) -> None:
    rows = small.rows(
        "SELECT p.number, pm.value FROM period_marks pm JOIN periods p ON p.id = pm.period_id"
    )
    assert rows and {r["number"] for r in rows} == {1}
    assert all(2 <= r["value"] <= 5 for r in rows)
    assert small.one("SELECT count(*) FROM period_marks WHERE period_id IS NULL") == 0


def test_threads_announcements_events(small: Built) -> None:
    parent = small.user("parent")["id"]
    mine = small.rows(
        "SELECT t.id, p.last_read_id FROM message_threads t "
        "JOIN thread_participants p ON p.thread_id = t.id WHERE p.user_id = ?",
        parent,
    )
    assert len(mine) >= 3
    unread = 0
    for thread in mine:
        last = small.one("SELECT max(id) FROM messages WHERE thread_id = ?", thread["id"])
        unread += thread["last_read_id"] < last
    assert unread >= 1
    assert small.one("SELECT count(*) FROM announcements WHERE class_id IS NULL") >= 3
    assert small.one("SELECT count(*) FROM announcements WHERE class_id IS NOT NULL") >= 4
    monday = TODAY - dt.timedelta(days=TODAY.weekday())
    soon = small.rows(
        "SELECT * FROM events WHERE starts_at >= ? AND starts_at < ?",
        monday.isoformat(),
        (monday + dt.timedelta(days=14)).isoformat(),
    )
    kinds = {r["kind"] for r in soon}
    assert {"parent_meeting", "school_event"} <= kinds
    meetings = small.rows("SELECT * FROM events WHERE kind = 'parent_meeting'")
    assert {r["class_id"] for r in meetings} == {
        r["id"] for r in small.rows("SELECT id FROM classes")
    }
    assert all(r["place"] for r in meetings)


# --- the featured accounts --------------------------------------------------------------------


def test_featured_accounts(small: Built) -> None:
    school = small.school
    assert [a.login for a in school.featured] == FEATURED
    roles = [a.role for a in school.featured]
    assert roles == [
        "parent",
        "pupil",
        "teacher",
        "teacher",
        "administration",
        "it_staff",
        "health_worker",
        "authority",
    ]
    for account in school.featured:
        assert account.password == school.password
        assert account.title
        assert small.user(account.login)["role"] == account.role

    parent = small.user("parent")["id"]
    children = [
        r["pupil_id"]
        for r in small.rows("SELECT pupil_id FROM parent_links WHERE parent_id = ?", parent)
    ]
    assert len(children) == 2
    classes = {small.class_of(c) for c in children}
    assert len(classes) == 2, "the parent's children are in different classes"
    pupil = small.user("pupil")["id"]
    assert pupil in children
    pupil_class = small.class_of(pupil)
    teacher = small.user("teacher")["id"]
    assert small.one(
        "SELECT count(*) FROM teaching_assignments WHERE teacher_id = ? AND class_id = ?",
        teacher,
        pupil_class,
    )
    classteacher = small.user("classteacher")["id"]
    led = small.one("SELECT id FROM classes WHERE homeroom_teacher_id = ?", classteacher)
    assert led in classes
    assert classteacher != teacher


def test_the_school_speaks_the_language_it_was_made_in(small: Built, english: Built) -> None:
    """The app speaks the school's language to a user who chose none (``Me.school.language``)."""
    assert small.one("SELECT language FROM schools") == "ru"
    assert english.one("SELECT language FROM schools") == "en"


def test_logins(small: Built, english: Built) -> None:
    for built in (small, english):
        logins = [r["login"] for r in built.rows("SELECT login FROM users")]
        assert len(logins) == len(set(logins))
        for login in logins:
            assert login in FEATURED or re.fullmatch(r"[a-z]+\.[a-z][0-9]*", login), login


def test_parents_have_contacts_as_families_give_them(small: Built, english: Built) -> None:
    """Most parents have a mobile number and many an e-mail, both of a shape the server takes;
    some families gave neither; nobody but a parent has contacts from the generator."""
    for built, mobile in ((small, r"\+7 9\d\d \d{3}-\d\d-\d\d"), (english, r"\+44 7700 900\d{3}")):
        parents = built.rows("SELECT phone, email FROM users WHERE role = 'parent'")
        phones = [r["phone"] for r in parents if r["phone"]]
        emails = [r["email"] for r in parents if r["email"]]
        assert 0.75 * len(parents) <= len(phones) < len(parents)
        assert 0.4 * len(parents) <= len(emails) < len(phones)
        assert any(not r["phone"] and not r["email"] for r in parents)
        for phone in phones:
            assert re.fullmatch(mobile, phone), phone
            assert phone_refusal(phone) is None, phone
        for email in emails:
            assert email_refusal(email) is None, email
            assert normal_email(email) == email
        assert len(set(phones)) == len(phones)
        others = built.one(
            "SELECT count(*) FROM users WHERE role != 'parent' AND (phone != '' OR email != '')"
        )
        assert others == 0


def test_password_hash_is_argon2id_and_works(small: Built) -> None:
    from argon2 import PasswordHasher

    hashes = {r["password_hash"] for r in small.rows("SELECT password_hash FROM users")}
    assert len(hashes) == 1
    (stored,) = hashes
    assert stored.startswith("$argon2id$")
    assert PasswordHasher().verify(stored, small.school.password)


# --- languages ----------------------------------------------------------------------------


def test_russian_names(small: Built) -> None:
    cyrillic = re.compile(r"^[А-ЯЁ][а-яё]+(-[А-ЯЁ][а-яё]+)?$")
    people = small.rows("SELECT * FROM users")
    for person in people:
        assert cyrillic.match(person["first_name"]), person["first_name"]
        assert cyrillic.match(person["last_name"]), person["last_name"]
    # Children carry the family's surname in their own gender and their father's patronymic.
    pupils = small.rows("SELECT * FROM users WHERE role = 'pupil'")
    for pupil in pupils:
        middle, last = pupil["middle_name"], pupil["last_name"]
        if middle.endswith("на"):  # a daughter
            assert not last.endswith(("ов", "ев", "ёв", "ин", "ский")), last
        else:
            assert middle.endswith("ич"), middle
            assert not last.endswith(("ова", "ева", "ина", "ская")), last
    subjects = {r["name"] for r in small.rows("SELECT name FROM subjects")}
    assert {"Математика", "Русский язык", "Алгебра"} <= subjects


def test_english_school(english: Built) -> None:
    people = english.rows("SELECT * FROM users")
    assert all(p["first_name"].isascii() and p["last_name"].isascii() for p in people)
    assert all(p["middle_name"] == "" for p in people)
    subjects = {r["name"] for r in english.rows("SELECT name FROM subjects")}
    assert {"Mathematics", "English", "Algebra"} <= subjects
    letters = {r["letter"] for r in english.rows("SELECT letter FROM classes")}
    assert letters == {"A", "B"}
    assert [a.login for a in english.school.featured] == FEATURED
    assert english.school.featured[0].title.startswith("Parent of two: ")


# --- the audit chain ---------------------------------------------------------------------------


def test_edited_marks_have_a_valid_audit_chain(small: Built) -> None:
    records = [dict(r) for r in small.rows("SELECT * FROM audit_log ORDER BY id")]
    for record in records:
        record["before"] = _json(record["before"])
        record["after"] = _json(record["after"])
        # Read past the column type: SQLite holds the UTC instant as text without an offset.
        record["at"] = dt.datetime.fromisoformat(record["at"]).replace(tzinfo=dt.UTC)
    assert records
    assert first_broken(records, TEST_AUDIT_KEY) is None
    edited = small.rows("SELECT * FROM marks WHERE version > 1")
    assert edited
    for mark in edited:
        trail = [r for r in records if r["entity"] == "mark" and r["entity_id"] == mark["id"]]
        assert [r["action"] for r in trail] == ["create", "update"]
        assert trail[-1]["after"]["value"] == mark["value"]
        assert trail[-1]["before"]["value"] != mark["value"]
        assert trail[-1]["reason"]
        assert mark["updated_at"] > mark["created_at"]
    # The check can fail: a quietly changed record breaks the chain from there on.
    records[1]["after"] = {"value": 5}
    assert first_broken(records, TEST_AUDIT_KEY) == records[1]["id"]


def _json(value: str | None) -> Any:
    import json

    return None if value is None else json.loads(value)


# --- other dates, bad input, other databases -----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "finished"),
    [
        (dt.date(2026, 9, 1), set()),
        (dt.date(2027, 3, 10), {1, 2}),
        (dt.date(2027, 7, 15), {1, 2, 3, 4}),
    ],
)
def test_other_days_of_the_year(tmp_path: Path, today: dt.date, finished: set[int]) -> None:
    built = build(tmp_path, "day", seed=3, today=today)
    try:
        rows = built.rows(
            "SELECT DISTINCT p.number FROM period_marks pm JOIN periods p ON p.id = pm.period_id"
        )
        assert {r["number"] for r in rows} == finished
        year_marks = built.one("SELECT count(*) FROM period_marks WHERE period_id IS NULL")
        assert (year_marks > 0) == (today.month in (6, 7, 8))
        held = built.rows(
            "SELECT coalesce(substitute_id, teacher_id) AS who, date, number FROM lessons "
            "WHERE status IN ('planned', 'substituted')"
        )
        assert max(Counter(tuple(r) for r in held).values()) == 1
    finally:
        built.db.close()


def test_bad_arguments(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bad.sqlite3'}"
    with pytest.raises(ValueError, match="language"):
        asyncio.run(_generate_into(url, lang="de"))
    with pytest.raises(ValueError, match="size"):
        asyncio.run(_generate_into(url, size="huge"))


def test_refuses_a_database_that_holds_a_school(small: Built) -> None:
    engine = make_engine(f"sqlite:///{small.path}")

    async def again() -> None:
        try:
            await generate(engine, today=TODAY)
        finally:
            await engine.dispose()

    with pytest.raises(ValueError, match="already holds a school"):
        asyncio.run(again())


async def test_generates_on_each_backend_and_later_inserts_work(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(Base.metadata.create_all)
        school = await generate(engine, seed=5, today=TODAY)
        async with engine.begin() as conn:
            new_id = (
                await conn.execute(
                    insert(schema.Subject)
                    .values(school_id=school.school_id, name="Астрономия")
                    .returning(schema.Subject.id)
                )
            ).scalar_one()
            assert new_id == school.counts["subjects"] + 1
            logins = (await conn.execute(select(schema.User.login))).scalars().all()
        assert set(FEATURED) <= set(logins)
    finally:
        await engine.dispose()


def test_school_size(tmp_path: Path) -> None:
    built = build(tmp_path, "school", seed=1, size="school", today=TODAY)
    try:
        counts = built.school.counts
        assert counts["classes"] == 28
        assert 720 <= counts["pupils"] <= 880
        for row in built.rows("SELECT class_id, count(*) AS n FROM enrolments GROUP BY class_id"):
            assert 25 <= row["n"] <= 30
        grades = {r["grade"] for r in built.rows("SELECT DISTINCT grade FROM classes")}
        assert grades == set(range(1, 12))
        held = built.rows(
            "SELECT coalesce(substitute_id, teacher_id) AS who, date, number FROM lessons "
            "WHERE status IN ('planned', 'substituted')"
        )
        assert max(Counter(tuple(r) for r in held).values()) == 1
        # Siblings: some parents have children in different classes.
        families = built.rows(
            "SELECT parent_id, count(*) AS n FROM parent_links GROUP BY parent_id HAVING n > 1"
        )
        assert len(families) > 50
        # First-graders get no marks.
        assert (
            built.one(
                "SELECT count(*) FROM marks m JOIN lessons l ON l.id = m.lesson_id "
                "JOIN classes c ON c.id = l.class_id WHERE c.grade = 1"
            )
            == 0
        )
    finally:
        built.db.close()


def test_the_server_regenerating_the_demo_changes_nothing(small: Built, tmp_path: Path) -> None:
    """The demo's lessons are the ones the server's planner makes from its timetable: the
    server regenerating them from the year's first day creates, removes and changes none."""
    import shutil

    from sqlalchemy.ext.asyncio import AsyncSession

    from api_client.models import Role
    from demo_server.auth import Viewer
    from demo_server.schedule import generate_lessons

    copy = tmp_path / "copy.sqlite3"
    shutil.copy(small.path, copy)
    it = small.user("it")

    async def regenerate() -> Any:
        engine = make_engine(f"sqlite:///{copy}")
        try:
            async with AsyncSession(engine) as db, db.begin():
                viewer = Viewer(it["id"], 1, Role.IT_STAFF, "it", 0, "Europe/Moscow", TODAY)
                classes = [r["id"] for r in small.rows("SELECT id FROM classes")]
                now = dt.datetime(2026, 11, 25, 9, tzinfo=dt.UTC)
                return await generate_lessons(db, viewer, dt.date(2026, 9, 1), classes, now)
        finally:
            await engine.dispose()

    report = asyncio.run(regenerate())
    assert (report.created, report.removed, report.updated, report.kept) == (0, 0, 0, [])
    assert report.unchanged > 0.9 * small.one("SELECT count(*) FROM lessons")


def test_teacher_blogs(small: Built) -> None:
    """Two posts for the featured pupil's class, one for the school, each with a comment of
    the featured family, by teachers of the class (the school's by a teacher)."""
    pupil = small.user("pupil")["id"]
    parent = small.user("parent")["id"]
    cls = small.one("SELECT class_id FROM enrolments WHERE pupil_id = ?", pupil)
    posts = small.rows("SELECT * FROM blog_posts ORDER BY published_at")
    assert [p["class_id"] for p in posts] == [cls, cls, None]
    for post in posts:
        role = small.one("SELECT role FROM users WHERE id = ?", post["author_id"])
        assert role == "teacher"
    commenters = {row["author_id"] for row in small.rows("SELECT author_id FROM blog_comments")}
    assert parent in commenters
    assert small.one("SELECT count(*) FROM blog_comments") == 3


def test_a_class_shows_a_meeting_with_minutes_and_one_with_answers(small: Built) -> None:
    """The featured second child's class (the class teacher's): its last meeting before today
    has minutes, its next one some parents' answers, none of them the featured parent's; every
    meeting has an agenda."""
    noon = dt.datetime.combine(TODAY, dt.time(9), dt.UTC).isoformat(" ")
    with_minutes = small.rows(
        "SELECT class_id, starts_at FROM events WHERE kind = 'parent_meeting' AND minutes != ''"
    )
    assert len(with_minutes) == 1 and with_minutes[0]["starts_at"] < noon
    answered = small.rows(
        "SELECT DISTINCT e.class_id, e.starts_at FROM meeting_answers a "
        "JOIN events e ON e.id = a.event_id"
    )
    assert len(answered) == 1 and answered[0]["starts_at"] > noon
    assert answered[0]["class_id"] == with_minutes[0]["class_id"]
    counts = small.rows("SELECT coming, count(*) AS n FROM meeting_answers GROUP BY coming")
    assert {row["coming"] for row in counts} == {0, 1}
    assert (
        small.one(
            "SELECT count(*) FROM meeting_answers a JOIN users u ON u.id = a.parent_id "
            "WHERE u.login = 'parent'"
        )
        == 0
    )
    assert (
        small.one("SELECT count(*) FROM events WHERE kind = 'parent_meeting' AND agenda = ''") == 0
    )
