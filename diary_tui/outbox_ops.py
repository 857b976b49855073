"""The writes the outbox keeps: one typed operation per kind of write, each wrapping the
contract's request Struct (``api_client.models``), so what waits in the outbox is what the
server validates, and the client's typed method for it is the one way it is sent.

An operation names its target ids (a mark's server id, a lesson and a pupil), the thing it
changes (:attr:`entity`: later writes of the same thing take their base version from the
answer to the earlier one) and whether it creates that thing (a mark typed offline: the writes
that change it wait for its server id). A journal write also carries :class:`JournalPlace`,
where the journal screen shows it.

Every write a person types or decides goes through the outbox, offline or not: the journal's
and the family's writes, read marks of threads and announcements, posting an announcement,
planning, changing and cancelling a parent meeting, its minutes and a parent's answer to it, a
class teacher marking an absence notice seen or applying it, the health worker recording an
illness. Offline they wait and are sent exactly once (Idempotency-Key) when the server is back.

Not here, on purpose: the IT staff's account writes (creating an account, resetting a password,
locking, linking a parent, moving a pupil) and the administration's timetable changes. A new
account and a reset answer with a one-time password that must be shown at once and handed
over (a queued reset would change a password at some later moment nobody is there to read);
locking is done because of something happening now, and an administrator expects to see that
it took. A lesson change is made against the lesson as it is now (its version, who is free to
substitute): sent later it would be a guess. These need the server: offline the form says so
plainly, keeps everything typed, and sends it again with the same key on ctrl+s.

Operations are a msgspec tagged union (:data:`Op`, the tag is the ``op`` field: ``mark.create``,
...); the store keeps each one encoded in the outbox row (:func:`encode`, :func:`decode`). Rows
kept by versions before typed operations (a method, a path, a JSON body and a meta object) are
read into operations once, when the store opens (:func:`from_legacy`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Any, Self, TypeAlias

import msgspec

from api_client import models as wire

if TYPE_CHECKING:
    from api_client.client import DiaryClient

UNKNOWN_VERSION = 0
"""The base version of a change to something not saved yet (a mark typed offline): the sync
engine takes the version the server gave the write that created it."""


class JournalPlace(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    """Where the class journal shows a write: the journal (``class id:subject id``), the
    pupil, the lesson (None for a period mark or a lesson's topic and homework), the period of
    a period mark and the local key of a mark (it finds a mark typed offline again)."""

    journal: str
    pupil: int | None = None
    lesson: int | None = None
    period: int | None = None
    key: str = ""


class OutboxOp(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True, tag_field="op"):
    """Base of the outbox's operations."""

    place: JournalPlace | None = None

    @property
    def tag(self) -> str:
        return str(type(self).__struct_config__.tag)

    @property
    def kind(self) -> str:
        """What it is about: the part of its tag before the dot (``mark``)."""
        return self.tag.split(".", 1)[0]

    @property
    def entity(self) -> str:
        """The thing it changes ("" when no later write depends on it)."""
        return ""

    @property
    def creates(self) -> bool:
        """Whether it creates :attr:`entity` (later writes of it wait for its server id)."""
        return False

    @property
    def target_known(self) -> bool:
        """Whether the server id of what it changes is known (else its create gives it)."""
        return True

    def with_target(self, server_id: int) -> Self:
        """The same write to the thing with this server id."""
        return self

    @property
    def base_version(self) -> int | None:
        """The version it is based on (None: it has none, or the thing is new)."""
        return getattr(getattr(self, "request", None), "version", None)

    @property
    def versioned(self) -> bool:
        return hasattr(getattr(self, "request", None), "version")

    def with_version(self, version: int | None) -> Self:
        request: msgspec.Struct = getattr(self, "request")  # noqa: B009
        return msgspec.structs.replace(
            self, request=msgspec.structs.replace(request, version=version)
        )

    @property
    def takes_reason(self) -> bool:
        """Whether the write can carry a reason (every journal write: the administration
        correcting a closed year gives one with each)."""
        return hasattr(getattr(self, "request", None), "reason") or hasattr(self, "reason")

    @property
    def given_reason(self) -> str:
        """The reason it carries ("" when none)."""
        request = getattr(self, "request", None)
        return str(
            getattr(request, "reason", "") if request is not None else getattr(self, "reason", "")
        )

    def with_reason(self, reason: str) -> Self:
        """The same write with the reason the school asks for (a change to an old mark, a
        correction of a closed year)."""
        request: msgspec.Struct = getattr(self, "request")  # noqa: B009
        return msgspec.structs.replace(
            self, request=msgspec.structs.replace(request, reason=reason)
        )

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        """Send it with the client's typed method for it; the server's answer."""
        raise NotImplementedError


def _mark_entity(key: str) -> str:
    return f"mark:{key}"


class MarkCreateOp(OutboxOp, frozen=True, tag="mark.create"):
    key: str
    """The mark's local key (a mark typed here has no server id until this is answered)."""
    request: wire.MarkCreate

    @property
    def entity(self) -> str:
        return _mark_entity(self.key)

    @property
    def creates(self) -> bool:
        return True

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.create_mark(self.request, idempotency_key)


class _MarkChange(OutboxOp, frozen=True):
    key: str
    mark_id: int | None
    """None: a mark typed offline, whose create gives the id."""

    @property
    def entity(self) -> str:
        return _mark_entity(self.key)

    @property
    def target_known(self) -> bool:
        return self.mark_id is not None

    def with_target(self, server_id: int) -> Self:
        return msgspec.structs.replace(self, mark_id=server_id)

    def _mark_id(self) -> int:
        if self.mark_id is None:
            raise ValueError("the mark's server id is not known yet")
        return self.mark_id


class MarkUpdateOp(_MarkChange, frozen=True, tag="mark.update"):
    request: wire.MarkUpdate

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.update_mark(self._mark_id(), self.request, idempotency_key)


class MarkRemoveOp(_MarkChange, frozen=True, tag="mark.remove"):
    request: wire.MarkRemove

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.remove_mark(self._mark_id(), self.request, idempotency_key)


class _AbsenceOp(OutboxOp, frozen=True):
    lesson_id: int
    pupil_id: int

    @property
    def entity(self) -> str:
        return f"absence:{self.lesson_id}:{self.pupil_id}"


class AbsenceSetOp(_AbsenceOp, frozen=True, tag="absence.set"):
    request: wire.AbsenceSet

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_absence(
            self.lesson_id, self.pupil_id, self.request, idempotency_key
        )


class AbsenceRemoveOp(_AbsenceOp, frozen=True, tag="absence.remove"):
    request: wire.AbsenceRemove

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.remove_absence(
            self.lesson_id, self.pupil_id, self.request, idempotency_key
        )


class TopicSetOp(OutboxOp, frozen=True, tag="topic.set"):
    lesson_id: int
    request: wire.TopicSet

    @property
    def entity(self) -> str:
        return f"lesson:{self.lesson_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_topic(self.lesson_id, self.request, idempotency_key)


class LessonKindSetOp(OutboxOp, frozen=True, tag="lesson_kind.set"):
    """A lesson made a test (a quiz, ...) or an ordinary lesson again. It changes the lesson
    as a topic does (the same version): a topic typed after it takes the version it gave."""

    lesson_id: int
    request: wire.LessonKindSet

    @property
    def entity(self) -> str:
        return f"lesson:{self.lesson_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_lesson_kind(self.lesson_id, self.request, idempotency_key)


class HomeworkSetOp(OutboxOp, frozen=True, tag="homework.set"):
    lesson_id: int
    request: wire.HomeworkSet

    @property
    def entity(self) -> str:
        return f"homework:{self.lesson_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_homework(self.lesson_id, self.request, idempotency_key)


class AttachmentUploadOp(OutboxOp, frozen=True, tag="attachment.upload"):
    """A file attached to a lesson's homework. The file's bytes are kept here, as they were
    when the teacher chose it, until the server has them: a file moved or changed on the
    computer meanwhile changes nothing. Sent after the homework's text typed before it."""

    lesson_id: int
    name: str
    content: bytes
    reason: str = ""
    """The administration's reason, correcting a closed year (sent as ``?reason=``)."""

    def with_reason(self, reason: str) -> Self:
        return msgspec.structs.replace(self, reason=reason)

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.upload_attachment(
            self.lesson_id, self.name, self.content, idempotency_key, reason=self.reason
        )


class PeriodMarkSetOp(OutboxOp, frozen=True, tag="period_mark.set"):
    request: wire.PeriodMarkSet

    @property
    def entity(self) -> str:
        r = self.request
        return f"period_mark:{r.pupil_id}:{r.subject_id}:{r.period_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_period_mark(self.request, idempotency_key)


# The family's writes (a parent's or a pupil's)


class WeekSignOp(OutboxOp, frozen=True, tag="week.sign"):
    """A parent signs a child's week (the week that starts on ``monday``)."""

    pupil_id: int
    monday: dt.date

    @property
    def entity(self) -> str:
        return f"week:{self.pupil_id}:{self.monday.isoformat()}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.sign_week(self.pupil_id, self.monday, idempotency_key)


class NoticeCreateOp(OutboxOp, frozen=True, tag="notice.create"):
    """A parent tells the class teacher about an absence."""

    pupil_id: int
    request: wire.AbsenceNoticeRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.send_absence_notice(self.pupil_id, self.request, idempotency_key)


class NoticeWithdrawOp(OutboxOp, frozen=True, tag="notice.withdraw"):
    """A parent takes back an absence notice the class teacher has not read yet."""

    notice_id: int

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.withdraw_absence_notice(self.notice_id, idempotency_key)


class ReplyOp(OutboxOp, frozen=True, tag="message.reply"):
    """A reply in a thread."""

    thread_id: int
    request: wire.ReplyRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.reply(self.thread_id, self.request.body, idempotency_key)


class ThreadCreateOp(OutboxOp, frozen=True, tag="thread.create"):
    """A new thread (its first message)."""

    request: wire.NewThreadRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.start_thread(self.request, idempotency_key)


class ClassMessageOp(OutboxOp, frozen=True, tag="class_message.send"):
    """One message to a class's parents (all, or the chosen), a private thread each."""

    class_id: int
    request: wire.ClassMessageRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.message_class_parents(self.class_id, self.request, idempotency_key)


class ChatPostOp(OutboxOp, frozen=True, tag="chat.post"):
    """A message in a class chat."""

    class_id: int
    request: wire.ChatPost

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.post_chat_message(self.class_id, self.request.body, idempotency_key)


class ChatHideOp(OutboxOp, frozen=True, tag="chat.hide"):
    """A moderator hides a class chat's message, or shows it again."""

    class_id: int
    message_id: int
    request: wire.ChatHide

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.hide_chat_message(
            self.class_id, self.message_id, self.request, idempotency_key
        )


class ChatStateOp(OutboxOp, frozen=True, tag="chat.state"):
    """A moderator closes a class chat or opens it again."""

    class_id: int
    request: wire.ChatState

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_chat_state(self.class_id, self.request.closed, idempotency_key)


class HomeworkDoneOp(OutboxOp, frozen=True, tag="homework_done.set"):
    """A pupil (or a parent) ticks homework done, or unticks it."""

    pupil_id: int
    homework_id: int
    request: wire.HomeworkDoneRequest

    @property
    def entity(self) -> str:
        return f"homework_done:{self.pupil_id}:{self.homework_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_homework_done(
            self.pupil_id, self.homework_id, self.request.done, idempotency_key
        )


