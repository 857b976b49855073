"""Settings: the interface's language, which live changes pop up, quiet hours and the bell;
for a parent, their consent to the processing of personal data.

The language is the config file's ``language`` (switched at once, without a restart: the app
builds its screen again in it); the rest lives in the ``[notifications]`` table. This screen
edits them and writes them back (comments and other settings in the file are kept). A parent's
consent is the server's: shown as it stands (version, when, how), read and accepted (A) or
withdrawn (W) after a confirmation that says what withdrawing means, through the outbox.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol, cast

import msgspec
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Label, Select, SelectionList, Static
from textual.widgets.selection_list import Selection

from api_client import i18n
from api_client.errors import DiaryError
from api_client.i18n import N_, _
from api_client.models import ChangeItem, ConsentState, MyConsent, Role
from diary_tui.config import (
    NOTIFICATION_GROUPS,
    ConfigError,
    Notifications,
    load_config,
    save_notifications,
    save_settings,
)
from diary_tui.data import DiaryData, Waiting, describe_error
from diary_tui.widgets import KeyFooter, NavBar, StatusLine
from screens.base import DiaryScreen
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.consent import WITHDRAW_MEANS, ConsentDialog, accept, standing

BELL = "bell"


AUTOMATIC = "auto"
"""The language choice that leaves it to the locale, else the school."""


class HasNotifications(Protocol):
    notifications: Notifications | None


class SpeaksLanguages(Protocol):
    chosen_language: str | None

    def choose_language(self, lang: str | None) -> None: ...


LABELS = {**NOTIFICATION_GROUPS, BELL: N_("Ring the terminal bell with a notification")}


def prompt(key: str, on: bool) -> Content:
    """A line of the list: the state in words too, so it reads without colour (NO_COLOR)."""
    word = _("on")
    width = max(len(_("on")), len(_("off")))
    state = (
        Content.styled(word.ljust(width), "bold $text-success")
        if on
        else Content.styled(_("off").ljust(width), "dim")
    )
    return Content.assemble(state, " ", _(LABELS[key]))


def language_options() -> list[tuple[str, str]]:
    """The choices of the language: automatic, then each language in its own name."""
    automatic = [(_("Automatic (the computer's, else the school's)"), AUTOMATIC)]
    return automatic + [(i18n.LANGUAGE_NAMES[lang], lang) for lang in i18n.LANGUAGES]


NOT_FOR_ROLE: dict[Role, frozenset[str]] = {Role.PARENT: frozenset({"chat"})}
"""The notification groups a role never receives (the class chat is the pupils' and their
teachers'): left off that role's list, their setting kept as it is."""


def selections(prefs: Notifications, hidden: frozenset[str] = frozenset()) -> list[Selection[str]]:
    items = [
        Selection(prompt(key, prefs.enabled(key)), key, prefs.enabled(key))
        for key in NOTIFICATION_GROUPS
        if key not in hidden
    ]
    items.append(Selection(prompt(BELL, prefs.bell), BELL, prefs.bell))
    return items


QUIET_FROM = N_("Quiet from")
QUIET_TO = N_("to")
"""The labels of the quiet hours' boxes: what the form's errors call them."""


class FormError(ValueError):
    """A wrong entry of the form, in words naming the box by its label on screen."""

    def __init__(self, message: str, box: str) -> None:
        super().__init__(message)
        self.box = box
        """The id of the box to put the cursor in."""


def clock_time_error(value: str, label: str) -> str | None:
    """Why ``value`` is not a time of day ``HH:MM``, naming the box by ``label``; None if it is."""
    hours, sep, minutes = value.partition(":")
    if not (sep and hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
        return _("“{label}” takes a time written HH:MM, like 22:00, not “{value}”").format(
            label=label, value=value
        )
    if not (0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59):
        return _("“{label}” takes a time of day between 00:00 and 23:59, not “{value}”").format(
            label=label, value=value
        )
    return None


def preferences_from(
    selected: list[str],
    quiet_from: str,
    quiet_to: str,
    *,
    kept: Notifications | None = None,
    hidden: frozenset[str] = frozenset(),
) -> Notifications:
    """The preferences the form shows (the ``hidden`` groups as they are in ``kept``);
    FormError in plain words, naming the boxes by their labels on screen (never the config
    file's keys), when they are wrong."""
    quiet_from, quiet_to = quiet_from.strip(), quiet_to.strip()
    labels = {"quiet-from": _(QUIET_FROM), "quiet-to": _(QUIET_TO)}
    if bool(quiet_from) != bool(quiet_to):
        empty = "quiet-to" if quiet_from else "quiet-from"
        raise FormError(
            _("Fill in both quiet hours (“{start}” and “{end}”), or leave both empty").format(
                start=labels["quiet-from"], end=labels["quiet-to"]
            ),
            empty,
        )
    for box, value in (("quiet-from", quiet_from), ("quiet-to", quiet_to)):
        error = clock_time_error(value, labels[box]) if value else None
        if error is not None:
            raise FormError(error, box)
    kept = kept or Notifications()
    values: dict[str, object] = {
        key: kept.enabled(key) if key in hidden else key in selected for key in NOTIFICATION_GROUPS
    }
    values["bell"] = BELL in selected
    values["quiet_from"] = quiet_from
    values["quiet_to"] = quiet_to
    try:
        return msgspec.convert(values, Notifications)
    except msgspec.ValidationError as exc:  # checked above; kept as the config's last word
        raise FormError(str(exc).split(" - at ")[0], "quiet-from") from None


class TimeInput(Input):
    """A box for a time of day: it takes digits and a colon; any other key (the screen's
    letters, w for the week, ...) goes on to the screen instead of being swallowed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(restrict=r"[0-9:]*", max_length=5, **kwargs)

    def check_consume_key(self, key: str, character: str | None) -> bool:
        """Only what a time is written with; a letter stays the screen's key."""
        return character is not None and (character.isdigit() or character == ":")

    async def _on_key(self, event: events.Key) -> None:
        if event.is_printable and not self.check_consume_key(event.key, event.character):
            # Input would take the key and ring the bell: it is the screen's (w, the week).
            event.prevent_default()
            event.stop()
            active = self.screen.active_bindings.get(event.key)
            if active is not None and active.enabled:
                await self.app.run_action(active.binding.action, active.node)


class SettingsScreen(DiaryScreen):
    TITLE = N_("Settings")
    NAME = "settings"
    HELP = N_("""
The language of the diary, which changes pop up as a notification while the diary is open,
the quiet hours (no pop-ups and no bell, e.g. 22:00 to 07:00) and the terminal bell.

The language is switched and saved as soon as it is chosen. Automatic: the computer's
language (LANG), else the school's.

Space switches the highlighted line on or off; Tab moves to the quiet hours; Ctrl+S saves to
the config file (its comments and other settings are kept).

A parent sees here their consent to the processing of personal data: which version of the
school's text, when and how it was given. {consent} reads the text and accepts it; {withdraw}
withdraws the consent, after saying what that means (the school is told and decides with you
what follows).
""")

    BINDINGS = [
        Binding("f1", "help", N_("Help"), id="settings.help"),
        Binding("ctrl+s", "save", N_("Save"), id="settings.save"),
        Binding("escape", "revert", N_("Revert"), id="settings.revert"),
        Binding("A", "consent", N_("Consent"), id="settings.consent"),
        Binding("W", "withdraw", N_("Withdraw consent"), id="settings.withdraw"),
    ]

    DEFAULT_CSS = """
    SettingsScreen #settings-kinds { height: auto; max-height: 12; border: round $panel; }
    SettingsScreen #settings-quiet { height: 3; }
    SettingsScreen #settings-quiet Label { padding: 1 1 0 1; }
    SettingsScreen #settings-quiet Input { width: 12; }
    SettingsScreen #settings-title { height: 1; padding: 0 1; background: $boost; }
    SettingsScreen #settings-language { height: 1; }
    SettingsScreen #settings-language Label { padding: 0 1; }
    SettingsScreen #settings-language Select { width: 50; }
    SettingsScreen #settings-note { height: 1fr; padding: 0 1; }
    SettingsScreen #settings-consent { height: auto; padding: 0 1; }
    """

    def __init__(self, data: DiaryData, *, language_chosen: bool = False) -> None:
        super().__init__(data)
        self.prefs = Notifications()
        self._language_chosen = language_chosen
        self._shown_language = AUTOMATIC
        """Built again after the language was switched here: it says so, and keeps the focus
        on the choice."""
        self.consent: MyConsent | None = None
        """A parent's standing with the school's consent text, once read."""

    def help_text(self) -> str:
        return _(self.HELP).format(
            consent=self.key_of("settings.consent"), withdraw=self.key_of("settings.withdraw")
        )

    def rebuilt(self) -> SettingsScreen:
        return SettingsScreen(self.data, language_chosen=True)

    def compose(self) -> ComposeResult:
        yield NavBar(self.NAME)
        chosen = getattr(self.app, "chosen_language", None)
        self._shown_language = chosen if chosen in i18n.LANGUAGES else AUTOMATIC
        with Horizontal(id="settings-language"):
            yield Label(_("Language"))
            yield Select(
                language_options(),
                value=self._shown_language,
                allow_blank=False,
                compact=True,
                id="language",
            )
        yield Static(
            Content.styled(_("Notifications of live changes"), "bold"), id="settings-title"
        )
        yield SelectionList[str](id="settings-kinds")
        with Horizontal(id="settings-quiet"):
            yield Label(_(QUIET_FROM))
            yield TimeInput(placeholder=_("HH:MM"), id="quiet-from")
            yield Label(_(QUIET_TO))
            yield TimeInput(placeholder=_("HH:MM"), id="quiet-to")
            yield Label(_("(both empty: never quiet)"))
        if self._for_parent():
            yield Static(Content(""), id="settings-consent")
        yield Static(Content(""), id="settings-note")
        yield StatusLine()
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        if self._language_chosen:
            self.query_one("#language", Select).focus()
            self._note(_("Language: {name}. Saved.").format(name=self._language_name()))
        else:
            self.query_one(SelectionList).focus()
        current = getattr(self.app, "notifications", None)
        if isinstance(current, Notifications):
            self._show(current)
        else:
            self.load()
        if self._for_parent():
            self.load_consent()

    def _show(self, prefs: Notifications) -> None:
        self.prefs = prefs
        kinds = self.query_one(SelectionList)
        kinds.clear_options()
        kinds.add_options(selections(prefs, self._hidden_groups()))
        kinds.highlighted = 0
        self.query_one("#quiet-from", Input).value = prefs.quiet_from
        self.query_one("#quiet-to", Input).value = prefs.quiet_to

    def _note(self, text: str, style: str = "dim") -> None:
        self.query_one("#settings-note", Static).update(Content.styled(text, style))

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def load(self) -> None:
        try:
            prefs = (await asyncio.to_thread(load_config)).notifications
        except ConfigError as exc:
            self._note(str(exc), "$text-error")
            prefs = Notifications()
        self._show(prefs)

    def form(self) -> Notifications:
        selected = list(self.query_one(SelectionList).selected)
        return preferences_from(
            [str(key) for key in selected],
            self.query_one("#quiet-from", Input).value,
            self.query_one("#quiet-to", Input).value,
            kept=self.prefs,
            hidden=self._hidden_groups(),
        )

    def _hidden_groups(self) -> frozenset[str]:
        me = self.data.me
        return NOT_FOR_ROLE.get(me.role, frozenset()) if me is not None else frozenset()

    def action_save(self) -> None:
        try:
            prefs = self.form()
        except FormError as exc:
            self._note(_("Not saved: {reason}.").format(reason=exc), "$text-error")
            self.query_one(f"#{exc.box}", Input).focus()
            return
        self.save(prefs)

    @work(exclusive=True, group="settings", exit_on_error=False)
    async def save(self, prefs: Notifications) -> None:
        try:
            await asyncio.to_thread(save_notifications, prefs)
        except (ConfigError, OSError) as exc:
            self._note(_("Not saved: {reason}").format(reason=exc), "$text-error")
            return
        self.prefs = prefs
        cast(HasNotifications, self.app).notifications = prefs
        self._note(_("Saved."), "$text-success")

    def action_revert(self) -> None:
        self._show(self.prefs)
        self._note(_("Back to the saved settings."))

    # -- the language -------------------------------------------------------------------

    def _language_name(self) -> str:
        chosen = getattr(self.app, "chosen_language", None)
        if chosen in i18n.LANGUAGES:
            return i18n.LANGUAGE_NAMES[chosen]
        return _("automatic ({name})").format(name=i18n.LANGUAGE_NAMES[i18n.language()])

    @on(Select.Changed, "#language")
    def _language_changed(self, event: Select.Changed) -> None:
        value = event.value if isinstance(event.value, str) else AUTOMATIC
        if value == self._shown_language:
            return  # the choice as the screen was built with it
        self._shown_language = value
        self.save_language(None if value == AUTOMATIC else value)

    @work(exclusive=True, group="settings-language", exit_on_error=False)
    async def save_language(self, lang: str | None) -> None:
        try:
            await asyncio.to_thread(save_settings, {"language": lang})
        except (ConfigError, OSError) as exc:
            self._note(_("Not saved: {reason}").format(reason=exc), "$text-error")
            return
        cast(SpeaksLanguages, self.app).choose_language(lang)

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        kinds = self.query_one(SelectionList)
        key = str(event.selection.value)
        kinds.replace_option_prompt_at_index(
            event.selection_index, prompt(key, key in kinds.selected)
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def touched_by(self, changes: list[ChangeItem]) -> bool:
        return False

    # -- a parent's consent to the processing of personal data --------------------------

    def _for_parent(self) -> bool:
        me = self.data.me
        return me is not None and me.role is Role.PARENT

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "consent":
            return self._for_parent()
        if action == "withdraw":
            return (
                self._for_parent()
                and self.consent is not None
                and self.consent.state in (ConsentState.GIVEN, ConsentState.OUTDATED)
            )
        return super().check_action(action, parameters)

    @work(exclusive=True, group="settings-consent", exit_on_error=False)
    async def load_consent(self) -> None:
        line = self.query_one("#settings-consent", Static)
        try:
            mine = await self.data.my_consent()
        except DiaryError as exc:
            line.update(
                Content.assemble(
                    (_("Consent to the processing of personal data: "), "bold"),
                    Content.styled(
                        _("not known now ({reason}).").format(reason=describe_error(exc)), "dim"
                    ),
                )
            )
            return
        self._show_consent(mine)

    def _show_consent(self, mine: MyConsent) -> None:
        self.consent = mine
        self.data.state.consent_missing = mine.needed
        self.refresh_status()
        said = standing(
            mine.state, mine.version, mine.since, mine.way, mine.signed_on, self.data.zone
        )
        if mine.needed:
            hint = _(
                "The school's text is version {version}: {consent} reads and accepts it."
            ).format(version=mine.text.version, consent=self.key_of("settings.consent"))
        else:
            hint = _("{consent} reads the text again; {withdraw} withdraws the consent.").format(
                consent=self.key_of("settings.consent"), withdraw=self.key_of("settings.withdraw")
            )
        self.query_one("#settings-consent", Static).update(
            Content.assemble(
                (_("Consent to the processing of personal data: "), "bold"),
                Content.styled(said, "$text-warning" if mine.needed else "$text-success"),
                "\n",
                Content.styled(hint, "dim"),
            )
        )
        self.refresh_bindings()

    def action_consent(self) -> None:
        mine = self.consent
        if mine is None:
            self.load_consent()
            return

        def answered(accepted: bool | None) -> None:
            if accepted and mine.needed:
                self.accept_consent(mine.text.version)

        self.app.push_screen(ConsentDialog(mine.text), answered)

    @work(exclusive=True, group="settings-consent", exit_on_error=False)
    async def accept_consent(self, version: int) -> None:
        await accept(cast("App[object]", self.app), self.data, version)
        await self._reread()

    def action_withdraw(self) -> None:
        def sure(yes: bool | None) -> None:
            if yes:
                self.withdraw()

        self.app.push_screen(WithdrawQuestion(_(WITHDRAW_MEANS)), sure)

    @work(exclusive=True, group="settings-consent", exit_on_error=False)
    async def withdraw(self) -> None:
        try:
            sent = await self.data.withdraw_consent()
        except DiaryError as exc:
            self.notify(
                _("The consent was not withdrawn: {reason}").format(reason=describe_error(exc)),
                severity="error",
                markup=False,
            )
            return
        self.data.state.consent_missing = True
        if isinstance(sent, Waiting):
            self.notify(
                _("Withdrawal kept: it is sent as soon as the server is back."), markup=False
            )
        else:
            self.notify(_("Consent withdrawn. The school is told."), markup=False)
            self._show_consent(sent.value)
        self.refresh_status()

    async def _reread(self) -> None:
        try:
            self._show_consent(await self.data.my_consent())
        except DiaryError:
            self.refresh_status()


class WithdrawQuestion(ConfirmScreen):
    """What withdrawing means, asked before (wider than a yes/no question)."""

    DEFAULT_CSS = """
    WithdrawQuestion > Vertical { width: 72; max-width: 100%; }
    """
