"""A tiny hand-made school whose every row a test can name.

The generated demo school is realistic but random; this one holds exactly the cases the week
must get right: a substitution with a room change, a cancellation, homework given and removed,
an edited mark and a removed one, an absence, a pupil who changes class mid-week, events of
the pupil's class, of the school and of another class, and a holiday. It is also a stand-in
with the same shape as the generator's ``DemoSchool`` for the featured accounts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from demo_server import schema as s
from demo_server.security import hash_password

TODAY = dt.date(2026, 11, 25)  # a Wednesday
MONDAY = dt.date(2026, 11, 23)
PASSWORD = "demo-pass-1"


@dataclass(frozen=True)
class Account:
    login: str
    password: str
    role: str
    title: str


@dataclass
class MiniSchool:
    school_id: int
    today: dt.date
    password: str
    featured: list[Account]
    counts: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    """Ids of the named rows: users by login, classes ``c5a``, lessons ``mon1`` ..."""


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    # Moscow is UTC+3 all year.
    return dt.datetime.combine(day, dt.time(hour, minute), dt.UTC) - dt.timedelta(hours=3)


async def build_mini_school(engine: AsyncEngine) -> MiniSchool:
    pw = hash_password(PASSWORD)
    ids: dict[str, int] = {}
    async with engine.begin() as db:

        async def add(table: type[s.Base], key: str | None = None, /, **values: object) -> int:
            new_id = (
                await db.execute(insert(table).values(**values).returning(table.id))  # type: ignore[attr-defined]
            ).scalar_one()
            if key:
                ids[key] = new_id
            return int(new_id)

        school = await add(s.School, name="Школа № 1", timezone="Europe/Moscow")
        year = await add(
            s.AcademicYear,
            "year",
            school_id=school,
            name="2026/27",
            start=dt.date(2026, 9, 1),
            end=dt.date(2027, 5, 31),
        )
        bells = await add(
            s.BellSchedule, "bells", school_id=school, name="Основное", weekdays="0,1,2,3,4"
        )
        for number, (begins, ends) in enumerate(
            [("08:30", "09:15"), ("09:25", "10:10"), ("10:30", "11:15")], start=1
        ):
            await add(
                s.Bell, school_id=school, schedule_id=bells, number=number, start=begins, end=ends
            )
        await add(s.Room, "room", school_id=school, name="301")
        for name in ("101", "102", "103", "105", "204", "302", "305"):
            await add(s.Room, school_id=school, name=name)
        math = await add(s.Subject, "math", school_id=school, name="Математика")
        russian = await add(s.Subject, "russian", school_id=school, name="Русский язык")
        history = await add(s.Subject, "history", school_id=school, name="История")

        def person(
            login: str, role: str, first: str, last: str, middle: str = ""
        ) -> dict[str, object]:
            return dict(
                school_id=school,
                login=login,
                password_hash=pw,
                role=role,
                first_name=first,
                last_name=last,
                middle_name=middle,
            )

        teacher = await add(
            s.User, "teacher", **person("teacher", "teacher", "Анна", "Смирнова", "Петровна")
        )
        classteacher = await add(
            s.User,
            "classteacher",
            **person("classteacher", "teacher", "Ольга", "Иванова", "Сергеевна"),
        )
        teacher2 = await add(
            s.User, "teacher2", **person("teacher2", "teacher", "Пётр", "Козлов", "Ильич")
        )
        await add(s.User, "admin", **person("admin", "administration", "Елена", "Орлова"))
        await add(s.User, "it", **person("it", "it_staff", "Игорь", "Белов"))
        await add(s.User, "nurse", **person("nurse", "health_worker", "Мария", "Волкова"))
        await add(s.User, "authority", **person("authority", "authority", "Олег", "Попов"))
        parent = await add(s.User, "parent", **person("parent", "parent", "Ирина", "Соколова"))
        pupil = await add(s.User, "pupil", **person("pupil", "pupil", "Миша", "Соколов"))
        sibling = await add(s.User, "sibling", **person("sibling", "pupil", "Лена", "Соколова"))
        other_parent = await add(
            s.User, "other_parent", **person("other_parent", "parent", "Юрий", "Морозов")
        )
        stranger = await add(s.User, "stranger", **person("stranger", "pupil", "Коля", "Морозов"))
        mover = await add(s.User, "mover", **person("mover", "pupil", "Дима", "Новиков"))

        c5a = await add(
            s.SchoolClass,
            "c5a",
            school_id=school,
            year_id=year,
            grade=5,
            letter="А",
            homeroom_teacher_id=classteacher,
        )
        c6b = await add(
            s.SchoolClass,
            "c6b",
            school_id=school,
            year_id=year,
            grade=6,
            letter="Б",
            homeroom_teacher_id=teacher2,
        )
        c7v = await add(s.SchoolClass, "c7v", school_id=school, year_id=year, grade=7, letter="В")

        start = dt.date(2026, 9, 1)
        for who, cls in ((pupil, c5a), (sibling, c6b), (stranger, c7v)):
            await add(s.Enrolment, pupil_id=who, class_id=cls, start=start, end=None)
        # The mover is in 6Б until Tuesday and in 5А from Wednesday of the test week.
        await add(
            s.Enrolment,
            pupil_id=mover,
            class_id=c6b,
            start=start,
            end=MONDAY + dt.timedelta(days=1),
        )
        await add(
            s.Enrolment, pupil_id=mover, class_id=c5a, start=MONDAY + dt.timedelta(days=2), end=None
        )
        await db.execute(
            insert(s.ParentLink).values(
                [
                    {"parent_id": parent, "pupil_id": pupil},
                    {"parent_id": parent, "pupil_id": sibling},
                    {"parent_id": other_parent, "pupil_id": stranger},
                ]
            )
        )
        # The school's consent text; the parent signed it on paper, the other parent never did.
        consent = await add(
            s.ConsentText,
            "consent_text",
            school_id=school,
            version=1,
            text="Согласие на обработку персональных данных (версия 1).",
            created_at=_at(start, 9),
        )
        await add(
            s.ConsentRecord,
            school_id=school,
            parent_id=parent,
            text_id=consent,
            action="given",
            way="paper",
            signed_on=start,
            at=_at(start, 10),
            note="",
        )
        for t, cls, subj in (
            (teacher, c5a, math),
            (teacher, c6b, math),
            (classteacher, c5a, russian),
            (teacher2, c6b, history),
            (teacher2, c5a, history),
            (teacher2, c7v, history),
        ):
            await add(s.TeachingAssignment, teacher_id=t, class_id=cls, subject_id=subj)

        def lesson(
            name: str, cls: int, subj: int, t: int, day: dt.date, number: int, **more: object
        ) -> Awaitable[int]:
            return add(
                s.Lesson,
                name,
                class_id=cls,
                subject_id=subj,
                teacher_id=t,
                date=day,
                number=number,
                room=more.pop("room", "101"),
                planned_room=more.pop("planned_room", "101"),
                **more,
            )

        tue, wed, thu = (MONDAY + dt.timedelta(days=n) for n in (1, 2, 3))
        await lesson("prev_mon1", c5a, math, teacher, MONDAY - dt.timedelta(days=7), 1)
        mon2 = await lesson(
            "mon2",
            c5a,
            russian,
            classteacher,
            MONDAY,
            2,
            substitute_id=teacher2,
            status="substituted",
            room="204",
            planned_room="101",
            topic="Имя существительное",
        )
        mon1 = await lesson("mon1", c5a, math, teacher, MONDAY, 1, topic="Дроби")
        await lesson(
            "tue1", c5a, history, teacher2, tue, 1, status="cancelled", note="Учитель на курсах"
        )
        await lesson("wed1", c5a, math, teacher, wed, 1, topic="Сложение дробей")
        await lesson("c6b_mon1", c6b, math, teacher, MONDAY, 1, topic="Уравнения")
        await lesson("c6b_wed1", c6b, history, teacher2, wed, 1)
        await lesson("c7v_mon1", c7v, history, teacher2, MONDAY, 1)
        await lesson("next_mon1", c5a, math, teacher, MONDAY + dt.timedelta(days=7), 1)

        await add(s.Homework, "hw1", lesson_id=mon1, text="№ 123, 124", due=wed, author_id=teacher)
        await add(
            s.Homework,
            "hw_removed",
            lesson_id=mon1,
            text="стёрто",
            due=wed,
            author_id=teacher,
            removed_at=_at(MONDAY, 12),
        )
        await add(
            s.HomeworkAttachment, homework_id=ids["hw1"], name="task.pdf", size=3, content=b"pdf"
        )
        await db.execute(insert(s.HomeworkDone).values(homework_id=ids["hw1"], pupil_id=pupil))
        await add(
            s.Mark,
            "mark_edited",
            lesson_id=mon1,
            pupil_id=pupil,
            value=5,
            weight=2,
            kind="test",
            comment="Молодец",
            author_id=teacher,
            version=2,
        )
        await add(
            s.Mark,
            "mark_removed",
            lesson_id=mon1,
            pupil_id=pupil,
            value=2,
            author_id=teacher,
            removed_at=_at(MONDAY, 13),
        )
        await add(
            s.Mark,
            "mark_sibling",
            lesson_id=ids["c6b_mon1"],
            pupil_id=sibling,
            value=4,
            author_id=teacher,
        )
        await add(
            s.Mark, "mark_other_pupil", lesson_id=mon1, pupil_id=mover, value=3, author_id=teacher
        )
        await add(
            s.Absence,
            "absence",
            lesson_id=mon2,
            pupil_id=pupil,
            kind="late",
            minutes=10,
            author_id=classteacher,
        )

        await add(
            s.Event,
            "meeting",
            school_id=school,
            class_id=c5a,
            kind="parent_meeting",
            title="Родительское собрание",
            starts_at=_at(wed, 18),
            place="каб. 101",
        )
        await add(
            s.Event,
            "concert",
            school_id=school,
            class_id=None,
            kind="school_event",
            title="Концерт",
            starts_at=_at(thu, 15),
        )
        await add(
            s.Event,
            "c7v_trip",
            school_id=school,
            class_id=c7v,
            kind="school_event",
            title="Экскурсия",
            starts_at=_at(thu, 9),
        )
        await add(
            s.Event,
            "late_sunday",
            school_id=school,
            class_id=None,
            kind="school_event",
            title="Поздно",
            starts_at=_at(MONDAY + dt.timedelta(days=7), 1),
        )
        await add(
            s.Holiday,
            "holiday",
            school_id=school,
            date=MONDAY + dt.timedelta(days=4),
            name="День школы",
        )
        # Teacher blogs: a post of 5А with a comment and a hidden comment, the school's, one
        # of 7В (no family of the mini school reads it) and a hidden one of 5А.
        post = await add(
            s.BlogPost,
            "post",
            school_id=school,
            class_id=c5a,
            author_id=teacher,
            title="Олимпиада по математике",
            body="Запись до пятницы.",
            published_at=_at(MONDAY, 10),
        )
        await add(
            s.BlogComment,
            "comment",
            post_id=post,
            author_id=parent,
            body="Спасибо, запишемся.",
            created_at=_at(MONDAY, 12),
        )
        await add(
            s.BlogComment,
            "comment_hidden",
            post_id=post,
            author_id=pupil,
            body="Скучно",
            created_at=_at(MONDAY, 13),
            hidden_at=_at(MONDAY, 14),
            hidden_by=teacher,
        )
        await add(
            s.BlogPost,
            "post_school",
            school_id=school,
            class_id=None,
            author_id=teacher2,
            title="Музей истории",
            body="Экскурсия для всех желающих.",
            published_at=_at(MONDAY + dt.timedelta(days=1), 9),
        )
        await add(
            s.BlogPost,
            "post_7v",
            school_id=school,
            class_id=c7v,
            author_id=teacher2,
            title="Проекты 7В",
            body="Темы проектов.",
            published_at=_at(MONDAY, 11),
        )
        await add(
            s.BlogPost,
            "post_hidden",
            school_id=school,
            class_id=c5a,
            author_id=teacher2,
            title="Скрытый пост",
            body="Текст",
            published_at=_at(MONDAY, 8),
            hidden_at=_at(MONDAY, 9),
        )

    featured = [
        Account("parent", PASSWORD, "parent", "a parent of two children in different classes"),
        Account("pupil", PASSWORD, "pupil", "a pupil"),
        Account("teacher", PASSWORD, "teacher", "a teacher"),
        Account("classteacher", PASSWORD, "teacher", "a class teacher"),
        Account("admin", PASSWORD, "administration", "administration"),
        Account("it", PASSWORD, "it_staff", "IT staff"),
        Account("nurse", PASSWORD, "health_worker", "health worker"),
        Account("authority", PASSWORD, "authority", "education authority"),
    ]
    return MiniSchool(school_id=school, today=TODAY, password=PASSWORD, featured=featured, ids=ids)


async def build_district(engine: AsyncEngine) -> MiniSchool:
    """The mini school, with its second quarter (``period``), and a neighbouring school on the
    same server (:func:`add_neighbour_school`)."""
    school = await build_mini_school(engine)
    async with engine.begin() as db:
        year = (
            await db.execute(
                select(s.AcademicYear.id).where(s.AcademicYear.school_id == school.school_id)
            )
        ).scalar_one()
        school.ids["period"] = (
            await db.execute(
                insert(s.Period)
                .values(
                    year_id=year,
                    kind="quarter",
                    number=2,
                    name="2 четверть",
                    start=dt.date(2026, 11, 5),
                    end=dt.date(2026, 12, 28),
                )
                .returning(s.Period.id)
            )
        ).scalar_one()
        # A message in each of two class chats (5А's and 6Б's), for the existence probes.
        for key, cls, author in (("chat_5a", "c5a", "pupil"), ("chat_6b", "c6b", "sibling")):
            school.ids[key] = (
                await db.execute(
                    insert(s.ChatMessage)
                    .values(
                        school_id=school.school_id,
                        class_id=school.ids[cls],
                        author_id=school.ids[author],
                        body="Привет!",
                        sent_at=_at(TODAY, 15),
                    )
                    .returning(s.ChatMessage.id)
                )
            ).scalar_one()
    school.ids.update(await add_neighbour_school(engine))
    return school


async def add_neighbour_school(engine: AsyncEngine) -> dict[str, int]:
    """A second school on the same server (a district's), with one of everything a request
    can name by id: its class 5А and subject, a period, a teacher and class teacher, a pupil
    and their parent, lessons with a mark, an absence and homework with an attachment, a
    message thread, an announcement and an absence notice. Nobody of the mini school may see
    any of it; the ids are returned as ``far_*``."""
    ids: dict[str, int] = {}
    pw = hash_password(PASSWORD)
    async with engine.begin() as db:

        async def add(table: type[s.Base], key: str | None = None, /, **values: object) -> int:
            new_id = int(
                (
                    await db.execute(insert(table).values(**values).returning(table.id))  # type: ignore[attr-defined]
                ).scalar_one()
            )
            if key:
                ids[f"far_{key}"] = new_id
            return new_id

        school = await add(s.School, "school", name="Школа № 2", timezone="Europe/Moscow")
        year = await add(
            s.AcademicYear,
            "year",
            school_id=school,
            name="2026/27",
            start=dt.date(2026, 9, 1),
            end=dt.date(2027, 5, 31),
        )
        await add(s.Holiday, "holiday", school_id=school, date=dt.date(2026, 11, 27))
        await add(s.BellSchedule, "bells", school_id=school, name="Основное", weekdays="0,1,2,3,4")
        await add(s.Room, "room", school_id=school, name="301")
        await add(
            s.Period,
            "period",
            year_id=year,
            kind="quarter",
            number=2,
            name="2 четверть",
            start=dt.date(2026, 11, 5),
            end=dt.date(2026, 12, 28),
        )
        subject = await add(s.Subject, "subject", school_id=school, name="Физика")

        def person(login: str, role: str, first: str, last: str) -> dict[str, object]:
            return dict(
                school_id=school,
                login=login,
                password_hash=pw,
                role=role,
                first_name=first,
                last_name=last,
            )

        teacher = await add(
            s.User, "teacher", **person("far_teacher", "teacher", "Иван", "Дальний")
        )
        pupil = await add(s.User, "pupil", **person("far_pupil", "pupil", "Фёдор", "Далёкий"))
        parent = await add(s.User, "parent", **person("far_parent", "parent", "Зоя", "Далёкая"))
        cls = await add(
            s.SchoolClass,
            "class",
            school_id=school,
            year_id=year,
            grade=5,
            letter="А",
            homeroom_teacher_id=teacher,
        )
        await add(s.Enrolment, pupil_id=pupil, class_id=cls, start=dt.date(2026, 9, 1), end=None)
        await db.execute(insert(s.ParentLink).values(parent_id=parent, pupil_id=pupil))
        group = await add(
            s.ClassGroup,
            "group",
            class_id=cls,
            subject_id=subject,
            name="гр. 1",
            teacher_id=teacher,
        )
        await add(s.GroupMember, group_id=group, pupil_id=pupil, start=dt.date(2026, 9, 1))
        await add(
            s.ChatMessage,
            "chat",
            school_id=school,
            class_id=cls,
            author_id=pupil,
            body="Привет!",
            sent_at=dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC),
        )
        await add(
            s.TeachingAssignment,
            "assignment",
            teacher_id=teacher,
            class_id=cls,
            subject_id=subject,
        )
        await add(
            s.TimetableSlot,
            "row",
            class_id=cls,
            weekday=0,
            number=1,
            subject_id=subject,
            teacher_id=teacher,
            room="1",
            valid_from=dt.date(2026, 9, 1),
        )
        lesson = await add(
            s.Lesson,
            "lesson",
            class_id=cls,
            subject_id=subject,
            teacher_id=teacher,
            date=MONDAY,
            number=1,
            room="1",
            planned_room="1",
            topic="Сила тока",
        )
        await add(
            s.Lesson,
            "lesson_wed",
            class_id=cls,
            subject_id=subject,
            teacher_id=teacher,
            date=MONDAY + dt.timedelta(days=2),
            number=1,
            room="1",
            planned_room="1",
        )
        await add(s.Mark, "mark", lesson_id=lesson, pupil_id=pupil, value=3, author_id=teacher)
        await add(
            s.Absence,
            "absence",
            lesson_id=lesson,
            pupil_id=pupil,
            kind="late",
            minutes=5,
            author_id=teacher,
        )
        homework = await add(
            s.Homework,
            "homework",
            lesson_id=lesson,
            text="§ 12",
            due=MONDAY + dt.timedelta(days=2),
            author_id=teacher,
        )
        await add(
            s.HomeworkAttachment,
            "attachment",
            homework_id=homework,
            name="far.pdf",
            size=3,
            content=b"pdf",
        )
        thread = await add(
            s.MessageThread,
            "thread",
            school_id=school,
            subject="Про Фёдора",
            pupil_id=pupil,
            created_by=parent,
        )
        await db.execute(
            insert(s.ThreadParticipant).values(
                [
                    {"thread_id": thread, "user_id": parent},
                    {"thread_id": thread, "user_id": teacher},
                ]
            )
        )
        await add(s.Message, "message", thread_id=thread, author_id=parent, body="Здравствуйте")
        await add(
            s.Announcement,
            "announcement",
            school_id=school,
            class_id=cls,
            author_id=teacher,
            title="Собрание",
            body="В среду",
        )
        far_post = await add(
            s.BlogPost,
            "post",
            school_id=school,
            class_id=None,
            author_id=teacher,
            title="Новости школы № 2",
            body="Текст",
        )
        await add(s.BlogComment, "comment", post_id=far_post, author_id=parent, body="Спасибо")
        await add(
            s.Event,
            "event",
            school_id=school,
            class_id=cls,
            kind="parent_meeting",
            title="Собрание",
            starts_at=_at(MONDAY + dt.timedelta(days=9), 18),
        )
        await add(
            s.AbsenceNotice,
            "notice",
            pupil_id=pupil,
            parent_id=parent,
            start=MONDAY,
            end=MONDAY,
            reason="family",
        )
    return ids
