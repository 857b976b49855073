"""``diary admin mark``: the administration corrects a closed year's marks from the command line.

    diary admin mark set LESSON PUPIL VALUE --reason TEXT [--weight N] [--kind K] [--comment T]
    diary admin mark change MARK [--value N] [--weight N] [--kind K] [--comment T] --reason TEXT
    diary admin mark remove MARK --reason TEXT

Once a year is closed its journal is the administration's to correct, always giving a reason
(``demo_server.journal_rights``); the reason is kept in the audit log with the change
(``diary admin audit`` shows it). Lessons and marks are named by their ids, as the audit log
and the journal give them; a pupil by id or name. A change or removal is made to the mark as
it is now: the command reads the mark (``GET /marks/{id}``), sends the change based on its
version and says what the mark was.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from api_client import names
from api_client.i18n import _
from diary_tui.admin_cli import OK, Env, Refused, command, command_group, in_session

if TYPE_CHECKING:
    from api_client.models import JournalMark
    from diary_tui.data import DiaryData

KINDS = ("oral", "written", "test", "quiz", "homework", "lab", "dictation", "essay")


def _id(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 2**53:
        raise argparse.ArgumentTypeError(_("must be a whole number, 1 or more"))
    return int(text)


def _reason(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(_("say why the mark is corrected"))
    return text.strip()


def _mark_options(parser: argparse.ArgumentParser, value_required: bool) -> None:
    if not value_required:
        parser.add_argument("--value", type=int, metavar="N", help=_("the new mark"))
    parser.add_argument("--weight", type=int, metavar="N", help=_("the weight, 1 to 5"))
    parser.add_argument("--kind", choices=KINDS, help=_("the kind of mark"))
    parser.add_argument("--comment", metavar=_("TEXT"), help=_("a comment on the mark"))


def _reason_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--reason",
        required=True,
        type=_reason,
        metavar=_("TEXT"),
        help=_("why it is corrected (kept in the audit log)"),
    )


def add_mark_command(subparsers: Any) -> None:
    """Add ``mark`` to the subcommands of ``diary admin``."""
    verbs = command_group(
        subparsers,
        "mark",
        help=_("correct a mark of a closed year (the administration, giving a reason)"),
        description=_(
            "Correct the journal of a closed year: give, change or remove a mark. Only the "
            "administration may, and only giving a reason, which the audit log keeps. Lessons "
            "and marks are named by their ids (the journal and 'diary admin audit' show them)."
        ),
        dest="mark_command",
        run=run_mark,
    )
    give = command(
        verbs,
        "set",
        help=_("give a pupil a mark at a lesson"),
        description=_("Give a pupil a mark at a lesson of a closed year, with the reason."),
    )
    give.add_argument("lesson", type=_id, metavar=_("LESSON"), help=_("the lesson's id"))
    give.add_argument("pupil", metavar=_("PUPIL"), help=_("the pupil's id or name"))
    give.add_argument("value", type=int, metavar=_("VALUE"), help=_("the mark"))
    _mark_options(give, value_required=True)
    _reason_option(give)
    for verb, what, description in (
        (
            "change",
            _("change a mark"),
            _("Change a mark of a closed year (its value, weight, kind or comment)."),
        ),
        (
            "remove",
            _("remove a mark"),
            _("Remove a mark of a closed year (the audit log keeps it)."),
        ),
    ):
        given = command(verbs, verb, help=what, description=description)
        given.add_argument("mark", type=_id, metavar=_("MARK"), help=_("the mark's id"))
        if verb == "change":
            _mark_options(given, value_required=False)
        _reason_option(given)


def run_mark(args: argparse.Namespace, env: Env | None = None) -> int:
    env = env or Env()
    return in_session(args, env, "diary admin mark", lambda data: _mark(data, args, env))


def said(mark: JournalMark) -> str:
    """A mark in words: ``5 (контрольная работа, weight 2)``."""
    return _("{value} ({kind}, weight {weight})").format(
        value=mark.value, kind=names.mark_kind(mark.kind), weight=mark.weight
    )


async def _pupil_id(data: DiaryData, pupil: str) -> int:
    """A pupil by id, or by name (the pupil search: exactly one must fit)."""
    from api_client import endpoints

    if pupil.isdigit():
        return int(pupil)
    found = (await data.load(endpoints.search_pupils(pupil))).pupils
    if len(found) == 1:
        return found[0].id
    if not found:
        raise Refused(_("no pupil of the school is called {name}").format(name=pupil))
    who = ", ".join(
        f"{p.last_name} {p.first_name} ({p.class_.name if p.class_ else '-'}, id {p.id})"
        for p in found[:10]
    )
    raise Refused(_("several pupils fit {name}: {who}; give the id").format(name=pupil, who=who))


async def _as_now(data: DiaryData, mark_id: int, send: Any) -> tuple[JournalMark, JournalMark]:
    """Read the mark as it is now and send one write based on its version (a colleague's
    change in between is refused by the server, not overwritten). The mark before and after."""
    assert data.client is not None
    before = await data.client.mark(mark_id)
    return before, await send(before.version)


async def _mark(data: DiaryData, args: argparse.Namespace, env: Env) -> int:
    import uuid

    from api_client.models import MarkCreate, MarkKind, MarkRemove, MarkUpdate

    client = data.client
    assert client is not None
    if args.mark_command == "set":
        pupil_id = await _pupil_id(data, args.pupil)
        body = MarkCreate(
            lesson_id=args.lesson,
            pupil_id=pupil_id,
            value=args.value,
            weight=args.weight or 1,
            kind=MarkKind(args.kind or "oral"),
            comment=args.comment or "",
            reason=args.reason,
        )
        made = await client.create_mark(body, str(uuid.uuid4()))
        env.wrap(
            _("Given: mark {id}, {mark}, to pupil {pupil} at lesson {lesson}.").format(
                id=made.id, mark=said(made), pupil=args.pupil, lesson=args.lesson
            )
        )
    elif args.mark_command == "change":
        kind = MarkKind(args.kind) if args.kind else None
        if (args.value, args.weight, kind, args.comment) == (None, None, None, None):
            raise Refused(_("say what to change: --value, --weight, --kind or --comment"))

        async def update(version: int) -> Any:
            body = MarkUpdate(
                version=version,
                value=args.value,
                weight=args.weight,
                kind=kind,
                comment=args.comment,
                reason=args.reason,
            )
            return await client.update_mark(args.mark, body, str(uuid.uuid4()))

        before, after = await _as_now(data, args.mark, update)
        env.wrap(
            _("Changed: mark {id}, {before} → {after}.").format(
                id=args.mark, before=said(before), after=said(after)
            )
        )
    else:

        async def remove(version: int) -> Any:
            body = MarkRemove(version=version, reason=args.reason)
            return await client.remove_mark(args.mark, body, str(uuid.uuid4()))

        before, _after = await _as_now(data, args.mark, remove)
        env.wrap(_("Removed: mark {id}, {mark}.").format(id=args.mark, mark=said(before)))
    env.wrap(_("Reason: {reason}").format(reason=args.reason))
    return OK
