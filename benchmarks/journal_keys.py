"""Keystroke to painted cell in the class journal: 35 pupils x 70 lessons, 120 x 40 terminal.

How it is measured. The app runs under ``App.run_test`` (the headless driver). Headless Textual
still lays out and renders every update in its compositor, but skips turning the update into
terminal text; the benchmark puts that step back: it wraps ``App._display`` so that every
compositor update is rendered to the exact escape sequences a terminal would receive
(``CompositorUpdate.render_segments``) and time-stamped. For each keystroke the clock starts
before ``pilot.press(digit)`` and stops at the first screen update rendered after it, waited for
without forcing it: the update comes from Textual's own screen-update timer, as it would in a
terminal. So each figure covers key event, the grid's handler (model edit, cursor move),
Textual's refresh scheduling, the compositor's repaint of the dirty regions, and rendering them
to terminal text. It leaves out only the write to the terminal itself.

The same keystrokes are measured on a bare ``DataTable`` of the same size doing the nearest
equivalent (``update_cell`` then move the cursor down), the other way this grid could have been
built.

    uv run python -m benchmarks.journal_keys [--keys 240] [--pupils 35] [--lessons 70]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import time
from collections.abc import Callable
from typing import Any

from textual import events
from textual.app import App, ComposeResult
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from api_client.models import AbsenceKind
from benchmarks.common import median, percentile
from diary_tui.journal_model import Cell, CellMark, JournalLesson, JournalModel, JournalPupil
from screens.journal_grid import JournalGrid, cell_text, grid_labels

SIZE = (120, 40)
ABSENT = (AbsenceKind.UNEXCUSED, AbsenceKind.ILLNESS)
TODAY = dt.date(2026, 11, 25)


def sample_journal(pupils: int = 35, lessons: int = 70, seed: int = 1) -> JournalModel:
    """A synthetic journal: about a third of the cells hold a mark, a few an absence."""
    rnd = random.Random(seed)
    people = [
        JournalPupil(i + 1, i + 1, f"Фамилия{i + 1:02}", f"Имя{i + 1:02}") for i in range(pupils)
    ]
    start = TODAY - dt.timedelta(days=(lessons * 7) // 3)
    dates = [
        JournalLesson(1000 + j, start + dt.timedelta(days=(j * 7) // 3), 1 + j % 6)
        for j in range(lessons)
    ]
    cells: dict[tuple[int, int], Cell] = {}
    for pupil in people:
        for lesson in dates:
            roll = rnd.random()
            if roll < 0.3:
                mark = CellMark(rnd.randint(2, 5), rnd.choice((1, 1, 2)))
                cells[(pupil.id, lesson.id)] = Cell(marks=[mark])
            elif roll < 0.34:
                cells[(pupil.id, lesson.id)] = Cell(absence=rnd.choice(ABSENT))
    return JournalModel(people, dates, cells)


class GridApp(App[None]):
    def __init__(self, model: JournalModel) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        yield JournalGrid(self.model, today=TODAY)


class TypingTable(DataTable[str]):
    """A bare DataTable that does what a digit does in the journal: set the cell, move down."""

    def on_key(self, event: events.Key) -> None:
        if event.character is not None and event.character.isdigit():
            event.stop()
            row, col = self.cursor_coordinate
            self.update_cell_at(Coordinate(row, col), f" {event.character}")
            self.move_cursor(row=row + 1, column=col)


class TableApp(App[None]):
    def __init__(self, model: JournalModel) -> None:
        super().__init__()
        self.model = model

    def compose(self) -> ComposeResult:
        table = TypingTable(cursor_type="cell", fixed_columns=1)
        yield table

    def on_mount(self) -> None:
        table = self.query_one(TypingTable)
        table.add_column("Pupil", key="pupil")
        for lesson in self.model.lessons:
            table.add_column(f"{lesson.date:%d.%m}", key=str(lesson.id))
        for pupil in self.model.pupils:
            row = [f"{pupil.number} {pupil.display_name}"]
            for lesson in self.model.lessons:
                text, sign = cell_text(self.model.peek(pupil.id, lesson.id), _LABELS)
                row.append(text + sign)
            table.add_row(*row, key=str(pupil.id))
        table.focus()


_LABELS = grid_labels("ru")


def watch_display(app: App[Any]) -> tuple[list[tuple[float, int]], asyncio.Event]:
    """Render each compositor update to terminal text, as a real driver would; time-stamp it."""
    from textual._compositor import CompositorUpdate

    painted: list[tuple[float, int]] = []
    event = asyncio.Event()
    original: Callable[..., None] = app._display

    def display(screen: Any, renderable: Any) -> None:
        original(screen, renderable)
        if isinstance(renderable, CompositorUpdate):
            text = renderable.render_segments(app.console)
            painted.append((time.perf_counter(), len(text.encode())))
            event.set()

    app._display = display  # type: ignore[method-assign]
    return painted, event


async def measure(app: App[Any], keys: int, seed: int) -> tuple[list[float], list[int]]:
    """Milliseconds from each digit key to its painted update, and the bytes of each update."""
    rnd = random.Random(seed)
    latencies: list[float] = []
    sizes: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause(0.2)
        painted, event = watch_display(app)
        for n in range(keys):
            if n and n % 30 == 0:
                # Back to the top of the column and one to the right, so no key is wasted.
                await pilot.press("up", *["up"] * 34, "left")
                await pilot.pause()
            event.clear()
            mark = len(painted)
            started = time.perf_counter()
            await pilot.press(str(rnd.randint(2, 5)))
            try:
                await asyncio.wait_for(event.wait(), timeout=2)
            except TimeoutError:
                continue
            at, size = painted[mark]
            latencies.append((at - started) * 1000)
            sizes.append(size)
    return latencies, sizes


def report(name: str, latencies: list[float], sizes: list[int]) -> None:
    print(
        f"{name:<28} keys {len(latencies):>4}  median {median(latencies):6.2f} ms  "
        f"p95 {percentile(latencies, 95):6.2f} ms  max {max(latencies, default=0):6.2f} ms  "
        f"bytes/update {median(sizes):6.0f}"
    )


async def main_async(keys: int, table_keys: int, pupils: int, lessons: int) -> None:
    print(f"journal {pupils} pupils x {lessons} lessons, terminal {SIZE[0]}x{SIZE[1]}")
    grid = await measure(GridApp(sample_journal(pupils, lessons)), keys, seed=2)
    report("JournalGrid (Line API)", *grid)
    # A DataTable repaints its whole view after update_cell: far slower, so fewer keys.
    table = await measure(TableApp(sample_journal(pupils, lessons)), table_keys, seed=2)
    report("DataTable (update_cell)", *table)
    print("target: median <= 8 ms, p95 <= 16 ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keys", type=int, default=240)
    parser.add_argument("--table-keys", type=int, default=20)
    parser.add_argument("--pupils", type=int, default=35)
    parser.add_argument("--lessons", type=int, default=70)
    args = parser.parse_args()
    asyncio.run(main_async(args.keys, args.table_keys, args.pupils, args.lessons))


if __name__ == "__main__":
    main()
