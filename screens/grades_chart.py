"""A column chart drawn with block characters, for a subject's running average.

Each value is one column (or several, when there is room), filled from the bottom to its
height in eighths of a cell (``▁▂▃▄▅▆▇█``), against a fixed scale (the school's mark scale), so
two subjects' charts compare at a glance. A column may have its own style: the "what if"
marks are drawn in another colour and marked with ``?`` under the axis, which reads without
colour too.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content

from api_client import i18n
from api_client.i18n import _

EIGHTHS = " ▁▂▃▄▅▆▇█"


def column_chart(
    values: Sequence[float],
    *,
    low: float,
    high: float,
    height: int,
    width: int,
    styles: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
) -> Content:
    """``values`` as columns between ``low`` and ``high``, ``height`` rows of chart plus an
    axis row, at most ``width`` cells wide (the y-axis labels included).

    ``styles`` gives each column's style; ``labels`` a one-cell mark under each column.
    """
    if height < 1 or width < 8 or high <= low:
        raise ValueError("the chart needs a height, at least 8 columns and high > low")
    axis_width = (
        max(len(i18n.number(round(low + (high - low) * r / height, 1))) for r in range(height + 1))
        + 1
    )
    room = width - axis_width
    if not values:
        return Content.styled("(" + _("no marks yet") + ")", "dim")
    shown = list(values)[-room:]
    offset = len(values) - len(shown)
    step = max(1, min(3, room // len(shown)))
    bar = "█" * max(step - 1, 1) if step > 1 else "█"
    col_width = len(bar) + (1 if step > 1 else 0)
    rows: list[Content] = []
    levels = [max(0.0, min(1.0, (v - low) / (high - low))) * height * 8 for v in shown]
    for row in range(height, 0, -1):
        value_here = round(low + (high - low) * row / height, 1)
        tick = i18n.number(value_here)
        line = [Content.styled(tick.rjust(axis_width - 1) + "┤", "dim")]
        for index, level in enumerate(levels):
            filled = level - (row - 1) * 8
            char = "█" if filled >= 8 else (EIGHTHS[int(filled)] if filled > 0 else " ")
            cell = (char * len(bar)) + (" " if step > 1 else "")
            style = styles[offset + index] if styles is not None else "$accent"
            line.append(Content.styled(cell, style))
        rows.append(Content.assemble(*line))
    under = [Content.styled(i18n.number(low).rjust(axis_width - 1) + "└", "dim")]
    for index in range(len(shown)):
        label = labels[offset + index] if labels is not None else ""
        text = (label or "─")[:1]
        under.append(Content.styled(text.ljust(col_width, "─"), "$warning" if label else "dim"))
    rows.append(Content.assemble(*under))
    return Content("\n").join(rows)


def sparkline(values: Sequence[float], *, low: float, high: float, width: int) -> Content:
    """A one-line trend of ``values`` against the fixed scale ``low``..``high``.

    Unlike a sparkline scaled to its own minimum and maximum, a flat 5.00 reads high and a
    move from 3.75 to 3.78 reads as the small step it is. Longer series are sampled (the
    last value of each stretch); each cell is coloured by its height."""
    if not values or width < 1 or high <= low:
        return Content("")
    count = min(len(values), width)
    points = [
        values[min(len(values) - 1, ((i + 1) * len(values)) // count - 1)] for i in range(count)
    ]
    cells: list[Content] = []
    for value in points:
        share = max(0.0, min(1.0, (value - low) / (high - low)))
        level = max(1, round(share * 8))
        style = (
            "$text-success" if share >= 0.7 else "$text-warning" if share >= 0.45 else "$text-error"
        )
        cells.append(Content.styled(EIGHTHS[level], style))
    return Content.assemble(*cells)
