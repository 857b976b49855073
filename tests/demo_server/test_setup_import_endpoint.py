"""Set-up files through the endpoint: the dry run writes nothing, the real run writes all or
nothing (one bad line, nothing imported), importing the same files again changes nothing, and
the file's encoding and separator are the school's choice."""

from __future__ import annotations

import codecs
import uuid

import httpx
import msgspec
import pytest
from sqlalchemy import func, select

from api_client.models import ImportAction, Problem, SetupImportReport, decode
from demo_server.db import make_engine, make_sessionmaker
from demo_server.schema import (
    AuditRecord,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TimetableSlot,
)
from tests.conftest import LoginAs

API = "/api/v1"

SUBJECTS = "Предмет\nФизика\nМатематика\nфизика\n"
CLASSES = "класс;классный руководитель\n8А;Смирнова Анна Петровна\n5А;\n"
ASSIGNMENTS = "учитель;класс;предмет\nteacher;8А;Физика\nКозлов П. И.;8А;Математика\n"
TIMETABLE = (
    "класс;день;урок;предмет;учитель;кабинет\n"
    "8А;пн;1;Физика;teacher;12\n"
    "8А;пн;2;Математика;teacher2;14\n"
    "8А;вт;1;Математика;teacher2;14\n"
)


@pytest.fixture
def school_kind() -> str:
    return "mini"


async def send(
    http: httpx.AsyncClient, headers: dict[str, str], kind: str, body: bytes, *, dry_run: bool
) -> httpx.Response:
    return await http.post(
        f"{API}/setup/import/{kind}",
        params={"dry_run": str(dry_run).lower()},
        content=body,
        headers={**headers, "Content-Type": "text/csv", "Idempotency-Key": uuid.uuid4().hex},
    )


async def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as db:
            return {
                name: int(await db.scalar(select(func.count()).select_from(table)) or 0)
                for name, table in (
                    ("subjects", Subject),
                    ("classes", SchoolClass),
                    ("teaching", TeachingAssignment),
                    ("slots", TimetableSlot),
                    ("audit", AuditRecord),
                )
            }
    finally:
        await engine.dispose()


async def test_a_school_set_up_from_files_and_set_up_again_changes_nothing(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    it = await login_as(http, "it")
    files = [
        ("rooms", "кабинет;описание\n12;Физика\n14;\n".encode()),
        ("subjects", SUBJECTS.encode("cp1251")),
        ("classes", codecs.BOM_UTF8 + CLASSES.encode()),
        ("assignments", ASSIGNMENTS.replace(";", ",").encode()),
        ("timetable", TIMETABLE.encode()),
    ]
    before = await counts(demo_url)
    dry = await send(http, it, "subjects", files[1][1], dry_run=True)
    assert dry.status_code == 200, dry.text
    report = decode(dry.content, SetupImportReport)
    assert (report.encoding, report.created, report.unchanged, report.skipped) == (
        "cp1251",
        1,
        1,
        1,
    )
    assert await counts(demo_url) == before, "a dry run wrote something"

    for kind, body in files:
        answer = await send(http, it, kind, body, dry_run=False)
        assert answer.status_code == 200, (kind, answer.text)
        assert decode(answer.content, SetupImportReport).applied
    after = await counts(demo_url)
    assert after["subjects"] == before["subjects"] + 1
    assert after["classes"] == before["classes"] + 1
    assert after["teaching"] == before["teaching"] + 2
    assert after["slots"] == before["slots"] + 3
    assert after["audit"] >= before["audit"] + 5  # each import, and the rows and lessons it made

    for kind, body in files:
        again = decode((await send(http, it, kind, body, dry_run=False)).content, SetupImportReport)
        assert (again.created, again.changed, again.refused) == (0, 0, 0), kind
    assert {k: v for k, v in (await counts(demo_url)).items() if k != "audit"} == {
        k: v for k, v in after.items() if k != "audit"
    }


async def test_one_bad_line_imports_nothing_and_says_where(
    http: httpx.AsyncClient, login_as: LoginAs, demo_url: str
) -> None:
    it = await login_as(http, "it")
    for kind, body in (
        ("rooms", "кабинет\n12\n14\n"),
        ("classes", "класс\n8А\n"),
        ("subjects", "предмет\nФизика\nМатематика\n"),
        ("assignments", ASSIGNMENTS),
    ):
        answer = await send(http, it, kind, body.encode(), dry_run=False)
        assert answer.status_code == 200, answer.text
    before = await counts(demo_url)
    bad = TIMETABLE + "8А;воскр;3;Физика;teacher;12\n"
    answer = await send(http, it, "timetable", bad.encode(), dry_run=False)
    assert answer.status_code == 422
    problem = decode(answer.content, Problem)
    assert problem.field == "body" and "1 line(s) are refused" in problem.detail
    assert problem.current is not None
    report = msgspec.convert(problem.current, SetupImportReport)
    [refused] = [r for r in report.rows if r.action is ImportAction.REFUSED]
    assert (refused.line, refused.column) == (5, "день")
    assert "'воскр' is not a weekday" in refused.reason
    assert await counts(demo_url) == before, "a refused file was half-imported"


async def test_an_unknown_kind_or_a_non_csv_body_is_refused_by_name(
    http: httpx.AsyncClient, login_as: LoginAs
) -> None:
    it = await login_as(http, "it")
    unknown = await send(http, it, "pupils", b"x\n1\n", dry_run=True)
    assert unknown.status_code == 404 and decode(unknown.content, Problem).field == "kind"
    workbook = await send(http, it, "subjects", b"PK\x03\x04 not a csv", dry_run=True)
    assert (
        workbook.status_code == 422 and "not a CSV file" in decode(workbook.content, Problem).detail
    )
    teacher = await login_as(http, "teacher")
    refused = await send(http, teacher, "subjects", b"subject\nX\n", dry_run=True)
    assert refused.status_code == 403
