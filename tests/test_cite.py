"""The cite pass: notes numbered in reading order, citations formatted by the house styles.

The sources are tests/cite/sources.yaml (records of the dataset, frozen for these tests); the
documents are built by hand with Cite nodes, as compose would build them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
import yaml
from lxml import etree

from briefgen import model as m
from briefgen.cite import (CSL_NS, CiteError, cite_document, csl_item, csl_json, csl_locator,
                           load_style, model_inlines, reading)
from briefgen.cite import Style
from briefgen.dataset import Source

FIXTURES = Path(__file__).parent / "cite"


def load_sources() -> dict[str, Source]:
    records = yaml.safe_load((FIXTURES / "sources.yaml").read_text(encoding="utf-8"))
    return {record["id"]: Source.model_validate(record) for record in records}


SOURCES = load_sources()


def item(key: str, label: str | None = None, locator: str | None = None,
         prefix: str = "", suffix: str = "") -> m.CiteItem:
    return m.CiteItem(key, label, locator, prefix, suffix)


def cite(*items: m.CiteItem, source: str = "") -> m.Cite:
    return m.Cite(tuple(items), source)


def para(*inlines: m.Inline) -> m.Paragraph:
    return m.Paragraph(tuple(inlines))


def document(*blocks: m.Block) -> m.Document:
    return m.Document(m.Meta("Test brief"), tuple(blocks))


def T(text: str) -> m.Text:
    return m.Text(text)


# One sentence per note, in this order:
#  1 first citation of a UN document     2 ibid, same locator        3 ibid, new locator
#  4 first citation of an NGO report     5 short form "(n 1)"        6 two sources, affixes
#  7 no ibid after a note of two         8 first: a web page         9 no ibid after another
# 10 an author's note citing two        11 no ibid after it         12 first: a newspaper
SEQUENCE = document(
    para(T("The commission found "), cite(item("coi-2014", "paragraph", "80")), T(".")),
    para(T("It said so again "), cite(item("coi-2014", "paragraph", "80")), T(".")),
    para(T("And more "), cite(item("coi-2014", "paragraph", "81")), T(".")),
    para(T("A survey "), cite(item("csw-2018", "page", "5")), T(".")),
    para(T("The commission "), cite(item("coi-2014", "paragraph", "82")), T(".")),
    para(T("Two sources "), cite(item("ohchr-2020", "note", "41", "see", ", emphasis added"),
                                 item("hrw-2019", "section", "Legal framework")), T(".")),
    para(T("One of them "), cite(item("hrw-2019", "section", "3")), T(".")),
    para(T("A web page "), cite(item("sdgs-2015")), T(".")),
    para(T("The survey "), cite(item("csw-2018", "page", "7")), T(".")),
    para(T("A reply."), m.InlineNote((para(
        T("See "), cite(item("coi-2014", "paragraph", "80")), T(" and "),
        cite(item("pearson-tudor-2015", "page", "12")), T(".")),))),
    para(T("The book "), cite(item("pearson-tudor-2015", "page", "12")), T(".")),
    para(T("A newspaper "), cite(item("bbc-2018")), T(".")),
)

COI = "https://documents.un.org/doc/undoc/gen/g14/108/66/pdf/g1410866.pdf"
CSW = "https://www.csw.org.uk/2018/01/31/report/3832/article.htm"
HRW = "https://www.hrw.org/world-report/2019/country-chapters/north-korea"

EXPECTED = {
    "uk-oscola": {
        "first citation of a UN document": (1,
            "UN Human Rights Council, ‘Report of the commission of inquiry on human rights in "
            "the Democratic People's Republic of Korea’ (7 February 2014) UN Doc A/HRC/25/63, "
            f"para 80 <{COI}> accessed 22 November 2026."),
        "ibid with the same locator": (2, "ibid."),
        "ibid with a different locator": (3, "ibid para 81."),
        "first citation of an NGO report": (4,
            "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance: Changes in "
            "North Korea 2007-2017 (short version) (2018) 5 "
            f"<{CSW}> accessed 22 November 2026."),
        "short form pointing at the first note": (5,
            "UN Human Rights Council, ‘Report of the commission of inquiry’ (n 1) para 82."),
        "two sources, prefix, suffix, note and section locators": (6,
            "See Office of the United Nations High Commissioner for Human Rights, Laying the "
            "human rights foundations for peace: Supporting an inclusive and human "
            "rights-centred peace process in the Democratic People's Republic of Korea "
            "(Discussion paper, United Nations 2020) fn 41, emphasis added; Human Rights Watch, "
            "‘North Korea: Events of 2018’ in World Report 2019 (2019) "
            f"s ‘Legal framework’ <{HRW}> accessed 22 November 2026."),
        "no ibid after a note citing two sources": (7,
            "Human Rights Watch, ‘North Korea: Events of 2018’ (n 6) s 3."),
        "first citation of a web page": (8,
            "UN General Assembly, ‘Sustainable Development Goals’ (2015) "
            "<https://sustainabledevelopment.un.org/> accessed 22 November 2026."),
        "no ibid after a note citing another source": (9,
            "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance (n 4) 7."),
        "citations inside an author's note": (10,
            "See UN Human Rights Council, ‘Report of the commission of inquiry’ (n 1) para 80 "
            "and James Pearson and "
            "Daniel Tudor, North Korea Confidential (2015) 12."),
        # note 10 cites two sources: no "ibid", which could mean either (OSCOLA 1.3)
        "no ibid after an author's note citing two sources": (11,
            "Pearson and Tudor, North Korea Confidential (n 10) 12."),
        "first citation of a newspaper article": (12,
            "‘North Korea: How many political prisoners are detained in prison?’ "
            "BBC News (10 May 2018) <https://www.bbc.co.uk/news/world-asia-44069749> accessed "
            "22 November 2026."),
    },
    "un": {
        "first citation of a UN document": (1, "A/HRC/25/63, para. 80."),
        "ibid with the same locator": (2, "Ibid."),
        "ibid with a different locator": (3, "Ibid., para. 81."),
        "first citation of an NGO report": (4,
            "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance: Changes in "
            "North Korea 2007-2017 (short version), 31 January 2018, p. 5. "
            f"Available at {CSW}."),
        "short form pointing at the first note": (5, "A/HRC/25/63, para. 82."),
        "two sources, prefix, suffix, note and section locators": (6,
            "See Office of the United Nations High Commissioner for Human Rights, Laying the "
            "human rights foundations for peace: Supporting an inclusive and human "
            "rights-centred peace process in the Democratic People's Republic of Korea, "
            "September 2020, footnote 41, emphasis added; Human Rights Watch, “North Korea: Events "
            "of 2018”, in World Report 2019, January 2019, section “Legal framework”. "
            f"Available at {HRW}."),
        "no ibid after a note citing two sources": (7,
            "Human Rights Watch, “North Korea: Events of 2018”, sect. 3."),
        "first citation of a web page": (8,
            "UN General Assembly, “Sustainable Development Goals”, 2015. "
            "Available at https://sustainabledevelopment.un.org/."),
        "no ibid after a note citing another source": (9,
            "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance, p. 7."),
        "citations inside an author's note": (10,
            "See A/HRC/25/63, para. 80 and James Pearson and Daniel Tudor, North Korea "
            "Confidential, 2015, p. 12."),
        "no ibid after an author's note citing two sources": (11,
            "Pearson and Tudor, North Korea Confidential, p. 12."),
        "first citation of a newspaper article": (12,
            "“North Korea: How many political prisoners are detained in prison?”, "
            "BBC News, 10 May 2018. Available at https://www.bbc.co.uk/news/world-asia-44069749."),
    },
}


@cache
def cited(style: str) -> m.Document:
    return cite_document(SEQUENCE, SOURCES, load_style(style, FIXTURES))


@pytest.mark.parametrize("style, case", [(s, c) for s in EXPECTED for c in EXPECTED[s]])
def test_note_text(style, case):
    number, text = EXPECTED[style][case]
    note = cited(style).notes[number - 1]
    assert note.number == number
    assert m.plain_text(note.blocks) == text


@pytest.mark.parametrize("style", EXPECTED)
def test_every_note_is_expected(style):
    assert [n.number for n in cited(style).notes] == list(range(1, 13))


@pytest.mark.parametrize("style", EXPECTED)
def test_italics_and_links_survive(style):
    note = cited(style).notes[3]   # csw-2018, a report: title in italics, URL a link
    inlines = note.blocks[0].children
    assert m.Emph((T("Movies, Markets and Mass Surveillance: Changes in North Korea 2007-2017 "
                     "(short version)"),)) in inlines
    assert m.Link(CSW, (T(CSW),)) in inlines


def test_note_marks_replace_citations_after_punctuation():
    doc = cited("uk-oscola")
    assert doc.blocks[0] == para(T("The commission found."), m.NoteRef(1))
    assert doc.blocks[9] == para(T("A reply."), m.NoteRef(10))


def test_bibliography_is_cited_sources_in_first_cited_order():
    assert cited("un").bibliography == ("coi-2014", "csw-2018", "ohchr-2020", "hrw-2019",
                                        "sdgs-2015", "pearson-tudor-2015", "bbc-2018")


def test_input_document_is_left_unchanged():
    before = m.to_data(SEQUENCE)
    cited("un")
    assert m.to_data(SEQUENCE) == before


def test_reading_order_through_lists_quotes_tables_and_headings():
    doc = document(
        m.Heading(2, (T("Heading"), cite(item("crc")))),
        m.BulletList(((para(T("a"), cite(item("coi-2014"))),),)),
        m.BlockQuote((para(m.Emph((T("b"), cite(item("csw-2018")))),),)),
        m.Table(header=((T("h"),),), rows=(((T("c"), cite(item("bbc-2018"))),),)),
        m.OrderedList(((para(T("d"), cite(item("sdgs-2015"))),),)),
    )
    out = cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert out.bibliography == ("crc", "coi-2014", "csw-2018", "bbc-2018", "sdgs-2015")
    assert out.blocks[2] == m.BlockQuote((para(m.Emph((T("b"), m.NoteRef(3)))),))
    assert out.blocks[3].rows == (((T("c"), m.NoteRef(4)),),)


def test_written_order_kept_within_a_citation():
    doc = document(para(cite(item("crc"))), para(cite(item("csw-2024"), item("crc"))))
    out = cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert m.plain_text(out.notes[1].blocks) == (
        "Christian Solidarity Worldwide, We Cannot Look Away, 11 September 2024. Available at "
        "https://www.csw.org.uk/2024/09/11/report/6311/article.htm; Convention on the Rights of "
        "the Child.")


def test_title_ending_in_a_question_mark_takes_no_full_stop():
    doc = document(para(cite(item("bbc-2018"))), para(cite(item("sdgs-2015"))),
                   para(cite(item("bbc-2018"))))
    out = cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert m.plain_text(out.notes[2].blocks) == (
        "“North Korea: How many political prisoners are detained in prison?”")


def test_locators_page_paragraph_section_note_and_a_dataset_label():
    doc = document(*(para(cite(item("csw-2018", label, value))) for label, value in (
        ("page", "59"), ("paragraph", "80-82"), ("section", "3"), ("section", "Border-Tightening"),
        ("note", "2"), ("chapter", "IV"), ("benchmark", "21"), (None, "12"))))
    out = cite_document(doc, SOURCES, load_style("uk-oscola", FIXTURES))
    assert [m.plain_text(n.blocks) for n in out.notes[1:]] == [
        "ibid paras 80–82.", "ibid s 3.", "ibid s ‘Border-Tightening’.", "ibid fn 2.",
        "ibid ch IV.", "ibid benchmark 21.", "ibid 12."]


def test_treaties_have_no_cross_reference_in_oscola():
    doc = document(para(cite(item("unscr-1325-2000"))), para(cite(item("crc"))),
                   para(cite(item("unscr-1325-2000", "paragraph", "8"))))
    out = cite_document(doc, SOURCES, load_style("uk-oscola", FIXTURES))
    assert [m.plain_text(n.blocks) for n in out.notes] == [
        "United Nations Security Council Resolution 1325 on Women, Peace and Security "
        "(October 2000) UN Doc S/RES/1325(2000) <https://undocs.org/en/S/RES/1325(2000)>.",
        "Convention on the Rights of the Child.",
        "Resolution 1325 para 8."]


# --- errors -------------------------------------------------------------------------------

def test_unknown_source_message():
    doc = document(para(cite(item("coi-2104", "paragraph", "80"),
                             source="[@coi-2104, para 80]")),
                   para(cite(item("nothing-like-it"), source="[@nothing-like-it]")))
    with pytest.raises(CiteError) as err:
        cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert str(err.value) == (
        "Test brief: error: unknown source 'coi-2104' in [@coi-2104, para 80]; "
        "did you mean 'coi-2014'?\n"
        "Test brief: error: unknown source 'nothing-like-it' in [@nothing-like-it]; "
        "expected the id of one of the 10 sources")


def test_unknown_locator_label_message():
    doc = document(para(cite(item("coi-2014", "pgae", "5"), source="[@coi-2014, pgae 5]")))
    with pytest.raises(CiteError) as err:
        cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert str(err.value) == ("Test brief: error: unknown locator label 'pgae' in "
                              "[@coi-2014, pgae 5]; did you mean 'page'?")


@pytest.mark.parametrize("written, items, message", [
    ("[@coi-2014 para 80]", [item("coi-2014", suffix=" para 80")],
     "Test brief: error: citation [@coi-2014 para 80] has no comma before its locator; "
     "expected '@coi-2014, para 80'"),
    ("[@hrw-2019, {Summary}]", [item("hrw-2019", suffix=", {Summary}")],
     "Test brief: error: locator {Summary} in [@hrw-2019, {Summary}] has no label, so Pandoc "
     "prints the braces; expected a label first, like '{section Summary}'"),
])
def test_a_locator_pandoc_would_print_as_text_is_a_problem(written, items, message):
    doc = document(para(cite(*items, source=written)))
    with pytest.raises(CiteError) as err:
        cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert str(err.value) == message


def test_missing_style_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CiteError) as err:
        load_style("styles/house.csl", tmp_path)
    assert str(err.value) == (
        "styles/house.csl: error: no citation style 'styles/house.csl'; expected 'uk-oscola' "
        "or 'un', the path of a CSL file, or the name of one in styles/ or "
        "/usr/share/citation-style-language/styles, got nothing there")


def test_misspelt_house_style(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CiteError) as err:
        load_style("uk-oscla", tmp_path)
    assert str(err.value) == ("uk-oscla: error: no citation style 'uk-oscla'; "
                              "did you mean 'uk-oscola'?")


@pytest.mark.parametrize("text, message", [
    ("<style xmlns='http://purl.org/net/xbiblio/csl'>\n  <citation>\n</style>\n",
     "bad.csl:3:9: error: not a CSL style: Opening and ending tag mismatch: citation line 2 "
     "and style"),
    ("<html/>\n", "bad.csl:1:1: error: not an independent CSL style; expected <style> with a "
     "<citation> in the CSL namespace, got <html>"),
    ("<style xmlns='http://purl.org/net/xbiblio/csl' version='1.0' class='note'>\n"
     "<citation><layout><text variable='title' font-weight='heavy'/></layout></citation>"
     "</style>\n",
     "bad.csl:2:1: error: invalid CSL style: Invalid attribute font-weight for element text; "
     "expected one of normal, bold, light, got 'heavy'"),
    ("<style xmlns='http://purl.org/net/xbiblio/csl' version='1.0' class='note'>\n"
     "<citation><layout><bogus/></layout></citation></style>\n",
     "bad.csl: error: invalid CSL style: unknown element \"bogus\""),
])
def test_invalid_style_file(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.csl").write_text(text, encoding="utf-8")
    with pytest.raises(CiteError) as err:
        load_style("bad.csl", tmp_path)
    assert str(err.value) == message


def test_style_locale_defaults_to_en_gb():
    assert load_style("un", FIXTURES).locale == "en-GB"
    assert load_style("positions.csl", FIXTURES).locale == "en-US"   # its default-locale


# --- positions, with a third-party style by path ------------------------------------------

def test_positions_with_a_style_by_path():
    """positions.csl (near-note-distance 2) prints each cite's position, the note it was
    first cited in (on a later cite only: CSL leaves first-reference-note-number empty on the
    first, position_ResetNoteNumbers) and whether its locator is a number ({...} when not)."""
    doc = document(
        para(cite(item("coi-2014"))),                                    # 1
        para(cite(item("coi-2014"))),                                    # 2
        para(cite(item("coi-2014", "page", "5"))),                       # 3
        para(cite(item("coi-2014", "page", "5"))),                       # 4
        para(cite(item("coi-2014"))),                                    # 5 locator dropped
        para(T("x"), m.InlineNote((para(T("A comment.")),))),            # 6 no citation
        para(cite(item("coi-2014", "paragraph", "5"))),                  # 7 not ibid: 6 between
        para(cite(item("csw-2018"), item("coi-2014"))),                  # 8
        para(cite(item("csw-2018", "section", "Legal framework"))),      # 9 not ibid: two before
        para(cite(item("coi-2014"))),                                    # 10
        para(cite(item("coi-2014"))),                                    # 11
        para(cite(item("csw-2018"))),                                    # 12 3 notes on
        para(cite(item("csw-2018", "sub-verbo", "war"))),                # 13
    )
    out = cite_document(doc, SOURCES, load_style("positions.csl", FIXTURES))
    assert [m.plain_text(n.blocks) for n in out.notes] == [
        "Report of the commission of inquiry first.",
        "Report of the commission of inquiry ibid (n 1).",
        "Report of the commission of inquiry ibid-with-locator (n 1) page 5.",
        "Report of the commission of inquiry ibid (n 1) page 5.",
        "Report of the commission of inquiry near-note (n 1).",
        "A comment.",
        "Report of the commission of inquiry near-note (n 1) paragraph 5.",
        "Movies, Markets and Mass Surveillance first; "
        "Report of the commission of inquiry near-note (n 1).",
        "Movies, Markets and Mass Surveillance near-note (n 8) section {Legal framework}.",
        "Report of the commission of inquiry near-note (n 1).",
        "Report of the commission of inquiry ibid (n 1).",
        # three notes after note 9: beyond the style's near-note-distance of 2 (Pandoc reads
        # it where the cite stage puts it for Pandoc, cite.for_pandoc)
        "Movies, Markets and Mass Surveillance subsequent (n 8).",
        "Movies, Markets and Mass Surveillance ibid-with-locator (n 8) sv {war}.",
    ]


def test_names_title_case_and_locators_with_a_style_by_path():
    """text.csl prints names under initialize="false" with given names in capitals, titles in
    title case, the locator, and "disambiguated" if a cite passed a disambiguate test (none
    should)."""
    doc = document(para(cite(item("pearson-tudor-2015", "page", "12-14"))),
                   para(cite(item("csw-2018", "section", "Border-Tightening"))))
    out = cite_document(doc, SOURCES, load_style("text.csl", FIXTURES))
    assert [m.plain_text(n.blocks) for n in out.notes] == [
        "JAMES Pearson and DANIEL Tudor | North Korea Confidential | 12–14.",
        "Christian Solidarity Worldwide | Movies, Markets and Mass Surveillance: Changes in "
        "North Korea 2007-2017 (Short Version) | Border-Tightening."]


# --- the small functions ------------------------------------------------------------------

def test_csl_item_is_csl_json():
    assert csl_item(SOURCES["unscr-1325-2000"]) == {
        "id": "unscr-1325-2000", "type": "legislation", "genre": "Security Council resolution",
        "title": "United Nations Security Council Resolution 1325 on Women, Peace and Security",
        "title-short": "Resolution 1325", "author": [{"literal": "UN Security Council"}],
        "issued": {"date-parts": [[2000, 10]]}, "publisher": "United Nations",
        "number": "S/RES/1325(2000)", "URL": "https://undocs.org/en/S/RES/1325(2000)"}
    assert csl_item(SOURCES["pearson-tudor-2015"])["author"] == [
        {"family": "Pearson", "given": "James"}, {"family": "Tudor", "given": "Daniel"}]


def test_csl_json_is_deterministic():
    text = csl_json([SOURCES["coi-2014"], SOURCES["crc"]])
    assert text == csl_json([SOURCES["coi-2014"], SOURCES["crc"]])
    assert text.endswith("}\n]\n") and "People's" in text
    data = json.loads(text)
    assert [d["id"] for d in data] == ["coi-2014", "crc"]
    assert list(data[0]) == sorted(data[0])
    assert data[0]["issued"] == {"date-parts": [[2014, 2, 7]]}




@pytest.mark.parametrize("label, locator, expected", [
    ("paragraph", "80", ("paragraph", "80")), (None, "12", ("page", "12")),
    ("benchmark", "21", ("page", "benchmark 21")), (None, None, None)])
def test_csl_locator(label, locator, expected):
    assert csl_locator(item("x", label, locator)) == expected












def test_citation_ending_a_sentence_in_an_author_note_takes_no_second_full_stop():
    note = m.InlineNote((para(T("As before, "), cite(item("crc")), T(".")),))
    doc = document(para(cite(item("crc"))), para(T("x"), note))
    out = cite_document(doc, SOURCES, load_style("un", FIXTURES))
    assert m.plain_text(out.notes[1].blocks) == "As before, Ibid."


def test_one_style_cites_documents_alike():
    style = load_style("uk-oscola", FIXTURES)
    first = cite_document(SEQUENCE, SOURCES, style)
    assert cite_document(SEQUENCE, SOURCES, style) == first == cited("uk-oscola")




def test_private_use_characters_in_the_data_are_text():
    """They were the marks once, and a title lost them (found by the escaping properties)."""
    source = SOURCES["crc"].model_copy(update={"title": "Convention \ue000on\ue001 Rights"})
    doc = document(para(cite(item("crc"))))
    out = cite_document(doc, {"crc": source}, load_style("un", FIXTURES))
    assert out.notes[0].blocks == (para(T("Convention \ue000on\ue001 Rights.")),)


LABEL_STYLE = """<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>label probe</title><id>label-probe</id><updated>2026-11-29T00:00:00+00:00</updated></info>
  <citation><layout><group delimiter=", "><text variable="title-short"/>
    <group delimiter=" "><label variable="locator"/><text variable="locator"/></group>
  </group></layout></citation>
