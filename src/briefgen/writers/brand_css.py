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


def properties(brand: ResolvedBrand) -> dict[str, str]:
    """The custom properties ``base.css`` reads, by name (without the ``--``)."""
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
    }
    props.update({f"colour-{name}": colour(value)
                  for name, value in b.colours.model_dump().items()})
    return props


def stylesheet(brand: ResolvedBrand, *, header: str, organisation: str, fonts: str,
               css_string) -> Markup:
    """The brand's CSS: ``:root`` properties, then the printed page and its margin boxes.

    ``header`` is the running header (from page two, at the right), ``organisation`` the
    footer's (at the left, the page number at the right); ``fonts`` is a ``font-family``
    value already made by ``html.font_family``.
    """
    b = brand.brand
    width, height = brand.page_mm
    m = b.page.margins
    margin_box = (f"font-family: {fonts}; font-size: {pt(b.sizes.small)}; "
                  f"color: {colour(b.colours.muted)};")
    lines = [":root {"]
    lines += [f"  --{name}: {value};" for name, value in properties(brand).items()]
    lines += ["}",
              "@page {",
              f"  size: {mm(width)} {mm(height)};",
              f"  margin: {mm(m.top)} {mm(m.right)} {mm(m.bottom)} {mm(m.left)};",
              f"  @top-right {{ content: {css_string(header)}; {margin_box} }}",
              f"  @bottom-left {{ content: {css_string(organisation)}; {margin_box} }}",
              f"  @bottom-right {{ content: counter(page); {margin_box} }}",
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
