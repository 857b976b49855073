"""A yes/no question, the one every screen asks with."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from api_client.i18n import N_, _
from diary_tui.keys import key_of
from diary_tui.ui import MUTED


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question (``answers`` says which keys answer it)."""

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]
    ANSWERS = N_("{yes}: yes · {no}: no")
    """How to answer, in English, marked: shown as ``_(ANSWERS)``; ``{yes}`` and ``{no}`` are
    the keys bound to each answer, as the keymap and the language name them."""
    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 50; height: auto; border: thick $warning; background: $surface; padding: 1 2;
    }
    """

    def __init__(self, question: str | Content, answers: str = "") -> None:
        """``answers``: how to answer, translated, with ``{yes}`` and ``{no}`` for the keys
        (the default says yes and no)."""
        super().__init__()
        self.question = question
        self.answers = answers or _(self.ANSWERS)

    def answers_shown(self) -> str:
        """How to answer, the keys named as bound now."""
        return self.answers.format(
            yes=key_of(self, "confirm.yes", every=True), no=key_of(self, "confirm.no", every=True)
        )

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                self.question if isinstance(self.question, Content) else Content(self.question)
            )
            yield Static(Content.styled(self.answers_shown(), MUTED), id="confirm-answers")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ConfirmOrEnter(ConfirmScreen):
    """A yes/no question that Enter answers yes too."""

    BINDINGS = [
        Binding("y,enter", "answer(True)", N_("Yes"), id="confirm.yes"),
        Binding("n,escape", "answer(False)", N_("No"), id="confirm.no"),
    ]
