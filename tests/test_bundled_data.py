"""The bundled dataset: valid, complete for the four seed reports, and exact.

Exactness is checked against the seed texts themselves (../shared/seeds, or the copy named by
BRIEFGEN_SEEDS): every quotation and recommendation must appear there word for word, and no
finding may copy a run of the report's words outside quotation marks.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from briefgen.dataset import load_dataset
from briefgen.validate import normalise_text

PROJECT = Path(__file__).parent.parent
SEEDS = Path(os.environ.get("BRIEFGEN_SEEDS", PROJECT.parent / "shared" / "seeds"))
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
    return load_dataset(PROJECT / "data")


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


def seed_of(record) -> str:
    return next(e.source for e in record.evidence if e.source in SEED_FILES)


def test_bundled_dataset_is_valid(dataset):
    counts = dataset.counts()
    assert counts["findings"] + counts["statistics"] + counts["quotes"] > 100
    assert all(counts[kind] > 0 for kind in counts)


def test_every_seed_is_covered_by_findings(dataset):
    covered = Counter(seed_of(f) for f in dataset.records("findings") if any(
        e.source in SEED_FILES for e in f.evidence))
    assert set(covered) == set(SEED_FILES)
    assert min(covered.values()) >= 15


def appears_verbatim(text: str, seed: str, max_breaks: int = 2) -> bool:
    """The text is in the seed word for word, allowing the extraction to have put up to
    `max_breaks` page breaks (running footnotes, headers) inside it."""
    text, start = flat(text).rstrip(".;"), 0
    for _ in range(max_breaks + 1):
        if seed.find(text, start) >= 0:
            return True
        cut, start = _longest_prefix(text, seed, start)
        if cut < 40:  # a break needs a real run of the quotation before it
            return False
        text = text[cut:].lstrip()
    return False


def _longest_prefix(text: str, seed: str, start: int) -> tuple[int, int]:
    """How much of the start of `text` is found (at whole words) in `seed` after `start`."""
    best, where = 0, start
    for end in (m.start() for m in re.finditer(r" ", text)):
        found = seed.find(text[:end], start)
        if found < 0:
            break
        best, where = end, found + end
    return best, where


def test_appears_verbatim_allows_page_breaks_but_not_changed_words():
    seed = flat("He said that the camps in the north were full of people ¹² Footnote text. "
                "and nobody could leave.")
    assert appears_verbatim("the camps in the north were full of people and nobody could leave", seed)
    assert not appears_verbatim("the camps in the north were full of people and somebody could leave", seed)
    assert not appears_verbatim("the camps were empty", seed)


@needs_seeds
@pytest.mark.parametrize("kind", ["quotes", "recommendations"])
def test_verbatim_texts_appear_in_their_seed(dataset, seeds, kind):
    missing = [r.id for r in dataset.records(kind)
               if any(e.source in SEED_FILES for e in r.evidence)
               and not appears_verbatim(r.text, seeds[seed_of(r)])]
    assert missing == []


@needs_seeds
def test_quote_speakers_appear_in_their_seed(dataset, seeds):
    missing = [q.id for q in dataset.records("quotes")
               if q.speaker and flat(q.speaker) not in seeds[seed_of(q)]]
    assert missing == []


QUOTED = re.compile(r"\"[^\"]+\"|(?<!\w)'.+?'(?!\w)")


def _copied_run(text: str, seed: str, words: int = 12) -> str | None:
    """A run of `words` words of a finding, outside its quotation marks and not a proper name
    (mostly capitalised words, like a treaty's title), that stands in the seed too."""
    tokens = QUOTED.sub(" | ", flat(text)).split()
    for i in range(len(tokens) - words + 1):
        run = tokens[i:i + words]
        capitalised = sum(t[:1].isupper() or t[:1] == "(" for t in run)
        if "|" not in run and capitalised < words / 2 and " ".join(run) in seed:
            return " ".join(run)
    return None


def test_copied_run_ignores_quotations_and_names_but_not_copied_prose():
    seed = flat("the regime has made no effort at all to uphold international human rights standards "
                "in the country, said the International Coalition to Stop Crimes Against Humanity "
                "in North Korea (ICNK) today")
    assert _copied_run("CSW: the regime has made no effort at all to uphold international human "
                       "rights standards", seed)
    assert not _copied_run("CSW says 'the regime has made no effort at all to uphold international "
                           "human rights standards'", seed)
    assert not _copied_run("In 2011 the International Coalition to Stop Crimes Against Humanity "
                           "in North Korea (ICNK) was founded", seed)


@needs_seeds
def test_findings_are_in_the_projects_own_words(dataset, seeds):
    copied = {f.id: run for f in dataset.records("findings")
              for run in [_copied_run(f.text, seeds.get(seed_of(f), ""))
                          if any(e.source in SEED_FILES for e in f.evidence) else None] if run}
    assert copied == {}


@needs_seeds
def test_phrases_quoted_in_findings_are_the_reports_words(dataset, seeds):
    misquoted = [(f.id, m.group(0)) for f in dataset.records("findings")
                 for m in QUOTED.finditer(flat(f.text))
                 if not appears_verbatim(m.group(0)[1:-1], seeds[seed_of(f)])]
    assert misquoted == []


@pytest.mark.parametrize("kind", ["findings", "statistics", "quotes", "recommendations"])
def test_every_record_cites_a_seed_report(dataset, kind):
    assert [r.id for r in dataset.records(kind)
            if not any(e.source in SEED_FILES for e in r.evidence)] == []


MONTH_FIRST = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|"
                         r"October|November|December) \d{1,2}\b")


