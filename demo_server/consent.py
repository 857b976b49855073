"""Consent to the processing of personal data: the school's text in versions, and each
parent's consents and withdrawals as an append-only history.

A school's text is its own (``POST /consent/texts`` adds a version; ``diary-server init`` and
the demo start with :data:`STANDARD_TEXT` as version 1). The newest version is the current
one. A parent stands where their newest record puts them (:func:`state_of`): consented to
the current version (``given``), to an earlier one (``outdated``: asked again at the next
login), ``withdrawn``, or never asked (``none``). Records are never changed or deleted; each
is audited (entity ``consent``; a new text ``consent_text``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from api_client import models as m
from api_client.i18n import _
from demo_server import schema as s
from demo_server.access import MAX_ID
from demo_server.accounts import chunks, full_name, user_summaries
from demo_server.auth import Viewer
from demo_server.problems import ProblemError
from demo_server.records import append_audit

STANDARD_TEXT = {
    "ru": (
        "Согласие на обработку персональных данных\n\n"
        "Я, родитель (законный представитель) обучающегося, в соответствии с Федеральным "
        "законом от 27.07.2006 № 152-ФЗ «О персональных данных» даю согласие школе на "
        "обработку моих персональных данных и персональных данных моего ребёнка в "
        "электронном дневнике: фамилия, имя, отчество, класс, логин, оценки, посещаемость, "
        "домашние задания, расписание, переписка с учителями.\n\n"
        "Цель обработки: ведение электронного журнала и дневника, информирование родителей "
        "об успеваемости и посещаемости. Данные хранятся на сервере школы, доступны "
        "учителям ребёнка, классному руководителю, администрации школы и (без оценок и "
        "переписки) IT-службе школы; третьим лицам не передаются, кроме обезличенной "
        "статистики для органа управления образованием.\n\n"
        "Согласие действует до окончания обучения ребёнка в школе и может быть отозвано "
        "мной в любой момент письменным заявлением или в настройках дневника."
    ),
    "en": (
        "Consent to the processing of personal data\n\n"
        "I, a parent (legal guardian) of a pupil, consent to the school processing my "
        "personal data and my child's in the electronic diary: names, class, login, marks, "
        "attendance, homework, timetable and correspondence with teachers.\n\n"
        "Purpose: keeping the class journal and the diary, and informing parents of their "
        "child's progress and attendance. The data are kept on the school's server and seen "
        "by the child's teachers, the class teacher, the school's administration and (without "
        "marks or messages) the school's IT staff; they are not passed to anyone else, except "
        "anonymous statistics for the education authority.\n\n"
        "The consent lasts until my child leaves the school; I may withdraw it at any time in "
        "writing or in the diary's settings."
    ),
}
"""Version 1 of a new school's text, in its language: the school replaces it with its own."""


# --- the school's text ------------------------------------------------------------------------


def text_struct(row: s.ConsentText, school: str = "") -> m.ConsentText:
    return m.ConsentText(
        version=row.version, text=row.text, school=school, created_at=row.created_at
    )


async def current_text(db: AsyncSession, school_id: int) -> s.ConsentText:
    """The school's newest version; a 409 when the school has none (set by the IT staff)."""
    row = await db.scalar(
        select(s.ConsentText)
        .where(s.ConsentText.school_id == school_id)
        .order_by(s.ConsentText.version.desc())
        .limit(1)
    )
    if row is None:
        raise ProblemError(
            409,
            _(
                "the school has not set its consent to the processing of personal data yet; "
                "its IT staff set it (diary admin consent text set FILE)"
            ),
            field="consent_version",
        )
    return row


async def school_name(db: AsyncSession, school_id: int) -> str:
    return str(await db.scalar(select(s.School.name).where(s.School.id == school_id)) or "")


async def add_standard_text(
    db: AsyncSession, school_id: int, language: str, now: dt.datetime
) -> None:
    """Version 1, the standard text in the school's language (a new school)."""
    await db.execute(
        insert(s.ConsentText).values(
            school_id=school_id,
            version=1,
            text=STANDARD_TEXT.get(language, STANDARD_TEXT["ru"]),
            created_at=now,
        )
    )


async def text_versions(db: AsyncSession, school_id: int) -> m.ConsentTexts:
    name = await school_name(db, school_id)
    rows = await db.scalars(
        select(s.ConsentText)
        .where(s.ConsentText.school_id == school_id)
        .order_by(s.ConsentText.version.desc())
    )
    return m.ConsentTexts(versions=[text_struct(row, name) for row in rows])


