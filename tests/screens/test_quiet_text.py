"""Quiet (muted) text is grey wherever a screen puts it: in a Static, a list, a table cell.

``$text-muted`` as the style of a span of ``Content`` loses its transparency: it comes out
plain white or black in a Static or an option list, and black in a ``DataTable`` cell, which
is invisible on a dark theme. The screens use ``dim`` instead."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from diary_tui.ui import MUTED

ROOT = Path(__file__).resolve().parent.parent.parent

#: Files still to be brought under the rule.
NOT_YET: frozenset[str] = frozenset()

WORDS = ("NORMALTEXT", "QUIETSTATIC", "QUIETOPTION", "QUIETCELL")


class Probe(App[None]):
    CSS = "Static { height: 1; } OptionList { height: 4; border: none; } DataTable { height: 4; }"

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble("NORMALTEXT ", ("QUIETSTATIC", MUTED)))
        yield OptionList(Option(Content("first")), Option(Content.styled("QUIETOPTION", MUTED)))
        yield DataTable()

    def on_mount(self) -> None:
        table: DataTable[Content] = self.query_one(DataTable)
        table.add_column("column", width=12)
        table.add_row(Content("first"))
        table.add_row(Content.styled("QUIETCELL", MUTED))  # not under the cursor


def colours(svg: str) -> dict[str, Color]:
    """The colour each of :data:`WORDS` is drawn in, from an exported screenshot."""
    found: dict[str, Color] = {}
    for word in WORDS:
        match = re.search(r'<text class="([^"]+)"[^>]*>(?:&#160;)*' + word, svg)
        assert match is not None, f"{word} is not on the screen"
        rule = re.search(r"\." + re.escape(match.group(1)) + r" \{ fill: (#[0-9a-f]{6})", svg)
        assert rule is not None, f"{word} has no colour of its own"
        found[word] = Color.parse(rule.group(1))
    return found


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light", "nord"])
async def test_quiet_text_is_grey_in_every_widget(theme: str) -> None:
    app = Probe()
    async with app.run_test(size=(40, 12)) as pilot:
        app.theme = theme
        await pilot.pause()
        drawn = colours(app.export_screenshot())
        background = Color.parse(app.get_css_variables()["background"])
        normal = drawn["NORMALTEXT"]
        for word in WORDS[1:]:
            quiet = drawn[word]
            # Between the text and the background: quieter than the text, yet readable.
            assert abs(quiet.brightness - background.brightness) < abs(
                normal.brightness - background.brightness
            ), f"{word} is not quieter than the text on {theme}: {quiet.hex}"
            assert abs(quiet.brightness - background.brightness) > 0.2, (
                f"{word} all but disappears on {theme}: {quiet.hex} on {background.hex}"
            )


def quiet_styles(path: Path) -> list[str]:
    """String constants that name ``$text-muted`` or ``$text-disabled`` as a style (CSS in
    ``DEFAULT_CSS``, where the variable works, has braces or a colon)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        text = node.value
        if re.search(r"\$text-(muted|disabled)\b", text) and not re.search(r"[{}:;]", text):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {text!r}")
    return found


def test_no_screen_styles_text_with_text_muted() -> None:
    paths = sorted((ROOT / "screens").rglob("*.py")) + sorted(
        (ROOT / "diary_tui" / "widgets").glob("*.py")
    )
    offending = [
        line
        for path in paths
        if str(path.relative_to(ROOT)) not in NOT_YET
        for line in quiet_styles(path)
    ]
    assert offending == []
