"""The config file: defaults, validation with a clear message, comment-preserving writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from diary_tui.config import (
    Config,
    ConfigError,
    Notifications,
    load_config,
    save_last_login,
    save_notifications,
)


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path / "none.toml") == Config()


def test_unknown_setting_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('servr = "http://x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="servr"):
        load_config(path)


def test_bad_toml_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("server = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)


def test_save_keeps_comments_and_other_settings(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my settings\ntheme = "nord"\n\n[keymap]\n"week.next" = "n"\n')
    save_last_login("http://school", "anna", path)
    text = path.read_text(encoding="utf-8")
    assert "# my settings" in text
    config = load_config(path)
    assert (config.server, config.login, config.theme) == ("http://school", "anna", "nord")
    assert config.keymap == {"week.next": "n"}


def test_saving_notifications_keeps_comments_settings_and_a_missing_file_is_made(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my settings\ntheme = "nord"\n', encoding="utf-8")
    save_notifications(Notifications(marks=False, quiet_from="22:00", quiet_to="07:00"), path)
    save_last_login("http://school", "anna", path)
    assert "# my settings" in path.read_text(encoding="utf-8")
    config = load_config(path)
    assert (config.theme, config.login) == ("nord", "anna")
    assert config.notifications == Notifications(marks=False, quiet_from="22:00", quiet_to="07:00")
    fresh = tmp_path / "new" / "config.toml"
    save_notifications(Notifications(bell=True), fresh)
    assert load_config(fresh).notifications == Notifications(bell=True)


def test_an_unreadable_config_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("server = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match="Cannot update"):
        save_notifications(Notifications(), path)
    assert path.read_text(encoding="utf-8") == "server = \n"
