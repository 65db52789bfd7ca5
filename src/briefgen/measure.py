"""Measuring a composed document: its words, by section, as a limit counts them.

UN and parliamentary offices count words as a word processor does: runs of characters between
spaces, in the body and (where the audience says so) the footnotes. Note numbers are not words.
A heading starts a section; the words before the first heading are the opening section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import model as m

WORD = re.compile(r"\S+")
OPENING = "(opening)"
NOTES = "(footnotes)"


@dataclass(frozen=True)
class Count:
    """The words of one document."""

    body: int
    notes: int
    sections: tuple[tuple[str, int], ...]     # (heading, words) in reading order, body only

    def total(self, with_notes: bool = True) -> int:
        return self.body + (self.notes if with_notes else 0)

    def largest(self, n: int = 3, with_notes: bool = True) -> list[tuple[str, int]]:
        """The biggest sections (and the notes, when they count), biggest first."""
        parts = list(self.sections) + ([(NOTES, self.notes)] if with_notes else [])
        return sorted(parts, key=lambda part: -part[1])[:n]


def words(text: str) -> int:
    return len(WORD.findall(text))


def count(document: m.Document) -> Count:
    sections: list[list] = [[OPENING, 0]]
    for block in document.blocks:
        if isinstance(block, m.Heading):
            sections.append([m.plain_text(block.children), 0])
        sections[-1][1] += words(m.plain_text(block))
    body = sum(n for _, n in sections)
    notes = sum(words(m.plain_text(note.blocks)) for note in document.notes)
    kept = tuple((name, n) for name, n in sections if n or name != OPENING)
    return Count(body, notes, kept)
