"""The dialogs every screen opens: one detail dialog and one ask-text dialog, whose keys,
frame and answers are parameters (the screens once each wrote the same modal again)."""

from __future__ import annotations

from textual.app import App
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input

from screens.dialogs.ask import AskText
from screens.dialogs.detail import DetailScreen


class Host(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.answers: list[object] = []


def detail(**options: object) -> DetailScreen:
    return DetailScreen(Content("the text"), name="thing", binding_id="thing.close", **options)  # type: ignore[arg-type]


async def test_a_detail_closes_on_its_own_keys_only() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("escape", "enter", "q", "v"):
            app.push_screen(detail(keys="escape,enter,q,v"), app.answers.append)
            await pilot.pause()
            await pilot.press(key)
            await pilot.pause()
            assert not isinstance(app.screen, DetailScreen), key
        app.push_screen(detail(keys="escape,enter"), app.answers.append)
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert str(app.screen.query_one("#thing-text").render()) == "the text"


async def test_a_detail_key_is_remapped_by_its_binding_id() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"thing.close": "x"})
        app.push_screen(detail(), app.answers.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("x")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)


async def test_a_detail_frame_is_as_wide_as_asked() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        for width, cells in (("72", 72), ("80%", 64), ("90%", 72)):
            app.push_screen(detail(width=width))
            await pilot.pause()
            assert app.screen.query_one(VerticalScroll).outer_size.width == cells, width
            app.pop_screen()
            await pilot.pause()
        app.push_screen(detail(width="80%", min_width=40))
        await pilot.resize_terminal(44, 24)
        await pilot.pause()
        assert app.screen.query_one(VerticalScroll).outer_size.width == 40


async def test_asked_text_is_required_or_has_a_default() -> None:
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(AskText("Why?", "  "), app.answers.append)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AskText) and app.answers == []  # a reason is required
        app.screen.query_one(Input).value = "  a typo  "
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == ["a typo"]

        app.push_screen(
            AskText("Where?", "", required=False, empty="Downloads", name="folder"),
            app.answers.append,
        )
        await pilot.pause()
        assert app.screen.query_one("#folder-input", Input).has_focus
        await pilot.press("enter")
        await pilot.pause()
        assert app.answers == ["a typo", "Downloads"]

        app.push_screen(AskText("Comment:", "kept", binding_id="x.cancel"), app.answers.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.answers == ["a typo", "Downloads", None]


async def test_a_long_form_scrolls_and_keeps_its_refusal_and_keys_in_sight() -> None:
    """At 80x24 a form taller than the terminal scrolls its fields; the refusal and the keys
    stay below them, in sight, with the field it names focused."""
    from screens.dialogs.form import Field, FormScreen, Refusal

    async def save(values: dict[str, str]) -> Refusal | None:
        return Refusal("the end comes before the start: write a later time", "f5")

    fields = [Field(f"f{n}", f"Box {n}", hint="a hint under the box") for n in range(9)]
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        form = FormScreen("A long form", fields, save, name="long-form")
        app.push_screen(form)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        strips = app.screen._compositor.render_strips()
        drawn = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        assert "the end comes before the start" in drawn, drawn
        assert "Esc: cancel" in drawn, drawn
        assert form.focused is form.query_one("#form-f5", Input)
        assert "Box 5" in drawn, drawn  # the named box scrolled into sight
