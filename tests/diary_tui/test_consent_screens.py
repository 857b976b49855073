"""A parent's consent in the app: asked once after login (accept or later), shown and withdrawn
in Settings; the app against the real server in-process (the mini school: "parent" signed the
school's text on paper, "other_parent" never did)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from textual.widgets import Static

from api_client.models import API_PREFIX, ConsentState, MyConsent, decode
from diary_tui.app import DiaryApp
from diary_tui.widgets import StatusLine
from screens.dialogs.consent import WITHDRAW_MEANS, ConsentDialog
from screens.settings import SettingsScreen, WithdrawQuestion
from tests.conftest import LoginAs, asgi_transport, sqlite_only
from tests.diary_tui.harness import dispose, log_in, make_app, signed_in, wait_for

DOC = Path(__file__).parents[2] / "docs" / "personal-data.md"


@pytest.fixture
def school_kind() -> str:
    return "mini"


def text_of(widget: Static) -> str:
    visual = widget.visual
    return str(getattr(visual, "plain", visual))


def status(app: DiaryApp) -> str:
    return " ".join(text_of(line) for line in app.screen.query(StatusLine))


async def state_on_server(app: Litestar, login_as: LoginAs, login: str) -> MyConsent:
    async with httpx.AsyncClient(
        transport=asgi_transport(app), base_url="http://diary.test"
    ) as http:
        headers = await login_as(http, login)
        answer = await http.get(f"{API_PREFIX}/me/consent", headers=headers)
        assert answer.status_code == 200, answer.text
        return decode(answer.content, MyConsent)


async def asked_after_login(app: Litestar, demo: Any, *, answer: str) -> bool:
    """Log in as other_parent; True when the consent dialog came, answered with ``answer``."""
    diary = make_app(app, login="other_parent")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "other_parent", demo.password)
        await wait_for(pilot, lambda: diary.data.me is not None)
        try:
            await wait_for(pilot, lambda: isinstance(diary.screen, ConsentDialog), seconds=3)
        except AssertionError:
            return False
        dialog = diary.screen
        assert isinstance(dialog, ConsentDialog) and dialog.consent.version == 1
        assert "Согласие на обработку" in text_of(dialog.query_one("#consent-text Static", Static))
        await pilot.press(answer)
        await wait_for(pilot, lambda: signed_in(diary))
        if answer == "escape":
            # Later: the diary stays open, the status line says consent is missing.
            await wait_for(pilot, lambda: "no consent" in status(diary))
            await pilot.press("p")
            await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
            line = diary.screen.query_one("#settings-consent", Static)
            await wait_for(pilot, lambda: "Never given" in text_of(line))
            assert "A reads and accepts it" in text_of(line)
        else:
            # Accepted through the outbox: sent, and the status line no longer says it.
            await wait_for(pilot, lambda: not diary.data.state.outbox)
            await pilot.pause()
            assert "no consent" not in status(diary)
        # Asked once a start: another screen does not ask again.
        await pilot.press("w")
        await pilot.pause(0.3)
        assert not isinstance(diary.screen, ConsentDialog)
    return True


@sqlite_only
async def test_a_parent_without_consent_is_asked_once_a_start(
    app: Litestar, demo: Any, login_as: LoginAs
) -> None:
    assert await asked_after_login(app, demo, answer="escape")
    assert (await state_on_server(app, login_as, "other_parent")).state is ConsentState.NONE
    # The next start asks again; accepted, it is kept with the version, in the app.
    assert await asked_after_login(app, demo, answer="a")
    mine = await state_on_server(app, login_as, "other_parent")
    assert (mine.state, mine.version, mine.way) == (ConsentState.GIVEN, 1, "app")
    # Given: not asked again.
    assert not await asked_after_login(app, demo, answer="a")
    await dispose(app)


@sqlite_only
async def test_a_parent_who_consented_is_not_asked(app: Litestar, demo: Any) -> None:
    diary = make_app(app, login="parent")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", demo.password)
        await wait_for(pilot, lambda: signed_in(diary))
        await pilot.pause(0.5)
        assert not isinstance(diary.screen, ConsentDialog)
        assert "no consent" not in status(diary)
    await dispose(app)


@sqlite_only
async def test_settings_show_the_consent_and_withdraw_it_after_saying_what_it_means(
    app: Litestar, demo: Any, login_as: LoginAs
) -> None:
    diary = make_app(app, login="parent")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", demo.password)
        await wait_for(pilot, lambda: signed_in(diary))
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
        screen = diary.screen
        line = screen.query_one("#settings-consent", Static)
        await wait_for(pilot, lambda: "version 1" in text_of(line))
        # Version, when (the school's clock) and how: on paper, with the day signed.
        assert "Given to the current version: version 1" in text_of(line)
        assert "on paper, signed 01.09.2026" in text_of(line)
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(diary.screen, WithdrawQuestion))
        asked = text_of(diary.screen.query_one(Static))
        assert "lock your account" in asked and "kept in your consent history" in asked
        await pilot.press("n")  # no: nothing is sent
        await wait_for(pilot, lambda: diary.screen is screen)
        assert (await state_on_server(app, login_as, "parent")).state is ConsentState.GIVEN
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(diary.screen, WithdrawQuestion))
        await pilot.press("y")
        await wait_for(pilot, lambda: "Withdrawn: version 1" in text_of(line))
        await wait_for(pilot, lambda: "no consent" in status(diary))
        assert (await state_on_server(app, login_as, "parent")).state is ConsentState.WITHDRAWN
        # Withdrawn, it can be given again from here (A reads the text, a accepts it).
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConsentDialog))
        await pilot.press("a")
        await wait_for(pilot, lambda: "Given to the current version" in text_of(line))
        assert "in the app" in text_of(line)
        assert "no consent" not in status(diary)
    await dispose(app)


def test_the_document_says_what_withdrawing_means_as_the_app_does() -> None:
    words = " ".join(w for w in DOC.read_text(encoding="utf-8").split() if w != ">")
    assert " ".join(WITHDRAW_MEANS.split()) in words


@sqlite_only
async def test_settings_name_the_consent_keys_in_the_language_in_force(
    app: Litestar, demo: Any
) -> None:
    """In Russian the consent keys are named as the Russian keyboard has them too (A is Ф,
    W is Ц), on the screen and in F1 help; pressed on the Russian layout they work."""
    from diary_tui.help import HelpScreen

    diary = make_app(app, login="parent", language="ru")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", demo.password)
        await wait_for(pilot, lambda: signed_in(diary))
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(diary.screen, SettingsScreen))
        screen = diary.screen
        line = screen.query_one("#settings-consent", Static)
        await wait_for(pilot, lambda: "версия 1" in text_of(line) or "верси" in text_of(line))
        assert "A (Ф) — перечитать текст; W (Ц) — отозвать согласие." in text_of(line)
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(diary.screen, HelpScreen))
        helped = " ".join(text_of(s) for s in diary.screen.query(Static))
        assert "A (Ф) — прочитать текст и принять его; W (Ц) —" in helped
        await pilot.press("escape")
        await wait_for(pilot, lambda: diary.screen is screen)
        await pilot.press("Ц")
        await wait_for(pilot, lambda: isinstance(diary.screen, WithdrawQuestion))
    await dispose(app)
