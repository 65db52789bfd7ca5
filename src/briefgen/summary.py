"""The table closing a build: one row per output, then one line of totals.

    BRIEF   FORMAT  PAGES / LIMIT  WORDS / LIMIT  NOTES  TIME    STATUS
    forb    pdf             2 / 2    816 / 2,000     18  0.22 s  built
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .errors import Problem

BUILT, SKIPPED, FAILED = "built", "skipped (unchanged)", "failed"


@dataclass
class Row:
    """One output in the summary."""

    brief: str
    format: str
    status: str
    pages: int | None = None
    words: int | None = None
    limit: int | None = None          # words, the brief's or its audience's (limits.py)
    notes: int | None = None
    seconds: float | None = None
    page_limit: int | None = None


@dataclass
class Release:
    rows: list[Row]
    problems: list[Problem]
    warnings: list[Problem]
    jobs: int = 1
    seconds: float = 0.0


HEADINGS = ("BRIEF", "FORMAT", "PAGES / LIMIT", "WORDS / LIMIT", "NOTES", "TIME", "STATUS")
RIGHT = {"PAGES / LIMIT", "WORDS / LIMIT", "NOTES", "TIME"}


def _number(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _against(value: int | None, limit: int | None) -> str:
    """A count against its limit; pages are counted for PDFs only, so other formats show -."""
    if value is None:
        return "-"
    if limit is None:
        return f"{value:,}"
    over = " (over)" if value > limit else ""
    return f"{value:,} / {limit:,}{over}"


# Formats whose pages are counted: a PDF's as laid out, a DOCX's by LibreOffice when installed.
PAGED = ("pdf", "docx")


def cells(row: Row) -> tuple[str, ...]:
    seconds = "-" if row.seconds is None else f"{row.seconds:.2f} s"
    pages = _against(row.pages, row.page_limit)
    if row.pages is None and row.format in PAGED and row.status != FAILED:
        pages = "not counted"
    return (row.brief, row.format, pages,
            _against(row.words, row.limit), _number(row.notes), seconds, row.status)


def table(rows: list[Row]) -> list[str]:
    lines = [HEADINGS] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(HEADINGS))]
    return ["  ".join(cell.rjust(w) if head in RIGHT else cell.ljust(w)
                      for cell, w, head in zip(line, widths, HEADINGS)).rstrip()
            for line in lines]


def totals(release: Release) -> str:
    counts = Counter(row.status for row in release.rows)
    n = len(release.rows)
    outputs = f"{n} output{'' if n == 1 else 's'}"
    if counts[SKIPPED] == n:
        return all_skipped(n, release.seconds)
    return (f"{outputs}: {counts[BUILT]} built, {counts[SKIPPED]} skipped (unchanged), "
            f"{counts[FAILED]} failed, in {release.seconds:.2f} s "
            f"({'1 process' if release.jobs == 1 else f'{release.jobs} workers'})")


def all_skipped(n: int, seconds: float) -> str:
    outputs = f"{n} output{'' if n == 1 else 's'}"
    return f"{outputs}, all skipped (unchanged): nothing to build ({seconds:.2f} s)"


def as_skipped(rows: list[Row]) -> list[Row]:
    """The rows as a build that finds nothing changed shows them."""
    return [Row(r.brief, r.format, SKIPPED, r.pages, r.words, r.limit, r.notes, None, r.page_limit)
            for r in rows]


def render(release: Release) -> str:
    return "\n".join(table(release.rows) + [totals(release)])
