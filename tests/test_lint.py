"""Lint after compose: what reads wrong in a document though each record in it is right."""

from __future__ import annotations

from pathlib import Path

from briefgen.brief import load_brief
from briefgen.build import run_stages
from briefgen.cli import main
from briefgen.dataset import load_dataset
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
    work = run_stages(load_brief(Path(path), dataset, Path("templates")), dataset)
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
