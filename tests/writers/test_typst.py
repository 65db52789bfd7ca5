"""The Typst PDF writer: the model goes over as JSON, comes out as a tagged, reproducible PDF.

The golden file holds the JSON the Typst page receives for ``sample_document()``; regenerate
after a deliberate change with ``make golden`` and review the diff. The PDFs are read back
with poppler's ``pdftotext`` and with pikepdf, as a reader's tools would.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pikepdf
import pytest

from briefgen import model
from briefgen.brief import FontStacks
from briefgen.errors import WriteError
from briefgen.model import Heading, Meta, Note, NoteRef, Paragraph, Text
from briefgen.writers import typst_pdf
from regen import regenerate
from writers.contract import write_file
from briefgen.writers.look import DEFAULT_LOOK, Look
from clients import need, pdf_info_pages, pdf_text, squash
from writers.test_docx import EPOCH, LONG_NOTES, long_document, sample_document

GOLDEN = Path(__file__).parent / "golden"
HOSTILE = "{{ 7*7 }} #set text(red) *bold?* $x$ <script>alert(1)</script> @label \\ `raw` ]["


def look(folder: Path = DEFAULT_LOOK, numbered: bool = False) -> Look:
    return Look(folder, FontStacks(), numbered)


def write_pdf(doc, out: Path, look: Look, *, epoch: int = EPOCH):
    return write_file(out, doc, look, "pdf/typst", epoch=epoch)


def test_document_data_matches_golden():
    data = typst_pdf.document_data(sample_document(), look())
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    golden = GOLDEN / "typst-data.json"
    regenerate(golden, text)
    assert text == golden.read_text(encoding="utf-8")


def test_numbered_paragraphs_are_numbered_in_reading_order():
    data = typst_pdf.document_data(sample_document(), look())
    numbers = [b.get("number") for b in data["blocks"] if b.get("numbered")]
    assert numbers == [1, 2, 3]


def test_headings_close_gaps_below_the_title():
    written = [3, 1, 3, 4, 2, 5]
    doc = model.Document(Meta(title="T"), tuple(Heading(n, (Text("h"),)) for n in written))
    levels = [b["level"] for b in typst_pdf.document_data(doc, look())["blocks"]]
    assert levels == [2, 2, 3, 4, 3, 4]


def test_a_note_referenced_twice_is_printed_once():
    doc = model.Document(Meta(title="T"), (Paragraph((Text("a"), NoteRef(1), Text("b"),
                                                      NoteRef(1))),),
                         (Note(1, (Paragraph((Text("The only note."),)),)),))
    pdf, _ = typst_pdf.compile_pdf(doc, look(), epoch=EPOCH)
    body, notes = pdf_text(_save(pdf))
    assert notes == [(1, "The only note.")]
    assert "a1b1" in squash(body)


def test_typst_text_drops_what_no_pdf_holds_and_keeps_markup_characters():
    assert typst_pdf.typst_text("a\x0bb\x00c\r\nd #x {{y}}") == "abc d #x {{y}}"


@pytest.fixture(scope="module")
def long_pdf(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("typst") / "long.pdf"
    assert write_pdf(long_document(), out, look(), epoch=EPOCH).warnings == []
    return out


def test_notes_are_footnotes_at_the_foot_of_their_pages(long_pdf):
    body, notes = pdf_text(long_pdf)
    assert [n for n, _ in notes] == list(range(1, 16))
    assert [squash(t) for _, t in notes] == [squash(t) for t in LONG_NOTES]
    assert "성분" in notes[6][1] and "{{ 7*7 }}" in notes[2][1]
    # each call sits where the text referred to it, just after the section's last word
    for n in range(1, 16):
        assert f"End{n:02d}{n}" in squash(body)


def test_pdf_is_tagged_with_title_and_language(long_pdf):
    with pikepdf.open(long_pdf) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en-GB"
        assert str(pdf.docinfo.Title) == "Long brief 관리소"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"


def test_the_same_document_gives_the_same_bytes(long_pdf):
    again, _ = typst_pdf.compile_pdf(long_document(), look(), epoch=EPOCH)
    assert again == long_pdf.read_bytes()
    later, _ = typst_pdf.compile_pdf(long_document(), look(), epoch=EPOCH + 86400)
    assert later != again      # the timestamp is the PDF's date, not the clock's


def test_data_is_shown_as_text_never_run_as_typst(tmp_path):
    doc = model.Document(Meta(title=HOSTILE),
                         (Paragraph((Text(HOSTILE), NoteRef(1))),),
                         (Note(1, (Paragraph((Text(HOSTILE),)),)),))
    out = tmp_path / "hostile.pdf"
    write_pdf(doc, out, look(), epoch=EPOCH)
    body, notes = pdf_text(out)
    assert squash(HOSTILE) + "1" in squash(body)
    assert notes == [(1, " ".join(HOSTILE.split()))]
    with pikepdf.open(out) as pdf:
        assert str(pdf.docinfo.Title) == HOSTILE


def test_a_page_importing_a_remote_package_is_refused_before_compiling(tmp_path):
    page = tmp_path / "page.typ"
    page.write_text('#let x = 1\n#import "@preview/cetz:0.3.0": canvas\n', encoding="utf-8")
    with pytest.raises(WriteError) as caught:
        typst_pdf.compile_pdf(sample_document(), look(tmp_path), epoch=EPOCH)
    [problem] = caught.value.problems
    assert str(problem).endswith(
        'page.typ:2:9: error: package "@preview/cetz:0.3.0" would be downloaded; expected '
        'briefgen\'s own "@local/briefgen:0.1.0" (briefgen never reaches the network), got a '
        'remote package')


def test_a_broken_page_is_one_located_line(tmp_path):
    page = tmp_path / "page.typ"
    page.write_text('#import "@local/briefgen:0.1.0": load\n#let doc = load()\n#doc.nothing\n',
                    encoding="utf-8")
    with pytest.raises(WriteError) as caught:
        typst_pdf.compile_pdf(sample_document(), look(tmp_path), epoch=EPOCH)
    [problem] = caught.value.problems
    message = str(problem)
    assert "\n" not in message
    assert message.startswith(f"{tmp_path / 'page.typ'}:3:5: error: Typst could not lay out "
                              f"the document; expected a page that compiles, got: ")
    assert "does not contain key \"nothing\"" in message


def _save(pdf: bytes) -> Path:
    import tempfile

    handle, name = tempfile.mkstemp(suffix=".pdf")
    os.write(handle, pdf)
    os.close(handle)
    return Path(name)


def test_page_count_is_what_pdfinfo_reads(tmp_path):
    need("pdfinfo")
    out = tmp_path / "long.pdf"
    laid = write_pdf(long_document(), out, look(), epoch=EPOCH)
    assert laid.pages == pdf_info_pages(out) > 1


def test_a_character_no_font_draws_is_left_out_with_a_warning_not_a_failed_build():
    """Under PDF/UA-1 Typst refuses text without a glyph: an emoji (no emoji font installed)
    used to fail the whole brief, with an error inside briefgen's own Typst package."""
    need("pdftotext")
    doc = model.Document(Meta(title="T"), (Paragraph((Text("Smile \U0001F642 and ✓ here."),)),))
    pdf, warnings = typst_pdf.compile_pdf(doc, look(), epoch=EPOCH)
    assert warnings == [
        "left 1 character(s) out of the Typst PDF: U+1F642 SLIGHTLY SMILING FACE; expected a "
        "character some installed font draws (PDF/UA-1 allows no text without a glyph), got "
        "none that does"]
    body, _ = pdf_text(_save(pdf))
    assert squash(body) == squash("T Smile and ✓ here.")   # the title, then the text


