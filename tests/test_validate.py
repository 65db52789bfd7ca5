"""Stage 2: checks across records (ids, references, sums, duplicates), messages in full."""

from briefgen.validate import normalise_text
from conftest import problems, write

FINDING = """\
- id: f1
  text: A finding.
  themes: [religion]
  confidence: anecdotal
  evidence:
    - {source: coi-2014, page: "4"}
"""


def test_duplicate_id_across_files_names_both_places(workdir):
    write(workdir, "data/quotes/more.yaml", """\
- id: no-religious-freedom
  text: Words.
  speaker: Witness 2
  themes: [religion]
  evidence: [{source: coi-2014, note: "3"}]
""")
    assert problems() == [
        "data/quotes/more.yaml:1:7: error: duplicate id 'no-religious-freedom'; expected each id "
        "once across the dataset, got it again (first at data/findings/findings.yaml:1:7)"
    ]


def test_duplicate_id_is_found_even_in_a_record_with_other_errors(workdir):
    write(workdir, "data/findings/x.yaml", FINDING.replace("f1", "coi-2014").replace("themes:", "theme:"))
    lines = problems()
    assert "data/findings/x.yaml:1:7: error: duplicate id 'coi-2014'; expected each id once across " \
           "the dataset, got it again (first at data/sources/sources.yaml:1:7)" in lines


def test_dangling_references_of_every_kind(workdir):
    write(workdir, "data/findings/x.yaml", """\
- id: f1
  text: A finding.
  themes: [religon, prisoners]
  confidence: anecdotal
  evidence: [{source: coi-2015, page: "4"}]
  statistics: [nothing-like-it]
  quotes: [witness-cros]
""")
    write(workdir, "data/recommendations/x.yaml", """\
- id: r1
  text: Do something else.
  addressees: [dprk, chna]
  themes: [detention]
  benchmark: {number: 3, group: detention}
  evidence: [{source: coi-2014, page: "1"}]
  status: [{date: "2017", status: met, evidence: [{source: nowhere, page: "2"}]}]
""")
    write(workdir, "data/sources/x.yaml", """\
- id: s1
  type: report
  title: T
  cited-in: [{source: brief-2042, note: "1"}]
""")
    assert problems() == [
        "data/findings/x.yaml:3:12: error: unknown theme 'religon'; did you mean 'religion'?",
        "data/findings/x.yaml:3:21: error: wrong kind of reference; expected the id of a theme, "
        "got the statistic 'prisoners'",
        "data/findings/x.yaml:5:23: error: unknown source 'coi-2015'; did you mean 'coi-2014'?",
        "data/findings/x.yaml:6:16: error: unknown statistic 'nothing-like-it'; expected the id of "
        "one of the 1 statistics",
        "data/findings/x.yaml:7:12: error: unknown quote 'witness-cros'; did you mean 'witness-cross'?",
        "data/recommendations/x.yaml:3:22: error: unknown actor 'chna'; expected the id of one of "
        "the 2 actors",
        "data/recommendations/x.yaml:5:33: error: wrong kind of reference; expected the id of a "
        "benchmark group, got the theme 'detention'",
        "data/recommendations/x.yaml:7:60: error: unknown source 'nowhere'; expected the id of one "
        "of the 3 sources",
        "data/sources/x.yaml:4:23: error: unknown source 'brief-2042'; did you mean 'brief-2024'?",
    ]


STAT = """\
- id: s2
  kind: survey
  title: Q
  themes: [detention]
  unit: percent
  values: [{label: a, value: 50}, {label: b, value: 30}]
  evidence: [{source: coi-2014, page: "1"}]
"""


def test_percentages_must_sum_to_100(workdir):
    write(workdir, "data/statistics/x.yaml", STAT)
    assert problems() == [
        "data/statistics/x.yaml:6:11: error: percentages of 's2' do not add up; expected 100 "
        "(plus or minus 1) or a 'sum-note' saying why, got 80"
    ]


def test_percentages_within_one_point_or_explained_are_accepted(workdir):
    write(workdir, "data/statistics/x.yaml",
          STAT.replace("value: 30", "value: 49")
          + STAT.replace("s2", "s3") + "  sum-note: Respondents could choose two answers.\n"
          + STAT.replace("s2", "s4").replace("percent", "people"))
    assert problems() == []


def test_same_recommendation_to_same_addressee_twice(workdir):
    write(workdir, "data/recommendations/x.yaml", """\
- id: r1
  text: "RELEASE all persons  detained in prison camps"
  addressees: [uk, dprk]
  themes: [detention]
  evidence: [{source: brief-2024, section: "Recommendations, item 9"}]
""")
    assert problems() == [
        "data/recommendations/x.yaml:2:9: error: recommendation 'r1' repeats 'release-prisoners' "
        "(at data/recommendations/recommendations.yaml:2:9) to the same addressee 'dprk'; expected "
        "it stored once with one evidence entry per place it is made"
    ]


def test_same_text_to_another_addressee_is_not_a_duplicate(workdir):
    write(workdir, "data/recommendations/x.yaml", """\
- id: r1
  text: Release all persons detained in prison camps.
  addressees: [uk]
  themes: [detention]
  evidence: [{source: brief-2024, section: "Recommendations, item 9"}]
""")
    assert problems() == []


def test_normalised_text_ignores_case_spacing_quotes_and_end_stop():
    assert normalise_text("Stop charging  defectors with \u2018treachery\u2019.") == \
        normalise_text("stop charging defectors with 'treachery'")
    assert normalise_text("Release all") != normalise_text("Release some")
