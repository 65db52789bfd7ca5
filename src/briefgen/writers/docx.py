"""The DOCX writer: walks the document model with python-docx, with real Word footnotes.

The output is an ordinary Word document built from styles, so an organisation restyles it by
passing its own ``reference_docx`` (as Pandoc's ``--reference-doc``): that file's styles, page
setup, headers and footers are kept, its body is replaced.

- Notes become a ``/word/footnotes.xml`` part, one ``w:footnote`` per ``Note`` and one
  ``w:footnoteReference`` per ``NoteRef``; python-docx has no footnote API, so the XML is built
  in ``ooxml.py`` and the part class is registered below with python-docx's ``PartFactory``.
- Lists, numbered paragraphs and headings use Word's own styles and numbering, so Word
  renumbers items when one is moved.
- The same inputs give the same bytes: zip entries carry one fixed timestamp and the core
  properties' dates come from ``epoch`` (see ``resolve_epoch``).
- Text is made safe for XML in one place, ``xml_text``.
"""

from __future__ import annotations

import io
import itertools
import re
import subprocess
from functools import lru_cache
import zipfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import docx
from docx.opc.exceptions import PackageNotFoundError
from lxml import etree
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.blkcntnr import BlockItemContainer
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, PartFactory
from docx.oxml.parser import OxmlElement
from docx.parts.numbering import NumberingPart
from docx.parts.story import StoryPart
from docx.styles.style import BaseStyle, StyleFactory
from docx.shared import Cm, Length, Mm, Pt, RGBColor, Twips
from docx.text.paragraph import Paragraph as WordParagraph
from docx.text.run import Run

from briefgen import model
from briefgen.brand import DEFAULT as DEFAULT_BRAND, LogoImage, ResolvedBrand
from briefgen.brief import Masthead
from briefgen.errors import Location, Problem, WriteError, display_path
from briefgen.writers import Written, docx_pages, docx_styles, one_line, ooxml
from briefgen.writers.epoch import resolve_epoch
from briefgen.writers.look import Look

if TYPE_CHECKING:
    from briefgen.target import Target

EAST_ASIAN_FONT = "Noto Serif CJK KR"
EAST_ASIAN_LANG = "ko-KR"
# A sans font's descent and cap height, in em (Noto Sans 0.29 and 0.71, DejaVu Sans 0.24 and
# 0.73): how far Typst's ``align: bottom`` sets a line's baseline above the foot of the logo
# beside it, and ``align: horizon`` below its middle (half the cap height).
DESCENT = 0.25
CAP_HEIGHT = 0.71
# Blocks the PDFs space from a heading above them by their own space, not the heading's.
_SPACED_BLOCKS = (model.BulletList, model.OrderedList, model.BlockQuote, model.Figure)
TABLE_STYLE = "Briefing Table"
CODE_STYLE = "HTML Code"
ZIP_EPOCH = 315532800               # 1980-01-01, the earliest time a zip entry can carry

_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff]")
_STYLE_TYPES = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
                "table": WD_STYLE_TYPE.TABLE}
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT,
          "center": WD_ALIGN_PARAGRAPH.CENTER}


class FootnotesPart(StoryPart):
    """The ``/word/footnotes.xml`` part: a story part whose root holds the notes.

    Being a ``StoryPart``, it looks styles up in the document part and relates hyperlinks to
    itself, so python-docx's paragraph and run proxies work inside a note.
    """


# Load a reference document's footnotes as XML rather than opaque bytes.
PartFactory.part_type_for[CT.WML_FOOTNOTES] = FootnotesPart


def write(doc: model.Document, target: Target, look: Look) -> Written:
    """The writer contract (``writers.Written``): ``doc``, after the cite pass, as a .docx in
    the brief's look (its brand and fonts), with its pages as LibreOffice lays it out (None
    where LibreOffice is not installed, or ``BRIEFGEN_DOCX_PAGES=off`` says not to count)."""
    data = docx_bytes(doc, look, reference_docx=target.reference_docx, epoch=target.epoch)
    pages, warnings = _pages(data)
    return Written({target.files[0]: data}, pages, warnings)


def _pages(data: bytes) -> tuple[int | None, list[str]]:
    if not docx_pages.counting():
        return None, []
    try:
        return docx_pages.count_pages(data), []
    except (docx_pages.PageCountError, OSError, subprocess.SubprocessError) as err:
        return None, [f"the DOCX's pages were not counted: LibreOffice could not lay it out "
                      f"({err}); expected a PDF from soffice --convert-to pdf, got none"]


def docx_bytes(doc: model.Document, look: Look | None = None, *,
               reference_docx: Path | None = None, epoch: int | None = None,
               revision: tuple[str, str] = ("briefgen", "")) -> bytes:
    """The .docx file's bytes for ``doc`` (after the cite pass) in ``look`` (None: the
    default brand).

    ``reference_docx`` supplies styles, page setup, headers and footers; without it the
    python-docx template is restyled from the brand (``docx_styles``): A4, its fonts, sizes,
    colours, masthead, running header and footer. ``epoch`` (seconds) dates the file; see
    ``resolve_epoch`` for what happens when it is None.
    """
    when = resolve_epoch(epoch, doc.meta)
    brand = look.brand if look is not None else DEFAULT_BRAND
    stacks = look.fonts if look is not None else None
    document = _open(reference_docx)
    house = reference_docx is None
    definitions = docx_styles.definitions(brand, stacks)
    styles = _prepare(document, doc.meta, house, brand, definitions)
    masthead = look.masthead if look is not None else Masthead()
    _Writer(document, doc, styles, brand, docx_styles.fonts_of(brand, stacks), masthead,
            revision).write()
    _set_core_properties(document, doc.meta, when)
    return package_zip(document, when)


