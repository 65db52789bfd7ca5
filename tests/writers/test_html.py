"""The HTML writer: an accessible page, notes that link both ways, data shown as text.

The golden file holds the web page of ``sample_document()`` with briefgen's default look,
its inline CSS left out (``regen.page_without_css``: the look's CSS files are the look's).
After a deliberate change, regenerate it and review the diff:

    BRIEFGEN_REGEN_GOLDEN=1 .venv/bin/pytest tests/writers      (or: make golden)

Pages are read back with lxml's HTML parser, as a browser builds its tree, not by searching
the markup for strings.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from markupsafe import Markup

from briefgen import model
from briefgen.errors import WriteError
from briefgen.brief import FontStacks, load_audience
from briefgen.model import (BulletList, Code, Emph, Heading, Link, Meta, Note, NoteRef,
                            Paragraph, Text)
from briefgen.writers.html import (css_string, escape_html, render_body, render_notes,
                                   render_page)
from regen import page_without_css, regenerate
from writers.contract import write_file
from briefgen.writers.look import DEFAULT_LOOK, Look
from writers.test_docx import sample_document

GOLDEN = Path(__file__).parent / "golden"
UK_BRIEFING = Path(__file__).resolve().parents[2] / "templates" / "uk-briefing"
HOSTILE = "{{ 7*7 }} <script>alert(1)</script> & R&D * not a bullet # not a heading \x0bend"
SHOWN = HOSTILE.replace("\x0b", "")
SAMPLE_NOTES = [(1, "Commission of Inquiry, Report of the detailed findings, para 80."),
                (2, "See OHCHR."), (3, "Ibid.")]


def look(folder: Path = DEFAULT_LOOK, fonts: FontStacks = FontStacks()) -> Look:
    """The look of an audience's folder, with its masthead's words (its audience.yaml)."""
    return Look(folder=folder, fonts=fonts, numbered=False,
                masthead=load_audience(folder).masthead)


def write_html(doc, out: Path, look: Look) -> None:
    write_file(out, doc, look, "html")


def parse(html: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(html)


def text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def notes_of(tree: lxml.html.HtmlElement) -> list[tuple[int, str]]:
    """Each endnote's number and text as a reader sees them, back-link left out."""
    found = []
    for item in tree.xpath("//li[@role='doc-endnote']"):
        for back in item.xpath(".//a[@role='doc-backlink']"):
            back.drop_tree()
        found.append((int(item.get("value")), text(item)))
    return found


def headings(tree: lxml.html.HtmlElement) -> list[int]:
    return [int(h.tag[1]) for h in tree.iter("h1", "h2", "h3", "h4", "h5", "h6")]


def one_paragraph(*inlines: model.Inline, notes: tuple[Note, ...] = (),
                  title: str = "T") -> model.Document:
    return model.Document(Meta(title=title), (Paragraph(inlines),), notes)


@pytest.fixture(scope="module")
def page() -> lxml.html.HtmlElement:
    return parse(render_page(sample_document(), look(), mode="web"))


# --- golden file and reproducibility ---------------------------------------------------------

def test_web_page_matches_golden(tmp_path):
    out = tmp_path / "page.html"
    write_html(sample_document(), out, look())
    golden = GOLDEN / "page.html"
    page = page_without_css(out.read_text(encoding="utf-8"))
    regenerate(golden, page)
    assert page == golden.read_text(encoding="utf-8")


def test_two_writes_are_byte_identical(tmp_path):
    write_html(sample_document(), tmp_path / "a.html", look(UK_BRIEFING))
    write_html(sample_document(), tmp_path / "b.html", look(UK_BRIEFING))
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


# --- an accessible page ----------------------------------------------------------------------

def test_page_has_doctype_language_charset_and_title():
    html = render_page(sample_document(), look(), mode="web")
    assert html.startswith("<!DOCTYPE html>\n")
    tree = parse(html)
    assert tree.get("lang") == "en-GB"
    assert tree.xpath("//head/meta/@charset") == ["utf-8"]
    assert tree.findtext(".//title") == "Human rights in the DPRK"