</style>"""


def test_a_locator_of_numbers_then_a_labelled_part_takes_the_numbers_label(tmp_path):
    """The label is the numbers' (singular or plural, a range's en dash); what follows is
    printed as written, not counted as more pages; a heading stays singular and as written."""
    (tmp_path / "probe.csl").write_text(LABEL_STYLE, encoding="utf-8")
    doc = document(para(cite(item("csw-2018", "page", "367-368, fig. 333"))),
                   para(cite(item("csw-2018", "page", "12, fig. 3"))),
                   para(cite(item("csw-2018", "page", "12, 14"))),
                   para(cite(item("csw-2018", "section", "Border-Tightening, part 2"))))
    out = cite_document(doc, SOURCES, load_style("probe.csl", tmp_path))
    short = "Movies, Markets and Mass Surveillance"
    assert [m.plain_text(n.blocks) for n in out.notes] == [
        f"{short}, pages 367–368, fig. 333", f"{short}, page 12, fig. 3",
        f"{short}, pages 12, 14", f"{short}, section Border-Tightening, part 2"]


def test_a_locator_label_is_given_to_pandoc_in_the_styles_language(tmp_path):
    """Pandoc reads a locator's label by the terms of the style's locale only: a German
    style prints "S. 100" and "Abs. 3" for page 100 and paragraph 3 (not the locator lost)."""
    german = LABEL_STYLE.replace('version="1.0">', 'version="1.0" default-locale="de-DE">', 1)
    german = german.replace('<label variable="locator"/>', '<label variable="locator" form="short"/>')
    (tmp_path / "de.csl").write_text(german, encoding="utf-8")
    style = load_style("de.csl", tmp_path)
    assert style.labels["page"] == "Seite"
    doc = document(para(cite(item("csw-2018", "page", "100"))),
                   para(cite(item("csw-2018", "paragraph", "3"))))
    out = cite_document(doc, SOURCES, style)
    short = "Movies, Markets and Mass Surveillance"
    assert [m.plain_text(n.blocks) for n in out.notes] == [f"{short}, S. 100", f"{short}, Abs. 3"]


# --- where Pandoc reads a style otherwise than CSL: the cite stage's mending ---------------

PROBE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>probe</title><id>probe</id><updated>2026-11-29T00:00:00+00:00</updated></info>
  <citation{options}>
    <layout suffix="." delimiter="; ">
{layout}
    </layout>
  </citation>
</style>
"""


