"""``diary demo``: a demo school served from this computer, and the app at a chooser.

The server runs in-process (uvicorn in a background thread with its own event loop) on a free
loopback port, over a SQLite file in a fresh temporary folder. Its address and the demo logins
are printed before the app opens, so a second terminal can join. When the app exits (or
fails, or is interrupted) the server stops and the folder is deleted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from diary_tui.data import DemoAccount


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class DemoServer:
    """The demo server on a loopback port, in a thread of its own."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int | None = None) -> None:
        import uvicorn

        self.host = host
        self.port = port or free_port(host)
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                host=host,
                port=self.port,
                log_level="warning",
                lifespan="on",
                proxy_headers=False,  # a client's X-Forwarded-For never names its address
                timeout_keep_alive=75,
            )
        )
        self._thread = threading.Thread(target=self._run, name="diary-demo-server", daemon=True)
        self._error: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _run(self) -> None:
        try:
            asyncio.run(self._server.serve())
        except BaseException as exc:  # reported by start()
            self._error = exc

    def start(self, timeout: float = 30.0) -> None:
        """Start serving and wait until the server accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"The demo server did not start: {self._error or 'it exited'}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"The demo server did not start within {timeout:.0f} s")
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)


def demo_accounts(school: Any) -> list[DemoAccount]:
    return [
        DemoAccount(login=a.login, password=a.password, role=str(a.role), title=a.title)
        for a in school.featured
    ]


def print_banner(url: str, accounts: list[DemoAccount], out: Any = None) -> None:
    out = out or sys.stdout
    print(f"Demo diary server: {url}", file=out)
    print("Demo logins (join from another terminal with", file=out)
    print(f"  diary --server {url} --login LOGIN):", file=out)
    width = max((len(a.login) for a in accounts), default=5)
    for account in accounts:
        print(
            f"  {account.login.ljust(width)}  password {account.password}  {account.title}",
            file=out,
        )
    print("The demo school is deleted when the diary exits.", file=out)
    out.flush()


def quiet_logging(log_file: Path) -> None:
    """Send log records to a file: a line on stderr would tear through the TUI."""
    import logging

    handler = logging.FileHandler(log_file, encoding="utf-8")
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in (None, "litestar", "uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        for old in list(logger.handlers):
            logger.removeHandler(old)
        logger.addHandler(handler)
        logger.propagate = False
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


DEMO_LANGUAGE = "ru"
"""The demo school's language when nothing names one: the product's first language."""


def demo_language(asked: str | None = None) -> tuple[str, str | None]:
    """The language of ``diary demo``, for the school and the diary alike: ``--lang``, else
    ``DIARY_LANG``, the config file's ``language``, the locale; else Russian. Returns it with
    the config file's choice (for Settings)."""
    from api_client import i18n
    from diary_tui.config import ConfigError, load_config

    try:
        configured = load_config().language
    except ConfigError:
        configured = None
    return i18n.chosen(asked, configured) or DEMO_LANGUAGE, configured


def run_demo(
    *,
    seed: int = 1,
    lang: str | None = None,
    size: str = "small",
    today: dt.date | None = None,
    started: float | None = None,
) -> int:
    """The demo on ``today`` (else ``DIARY_TODAY``, else the real today): the school is made
    around that day, and the server and the app both take it for today."""
    import secrets

    asked = lang
    lang, configured = demo_language(asked)

    from demo_server.app import create_app
    from demo_server.demo import prepare_demo_database
    from demo_server.generator import SCHOOL_TIMEZONE
    from demo_server.settings import ServerSettings
    from diary_tui.clock import school_zone
    from diary_tui.data import frozen_today

    # The demo school's date, not this computer's: the two differ around midnight.
    day = today or frozen_today() or dt.datetime.now(school_zone(SCHOOL_TIMEZONE)).date()

    folder = Path(tempfile.mkdtemp(prefix="diary-demo-"))
    server: DemoServer | None = None
    try:
        url = f"sqlite:///{folder / 'demo.sqlite3'}"
        print(f"Generating the demo school (seed {seed}, {size}, {lang})…", flush=True)
        # The demo school lives as long as this process: its audit key too (no key file).
        audit_key = secrets.token_bytes(32)
        school = asyncio.run(
            prepare_demo_database(
                url, seed=seed, lang=lang, size=size, today=day, audit_key=audit_key
            )
        )
        accounts = demo_accounts(school)
        server = DemoServer(
            create_app(url, settings=ServerSettings(today=lambda: day, audit_key=audit_key))
        )
        server.start()
        quiet_logging(folder / "server.log")
        print_banner(server.url, accounts)

        from diary_tui.app import DiaryApp
        from diary_tui.data import DiaryData
        from diary_tui.store import Store

        client_root = folder / "client"
        data = DiaryData(
            credentials=None,
            open_store=lambda s, login: Store.open_for(s, login, root=client_root),
            delete_store=lambda s, login: Store.delete_for(s, login, root=client_root),
            save_last_login=None,
            today=lambda: day,
        )
        app = DiaryApp(
            server=server.url,
            demo_accounts=accounts,
            data=data,
            started=started,
            language=asked,
            configured_language=configured,
            school_language=lang,
        )
        app.run()
        return app.return_code or 0
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
