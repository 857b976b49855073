"""The one rule of "in a class on a day" (``schema.enrolled_on``/``enrolled_between``) and of
"in a group on a day" (``in_group_on``/``in_group_between``), checked at their edges against a
real SQLite database: an enrolment's first and last days are days in the class, the day after
its last is not, an enrolment with no end holds on every day from its start."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import create_engine, insert, literal, select
from sqlalchemy.orm import Session

from demo_server import schema as s

START = dt.date(2026, 9, 1)
LAST = dt.date(2026, 12, 25)


@pytest.fixture
def db() -> Session:
    engine = create_engine("sqlite://")
    s.Base.metadata.create_all(engine)
    session = Session(engine)
    session.execute(
        insert(s.Enrolment),
        [
            {"id": 1, "pupil_id": 1, "class_id": 1, "start": START, "end": LAST},
            {"id": 2, "pupil_id": 2, "class_id": 1, "start": START, "end": None},
        ],
    )
    session.execute(
        insert(s.GroupMember),
        [
            {"id": 1, "group_id": 1, "pupil_id": 1, "start": START, "end": LAST},
            {"id": 2, "group_id": 1, "pupil_id": 2, "start": START, "end": None},
        ],
    )
    return session


DAYS = [
    (START - dt.timedelta(days=1), set()),
    (START, {1, 2}),
    (LAST, {1, 2}),
    (LAST + dt.timedelta(days=1), {2}),
    (dt.date(2031, 5, 30), {2}),
]


@pytest.mark.parametrize(("day", "pupils"), DAYS)
def test_enrolled_on_edges(db: Session, day: dt.date, pupils: set[int]) -> None:
    found = db.scalars(select(s.Enrolment.pupil_id).where(s.enrolled_on(day))).all()
    assert set(found) == pupils
    members = db.scalars(select(s.GroupMember.pupil_id).where(s.in_group_on(day))).all()
    assert set(members) == pupils


def test_enrolled_on_a_column(db: Session) -> None:
    """A day may be a column of the query (a lesson's date), not only a value."""
    day = literal(LAST + dt.timedelta(days=1)).label("day")
    rows = select(day).subquery()
    found = db.scalars(select(s.Enrolment.pupil_id).where(s.enrolled_on(rows.c.day))).all()
    assert set(found) == {2}


@pytest.mark.parametrize(
    ("first", "last", "pupils"),
    [
        (START - dt.timedelta(days=7), START - dt.timedelta(days=1), set()),
        (START - dt.timedelta(days=7), START, {1, 2}),
        (LAST, LAST + dt.timedelta(days=6), {1, 2}),
        (LAST + dt.timedelta(days=1), LAST + dt.timedelta(days=7), {2}),
    ],
)
def test_enrolled_between_edges(
    db: Session, first: dt.date, last: dt.date, pupils: set[int]
) -> None:
    found = db.scalars(select(s.Enrolment.pupil_id).where(s.enrolled_between(first, last)))
    assert set(found.all()) == pupils
    members = db.scalars(
        select(s.GroupMember.pupil_id).where(s.in_group_between(first, last))
    ).all()
    assert set(members) == pupils
