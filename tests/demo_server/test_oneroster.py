"""A OneRoster 1.2 CSV bulk set, as a school information system exports it, imported into an
empty school: the dry run says everything and writes nothing, the import makes the year and
its quarters, subjects, classes, accounts (parents linked to their children), the class
teachers, a class split into two groups and the teaching assignments; the same set again
changes nothing; a set with an unknown sourcedId and a bad date is refused naming the file,
the line and the column."""

from __future__ import annotations

import datetime as dt
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from api_client.models import API_PREFIX
from demo_server import schema as s
from demo_server.app import create_app
from demo_server.db import make_engine
from demo_server.migrate import upgrade_engine
from demo_server.setup_school import init_school
from tests.conftest import BASE_URL, asgi_transport, frozen_settings
from tests.demo_server.test_setup import _it_account

TODAY = dt.date(2026, 9, 1)
NOW = frozen_settings(TODAY).now()

FILES = {
    "manifest": "propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\n"
    "file.orgs,bulk\nfile.academicSessions,bulk\nfile.courses,bulk\nfile.classes,bulk\n"
    "file.users,bulk\nfile.enrollments,bulk\nfile.demographics,absent\n",
    "orgs": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
    "org-7,active,2026-08-20T10:00:00Z,Школа № 7,school,7,\n",
    "academicSessions": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
    "parentSourcedId,schoolYear\n"
    "y2027,active,,2026/27,schoolYear,2026-09-01,2027-05-31,,2027\n"
    "q1,active,,1 четверть,term,2026-09-01,2026-10-25,y2027,2027\n"
    "q2,active,,2 четверть,term,2026-11-05,2026-12-28,y2027,2027\n"
    "q3,active,,3 четверть,term,2027-01-12,2027-03-22,y2027,2027\n"
    "q4,active,,4 четверть,term,2027-04-01,2027-05-31,y2027,2027\n",
    "courses": "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
    "orgSourcedId,subjects,subjectCodes\n"
    "c-math,active,,y2027,Математика,MATH,,org-7,,\n"
    "c-eng,active,,y2027,Английский язык,ENG,,org-7,,\n"
    "c-home,active,,y2027,Классный час,HR,,org-7,,\n",
    "classes": "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,"
    "classType,location,schoolSourcedId,termSourcedIds\n"
    "hr-5a,active,,5А,05,c-home,5A,homeroom,,org-7,y2027\n"
    "hr-6b,active,,Б,06,c-home,6B,homeroom,,org-7,y2027\n"
    "math-5a,active,,Математика 5А,05,c-math,M5A,scheduled,,org-7,y2027\n"
    "math-6b,active,,Математика 6Б,06,c-math,M6B,scheduled,,org-7,y2027\n"
    "eng-5a-1,active,,Группа 1,05,c-eng,E5A1,scheduled,,org-7,y2027\n"
    "eng-5a-2,active,,Группа 2,05,c-eng,E5A2,scheduled,,org-7,y2027\n",
    "users": "sourcedId,status,dateLastModified,enabledUser,username,givenName,familyName,"
    "middleName,role,agentSourcedIds\n"
    "t1,active,,true,petrova.o,Ольга,Петрова,Ивановна,teacher,\n"
    "t2,active,,true,smirnova.e,Елена,Смирнова,Павловна,teacher,\n"
    "t3,active,,true,kuznetsov.a,Андрей,Кузнецов,Сергеевич,teacher,\n"
    "p1,active,,true,ivanov.p,Пётр,Иванов,Андреевич,student,g1\n"
    "p2,active,,true,kozlova.a,Анна,Козлова,Игоревна,student,\n"
    "p3,active,,true,orlov.i,Илья,Орлов,Петрович,student,\n"
    "p4,active,,true,belova.m,Мария,Белова,Олеговна,student,\n"
    "p5,active,,true,sokolov.d,Дмитрий,Соколов,Ильич,student,\n"
    "g1,active,,true,ivanova.n,Наталья,Иванова,Сергеевна,guardian,p1\n"
    "g2,active,,true,orlova.t,Татьяна,Орлова,Викторовна,parent,p3\n",
    "enrollments": "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,"
    "userSourcedId,role,primary,beginDate,endDate\n"
    "e1,active,,hr-5a,org-7,t1,teacher,true,2026-09-01,\n"
    "e2,active,,hr-5a,org-7,p1,student,false,2026-09-01,\n"
    "e3,active,,hr-5a,org-7,p2,student,false,2026-09-01,\n"
    "e4,active,,hr-5a,org-7,p3,student,false,2026-09-01,\n"
    "e5,active,,hr-5a,org-7,p4,student,false,2026-09-01,\n"
    "e6,active,,hr-6b,org-7,t3,teacher,true,2026-09-01,\n"
    "e7,active,,hr-6b,org-7,p5,student,false,2026-09-01,\n"
    "e8,active,,math-5a,org-7,t1,teacher,true,,\n"
    "e9,active,,math-5a,org-7,p1,student,false,,\n"
    "e10,active,,math-5a,org-7,p2,student,false,,\n"
    "e11,active,,math-5a,org-7,p3,student,false,,\n"
    "e12,active,,math-5a,org-7,p4,student,false,,\n"
    "e13,active,,math-6b,org-7,t1,teacher,true,,\n"
    "e14,active,,math-6b,org-7,p5,student,false,,\n"
    "e15,active,,eng-5a-1,org-7,t2,teacher,true,,\n"
    "e16,active,,eng-5a-1,org-7,p1,student,false,,\n"
    "e17,active,,eng-5a-1,org-7,p2,student,false,,\n"
    "e18,active,,eng-5a-2,org-7,t3,teacher,true,,\n"
    "e19,active,,eng-5a-2,org-7,p3,student,false,,\n"
    "e20,active,,eng-5a-2,org-7,p4,student,false,,\n",
}


