"""Work whose cost grows with what a request sends or asks for (a roster file, a class's PDF
slips, a school's statistics) runs off the event loop and only a few at a time.

The server answers every request from one event loop; a request that computes for seconds on
it makes every other request (``/health`` too) wait as long. :func:`off_loop` runs such work in
a worker thread, so the loop goes on answering meanwhile (the interpreter lets the loop's thread
in every few milliseconds). :class:`HeavyWork` bounds how many such requests run at once and
how many wait: the next one is answered 503 with Retry-After instead of queueing without end,
so many imports at once cannot starve the server of threads, memory or CPU.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import sys
import threading
from collections.abc import AsyncIterator, Callable
from typing import ParamSpec, TypeVar

from api_client.i18n import _
from api_client.models import encode
from demo_server.problems import ProblemError

P = ParamSpec("P")
T = TypeVar("T")

BUSY_RETRY_AFTER = 30
"""Seconds a client is told to wait when too many heavy requests are already waiting."""


HEAVY_SWITCH_INTERVAL = 0.001
"""Seconds a thread computes before the interpreter hands over to another that waits (5 ms
by default): while heavy work runs, the event loop's thread gets its turns five times sooner."""

_switch = [0.005]
_gc_lock = threading.Lock()
_gc_holders = 0
_gc_was_enabled = False


def _without_collections(work: Callable[[], T]) -> T:
    """``work()`` with the cyclic garbage collector paused and threads switching often.

    Work that builds a few hundred thousand objects (a 20,000-line plan) sets off full
    collections, and a full collection holds every thread, the event loop's too, while it walks
    every object: 200 ms at a time for such a plan. Its objects are freed by reference counting
    when the request ends; the collector resumes when the last such work is done."""
    global _gc_holders, _gc_was_enabled
    with _gc_lock:
        if _gc_holders == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
            _switch[0] = sys.getswitchinterval()
            sys.setswitchinterval(HEAVY_SWITCH_INTERVAL)
        _gc_holders += 1
    try:
        return work()
    finally:
        with _gc_lock:
            _gc_holders -= 1
            if _gc_holders == 0:
                sys.setswitchinterval(_switch[0])
                if _gc_was_enabled:
                    gc.enable()


async def off_loop(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker thread, without pauses for garbage collection: the
    event loop answers others meanwhile.

    Whatever ``fn`` builds and drops is freed in the worker, before the collector resumes; what
    it returns lives on, and the first collections after it walk all of that: return bytes
    (see :func:`encode_off_loop`) rather than a big tree of objects."""
    return await asyncio.to_thread(_without_collections, functools.partial(fn, *args, **kwargs))


def encoded(fn: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> bytes:
    """``fn(*args, **kwargs)`` encoded as the JSON body of a response, in the caller's thread."""
    return encode(fn(*args, **kwargs))


async def encode_off_loop(fn: Callable[P, object], /, *args: P.args, **kwargs: P.kwargs) -> bytes:
    """The JSON body of ``fn(*args, **kwargs)``, computed and encoded in a worker thread.

    A 20,000-line import report is 2 MB of JSON and 300,000 objects: encoding it on the loop
    held it for tens of milliseconds, and the objects kept alive until then made the first full
    collection after the work walk them all (100 to 200 ms, every thread held)."""
    return await off_loop(encoded, fn, *args, **kwargs)


def freeze_start_up_objects() -> None:
    """Move every object that exists now out of the collector's sight (``gc.freeze``).

    Called once the server has started: the app, the ORM's mappers, the routes and the imported
    modules live as long as the process, yet each full collection walked all of them, holding
    every thread for 100 to 200 ms after a big request. Later collections walk only what was
    made since."""
    gc.collect()
    gc.freeze()


class HeavyWork:
    """At most ``at_once`` heavy requests run; at most ``waiting`` more wait their turn."""

    def __init__(self, at_once: int, waiting: int) -> None:
        self._slots = asyncio.Semaphore(max(1, at_once))
        self._waiting = 0
        self.max_waiting = max(0, waiting)
        self.running = 0

    @property
    def waiting(self) -> int:
        """Requests waiting for a turn now."""
        return self._waiting

    @contextlib.asynccontextmanager
    async def turn(self, what: str) -> AsyncIterator[None]:
        """Hold one of the slots for the block; 503 when all are taken and the queue is full."""
        if self._slots.locked() and self._waiting >= self.max_waiting:
            raise ProblemError(
                503,
                _(
                    "the server is busy with {what} for others right now; try again in "
                    "{BUSY_RETRY_AFTER} seconds"
                ).format(what=_(what), BUSY_RETRY_AFTER=BUSY_RETRY_AFTER),
                headers={"Retry-After": str(BUSY_RETRY_AFTER)},
                retry_after=BUSY_RETRY_AFTER,
            )
        self._waiting += 1
        try:
            await self._slots.acquire()
        finally:
            self._waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._slots.release()
