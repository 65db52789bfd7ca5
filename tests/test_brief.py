"""Brief files are validated like the dataset: every problem, located, in one run."""

from __future__ import annotations

from pathlib import Path

from briefgen.brief import date_text, load_brief
from briefgen.validate import load_dataset

from conftest import BRIEF, brief_problems, write


def test_the_test_brief_is_valid(project):
    loaded = load_brief(Path("briefs/b.yaml"), load_dataset(Path("data")), Path("templates"))
    assert loaded.name == "b"
    assert loaded.style == "uk-oscola"
    assert loaded.audience.numbered_paragraphs is False


def test_unknown_key_with_hint(project):
    write(project, "briefs/b.yaml", BRIEF + "titel: x\n")
    assert brief_problems() == [
        "briefs/b.yaml:11:1: error: unknown key 'titel' in brief; did you mean 'title'?"]


def test_missing_required_keys(project):
    write(project, "briefs/b.yaml", "title: x\nselect: {}\n")
    assert brief_problems() == [
        "briefs/b.yaml:1:1: error: missing key 'audience'; expected every brief to have 'audience'",
        "briefs/b.yaml:1:1: error: missing key 'date'; expected every brief to have 'date'",
        "briefs/b.yaml:1:1: error: missing key 'organisations'; expected every brief to have 'organisations'",
    ]


def test_references_in_rules_are_checked_with_their_positions(project):
    write(project, "briefs/b.yaml", BRIEF.replace(
        "  findings: {}", "  findings: {themes: [religon], include: [witness-cross, nope]}").replace(
        "  quotes: {}", "  quotes: {addressees: [uk]}"))
    assert brief_problems() == [
        "briefs/b.yaml:7:23: error: unknown theme 'religon'; did you mean 'religion'?",
        "briefs/b.yaml:7:43: error: wrong kind of id in 'include'; expected a finding, "
        "got the quote 'witness-cross'",
        "briefs/b.yaml:7:58: error: unknown finding 'nope'; expected the id of one of the 1 findings",
        "briefs/b.yaml:8:24: error: 'addressees' selects recommendations only; expected it under "
        "'recommendations', got it under 'quotes'",
    ]


def test_missing_template_and_style(project):
    write(project, "briefs/b.yaml", BRIEF.replace("audience: plain", "audience: plian")
          .replace("style: uk-oscola", "style: uk-oscla"))
    assert brief_problems() == [
        "briefs/b.yaml:2:11: error: unknown audience 'plian' (no templates/plian/content.md.j2); "
        "did you mean 'plain'?",
        "briefs/b.yaml:5:8: error: unknown citation style 'uk-oscla'; expected uk-oscola or un, "
        "the path of a .csl file, or the name of one in styles/ or "
        "/usr/share/citation-style-language/styles; did you mean 'uk-oscola'?",
    ]


def test_a_csl_file_next_to_the_brief_is_a_style(project):
    house = Path(__file__).parent.parent / "src/briefgen/styles/un.csl"
    write(project, "briefs/styles/mine.csl", house.read_text(encoding="utf-8"))
    write(project, "briefs/b.yaml", BRIEF.replace("style: uk-oscola", "style: styles/mine.csl"))
    loaded = load_brief(Path("briefs/b.yaml"), load_dataset(Path("data")), Path("templates"))
    assert loaded.style == str(Path("briefs/styles/mine.csl"))


def test_limits_and_date_types(project):
    write(project, "briefs/b.yaml", BRIEF.replace('date: "2026-12-03"', 'date: "2026-12"')
          + "limits: {words: lots, pages: 0}\n")
    assert brief_problems() == [
        "briefs/b.yaml:3:7: error: invalid 'date'; expected a full date written YYYY-MM-DD, "
        "got a string ('2026-12')",
        "briefs/b.yaml:11:17: error: wrong type for 'words'; expected a whole number, got a string ('lots')",
        "briefs/b.yaml:11:30: error: invalid 'pages'; expected at least 1, got a number (0)",
    ]


def test_an_unknown_format_is_refused(project):
    write(project, "briefs/b.yaml", BRIEF + "formats: [docx, odt]\n")
    problems = brief_problems()
    assert len(problems) == 1 and problems[0].startswith("briefs/b.yaml:11:17: error: invalid 'formats'")
    assert "expected one of docx, pdf, html or md, got a string ('odt')" in problems[0]


def test_two_briefs_with_one_output_name(project):
    write(project, "briefs/c.yaml", BRIEF + "output: b\n")
    from briefgen.brief import load_briefs
    from briefgen.errors import ValidationError
    import pytest

    with pytest.raises(ValidationError) as err:
        load_briefs([Path("briefs/b.yaml"), Path("briefs/c.yaml")], load_dataset(Path("data")),
                    Path("templates"))
    assert [str(p) for p in err.value.problems] == [
        "briefs/c.yaml:11:9: error: output name 'b' is taken; expected a name of its own, "
        "got the one of briefs/b.yaml"]


def test_date_text_is_british_whatever_the_locale():
    assert date_text("2014-02-07") == "7 February 2014"
    assert date_text("2026-12-03") == "3 December 2026"


def test_a_broken_csl_file_is_found_by_check(project):
    write(project, "briefs/bad.csl", "<style>\n")
    write(project, "briefs/b.yaml", BRIEF.replace("style: uk-oscola", "style: bad.csl"))
    assert brief_problems() == [
        "briefs/bad.csl:2:1: error: not a CSL style: Premature end of data in tag style line 1"]


def test_a_reference_docx_must_be_a_word_file(project):
    write(project, "briefs/ref.docx", "not a zip")
    write(project, "briefs/b.yaml", BRIEF + "reference-docx: ref.docx\n")
    assert brief_problems() == [
        "briefs/b.yaml:11:17: error: reference document briefs/ref.docx is not a Word file; "
        "expected a .docx (a zip package with word/document.xml), got another kind of file"]
    write(project, "briefs/b.yaml", BRIEF + "reference-docx: missing.docx\n")
    assert brief_problems() == [
        "briefs/b.yaml:11:17: error: no reference document briefs/missing.docx; expected a "
        ".docx file, got nothing there"]
