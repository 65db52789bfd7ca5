"""Facts of the four seed reports the bundled dataset is built from, not of briefgen.

These hold for the bundled data because of what the four reports say: CSW's 2018 survey and
its six questions, CSW's 2024 briefing and its sixteen recommendation bullets (two repeated),
HRW's chapter, and OHCHR's 2020 paper with its 32 benchmarks in seven groups, and the sources
the reports cite. They keep holding when an organisation adds its own sources and records
(``tests/test_own_evidence.py`` shows it); an organisation that replaces the seed reports
deletes this file. What holds for any dataset is in ``test_bundled_data.py`` and in
``briefgen verify``.

The seed texts are read from ../shared/seeds (or ``BRIEFGEN_SEEDS``); the data from
``data/`` (or ``BRIEFGEN_DATA``).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from briefgen.validate import load_dataset, normalise_text
from briefgen.verify import find_verbatim, normalise

PROJECT = Path(__file__).parent.parent
SEEDS = Path(os.environ.get("BRIEFGEN_SEEDS", PROJECT.parent / "shared" / "seeds"))
DATA = Path(os.environ.get("BRIEFGEN_DATA", PROJECT / "data"))
SEED_FILES = {
    "csw-2018": "000_b5e39caac3e63251.txt",
    "csw-briefing-2024": "001_8310c00d6e5db9ce.txt",
    "hrw-2019": "002_fddb6186e0e85242.txt",
    "ohchr-2020": "003_80f5baa3a8e3b33f.txt",
}
# Where the text extraction broke a sentence with list punctuation, the repaired form.
EXTRACTION_REPAIRS = {"including an\n\n- independent": "including an independent"}

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed reports not found at {SEEDS}")


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA)


SUPERSCRIPT_DIGITS = str.maketrans("", "", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")


def flat(text: str) -> str:
    """Text compared across extraction artefacts: one space, straight quotes, no emphasis or
    footnote marks (superscript digits)."""
    for broken, repaired in EXTRACTION_REPAIRS.items():
        text = text.replace(broken, repaired)
    text = text.translate(SUPERSCRIPT_DIGITS)
    text = text.replace("*", "").replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(text.split())


@pytest.fixture(scope="module")
def seeds():
    return {source: flat((SEEDS / name).read_text(encoding="utf-8")) for source, name in SEED_FILES.items()}


def seed_of(record) -> str | None:
    """The seed report a record cites, or None for a record of other evidence."""
    return next((e.source for e in record.evidence if e.source in SEED_FILES), None)


def test_every_seed_is_covered_by_findings(dataset):
    covered = Counter(seed_of(f) for f in dataset.records("findings") if any(
        e.source in SEED_FILES for e in f.evidence))
    assert set(covered) == set(SEED_FILES)
    assert min(covered.values()) >= 15


@needs_seeds
def test_quote_speakers_appear_in_their_seed(dataset, seeds):
    """A speaker is as the report prints it, or (where the report introduces the quotation in
    running text, "while another added:") the record's note quotes that introduction."""
    def introduced(q) -> bool:
        lead_ins = re.findall(r'"([^"]+)"', q.note or "")
        return bool(lead_ins) and all(flat(s) in seeds[seed_of(q)] for s in lead_ins)

    missing = [q.id for q in dataset.records("quotes")
               if seed_of(q) and q.speaker and flat(q.speaker) not in seeds[seed_of(q)]
               and not introduced(q)]
    assert missing == []


@needs_seeds
def test_no_quote_note_says_unattributed_where_the_report_names_a_speaker(dataset, seeds):
    """The shudder quotation is introduced by "another added": it has a speaker."""
    shudder = dataset.get("csw-2018-respondent-religion-shudder")
    assert shudder.speaker == "A respondent"
    assert "while another added:" in shudder.note


# --- seed 003: the 32 human rights benchmarks in seven groups ---------------------------------