async def new_version(
    db: AsyncSession, viewer: Viewer, text: str, now: dt.datetime
) -> m.ConsentText:
    """A new version of the school's text: every parent is asked again at their next login."""
    cleaned = text.strip()
    if not cleaned:
        raise ProblemError(
            422, _("the consent text is empty: write the school's text"), field="text"
        )
    latest = await db.scalar(
        select(func.max(s.ConsentText.version)).where(s.ConsentText.school_id == viewer.school_id)
    )
    version = int(latest or 0) + 1
    row = s.ConsentText(
        school_id=viewer.school_id,
        version=version,
        text=cleaned,
        created_at=now,
        created_by=viewer.id,
    )
    db.add(row)
    await db.flush()
    await append_audit(
        db,
        at=now,
        actor_id=viewer.id,
        action="create",
        entity="consent_text",
        entity_id=row.id,
        after={"version": version, "text": cleaned},
    )
    return text_struct(row, await school_name(db, viewer.school_id))


# --- where each parent stands -------------------------------------------------------------------


async def _latest(
    db: AsyncSession, parent_ids: Sequence[int]
) -> dict[int, tuple[s.ConsentRecord, int]]:
    """Each parent's newest record, with the version it names."""
    latest: dict[int, tuple[s.ConsentRecord, int]] = {}
    for chunk in chunks(list(parent_ids)):
        newest = (
            select(func.max(s.ConsentRecord.id))
            .where(s.ConsentRecord.parent_id.in_(chunk))
            .group_by(s.ConsentRecord.parent_id)
        )
        for record, version in await db.execute(
            select(s.ConsentRecord, s.ConsentText.version)
            .join(s.ConsentText, s.ConsentText.id == s.ConsentRecord.text_id)
            .where(s.ConsentRecord.id.in_(newest))
        ):
            latest[record.parent_id] = (record, int(version))
    return latest


def state_of(latest: tuple[s.ConsentRecord, int] | None, current: int) -> m.ConsentState:
    if latest is None:
        return m.ConsentState.NONE
    record, version = latest
    if record.action == m.ConsentAction.WITHDRAWN.value:
        return m.ConsentState.WITHDRAWN
    return m.ConsentState.GIVEN if version == current else m.ConsentState.OUTDATED


def _parent_consent(
    summary: m.UserSummary, latest: tuple[s.ConsentRecord, int] | None, current: int
) -> m.ParentConsent:
    record = latest[0] if latest else None
    return m.ParentConsent(
        id=summary.id,
        login=summary.login,
        first_name=summary.first_name,
        last_name=summary.last_name,
        middle_name=summary.middle_name,
        children=summary.children,
        state=state_of(latest, current),
        version=latest[1] if latest else None,
        since=record.at if record else None,
        way=m.ConsentWay(record.way) if record else None,
        signed_on=record.signed_on if record else None,
    )


async def parents(
    db: AsyncSession,
    school_id: int,
    today: dt.date,
    *,
    class_id: int | None = None,
    state: m.ConsentState | None = None,
) -> m.ParentConsents:
    """The school's parent accounts (of the pupils of ``class_id``) in surname order, with
    where each stands; ``state`` keeps those in it. The counts are over the class (or school)
    before ``state`` is applied."""
    current = (await current_text(db, school_id)).version
    query = select(s.User).where(s.User.school_id == school_id, s.User.role == m.Role.PARENT.value)
    if class_id is not None:
        in_class = select(s.Enrolment.pupil_id).where(
            s.Enrolment.class_id == class_id,
            s.enrolled_on(today),
        )
        query = query.where(
            s.User.id.in_(select(s.ParentLink.parent_id).where(s.ParentLink.pupil_id.in_(in_class)))
        )
    users = list(await db.scalars(query.order_by(s.User.last_name, s.User.first_name, s.User.id)))
    latest = await _latest(db, [u.id for u in users])
    counts = dict.fromkeys(m.ConsentState, 0)
    items: list[m.ParentConsent] = []
    for summary in await user_summaries(db, users, today):
        item = _parent_consent(summary, latest.get(summary.id), current)
        counts[item.state] += 1
        if state is None or item.state is state:
            items.append(item)
    return m.ParentConsents(
        version=current,
        items=items,
        given=counts[m.ConsentState.GIVEN],
        outdated=counts[m.ConsentState.OUTDATED],
        withdrawn=counts[m.ConsentState.WITHDRAWN],
        none=counts[m.ConsentState.NONE],
    )


