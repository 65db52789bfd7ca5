"""Primary sources: an evidence may name the document its source reports (the COI report
behind a briefing's account); audiences with ``primary-sources: true`` cite that instead."""

from __future__ import annotations

from pathlib import Path

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset

from conftest import problems, write

FINDINGS = """\
- id: coi-via-briefing
  text: The inquiry found crimes against humanity.
  themes: [religion]
  confidence: un-established
  evidence:
    - {source: brief-2024, section: "Commission of Inquiry", primary: {source: coi-2014}}
- id: coi-para-via-briefing
  text: The inquiry found no parallel.
  themes: [religion]
  confidence: un-established
  evidence:
    - {source: brief-2024, note: "1", primary: {source: coi-2014, paragraph: "80"}}
- id: briefing-own
  text: The briefing's own finding.
  themes: [religion]
  confidence: documented
  evidence:
    - {source: brief-2024, section: "Prison camps"}
"""


def markdown(project: Path, primary: bool) -> str:
    write(project, "data/findings/findings.yaml", FINDINGS)
    write(project, "templates/plain/audience.yaml",
          f"label: A\nstyle: un\nprimary-sources: {'true' if primary else 'false'}\n")
    dataset = load_dataset(Path("data"))
    return stages_of(load_brief(Path("briefs/b.yaml"), dataset, Path("templates")),
                      dataset).markdown


def test_an_audience_citing_primary_sources_cites_the_un_document(project):
    text = markdown(project, primary=True)
    assert "The inquiry found crimes against humanity. [@coi-2014]" in text
    assert "The inquiry found no parallel. [@coi-2014, paragraph 80]" in text
    assert "The briefing's own finding. [@brief-2024, {section Prison camps}]" in text


def test_other_audiences_cite_the_report_the_evidence_names(project):
    text = markdown(project, primary=False)
    assert "crimes against humanity. [@brief-2024, {section Commission of Inquiry}]" in text
    assert "no parallel. [@brief-2024, note 1]" in text


def test_a_primary_source_must_exist_and_take_one_locator_at_most(workdir):
    write(workdir, "data/findings/findings.yaml", FINDINGS.replace(
        "primary: {source: coi-2014}", "primary: {source: coi-2041}").replace(
        'primary: {source: coi-2014, paragraph: "80"}',
        'primary: {source: coi-2014, paragraph: "80", page: "4"}'))
    assert problems() == [
        "data/findings/findings.yaml:6:80: error: unknown source 'coi-2041'; did you mean "
        "'coi-2014'?",
        "data/findings/findings.yaml:12:48: error: a primary source takes at most one "
        "locator; expected one of page, paragraph, section, note, got page, paragraph",
    ]