def probe_style(tmp_path: Path, layout: str, options: str = "") -> Style:
    (tmp_path / "probe.csl").write_text(PROBE.format(layout=layout, options=options),
                                        encoding="utf-8")
    return load_style("probe.csl", tmp_path)


def notes_of(doc: m.Document, style: Style) -> list[str]:
    return [m.plain_text(n.blocks) for n in cite_document(doc, SOURCES, style).notes]


def test_a_style_that_needs_no_mending_goes_to_pandoc_as_its_file(tmp_path):
    assert load_style("un", FIXTURES).pandoc_csl == ""
    assert probe_style(tmp_path, IBID).pandoc_csl == ""
    mended = probe_style(tmp_path, '      <text variable="first-reference-note-number"/>')
    assert mended.pandoc_csl.startswith("data:application/xml;base64,")


def test_near_note_distance_on_the_citation_counts_as_csl_says(tmp_path):
    """CSL puts near-note-distance on cs:citation, and a cite is near when no more than that
    many notes lie since its item's last cite (0: the same note only)."""
    layout = """      <group delimiter=" ">
        <text variable="title" form="short"/>
        <choose><if position="near-note"><text value="near"/></if>
          <else><text value="far"/></else></choose>
      </group>"""
    doc = document(para(cite(item("coi-2014"), item("coi-2014"))),      # 1: same note, near
                   para(cite(item("coi-2014"))),                         # 2: one note on
                   para(cite(item("coi-2014"))))                         # 3
    title = "Report of the commission of inquiry"
    assert notes_of(doc, probe_style(tmp_path, layout, ' near-note-distance="0"')) == [
        f"{title} far; {title} near.", f"{title} far.", f"{title} far."]
    assert notes_of(doc, probe_style(tmp_path, layout, ' near-note-distance="1"')) == [
        f"{title} far; {title} near.", f"{title} near.", f"{title} near."]


