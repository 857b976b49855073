"""The school's consent to the processing of personal data, shown in full to be accepted.

Registering, a parent accepts it or nothing is registered; logged in, a parent who has not
accepted the current version is asked once (accept or later: the diary stays readable).
The text is the school's, shown as data (never markup), scrollable.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from api_client.i18n import N_, _
from api_client.models import ConsentText
from diary_tui.ui import MUTED


class ConsentDialog(ModalScreen[bool]):
    """The consent text; True when accepted."""

    BINDINGS = [
        Binding("a,ctrl+s", "answer(True)", N_("Accept"), id="consent.accept"),
        Binding("escape,l", "answer(False)", N_("Later"), id="consent.later"),
    ]
    DEFAULT_CSS = """
    ConsentDialog { align: center middle; }
    ConsentDialog > Vertical {
        width: 80; max-width: 100%; height: auto; max-height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    ConsentDialog VerticalScroll { height: auto; max-height: 16; }
    """

    def __init__(self, text: ConsentText, *, registering: bool = False) -> None:
        super().__init__()
        self.consent = text
        self.registering = registering

    def compose(self) -> ComposeResult:
        heading = _("{school}: consent to the processing of personal data, version {version}")
        with Vertical():
            yield Static(
                Content.styled(
                    heading.format(school=self.consent.school, version=self.consent.version),
                    "bold",
                )
            )
            with VerticalScroll(id="consent-text"):
                yield Static(Content(self.consent.text))
            said = (
                _("a: accept and register · Esc: go back (nothing is registered without it)")
                if self.registering
                else _("a: accept · Esc: later (the diary stays open; asked at the next login)")
            )
            yield Static(Content.styled(said, MUTED))

    def on_mount(self) -> None:
        self.query_one("#consent-text", VerticalScroll).focus()

    def action_answer(self, accepted: bool) -> None:
        self.dismiss(accepted)
