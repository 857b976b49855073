"""``diary admin consent ...``: the school's consent to the processing of personal data, for the
IT staff and the administration.

``text`` shows the current text, ``text set FILE`` makes the file's text the new version (every
parent is asked again at their next login); ``list [--class C] [--state S]`` says who has and
has not consented; ``history LOGIN`` a parent's record; ``record LOGIN --signed DAY`` enters a
consent signed on paper, ``withdraw LOGIN --signed DAY`` a withdrawal. Nothing is ever
overwritten: each entry is added to the parent's history and audited.

Imports stay cheap: the client loads only when a command runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from api_client import names
from api_client.i18n import _, pgettext
from diary_tui.admin_cli import command, command_group

if TYPE_CHECKING:
    from api_client.models import ConsentHistory, ConsentState, ParentConsent
    from diary_tui.admin_cli import Env
    from diary_tui.data import DiaryData

STATES = ("given", "outdated", "withdrawn", "none")
TEXT_MAX_BYTES = 200_000


def add_parser(sub: Any) -> None:
    """Add ``consent`` to the subcommands of ``diary admin``."""
    verbs = command_group(
        sub,
        "consent",
        help=_("parents' consent to the processing of personal data: the text, who consented"),
        description=_(
            "The school's consent to the processing of personal data: its text (a new "
            "version asks every parent again), who has and has not consented, consents and "
            "withdrawals signed on paper. Each entry is kept in the parent's history and "
            "audited; none is overwritten."
        ),
        dest="consent_command",
    )
    text = command(
        verbs,
        "text",
        help=_("show the current text; 'text set FILE' makes a new version"),
        description=_(
            "Show the school's current consent text and its version. With 'set FILE', the "
            "file's text (UTF-8) becomes the new version: every parent is asked to accept it "
            "at their next login."
        ),
    )
    text.add_argument("action", nargs="?", choices=("show", "set"), default="show")
    text.add_argument("file", nargs="?", metavar=_("FILE"))
    listing = command(
        verbs,
        "list",
        help=_("who has and has not consented"),
        description=_(
            "The school's parents with where each stands with the current text: given, "
            "outdated (consented to an earlier version), withdrawn, none."
        ),
    )
    listing.add_argument("--class", dest="class_name", metavar=_("CLASS"))
    listing.add_argument("--state", choices=STATES)
    history = command(verbs, "history", help=_("a parent's consents and withdrawals"))
    history.add_argument("parent", metavar=_("LOGIN"))
    for verb, what in (
        ("record", _("record a consent the parent signed on paper")),
        ("withdraw", _("record a withdrawal the parent signed on paper")),
    ):
        paper = command(verbs, verb, help=what)
        paper.add_argument("parent", metavar=_("LOGIN"))
        paper.add_argument(
            "--signed",
            required=True,
            metavar=_("DAY"),
            help=_("the day it was signed, like 20.11.2026"),
        )
        paper.add_argument("--note", default="", help=_("e.g. where the form is kept"))
        if verb == "record":
            paper.add_argument(
                "--version",
                type=int,
                help=_("the version of the text signed (default: the current one)"),
            )


def read_text_file(path: str | None) -> str:
    from diary_tui.admin_cli import Usage

    if not path:
        raise Usage(_("consent text set: give the FILE with the school's text"))
    file = Path(path)
    if not file.is_file():
        raise Usage(_("there is no file {path}").format(path=path))
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise Usage(
            _("cannot read {path}: {reason}").format(path=path, reason=exc.strerror)
        ) from None
    if len(raw) > TEXT_MAX_BYTES:
        raise Usage(_("{path} is too long for a consent text").format(path=path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Usage(_("{path} is not UTF-8 text: save it as UTF-8").format(path=path)) from None


def _day(text: str) -> dt.date:
    from api_client.cli_text import parse_date
    from diary_tui.admin_cli import Usage

    try:
        return parse_date(text)
    except ValueError as exc:
        raise Usage(f"--signed: {exc}") from None


def _when(value: dt.datetime | None, zone: dt.tzinfo) -> str:
    """An instant on the school's clock."""
    if value is None:
        return ""
    from diary_tui.clock import local

    return local(value, zone).strftime("%d.%m.%Y %H:%M")


