"""Typed outbox writes for the tests, built from a few keywords."""

from __future__ import annotations

from typing import Any

from api_client import models as wire
from diary_tui.outbox_ops import (
    UNKNOWN_VERSION,
    AbsenceSetOp,
    MarkCreateOp,
    MarkRemoveOp,
    MarkUpdateOp,
    PeriodMarkSetOp,
)


def mark_create(
    *, key: str, lesson_id: int, pupil_id: int, value: int, comment: str = ""
) -> MarkCreateOp:
    request = wire.MarkCreate(lesson_id=lesson_id, pupil_id=pupil_id, value=value, comment=comment)
    return MarkCreateOp(key=key, request=request)


def mark_update(
    *, key: str, mark_id: int | None, version: int | None, changes: dict[str, Any]
) -> MarkUpdateOp:
    request = wire.MarkUpdate(version=version or UNKNOWN_VERSION, **changes)
    return MarkUpdateOp(key=key, mark_id=mark_id, request=request)


def mark_remove(*, key: str, mark_id: int | None, version: int | None) -> MarkRemoveOp:
    request = wire.MarkRemove(version=version or UNKNOWN_VERSION)
    return MarkRemoveOp(key=key, mark_id=mark_id, request=request)


def absence_set(*, lesson_id: int, pupil_id: int, kind: str, version: int | None) -> AbsenceSetOp:
    request = wire.AbsenceSet(kind=wire.AbsenceKind(kind), version=version)
    return AbsenceSetOp(lesson_id=lesson_id, pupil_id=pupil_id, request=request)


def period_mark_set(
    *, pupil_id: int, subject_id: int, period_id: int, value: int | None, version: int | None
) -> PeriodMarkSetOp:
    request = wire.PeriodMarkSet(
        pupil_id=pupil_id, subject_id=subject_id, period_id=period_id, value=value, version=version
    )
    return PeriodMarkSetOp(request=request)