def test_page_has_header_main_and_footer_landmarks(page):
    body = page.find("body")
    assert [child.tag for child in body] == ["header", "main", "footer"]
    assert [text(h) for h in page.iter("h1")] == ["Human rights in the DPRK"]
    assert page.find(".//header/h1") is not None
    assert text(page.find(".//footer")) == "Org A, Org B 1 March 2024"
    # the notes are inside a landmark, after the text
    assert page.xpath("//main/section[@role='doc-endnotes']/@aria-labelledby") == ["notes-title"]
    assert page.get_element_by_id("notes-title").text == "Notes"


def test_default_masthead_is_brand_title_subtitle_occasion_organisations_date(page):
    header = page.find(".//header")
    assert [text(element) for element in header] == [
        "Org A", "Human rights in the DPRK", "Briefing for parliamentarians", "Westminster Hall debate",
        "Org A, Org B", "1 March 2024"]


def test_heading_levels_start_below_the_title_and_never_skip(page):
    assert headings(page) == [1, 2, 3, 4, 2]          # title, the sample's 1-2-3, "Notes"
    doc = model.Document(Meta(title="T"), tuple(
        Heading(level, (Text(f"h{level}"),)) for level in (3, 5, 4, 2, 6, 1, 1, 4)))
    levels = headings(parse(render_page(doc, look(), mode="web")))
    assert levels == [1, 2, 3, 3, 2, 3, 2, 2, 3]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:]))


def test_deep_headings_stop_at_h6():
    doc = model.Document(Meta(title="T"), tuple(
        Heading(level, (Text("x"),)) for level in range(1, 9)))
    assert headings(parse(render_page(doc, look(), mode="web"))) == [1, 2, 3, 4, 5, 6, 6, 6, 6]


def test_table_has_a_header_row_of_column_headers_and_alignment(page):
    table = page.find(".//table")
    assert [(th.get("scope"), text(th)) for th in table.xpath("thead/tr/th")] == \
        [("col", "Year"), ("col", "Cases")]
    assert [td.get("class") for td in table.xpath("tbody/tr[1]/td")] == \
        ["align-left", "align-right"]


def test_lists_quote_rule_code_link_and_line_break(page):
    main = page.find(".//main")
    assert [text(li) for li in main.xpath("ul/li")] == ["bullet a", "bullet b nested bullet"]
    (ordered,) = main.xpath("ol")
    assert ordered.get("start") == "3"
    assert text(main.find("blockquote")) == "A quoted sentence.3"
    assert main.find("hr") is not None
    assert main.findtext(".//code") == "code()"
    assert main.xpath(".//p/a[not(@class)]/@href") == ["https://example.org/a?b=1&c=2"]
    assert main.find(".//p/br") is not None


# --- notes -----------------------------------------------------------------------------------

def test_every_note_reference_links_to_its_note_and_back(page):
    refs = page.xpath("//a[@role='doc-noteref']")
    assert [(ref.get("id"), ref.get("href"), text(ref)) for ref in refs] == \
        [(f"note-ref-{n}", f"#note-{n}", str(n)) for n in (1, 2, 3)]
    for ref in refs:
        note = page.get_element_by_id(ref.get("href")[1:])
        assert note.get("role") == "doc-endnote"
        (back,) = note.xpath(".//a[@role='doc-backlink']")
        assert back.get("href") == "#" + ref.get("id")
        assert back.get("aria-label") == f"Back to the text of note {ref.text_content()}"


def test_notes_come_in_order_with_their_texts(page):
    assert notes_of(page) == SAMPLE_NOTES
    assert page.xpath("//section[@role='doc-endnotes']/ol/li/@id") == \
        ["note-1", "note-2", "note-3"]


def test_a_note_referenced_twice_has_one_anchor_and_one_back_link():
    doc = one_paragraph(Text("a"), NoteRef(1), Text("b"), NoteRef(1),
                        notes=(Note(1, (Paragraph((Text("Only note."),)),)),))
    tree = parse(render_page(doc, look(), mode="web"))
    refs = tree.xpath("//a[@role='doc-noteref']")
    assert [(ref.get("id"), ref.get("href")) for ref in refs] == \
        [("note-ref-1", "#note-1"), (None, "#note-1")]
    assert tree.xpath("//a[@role='doc-backlink']/@href") == ["#note-ref-1"]


