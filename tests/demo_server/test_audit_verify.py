"""``diary-server audit verify``: an intact chain passes; a record changed or deleted directly
in the database is named, and so is each of the edits someone with the database (but not the
audit key) could make: the newest records deleted, a record rewritten and the rest of the chain
recomputed, a mark changed or deleted in its own table without an audit record."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, select, update

from demo_server import audit_verify
from demo_server.audit import GENESIS, record_content, record_hash, unkeyed_hash
from demo_server.cli import main
from demo_server.db import make_engine
from demo_server.schema import Absence, AuditRecord, Mark


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
    """Chunks of three records, so the walk crosses chunk boundaries, among them those next to
    the records the tests break near the start of the log (the third, fourth and fifth)."""
    monkeypatch.setattr(audit_verify, "CHUNK", 3)


LONG_WALK_CHUNK = 50
"""The chunk of the tests that walk the whole log (about 3,700 records in the demo school) and
reconcile every mark and absence: it still splits the log and each table at dozens of
boundaries, with a round trip per 50 rows instead of per 3 (1,200 round trips a walk, minutes
on PostgreSQL)."""


@pytest.fixture
def long_walk(small_chunks: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit_verify, "CHUNK", LONG_WALK_CHUNK)


@pytest.mark.usefixtures("long_walk")
def test_intact_chain_passes(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_ids(demo_url))
    assert len(ids) > 20 * audit_verify.CHUNK  # the walk crosses dozens of chunk boundaries
    assert main(["audit", "verify", "--db", demo_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"audit log intact: {len(ids)} records"
    assert lines[1].startswith("marks, absences and period marks match the audit log: ")


def test_changed_record_is_named(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ids = asyncio.run(_ids(demo_url))
    records = asyncio.run(_records(demo_url))
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
    # The record is named in words: "creation of mark No. 21".
    assert f" {records[4]['entity']} No. {records[4]['entity_id']})" in out


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


@pytest.mark.usefixtures("long_walk")
def test_empty_log_is_intact_but_every_row_lacks_its_record(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    asyncio.run(_execute(demo_url, delete(AuditRecord)))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "audit log intact: 0 records"
    assert "differ from what the audit log says" in out[1]
    assert out[2] == "  absence 1: the audit log has no record of it"


def test_no_diary_in_database(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["audit", "verify", "--db", db_url]) == 1
    assert "no audit log" in capsys.readouterr().err


# --- forgeries by someone who holds the database but not the key ------------------------------


async def _records(url: str) -> list[dict[str, Any]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.execute(select(AuditRecord).order_by(AuditRecord.id))
            return [dict(row) for row in result.mappings()]
    finally:
        await engine.dispose()


async def _rechain(url: str, start: int, key: bytes | None) -> None:
    """Recompute every hash from record ``start`` on, as a forger would: with ``key`` (a key
    that is not the server's) or, with ``None``, the unkeyed algorithm."""
    records = await _records(url)
    rewritten: list[dict[str, Any]] = []
    prev = GENESIS
    for record in records:
        if record["id"] >= start:
            content = record_content(record)
            digest = (
                record_hash(prev, content, key) if key is not None else unkeyed_hash(prev, content)
            )
            rewritten.append({"record_id": record["id"], "new_prev": prev, "new_hash": digest})
            prev = digest
        else:
            prev = record["hash"]
    if not rewritten:
        return
    # One statement for all of them (executemany), not a round trip per record.
    statement = (
        update(AuditRecord)
        .where(AuditRecord.id == bindparam("record_id"))
        .values(prev_hash=bindparam("new_prev"), hash=bindparam("new_hash"))
    )
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(statement, rewritten)
    finally:
        await engine.dispose()


def _last_mark_record(url: str) -> dict[str, Any]:
    return next(r for r in reversed(asyncio.run(_records(url))) if r["entity"] == "mark")


@pytest.mark.usefixtures("long_walk")
@pytest.mark.parametrize("forger_key", [None, b"not the server's key, 32 bytes!!"])
def test_rewritten_record_with_recomputed_chain_is_named(
    demo_url: str, capsys: pytest.CaptureFixture[str], forger_key: bytes | None
) -> None:
    """A mark's record rewritten to a better value (the mark too, so they agree), and every
    hash from there on recomputed: without the key, the first rewritten record is named."""
    record = _last_mark_record(demo_url)
    after = dict(record["after"], value=5)
    asyncio.run(
        _execute(
            demo_url, update(AuditRecord).where(AuditRecord.id == record["id"]).values(after=after)
        )
    )
    asyncio.run(
        _execute(demo_url, update(Mark).where(Mark.id == record["entity_id"]).values(value=5))
    )
    asyncio.run(_rechain(demo_url, record["id"], forger_key))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"audit log broken at record {record['id']} (")
    assert f"mark No. {record['entity_id']}" in out.splitlines()[0]
    if forger_key is None:
        assert "computed without the audit key" in out
    else:
        assert "with another key" in out