def _annex(seed_text: str) -> dict[int, tuple[str, str]]:
    """Benchmark number -> (group numeral, text), read from the seed's annex."""
    annex = seed_text.split("Human Rights Benchmarks", 1)[1]
    for broken, repaired in EXTRACTION_REPAIRS.items():
        annex = annex.replace(broken, repaired)
    found, group = {}, None
    for line in annex.splitlines():
        heading = re.match(r"^(i|ii|iii|iv|v|vi|vii)\. ", line)
        item = re.match(r"^\s*(\d+)\. (.*)", line)
        if heading:
            group = heading.group(1)
        elif item:
            found[int(item.group(1))] = (group, item.group(2))
    return found


@needs_seeds
def test_benchmarks_are_the_32_of_the_annex_in_their_seven_groups(dataset):
    annex = _annex((SEEDS / SEED_FILES["ohchr-2020"]).read_text(encoding="utf-8"))
    groups = {g.id: g.number for g in dataset.records("benchmark-groups")}
    stored = {r.benchmark.number: r for r in dataset.records("recommendations") if r.benchmark}
    assert sorted(stored) == list(range(1, 33)) == sorted(annex)
    assert len({r.benchmark.group for r in stored.values()}) == 7
    for number, (numeral, text) in annex.items():
        record = stored[number]
        assert groups[record.benchmark.group] == numeral, number
        assert flat(record.text) == flat(text), number
        assert record.addressees == ["dprk"]
        assert [e.locator for e in record.evidence] == [("benchmark", str(number))]


def test_ohchr_recommendations_to_other_addressees(dataset):
    others = Counter(a for r in dataset.records("recommendations")
                     if seed_of(r) == "ohchr-2020" and not r.benchmark for a in r.addressees)
    assert others["international-community"] >= 5
    assert others["rok"] >= 2 and others["us"] >= 2


# --- seed 001: every recommendation, the two repeated ones stored once -------------------------

def _seed_001_recommendations() -> list[tuple[str, str]]:
    """(addressee, text) for every bullet of the briefing's recommendation lists, in order."""
    text = (SEEDS / SEED_FILES["csw-briefing-2024"]).read_text(encoding="utf-8")
    part = text.split("\nRecommendations\n", 1)[1]
    addressee, items = None, []
    for line in part.splitlines():
        if line.startswith("To the government of North Korea"):
            addressee = "dprk"
        elif line.startswith("To the government of the United Kingdom"):
            addressee = "uk"
        elif line.startswith("- ") and addressee:
            items.append((addressee, line[2:]))
    return items


@needs_seeds
def test_seed_001_recommendations_all_present_and_duplicates_stored_once(dataset):
    bullets = _seed_001_recommendations()
    assert len(bullets) == 16
    stored = [r for r in dataset.records("recommendations") if seed_of(r) == "csw-briefing-2024"]
    by_text = {(a, normalise_text(r.text)): r for r in stored for a in r.addressees}
    for addressee, text in bullets:
        assert (addressee, normalise_text(text)) in by_text, text
    assert len(stored) == len({(a, normalise_text(t)) for a, t in bullets}) == 14
    repeated = [r for r in stored if " and " in (r.evidence[0].items or "")]
    assert sorted(r.text for r in repeated) == [
        "End the violent, targeted persecution of Christians across the nation.",
        "Implement the recommendations of the COI report in their entirety.",
    ]


# --- seed 000: every survey statistic with its percentages ------------------------------------

# The six survey questions of seed 000 and their answers as printed. The chart for "What were
# most people's reasons for leaving North Korea in 2007, compared to now?" lost its figures in
# the text extraction (only its category labels survive), so it cannot be stored as a statistic.
SURVEYS_000 = {
    "How has bribery changed over the past ten years?": [42, 5, 18, 4, 3, 28],
    "How do you think access to information from outside North Korea has changed?": [34, 12, 28, 26],
    "How has the number of people being sent to a prison camp changed between 2007 and now, "
    "as far as you know?": [41, 12, 10, 37],
    "When you were living in North Korea, what did you know about human rights?": [48, 17, 25, 10],
    "How do you think the situation for religious believers has changed since 2007?":
        [3, 3, 13, 7, 17, 57],
}