async def _school_parent(db: AsyncSession, school_id: int, parent_id: int) -> s.User:
    parent = await db.get(s.User, parent_id) if 0 < parent_id <= MAX_ID else None
    if parent is None or parent.school_id != school_id or parent.role != m.Role.PARENT.value:
        raise ProblemError(
            404, _("there is no parent account with this id in your school"), field="parent_id"
        )
    return parent


async def history(
    db: AsyncSession, school_id: int, parent_id: int, today: dt.date
) -> m.ConsentHistory:
    """A parent's standing and every consent and withdrawal, oldest first."""
    parent = await _school_parent(db, school_id, parent_id)
    current = (await current_text(db, school_id)).version
    latest = await _latest(db, [parent.id])
    summary = (await user_summaries(db, [parent], today))[0]
    events: list[m.ConsentEvent] = []
    for record, version, by_id in await db.execute(
        select(s.ConsentRecord, s.ConsentText.version, s.ConsentRecord.recorded_by)
        .join(s.ConsentText, s.ConsentText.id == s.ConsentRecord.text_id)
        .where(s.ConsentRecord.parent_id == parent.id)
        .order_by(s.ConsentRecord.id)
    ):
        by = await db.get(s.User, by_id) if by_id is not None else None
        events.append(
            m.ConsentEvent(
                id=record.id,
                action=m.ConsentAction(record.action),
                version=int(version),
                way=m.ConsentWay(record.way),
                at=record.at,
                signed_on=record.signed_on,
                recorded_by=full_name(by) if by is not None else "",
                note=record.note,
            )
        )
    return m.ConsentHistory(
        parent=_parent_consent(summary, latest.get(parent.id), current), events=events
    )


# --- recording ----------------------------------------------------------------------------------


async def _record(
    db: AsyncSession,
    *,
    school_id: int,
    parent_id: int,
    text: s.ConsentText,
    action: m.ConsentAction,
    way: m.ConsentWay,
    at: dt.datetime,
    recorded_by: int | None,
    signed_on: dt.date | None = None,
    note: str = "",
) -> None:
    values: dict[str, Any] = {
        "school_id": school_id,
        "parent_id": parent_id,
        "text_id": text.id,
        "action": action.value,
        "way": way.value,
        "signed_on": signed_on,
        "at": at,
        "recorded_by": recorded_by,
        "note": note,
    }
    record_id = await db.scalar(
        insert(s.ConsentRecord).values(**values).returning(s.ConsentRecord.id)
    )
    assert record_id is not None
    after = {
        "parent_id": parent_id,
        "action": action.value,
        "version": text.version,
        "way": way.value,
        "signed_on": signed_on.isoformat() if signed_on else None,
        "note": note,
    }
    await append_audit(
        db,
        at=at,
        actor_id=recorded_by,
        action="create",
        entity="consent",
        entity_id=record_id,
        after=after,
    )


async def _record_own(
    db: AsyncSession,
    parent: Viewer | s.User,
    text: s.ConsentText,
    action: m.ConsentAction,
    way: m.ConsentWay,
    at: dt.datetime,
    note: str = "",
) -> None:
    """:func:`_record` of a parent's own decision (at registration or in the app): the parent
    is the one the record is about and the one who recorded it."""
    await _record(
        db,
        school_id=parent.school_id,
        parent_id=parent.id,
        text=text,
        action=action,
        way=way,
        at=at,
        recorded_by=parent.id,
        note=note,
    )


async def _text_version(db: AsyncSession, school_id: int, version: int) -> s.ConsentText:
    row = await db.scalar(
        select(s.ConsentText).where(
            s.ConsentText.school_id == school_id, s.ConsentText.version == version
        )
    )
    if row is None:
        raise ProblemError(
            422,
            _("the school's consent text has no version {version}").format(version=version),
            field="version",
        )
    return row