def test_a_document_without_notes_has_no_notes_section():
    tree = parse(render_page(one_paragraph(Text("plain")), look(), mode="web"))
    assert tree.xpath("//section") == []
    assert render_notes(one_paragraph(Text("plain"))) == ""


def test_print_mode_puts_each_note_inline_where_it_is_referenced():
    doc = sample_document()
    tree = parse(render_page(doc, look(), mode="print"))
    spans = tree.xpath("//main//span[@class='footnote']")
    assert [(span.get("id"), text(span)) for span in spans] == \
        [(f"note-{n}", t) for n, t in SAMPLE_NOTES]
    assert spans[0].getparent().tag == "p" and "Body with" in text(spans[0].getparent())
    assert tree.xpath("//a[@role='doc-noteref'] | //section") == []


def test_print_mode_joins_a_notes_paragraphs_with_a_space():
    note = Note(1, (Paragraph((Text("First."),)), Paragraph((Emph((Text("Second."),)),))))
    body = lxml.html.fragment_fromstring(
        str(render_body(one_paragraph(Text("x"), NoteRef(1), notes=(note,)), mode="print")))
    (span,) = body.xpath("//span[@class='footnote']")
    assert span.text_content() == "First. Second."
    assert span.find("em").text == "Second."


def test_numbered_paragraphs_are_numbered_through_the_document(page):
    numbered = page.xpath("//p[@class='numbered']")
    assert [p.findtext("span[@class='para-number']") for p in numbered] == ["1. ", "2. ", "3. "]
    assert text(numbered[2]) == "3. Third numbered paragraph."


# --- data is text ----------------------------------------------------------------------------

def test_escape_html_drops_what_html_cannot_hold_and_escapes_markup():
    assert escape_html("a\x0bb\x00c\ud800d\ufffee\tf") == "abcde\tf"
    assert escape_html("<b> & \"q\" 'a' {{ x }} * #") == \
        "&lt;b&gt; &amp; &#34;q&#34; &#39;a&#39; {{ x }} * #"
    assert escape_html(Markup("<b>claims to be markup</b>")) == \
        "&lt;b&gt;claims to be markup&lt;/b&gt;"


def test_hostile_text_in_title_paragraph_note_and_code_comes_out_as_text():
    doc = model.Document(
        Meta(title=HOSTILE, subtitle=HOSTILE, organisations=(HOSTILE,), date_text=HOSTILE),
        (Paragraph((Text(HOSTILE), NoteRef(1), Code(HOSTILE))),),
        (Note(1, (Paragraph((Text(HOSTILE),)),)),))
    for mode in ("web", "print"):
        tree = parse(render_page(doc, look(UK_BRIEFING), mode=mode))
        assert tree.xpath("//script") == []
        assert tree.findtext(".//title") == SHOWN
        assert text(tree.find(".//h1")) == " ".join(SHOWN.split())
        assert tree.xpath("//meta[@name='description']/@content") == [SHOWN]
        paragraph = tree.find(".//main/p")
        # in print, a word joiner keeps the note call on the line of the word before it
        assert paragraph.text == SHOWN + ("\u2060" if mode == "print" else "")
        assert paragraph.findtext("code") == SHOWN
        assert text(tree.find(".//footer")) == " ".join(f"{SHOWN} {SHOWN}".split())
    assert notes_of(parse(render_page(doc, look(), mode="web"))) == \
        [(1, " ".join(SHOWN.split()))]


def test_a_link_to_a_script_url_is_text_and_a_url_is_escaped():
    doc = one_paragraph(Link("javascript:alert(1)", (Text("click"),)),
                        Link(" \tJaVa\tScRiPt:alert(2)", (Text("again"),)),
                        Link('https://x.org/?q="><script>', (Text("ok"),)))
    tree = parse(render_page(doc, look(), mode="web"))
    assert tree.xpath("//main//a/@href") == ['https://x.org/?q="><script>']
    assert text(tree.find(".//main/p")) == "clickagainok"
    assert tree.xpath("//script") == []


def test_font_names_are_css_strings_that_cannot_end_the_style():
    evil = 'X"; } body { color: red } </style><script>alert(1)</script>'
    tree = parse(render_page(sample_document(), look(fonts=FontStacks(text=[evil])),
                             mode="web"))
    assert tree.xpath("//script") == [] and len(tree.xpath("//style")) == 1
    style = tree.find(".//style").text
    assert ":root, .footnote { font-family: " + css_string(evil) + ", serif; }" in style
    assert css_string(evil) == \
        '"X\\22 ; } body { color: red } \\3c /style\\3e \\3c script\\3e alert(1)\\3c /script\\3e "'


