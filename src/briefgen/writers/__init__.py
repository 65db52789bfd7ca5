"""Writers: one module per output format, each walking the same document model.

Every writer has one signature, ``write(document, target, look) -> Written``: it turns a
cited document into the bytes of its files, named as ``target.files`` says, and reports the
pages it laid out and its warnings. A writer may split off its Python half as ``prepare``
(``preparer``), whose result ``write`` then takes as ``prepared``. No writer touches the disk, imports ``compose`` or
``build``: the build alone writes temporary files and renames them into place.

Writers are registered by key (``WRITERS``) and imported only when asked for, since their
libraries (python-docx, Typst, WeasyPrint) cost most of a fresh process's start.

Each format has its own escaping function (``docx.xml_text``, ``html.escape_html``,
``typst_pdf.typst_text``, ``markdown.escape_markdown``); all of them first drop, with
``storable``, the characters that no output can hold, so every format shows the same text.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:       # only named: the registry imports a writer when it is asked for
    from briefgen.model import Document
    from briefgen.target import Target
    from briefgen.writers.look import Look

# Everything XML 1.0 cannot hold, and so neither DOCX, HTML nor PDF text: C0 controls but
# tab/LF/CR (``\x00``, ``\x0b``...), lone surrogates, U+FFFE and U+FFFF.
_NOT_STORABLE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Line breaks: LF, CR, and those Unicode adds (NEL, LINE and PARAGRAPH SEPARATOR), which
# Markdown reads as text and WeasyPrint would draw as a box.
_NEWLINE = re.compile("[ \t]*[\r\n\x85\u2028\u2029]+[ \t]*")


def storable(text: str) -> str:
    """``text`` without the characters no output format can hold."""
    return _NOT_STORABLE.sub("", text)


def unstorable_messages(texts: list[str], shown: int = 5) -> list[str]:
    """One warning naming the characters of ``texts`` that ``storable`` drops, or none.

    Such a character reaches a document only through an escape in the YAML (``"\\x07"``):
    raw, the loader refuses it. The warning names each with the text around it, so an author
    can find it.
    """
    found: dict[str, str] = {}
    for text in texts:
        for match in _NOT_STORABLE.finditer(text):
            context = storable(text[max(0, match.start() - 20): match.end() + 20])
            found.setdefault(match.group(), one_line(context).strip())
    if not found:
        return []
    listed = "; ".join(f"U+{ord(c):04X} in {context!r}" for c, context in list(found.items())[:shown])
    more = f"; and {len(found) - shown} more" if len(found) > shown else ""
    return [f"{len(found)} character(s) that XML cannot hold are left out of the DOCX, HTML and "
            f"PDF: {listed}{more}; expected printable text, got control characters or "
            f"non-characters"]


def one_line(text: str) -> str:
    """Storable text with each run of line breaks (LF, CR, CRLF, U+0085, U+2028, U+2029),
    and the spaces and tabs around it, one space: as a soft break in Markdown is, and as
    ``compose.escape_markdown`` writes data text, so a source title in a note reads as a
    finding does. A hard break is a ``LineBreak`` node, not a character."""
    return storable(_NEWLINE.sub(" ", text))   # in the order the body text meets them


@dataclass(frozen=True)
class Written:
    """What a writer made: its files' bytes by name, the pages it laid out (None where the
    format has no pages of its own), and its warnings, one line each."""

    files: dict[str, bytes]
    pages: int | None = None
    warnings: list[str] = field(default_factory=list)


Writer = Callable[["Document", "Target", "Look"], Written]

# Writer keys (``Target.writer``) and the module whose ``write`` serves each.
WRITERS: dict[str, str] = {
    "docx": "briefgen.writers.docx",
    "pdf/typst": "briefgen.writers.typst_pdf",
    "pdf/weasyprint": "briefgen.writers.weasy",
    "html": "briefgen.writers.html",
    "md": "briefgen.writers.markdown",
}


def writer(key: str) -> Writer:
    """The ``write`` function registered under ``key``, its module imported now."""
    return importlib.import_module(WRITERS[key]).write


def preparer(key: str) -> Callable | None:
    """The writer's ``prepare(document, target, look)``, where it has one: the part of its
    work that is Python's, which a release runs with the brief's stages while the writers'
    thread waits on a library that runs without Python's lock (Typst). ``write`` then takes
    what it returned as ``prepared``."""
    return getattr(importlib.import_module(WRITERS[key]), "prepare", None)
