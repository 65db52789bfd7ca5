"""The Markdown writer: the composed Markdown, so a user can continue in Pandoc.

It writes ``NAME.md`` (YAML metadata, then the Markdown the template made, citations in Pandoc
syntax), ``NAME.json`` (a CSL-JSON bibliography of the sources the document cites) and
``NAME.csl`` (the citation style), so that ``pandoc --citeproc NAME.md -o NAME.docx`` works in
the output folder. The Markdown was escaped as values entered it (``escape_markdown``, which
the compose stage calls), so nothing more is escaped here except the metadata, which Pandoc
also reads as Markdown.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import yaml

from briefgen import model
from briefgen.writers import Written

if TYPE_CHECKING:
    from briefgen.target import Target
    from briefgen.writers.look import Look


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

def front_matter(meta: model.Meta, stem: str) -> str:
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


def csl_json(items: list[dict]) -> str:
    """A CSL-JSON bibliography file, the same bytes for the same items in the same order."""
    return json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write(doc: model.Document, target: Target, look: Look) -> Written:
    """The writer contract (``writers.Written``): the three files; the same inputs give the
    same bytes. ``doc.markdown`` is the Markdown the model was parsed from, and
    ``doc.references`` the CSL-JSON items of the sources its notes cite."""
    md_name, json_name, csl_name = target.files
    stem = md_name.removesuffix(".md")
    text = front_matter(doc.meta, stem) + doc.markdown.rstrip("\n") + "\n"
    return Written({md_name: text.encode("utf-8"),
                    json_name: csl_json(list(doc.references)).encode("utf-8"),
                    csl_name: target.style.read_bytes()})
