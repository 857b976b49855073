"""Backups: a consistent copy of a running school's database, and its restore into an empty one.

    diary-server backup --db URL --to FILE
    diary-server restore FILE --db URL

A backup is one gzip'd tar archive:

- ``manifest.json``: the format, the database kind, when it was taken (UTC), the schema's
  migration revision, the schools in it, how many audit records, and a SHA-256 of each member;
- ``database.sqlite3`` (SQLite's online backup API: a page-by-page copy under one read
  transaction, so writers go on and the copy is of one moment) or ``database.pgdump``
  (``pg_dump --format=custom``, one snapshot of one transaction);
- ``files/...``: the folders of files the server keeps beside its database (see
  :data:`FILE_FOLDERS`), when there are any.

A backup restores only into a database of the same kind that holds no tables (SQLite: a
missing or empty file), then the database is migrated to this version of the server. The audit
key (``demo_server.audit_key``) is deliberately not in the archive: it must be kept with the
backup but apart from it, and ``diary-server audit verify`` after a restore proves the log.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, select
from sqlalchemy.engine import URL, make_url

from demo_server.db import backend_name, make_engine, resolve_url
from demo_server.migrate import table_names, upgrade_engine

FORMAT = "diary-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
FILES_PREFIX = "files/"

FILE_FOLDERS: dict[str, Path] = {}
"""Folders of files kept beside the database, by name (none yet: attachments live in the
database). A feature that stores files on disk registers its folder here, so backups carry it."""


class BackupError(Exception):
    """A backup or restore that cannot be done, in words saying what to do."""


@dataclass
class Manifest:
    format: str
    backend: str
    created_at: str
    revision: str | None
    schools: list[str]
    audit_records: int
    members: dict[str, str] = field(default_factory=dict)
    """Each member's SHA-256, checked before anything is restored."""