def xml_text(text: str) -> str:
    """Text as it goes into a ``w:t``: the one escaping function of this writer.

    - Characters XML 1.0 cannot hold (C0 controls such as ``\\x00`` and ``\\x0b``, lone
      surrogates, U+FFFE, U+FFFF) are dropped: no XML parser would read the file otherwise.
    - A line break (LF, CR or CRLF) becomes one space, as a soft break in Markdown does; a hard
      break is a ``LineBreak`` node and becomes ``w:br``.
    - A tab stays a tab; python-docx writes it as ``w:tab``.
    - Markup characters (``<``, ``&``, ``{{``, ``*``, ``#``) stay as they are: lxml escapes
      them when it serialises, so they show as the same literal text in Word.
    """
    return one_line(text)


# --- the package -----------------------------------------------------------------------------

def _open(reference: Path | None) -> WordDocument:
    """The starting document: python-docx's template, or the reference with its body emptied.

    Only the reference's final ``w:sectPr`` (page setup, header and footer references) stays
    in its body; every other part it has is kept as it is.
    """
    if reference is None:
        return docx.Document()
    try:
        document = docx.Document(str(reference))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, etree.XMLSyntaxError) as err:
        raise WriteError([Problem(Location(display_path(reference)),
                                  f"cannot use this reference document; expected a Word .docx "
                                  f"file, got one python-docx cannot open ({type(err).__name__})")]) from None
    body = document.element.body
    for child in list(body):
        if child is not body.sectPr:
            body.remove(child)
    return document


def _prepare(document: WordDocument, meta: model.Meta, house: bool, brand: ResolvedBrand,
             definitions: dict) -> dict[str, BaseStyle]:
    """Styles, language, settings and footer every output needs; returns the styles to use.

    In the house document (no reference) every style is the brand's; a reference document
    keeps each style it defines, and only those it lacks are added from the brand.
    """
    fonts = docx_styles.fonts_of(brand)
    if house:
        ooxml.set_fonts_default(document.styles.element, fonts.text, fonts.text_cjk,
                                docx_styles.half_points(brand.brand.sizes.body))
        ooxml.set_paragraph_default(document.styles.element, docx_styles.twips(
            brand.brand.sizes.body * brand.brand.leading.body))
    styles = _ensure_styles(document, definitions, replace=house)
    if house:
        _house_layout(document, brand)
    ooxml.set_run_defaults(document.styles.element, meta.lang or "en-GB", fonts.text_cjk,
                           EAST_ASIAN_LANG)
    ooxml.add_footnote_settings(document.settings.element)
    _drop_thumbnail(document)
    if house:
        _running_header_and_footer(document, meta, brand, styles)
    elif document.sections[-1].footer.is_linked_to_previous:
        _page_number_footer(document)
    return styles


def _ensure_styles(document: WordDocument, definitions: dict,
                   replace: bool = False) -> dict[str, BaseStyle]:
    """Each style the writer uses, found as Word finds built-in styles, else added.

    Word matches built-in style names in any case ("Footnote Text" is "footnote text"), and a
    reference document may use either, so a style is found by name in any case, else by its
    usual styleId; only a style found neither way is added. With ``replace`` (the house
    document), a style found is replaced by the brand's, under the same id.
    """
    normal = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    normal_id = normal.style_id if normal is not None else "Normal"
    found: dict[str, BaseStyle] = {"Normal": normal}
    existing = [_Known(s) for s in document.styles]
    root = document.styles.element
    for name, (kind, style_id, _, _) in definitions.items():
        known = _find_style(existing, name, style_id, _STYLE_TYPES[kind])
        if known is not None and not replace:
            found[name] = known.style
            continue
        if known is not None:
            keep_id = known.style_id
            root.remove(known.style.element)
            existing.remove(known)
        else:
            taken = {s.style_id for s in existing}
            keep_id = style_id if style_id not in taken else f"{style_id}Briefgen"
        style = StyleFactory(ooxml.add_style(root, name, normal_id, keep_id, definitions))
        existing.append(_Known(style))
        found[name] = style
    return found


class _Known:
    """A style of the document with what finding it needs, read once: python-docx reads a
    style's type and name from its XML at each call, and a document's 160-odd styles were
    read again for each of the writer's 26 (a fifth of the DOCX writer's time)."""

    __slots__ = ("style", "type", "name", "style_id")

    def __init__(self, style: BaseStyle) -> None:
        self.style, self.type, self.style_id = style, style.type, style.style_id
        self.name = (style.name or "").lower()


def _find_style(styles: list[_Known], name: str, style_id: str,
                kind: WD_STYLE_TYPE) -> _Known | None:
    candidates = [s for s in styles if s.type == kind]
    by_name = (s for s in candidates if s.name == name.lower())
    by_id = (s for s in candidates if s.style_id == style_id)
    return next(by_name, None) or next(by_id, None)


def _house_layout(document: WordDocument, brand: ResolvedBrand) -> None:
    """The brand's page size and margins, for the python-docx template (US Letter)."""
    section = document.sections[-1]
    width, height = brand.page_mm
    section.page_width, section.page_height = Mm(width), Mm(height)
    margins = brand.brand.page.margins
    for side in ("top", "bottom", "left", "right"):
        setattr(section, f"{side}_margin", Mm(getattr(margins, side)))
    # The running header and the footer sit in the margins, as the PDFs set them.
    section.header_distance = Mm(margins.top * 0.4)
    section.footer_distance = Mm(margins.bottom * 0.4)


