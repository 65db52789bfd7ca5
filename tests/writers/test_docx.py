"""The DOCX writer: real Word footnotes, Word styles and numbering, reproducible bytes.

Documents are built by hand from ``briefgen.model``. Golden files hold the unzipped
``word/document.xml`` and ``word/footnotes.xml`` of ``sample_document()``, compared as
canonical XML. After a deliberate change, regenerate them and review the diff:

    BRIEFGEN_REGEN_GOLDEN=1 .venv/bin/pytest tests/writers      (or: make golden)

Pandoc, LibreOffice and poppler read the output back where they are installed (``clients``).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Pt
from lxml import etree

from briefgen import model
from briefgen.errors import UsageError
from briefgen.model import (BlockQuote, BulletList, Code, Emph, Heading, LineBreak, Link, Meta,
                            Note, NoteRef, OrderedList, Paragraph, Strong, Table, Text,
                            ThematicBreak)
from briefgen.writers.docx import docx_bytes, xml_text
from briefgen.writers.epoch import resolve_epoch
from regen import regenerate
from clients import libreoffice_pdf, need, notes, ooxml_order_problems, pandoc_json

GOLDEN = Path(__file__).parent / "golden"
EPOCH = 1700000000                      # 2023-11-14T22:13:20Z
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = {"w": W, "r": R}
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
SPECIALS = "{{ 7*7 }} <script>alert(1)</script> * # & R&D"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


# --- documents -------------------------------------------------------------------------------

def sample_document() -> model.Document:
    """Every node type once, three notes: one with an Emph title, one with a Link."""
    blocks = (
        Heading(1, (Text("Summary"),)),
        Paragraph((Text("Body with "), Emph((Text("emphasis"),)), Text(", "),
                   Strong((Text("strong"),)), Text(", "), Code("code()"), Text(" and a "),
                   Link("https://example.org/a?b=1&c=2", (Text("link"),)), Text("."),
                   NoteRef(1), LineBreak(), Text("Hangul: 성분 관리소."))),
        Paragraph((Text("First numbered paragraph."), NoteRef(2)), numbered=True),
        Paragraph((Text("Second numbered paragraph."),), numbered=True),
        Heading(2, (Text("Lists"),)),
        BulletList(((Paragraph((Text("bullet a"),)),),
                    (Paragraph((Text("bullet b"),)),
                     BulletList(((Paragraph((Text("nested bullet"),)),),))))),
        OrderedList(((Paragraph((Text("third"),)),),
                     (Paragraph((Text("fourth"),)), Paragraph((Text("more of fourth"),)))),
                    start=3),
        Heading(3, (Text("Quote and table"),)),
        BlockQuote((Paragraph((Text("A quoted sentence."), NoteRef(3))),)),
        Table(((Text("Year"),), (Text("Cases"),)),
              (((Text("2019"),), (Text("12"),)), ((Text("2020"),), (Emph((Text("n/a"),)),))),
              ("left", "right")),
        ThematicBreak(),
        Paragraph((Text("Third numbered paragraph."),), numbered=True),
    )
    note_texts = (
        Note(1, (Paragraph((Text("Commission of Inquiry, "),
                            Emph((Text("Report of the detailed findings"),)),
                            Text(", para 80."))),)),
        Note(2, (Paragraph((Text("See "), Link("https://www.ohchr.org/", (Text("OHCHR"),)),
                            Text("."))),)),
        Note(3, (Paragraph((Text("Ibid."),)),)),
    )
    meta = Meta(title="Human rights in the DPRK", subtitle="Briefing for parliamentarians",
                authors=("A. Researcher", "B. Writer"), organisations=("Org A", "Org B"),
                date="2024-03-01", date_text="1 March 2024", occasion="Westminster Hall debate")
    return model.Document(meta, blocks, note_texts)


# The notes of the long document, as the writer gets them and as a reader must find them.
LONG_NOTES = [f"Source {n}, report on detention, p. {10 * n}." for n in range(1, 16)]
LONG_NOTES[2] = "Template-looking text {{ 7*7 }} stays as typed."
LONG_NOTES[4] = "Markup <script>alert(1)</script> & R&D stays as typed."
LONG_NOTES[6] = "성분 (songbun) and 관리소 (kwalliso), in Korean."
LONG_NOTES[8] = "* not a bullet and # not a heading."
LONG_NOTES[10] = "Ibid."
FILLER = ("The Commission found that detention, forced labour and denial of information "
          "persist across the country, and that those returned from abroad face punishment. ")


def long_document() -> model.Document:
    """Fifteen sections of filler, one note each: notes fall on two or more pages."""
    blocks: list[model.Block] = []
    for n in range(1, 16):
        blocks.append(Heading(2, (Text(f"Section {n}"),)))
        text = f"Start{n:02d} {FILLER * 2}End{n:02d}"
        blocks.append(Paragraph((Text(text), NoteRef(n))))
    note_list = tuple(Note(n, (Paragraph((Text(t),)),)) for n, t in enumerate(LONG_NOTES, 1))
    return model.Document(Meta(title="Long brief 관리소", date="2024-03-01"), tuple(blocks),
                          note_list)


def make_reference(path: Path, numbering: bool = True) -> Path:
    """An organisation's reference document: its own Normal font, header and body text."""
    ref = docx.Document()
    ref.styles["Normal"].font.name = "DejaVu Sans"
    ref.styles["Normal"].font.size = Pt(12)
    ref.sections[0].header.paragraphs[0].text = "ACME Rights Watch"
    ref.add_paragraph("Reference body to be removed")
    if not numbering:
        rels = ref.part.rels
        del rels[next(r for r, rel in rels.items() if rel.reltype == RT.NUMBERING)]
    ref.save(str(path))
    return path