# Read marks, announcements, a class teacher's notices, the health worker's illnesses


class ThreadReadOp(OutboxOp, frozen=True, tag="thread.read"):
    """The user read a thread up to a message (a later read of it supersedes nothing: the
    server keeps the highest)."""

    thread_id: int
    request: wire.ReadRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.mark_thread_read(
            self.thread_id, self.request.last_read_id, idempotency_key
        )


class AnnouncementReadOp(OutboxOp, frozen=True, tag="announcement.read"):
    """The user read an announcement."""

    announcement_id: int

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.mark_announcement_read(self.announcement_id, idempotency_key)


class AnnouncementPostOp(OutboxOp, frozen=True, tag="announcement.post"):
    """A teacher or the administration posts an announcement."""

    request: wire.AnnouncementRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.post_announcement(self.request, idempotency_key)


class BlogPostOp(OutboxOp, frozen=True, tag="blog.post"):
    """A teacher writes a blog post."""

    request: wire.BlogPostRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.create_blog_post(self.request, idempotency_key)


class BlogEditOp(OutboxOp, frozen=True, tag="blog.edit"):
    """The author changes a post or opens or closes its comments (at the version seen)."""

    post_id: int
    request: wire.BlogPostEdit

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.edit_blog_post(self.post_id, self.request, idempotency_key)


