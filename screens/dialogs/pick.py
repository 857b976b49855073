"""A picker: one of several choices (a journal, a class) in a list that narrows as one types
(every word typed must be found in a choice; a Latin letter typed for the Cyrillic one it looks
like counts). Up and Down move, Enter chooses, Esc clears what was typed, then closes."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from api_client.i18n import N_, _

_LOOKALIKE = str.maketrans("aeocpxkmthb", "аеосрхкмтнв")
"""Latin letters typed for the Cyrillic ones they look like (a class is ``2А``, typed ``2a``)."""


def picker_words(text: str) -> str:
    """``text`` as the picker compares it: case folded, Latin lookalikes read as Cyrillic."""
    return text.casefold().translate(_LOOKALIKE).replace("ё", "е")


def picker_matches(query: str, text: str) -> bool:
    """Whether every word typed is found in ``text`` (``2а алг`` finds ``2А · алгебра``)."""
    haystack = picker_words(text)
    return all(word in haystack for word in picker_words(query).split())


class Pick(ModalScreen[int | None]):
    """Choose one of several choices (a journal, a class); answers its index.

    With ``filtering`` a box above the list narrows it as one types (every word typed must be
    found in a choice; ``placeholder`` says what one may type); Up and Down move in the list,
    Enter opens the highlighted choice, Esc clears what was typed (and closes when nothing
    is)."""

    DEFAULT_CSS = """
    Pick { align: center middle; }
    Pick > Vertical {
        width: 60; max-width: 100%; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    Pick OptionList, Pick OptionList:focus {
        height: auto; max-height: 18; border: none;
    }
    Pick #pick-filter { padding: 0; }
    Pick #pick-none { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", N_("Cancel"), id="pick.cancel"),
        Binding("down", "move('cursor_down')", show=False),
        Binding("up", "move('cursor_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
    ]

    def __init__(
        self,
        title: str,
        choices: list[str],
        current: int = 0,
        *,
        filtering: bool = False,
        placeholder: str = "",
    ) -> None:
        super().__init__()
        self.placeholder = placeholder or _("Type to narrow: class, subject, group")
        self.title_text = title
        self.choices = choices
        self.current = current
        self.filtering = filtering
        self.shown: list[int] = list(range(len(choices)))
        """The index in ``choices`` of each line of the list as it is now."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content.styled(self.title_text, "bold"))
            if self.filtering:
                yield Input(
                    placeholder=self.placeholder,
                    id="pick-filter",
                    # One line: compact (a full input squeezed into a line shows its focus
                    # border's row of ▔, not the text).
                    compact=True,
                    select_on_focus=False,
                )
                yield Static("", id="pick-none")
            yield OptionList(*(Option(Content(text)) for text in self.choices))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.current
        if self.filtering:
            self.query_one("#pick-none", Static).display = False
            self.query_one("#pick-filter", Input).focus()
        else:
            options.focus()

    def narrow(self, query: str) -> None:
        """Show only the choices that match ``query``, the first of them highlighted (the
        current journal when it is among them)."""
        self.shown = [i for i, text in enumerate(self.choices) if picker_matches(query, text)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Content(self.choices[i])) for i in self.shown])
        none = self.query_one("#pick-none", Static)
        none.display = not self.shown
        if not self.shown:
            none.update(Content(_("Nothing matches “{query}”.").format(query=query.strip())))
            return
        options.highlighted = self.shown.index(self.current) if self.current in self.shown else 0

    @on(Input.Changed, "#pick-filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self.narrow(event.value)

    @on(Input.Submitted, "#pick-filter")
    def _entered(self, event: Input.Submitted) -> None:
        event.stop()
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is None or not self.shown:
            self.app.bell()
            return
        self.dismiss(self.shown[highlighted])

    def action_move(self, how: str) -> None:
        getattr(self.query_one(OptionList), f"action_{how}")()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index])

    def action_cancel(self) -> None:
        if self.filtering:
            box = self.query_one("#pick-filter", Input)
            if box.value:
                box.value = ""
                box.focus()
                return
        self.dismiss(None)
