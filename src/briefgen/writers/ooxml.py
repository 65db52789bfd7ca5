"""Raw WordprocessingML that python-docx has no API for: footnotes, numbering, fields, styles.

python-docx keeps its XML knowledge in ``docx/oxml``; this module plays that part for the
pieces briefgen needs beyond it. Everything here builds or edits lxml elements and knows
nothing of the document model; ``docx.py`` decides what goes where.

Element classes for ``w:footnotes`` and ``w:footnote`` are registered with python-docx's
parser on import (python-docx 1.2 registers none), so a footnote is a block container like a
table cell or comment and python-docx's ``Paragraph``/``Run`` proxies work inside it.
"""

from __future__ import annotations

from typing import Callable, Iterable

from lxml import etree

from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement, parse_xml, register_element_cls
from docx.oxml.xmlchemy import BaseOxmlElement, OptionalAttribute, ZeroOrMore
from docx.oxml.simpletypes import ST_DecimalNumber, ST_String

# Footnote ids Word reserves for the two special notes every footnotes part starts with.
SEPARATOR_ID = -1
CONTINUATION_ID = 0


# --- element classes -----------------------------------------------------------------------

class CT_Footnote(BaseOxmlElement):
    """``w:footnote``: one note, a story of paragraphs and tables like a table cell."""

    id = OptionalAttribute("w:id", ST_DecimalNumber)
    type = OptionalAttribute("w:type", ST_String)
    p = ZeroOrMore("w:p", successors=())
    tbl = ZeroOrMore("w:tbl", successors=())

    add_p: Callable[[], BaseOxmlElement]
    _insert_tbl: Callable[[BaseOxmlElement], BaseOxmlElement]

    @property
    def inner_content_elements(self) -> list:
        return self.xpath("./w:p | ./w:tbl")


class CT_Footnotes(BaseOxmlElement):
    """``w:footnotes``: the root of the footnotes part."""

    footnote = ZeroOrMore("w:footnote", successors=())

    def remove_notes(self) -> None:
        """Drop every note but the separators, keeping a reference document's own design."""
        for note in self.footnote_lst:
            if note.type not in ("separator", "continuationSeparator"):
                self.remove(note)

    def ensure_separators(self) -> None:
        """Add the separator (-1) and continuation separator (0) notes when missing."""
        have = {note.type for note in self.footnote_lst}
        for kind, note_id, mark in reversed(_SPECIALS):
            if kind not in have:
                self.insert(0, parse_xml(_special_xml(kind, note_id, mark)))

    def add_note(self, note_id: int) -> CT_Footnote:
        """A new empty ``w:footnote`` with this id, appended after the others."""
        note = OxmlElement("w:footnote", attrs={qn("w:id"): str(note_id)})
        self.append(note)
        return note


register_element_cls("w:footnote", CT_Footnote)
register_element_cls("w:footnotes", CT_Footnotes)

_SPECIALS = (
    ("separator", SEPARATOR_ID, "w:separator"),
    ("continuationSeparator", CONTINUATION_ID, "w:continuationSeparator"),
)


def _special_xml(kind: str, note_id: int, mark: str) -> str:
    return (
        f'<w:footnote {nsdecls("w")} w:type="{kind}" w:id="{note_id}">'
        # The separator's line as high as the PDFs' gap above their notes (10 pt), not a
        # line of body text.
        '<w:p><w:pPr><w:spacing w:after="0" w:line="200" w:lineRule="exact"/></w:pPr>'
        f"<w:r><{mark}/></w:r></w:p></w:footnote>"
    )


def new_footnotes() -> CT_Footnotes:
    """An empty footnotes part root holding only the two special notes Word requires."""
    root = parse_xml(f'<w:footnotes {nsdecls("w", "r")}/>')
    root.ensure_separators()
    return root


# --- runs ------------------------------------------------------------------------------------

def _styled_run(style_id: str, child: str, attrs: dict[str, str] | None = None):
    run = OxmlElement("w:r")
    run.get_or_add_rPr().style = style_id
    run.append(OxmlElement(child, attrs=attrs))
    return run


def footnote_reference_run(note_id: int, style_id: str):
    """The run in the text that calls note ``note_id``: ``w:footnoteReference``."""
    run = _styled_run(style_id, "w:footnoteReference", {qn("w:id"): str(note_id)})
    run.rPr.append(OxmlElement("w:vertAlign", attrs={qn("w:val"): "superscript"}))
    return run


def footnote_ref_run(style_id: str):
    """The run that opens a note's text and shows its number: ``w:footnoteRef``."""
    return _styled_run(style_id, "w:footnoteRef")


def hyperlink(r_id: str):
    """An empty ``w:hyperlink`` to the external relationship ``r_id``; runs go inside."""
    return OxmlElement("w:hyperlink", attrs={qn("r:id"): r_id, qn("w:history"): "1"})


