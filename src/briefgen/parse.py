"""Markdown with Pandoc citations, parsed by markdown-it-py into the document model.

markdown-it-py does the Markdown (CommonMark, tables, footnotes from mdit-py-plugins); the one
thing no plugin parses is Pandoc's bracketed citation, ``[see @coi-2014, paragraph 80; @hrw-2019, {section Legal framework}]``,
so this module adds an inline rule for it. Raw HTML is off: ``<b>`` in a template is text.
Only bracketed citations are recognised (not Pandoc's in-text ``@key``), so a stray ``@`` in
prose is never a citation.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.tree import SyntaxTreeNode
from mdit_py_plugins.footnote import footnote_plugin

from . import model as m

# Locator terms as Pandoc reads them (English CSL terms, long and short forms) -> CSL label.
LOCATOR_TERMS = {
    "page": "page", "pages": "page", "p.": "page", "pp.": "page", "p": "page", "pp": "page",
    "paragraph": "paragraph", "paragraphs": "paragraph", "para.": "paragraph", "paras.": "paragraph",
    "para": "paragraph", "paras": "paragraph", "¶": "paragraph", "¶¶": "paragraph",
    "section": "section", "sections": "section", "sec.": "section", "secs.": "section",
    "§": "section", "§§": "section",
    "chapter": "chapter", "chapters": "chapter", "chap.": "chapter", "chaps.": "chapter",
    "note": "note", "notes": "note", "n.": "note", "nn.": "note",
    "figure": "figure", "figures": "figure", "fig.": "figure", "figs.": "figure",
    "table": "table", "tables": "table", "line": "line", "lines": "line", "l.": "line",
    "ll.": "line",
    # the dataset's own labels, which CSL lacks: a page locator to Pandoc ("{benchmark 21}")
    "benchmark": "benchmark", "interview": "interview",
}

KEY = r"[A-Za-z0-9_][\w:.#$%&+?<>~/-]*?"
CITATION = re.compile(r"\[(?P<body>[^\[\]]*?(?:^|(?<=[\s\[;-]))-?@" + KEY + r"[^\[\]]*)\]")
ITEM = re.compile(r"^(?P<prefix>.*?)(?P<suppress>-?)@(?P<key>" + KEY + r")(?=$|[\s,;])(?P<rest>.*)$",
                  re.S)
VALUE = r"(?P<plain>[\w.:]+(?:\s*[-–,&]\s*[\w.:]+)*)"


def parse_citation(body: str, written: str = "") -> m.Cite | None:
    """The items of a bracketed citation's inside, or None when it is not one."""
    items = []
    for part in body.split(";"):
        found = ITEM.match(part.strip())
        if not found:
            return None
        label, locator, suffix = parse_locator(found["rest"])
        items.append(m.CiteItem(found["key"], label, locator, unescape(found["prefix"].strip()), suffix))
    return m.Cite(tuple(items), written or f"[{body}]")


def parse_locator(rest: str) -> tuple[str | None, str | None, str]:
    """``, paragraph 80, emphasis added`` -> ('paragraph', '80', ', emphasis added').

    A locator that is not a number is braced with its label, as Pandoc writes it:
    ``, {section Legal framework}``. A term Pandoc does not know leaves it all as suffix.
    """
    found = (re.match(r"^\s*,\s*\{(?P<term>\S+)\s+(?P<braced>(?:\\.|[^{}\\])*)\}(?P<suffix>.*)$", rest, re.S)
             or re.match(r"^\s*,\s*(?P<term>\S+)\s+" + VALUE + r"(?P<suffix>.*)$", rest, re.S))
    if not found or found["term"].lower() not in LOCATOR_TERMS:
        return None, None, unescape(rest.rstrip())
    groups = found.groupdict()
    locator = groups["braced"] if groups.get("braced") is not None else groups["plain"]
    return LOCATOR_TERMS[found["term"].lower()], unescape(locator), unescape(found["suffix"].rstrip())


