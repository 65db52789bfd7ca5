"""Typography, applied once as text enters the document model, so every format prints it.

What a typesetter would do to the project's own words, and nothing to a source's:

- **Quotes.** Straight quotes and apostrophes in the project's own text become curly
  ("People's" → "People’s", "I don't know" in straight double quotes → “I don’t know”),
  a citation's prefix and suffix included (the note prints them as written here).
  A quotation keeps the source's characters: text between curly double quotes (the marks
  templates put around a verbatim text, ``“{{ rec.text }}”``) and every block quote.
- **Dashes.** A range of numbers or years takes an en dash: 2007-2017 → 2007–2017, pp 4-6 →
  4–6. A date (2014-02-07) and anything joined to letters or slashes (a code, a URL) is left.
- **No break** inside a code such as KOR/19/0029 or A/HRC/25/63 (a word joiner, U+2060, after
  each slash), nor between "para", "paragraph", "p", "pp", "art", "item", "benchmark" or
  "no" and its number (a no-break space, U+00A0). Both are characters, so every writer and
  every engine keeps them: Typst, Pango and LibreOffice break lines by Unicode's rules.
- **Foreign terms** named in the dataset's ``foreign-terms.yaml`` (kwanliso, sur place) are
  set in italics (an ``Emph`` node) wherever the project's own text uses them. The list is
  data: a term is matched as a whole word and its text is never read as markup.

URLs are not touched here (a character put into one would be copied with it); each writer
lets a URL break only after a slash (``typst_pdf``, ``html``).

No library does this for a document model: smartypants-style converters work on HTML or
Markdown strings and know nothing of quotations kept verbatim, so the rules are written here,
small and tested (``tests/test_typography.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from pydantic import Field

from . import model as m
from .errors import Location, Problem, ValidationError, display_path
from .load import YSeq, read_file
from .schema import Model, Text, validate

FOREIGN_TERMS_FILE = "foreign-terms.yaml"
WORD_JOINER = "\u2060"
NO_BREAK_SPACE = "\u00a0"
OPEN, CLOSE = "\u201c", "\u201d"             # “ ” : around a verbatim text

_RANGE = re.compile(r"(?<![\w/.\-\u2013])(\d{1,4})-(\d{1,4})(?![\w/\-])")
_LABELLED = re.compile(r"\b(para|paras|paragraph|paragraphs|p|pp|art|article|item|items|"
                       r"benchmark|benchmarks|no)(\.?) (?=\d)", re.IGNORECASE)
_CODE = re.compile(r"\b[A-Z][A-Z0-9.]*(?:/[A-Za-z0-9.()\-]+)+")
_OPENS_AFTER = set(" \t\n([{\u2014\u2013-/\u00a0") | {OPEN, "\u2018"}


class ForeignTerm(Model):
    term: Text
    lang: Text | None = None            # BCP 47, e.g. ko-Latn (romanised Korean), fr
    note: Text | None = None


@dataclass(frozen=True)
class Terms:
    """The foreign terms to italicise, as one pattern (longest first, whole words)."""

    pattern: re.Pattern | None = None

    @classmethod
    def of(cls, terms: list[str]) -> "Terms":
        if not terms:
            return cls()
        words = sorted({t for t in terms}, key=len, reverse=True)
        alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        return cls(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE))


NO_TERMS = Terms()


def load_terms(data: Path) -> Terms:
    """The dataset's foreign terms (``data/foreign-terms.yaml``; none when absent), checked as
    the dataset is: a located problem for every unknown key or wrong value. Read once per
    version of the file."""
    path = Path(data) / FOREIGN_TERMS_FILE
    if not path.is_file():
        return NO_TERMS
    stat = path.stat()
    return _load_terms(path.resolve(), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _load_terms(path: Path, mtime: int, size: int) -> Terms:
    tree, problems = read_file(path)
    if tree is not None and not isinstance(tree, list):
        problems.append(Problem(getattr(tree, "loc", Location(display_path(path), 1, 1)),
                                "wrong top level; expected a list of foreign terms, got "
                                "something else"))
    terms = []
    for index, item in enumerate(tree if isinstance(tree, list) else []):
        where = tree.item_loc(index) if isinstance(tree, YSeq) else Location(display_path(path))
        term, item_problems = validate(ForeignTerm, item, "foreign term", where)
        problems += item_problems
        if term is not None:
            terms.append(term.term)
    if problems:
        raise ValidationError(problems)
    return Terms.of(terms)


# --- strings ---------------------------------------------------------------------------------

def curly(text: str, before: str = " ") -> str:
    """Straight quotes and apostrophes as curly ones; ``before`` is the character before."""
    out = []
    for index, char in enumerate(text):
        prev = text[index - 1] if index else before
        if char == '"':
            out.append(OPEN if prev in _OPENS_AFTER else CLOSE)
        elif char == "'":
            following = text[index + 1: index + 2]
            opens = prev in _OPENS_AFTER and not following.isdigit()   # ’90s is elided
            out.append("\u2018" if opens else "\u2019")
        else:
            out.append(char)
    return "".join(out)


def dashes(text: str) -> str:
    """An en dash in each range of numbers or years: 2007-2017 → 2007–2017."""
    return _RANGE.sub("\\1\u2013\\2", text)


def no_breaks(text: str) -> str:
    """No line break inside a code (KOR/19/0029) nor after "para" and the like."""
    text = _LABELLED.sub(lambda found: f"{found[1]}{found[2]}{NO_BREAK_SPACE}", text)
    return _CODE.sub(lambda found: found[0].replace("/", "/" + WORD_JOINER), text)


def own_text(text: str, before: str = " ") -> str:
    """The project's own words typeset (quotes, dashes, no breaks), without foreign terms."""
    return no_breaks(dashes(curly(text, before)))


