"""`briefgen verify`: records checked against their sources' own texts, on small projects.

The minimal dataset's two sources get texts written here: the COI report as a text file with
form feeds between its pages, the briefing as a PDF that Typst makes, read back through
pdftotext. Each fault is one located line, with the nearest passage and its page.
"""

from __future__ import annotations

import pytest

from briefgen.cli import main
from briefgen.verify import as_digits, find_verbatim, normalise
from clients import need
from conftest import write

COI_TEXT = ("Report of the commission.\n\nPage one says little.\f"
            "Witnesses told the commission: They were hung on a cross. The commission found "
            "an almost complete denial of the right to freedom of thought, conscience and "
            "religion, para 80.\f"
            "Page three: 39.5 per cent had heard, and 60 per cent said yes.")


def with_texts(project, coi: str = COI_TEXT) -> None:
    """The sources name their texts in texts/, the folder given with --texts."""
    write(project, "texts/coi.txt", coi)
    path = project / "data" / "sources" / "sources.yaml"
    path.write_text(path.read_text().replace("- id: coi-2014\n", "- id: coi-2014\n  text: coi.txt\n"))


def run(capsys, *extra: str) -> tuple[int, list[str], str]:
    code = main(["verify", "--texts", "texts", *extra])
    captured = capsys.readouterr()
    return code, captured.err.splitlines(), captured.out


def test_normalisation_is_the_stated_one():
    assert normalise("\u201cFree\u201d \u2013 it\u2019s a se-\nlection\u00b9 of *words*\n\n here") == \
        '"Free" - it\'s a selection of words here'
    assert as_digits("Thirty-nine of 2,706, twice, the fourth and the 14th") == \
        "39 of 2706, 2, the 4 and the 14"


def test_a_quotation_may_run_over_a_page_break_but_not_change_a_word():
    text = normalise("the camps in the north were full of people \f 12 Running head. "
                     "and nobody could leave.")
    assert find_verbatim("the camps in the north were full of people and nobody could leave",
                         text) == 0
    assert find_verbatim("the camps in the north were full of people and somebody could "
                         "leave", text) is None


def test_records_that_stand_in_their_text_pass_and_uncited_texts_are_listed(project, capsys):
    with_texts(project)
    code, err, out = run(capsys)
    assert code == 0
    assert "checked paraphrases 1, quotations 1;" in out
    assert err == ["data: warning: source 'brief-2024' has no text to check against; expected "
                   "a 'text:' file, got none (2 citations unverified)"]


def test_strict_makes_an_unverified_source_an_error(project, capsys):
    with_texts(project)
    code, err, _ = run(capsys, "--strict")
    assert code == 1
    assert err[0].endswith("(2 citations unverified) (an error under --strict)")


def test_a_changed_word_in_a_quotation_is_located_with_the_nearest_passage_and_page(project, capsys):
    with_texts(project)
    path = project / "data" / "quotes" / "quotes.yaml"
    path.write_text(path.read_text().replace("hung on a cross", "hung on the cross"))
    code, err, _ = run(capsys)
    assert code == 1
    assert err[1] == (
        "data/quotes/quotes.yaml:2:9: error: quotation not found word for word in coi-2014's "
        "text; expected the words as printed, got none there (nearest passage (page 2): "
        "\"commission: They were hung on a cross. The\")")


def test_a_figure_the_text_does_not_hold_is_located(project, capsys):
    with_texts(project, COI_TEXT.replace("39.5 per cent", "38 per cent"))
    path = project / "data" / "statistics" / "statistics.yaml"
    path.write_text(path.read_text().replace("source: brief-2024", "source: coi-2014"))
    code, err, _ = run(capsys)
    assert code == 1
    assert "data/statistics/statistics.yaml:8:28: error: figure 39.5 of this statistic is not " \
           "in coi-2014's text; expected the figure as the source prints it, got none" in err


def test_a_page_pinpoint_must_be_the_page_the_words_stand_on(project, capsys):
    with_texts(project)
    path = project / "data" / "quotes" / "quotes.yaml"
    path.write_text(path.read_text().replace('{source: coi-2014, note: "12"}',
                                             "{source: coi-2014, page: 3}"))
    code, err, _ = run(capsys)
    assert code == 1
    assert "data/quotes/quotes.yaml:6:32: error: wrong page; expected page 2, where the words " \
           "stand in coi-2014's text, got page 3" in err


def test_a_brief_quoting_words_its_source_does_not_hold_is_located(project, capsys):
    with_texts(project)
    write(project, "briefs/b.yaml", (project / "briefs" / "b.yaml").read_text() +
          'introduction: >-\n  The COI found "a complete denial of freedom" [@coi-2014, para 80].'
          ' Its witnesses spoke of "hung on a cross" [@coi-2014, page 2].\n')
    code, err, _ = run(capsys)
    assert code == 1
    assert [line for line in err if "error" in line] == [
        "briefs/b.yaml:11:15: error: quoted phrase \"a complete denial of freedom\" not found word "
        "for word in coi-2014's text; expected the source's words, got none there (nearest "
        "passage (page 2): \"an almost complete denial of the\")"]


def test_a_pdf_text_is_read_with_its_pages(project, capsys):
    need("pdftotext")
    import typst

    source = project / "texts" / "brief.typ"
    write(project, "texts/brief.typ", "Cover\n#pagebreak()\nRelease all persons detained in "
                                      "prison camps.\n#pagebreak()\n60 said yes and 39.5 no.\n")
    (project / "texts" / "brief.pdf").write_bytes(typst.compile(str(source)))
    path = project / "data" / "sources" / "sources.yaml"
    path.write_text(path.read_text().replace("- id: brief-2024\n",
                                             "- id: brief-2024\n  text: brief.pdf\n"))
    rec = project / "data" / "recommendations" / "recommendations.yaml"
    rec.write_text(rec.read_text().replace('section: "Recommendations", items: "3"', "page: 3"))
    code, err, out = run(capsys)
    assert code == 1
    assert "checked figures 2, page pinpoints 1, recommendations 1;" in out
    assert [line for line in err if "error" in line] == [
        "data/recommendations/recommendations.yaml:7:34: error: wrong page; expected page 2, "
        "where the words stand in brief-2024's text, got page 3"]


def test_a_finding_that_copies_its_source_or_misquotes_it_is_located(project, capsys):
    with_texts(project)
    path = project / "data" / "findings" / "findings.yaml"
    path.write_text(path.read_text().replace(
        "The COI found an *almost complete* denial of freedom of religion.",
        "The commission found an almost complete denial of the right to freedom of thought, "
        "conscience and religion, and \"an utter denial\" of it."))
    code, err, _ = run(capsys)
    assert code == 1
    assert [line for line in err if "error" in line] == [
        "data/findings/findings.yaml:2:9: error: finding copies coi-2014's words outside "
        "quotation marks: \"The commission found an almost complete denial of the right to "
        "freedom\"; expected the project's own words, or the words in quotation marks",
        "data/findings/findings.yaml:2:9: error: quoted phrase \"an utter denial\" not found word "
        "for word in coi-2014's text; expected the source's words, got none there (nearest "
        "passage (page 2): \"complete denial of the\")"]
