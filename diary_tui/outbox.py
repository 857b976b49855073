"""The outbox as the sync engine sees it: a Protocol kept apart from ``diary_tui.outbox_ops``
so that ``diary_tui.data`` can name it without importing the write types (and ``json``) on the
way to the first frame."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from diary_tui.outbox_ops import Op
    from diary_tui.store import OutboxItem


class Outbox(Protocol):
    """What the sync engine (``diary_tui.sync``) needs of the store (``diary_tui.store.Store``)."""

    def enqueue(self, write: Op, idempotency_key: str, *, depends_on: int | None = None) -> int: ...

    def pending(self, limit: int = 100) -> list[OutboxItem]: ...

    def refused_count(self) -> int: ...

    def item(self, item_id: int) -> OutboxItem | None: ...

    def last_answer(self, entity: str, before: int) -> OutboxItem | None: ...

    def latest(self, entity: str, op: str) -> OutboxItem | None: ...

    def rewrite(self, item_id: int, write: Op) -> None: ...

    def settle(
        self,
        item_id: int,
        state: str,
        *,
        error: str = "",
        result: bytes | None = None,
        field: str = "",
    ) -> None: ...

    def note_attempt(self, item_id: int, error: str) -> None: ...

    def outbox_count(self) -> int: ...

    def mark_synced(self) -> None: ...
