"""The forms' date boxes say the form days are typed in (25.11.2026), in the interface's
language, and start with the day written that way: they said "(YYYY-MM-DD)" and held
2026-11-25 after the parser had learnt to read 25.11.2026."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from textual.app import App
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from api_client import i18n
from api_client.models import PupilFound
from screens.attendance import NoticeScreen
from screens.medical import IllnessForm

DAY = dt.date(2026, 11, 25)


@pytest.fixture(params=["ru", "en"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    before = i18n.language()
    i18n.set_language(request.param)
    yield str(request.param)
    i18n.set_language(before)


def forms() -> list[tuple[ModalScreen[object], str, str]]:
    """Each form with a date box: the form, its first and its last box's id."""
    pupil = PupilFound(id=1, first_name="Вера", last_name="Ким")
    return [
        (IllnessForm(pupil, DAY), "#illness-start", "#illness-end"),  # type: ignore[list-item]
        (NoticeScreen("Вера", DAY), "#notice-start", "#notice-end"),  # type: ignore[list-item]
    ]


async def test_date_boxes_say_and_hold_the_local_form(lang: str) -> None:
    labels = {
        "ru": ("Первый день (ДД.ММ.ГГГГ)", "Последний день (ДД.ММ.ГГГГ)"),
        "en": ("First day (DD.MM.YYYY)", "Last day (DD.MM.YYYY)"),
    }[lang]
    for form, start, end in forms():
        app: App[None] = App()
        async with app.run_test(size=(80, 24)) as pilot:
            app.push_screen(form)
            await pilot.pause()
            shown = [str(label.render()) for label in form.query(Label)]
            assert labels[0] in shown and labels[1] in shown, shown
            assert not any("YYYY-MM-DD" in text for text in shown)
            assert form.query_one(start, Input).value == "25.11.2026"
            assert form.query_one(end, Input).value == "25.11.2026"
