"""The DOCX's named styles, made from the brand: the same fonts, sizes, leading and spacing
as the Typst page and the CSS, so Word and LibreOffice set the same lines on the same pages.

Every element has a style a Word user recognises (Title, Subtitle, Masthead, Occasion,
Organisation, Date, Heading 1-3, Body Text, Quote, List Bullet, List Number, Numbered
Paragraph, Footnote Text, Caption, Contact, Header, Footer, ...), so restyling the document
in Word is changing a style, not a hundred paragraphs.

Metrics turn into WordprocessingML units here and nowhere else: sizes in half-points
(``w:sz``), spacing and line heights in twentieths of a point (``w:spacing``), indents and tab
stops in twips. Line spacing is exact (``w:lineRule="exact"``): the brand's leading times the
font size, baseline to baseline, as CSS ``line-height`` and the Typst page set it.
"""

from __future__ import annotations

from dataclasses import dataclass

from briefgen.brand import ResolvedBrand

TWIPS_PER_MM = 1440 / 25.4
MASTHEAD_SIZE = 10.5    # the organisation's name on the brand line, in points
DATE_RULE = 0.625       # the Date style's rule under the masthead, in points (w:sz 5)
CJK_FALLBACK = {"text": "Noto Serif CJK KR", "headings": "Noto Sans CJK KR",
                "mono": "Noto Sans Mono CJK KR"}


def space_after_heading(points: float) -> float:
    """A heading's space after, for ``points`` between it and what follows in the PDFs:
    LibreOffice's exact-spaced lines carry about 2.5 pt more round a heading than the PDFs'
    line boxes (``definitions``)."""
    return max(points - 2.5, 0)


def space_after_heading_over_block(brand: ResolvedBrand) -> float | None:
    """A heading's space after where a list, quote, figure or list's lead-in follows it, or
    None where its style's holds. The PDFs part the two by the block's own space above, the
    block gap (Typst's ``gap()``: the line's leading and a paragraph's space), where that is
    more than the heading's space below, which alone parts a heading from a paragraph."""
    b = brand.brand
    gap = (b.leading.body - 1) * b.sizes.body + b.spacing.paragraph
    return round(space_after_heading(gap), 1) if gap > b.spacing.heading_below else None


def twips(points: float) -> int:
    return round(points * 20)