# --- helpers ---------------------------------------------------------------------------------

def write(folder: Path, doc: model.Document, name: str = "out.docx", **kwargs) -> Path:
    out = folder / name
    out.write_bytes(docx_bytes(doc, epoch=kwargs.pop("epoch", EPOCH), **kwargs))
    return out


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def root(path: Path, name: str) -> etree._Element:
    return etree.fromstring(read(path, name))


def canonical(data: bytes) -> bytes:
    parsed = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(parsed, method="c14n")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("sample"), sample_document())


@pytest.fixture(scope="module")
def reference(tmp_path_factory) -> Path:
    return make_reference(tmp_path_factory.mktemp("ref") / "reference.docx")


@pytest.fixture(scope="module")
def long_docx(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("long"), long_document(), "long.docx")


# --- golden files ----------------------------------------------------------------------------

@pytest.mark.parametrize("part", ["word/document.xml", "word/footnotes.xml"])
def test_part_matches_golden(sample, part):
    golden = GOLDEN / Path(part).name
    actual = read(sample, part)
    parsed = etree.fromstring(actual, etree.XMLParser(remove_blank_text=True))
    regenerate(golden, etree.tostring(parsed, pretty_print=True, encoding="UTF-8",
                                      xml_declaration=True))
    assert canonical(actual) == canonical(golden.read_bytes())


# --- reproducible ----------------------------------------------------------------------------

@pytest.mark.parametrize("with_reference", [False, True])
def test_two_writes_are_byte_identical(tmp_path, reference, with_reference):
    ref = reference if with_reference else None
    first = write(tmp_path, sample_document(), "a.docx", reference_docx=ref)
    second = write(tmp_path, sample_document(), "b.docx", reference_docx=ref)
    assert first.read_bytes() == second.read_bytes()


def test_dates_come_from_the_epoch(sample):
    with zipfile.ZipFile(sample) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    core = read(sample, "docProps/core.xml").decode()
    for tag in ("dcterms:created", "dcterms:modified", "cp:lastPrinted"):
        assert re.search(f"<{tag}[^>]*>2023-11-14T22:13:20Z</{tag}>", core)
    assert "<cp:revision>1</cp:revision>" in core


def test_epoch_is_argument_then_environment_then_brief_date(monkeypatch):
    meta = Meta(title="t", date="2024-03-01")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert resolve_epoch(None, meta).isoformat() == "2024-03-01T00:00:00+00:00"
    assert resolve_epoch(None, Meta(title="t")).isoformat() == "2000-01-01T00:00:00+00:00"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    assert resolve_epoch(None, meta).isoformat() == "2020-09-13T12:26:40+00:00"
    assert resolve_epoch(EPOCH, meta).isoformat() == "2023-11-14T22:13:20+00:00"


def test_a_malformed_source_date_epoch_is_named(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError) as caught:
        resolve_epoch(None, Meta(title="t"))
    assert str(caught.value) == ("SOURCE_DATE_EPOCH is not a whole number of seconds; "
                                 "expected an integer such as 1700000000, got 'yesterday'")


