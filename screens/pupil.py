"""What the grades, homework and attendance screens share: a child's data in one GET,
painted from the local store first and refreshed in a worker, never another child's.

A subclass says how to read its data from the store (``cached``), how to fetch it
(``fetch``), and how to paint it (``paint``). An answer that arrives after the user switched
child, or asked for another period, is dropped: it belongs to a screen no longer shown.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from textual import on, work
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from diary_tui.data import AuthenticationError, Me, PupilRef
from screens.base import DiaryScreen, SessionEnded

T = TypeVar("T")

MUTED = "dim"
"""Quiet text. Not ``$text-muted``: as the style of a span of ``Content`` that variable comes
out as plain white or black (its transparency is lost), and black in a ``DataTable`` cell.
``dim`` is grey on every theme and in every widget."""


NEVER_LOADED_ACCOUNT = (
    "This account was never loaded on this computer; the diary will appear when the server "
    "can be reached."
)


def plain(text: str) -> str:
    """Server text on one line: newlines and runs of spaces become single spaces."""
    return " ".join(text.split())


class ChildScreen(DiaryScreen, Generic[T]):
    """A screen of one child's data (the current child of ``self.data``)."""

    WHAT: ClassVar[str] = "data"
    """What the screen shows, for messages: ``grades``, ``homework``, ..."""

    class MeLoaded(Message):
        def __init__(self, me: Me) -> None:
            super().__init__()
            self.me = me

    class Loaded(Message):
        def __init__(self, pupil_id: int, key: object, value: Any) -> None:
            super().__init__()
            self.pupil_id = pupil_id
            self.key = key
            self.value = value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.value: T | None = None
        """What is on screen now (for the current child and key)."""
        self.shown_pupil: int | None = None

    # -- to override --------------------------------------------------------------------

    def load_key(self) -> object:
        """What besides the child selects the data (a period); part of every request."""
        return None

    def cached(self, pupil_id: int) -> T | None:
        raise NotImplementedError

    async def fetch(self, pupil_id: int) -> T:
        raise NotImplementedError

    def paint(self, value: T) -> None:
        raise NotImplementedError

    def show_message(self, text: str) -> None:
        raise NotImplementedError

    def update_title(self) -> None:
        """Redraw the title line (after the child, the data or the key changed)."""

    # -- the cycle ----------------------------------------------------------------------

    @property
    def child(self) -> PupilRef | None:
        return self.data.child

    def on_mount(self) -> None:
        super().on_mount()
        me = self.data.me or self.data.cached_me()
        if me is not None:
            self._set_me(me)
        else:
            self.show_message("Loading…")
        if me is None or self.data.state.online is not True:
            self.load_me()

    def _set_me(self, me: Me) -> None:
        self.refresh_nav()
        if not me.children:
            self.value = None
            self.update_title()
            self.show_message(
                f"{plain(me.full_name)} ({me.role.value.replace('_', ' ')}) has no pupil's "
                f"{self.WHAT} to show."
            )
            return
        if self.shown_pupil is None or self.shown_pupil != (self.child and self.child.id):
            self.show_current()

    def show_current(self) -> None:
        """Paint the current child's data from the store, then refresh it from the server."""
        child = self.child
        if child is None:
            return
        if self.shown_pupil != child.id:
            self.value = None
        self.shown_pupil = child.id
        self.update_title()
        cached = self.cached(child.id)
        if cached is not None:
            self.value = cached
            self.paint(cached)
        else:
            self.value = None
            self.show_message(f"Loading {self.WHAT}…")
        self.load(child.id, self.load_key())

    def child_changed(self) -> None:
        self.show_current()

    def action_reload(self) -> None:
        self.load_me()
        if self.child is not None:
            self.load(self.child.id, self.load_key())

    def action_help(self) -> None:
        self.show_help()

    @work(exclusive=True, group="me", exit_on_error=False)
    async def load_me(self) -> None:
        me = await self.data.load_me()
        self.post_message(self.MeLoaded(me))

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load(self, pupil_id: int, key: object) -> None:
        value = await self.fetch(pupil_id)
        self.post_message(self.Loaded(pupil_id, key, value))

    @on(MeLoaded)
    def _me_loaded(self, event: MeLoaded) -> None:
        self._set_me(event.me)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        child = self.child
        if child is None or event.pupil_id != child.id or event.key != self.load_key():
            return  # an answer for a child or a period no longer shown
        self.value = event.value
        self.update_title()
        self.paint(event.value)

    def worker_failed(self, error: BaseException) -> bool:
        if isinstance(error, AuthenticationError):
            self.post_message(SessionEnded(error.message))
            return True
        if self.data.me is None:
            self.show_message(NEVER_LOADED_ACCOUNT)
        elif self.value is None and self.child is not None:
            self.show_message(
                f"The {self.WHAT} of {plain(self.child.full_name)} were never loaded on this "
                "computer; they will appear when the server can be reached (r tries again)."
            )
        return False


def title_line(*parts: Content | str) -> Content:
    return Content(" · ").join(
        part if isinstance(part, Content) else Content(part) for part in parts if part
    )


def muted(text: str) -> Content:
    return Content.styled(text, MUTED)


def message_widget(widget: Static, text: str) -> None:
    widget.update(Content.styled(text, MUTED))
