"""Bytes written to the terminal per cursor move: the journal grid against a bare DataTable.

Both run in a real terminal: a tmux pane of 120 x 40 on a private tmux server. Each app shows a
35-pupil x 70-lesson journal (the same synthetic one) and starts with the cursor on the same
lesson cell. Once the app has painted, ``tmux pipe-pane -o 'cat >> FILE'`` copies everything the
app writes to the pane into a file; the benchmark sends one arrow key at a time with
``send-keys`` and, after the output has been quiet for a moment, counts the file's growth. The
moves are the same for both: round trips within the view (no scrolling), then a run to the right
past the edge of the view (every move scrolls sideways).

    uv run python -m benchmarks.journal_bytes [--rounds 2]

``--serve grid|table`` runs one of the two apps (what the tmux pane runs).
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable

from benchmarks.common import ROOT, median
from benchmarks.journal_keys import TODAY, sample_journal
from screens.journal_grid import JournalGrid, cell_text, grid_labels

WIDTH, HEIGHT = 120, 40
START_LESSON = 55
"""The lesson column both apps start on."""
SCROLLING_MOVES = 12
"""Right from the start column, which both apps show at the right edge: each move scrolls."""
READY = "Фамилия01"
QUIET = 0.25
"""Seconds without output after which a move counts as painted."""


class GridApp(App[None]):
    def compose(self) -> ComposeResult:
        yield JournalGrid(sample_journal(), today=TODAY)

    def on_mount(self) -> None:
        self.query_one(JournalGrid).move_to(0, START_LESSON)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield DataTable[str](cursor_type="cell", fixed_columns=1)

    def on_mount(self) -> None:
        model = sample_journal()
        table = self.query_one(DataTable)
        table.add_column("Pupil")
        for lesson in model.lessons:
            table.add_column(f"{lesson.date:%d.%m}")
        for pupil in model.pupils:
            row = [f"{pupil.number} {pupil.display_name}"]
            for lesson in model.lessons:
                text, sign = cell_text(model.peek(pupil.id, lesson.id), grid_labels("ru"))
                row.append(text + sign)
            table.add_row(*row)
        table.focus()
        table.move_cursor(row=0, column=START_LESSON + 1, animate=False)


def moves(rounds: int) -> list[tuple[str, str]]:
    """(phase, key) pairs: round trips in view, then a run right that scrolls on every key."""
    keys: list[tuple[str, str]] = []
    for _ in range(rounds):
        for key, count in (("Down", 12), ("Left", 4), ("Up", 12), ("Right", 4)):
            keys.extend(("in view", key) for _ in range(count))
    keys.extend(("scrolling", "Right") for _ in range(SCROLLING_MOVES))
    return keys


class Tmux:
    def __init__(self, name: str) -> None:
        self.socket = f"journal-bytes-{os.getpid()}-{name}"

    def __call__(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"tmux {args[0]} failed: {done.stderr.strip()}")
        return done.stdout

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


def wait_quiet(path: Path, quiet: float = QUIET, limit: float = 5.0) -> int:
    """The file's size once it has stopped growing for ``quiet`` seconds."""
    deadline = time.monotonic() + limit
    size = path.stat().st_size
    still_since = time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.02)
        now = path.stat().st_size
        if now != size:
            size, still_since = now, time.monotonic()
        elif time.monotonic() - still_since >= quiet:
            break
    return size


def run_one(kind: str, keys: list[tuple[str, str]], folder: Path) -> dict[str, list[int]]:
    tmux = Tmux(kind)
    log = folder / f"{kind}.out"
    log.write_bytes(b"")
    python = shlex.quote(sys.executable)
    command = (
        f"cd {shlex.quote(str(ROOT))} && exec {python} -m benchmarks.journal_bytes --serve {kind}"
    )
    try:
        tmux(
            "new-session", "-d", "-x", str(WIDTH), "-y", str(HEIGHT), "-s", "bench",
            "env", "TERM=xterm-256color", "COLORTERM=truecolor", "sh", "-c", command,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while READY not in tmux("capture-pane", "-p", "-t", "bench"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {kind} app did not start in a minute")
            time.sleep(0.1)
        time.sleep(1.0)
        tmux("pipe-pane", "-o", "-t", "bench", f"cat >> {shlex.quote(str(log))}")
        size = wait_quiet(log, quiet=0.5)
        per_phase: dict[str, list[int]] = {}
        for phase, key in keys:
            tmux("send-keys", "-t", "bench", key)
            new = wait_quiet(log)
            per_phase.setdefault(phase, []).append(new - size)
            size = new
        return per_phase
    finally:
        tmux.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve", choices=("grid", "table"))
    args = parser.parse_args()
    if args.serve:
        (GridApp() if args.serve == "grid" else TableApp()).run()
        return
    keys = moves(args.rounds)
    with tempfile.TemporaryDirectory(prefix="journal-bytes-") as folder:
        results = {kind: run_one(kind, keys, Path(folder)) for kind in ("grid", "table")}
    print(f"bytes per cursor move, 35 pupils x 70 lessons, tmux pane {WIDTH}x{HEIGHT}")
    for phase in dict.fromkeys(phase for phase, _ in keys):
        grid, table = results["grid"][phase], results["table"][phase]
        print(
            f"  {phase:<10} moves {len(grid):>3}   JournalGrid median {median(grid):6.0f}  "
            f"mean {sum(grid) / len(grid):6.0f}   DataTable median {median(table):6.0f}  "
            f"mean {sum(table) / len(table):6.0f}   ratio {sum(grid) / max(1, sum(table)):.2f}"
        )
    total_grid = sum(sum(v) for v in results["grid"].values())
    total_table = sum(sum(v) for v in results["table"].values())
    print(
        f"  all moves  grid {total_grid} bytes, table {total_table} bytes, "
        f"ratio {total_grid / max(1, total_table):.2f} (target: at most 1.5)"
    )


if __name__ == "__main__":
    main()
