"""The async HTTP client of the diary API.

``DiaryClient`` owns one long-lived ``httpx.AsyncClient`` (one kept-alive connection matters on
a slow link), takes a transport for tests (``httpx.ASGITransport(app)`` runs the real server
in-process), returns the contract's Structs, refreshes an expired access token once and
transparently, and turns every failure into one of :mod:`api_client.errors`.

Conditional requests are built in: every GET goes through a :class:`ResponseCache` keyed by
path and query. A cached ETag is sent as ``If-None-Match``; a 304 answer is served from the
cache. The app plugs its on-disk store in as the cache, so an unchanged screen costs a 304.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import httpx
import msgspec

from api_client import endpoints, errors, i18n
from api_client.cache import (  # re-exported: the cache lives apart from httpx
    CachedResponse as CachedResponse,
)
from api_client.cache import MemoryCache as MemoryCache
from api_client.cache import ResponseCache as ResponseCache
from api_client.endpoints import Get, Query
from api_client.models import (
    API_PREFIX,
    AbsenceNotice,
    AbsenceNoticeApplied,
    AbsenceNoticeRequest,
    AbsenceNotices,
    AbsenceRemove,
    AbsenceSet,
    AddChildRequest,
    AnnouncementItem,
    AnnouncementRequest,
    Announcements,
    AssignmentCreate,
    AssignmentInfo,
    Attachment,
    Attendance,
    AuditHead,
    AuditPage,
    AuthorityStats,
    BellDay,
    BellDaySet,
    BellScheduleCreate,
    BellScheduleInfo,
    BellScheduleList,
    BellScheduleUpdate,
    BlogComment,
    BlogCommentRequest,
    BlogPostEdit,
    BlogPostItem,
    BlogPostPage,
    BlogPostRequest,
    BlogPosts,
    BlogVisibility,
    ChangeFeed,
    ChangeItem,
    Chat,
    ChatHide,
    ChatMessage,
    ChatPost,
    ChatState,
    ClassCreate,
    ClassGroupChange,
    ClassGroupCreate,
    ClassGroupInfo,
    ClassList,
    ClassMessageRequest,
    ClassMessageSent,
    ClassStats,
    ClassUpdate,
    ConsentAccept,
    ConsentForCode,
    ConsentHistory,
    ConsentText,
    ConsentTextCreate,
    ConsentWithdraw,
    CredentialSlips,
    EventDetail,
    Events,
    Grades,
    GroupPupilsChange,
    Health,
    HolidayCreate,
    HolidayList,
    HolidayUpdate,
    HomeworkDoneRequest,
    HomeworkDoneState,
    HomeworkList,
    HomeworkSet,
    InviteCodeIssued,
    Journal,
    JournalAbsence,
    JournalHomework,
    JournalLesson,
    JournalMark,
    JournalPeriodMark,
    LessonChange,
    LessonDetail,
    LessonGenerate,
    LessonGeneration,
    LessonKindSet,
    LoginRequest,
    LogoutRequest,
    MarkCreate,
    MarkRemove,
    MarkUpdate,
    Me,
    MedicalAbsenceCreate,
    MedicalAbsenceResult,
    MedicalAbsences,
    MeetingAnswerRequest,
    MeetingMinutesRequest,
    MeetingRequest,
    MeetingUpdate,
    MyConsent,
    NewThreadRequest,
    OneTimePassword,
    PaperConsent,
    ParentLinkChange,
    ParentLinkResult,
    PasswordChange,
    PeriodCreate,
    PeriodMarkSet,
    PeriodUpdate,
    Problem,
    PupilMove,
    PupilSearch,
    ReadRequest,
    ReadState,
    Recipients,
    RefreshRequest,
    RegisterRequest,
    Registration,
    Removal,
    Removed,
    ReplyRequest,
    ReportCard,
    Role,
    RoomCreate,
    RoomList,
    RoomUpdate,
    RosterImportReport,
    SchoolStats,
    SchoolUpdate,
    SetupClass,
    SetupClassList,
    SetupHoliday,
    SetupImportReport,
    SetupPeriod,
    SetupRoom,
    SetupSchool,
    SetupSubject,
    SetupYear,
    SlipFormat,
    SlipPlan,
    SubjectCreate,
    SubjectList,
    SubjectUpdate,
    Thread,
    Threads,
    TimetableRowChange,
    TimetableRowCreate,
    TimetableRowEnd,
    TimetableWrite,
    TokenPair,
    TopicSet,
    UserCreate,
    UserPage,
    UserSummary,
    UserUpdate,
    Week,
    WeekSignature,
    YearClose,
    YearClosePlan,
    YearCreate,
    YearList,
    YearUpdate,
)

T = TypeVar("T")

USER_AGENT = "diary-tui/0.1"

KEEPALIVE_SECONDS = 60.0
"""How long an idle connection is kept for the next request (the server keeps it 75 s)."""
#: The headers of every request, besides Host and those of the request itself.
REQUEST_HEADERS: Mapping[str, str] = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}


async def _say_language(request: httpx.Request) -> None:
    """Every request asks for the user's language (``api_client.i18n``), read as it is sent:
    the server's words (a refusal's ``detail``) come in the language the app speaks now."""
    request.headers["Accept-Language"] = i18n.language()


@dataclass(slots=True)
class TrafficStats:
    """What this client has sent and received, for the status line and the benchmarks."""

    requests: int = 0
    not_modified: int = 0
    bytes_received: int = 0
    """Body bytes as they came over the wire (compressed when the server compressed)."""


TokensChanged = Callable[[TokenPair | None], None]
"""Called with new tokens after login or refresh, and with None when the session ended."""


class _WireProblem(msgspec.Struct):
    """A problem as it arrives: msgspec cannot decode ``Raw | None``, so ``current`` is read
    as Raw with JSON null standing for "none"."""

    title: str = ""
    status: int = 0
    type: str = "about:blank"
    detail: str = ""
    field: str | None = None
    instance: str | None = None
    retry_after: int | None = None
    current: msgspec.Raw = msgspec.Raw(b"null")


Decoder = Callable[[bytes, type[Any]], Any]
"""Decodes JSON from the server as a type (raising ``msgspec.DecodeError`` or
``ValidationError``)."""


def _decode_json(body: bytes, type_: type[T]) -> T:
    return msgspec.json.decode(body, type=type_)


def _read_problem(body: bytes, decode: Decoder = _decode_json) -> Problem | None:
    """The problem document of an error answer, or None when it is not one."""
    try:
        wire: _WireProblem = decode(body, _WireProblem)
        current = None if bytes(wire.current).strip() in (b"", b"null") else wire.current
        if current is not None and decode is not _decode_json:
            # The current value of a stale write's 409 passes the same decoder, as JSON data.
            current = msgspec.Raw(msgspec.json.encode(decode(bytes(current), object)))
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return Problem(
        title=wire.title,
        status=wire.status,
        type=wire.type,
        detail=wire.detail,
        field=wire.field,
        instance=wire.instance,
        retry_after=wire.retry_after,
        current=current,
    )


class DiaryClient:
    """A session with one diary server.

    Use it as ``async with DiaryClient(url) as client: ...``. Give ``refresh_token`` to resume a
    remembered login without a password; ``on_tokens`` hears of every new token pair so the
    caller can keep the refresh token in the OS keyring.
    """

    def __init__(
        self,
        base_url: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        refresh_token: str | None = None,
        on_tokens: TokensChanged | None = None,
        cache: ResponseCache | None = None,
        decode: Decoder | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            base_url=self.base_url + API_PREFIX,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            headers=REQUEST_HEADERS,
            follow_redirects=False,
            # One connection kept between screens: a new one costs a round trip more on a
            # slow link. Closed here before the server's keep-alive (75 s) closes it there.
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE_SECONDS),
            event_hooks={"request": [_say_language]},
        )
        # Every request carries these headers, so on a slow link each byte counts many times:
        # httpx's defaults give way to what the server can use. It compresses with gzip only;
        # keep-alive is HTTP/1.1's default, so "Connection: keep-alive" says nothing; and it
        # never negotiates on Accept (no Accept means any type, RFC 9110 12.5.1).
        for name in ("Accept", "Connection"):
            del self._http.headers[name]
        self._access_token: str | None = None
        self._access_expires = 0.0
        self._refresh_token = refresh_token
        self._on_tokens = on_tokens
        self._refresh_lock = asyncio.Lock()
        self.cache: ResponseCache = cache if cache is not None else MemoryCache()
        self.stats = TrafficStats()
        self._decoder: Decoder = decode if decode is not None else _decode_json
        """Decodes everything the server sends (answers, their cached copies, change events,
        problem documents): the app's decoder also makes the server's text safe to show
        (``diary_tui.text.decode``)."""

    # -- lifecycle ----------------------------------------------------------------------

    async def __aenter__(self) -> DiaryClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def refresh_token(self) -> str | None:
        return self._refresh_token

    @property
    def logged_in(self) -> bool:
        return self._access_token is not None or self._refresh_token is not None

    # -- authentication -----------------------------------------------------------------

    async def login(self, login: str, password: str) -> TokenPair:
        """Log in with a password; raises AuthenticationError or RateLimited."""
        body = LoginRequest(login=login, password=password)
        pair = await self._send("POST", "/auth/login", TokenPair, json=body, auth=False)
        self._accept(pair)
        return pair

    async def refresh(self) -> TokenPair:
        """Trade the refresh token for a new pair (the old refresh token stops working)."""
        async with self._refresh_lock:
            return await self._refresh_locked()

    async def _refresh_locked(self) -> TokenPair:
        if self._refresh_token is None:
            raise errors.AuthenticationError("Not logged in: log in with a login and password.")
        body = RefreshRequest(refresh_token=self._refresh_token)
        try:
            pair = await self._send("POST", "/auth/refresh", TokenPair, json=body, auth=False)
        except errors.AuthenticationError:
            self._forget()
            raise errors.AuthenticationError(
                "The saved login has expired or was ended elsewhere: log in again.", status=401
            ) from None
        self._accept(pair)
        return pair

    async def logout(self) -> None:
        """End the session on the server; forget the tokens even if the server is unreachable."""
        token = self._refresh_token
        try:
            if token is not None:
                await self._send(
                    "POST",
                    "/auth/logout",
                    None,
                    json=LogoutRequest(refresh_token=token),
                    auth=False,
                )
        finally:
            self._forget()

    def _accept(self, pair: TokenPair) -> None:
        self._access_token = pair.access_token
        # Renew a little early so a request never leaves with a token about to expire.
        self._access_expires = time.monotonic() + max(pair.expires_in - 15, 1)
        self._refresh_token = pair.refresh_token
        if self._on_tokens is not None:
            self._on_tokens(pair)

    def _forget(self) -> None:
        had = self._access_token is not None or self._refresh_token is not None
        self._access_token = None
        self._refresh_token = None
        self._access_expires = 0.0
        if had and self._on_tokens is not None:
            self._on_tokens(None)

    async def _auth_header(self, *, force_refresh: bool = False) -> dict[str, str]:
        stale = self._access_token is None or time.monotonic() >= self._access_expires
        if force_refresh or stale:
            async with self._refresh_lock:
                # Another request may have refreshed while this one waited for the lock.
                still_stale = self._access_token is None or time.monotonic() >= self._access_expires
                if force_refresh or still_stale:
                    await self._refresh_locked()
        return {"Authorization": f"Bearer {self._access_token}"}

    # -- endpoints ----------------------------------------------------------------------

    async def health(self) -> Health:
        return await self.fetch(endpoints.health())

    async def me(self) -> Me:
        return await self.fetch(endpoints.me())

    async def week(self, pupil_id: int, day: dt.date | None = None) -> Week:
        """The week of ``pupil_id`` that contains ``day`` (today on the server by default)."""
        return await self.fetch(endpoints.week(pupil_id, day))

    # -- the class journal ---------------------------------------------------------------
    # Every write takes its Idempotency-Key from the caller: the outbox stores the key with
    # the change, so a resend after a crash or a lost answer reuses it and lands once.

    async def journal(
        self, class_id: int, subject_id: int, period_id: int | None = None
    ) -> Journal:
        """A class's journal for a subject and period (the period containing today by default)."""
        return await self.fetch(endpoints.journal(class_id, subject_id, period_id))

    async def mark(self, mark_id: int) -> JournalMark:
        """One mark as its journal shows it, with the version a change of it is based on."""
        return await self.fetch(endpoints.mark(mark_id))

    async def create_mark(self, body: MarkCreate, idempotency_key: str) -> JournalMark:
        return await self._send(
            "POST", "/marks", JournalMark, json=body, idempotency_key=idempotency_key
        )

    async def update_mark(
        self, mark_id: int, body: MarkUpdate, idempotency_key: str
    ) -> JournalMark:
        return await self._send(
            "PATCH", f"/marks/{mark_id}", JournalMark, json=body, idempotency_key=idempotency_key
        )

    async def remove_mark(
        self, mark_id: int, body: MarkRemove, idempotency_key: str
    ) -> JournalMark:
        """Remove a mark: the answer is the mark with ``removed`` True (the row is kept)."""
        return await self._send(
            "POST",
            f"/marks/{mark_id}/remove",
            JournalMark,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_absence(
        self, lesson_id: int, pupil_id: int, body: AbsenceSet, idempotency_key: str
    ) -> JournalAbsence:
        return await self._send(
            "PUT",
            f"/lessons/{lesson_id}/absences/{pupil_id}",
            JournalAbsence,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def remove_absence(
        self, lesson_id: int, pupil_id: int, body: AbsenceRemove, idempotency_key: str
    ) -> JournalAbsence:
        return await self._send(
            "POST",
            f"/lessons/{lesson_id}/absences/{pupil_id}/remove",
            JournalAbsence,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_topic(
        self, lesson_id: int, body: TopicSet, idempotency_key: str
    ) -> JournalLesson:
        return await self._send(
            "PATCH",
            f"/lessons/{lesson_id}/topic",
            JournalLesson,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_lesson_kind(
        self, lesson_id: int, body: LessonKindSet, idempotency_key: str
    ) -> JournalLesson:
        return await self._send(
            "PATCH",
            f"/lessons/{lesson_id}/kind",
            JournalLesson,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_homework(
        self, lesson_id: int, body: HomeworkSet, idempotency_key: str
    ) -> JournalHomework:
        """Set a lesson's homework; an empty text removes it."""
        return await self._send(
            "PUT",
            f"/lessons/{lesson_id}/homework",
            JournalHomework,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_period_mark(self, body: PeriodMarkSet, idempotency_key: str) -> JournalPeriodMark:
        """Set a period mark; ``value`` None removes it."""
        return await self._send(
            "PUT", "/period-marks", JournalPeriodMark, json=body, idempotency_key=idempotency_key
        )

    async def lesson(self, lesson_id: int) -> LessonDetail:
        """One lesson as the timetable holds it, with the teachers who could substitute (the
        administration)."""
        return await self.fetch(endpoints.lesson(lesson_id))

    async def change_lesson(
        self, lesson_id: int, body: LessonChange, idempotency_key: str
    ) -> LessonDetail:
        """Cancel or restore a lesson, give it a substitute or another room (the
        administration); a stale ``body.version`` raises a conflict with the current lesson."""
        return await self._send(
            "PATCH",
            f"/lessons/{lesson_id}",
            LessonDetail,
            json=body,
            idempotency_key=idempotency_key,
        )

    # -- messages, announcements, signing ---------------------------------------------

    async def threads(self) -> Threads:
        return await self.fetch(endpoints.threads())

    async def thread(self, thread_id: int) -> Thread:
        return await self.fetch(endpoints.thread(thread_id))

    async def mark_thread_read(
        self, thread_id: int, last_read_id: int, idempotency_key: str | None = None
    ) -> ReadState:
        return await self._send(
            "POST",
            f"/threads/{thread_id}/read",
            ReadState,
            json=ReadRequest(last_read_id=last_read_id),
            idempotency_key=idempotency_key,
        )

    async def reply(self, thread_id: int, body: str, idempotency_key: str | None = None) -> Thread:
        return await self._send(
            "POST",
            f"/threads/{thread_id}/messages",
            Thread,
            json=ReplyRequest(body=body),
            idempotency_key=idempotency_key,
        )

    async def post_chat_message(
        self, class_id: int, body: str, idempotency_key: str | None = None
    ) -> ChatMessage:
        return await self._send(
            "POST",
            f"/chats/{class_id}/messages",
            ChatMessage,
            json=ChatPost(body=body),
            idempotency_key=idempotency_key,
        )

    async def hide_chat_message(
        self, class_id: int, message_id: int, body: ChatHide, idempotency_key: str | None = None
    ) -> ChatMessage:
        return await self._send(
            "POST",
            f"/chats/{class_id}/messages/{message_id}/hide",
            ChatMessage,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_chat_state(
        self, class_id: int, closed: bool, idempotency_key: str | None = None
    ) -> Chat:
        return await self._send(
            "POST",
            f"/chats/{class_id}/state",
            Chat,
            json=ChatState(closed=closed),
            idempotency_key=idempotency_key,
        )

    async def start_thread(
        self, body: NewThreadRequest, idempotency_key: str | None = None
    ) -> Thread:
        return await self._send(
            "POST", "/threads", Thread, json=body, idempotency_key=idempotency_key
        )

    async def message_class_parents(
        self, class_id: int, body: ClassMessageRequest, idempotency_key: str | None = None
    ) -> ClassMessageSent:
        """One message to a class's parents (all, or ``parent_ids``): a thread each."""
        return await self._send(
            "POST",
            f"/classes/{class_id}/parent-messages",
            ClassMessageSent,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def recipients(self, pupil_id: int) -> Recipients:
        return await self.fetch(endpoints.recipients(pupil_id))

    async def announcements(self, pupil_id: int | None = None) -> Announcements:
        return await self.fetch(endpoints.announcements(pupil_id))

    async def mark_announcement_read(
        self, announcement_id: int, idempotency_key: str | None = None
    ) -> AnnouncementItem:
        return await self._send(
            "POST",
            f"/announcements/{announcement_id}/read",
            AnnouncementItem,
            idempotency_key=idempotency_key,
        )

    async def post_announcement(
        self, body: AnnouncementRequest, idempotency_key: str | None = None
    ) -> AnnouncementItem:
        return await self._send(
            "POST", "/announcements", AnnouncementItem, json=body, idempotency_key=idempotency_key
        )

    # -- teacher blogs -------------------------------------------------------------------

    async def blog_posts(self) -> BlogPosts:
        return await self.fetch(endpoints.blog_posts())

    async def blog_post(self, post_id: int) -> BlogPostPage:
        return await self.fetch(endpoints.blog_post(post_id))

    async def create_blog_post(
        self, body: BlogPostRequest, idempotency_key: str | None = None
    ) -> BlogPostItem:
        return await self._send(
            "POST", "/blogs", BlogPostItem, json=body, idempotency_key=idempotency_key
        )

    async def edit_blog_post(
        self, post_id: int, body: BlogPostEdit, idempotency_key: str | None = None
    ) -> BlogPostItem:
        return await self._send(
            "PATCH", f"/blogs/{post_id}", BlogPostItem, json=body, idempotency_key=idempotency_key
        )

    async def set_blog_post_hidden(
        self, post_id: int, body: BlogVisibility, idempotency_key: str | None = None
    ) -> BlogPostItem:
        return await self._send(
            "POST",
            f"/blogs/{post_id}/visibility",
            BlogPostItem,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def comment_blog_post(
        self, post_id: int, body: BlogCommentRequest, idempotency_key: str | None = None
    ) -> BlogComment:
        return await self._send(
            "POST",
            f"/blogs/{post_id}/comments",
            BlogComment,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_blog_comment_hidden(
        self,
        post_id: int,
        comment_id: int,
        body: BlogVisibility,
        idempotency_key: str | None = None,
    ) -> BlogComment:
        return await self._send(
            "POST",
            f"/blogs/{post_id}/comments/{comment_id}/visibility",
            BlogComment,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def events(self, start: dt.date, end: dt.date, pupil_id: int | None = None) -> Events:
        return await self.fetch(endpoints.events(start, end, pupil_id))

    async def event(self, event_id: int) -> EventDetail:
        return await self.fetch(endpoints.event(event_id))

    async def create_meeting(
        self, body: MeetingRequest, idempotency_key: str | None = None
    ) -> EventDetail:
        """Plan a parent meeting (the class teacher, the administration)."""
        return await self._send(
            "POST", "/meetings", EventDetail, json=body, idempotency_key=idempotency_key
        )

    async def update_meeting(
        self, event_id: int, body: MeetingUpdate, idempotency_key: str | None = None
    ) -> EventDetail:
        """Change or cancel a meeting before it starts (based on ``body.version``)."""
        return await self._send(
            "PATCH",
            f"/meetings/{event_id}",
            EventDetail,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def answer_meeting(
        self, event_id: int, body: MeetingAnswerRequest, idempotency_key: str | None = None
    ) -> EventDetail:
        """A parent's answer: coming or not, with a comment."""
        return await self._send(
            "PUT",
            f"/meetings/{event_id}/answer",
            EventDetail,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def record_meeting_minutes(
        self, event_id: int, body: MeetingMinutesRequest, idempotency_key: str | None = None
    ) -> EventDetail:
        """The minutes of a meeting that has begun (based on ``body.version``)."""
        return await self._send(
            "PUT",
            f"/meetings/{event_id}/minutes",
            EventDetail,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def sign_week(
        self, pupil_id: int, monday: dt.date, idempotency_key: str | None = None
    ) -> WeekSignature:
        """Sign ``pupil_id``'s week that starts on ``monday`` (a parent of the pupil only)."""
        return await self._send(
            "POST",
            f"/pupils/{pupil_id}/weeks/{monday.isoformat()}/sign",
            WeekSignature,
            idempotency_key=idempotency_key,
        )

    # -- grades, homework, attendance ---------------------------------------------------

    async def grades(self, pupil_id: int, period: int | str | None = None) -> Grades:
        """Marks per subject of a period (an id, or ``"year"``); default the current one."""
        return await self.fetch(endpoints.grades(pupil_id, period))

    async def report_card(self, pupil_id: int) -> ReportCard:
        return await self.fetch(endpoints.report_card(pupil_id))

    async def homework(
        self,
        pupil_id: int,
        start: dt.date | None = None,
        end: dt.date | None = None,
        subject_id: int | None = None,
    ) -> HomeworkList:
        return await self.fetch(endpoints.homework(pupil_id, start, end, subject_id))

    async def set_homework_done(
        self, pupil_id: int, homework_id: int, done: bool, idempotency_key: str | None = None
    ) -> HomeworkDoneState:
        return await self._send(
            "PUT",
            f"/pupils/{pupil_id}/homework/{homework_id}/done",
            HomeworkDoneState,
            json=HomeworkDoneRequest(done=done),
            idempotency_key=idempotency_key,
        )

    async def upload_attachment(
        self,
        lesson_id: int,
        name: str,
        content: bytes,
        idempotency_key: str,
        *,
        reason: str = "",
    ) -> Attachment:
        """Attach a file to a lesson's homework (the homework must be set first); ``reason``:
        the administration's, correcting a closed year."""
        params = {"name": name, **({"reason": reason} if reason else {})}
        return await self._send_body(
            f"/lessons/{lesson_id}/homework/attachments",
            Attachment,
            content,
            "application/octet-stream",
            idempotency_key=idempotency_key,
            params=params,
        )

    async def attachment(self, attachment_id: int) -> bytes:
        """The bytes of a homework attachment (not cached: files are saved by the caller)."""
        response = await self._request("GET", f"/attachments/{attachment_id}")
        self._raise_for_status(response)
        return response.content

    async def attendance(self, pupil_id: int, period: int | str | None = None) -> Attendance:
        return await self.fetch(endpoints.attendance(pupil_id, period))

    async def absence_notices(self, pupil_id: int) -> AbsenceNotices:
        return await self.fetch(endpoints.absence_notices(pupil_id))

    async def class_absence_notices(self, class_id: int) -> AbsenceNotices:
        return await self.fetch(endpoints.class_absence_notices(class_id))

    async def send_absence_notice(
        self, pupil_id: int, body: AbsenceNoticeRequest, idempotency_key: str | None = None
    ) -> AbsenceNotice:
        return await self._send(
            "POST",
            f"/pupils/{pupil_id}/absence-notices",
            AbsenceNotice,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def mark_absence_notice_seen(
        self, notice_id: int, idempotency_key: str | None = None
    ) -> AbsenceNotice:
        """The class teacher (or the administration) has read the notice."""
        return await self._send(
            "POST",
            f"/absence-notices/{notice_id}/seen",
            AbsenceNotice,
            idempotency_key=idempotency_key,
        )

    async def withdraw_absence_notice(
        self, notice_id: int, idempotency_key: str | None = None
    ) -> AbsenceNotice:
        """A parent takes back a notice the class teacher has not read yet."""
        return await self._send(
            "POST",
            f"/absence-notices/{notice_id}/withdraw",
            AbsenceNotice,
            idempotency_key=idempotency_key,
        )

    async def apply_absence_notice(
        self, notice_id: int, idempotency_key: str | None = None
    ) -> AbsenceNoticeApplied:
        """Excuse the pupil's unexcused absences on the notice's days (the class teacher)."""
        return await self._send(
            "POST",
            f"/absence-notices/{notice_id}/apply",
            AbsenceNoticeApplied,
            idempotency_key=idempotency_key,
        )

    # -- the change feed -------------------------------------------------------------------

    @property
    def streams(self) -> bool:
        """Whether the transport delivers a response while it is still being sent (a real
        connection does; the in-process ASGI transport of the tests answers at the end)."""
        return not isinstance(self._http._transport, httpx.ASGITransport)

    async def changes(self, since: str | None = None, limit: int | None = None) -> ChangeFeed:
        """What changed for this user after ``since``, oldest first (never cached).

        Without ``since``: no changes, and ``next`` is the newest cursor (start there)."""
        params: dict[str, str | int] = {}
        if since is not None:
            params["since"] = since
        if limit is not None:
            params["limit"] = limit
        response = await self._request("GET", "/changes", params=params or None)
        self._raise_for_status(response)
        return self._decode(response.content, ChangeFeed)

    async def audit_head(self, position: int) -> AuditHead | None:
        """The server's audit record at ``position`` (a hash); ``None`` when the chain no
        longer holds it."""
        response = await self._request("GET", "/audit/head", params={"at": position})
        if response.status_code == 404:
            return None
        self._raise_for_status(response)
        return self._decode(response.content, AuditHead)

    async def stream(
        self, since: str | None = None, *, read_timeout: float = 45.0
    ) -> AsyncIterator[ChangeItem]:
        """The live stream of changes after ``since`` (none: from now on).

        Yields each change as the server sends it. Raises Offline when the connection fails
        or stays silent for ``read_timeout`` seconds (the server sends a keep-alive every
        15 s); returns when the server ends the stream. Either way, resume with the cursor of
        the last change seen.
        """
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if since is not None:
            headers["Last-Event-ID"] = since
        timeout = httpx.Timeout(read_timeout, connect=self._http.timeout.connect)
        for attempt in (1, 2):
            headers.update(await self._auth_header(force_refresh=attempt == 2))
            try:
                async with self._http.stream(
                    "GET", "/changes/stream", headers=headers, timeout=timeout
                ) as response:
                    self.stats.requests += 1
                    if response.status_code == 401 and attempt == 1 and self._refresh_token:
                        continue  # the access token expired early: refresh once
                    if response.status_code >= 400:
                        await response.aread()
                        self._raise_for_status(response)
                    try:
                        async for item in self._events(response.aiter_lines()):
                            yield item
                    finally:
                        self.stats.bytes_received += int(response.num_bytes_downloaded)
                    return
            except httpx.TimeoutException as exc:
                raise errors.Offline(f"The server at {self.base_url} went silent.") from exc
            except httpx.HTTPError as exc:
                raise errors.Offline(f"The change stream from {self.base_url} broke.") from exc

    async def _events(self, lines: AsyncIterator[str]) -> AsyncIterator[ChangeItem]:
        """Server-sent events as ChangeItems (comments and other events are skipped)."""
        event, data = "", list[str]()
        async for line in lines:
            if not line:
                text = "\n".join(data)
                if text.strip() and event in ("", "change"):  # a comment comes with empty data
                    yield self._decode(text.encode(), ChangeItem)
                event, data = "", list[str]()
            elif line.startswith(":"):
                continue
            else:
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "data":
                    data.append(value)
                elif name == "event":
                    event = value

    # -- accounts (IT staff) and registration -------------------------------------------

    async def users(
        self,
        q: str = "",
        *,
        role: Role | None = None,
        class_: str | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> UserPage:
        """Accounts of the school whose login or name holds ``q``; ``class_`` is a class name
        (``5А``) or id."""
        return await self.fetch(endpoints.users(q, role, class_, offset, limit))

    async def classes(self) -> ClassList:
        return await self.fetch(endpoints.classes())

    async def user(self, user_id: int) -> UserSummary:
        return await self.fetch(endpoints.user(user_id))

    async def create_user(
        self, body: UserCreate, idempotency_key: str | None = None
    ) -> OneTimePassword:
        return await self._send(
            "POST", "/users", OneTimePassword, json=body, idempotency_key=idempotency_key
        )

    async def update_user(
        self, user_id: int, body: UserUpdate, idempotency_key: str | None = None
    ) -> UserSummary:
        """Names and locking of an account, on the version ``body.version`` the change was
        based on (``UserSummary.version``). A stale version raises
        :class:`~api_client.errors.Conflict`: ``current_as(UserSummary)`` is the account as it
        is now, and nothing was changed."""
        return await self._send(
            "PATCH", f"/users/{user_id}", UserSummary, json=body, idempotency_key=idempotency_key
        )

    async def reset_password(
        self, user_id: int, idempotency_key: str | None = None
    ) -> OneTimePassword:
        return await self._send(
            "POST",
            f"/users/{user_id}/reset-password",
            OneTimePassword,
            idempotency_key=idempotency_key,
        )

    async def close_year(
        self, year_id: int, body: YearClose, idempotency_key: str | None = None
    ) -> YearClosePlan:
        """Close an academic year into the next (a dry run unless ``body.apply``)."""
        return await self._send(
            "POST",
            f"/setup/years/{year_id}/close",
            YearClosePlan,
            json=body,
            idempotency_key=idempotency_key,
        )

    # -- the school's set-up (IT staff and administration) ---------------------------------
    #
    # Each write names the version it was based on where it changes a thing; a stale one
    # raises Conflict whose ``current_as(...)`` is the thing as it is now.

    async def setup_school(self) -> SetupSchool:
        return await self.fetch(endpoints.setup_school())

    async def update_school(
        self, body: SchoolUpdate, idempotency_key: str | None = None
    ) -> SetupSchool:
        return await self._send(
            "PATCH", "/setup/school", SetupSchool, json=body, idempotency_key=idempotency_key
        )

    async def setup_years(self) -> YearList:
        return await self.fetch(endpoints.setup_years())

    async def create_year(self, body: YearCreate, idempotency_key: str | None = None) -> SetupYear:
        return await self._send(
            "POST", "/setup/years", SetupYear, json=body, idempotency_key=idempotency_key
        )

    async def update_year(
        self, year_id: int, body: YearUpdate, idempotency_key: str | None = None
    ) -> SetupYear:
        return await self._send(
            "PATCH",
            f"/setup/years/{year_id}",
            SetupYear,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def add_period(
        self, year_id: int, body: PeriodCreate, idempotency_key: str | None = None
    ) -> SetupPeriod:
        return await self._send(
            "POST",
            f"/setup/years/{year_id}/periods",
            SetupPeriod,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def update_period(
        self, period_id: int, body: PeriodUpdate, idempotency_key: str | None = None
    ) -> SetupPeriod:
        return await self._send(
            "PATCH",
            f"/setup/periods/{period_id}",
            SetupPeriod,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def remove_period(
        self, period_id: int, body: Removal, idempotency_key: str | None = None
    ) -> Removed:
        """Only while no period mark was given in it."""
        return await self._send(
            "POST",
            f"/setup/periods/{period_id}/remove",
            Removed,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def add_holidays(
        self, year_id: int, body: HolidayCreate, idempotency_key: str | None = None
    ) -> HolidayList:
        """A day off, or every day of a break (``body.end``)."""
        return await self._send(
            "POST",
            f"/setup/years/{year_id}/holidays",
            HolidayList,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def update_holiday(
        self, holiday_id: int, body: HolidayUpdate, idempotency_key: str | None = None
    ) -> SetupHoliday:
        return await self._send(
            "PATCH",
            f"/setup/holidays/{holiday_id}",
            SetupHoliday,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def remove_holiday(
        self, holiday_id: int, body: Removal, idempotency_key: str | None = None
    ) -> Removed:
        return await self._send(
            "POST",
            f"/setup/holidays/{holiday_id}/remove",
            Removed,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def bell_schedules(self) -> BellScheduleList:
        return await self.fetch(endpoints.setup_bell_schedules())

    async def create_bell_schedule(
        self, body: BellScheduleCreate, idempotency_key: str | None = None
    ) -> BellScheduleInfo:
        return await self._send(
            "POST",
            "/setup/bell-schedules",
            BellScheduleInfo,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def update_bell_schedule(
        self, schedule_id: int, body: BellScheduleUpdate, idempotency_key: str | None = None
    ) -> BellScheduleInfo:
        return await self._send(
            "PATCH",
            f"/setup/bell-schedules/{schedule_id}",
            BellScheduleInfo,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_bell_day(self, body: BellDaySet, idempotency_key: str | None = None) -> BellDay:
        """Give a date a schedule (a shortened day); ``schedule_id`` None gives it back."""
        return await self._send(
            "POST", "/setup/bell-days", BellDay, json=body, idempotency_key=idempotency_key
        )

    async def setup_subjects(self) -> SubjectList:
        return await self.fetch(endpoints.setup_subjects())

    async def create_subject(
        self, body: SubjectCreate, idempotency_key: str | None = None
    ) -> SetupSubject:
        return await self._send(
            "POST", "/setup/subjects", SetupSubject, json=body, idempotency_key=idempotency_key
        )

    async def update_subject(
        self, subject_id: int, body: SubjectUpdate, idempotency_key: str | None = None
    ) -> SetupSubject:
        return await self._send(
            "PATCH",
            f"/setup/subjects/{subject_id}",
            SetupSubject,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def setup_rooms(self) -> RoomList:
        return await self.fetch(endpoints.setup_rooms())

    async def create_room(self, body: RoomCreate, idempotency_key: str | None = None) -> SetupRoom:
        return await self._send(
            "POST", "/setup/rooms", SetupRoom, json=body, idempotency_key=idempotency_key
        )

    async def update_room(
        self, room_id: int, body: RoomUpdate, idempotency_key: str | None = None
    ) -> SetupRoom:
        return await self._send(
            "PATCH",
            f"/setup/rooms/{room_id}",
            SetupRoom,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def setup_classes(self, year_id: int | None = None) -> SetupClassList:
        return await self.fetch(endpoints.setup_classes(year_id))

    async def create_class(
        self, body: ClassCreate, idempotency_key: str | None = None
    ) -> SetupClass:
        return await self._send(
            "POST", "/setup/classes", SetupClass, json=body, idempotency_key=idempotency_key
        )

    async def update_class(
        self, class_id: int, body: ClassUpdate, idempotency_key: str | None = None
    ) -> SetupClass:
        return await self._send(
            "PATCH",
            f"/setup/classes/{class_id}",
            SetupClass,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def set_parent_link(
        self, parent_id: int, pupil_id: int, linked: bool, idempotency_key: str | None = None
    ) -> ParentLinkResult:
        path = "/parent-links" if linked else "/parent-links/remove"
        body = ParentLinkChange(parent_id=parent_id, pupil_id=pupil_id)
        return await self._send(
            "POST", path, ParentLinkResult, json=body, idempotency_key=idempotency_key
        )

    async def move_pupil(
        self,
        pupil_id: int,
        class_id: int,
        day: dt.date | None = None,
        idempotency_key: str | None = None,
    ) -> UserSummary:
        body = PupilMove(class_id=class_id, date=day)
        return await self._send(
            "POST",
            f"/pupils/{pupil_id}/move",
            UserSummary,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def import_roster(
        self, data: bytes, *, dry_run: bool, idempotency_key: str | None = None
    ) -> RosterImportReport:
        """Plan (``dry_run``) or import a roster CSV file. A refused import raises
        InvalidRequest whose ``problem.current`` holds the report."""
        return await self._send_body(
            "/roster/import",
            RosterImportReport,
            data,
            "text/csv",
            idempotency_key=idempotency_key,
            params={"dry_run": "true" if dry_run else "false"},
        )

    async def import_setup(
        self,
        kind: str,
        data: bytes,
        *,
        dry_run: bool,
        zip_file: bool = False,
        idempotency_key: str | None = None,
    ) -> SetupImportReport:
        """Plan (``dry_run``) or import a set-up file of ``kind`` (``subjects``, ``rooms``,
        ``classes``, ``groups``, ``assignments``, ``timetable``) or a OneRoster bulk
        (``oneroster``: a zip of its CSV files). A refused import raises InvalidRequest whose
        ``problem.current`` holds the report."""
        return await self._send_body(
            f"/setup/import/{kind}",
            SetupImportReport,
            data,
            "application/zip" if zip_file else "text/csv",
            idempotency_key=idempotency_key,
            params={"dry_run": "true" if dry_run else "false"},
        )

    # -- set-up: groups, teaching assignments, the weekly timetable ---------------------------

    async def create_group(
        self, body: ClassGroupCreate, idempotency_key: str | None = None
    ) -> ClassGroupInfo:
        """A class's group for a subject, with its teacher (given the teaching assignment) and
        pupils."""
        return await self._send(
            "POST", "/groups", ClassGroupInfo, json=body, idempotency_key=idempotency_key
        )

    async def change_group(
        self, group_id: int, body: ClassGroupChange, idempotency_key: str | None = None
    ) -> ClassGroupInfo:
        """Rename a group, change its teacher, retire it or bring it back, on ``body.version``
        (a stale one raises :class:`~api_client.errors.Conflict`)."""
        return await self._send(
            "POST",
            f"/groups/{group_id}",
            ClassGroupInfo,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def change_group_pupils(
        self, group_id: int, body: GroupPupilsChange, idempotency_key: str | None = None
    ) -> ClassGroupInfo:
        """Pupils of the class join or leave a group on a day."""
        return await self._send(
            "POST",
            f"/groups/{group_id}/pupils",
            ClassGroupInfo,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def create_assignment(
        self, body: AssignmentCreate, idempotency_key: str | None = None
    ) -> AssignmentInfo:
        """A teacher teaches a subject to a class or a group (the same again answers it)."""
        return await self._send(
            "POST", "/assignments", AssignmentInfo, json=body, idempotency_key=idempotency_key
        )

    async def remove_assignment(
        self, assignment_id: int, idempotency_key: str | None = None
    ) -> AssignmentInfo:
        """Refused while the teacher has timetable rows for it."""
        return await self._send(
            "POST",
            f"/assignments/{assignment_id}/remove",
            AssignmentInfo,
            idempotency_key=idempotency_key,
        )

    async def create_timetable_row(
        self, body: TimetableRowCreate, idempotency_key: str | None = None
    ) -> TimetableWrite:
        """A row of the weekly timetable; its lessons are made at once (refused, naming the
        clash, when the teacher, room, class or group is busy then)."""
        return await self._send(
            "POST", "/timetable", TimetableWrite, json=body, idempotency_key=idempotency_key
        )

    async def change_timetable_row(
        self, row_id: int, body: TimetableRowChange, idempotency_key: str | None = None
    ) -> TimetableWrite:
        """Change a row from ``body.valid_from`` on; the lessons from then on are made again
        (those with marks, absences, a topic or homework kept and reported)."""
        return await self._send(
            "POST",
            f"/timetable/{row_id}",
            TimetableWrite,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def end_timetable_row(
        self, row_id: int, body: TimetableRowEnd, idempotency_key: str | None = None
    ) -> TimetableWrite:
        """End a row from ``body.valid_from`` on: its lessons from then on go, but kept ones."""
        return await self._send(
            "POST",
            f"/timetable/{row_id}/end",
            TimetableWrite,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def generate_lessons(
        self, body: LessonGenerate, idempotency_key: str | None = None
    ) -> LessonGeneration:
        """Make the lessons of a class (or of every class) again from a day on."""
        return await self._send(
            "POST",
            "/timetable/generate",
            LessonGeneration,
            json=body,
            idempotency_key=idempotency_key,
        )

    async def slip_plan(self, class_id: int) -> SlipPlan:
        """How many accounts a class's slips with new passwords would reset."""
        response = await self._request("GET", f"/classes/{class_id}/slips/plan")
        self._raise_for_status(response)
        return self._decode(response.content, SlipPlan)

    async def invite_code(
        self, pupil_id: int, idempotency_key: str | None = None
    ) -> InviteCodeIssued:
        """A new invite code for one parent of the pupil; no password changes."""
        return await self._send(
            "POST",
            f"/pupils/{pupil_id}/invite-code",
            InviteCodeIssued,
            idempotency_key=idempotency_key,
        )

    async def class_slips(
        self,
        class_id: int,
        format: SlipFormat = SlipFormat.TEXT,
        *,
        invites_only: bool = False,
        reset_confirmed: int | None = None,
        idempotency_key: str | None = None,
    ) -> CredentialSlips:
        """Credential slips for a class (the IT staff): invite codes, and with
        ``reset_confirmed`` (the count of accounts :meth:`slip_plan` gave) new one-time
        passwords; or invite codes only (``invites_only``: the class teacher too)."""
        path = f"/classes/{class_id}/" + ("invite-codes" if invites_only else "slips")
        params = {"format": format.value}
        if reset_confirmed is not None:
            params |= {"reset_passwords": "true", "confirm": str(reset_confirmed)}
        return await self._send(
            "POST",
            path,
            CredentialSlips,
            params=params,
            idempotency_key=idempotency_key,
        )

    async def change_password(
        self, old: str, new: str, idempotency_key: str | None = None
    ) -> UserSummary:
        body = PasswordChange(old=old, new=new)
        return await self._send(
            "POST", "/me/password", UserSummary, json=body, idempotency_key=idempotency_key
        )

    async def register(self, body: RegisterRequest) -> Registration:
        """Create a parent account with an invite code (no login needed)."""
        return await self._send("POST", "/register", Registration, json=body, auth=False)

    async def add_child(self, code: str, idempotency_key: str | None = None) -> Registration:
        return await self._send(
            "POST",
            "/register/add-child",
            Registration,
            json=AddChildRequest(code=code),
            idempotency_key=idempotency_key,
        )

    # -- consent to the processing of personal data ------------------------------------------

    async def consent_for_code(self, code: str) -> ConsentText:
        """Before registering: the consent text of the invite code's school (no login)."""
        return await self._send(
            "POST", "/register/consent", ConsentText, json=ConsentForCode(code=code), auth=False
        )

    async def accept_consent(self, version: int, idempotency_key: str | None = None) -> MyConsent:
        return await self._send(
            "POST",
            "/me/consent",
            MyConsent,
            json=ConsentAccept(version=version),
            idempotency_key=idempotency_key,
        )

    async def withdraw_consent(
        self, note: str = "", idempotency_key: str | None = None
    ) -> MyConsent:
        return await self._send(
            "POST",
            "/me/consent/withdraw",
            MyConsent,
            json=ConsentWithdraw(note=note),
            idempotency_key=idempotency_key,
        )

    async def new_consent_text(self, text: str, idempotency_key: str | None = None) -> ConsentText:
        """A new version of the school's text: every parent is asked again."""
        return await self._send(
            "POST",
            "/consent/texts",
            ConsentText,
            json=ConsentTextCreate(text=text),
            idempotency_key=idempotency_key,
        )

    async def record_paper_consent(
        self, parent_id: int, body: PaperConsent, idempotency_key: str | None = None
    ) -> ConsentHistory:
        return await self._send(
            "POST",
            f"/consent/parents/{parent_id}",
            ConsentHistory,
            json=body,
            idempotency_key=idempotency_key,
        )

    # -- the audit log, statistics, medical absences -----------------------------------------

    async def audit(
        self,
        filters: endpoints.AuditFilters | None = None,
        *,
        limit: int = 50,
        before: int | None = None,
    ) -> AuditPage:
        """A page of the audit log, newest first (:class:`endpoints.AuditFilters`)."""
        return await self.fetch(
            (filters or endpoints.AuditFilters()).page(limit=limit, before=before)
        )

    async def school_stats(self, period_id: int | None = None) -> SchoolStats:
        return await self.fetch(endpoints.school_stats(period_id))

    async def class_stats(self, class_id: int, period_id: int | None = None) -> ClassStats:
        return await self.fetch(endpoints.class_stats(class_id, period_id))

    async def authority_stats(self, period_id: int | None = None) -> AuthorityStats:
        return await self.fetch(endpoints.authority_stats(period_id))

    async def search_pupils(self, query: str) -> PupilSearch:
        """Pupils by name: names and classes only."""
        return await self.fetch(endpoints.search_pupils(query))

    async def medical_absences(
        self, pupil_id: int, start: dt.date | None = None, end: dt.date | None = None
    ) -> MedicalAbsences:
        return await self.fetch(endpoints.medical_absences(pupil_id, start, end))

    async def record_illness(
        self, body: MedicalAbsenceCreate, idempotency_key: str | None = None
    ) -> MedicalAbsenceResult:
        """An illness absence for every lesson of the pupil from ``start`` to ``end``."""
        return await self._send(
            "POST",
            "/medical/absences",
            MedicalAbsenceResult,
            json=body,
            idempotency_key=idempotency_key,
        )

    # -- the machinery --------------------------------------------------------------------

    async def fetch(self, req: Get[T]) -> T:
        """The answer to ``req``, conditional on the ETag the cache keeps under ``req.key``."""
        cached = self.cache.get(req.key)
        headers = {"If-None-Match": cached.etag} if cached else {}
        response = await self._request(
            "GET", req.path, params=req.params or None, headers=headers, auth=req.auth
        )
        if response.status_code == 304 and cached is not None:
            self.stats.not_modified += 1
            return self._decode(cached.body, req.type)
        self._raise_for_status(response)
        value = self._decode(response.content, req.type)
        etag = response.headers.get("ETag")
        if etag:
            self.cache.put(req.key, etag, response.content)
        return value

    async def get(
        self,
        path: str,
        type_: type[T],
        *,
        params: Mapping[str, Any] | None = None,
        auth: bool = True,
    ) -> T:
        """GET any ``path`` as ``type_`` (scripts and tests; the API's are in ``endpoints``)."""
        return await self.fetch(Get(path, type_, endpoints.query(params), auth))

    def cached(self, req: Get[T]) -> T | None:
        """The cached answer to ``req``, if any, without touching the network."""
        hit = self.cache.get(req.key)
        if hit is None:
            return None
        try:
            return self._decode(hit.body, req.type)
        except errors.ProtocolError:
            return None

    async def _send(
        self,
        method: str,
        path: str,
        type_: type[T] | None,
        *,
        json: msgspec.Struct | None = None,
        auth: bool = True,
        idempotency_key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> T:
        """A write (or a login): encodes ``json``, decodes the answer as ``type_``."""
        headers = {"Content-Type": "application/json"}
        if method != "GET" and auth:
            headers["Idempotency-Key"] = idempotency_key or uuid.uuid4().hex
        content = msgspec.json.encode(json) if json is not None else None
        response = await self._request(
            method, path, content=content, headers=headers, auth=auth, params=params
        )
        self._raise_for_status(response)
        if type_ is None or response.status_code == 204:
            return None  # type: ignore[return-value]
        return self._decode(response.content, type_)

    async def _send_body(
        self,
        path: str,
        type_: type[T],
        body: bytes,
        content_type: str,
        *,
        idempotency_key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> T:
        """A POST whose body is a file (a roster CSV), decoded as ``type_``."""
        headers = {
            "Content-Type": content_type,
            "Idempotency-Key": idempotency_key or uuid.uuid4().hex,
        }
        response = await self._request("POST", path, content=body, headers=headers, params=params)
        self._raise_for_status(response)
        return self._decode(response.content, type_)

    async def send_json(
        self, method: str, path: str, body: bytes, *, idempotency_key: str
    ) -> tuple[int, bytes]:
        """A write whose body is already JSON (the app's outbox keeps writes as bytes).

        Returns the status and the body of a successful answer; raises as every call does.
        """
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key}
        response = await self._request(method, path, content=body, headers=headers)
        self._raise_for_status(response)
        return response.status_code, response.content

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | Query | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
        auth: bool = True,
    ) -> httpx.Response:
        headers = dict(headers or {})
        if auth:
            headers.update(await self._auth_header())
        response = await self._transmit(method, path, params, headers, content)
        if auth and response.status_code == 401 and self._refresh_token is not None:
            # The access token expired or was revoked early: refresh once and retry once.
            headers.update(await self._auth_header(force_refresh=True))
            response = await self._transmit(method, path, params, headers, content)
        return response

    async def _transmit(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | Query | None,
        headers: dict[str, str],
        content: bytes | None,
    ) -> httpx.Response:
        try:
            try:
                response = await self._http.request(
                    method, path, params=params, headers=headers, content=content
                )
            except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError):
                # A kept-alive connection the server closed as it was reused: a read is asked
                # again at once on a new one (a write waits for the outbox's next try).
                if method not in ("GET", "HEAD"):
                    raise
                response = await self._http.request(
                    method, path, params=params, headers=headers, content=content
                )
        except httpx.TimeoutException as exc:
            raise errors.Offline(f"The server at {self.base_url} did not answer in time.") from exc
        except (httpx.ConnectError, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            raise errors.Offline(f"Cannot reach the server at {self.base_url}.") from exc
        except httpx.HTTPError as exc:
            raise errors.Offline(f"Talking to {self.base_url} failed: {exc}") from exc
        self.stats.requests += 1
        self.stats.bytes_received += int(response.num_bytes_downloaded)
        return response

    def _decode(self, body: bytes, type_: type[T]) -> T:
        try:
            return cast("T", self._decoder(body, type_))
        except (msgspec.DecodeError, msgspec.ValidationError) as exc:
            raise errors.ProtocolError(
                f"The server's answer could not be read ({exc}); is this a diary server of a "
                "compatible version?"
            ) from exc

    def _raise_for_status(self, response: httpx.Response) -> None:
        status = response.status_code
        if status < 400:
            return
        problem = _read_problem(response.content, self._decoder)
        if problem is not None and problem.detail:
            message = problem.detail
        elif problem is not None:
            message = problem.title
        else:
            # The reason phrase is the server's too: it passes the decoder as a JSON string.
            reason = self._decode(msgspec.json.encode(response.reason_phrase), str)
            message = f"The server answered {status} {reason}."
        exc = errors.error_for_status(status, message, problem)
        if isinstance(exc, errors.RateLimited) and exc.retry_after is None:
            retry = response.headers.get("Retry-After", "")
            exc.retry_after = int(retry) if retry.isdigit() else None
        raise exc
