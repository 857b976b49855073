"""Widgets shared by several screens."""

from diary_tui.widgets.footer import KeyFooter
from diary_tui.widgets.lists import DiaryList, RowTable
from diary_tui.widgets.navbar import NavBar
from diary_tui.widgets.status import StatusLine

__all__ = ["DiaryList", "KeyFooter", "NavBar", "RowTable", "StatusLine"]
