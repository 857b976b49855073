"""The staff's writes go through the outbox as the family's do: a teacher's announcement, a
class teacher marking a notice seen and applying it, the health worker's illness and read
marks are kept offline, shown as waiting, and done exactly once when the server is back
(counted in the server's tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Litestar
from sqlalchemy import func, insert, select

from api_client import endpoints
from api_client import models as wire
from demo_server import schema as s
from demo_server.db import make_engine
from diary_tui.data import DiaryData, Sent, Waiting
from tests.conftest import asgi_transport, sqlite_only
from tests.diary_tui.harness import BASE_URL, MONDAY, TODAY, password_of
from tests.diary_tui.test_outbox_family import Switch, count


async def signed_in(app: Litestar, demo: Any, login: str) -> tuple[DiaryData, Switch]:
    switch = Switch(asgi_transport(app))
    data = DiaryData(transport=switch, save_last_login=None, today=lambda: TODAY)
    await data.login(BASE_URL, login, password_of(demo, login), remember=False)
    return data, switch


async def back_online(data: DiaryData, switch: Switch) -> None:
    switch.up = True
    assert await data.sync_engine().drain()
    assert data.store is not None and data.store.outbox_count() == 0


async def unexcused_absence(url: str, class_id: int, pupil: int, author: int) -> dt.date:
    """An unexcused absence of ``pupil`` on a past school day (a notice has something to
    excuse); its day."""
    engine = make_engine(url)
    try:
        async with engine.begin() as c:
            lesson = (
                await c.execute(
                    select(s.Lesson.id, s.Lesson.date)
                    .where(s.Lesson.class_id == class_id, s.Lesson.date < TODAY)
                    .where(
                        ~select(s.Absence.id)
                        .where(s.Absence.lesson_id == s.Lesson.id, s.Absence.pupil_id == pupil)
                        .exists()
                    )
                    .order_by(s.Lesson.date.desc())
                    .limit(1)
                )
            ).one()
            await c.execute(
                insert(s.Absence).values(
                    lesson_id=lesson.id,
                    pupil_id=pupil,
                    kind="unexcused",
                    note="test",
                    author_id=author,
                )
            )
        day: dt.date = lesson.date
        return day
    finally:
        await engine.dispose()


@sqlite_only
async def test_staff_writes_offline_wait_and_are_done_once(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    parent, _ = await signed_in(app, demo, "parent")
    assert parent.me is not None
    teacher, switch = await signed_in(app, demo, "classteacher")
    assert teacher.me is not None and teacher.me.homeroom is not None
    # The featured parent's child in the class the demo's class teacher leads (the children
    # come in name order, so the first need not be in that class).
    homeroom_id = teacher.me.homeroom.id
    pupil = next(c.id for c in parent.me.children if c.class_ and c.class_.id == homeroom_id)
    start = await unexcused_absence(demo_url, teacher.me.homeroom.id, pupil, teacher.me.id)
    sent = await parent.send_absence_notice(pupil, start, start, wire.AbsenceReason.FAMILY)
    assert isinstance(sent, Sent)
    notice_id = sent.value.id
    await parent.close()

    # The class teacher reads the notice and excuses the absences while offline.
    switch.up = False
    assert isinstance(await teacher.mark_absence_notice_seen(notice_id), Waiting)
    assert isinstance(await teacher.apply_absence_notice(notice_id), Waiting)
    title = "Родительское собрание в четверг"
    before = await count(demo_url, select(func.count(s.Announcement.id)))
    homeroom = teacher.me.homeroom.id
    waiting = await teacher.post_announcement(title, "В 18:00, кабинет 12.", homeroom)
    assert isinstance(waiting, Waiting)
    assert teacher.waiting_ops() == ["notice.seen", "notice.apply", "announcement.post"]
    assert teacher.state.outbox == 3
    seen_query = select(s.AbsenceNotice.seen_at).where(s.AbsenceNotice.id == notice_id)
    assert await count(demo_url, select(func.count()).select_from(seen_query.subquery())) == 1
    await back_online(teacher, switch)
    posted = select(func.count(s.Announcement.id)).where(s.Announcement.title == title)
    assert await count(demo_url, posted) == 1
    assert await count(demo_url, select(func.count(s.Announcement.id))) == before + 1
    excused = select(func.count(s.Absence.id)).where(
        s.Absence.pupil_id == pupil, s.Absence.note == "test", s.Absence.kind == "excused"
    )
    assert await count(demo_url, excused) == 1
    seen = select(func.count(s.AbsenceNotice.id)).where(
        s.AbsenceNotice.id == notice_id, s.AbsenceNotice.seen_at.is_not(None)
    )
    assert await count(demo_url, seen) == 1
    await teacher.close()

    # The health worker records an illness offline: done once, when the server is back.
    nurse, switch = await signed_in(app, demo, "nurse")
    absences = select(func.count(s.Absence.id)).where(s.Absence.pupil_id == pupil)
    had = await count(demo_url, absences)
    switch.up = False
    ill = await nurse.record_illness(pupil, MONDAY, MONDAY + dt.timedelta(days=2), "Грипп")
    assert isinstance(ill, Waiting)
    assert nurse.waiting_ops() == ["illness.record"]
    await back_online(nurse, switch)
    recorded = await count(demo_url, absences) - had
    assert recorded > 0
    # Sent again with its key (a crash before the answer was kept): nothing more is done.
    assert nurse.store is not None
    item = nurse.store.items()[-1]
    again = await item.write.send(nurse.sync_engine().client, item.idempotency_key)  # type: ignore[arg-type]
    assert isinstance(again, wire.MedicalAbsenceResult) and again.recorded == recorded
    assert await count(demo_url, absences) - had == recorded
    await nurse.close()


@sqlite_only
async def test_read_marks_offline_wait_and_are_sent(
    app: Litestar, demo: Any, demo_url: str
) -> None:
    parent, switch = await signed_in(app, demo, "parent")
    news = await parent.load(endpoints.announcements(None))
    unread = next(a for a in news.announcements if not a.read)
    threads = await parent.load(endpoints.threads())
    thread = await parent.load(endpoints.thread(threads.threads[0].id))
    newest = thread.messages[-1].id
    switch.up = False
    assert isinstance(await parent.mark_announcement_read(unread.id), Waiting)
    assert isinstance(await parent.mark_thread_read(thread.id, newest), Waiting)
    assert parent.waiting_ops() == ["announcement.read", "thread.read"]
    await back_online(parent, switch)
    assert parent.me is not None
    reads = select(func.count()).where(
        s.AnnouncementRead.announcement_id == unread.id,
        s.AnnouncementRead.user_id == parent.me.id,
    )
    assert await count(demo_url, reads) == 1
    assert (await parent.load(endpoints.thread(thread.id))).last_read_id == newest
    await parent.close()
