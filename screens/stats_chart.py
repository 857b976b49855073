"""Horizontal bars drawn with block characters, for statistics in a terminal.

A bar's length is its value against a fixed top (the mark scale's maximum, or 100 %), in
eighths of a cell (``▏▎▍▌▋▊▉█``), so bars compare at a glance and read without colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

EIGHTHS = " ▏▎▍▌▋▊▉█"


def bar(value: float, high: float, width: int, *, low: float = 0.0) -> str:
    """A bar ``width`` cells wide at most: ``value`` between ``low`` and ``high``, padded."""
    if width <= 0:
        return ""
    if high <= low:
        raise ValueError("a bar needs high > low")
    share = min(max((value - low) / (high - low), 0.0), 1.0)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(width)


def bar_chart(
    rows: Sequence[tuple[str, float | None, str]],
    *,
    high: float,
    width: int,
    low: float = 0.0,
    style: str = "$accent",
) -> Content:
    """One line per ``(label, value, text)``: the label, a bar and the text after it.

    A row whose value is None gets no bar (``text`` says why). The whole fits ``width``.
    """
    if not rows:
        return Content("")
    label_width = min(max(len(label) for label, _, _ in rows), max(width // 3, 4))
    text_width = max(len(text) for _, _, text in rows)
    room = max(width - label_width - text_width - 2, 1)
    lines = []
    for label, value, text in rows:
        name = Content(label).truncate(label_width, ellipsis=True, pad=True)
        drawn = (
            Content.styled(bar(value, high, room, low=low), style)
            if value is not None
            else Content(" " * room)
        )
        lines.append(Content.assemble(name, " ", drawn, " ", text))
    return Content("\n").join(lines)
