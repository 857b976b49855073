"""``diary-server audit verify``: walk the audit log's hash chain and name the first broken
record; check the chain against a head kept outside the server (a checkpoint); and check that
every mark, absence and period mark is what the audit log says of it last.

The rows are read in id order, a chunk at a time (keyset pages, never the whole log in memory),
and fed to :func:`demo_server.audit.walk`, which runs in a thread while the event loop fetches
the next chunk for it. What the log says last of each mark, absence and period mark is kept on
the way (one small entry per row of those tables), then the tables are read a chunk at a time
and compared.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from api_client import names
from api_client.i18n import _
from demo_server.audit import (
    GENESIS,
    UNKEYED_START,
    Walk,
    read_unkeyed_start,
    record_content,
    record_hash,
    seal_unkeyed_start,
    unkeyed_hash,
    walk,
)
from demo_server.schema import Absence, AuditRecord, Base, Mark, PeriodMark, ServerSetting

CHUNK = 2000
SHOWN_MISMATCHES = 20
"""How many disagreeing rows ``describe`` lists (all are counted)."""

_COLUMNS = [column for column in AuditRecord.__table__.columns]

RECONCILED: dict[str, type[Base]] = {"mark": Mark, "absence": Absence, "period_mark": PeriodMark}
"""The audited things whose current rows must equal the log's last word on them."""


class BadCheckpoint(ValueError):
    """A checkpoint file that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A head of the chain kept outside the server: the record at ``position`` had ``hash``."""

    position: int
    hash: str

    def dumps(self) -> str:
        return json.dumps({"position": self.position, "hash": self.hash}) + "\n"

    @classmethod
    def load(cls, path: str | Path) -> Checkpoint:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            position, digest = data["position"], data["hash"]
        except FileNotFoundError:
            raise BadCheckpoint(
                _("the checkpoint file {path} does not exist").format(path=path)
            ) from None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise BadCheckpoint(
                _(
                    "the checkpoint file {path} is not one written by 'diary-server audit "
                    "head' ({reason})"
                ).format(path=path, reason=f"{type(exc).__name__}: {exc}")
            ) from None
        if not isinstance(position, int) or position < 1 or not isinstance(digest, str):
            raise BadCheckpoint(
                _("the checkpoint file {path} needs a position of 1 or more and a hash").format(
                    path=path
                )
            )
        return cls(position, digest)


@dataclass(frozen=True, slots=True)
class Mismatch:
    entity: str
    entity_id: int
    why: str

    def describe(self) -> str:
        entity = {"mark": _("mark"), "absence": _("absence"), "period_mark": _("period mark")}
        return f"{entity.get(self.entity, self.entity)} {self.entity_id}: {self.why}"


@dataclass(frozen=True, slots=True)
class Verdict:
    records: int
    """How many records were checked (all of them when the chain is whole)."""
    broken_id: int | None = None
    at: dt.datetime | None = None
    what: str = ""
    """The broken record's action and entity in words, e.g. ``change to mark No. 1786``
    (``names.audit_record``)."""
    why: str = ""
    unkeyed: int = 0
    """Records at the start of the chain hashed before it was keyed."""
    checkpoint: Checkpoint | None = None
    checkpoint_problem: str = ""
    reconciled: int = 0
    """Rows of marks, absences and period marks that were compared with the log."""
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def chain_intact(self) -> bool:
        return self.broken_id is None

    @property
    def intact(self) -> bool:
        return self.chain_intact and not self.checkpoint_problem and not self.mismatches

    def describe(self) -> str:
        if self.chain_intact:
            lines = [_("audit log intact: {n} records").format(n=self.records)]
        else:
            when = self.at.strftime("%Y-%m-%d %H:%M:%S UTC") if self.at else _("unknown time")
            lines = [
                _("audit log broken at record {id} ({when}, {what}): {why}").format(
                    id=self.broken_id, when=when, what=self.what, why=self.why
                )
            ]
        if self.unkeyed:
            lines.append(
                _(
                    "records 1 to {n} predate the audit key: their plain hashes could be "
                    "recomputed by anyone who can edit the database; keep a checkpoint "
                    "('diary-server audit head') outside the server"
                ).format(n=self.unkeyed)
            )
        if self.checkpoint is not None:
            if self.checkpoint_problem:
                lines.append(_("checkpoint failed: {why}").format(why=self.checkpoint_problem))
            else:
                lines.append(
                    _("checkpoint holds: record {n} is still in the chain").format(
                        n=self.checkpoint.position
                    )
                )
        if self.chain_intact:
            if self.mismatches:
                lines.append(
                    _(
                        "{n} of the marks, absences and period marks differ from what the "
                        "audit log says of them (changed in the database directly):"
                    ).format(n=len(self.mismatches))
                )
                lines.extend(f"  {m.describe()}" for m in self.mismatches[:SHOWN_MISMATCHES])
                if len(self.mismatches) > SHOWN_MISMATCHES:
                    lines.append(
                        "  " + _("and {n} more").format(n=len(self.mismatches) - SHOWN_MISMATCHES)
                    )
            else:
                lines.append(
                    _("marks, absences and period marks match the audit log: {n} rows").format(
                        n=self.reconciled
                    )
                )
        return "\n".join(lines)