def parent_line(p: ParentConsent, zone: dt.tzinfo) -> str:
    children = ", ".join(
        f"{c.last_name} {c.first_name}" + (f" {c.class_.name}" if c.class_ else "")
        for c in p.children
    )
    name = f"{p.last_name} {p.first_name}"
    since = f"{p.signed_on:%d.%m.%Y}" if p.signed_on else _when(p.since, zone)[:10]
    version = f"v{p.version}" if p.version else ""
    state = state_name(p.state)
    return f"{p.login:<20} {state:<9} {version:<4} {since:<10} {name} ({children})"


def state_name(state: ConsentState) -> str:
    names: dict[str, str] = {
        "given": pgettext("consent state", "given"),
        "outdated": pgettext("consent state", "outdated"),
        "withdrawn": pgettext("consent state", "withdrawn"),
        "none": pgettext("consent state", "none"),
    }
    return names.get(str(state.value), str(state.value))


def print_history(history: ConsentHistory, env: Env, zone: dt.tzinfo) -> None:
    env.say(parent_line(history.parent, zone))
    for e in history.events:
        signed = (
            ", " + _("signed {day}").format(day=f"{e.signed_on:%d.%m.%Y}") if e.signed_on else ""
        )
        by = ", " + _("recorded by {name}").format(name=e.recorded_by) if e.recorded_by else ""
        note = f": {e.note}" if e.note else ""
        how = f"{names.consent_way(e.way.value)}{signed}{by}"
        action = (
            _("consent, version {version}")
            if e.action.value == "given"
            else _("withdrawal, version {version}")
        ).format(version=e.version)
        env.wrap(f"  {_when(e.at, zone)} {action} ({how}){note}", "    ")
    if not history.events:
        env.say("  " + _("no consent recorded"))


async def run(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.models import ConsentAction, ConsentState, PaperConsent
    from diary_tui.admin_cli import OK, _find
    from diary_tui.clock import zone_of

    zone = zone_of(data.me)
    command = args.consent_command
    if command == "text":
        if args.action == "set":
            made = await data.new_consent_text(read_text_file(args.file))
            env.wrap(
                _(
                    "The consent text is now version {version}; every parent is asked to "
                    "accept it at their next login."
                ).format(version=made.version)
            )
            return OK
        current = (await data.consent_texts()).versions[0]
        env.say(
            _("Version {version} of {day}:").format(
                version=current.version, day=_when(current.created_at, zone)[:10]
            )
        )
        env.say(current.text)
        return OK
    if command == "list":
        state = ConsentState(args.state) if args.state else None
        page = await data.consent_parents(args.class_name, state)
        env.say(
            f"{_('LOGIN'):<20} {_('STATE'):<9} {_('VER'):<4} {_('SINCE'):<10} "
            + _("NAME (CHILDREN)")
        )
        for item in page.items:
            env.say(parent_line(item, zone))
        env.wrap(
            _(
                "{shown} shown. Version {version}: {given} given, {outdated} outdated, "
                "{withdrawn} withdrawn, {none} none."
            ).format(
                shown=len(page.items),
                version=page.version,
                given=page.given,
                outdated=page.outdated,
                withdrawn=page.withdrawn,
                none=page.none,
            )
        )
        return OK
    parent = await _find(data, args.parent)
    if command == "history":
        print_history(await data.consent_history(parent.id), env, zone)
        return OK
    action = ConsentAction.GIVEN if command == "record" else ConsentAction.WITHDRAWN
    body = PaperConsent(
        action=action,
        signed_on=_day(args.signed),
        version=getattr(args, "version", None),
        note=args.note.strip(),
    )
    history = await data.record_paper_consent(parent.id, body)
    env.say(_("Recorded."))
    print_history(history, env, zone)
    return OK