def test_first_reference_note_number_is_empty_on_the_first_cite(tmp_path):
    """And a group around it is left out there, as around any empty variable."""
    layout = """      <group delimiter=", ">
        <text variable="title" form="short"/>
        <group delimiter=" "><text value="n"/><text variable="first-reference-note-number"/></group>
      </group>"""
    style = probe_style(tmp_path, layout)
    doc = document(para(cite(item("coi-2014"))), para(cite(item("csw-2018"))),
                   para(cite(item("coi-2014"))))
    assert notes_of(doc, style) == ["Report of the commission of inquiry.",
                                    "Movies, Markets and Mass Surveillance.",
                                    "Report of the commission of inquiry, n 1."]


def test_first_reference_note_number_as_a_condition_is_false_on_the_first_cite(tmp_path):
    layout = """      <text variable="title" form="short"/>
      <choose><if variable="first-reference-note-number"><text value=" (seen)"/></if></choose>"""
    doc = document(para(cite(item("coi-2014"))), para(cite(item("coi-2014"))))
    assert notes_of(doc, probe_style(tmp_path, layout)) == [
        "Report of the commission of inquiry.", "Report of the commission of inquiry (seen)."]


@pytest.mark.parametrize("prefix, expected", [
    ("He said \u201cPlease work.\u201d", "He said \u201cPlease work.\u201d Ibid."),
    ("Asked twice, she agreed.", "Asked twice, she agreed. Ibid."),
    ("Was it so?", "Was it so? Ibid."),
    ("see", "See ibid."),                  # no sentence (the note's first letter is capitalised)
    ("So.", "So. ibid."),                  # one word: not a sentence (Pandoc's rule)
    ("a\uffff.\uffff. b.", "A.. b. Ibid."),  # the mark cannot come from the text
])
def test_a_prefix_that_ends_a_sentence_capitalises_ibid(tmp_path, prefix, expected):
    """As Pandoc does after a prefix ending in ". " (and citeproc-js, position_IbidWithPrefix-
    FullStop), also after "?", "!" and closing quotes."""
    style = probe_style(tmp_path, IBID)
    doc = document(para(cite(item("coi-2014"))),
                   para(cite(m.CiteItem("coi-2014", prefix=prefix))))
    assert notes_of(doc, style)[1] == expected


