"""The navigation bar: the screens one key away, the current one marked, and whose diary it is.

It is one line at the top of every screen after login. On the left, each screen the user may
open with its key (``w Week  g Grades ...``); on the right, the child being shown, so a parent
with several children always sees whose marks these are.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from api_client.i18n import _
from api_client.models import PupilRef
from diary_tui.navigation import Destination


def child_label(child: PupilRef | None, index: int, count: int, next_key: str = "c") -> Content:
    """Whose diary it is; with several children, which of how many and the key of the next
    (``next_key``, as the keymap and the language name it)."""
    if child is None:
        return Content("")
    label = Content.styled(" ".join(child.full_name.split()), "bold")
    if child.class_ is not None:
        label += Content.assemble(", ", (child.class_.name, "bold"))
    if count > 1:
        label += Content.styled(
            " " + _("({n}/{count}, {key}: next)").format(n=index + 1, count=count, key=next_key),
            "dim",
        )
    return label


def _current(dest: Destination) -> str:
    """The current screen's entry; without a key when the screen uses it otherwise."""
    return f" {dest.key} {_(dest.title)} " if dest.key else f" {_(dest.title)} "


def navbar_content(
    destinations: Sequence[Destination],
    current: str,
    child: PupilRef | None,
    child_index: int,
    child_count: int,
    width: int,
    next_key: str = "c",
) -> Content:
    """The bar's text for ``width`` cells (pure, so it is easy to test)."""
    right = child_label(child, child_index, child_count, next_key)
    items: list[Content] = []
    for dest in destinations:
        if dest.name == current:
            items.append(Content.styled(_current(dest), "reverse bold"))
        else:
            items.append(
                Content.assemble((f" {dest.key}", "bold $accent"), (f" {_(dest.title)} ", ""))
            )
    left = Content("").join(items)
    room = width - right.cell_length - 1
    if left.cell_length > room:
        # Narrow: keys only for the screens that are not current.
        compact = [
            Content.styled(_current(d), "reverse bold")
            if d.name == current
            else Content.styled(f" {d.key}", "bold $accent")
            for d in destinations
        ]
        left = Content("").join(compact)
    if left.cell_length > room:
        left = left.truncate(max(room, 0), ellipsis=True)
    gap = max(width - left.cell_length - right.cell_length, 1)
    return Content.assemble(left, " " * gap, right).truncate(width, ellipsis=True)


class NavBar(Static):
    """One line: where one can go, and whose diary is shown."""

    DEFAULT_CSS = """
    NavBar {
        height: 1;
        background: $boost;
    }
    """

    def __init__(self, current: str) -> None:
        super().__init__("")
        self.current = current
        self._state: tuple[list[Destination], PupilRef | None, int, int] = ([], None, 0, 0)
        self.next_key = "c"
        """The key of the next child, as the keymap and the language name it."""

    def show(
        self,
        destinations: Sequence[Destination],
        child: PupilRef | None,
        child_index: int,
        child_count: int,
        next_key: str = "c",
    ) -> None:
        self._state = (list(destinations), child, child_index, child_count)
        self.next_key = next_key
        self._render_bar()

    def on_resize(self) -> None:
        self._render_bar()

    def _render_bar(self) -> None:
        destinations, child, index, count = self._state
        width = self.size.width or self.app.size.width
        self.update(
            navbar_content(destinations, self.current, child, index, count, width, self.next_key)
        )
