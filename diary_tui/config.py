"""Configuration: the user's TOML file and the app's folders.

The config file lives in the platform config folder (``~/.config/diary-tui/config.toml`` on
Linux). It is read with ``tomllib``, checked by a msgspec Struct so a typo is reported instead
of ignored, and written back with ``tomlkit`` so the user's comments survive. Secrets never go
here: the refresh token lives in the OS keyring.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import msgspec

APP_NAME = "diary-tui"


class ConfigError(Exception):
    """The config file exists but cannot be used; the message says where and why."""


class Config(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    server: str | None = None
    """The server of the last login."""
    login: str | None = None
    """The login of the last login."""
    theme: str | None = None
    """A Textual theme name, e.g. ``textual-dark`` or ``nord``."""
    keymap: dict[str, str] = {}
    """Binding id to keys, e.g. ``{"week.next" = "n"}``."""
    timeout: float = 15.0
    """Seconds to wait for the server before calling it offline."""


def config_dir() -> Path:
    from platformdirs import user_config_path

    return user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def cache_dir() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def config_path() -> Path:
    return config_dir() / "config.toml"


def load_config(path: Path | None = None) -> Config:
    """The user's config, or the defaults when there is no file."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"Cannot read the config file {path}: {exc.strerror}.") from exc
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from exc
    try:
        return msgspec.convert(data, type=Config)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"The config file {path} has a wrong setting: {exc}.") from exc


def save_settings(values: dict[str, object], path: Path | None = None) -> None:
    """Set top-level settings in the config file, keeping everything else and the comments."""
    import tomlkit

    path = path or config_path()
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot update the config file {path}: {exc}.") from exc
    for key, value in values.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    os.replace(tmp, path)


def save_last_login(server: str, login: str, path: Path | None = None) -> None:
    """Remember who logged in last, so the next start can offer it (no secret is written)."""
    save_settings({"server": server, "login": login}, path)
