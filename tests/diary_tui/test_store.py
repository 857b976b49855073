"""The local store: the response cache, sync state, the outbox, and file permissions."""

from __future__ import annotations

import stat
from pathlib import Path

from diary_tui.store import CONFLICT, DISMISSED, REFUSED, REJECTED, SENT, Store, store_path
from tests.diary_tui.writes import mark_create


def test_cache_round_trip_and_overwrite(tmp_path: Path) -> None:
    store = Store.open_for("http://s", "anna", root=tmp_path)
    assert store.get("/me") is None
    store.put("/me", '"a"', b"{}")
    store.put("/me", '"b"', b'{"x":1}')
    hit = store.get("/me")
    assert hit is not None
    assert (hit.etag, hit.body) == ('"b"', b'{"x":1}')
    assert store.fetched_at("/me") is not None
    store.close()


def test_store_survives_reopen_and_is_private(tmp_path: Path) -> None:
    store = Store.open_for("http://s", "anna", root=tmp_path)
    store.put("/me", '"a"', b"{}")
    store.mark_synced()
    store.close()
    path = store_path("http://s", "anna", root=tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    again = Store.open_for("http://s", "anna", root=tmp_path)
    assert again.get("/me") is not None
    assert again.last_sync() is not None
    again.close()


def test_accounts_have_separate_stores(tmp_path: Path) -> None:
    a = Store.open_for("http://s", "anna", root=tmp_path)
    b = Store.open_for("http://s", "boris", root=tmp_path)
    c = Store.open_for("http://other", "anna", root=tmp_path)
    a.put("/me", '"a"', b"anna")
    assert b.get("/me") is None
    assert c.get("/me") is None
    for s in (a, b, c):
        s.close()


def test_outbox_keeps_order_and_settles(tmp_path: Path) -> None:
    store = Store.open_for("http://s", "t", root=tmp_path)
    first = store.enqueue(mark_create(key="a", lesson_id=1, pupil_id=1, value=5), "k1")
    second = store.enqueue(mark_create(key="b", lesson_id=1, pupil_id=2, value=5), "k2")
    assert store.outbox_count() == 2
    assert [item.id for item in store.pending()] == [first, second]
    store.note_attempt(first, "offline")
    assert store.pending()[0].attempts == 1
    store.settle(first, SENT, result=b"{}")
    store.settle(second, REJECTED, error="not your class")
    assert store.outbox_count() == 0
    assert store.pending() == []
    store.close()


def test_refused_writes_count_until_the_user_deals_with_them(tmp_path: Path) -> None:
    store = Store.open_for("http://s", "t", root=tmp_path)
    ids = [
        store.enqueue(mark_create(key=f"m{n}", lesson_id=1, pupil_id=n + 1, value=5), f"k{n}")
        for n in range(4)
    ]
    store.settle(ids[0], SENT, result=b"{}")
    store.settle(ids[1], REJECTED, error="the lesson was cancelled")
    store.settle(ids[2], CONFLICT, error="changed elsewhere", result=b"{}")
    assert (store.outbox_count(), store.refused_count()) == (1, 2)
    store.dismiss([ids[0], ids[1], ids[3]])  # only a refused write can be dismissed
    assert (store.outbox_count(), store.refused_count()) == (1, 1)
    assert [item.id for item in store.items(REFUSED)] == [ids[2]]
    dismissed = store.item(ids[1])
    assert dismissed is not None and dismissed.state == DISMISSED
    store.close()


def test_delete_for_removes_the_file(tmp_path: Path) -> None:
    store = Store.open_for("http://s", "anna", root=tmp_path)
    store.put("/me", '"a"', b"{}")
    store.close()
    assert Store.delete_for("http://s", "anna", root=tmp_path)
    assert not store_path("http://s", "anna", root=tmp_path).exists()
    assert not Store.delete_for("http://s", "anna", root=tmp_path)