def _running_header_and_footer(document: WordDocument, meta: model.Meta, brand: ResolvedBrand,
                               styles: dict[str, BaseStyle]) -> None:
    """As the PDFs: from page two the title at the right margin; on every page a footer of
    the organisation and the brand's line, and at the right the page number."""
    section = document.sections[-1]
    section.different_first_page_header_footer = True
    organisation = brand.organisation_for(meta.organisations)
    header = section.header
    header.is_linked_to_previous = False
    _furniture_line(header.paragraphs[0], styles["header"], "", meta.title)
    for footer in (section.footer, section.first_page_footer):
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0]
        _furniture_line(paragraph, styles["footer"], footer_line(brand, meta), None)
        for run in ooxml.field_runs("PAGE", "1"):
            paragraph._p.append(run)
    section.first_page_header.is_linked_to_previous = False


def footer_line(brand: ResolvedBrand, meta: model.Meta) -> str:
    """The page footer's text: the organisation, and the brand's footer line after it."""
    return " \u00b7 ".join(x for x in (brand.organisation_for(meta.organisations),
                                       brand.brand.footer) if x)


def _furniture_line(paragraph: WordParagraph, style: BaseStyle, left: str,
                    right: str | None) -> None:
    """``left``, then a tab to the stop at the right margin, then ``right`` (or what follows)."""
    paragraph._p.get_or_add_pPr().style = style.style_id
    if left:
        paragraph.add_run(xml_text(left))
    paragraph.add_run().add_tab()
    if right:
        paragraph.add_run(xml_text(right))


def _page_number_footer(document: WordDocument) -> None:
    """A centred PAGE field in the footer, for documents whose footer is not defined."""
    footer = document.sections[-1].footer
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in ooxml.field_runs("PAGE", "1"):
        paragraph._p.append(run)


