"""Stage 2: each record kind's schema, with every message asserted in full."""

from pathlib import Path

import pytest

from briefgen.validate import load_dataset
from conftest import problems, write

FINDING = """\
- id: f1
  text: A finding.
  themes: [religion]
  confidence: anecdotal
  evidence:
    - {source: coi-2014, page: "4"}
"""


def test_minimal_dataset_is_valid(workdir):
    dataset = load_dataset(Path("data"))
    assert dataset.counts() == {
        "themes": 2, "actors": 2, "benchmark-groups": 1, "sources": 2,
        "findings": 1, "statistics": 1, "quotes": 1, "recommendations": 1,
        "abbreviations": 0, "names": 0,     # optional vocabularies, absent here
    }
    finding = dataset.get("no-religious-freedom")
    assert finding.evidence[0].locator == ("paragraph", "80")
    assert dataset.get("coi-2014").issued == "2014-02-07"  # unquoted YAML date kept as written
    assert dataset.get("release-prisoners").status[0].evidence[0].page == "4"  # number as text


@pytest.mark.parametrize("text, expected", [
    (FINDING.replace("themes:", "theme:"),
     "data/findings/x.yaml:3:3: error: unknown key 'theme' in finding; did you mean 'themes'?"),
    (FINDING + "  colour: red\n",
     "data/findings/x.yaml:7:3: error: unknown key 'colour' in finding; expected one of "
     "confidence, evidence, id, period, quotes, statistics, text, themes"),
    (FINDING.replace("  confidence: anecdotal\n", ""),
     "data/findings/x.yaml:1:3: error: missing key 'confidence'; expected every finding to have "
     "'confidence'"),
    (FINDING.replace("id: f1", "id: F_1"),
     "data/findings/x.yaml:1:7: error: invalid 'id'; expected lower-case letters and digits in "
     "words joined by hyphens, like 'coi-2014', got a string ('F_1')"),
    (FINDING.replace("text: A finding.", 'text: ""'),
     "data/findings/x.yaml:2:9: error: 'text' is empty; expected at least one character"),
    (FINDING.replace("text: A finding.", "text: [a, list]"),
     "data/findings/x.yaml:2:9: error: wrong type for 'text'; expected text, got a list"),
    (FINDING.replace("[religion]", "religion"),
     "data/findings/x.yaml:3:11: error: wrong type for 'themes'; expected a list, got a string "
     "('religion')"),
    (FINDING.replace("anecdotal", "anecdotla"),
     "data/findings/x.yaml:4:15: error: invalid 'confidence'; expected one of un-established, "
     "official, documented, survey, multiple-testimonies, single-testimony or anecdotal, got a "
     "string ('anecdotla'); did you mean 'anecdotal'?"),
    (FINDING + '  period: "2014-13"\n',
     "data/findings/x.yaml:7:11: error: invalid 'period'; expected a date (YYYY, YYYY-MM or "
     "YYYY-MM-DD) or an interval START/END, got a string ('2014-13')"),
    (FINDING.replace('{source: coi-2014, page: "4"}', "{source: coi-2014}"),
     "data/findings/x.yaml:6:7: error: evidence needs one locator, with or without items; "
     "expected one of page, paragraph, section, note, chapter, figure, table, line, benchmark, "
     "interview or items, got none"),
    (FINDING.replace('page: "4"', 'page: "4", note: "2"'),
     "data/findings/x.yaml:6:7: error: evidence needs one locator, with or without items; "
     "expected one of page, paragraph, section, note, chapter, figure, table, line, benchmark, "
     "interview or items, got page, note"),
    (FINDING.replace('evidence:\n    - {source: coi-2014, page: "4"}\n', "evidence: []\n"),
     "data/findings/x.yaml:5:13: error: 'evidence' is empty; expected at least one item"),
    (FINDING.replace('{source: coi-2014, page: "4"}', '{sourse: coi-2014, page: "4"}'),
     "data/findings/x.yaml:6:8: error: unknown key 'sourse' in evidence; did you mean 'source'?"),
])
def test_finding_schema_errors(workdir, text, expected):
    write(workdir, "data/findings/x.yaml", text)
    assert problems() == [expected]


def test_records_and_items_of_the_wrong_type(workdir):
    write(workdir, "data/findings/x.yaml", "- just text\n- [a, b]\n"
          + FINDING.replace('- {source: coi-2014, page: "4"}', "- coi-2014") + "  quotes: [[1]]\n")
    assert problems() == [
        "data/findings/x.yaml:1:3: error: wrong type for a finding; expected a mapping, got a "
        "string ('just text')",
        "data/findings/x.yaml:2:3: error: wrong type for a finding; expected a mapping, got a list",
        "data/findings/x.yaml:8:7: error: wrong type for an item of 'evidence'; expected a mapping, "
        "got a string ('coi-2014')",
        "data/findings/x.yaml:9:12: error: wrong type for an item of 'quotes'; expected text, got a list",
    ]


def test_every_problem_in_a_file_is_reported_at_once(workdir):
    bad = FINDING.replace("themes:", "theme:")
    write(workdir, "data/findings/x.yaml", bad + bad.replace("f1", "f2").replace("anecdotal", "high"))
    lines = problems()
    assert len(lines) == 3  # two misspelt keys, one bad confidence
    assert [line.split(":")[1] for line in lines] == ["3", "9", "10"]