def test_whole_chain_rewritten_unkeyed_is_reported(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A chain rewritten from its first record the old, unkeyed way (anyone can compute plain
    hashes) fails: the log was keyed from its first record, and nothing sealed says otherwise."""
    ids = asyncio.run(_ids(demo_url))
    asyncio.run(_rechain(demo_url, 1, None))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"audit log broken at record {ids[0]} (")
    assert "computed without the audit key" in out


async def _seal(url: str) -> int | None:
    from demo_server.audit_key import current_key

    engine = make_engine(url)
    try:
        return await audit_verify.seal_plain_log(engine, current_key())
    finally:
        await engine.dispose()


@pytest.mark.usefixtures("long_walk")
def test_a_log_from_before_the_key_is_sealed_and_a_rewrite_of_it_is_seen(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database from before keys (plain hashes only) is sealed when its key comes in: it
    verifies, saying how much predates the key; a later rewrite of that part, or a forged
    seal, fails."""
    from demo_server.schema import ServerSetting

    ids = asyncio.run(_ids(demo_url))
    asyncio.run(_rechain(demo_url, 1, None))  # as an old database has it
    assert asyncio.run(_seal(demo_url)) == len(ids)
    assert main(["audit", "verify", "--db", demo_url]) == 0
    assert f"records 1 to {len(ids)} predate the audit key" in capsys.readouterr().out
    # A forger rewrites a record of that part and recomputes the plain hashes after it.
    record = asyncio.run(_records(demo_url))[2]
    after = dict(record["after"] or {}, comment="переписано")
    asyncio.run(
        _execute(
            demo_url, update(AuditRecord).where(AuditRecord.id == record["id"]).values(after=after)
        )
    )
    asyncio.run(_rechain(demo_url, record["id"], None))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    assert "predates the audit key was rewritten" in capsys.readouterr().out
    # A seal written without the key does not hold.
    asyncio.run(
        _execute(
            demo_url,
            update(ServerSetting)
            .where(ServerSetting.key == "audit_unkeyed_start")
            .values(value=f"{len(ids)} {'0' * 64} {'0' * 64}"),
        )
    )
    assert main(["audit", "verify", "--db", demo_url]) == 1
    assert "written or changed without the key" in capsys.readouterr().out


def test_a_log_with_keyed_records_is_not_sealed(demo_url: str) -> None:
    assert asyncio.run(_seal(demo_url)) is None


@pytest.mark.usefixtures("long_walk")
def test_deleted_newest_records_are_found(
    demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    """The newest records deleted: the chain that is left is whole, but the rows they were
    about have lost their record, and a checkpoint taken before no longer holds."""
    checkpoint = tmp_path / "head.json"
    assert main(["audit", "head", "--db", demo_url, "--out", str(checkpoint)]) == 0
    ids = asyncio.run(_ids(demo_url))
    assert f"record {ids[-1]}" in capsys.readouterr().out
    assert main(["audit", "verify", "--db", demo_url, "--checkpoint", str(checkpoint)]) == 0
    assert f"checkpoint holds: record {ids[-1]}" in capsys.readouterr().out
    newest = asyncio.run(_records(demo_url))[-3:]
    asyncio.run(_execute(demo_url, delete(AuditRecord).where(AuditRecord.id >= newest[0]["id"])))
    assert main(["audit", "verify", "--db", demo_url, "--checkpoint", str(checkpoint)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"audit log intact: {len(ids) - 3} records")
    assert (
        f"checkpoint failed: record {ids[-1]} is gone: the log now ends at record {ids[-4]}"
    ) in out
    for record in newest:
        name = record["entity"].replace("_", " ")
        assert f"  {name} {record['entity_id']}: " in out


@pytest.mark.usefixtures("long_walk")
def test_checkpoint_of_a_rewritten_log_fails(
    demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    checkpoint = tmp_path / "head.json"
    assert main(["audit", "head", "--db", demo_url, "--out", str(checkpoint)]) == 0
    ids = asyncio.run(_ids(demo_url))
    asyncio.run(_rechain(demo_url, 1, None))
    assert main(["audit", "verify", "--db", demo_url, "--checkpoint", str(checkpoint)]) == 1
    assert (
        f"checkpoint failed: record {ids[-1]} has another hash than when the checkpoint was taken"
        in capsys.readouterr().out
    )


def test_bad_checkpoint_file_is_a_usage_error(
    demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    bad = tmp_path / "head.json"
    bad.write_text("not json")
    assert main(["audit", "verify", "--db", demo_url, "--checkpoint", str(bad)]) == 2
    assert "is not one written by 'diary-server audit head'" in capsys.readouterr().err


@pytest.mark.usefixtures("long_walk")
def test_mark_changed_without_audit_is_named(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _last_mark_record(demo_url)
    mark_id = record["entity_id"]
    value = record["after"]["value"]
    better = 5 if value != 5 else 4
    asyncio.run(_execute(demo_url, update(Mark).where(Mark.id == mark_id).values(value=better)))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    out = capsys.readouterr().out
    assert (
        f"  mark {mark_id}: value is {better} in the database, the log says {value} "
        f"(record {record['id']})"
    ) in out.splitlines()


@pytest.mark.usefixtures("long_walk")
def test_mark_removed_without_audit_is_named(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    record = _last_mark_record(demo_url)
    asyncio.run(
        _execute(
            demo_url,
            update(Mark).where(Mark.id == record["entity_id"]).values(removed_at=record["at"]),
        )
    )
    assert main(["audit", "verify", "--db", demo_url]) == 1
    assert (
        f"  mark {record['entity_id']}: it is removed, but the log's last record of it "
        f"({record['id']}) does not remove it"
    ) in capsys.readouterr().out.splitlines()


@pytest.mark.usefixtures("long_walk")
@pytest.mark.parametrize("model", [Mark, Absence])
def test_row_deleted_from_its_table_is_named(
    demo_url: str, capsys: pytest.CaptureFixture[str], model: Any
) -> None:
    entity = "mark" if model is Mark else "absence"
    record = next(r for r in asyncio.run(_records(demo_url)) if r["entity"] == entity)
    asyncio.run(_execute(demo_url, delete(model).where(model.id == record["entity_id"])))
    assert main(["audit", "verify", "--db", demo_url]) == 1
    assert (
        f"  {entity} {record['entity_id']}: deleted from the database; the log's last record "
        f"of it ({record['id']}) says it exists"
    ) in capsys.readouterr().out.splitlines()


def test_verify_without_the_key_says_where_it_looked(
    demo_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    missing = tmp_path / "audit.key"
    assert main(["audit", "verify", "--db", demo_url, "--audit-key-file", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"the audit key {missing} is missing: restore it from your backup" in err


def test_the_fast_hash_of_plain_records_is_the_canonical_one() -> None:
    """The generator's msgspec hash writes the bytes canonical_json does, for every character
    (escapes of control characters, quotes, backslashes; U+2028, DEL and the rest as they are)
    and the record shapes it hashes."""
    from demo_server.audit import canonical_json, plain_record_hash, record_hash

    every_character = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    key = b"k" * 32
    record = {
        "at": "2026-09-01T06:30:00.000000Z",
        "actor_id": 7,
        "action": "update",
        "entity": "mark",
        "entity_id": 2**40,
        "pupil_id": -1,
        "before": {"value": 4, "comment": every_character, "kind": "test", "version": 1},
        "after": {"z": None, "a": [True, False, 0, 'Ё\n\t"\\'], "version": 2},
        "reason": every_character[::-1],
    }
    assert plain_record_hash("0" * 64, record, key) == record_hash("0" * 64, record, key)
    assert canonical_json(record).index('"action"') < canonical_json(record).index('"after"')
