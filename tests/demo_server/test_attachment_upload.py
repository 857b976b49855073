"""A teacher attaches files to a lesson's homework; families download them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from sqlalchemy import select

from api_client.models import Attachment, HomeworkList, Problem, decode
from demo_server import schema as s
from demo_server.app import create_app
from demo_server.attachments import clean_file_name
from demo_server.settings import MIB, ServerSettings
from tests.conftest import LoginAs, asgi_transport
from tests.demo_server.journal_support import fetch_all, new_key, open_journal

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@pytest.fixture
def school_kind() -> str:
    return "district"  # the mini school with a period: the journal opens


async def upload(
    http: httpx.AsyncClient,
    headers: dict[str, str],
    lesson: int,
    name: str,
    content: bytes,
    key: str | None = None,
) -> httpx.Response:
    return await http.post(
        f"{API}/lessons/{lesson}/homework/attachments",
        params={"name": name},
        content=content,
        headers={
            **headers,
            "Content-Type": "application/octet-stream",
            "Idempotency-Key": key or new_key(),
        },
    )


def problem(response: httpx.Response, status: int) -> Problem:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return decode(response.content, Problem)


async def test_teacher_attaches_and_the_family_downloads(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    teacher = await login_as(http, "teacher")
    key = new_key()
    response = await upload(http, teacher, ids["mon1"], "C:\\Users\\anna\\Лист 1.pdf", PDF, key)
    assert response.status_code == 201, response.text
    made = decode(response.content, Attachment)
    assert (made.name, made.size) == ("Лист 1.pdf", len(PDF))
    # A replay (the answer was lost) adds nothing.
    again = await upload(http, teacher, ids["mon1"], "C:\\Users\\anna\\Лист 1.pdf", PDF, key)
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    rows = await fetch_all(
        demo_url,
        select(s.HomeworkAttachment.id).where(s.HomeworkAttachment.homework_id == ids["hw1"]),
    )
    assert len(rows) == 2  # the mini school's task.pdf and this one

    parent = await login_as(http, "parent")
    listed = await http.get(f"{API}/pupils/{ids['pupil']}/homework", headers=parent)
    item = next(i for i in decode(listed.content, HomeworkList).items if i.id == ids["hw1"])
    assert [a.name for a in item.attachments] == ["task.pdf", "Лист 1.pdf"]
    download = await http.get(f"{API}/attachments/{made.id}", headers=parent)
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"

    # The journal shows the files with the homework; the upload is audited.
    journal = await open_journal(http, teacher, ids["c5a"], ids["math"], ids["period"])
    lesson = next(x for x in journal.lessons if x.id == ids["mon1"])
    assert lesson.homework is not None
    assert [a.name for a in lesson.homework.attachments] == ["task.pdf", "Лист 1.pdf"]
    audit = await fetch_all(
        demo_url,
        select(s.AuditRecord.action, s.AuditRecord.actor_id).where(
            s.AuditRecord.entity == "homework_attachment", s.AuditRecord.entity_id == made.id
        ),
    )
    assert audit == [("create", ids["teacher"])]


async def test_an_over_size_file_is_refused_with_the_limit(
    demo_url: str, demo: Any, login_as: LoginAs
) -> None:
    app: Litestar = create_app(
        demo_url, settings=ServerSettings(today=lambda: demo.today, attachment_max_size=MIB)
    )
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url="http://t") as http:
        teacher = await login_as(http, "teacher")
        big = b"%PDF-1.4\n" + b"0" * (MIB + 10)
        refused = problem(await upload(http, teacher, demo.ids["mon1"], "big.pdf", big), 413)
        assert refused.field == "content"
        assert "at most 1 MB" in refused.detail
        assert "the file is 1.0 MB" in refused.detail
        # Without Content-Length (streamed), the bytes read are counted against the same limit.

        async def chunks() -> Any:
            for _ in range(3):
                yield b"%PDF-" + b"0" * (MIB // 2)

        streamed = await http.post(
            f"{API}/lessons/{demo.ids['mon1']}/homework/attachments",
            params={"name": "big.pdf"},
            content=chunks(),
            headers={**teacher, "Idempotency-Key": new_key()},
        )
        said = problem(streamed, 413)
        assert said.field == "content" and "at most 1 MB" in said.detail


@pytest.mark.parametrize(
    ("name", "content", "field", "words"),
    [
        ("setup.exe", b"MZ\x90\x00", "name", "files of type .exe cannot be attached"),
        ("homework", PDF, "name", "no type in its name"),
        ("virus.pdf", b"MZ\x90\x00", "content", "is not a PDF document"),
        ("empty.pdf", b"", "content", "is empty"),
        ("/\x1b[2J/../", PDF, "name", "needs a name"),
        ("page.html", b"<html>", "name", "cannot be attached"),
    ],
)
async def test_bad_files_are_refused_naming_the_field(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    name: str,
    content: bytes,
    field: str,
    words: str,
) -> None:
    teacher = await login_as(http, "teacher")
    said = problem(await upload(http, teacher, demo.ids["mon1"], name, content), 422)
    assert said.field == field and words in said.detail


async def test_who_may_attach_and_where(
    http: httpx.AsyncClient, login_as: LoginAs, demo: Any, demo_url: str
) -> None:
    ids = demo.ids
    # A parent, or a teacher of another subject, may not.
    parent = problem(
        await upload(http, await login_as(http, "parent"), ids["mon1"], "a.pdf", PDF), 403
    )
    assert "attach files to homework" in parent.detail
    other = await upload(http, await login_as(http, "teacher2"), ids["mon1"], "a.pdf", PDF)
    assert other.status_code in (403, 404)
    # A lesson with no homework yet: write the homework first.
    teacher = await login_as(http, "teacher")
    lessons = await fetch_all(
        demo_url,
        select(s.Lesson.id).where(
            s.Lesson.teacher_id == ids["teacher"],
            s.Lesson.status == "planned",
            s.Lesson.id.not_in(select(s.Homework.lesson_id)),
        ),
    )
    assert lessons
    said = problem(await upload(http, teacher, lessons[0][0], "a.pdf", PDF), 422)
    assert said.field == "lesson_id" and "no homework yet" in said.detail
    # No name at all.
    response = await http.post(
        f"{API}/lessons/{ids['mon1']}/homework/attachments",
        content=PDF,
        headers={**teacher, "Idempotency-Key": new_key()},
    )
    assert problem(response, 400).field == "name"


def test_file_names_are_cleaned() -> None:
    assert clean_file_name("../../etc/passwd.txt") == "passwd.txt"
    assert clean_file_name("C:\\temp\\Задание.docx") == "Задание.docx"
    assert clean_file_name("evil\u202etxt.exe.pdf") == "eviltxt.exe.pdf"
    assert clean_file_name("  tab\there\n.pdf  ") == "tab here .pdf"
    assert clean_file_name(".hidden.pdf") == "hidden.pdf"
    long = clean_file_name("x" * 500 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")