class BlogHideOp(OutboxOp, frozen=True, tag="blog.hide"):
    """The administration hides a post, or shows it again."""

    post_id: int
    request: wire.BlogVisibility

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_blog_post_hidden(self.post_id, self.request, idempotency_key)


class BlogCommentOp(OutboxOp, frozen=True, tag="blog.comment"):
    """A reader comments on a post."""

    post_id: int
    request: wire.BlogCommentRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.comment_blog_post(self.post_id, self.request, idempotency_key)


class BlogCommentHideOp(OutboxOp, frozen=True, tag="blog.comment_hide"):
    """The post's author or the administration hides a comment, or shows it again."""

    post_id: int
    comment_id: int
    request: wire.BlogVisibility

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.set_blog_comment_hidden(
            self.post_id, self.comment_id, self.request, idempotency_key
        )


class MeetingCreateOp(OutboxOp, frozen=True, tag="meeting.create"):
    """A class teacher or the administration plans a parent meeting."""

    request: wire.MeetingRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.create_meeting(self.request, idempotency_key)


class MeetingUpdateOp(OutboxOp, frozen=True, tag="meeting.update"):
    """A meeting changed or cancelled before it starts (based on the version seen; a later
    change of the same meeting takes the version this one's answer gave)."""

    event_id: int
    request: wire.MeetingUpdate

    @property
    def entity(self) -> str:
        return f"meeting:{self.event_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.update_meeting(self.event_id, self.request, idempotency_key)


