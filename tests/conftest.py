"""Fixtures shared by the whole test suite: databases, the demo school, the server, a client.

- ``backend``: ``"sqlite"`` or ``"postgresql"``; every test that uses a database runs on both
  (PostgreSQL only where ``DIARY_TEST_POSTGRES_URL`` is set: skipped locally, failed in CI).
  ``@sqlite_only`` (import it from ``tests.conftest``) limits a test to SQLite.
- ``db_url``: an empty database of that backend for this test (not migrated).
- ``demo``: the generated small demo school (seed 1, Russian, today = 2026-11-25), built once
  per backend and session as a template; ``demo_url`` is this test's own copy of it, so tests
  may change it freely.
- ``app``: the Litestar app over ``demo_url`` with today frozen at ``demo.today``.
- ``http``: an ``httpx.AsyncClient`` over ``ASGITransport(app)``, base ``http://diary.test``.
- ``login_as``: ``await login_as(http, login) -> headers`` with a bearer access token. The
  featured accounts are logged in once per session in the template (argon2 is slow), so this
  costs nothing for them; other logins go through ``POST /auth/login``.

A module may override ``school_kind`` to return ``"mini"``: the hand-made school of
``tests/demo_server/mini_school.py`` whose every row is known; or ``"district"``: the mini
school with a neighbouring school on the same server (its ids are ``far_*``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import os
import queue
import shutil
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import httpx
import pytest
from litestar import Litestar
from sqlalchemy.engine import make_url

from api_client import i18n
from api_client.models import API_PREFIX, LoginRequest, TokenPair, decode, encode
from tests.services import postgres_url, require

if TYPE_CHECKING:
    from demo_server.settings import ServerSettings

BACKENDS = ("sqlite", "postgresql")
DEMO_TODAY = dt.date(2026, 11, 25)
FROZEN_TIME = dt.time(10, 30, tzinfo=dt.UTC)
"""The hour of a frozen day (13:30 in Moscow), the app's ``NOW`` of the screen tests too."""
TEMPLATE_TIME = dt.time(9, 30, tzinfo=dt.UTC)
"""The hour the template schools' featured accounts log in (before any test's clock)."""
DEMO_NOW = dt.datetime.combine(DEMO_TODAY, FROZEN_TIME)
"""Where the server's clock starts in a test over the demo school (:func:`frozen_clock`)."""
BASE_URL = "http://diary.test"

TEST_AUDIT_KEY = bytes(range(32))
"""The audit chain's key in tests (the generator and every app read ``DIARY_AUDIT_KEY``), so no
test reads or writes a key file in the user's config folder."""
os.environ["DIARY_AUDIT_KEY"] = TEST_AUDIT_KEY.hex()


def _cheap_password_hashes() -> None:
    """Argon2id at its lowest cost (one pass over 1 MiB, one lane) for every password the suite
    hashes: the same algorithm, format and code path, with verification reading the cost from
    each hash, but a login costs a millisecond instead of up to a second on a loaded machine
    (the command-line tests log in once a command, the lock-out tests fail logins in dozens).
    The production parameters are the library's recommended ones (``demo_server.security``)."""
    from argon2 import PasswordHasher

    from demo_server import security

    security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    # An unknown login is checked against a hash of the same cost, as in production.
    security._DUMMY_HASH = security._hasher.hash(uuid.uuid4().hex)


_cheap_password_hashes()

os.environ["DIARY_LANG"] = "en"
"""The suite speaks English whatever the machine's locale or the school's language: the app,
the command lines and ``diary demo`` read ``DIARY_LANG`` as ``--lang``. A test of another
language asks for it (``i18n.using``, ``DiaryApp(language=...)``, a child's environment)."""


@pytest.fixture(autouse=True)
def _english_again() -> Iterator[None]:
    """A test that switched the process's language leaves it English for the next."""
    yield
    i18n.set_language(i18n.SOURCE)


sqlite_only = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
"""Run a database test on SQLite only (for tests that need speed, not coverage)."""

LoginAs = Callable[[httpx.AsyncClient, str], Awaitable[dict[str, str]]]


def asgi_transport(app: Litestar) -> httpx.ASGITransport:
    """An httpx transport that calls ``app`` in-process (no lifespan run needed)."""
    return httpx.ASGITransport(app=cast(Any, app))


def generator_available() -> bool:
    try:
        import demo_server.generator  # noqa: F401
    except ImportError:
        return False
    return True


# --- databases ----------------------------------------------------------------------------