def test_a_document_before_the_cite_pass_is_refused():
    doc = one_paragraph(model.Cite((model.CiteItem("coi-2014"),), "[@coi-2014]"))
    with pytest.raises(TypeError, match="after the cite pass.*got Cite"):
        render_page(doc, look(), mode="web")


def test_a_note_reference_without_its_note_is_refused():
    with pytest.raises(ValueError, match=r"NoteRef\(2\) has no Note"):
        render_body(one_paragraph(Text("x"), NoteRef(2)), mode="web")


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="mode must be 'web' or 'print', got 'pdf'"):
        render_page(sample_document(), look(), mode="pdf")


# --- an audience's page ----------------------------------------------------------------------

def test_uk_briefing_masthead_is_brand_date_label_title_subtitle_occasion_organisations():
    tree = parse(render_page(sample_document(), look(UK_BRIEFING), mode="web"))
    (header,) = tree.xpath("//header")
    lines = [text(element) for element in header.iter("p", "h1")]
    assert lines == ["Org A", "1 March 2024", "Briefing", "Human rights in the DPRK",
                     "Briefing for parliamentarians", "Westminster Hall debate", "Org A · Org B"]
    assert tree.find(".//main") is not None and tree.find(".//footer") is not None
    assert notes_of(tree) == SAMPLE_NOTES


def test_an_audience_style_comes_after_the_default_css(tmp_path):
    (tmp_path / "style.css").write_text("body { color: #123456; }\n", encoding="utf-8")
    style = parse(render_page(sample_document(), look(tmp_path), mode="web")).findtext(".//style")
    base = (DEFAULT_LOOK / "base.css").read_text(encoding="utf-8")
    assert style.index("@page") < style.index("body { color: #123456; }")
    assert base.strip() in style


def test_an_audience_page_overrides_a_block(tmp_path):
    (tmp_path / "page.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block masthead %}<header><h1>{{ meta.title }}!</h1>'
        '</header>{% endblock %}', encoding="utf-8")
    tree = parse(render_page(one_paragraph(Text("x"), title="<T>"), look(tmp_path), mode="web"))
    assert text(tree.find(".//h1")) == "<T>!"
    assert tree.find(".//header/p") is None


def test_a_misspelt_name_in_an_audience_page_is_an_error(tmp_path):
    (tmp_path / "page.html.j2").write_text(
        '{% extends "base.html.j2" %}{% block masthead %}{{ meta.titel }}{% endblock %}',
        encoding="utf-8")
    with pytest.raises(WriteError) as caught:
        render_page(one_paragraph(Text("x")), look(tmp_path), mode="web")
    [problem] = caught.value.problems
    assert str(problem) == (f"{tmp_path / 'page.html.j2'}:1:1: error: template uses an undefined "
                            "value: a meta has no field 'titel'; did you mean 'title'?")


def test_a_syntax_error_in_an_audience_page_is_located(tmp_path):
    (tmp_path / "page.html.j2").write_text('{% extends "base.html.j2" %}\n{% block masthead %}\n',
                                           encoding="utf-8")
    with pytest.raises(WriteError) as caught:
        render_page(one_paragraph(Text("x")), look(tmp_path), mode="web")
    [problem] = caught.value.problems
    assert str(problem).startswith(f"{tmp_path / 'page.html.j2'}:2:1: error: template syntax "
                                   "error: Unexpected end of template.")


def test_lists_in_a_note_and_a_list_item_of_several_blocks():
    note = Note(1, (BulletList(((Paragraph((Text("one"),)),), (Paragraph((Text("two"),)),))),))
    doc = one_paragraph(Text("x"), NoteRef(1), notes=(note,))
    web = parse(render_page(doc, look(), mode="web"))
    assert [text(li) for li in web.xpath("//li[@role='doc-endnote']//ul/li")] == ["one", "two"]
    printed = parse(render_page(doc, look(), mode="print"))
    assert text(printed.xpath("//span[@class='footnote']")[0]) == "one two"