async def _chunk(engine: AsyncEngine, after: int) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(
            select(*_COLUMNS).where(AuditRecord.id > after).order_by(AuditRecord.id).limit(CHUNK)
        )
        return [dict(row) for row in result.mappings()]


_Last = dict[tuple[str, int], tuple[int, str, dict[str, Any] | None]]
"""(entity, id) to the log's last record of it: (record id, action, after)."""


async def verify(engine: AsyncEngine, key: bytes, checkpoint: Checkpoint | None = None) -> Verdict:
    """Check the whole chain under ``key`` (and against ``checkpoint``), then the audited
    tables against the log; the verdict names the first broken record and every row that
    disagrees."""
    loop = asyncio.get_running_loop()
    last: _Last = {}

    def rows() -> Iterator[Mapping[str, Any]]:
        after = 0
        while True:
            chunk = asyncio.run_coroutine_threadsafe(_chunk(engine, after), loop).result()
            if not chunk:
                return
            for row in chunk:
                if row["entity"] in RECONCILED:
                    last[(row["entity"], int(row["entity_id"]))] = (
                        int(row["id"]),
                        row["action"],
                        row["after"],
                    )
                yield row
            after = int(chunk[-1]["id"])

    found = await asyncio.to_thread(walk, rows(), key)
    problem = await _check_point(engine, found, checkpoint) if checkpoint is not None else ""
    if found.broken is not None:
        verdict = await _explain(engine, found, key)
        return Verdict(
            records=verdict.records,
            broken_id=verdict.broken_id,
            at=verdict.at,
            what=verdict.what,
            why=verdict.why,
            unkeyed=found.unkeyed,
            checkpoint=checkpoint,
            checkpoint_problem=problem,
        )
    plain = await _plain_beyond_the_seal(engine, found, key)
    if plain is not None:
        return replace(
            plain, unkeyed=found.unkeyed, checkpoint=checkpoint, checkpoint_problem=problem
        )
    reconciled, mismatches = await _reconcile(engine, last)
    return Verdict(
        records=found.records,
        unkeyed=found.unkeyed,
        checkpoint=checkpoint,
        checkpoint_problem=problem,
        reconciled=reconciled,
        mismatches=mismatches,
    )


async def _nth_record(engine: AsyncEngine, ordinal: int) -> Mapping[str, Any] | None:
    """The ``ordinal``-th record of the log (1 is the first)."""
    async with engine.connect() as connection:
        result = await connection.execute(
            select(*_COLUMNS).order_by(AuditRecord.id).offset(ordinal - 1).limit(1)
        )
        row = result.mappings().one_or_none()
        return dict(row) if row is not None else None


