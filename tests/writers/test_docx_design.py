"""The designed DOCX: made from the brand, with the PDFs' fonts, page and furniture.

Built from a bundled brief in the bundled brand (``brand.yaml``), as ``docx_bytes`` writes it
for a brief's look; read back with python-docx, the package's XML and, where installed,
LibreOffice and poppler.
"""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset
from briefgen.writers import docx as docx_writer, docx_pages, docx_styles
from briefgen.writers.docx import docx_bytes
from briefgen.writers.look import Look
from clients import libreoffice_pdf, need, ooxml_order_problems, visible

# The bundled briefs as frozen for the tests (tests/roots/bundled).
PROJECT = Path(__file__).resolve().parents[1] / "roots" / "bundled"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"}
STYLES = ("Title", "Subtitle", "Masthead", "Occasion", "Organisation", "Date", "Heading 1",
          "Heading 2", "Heading 3", "Body Text", "Quote", "List Bullet", "List Number",
          "Numbered Paragraph", "footnote text", "Caption", "Contact", "Contact Heading",
          "Header", "Footer", "Hyperlink")


def _built(name: str):
    dataset = load_dataset(PROJECT / "data")
    loaded = load_brief(PROJECT / "briefs" / f"{name}.yaml", dataset, PROJECT / "templates")
    work = stages_of(loaded, dataset, allow_overlength=True)
    look = Look.of(loaded)
    return work, look, docx_bytes(work.document, look)


@pytest.fixture(scope="module")
def briefing():
    """The start brief (UK briefing) as a DOCX, with its look."""
    return _built("uk-westminster-hall-forb")


@pytest.fixture(scope="module")
def submission():
    """A UN submission (numbered paragraphs, recommendations with lead-ins)."""
    return _built("un-sr-accountability")


def text(p: etree._Element) -> str:
    return "".join(p.xpath(".//w:t/text()", namespaces=NS))


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def _style(data: bytes, style_id: str) -> etree._Element:
    (style,) = _part(data, "word/styles.xml").xpath(f"w:style[@w:styleId='{style_id}']",
                                                    namespaces=NS)
    return style


BRIEFS = sorted(p.stem for p in (PROJECT / "briefs").glob("*.yaml"))


@pytest.mark.parametrize("name", BRIEFS)
def test_its_xml_is_in_the_order_python_docx_knows_and_word_processors_open_it(name, tmp_path):
    """Every part of every bundled brief's DOCX: each element python-docx models has its
    children in the schema's order and a once-only child once (``ooxml_order_problems``);
    python-docx opens it, and LibreOffice converts it (exit status 0, a PDF with pages)."""
    _, _, data = _built(name)
    assert ooxml_order_problems(data) == []
    docx.Document(io.BytesIO(data))
    path = tmp_path / f"{name}.docx"
    path.write_bytes(data)
    pdf = libreoffice_pdf(path, tmp_path)
    assert docx_pages.pdf_pages(pdf) >= 1


def test_the_order_check_finds_a_child_out_of_order_and_one_twice(briefing):
    """The check above can fail: a paragraph style after the numbering, a second keepNext."""
    _, _, data = briefing
    source = io.BytesIO(data)
    with zipfile.ZipFile(source) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    body = parts["word/document.xml"].decode("utf-8")
    match = re.search(r"<w:pPr>(<w:pStyle [^>]*/>)(<w:numPr>.*?)</w:pPr>", body)
    body = body.replace(match.group(0), f"<w:pPr>{match.group(2)}{match.group(1)}"
                        f"<w:keepNext/><w:keepNext/></w:pPr>", 1)
    parts["word/document.xml"] = body.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, content in parts.items():
            package.writestr(name, content)
    problems = ooxml_order_problems(out.getvalue())
    assert any("pStyle out of order" in p for p in problems)
    assert any(re.search(r"w:keepNext \d times", p) for p in problems)


def test_python_docx_opens_it_and_every_element_has_a_named_style(briefing):
    _, _, data = briefing
    document = docx.Document(io.BytesIO(data))
    names = {style.name for style in document.styles}
    assert set(STYLES) <= names
    used = [p.style.name for p in document.paragraphs]
    # the UK briefing's masthead (audience.yaml): the date beside the organisation's name,
    # the "Briefing" label over the title, as its page templates set them in the PDFs
    assert used[:5] == ["Masthead", "Masthead Label", "Title", "Subtitle", "Occasion"]
    assert document.paragraphs[0].text.endswith("\t26 November 2026")
    assert {"Heading 1", "Body Text", "List Bullet", "Quote", "Contact"} <= set(used)


