"""Who am I: the signed-in account, its school, and what it is related to (``/me``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.auth import Viewer
from demo_server.problems import unauthorized
from demo_server.week import class_ref, current_classes


async def load_me(db: AsyncSession, viewer: Viewer, today: dt.date) -> m.Me:
    """Who the viewer is: their account and school; a parent's children (a pupil: themself)
    with their classes; a teacher's classes and subjects and the class they lead."""
    row = (
        await db.execute(
            select(s.User, s.School)
            .join(s.School, s.School.id == s.User.school_id)
            .where(s.User.id == viewer.id)
        )
    ).one_or_none()
    if row is None:  # deleted while the token was alive
        raise unauthorized(_("this account no longer exists"))
    user, school = row
    children: list[m.PupilRef] = []
    teaching: list[m.Teaching] = []
    homeroom: m.ClassRef | None = None
    homerooms: list[m.ClassRef] = []
    if viewer.role in (m.Role.PARENT, m.Role.PUPIL):
        pupils: list[tuple[int, str, str]]
        if viewer.role is m.Role.PARENT:
            rows = (
                await db.execute(
                    select(s.User.id, s.User.first_name, s.User.last_name)
                    .join(s.ParentLink, s.ParentLink.pupil_id == s.User.id)
                    .where(s.ParentLink.parent_id == viewer.id)
                    .order_by(s.User.first_name, s.User.last_name, s.User.id)
                )
            ).all()
            pupils = [(pid, first, last) for pid, first, last in rows]
        else:
            pupils = [(user.id, user.first_name, user.last_name)]
        classes = await current_classes(db, [p[0] for p in pupils], today)
        children = [
            m.PupilRef(id=pid, first_name=first, last_name=last, class_=classes.get(pid))
            for pid, first, last in pupils
        ]
    if viewer.role is m.Role.TEACHER:
        for (
            class_id,
            grade,
            letter,
            subject_id,
            subject_name,
            group_id,
            group_name,
        ) in await db.execute(
            select(
                s.SchoolClass.id,
                s.SchoolClass.grade,
                s.SchoolClass.letter,
                s.Subject.id,
                s.Subject.name,
                s.ClassGroup.id,
                s.ClassGroup.name,
            )
            .select_from(s.TeachingAssignment)
            .join(s.SchoolClass, s.SchoolClass.id == s.TeachingAssignment.class_id)
            .join(s.Subject, s.Subject.id == s.TeachingAssignment.subject_id)
            .outerjoin(s.ClassGroup, s.ClassGroup.id == s.TeachingAssignment.group_id)
            .where(s.TeachingAssignment.teacher_id == viewer.id)
            .order_by(s.SchoolClass.grade, s.SchoolClass.letter, s.Subject.name, s.ClassGroup.name)
        ):
            teaching.append(
                m.Teaching(
                    class_=class_ref(class_id, grade, letter),
                    subject=m.SubjectRef(id=subject_id, name=subject_name),
                    group=m.GroupRef(id=group_id, name=group_name) if group_id else None,
                )
            )
        # The classes led in the newest year the teacher leads one (a teacher may lead
        # several; the year closed last does not count once a new one holds a class).
        led = (
            await db.execute(
                select(
                    s.SchoolClass.id, s.SchoolClass.grade, s.SchoolClass.letter, s.AcademicYear.id
                )
                .join(s.AcademicYear, s.AcademicYear.id == s.SchoolClass.year_id)
                .where(s.SchoolClass.homeroom_teacher_id == viewer.id)
                .order_by(s.AcademicYear.start.desc(), s.SchoolClass.grade, s.SchoolClass.letter)
            )
        ).all()
        homerooms = [
            class_ref(cid, grade, letter) for cid, grade, letter, year in led if year == led[0][3]
        ]
        homeroom = homerooms[0] if homerooms else None
    return m.Me(
        id=user.id,
        login=user.login,
        first_name=user.first_name,
        last_name=user.last_name,
        middle_name=user.middle_name,
        role=viewer.role,
        school=m.SchoolInfo(
            id=school.id,
            name=school.name,
            mark_scale=m.MarkScale(min=school.mark_min, max=school.mark_max),
            timezone=school.timezone,
            language=school.language,
        ),
        children=children,
        teaching=teaching,
        homeroom=homeroom,
        homerooms=homerooms,
        must_change_password=user.must_change_password,
    )
