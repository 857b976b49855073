"""``diary-server audit verify``: an intact chain passes; a record changed or deleted directly
in the database is named."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from demo_server import audit_verify
from demo_server.cli import main
from demo_server.db import make_engine
from demo_server.schema import AuditRecord


async def _execute(url: str, statement: Any) -> None:
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(statement)
    finally:
        await engine.dispose()


async def _ids(url: str) -> list[int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            return list(
                (await connection.scalars(select(AuditRecord.id).order_by(AuditRecord.id))).all()
            )
    finally:
        await engine.dispose()


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of three records, so the walk crosses chunk boundaries."""
    monkeypatch.setattr(audit_verify, "CHUNK", 3)


def test_intact_chain_passes(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_ids(demo_url))
    assert len(ids) > 6
    assert main(["audit", "verify", "--db", demo_url]) == 0
    assert capsys.readouterr().out.strip() == f"audit log intact: {len(ids)} records"


def test_changed_record_is_named(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_ids(demo_url))
    target = ids[4]
    asyncio.run(
        _execute(
            demo_url,
            update(AuditRecord)
            .where(AuditRecord.id == target)
            .values(after={"value": 5, "weight": 1, "kind": "oral", "comment": ""}),
        )
    )
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"audit log broken at record {target} (")
    assert "changed after it was written" in out
    assert " mark " in out


def test_changed_record_with_recomputed_hash_is_found(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forger who rewrites a record's hash too breaks the link to the next record."""
    ids = asyncio.run(_ids(demo_url))
    asyncio.run(
        _execute(
            demo_url,
            update(AuditRecord).where(AuditRecord.id == ids[2]).values(hash="f" * 64),
        )
    )
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out
    # The forged record's own hash no longer matches its content: it is the one named.
    assert f"broken at record {ids[2]} (" in out


def test_deleted_record_is_found(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_ids(demo_url))
    asyncio.run(_execute(demo_url, delete(AuditRecord).where(AuditRecord.id == ids[3])))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out
    assert f"broken at record {ids[4]} (" in out
    assert f"record {ids[3]} before it is missing" in out


def test_deleted_first_record_is_found(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_ids(demo_url))
    asyncio.run(_execute(demo_url, delete(AuditRecord).where(AuditRecord.id == ids[0])))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    assert f"broken at record {ids[1]} (" in capsys.readouterr().out


def test_empty_log_is_intact(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    asyncio.run(_execute(demo_url, delete(AuditRecord)))
    assert main(["audit", "verify", "--db", demo_url]) == 0
    assert capsys.readouterr().out.strip() == "audit log intact: 0 records"


def test_no_diary_in_database(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--db", db_url]) == 1
    assert "no audit log" in capsys.readouterr().err
