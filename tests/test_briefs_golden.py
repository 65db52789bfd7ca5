"""Real-sized briefs against their golden files: the document model, the DOCX body and notes
XML, the data the Typst page is given, and the web page.

The briefs are a frozen copy of the bundled ones (``tests/roots/bundled``: the five briefs,
the records they print, their audiences' templates and the brand, as of this release; its
README says how it was made), so the goldens pin what briefgen does, and an organisation that
edits a finding, a brief or a template of its own never fails them. A change to briefgen's
compose, cite or writers shows here as a reviewable diff.
Regenerate after a deliberate change, then read the diff before committing:

    BRIEFGEN_REGEN_GOLDEN=1 .venv/bin/pytest tests/test_briefs_golden.py   (or: make golden)
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset
from briefgen.model import to_data
from briefgen.writers import typst_pdf
from briefgen.writers.docx import docx_bytes
from briefgen.writers.html import render_page
from briefgen.writers.look import Look

from conftest import ROOTS
from regen import page_without_css, regenerate

GOLDEN = Path(__file__).parent / "golden" / "briefs"
FROZEN = ROOTS / "bundled"
BRIEFS = sorted((FROZEN / "briefs").glob("*.yaml"))


@pytest.fixture(scope="module")
def works() -> dict:
    dataset = load_dataset(FROZEN / "data")
    return {p.stem: stages_of(load_brief(p, dataset, FROZEN / "templates"), dataset)
            for p in BRIEFS}


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _docx_part(work, tmp_path: Path, part: str) -> str:
    out = tmp_path / "brief.docx"
    out.write_bytes(docx_bytes(work.document, Look.of(work.loaded)))
    with zipfile.ZipFile(out) as package:
        parsed = etree.fromstring(package.read(part), etree.XMLParser(remove_blank_text=True))
    return etree.tostring(parsed, pretty_print=True, encoding="unicode")


def _page(work) -> str:
    """The web page without its inline CSS: the look's CSS is the same for every brief of an
    audience and is checked by tests/writers (its golden page.html)."""
    return page_without_css(render_page(work.document, Look.of(work.loaded), mode="web"))


RENDERINGS = {
    "model.json": lambda work, tmp: _json(to_data(work.document)),
    "document.xml": lambda work, tmp: _docx_part(work, tmp, "word/document.xml"),
    "footnotes.xml": lambda work, tmp: _docx_part(work, tmp, "word/footnotes.xml"),
    "typst-data.json": lambda work, tmp: _json(typst_pdf.document_data(work.document,
                                                                       Look.of(work.loaded))),
    "page.html": lambda work, tmp: _page(work),
}


@pytest.mark.parametrize("rendering", sorted(RENDERINGS))
@pytest.mark.parametrize("name", [p.stem for p in BRIEFS])
def test_brief_matches_its_golden_file(works, tmp_path, name, rendering):
    actual = RENDERINGS[rendering](works[name], tmp_path)
    golden = GOLDEN / name / rendering
    regenerate(golden, actual)
    assert golden.is_file(), f"no golden file {golden}; run make golden"
    assert actual == golden.read_text(encoding="utf-8")


def test_every_golden_folder_is_a_bundled_brief():
    """A frozen brief removed or renamed leaves no stale golden files behind."""
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(p.stem for p in BRIEFS)
