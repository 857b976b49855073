"""A teacher's app without a screen, for the kill-and-restart test: it logs in, puts marks into
the outbox of a store file, sends some, and can die at the worst moment.

    python -m tests.e2e.typist SERVER STORE [--marks N] [--send K] [--die-after-send] [--hold]

- ``--marks N``: enqueue N marks (each with a unique comment ``t<i>``), first counting those
  already in the store so a second run adds new ones;
- ``--send K``: send only the first K waiting writes, then
  - ``--die-after-send``: send the next one and SIGKILL itself before recording the answer;
  - ``--hold``: print ``HOLDING`` and sleep (the test kills it);
- without ``--send``: send everything waiting and print ``DONE <sent>``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

from api_client.client import DiaryClient
from benchmarks.durability import held_lessons, teacher_journal
from diary_tui.store import Store
from diary_tui.sync import SyncEngine
from tests.diary_tui.writes import mark_create


async def run(args: argparse.Namespace) -> int:
    store = Store(Path(args.store))
    client = DiaryClient(args.server)
    await client.login("teacher", "demo")
    journal = await teacher_journal(client)
    lessons = held_lessons(journal)
    pupils = [p.id for p in journal.pupils]
    engine = SyncEngine(client, store, base_delay=0.05, cap=0.5)
    start = len(store.items())
    for i in range(start, start + args.marks):
        engine.enqueue(
            mark_create(
                key=f"t{i}",
                lesson_id=lessons[-1 - (i // len(pupils)) % len(lessons)].id,
                pupil_id=pupils[i % len(pupils)],
                value=journal.scale.min + i % (journal.scale.max - journal.scale.min + 1),
                comment=f"t{i}",
            )
        )
    print(f"QUEUED {store.outbox_count()}", flush=True)
    if args.send is None:
        await engine.drain(stop_when_offline=False)
        print(f"DONE {engine.sent}", flush=True)
        await client.aclose()
        return 0
    for _ in range(args.send):
        waiting = store.pending(limit=1)
        if waiting:
            await engine.send_one(waiting[0])
    print(f"SENT {engine.sent}", flush=True)
    if args.die_after_send:
        item = store.pending(limit=1)[0]
        await item.write.send(client, item.idempotency_key)
        print(f"DYING after {item.id}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    if args.hold:
        print("HOLDING", flush=True)
        await asyncio.sleep(3600)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("store")
    parser.add_argument("--marks", type=int, default=0)
    parser.add_argument("--send", type=int, default=None)
    parser.add_argument("--die-after-send", action="store_true")
    parser.add_argument("--hold", action="store_true")
    return asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
