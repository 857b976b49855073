"""The app's lists and tables, moving as a reader expects.

Textual's ``OptionList`` wraps: Up on the first lesson of the week jumped to Friday's last, and
Home highlighted the first lesson with Monday's heading (a disabled line above it) scrolled out
of sight. ``DiaryList`` stops at either end and, at the top, shows the lines above the first
choice (the day's heading, the day's events). Textual's ``DataTable`` with a row cursor reads
Home and End as "scroll sideways"; ``RowTable`` moves to the first and last row.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual._widget_navigation import find_first_enabled, find_last_enabled
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, OptionList


class DiaryList(OptionList):
    """An ``OptionList`` that does not wrap and shows the headings above its first choice."""

    def _enabled(self, direction: int) -> int | None:
        anchor = self.highlighted
        if anchor is None:
            return find_first_enabled(self.options) if direction > 0 else None
        index = anchor + direction
        while 0 <= index < self.option_count:
            if not self.options[index].disabled:
                return index
            index += direction
        return None

    def action_cursor_up(self) -> None:
        found = self._enabled(-1)
        if found is None:
            self.scroll_home(animate=False)  # at the first choice: show what is above it
            return
        self.highlighted = found

    def action_cursor_down(self) -> None:
        found = self._enabled(1)
        if found is None:
            self.scroll_end(animate=False)
            return
        self.highlighted = found

    def action_first(self) -> None:
        self.highlighted = find_first_enabled(self.options)
        self.call_after_refresh(self.scroll_home, animate=False)

    def action_last(self) -> None:
        self.highlighted = find_last_enabled(self.options)
        self.call_after_refresh(self.scroll_end, animate=False)


class RowTable(DataTable[Any]):
    """A ``DataTable`` of rows: Home and End go to the first and the last row."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        super().__init__(*args, **kwargs)
