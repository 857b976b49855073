"""The config file: defaults, validation with a clear message, comment-preserving writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from diary_tui.config import Config, ConfigError, load_config, save_last_login


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