def mm_twips(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def half_points(points: float) -> int:
    return round(points * 2)


def hex_colour(value: str) -> str:
    """``#1f3a5f`` as Word writes it: ``1F3A5F`` (the brand checked the form)."""
    return value.lstrip("#").upper()


@dataclass(frozen=True)
class Fonts:
    """The first family of each of the brand's stacks, and the CJK family for East Asian text."""

    text: str
    headings: str
    mono: str
    text_cjk: str
    headings_cjk: str


def fonts_of(brand: ResolvedBrand, stacks=None) -> Fonts:
    """Word names one font per script, not a stack: the first family of each stack, and the
    first family of the stack whose name says CJK for Hangul and other East Asian text."""
    stacks = stacks or brand.brand.fonts

    def cjk(role: str) -> str:
        stack = getattr(stacks, role)
        return next((f for f in stack if "CJK" in f), CJK_FALLBACK[role])

    return Fonts(stacks.text[0], stacks.headings[0], stacks.mono[0], cjk("text"), cjk("headings"))


def _rfonts(family: str, east_asian: str) -> str:
    return (f'<w:rFonts w:ascii="{family}" w:hAnsi="{family}" w:cs="{family}" '
            f'w:eastAsia="{east_asian}"/>')


def _exact(size: float, leading: float) -> str:
    return f'w:line="{twips(size * leading)}" w:lineRule="exact"'


def _run(*, font: str = "", size: float | None = None, colour: str | None = None,
         bold: bool = False, italic: bool | None = None, caps: bool = False,
         spacing: float | None = None, underline: bool = False, superscript: bool = False) -> str:
    """``w:rPr`` content in schema order."""
    parts = [font]
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic is True:
        parts.append("<w:i/><w:iCs/>")
    elif italic is False:
        parts.append('<w:i w:val="0"/><w:iCs w:val="0"/>')
    if caps:
        parts.append("<w:caps/>")
    if colour:
        parts.append(f'<w:color w:val="{hex_colour(colour)}"/>')
    if spacing is not None:
        parts.append(f'<w:spacing w:val="{twips(spacing)}"/>')
    if size is not None:
        parts.append(f'<w:sz w:val="{half_points(size)}"/><w:szCs w:val="{half_points(size)}"/>')
    if underline:
        parts.append('<w:u w:val="single"/>')
    if superscript:
        parts.append('<w:vertAlign w:val="superscript"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>"


def _para(*, keep_next: bool = False, keep_lines: bool = False, border: str = "",
          tabs: str = "", before: float = 0, after: float = 0, line: str = "",
          indent: str = "", outline: int | None = None, contextual: bool = False) -> str:
    """``w:pPr`` content in schema order."""
    parts = []
    if keep_next:
        parts.append("<w:keepNext/>")
    if keep_lines:
        parts.append("<w:keepLines/>")
    parts.append(border)
    parts.append(tabs)
    parts.append(f'<w:spacing w:before="{twips(before)}" w:after="{twips(after)}" {line}/>')
    parts.append(indent)
    if contextual:
        parts.append("<w:contextualSpacing/>")
    if outline is not None:
        parts.append(f'<w:outlineLvl w:val="{outline}"/>')
    return f"<w:pPr>{''.join(parts)}</w:pPr>"


def _border(side: str, colour: str, eighths: int, space: int = 4) -> str:
    return (f'<w:pBdr><w:{side} w:val="single" w:sz="{eighths}" w:space="{space}" '
            f'w:color="{hex_colour(colour)}"/></w:pBdr>')


def _tabs(width_twips: int, centre: bool = False) -> str:
    """Tab stops inside the text width: the centre (if asked) and the right margin."""
    stops = [f'<w:tab w:val="center" w:pos="{width_twips // 2}"/>'] if centre else []
    stops.append(f'<w:tab w:val="right" w:pos="{width_twips}"/>')
    return f"<w:tabs>{''.join(stops)}</w:tabs>"


# (type, styleId, name as stored in styles.xml, XML inside w:style after w:basedOn, based on
# Normal?). "{normal}" is replaced by the document's default paragraph style id.
Definition = tuple[str, str, str, str]


def definitions(brand: ResolvedBrand, stacks=None) -> dict[str, Definition]:
    """Every style the writer uses, by the name Word knows it by, from the brand."""
    b = brand.brand
    s, sp, c, lead = b.sizes, b.spacing, b.colours, b.leading
    f = fonts_of(brand, stacks)
    body_font = _rfonts(f.text, f.text_cjk)
    head_font = _rfonts(f.headings, f.headings_cjk)
    body_line = _exact(s.body, lead.body)
    width = mm_twips(brand.text_width_mm)
    hanging = twips(2 * s.body)                  # numbered paragraphs: "12." in 2em, as Typst

    def paragraph(style_id: str, name: str, ppr: str, rpr: str, extra: str = "",
                  next_id: str | None = None) -> Definition:
        nxt = f'<w:next w:val="{next_id}"/>' if next_id else ""
        return ("paragraph", style_id, name, f"{nxt}{extra}<w:qFormat/>{ppr}{rpr}")

    # Word and LibreOffice part two paragraphs by the larger of the one's space after and
    # the next one's space before (measured in LibreOffice; Word's documented rule), as CSS
    # collapses margins and Typst takes the larger. A heading's spaces are measured with
    # LibreOffice (pdftotext -bbox baselines against the Typst PDF): its exact-spaced lines
    # carry about 2.5 pt more round a heading than the PDFs' line boxes, taken off here.
    heading_before = max(sp.heading_above - sp.paragraph + 2, 0)
    heading_after = space_after_heading(sp.heading_below)

    def heading(level: int, size: float) -> Definition:
        return paragraph(
            f"Heading{level}", f"heading {level}",
            _para(keep_next=True, keep_lines=True, before=heading_before,
                  after=heading_after, line=_exact(size, 1.2), outline=level - 1),
            _run(font=head_font, size=size, colour=c.headings, bold=True),
            '<w:uiPriority w:val="9"/>', next_id="BodyText")

    def furniture(style_id: str, name: str, ppr: str, **run) -> Definition:
        return paragraph(style_id, name, ppr, _run(font=head_font, **run),
                         '<w:uiPriority w:val="30"/>', next_id="BodyText")

    small_line = _exact(s.small, 1.3)
    return {
        "Normal": ("paragraph", "Normal", "Normal",
                   "<w:qFormat/>" + _para(line=body_line) + _run(font=body_font, size=s.body,
                                                                 colour=c.text)),
        "Body Text": paragraph("BodyText", "Body Text", _para(after=sp.paragraph, line=body_line),
                               "<w:rPr/>", '<w:uiPriority w:val="1"/>', next_id="BodyText"),
        "Numbered Paragraph": paragraph(
            "NumberedParagraph", "Numbered Paragraph",
            _para(after=sp.paragraph, line=body_line,
                  indent=f'<w:ind w:left="{hanging}" w:hanging="{hanging}"/>'),
            "<w:rPr/>", '<w:uiPriority w:val="2"/>', next_id="NumberedParagraph"),
        "Title": paragraph("Title", "Title",
                           _para(keep_next=True, after=3, line=_exact(s.title, 1.2)),
                           _run(font=head_font, size=s.title, colour=c.headings, bold=True),
                           '<w:uiPriority w:val="10"/>', next_id="BodyText"),
        "Subtitle": furniture("Subtitle", "Subtitle",
                              _para(keep_next=True, after=3, line=_exact(s.subtitle, 1.25)),
                              size=s.subtitle, colour=c.text, italic=False),
        "Masthead": furniture("Masthead", "Masthead",
                              _para(keep_next=True, border=_border("bottom", c.accent, 24, 6),
                                    tabs=_tabs(width), after=10,
                                    line='w:line="240" w:lineRule="auto"'),
                              size=MASTHEAD_SIZE, colour=c.accent, bold=True),
        "Masthead Label": furniture("MastheadLabel", "Masthead Label",
                                    _para(keep_next=True, after=0, line=_exact(s.small, 1.4)),
                                    size=s.small, colour=c.accent, bold=True, caps=True,
                                    spacing=0.5),
        "Occasion": furniture("Occasion", "Occasion",
                              _para(keep_next=True, after=2, line=_exact(10, 1.3)),
                              size=10, colour=c.text, italic=True),
        "Organisation": furniture("Organisation", "Organisation",
                                  _para(keep_next=True, after=2, line=_exact(10, 1.3)),
                                  size=10, colour=c.text, bold=True),
        "Date": furniture("Date", "Date",
                          _para(keep_next=True, border=_border("bottom", c.accent,
                                                                   round(DATE_RULE * 8), 4),
                                after=12, line=_exact(s.small, 1.4)),
                          size=s.small, colour=c.muted),
        "Heading 1": heading(1, s.heading_1),
        "Heading 2": heading(2, s.heading_2),
        "Heading 3": heading(3, s.heading_3),
        "Quote": paragraph("Quote", "Quote",
                           _para(after=sp.paragraph, line=body_line,
                                 indent=f'<w:ind w:left="{twips(1.2 * s.body)}"/>'),
                           _run(italic=False), '<w:uiPriority w:val="29"/>',
                           next_id="BodyText"),
        "List Bullet": paragraph("ListBullet", "List Bullet",
                                 _para(after=sp.list_item, line=body_line), "<w:rPr/>",
                                 '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'),
        "List Number": paragraph("ListNumber", "List Number",
                                 _para(after=sp.list_item, line=body_line), "<w:rPr/>",
                                 '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'),
        "Caption": furniture("Caption", "caption", _para(before=3, after=sp.paragraph,
                                                         line=small_line),
                             size=s.small, colour=c.muted, italic=True),
        "Contact Heading": furniture("ContactHeading", "Contact Heading",
                                     _para(keep_next=True, keep_lines=True,
                                           border=_border("top", c.accent, 8, 5), before=14,
                                           after=2, line=_exact(s.small + 0.5, 1.35)),
                                     size=s.small + 0.5, colour=c.text),
        "Contact": furniture("Contact", "Contact",
                             _para(keep_next=True, keep_lines=True, after=1,
                                   line=_exact(s.small + 0.5, 1.35)),
                             size=s.small + 0.5, colour=c.text),
        "header": furniture("Header", "header", _para(tabs=_tabs(width),
                                                        line=small_line),
                            size=s.small, colour=c.muted),
        "footer": furniture("Footer", "footer", _para(tabs=_tabs(width),
                                                        line=small_line),
                            size=s.small, colour=c.muted),
        "footnote text": ("paragraph", "FootnoteText", "footnote text",
                          '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
                          + _para(keep_lines=True, after=sp.note,
                                  line=_exact(s.notes, lead.notes),
                                  indent=f'<w:ind w:left="{twips(1.8 * s.notes)}" '
                                         f'w:hanging="{twips(1.8 * s.notes)}"/>')
                          + _run(size=s.notes)),
        "footnote reference": ("character", "FootnoteReference", "footnote reference",
                               '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
                               + _run()),
        "Hyperlink": ("character", "Hyperlink", "Hyperlink",
                      '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>' + _run(colour=c.link)),
        "HTML Code": ("character", "HTMLCode", "HTML Code",
                      '<w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
                      + _run(font=_rfonts(f.mono, f.text_cjk), size=0.9 * s.body)),
        "Briefing Table": (
            "table", "BriefingTable", "Briefing Table",
            '<w:uiPriority w:val="59"/>'
            '<w:pPr><w:spacing w:before="40" w:after="40" w:line="240" w:lineRule="auto"/></w:pPr>'
            '<w:tblPr><w:tblBorders><w:top w:val="single" w:sz="8" w:space="0" w:color="auto"/>'
            '<w:bottom w:val="single" w:sz="8" w:space="0" w:color="auto"/>'
            '<w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>'
            '<w:tblCellMar><w:left w:w="108" w:type="dxa"/><w:right w:w="108" w:type="dxa"/>'
            '</w:tblCellMar></w:tblPr>'
            '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr><w:tcPr><w:shd '
            'w:val="clear" w:color="auto" w:fill="E7E6E6"/></w:tcPr></w:tblStylePr>'),
    }