# --- taking a backup ------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def _libpq(url: str) -> tuple[list[str], dict[str, str]]:
    """``pg_dump``/``pg_restore`` connection options and environment for ``url``: the
    password goes through the environment, never on a command line others can read."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    args = []
    if parsed.host:
        args += ["--host", parsed.host]
    if parsed.port:
        args += ["--port", str(parsed.port)]
    if parsed.username:
        args += ["--username", parsed.username]
    args += ["--dbname", str(parsed.database or "")]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found: install the PostgreSQL client programs "
            "(Debian: apt install postgresql-client) of the server's major version"
        )
    return found


def _run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what} failed: {reason[-1] if reason else done.returncode}")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: readers and writers of ``source`` carry on meanwhile."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


async def _describe(url: str) -> tuple[str | None, list[str], int]:
    from alembic.runtime.migration import MigrationContext

    from demo_server.schema import AuditRecord, School

    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            names = await table_names(engine)
            if "schools" not in names:
                raise BackupError("the database holds no school: there is nothing to back up")
            revision = await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
            schools = list((await conn.scalars(select(School.name).order_by(School.id))).all())
            records = await conn.scalar(select(func.count()).select_from(AuditRecord))
        return revision, schools, int(records or 0)
    finally:
        await engine.dispose()


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _folder_files(folders: dict[str, Path]) -> Iterator[tuple[str, Path]]:
    for name, folder in sorted(folders.items()):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                yield f"{FILES_PREFIX}{name}/{path.relative_to(folder).as_posix()}", path


async def backup(url: str | None, target: Path, folders: dict[str, Path] | None = None) -> Manifest:
    """Writes a backup of the database at ``url`` to ``target`` (replaced only when the whole
    archive is written) and returns its manifest."""
    import asyncio

    url = resolve_url(url)
    revision, schools, records = await _describe(url)
    created = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    manifest = Manifest(FORMAT, backend_name(url), created, revision, schools, records)
    folders = FILE_FOLDERS if folders is None else folders
    await asyncio.to_thread(_make_archive, url, target, manifest, folders)
    return manifest


def _make_archive(url: str, target: Path, manifest: Manifest, folders: dict[str, Path]) -> None:
    target = target.expanduser()
    if target.is_dir():
        raise BackupError(f"{target} is a folder: give the backup file's name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="diary-backup-") as tmp:
        work = Path(tmp)
        if manifest.backend == "sqlite":
            member, dump = SQLITE_MEMBER, work / SQLITE_MEMBER
            _sqlite_copy(_sqlite_path(url), dump)
        else:
            member, dump = PG_MEMBER, work / PG_MEMBER
            args, env = _libpq(url)
            command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            _run_tool([*command, "--file", str(dump), *args], env, "pg_dump")
        files = [(member, dump), *_folder_files(folders)]
        for name, path in files:
            manifest.members[name] = _digest(path)
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            _write_archive(partial, manifest, files)
            partial.replace(target)
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()


def _write_archive(path: Path, manifest: Manifest, files: list[tuple[str, Path]]) -> None:
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        data = json.dumps(asdict(manifest), ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size = len(data)
        info.mtime = int(dt.datetime.fromisoformat(manifest.created_at).timestamp())
        tar.addfile(info, io.BytesIO(data))
        for name, source in files:
            tar.add(source, arcname=name, recursive=False)


# --- restoring ----------------------------------------------------------------------------


def read_manifest(archive: Path) -> Manifest:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            raw: dict[str, Any] = json.loads(member.read())
    except FileNotFoundError:
        raise BackupError(f"{archive} does not exist") from None
    except (OSError, tarfile.TarError, KeyError, ValueError):
        raise BackupError(
            f"{archive} is not a diary backup (made by diary-server backup)"
        ) from None
    if raw.get("format") != FORMAT:
        raise BackupError(f"{archive} is a backup of format {raw.get('format')!r}, not {FORMAT}")
    return Manifest(**raw)


def _extract(tar: tarfile.TarFile, name: str, expected: str, into: Path) -> Path:
    source = tar.extractfile(name)
    if source is None:
        raise BackupError(f"the backup lacks {name}: it is damaged")
    target = into / name.replace("/", "__")
    h = hashlib.sha256()
    with target.open("wb") as out:
        _copy(source, out, h)
    if h.hexdigest() != expected:
        raise BackupError(f"{name} in the backup does not match its checksum: the file is damaged")
    return target


def _copy(source: IO[bytes], out: IO[bytes], h: Any) -> None:
    for chunk in iter(lambda: source.read(1 << 20), b""):
        h.update(chunk)
        out.write(chunk)


async def restore(
    archive: Path, url: str | None, folders: dict[str, Path] | None = None
) -> Manifest:
    """Restores the backup ``archive`` into the empty database at ``url``, then migrates it.
    Nothing is written when the target is not empty or the archive is damaged."""
    import asyncio

    url = resolve_url(url)
    kind = backend_name(url)
    folders = FILE_FOLDERS if folders is None else folders
    manifest = await asyncio.to_thread(read_manifest, archive)
    if manifest.backend != kind:
        raise BackupError(
            f"this is a backup of a {manifest.backend} database; restore it into "
            f"{manifest.backend} (the target is {kind})"
        )
    await _require_empty(url, kind)
    await asyncio.to_thread(_unpack, archive, url, manifest, folders)
    engine = make_engine(url)
    try:
        await upgrade_engine(engine)
    finally:
        await engine.dispose()
    return manifest


def _unpack(archive: Path, url: str, manifest: Manifest, folders: dict[str, Path]) -> None:
    with tempfile.TemporaryDirectory(prefix="diary-restore-") as tmp, tarfile.open(archive) as tar:
        work = Path(tmp)
        # Every member is checked before anything is written.
        extracted = {
            name: _extract(tar, name, digest, work) for name, digest in manifest.members.items()
        }
        if manifest.backend == "sqlite":
            _sqlite_copy_into(extracted[SQLITE_MEMBER], _sqlite_path(url))
        else:
            args, env = _libpq(url)
            command = [
                _tool("pg_restore"),
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
            ]
            _run_tool([*command, *args, str(extracted[PG_MEMBER])], env, "pg_restore")
        for name, path in extracted.items():
            if not name.startswith(FILES_PREFIX):
                continue
            folder_name, _sep, relative = name[len(FILES_PREFIX) :].partition("/")
            if not relative or relative.startswith("/") or ".." in Path(relative).parts:
                raise BackupError(f"the backup names a file outside its folder: {name!r}")
            folder = folders.get(folder_name)
            if folder is None:
                raise BackupError(f"the backup holds files of {folder_name!r}, unknown here")
            destination = folder / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def _sqlite_copy_into(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _missing_or_empty_file(url: str) -> bool:
    path = _sqlite_path(url)
    return not path.exists() or path.stat().st_size == 0


async def _require_empty(url: str, kind: str) -> None:
    import asyncio

    if kind == "sqlite" and await asyncio.to_thread(_missing_or_empty_file, url):
        return
    engine = make_engine(url)
    try:
        names = await table_names(engine)
    finally:
        await engine.dispose()
    if names:
        raise BackupError(
            "the target database is not empty: restore into a new, empty database "
            "(nothing was changed)"
        )
