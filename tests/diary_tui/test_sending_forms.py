"""Forms whose write goes through the outbox wait for the server's answer with the form open
(``screens.dialogs.form.SendingForm``): a refusal is said in the form, by the box it names,
and everything typed stays; the form closes when the server has it. The real server
in-process, on the frozen day (Wednesday 25 November 2026)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from textual.widgets import DataTable, Input, OptionList, Static, TextArea

from api_client.models import AnnouncementAudience, Participant, PupilRef, Recipients, Role
from screens.announcements import NewsScreen, PostScreen
from screens.dialogs.form import Outcome
from screens.medical import IllnessForm, MedicalScreen
from screens.messages import ComposeScreen, MessagesScreen
from tests.conftest import sqlite_only
from tests.diary_tui.harness import log_in, make_app, password_of, wait_for


def text_of(widget: Static) -> str:
    visual = widget.visual
    return str(getattr(visual, "plain", visual))


def idle(screen: Any) -> bool:
    return not any(w.is_running for w in screen.workers)


@sqlite_only
async def test_the_illness_form_says_a_refusal_in_itself_and_keeps_what_was_typed(
    app: Litestar, demo: Any
) -> None:
    diary = make_app(app)
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "nurse", password_of(demo, "nurse"))
        await wait_for(pilot, lambda: isinstance(diary.screen, MedicalScreen))
        screen = diary.screen
        assert isinstance(screen, MedicalScreen)
        await pilot.pause()
        await pilot.press("а", "enter")
        await wait_for(pilot, lambda: bool(screen.found) and idle(screen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.pupil is not None and idle(screen))
        before = screen.query_one(DataTable).row_count
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(diary.screen, IllnessForm))
        form = diary.screen
        # Sunday: no lessons. The server refuses; the form stays, says why by the first day.
        form.query_one("#illness-start", Input).value = "22.11.2026"
        form.query_one("#illness-end", Input).value = "22.11.2026"
        form.query_one("#illness-note", Input).focus()
        await pilot.press(*"flu", "enter")
        problem = form.query_one("#illness-error", Static)
        await wait_for(pilot, lambda: "no lessons" in text_of(problem))
        assert diary.screen is form
        assert "not recorded" in text_of(problem)
        assert form.query_one("#illness-start", Input).has_focus
        assert form.query_one("#illness-note", Input).value == "flu"
        assert screen.query_one(DataTable).row_count == before
        # Corrected, it is recorded and the form closes.
        form.query_one("#illness-start", Input).value = "24.11.2026"
        form.query_one("#illness-end", Input).value = "24.11.2026"
        form.query_one("#illness-note", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: diary.screen is screen)
        await wait_for(
            pilot, lambda: screen.query_one(DataTable).row_count > before and idle(screen)
        )


@sqlite_only
async def test_a_new_message_refused_stays_in_its_form(app: Litestar, demo: Any) -> None:
    """A recipient the server no longer allows (the list was read before a change): the form
    says so by the list of recipients and keeps the subject and the text."""
    diary = make_app(app)
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "parent", password_of(demo, "parent"))
        await wait_for(pilot, lambda: diary.data.me is not None and diary.data.child is not None)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(diary.screen, MessagesScreen))
        screen = diary.screen
        assert isinstance(screen, MessagesScreen)
        child = diary.data.child
        assert child is not None
        stranger = Participant(id=999_999, name="Кто-то Другой", role=Role.TEACHER)
        recipients = Recipients(
            pupil=PupilRef(id=child.id, first_name=child.first_name, last_name=child.last_name),
            recipients=[stranger],
        )
        screen._compose_new(recipients)
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, ComposeScreen)
                and bool(diary.screen.query("#compose-subject"))
            ),
        )
        compose = diary.screen
        compose.query_one("#compose-subject", Input).value = "Экскурсия"
        compose.query_one(TextArea).text = "Можно ли поехать?"
        await pilot.press("ctrl+s")
        problem = compose.query_one("#compose-error", Static)
        await wait_for(pilot, lambda: "cannot write to this person" in text_of(problem))
        assert diary.screen is compose
        assert "not sent" in text_of(problem)
        assert compose.query_one("#compose-recipients", OptionList).has_focus
        assert compose.query_one("#compose-subject", Input).value == "Экскурсия"
        assert compose.query_one(TextArea).text == "Можно ли поехать?"
        assert not diary.data.waiting_ops()  # refused: nothing left in the outbox
        # Nothing typed: the form says what is missing, in itself, not as a notification.
        compose.query_one("#compose-subject", Input).value = ""
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Write a subject" in text_of(problem))
        assert compose.query_one("#compose-subject", Input).has_focus


@sqlite_only
async def test_an_announcement_refused_stays_in_its_form_and_one_taken_closes_it(
    app: Litestar, demo: Any
) -> None:
    diary = make_app(app, login="teacher")
    async with diary.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "teacher", password_of(demo, "teacher"))
        await wait_for(pilot, lambda: diary.screen.__class__.__name__ != "LoginScreen")
        await pilot.pause()
        diary.go("news")
        await wait_for(
            pilot, lambda: isinstance(diary.screen, NewsScreen) and diary.screen.news is not None
        )
        screen = diary.screen
        assert isinstance(screen, NewsScreen)
        data = diary.data

        async def post(title: str, body: str, target: Any) -> Outcome:
            audience, class_id, grade = target
            return await data.post_announcement(title, body, class_id, audience, grade)

        closed: list[Outcome | None] = []
        # A teacher may not address all parents: the server's refusal names the audience.
        form = PostScreen([("All parents", (AnnouncementAudience.PARENTS, None, None))], post)
        diary.push_screen(form, closed.append)
        await wait_for(pilot, lambda: diary.screen is form and bool(form.query("#post-title")))
        form.query_one("#post-title", Input).value = "Собрание"
        form.query_one(TextArea).text = "В пятницу в 18:00."
        await pilot.press("ctrl+s")
        problem = form.query_one("#post-error", Static)
        await wait_for(pilot, lambda: "not posted" in text_of(problem))
        assert diary.screen is form and not closed
        assert form.query_one("#post-to", OptionList).has_focus
        assert form.query_one("#post-title", Input).value == "Собрание"
        assert form.query_one(TextArea).text == "В пятницу в 18:00."
        await pilot.press("escape", "y")
        await wait_for(pilot, lambda: diary.screen is screen)
        # The screen's own form: posted, it closes only with the server's answer.
        await pilot.press("n")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, PostScreen) and bool(diary.screen.query("#post-title"))
            ),
        )
        own = diary.screen
        own.query_one("#post-title", Input).value = "Контрольная"
        own.query_one(TextArea).text = "В пятницу контрольная работа."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: diary.screen is screen)
        await wait_for(
            pilot,
            lambda: (
                screen.news is not None
                and any(a.title == "Контрольная" for a in screen.news.announcements)
            ),
        )