def quoted_spans(text: str, quoted: bool) -> list[tuple[str, bool]]:
    """``text`` cut where a verbatim quotation opens (“) or closes (”): (piece, inside it).
    The marks themselves belong to the quotation and are kept."""
    pieces, start = [], 0
    for index, char in enumerate(text):
        if char == OPEN and not quoted:
            pieces.append((text[start:index], False))
            start, quoted = index, True
        elif char == CLOSE and quoted:
            pieces.append((text[start:index + 1], True))
            start, quoted = index + 1, False
    pieces.append((text[start:], quoted))
    return [(piece, inside) for piece, inside in pieces if piece]


# --- the model -------------------------------------------------------------------------------

class _Pass:
    """One block's inlines in reading order: whether a quotation is open, the last character."""

    def __init__(self, terms: Terms, quotes: bool) -> None:
        self.terms = terms
        self.quotes = quotes            # typeset quotes and terms (the body), not in notes
        self.quoted = False
        self.before = " "

    def inlines(self, nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        for node in nodes:
            out += self.inline(node)
        return m.merge_text(out)

    def inline(self, node: m.Inline) -> list[m.Inline]:
        if isinstance(node, m.Text):
            return self.text(node.text)
        if isinstance(node, (m.Emph, m.Strong)):
            return [replace(node, children=self.inlines(node.children))]
        if isinstance(node, m.Link):             # a URL's text is left as it is
            self.before = "x"
            return [node]
        if isinstance(node, m.Code):
            self.before = "x"
            return [node]
        if isinstance(node, m.Cite) and self.quotes:
            return [self.cite(node)]
        return [node]

    def cite(self, cite: m.Cite) -> m.Cite:
        """A citation's prefix and suffix ("see the “Legal framework”", "emphasis added") are
        the project's words, typeset as the text around them is; the cite pass prints them in
        the note as they are (``typeset_notes`` leaves a note's quotes to the style)."""
        items = tuple(replace(item, prefix=own_text(item.prefix), suffix=own_text(item.suffix))
                      for item in cite.items)
        return replace(cite, items=items)

    def text(self, text: str) -> list[m.Inline]:
        out: list[m.Inline] = []
        for piece, inside in quoted_spans(text, self.quoted):
            self.quoted = inside and not piece.endswith(CLOSE)
            if inside or not self.quotes:
                typeset = piece if inside else no_breaks(dashes(piece))
                out.append(m.Text(typeset))
            else:
                out += self.foreign(own_text(piece, self.before))
            self.before = piece[-1]
        return out

    def foreign(self, text: str) -> list[m.Inline]:
        if self.terms.pattern is None:
            return [m.Text(text)]
        out: list[m.Inline] = []
        start = 0
        for found in self.terms.pattern.finditer(text):
            out += [m.Text(text[start:found.start()]), m.Emph((m.Text(found[0]),))]
            start = found.end()
        out.append(m.Text(text[start:]))
        return out


def typeset(blocks: tuple[m.Block, ...], terms: Terms = NO_TERMS) -> tuple[m.Block, ...]:
    """The project's text typeset; block quotes (quotations) are kept as the source wrote them."""
    return tuple(_block(block, terms, quotes=True) for block in blocks)


def typeset_notes(notes: tuple[m.Note, ...]) -> tuple[m.Note, ...]:
    """Notes, as the citation style wrote them: only dashes in ranges and no breaks (the style
    made the quotes already), and never inside a quotation."""
    return tuple(m.Note(n.number, tuple(_block(b, NO_TERMS, quotes=False) for b in n.blocks))
                 for n in notes)


def _block(block: m.Block, terms: Terms, quotes: bool) -> m.Block:
    if isinstance(block, (m.Heading, m.Paragraph)):
        return replace(block, children=_Pass(terms, quotes).inlines(block.children))
    if isinstance(block, (m.BulletList, m.OrderedList)):
        return replace(block, items=tuple(tuple(_block(b, terms, quotes) for b in item)
                                          for item in block.items))
    if isinstance(block, m.Table):
        def row(cells):
            return tuple(_Pass(terms, quotes).inlines(cell) for cell in cells)
        return replace(block, header=row(block.header), rows=tuple(row(r) for r in block.rows))
    return block          # a block quote is a quotation; a rule has no text
