"""``diary admin audit``: the audit log as a plain table within 80 columns.

    diary admin audit [--pupil LOGIN|ID] [--teacher LOGIN|ID] [--from DATE] [--to DATE]
                      [--entity mark|absence|homework|topic|period_mark] [--all] [--limit N]

One line per change, newest first: when (in the school's time zone), who made it, about which
pupil and class, what changed (before → after) and the reason. IT staff and administration.

By default the corrections and removals: every mark, absence and period mark also has the
record of its entry (thousands a term), which ``--all`` adds. When more records match than
``--limit``, the count says so (``1000+ changes``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from api_client.cli_text import date_argument
from api_client.i18n import N_, _, ngettext, pgettext
from diary_tui.admin_cli import WIDTH, Env, command, in_session
from diary_tui.clock import local, zone_of

if TYPE_CHECKING:
    from api_client.models import AuditEntry
    from diary_tui.data import DiaryData

ENTITIES = ("mark", "absence", "homework", "topic", "period_mark")
PAGE = 200
CHANGES = ("update", "remove")
"""What the log is read for by default: a value corrected or removed, not entered."""
COLUMNS = ((N_("When"), 16), (N_("Who"), 16), (N_("Pupil"), 20), (N_("Change"), 25))
"""The columns of one change; its reason follows on its own line, indented."""


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(_("must be a whole number, 1 or more"))
    return int(text)


def add_audit_command(subparsers: Any) -> None:
    """Add ``audit`` to the subcommands of ``diary admin``."""
    audit = command(
        subparsers,
        "audit",
        help=_("the audit log: who changed which mark, absence, homework or topic"),
        description=_(
            "Every change of a mark, an absence, homework or a topic, newest first, "
            "as a table within 80 columns. IT staff and administration."
        ),
        run=run_audit,
    )
    audit.add_argument("--pupil", metavar="LOGIN|ID", help=_("changes about this pupil"))
    audit.add_argument("--teacher", metavar="LOGIN|ID", help=_("changes made by this person"))
    audit.add_argument(
        "--from", dest="start", type=date_argument, metavar=_("DATE"), help=_("from this day")
    )
    audit.add_argument(
        "--to", dest="end", type=date_argument, metavar=_("DATE"), help=_("to this day")
    )
    audit.add_argument("--entity", choices=ENTITIES, help=_("one kind of change"))
    audit.add_argument(
        "--all",
        dest="everything",
        action="store_true",
        help=_("also the record of each new entry (by default: corrections and removals)"),
    )
    audit.add_argument(
        "--limit", type=_count, default=1000, metavar="N", help=_("at most N records (1000)")
    )


def run_audit(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    if args.start and args.end and args.end < args.start:
        print("diary admin: " + _("--to is before --from"), file=env.err)
        return 2
    return in_session(args, env, "diary admin audit", lambda data: _audit(data, args, env))


def fit(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _state(state: dict[str, object] | None) -> str:
    if not state:
        return "—"
    for key in ("value", "kind", "topic", "text"):
        if state.get(key) not in ("", None):
            value = str(state[key])
            if key == "value" and state.get("weight") not in (None, 1):
                value += f"×{state['weight']}"
            return value
    return ",".join(f"{k}={v}" for k, v in state.items())


def change(entry: AuditEntry) -> str:
    things = {
        "mark": pgettext("audit table", "mark"),
        "absence": pgettext("audit table", "absence"),
        "period_mark": pgettext("audit table", "period"),
        "homework": pgettext("audit table", "homework"),
        "topic": pgettext("audit table", "topic"),
    }
    thing = things.get(entry.entity, entry.entity)
    if entry.action == "create":
        return f"+{thing} {_state(entry.after)}"
    if entry.action == "remove":
        return f"−{thing} {_state(entry.before)}"
    return f"{thing} {_state(entry.before)}→{_state(entry.after)}"


def short(name: str) -> str:
    """``Никита Мельник`` -> ``Мельник Н.``"""
    parts = name.split()
    if len(parts) < 2:
        return name
    return f"{parts[-1]} {parts[0][0]}."


def table(entries: list[AuditEntry], zone: dt.tzinfo) -> list[str]:
    """The header and a line per change, its reason on the next line: within 80 columns."""
    import textwrap

    indent = " " * (COLUMNS[0][1] + 1)
    lines = [" ".join(f"{_(name):<{width}}" for name, width in COLUMNS).rstrip(), "-" * WIDTH]
    for entry in entries:
        cells = (
            f"{local(entry.at, zone):%d.%m.%Y %H:%M}",
            short(entry.actor) if entry.actor else "—",
            f"{short(entry.pupil)} {entry.class_name}".strip() or "—",
            change(entry) + (f" {entry.subject}" if entry.subject else ""),
        )
        line = " ".join(
            f"{fit(text, width):<{width}}" for text, (_, width) in zip(cells, COLUMNS, strict=True)
        )
        lines.append(line.rstrip())
        if entry.reason.strip():
            lines.extend(
                textwrap.wrap(
                    _("why: ") + " ".join(entry.reason.split()),
                    WIDTH,
                    initial_indent=indent,
                    subsequent_indent=indent + "     ",
                )
            )
    return lines


async def _audit(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    from api_client.endpoints import AuditFilters

    filters = AuditFilters(
        pupil=args.pupil,
        teacher=args.teacher,
        start=args.start,
        end=args.end,
        entity=args.entity,
        actions=None if args.everything else CHANGES,
    )
    me = await data.load_me()
    zone = zone_of(me)
    entries: list[AuditEntry] = []
    before: int | None = None
    more = False
    while len(entries) < args.limit:
        page = await data.load(
            filters.page(limit=min(PAGE, args.limit - len(entries)), before=before)
        )
        entries.extend(page.entries)
        more = page.next_before is not None
        if not more:
            break
        before = page.next_before
    if not entries:
        env.say(
            _("No changes match.") if args.everything else _("No corrections or removals match.")
        )
        return 0
    for line in table(entries, zone):
        env.say(line)
    env.say(count_line(len(entries), more, args.everything))
    return 0


def count_line(count: int, more: bool, everything: bool) -> str:
    """The last line: how many, honestly (``1000+`` when more records match), and what the
    default leaves out. Within 80 columns."""
    if more:
        text = ngettext(
            "{n}+ changes: the newest {n} shown (--limit)",
            "{n}+ changes: the newest {n} shown (--limit)",
            count,
        ).format(n=count)
        return text if everything else text + _("; --all adds new entries")
    text = ngettext("{n} change", "{n} changes", count).format(n=count)
    return text if everything else text + _(" (corrections and removals; --all adds new entries)")