def test_the_styles_name_the_brands_fonts_and_no_theme_font(briefing):
    _, look, data = briefing
    text, headings = look.fonts.text[0], look.fonts.headings[0]
    assert _style(data, "Normal").find("w:rPr/w:rFonts", NS).get(f"{{{W}}}ascii") == text
    for name in ("Title", "Heading1", "Masthead", "Contact", "Header"):
        assert _style(data, name).find("w:rPr/w:rFonts", NS).get(f"{{{W}}}ascii") == headings
    defaults = _part(data, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts", NS)
    assert defaults.get(f"{{{W}}}ascii") == text
    assert not [a for a in defaults.attrib if a.endswith("Theme") or a.endswith("theme")]


def test_sizes_and_leading_are_the_brands(briefing):
    _, look, data = briefing
    b = look.brand.brand
    normal = _style(data, "Normal")
    assert normal.find("w:rPr/w:sz", NS).get(f"{{{W}}}val") == str(round(2 * b.sizes.body))
    spacing = normal.find("w:pPr/w:spacing", NS)
    assert spacing.get(f"{{{W}}}line") == str(round(20 * b.sizes.body * b.leading.body))
    assert spacing.get(f"{{{W}}}lineRule") == "exact"
    notes = _style(data, "FootnoteText")
    assert notes.find("w:rPr/w:sz", NS).get(f"{{{W}}}val") == str(round(2 * b.sizes.notes))


def test_a4_and_every_tab_stop_inside_the_text_width(briefing):
    _, look, data = briefing
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    margins = look.brand.brand.page.margins
    width = round((210 - margins.left - margins.right) * 1440 / 25.4)
    assert width == docx_styles.mm_twips(look.brand.text_width_mm)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        parts = [n for n in package.namelist() if re.fullmatch(r"word/(styles|header\d*|footer\d*)\.xml", n)]
    stops = [int(pos) for name in parts
             for pos in _part(data, name).xpath("//w:tabs/w:tab/@w:pos", namespaces=NS)]
    assert stops and max(stops) == width          # the right stop at the right margin
    assert 9360 not in stops                      # not US Letter's


def test_running_title_from_page_two_and_organisation_and_page_in_every_footer(briefing):
    work, look, data = briefing
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert section.different_first_page_header_footer
    assert section.header.paragraphs[0].text == f"\t{work.document.meta.title}"
    assert section.first_page_header.paragraphs[0].text == ""
    for footer in (section.footer, section.first_page_footer):
        assert footer.paragraphs[0].text.startswith(
            f"{look.brand.organisation} · {look.brand.brand.footer}\t")
        assert "PAGE" in "".join(footer._element.xpath(".//w:instrText/text()"))


def test_the_logo_is_in_the_masthead_with_its_alt_text(briefing):
    _, look, data = briefing
    body = _part(data, "word/document.xml").find("w:body", NS)
    first = body[0]
    assert first.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) == "Masthead"
    (doc_pr,) = first.xpath(".//wp:docPr", namespaces=NS)
    assert doc_pr.get("descr") == look.brand.logo.alt
    (blip,) = first.xpath(".//a:blip", namespaces={"a": A_NS})
    rels = _part(data, "word/_rels/document.xml.rels")
    (image,) = [r.get("Target") for r in rels if r.get("Id") == blip.get(f"{{{R_NS}}}embed")]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.read("word/" + image).startswith(b"\x89PNG")


A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _masthead_paragraph(data: bytes, style_id: str) -> etree._Element:
    (paragraph,) = _part(data, "word/document.xml").xpath(
        f"//w:body/w:p[w:pPr/w:pStyle/@w:val='{style_id}']", namespaces=NS)
    return paragraph


def test_a_un_submissions_mandate_is_set_as_its_page_sets_it(submission):
    """templates/un-submission: the occasion (the mandate) 13 pt bold upright with a UN-blue
    bar at its left, the subtitle 11 pt, a 1.5 pt rule under the brand line, as page.typ."""
    _, look, data = submission
    occasion = _masthead_paragraph(data, "Occasion")
    run = occasion.find("w:r/w:rPr", NS)
    assert run.find("w:sz", NS).get(f"{{{W}}}val") == "26"
    assert run.find("w:b", NS) is not None and run.find("w:i", NS).get(f"{{{W}}}val") == "0"
    bar = occasion.find("w:pPr/w:pBdr/w:left", NS)
    assert bar.get(f"{{{W}}}color") == docx_styles.hex_colour(look.brand.colours.accent)
    assert bar.get(f"{{{W}}}sz") == "24"
    subtitle = _masthead_paragraph(data, "Subtitle").find("w:r/w:rPr/w:sz", NS)
    assert subtitle.get(f"{{{W}}}val") == "22"
    rule = _masthead_paragraph(data, "Masthead").find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(f"{{{W}}}sz") == "12"