IBID = """      <choose><if position="ibid"><text term="ibid"/></if>
        <else><text variable="title" form="short"/></else></choose>"""


def test_a_lower_case_ibid_stays_lower_case_after_a_sentence():
    """OSCOLA writes "ibid" in lower case wherever it stands."""
    doc = document(para(cite(item("coi-2014"))),
                   para(cite(m.CiteItem("coi-2014", prefix="Asked twice, she agreed."))))
    assert notes_of(doc, load_style("uk-oscola", FIXTURES))[1] == "Asked twice, she agreed. ibid."


def test_a_tab_in_a_style_comes_out_a_tab(tmp_path):
    """A numbered style's "1.&#9;" (label_EditorTranslator1): Pandoc alone gives a space."""
    layout = '      <text variable="title" form="short" prefix="[&#9;" suffix="&#9;]"/>'
    doc = document(para(cite(item("coi-2014"))))
    assert notes_of(doc, probe_style(tmp_path, layout)) == [
        "[\tReport of the commission of inquiry\t]."]


@pytest.mark.parametrize("text", ["\ue000", "\ue000\ue001", "a\ue000\ue000b", "\ue001\ue000"])
def test_the_tab_mark_cannot_come_from_the_data(tmp_path, text):
    layout = '      <text variable="title" suffix="&#9;"/>'
    sources = {"x": {"id": "x", "type": "report", "title": f"T{text}"}}
    doc = document(para(cite(m.CiteItem("x", prefix=f"P{text}"))))
    (note,) = cite_document(doc, sources, probe_style(tmp_path, layout)).notes
    assert m.plain_text(note.blocks) == f"P{text} T{text}\t."


