"""What an editor checks in the bundled briefs, as built: no lint warning (so each builds under
--strict), every abbreviation defined once and before its short uses, every list of quoted
recommendations under a paragraph naming whose they are, no doubled article."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset
from briefgen import model as m
from briefgen.model import plain_text

from conftest import ROOTS

# The bundled briefs as frozen for the tests (tests/roots/bundled), so that an organisation's
# edits to its own briefs and findings never fail these.
PROJECT = ROOTS / "bundled"

BRIEFS = sorted(p.stem for p in (PROJECT / "briefs").glob("*.yaml"))


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(PROJECT / "data")


@pytest.fixture(scope="module")
def built(dataset):
    return {name: stages_of(load_brief(PROJECT / "briefs" / f"{name}.yaml", dataset,
                                        PROJECT / "templates"), dataset) for name in BRIEFS}


@pytest.mark.parametrize("name", BRIEFS)
def test_no_warnings(built, name):
    assert [str(w) for w in built[name].warnings] == []


@pytest.mark.parametrize("name", BRIEFS)
def test_each_abbreviation_is_defined_once_before_its_short_uses(built, dataset, name):
    text = plain_text(built[name].document.blocks)
    # Quotations are the source's words: only the document's own text is held to this.
    own = re.sub(r"“[^”]*”", "", text)
    for abbrev in dataset.records("abbreviations"):
        short = abbrev.short
        uses = [m.start() for m in re.finditer(rf"(?<![\w-]){short}(?![\w-])", own)]
        definitions = [m.start() for m in re.finditer(rf"\({short}\)", own)]
        if not uses:
            continue
        assert len(definitions) == 1, (short, len(definitions))
        assert uses[0] == definitions[0] + 1, (short, own[uses[0] - 60: uses[0] + 10])


@pytest.mark.parametrize("name", BRIEFS)
def test_quoted_recommendations_stand_under_whose_they_are(built, name):
    """Each list of quoted recommendations follows a paragraph of its own saying whose they
    are ("CSW recommends that ...:"), and no such paragraph is swallowed by the list before."""
    blocks = built[name].document.blocks
    for i, block in enumerate(blocks):
        if isinstance(block, (m.BulletList, m.OrderedList)):
            items = [plain_text(item) for item in block.items]
            if all(item.startswith("“") for item in items) and "recommend" in " ".join(
                    plain_text(b) for b in blocks[max(0, i - 3):i]).lower():
                lead = plain_text(blocks[i - 1])
                assert re.search(r"recommends? that .*:$", lead), (name, lead)
            for item in items:
                own = re.sub(r"“[^”]*”", "", item)
                assert not re.search(r"recommends? that", own), (name, item)
    assert not re.search(r"\b(?:a|an|the) the\b", plain_text(blocks), re.I)
