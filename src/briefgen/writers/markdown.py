"""The Markdown writer: the composed Markdown, so a user can continue in Pandoc.

It writes ``NAME.md`` (YAML metadata, then the Markdown the template made, citations in Pandoc
syntax), ``NAME.json`` (a CSL-JSON bibliography of the sources the document cites) and
``NAME.csl`` (the citation style), so that ``pandoc --citeproc NAME.md -o NAME.docx`` works in
the output folder. The Markdown was escaped as values entered it (``escape_markdown``, which
the compose stage calls), so nothing more is escaped here except the metadata, which Pandoc
also reads as Markdown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import yaml

from briefgen import cite as citing
from briefgen import model as m
from briefgen.parse import CITATION, parse_citation
from briefgen.writers import Written

if TYPE_CHECKING:
    from briefgen.target import Target
    from briefgen.writers.look import Look

# CSL locator labels as Pandoc 3.9 reads them in every English locale (its short forms differ
# between en-GB and en-US: "sec." is read in one only); a label Pandoc has no term for is
# written in braces with the value, which Pandoc reads as a page locator, as the cite stage does.
PANDOC_TERMS = {"sub-verbo": "sub verbo", "table": None}


# --- the one escaping function for Markdown -----------------------------------------------

# Every ASCII punctuation character that means something to CommonMark or Pandoc's Markdown
# inline (emphasis, code, links, citations, HTML, entities, maths, super/subscript, tables).
INLINE_SPECIALS = re.compile(r"([\\`*_{}\[\]<>!&~^$@|#])")
# At the start of a line these begin a block: lists, headings (escaped above), quotes, rules.
BLOCK_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+=:])")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that reads back as the same text.

    Line breaks become spaces (a paragraph's text is one line, so nothing in it can start a
    block); each special character gets a backslash, which CommonMark and Pandoc both allow
    before any ASCII punctuation.
    """
    text = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", str(text))
    text = INLINE_SPECIALS.sub(r"\\\1", text)
    return BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(found: re.Match) -> str:
    if found[2]:
        return f"{found[1]}{found[2]}\\{found[3]}"
    return f"{found[4]}\\{found[5]}"


# --- the files ------------------------------------------------------------------------------

def front_matter(meta: m.Meta, stem: str) -> str:
    fields = {
        "title": escape_markdown(meta.title),
        "subtitle": escape_markdown(meta.subtitle) if meta.subtitle else None,
        "author": [escape_markdown(a) for a in meta.authors or meta.organisations],
        "date": meta.date_text,
        "lang": meta.lang,
        "bibliography": f"{stem}.json",
        "csl": f"{stem}.csl",
        "suppress-bibliography": True,
    }
    fields = {k: v for k, v in fields.items() if v is not None}
    dumped = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n\n"


def write(doc: m.Document, target: Target, look: Look) -> Written:
    """The writer contract (``writers.Written``): the three files; the same inputs give the
    same bytes. ``doc.markdown`` is the Markdown the model was parsed from, and
    ``doc.references`` the CSL-JSON items of the sources its notes cite."""
    md_name, json_name, csl_name = target.files
    stem = md_name.removesuffix(".md")
    text = front_matter(doc.meta, stem) + export_citations(doc.markdown).rstrip("\n") + "\n"
    return Written({md_name: text.encode("utf-8"),
                    json_name: citing.csl_json_text(list(doc.references)).encode("utf-8"),
                    csl_name: target.style.read_bytes()})


def export_citations(markdown: str) -> str:
    """Every citation rewritten as Pandoc reads it, so ``pandoc --citeproc`` gives the notes the
    cite stage gave: each locator after a comma, with its label, in braces unless it is
    numbers (a one-word heading unbraced would be read as a suffix)."""
    def rewrite(found: re.Match) -> str:
        cite = parse_citation(found["body"], found[0])
        return found[0] if cite is None else "[" + "; ".join(map(_item, cite.items)) + "]"
    return CITATION.sub(rewrite, markdown)


def _item(item: m.CiteItem) -> str:
    prefix = escape_markdown(item.prefix) + " " if item.prefix.strip() else ""
    text = f"{prefix}{'-' if item.mode == 'suppress-author' else ''}@{item.key}"
    if item.locator is not None:
        text += ", " + _locator(item)
    suffix = escape_markdown(item.suffix) if item.suffix.strip() else ""
    return text + (suffix if suffix[:1] in ("", " ", ",", ";", ":", ".") else " " + suffix)


def _locator(item: m.CiteItem) -> str:
    label = PANDOC_TERMS.get(item.label or "page", item.label or "page")
    value = escape_markdown(item.locator or "")
    if label is not None and item.label in citing.CSL_LOCATORS \
            and citing.NUMBERS.fullmatch(item.locator or ""):
        return f"{label} {value}"
    if label is None or item.label not in citing.CSL_LOCATORS:
        return "{" + f"{item.label} {value}" + "}"
    return "{" + f"{label} {value}" + "}"