# --- the sources as Pandoc reads them (cite.Reading) --------------------------------------

IN_TEXT = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="{cls}" version="1.0"{options}>
  <info><title>probe</title><id>probe</id><updated>2026-11-29T00:00:00+00:00</updated></info>
  <citation{citation}>
    <layout prefix="(" suffix=")" delimiter="; ">
{layout}
    </layout>
  </citation>
</style>
"""


def style_of(tmp_path: Path, layout: str, cls: str = "in-text", options: str = "",
             citation: str = "") -> Style:
    text = IN_TEXT.format(cls=cls, options=options, citation=citation, layout=layout)
    (tmp_path / "probe.csl").write_text(text, encoding="utf-8")
    return load_style("probe.csl", tmp_path)


def person(key: str, year: int, title: str = "A book", **name: str) -> dict:
    return {"id": key, "type": "book", "title": title, "author": [name],
            "issued": {"date-parts": [[year]]}}


AUTHOR_YEAR = """      <group delimiter=" ">
        <names variable="author"><name form="short" initialize-with=". "/></names>
        <date variable="issued"><date-part name="year"/></date>
      </group>"""
PRIMARY_NAME = (' disambiguate-add-givenname="true" givenname-disambiguation-rule="primary-name"'
                ' disambiguate-add-year-suffix="true"')


@pytest.mark.parametrize("demote, expected", [
    # the particle is part of the family name: "dos Santos" is not "Santos"
    ("never", "(dos Santos 2016) (Santos 2020)"),
    # the particle goes after the given names when inverted: both are Santos, told apart
    ("display-and-sort", "(R. G. dos Santos 2016) (B. W. L. Santos 2020)"),
])
def test_a_particle_kept_with_the_family_name_is_part_of_it(tmp_path, demote, expected):
    """disambiguate_PrimaryNameWithNonDroppingParticle: Pandoc alone gives initials to both
    whatever the style says of the particle."""
    sources = {"a": person("a", 2016, family="Santos", given="Rafael G",
                           **{"non-dropping-particle": "dos"}),
               "b": person("b", 2020, family="Santos", given="Beatriz Werneck Lopes")}
    style = style_of(tmp_path, AUTHOR_YEAR, options=f' demote-non-dropping-particle="{demote}"',
                     citation=PRIMARY_NAME)
    doc = cite_document(document(para(cite(item("a"))), para(cite(item("b")))), sources, style)
    assert " ".join(m.plain_text(block) for block in doc.blocks[:2]) == expected


def test_a_particle_ending_in_an_apostrophe_joins_the_family_name(tmp_path):
    sources = {"a": person("a", 1750, family="Alembert", given="Jean",
                           **{"non-dropping-particle": "d’"})}
    style = style_of(tmp_path, AUTHOR_YEAR, options=' demote-non-dropping-particle="never"')
    doc = cite_document(document(para(cite(item("a")))), sources, style)
    assert m.plain_text(doc.blocks[0]) == "(d’Alembert 1750)"


TITLED = """      <group delimiter=", ">
        <names variable="author"><name form="short"{name}/></names>
        <text variable="title"/>
      </group>"""


@pytest.mark.parametrize("name, expected", [
    # every name initialised: "J.J." and "J. J." print alike, so they are one person
    (' initialize-with=". "', ["Doe, Part one", "Doe, Part two"]),
    # given names printed as written: two people, told apart as written
    ("", ["J. J. Doe, Part one", "J.J. Doe, Part two"]),
])
def test_initials_spaced_otherwise_are_one_person_where_every_name_is_initialised(
        tmp_path, name, expected):
    """disambiguate_DifferentSpacingInInitials."""
    sources = {"a": person("a", 2000, "Part one", family="Doe", given="J. J."),
               "b": person("b", 2000, "Part two", family="Doe", given="J.J.")}
    style = style_of(tmp_path, TITLED.format(name=name), cls="note",
                     citation=' disambiguate-add-givenname="true" '
                              'givenname-disambiguation-rule="all-names"')
    doc = cite_document(document(para(cite(item("a"))), para(cite(item("b")))), sources, style)
    assert [m.plain_text(n.blocks).strip("()") for n in doc.notes] == expected


SUPRA = """      <choose>
        <if position="subsequent">
          <group delimiter=" ">
            <names variable="author"><name form="short"/></names>
            <text value="supra"/>
            <group delimiter=" "><text value="note"/><text variable="first-reference-note-number"/></group>
          </group>
        </if>
        <else><text variable="title"/></else>
      </choose>"""


def test_first_reference_note_number_in_an_in_text_style_citing_in_notes(tmp_path):
    """position_IbidSeparateCiteSameNote: Pandoc sets it in note styles only."""
    sources = {"a": person("a", 1910, "Tom Swift", family="Appleton", given="Victor"),
               "b": person("b", 2012, "Short Book", family="Bloggs", given="Joe")}
    cited = cite_document(document(
        para(cite(item("b"))),                                   # in the text, not a note
        para(T("One."), m.InlineNote((para(cite(item("a"))),))),                   # note 1
        para(T("Two."), m.InlineNote((para(cite(item("b"))), para(cite(item("a"))))))),
        sources, style_of(tmp_path, SUPRA))
    # b was first cited in the text, so no note of its own to point to
    assert [m.plain_text(n.blocks) for n in cited.notes] == [
        "(Tom Swift)", "(Bloggs supra)\n(Appleton supra note 1)"]


@pytest.mark.parametrize("demote", ["never", "display-and-sort"])
def test_a_family_name_in_double_quotes_is_kept_whole(tmp_path, demote):
    """CSL-JSON's way (bugreports_parseName): "Van Dyke" is no particle and a family name."""
    sources = {"a": person("a", 2000, family='"Van Dyke"', given="Dick"),
               "b": person("b", 2000, family="van Dyke", given="Jan")}
    layout = '      <names variable="author"><name name-as-sort-order="all"/></names>'
    style = style_of(tmp_path, layout, options=f' demote-non-dropping-particle="{demote}"')
    doc = cite_document(document(para(cite(item("a"))), para(cite(item("b")))), sources, style)
    assert [m.plain_text(block) for block in doc.blocks[:2]] == [
        "(Van Dyke, Dick)", "(van Dyke, Jan)" if demote == "never" else "(Dyke, Jan van)"]


