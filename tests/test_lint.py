"""Lint after compose: what reads wrong in a document though each record in it is right."""

from __future__ import annotations

from pathlib import Path

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.cli import main
from briefgen.validate import load_dataset
from briefgen.model import plain_text

from conftest import write

RECS = """\
- id: release-prisoners
  text: Release all persons detained in prison camps.
  addressees: [dprk]
  themes: [detention]
  evidence:
    - {source: brief-2024, section: "Recommendations, item 3"}
  overlaps: [free-missionaries]
- id: free-missionaries
  text: Release the missionaries Kim Kook-ki and Choi Chun-gil.
  addressees: [dprk]
  themes: [detention]
  evidence:
    - {source: coi-2014, paragraph: "90"}
"""

TEMPLATE = """\
{% for group in by_addressee(recommendations) %}
{% for made in by_source(group.records) %}
{{ made.label }} {{ "recommend" if made.plural else "recommends" }} that the {{ group.label }}:

{% for rec in made.records %}
- “{{ rec.text }}” {{ cite(rec) }}
{% endfor %}

{% endfor %}
{% endfor %}
"""


def build(path: str = "briefs/b.yaml"):
    dataset = load_dataset(Path("data"))
    work = stages_of(load_brief(Path(path), dataset, Path("templates")), dataset)
    return plain_text(work.document.blocks), [str(w) for w in work.warnings]


def test_recommendations_are_printed_under_their_authors_names(project):
    write(project, "data/recommendations/recommendations.yaml", RECS)
    write(project, "templates/plain/content.md.j2", TEMPLATE)
    text, _ = build()
    assert "Christian Solidarity Worldwide recommends that the Government of North Korea:" in text
    assert "UN Human Rights Council recommends that the Government of North Korea:" in text


def test_two_overlapping_recommendations_printed_together_are_a_warning(project, capsys):
    write(project, "data/recommendations/recommendations.yaml", RECS)
    _, warnings = build()
    assert warnings == [
        "briefs/b.yaml:10:20: warning: brief prints recommendations 'release-prisoners' and "
        "'free-missionaries', which overlap (marked at "
        "data/recommendations/recommendations.yaml:7:13); expected one of them, got both "
        "(exclude the other)"]
    assert main(["build", "briefs/b.yaml", "--format", "md", "--strict", "--out", "out"]) == 1
    brief = Path("briefs/b.yaml")
    brief.write_text(brief.read_text().replace("recommendations: {}",
                                               "recommendations: {exclude: [free-missionaries]}"))
    assert build()[1] == []


def test_an_overlap_naming_no_recommendation_is_located(project):
    from conftest import problems
    write(project, "data/recommendations/recommendations.yaml",
          RECS.replace("overlaps: [free-missionaries]", "overlaps: [free-missionary]"))
    assert problems() == [
        "data/recommendations/recommendations.yaml:7:14: error: unknown recommendation "
        "'free-missionary'; did you mean 'free-missionaries'?"]


# --- repetition ---------------------------------------------------------------------------

def test_a_template_printing_a_record_twice_is_a_warning(project):
    write(project, "templates/plain/content.md.j2",
          "{% for f in findings %}- {{ f.text }}\n{% endfor %}\n\n"
          "{% for f in findings %}{{ f.text }} {{ cite(f) }}\n\n{% endfor %}")
    assert build()[1] == [
        "templates/plain/content.md.j2: warning: the document prints finding "
        "'no-religious-freedom' twice; expected each record once, got it again (the template "
        "prints it, brief briefs/b.yaml)"]


def test_the_brief_s_own_sentence_restating_a_selected_record_is_a_warning(project):
    brief = Path("briefs/b.yaml")
    brief.write_text(brief.read_text() + (
        "introduction: |\n"
        "  Religion is not free. Freedom of religion was, the COI found, denied almost\n"
        "  completely [@coi-2014, paragraph 80].\n"))
    assert build()[1] == [
        "briefs/b.yaml:11:15: warning: the brief's 'introduction' restates "
        "'no-religious-freedom' (data/findings/findings.yaml:1:3), which the document prints "
        "too; expected each point once, got \"Freedom of religion was, the COI found, denied "
        "almost completely .\""]


def test_restates_measures_shared_content_words_not_shared_subjects():
    from briefgen.lint import restates
    record = ("The 2014 COI concluded that the government of North Korea had committed crimes "
              "against humanity, among them extermination, murder, enslavement and torture.")
    assert restates("The Commission of Inquiry's report of 2014 found crimes against humanity "
                    "by the North Korean government: extermination, murder, enslavement, "
                    "torture.", record)
    assert not restates("In 2014 the COI reported on North Korea.", record)
    assert not restates("Crimes against humanity call for a referral to the International "
                        "Criminal Court by the Security Council.", record)