def field_runs(instruction: str, shown: str) -> list:
    """The runs of a complex field (e.g. ``PAGE``) with ``shown`` as its cached result."""
    def fld_char(kind: str):
        run = OxmlElement("w:r")
        run.append(OxmlElement("w:fldChar", attrs={qn("w:fldCharType"): kind}))
        return run

    instr = OxmlElement("w:r")
    text = OxmlElement("w:instrText", attrs={qn("xml:space"): "preserve"})
    text.text = f" {instruction} "
    instr.append(text)
    result = OxmlElement("w:r")
    result.add_t(shown)
    return [fld_char("begin"), instr, fld_char("separate"), result, fld_char("end")]


def set_east_asian_font(rpr, font: str, hint: bool) -> None:
    """Name the font for East Asian text on run properties (and say the run is CJK)."""
    fonts = rpr.get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), font)
    if hint:
        fonts.set(qn("w:hint"), "eastAsia")


# --- paragraphs and tables ----------------------------------------------------------------

_PPR_AFTER_NUMPR = (
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
    "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN",
    "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)


def set_numbering(ppr, num_id: int, level: int) -> None:
    """Make a paragraph an item of list ``num_id`` at ``level`` (``w:numPr``)."""
    num_pr = OxmlElement("w:numPr")
    num_pr.append(OxmlElement("w:ilvl", attrs={qn("w:val"): str(level)}))
    num_pr.append(OxmlElement("w:numId", attrs={qn("w:val"): str(num_id)}))
    ppr.insert_element_before(num_pr, *_PPR_AFTER_NUMPR)


def set_bottom_border(ppr, space_pt: float | None = None) -> None:
    """A rule under the paragraph, ``space_pt`` below its text (default 1 pt): Word's own
    way to draw a thematic break."""
    set_border(ppr, "bottom", "auto", 0.75, 1 if space_pt is None else space_pt)


def set_border(ppr, side: str, colour: str, width_pt: float, space_pt: float) -> None:
    """A line at one side of the paragraph (``w:pBdr``; "left" or "bottom"), ``space_pt``
    from its text, over what its style draws."""
    line = (f'w:val="single" w:sz="{round(width_pt * 8)}" w:space="{round(space_pt)}" '
            f'w:color="{colour}"' if width_pt > 0 else 'w:val="nil"')   # 0: none at all
    border = parse_xml(f'<w:pBdr {nsdecls("w")}><w:{side} {line}/></w:pBdr>')
    ppr.insert_element_before(border, *_PPR_AFTER_NUMPR[2:])


def mark_header_row(tr) -> None:
    """Repeat this row at the top of each page the table runs onto (``w:tblHeader``)."""
    tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def set_table_look(tbl) -> None:
    """Apply the table style's header-row formatting and nothing else (``w:tblLook``)."""
    look = tbl.tblPr.find(qn("w:tblLook"))
    values = {"val": "0420", "firstRow": "1", "lastRow": "0", "firstColumn": "0",
              "lastColumn": "0", "noHBand": "1", "noVBand": "1"}
    for name, value in values.items():
        look.set(qn(f"w:{name}"), value)


# --- numbering -------------------------------------------------------------------------------

BULLETS = ("\u2022", "\u2013", "\u25e6")


def _level_xml(level: int, fmt: str, text: str, left: int, hanging: int, start: int = 1) -> str:
    return (
        f'<w:lvl w:ilvl="{level}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>'
        f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
    )


def _abstract_num(abstract_id: int, kind: str, levels: Iterable[str]) -> BaseOxmlElement:
    nsid = f"B12F{abstract_id:04X}"[-8:]
    multi = "singleLevel" if kind == "single" else "hybridMultilevel"
    return parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
        f'<w:nsid w:val="{nsid}"/><w:multiLevelType w:val="{multi}"/>'
        f'{"".join(levels)}</w:abstractNum>'
    )


def bullet_list_definition(abstract_id: int, step: int = 720, hanging: int = 360
                           ) -> BaseOxmlElement:
    """Bullets for nine levels, each level's text ``step`` twips further in."""
    levels = (_level_xml(i, "bullet", BULLETS[i % 3], step * (i + 1), hanging) for i in range(9))
    return _abstract_num(abstract_id, "multi", levels)


def ordered_list_definition(abstract_id: int, step: int = 720, hanging: int = 360
                            ) -> BaseOxmlElement:
    """Decimal numbers "1." for nine levels, each level counting on its own."""
    levels = (_level_xml(i, "decimal", f"%{i + 1}.", step * (i + 1), hanging) for i in range(9))
    return _abstract_num(abstract_id, "multi", levels)


