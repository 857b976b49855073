"""The audit log's hash chain: one canonical way to hash a record, used by the server and the
demo generator alike.

Each record's ``hash`` is the HMAC-SHA256, under the audit key (:mod:`demo_server.audit_key`,
kept outside the database), of its ``prev_hash`` followed by the canonical JSON of its content
(keys sorted, no insignificant whitespace, UTF-8). The first record's ``prev_hash`` is
:data:`GENESIS`. Changing, removing or reordering any record breaks every hash after it, and
without the key nobody can compute the hashes of a rewritten chain.

Databases written before the chain was keyed hold records hashed with plain SHA-256 (the same
input, no key). :func:`walk` accepts such records only as an unbroken prefix of the chain, before
the first keyed record, and counts them; a plain hash after a keyed one is a break. How long that
prefix was when the key came in is sealed with the key (:func:`seal_unkeyed_start`, kept in
``server_settings``), so a log rewritten from its start with plain hashes (which anyone can
compute) is seen: it has more plain records than the seal allows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

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

    The column type hands every instant back aware on every database, so the hash does not
    depend on the database; a naive datetime names no instant and is refused.
    """
    if value.tzinfo is None:
        raise ValueError(f"a naive datetime names no instant: {value!r}")
    value = value.astimezone(dt.UTC).replace(tzinfo=None)
    if value.year < 1000:  # isoformat pads the year, strftime on some systems does not
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.isoformat(timespec="microseconds") + "Z"


def _default(obj: object) -> str:
    if isinstance(obj, dt.datetime):
        return canonical_instant(obj)
    if isinstance(obj, dt.date):
        return obj.isoformat()
    raise TypeError(f"cannot hash a value of type {type(obj).__name__} in an audit record")


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
)

_make_encoder = getattr(json.encoder, "c_make_encoder", None)
_ONE_SHOT = (
    _make_encoder(
        None,  # no check for circular references: records are trees of plain values
        _default,
        json.encoder.encode_basestring,  # what ensure_ascii=False uses
        None,  # no indent
        ":",
        ",",
        True,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    if _make_encoder is not None
    else None
)
"""The C encoder ``_ENCODER.encode`` builds anew on every call, made once: the same text for
a fraction of the cost (the demo generator hashes tens of thousands of records)."""


def canonical_json(content: Mapping[str, Any]) -> str:
    """The record's content as JSON: keys sorted, no whitespace, text as it is (UTF-8)."""
    if _ONE_SHOT is None:
        return _ENCODER.encode(content)
    return "".join(_ONE_SHOT(content, 0))


_PLAIN = msgspec.json.Encoder(order="sorted")


def plain_record_hash(prev_hash: str, content: dict[str, Any], key: bytes) -> str:
    """:func:`record_hash` of content that holds only text, whole numbers, booleans, ``None``
    and dicts and lists of them (``at`` already a string): for these msgspec writes the very
    bytes :func:`canonical_json` does (sorted keys, no whitespace, UTF-8, the same escapes),
    several times faster. The demo generator hashes its tens of thousands of records so."""
    return hmac.digest(key, prev_hash.encode() + _PLAIN.encode(content), "sha256").hex()


def record_hash(prev_hash: str, content: dict[str, Any], key: bytes) -> str:
    """The hash of a record with ``content`` that follows a record hashed ``prev_hash``."""
    return hmac.digest(key, (prev_hash + canonical_json(content)).encode(), "sha256").hex()


def unkeyed_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """The hash records had before the chain was keyed (plain SHA-256)."""
    return hashlib.sha256((prev_hash + canonical_json(content)).encode()).hexdigest()


UNKEYED_START = "audit_unkeyed_start"
"""The ``server_settings`` key of the sealed length of the log's plain-hashed start."""


def seal_unkeyed_start(key: bytes, records: int, head_hash: str) -> str:
    """The ``server_settings`` value saying the first ``records`` records (the last of them
    hashed ``head_hash``) predate the key, sealed with the key."""
    mac = hmac.digest(key, f"unkeyed start {records} {head_hash}".encode(), "sha256").hex()
    return f"{records} {head_hash} {mac}"


def read_unkeyed_start(value: str | None, key: bytes) -> tuple[int, str] | None:
    """The sealed (records, head hash) of the plain-hashed start: (0, GENESIS) when nothing
    was sealed (a log keyed from its first record), None when the seal does not hold."""
    if value is None:
        return 0, GENESIS
    try:
        count_text, head_hash, _mac = value.split(" ")
        records = int(count_text)
    except ValueError:
        return None
    if not hmac.compare_digest(value, seal_unkeyed_start(key, records, head_hash)):
        return None
    return records, head_hash


def audit_row(
    at: dt.datetime,
    actor_id: int | None,
    action: str,
    entity: str,
    entity_id: int,
    pupil_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    reason: str,
) -> dict[str, Any]:
    """An ``audit_log`` row without its id and hashes: what the server appends for a write
    and what the demo generator writes for the history it makes up."""
    return {
        "at": at,
        "actor_id": actor_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "pupil_id": pupil_id,
        "before": before,
        "after": after,
        "reason": reason,
    }


def record_content(row: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed content of an ``audit_log`` row (a mapping with at least
    :data:`CONTENT_FIELDS`); ``at`` becomes its canonical string."""
    content = {name: row[name] for name in CONTENT_FIELDS}
    content["at"] = canonical_instant(row["at"])
    return content


@dataclass(frozen=True, slots=True)
class Walk:
    """What walking the chain found."""

    records: int
    """Records checked: all of them when the chain is whole, else those before the break."""
    broken: int | None
    """The ``id`` of the first record that does not follow from those before it."""
    unkeyed: int
    """How many records at the start carry plain (pre-key) hashes."""
    head_id: int
    """The last good record's ``id`` (0 for an empty chain)."""
    head_hash: str


def walk(rows: Iterable[Mapping[str, Any]], key: bytes) -> Walk:
    """Check the chain, in the given (id) order, under ``key``."""
    prev = GENESIS
    prev_id = 0
    count = 0
    unkeyed = 0
    keyed = False
    for row in rows:
        content = record_content(row)
        if row["prev_hash"] != prev:
            return Walk(count, int(row["id"]), unkeyed, prev_id, prev)
        if row["hash"] == record_hash(prev, content, key):
            keyed = True
        elif not keyed and row["hash"] == unkeyed_hash(prev, content):
            unkeyed += 1
        else:
            return Walk(count, int(row["id"]), unkeyed, prev_id, prev)
        prev = row["hash"]
        prev_id = int(row["id"])
        count += 1
    return Walk(count, None, unkeyed, prev_id, prev)


def first_broken(rows: Iterable[Mapping[str, Any]], key: bytes) -> int | None:
    """The ``id`` of the first record, in the given (id) order, whose ``prev_hash`` or ``hash``
    does not follow from the records before it; ``None`` when the chain is whole."""
    return walk(rows, key).broken
