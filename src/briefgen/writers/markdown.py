"""The Markdown writer: the composed Markdown, so a user can continue in Pandoc.

It writes ``NAME.md`` (YAML metadata, then the Markdown the template made, citations in Pandoc
syntax), ``NAME.json`` (a CSL-JSON bibliography of the sources the document cites) and
``NAME.csl`` (the citation style), so that ``pandoc --citeproc NAME.md -o NAME.docx`` works in
the output folder. The Markdown was escaped as values entered it (``compose.escape_markdown``),
so nothing more is escaped here except the metadata, which Pandoc also reads as Markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .. import cite as citing
from ..compose import escape_markdown


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
    text = front_matter(work, stem) + work.markdown.rstrip("\n") + "\n"
    return [
        (f"{stem}.md", text.encode("utf-8")),
        (f"{stem}.json", citing.csl_json(cited).encode("utf-8")),
        (f"{stem}.csl", style.read_bytes()),
    ]
