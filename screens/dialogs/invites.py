"""Invite codes and a class's credential slips, from the accounts screen.

One invite code is for one parent of one pupil and touches no password: shown once, with the
child's name and how to register with it. A class's slips give invite codes only, unless the
IT person asks for new one-time passwords too: then the question says how many accounts it
resets (``GET /classes/{id}/slips/plan``), and only a yes sends that number as ``confirm``.
"""

from __future__ import annotations

from pathlib import Path

from textual.content import Content

from api_client.i18n import _, ngettext
from api_client.models import InviteCodeIssued, SlipFormat, SlipPlan
from diary_tui.ui import day_typed
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.detail import DetailScreen


def invite_said(issued: InviteCodeIssued) -> Content:
    pupil = issued.pupil
    child = f"{pupil.first_name} {pupil.last_name}"
    if pupil.class_ is not None:
        child = f"{child}, {pupil.class_.name}"
    return Content("\n").join(
        [
            Content.styled(_("Invite code for a parent of {child}").format(child=child), "bold"),
            Content(""),
            Content.styled(f"    {issued.code}", "bold $text-success"),
            Content(""),
            Content(
                _("It works until {day}, once, for one parent; no password was changed.").format(
                    day=day_typed(issued.expires)
                )
            ),
            Content(
                _(
                    "How to register: in the diary's login screen press F2 (Register), type the "
                    "code, your name, a login and a password, and accept the school's consent "
                    "to the processing of personal data (or: diary register). A parent who "
                    "already has an account adds the child with the code: the command palette, "
                    "Add a child."
                )
            ),
            Content(""),
            Content.styled(
                _("Shown once: write it down or hand it over now. Esc or Enter: close."), "bold"
            ),
        ]
    )


class InviteShown(DetailScreen):
    """A new invite code, shown once."""

    def __init__(self, issued: InviteCodeIssued) -> None:
        super().__init__(
            invite_said(issued),
            name="invite-shown",
            binding_id="invite.close",
            width="72",
            frame="success",
            thick=True,
        )
        self.issued = issued


def slip_format(path: str) -> SlipFormat:
    """By the file's ending: ``.pdf`` is a PDF, anything else text."""
    return SlipFormat.PDF if Path(path).suffix.lower() == ".pdf" else SlipFormat.TEXT


def reset_question(plan: SlipPlan) -> str:
    accounts = ngettext(
        "{n} account ({pupils} pupils, {parents} parents)",
        "{n} accounts ({pupils} pupils, {parents} parents)",
        plan.accounts,
    ).format(n=plan.accounts, pupils=plan.pupils, parents=plan.parents)
    return _(
        "Slips for {cls}: invite codes for the parents who have no account yet. Reset passwords "
        "too? {accounts} would get new one-time passwords on the slips; their old passwords "
        "stop working at once."
    ).format(cls=plan.class_name, accounts=accounts)


class ResetQuestion(ConfirmScreen):
    """Whether a class's slips reset passwords: no (invite codes only) unless y."""

    DEFAULT_CSS = """
    ResetQuestion > Vertical { width: 72; max-width: 100%; }
    """

    def __init__(self, plan: SlipPlan) -> None:
        super().__init__(
            reset_question(plan),
            ngettext(
                "{yes}: reset the {n} password too · {no}: invite codes only",
                "{yes}: reset the {n} passwords too · {no}: invite codes only",
                plan.accounts,
            ).format(n=plan.accounts, yes="{yes}", no="{no}"),
        )
        self.plan = plan