# --- footnotes -------------------------------------------------------------------------------

@pytest.mark.parametrize("with_reference", [False, True])
def test_every_element_python_docx_models_is_in_schema_order(tmp_path, reference,
                                                              with_reference):
    """Every node type (tables, quotes, code, lists, notes), with the default styles and
    with an organisation's reference document (test_docx_design checks the bundled briefs)."""
    kwargs = {"reference_docx": reference} if with_reference else {}
    path = write(tmp_path, sample_document(), **kwargs)
    assert ooxml_order_problems(path.read_bytes()) == []


def test_footnotes_part_has_the_specials_then_one_note_per_number(sample):
    notes_root = root(sample, "word/footnotes.xml")
    found = [(n.get(w("id")), n.get(w("type"))) for n in notes_root.iterfind("w:footnote", NS)]
    assert found == [("-1", "separator"), ("0", "continuationSeparator"),
                     ("1", None), ("2", None), ("3", None)]
    for note in notes_root.xpath("w:footnote[not(@w:type)]", namespaces=NS):
        first_run = note.find("w:p/w:r", NS)
        assert first_run.find("w:footnoteRef", NS) is not None
        assert first_run.find("w:rPr/w:rStyle", NS).get(w("val")) == "FootnoteReference"
        assert note.find("w:p/w:pPr/w:pStyle", NS).get(w("val")) == "FootnoteText"


def test_one_styled_footnote_reference_per_noteref_in_order(sample):
    refs = root(sample, "word/document.xml").xpath("//w:footnoteReference", namespaces=NS)
    assert [ref.get(w("id")) for ref in refs] == ["1", "2", "3"]
    styles = {ref.getparent().find("w:rPr/w:rStyle", NS).get(w("val")) for ref in refs}
    assert styles == {"FootnoteReference"}


def test_footnotes_part_is_related_and_typed(sample):
    rels = root(sample, "word/_rels/document.xml.rels")
    targets = [rel.get("Target") for rel in rels if rel.get("Type") == RT.FOOTNOTES]
    assert targets == ["footnotes.xml"]
    types = root(sample, "[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types
                 if o.tag.endswith("Override")}
    assert overrides["/word/footnotes.xml"] == FOOTNOTES_CT
    settings = root(sample, "word/settings.xml")
    assert settings.xpath("w:footnotePr/w:footnote/@w:id", namespaces=NS) == ["-1", "0"]


def test_footnote_styles_exist(sample):
    styles = root(sample, "word/styles.xml")
    text = styles.xpath("w:style[@w:styleId='FootnoteText']", namespaces=NS)[0]
    ref = styles.xpath("w:style[@w:styleId='FootnoteReference']", namespaces=NS)[0]
    assert (text.get(w("type")), text.find("w:name", NS).get(w("val"))) == \
        ("paragraph", "footnote text")
    assert (ref.get(w("type")), ref.find("w:name", NS).get(w("val"))) == \
        ("character", "footnote reference")
    # The call in the text is raised, the note's own number is not, as both PDFs set them:
    # the style leaves the number on the baseline and each call is superscript itself.
    assert ref.find("w:rPr/w:vertAlign", NS) is None
    body = root(sample, "word/document.xml")
    calls = body.xpath("//w:r[w:footnoteReference]", namespaces=NS)
    assert calls and all(c.find("w:rPr/w:vertAlign", NS).get(w("val")) == "superscript"
                         for c in calls)
    numbers = root(sample, "word/footnotes.xml").xpath("//w:r[w:footnoteRef]", namespaces=NS)
    assert numbers and all(n.find("w:rPr/w:vertAlign", NS) is None for n in numbers)


def test_links_are_hyperlinks_to_external_relationships(sample):
    for part, rels_name, url in [
        ("word/document.xml", "word/_rels/document.xml.rels", "https://example.org/a?b=1&c=2"),
        ("word/footnotes.xml", "word/_rels/footnotes.xml.rels", "https://www.ohchr.org/"),
    ]:
        (r_id,) = root(sample, part).xpath("//w:hyperlink/@r:id", namespaces=NS)
        rel = {rel.get("Id"): rel for rel in root(sample, rels_name)}[r_id]
        assert (rel.get("Target"), rel.get("TargetMode")) == (url, "External")


# --- styles, numbering, page -----------------------------------------------------------------

