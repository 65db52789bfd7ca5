"""The bundled dataset as any dataset must be: valid, in the house style, and its evidence
standing in its sources' own texts (``briefgen verify``, the same check a user runs).

The data is read from ``data/`` (or ``BRIEFGEN_DATA``), the sources' texts from
../shared/seeds (or ``BRIEFGEN_SEEDS``). Facts true only of the four seed reports are in
``test_seed_reports.py``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from briefgen.brief import load_briefs
from briefgen.validate import load_dataset
from briefgen.verify import verify

PROJECT = Path(__file__).parent.parent
SEEDS = Path(os.environ.get("BRIEFGEN_SEEDS", PROJECT.parent / "shared" / "seeds"))
DATA = Path(os.environ.get("BRIEFGEN_DATA", PROJECT / "data"))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA)


def test_the_dataset_is_valid_and_holds_every_kind_of_record(dataset):
    counts = dataset.counts()
    assert all(counts[kind] > 0 for kind in ("themes", "actors", "sources", "findings"))


QUOTED = re.compile(r"\"[^\"]+\"|(?<!\w)'.+?'(?!\w)|\u201c[^\u201d]+\u201d")
MONTH_FIRST = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|"
                         r"October|November|December) \d{1,2}\b")


def test_findings_write_dates_day_month_year(dataset):
    """The house style: '11 December 2017', as British and UN texts write dates."""
    american = [(f.id, m.group(0)) for f in dataset.records("findings")
                for m in MONTH_FIRST.finditer(QUOTED.sub("", f.text))]
    assert american == []


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the sources' texts are not at {SEEDS} "
                                                "(BRIEFGEN_SEEDS names them)")
def test_every_record_stands_in_its_sources_text(dataset):
    """briefgen verify on the data and its briefs: every quotation and recommendation word
    for word, every figure, every quoted phrase, no copied prose. Sources without a text are
    listed by verify, not failed here."""
    briefs_dir = DATA.parent / "briefs"
    briefs = load_briefs(sorted(briefs_dir.glob("*.yaml")), dataset, DATA.parent / "templates")
    report = verify(dataset, briefs, SEEDS)
    assert [str(p) for p in report.problems if p.severity == "error"] == []
    assert report.texts and report.checked["quotations"] > 0