def test_seed_000_survey_questions_with_every_percentage(dataset):
    surveys = {s.title: s for s in dataset.records("statistics")
               if s.kind == "survey" and seed_of(s) == "csw-2018"}
    assert {t: [v.value for v in s.values] for t, s in surveys.items()} == SURVEYS_000
    assert all(s.unit == "percent" for s in surveys.values())


@needs_seeds
def test_seed_000_survey_questions_and_answers_are_as_printed(dataset, seeds):
    for stat in dataset.records("statistics"):
        if stat.kind == "survey" and seed_of(stat) == "csw-2018":
            assert flat(stat.title) in seeds["csw-2018"]
            for value in stat.values:
                assert find_verbatim(normalise(value.label), normalise(seeds["csw-2018"])) \
                    is not None or flat(value.label) in seeds["csw-2018"], value.label


def test_seed_000_bribery_in_the_order_of_its_scale(dataset):
    bribery = dataset.get("csw-2018-bribery")
    assert [(v.label, v.value) for v in bribery.values] == [
        ("Bribery is much more common than it was in 2007", 42),
        ("Bribery is a little more common than it was in 2007", 5),
        ("Bribery is about as common as it was in 2007", 18),
        ("Bribery is a little less common than it was in 2007", 4),
        ("Bribery is much less common than it was in 2007", 3),
        ("I don\u2019t know", 28),
    ]


# --- sources: every report the seeds cite -----------------------------------------------------

CITED = ["coi-2014", "appg-2021", "csw-2007", "csw-2024", "reuters-2015", "bbc-2018",
         "pearson-tudor-2015", "park-link", "dprk-needs-2017", "ohchr-2019-price-is-rights",
         "ohchr-2020-i-still-feel-the-pain", "sg-2018", "panmunjom-declaration-2018",
         "pyongyang-declaration-2018", "singapore-joint-statement-2018", "iccpr", "icescr",
         "cedaw", "crc", "crpd", "rok-nkhr-act-2016"]


def test_sources_cited_by_the_seeds_are_present_with_where_they_are_cited(dataset):
    ids = {s.id: s for s in dataset.records("sources")}
    assert [i for i in CITED if i not in ids] == []
    assert [i for i in CITED if not ids[i].cited_in] == []
    assert set(SEED_FILES) <= set(ids)


def test_seed_001_references_are_all_sources(dataset):
    cited_by_001 = {s.id for s in dataset.records("sources")
                    for c in s.cited_in if c.source == "csw-briefing-2024"}
    assert cited_by_001 == {"coi-2014", "csw-2018", "appg-2021", "csw-2024", "bbc-2018"}


def test_recommendations_stand_under_their_own_lead_in(dataset):
    """OHCHR's two calls to the Republic of Korea and the United States follow their own
    lead-in ("In addition to the above recommendations, the Republic of Korea and the United
    States of America should:"), not "To the International Community"; and the sentences
    that introduce recommendations are marked as lead-ins, which no filter picks."""
    for rid in ("ohchr-2020-rok-us-1", "ohchr-2020-rok-us-2"):
        assert dataset.get(rid).evidence[0].section == (
            "VIII. Recommendations, To the Republic of Korea and the United States of America")
    lead_ins = {r.id for r in dataset.records("recommendations") if r.lead_in}
    assert lead_ins == {"ohchr-2020-dprk-benchmarks", "ohchr-2020-ic-benchmarks",
                        "ohchr-2020-family-reunions-urgent",
                        "ohchr-2020-abductions-foreign-detainees"}