def test_findings_write_dates_day_month_year(dataset):
    american = [(f.id, m.group(0)) for f in dataset.records("findings")
                for m in MONTH_FIRST.finditer(QUOTED.sub("", f.text))]
    assert american == []


UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen " \
        "fifteen sixteen seventeen eighteen nineteen".split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORD = re.compile(r"\b(?:(%s)(?:-(%s))?|(%s))\b" % ("|".join(TENS), "|".join(UNITS[1:10]),
                                                      "|".join(UNITS)), re.IGNORECASE)
FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def _digits(text: str) -> str:
    """Numbers as digits without thousands separators ('Thirty-nine', '2,706' -> '39', '2706')."""
    def word(m: re.Match) -> str:
        if m.group(3):
            return str(UNITS.index(m.group(3).lower()))
        tens = 20 + 10 * TENS.index(m.group(1).lower())
        return str(tens + (UNITS.index(m.group(2).lower()) if m.group(2) else 0))
    text = NUMBER_WORD.sub(word, text)
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def test_digits_normalises_number_words_and_separators():
    assert _digits("Thirty-nine of 2,706 people; twelve more") == "39 of 2706 people; 12 more"


@needs_seeds
def test_every_figure_in_findings_and_statistics_is_in_its_seed(dataset, seeds):
    digits = {source: _digits(text) for source, text in seeds.items()}
    absent = []
    for kind in ("findings", "statistics"):
        for record in dataset.records(kind):
            text = record.text if kind == "findings" else " ".join(
                [record.title] + [f"{v.label} {v.value:g}" for v in record.values])
            seed = digits[seed_of(record)]
            absent += [(record.id, n) for n in FIGURE.findall(_digits(flat(text)))
                       if n.rstrip(".,") not in seed]
    assert absent == []


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
                assert appears_verbatim(value.label, seeds["csw-2018"]) or \
                    flat(value.label) in seeds["csw-2018"], value.label


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


def test_every_cited_source_says_which_seed_cites_it_and_where(dataset):
    uncited = [s.id for s in dataset.records("sources") if s.id not in SEED_FILES and not s.cited_in]
    assert uncited == []
    assert {c.source for s in dataset.records("sources") for c in s.cited_in} == set(SEED_FILES)


def test_seed_001_references_are_all_sources(dataset):
    cited_by_001 = {s.id for s in dataset.records("sources")
                    for c in s.cited_in if c.source == "csw-briefing-2024"}
    assert cited_by_001 == {"coi-2014", "csw-2018", "appg-2021", "csw-2024", "bbc-2018"}
