"""The format-neutral document model: what compose produces and every writer reads.

Blocks hold inlines; inlines hold text. Two inline kinds exist only before the cite pass:
``Cite`` (a Pandoc citation) and ``InlineNote`` (an author's own footnote). The cite pass
(``cite.py``) replaces both with ``NoteRef`` and fills ``Document.notes``, so a writer sees
numbered notes whose texts are already formatted, the same for every format.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, Iterator, Union


# --- inlines -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Emph:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Strong:
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Code:
    text: str


@dataclass(frozen=True)
class Link:
    url: str
    children: tuple["Inline", ...]


@dataclass(frozen=True)
class LineBreak:
    pass


@dataclass(frozen=True)
class CiteItem:
    """One source in a citation: ``[see @coi-2014, para 80, emphasis added]``."""

    key: str
    label: str | None = None      # a CSL locator label: page, paragraph, section, ...
    locator: str | None = None
    prefix: str = ""
    suffix: str = ""
    mode: str = "normal"          # "suppress-author" (Pandoc's -@key) or "author-only"


@dataclass(frozen=True)
class Cite:
    items: tuple[CiteItem, ...]
    source: str = ""              # the citation as written, for messages and Markdown export


@dataclass(frozen=True)
class InlineNote:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class NoteRef:
    number: int


@dataclass(frozen=True)
class Inserted:
    """Text the newer version adds (a redline's tracked insertion; ``redline.py``)."""

    children: tuple["Inline", ...]


@dataclass(frozen=True)
class Deleted:
    """Text the newer version removes (a redline's tracked deletion)."""

    children: tuple["Inline", ...]


Inline = Union[Text, Emph, Strong, Code, Link, LineBreak, Cite, InlineNote, NoteRef, Inserted,
               Deleted]


# --- blocks ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Heading:
    level: int
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Paragraph:
    children: tuple[Inline, ...]
    numbered: bool = False        # a numbered paragraph, as UN and committee documents have


@dataclass(frozen=True)
class BulletList:
    items: tuple[tuple["Block", ...], ...]


@dataclass(frozen=True)
class OrderedList:
    items: tuple[tuple["Block", ...], ...]
    start: int = 1


@dataclass(frozen=True)
class BlockQuote:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Table:
    header: tuple[tuple[Inline, ...], ...]
    rows: tuple[tuple[tuple[Inline, ...], ...], ...]
    aligns: tuple[str, ...] = ()  # "left", "right", "center" or "" per column


@dataclass(frozen=True)
class ThematicBreak:
    pass


@dataclass(frozen=True)
class Changed:
    """Whole blocks the newer version adds ("ins") or removes ("del"), paragraph marks and
    all: a redline's tracked change of blocks."""

    change: str
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class Figure:
    """A numbered chart of a statistic (``charts.py``), drawn once: its SVG (the PDFs, the web
    page) and 300 dpi PNG (the DOCX, with the SVG beside it), the alt text made from its
    figures, and its data as a table. The caption starts "Figure N: " and carries the
    statistic's citation, which the cite pass numbers like any other."""

    number: int
    caption: tuple[Inline, ...]
    alt: str
    table: Table                  # the figures, after the chart on the web page and in Markdown
    svg: str = field(default="", metadata={"laid_out": False})
    png: bytes = field(default=b"", metadata={"laid_out": False})
    width_mm: float = 160.0
    height_mm: float = 60.0

    def fallback(self) -> tuple["Block", ...]:
        """The figure as blocks every writer prints: its caption, then its data table."""
        return (Paragraph(self.caption), self.table)


Block = Union[Heading, Paragraph, BulletList, OrderedList, BlockQuote, Table, ThematicBreak,
              Changed, Figure]


# --- the document ------------------------------------------------------------------------

@dataclass(frozen=True)
class Note:
    """A numbered footnote, its text formatted once for every writer."""

    number: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Meta:
    title: str
    subtitle: str = ""
    authors: tuple[str, ...] = ()
    organisations: tuple[str, ...] = ()
    date: str = ""                # ISO date, as in the brief
    date_text: str = ""           # the date as the audience writes it
    occasion: str = ""
    lang: str = "en-GB"
    audience: str = ""
    bibliography: bool = False    # the brief asks for a reference list after the notes


@dataclass(frozen=True)
class Document:
    meta: Meta
    blocks: tuple[Block, ...]
    notes: tuple[Note, ...] = ()
    bibliography: tuple[str, ...] = field(default=())   # cited source ids, first-cited order
    # Carried for the Markdown export, not laid out (``to_data`` leaves them out): the
    # Markdown the blocks were parsed from, and the CSL-JSON items of the cited sources.
    markdown: str = field(default="", metadata={"laid_out": False})
    references: tuple[dict, ...] = field(default=(), metadata={"laid_out": False})


# --- walking -----------------------------------------------------------------------------

def plain_text(nodes: Any) -> str:
    """The text of inlines or blocks, with notes left out and blocks joined by newlines."""
    if isinstance(nodes, (list, tuple)):
        sep = "\n" if nodes and _is_block(nodes[0]) else ""
        return sep.join(plain_text(n) for n in nodes)
    if isinstance(nodes, Text):
        return nodes.text
    if isinstance(nodes, Code):
        return nodes.text
    if isinstance(nodes, LineBreak):
        return "\n"
    if isinstance(nodes, (Emph, Strong, Link, Heading, Paragraph, Inserted, Deleted)):
        return plain_text(nodes.children)
    if isinstance(nodes, (BlockQuote, Note, Changed)):
        return plain_text(nodes.blocks)
    if isinstance(nodes, (BulletList, OrderedList)):
        return "\n".join(plain_text(item) for item in nodes.items)
    if isinstance(nodes, Figure):     # what the page prints as text: the chart is a drawing
        return plain_text(nodes.caption)
    if isinstance(nodes, Table):
        rows = (nodes.header,) + nodes.rows
        return "\n".join("\t".join(plain_text(cell) for cell in row) for row in rows)
    return ""


def merge_text(nodes: Any) -> tuple[Inline, ...]:
    """Inlines with adjacent Text nodes joined and empty ones dropped."""
    out: list[Inline] = []
    for node in nodes:
        if isinstance(node, Text) and out and isinstance(out[-1], Text):
            out[-1] = Text(out[-1].text + node.text)
        elif not (isinstance(node, Text) and not node.text):
            out.append(node)
    return tuple(out)


def find(nodes: Any, kind: type) -> Iterator[Any]:
    """Every node of one type, in reading order, wherever it is (inside notes too)."""
    if isinstance(nodes, kind):
        yield nodes
    elif isinstance(nodes, (list, tuple)):
        for node in nodes:
            yield from find(node, kind)
    elif is_dataclass(nodes):
        for f in fields(nodes):
            yield from find(getattr(nodes, f.name), kind)


def without_figures(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Blocks with each figure as its caption and data table, for a writer that draws none."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Figure):
            out.extend(block.fallback())
        elif isinstance(block, Changed):
            out.append(Changed(block.change, without_figures(block.blocks)))
        else:
            out.append(block)
    return tuple(out)


def is_list(node: Any) -> bool:
    """Whether a block is a list (a paragraph just before one is its lead-in)."""
    return isinstance(node, (BulletList, OrderedList))


def _is_block(node: Any) -> bool:
    return isinstance(node, (Heading, Paragraph, BulletList, OrderedList, BlockQuote, Table,
                             ThematicBreak, Changed, Figure))


def to_data(node: Any) -> Any:
    """The model as plain JSON-ready values, each node tagged with its type.

    Used for golden files and by writers that hand the document to another program as data.
    """
    if is_dataclass(node):
        data = {"type": type(node).__name__}
        for f in fields(node):
            if f.metadata.get("laid_out", True):
                data[f.name] = to_data(getattr(node, f.name))
        return data
    if isinstance(node, (list, tuple)):
        return [to_data(n) for n in node]
    return node



class Outline:
    """Heading levels for accessible output, asked for in reading order.

    The title is the only level 1; each heading goes one level below the nearest shallower
    heading before it, starting at 2, so a jump in the Markdown (``#`` then ``###``) becomes
    one step and a screen reader's outline misses no level (PDF/UA and WCAG ask for that).
    """

    def __init__(self) -> None:
        self._open: list[tuple[int, int]] = []       # (level written, level given), in scope

    def level(self, written: int) -> int:
        while self._open and self._open[-1][0] >= written:
            self._open.pop()
        given = min(self._open[-1][1] + 1, 6) if self._open else 2
        self._open.append((written, given))
        return given