class MeetingAnswerOp(OutboxOp, frozen=True, tag="meeting.answer"):
    """A parent's answer to a meeting: coming or not, with a comment (the last one counts)."""

    event_id: int
    request: wire.MeetingAnswerRequest

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.answer_meeting(self.event_id, self.request, idempotency_key)


class MeetingMinutesOp(OutboxOp, frozen=True, tag="meeting.minutes"):
    """The minutes of a meeting, written by its class teacher after it."""

    event_id: int
    request: wire.MeetingMinutesRequest

    @property
    def entity(self) -> str:
        return f"meeting:{self.event_id}"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.record_meeting_minutes(self.event_id, self.request, idempotency_key)


class NoticeSeenOp(OutboxOp, frozen=True, tag="notice.seen"):
    """A class teacher read a parent's absence notice (the parent sees it read)."""

    notice_id: int

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.mark_absence_notice_seen(self.notice_id, idempotency_key)


class NoticeApplyOp(OutboxOp, frozen=True, tag="notice.apply"):
    """A class teacher excuses the absences an absence notice covers."""

    notice_id: int

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.apply_absence_notice(self.notice_id, idempotency_key)


class IllnessRecordOp(OutboxOp, frozen=True, tag="illness.record"):
    """The health worker records a pupil ill from one day to another."""

    request: wire.MedicalAbsenceCreate

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.record_illness(self.request, idempotency_key)


class ConsentAcceptOp(OutboxOp, frozen=True, tag="consent.accept"):
    """A parent accepts the school's consent text (the version read)."""

    request: wire.ConsentAccept

    @property
    def entity(self) -> str:
        return "consent"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.accept_consent(self.request.version, idempotency_key)


class ConsentWithdrawOp(OutboxOp, frozen=True, tag="consent.withdraw"):
    """A parent withdraws their consent (in Settings)."""

    request: wire.ConsentWithdraw

    @property
    def entity(self) -> str:
        return "consent"

    async def send(self, client: DiaryClient, idempotency_key: str) -> msgspec.Struct:
        return await client.withdraw_consent(self.request.note, idempotency_key)


