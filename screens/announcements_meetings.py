"""An event opened from the News screen, and the parent meeting's dialogs.

Enter on an event shows it whole: when (in the school's zone), where, for which class, the
agenda point by point, the minutes once recorded. A parent of the class answers until the
meeting starts (``y`` will come, ``n`` will not, each with an optional comment) and may change
the answer; the class teacher and the administration see who answered what per pupil's
parents, with counts, change (``e``) or cancel (``x``) the meeting before it starts and
record the minutes (``m``) after it. Every write goes through the outbox; a form never closes
on a refusal and keeps what was typed.

Server text is shown as plain text (``Content``), never as markup.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from api_client import endpoints
from api_client.i18n import N_, _, day_label, ngettext, pgettext
from api_client.models import (
    ClassRef,
    Event,
    EventDetail,
    EventKind,
    MeetingRequest,
    MeetingUpdate,
)
from diary_tui.data import DiaryData, NotSaved, Role, Sent
from diary_tui.ui import MUTED, day_typed, event_name, local, parse_day
from diary_tui.widgets import KeyFooter
from screens.dialogs.ask import AskText
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import Field, FormScreen, Refusal

KEPT = N_("The server cannot be reached: it is kept on this computer and will be sent when it can.")


def when_text(event: Event, zone: dt.tzinfo) -> str:
    """``Tue 1 Dec 18:30`` (``–19:30`` when it has an end), on the school's clock."""
    start = local(event.starts_at, zone)
    text = f"{day_label(start.date())} {start:%H:%M}"
    if event.ends_at is not None:
        text += f"–{local(event.ends_at, zone):%H:%M}"
    return text


def answer_words(coming: bool | None) -> str:
    if coming is None:
        return _("has not answered")
    return _("will come") if coming else _("will not come")


def event_text(detail: EventDetail, zone: dt.tzinfo) -> Content:
    """The whole event: heading, when and where, agenda, minutes, answers."""
    event = detail.event
    whom = (
        pgettext("announcement's source", "class {name}").format(name=event.class_.name)
        if event.class_ is not None
        else _("the whole school")
    )
    parts: list[Content] = [
        Content.assemble(
            (event.title, "bold"),
            "\n",
            (f"{event_name(event.kind)} · {whom}", MUTED),
        )
    ]
    facts = [Content.assemble((_("When: "), "bold"), when_text(event, zone))]
    if event.place:
        facts.append(Content.assemble((_("Where: "), "bold"), event.place))
    if event.cancelled:
        facts.append(Content.styled(_("The meeting is cancelled."), "bold $error"))
    parts.append(Content("\n").join(facts))
    if event.description:
        parts.append(Content(event.description))
    if event.agenda:
        points = [
            Content.assemble(f"{number}. ", point)
            for number, point in enumerate(event.agenda, start=1)
        ]
        parts.append(Content("\n").join([Content.styled(_("Agenda"), "bold"), *points]))
    if event.minutes:
        parts.append(
            Content("\n").join([Content.styled(_("Minutes"), "bold"), Content(event.minutes)])
        )
    if detail.answer is not None:
        said = (
            _("Your answer: will come") if detail.answer.coming else _("Your answer: will not come")
        )
        if detail.answer.comment:
            said += f" ({detail.answer.comment})"
        parts.append(Content(said))
    elif detail.may_answer:
        parts.append(Content.styled(_("You have not answered yet."), MUTED))
    if detail.answers is not None:
        answers = detail.answers
        pupils = len(answers.families)
        counts = _("will come: {coming} · will not come: {not_coming} · no answer: {none}").format(
            coming=answers.coming, not_coming=answers.not_coming, none=answers.unanswered
        )
        by_family = ngettext("(by family, {n} pupil)", "(by family, {n} pupils)", pupils).format(
            n=pupils
        )
        lines = [Content.styled(_("Answers"), "bold"), Content(f"{counts} {by_family}")]
        for family in answers.families:
            pupil = f"{family.pupil.last_name} {family.pupil.first_name}"
            if not family.parents:
                lines.append(Content.assemble(pupil, (" — " + _("no parent account"), MUTED)))
                continue
            replies = []
            for reply in family.parents:
                text = f"{reply.parent}: {answer_words(reply.coming)}"
                if reply.comment:
                    text += f" ({reply.comment})"
                replies.append(text)
            lines.append(Content(f"{pupil} — " + "; ".join(replies)))
        parts.append(Content("\n").join(lines))
    return Content("\n\n").join(parts)


