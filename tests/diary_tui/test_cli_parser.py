"""``diary``'s command line: opening the diary parses as before without the account commands."""

from __future__ import annotations

import pytest

from diary_tui.cli import _opens_app, build_parser


@pytest.mark.parametrize(
    ("argv", "lean"),
    [
        ([], True),
        (["--server", "http://x", "--login", "anna", "--open", "grades"], True),
        (["--server=http://x", "--open=journal"], True),
        (["--server"], False),
        (["admin", "users"], False),
        (["--login", "anna", "register"], False),
        (["--help"], False),
        (["demo"], False),
    ],
)
def test_only_opening_the_app_skips_the_account_commands(argv: list[str], lean: bool) -> None:
    assert _opens_app(argv) is lean


def test_the_lean_parser_reads_the_same_options() -> None:
    argv = ["--server", "http://x", "--login", "anna", "--open", "grades"]
    full, lean = build_parser().parse_args(argv), build_parser(accounts=False).parse_args(argv)
    assert vars(full) == vars(lean)
    assert lean.open_screen == "grades" and lean.command is None


def test_diary_today_freezes_the_apps_today(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from diary_tui.data import TODAY_ENV, DiaryData

    monkeypatch.setenv(TODAY_ENV, "2026-11-25")
    assert DiaryData().today() == dt.date(2026, 11, 25)
    frozen = DiaryData(today=lambda: dt.date(2026, 9, 1))  # an explicit today wins
    assert frozen.today() == dt.date(2026, 9, 1)


def test_demo_takes_a_today() -> None:
    import datetime as dt

    args = build_parser().parse_args(["demo", "--today", "2026-11-25"])
    assert args.today == dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    "argv",
    [
        ["--server", "http://s", "--login", "anna", "logout"],
        ["logout", "--server", "http://s", "--login", "anna"],
        ["--server", "http://s", "logout", "--login", "anna"],
    ],
)
def test_logout_takes_the_server_and_login_before_or_after_the_command(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert (args.command, args.server, args.login) == ("logout", "http://s", "anna")
