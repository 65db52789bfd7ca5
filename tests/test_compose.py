"""Composition: the template's Markdown, with data escaped and template errors located."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen import model as m
from briefgen.brief import load_brief
from briefgen.compose import ComposeError, cite, compose, escape_markdown
from briefgen.validate import load_dataset
from briefgen.parse import parse
from briefgen.select import select

from conftest import BRIEF, write

HOSTILE = [
    "{{ 7*7 }} and {% include 'x' %}",
    "# not a heading",
    "1. not a list",
    "2014) not a list either",
    "- not a bullet",
    "+ nor this",
    "> not a quote",
    "<script>alert(1)</script> &amp; &#65;",
    "[@coi-2014, paragraph 80] is not a citation",
    "*not emphasis* _nor this_ **nor bold** `nor code`",
    "[not a link](https://example.org) ![nor an image](x.png)",
    "| a | b |",
    "$x$ ~sub~ ^sup^ ~~strike~~",
    "a trailing backslash \\",
    "=== not a heading underline",
    "a line\n# break that would start a heading",
    "성분 and 관리소, עברית, emoji 🙂, e\u0301",
    "control \x0b character",
]


def composed_text(text):
    blocks = parse(f"Before {escape_markdown(text)} after.\n\n{escape_markdown(text)}\n")
    assert len(blocks) == 2 and all(isinstance(b, m.Paragraph) for b in blocks)
    return [m.plain_text(b.children) for b in blocks]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_data_reads_back_as_the_same_text(text):
    expected = text.replace("\n", " ")
    assert composed_text(text) == [f"Before {expected} after.", expected]


def test_escaping_is_minimal_for_plain_prose():
    assert escape_markdown("North Korea's camps, 2014.") == "North Korea's camps, 2014."


def run(project, template, brief=BRIEF):
    write(project, "templates/plain/content.md.j2", template)
    write(project, "briefs/b.yaml", brief)
    dataset = load_dataset(Path("data"))
    loaded = load_brief(Path("briefs/b.yaml"), dataset, Path("templates"))
    composed = compose(loaded, dataset, select(dataset, loaded.brief.select),
                       loaded.audience.numbered_paragraphs)
    return composed.markdown, composed.document


def test_a_finding_with_markup_and_template_code_stays_text(project):
    write(project, "data/findings/findings.yaml", (project / "data/findings/findings.yaml")
          .read_text().replace("text: The COI found an *almost complete* denial of freedom of religion.",
                               "text: '{{ 7*7 }} <script>x</script> # [@brief-2024] *star* \\x0b'"))
    markdown, doc = run(project, "{% for f in findings %}{{ f.text }}{% endfor %}\n")
    assert m.plain_text(doc.blocks) == \
        "{{ 7*7 }} <script>x</script> # [@brief-2024] *star* \\x0b"


def test_cite_joins_evidence_and_keeps_locators(project):
    dataset = load_dataset(Path("data"))
    finding = dataset.get("no-religious-freedom")
    rec = dataset.get("release-prisoners")
    assert cite(finding) == "[@coi-2014, paragraph 80]"
    assert cite(finding, rec) == "[@coi-2014, paragraph 80; @brief-2024, {section Recommendations}, item 3]"
    markdown, doc = run(project, "Claim {{ cite(findings[0]) }}.\n")
    assert doc.blocks[0].children[1] == m.Cite(
        (m.CiteItem("coi-2014", "paragraph", "80"),), "[@coi-2014, paragraph 80]")


def test_the_brief_free_text_is_markdown_with_citations(project):
    brief = BRIEF + "introduction: |\n  An *intro* [@coi-2014, page 4].\n"
    markdown, doc = run(project, "{{ introduction }}\n")
    assert doc.blocks == ()
    markdown, doc = run(project, "{{ introduction }}\n", brief)
    assert doc.blocks[0].children[1] == m.Emph((m.Text("intro"),))
    assert isinstance(doc.blocks[0].children[3], m.Cite)


def test_an_unknown_source_in_the_free_text_is_located(project):
    brief = BRIEF + "introduction: See [@coi-2041].\n"
    with pytest.raises(ComposeError) as err:
        run(project, "{{ introduction }}\n", brief)
    assert [str(p) for p in err.value.problems] == [
        "briefs/b.yaml:11:15: error: unknown source 'coi-2041' cited in 'introduction'; "
        "did you mean 'coi-2014'?"]


def test_template_syntax_error_names_file_and_line(project):
    with pytest.raises(ComposeError) as err:
        run(project, "# Title\n\n{% for f in findings %}\n{{ f.text }}\n")
    assert [str(p) for p in err.value.problems] == [
        "templates/plain/content.md.j2:4:1: error: template syntax error: Unexpected end of "
        "template. Jinja was looking for the following tags: 'endfor' or 'else'. The innermost "
        "block that needs to be closed is 'for'."]


def test_undefined_value_names_file_and_line(project):
    with pytest.raises(ComposeError) as err:
        run(project, "# Title\n\n{% for f in findings %}\n{{ f.txt }}\n{% endfor %}\n")
    assert [str(p) for p in err.value.problems] == [
        "templates/plain/content.md.j2:4:1: error: template uses an undefined value: "
        "a finding has no field 'txt'; did you mean 'text'?"]


@pytest.mark.parametrize("escape", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cite.__globals__ }}",
    "{{ brief.__class__.__init__.__globals__ }}",
])
def test_the_sandbox_refuses_python_internals(project, escape):
    with pytest.raises(ComposeError) as err:
        run(project, escape + "\n")
    (problem,) = err.value.problems
    assert str(problem).startswith("templates/plain/content.md.j2:1:1: error: template")
    assert "unsafe" in str(problem) or "undefined" in str(problem)


def test_groups_follow_the_brief_order(project):
    brief = BRIEF.replace("  recommendations: {}", "  recommendations: {addressees: [uk, dprk]}")
    template = "{% for g in by_addressee(recommendations) %}{{ g.label }}: {{ g.records | length }}\n{% endfor %}"
    write(project, "data/recommendations/more.yaml", """\