def meeting_fields(event: Event | None, class_name: str, zone: dt.tzinfo) -> list[Field]:
    """The meeting form's fields: as ``event`` is, or empty for a new one in ``class_name``."""
    start = local(event.starts_at, zone) if event is not None else None
    fields = [
        Field("title", _("Title"), event.title if event else _("Parent meeting")),
        Field(
            "date",
            _("Day"),
            day_typed(start.date()) if start else "",
            hint=_("like 01.12.2026"),
        ),
        Field("time", _("Starts at"), f"{start:%H:%M}" if start else "18:00", hint=_("like 18:30")),
        Field(
            "end_time",
            _("Ends at"),
            f"{local(event.ends_at, zone):%H:%M}" if event and event.ends_at else "",
            hint=_("The same day, like 19:30; may be empty."),
        ),
        Field("place", _("Place"), event.place if event else ""),
        Field(
            "agenda",
            _("Agenda"),
            "\n".join(event.agenda) if event else "",
            hint=_("One point a line."),
            lines=True,
        ),
    ]
    if event is None:
        fields.insert(
            0,
            Field(
                "class_id",
                _("Class"),
                class_name,
                hint=_("Its name, like 5А; empty: the whole school."),
            ),
        )
    return fields


def typed_day(text: str) -> str | Refusal:
    """The day as the server reads it, or the refusal beside the day's field."""
    try:
        return parse_day(text).isoformat()
    except ValueError as exc:
        return Refusal(str(exc), "date")


def agenda_of(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def refusal_of(exc: Exception) -> Refusal:
    field = exc.field if isinstance(exc, NotSaved) else None
    return Refusal(str(exc), field)


class EventScreen(ModalScreen[bool]):
    """One event in full, with what the user may do with it; answers whether it changed."""

    DEFAULT_CSS = """
    EventScreen { background: $background; }
    EventScreen #event { height: 1fr; padding: 1 2; }
    """

    BINDINGS = [
        Binding("escape,q", "close", N_("Close"), id="event.close"),
        Binding("y", "answer(True)", N_("Will come"), id="event.coming"),
        Binding("n", "answer(False)", N_("Will not come"), id="event.not_coming"),
        Binding("e", "edit", N_("Edit"), id="event.edit"),
        Binding("x", "cancel_meeting", N_("Cancel it"), id="event.cancel"),
        Binding("m", "minutes", N_("Minutes"), id="event.minutes"),
        Binding("f5", "reload", N_("Refresh"), id="event.reload"),
    ]

    class Loaded(Message):
        def __init__(self, detail: EventDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, data: DiaryData, event: Event) -> None:
        super().__init__(name="event")
        self.data = data
        self.event = event
        self.detail: EventDetail | None = None
        self.changed = False

    @property
    def zone(self) -> dt.tzinfo:
        return self.data.zone

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="event", can_focus=True):
            yield Static(self._text(), id="event-text")
        yield KeyFooter()

    def _text(self) -> Content:
        detail = self.detail or EventDetail(id=self.event.id, event=self.event)
        text = event_text(detail, self.zone)
        if self.detail is None:
            text = Content("\n\n").join([text, Content.styled(_("Loading…"), MUTED)])
        return text

    def on_mount(self) -> None:
        self.query_one("#event", VerticalScroll).focus()
        cached = self.data.cached(endpoints.event(self.event.id))
        if cached is not None:
            self._show(cached)
        self.load()

    def _show(self, detail: EventDetail) -> None:
        self.detail = detail
        self.event = detail.event
        self.query_one("#event-text", Static).update(self._text())
        self.refresh_bindings()

    @work(exclusive=True, group="event", exit_on_error=False)
    async def load(self) -> None:
        try:
            detail = await self.data.load(endpoints.event(self.event.id))
        except Exception as exc:  # offline with no copy, or gone: say it, keep what is shown
            if self.detail is None:
                self.query_one("#event-text", Static).update(
                    Content("\n\n").join(
                        [
                            event_text(EventDetail(id=self.event.id, event=self.event), self.zone),
                            Content.styled(str(exc), MUTED),
                        ]
                    )
                )
            return
        self.post_message(self.Loaded(detail))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self._show(message.detail)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        detail = self.detail
        if action == "answer":
            return detail is not None and detail.may_answer
        if action in ("edit", "cancel_meeting"):
            return detail is not None and detail.may_edit
        if action == "minutes":
            return detail is not None and detail.may_record_minutes
        return True

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def action_reload(self) -> None:
        self.load()

    # -- a parent's answer ---------------------------------------------------------------

    def action_answer(self, coming: bool) -> None:
        previous = self.detail.answer.comment if self.detail and self.detail.answer else ""
        question = (
            _("You will come. A comment for the class teacher (may be empty):")
            if coming
            else _("You will not come. A comment for the class teacher (may be empty):")
        )

        def answered(comment: str | None) -> None:
            if comment is not None:
                self.send_answer(coming, comment)

        self.app.push_screen(
            AskText(
                question,
                previous,
                required=False,
                name="meeting-answer",
                binding_id="meeting-answer.cancel",
                frame="primary",
            ),
            answered,
        )

    @work(group="event-write", exit_on_error=False)
    async def send_answer(self, coming: bool, comment: str) -> None:
        try:
            answer = await self.data.answer_meeting(self.event.id, coming, comment)
        except (NotSaved, ValueError) as exc:
            self.notify(str(exc), title=_("Not saved"), severity="error", markup=False)
            return
        self._settled(answer)

    def _settled(self, answer: Sent[EventDetail] | object) -> None:
        self.changed = True
        if isinstance(answer, Sent):
            self._show(answer.value)
            self.notify(_("Saved."), markup=False)
        else:
            self.notify(_(KEPT), severity="warning", timeout=8, markup=False)

    # -- the class teacher's and the administration's --------------------------------------

    def action_edit(self) -> None:
        detail = self.detail
        if detail is None:
            return
        version = detail.version
        event_id = self.event.id

        async def save(values: dict[str, str]) -> Refusal | None:
            day = typed_day(values["date"])
            if isinstance(day, Refusal):
                return day
            request = MeetingUpdate(
                version=version,
                title=values["title"].strip(),
                date=day,
                time=values["time"].strip(),
                end_time=values["end_time"].strip(),
                place=values["place"].strip(),
                agenda=agenda_of(values["agenda"]),
            )
            try:
                answer = await self.data.change_meeting(event_id, request)
            except (NotSaved, ValueError) as exc:
                return refusal_of(exc)
            self.call_later(self._settled, answer)
            return None

        fields = meeting_fields(self.event, "", self.zone)
        self.app.push_screen(FormScreen(_("Change the meeting"), fields, save, name="meeting-form"))

    def action_cancel_meeting(self) -> None:
        detail = self.detail
        if detail is None:
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.cancel_meeting(detail.version)

        self.app.push_screen(
            ConfirmScreen(_("Cancel this meeting? The parents will see it cancelled.")), decided
        )

    @work(group="event-write", exit_on_error=False)
    async def cancel_meeting(self, version: int) -> None:
        try:
            answer = await self.data.change_meeting(
                self.event.id, MeetingUpdate(version=version, cancelled=True)
            )
        except (NotSaved, ValueError) as exc:
            self.notify(str(exc), title=_("Not saved"), severity="error", markup=False)
            return
        self._settled(answer)

    def action_minutes(self) -> None:
        detail = self.detail
        if detail is None:
            return
        version = detail.version
        event_id = self.event.id

        async def save(values: dict[str, str]) -> Refusal | None:
            try:
                answer = await self.data.record_meeting_minutes(
                    event_id, version, values["minutes"]
                )
            except (NotSaved, ValueError) as exc:
                return refusal_of(exc)
            self.call_later(self._settled, answer)
            return None

        fields = [
            Field(
                "minutes",
                _("Minutes: what was decided"),
                self.event.minutes,
                hint=_("The parents of the class read them in the meeting."),
                lines=True,
            )
        ]
        self.app.push_screen(
            FormScreen(_("The meeting's minutes"), fields, save, name="minutes-form")
        )