async def record_paper(
    db: AsyncSession, viewer: Viewer, parent_id: int, data: m.PaperConsent, now: dt.datetime
) -> m.ConsentHistory:
    """A consent or a withdrawal signed on paper, entered by the staff with the day signed."""
    parent = await _school_parent(db, viewer.school_id, parent_id)
    if data.signed_on > viewer.today:
        raise ProblemError(
            422,
            _("the form cannot be signed after today ({today}): check the date").format(
                today=viewer.today.isoformat()
            ),
            field="signed_on",
        )
    current = await current_text(db, viewer.school_id)
    latest = (await _latest(db, [parent.id])).get(parent.id)
    state = state_of(latest, current.version)
    note = data.note.strip()
    if data.action is m.ConsentAction.GIVEN:
        text = await _text_version(db, viewer.school_id, data.version or current.version)
        if (
            latest is not None
            and state is not m.ConsentState.WITHDRAWN
            and latest[1] == text.version
        ):
            raise ProblemError(
                409,
                _("this parent has already consented to version {version}").format(
                    version=text.version
                ),
                field="action",
            )
    else:
        if data.version is not None:
            raise ProblemError(
                422,
                _("a withdrawal takes no version: it withdraws the consent given"),
                field="version",
            )
        if latest is None or state is m.ConsentState.WITHDRAWN:
            raise ProblemError(
                409,
                _("this parent has no consent to withdraw (none recorded, or withdrawn already)"),
                field="action",
            )
        text = await db.get(s.ConsentText, latest[0].text_id) or current
    await _record(
        db,
        school_id=viewer.school_id,
        parent_id=parent.id,
        text=text,
        action=data.action,
        way=m.ConsentWay.PAPER,
        at=now,
        recorded_by=viewer.id,
        signed_on=data.signed_on,
        note=note,
    )
    return await history(db, viewer.school_id, parent.id, viewer.today)


async def check_registration(
    db: AsyncSession, school_id: int, version: int | None
) -> s.ConsentText:
    """The current text, when ``version`` (what the registering parent accepted) is it."""
    current = await current_text(db, school_id)
    if version is None:
        raise ProblemError(
            422,
            _(
                "to register, read and accept the school's consent to the processing of "
                "personal data (version {version})"
            ).format(version=current.version),
            field="consent_version",
        )
    if version != current.version:
        raise ProblemError(
            422,
            _(
                "the school's consent text has changed (now version {version}); read it again "
                "and accept it to register"
            ).format(version=current.version),
            field="consent_version",
        )
    return current


async def given_at_registration(
    db: AsyncSession, parent: s.User, text: s.ConsentText, now: dt.datetime
) -> None:
    await _record_own(db, parent, text, m.ConsentAction.GIVEN, m.ConsentWay.REGISTRATION, now)


# --- a parent's own -----------------------------------------------------------------------------


def _only_parents(viewer: Viewer) -> None:
    if viewer.role is not m.Role.PARENT:
        raise ProblemError(
            403, _("consent to the processing of personal data is a parent's to give")
        )


async def mine(db: AsyncSession, viewer: Viewer) -> m.MyConsent:
    _only_parents(viewer)
    current = await current_text(db, viewer.school_id)
    latest = (await _latest(db, [viewer.id])).get(viewer.id)
    return m.MyConsent(
        text=text_struct(current, await school_name(db, viewer.school_id)),
        state=state_of(latest, current.version),
        version=latest[1] if latest else None,
        since=latest[0].at if latest else None,
        way=m.ConsentWay(latest[0].way) if latest else None,
        signed_on=latest[0].signed_on if latest else None,
    )


async def accept(db: AsyncSession, viewer: Viewer, version: int, now: dt.datetime) -> m.MyConsent:
    """The parent accepts the text they read; a stale version is refused (read the new one).
    Accepting what is already accepted changes nothing."""
    _only_parents(viewer)
    current = await current_text(db, viewer.school_id)
    if version != current.version:
        raise ProblemError(
            409,
            _(
                "the school's consent text has changed (now version {version}); read it again "
                "before accepting"
            ).format(version=current.version),
            field="version",
        )
    latest = (await _latest(db, [viewer.id])).get(viewer.id)
    if state_of(latest, current.version) is not m.ConsentState.GIVEN:
        await _record_own(db, viewer, current, m.ConsentAction.GIVEN, m.ConsentWay.APP, now)
    return await mine(db, viewer)


async def withdraw(db: AsyncSession, viewer: Viewer, note: str, now: dt.datetime) -> m.MyConsent:
    _only_parents(viewer)
    current = await current_text(db, viewer.school_id)
    latest = (await _latest(db, [viewer.id])).get(viewer.id)
    if latest is None or state_of(latest, current.version) is m.ConsentState.WITHDRAWN:
        raise ProblemError(409, _("you have no consent to withdraw"), field="note")
    text = await db.get(s.ConsentText, latest[0].text_id) or current
    await _record_own(
        db, viewer, text, m.ConsentAction.WITHDRAWN, m.ConsentWay.APP, now, note=note.strip()
    )
    return await mine(db, viewer)
