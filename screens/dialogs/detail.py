"""One thing shown in full (a lesson, an announcement, an audit entry, ...): text in a
scrolling frame over the screen, closed by its keys. The screens differ only in the keys, the
width and the frame, given as parameters."""

from __future__ import annotations

from typing import Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from api_client.i18n import _

Frame = Literal["primary", "warning", "success"]


class DetailScreen(ModalScreen[None]):
    """``text`` in a frame; any of ``keys`` closes it (one binding, ``binding_id``).

    ``name`` names the frame (its id) and the text (``{name}-text``). ``width`` is a CSS width
    (``90%``, ``72``); a width in cells keeps a narrow margin inside the frame, a share of the
    screen a roomy one. ``frame`` is the border's colour, ``thick`` its weight."""

    DEFAULT_CSS = """
    DetailScreen { align: center middle; }
    DetailScreen > VerticalScroll {
        max-width: 100; height: auto; max-height: 90%;
        border: round $primary; background: $surface; padding: 1 2;
    }
    DetailScreen.-cells > VerticalScroll { max-width: 100%; padding: 0 1; }
    DetailScreen.-thick > VerticalScroll { border: thick $primary; }
    DetailScreen.-warning > VerticalScroll { border: round $warning; }
    DetailScreen.-warning.-thick > VerticalScroll { border: thick $warning; }
    DetailScreen.-success > VerticalScroll { border: round $success; }
    """

    def __init__(
        self,
        text: Content,
        *,
        name: str,
        binding_id: str,
        keys: str = "escape,enter,q",
        width: str = "90%",
        min_width: int | None = None,
        frame: Frame = "primary",
        thick: bool = False,
    ) -> None:
        classes = [f"-{frame}"]
        if thick:
            classes.append("-thick")
        if width.isdigit():
            classes.append("-cells")
        super().__init__(name=name, classes=" ".join(classes))
        self.text = text
        self.width = width
        self.min_width = min_width
        self._bindings = with_binding(
            self._bindings, Binding(keys, "close", _("Close"), id=binding_id)
        )

    def compose(self) -> ComposeResult:
        with VerticalScroll(id=self.name):
            yield Static(self.text, id=f"{self.name}-text")

    def on_mount(self) -> None:
        frame = self.query_one(VerticalScroll)
        frame.styles.width = self.width
        if self.min_width is not None:
            frame.styles.min_width = self.min_width

    def action_close(self) -> None:
        self.dismiss(None)


def with_binding(bindings: BindingsMap, binding: Binding) -> BindingsMap:
    """``bindings`` and ``binding`` (its keys, comma-separated, each bound alike): the keys of
    a dialog are given when it opens, and a keymap remaps them by the binding's id."""
    merged = bindings.copy()
    for one in Binding.make_bindings([binding]):
        merged.key_to_bindings.setdefault(one.key, []).append(one)
    return merged
