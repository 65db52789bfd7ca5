"""Progress of a build: a bar on a terminal, plain lines in CI or when output is not a terminal.

The bar is written here rather than taken from tqdm: it is twenty lines, it redraws only when a
brief finishes (a few times a second at most), and briefgen keeps one fewer dependency. A log
(CI, a pipe, a file) gets one plain line per brief built, which reads well after the fact.
"""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any, TextIO


def wants_bar(out: TextIO) -> bool:
    """A bar only on a terminal that can redraw a line, and never in CI."""
    interactive = hasattr(out, "isatty") and out.isatty()
    return interactive and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class Progress:
    """Told how many outputs are to be built, then each brief as it finishes."""

    def __init__(self, out: TextIO | None = None, bar: bool | None = None):
        self.out = out or sys.stdout
        self.bar = wants_bar(self.out) if bar is None else bar
        self.total = self.count = 0

    def start(self, total: int, skipped: int, jobs: int) -> None:
        self.total, self.count = total, 0
        if total and not self.bar:
            workers = f"with {jobs} workers" if jobs > 1 else "in one process"
            unchanged = f"; {skipped} unchanged output{_s(skipped)} skipped" if skipped else ""
            self._line(f"building {total} output{_s(total)} {workers}{unchanged}")
        elif total:
            self._draw("")

    def step(self, done: Any) -> None:
        """One brief finished (a ``release.Done``): its formats built, or failed."""
        self.count += len(done.formats)
        if self.bar:
            self._draw(done.brief)
            return
        formats = ", ".join(done.formats)
        what = (f"built {done.brief}: {formats} ({sum(done.seconds.values()):.2f} s)"
                if not done.problems else f"failed {done.brief}: {formats}")
        self._line(f"[{self.count}/{self.total}] {what}")

    def finish(self) -> None:
        if self.bar and self.total:
            self._write("\r\x1b[K")      # the summary table takes the bar's place

    def _line(self, text: str) -> None:
        self._write(text + "\n")

    def _draw(self, last: str) -> None:
        columns = shutil.get_terminal_size().columns
        counter = f" {self.count}/{self.total} "
        width = max(10, min(40, columns - len(counter) - len(last) - 4))
        filled = width * self.count // max(self.total, 1)
        text = f"[{'#' * filled}{'.' * (width - filled)}]{counter}{last}"
        self._write("\r" + text[:columns - 1] + "\x1b[K")

    def _write(self, text: str) -> None:
        """A reader that went away (``| head``) stops the progress, not the build."""
        if self.out is None:
            return
        try:
            self.out.write(text)
            self.out.flush()
        except (BrokenPipeError, ValueError):
            self.out = None


def _s(n: int) -> str:
    return "" if n == 1 else "s"