def _brand_line(data: bytes) -> list[tuple[str, etree._Element]]:
    """The brand line's runs after the logo: (text, a tab as "\\t"; rPr)."""
    runs = _masthead_paragraph(data, "Masthead").findall("w:r", NS)
    return [("".join("\t" if part.tag == f"{{{W}}}tab" else part.text or ""
                     for part in run.xpath("w:t|w:tab", namespaces=NS)), run.find("w:rPr", NS))
            for run in runs if run.find("w:drawing", NS) is None]


def _position(rpr) -> str | None:
    position = rpr.find("w:position", NS) if rpr is not None else None
    return None if position is None else position.get(f"{{{W}}}val")


def test_the_logo_sits_on_the_margin_and_the_name_a_gutter_from_it(briefing):
    """No distance around the logo (LibreOffice reads none given as 0.32 cm) and the name at
    a tab stop 0.7 em past it, the gutter of the PDFs' grid, not after a space."""
    _, look, data = briefing
    masthead = _masthead_paragraph(data, "Masthead")
    (inline,) = masthead.xpath(".//wp:inline", namespaces=NS)
    assert [inline.get(side) for side in ("distT", "distB", "distL", "distR")] == ["0"] * 4
    (stop,) = masthead.findall("w:pPr/w:tabs/w:tab", NS)
    gap = round((look.brand.logo.width_mm / 25.4 * 72 + 0.7 * docx_styles.MASTHEAD_SIZE) * 20)
    assert (stop.get(f"{{{W}}}val"), int(stop.get(f"{{{W}}}pos"))) == ("left", gap)
    assert [t for t, _ in _brand_line(data)][:2] == ["\t", look.brand.organisation]


def test_a_un_brand_line_is_set_as_its_page_sets_it(submission):
    """templates/un-submission's page.typ: the name 10 pt in the headings colour and the date
    9 pt in the text colour, both level with the logo's foot (their descent on it, as Typst's
    ``align: bottom`` sets them, not raised to its middle)."""
    _, look, data = submission
    (_, name), (date, when) = _brand_line(data)[1:]
    colours = look.brand.brand.colours
    assert name.find("w:sz", NS).get(f"{{{W}}}val") == "20"
    assert name.find("w:color", NS).get(f"{{{W}}}val") == docx_styles.hex_colour(colours.headings)
    assert date.startswith("\t") and when.find("w:sz", NS).get(f"{{{W}}}val") == "18"
    assert when.find("w:color", NS).get(f"{{{W}}}val") == docx_styles.hex_colour(colours.text)
    assert [_position(name), _position(when)] == [
        str(round(docx_writer.DESCENT * size * 2)) for size in (10, 9)]


def test_a_briefings_brand_line_is_level_with_the_logos_middle(briefing):
    """Typst's ``align: horizon``: each line's cap height centred on the logo (half-points)."""
    _, look, data = briefing
    middle = look.brand.logo.width_mm * 72 / 25.4 / 2
    sizes = [docx_styles.MASTHEAD_SIZE, look.brand.brand.sizes.small]       # name, date
    assert [_position(rpr) for _, rpr in _brand_line(data)[1:]] == [
        str(round((middle - docx_writer.CAP_HEIGHT * size / 2) * 2)) for size in sizes]


def _spacing(paragraph: etree._Element) -> dict[str, str]:
    found = paragraph.find("w:pPr/w:spacing", NS)
    return {} if found is None else {k.split("}")[1]: v for k, v in found.attrib.items()}