def test_elements_get_word_styles(sample):
    styled = [(p.style.name, p.text) for p in docx.Document(str(sample)).paragraphs]
    expected = [("Masthead", "Org A"), ("Title", "Human rights in the DPRK"),
                ("Subtitle", "Briefing for parliamentarians"),
                ("Occasion", "Westminster Hall debate"), ("Organisation", "Org A, Org B"),
                ("Date", "1 March 2024"), ("Heading 1", "Summary"), ("Heading 2", "Lists"),
                ("List Bullet", "bullet a"), ("List Number", "third"),
                ("Heading 3", "Quote and table"), ("Quote", "A quoted sentence.")]
    assert styled[:6] == expected[:6]
    for pair in expected:
        assert pair in styled
    assert styled[7][0] == "Body Text" and styled[7][1].startswith("Body with emphasis")
    assert ("Numbered Paragraph", "First numbered paragraph.") in styled
    table = docx.Document(str(sample)).tables[0]
    assert table.style.name == "Briefing Table"
    assert table.rows[0]._tr.find("w:trPr/w:tblHeader", NS) is not None


def _numbering(path: Path) -> tuple[etree._Element, etree._Element]:
    return root(path, "word/document.xml"), root(path, "word/numbering.xml")


def _num_ids(body: etree._Element, text: str) -> list[str]:
    xpath = f"//w:p[contains(string(.), '{text}')]/w:pPr/w:numPr/w:numId/@w:val"
    return body.xpath(xpath, namespaces=NS)


def test_numbered_paragraphs_share_one_word_list_through_the_document(sample):
    body, numbering = _numbering(sample)
    ids = [_num_ids(body, f"{n} numbered paragraph")[0] for n in ("First", "Second", "Third")]
    assert len(set(ids)) == 1
    abstract = numbering.xpath(f"w:num[@w:numId='{ids[0]}']/w:abstractNumId/@w:val",
                               namespaces=NS)[0]
    level = numbering.xpath(f"w:abstractNum[@w:abstractNumId='{abstract}']/w:lvl",
                            namespaces=NS)[0]
    assert level.find("w:numFmt", NS).get(w("val")) == "decimal"
    assert level.find("w:lvlText", NS).get(w("val")) == "%1."


def test_ordered_list_restarts_at_its_start(sample):
    body, numbering = _numbering(sample)
    (num_id,) = set(_num_ids(body, "third") + _num_ids(body, "fourth"))
    start = numbering.xpath(f"w:num[@w:numId='{num_id}']/w:lvlOverride/w:startOverride/@w:val",
                            namespaces=NS)
    assert start == ["3"]
    assert _num_ids(body, "more of fourth") == []


def test_a4_page_margins_and_a_page_number_on_every_page(sample):
    result = docx.Document(str(sample))
    section = result.sections[0]
    assert (section.page_width.mm, section.page_height.mm) == pytest.approx((210, 297), abs=0.1)
    assert section.left_margin.cm == pytest.approx(2.5, abs=0.01)    # the default brand's
    assert section.different_first_page_header_footer
    for footer in (section.footer, section.first_page_footer):
        assert "PAGE" in "".join(footer._element.xpath(".//w:instrText/text()"))


def test_core_properties_and_language(sample):
    props = docx.Document(str(sample)).core_properties
    assert (props.title, props.author, props.language) == \
        ("Human rights in the DPRK", "A. Researcher; B. Writer", "en-GB")
    defaults = root(sample, "word/styles.xml").find("w:docDefaults/w:rPrDefault/w:rPr", NS)
    assert defaults.find("w:lang", NS).get(w("val")) == "en-GB"
    assert defaults.find("w:lang", NS).get(w("eastAsia")) == "ko-KR"
    assert defaults.find("w:rFonts", NS).get(w("eastAsia")) == "Noto Serif CJK KR"


def test_runs_with_hangul_name_the_east_asian_font(sample):
    body = root(sample, "word/document.xml")
    (run,) = body.xpath("//w:r[contains(w:t, '성분')]", namespaces=NS)
    fonts = run.find("w:rPr/w:rFonts", NS)
    assert (fonts.get(w("eastAsia")), fonts.get(w("hint"))) == ("Noto Serif CJK KR", "eastAsia")


# --- escaping --------------------------------------------------------------------------------

def test_xml_text_drops_what_xml_cannot_hold_and_keeps_the_rest():
    assert xml_text(SPECIALS) == SPECIALS
    assert xml_text("a\x0bb\x00c\ud800d\ufffee") == "abcde"
    assert xml_text("line\r\nbreak\nand\rmore\ttab") == "line break and more\ttab"