def test_statistic_schema_errors(workdir):
    write(workdir, "data/statistics/x.yaml", """\
- id: s1
  kind: poll
  title: Q
  themes: [detention]
  unit: percent
  values: [{label: no, value: 50}, {label: b, value: "50"}]
  evidence: [{source: coi-2014, page: 1}]
""")
    assert problems() == [
        "data/statistics/x.yaml:2:9: error: invalid 'kind'; expected one of survey or count, "
        "got a string ('poll')",
        "data/statistics/x.yaml:6:20: error: wrong type for 'label'; expected text, got a boolean "
        "(false) (put it in quotes: YAML reads yes, no, on and off as true or false)",
        "data/statistics/x.yaml:6:54: error: wrong type for 'value'; expected a number, got a "
        "string ('50')",
    ]


def test_source_schema_errors(workdir):
    write(workdir, "data/sources/x.yaml", """\
- id: s1
  type: reprot
  title: T
  author: [{given: Only}, {literal: X, family: Y}]
  issued: 14 May 2020
  url: http://example.org
  abstrakt: Summary
""")
    assert problems() == [
        "data/sources/x.yaml:2:9: error: invalid 'type'; expected one of "
        "article, article-journal, article-magazine, article-newspaper, bill, book, broadcast, "
        "chapter, dataset, document, entry, entry-encyclopedia, hearing, interview, legal_case, "
        "legislation, manuscript, motion_picture, pamphlet, personal_communication, post, "
        "post-weblog, regulation, report, speech, standard, thesis, treaty or webpage, got a "
        "string ('reprot'); did you mean 'report'?",
        "data/sources/x.yaml:4:12: error: a name needs either 'family' (a person) or 'literal' "
        "(an institution); expected one of them, got neither",
        "data/sources/x.yaml:4:27: error: a name needs either 'family' (a person) or 'literal' "
        "(an institution); expected one of them, got both",
        "data/sources/x.yaml:5:11: error: invalid 'issued'; expected a date written YYYY, YYYY-MM "
        "or YYYY-MM-DD, got a string ('14 May 2020')",
        "data/sources/x.yaml:7:3: error: unknown key 'abstrakt' in source; did you mean "
        "'abstract'?",
    ]


def test_recommendation_schema_errors(workdir):
    write(workdir, "data/recommendations/x.yaml", """\
- id: r1
  text: Do something.
  addressees: []
  themes: [detention]
  benchmark: {number: "21", group: detention-reform}
  evidence: [{source: coi-2014, page: 1}]
  status: [{date: "2017", status: done, evidence: [{source: coi-2014, page: 1}]}]
""")
    assert problems() == [
        "data/recommendations/x.yaml:3:15: error: 'addressees' is empty; expected at least one item",
        "data/recommendations/x.yaml:5:23: error: wrong type for 'number'; expected a whole number, "
        "got a string ('21')",
        "data/recommendations/x.yaml:7:35: error: invalid 'status'; expected one of met, "
        "partially-met, not-met or unknown, got a string ('done')",
    ]


@pytest.mark.parametrize("text, expected", [
    ("", "data/quotes/x.yaml:1:1: error: wrong top level; expected a list of quotes, got nothing "
         "(an empty file)"),
    ("{id: q}\n", "data/quotes/x.yaml:1:1: error: wrong top level; expected a list of quotes, "
                  "got a mapping"),
])
def test_file_must_hold_a_list(workdir, text, expected):
    write(workdir, "data/quotes/x.yaml", text)
    assert problems() == [expected]


def test_misspelt_kind_folder_is_reported(workdir):
    write(workdir, "data/finding/x.yaml", FINDING)
    assert problems() == [
        "data/finding: error: unexpected folder 'finding' in the data folder; did you mean 'findings'?"
    ]


def test_missing_vocabulary_file(workdir):
    (workdir / "data/actors.yaml").unlink()
    assert "data/actors.yaml: error: missing file; expected the actors vocabulary here" in problems()


def test_yaml_errors_come_with_schema_errors_of_other_files(workdir):
    write(workdir, "data/findings/x.yaml", "- id: a\n  id: b\n")
    write(workdir, "data/quotes/y.yaml", FINDING.replace("themes:", "theme:"))
    lines = problems()
    assert ("data/findings/x.yaml:2:3: error: duplicate key 'id'; expected each key once in a "
            "mapping, got it again (first at line 1, column 3)") in lines
    assert any(line.startswith("data/quotes/y.yaml") for line in lines)


def test_a_duplicate_key_does_not_hide_the_other_problems_of_its_file(workdir):
    write(workdir, "data/findings/x.yaml", "- id: a\n  id: b\n")
    assert problems() == [
        "data/findings/x.yaml:1:3: error: missing key 'confidence'; expected every finding to "
        "have 'confidence'",
        "data/findings/x.yaml:1:3: error: missing key 'evidence'; expected every finding to have "
        "'evidence'",
        "data/findings/x.yaml:1:3: error: missing key 'text'; expected every finding to have 'text'",
        "data/findings/x.yaml:1:3: error: missing key 'themes'; expected every finding to have "
        "'themes'",
        "data/findings/x.yaml:2:3: error: duplicate key 'id'; expected each key once in a "
        "mapping, got it again (first at line 1, column 3)"]


def test_an_unreadable_file_is_one_problem_not_one_per_reference_to_it(workdir):
    write(workdir, "data/sources/sources.yaml", "- id: coi-2014\n  title: [unclosed\n")
    assert problems() == [
        "data/sources/sources.yaml:3:1: error: YAML syntax error: did not find expected ',' or "
        "']' (while parsing a flow sequence that starts at line 2, column 10)"]