def zipped(files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, text in files.items():
            archive.writestr(f"export/{name}.csv", text.encode("utf-8-sig"))
    return out.getvalue()


@pytest.fixture
async def school(db_url: str) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], str]]:
    engine = make_engine(db_url)
    await upgrade_engine(engine)
    async with async_sessionmaker(engine, expire_on_commit=False)() as db:
        made = await init_school(
            db, name="Школа № 7", timezone="Europe/Moscow", language="ru", now=NOW
        )
        await db.commit()
    await engine.dispose()
    app = create_app(db_url, settings=frozen_settings(TODAY))
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as http:
        yield http, await _it_account(http, made.login, made.password), db_url
    await app.state["server"].engine.dispose()


async def send(
    http: httpx.AsyncClient, headers: dict[str, str], body: bytes, *, dry_run: bool
) -> httpx.Response:
    return await http.post(
        f"{API_PREFIX}/setup/import/oneroster",
        params={"dry_run": str(dry_run).lower()},
        content=body,
        headers={**headers, "Content-Type": "application/zip", "Idempotency-Key": uuid.uuid4().hex},
    )


async def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as db:
            return {
                table.__tablename__: int(
                    await db.scalar(select(func.count()).select_from(table)) or 0
                )
                for table in (
                    s.AcademicYear,
                    s.Period,
                    s.Subject,
                    s.SchoolClass,
                    s.User,
                    s.ParentLink,
                    s.ClassGroup,
                    s.GroupMember,
                    s.TeachingAssignment,
                    s.OneRosterId,
                )
            }
    finally:
        await engine.dispose()


async def query(url: str, statement: Any) -> list[Any]:
    engine = make_engine(url)
    try:
        async with async_sessionmaker(engine)() as db:
            return list((await db.execute(statement)).all())
    finally:
        await engine.dispose()