async def _pg_admin(sql: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    url = postgres_url()
    assert url is not None
    parsed = make_url(url).set(drivername="postgresql")
    conn = await asyncpg.connect(parsed.render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(name: str) -> str:
    url = postgres_url()
    assert url is not None
    return make_url(url).set(database=name).render_as_string(hide_password=False)


class Databases:
    """Creates throwaway databases and removes them at the end of the session."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.counter = itertools.count()
        self.prefix = f"diary_t{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.pg_created: list[str] = []
        # PostgreSQL copies take half a second each: a thread per template makes the next
        # copies while tests run, and another drops used ones, so tests rarely wait for either.
        self._ready: dict[str, queue.Queue[str]] = {}
        self._makers: dict[str, threading.Thread] = {}
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._dropper: threading.Thread | None = None
        self._closing = threading.Event()
        self._lock = threading.Lock()

    def empty(self, backend: str) -> str:
        n = next(self.counter)
        if backend == "sqlite":
            return f"sqlite:///{self.root / f'db{n}.sqlite3'}"
        name = f"{self.prefix}_{n}"
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        self.pg_created.append(name)
        return _pg_url(name)

    def copy(self, backend: str, template_url: str) -> str:
        n = next(self.counter)
        if backend == "sqlite":
            source = Path(str(make_url(template_url).database))
            target = self.root / f"db{n}.sqlite3"
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        template = str(make_url(template_url).database)
        return _pg_url(self._next_copy(template))

    def _make_copy(self, template: str) -> str:
        with self._lock:
            name = f"{self.prefix}_{next(self.counter)}"
            self.pg_created.append(name)
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def _next_copy(self, template: str) -> str:
        ready = self._ready.get(template)
        if ready is None:
            ready = self._ready[template] = queue.Queue(maxsize=2)

            def make() -> None:
                while not self._closing.is_set():
                    try:
                        name = self._make_copy(template)
                    except Exception:  # the tests will make their own copies and fail loudly
                        return
                    while not self._closing.is_set():
                        try:
                            ready.put(name, timeout=0.2)
                            break
                        except queue.Full:
                            continue

            self._makers[template] = threading.Thread(target=make, daemon=True)
            self._makers[template].start()
        try:
            return ready.get(timeout=30)
        except queue.Empty:
            return self._make_copy(template)

    def drop(self, url: str) -> None:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
            return
        if self._dropper is None:

            def drop_all() -> None:
                while (name := self._drops.get()) is not None:
                    with contextlib.suppress(Exception):
                        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    with self._lock:
                        if name in self.pg_created:
                            self.pg_created.remove(name)

            self._dropper = threading.Thread(target=drop_all, daemon=True)
            self._dropper.start()
        self._drops.put(str(parsed.database))

    def close(self) -> None:
        self._closing.set()
        for maker in self._makers.values():
            maker.join(timeout=30)
        if self._dropper is not None:
            self._drops.put(None)
            self._dropper.join(timeout=60)
        for name in list(self.pg_created):
            with contextlib.suppress(Exception):
                asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    dbs = Databases(tmp_path_factory.mktemp("databases"))
    yield dbs
    dbs.close()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name = str(request.param)
    if name == "postgresql":
        require(postgres_url() is not None, "PostgreSQL (set DIARY_TEST_POSTGRES_URL)")
    return name


@pytest.fixture
def db_url(backend: str, databases: Databases) -> Iterator[str]:
    """An empty database for this test."""
    url = databases.empty(backend)
    yield url
    databases.drop(url)


# --- the demo school as a template ------------------------------------------------------------


@dataclass
class Template:
    backend: str
    kind: str
    url: str
    school: Any
    """The generator's ``DemoSchool`` (or the mini school, which has the same shape)."""
    tokens: dict[str, TokenPair] = field(default_factory=dict)


async def _build(url: str, kind: str) -> Template:
    from demo_server.app import create_app
    from demo_server.db import backend_name, make_engine
    from demo_server.migrate import upgrade_engine

    engine = make_engine(url)
    try:
        await upgrade_engine(engine)
        if kind == "mini":
            from tests.demo_server.mini_school import build_mini_school

            school: Any = await build_mini_school(engine)
        elif kind == "district":
            from tests.demo_server.mini_school import build_district

            school = await build_district(engine)
        else:
            from demo_server.generator import generate

            school = await generate(engine, seed=1, lang="ru", size="small", today=DEMO_TODAY)
        # Log the featured accounts in once, an hour before a test's clock starts (every
        # login here comes before a test's own), with tokens that last the school year on the
        # frozen clock: a test may move its server's clock days on (a meeting, a weekend).
        settings = frozen_settings(
            school.today, TEMPLATE_TIME, access_token_lifetime=dt.timedelta(days=366)
        )
        app = create_app(engine=engine, settings=settings)
        tokens: dict[str, TokenPair] = {}
        async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as client:

            async def one(login: str, password: str) -> None:
                response = await client.post(
                    f"{API_PREFIX}/auth/login",
                    content=encode(LoginRequest(login=login, password=password)),
                    headers={"content-type": "application/json"},
                )
                assert response.status_code == 200, response.text
                tokens[login] = decode(response.content, TokenPair)

            await asyncio.gather(*(one(a.login, a.password) for a in school.featured))
    finally:
        await engine.dispose()
    return Template(backend_name(url), kind, url, school, tokens)


_templates: dict[tuple[str, str], Template] = {}


def template_for(databases: Databases, backend: str, kind: str) -> Template:
    key = (backend, kind)
    if key not in _templates:
        url = databases.empty(backend)
        _templates[key] = asyncio.run(_build(url, kind))
    return _templates[key]


@pytest.fixture
def school_kind() -> str:
    """``"demo"`` (generated; the mini school until the generator exists), ``"mini"`` or
    ``"district"``."""
    return "demo" if generator_available() else "mini"


@pytest.fixture
def template(backend: str, school_kind: str, databases: Databases) -> Template:
    return template_for(databases, backend, school_kind)


@pytest.fixture
def demo(template: Template) -> Any:
    return template.school


_shared: dict[tuple[str, str], str] = {}


@pytest.fixture
def demo_url(
    template: Template, databases: Databases, request: pytest.FixtureRequest
) -> Iterator[str]:
    """The test's own copy of the demo school; tests marked ``readonly`` (they change nothing
    another test could see: GETs, logins) share one copy per school, which spares a database
    copy per test (half a second each on PostgreSQL)."""
    if request.node.get_closest_marker("readonly") is not None:
        key = (template.backend, template.kind)
        if key not in _shared:
            _shared[key] = databases.copy(template.backend, template.url)
        yield _shared[key]
        return
    url = databases.copy(template.backend, template.url)
    yield url
    databases.drop(url)


@pytest.fixture
def app(demo_url: str, demo: Any) -> Litestar:
    """The server over this test's database, with the demo school's frozen "today" (one app
    per session, see :func:`server_app`)."""
    return server_app(demo_url, frozen_settings(demo.today))


_apps: dict[str, tuple[Litestar, tuple[int, int]]] = {}


def server_app(url: str, settings: ServerSettings, *, slot: str = "app") -> Litestar:
    """The server over ``url`` with ``settings``.

    Building a Litestar app (its routes, their signatures, the OpenAPI document) costs more than
    most tests, seconds on a loaded machine: one app is built per session and ``slot``, and each
    call gives it a new engine over ``url`` and ``settings`` (what a request reads at run time
    lives in the app's state, ``ServerState``), the same as a new app would have. The settings
    an app is built from (the body size limit, the compression threshold) are compared: other
    values get an app of their own. A test that needs two servers at once uses two slots."""
    from demo_server.app import create_app
    from demo_server.db import make_engine
    from demo_server.routes.deps import STATE_KEY
    from demo_server.settings import ServerState

    built_from = (settings.max_body_size, settings.compress_min_size)
    known = _apps.get(slot)
    if known is None or known[1] != built_from:
        app = create_app(url, settings=settings)
        _apps[slot] = (app, built_from)
        return app
    engine = make_engine(url)
    known[0].state[STATE_KEY] = ServerState(engine, settings, engine.dialect.name)
    return known[0]


@pytest.fixture
async def http(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=asgi_transport(app), base_url=BASE_URL) as client:
        yield client
    state = app.state["server"]
    await state.engine.dispose()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def login_as(template: Template) -> LoginAs:
    """``await login_as(http, login)``: headers with an access token for ``login``."""
    passwords = {a.login: a.password for a in template.school.featured}

    async def login(http: httpx.AsyncClient, login: str) -> dict[str, str]:
        if login in template.tokens:
            return bearer(template.tokens[login].access_token)
        password = passwords.get(login, template.school.password)
        response = await http.post(
            f"{API_PREFIX}/auth/login", json={"login": login, "password": password}
        )
        assert response.status_code == 200, response.text
        return bearer(decode(response.content, TokenPair).access_token)

    return login


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The server's tests run on SQLite and PostgreSQL; the client's and the app's run on
    SQLite only (the server under them is the same code, tested on both)."""
    server_tests = Path(__file__).parent / "demo_server"
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("backend") == "postgresql"
        if on_postgres and not item.path.is_relative_to(server_tests):
            dropped.append(item)
        else:
            keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def frozen_settings(today: dt.date, at: dt.time = FROZEN_TIME, **options: Any) -> ServerSettings:
    """The server's settings frozen on ``today``: its date, and its clock from an instant of
    it (:func:`frozen_clock`), so that tokens, consent, audit and change records get the day's
    time, never the machine's."""
    from demo_server.settings import ServerSettings

    return ServerSettings(today=lambda: today, now=frozen_clock(today, at), **options)


def frozen_clock(today: dt.date, at: dt.time = FROZEN_TIME) -> Callable[[], dt.datetime]:
    """A clock that starts at :data:`FROZEN_TIME` on ``today`` and runs on from there as time
    passes (a token still expires, a later record is later), whatever the machine's date."""
    start = dt.datetime.combine(today, at)
    began = time.monotonic()
    return lambda: start + dt.timedelta(seconds=time.monotonic() - began)
