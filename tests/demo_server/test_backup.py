"""``diary-server backup`` and ``restore``: a backup taken while marks are being written restores
into an empty database as one consistent moment (every table compared), the audit log verifies
after the restore, and a restore never writes into a database that is not empty or from an
archive that is damaged."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import tarfile
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import MetaData, select
from sqlalchemy.engine import Connection

from api_client.models import MarkCreate
from demo_server import backup as backup_module
from demo_server.backup import BackupError, backup, read_manifest, restore
from demo_server.cli import main
from demo_server.db import make_engine
from tests.conftest import Databases, LoginAs
from tests.demo_server.journal_support import send, teacher_desk
from tests.services import require


@pytest.fixture(autouse=True)
def pg_tools(backend: str) -> None:
    if backend == "postgresql":
        require(shutil.which("pg_dump") is not None, "pg_dump and pg_restore")


def _frozen(value: Any) -> Any:
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


def _all_rows(conn: Connection) -> dict[str, set[tuple[Any, ...]]]:
    metadata = MetaData()
    metadata.reflect(bind=conn)
    rows: dict[str, set[tuple[Any, ...]]] = {}
    for table in metadata.sorted_tables:
        if table.name == "alembic_version":
            continue
        rows[table.name] = {tuple(map(_frozen, row)) for row in conn.execute(select(table))}
    return rows


async def tables(url: str) -> dict[str, set[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(_all_rows)
    finally:
        await engine.dispose()


async def test_a_quiet_database_comes_back_identical(
    demo_url: str, databases: Databases, backend: str, tmp_path: Path
) -> None:
    archive = tmp_path / "school.diary-backup"
    manifest = await backup(demo_url, archive)
    assert manifest.backend == backend and manifest.schools and manifest.audit_records > 0
    target = await asyncio.to_thread(databases.empty, backend)
    await restore(archive, target)
    assert await tables(target) == await tables(demo_url)


async def test_a_backup_taken_under_writes_is_one_moment(
    http: httpx.AsyncClient,
    login_as: LoginAs,
    demo: Any,
    demo_url: str,
    databases: Databases,
    backend: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    desk = await teacher_desk(http, await login_as(http, "teacher"), demo.today)
    written: list[int] = []
    stop = asyncio.Event()
    enough = asyncio.Event()
    wanted = 5

    async def teacher_writes() -> None:
        value = 2
        while not stop.is_set():
            pupil = desk.journal.pupils[len(written) % len(desk.journal.pupils)]
            body = MarkCreate(lesson_id=desk.lesson.id, pupil_id=pupil.id, value=value)
            response = await send(http, desk.headers, "POST", "/marks", body)
            assert response.status_code == 201, response.text
            written.append(response.json()["id"])
            if len(written) >= wanted:
                enough.set()
            value = value % 5 + 1
            await asyncio.sleep(0)

    writer = asyncio.create_task(teacher_writes())
    await enough.wait()
    archive = tmp_path / "busy.diary-backup"
    await backup(demo_url, archive)
    enough.clear()
    wanted = len(written) + 5
    await enough.wait()
    stop.set()
    await writer

    target = await asyncio.to_thread(databases.empty, backend)
    await restore(archive, target)
    restored, live = await tables(target), await tables(demo_url)
    assert restored.keys() == live.keys()
    # The restored school is the live one at one moment: every restored row is in the live
    # database as it is (the writes only added rows), and what the live one has more is only
    # what was written after that moment.
    for name, rows in restored.items():
        assert rows <= live[name], name
    marks_restored = {row[0] for row in restored["marks"]}
    assert written[0] in marks_restored and written[-1] not in marks_restored
    later = set(written) - marks_restored
    assert later and all(m > max(marks_restored & set(written)) for m in later)
    # The chain and the marks agree in the copy: no mark without its record, no record cut.
    capsys.readouterr()
    verdict = await asyncio.to_thread(main, ["audit", "verify", "--db", target])
    assert verdict == 0, capsys.readouterr().out


async def test_restore_never_writes_into_a_database_that_is_not_empty(
    demo_url: str, tmp_path: Path
) -> None:
    archive = tmp_path / "school.diary-backup"
    await backup(demo_url, archive)
    before = await tables(demo_url)
    with pytest.raises(BackupError, match="not empty"):
        await restore(archive, demo_url)
    assert await tables(demo_url) == before


async def test_a_damaged_archive_restores_nothing(
    demo_url: str, databases: Databases, backend: str, tmp_path: Path
) -> None:
    archive = tmp_path / "school.diary-backup"
    manifest = await backup(demo_url, archive)
    # Rewrite the archive with one byte of the database changed, the manifest kept.
    damaged = tmp_path / "damaged.diary-backup"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member)
            assert data is not None
            content = bytearray(data.read())
            if member.name != backup_module.MANIFEST:
                content[len(content) // 2] ^= 0xFF
            member.size = len(content)
            out.addfile(member, io.BytesIO(bytes(content)))
    assert read_manifest(damaged) == manifest
    target = await asyncio.to_thread(databases.empty, backend)
    with pytest.raises(BackupError, match="checksum"):
        await restore(damaged, target)
    engine = make_engine(target)
    try:
        from demo_server.migrate import table_names

        assert await table_names(engine) == []
    finally:
        await engine.dispose()


def test_the_commands_say_where_the_audit_key_is(
    demo_url: str,
    databases: Databases,
    backend: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    archive = tmp_path / "nightly.diary-backup"
    assert main(["backup", "--db", demo_url, "--to", str(archive)]) == 0
    out = capsys.readouterr().out
    assert f"written to {archive}" in out
    assert "audit key" in out and "keep a copy of it with this backup" in out
    target = databases.empty(backend)
    assert main(["restore", str(archive), "--db", target]) == 0
    assert "audit verify" in capsys.readouterr().out
    assert main(["audit", "verify", "--db", target]) == 0
    assert main(["restore", str(archive), "--db", target]) == 1
    assert "not empty" in capsys.readouterr().err
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    assert main(["restore", str(not_a_backup), "--db", databases.empty(backend)]) == 1
    assert "is not a diary backup" in capsys.readouterr().err