async def _plain_beyond_the_seal(engine: AsyncEngine, found: Walk, key: bytes) -> Verdict | None:
    """A verdict of a broken log when it holds more plain-hashed records than were there when
    the key came in (the sealed start), or its sealed start was changed; None when it holds."""
    async with engine.connect() as connection:
        value = await connection.scalar(
            select(ServerSetting.value).where(ServerSetting.key == UNKEYED_START)
        )
    sealed = read_unkeyed_start(value, key)
    if sealed is None:
        why = _(
            "the record of how much of the log predates the audit key does not hold under the "
            "key: it was written or changed without the key"
        )
        first = await _nth_record(engine, 1)
        return _broken_at(first, found.records, why)
    allowed, head_hash = sealed
    if found.unkeyed > allowed:
        row = await _nth_record(engine, allowed + 1)
        why = _(
            "its hash is a plain one, computed without the audit key, but the key was in use "
            "from record {n} on: the log was rewritten from here by someone without the key"
        ).format(n=allowed + 1)
        return _broken_at(row, allowed, why)
    if allowed:
        row = await _nth_record(engine, allowed)
        if row is None or row["hash"] != head_hash:
            why = _("the part of the log that predates the audit key was rewritten")
            return _broken_at(row, allowed - 1, why)
    return None


def _broken_at(row: Mapping[str, Any] | None, records: int, why: str) -> Verdict:
    if row is None:
        return Verdict(records=records, broken_id=0, why=why)
    return Verdict(
        records=records,
        broken_id=int(row["id"]),
        at=row["at"],
        what=names.audit_record(row["action"], row["entity"], row["entity_id"]),
        why=why,
    )


async def seal_plain_log(engine: AsyncEngine, key: bytes) -> int | None:
    """Seal, under a new ``key``, a log whose records all predate keys (plain hashes): how many
    there are and the last one's hash, so a rewrite of them is seen later. Returns how many,
    or None when the log is not wholly plain (some records are keyed: the old key is lost,
    or the log is broken) and nothing was sealed."""
    async with engine.connect() as connection:
        rows = [
            dict(r)
            for r in (
                await connection.execute(select(*_COLUMNS).order_by(AuditRecord.id))
            ).mappings()
        ]
    found = await asyncio.to_thread(walk, rows, key)
    if found.broken is not None or found.unkeyed != found.records:
        return None
    async with engine.begin() as connection:
        await connection.execute(delete(ServerSetting).where(ServerSetting.key == UNKEYED_START))
        await connection.execute(
            insert(ServerSetting).values(
                key=UNKEYED_START, value=seal_unkeyed_start(key, found.records, found.head_hash)
            )
        )
    return found.records


async def _check_point(engine: AsyncEngine, found: Walk, checkpoint: Checkpoint) -> str:
    """Why the chain no longer holds ``checkpoint`` ("" when it does)."""
    position = checkpoint.position
    async with engine.connect() as connection:
        digest = await connection.scalar(select(AuditRecord.hash).where(AuditRecord.id == position))
    if digest is None:
        if found.broken is None and position > found.head_id:
            return _(
                "record {n} is gone: the log now ends at record {head}, so its newest records "
                "were deleted"
            ).format(n=position, head=found.head_id)
        return _("record {n} is gone: it was deleted from the database").format(n=position)
    if digest != checkpoint.hash:
        return _(
            "record {n} has another hash than when the checkpoint was taken: the log was "
            "rewritten at or before record {n}"
        ).format(n=position)
    if found.broken is not None and position >= found.broken:
        return _("record {n} follows the break at record {broken}").format(
            n=position, broken=found.broken
        )
    return ""


def _differences(row: Any, after: Mapping[str, Any]) -> list[str]:
    out = []
    for name, said in after.items():
        if name in row and row[name] != said:
            out.append(
                _("{field} is {value} in the database, the log says {said}").format(
                    field=name, value=repr(row[name]), said=repr(said)
                )
            )
    return out