def _run_text(element: etree._Element) -> str:
    """Text as Word shows it: ``w:t`` as is, ``w:tab`` as a tab."""
    parts = element.xpath(".//w:t | .//w:tab", namespaces=NS)
    return "".join("\t" if part.tag == w("tab") else part.text for part in parts)


def test_specials_come_out_as_literal_text(tmp_path):
    text = SPECIALS + " vertical\x0btab, line\nbreak and\ttab"
    expected = SPECIALS + " verticaltab, line break and\ttab"
    doc = model.Document(Meta(title="<Title> & {{ x }}"), (Paragraph((Text(text), NoteRef(1))),),
                         (Note(1, (Paragraph((Text(text),)),)),))
    out = write(tmp_path, doc)
    assert [p.text for p in docx.Document(str(out)).paragraphs] == \
        ["<Title> & {{ x }}", expected]
    (note,) = root(out, "word/footnotes.xml").xpath("w:footnote[@w:id='1']", namespaces=NS)
    assert _run_text(note) == "\t" + expected


def test_a_document_before_the_cite_pass_is_refused(tmp_path):
    cite = model.Cite((model.CiteItem("coi-2014"),), "[@coi-2014]")
    doc = model.Document(Meta(title="t"), (Paragraph((cite,)),))
    with pytest.raises(TypeError, match="after the cite pass.*got Cite"):
        write(tmp_path, doc)


def test_a_note_reference_without_its_note_is_refused(tmp_path):
    doc = model.Document(Meta(title="t"), (Paragraph((Text("x"), NoteRef(2))),),
                         (Note(1, (Paragraph((Text("one"),)),)),))
    with pytest.raises(ValueError, match=r"NoteRef\(2\) has no Note"):
        write(tmp_path, doc)


# --- reference document ----------------------------------------------------------------------

def test_reference_supplies_styles_page_and_header(tmp_path, reference):
    out = write(tmp_path, sample_document(), reference_docx=reference)
    result = docx.Document(str(out))
    assert result.styles["Normal"].font.name == "DejaVu Sans"
    assert result.sections[0].header.paragraphs[0].text == "ACME Rights Watch"
    assert result.sections[0].page_width.inches == pytest.approx(8.5)   # the reference's Letter
    texts = [p.text for p in result.paragraphs]
    assert "Reference body to be removed" not in texts
    assert texts[:2] == ["Org A", "Human rights in the DPRK"]
    assert result.styles["footnote text"].style_id == "FootnoteText"
    assert len(root(out, "word/footnotes.xml").xpath("w:footnote", namespaces=NS)) == 5


def test_reference_without_numbering_gets_numbering(tmp_path):
    ref = make_reference(tmp_path / "plain.docx", numbering=False)
    out = write(tmp_path, sample_document(), reference_docx=ref)
    body, numbering = _numbering(out)
    (num_id,) = set(_num_ids(body, "third"))
    assert numbering.xpath(f"w:num[@w:numId='{num_id}']", namespaces=NS)


def test_pandoc_reference_keeps_its_footnote_styles_without_duplicates(tmp_path):
    """Pandoc's reference.docx names styles "Footnote Text" and already has footnotes.xml."""
    ref = tmp_path / "pandoc-reference.docx"
    subprocess.run([need("pandoc"), "-o", str(ref), "--print-default-data-file",
                    "reference.docx"], check=True)
    out = write(tmp_path, sample_document(), reference_docx=ref)
    ids = root(out, "word/styles.xml").xpath("w:style/@w:styleId", namespaces=NS)
    assert len(ids) == len(set(ids))
    assert notes(pandoc_json(out))[0] == \
        "Commission of Inquiry, Report of the detailed findings, para 80."


# --- real clients ----------------------------------------------------------------------------

def test_pandoc_finds_every_note_with_its_text_in_order(long_docx):
    found = notes(pandoc_json(long_docx))
    assert found == LONG_NOTES


@pytest.fixture(scope="module")
def long_pdf(long_docx, tmp_path_factory) -> Path:
    return libreoffice_pdf(long_docx, tmp_path_factory.mktemp("pdf"))