async def test_a_oneroster_set_imports_dry_run_first_and_again_changes_nothing(
    school: tuple[httpx.AsyncClient, dict[str, str], str],
) -> None:
    http, it, url = school
    body = zipped(FILES)
    empty = await counts(url)

    dry = await send(http, it, body, dry_run=True)
    assert dry.status_code == 200, dry.text
    report = dry.json()
    assert report.get("refused", 0) == 0, [r for r in report["rows"] if r["action"] == "refused"]
    assert report["created"] > 0 and report["dry_run"] is True
    assert {r["file"] for r in report["rows"]} >= {
        "academicSessions.csv",
        "courses.csv",
        "classes.csv",
        "users.csv",
    }
    assert await counts(url) == empty, "a dry run wrote something"

    done = await send(http, it, body, dry_run=False)
    assert done.status_code == 200, done.text
    after = await counts(url)
    assert after["academic_years"] == 1 and after["periods"] == 4
    assert after["subjects"] == 3 and after["classes"] == 2
    assert after["users"] - empty["users"] == 10
    assert after["parent_links"] == 2
    assert after["class_groups"] == 2 and after["group_members"] == 4
    # Математика in 5А and 6Б (petrova), the groups' English (smirnova, kuznetsov)
    assert after["teaching_assignments"] == 4

    groups = await query(
        url,
        select(s.ClassGroup.name, s.User.login)
        .join(s.User, s.User.id == s.ClassGroup.teacher_id)
        .order_by(s.ClassGroup.name),
    )
    assert [tuple(g) for g in groups] == [("Группа 1", "smirnova.e"), ("Группа 2", "kuznetsov.a")]
    classes = await query(
        url,
        select(s.SchoolClass.grade, s.SchoolClass.letter, s.User.login)
        .join(s.User, s.User.id == s.SchoolClass.homeroom_teacher_id)
        .order_by(s.SchoolClass.grade),
    )
    assert [tuple(c) for c in classes] == [(5, "А", "petrova.o"), (6, "Б", "kuznetsov.a")]
    links = await query(
        url,
        select(s.User.login).join(s.ParentLink, s.ParentLink.parent_id == s.User.id),
    )
    assert sorted(login for (login,) in links) == ["ivanova.n", "orlova.t"]

    # The school renames a class and a subject: the set imported again finds them still.
    engine = make_engine(url)
    async with engine.begin() as connection:
        await connection.execute(
            update(s.SchoolClass).where(s.SchoolClass.grade == 6).values(letter="В")
        )
        await connection.execute(
            update(s.Subject).where(s.Subject.name == "Математика").values(name="Алгебра")
        )
    await engine.dispose()
    again = await send(http, it, body, dry_run=False)
    assert again.status_code == 200, again.text
    assert (again.json().get("created", 0), again.json().get("changed", 0)) == (0, 0), [
        r for r in again.json()["rows"] if r["action"] in ("created", "changed")
    ]
    assert await counts(url) == after


async def test_a_set_with_errors_is_refused_naming_file_line_and_column(
    school: tuple[httpx.AsyncClient, dict[str, str], str],
) -> None:
    http, it, url = school
    files = dict(FILES)
    files["enrollments"] += "e21,active,,hr-5a,org-7,p99,student,false,2026-09-01,\n"
    files["academicSessions"] = files["academicSessions"].replace("2026-11-05", "05.11.2026")
    empty = await counts(url)
    for dry_run in (True, False):
        answer = await send(http, it, zipped(files), dry_run=dry_run)
        assert answer.status_code == (200 if dry_run else 422), answer.text
        report = answer.json() if dry_run else answer.json()["current"]
        refused = {(r["file"], r["line"], r["column"]): r["reason"] for r in report["rows"]}
        assert (
            "no users.csv line has the sourcedId 'p99'"
            in refused[("enrollments.csv", 22, "userSourcedId")]
        )
        assert "'05.11.2026' is not a date" in refused[("academicSessions.csv", 4, "startDate")]
    assert await counts(url) == empty

    missing = dict(FILES)
    del missing["users"]
    answer = await send(http, it, zipped(missing), dry_run=True)
    assert answer.status_code == 422 and "users.csv" in answer.json()["detail"]
    not_zip = await send(http, it, b"sourcedId\n1\n", dry_run=True)
    assert not_zip.status_code == 422 and "not a zip" in not_zip.json()["detail"]