async def _reconcile(engine: AsyncEngine, last: _Last) -> tuple[int, list[Mismatch]]:
    compared = 0
    mismatches: list[Mismatch] = []
    for entity, model in RECONCILED.items():
        table = model.__table__
        seen: set[int] = set()
        after_id = 0
        while True:
            async with engine.connect() as connection:
                chunk = (
                    (
                        await connection.execute(
                            select(table)
                            .where(table.c.id > after_id)
                            .order_by(table.c.id)
                            .limit(CHUNK)
                        )
                    )
                    .mappings()
                    .all()
                )
            if not chunk:
                break
            for row in chunk:
                row_id = int(row["id"])
                seen.add(row_id)
                compared += 1
                said = last.get((entity, row_id))
                if said is None:
                    mismatches.append(
                        Mismatch(entity, row_id, _("the audit log has no record of it"))
                    )
                    continue
                record_id, action, after = said
                removed = row["removed_at"] is not None
                if action == "remove" or after is None:
                    if not removed:
                        mismatches.append(
                            Mismatch(
                                entity,
                                row_id,
                                _(
                                    "it is in force, but the log's last record of it ({id}) "
                                    "removed it"
                                ).format(id=record_id),
                            )
                        )
                    continue
                if removed:
                    mismatches.append(
                        Mismatch(
                            entity,
                            row_id,
                            _(
                                "it is removed, but the log's last record of it ({id}) does "
                                "not remove it"
                            ).format(id=record_id),
                        )
                    )
                    continue
                differences = _differences(row, after)
                if differences:
                    mismatches.append(
                        Mismatch(
                            entity,
                            row_id,
                            "; ".join(differences) + f" (record {record_id})",
                        )
                    )
            after_id = int(chunk[-1]["id"])
        for (kind, entity_id), (record_id, action, _after) in sorted(last.items()):
            if kind == entity and entity_id not in seen and action != "remove":
                mismatches.append(
                    Mismatch(
                        entity,
                        entity_id,
                        f"deleted from the database; the log's last record of it ({record_id}) "
                        "says it exists",
                    )
                )
    mismatches.sort(key=lambda m: (m.entity, m.entity_id))
    return compared, mismatches


async def _explain(engine: AsyncEngine, found: Walk, key: bytes) -> Verdict:
    broken = found.broken
    assert broken is not None
    async with engine.connect() as connection:
        row = (
            (await connection.execute(select(*_COLUMNS).where(AuditRecord.id == broken)))
            .mappings()
            .one()
        )
        previous = (
            (
                await connection.execute(
                    select(*_COLUMNS)
                    .where(AuditRecord.id < broken)
                    .order_by(AuditRecord.id.desc())
                    .limit(1)
                )
            )
            .mappings()
            .one_or_none()
        )
    prev_hash = previous["hash"] if previous is not None else GENESIS
    previous_id = int(previous["id"]) if previous is not None else 0
    content = record_content(dict(row))
    if row["prev_hash"] != prev_hash:
        if broken - previous_id > 1:
            if broken - previous_id == 2:
                why = f"record {previous_id + 1} before it is missing (deleted from the database)"
            else:
                why = (
                    f"records {previous_id + 1} to {broken - 1} before it are missing "
                    "(deleted from the database)"
                )
        elif previous is None:
            why = "the first record does not start the chain (records before it were deleted)"
        else:
            why = (
                f"it does not follow record {previous_id}: that record was changed and its "
                "hash written anew, or records were reordered"
            )
    elif row["hash"] == unkeyed_hash(prev_hash, content):
        why = (
            "its hash was computed without the audit key: the record was written or rewritten "
            "by someone who does not hold the key"
        )
    elif row["hash"] != record_hash(prev_hash, content, key):
        why = (
            "its content does not match its hash: it was changed after it was written, or "
            "its hash was computed with another key (is this the server's audit key?)"
        )
    else:
        why = "the chain does not follow from the records before it"
    return Verdict(
        records=found.records,
        broken_id=broken,
        at=row["at"],
        what=names.audit_record(row["action"], row["entity"], row["entity_id"]),
        why=why,
    )