- id: uk-raise
  text: Raise it.
  addressees: [uk]
  themes: [religion]
  evidence: [{source: brief-2024, page: 2}]
""")
    markdown, doc = run(project, template, brief)
    assert markdown == "UK Government: 1\nGovernment of North Korea: 1\n"


def test_an_audience_with_numbered_paragraphs_numbers_top_level_paragraphs(project):
    from briefgen.build import stages_of

    write(project, "templates/plain/audience.yaml", "label: Plain\nnumbered-paragraphs: true\n")
    write(project, "templates/plain/content.md.j2", "# Head\n\nOne.\n\n- item\n\nTwo.\n")
    dataset = load_dataset(Path("data"))
    work = stages_of(load_brief(Path("briefs/b.yaml"), dataset, Path("templates")), dataset)
    assert [type(b).__name__ + ("#" if getattr(b, "numbered", False) else "")
            for b in work.document.blocks] == ["Heading", "Paragraph#", "BulletList", "Paragraph#"]


def test_audience_settings_are_validated(project):
    write(project, "templates/plain/audience.yaml", "label: Plain\nnumbered-paragraph: true\n")
    from conftest import brief_problems

    assert brief_problems() == [
        "templates/plain/audience.yaml:2:1: error: unknown key 'numbered-paragraph' in audience; "
        "did you mean 'numbered-paragraphs'?"]


def test_a_masthead_look_is_validated_where_it_is_written(project):
    write(project, "templates/plain/audience.yaml", "label: Plain\nmasthead:\n  looks:\n"
          "    heading: {size: 20}\n    occasion: {size: -3, bar: often}\n"
          "    organisation: {colour: blue}\n  beside-logo: top\n"
          "  closing-rule-gap: -2\n")
    from conftest import brief_problems

    problems = brief_problems()
    assert len(problems) == 6 and all(p.startswith("templates/plain/audience.yaml:") for p in problems)
    assert any(":4:" in p and "heading" in p for p in problems)          # not a line it sets
    assert any(":5:" in p and "size" in p and "-3" in p for p in problems)
    assert any(":5:" in p and "bar" in p for p in problems)               # a boolean, not text
    assert any(":6:" in p and "colour" in p and "headings" in p for p in problems)   # a brand's
    assert any(":7:" in p and "beside-logo" in p and "bottom" in p for p in problems)
    assert any(":8:" in p and "closing-rule-gap" in p and "-2" in p for p in problems)


def test_a_record_shows_a_template_its_fields_and_nothing_of_pydantic(project):
    for reach in ["f.parse_file('/etc/passwd')", "f.model_config", "f.model_copy()",
                  "f.__class__", "f._record"]:
        template = "{% for f in findings %}{{ " + reach + " }}{% endfor %}\n"
        with pytest.raises(ComposeError) as err:
            run(project, template)
        assert str(err.value.problems[0]).startswith("templates/plain/content.md.j2:1:1: error: ")
