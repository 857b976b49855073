"""The school's consent to the processing of personal data, shown in full to be accepted.

Registering, a parent accepts it or nothing is registered; logged in, a parent who has not
accepted the current version is asked once (accept or later: the diary stays readable).
The text is the school's, shown as data (never markup), scrollable.
"""

from __future__ import annotations

import datetime as dt

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from api_client import names
from api_client.errors import DiaryError
from api_client.i18n import N_, _, pgettext
from api_client.models import ConsentState, ConsentText, ConsentWay, Role
from diary_tui.clock import local
from diary_tui.data import DiaryData, Waiting, describe_error
from diary_tui.keys import key_of
from diary_tui.ui import MUTED, day_typed


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
                _(
                    "{accept}: accept and register · {later}: go back (nothing is registered "
                    "without it)"
                )
                if self.registering
                else _(
                    "{accept}: accept · {later}: later (the diary stays open; asked at the next "
                    "login)"
                )
            )
            keys = {
                "accept": key_of(self, "consent.accept"),
                "later": key_of(self, "consent.later"),
            }
            yield Static(Content.styled(said.format(**keys), MUTED), id="consent-keys")

    def on_mount(self) -> None:
        self.query_one("#consent-text", VerticalScroll).focus()

    def action_answer(self, accepted: bool) -> None:
        self.dismiss(accepted)


# --- where a parent stands, in words (Settings, the IT staff's list) -------------------------


def state_word(state: ConsentState) -> str:
    """A parent's state in one word (the list's column and filter)."""
    words = {
        ConsentState.GIVEN: pgettext("consent state", "given"),
        ConsentState.OUTDATED: pgettext("consent state", "outdated"),
        ConsentState.WITHDRAWN: pgettext("consent state", "withdrawn"),
        ConsentState.NONE: pgettext("consent state", "none"),
    }
    return words[state]


STATE_MEANING: dict[ConsentState, str] = {
    ConsentState.GIVEN: N_("given to the current version"),
    ConsentState.OUTDATED: N_("given to an earlier version: the current one is not accepted yet"),
    ConsentState.WITHDRAWN: N_("withdrawn"),
    ConsentState.NONE: N_("never given"),
}


def when_said(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """``25.11.2026 10:30`` on the school's clock."""
    at = local(moment, zone)
    return f"{day_typed(at.date())} {at:%H:%M}"


def how_said(way: ConsentWay | None, signed_on: dt.date | None) -> str:
    """``on paper, signed 01.09.2026`` / ``in the app``."""
    if way is None:
        return ""
    how = names.consent_way(way)
    if signed_on is not None:
        how = _("{how}, signed {day}").format(how=how, day=day_typed(signed_on))
    return how


def standing(
    state: ConsentState,
    version: int | None,
    since: dt.datetime | None,
    way: ConsentWay | None,
    signed_on: dt.date | None,
    zone: dt.tzinfo,
) -> str:
    """Where a parent stands, in a sentence: the state, the version, when and how."""
    said = _(STATE_MEANING[state])
    if state is ConsentState.NONE or version is None or since is None:
        return said.capitalize() + "."
    return _("{state}: version {version}, {when}, {how}.").format(
        state=said.capitalize(),
        version=version,
        when=when_said(since, zone),
        how=how_said(way, signed_on),
    )


WITHDRAW_MEANS = N_(
    "Withdraw your consent to the processing of personal data? The school is told at once "
    "(its list shows you as withdrawn) and the withdrawal is kept in your consent history; "
    "nothing is deleted. What follows is decided by the school with you: it may lock your "
    "account, after which you can no longer log in. Until then the diary stays open, and you "
    "can consent again here."
)
"""What withdrawing means, said before it is done (docs/personal-data.md says the same)."""


# --- asked once after login ------------------------------------------------------------------


async def ask_after_login(app: App[object], data: DiaryData) -> None:
    """A parent who has not accepted the school's current text is asked, once a start: accept
    (through the outbox) or later (the diary stays readable; the status line says consent is
    missing). Nothing is asked when the server cannot be reached: at the next start."""
    try:
        me = data.me or await data.load_me()
        if me.role is not Role.PARENT:
            return
        mine = await data.my_consent()
    except DiaryError:
        return
    data.state.consent_missing = mine.needed
    if not mine.needed:
        return
    _refresh_status(app)

    def answered(accepted: bool | None) -> None:
        if accepted:
            app.run_worker(
                accept(app, data, mine.text.version), group="consent", exit_on_error=False
            )
        else:
            app.notify(
                _(
                    "Consent is not given: the diary stays open. Read and accept it in "
                    "Settings ({key}); you will be asked again at the next start."
                ).format(key=key_of(app.screen, "nav.settings")),
                timeout=8,
                markup=False,
            )

    app.push_screen(ConsentDialog(mine.text), answered)


async def accept(app: App[object], data: DiaryData, version: int) -> None:
    """Accept ``version`` of the text through the outbox, and say what became of it."""
    try:
        sent = await data.accept_consent(version)
    except DiaryError as exc:
        app.notify(
            _("Consent was not saved: {reason}").format(reason=describe_error(exc)),
            severity="error",
            markup=False,
        )
        return
    data.state.consent_missing = False
    if isinstance(sent, Waiting):
        app.notify(_("Consent accepted: it is sent as soon as the server is back."), markup=False)
    else:
        app.notify(_("Consent accepted. Thank you."), markup=False)
    _refresh_status(app)


def _refresh_status(app: App[object]) -> None:
    for screen in app.screen_stack:
        refresh = getattr(screen, "refresh_status", None)
        if callable(refresh):
            refresh()
