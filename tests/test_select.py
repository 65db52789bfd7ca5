"""Selection is a pure function: the same dataset and rules give the same records, in order."""

from __future__ import annotations

from pathlib import Path

from briefgen.brief import Rule, Selection
from briefgen.dataset import Finding, Recommendation, Theme
from briefgen.validate import load_dataset
from briefgen.select import period_bounds, pick, select

from conftest import problems

THEMES = ["religion", "detention", "food"]


def finding(id, themes, period=None, confidence="documented", source="coi-2014"):
    data = {"id": id, "text": f"Text of {id}.", "themes": themes, "confidence": confidence,
            "evidence": [{"source": source, "paragraph": "1"}]}
    if period:
        data["period"] = period
    return Finding.model_validate(data)


def rec(id, addressees, themes=("religion",)):
    return Recommendation.model_validate({
        "id": id, "text": f"Do {id}.", "addressees": list(addressees), "themes": list(themes),
        "evidence": [{"source": "brief-2024", "section": "Recommendations"}]})


FINDINGS = [
    finding("a", ["detention"], "2019", source="hrw-2019"),
    finding("b", ["religion"], "2014", "un-established"),
    finding("c", ["food", "religion"], "2007/2017", "survey", source="csw-2018"),
    finding("d", ["religion"]),
    finding("e", ["food"], "2020-09"),
]


def ids(records):
    return [r.id for r in records]


def run(**rule):
    return ids(pick(FINDINGS, Rule.model_validate(rule), THEMES))


def test_an_empty_rule_picks_every_record_in_dataset_order():
    assert run() == ["a", "b", "c", "d", "e"]


def test_themes_are_alternatives():
    assert run(themes=["religion"]) == ["b", "c", "d"]
    assert run(themes=["religion", "detention"]) == ["a", "b", "c", "d"]


def test_keys_combine_all_of():
    assert run(themes=["religion"], confidence=["survey", "documented"]) == ["c", "d"]
    assert run(themes=["religion"], sources=["coi-2014"]) == ["b", "d"]


def test_period_overlap_and_records_without_period_left_out():
    assert run(period={"from": "2015"}) == ["a", "c", "e"]
    assert run(period={"to": "2014-12"}) == ["b", "c"]
    assert run(period={"from": "2020-09-30", "to": "2021"}) == ["e"]


def test_include_alone_picks_exactly_those_in_the_order_listed():
    assert run(include=["e", "a", "e"]) == ["e", "a"]


def test_include_adds_to_filters_and_exclude_removes():
    assert run(themes=["detention"], include=["e"]) == ["e", "a"]
    assert run(themes=["religion"], exclude=["c"]) == ["b", "d"]
    assert run(include=["b"], exclude=["b"]) == []


def test_order_by_date_oldest_first_undated_last():
    assert run(order="date") == ["c", "b", "a", "e", "d"]


def test_order_by_theme_follows_the_rule_then_the_vocabulary():
    assert run(order="theme") == ["b", "c", "d", "a", "e"]
    assert run(order="theme", themes=["food", "religion"]) == ["c", "e", "b", "d"]


def test_limit_cuts_after_ordering():
    assert run(order="date", limit=2) == ["c", "b"]


def test_addressees_pick_recommendations():
    recs = [rec("r1", ["uk"]), rec("r2", ["dprk", "uk"]), rec("r3", ["china"])]
    assert ids(pick(recs, Rule(addressees=["dprk", "china"]), THEMES)) == ["r2", "r3"]


class FakeDataset:
    def __init__(self, **records):
        self._records = records

    def records(self, kind):
        return self._records.get(kind, [])


def test_select_leaves_out_kinds_the_brief_does_not_name_and_is_repeatable():
    themes = [Theme(id=t, label=t) for t in THEMES]
    dataset = FakeDataset(themes=themes, findings=FINDINGS, recommendations=[rec("r1", ["uk"])])
    selection = Selection.model_validate({"findings": {"themes": ["food"]}})
    first = select(dataset, selection)
    assert ids(first.findings) == ["c", "e"]
    assert first.recommendations == () and first.quotes == ()
    assert select(dataset, selection) == first


