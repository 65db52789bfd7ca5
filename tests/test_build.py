"""The whole pipeline on the bundled dataset and the start brief, read back by real clients."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from briefgen import model as m
from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset

from clients import (libreoffice_pdf, notes, pandoc_json, pdf_pages, squash, stringify,
                     visible)
from conftest import ROOTS

# The bundled briefs as frozen for the tests (tests/roots/bundled), so that an organisation's
# edits to its own briefs and findings never fail these.
PROJECT = ROOTS / "bundled"

START = PROJECT / "briefs" / "uk-westminster-hall-forb.yaml"


@pytest.fixture(scope="module")
def work():
    dataset = load_dataset(PROJECT / "data")
    return stages_of(load_brief(START, dataset, PROJECT / "templates"), dataset)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The start brief built as a user builds it: `briefgen build ... --out`."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "briefgen.cli", "build", str(START),
                             "--format", "docx", "--format", "md", "--out", str(out)],
                            capture_output=True, text=True, cwd=PROJECT)
    assert result.returncode == 0, result.stderr
    return out


def note_texts(work) -> list[str]:
    return [m.plain_text(note.blocks) for note in work.document.notes]


def test_every_citation_is_a_numbered_note(work):
    texts = note_texts(work)
    assert len(texts) >= 15
    assert [n.number for n in work.document.notes] == list(range(1, len(texts) + 1))
    refs = [ref.number for ref in m.find(work.document.blocks, m.NoteRef)]
    assert refs == list(range(1, len(texts) + 1))


def test_outputs_are_written_and_nothing_else(built):
    assert sorted(p.name for p in built.iterdir()) == [
        "manifest.json", "uk-westminster-hall-forb.csl", "uk-westminster-hall-forb.docx",
        "uk-westminster-hall-forb.json", "uk-westminster-hall-forb.md"]


def test_pandoc_finds_every_note_in_the_docx_with_its_text(built, work):
    found = notes(pandoc_json(built / "uk-westminster-hall-forb.docx"))
    assert [visible(note) for note in found] == note_texts(work)


def test_libreoffice_prints_the_notes_at_the_foot_of_their_pages(built, work, tmp_path):
    pdf = libreoffice_pdf(built / "uk-westminster-hall-forb.docx", tmp_path)
    pages = [re.sub(r"\s+", " ", page) for page in pdf_pages(pdf)]
    assert len(pages) >= 2
    for number, text in enumerate(note_texts(work), start=1):
        short = re.sub(r"\s+", " ", text)[:40]
        on = [i for i, page in enumerate(pages) if short in page]
        assert on, f"note {number} ({short!r}) not in the PDF text"
    # The first note's text follows the body text of its page, as a footnote does.
    first = pages[[i for i, p in enumerate(pages) if note_texts(work)[0][:30] in p][0]]
    assert first.index(note_texts(work)[0][:30]) > first.index("Key points")


def test_pandoc_reads_the_markdown_export_with_the_same_citations(built, work):
    ast = pandoc_json(built / "uk-westminster-hall-forb.md", "markdown", "--citeproc")
    assert len(notes(ast)) == len(work.document.notes)
    bibliography = json.loads((built / "uk-westminster-hall-forb.json").read_text())
    assert [item["id"] for item in bibliography] == list(work.document.bibliography)
    title = ast["meta"]["title"]["c"]
    assert stringify(title) == "Freedom of religion or belief in North Korea"


def test_the_docx_body_has_the_brief_text(built, work):
    body = squash(stringify(pandoc_json(built / "uk-westminster-hall-forb.docx")["blocks"]))
    blocks = [squash(m.plain_text(block)) for block in work.document.blocks]
    assert all(blocks)
    position = 0
    for block in blocks:
        assert block in body[position:], block[:80]
        position = body.index(block, position) + len(block)


def test_two_builds_give_identical_bytes(built, tmp_path):
    subprocess.run([sys.executable, "-m", "briefgen.cli", "build", str(START), "--format", "docx",
                    "--format", "md", "--out", str(tmp_path)], check=True, cwd=PROJECT)
    for path in built.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
