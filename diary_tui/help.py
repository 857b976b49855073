"""F1: help for the current screen, with the keys that work there."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from api_client.i18n import N_, _


def help_content(title: str, text: str, keys: list[tuple[str, str]]) -> Content:
    """The help text of a screen followed by its keys (``(key, description)`` pairs), all in
    the language in force already."""
    # Paragraphs are separated by blank lines; single line breaks in the source are joined.
    paragraphs = [" ".join(part.split()) for part in text.strip().split("\n\n")]
    lines: list[Content] = [Content.styled(title, "bold"), Content("")]
    lines.append(Content("\n\n").join(Content(p) for p in paragraphs))
    if keys:
        lines += [Content(""), Content.styled(_("Keys"), "bold")]
        width = max(len(key) for key, _ in keys)
        lines += [
            Content.assemble((key.ljust(width), "$accent"), "  ", description)
            for key, description in keys
        ]
    return Content("\n").join(lines)


class HelpScreen(ModalScreen[None]):
    """A modal with a screen's help. Escape, F1 or q closes it."""

    BINDINGS = [
        Binding("escape,f1,q", "dismiss", N_("Close"), id="help.close"),
    ]

    def __init__(self, title: str, text: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self._content = help_content(title, text, keys)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-body"):
            yield Static(self._content, id="help-text")

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