def test_a_remote_package_in_a_file_the_page_imports_is_refused_too(tmp_path):
    (tmp_path / "page.typ").write_text('#import "helpers.typ": *\n', encoding="utf-8")
    (tmp_path / "helpers.typ").write_text('#import "@preview/cetz:0.3.0": canvas\n',
                                          encoding="utf-8")
    with pytest.raises(WriteError) as caught:
        typst_pdf.compile_pdf(sample_document(), look(tmp_path), epoch=EPOCH)
    [problem] = caught.value.problems
    assert str(problem).startswith(f'{tmp_path / "helpers.typ"}:1:9: error: package '
                                   f'"@preview/cetz:0.3.0" would be downloaded')


def test_a_prepared_document_makes_the_same_pdf_and_warnings():
    """The release runs ``prepare`` with the brief's stages and hands its result to ``write``
    (``writers.preparer``): the same bytes, pages and warnings as one call doing both, for a
    document with a character no font draws (a warning of ``prepare``'s own)."""
    from writers.contract import target

    doc = long_document()
    doc = model.Document(doc.meta, doc.blocks + (Paragraph((Text("A seal \U0001FAE0 here"),)),),
                         doc.notes)
    aim = target("pdf/typst")
    prepared = typst_pdf.prepare(doc, aim, look())
    assert prepared.missing == "\U0001FAE0"
    assert typst_pdf.write(doc, aim, look(), prepared=prepared) == typst_pdf.write(doc, aim, look())


def test_a_url_stays_with_the_angle_bracket_before_it(tmp_path):
    """OSCOLA prints a URL as "<https://...>": the line may break after a slash in the URL,
    never between the "<" and the URL (Typst broke there). Forty paragraphs, each a word
    longer, put the "<" at every place in a line."""
    need("pdftotext")
    url = "https://www.hrw.org/world-report/2019/country-chapters/north-korea"
    blocks = tuple(Paragraph((Text("word " * n + "<"), model.Link(url, (Text(url),)),
                              Text(">"))) for n in range(40))
    doc = model.Document(Meta(title="URLs"), blocks, ())
    out = tmp_path / "urls.pdf"
    write_pdf(doc, out, look())
    import subprocess
    lines = subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                           text=True).stdout.splitlines()
    assert sum("<https://" in line for line in lines) == 40
    assert not [line for line in lines if line.rstrip().endswith("<")]


def test_a_block_quote_is_indented_at_the_left_only_as_in_the_docx(tmp_path):
    """1.2 em at the left, none at the right (the DOCX's Quote style and the CSS), one
    indent for a quote of several paragraphs: Typst's own quote pads 1 em at either side, and
    a set rule on its block indented each paragraph's block again."""
    from clients import pdf_words

    long = "The same words again and again, " * 8
    doc = model.Document(Meta(title="Quotes"), (
        Paragraph((Text("Body " + long),)),
        model.BlockQuote((Paragraph((Text("First " + long),)),
                          Paragraph((Text("Second " + long),)))),
    ), ())
    out = tmp_path / "quote.pdf"
    write_pdf(doc, out, look())
    (_, words), = pdf_words(out)
    left = {w.text: w.x0 for w in words if w.text in ("Body", "First", "Second")}
    body = look().brand.brand.sizes.body
    assert left["First"] - left["Body"] == pytest.approx(1.2 * body, abs=0.3)
    assert left["Second"] == pytest.approx(left["First"], abs=0.3)
    right = max(w.x1 for w in words)
    quoted_right = max(w.x1 for w in words if w.y0 > min(
        x.y0 for x in words if x.text == "First"))
    assert right - quoted_right < 0.5 * body     # the quote's lines run to the margin too