def test_period_bounds():
    assert period_bounds("2014") == ("2014-01-01", "2014-12-31")
    assert period_bounds("2007/2017-03") == ("2007-01-01", "2017-03-31")


# --- recommendations several sources make ---------------------------------------------------

def test_recommendations_linked_by_same_as_appear_once_citing_every_source():
    from briefgen.brief import load_brief
    from conftest import ROOTS

    frozen = ROOTS / "bundled"          # the bundled briefs as frozen for the tests
    dataset = load_dataset(frozen / "data")
    loaded = load_brief(frozen / "briefs/un-upr-dprk.yaml", dataset, frozen / "templates")
    recs = select(dataset, loaded.brief.select).recommendations
    ids = [r.id for r in recs]
    assert "csw-briefing-2024-dprk-release-prison-camp-detainees" in ids
    assert "ohchr-2020-bm-21" not in ids
    # the brief excludes CSW's item 11, so OHCHR's benchmark 30, its same-as, stands alone
    assert "ohchr-2020-bm-30" in ids
    merged = recs[ids.index("csw-briefing-2024-dprk-release-prison-camp-detainees")]
    assert merged.text == dataset.get(merged.id).text     # the first source's words, quoted
    assert [e.source for e in merged.evidence] == ["csw-briefing-2024", "ohchr-2020"]
    assert merged.same_as == ["ohchr-2020-bm-21"]
    assert len({r.text for r in recs}) == len(recs)


def test_same_as_links_join_through_a_third_record_and_keep_the_first_place(workdir):
    recs = workdir / "data/recommendations/recommendations.yaml"
    recs.write_text(recs.read_text() + """
- id: free-detainees
  text: Free those held in the camps.
  addressees: [uk]
  themes: [detention]
  evidence: [{source: coi-2014, paragraph: "90"}]
  same-as: [camps-emptied]
- id: camps-emptied
  text: Empty the camps.
  addressees: [dprk]
  themes: [detention]
  evidence: [{source: coi-2014, paragraph: "91"}]
  same-as: [release-prisoners]
""")
    dataset = load_dataset(Path("data"))
    rule = Rule(themes=["detention"])
    merged = pick(dataset.records("recommendations"), rule, [], merge=True)
    assert [r.id for r in merged] == ["release-prisoners"]
    assert merged[0].addressees == ["dprk", "uk"]
    assert [(e.paragraph or e.section, e.items) for e in merged[0].evidence] == [
        ("Recommendations", "3"), ("90", None), ("91", None)]
    assert [r.id for r in pick(dataset.records("recommendations"), rule, [])] == [
        "release-prisoners", "free-detainees", "camps-emptied"]


def test_a_same_as_link_to_a_missing_recommendation_is_located(workdir):
    recs = workdir / "data/recommendations/recommendations.yaml"
    recs.write_text(recs.read_text() + "  same-as: [release-prisoner]\n")
    found = problems()
    assert len(found) == 1 and found[0].startswith("data/recommendations/recommendations.yaml:")
    assert "release-prisoner" in found[0]


def test_a_lead_in_is_never_picked_by_a_filter_only_by_include():
    """Text that introduces recommendations ("these recommendations ... can be used as
    benchmarks") asks nothing: a brief selecting recommendations by addressee or theme
    does not print it as one."""
    lead = Recommendation.model_validate({
        "id": "intro", "text": "These recommendations can be used as benchmarks.",
        "addressees": ["dprk"], "themes": ["religion"], "lead-in": True,
        "evidence": [{"source": "brief-2024", "section": "Recommendations"}]})
    recs = [lead, rec("x", ["dprk"])]
    assert ids(pick(recs, Rule.model_validate({"addressees": ["dprk"]}), THEMES)) == ["x"]
    assert ids(pick(recs, Rule.model_validate({}), THEMES)) == ["x"]
    assert ids(pick(recs, Rule.model_validate({"include": ["intro"]}), THEMES)) == ["intro"]
