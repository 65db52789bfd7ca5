"""Which characters of a document no font in its stack can draw.

Typst and WeasyPrint both fall back silently, to another font or to an empty box, when no font
in the stack has a glyph; an advocate would only see it by reading every page. So the writers
ask here first and the build turns each gap into a warning (an error under ``--strict``).

The fonts are those Typst finds (system fonts through its own scan, which sees what fontconfig
sees); their character maps are read with fontTools. A family Typst only has built in, with no
file to read, cannot be checked and is trusted to draw everything.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from briefgen import model


@dataclass(frozen=True)
class Gap:
    char: str
    context: str                  # the text around its first use

    @property
    def codepoint(self) -> str:
        return f"U+{ord(self.char):04X}"


@lru_cache(maxsize=1)
def typst_fonts():
    """Typst's font book, scanned once per process and shared by every compiler."""
    import typst

    return typst.Fonts()


@lru_cache(maxsize=None)
def installed_families() -> frozenset[str]:
    return frozenset(info.family for info in typst_fonts().fonts())


@lru_cache(maxsize=None)
def coverage(family: str) -> frozenset[int] | None:
    """Every code point the family's upright regular face draws; None when it has no file."""
    faces = [f for f in typst_fonts().fonts() if f.family == family]
    files = [f for f in faces if f.path]
    if faces and not files:
        return None
    regular = sorted(files, key=lambda f: (f.style != "normal", abs(f.weight - 400)))[:1]
    points: set[int] = set()
    for face in regular:
        points |= _cmap(face.path, face.index)
    return frozenset(points)


@lru_cache(maxsize=None)
def _cmap(path: str, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or ())
    finally:
        font.close()


def missing_families(families: list[str]) -> list[str]:
    return [f for f in families if f not in installed_families()]


def gaps(text: str, families: list[str]) -> list[Gap]:
    """Characters of ``text`` that no family of the stack draws, each once, in order of use.

    Families are read in order and only while characters remain: a Latin text drawn by the
    first family never loads the large CJK font's map (about 0.15 s).
    """
    wanted = {c for c in set(text) if not _invisible(c)}   # each character looked at once
    for family in families:
        if not wanted:
            break
        if family not in installed_families():
            continue
        drawn = coverage(family)
        if drawn is None:
            return []
        wanted = {c for c in wanted if ord(c) not in drawn}
    found: dict[str, Gap] = {}
    for i, char in enumerate(text if wanted else ""):
        if char in wanted and char not in found:
            found[char] = Gap(char, text[max(0, i - 20): i + 20].replace("\n", " ").strip())
    return list(found.values())


def undrawable(text: str, families: list[str]) -> list[str]:
    """Characters of ``text`` that no installed font draws, in order of first use.

    Typst falls back to any installed font for a character its stack lacks, so only these
    are left without a glyph, and under PDF/UA-1 Typst refuses to lay them out at all. Only
    the stack's gaps are looked up in the other fonts (most text has none); the font files
    read are cached, so the first document with an emoji pays a few seconds, once.
    A font Typst has built in, with no file to read, is not consulted.
    """
    wanted = {gap.char for gap in gaps(text, families)}
    for face in typst_fonts().fonts():
        if not wanted:
            break
        if face.path:
            drawn = _cmap(face.path, face.index)
            wanted = {c for c in wanted if ord(c) not in drawn}
    return [c for c in dict.fromkeys(text) if c in wanted]


def _invisible(char: str) -> bool:
    """Spaces, controls and format marks: nothing to draw, so no glyph needed."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def document_text(doc: model.Document) -> str:
    """Everything a reader sees: the masthead fields, the body and the notes."""
    meta = doc.meta
    head = [meta.title, meta.subtitle, meta.occasion, meta.date_text,
            *meta.organisations, *meta.authors]
    return "\n".join([*head, model.plain_text(doc.blocks),
                      *(model.plain_text(n.blocks) for n in doc.notes)])


def messages(doc: model.Document, families: list[str], stack: str) -> list[str]:
    """One warning text per missing family and per character no family draws."""
    out = [f"font family {f!r} of the {stack} stack is not installed; expected an installed "
           f"family (Debian: fonts-noto-core, fonts-noto-cjk), got none of that name"
           for f in missing_families(families)]
    missing = gaps(document_text(doc), families)
    if missing:
        shown = ", ".join(repr(f) for f in families)
        listed = "; ".join(f"{g.codepoint} {unicodedata.name(g.char, 'unnamed')} in {g.context!r}"
                           for g in missing[:SHOWN])
        more = f"; and {len(missing) - SHOWN} more" if len(missing) > SHOWN else ""
        out.append(f"no font in the {stack} stack ({shown}) can draw {len(missing)} "
                   f"character(s): {listed}{more}; expected a family that has them in the "
                   f"audience's fonts, got blank boxes or fallback glyphs")
    return out


SHOWN = 5                          # characters named in one warning


# --- vertical metrics ------------------------------------------------------------------------

# Typst, WeasyPrint and Word place a line's baseline differently inside the same line height,
# so spacing around a change of font or size (a heading after a paragraph) needs the fonts'
# ascent and descent to come out the same. Neither engine exposes them; fontTools reads them.
FALLBACK_METRICS = (1.069, 0.293)       # Noto's: ascent and descent, in em


@lru_cache(maxsize=None)
def vertical_metrics(families: tuple[str, ...], bold: bool = False) -> tuple[float, float]:
    """Ascent and descent (positive, in em) of the first installed family of the stack with
    a font file, as HarfBuzz reads them for a line's content area: the OS/2 typographic
    values when the font asks for them (USE_TYPO_METRICS), else ``hhea``'s."""
    for family in families:
        faces = [f for f in typst_fonts().fonts() if f.family == family and f.path]
        if faces:
            face = min(faces, key=lambda f: (f.style != "normal",
                                             abs(f.weight - (700 if bold else 400))))
            return _metrics(face.path, face.index)
    return FALLBACK_METRICS


@lru_cache(maxsize=None)
def _metrics(path: str, index: int) -> tuple[float, float]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        units = font["head"].unitsPerEm
        os2 = font["OS/2"] if "OS/2" in font else None
        if os2 is not None and os2.fsSelection & (1 << 7):
            ascent, descent = os2.sTypoAscender, -os2.sTypoDescender
        else:
            ascent, descent = font["hhea"].ascent, -font["hhea"].descent
        if ascent <= 0 and os2 is not None:
            ascent, descent = os2.usWinAscent, os2.usWinDescent
        return (ascent / units, descent / units) if ascent > 0 else FALLBACK_METRICS
    finally:
        font.close()


def advance(families: tuple[str, ...], text: str) -> float:
    """The width (em) of ``text`` set in the first installed family of the stack with a font
    file, from its advance widths (no kerning: list markers and numbers, a few characters)."""
    for family in families:
        faces = [f for f in typst_fonts().fonts() if f.family == family and f.path]
        if faces:
            face = min(faces, key=lambda f: (f.style != "normal", abs(f.weight - 400)))
            widths = _advances(face.path, face.index)
            return sum(widths.get(ord(c), widths.get(0, 0.5)) for c in text)
    return 0.5 * len(text)


@lru_cache(maxsize=None)
def _advances(path: str, index: int) -> dict[int, float]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        units = font["head"].unitsPerEm
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap() or {}
        wanted = "0123456789.\u2022\u2023\u2013"
        out = {ord(c): metrics[cmap[ord(c)]][0] / units for c in wanted if ord(c) in cmap}
        out[0] = metrics[".notdef"][0] / units if ".notdef" in metrics else 0.5
        return out
    finally:
        font.close()