def paragraph_numbering_definition(abstract_id: int, indent: int = 567) -> BaseOxmlElement:
    """Numbered paragraphs as UN documents have them: "1." at the margin, the text ``indent``
    twips in (the brand's: 2em, as the PDFs)."""
    return _abstract_num(abstract_id, "single",
                         [_level_xml(0, "decimal", "%1.", indent, indent)])


def num(num_id: int, abstract_id: int, restart: tuple[int, int] | None = None):
    """A ``w:num`` instance; ``restart=(level, start)`` makes a list start afresh there."""
    override = ""
    if restart is not None:
        level, start = restart
        override = (f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/>'
                    "</w:lvlOverride>")
    return parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>'
        f"{override}</w:num>"
    )


def next_ids(numbering) -> tuple[int, int]:
    """The first unused abstractNumId and numId in a numbering part's root element."""
    def after(xpath: str) -> int:
        return max((int(v) for v in numbering.xpath(xpath)), default=0) + 1
    return after("./w:abstractNum/@w:abstractNumId"), after("./w:num/@w:numId")


def add_abstract_num(numbering, abstract) -> None:
    """Insert a definition where the schema wants it: after the others, before any w:num."""
    numbering.insert_element_before(abstract, "w:num", "w:numIdMacAtCleanup")


def add_num(numbering, instance) -> None:
    """Insert a ``w:num`` after the other instances (before ``w:numIdMacAtCleanup``)."""
    numbering.insert_element_before(instance, "w:numIdMacAtCleanup")


def new_numbering() -> BaseOxmlElement:
    """An empty numbering part root, for a reference document that has none."""
    return parse_xml(f'<w:numbering {nsdecls("w")}/>')


# --- styles ----------------------------------------------------------------------------------

def _style(kind: str, style_id: str, name: str, body: str, based_on: str | None) -> str:
    base = f'<w:basedOn w:val="{based_on}"/>' if based_on else ""
    return (f'<w:style {nsdecls("w")} w:type="{kind}" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{base}{body}</w:style>')


def add_style(styles, name: str, normal_id: str, style_id: str | None,
              definitions: dict[str, tuple[str, str, str, str]]):
    """Add the style ``name`` from ``definitions`` (``docx_styles.definitions``: type,
    styleId, stored name, XML inside w:style after w:basedOn, "{normal}" standing for the
    document's default paragraph style id) to a ``w:styles`` root.

    ``style_id`` replaces the usual id when another style of another type already has it.
    """
    kind, usual_id, stored_name, body = definitions[name]
    own_id = style_id or usual_id
    based_on = normal_id if kind == "paragraph" and own_id != normal_id else None
    xml = _style(kind, own_id, stored_name, body.replace("{normal}", normal_id), based_on)
    if own_id == normal_id:
        xml = xml.replace('w:type="paragraph"', 'w:type="paragraph" w:default="1"', 1)
    element = parse_xml(xml)
    styles.append(element)
    return element


def indent_quote(style) -> None:
    """Indent a Quote style on both sides (python-docx's template only italicises it)."""
    ppr = style.get_or_add_pPr()
    ppr.insert_element_before(
        OxmlElement("w:ind", attrs={qn("w:left"): "720", qn("w:right"): "720"}),
        *_PPR_AFTER_NUMPR[_PPR_AFTER_NUMPR.index("w:ind") + 1:],
    )


def set_run_defaults(styles, lang: str, east_asian_font: str, east_asian_lang: str) -> None:
    """Document-wide language and East Asian font (``w:docDefaults``).

    A theme font for East Asian text (``w:eastAsiaTheme``) would win over the named font, so
    it is dropped; a font the reference document names itself is kept.
    """
    rpr = _default_rpr(styles)
    fonts = rpr.get_or_add_rFonts()
    if fonts.get(qn("w:eastAsia")) is None or fonts.get(qn("w:eastAsiaTheme")) is not None:
        fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
        fonts.set(qn("w:eastAsia"), east_asian_font)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.insert_element_before(language, "w:eastAsianLayout", "w:specVanish", "w:oMath")
    language.set(qn("w:val"), lang)
    language.set(qn("w:eastAsia"), east_asian_lang)


def _default_rpr(styles):
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    return rpr


# --- settings --------------------------------------------------------------------------------

_SETTINGS_AFTER_FOOTNOTEPR = (
    "w:endnotePr", "w:compat", "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema",
    "w:themeFontLang", "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures", "w:forceUpgrade", "w:captions", "w:readModeInkLockDown",
    "w:smartTagType", "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags",
    "w:decimalSymbol", "w:listSeparator",
)


def add_footnote_settings(settings) -> None:
    """Point the settings at the two special notes (``w:footnotePr``), as Word writes them."""
    if settings.find(qn("w:footnotePr")) is not None:
        return
    footnote_pr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="{SEPARATOR_ID}"/>'
        f'<w:footnote w:id="{CONTINUATION_ID}"/></w:footnotePr>'
    )
    settings.insert_element_before(footnote_pr, *_SETTINGS_AFTER_FOOTNOTEPR)



