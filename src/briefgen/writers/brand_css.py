"""The brand as CSS: custom properties and the printed page, made from checked numbers.

``base.css`` reads every metric and colour through ``var(--...)``; this module writes those
properties from the brand, and the ``@page`` rules (size, margins, the running header and
footer), which WeasyPrint resolves before custom properties reach a margin box. Nothing is
pasted as it was typed: numbers are formatted here (points, millimetres), colours are
checked again to be ``#rrggbb``, and every text (font names, the running header) is a CSS
string from ``css_string``, so no brand value can end a rule or the ``<style>`` element.
"""

from __future__ import annotations

import base64
import re

from markupsafe import Markup

from briefgen.brand import ResolvedBrand
from briefgen.writers.glyphs import FALLBACK_METRICS

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def _number(value: float) -> str:
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return text or "0"


def pt(value: float) -> str:
    return f"{_number(value)}pt"


def mm(value: float) -> str:
    return f"{_number(value)}mm"


def colour(value: str) -> str:
    if not _COLOUR.fullmatch(value):
        raise ValueError(f"not a #rrggbb colour: {value!r}")
    return value.lower()


# Typst (briefgen's Typst library) sets every line in a box from 0.8 em above its baseline to
# 0.2 em below it, with the leading between boxes, and a heading of two lines 1.2 em from
# baseline to baseline. CSS centres the font's ascent and descent in the line height instead,
# so at a change of font and size (a heading between paragraphs) the same margins would put
# the baselines lower than Typst does: about 5 pt a heading with Noto, 20 pt a page of
# headings, enough for the UPR submission's contact block to take a fourth page. The
# headings' margins below make each baseline-to-baseline distance Typst's.
TYPST_TOP, TYPST_BOTTOM = 0.8, 0.2
HEADING_LEADING = 1.2
# The HTML heading of each brand heading level (h1 is the title, in the masthead).
HEADINGS = {"h2": "heading_1", "h3": "heading_2", "h4": "heading_3"}

Metrics = tuple[float, float]           # a font's ascent and descent, in em


def _css_above(line_height: float, metrics: Metrics) -> float:
    """From the top of a CSS line box to its baseline, in em of its font size."""
    ascent, descent = metrics
    return (line_height - ascent - descent) / 2 + ascent


def _css_below(line_height: float, metrics: Metrics) -> float:
    return line_height - _css_above(line_height, metrics)


def heading_margins(brand: ResolvedBrand, size: float, text: Metrics,
                    heading: Metrics, block_after: bool = False) -> tuple[float, float]:
    """The top and bottom margins (pt) of a heading of ``size`` pt, so that a paragraph's
    last baseline to the heading's first, and the heading's last to the next paragraph's
    first, are Typst's: the brand's space above (below) plus each line's edge to its
    baseline. The top margin collapses with the paragraph's own (``spacing.paragraph``)
    and wins whenever it is larger, which it is for every bundled brand. Before a list, a
    quotation or a table (``block_after``), Typst keeps the larger of the heading's space
    below and the block's own space above it (a paragraph's), as CSS margins collapse."""
    b = brand.brand
    body, lead, sp = b.sizes.body, b.leading.body, b.spacing
    below = sp.heading_below
    if block_after:
        below = max(below, (lead - 1) * body + sp.paragraph)
    typst_above = TYPST_BOTTOM * body + sp.heading_above + TYPST_TOP * size
    typst_below = TYPST_BOTTOM * size + below + TYPST_TOP * body
    top = typst_above - (_css_below(lead, text) * body + _css_above(HEADING_LEADING, heading) * size)
    bottom = typst_below - (_css_below(HEADING_LEADING, heading) * size
                            + _css_above(lead, text) * body)
    return top, bottom


# Typst sets a list's marker 0.4 em in from the margin and its text 0.8 em after the marker
# (after the widest number of an ordered list): the CSS list indents are those widths.
TYPST_LIST_INDENT, TYPST_BODY_INDENT = 0.4, 0.8
BULLETS = ("\u2022", "\u2023", "\u2013")    # Typst's markers: a list, one inside it, a third
LIST_DIGITS = (1, 2, 3)                 # ol, ol.digits-2, ol.digits-3 (html._Body.ordered_list)


def _noto_width(text: str) -> float:
    """Noto Serif's advance widths (em) of a bullet, a digit and a full stop, for callers
    that do not read the fonts."""
    return sum({"\u2022": 0.362, "\u2023": 0.5, "\u2013": 0.5, ".": 0.25}.get(c, 0.559)
               for c in text)


def list_indents(width) -> dict[str, float]:
    """Each list's left padding (em): ``ul`` at each depth, then ``ol`` by the digits of its
    last number; ``width(text)`` is the text font's width of a text in em."""
    out = {f"ul-indent-{depth}": TYPST_LIST_INDENT + width(bullet) + TYPST_BODY_INDENT
           for depth, bullet in enumerate(BULLETS, 1)}
    for digits in LIST_DIGITS:
        out[f"ol-indent-{digits}"] = (TYPST_LIST_INDENT + width("0" * digits + ".")
                                      + TYPST_BODY_INDENT)
    return out