def unescape(text: str) -> str:
    """Markdown backslash escapes removed, as CommonMark reads them outside a citation."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def _citation_rule(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "[":
        return False
    found = CITATION.match(state.src, state.pos)
    cite = parse_citation(found["body"], found[0]) if found else None
    if cite is None:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"cite": cite}
        token.content = found[0]
    state.pos = found.end()
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.use(footnote_plugin)
    md.inline.ruler.before("link", "citation", _citation_rule)
    return md


def parse(text: str) -> tuple[m.Block, ...]:
    """Markdown to blocks of the document model.

    A NUL character is dropped first: CommonMark turns it into U+FFFD, a visible character,
    where every writer drops it (``writers.storable``) as it drops the other characters XML
    cannot hold; the build warns about them all.
    """
    root = SyntaxTreeNode(parser().parse(text.replace("\x00", "")))
    notes = _footnotes(root)
    return tuple(b for node in root.children for b in _block(node, notes))


def _footnotes(root: SyntaxTreeNode) -> dict[int, tuple[m.Block, ...]]:
    notes: dict[int, tuple[m.Block, ...]] = {}
    for node in root.children:
        if node.type == "footnote_block":
            for note in node.children:
                notes[note.meta["id"]] = ()   # a note may cite another; fill in two steps
            for note in node.children:
                notes[note.meta["id"]] = tuple(b for c in note.children for b in _block(c, notes))
    return notes


# --- blocks -------------------------------------------------------------------------------

def _block(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    convert = BLOCKS.get(node.type)
    return convert(node, notes) if convert else []


def _children(node: SyntaxTreeNode, notes: dict) -> tuple[m.Block, ...]:
    return tuple(b for c in node.children for b in _block(c, notes))


def _paragraph(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    inlines = _inlines(node.children[0], notes) if node.children else ()
    return [m.Paragraph(inlines)] if inlines else []


def _heading(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    return [m.Heading(int(node.tag[1]), _inlines(node.children[0], notes))]


def _bullets(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    return [m.BulletList(tuple(_children(item, notes) for item in node.children))]


def _ordered(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    items = tuple(_children(item, notes) for item in node.children)
    return [m.OrderedList(items, int(node.attrs.get("start", 1)))]


def _quote(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    return [m.BlockQuote(_children(node, notes))]


def _code(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    return [m.Paragraph((m.Code(node.content.rstrip("\n")),))]


def _table(node: SyntaxTreeNode, notes: dict) -> list[m.Block]:
    rows = [tr for part in node.children for tr in part.children]
    cells = [[_inlines(cell.children[0], notes) if cell.children else () for cell in tr.children]
             for tr in rows]
    aligns = tuple(_align(cell) for cell in rows[0].children) if rows else ()
    return [m.Table(tuple(cells[0]) if cells else (), tuple(tuple(r) for r in cells[1:]), aligns)]


def _align(cell: SyntaxTreeNode) -> str:
    style = str(cell.attrs.get("style", ""))
    return style.split(":", 1)[1] if style.startswith("text-align:") else ""


BLOCKS = {
    "paragraph": _paragraph, "heading": _heading, "bullet_list": _bullets,
    "ordered_list": _ordered, "blockquote": _quote, "code_block": _code, "fence": _code,
    "table": _table, "hr": lambda node, notes: [m.ThematicBreak()],
}


# --- inlines ------------------------------------------------------------------------------

def _inlines(node: SyntaxTreeNode, notes: dict) -> tuple[m.Inline, ...]:
    return m.merge_text(inline for child in node.children for inline in _inline(child, notes))


def _inline(node: SyntaxTreeNode, notes: dict) -> list[m.Inline]:
    kind = node.type
    if kind == "text":
        return [m.Text(node.content)]
    if kind == "softbreak":
        return [m.Text(" ")]
    if kind == "hardbreak":
        return [m.LineBreak()]
    if kind in ("code_inline",):
        return [m.Code(node.content)]
    if kind == "em":
        return [m.Emph(_inlines(node, notes))]
    if kind == "strong":
        return [m.Strong(_inlines(node, notes))]
    if kind == "link":
        return [m.Link(str(node.attrs.get("href", "")), _inlines(node, notes))]
    if kind == "image":
        return [m.Text(node.content or str(node.attrs.get("alt", "")))]
    if kind == "citation":
        return [node.meta["cite"]]
    if kind == "footnote_ref":
        return [m.InlineNote(notes.get(node.meta["id"], ()))]
    return []
