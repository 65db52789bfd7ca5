"""The Markdown writer: the composed Markdown, so a user can continue in Pandoc.

It writes ``NAME.md`` (YAML metadata, then the Markdown the template made, citations in Pandoc
syntax), ``NAME.json`` (a CSL-JSON bibliography of the sources the document cites) and
``NAME.csl`` (the citation style), so that ``pandoc --citeproc NAME.md -o NAME.docx`` works in
the output folder. The Markdown was escaped as values entered it (``compose.escape_markdown``),
so nothing more is escaped here except the metadata, which Pandoc also reads as Markdown.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .. import cite as citing
from .. import model as m
from ..compose import escape_markdown
from ..parse import CITATION, parse_citation

# CSL locator labels as Pandoc 3.9 reads them in every English locale (its short forms differ
# between en-GB and en-US: "sec." is read in one only); a label Pandoc has no term for is
# written in braces with the value, which Pandoc reads as a page locator, as the cite stage does.
PANDOC_TERMS = {"sub-verbo": "sub verbo", "table": None}


def front_matter(work: Any, stem: str) -> str:
    meta = work.document.meta
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


def files(work: Any, stem: str) -> list[tuple[str, bytes]]:
    """The three files, as (name, bytes); the same inputs give the same bytes."""
    sources = {s.id: s for s in work.dataset.records("sources")}
    cited = [sources[key] for key in work.document.bibliography if key in sources]
    style = Path(work.style.path)
    text = front_matter(work, stem) + export_citations(work.markdown).rstrip("\n") + "\n"
    return [
        (f"{stem}.md", text.encode("utf-8")),
        (f"{stem}.json", citing.csl_json(cited).encode("utf-8")),
        (f"{stem}.csl", style.read_bytes()),
    ]


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
