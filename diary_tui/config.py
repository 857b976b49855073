"""Configuration: the user's TOML file and the app's folders.

The config file lives in the platform config folder (``~/.config/diary-tui/config.toml`` on
Linux). It is read with ``tomllib``, checked by a msgspec Struct so a typo is reported instead
of ignored, and written back with ``tomlkit`` so the user's comments survive. Secrets never go
here: the refresh token lives in the OS keyring.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import msgspec

from api_client.i18n import LANGUAGES, N_

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

APP_NAME = "diary-tui"


class ConfigError(Exception):
    """The config file exists but cannot be used; the message says where and why."""


# ---- Notifications

#: The groups of changes a notification can be switched on or off for, with their labels.
#: (In English, marked: shown as ``_(label)``.)
NOTIFICATION_GROUPS: dict[str, str] = {
    "marks": N_("New, edited and removed marks"),
    "period_marks": N_("Period marks"),
    "absences": N_("Absences"),
    "schedule": N_("Lessons cancelled, substituted or moved; topics"),
    "homework": N_("New homework"),
    "messages": N_("Messages"),
    "announcements": N_("Announcements"),
    "events": N_("Events and meetings"),
    "blogs": N_("Teacher blogs: new posts, comments on yours"),
    "chat": N_("Class chat: new messages (not while it is open)"),
}


def _clock_time(value: str, name: str) -> int:
    """Minutes after midnight of ``HH:MM``; ValueError with the setting's name."""
    hours, sep, minutes = value.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        raise ValueError(f"{name} must be a time written HH:MM, like 22:00, not {value!r}")
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        raise ValueError(f"{name} must be a time of day between 00:00 and 23:59, not {value!r}")
    return int(hours) * 60 + int(minutes)


class Notifications(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """``[notifications]``: what a live change announces, and how."""

    marks: bool = True
    period_marks: bool = True
    absences: bool = True
    schedule: bool = True
    homework: bool = True
    messages: bool = True
    announcements: bool = True
    events: bool = True
    blogs: bool = True
    chat: bool = True
    """The class chat's new messages (pupils and teachers; parents never get them)."""
    quiet_from: str = ""
    """Start of the quiet hours, ``HH:MM`` (empty: none). Quiet: no pop-ups, no bell."""
    quiet_to: str = ""
    """End of the quiet hours, ``HH:MM``; may be past midnight (22:00 to 07:00)."""
    bell: bool = False
    """Ring the terminal bell with a notification."""

    def __post_init__(self) -> None:
        if bool(self.quiet_from) != bool(self.quiet_to):
            raise ValueError("set both quiet_from and quiet_to, or neither")
        if self.quiet_from:
            _clock_time(self.quiet_from, "quiet_from")
            _clock_time(self.quiet_to, "quiet_to")

    def enabled(self, group: str) -> bool:
        """Whether changes of ``group`` (a key of NOTIFICATION_GROUPS) are announced."""
        return bool(getattr(self, group, True)) if group in NOTIFICATION_GROUPS else True

    def quiet_at(self, minute_of_day: int) -> bool:
        """Whether ``minute_of_day`` (0 to 1439) falls in the quiet hours."""
        if not self.quiet_from:
            return False
        start = _clock_time(self.quiet_from, "quiet_from")
        end = _clock_time(self.quiet_to, "quiet_to")
        if start <= end:
            return start <= minute_of_day < end
        return minute_of_day >= start or minute_of_day < end


def _edit_config(path: Path | None, edit: Callable[[TOMLDocument], None]) -> None:
    """Read the config file (none yet: an empty one), let ``edit`` change the document, and
    write it back whole (a temporary file renamed over it), keeping everything ``edit`` did not
    touch and the comments."""
    import tomlkit

    path = path or config_path()
    try:
        document = tomlkit.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        document = tomlkit.document()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"Cannot update the config file {path}: {exc}.") from exc
    edit(document)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    os.replace(tmp, path)


def save_notifications(prefs: Notifications, path: Path | None = None) -> None:
    """Write the ``[notifications]`` table, keeping the rest of the file and its comments."""

    def edit(document: TOMLDocument) -> None:
        import tomlkit

        table = document.get("notifications")
        if not isinstance(table, dict):
            table = tomlkit.table()
            document["notifications"] = table
        for key, value in msgspec.structs.asdict(prefs).items():
            table[key] = value

    _edit_config(path, edit)


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
    notifications: Notifications = msgspec.field(default_factory=Notifications)
    """What live changes announce (see ``Notifications``)."""
    language: str | None = None
    """The interface's language, ``ru`` or ``en``; not set: the locale's, else the school's
    (``--lang`` and ``DIARY_LANG`` outrank it)."""

    def __post_init__(self) -> None:
        if self.language is not None and self.language not in LANGUAGES:
            raise ValueError(
                f"language must be one of {', '.join(LANGUAGES)}, not {self.language!r}"
            )


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

    def edit(document: TOMLDocument) -> None:
        for key, value in values.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = value

    _edit_config(path, edit)


def save_last_login(server: str, login: str, path: Path | None = None) -> None:
    """Remember who logged in last, so the next start can offer it (no secret is written)."""
    save_settings({"server": server, "login": login}, path)
