"""Conformance: the CSL processor test suite through the cite stage (tests/cite/csl_suite.py).

The targets of issue 16: at least 90% of the expressible fixtures, every expressible
``position_*``, ``locator_*`` and ``label_*`` fixture, and at least 90% of
``disambiguate_*``. Each ``disambiguate_*`` failure the engine has and briefgen accepts is
listed in DISAMBIGUATION with its reason; a listed fixture that starts to pass, or one not
listed that fails, fails a test, so the list stays true.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "cite"))
import csl_suite  # noqa: E402

STRICT = ("position", "locator", "label")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, csl_suite.Outcome]:
    folder = csl_suite.suite_dir()
    if not folder.is_dir():
        pytest.skip(f"the CSL test suite is not at {folder} (set BRIEFGEN_CSL_SUITE)")
    return {o.name: o for o in csl_suite.run_suite(folder)}


def share(outcomes, prefix: str = "") -> float:
    chosen = [o for o in outcomes.values() if o.name.startswith(prefix)
              and o.status != "not expressible"]
    return sum(o.status == "passed" for o in chosen) / len(chosen)


# 692 of 757 (91.4%). Of the 65 failures, 14 differ only in quote marks and about 10 more
# among other things: the data's straight quotes and apostrophes print as written, where
# CSL processors read them as markup (curly, and alternating inside the style's own
# quotes). That is a decision, not the engine: briefgen's data is text, and the escaping
# properties (tests/test_escaping_properties.py) assert a source's title comes out as
# written in every format.
def test_at_least_90_percent_of_expressible_fixtures(outcomes):
    assert share(outcomes) >= 0.90


# 63 of 69 (91.3%). Pandoc's citeproc 3.9 disambiguates these otherwise than citeproc-js;
# three more it failed pass through the cite stage's own reading of the sources
# (cite.Reading: a particle kept with the family name, initials spaced otherwise).
DISAMBIGUATION = {
    "disambiguate_IncrementalExtraText": "keeps the edition added to disambiguate",
    "disambiguate_InitializeWithButNoDisambiguation": "does not collapse the cites of one author",
    "disambiguate_PrimaryNameWithParticle": "tells names apart by the family name without its "
        "particle, in a note style (cite.Reading says why it is not mended there)",
    "disambiguate_YearCollapseWithInstitution": "collapses with ', ' instead of the style's "
        "cite-group delimiter",
    "disambiguate_YearSuffixAtTwoLevels": "uses year suffixes where citeproc-js adds names",
    "disambiguate_YearSuffixWithEtAlSubsequent": "collapses with ', ' instead of the style's "
        "cite-group delimiter",
}


def test_at_least_90_percent_of_disambiguation(outcomes):
    assert share(outcomes, "disambiguate_") >= 0.90


def test_disambiguation_fails_only_as_listed(outcomes):
    failed = sorted(o.name for o in outcomes.values()
                    if o.category == "disambiguate" and o.status == "failed")
    assert failed == sorted(DISAMBIGUATION)


# The target for these three: every expressible fixture. Four position fixtures and
# one label fixture Pandoc failed pass through the cite stage's own mending (cite.py:
# for_pandoc, sentence_prefix, TAB_MARK, Reading.first_note).
@pytest.mark.parametrize("category", STRICT)
def test_every_expressible_position_locator_and_label_fixture(outcomes, category):
    assert share(outcomes, category + "_") == 1.0


def test_listed_failures_are_fixtures_of_the_suite(outcomes):
    assert set(DISAMBIGUATION) <= set(outcomes)