def test_a_masthead_is_spaced_as_its_page_spaces_it(submission):
    """templates/un-submission/audience.yaml: each line's space above and below and the
    closing rule's distance reach the paragraphs they are set for (twentieths of a point)."""
    _, look, data = submission
    looks, twentieths = look.masthead.looks, lambda points: str(round(points * 20))
    assert _spacing(_masthead_paragraph(data, "Masthead"))["after"] == twentieths(
        looks["organisation"].below)
    occasion = _spacing(_masthead_paragraph(data, "Occasion"))
    assert (occasion["before"], occasion["after"]) == (
        twentieths(looks["occasion"].above), twentieths(looks["occasion"].below))
    assert _spacing(_masthead_paragraph(data, "Subtitle"))["after"] == twentieths(
        looks["subtitle"].below)
    (label,) = _part(data, "word/document.xml").xpath(
        "//w:body/w:p[w:pPr/w:pStyle/@w:val='MastheadLabel']", namespaces=NS)
    assert _spacing(label)["after"] == twentieths(looks["submitted-by"].below)
    rule = _masthead_paragraph(data, "Organisation").find("w:pPr/w:pBdr/w:bottom", NS)
    assert rule.get(f"{{{W}}}space") == str(round(look.masthead.closing_rule_gap))


def test_a_closing_rule_gap_moves_the_date_styles_rule():
    """An audience with the date under its title (templates/uk-evidence) and a closing rule
    at a gap of its own: the Date style's rule, drawn that far below the date."""
    work, look, _ = _built("uk-fac-evidence")
    spec = look.masthead.model_copy(update={"closing_rule": True, "closing_rule_gap": 9})
    data = docx_bytes(work.document, replace(look, masthead=spec))
    rule = _masthead_paragraph(data, "Date").find("w:pPr/w:pBdr/w:bottom", NS)
    assert (rule.get(f"{{{W}}}space"), rule.get(f"{{{W}}}sz")) == ("9", "5")
    assert rule.get(f"{{{W}}}color") == docx_styles.hex_colour(look.brand.colours.accent)


def test_a_wide_logo_puts_the_name_level_with_its_own_middle(briefing, tmp_path):
    """The name is raised to the middle of the logo as tall as its shape makes it at the
    brand's width (a 4:1 logo is a quarter as tall as a square one), and sits 0.7 em past
    its right edge."""
    from PIL import Image

    work, look, _ = briefing
    wide = tmp_path / "wide.png"
    Image.new("RGB", (400, 100), "navy").save(wide)
    logo = replace(look.brand.logo, data=wide.read_bytes(), format="png")
    data = docx_bytes(work.document, replace(look, brand=replace(look.brand, logo=logo)))
    height = logo.width_mm / 4 * 72 / 25.4
    (_, name), _ = _brand_line(data)[1:]
    expected = height / 2 - docx_writer.CAP_HEIGHT * docx_styles.MASTHEAD_SIZE / 2
    assert _position(name) == str(round(expected * 2))
    (stop,) = _masthead_paragraph(data, "Masthead").findall("w:pPr/w:tabs/w:tab", NS)
    gap = logo.width_mm / 25.4 * 72 + 0.7 * docx_styles.MASTHEAD_SIZE
    assert int(stop.get(f"{{{W}}}pos")) == round(gap * 20)


def test_a_list_under_a_heading_keeps_the_pdfs_block_gap(briefing):
    """The PDFs part a heading from a list, or a list's lead-in, by the block's own space
    above (a paragraph's gap with the line's leading), more than the heading's space below
    that parts it from a paragraph: the DOCX heading over either has the larger space after,
    the one over a paragraph its style's."""
    _, look, data = briefing
    body = _part(data, "word/document.xml").find("w:body", NS)
    b = look.brand.brand
    gap = (b.leading.body - 1) * b.sizes.body + b.spacing.paragraph
    seen = set()
    for heading in body.xpath("w:p[starts-with(w:pPr/w:pStyle/@w:val, 'Heading')]",
                              namespaces=NS):
        under = heading.getnext()
        following = under.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS)
        lead_in = under.find("w:pPr/w:keepNext", NS) is not None       # a list follows it
        after = _spacing(heading).get("after")
        if following == "ListBullet" or lead_in:
            assert after == str(round(round(docx_styles.space_after_heading(gap), 1) * 20))
        elif following in ("BodyText", "NumberedParagraph"):
            assert after is None
        seen.add(following)
    assert {"ListBullet", "BodyText"} <= seen


def test_written_evidence_has_no_rules_in_its_masthead():
    """templates/uk-evidence: no rule under the brand line nor under the date, and the
    subtitle and occasion 11 pt upright, as the committee publishes evidence (page.typ)."""
    _, _, data = _built("uk-fac-evidence")
    for style_id in ("Masthead", "Date"):
        line = _masthead_paragraph(data, style_id).find("w:pPr/w:pBdr/w:bottom", NS)
        assert line.get(f"{{{W}}}val") == "nil"
    occasion = _masthead_paragraph(data, "Occasion").find("w:r/w:rPr", NS)
    assert occasion.find("w:i", NS).get(f"{{{W}}}val") == "0"


