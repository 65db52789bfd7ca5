"""Writers: one module per output format, each walking the same document model.

Each format has its own escaping function (``docx.xml_text``, ``html.escape_html``,
``typst_pdf.typst_text``); all of them first drop, with ``storable``, the characters that no
output can hold, so every format shows the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Everything XML 1.0 cannot hold, and so neither DOCX, HTML nor PDF text: C0 controls but
# tab/LF/CR (``\x00``, ``\x0b``...), lone surrogates, U+FFFE and U+FFFF.
_NOT_STORABLE = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_NEWLINE = re.compile("\r\n|[\r\n]")


def storable(text: str) -> str:
    """``text`` without the characters no output format can hold."""
    return _NOT_STORABLE.sub("", text)


def one_line(text: str) -> str:
    """Storable text with each line break (LF, CR or CRLF) a space, as a soft break in
    Markdown is; a hard break is a ``LineBreak`` node, not a character."""
    return _NEWLINE.sub(" ", storable(text))


@dataclass(frozen=True)
class Laid:
    """What a PDF writer reports: its warnings (one line each) and the pages it laid out."""

    warnings: list[str] = field(default_factory=list)
    pages: int = 0