def _drop_thumbnail(document: WordDocument) -> None:
    """The template's preview image shows some other document: leave it out."""
    rels = document.part.package.rels
    for r_id in [r_id for r_id, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[r_id]


def _set_core_properties(document: WordDocument, meta: model.Meta, when: datetime) -> None:
    """Title, author and language from the brief; dates from ``when``; nothing left over."""
    props = document.core_properties
    author = "; ".join(meta.authors or meta.organisations)
    props.title = xml_text(meta.title)
    props.subject = xml_text(meta.subtitle)
    props.author = props.last_modified_by = xml_text(author)
    props.language = meta.lang
    props.created = props.modified = props.last_printed = when.replace(tzinfo=None)
    props.revision = 1
    for name in ("keywords", "comments", "category", "content_status", "identifier", "version"):
        setattr(props, name, "")


def package_zip(document: WordDocument, when: datetime) -> bytes:
    """The .docx as python-docx saves it (``OpcPackage.save``: the content types, the package's
    relationships, then each part and its relationships), compressed once with every entry
    dated ``when``. python-docx dates entries with the clock, so saving with it and writing
    the zip again reproducibly compressed every part twice (a tenth of the DOCX writer's
    time); its ``PackageWriter`` steps are used here with a zip of our own instead. A test
    checks the bytes against python-docx's own save, dated afterwards."""
    from docx.opc.pkgwriter import PackageWriter

    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    stamp = datetime.fromtimestamp(max(when.timestamp(), ZIP_EPOCH), tz=timezone.utc)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        entries = _DatedEntries(zipped, stamp.timetuple()[:6])
        PackageWriter._write_content_types_stream(entries, package.parts)
        PackageWriter._write_pkg_rels(entries, package.rels)
        PackageWriter._write_parts(entries, package.parts)
    return out.getvalue()


class _DatedEntries:
    """What ``PackageWriter`` writes a part to (its ``PhysPkgWriter``): each entry dated
    ``date_time`` and with no host details."""

    def __init__(self, zipped: zipfile.ZipFile, date_time: tuple) -> None:
        self.zipped, self.date_time = zipped, date_time

    def write(self, pack_uri: Any, blob: bytes) -> None:
        entry = zipfile.ZipInfo(pack_uri.membername, date_time=self.date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.create_system = 0
        entry.external_attr = 0
        self.zipped.writestr(entry, blob)


def _numbering_root(document: WordDocument):
    """The numbering part's root, adding the part when the reference document has none."""
    part = document.part
    try:
        return part.part_related_by(RT.NUMBERING).element
    except KeyError:
        name = _free_partname(part.package, "/word/numbering")
        numbering = NumberingPart(name, CT.WML_NUMBERING, ooxml.new_numbering(), part.package)
        part.relate_to(numbering, RT.NUMBERING)
        return numbering.element


def _free_partname(package, stem: str) -> PackURI:
    """``stem.xml`` as Word names the part, or ``stem1.xml``... when a part has that name."""
    taken = {str(part.partname) for part in package.iter_parts()}
    if f"{stem}.xml" not in taken:
        return PackURI(f"{stem}.xml")
    return package.next_partname(f"{stem}%d.xml")


def _svg_part(document: WordDocument, svg: bytes) -> Part:
    """An SVG image part (``/word/media/imageN.svg``), named after the parts already there, so
    the same document gets the same names."""
    package = document.part.package
    partname = package.next_partname("/word/media/image%d.svg")
    return Part(partname, SVG_CONTENT_TYPE, svg, package)


SVG_CONTENT_TYPE = "image/svg+xml"


def _footnotes_part(document: WordDocument) -> FootnotesPart:
    """The footnotes part with its separators but no notes (the reference's, else a new one)."""
    part = document.part
    try:
        notes = part.part_related_by(RT.FOOTNOTES)
    except KeyError:
        notes = FootnotesPart(_free_partname(part.package, "/word/footnotes"), CT.WML_FOOTNOTES,
                              ooxml.new_footnotes(), part.package)
        part.relate_to(notes, RT.FOOTNOTES)
    notes.element.remove_notes()
    notes.element.ensure_separators()
    return notes


# --- the walk --------------------------------------------------------------------------------

class _Lists:
    """Word numbering for this document: one definition per kind, one instance per list.

    Indents are the PDFs': a list's text 1.8em in, its marker 1.2em before the text, and a
    numbered paragraph's text 2em in (em: the brand's body size).
    """

    def __init__(self, root, brand: ResolvedBrand) -> None:
        self._root = root
        first, _ = ooxml.next_ids(root)
        self._bullet, self._ordered, self._paragraph = first, first + 1, first + 2
        em = brand.brand.sizes.body
        step, hanging = docx_styles.twips(1.8 * em), docx_styles.twips(1.2 * em)
        ooxml.add_abstract_num(root, ooxml.bullet_list_definition(self._bullet, step, hanging))
        ooxml.add_abstract_num(root, ooxml.ordered_list_definition(self._ordered, step, hanging))
        ooxml.add_abstract_num(root, ooxml.paragraph_numbering_definition(
            self._paragraph, docx_styles.twips(2 * em)))
        self.bullets = self._instance(self._bullet)
        self.paragraphs = self._instance(self._paragraph)

    def ordered(self, start: int, level: int) -> int:
        """A new instance for one ordered list, so it counts from its own ``start``."""
        return self._instance(self._ordered, (level, start))

    def _instance(self, abstract_id: int, restart: tuple[int, int] | None = None) -> int:
        _, num_id = ooxml.next_ids(self._root)
        ooxml.add_num(self._root, ooxml.num(num_id, abstract_id, restart))
        return num_id


@dataclass(frozen=True)
class _Ctx:
    """Where blocks go and how plain paragraphs there are styled."""

    container: Any              # python-docx Document, _Cell or a footnote container
    style: Any                  # paragraph style for plain paragraphs here
    depth: int = 0              # list nesting level (Word's ilvl)


@dataclass(frozen=True)
class _Fmt:
    """Character formatting inherited from enclosing inlines."""

    italic: bool = False
    bold: bool = False
    code: bool = False
    change: str = ""          # "ins" or "del": a redline's tracked change (redline.py)


class _Writer:
    """One pass over the model, appending to a prepared python-docx document."""

    def __init__(self, document: WordDocument, doc: model.Document,
                 styles: dict[str, BaseStyle], brand: ResolvedBrand = DEFAULT_BRAND,
                 fonts: docx_styles.Fonts | None = None, masthead: Masthead = Masthead(),
                 revision: tuple[str, str] = ("briefgen", "")) -> None:
        self.document = document
        self.masthead = masthead
        self.doc = doc
        self.styles = styles
        self.brand = brand
        self.fonts = fonts or docx_styles.fonts_of(brand)
        self.outline = model.Outline()
        self.lists = _Lists(_numbering_root(document), brand)
        self.notes_part = _footnotes_part(document)
        self.note_numbers = {note.number for note in doc.notes}
        self.ref_style_id = self.styles["footnote reference"].style_id
        self.block_width = _text_width(document.sections[-1])
        self.over_block = docx_styles.space_after_heading_over_block(brand)
        self._blocks: dict[type, Callable[[_Ctx, Any], None]] = {
            model.Heading: self._heading, model.Paragraph: self._paragraph,
            model.BulletList: self._list, model.OrderedList: self._list,
            model.BlockQuote: self._quote, model.Table: self._table,
            model.ThematicBreak: self._rule, model.Changed: self._changed,
            model.Figure: self._figure,
        }
        self.block_change = ""                 # inside a Changed block: "ins" or "del"
        self.revision = revision               # (author, date) of a redline's changes
        self.revision_ids = itertools.count(1)

    def write(self) -> None:
        body = _Ctx(self.document, self.styles["Body Text"])
        self._title_block(body)
        self._blocks_in(body, self.doc.blocks)
        self._contact(body)
        for note in sorted(self.doc.notes, key=lambda n: n.number):
            self._note(note)

    def _title_block(self, ctx: _Ctx) -> None:
        """The masthead (logo and organisation, and the date at the right where the audience
        puts it there), the audience's label, the title, subtitle and occasion in the
        audience's order, the submitting organisations (under the audience's label, else
        only when they are not the brand's alone), and the date under a rule."""
        meta, spec = self.doc.meta, self.masthead
        organisation = self.brand.organisation_for(meta.organisations)
        date_above = spec.date == "brand-line" and bool(meta.date_text)
        if self.brand.logo is not None or organisation or date_above:
            self._masthead(ctx, organisation, meta.date_text if date_above else "")
        looks = spec.looks
        texts = {"title": ("Title", meta.title), "subtitle": ("Subtitle", meta.subtitle),
                 "occasion": ("Occasion", meta.occasion)}
        lines = [("Masthead Label", spec.label or "", looks.get("label"))]
        lines += [(*texts[name], looks.get(name)) for name in spec.order]
        if spec.submitted_by and meta.organisations:
            lines.append(("Masthead Label", spec.submitted_by, looks.get("submitted-by")))
            lines += [("Organisation", name, looks.get("organisations"))
                      for name in meta.organisations]
        elif [o for o in meta.organisations if o != organisation]:
            lines.append(("Organisation", ", ".join(meta.organisations),
                          looks.get("organisations")))
        if not date_above:      # its style draws the closing rule
            lines.append(("Date", meta.date_text, looks.get("date")))
        last = last_look = None
        for style, text, look in lines:
            if text:
                last, last_look = self._line(ctx, self.styles[style], text), look
                if look is not None:
                    self._line_look(last, look)
        if not spec.closing_rule:
            if last is not None and not date_above:     # the Date style's rule, undrawn
                ooxml.set_border(last._p.get_or_add_pPr(), "bottom", "auto", 0, 0)
        elif date_above and last is not None:          # the closing rule, as the PDFs draw it
            ppr = last._p.get_or_add_pPr()
            ooxml.set_bottom_border(ppr, spec.closing_rule_gap)
            if last_look is None or last_look.below is None:
                last.paragraph_format.space_after = Pt(12)
        elif last is not None and spec.closing_rule_gap is not None:   # the Date style's rule
            ooxml.set_border(last._p.get_or_add_pPr(), "bottom", docx_styles.hex_colour(
                self.brand.brand.colours.accent), docx_styles.DATE_RULE, spec.closing_rule_gap)

    def _masthead(self, ctx: _Ctx, organisation: str, date: str = "") -> None:
        """The logo and the organisation's name over a band in the brand's accent colour;
        ``date`` at the right margin (the style's right tab stop). Beside a logo, both are
        level with its middle or its foot (``Masthead.beside_logo``), as the PDFs set them."""
        masthead = self._new_paragraph(ctx.container, self.styles["Masthead"])
        looks, logo = self.masthead.looks, self.brand.logo
        if self.masthead.rule is not None:          # the audience's rule, not the style's
            ooxml.set_border(masthead._p.get_or_add_pPr(), "bottom",
                             docx_styles.hex_colour(self.brand.brand.colours.accent),
                             self.masthead.rule, 6)
        if logo is not None:
            picture = _add_logo(masthead, logo)
            masthead.add_run("\t")             # to the tab stop set below
            lifted = [masthead.add_run(xml_text(organisation))]
        else:
            self._inlines(masthead, (model.Text(organisation),))
            lifted = list(masthead.runs)
        self._run_look(lifted, looks.get("organisation"))
        self._spacing(masthead, looks.get("organisation"))
        if date:                                  # as the PDFs set it: small, muted
            run = masthead.add_run("\t" + xml_text(date))
            run.bold = False
            run.font.size = Pt(self.brand.brand.sizes.small)
            run.font.color.rgb = RGBColor.from_string(
                docx_styles.hex_colour(self.brand.brand.colours.muted))
            self._run_look([run], looks.get("date"))
            lifted.append(run)
        if logo is None:
            return
        # the name 0.7 em past the logo, the PDFs' grid gutter; name and date level with the
        # logo's middle or foot, as tall as its shape makes it
        masthead.paragraph_format.tab_stops.add_tab_stop(
            picture.width + Pt(0.7 * _size(lifted[0])))
        for run in lifted:
            if self.masthead.beside_logo == "middle":   # Typst centres cap height to baseline
                lift = picture.height.pt / 2 - CAP_HEIGHT * _size(run) / 2
            else:   # Typst sets the text's descent, not its baseline, on the logo's foot
                lift = DESCENT * _size(run)
            ooxml.raise_run(run._r.get_or_add_rPr(), lift)

    def _run_look(self, runs: list, look: Any) -> None:
        """A masthead line's own size, weight, slant and brand colour (``LineLook``)."""
        if look is None:
            return
        for run in runs:
            if look.size is not None:
                run.font.size = Pt(look.size)
            if look.bold is not None:
                run.bold = look.bold
            if look.italic is not None:
                run.italic = look.italic
            if look.colour is not None:
                run.font.color.rgb = RGBColor.from_string(docx_styles.hex_colour(
                    getattr(self.brand.brand.colours, look.colour)))

    def _line_look(self, paragraph: WordParagraph, look: Any) -> None:
        """The audience's own look for a masthead line (``Masthead.looks``), over its style:
        size (with the style's leading of 1.3), weight, slant, and a bar in the accent colour
        at its left, the text 0.7 em from it, as the audience's ``page.typ`` sets it."""
        self._run_look(paragraph.runs, look)
        layout = paragraph.paragraph_format
        if look.size is not None:
            layout.line_spacing = Pt(round(look.size * 1.3, 1))
        if look.bar:
            em = 0.7 * (look.size or self.brand.brand.sizes.body)
            ooxml.set_border(paragraph._p.get_or_add_pPr(), "left",
                             docx_styles.hex_colour(self.brand.brand.colours.accent), 3, em)
            layout.left_indent = Pt(em)
            layout.space_before = layout.space_after = Pt(em)
        self._spacing(paragraph, look)

    @staticmethod
    def _spacing(paragraph: WordParagraph, look: Any) -> None:
        """A masthead line's own space above and below (``LineLook``), over its style's."""
        if look is not None and look.above is not None:
            paragraph.paragraph_format.space_before = Pt(look.above)
        if look is not None and look.below is not None:
            paragraph.paragraph_format.space_after = Pt(look.below)

    def _line(self, ctx: _Ctx, style: Any, text: str) -> WordParagraph:
        paragraph = self._new_paragraph(ctx.container, style)
        self._inlines(paragraph, (model.Text(text),))
        return paragraph

    def _contact(self, ctx: _Ctx) -> None:
        """"For more information, contact ...": the brand's contact block, kept on one page;
        its first line (the label, then who) carries the rule above it."""
        lines = contact_lines(self.brand, self.doc.meta)
        if not lines:
            return
        first = self._new_paragraph(ctx.container, self.styles["Contact Heading"])
        label = first.add_run(CONTACT_LABEL)
        label.bold = True
        label.font.color.rgb = RGBColor.from_string(
            docx_styles.hex_colour(self.brand.brand.colours.accent))
        self._inlines(first, lines[0])
        last = first
        for inlines in lines[1:]:
            last = self._new_paragraph(ctx.container, self.styles["Contact"])
            self._inlines(last, inlines)
        last.paragraph_format.keep_with_next = False

    # -- blocks --

    def _new_paragraph(self, container: Any, style: BaseStyle | None) -> WordParagraph:
        """An empty paragraph; the default style is left implicit, as Word writes it.

        Styles are set by the ids resolved once in ``_ensure_styles``: python-docx's own
        setter looks the default style up again on every call, half the writer's time.
        """
        paragraph = container.add_paragraph()
        normal = self.styles["Normal"]
        if style is not None and (normal is None or style.style_id != normal.style_id):
            paragraph._p.get_or_add_pPr().style = style.style_id
        if self.block_change:
            ooxml.mark_paragraph_change(paragraph._p.get_or_add_pPr(),
                                        self._change_element(self.block_change))
        return paragraph

    def _changed(self, ctx: _Ctx, node: model.Changed) -> None:
        """Blocks a redline adds or removes whole: their paragraph marks and runs tracked."""
        outer, self.block_change = self.block_change, node.change
        try:
            self._blocks_in(ctx, node.blocks)
        finally:
            self.block_change = outer

    def _change_element(self, change: str) -> Any:
        """A ``w:ins`` or ``w:del`` with its id, author and date (one id per change, unique in
        the document, notes included)."""
        author, date = self.revision
        return ooxml.revision(change, next(self.revision_ids), author, date)

    def _tracked(self, element: Any, fmt: _Fmt) -> None:
        """A run (or a note's reference run) inside a tracked insertion or deletion."""
        if not fmt.change:
            return
        wrapper = self._change_element(fmt.change)
        element.addprevious(wrapper)
        wrapper.append(element)

    def _blocks_in(self, ctx: _Ctx, blocks: tuple[model.Block, ...]) -> None:
        heading = None                      # the heading just written, if the last block was
        for block, after in zip(blocks, blocks[1:] + (None,)):
            written = self._blocks[type(block)](ctx, block)
            lead_in = isinstance(block, model.Paragraph) and model.is_list(after)
            if lead_in:
                written.paragraph_format.keep_with_next = True
            # a block of its own in the PDFs, spaced from a heading above by its own space
            # (set as the heading's space after: the block's first paragraph has no space
            # before to compete with it)
            if heading is not None and self.over_block is not None and (
                    isinstance(block, _SPACED_BLOCKS) or lead_in):
                heading.paragraph_format.space_after = Pt(self.over_block)
            heading = written if isinstance(block, model.Heading) else None

    def _heading(self, ctx: _Ctx, node: model.Heading) -> WordParagraph:
        """Heading 1-3 in order under the Title, as the PDFs' outline (``model.Outline``);
        deeper levels share Heading 3, the deepest a brief's outline uses."""
        level = self.outline.level(node.level) - 1
        style = self.styles[f"Heading {min(max(level, 1), 3)}"]
        paragraph = self._new_paragraph(ctx.container, style)
        self._inlines(paragraph, node.children)
        return paragraph

    def _paragraph(self, ctx: _Ctx, node: model.Paragraph) -> WordParagraph:
        style = ctx.style
        if node.numbered and style is self.styles["Body Text"]:
            style = self.styles["Numbered Paragraph"]
        paragraph = self._new_paragraph(ctx.container, style)
        if node.numbered:
            ooxml.set_numbering(paragraph._p.get_or_add_pPr(), self.lists.paragraphs, 0)
        self._inlines(paragraph, node.children)
        return paragraph

    def _list(self, ctx: _Ctx, node: model.BulletList | model.OrderedList) -> None:
        if isinstance(node, model.OrderedList):
            style, num_id = self.styles["List Number"], self.lists.ordered(node.start, ctx.depth)
        else:
            style, num_id = self.styles["List Bullet"], self.lists.bullets
        last = None
        for item in node.items:
            last = self._item(ctx, item, style, num_id)
        if last is not None and ctx.depth == 0:     # after the list, a paragraph's space
            last.paragraph_format.space_after = Pt(self.brand.brand.spacing.paragraph)

    def _item(self, ctx: _Ctx, blocks: tuple[model.Block, ...], style: Any,
              num_id: int) -> WordParagraph:
        """One list item: its first paragraph carries the number, the rest are indented."""
        rest = blocks
        if blocks and isinstance(blocks[0], model.Paragraph):
            paragraph = self._paragraph(replace(ctx, style=style), blocks[0])
            rest = blocks[1:]
        else:
            paragraph = self._new_paragraph(ctx.container, style)
        ooxml.set_numbering(paragraph._p.get_or_add_pPr(), num_id, ctx.depth)
        inner = replace(ctx, depth=ctx.depth + 1)
        step = docx_styles.twips(1.8 * self.brand.brand.sizes.body)
        for block in rest:
            if isinstance(block, model.Paragraph):
                more = self._paragraph(replace(ctx, style=style), block)
                more.paragraph_format.left_indent = Twips(step * (ctx.depth + 1))
                paragraph = more
            else:
                self._blocks[type(block)](inner, block)
        return paragraph

    def _quote(self, ctx: _Ctx, node: model.BlockQuote) -> None:
        self._blocks_in(replace(ctx, style=self.styles["Quote"]), node.blocks)

    def _table(self, ctx: _Ctx, node: model.Table) -> None:
        rows = (node.header,) + node.rows
        columns = max(len(row) for row in rows)
        if isinstance(ctx.container, WordDocument):
            table = ctx.container.add_table(len(rows), columns)
        else:
            table = ctx.container.add_table(len(rows), columns, self.block_width)
        table.style = self.styles[TABLE_STYLE]
        ooxml.set_table_look(table._tbl)
        ooxml.mark_header_row(table.rows[0]._tr)
        for row, cells in zip(table.rows, rows):
            for index, (cell, inlines) in enumerate(zip(row.cells, cells)):
                paragraph = cell.paragraphs[0]
                align = node.aligns[index] if index < len(node.aligns) else ""
                if align in _ALIGN:
                    paragraph.alignment = _ALIGN[align]
                self._inlines(paragraph, inlines)

    def _figure(self, ctx: _Ctx, node: model.Figure) -> None:
        """The chart as its 300 dpi PNG, its alt text the picture's description, with the SVG
        beside it (``asvg:svgBlip``: Word draws the vector, older readers the PNG), kept with
        its caption ("Figure N: ...", Word's Caption style) below."""
        paragraph = self._new_paragraph(ctx.container, ctx.style)
        paragraph.paragraph_format.keep_with_next = True
        # The body's exact line height would clip the picture to one line: as tall as it is.
        paragraph.paragraph_format.line_spacing = 1.0
        run = paragraph.add_run()
        width = min(Mm(node.width_mm), self.block_width)
        run.add_picture(io.BytesIO(node.png), width=width)
        ooxml.set_no_distance(run._r)
        ooxml.set_description(run._r, node.alt)
        ooxml.add_svg_blip(run._r, self.document.part.relate_to(
            _svg_part(self.document, node.svg.encode("utf-8")), RT.IMAGE))
        self._caption(ctx, node)

    def _caption(self, ctx: _Ctx, node: model.Figure) -> None:
        """"Figure N: ..." in Word's Caption style, N a SEQ field (its result the number the
        PDFs print), so Word numbers the figure and can list it in a table of figures."""
        caption = self._new_paragraph(ctx.container, self.styles["Caption"])
        lead = f"Figure {node.number}: "
        first = node.caption[0] if node.caption else None
        if not (isinstance(first, model.Text) and first.text.startswith(lead)):
            self._inlines(caption, node.caption)
            return
        rest = (model.Text(first.text[len(lead):]),) + node.caption[1:]
        self._inlines(caption, (model.Text("Figure "),))
        for run in ooxml.field_runs(r"SEQ Figure \* ARABIC", str(node.number)):
            caption._p.append(run)
            self._tracked(run, _Fmt(change=self.block_change))
        self._inlines(caption, (model.Text(": "),) + rest)

    def _rule(self, ctx: _Ctx, node: model.ThematicBreak) -> None:
        paragraph = self._new_paragraph(ctx.container, ctx.style)
        ooxml.set_bottom_border(paragraph._p.get_or_add_pPr())

    # -- notes --

    def _note(self, note: model.Note) -> None:
        """One ``w:footnote``: the number mark, a space, then the note's blocks."""
        element = self.notes_part.element.add_note(note.number)
        story = BlockItemContainer(element, self.notes_part)
        ctx = _Ctx(story, self.styles["footnote text"])
        blocks = note.blocks
        if len(blocks) == 1 and isinstance(blocks[0], model.Changed):
            # a redline's note added or removed whole: its mark and text are the change
            outer, self.block_change = self.block_change, blocks[0].change
            try:
                return self._note(model.Note(note.number, blocks[0].blocks))
            finally:
                self.block_change = outer
        if blocks and isinstance(blocks[0], model.Paragraph):
            first = self._paragraph(ctx, blocks[0])
            blocks = blocks[1:]
        else:
            first = self._new_paragraph(story, ctx.style)
        mark = [ooxml.footnote_ref_run(self.ref_style_id), _tab_run()]
        position = 0 if first._p.pPr is None else 1
        first._p[position:position] = mark
        for run in mark:
            self._tracked(run, _Fmt(change=self.block_change))
        self._blocks_in(ctx, blocks)

    # -- inlines --

    def _inlines(self, paragraph: WordParagraph, inlines: tuple[model.Inline, ...],
                 fmt: _Fmt | None = None, link: Any = None) -> None:
        fmt = fmt or _Fmt(change=self.block_change)
        for node in inlines:
            self._inline(paragraph, node, fmt, link)

    def _inline(self, paragraph: WordParagraph, node: model.Inline, fmt: _Fmt, link: Any) -> None:
        if isinstance(node, model.Text):
            self._text(paragraph, node.text, fmt, link)
        elif isinstance(node, model.Emph):
            self._inlines(paragraph, node.children, replace(fmt, italic=True), link)
        elif isinstance(node, model.Strong):
            self._inlines(paragraph, node.children, replace(fmt, bold=True), link)
        elif isinstance(node, model.Code):
            self._text(paragraph, node.text, replace(fmt, code=True), link)
        elif isinstance(node, model.Link):
            self._link(paragraph, node, fmt, link)
        elif isinstance(node, model.LineBreak):
            self._run(paragraph, fmt, link).add_break()
        elif isinstance(node, model.NoteRef):
            self._note_ref(paragraph, node, fmt, link)
        elif isinstance(node, model.Inserted):
            self._inlines(paragraph, node.children, replace(fmt, change="ins"), link)
        elif isinstance(node, model.Deleted):
            self._inlines(paragraph, node.children, replace(fmt, change="del"), link)
        else:
            raise TypeError(f"the DOCX writer needs a document after the cite pass; "
                            f"expected Text, Emph, Strong, Code, Link, LineBreak or NoteRef, "
                            f"got {type(node).__name__}")

    def _run(self, paragraph: WordParagraph, fmt: _Fmt, link: Any) -> Run:
        if link is None:
            run = paragraph.add_run()
        else:
            run = Run(OxmlElement("w:r"), paragraph)
            link.append(run._r)
        style = CODE_STYLE if fmt.code else "Hyperlink" if link is not None else None
        if style is not None:
            run._r.get_or_add_rPr().style = self.styles[style].style_id
        if fmt.italic:
            run.italic = True
        if fmt.bold:
            run.bold = True
        self._tracked(run._r, fmt)
        return run

    def _text(self, paragraph: WordParagraph, text: str, fmt: _Fmt, link: Any) -> None:
        text = xml_text(text)
        if not text:
            return
        run = self._run(paragraph, fmt, link)
        run.text = text
        if fmt.change == "del":
            ooxml.as_deleted_text(run._r)
        if _HANGUL.search(text):
            ooxml.set_east_asian_font(run._r.get_or_add_rPr(), self.fonts.text_cjk, hint=True)

    def _link(self, paragraph: WordParagraph, node: model.Link, fmt: _Fmt, link: Any) -> None:
        """A ``w:hyperlink`` to an external relationship; a link inside a link joins the outer."""
        if link is None:
            r_id = paragraph.part.relate_to(xml_text(node.url), RT.HYPERLINK, is_external=True)
            link = ooxml.hyperlink(r_id)
            paragraph._p.append(link)
        children = node.children
        if children == (model.Text(node.url),):
            children = (model.Text(url_text(node.url)),)
        self._inlines(paragraph, children, fmt, link)

    def _note_ref(self, paragraph: WordParagraph, node: model.NoteRef, fmt: _Fmt,
                  link: Any) -> None:
        if node.number not in self.note_numbers:
            raise ValueError(f"NoteRef({node.number}) has no Note in doc.notes")
        run = ooxml.footnote_reference_run(node.number, self.ref_style_id)
        (paragraph._p if link is None else link).append(run)
        self._tracked(run, fmt)


_URL_PARTS = re.compile(r"[^/]*/+|[^/]+$")      # "https://", "example.org/", "a.pdf"
NO_BREAK_HYPHEN, ZERO_WIDTH_SPACE = "\u2011", "\u200b"


def url_text(url: str) -> str:
    """A URL shown as itself, as Word and LibreOffice should break it: only after a slash.

    Both break a line after a hyphen, as in prose ("country-" / "chapters"), and LibreOffice
    does not break after a slash ("north-korea/" / "special-topics", "2018/" / "01"); OOXML
    has no "keep together" for a run of text and no break opportunity of its own. So the
    shown text has the URL's hyphens as non-breaking hyphens (U+2011, drawn as "-") and a
    zero-width space after each run of slashes. The link's target is the URL as it is; a
    reader who copies the shown text rather than the link gets the two characters.
    """
    parts = [part.replace("-", NO_BREAK_HYPHEN) for part in _URL_PARTS.findall(url) if part]
    return ZERO_WIDTH_SPACE.join(parts)


def _text_width(section) -> Length:
    """The width between the margins, assuming A4 and 2.5 cm where the section is silent."""
    width = section.page_width or Mm(210)
    return Length(width - (section.left_margin or Cm(2.5)) - (section.right_margin or Cm(2.5)))


def _tab_run():
    """After a note's number: the tab to its text, which hangs there (Footnote Text)."""
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:tab"))
    return run


CONTACT_LABEL = "For more information, contact"


def contact_lines(brand: ResolvedBrand, meta: model.Meta) -> list[tuple[model.Inline, ...]]:
    """The contact block's lines as inlines, after the label: who; how to reach them (the
    mail and web addresses as links); where, and the registration number. Empty when the
    brand has no contact and no number."""
    b, c = brand.brand, brand.brand.contact
    any_contact = bool(c.name or c.email or c.phone or c.web or c.address)
    if not any_contact and not b.registration:
        return []
    who = ", ".join(x for x in (c.name, brand.organisation_for(meta.organisations)) if x)
    lines: list[tuple[model.Inline, ...]] = [(model.Text(f" {who}"),) if any_contact and who else ()]
    dot = model.Text("  \u00b7  ")
    reach: list[model.Inline] = []
    for part in ((model.Link(f"mailto:{c.email}", (model.Text(c.email),)) if c.email else None),
                 (model.Text(c.phone) if c.phone else None),
                 (model.Link(c.web, (model.Text(c.web),)) if c.web else None)):
        if part is not None:
            reach += ([dot] if reach else []) + [part]
    if reach:
        lines.append(tuple(reach))
    where = [model.Text(", ".join(c.address))] if c.address else []
    if b.registration:
        where += ([dot] if where else []) + [model.Text(b.registration)]
    if where:
        lines.append(tuple(where))
    return lines


@lru_cache(maxsize=8)
def _logo_png(data: bytes, kind: str) -> bytes:
    """The logo as PNG for Word (python-docx embeds PNG, not SVG): an SVG is drawn by Typst,
    which briefgen has already, at 600 pixels an inch. An SVG without text needs no fonts, so
    Typst is spared its scan of the system's fonts (0.15 s of a 0.16 s drawing)."""
    if kind == "png":
        return data
    import tempfile

    import typst

    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "logo.typ"
        page.write_text('#set page(width: auto, height: auto, margin: 0pt)\n'
                        '#image(bytes(sys.inputs.at("svg")), format: "svg", width: 2cm)\n',
                        encoding="utf-8")
        return typst.compile(page, format="png", ppi=600,
                             sys_inputs={"svg": data.decode("utf-8")},
                             ignore_system_fonts=b"<text" not in data)


def _add_logo(paragraph: WordParagraph, logo: LogoImage) -> Any:
    """The logo at the brand's width (its height as its shape makes it), its alt text the
    picture's description; the picture (``InlineShape``) back."""
    run = paragraph.add_run()
    picture = run.add_picture(io.BytesIO(_logo_png(logo.data, logo.format)),
                              width=Mm(logo.width_mm))
    ooxml.set_no_distance(run._r)
    ooxml.set_description(run._r, logo.alt)
    return picture


def _size(run: Run) -> float:
    """A brand-line run's size in points: its own, else the Masthead style's."""
    return run.font.size.pt if run.font.size else docx_styles.MASTHEAD_SIZE
