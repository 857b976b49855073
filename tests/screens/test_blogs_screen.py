"""The Blogs screen (``B``): the posts newest first with author, audience, date in the
school's zone and comments; a post opened with its comments; a teacher's post, a parent's
comment, a refusal kept in the form with what was typed, hiding a comment; at 80x24, on the
frozen day."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from textual.widgets import Input, OptionList, Select, Static, TextArea

from api_client import endpoints
from diary_tui.app import DiaryApp
from screens.blogs import BlogPostScreen, BlogsScreen, post_prompt
from screens.dialogs.confirm import ConfirmScreen
from screens.dialogs.form import FormScreen
from tests.conftest import asgi_transport
from tests.diary_tui.harness import log_in, wait_for
from tests.screens.test_attendance_class_teacher import make


def listed(app: DiaryApp) -> bool:
    screen = app.screen
    return isinstance(screen, BlogsScreen) and screen.posts is not None and not screen.workers


def prompts(app: DiaryApp, selector: str) -> list[str]:
    return [
        str(getattr(option.prompt, "plain", option.prompt))
        for option in app.screen.query_one(selector, OptionList).options
    ]


def opened(app: DiaryApp) -> bool:
    screen = app.screen
    return isinstance(screen, BlogPostScreen) and screen.page is not None and not screen.workers


def problem(app: DiaryApp) -> str:
    shown = app.screen.query_one("#form-problem", Static).visual
    return str(getattr(shown, "plain", shown))


async def test_a_parent_reads_opens_and_comments(app: Litestar, demo: Any) -> None:
    diary = make(asgi_transport(app), "parent", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("B")
        await wait_for(pilot, lambda: listed(diary))
        screen = diary.screen
        assert isinstance(screen, BlogsScreen) and screen.posts is not None
        posts = screen.posts.posts
        assert len(posts) >= 2
        assert [p.published_at for p in posts] == sorted(
            (p.published_at for p in posts), reverse=True
        )
        lines = prompts(diary, "#blogs")
        assert lines[0].startswith(posts[0].title[:10])
        assert "comment" in lines[0] and posts[0].author in lines[0]
        assert any("school" in line for line in lines) and any("class" in line for line in lines)
        assert not screen.check_action("write", ())  # a parent writes no posts
        # Enter: the post and its comments.
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened(diary))
        shown = prompts(diary, "#blog-post")
        assert posts[0].title in shown[0] and posts[0].body.split()[0] in shown[0]
        # c: a comment through the form; it is on the post once the server took it.
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        form = diary.screen
        form.query_one("#form-body", TextArea).text = "Спасибо!"
        # Esc asks before throwing the text away; "no" keeps the form and the text.
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(diary.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: diary.screen is form)
        assert form.query_one("#form-body", TextArea).text == "Спасибо!"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened(diary))
        await wait_for(
            pilot, lambda: any("Спасибо!" in line for line in prompts(diary, "#blog-post"))
        )


async def test_a_teacher_writes_a_refusal_keeps_the_text_and_hides_a_comment(
    app: Litestar, demo: Any
) -> None:
    diary = make(asgi_transport(app), "classteacher", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("B")
        await wait_for(pilot, lambda: listed(diary))
        screen = diary.screen
        assert isinstance(screen, BlogsScreen) and screen.posts is not None
        assert screen.posts.may_post and screen.check_action("write", ())
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        form = diary.screen
        assert form.query_one("#form-to", Select).value == str(screen.posts.classes[0].id)
        # A title of two lines' worth of control characters is refused before sending; the
        # refusal is shown in the form, which keeps the text.
        form.query_one("#form-title", Input).value = "Экскурсия\x07"
        form.query_one("#form-body", TextArea).text = "Сбор в 10:00 у школы."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "заголовок" in problem(diary) or "title" in problem(diary))
        assert isinstance(diary.screen, FormScreen)
        assert form.query_one("#form-body", TextArea).text == "Сбор в 10:00 у школы."
        assert diary.screen.focused is form.query_one("#form-title", Input)
        # Empty text: refused by the text's label, the title kept.
        form.query_one("#form-title", Input).value = "Экскурсия в планетарий"
        form.query_one("#form-body", TextArea).text = "   "
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "text" in problem(diary).lower())
        assert form.query_one("#form-title", Input).value == "Экскурсия в планетарий"
        assert diary.screen.focused is form.query_one("#form-body")
        form.query_one("#form-body", TextArea).text = "Сбор в 10:00 у школы."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: listed(diary) and diary.screen is screen)
        await wait_for(pilot, lambda: "Экскурсия в планетарий" in prompts(diary, "#blogs")[0])
        assert screen.posts.posts[0].class_ is not None
        # The author opens the post, comments, and hides the comment, saying why.
        screen.query_one(OptionList).highlighted = 0
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened(diary))
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        diary.screen.query_one("#form-body", TextArea).text = "Вопросы пишите сюда."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: opened(diary))
        post_screen = diary.screen
        assert isinstance(post_screen, BlogPostScreen)
        await wait_for(
            pilot, lambda: post_screen.page is not None and post_screen.page.comments != []
        )
        await pilot.press("down")
        await pilot.press("h")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        diary.screen.query_one("#form-reason", Input).value = "не по теме"
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened(diary))
        await wait_for(
            pilot,
            lambda: (
                post_screen.page is not None and all(c.hidden for c in post_screen.page.comments)
            ),
        )
        # t: the author closes the comments.
        await pilot.press("t")
        await wait_for(pilot, lambda: post_screen.post.comments_closed and not post_screen.workers)


async def test_a_post_line_shows_the_school_s_time(app: Litestar, demo: Any) -> None:
    diary = make(asgi_transport(app), "parent", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "parent", demo.password)
        posts = await diary.data.load(endpoints.blog_posts())
        post = posts.posts[0]
        line = post_prompt(post, 76, diary.data.zone).plain
        at = post.published_at.astimezone(diary.data.zone)
        assert f"{at:%H:%M}" in line
        await pilot.pause()


async def test_offline_a_post_is_kept_and_the_administration_hides_a_post(
    app: Litestar, demo: Any
) -> None:
    from tests.diary_tui.test_offline import Switch

    switch = Switch(asgi_transport(app))
    diary = make(switch, "classteacher", open_screen="news")
    async with diary.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "classteacher", demo.password)
        await wait_for(pilot, lambda: getattr(diary.screen, "NAME", "") == "news")
        await pilot.press("B")
        await wait_for(pilot, lambda: listed(diary))
        switch.up = False
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(diary.screen, FormScreen))
        diary.screen.query_one("#form-title", Input).value = "Без связи"
        diary.screen.query_one("#form-body", TextArea).text = "Написано без связи."
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(diary.screen, BlogsScreen))
        assert diary.data.waiting_ops() == ["blog.post"]
        switch.up = True
    admin = make(asgi_transport(app), "admin", open_screen="news")
    async with admin.run_test(size=(80, 24)) as pilot:
        await log_in(pilot, "admin", demo.password)
        await wait_for(pilot, lambda: getattr(admin.screen, "NAME", "") == "news")
        await pilot.press("B")
        await wait_for(pilot, lambda: listed(admin))
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened(admin))
        post_screen = admin.screen
        assert isinstance(post_screen, BlogPostScreen)
        assert post_screen.check_action("hide_post", ()) and not post_screen.check_action(
            "edit", ()
        )
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(admin.screen, FormScreen))
        admin.screen.query_one("#form-reason", Input).value = "повтор"
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened(admin) and post_screen.post.hidden)
        assert "повтор" not in prompts(admin, "#blog-post")[0]