def set_fonts_default(styles, family: str, east_asian: str, size_half_points: int) -> None:
    """The document's default font and size (``w:docDefaults``), named, not a theme's: a
    theme font (``w:asciiTheme``) would win over the named one."""
    rpr = _default_rpr(styles)
    fonts = rpr.get_or_add_rFonts()
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), family)
    fonts.set(qn("w:eastAsia"), east_asian)
    for tag in ("w:sz", "w:szCs"):
        element = rpr.find(qn(tag))
        if element is not None:
            element.set(qn("w:val"), str(size_half_points))


def set_paragraph_default(styles, line_twips: int) -> None:
    """No space after a paragraph and exact lines by default (``w:pPrDefault``): each style
    sets its own, from the brand."""
    defaults = styles.find(qn("w:docDefaults"))
    ppr_default = defaults.find(qn("w:pPrDefault")) if defaults is not None else None
    if ppr_default is None:
        return
    spacing = ppr_default.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), str(line_twips))
        spacing.set(qn("w:lineRule"), "exact")


def set_no_distance(run) -> None:
    """A picture's distance from the text beside it, none on any side, written out: Word
    reads the missing attributes as none, LibreOffice as 0.32 cm, which set the logo off the
    margin and its name further off than the PDFs set them."""
    for inline in run.iter(qn("wp:inline")):
        for side in ("distT", "distB", "distL", "distR"):
            inline.set(side, "0")


def set_description(inline, text: str) -> None:
    """A picture's alt text: ``descr`` of its ``wp:docPr``, which screen readers read."""
    for doc_pr in inline.iter(qn("wp:docPr")):
        doc_pr.set("descr", text)


# Word 2016's extension that puts an SVG beside a picture's PNG (MS-ODRAWXML 2.3.1.16):
# Word draws the SVG, readers that do not know the extension the PNG.
SVG_BLIP_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"
ASVG = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"


def add_svg_blip(inline, r_id: str) -> None:
    """``a:blip/a:extLst/a:ext/asvg:svgBlip r:embed=r_id`` in the picture of ``inline``."""
    for blip in inline.iter(f"{{{A_NS}}}blip"):
        ext_list = blip.find(f"{{{A_NS}}}extLst")
        if ext_list is None:
            ext_list = etree.SubElement(blip, f"{{{A_NS}}}extLst")
        ext = etree.SubElement(ext_list, f"{{{A_NS}}}ext", uri=SVG_BLIP_URI)
        svg = etree.SubElement(ext, f"{{{ASVG}}}svgBlip", nsmap={"asvg": ASVG})
        svg.set(f"{{{R_NS}}}embed", r_id)


def title_page(sect_pr) -> None:
    """A first page of its own header and footer (``w:titlePg``): no running header there."""
    if sect_pr.find(qn("w:titlePg")) is None:
        sect_pr.insert_element_before(OxmlElement("w:titlePg"), "w:textDirection", "w:bidi",
                                      "w:rtlGutter", "w:docGrid", "w:printerSettings",
                                      "w:sectPrChange")


def raise_run(rpr, points: float) -> None:
    """Raise a run's text by ``points`` above the baseline (``w:position``, half-points)."""
    rpr.insert_element_before(OxmlElement("w:position", attrs={qn("w:val"): str(round(points * 2))}),
                              "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                              "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em",
                              "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


# --- tracked changes (a redline) -------------------------------------------------------------

def revision(change: str, revision_id: int, author: str, date: str):
    """An empty ``w:ins`` or ``w:del`` (ECMA-376 Part 1, 17.13.5): the runs it holds are what
    a reviewer accepts or rejects."""
    element = OxmlElement(f"w:{change}")
    element.set(qn("w:id"), str(revision_id))
    element.set(qn("w:author"), author)
    if date:
        element.set(qn("w:date"), date)
    return element


def mark_paragraph_change(ppr, mark) -> None:
    """A paragraph whose mark is inserted or deleted (17.13.5.15 and .16): ``w:pPr/w:rPr``
    holds the change, so accepting a deleted paragraph joins nothing left behind."""
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        after = [ppr.find(qn(tag)) for tag in ("w:sectPr", "w:pPrChange")]
        following = next((e for e in after if e is not None), None)
        if following is not None:
            following.addprevious(rpr)
        else:
            ppr.append(rpr)
    rpr.append(mark)


def as_deleted_text(r) -> None:
    """A deleted run's text is ``w:delText``, not ``w:t`` (17.3.3.7)."""
    for t in r.findall(qn("w:t")):
        t.tag = qn("w:delText")