def properties(brand: ResolvedBrand, text: Metrics = FALLBACK_METRICS,
               heading: Metrics = FALLBACK_METRICS, advance=_noto_width) -> dict[str, str]:
    """The custom properties ``base.css`` reads, by name (without the ``--``); ``text`` and
    ``heading`` are the vertical metrics of the text and heading fonts, ``advance`` the text
    font's width (em) of a text."""
    b = brand.brand
    s, sp, lead = b.sizes, b.spacing, b.leading
    props = {
        "body-size": pt(s.body), "note-size": pt(s.notes), "title-size": pt(s.title),
        "subtitle-size": pt(s.subtitle), "h1-size": pt(s.heading_1),
        "h2-size": pt(s.heading_2), "h3-size": pt(s.heading_3), "small-size": pt(s.small),
        "leading": _number(lead.body), "note-leading": _number(lead.notes),
        "para-space": pt(sp.paragraph), "item-space": pt(sp.list_item),
        "heading-above": pt(sp.heading_above), "heading-below": pt(sp.heading_below),
        "note-space": pt(sp.note),
        "logo-width": mm(brand.logo.width_mm if brand.logo else 0),
        "heading-leading": _number(HEADING_LEADING),
    }
    for tag, level in HEADINGS.items():
        top, bottom = heading_margins(brand, getattr(s, level), text, heading)
        props[f"{tag}-above"], props[f"{tag}-below"] = pt(top), pt(bottom)
        _, block = heading_margins(brand, getattr(s, level), text, heading, block_after=True)
        props[f"{tag}-below-block"] = pt(block)
    props.update({name: f"{_number(value)}em" for name, value in list_indents(advance).items()})
    props.update({f"colour-{name}": colour(value)
                  for name, value in b.colours.model_dump().items()})
    return props


# Typst raises the running header into the top margin by 30 % of it, and lowers the footer
# by 30 % of the bottom one (its header-ascent and footer-descent).
TYPST_HEADER_ASCENT = TYPST_FOOTER_DESCENT = 0.3
PT_PER_MM = 72 / 25.4


def page_metrics(brand: ResolvedBrand, text: Metrics,
                 heading: Metrics) -> tuple[float, float, float, float]:
    """The printed page's top and bottom margins and the header's and footer's top padding
    (pt), so that the first baseline of a page, the room for its last line and the running
    header and footer's baselines are Typst's on the brand's margins.

    A CSS line box puts its baseline lower than Typst's 0.8 em (2.5 pt for Noto Serif at
    10.5 pt on 1.3): the top margin gives that back. At the foot, the last line of text or of
    a note needs its line box's depth, where Typst needs 0.2 em.
    """
    b = brand.brand
    s, lead, m = b.sizes, b.leading, b.page.margins
    top_shift = (_css_above(lead.body, text) - TYPST_TOP) * s.body
    bottom_shift = max((_css_below(lead.body, text) - TYPST_BOTTOM) * s.body,
                       (_css_below(lead.notes, text) - TYPST_BOTTOM) * s.notes)
    top, bottom = m.top * PT_PER_MM - top_shift, m.bottom * PT_PER_MM - bottom_shift
    box_baseline = _css_above(1.0, heading) * s.small      # in a margin box of line-height 1
    header = m.top * PT_PER_MM * (1 - TYPST_HEADER_ASCENT) - TYPST_BOTTOM * s.small
    footer = (bottom - m.bottom * PT_PER_MM * (1 - TYPST_FOOTER_DESCENT)) + TYPST_TOP * s.small
    return top, bottom, header - box_baseline, footer - box_baseline


def stylesheet(brand: ResolvedBrand, *, header: str, organisation: str, fonts: str,
               css_string, text: Metrics = FALLBACK_METRICS,
               heading: Metrics = FALLBACK_METRICS, advance=_noto_width) -> Markup:
    """The brand's CSS: ``:root`` properties, then the printed page and its margin boxes.

    ``header`` is the running header (from page two, at the right), ``organisation`` the
    footer's (at the left, the page number at the right); ``fonts`` is a ``font-family``
    value already made by ``html.font_family``; ``text`` and ``heading`` the vertical
    metrics of the first text and heading fonts (``glyphs.vertical_metrics``), ``advance``
    the text font's width of a text in em (``glyphs.advance``).
    """
    b = brand.brand
    width, height = brand.page_mm
    m = b.page.margins
    top, bottom, header_pad, footer_pad = page_metrics(brand, text, heading)
    margin_box = (f"font-family: {fonts}; font-size: {pt(b.sizes.small)}; line-height: 1; "
                  f"color: {colour(b.colours.muted)}; vertical-align: top;")
    head_box = f"{margin_box} padding-top: {pt(header_pad)};"
    foot_box = f"{margin_box} padding-top: {pt(footer_pad)};"
    lines = [":root {"]
    lines += [f"  --{name}: {value};" for name, value in properties(brand, text, heading, advance).items()]
    # what the top margin gave back for a line of text, returned to the masthead, whose
    # first box is the logo, not a line (base.css)
    lines += [f"  --page-top-shift: {pt(b.page.margins.top * PT_PER_MM - top)};"]
    lines += ["}",
              "@page {",
              f"  size: {mm(width)} {mm(height)};",
              f"  margin: {pt(top)} {mm(m.right)} {pt(bottom)} {mm(m.left)};",
              f"  @top-right {{ content: {css_string(header)}; {head_box} }}",
              f"  @bottom-left {{ content: {css_string(organisation)}; {foot_box} }}",
              f"  @bottom-right {{ content: counter(page); {foot_box} }}",
              "}",
              "@page :first {",
              "  @top-right { content: none; }",
              "}"]
    return Markup("\n".join(lines) + "\n")


def logo_src(brand: ResolvedBrand) -> str:
    """The logo as a ``data:`` URL (the page reads no file); empty without a logo."""
    logo = brand.logo
    if logo is None:
        return ""
    kind = "image/svg+xml" if logo.format == "svg" else "image/png"
    return f"data:{kind};base64,{base64.b64encode(logo.data).decode('ascii')}"
