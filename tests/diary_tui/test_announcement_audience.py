"""The new-announcement form offers whom the user may address: the administration a parallel,
all parents, the teachers, a class's parents; a class teacher their class's parents alone; a
teacher only the classes they teach."""

from __future__ import annotations

from typing import Any

import httpx
from litestar import Litestar
from textual.widgets import Input, OptionList, TextArea

from api_client.models import API_PREFIX, AnnouncementAudience, Announcements, Me, decode
from screens.announcements import NewsScreen, PostScreen
from tests.conftest import LoginAs, sqlite_only
from tests.diary_tui.harness import wait_for
from tests.diary_tui.test_messages_screen import logged_in, plain, teacher_goes_to


def targets(post: PostScreen) -> list[str]:
    chooser = post.query_one(OptionList)
    return [plain(chooser.get_option_at_index(i).prompt) for i in range(chooser.option_count)]


@sqlite_only
async def test_the_administration_posts_to_a_parallel(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    async with logged_in(app, demo, "admin", (100, 30)) as (diary, pilot):
        await teacher_goes_to(pilot, diary, "news", NewsScreen, "news")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, PostScreen))
        post = diary.screen
        assert isinstance(post, PostScreen)
        listed = targets(post)
        assert {"The whole school", "All parents of the school", "The teachers"} <= set(listed)
        assert any(t.startswith("Parents of class ") for t in listed)
        fifth = listed.index("All the classes of grade 5")
        post.query_one(OptionList).highlighted = fifth
        post.query_one("#post-title", Input).value = "Пятиклассникам"
        post.query_one(TextArea).text = "Экскурсия в пятницу."
        await pilot.press("ctrl+s")
        await wait_for(
            pilot,
            lambda: (
                isinstance(diary.screen, NewsScreen)
                and diary.screen.news is not None
                and any(a.title == "Пятиклассникам" for a in diary.screen.news.announcements)
            ),
        )
    posted = next(
        a
        for a in decode(
            (
                await http.get(f"{API_PREFIX}/announcements", headers=await login_as(http, "admin"))
            ).content,
            Announcements,
        ).announcements
        if a.title == "Пятиклассникам"
    )
    assert posted.audience is AnnouncementAudience.GRADE and posted.grade == 5


@sqlite_only
async def test_a_class_teacher_may_write_to_their_class_parents_alone(
    app: Litestar, http: httpx.AsyncClient, demo: Any, login_as: LoginAs
) -> None:
    headers = await login_as(http, "teacher")
    me = decode((await http.get(f"{API_PREFIX}/me", headers=headers)).content, Me)
    async with logged_in(app, demo, "teacher", (100, 30)) as (diary, pilot):
        await teacher_goes_to(pilot, diary, "news", NewsScreen, "news")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, PostScreen))
        post = diary.screen
        assert isinstance(post, PostScreen)
        listed = targets(post)
    assert "The whole school" not in listed and "The teachers" not in listed
    parents_only = [t for t in listed if t.startswith("Parents of class ")]
    if me.homeroom is not None:
        assert parents_only == [f"Parents of class {me.homeroom.name} only"]
    else:
        assert parents_only == []
    taught = {t.class_.name for t in me.teaching}
    assert {t.removeprefix("Class ") for t in listed if t.startswith("Class ")} >= taught