@pytest.mark.parametrize("styles, initials", [
    ('<citation initialize-with=". "><layout><names variable="author"/></layout></citation>',
     True),
    # a macro either may call inherits only what both set
    ('<macro name="a"><names variable="author"/></macro>'
     '<citation initialize-with="."><layout><text macro="a"/></layout></citation>'
     '<bibliography><layout><text macro="a"/></layout></bibliography>', False),
    ('<macro name="a"><names variable="author"/></macro>'
     '<citation initialize-with="."><layout><text macro="a"/></layout></citation>'
     '<bibliography initialize-with="."><layout><text macro="a"/></layout></bibliography>', True),
    # a substitute's shorthand cs:names prints with the cs:name of the cs:names it is in
    ('<citation><layout><names variable="author"><name initialize-with="."/><substitute>'
     '<names variable="editor"/></substitute></names></layout></citation>', True),
    ('<citation><layout><names variable="author"><name initialize-with="."/></names>'
     '<names variable="editor"><name/></names></layout></citation>', False),
    ('<citation><layout><text variable="title"/></layout></citation>', False),
])
def test_a_style_initialises_every_name(styles, initials):
    root = etree.fromstring(f'<style xmlns="{CSL_NS}" class="note">{styles}</style>')
    assert reading(root).initials is initials
