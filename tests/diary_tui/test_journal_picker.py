"""The journal picker (``v``) narrows its list as one types: the administration's list has
every class's subjects (2А alone has nine), a teacher's every class and group they teach."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, OptionList

from screens.journal import JournalScreen
from screens.journal_dialogs import PickJournal, picker_matches
from tests.conftest import sqlite_only
from tests.diary_tui.harness import log_in, make_app, wait_for
from tests.diary_tui.test_journal_screen import journal_screen


def test_every_word_typed_must_be_found_case_and_lookalikes_aside() -> None:
    assert picker_matches("2а алг", "2А · Алгебра")
    assert picker_matches("2a", "2А · Алгебра")  # the Latin a typed for the Cyrillic А
    assert picker_matches("гр. 2", "5Б · Английский язык (гр. 2)")
    assert not picker_matches("2а физ", "2А · Алгебра")
    assert not picker_matches("2б", "2А · Алгебра")
    assert picker_matches("  ", "2А · Алгебра")


def shown(picker: PickJournal) -> list[str]:
    return [picker.choices[i] for i in picker.shown]


@sqlite_only
async def test_typing_narrows_enter_opens_escape_clears(app: Any) -> None:
    tui = make_app(app, login=None)
    async with tui.run_test(size=(100, 30)) as pilot:
        await log_in(pilot, "admin", "demo")
        await wait_for(pilot, lambda: type(tui.screen).__name__ == "StatsScreen")
        await pilot.pause()
        await pilot.press("j")
        await wait_for(pilot, lambda: journal_screen(tui) is not None)
        screen = journal_screen(tui)
        assert screen is not None
        await wait_for(pilot, lambda: screen.journal is not None)
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(tui.screen, PickJournal))
        picker = tui.screen
        assert isinstance(picker, PickJournal)
        everything = len(picker.choices)
        assert isinstance(tui.focused, Input)  # typing goes to the filter at once
        target = next(c for c in picker.choices if c.startswith("2"))
        class_name, subject = target.split(" · ", 1)
        await pilot.press(*class_name.lower())
        await pilot.pause()
        of_class = shown(picker)
        assert of_class and len(of_class) < everything
        assert all(c.startswith(class_name + " ") for c in of_class)
        assert picker.query_one(OptionList).option_count == len(of_class)
        # A second word narrows further, to the subject.
        await pilot.press("space", *subject.split()[0][:4].lower())
        await pilot.pause()
        assert target in shown(picker) and len(shown(picker)) <= len(of_class)
        # Esc clears what was typed: the whole list is back, the picker still open.
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(tui.screen, PickJournal) and len(picker.shown) == everything
        assert picker.query_one(Input).value == ""
        # Nothing matching says so; Enter then opens nothing.
        await pilot.press(*"zzq")
        await pilot.pause()
        assert picker.shown == []
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(tui.screen, PickJournal)
        await pilot.press("escape")
        # Type, move down, Enter: the highlighted journal opens.
        await pilot.press(*class_name.lower())
        await pilot.pause()
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(tui.screen, JournalScreen))
        chosen = shown(picker)[1] if len(shown(picker)) > 1 else shown(picker)[0]

        def opened() -> bool:
            journal = screen.journal
            return journal is not None and (
                f"{journal.class_.name} · {journal.subject.name}" == chosen
            )

        await wait_for(pilot, opened)
        # Esc with nothing typed closes the picker.
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(tui.screen, PickJournal))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(tui.screen, JournalScreen))
