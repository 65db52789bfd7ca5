"""The house styles against the forms they follow, one case a row.

uk-oscola follows OSCOLA, 4th edition (Oxford University Faculty of Law, 2012); un follows the
United Nations Editorial Manual. Each case names the rule it takes its form from, and cites a
short document (each row a list of citations, one note each) of the frozen test sources
(tests/cite/sources.yaml). Also here: each fault issue 16 found, as the test that it is gone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import model as m
from briefgen.cite import cite_document, load_style

from test_cite import FIXTURES, SOURCES, cite, document, item, para

COI = "https://documents.un.org/doc/undoc/gen/g14/108/66/pdf/g1410866.pdf"
CSW = "https://www.csw.org.uk/2018/01/31/report/3832/article.htm"
HRW = "https://www.hrw.org/world-report/2019/country-chapters/north-korea"
BBC = "https://www.bbc.co.uk/news/world-asia-44069749"
SDG = "https://sustainabledevelopment.un.org/"
CSW_TITLE = ("Movies, Markets and Mass Surveillance: Changes in North Korea 2007-2017 "
             "(short version)")


def notes(style: str, *citations: list[m.CiteItem]) -> list[str]:
    doc = document(*(para(m.Text("Text "), cite(*items), m.Text(".")) for items in citations))
    out = cite_document(doc, SOURCES, load_style(style, FIXTURES))
    return [m.plain_text(note.blocks) for note in out.notes]


# (style, case, citations, the notes expected)
CASES = [
    # OSCOLA 3.1 (reports and other secondary sources: author, title in italics, (publisher
    # year)); 1.1.2 (pinpoint at the end); 3.6 (online: <URL> accessed date). The publisher is
    # the author, so it is not said twice.
    ("uk-oscola", "first citation of a report, publisher not repeating the author",
     [[item("csw-2018", "page", "5")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE} (2018) 5 <{CSW}> accessed 22 November 2026."]),
    # OSCOLA 1.3 (subsequent citations: author's surname or the institution, a short form of
    # the title, and "(n X)", the note of the full citation).
    ("uk-oscola", "short form with author and (n X)",
     [[item("csw-2018", "page", "5")], [item("coi-2014")], [item("csw-2018", "page", "7")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE} (2018) 5 <{CSW}> accessed 22 November 2026.",
      "UN Human Rights Council, ‘Report of the commission of inquiry on human rights in the "
      "Democratic People's Republic of Korea’ (7 February 2014) UN Doc A/HRC/25/63 "
      f"<{COI}> accessed 22 November 2026.",
      "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance (n 1) 7."]),
    # OSCOLA 1.3: a short title the first citation did not show is not used; hrw-2019's
    # title-short ("World Report 2019, North Korea") is not in its title.
    ("uk-oscola", "only a short title the reader has seen",
     [[item("hrw-2019")], [item("crc")], [item("hrw-2019", "section", "3")]],
     [f"Human Rights Watch, ‘North Korea: Events of 2018’ in World Report 2019 (2019) <{HRW}> "
      "accessed 22 November 2026.", "Convention on the Rights of the Child.",
      "Human Rights Watch, ‘North Korea: Events of 2018’ (n 1) s 3."]),
    # OSCOLA 1.3: "ibid" (roman, lower case) for the source of the note just before; with a
    # new pinpoint, "ibid" and the pinpoint.
    ("uk-oscola", "ibid with and without a pinpoint",
     [[item("coi-2014", "paragraph", "80")], [item("coi-2014", "paragraph", "80")],
      [item("coi-2014", "paragraph", "81")]],
     ["UN Human Rights Council, ‘Report of the commission of inquiry on human rights in the "
      "Democratic People's Republic of Korea’ (7 February 2014) UN Doc A/HRC/25/63, para 80 "
      f"<{COI}> accessed 22 November 2026.", "ibid.", "ibid para 81."]),
    # OSCOLA 3.6 (websites: author, 'title' (website, date) <URL> accessed date); 3.3.3
    # (newspaper articles: 'title' Newspaper (date)): the author is the newspaper, so only once.
    ("uk-oscola", "a web page and a news item with accessed dates",
     [[item("sdgs-2015")], [item("bbc-2018")]],
     [f"UN General Assembly, ‘Sustainable Development Goals’ (2015) <{SDG}> accessed 22 "
      "November 2026.",
      "‘North Korea: How many political prisoners are detained in prison?’ BBC News (10 May "
      f"2018) <{BBC}> accessed 22 November 2026."]),
    # OSCOLA 1.1.4 (several sources in one note: separated by semicolons).
    ("uk-oscola", "two sources in one note",
     [[item("crc"), item("pearson-tudor-2015", "page", "12")]],
     ["Convention on the Rights of the Child; James Pearson and Daniel Tudor, North Korea "
      "Confidential (2015) 12."]),
    # OSCOLA 1.1.2 (pinpoints follow with a space: "paras 26, 27", never "para 26; ibid
    # para 27").
    ("uk-oscola", "the same source twice in one note, pinpoints merged",
     [[item("crc", "paragraph", "26"), item("crc", "paragraph", "27")]],
     ["Convention on the Rights of the Child paras 26, 27."]),
    # OSCOLA 1.1.2: one section is "section", however its heading is written.
    ("uk-oscola", "one section is singular",
     [[item("csw-2018", "section", "Recommendations: To the government of North Korea, item 5")],
      [item("csw-2018", "section", "Legal framework")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE} (2018) s ‘Recommendations: To the "
      f"government of North Korea, item 5’ <{CSW}> accessed 22 November 2026.",
      "ibid s ‘Legal framework’."]),
    # OSCOLA 1.1.2 (pinpoints as precise as the source allows): briefgen's structured pinpoint,
    # a section and the items in it, the items after the quoted heading; the source's own
    # footnote is "fn" (1.3), plural only when there are several.
    ("uk-oscola", "a structured pinpoint: section and items, and a footnote",
     [[item("csw-2018", "section", "Recommendations", suffix=", items 1 and 9")],
      [item("csw-2018", "section", "Recommendations", suffix=", item 6")],
      [item("csw-2018", "note", "1")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE} (2018) s ‘Recommendations’, items 1 and 9 "
      f"<{CSW}> accessed 22 November 2026.",
      "ibid s ‘Recommendations’, item 6.", "ibid fn 1."]),
    # OSCOLA 1.1.2: one source's pinpoints of two kinds in one note are one pinpoint, the
    # larger part first ("s ‘Introduction’, fn 1", not "fn 1; ibid s ‘Introduction’").
    ("uk-oscola", "the same source twice in one note by a footnote and a section",
     [[item("csw-2018", "note", "1"), item("csw-2018", "section", "Introduction")],
      [item("csw-2018", "section", "Introduction")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE} (2018) s ‘Introduction’, fn 1 <{CSW}> "
      "accessed 22 November 2026.", "ibid s ‘Introduction’."]),
    ("un", "the same source twice in one note by a footnote and a section, then ibid",
     [[item("csw-2018", "note", "1"), item("csw-2018", "section", "Introduction")],
      [item("csw-2018", "section", "Introduction")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE}, 31 January 2018, section “Introduction”, "
      f"footnote 1. Available at {CSW}.", "Ibid., section “Introduction”."]),
    # UN Editorial Manual: the same pinpoint in the UN's words.
    ("un", "a structured pinpoint: section and items, and a footnote",
     [[item("csw-2018", "section", "Recommendations", suffix=", items 1 and 9")],
      [item("csw-2018", "section", "Recommendations", suffix=", item 6")],
      [item("csw-2018", "note", "1")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE}, 31 January 2018, section “Recommendations”, "
      f"items 1 and 9. Available at {CSW}.",
      "Ibid., section “Recommendations”, item 6.", "Ibid., footnote 1."]),
    # OSCOLA 1.3: "n" is this document's notes; a source's own footnote is "fn".
    ("uk-oscola", "a source's own footnote is fn, not n",
     [[item("csw-2018")], [item("coi-2014")], [item("csw-2018", "note", "1")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE} (2018) <{CSW}> accessed 22 November 2026.",
      "UN Human Rights Council, ‘Report of the commission of inquiry on human rights in the "
      "Democratic People's Republic of Korea’ (7 February 2014) UN Doc A/HRC/25/63 "
      f"<{COI}> accessed 22 November 2026.",
      "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance (n 1) fn 1."]),
    # UN Editorial Manual (citing United Nations documents: by symbol, "para." for paragraphs).
    ("un", "a UN document by its symbol, then ibid with and without a pinpoint",
     [[item("coi-2014", "paragraph", "80")], [item("coi-2014", "paragraph", "80")],
      [item("coi-2014", "paragraph", "81")]],
     ["A/HRC/25/63, para. 80.", "Ibid.", "Ibid., para. 81."]),
    # UN Editorial Manual (reports of other organizations: author, title in italics, date,
    # page; "Available at" the URL); the publisher is the author, so it is not said twice.
    ("un", "first citation of a report, then a short form",
     [[item("csw-2018", "page", "5")], [item("crc")], [item("csw-2018", "page", "7")]],
     [f"Christian Solidarity Worldwide, {CSW_TITLE}, 31 January 2018, p. 5. Available at {CSW}.",
      "Convention on the Rights of the Child.",
      "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance, p. 7."]),
    # UN Editorial Manual (web pages and news items: "Available at" the URL).
    ("un", "a web page and a news item",
     [[item("sdgs-2015")], [item("bbc-2018")]],
     [f"UN General Assembly, “Sustainable Development Goals”, 2015. Available at {SDG}.",
      "“North Korea: How many political prisoners are detained in prison?”, BBC News, "
      f"10 May 2018. Available at {BBC}."]),
    # UN Editorial Manual: several sources in a note separated by semicolons; one source's
    # pinpoints together ("paras. 26, 27"); then "Ibid." in the next note, not the short form.
    ("un", "the same source twice in one note, pinpoints merged, then ibid",
     [[item("coi-2014", "paragraph", "26"), item("coi-2014", "paragraph", "27")],
      [item("coi-2014", "paragraph", "27")]],
     ["A/HRC/25/63, paras. 26, 27.", "Ibid., para. 27."]),
    # UN Editorial Manual: a source's own note is a "footnote"; "ibid." after a semicolon is
    # in lower case; no "Ibid." after a note citing two sources (it could mean either).
    ("un", "a source's own footnote, and ibid after a semicolon",
     [[item("crc")], [item("coi-2014", "note", "5"), item("coi-2014", "note", "5")],
      [item("crc"), item("coi-2014")], [item("coi-2014")]],
     ["Convention on the Rights of the Child.", "A/HRC/25/63, footnote 5; ibid.",
      "Convention on the Rights of the Child; A/HRC/25/63.", "A/HRC/25/63."]),
]


@pytest.mark.parametrize("style, case, citations, expected", CASES,
                         ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_house_style_form(style, case, citations, expected):
    assert notes(style, *citations) == expected


# --- the faults issue 16 found with third-party styles --------------------------------------

SYSTEM = Path("/usr/share/citation-style-language/styles")


def system_style(name: str) -> str:
    if not (SYSTEM / f"{name}.csl").is_file():
        pytest.skip(f"{name}.csl is not installed (Debian: citation-style-language-styles)")
    return name


def test_mhra_prints_no_label_for_an_empty_variable():
    """MHRA's first note had a stray label: "... 31 January 2018), p. , sect. ..."."""
    style = system_style("modern-humanities-research-association")
    (note,) = notes(style, [item("csw-2018", "section", "Special topic: religion")])
    assert "p. ," not in note and "sect. Special topic: religion" in note


@pytest.mark.parametrize("name", ["chicago-note-bibliography",
                                  "modern-humanities-research-association"])
def test_short_notes_of_two_reports_by_one_author_differ(name):
    """Two CSW reports' short notes were identical ("Christian Solidarity Worldwide, sect.
    Legal framework."): disambiguation was off."""
    style = system_style(name)
    found = notes(style, [item("csw-2018")], [item("csw-2024")],
                  [item("csw-2018", "section", "Legal framework")],
                  [item("csw-2024", "section", "Legal framework")])
    assert found[2] != found[3]


def test_a_style_by_its_csl_name():
    """`style: chicago-note-bibliography` was refused: only a path or a house name worked."""
    style = load_style(system_style("chicago-note-bibliography"), Path("."))
    assert style.path == SYSTEM / "chicago-note-bibliography.csl" and style.note