def test_a_briefing_keeps_its_styles_own_masthead(briefing):
    """An audience without looks (templates/uk-briefing): the named styles alone."""
    _, _, data = briefing
    assert _masthead_paragraph(data, "Masthead").find("w:pPr/w:pBdr", NS) is None
    for style_id in ("Occasion", "Subtitle"):
        paragraph = _masthead_paragraph(data, style_id)
        assert paragraph.find("w:pPr/w:pBdr/w:left", NS) is None
        assert paragraph.find("w:r/w:rPr/w:sz", NS) is None


def test_a_figure_caption_is_numbered_by_a_word_field(briefing):
    """The chart's caption reads "Figure 1: ..." as in the PDFs, its number a SEQ field, so
    Word renumbers figures and lists them in a table of figures."""
    _, _, data = briefing
    (caption,) = _part(data, "word/document.xml").xpath(
        "//w:body/w:p[w:pPr/w:pStyle/@w:val='Caption']", namespaces=NS)
    assert "".join(caption.xpath(".//w:instrText/text()", namespaces=NS)).split() == [
        "SEQ", "Figure", "\\*", "ARABIC"]
    assert text(caption).startswith("Figure 1: How do you think")


def test_quotes_are_roman_as_in_the_pdfs(briefing):
    _, _, data = briefing
    italic = _style(data, "Quote").find("w:rPr/w:i", NS)
    assert italic is None or italic.get(f"{{{W}}}val") in ("0", "false")


def test_the_contact_block_ends_the_brief_with_links(briefing):
    _, look, data = briefing
    document = docx.Document(io.BytesIO(data))
    contact = look.brand.brand.contact
    tail = [(p.style.name, visible(p.text)) for p in document.paragraphs][-3:]
    assert tail == [
        ("Contact Heading", f"For more information, contact {contact.name}, "
                            f"{look.brand.organisation}"),
        ("Contact", f"{contact.email}  ·  {contact.phone}  ·  {contact.web}"),
        ("Contact", f"{', '.join(contact.address)}  ·  {look.brand.brand.registration}")]
    rels = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert {f"mailto:{contact.email}", contact.web} <= rels


def test_links_are_coloured_as_in_the_pdfs(briefing):
    _, look, data = briefing
    colour = _style(data, "Hyperlink").find("w:rPr/w:color", NS).get(f"{{{W}}}val")
    assert colour == look.brand.brand.colours.link.lstrip("#").upper()


def test_headings_and_lead_ins_keep_with_the_next_paragraph(submission):
    _, _, data = submission
    for level in (1, 2):
        assert _style(data, f"Heading{level}").find("w:pPr/w:keepNext", NS) is not None
    body = _part(data, "word/document.xml").find("w:body", NS)
    paragraphs = body.findall("w:p", NS)
    lead_ins = [p for p, after in zip(paragraphs, paragraphs[1:])
                if after.find("w:pPr/w:numPr", NS) is not None
                and after.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS).startswith("List")
                and not p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS).startswith(
                    ("Heading", "List"))]
    assert lead_ins
    assert [text(p) for p in lead_ins if p.find("w:pPr/w:keepNext", NS) is None] == []


def test_libreoffice_lays_it_out_in_the_pdfs_fonts(briefing, tmp_path):
    """pdffonts: the fonts of the DOCX as LibreOffice prints it are the Typst PDF's."""
    need("soffice")
    need("pdffonts")
    work, look, data = briefing
    from briefgen.writers import typst_pdf

    source = tmp_path / "brief.docx"
    source.write_bytes(data)
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    typst = tmp_path / "typst.pdf"
    typst.write_bytes(typst_pdf.compile_pdf(work.document, look)[0])

    def families(pdf: Path) -> set[str]:
        out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
        names = [line.split()[0].split("+")[-1] for line in out.splitlines()[2:]]
        return {name.split("-")[0] for name in names}

    assert families(tmp_path / "brief.pdf") == families(typst)


def test_docx_pages_are_counted_with_libreoffice(briefing):
    need("soffice")
    _, _, data = briefing
    assert docx_pages.count_pages(data) >= 2


def test_without_libreoffice_the_count_is_not_made(briefing, monkeypatch):
    monkeypatch.setattr(docx_pages.shutil, "which", lambda name: None)
    assert docx_pages.count_pages(briefing[2]) is None
