"""The audit chain's key: an HMAC key kept outside the database.

Each audit record's hash is an HMAC-SHA256 under this key (see :mod:`demo_server.audit`), so
someone who can edit the database but does not hold the key cannot write a record, or rewrite
one and the records after it, with hashes that ``diary-server audit verify`` accepts.

Where the key is, first match wins:

1. a file named on the command line (``--audit-key-file``);
2. ``DIARY_AUDIT_KEY``: the key itself, 64 hex digits (for containers and secret stores);
3. a file named by ``DIARY_AUDIT_KEY_FILE``;
4. ``audit.key`` in the server's config folder (platformdirs), e.g.
   ``~/.config/diary-server/audit.key`` on Linux.

``init-demo`` (and ``serve`` on a database whose audit log is still empty) creates the file,
readable by its owner alone. Back it up apart from the database: a backup that holds both lets
whoever holds it forge the log; a database restored without its key can no longer be verified.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from api_client.i18n import _

ENV_KEY = "DIARY_AUDIT_KEY"
ENV_KEY_FILE = "DIARY_AUDIT_KEY_FILE"
KEY_FILE_NAME = "audit.key"
KEY_BYTES = 32


class AuditKeyError(Exception):
    """The key is missing or unreadable; the message says where it was looked for and what
    to do."""


def default_config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path("diary-server", appauthor=False)


def key_path(config_dir: Path | None = None, key_file: str | Path | None = None) -> Path:
    """The key file: ``key_file``, else ``DIARY_AUDIT_KEY_FILE``, else ``audit.key`` in
    ``config_dir`` (default: the server's config folder)."""
    if key_file:
        return Path(key_file)
    named = os.environ.get(ENV_KEY_FILE)
    if named:
        return Path(named)
    return (config_dir or default_config_dir()) / KEY_FILE_NAME


def parse_key(text: str, where: str) -> bytes:
    value = text.strip()
    try:
        key = bytes.fromhex(value)
    except ValueError:
        key = b""
    if len(key) != KEY_BYTES:
        raise AuditKeyError(
            _("the audit key in {where} is not {n} hex digits; restore it from your backup").format(
                where=where, n=KEY_BYTES * 2
            )
        )
    return key


def load_key(config_dir: Path | None = None, key_file: str | Path | None = None) -> bytes:
    """The key from ``DIARY_AUDIT_KEY`` or the key file; :class:`AuditKeyError` when there is
    none."""
    env = os.environ.get(ENV_KEY)
    if env and not key_file:
        return parse_key(env, ENV_KEY)
    path = key_path(config_dir, key_file)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise AuditKeyError(
            _(
                "the audit key {path} is missing: restore it from your backup, or set {variable} "
                "to it"
            ).format(path=path, variable=ENV_KEY)
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(
            _("cannot read the audit key {path}: {reason}").format(path=path, reason=exc)
        ) from None
    return parse_key(text, str(path))


def key_exists(config_dir: Path | None = None, key_file: str | Path | None = None) -> bool:
    if os.environ.get(ENV_KEY) and not key_file:
        return True
    return key_path(config_dir, key_file).exists()


def load_or_create_key(
    config_dir: Path | None = None, key_file: str | Path | None = None
) -> tuple[bytes, Path | None]:
    """The key, created (32 random bytes, a file of mode 0600) when there is none yet.

    Returns the key and the path of the file it was just created in (``None`` when it
    already existed or came from ``DIARY_AUDIT_KEY``)."""
    if key_exists(config_dir, key_file):
        return load_key(config_dir, key_file), None
    path = key_path(config_dir, key_file)
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return load_key(config_dir, key_file), None
    except OSError as exc:
        raise AuditKeyError(
            _("cannot create the audit key {path}: {reason}").format(path=path, reason=exc)
        ) from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key, path


_cache: dict[str, bytes] = {}


def current_key() -> bytes:
    """The key of this process (``DIARY_AUDIT_KEY`` or the key file), read once per source."""
    source = os.environ.get(ENV_KEY) or str(key_path())
    if source not in _cache:
        _cache[source] = load_key()
    return _cache[source]