def may_plan(data: DiaryData) -> bool:
    """Whether the user plans meetings: a class teacher, the administration."""
    me = data.me
    if me is None:
        return False
    return me.role is Role.ADMINISTRATION or (me.role is Role.TEACHER and me.homeroom is not None)


def plan_meeting_form(
    data: DiaryData, classes: list[ClassRef], done: Callable[[object], None]
) -> FormScreen:
    """The form of a new meeting: a class teacher's for their class (typed in already), the
    administration's for any of ``classes`` or, left empty, the whole school."""
    me = data.me
    homeroom = me.homeroom if me is not None else None
    by_name = {c.name.casefold(): c for c in classes}
    if homeroom is not None:
        by_name.setdefault(homeroom.name.casefold(), homeroom)

    async def save(values: dict[str, str]) -> Refusal | None:
        name = values["class_id"].strip()
        class_id: int | None = None
        if name:
            cls = by_name.get(name.casefold())
            if cls is None:
                return Refusal(
                    _("There is no class {name} you plan meetings for.").format(name=name),
                    "class_id",
                )
            class_id = cls.id
        day = typed_day(values["date"])
        if isinstance(day, Refusal):
            return day
        request = MeetingRequest(
            title=values["title"].strip(),
            date=day,
            time=values["time"].strip(),
            end_time=values["end_time"].strip(),
            place=values["place"].strip(),
            agenda=agenda_of(values["agenda"]),
            class_id=class_id,
        )
        try:
            answer = await data.plan_meeting(request)
        except (NotSaved, ValueError) as exc:
            return refusal_of(exc)
        done(answer)
        return None

    zone = data.zone
    fields = meeting_fields(None, homeroom.name if homeroom is not None else "", zone)
    return FormScreen(_("New parent meeting"), fields, save, name="meeting-form")


def is_meeting(event: Event) -> bool:
    return event.kind is EventKind.PARENT_MEETING