def layout_pages(pdf: Path) -> list[str]:
    """Each page's text as ``pdftotext -layout`` places it, whitespace runs made one space.

    Layout mode keeps the footnote number on its line above the note's text, where the
    reading-order mode may move it.
    """
    out = subprocess.run([need("pdftotext"), "-layout", "-enc", "UTF-8", str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return [" ".join(page.split()) for page in out.split("\f")[:-1]]


def test_libreoffice_puts_each_note_at_the_foot_of_its_page(long_pdf):
    """Each note is on the page of its reference, after that page's body text, numbered."""
    pages = layout_pages(long_pdf)
    page_of = {n: next(i for i, page in enumerate(pages) if f"End{n:02d}" in page)
               for n in range(1, 16)}
    assert len(set(page_of.values())) >= 2
    for n, text in enumerate(LONG_NOTES, 1):
        page = pages[page_of[n]]
        # the superscript number just after the text (poppler may set it off by a space)
        assert re.search(rf"End{n:02d} ?{n}\b", page), (n, page)
        body_ends = max(page.rfind(f"{marker}{m:02d}") for m in range(1, 16)
                        for marker in ("Start", "End"))
        assert page.find(f"{n} {text}", body_ends) > body_ends, (n, page)


def test_libreoffice_pdf_is_a4_with_hangul(long_pdf):
    info = subprocess.run([need("pdfinfo"), str(long_pdf)], check=True, capture_output=True,
                          text=True).stdout
    assert re.search(r"Page size:\s+595(\.\d+)? x 841\.89 pts \(A4\)", info)
    text = "".join(layout_pages(long_pdf))
    assert "관리소" in text and "성분" in text


# --- URLs break only after a slash -----------------------------------------------------------

HYPHENATED_URL = ("https://www.example.org/world-report/2019/country-chapters/north-korea/"
                  "special-topics-in-the-report/freedom-of-religion-or-belief-and-detention/"
                  "a-hyphenated-page-name.html")


def test_a_shown_url_has_no_breakable_hyphen_and_its_link_is_exact(tmp_path):
    doc = model.Document(Meta(title="URLs"), (Paragraph((Link(HYPHENATED_URL,
                                                              (Text(HYPHENATED_URL),)),)),))
    path = write(tmp_path, doc)
    (link,) = root(path, "word/document.xml").xpath("//w:hyperlink", namespaces=NS)
    shown = "".join(link.itertext())
    assert "-" not in shown and shown.count("\u2011") == HYPHENATED_URL.count("-")
    assert shown.replace("\u2011", "-").replace("\u200b", "") == HYPHENATED_URL
    rels = {rel.get("Id"): rel.get("Target")
            for rel in root(path, "word/_rels/document.xml.rels")}
    assert rels[link.get(f"{{{R}}}id")] == HYPHENATED_URL


def test_libreoffice_breaks_a_url_only_after_a_slash(tmp_path):
    """Three times over, a URL too long for a line: LibreOffice breaks it after a slash,
    never after one of its hyphens (as it would in prose), also before "2019"."""
    inlines = []
    for n in range(3):
        inlines += [Text(f"Line {n} and its link "), Link(HYPHENATED_URL, (Text(HYPHENATED_URL),)),
                    Text(" here.")]
    doc = model.Document(Meta(title="URLs"), (Paragraph(tuple(inlines)),))
    pdf = libreoffice_pdf(write(tmp_path, doc), tmp_path)
    text = subprocess.run([need("pdftotext"), "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    # each line that ends inside the URL (its last word is a piece of it, not its end)
    ends = [line.split()[-1] for line in lines
            if re.search(r"[/-]", line.split()[-1]) and not line.endswith(".html")]
    assert len(ends) >= 3
    assert all(end.endswith("/") for end in ends), ends


def test_the_package_is_python_docxs_own_save_dated():
    """``package_zip`` writes the parts as python-docx's save does, compressing once: the same
    bytes as that save with each entry dated afterwards (what the writer did before)."""
    import io
    from datetime import datetime, timezone

    from briefgen.writers.docx import package_zip

    document = docx.Document()
    document.add_paragraph("A finding, with its {{ braces }} and <b>tags</b>.")
    document.add_picture(io.BytesIO(_png()))
    when = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    saved = io.BytesIO()
    document.save(saved)
    dated = io.BytesIO()
    with zipfile.ZipFile(saved) as src, zipfile.ZipFile(dated, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = entry.external_attr = 0
            dst.writestr(entry, src.read(info.filename))
    assert package_zip(document, when) == dated.getvalue()


def _png() -> bytes:
    """A 1x1 PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff")) + chunk(b"IEND", b""))
