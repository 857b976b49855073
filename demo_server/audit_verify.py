"""``diary-server audit verify``: walk the audit log's hash chain and name the first broken
record.

The rows are read in id order, a chunk at a time (keyset pages, never the whole log in memory),
and fed to :func:`demo_server.audit.first_broken`, which runs in a thread while the event loop
fetches the next chunk for it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from demo_server.audit import GENESIS, first_broken, record_content, record_hash
from demo_server.schema import AuditRecord

CHUNK = 2000

_COLUMNS = [column for column in AuditRecord.__table__.columns]


@dataclass(frozen=True, slots=True)
class Verdict:
    records: int
    """How many records were checked (all of them when the chain is whole)."""
    broken_id: int | None = None
    at: dt.datetime | None = None
    what: str = ""
    """The broken record's action and entity, e.g. ``update mark 1786``."""
    why: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_id is None

    def describe(self) -> str:
        if self.intact:
            return f"audit log intact: {self.records} records"
        when = self.at.strftime("%Y-%m-%d %H:%M:%S UTC") if self.at else "unknown time"
        return f"audit log broken at record {self.broken_id} ({when}, {self.what}): {self.why}"


async def _chunk(engine: AsyncEngine, after: int) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        result = await connection.execute(
            select(*_COLUMNS).where(AuditRecord.id > after).order_by(AuditRecord.id).limit(CHUNK)
        )
        return [dict(row) for row in result.mappings()]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


async def verify(engine: AsyncEngine) -> Verdict:
    """Check the whole chain; the verdict names the first broken record, if any."""
    loop = asyncio.get_running_loop()
    seen = 0

    def rows() -> Iterator[Mapping[str, Any]]:
        nonlocal seen
        after = 0
        while True:
            chunk = asyncio.run_coroutine_threadsafe(_chunk(engine, after), loop).result()
            if not chunk:
                return
            for row in chunk:
                seen += 1
                yield row
            after = int(chunk[-1]["id"])

    broken = await asyncio.to_thread(first_broken, rows())
    if broken is None:
        return Verdict(records=seen)
    return await _explain(engine, broken, seen - 1)


async def _explain(engine: AsyncEngine, broken: int, checked: int) -> Verdict:
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
    elif row["hash"] != record_hash(prev_hash, record_content(dict(row))):
        why = "its content does not match its hash: it was changed after it was written"
    else:
        why = "the chain does not follow from the records before it"
    return Verdict(
        records=checked,
        broken_id=broken,
        at=_utc(row["at"]),
        what=f"{row['action']} {row['entity']} {row['entity_id']}",
        why=why,
    )
