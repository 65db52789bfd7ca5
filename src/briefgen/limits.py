"""Limits: a brief's words and pages against what its audience allows.

A UPR submission over its word limit is not considered, so a brief over a limit fails with the
count, the limit and its largest sections, unless the author passes ``--allow-overlength``
(then it is a warning). Each limit is the brief's own (``limits:``), else the audience's: a
joint submission (more than one organisation) gets the audience's ``joint-words``. Words are
counted in the body and, where the audience counts them, the footnotes (``measure.py``);
pages are the PDF's, so they are checked when a PDF is built.
"""

from __future__ import annotations

from dataclasses import dataclass

from .brief import LoadedBrief
from .errors import BriefgenError, Location, Problem
from .measure import NOTES, Count


class LimitError(BriefgenError):
    """A brief is over its audience's word or page limit."""


@dataclass(frozen=True)
class Limits:
    words: int | None
    pages: int | None
    count_notes: bool
    words_at: Location           # where the word limit was set: the brief, else its audience
    pages_at: Location

    def words_of(self, count: Count) -> int:
        return count.total(self.count_notes)


def limits_of(loaded: LoadedBrief) -> Limits:
    own, audience = loaded.brief.limits, loaded.audience.limits
    joint = len(loaded.brief.organisations) > 1 and audience.joint_words
    words = own.words or (audience.joint_words if joint else audience.words)
    at_audience = loaded.loc("audience")
    return Limits(
        words=words, pages=own.pages or audience.pages, count_notes=audience.count_notes,
        words_at=loaded.loc("limits", "words") if own.words else at_audience,
        pages_at=loaded.loc("limits", "pages") if own.pages else at_audience,
    )


ALLOW = "--allow-overlength"
ALLOWED = f"(allowed by {ALLOW})"


def word_problem(loaded: LoadedBrief, count: Count, allow: bool) -> Problem | None:
    limits = limits_of(loaded)
    words = limits.words_of(count)
    if limits.words is None or words <= limits.words:
        return None
    what = "body and footnotes" if limits.count_notes else "body, footnotes not counted"
    largest = ", ".join(_part(name, n) for name, n in count.largest(3, limits.count_notes))
    return _over(limits.words_at, f"over the word limit; expected at most {limits.words:,} "
                 f"words ({what}), got {words:,}, {words - limits.words:,} over; largest: "
                 f"{largest}", allow)


def page_problem(loaded: LoadedBrief, pages: int, allow: bool, fmt: str = "PDF") -> Problem | None:
    limits = limits_of(loaded)
    if limits.pages is None or pages <= limits.pages:
        return None
    return _over(limits.pages_at, f"over the page limit; expected at most {limits.pages} "
                 f"pages, got {pages} in the {fmt}", allow)


def _part(name: str, words: int) -> str:
    return f"footnotes {words:,}" if name == NOTES else f"{name!r} {words:,}"


def _over(at: Location, message: str, allow: bool) -> Problem:
    if allow:
        return Problem(at, f"{message} {ALLOWED}", "warning")
    return Problem(at, f"{message}; shorten it, or build with {ALLOW}")