Op: TypeAlias = (
    MarkCreateOp
    | MarkUpdateOp
    | MarkRemoveOp
    | AbsenceSetOp
    | AbsenceRemoveOp
    | TopicSetOp
    | LessonKindSetOp
    | HomeworkSetOp
    | AttachmentUploadOp
    | PeriodMarkSetOp
    | WeekSignOp
    | NoticeCreateOp
    | NoticeWithdrawOp
    | ReplyOp
    | ThreadCreateOp
    | ChatPostOp
    | ChatHideOp
    | ChatStateOp
    | ClassMessageOp
    | HomeworkDoneOp
    | ThreadReadOp
    | AnnouncementReadOp
    | AnnouncementPostOp
    | BlogPostOp
    | BlogEditOp
    | BlogHideOp
    | BlogCommentOp
    | BlogCommentHideOp
    | MeetingCreateOp
    | MeetingUpdateOp
    | MeetingAnswerOp
    | MeetingMinutesOp
    | NoticeSeenOp
    | NoticeApplyOp
    | IllnessRecordOp
    | ConsentAcceptOp
    | ConsentWithdrawOp
)
"""Every write the outbox keeps."""

_encoder = msgspec.json.Encoder()
_decoder: msgspec.json.Decoder[Op] = msgspec.json.Decoder(Op)


def encode(op: Op) -> bytes:
    return _encoder.encode(op)


def decode(data: bytes) -> Op:
    """An operation as the store keeps it; msgspec.DecodeError/ValidationError if unreadable."""
    return _decoder.decode(data)


# --------------------------------------------------------------------------------------
# Rows kept before operations were typed

_VERSION_REQUIRED = ("mark.update", "mark.remove", "absence.remove", "topic.set")
_PATHS = {
    "mark.update": r"/marks/(?P<mark>\d+|\{id\})",
    "mark.remove": r"/marks/(?P<mark>\d+|\{id\})/remove",
    "absence.set": r"/lessons/(?P<lesson>\d+)/absences/(?P<pupil>\d+)",
    "absence.remove": r"/lessons/(?P<lesson>\d+)/absences/(?P<pupil>\d+)/remove",
    "topic.set": r"/lessons/(?P<lesson>\d+)/topic",
    "homework.set": r"/lessons/(?P<lesson>\d+)/homework",
    "week.sign": r"/pupils/(?P<pupil>\d+)/weeks/(?P<monday>[0-9-]+)/sign",
    "notice.create": r"/pupils/(?P<pupil>\d+)/absence-notices",
    "message.reply": r"/threads/(?P<thread>\d+)/messages",
    "homework_done.set": r"/pupils/(?P<pupil>\d+)/homework/(?P<homework>\d+)/done",
}


def from_legacy(tag: str, path: str, body: bytes, meta: str, entity: str) -> Op:
    """The operation an outbox row of an older version holds (its method, path, JSON body
    and meta). ValueError when it cannot be read."""
    try:
        data = json.loads(body) if body else {}
        extra = json.loads(meta) if meta else {}
    except ValueError as exc:
        raise ValueError(f"unreadable {tag} write") from exc
    if not isinstance(data, dict) or not isinstance(extra, dict):
        raise ValueError(f"unreadable {tag} write")
    pattern = _PATHS.get(tag)
    found = re.fullmatch(pattern, path) if pattern else None
    if pattern and found is None:
        raise ValueError(f"a {tag} write to {path} is not understood")
    ids = found.groupdict() if found else {}
    if tag in _VERSION_REQUIRED and data.get("version") is None:
        data["version"] = UNKNOWN_VERSION
    fields: dict[str, Any] = {"op": tag, "request": data}
    if "j" in extra:
        fields["place"] = {
            "journal": extra["j"],
            "pupil": extra.get("p"),
            "lesson": extra.get("l"),
            "period": extra.get("per"),
            "key": extra.get("k", ""),
        }
    key = entity.removeprefix("mark:") if entity.startswith("mark:") else ""
    if tag.startswith("mark."):
        fields["key"] = key or str(extra.get("k", ""))
    if "mark" in ids:
        fields["mark_id"] = None if ids["mark"] == "{id}" else int(ids["mark"])
    if "lesson" in ids:
        fields["lesson_id"] = int(ids["lesson"])
    if "pupil" in ids:
        fields["pupil_id"] = int(ids["pupil"])
    if tag == "week.sign":
        del fields["request"]
        fields["monday"] = ids["monday"]
    if "thread" in ids:
        fields["thread_id"] = int(ids["thread"])
    if "homework" in ids:
        fields["homework_id"] = int(ids["homework"])
    try:
        op: Op = msgspec.convert(fields, Op)
        return op
    except msgspec.ValidationError as exc:
        raise ValueError(f"a {tag} write is not understood: {exc}") from exc
