"""The audit log's hash chain: one canonical way to hash a record, used by the server and the
demo generator alike.

Each record's ``hash`` is the SHA-256 of its ``prev_hash`` followed by the canonical JSON of its
content (keys sorted, no insignificant whitespace, UTF-8). The first record's ``prev_hash`` is
:data:`GENESIS`. Changing, removing or reordering any record breaks every hash after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

GENESIS = "0" * 64
"""The ``prev_hash`` of the first record in the chain."""

CONTENT_FIELDS = (
    "at",
    "actor_id",
    "action",
    "entity",
    "entity_id",
    "pupil_id",
    "before",
    "after",
    "reason",
)
"""The columns of ``audit_log`` a record's hash covers (all but ``id``, ``prev_hash``, ``hash``)."""


def canonical_instant(value: dt.datetime) -> str:
    """An instant as ISO 8601 in UTC with microseconds and a ``Z``.

    A naive datetime is taken to be UTC already: SQLite hands timezone-aware columns back
    without their offset, and the hash must not depend on the database.
    """
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(content: Mapping[str, Any]) -> str:
    def default(obj: object) -> str:
        if isinstance(obj, dt.datetime):
            return canonical_instant(obj)
        if isinstance(obj, dt.date):
            return obj.isoformat()
        raise TypeError(f"cannot hash a value of type {type(obj).__name__} in an audit record")

    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=default
    )


def record_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash of a record with ``content`` that follows a record hashed ``prev_hash``."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode()).hexdigest()


def record_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed content of an ``audit_log`` row (a mapping with at least
    :data:`CONTENT_FIELDS`); ``at`` becomes its canonical string."""
    content = {name: row[name] for name in CONTENT_FIELDS}
    content["at"] = canonical_instant(row["at"])
    return content


def first_broken(rows: Iterable[Mapping[str, Any]]) -> int | None:
    """The ``id`` of the first record, in the given (id) order, whose ``prev_hash`` or ``hash``
    does not follow from the records before it; ``None`` when the chain is whole."""
    prev = GENESIS
    for row in rows:
        if row["prev_hash"] != prev or row["hash"] != record_hash(prev, record_content(row)):
            return int(row["id"])
        prev = row["hash"]
    return None
