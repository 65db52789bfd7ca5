"""Any style a user brings: by path, house name or CSL name; note styles give footnotes,
author-date and numeric styles citations in the text and a reference list; a brief may ask
for a reference list after the notes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefgen import model as m
from briefgen.brief import load_brief
from briefgen.cite import REFERENCES, cite_document, load_style
from briefgen.validate import load_dataset

from conftest import PROJECT, ROOTS
from test_cite import SOURCES, T, cite, document, item, para

SYSTEM = Path("/usr/share/citation-style-language/styles")
FROZEN = ROOTS / "bundled"     # the bundled briefs as frozen for the tests
START = FROZEN / "briefs" / "uk-westminster-hall-forb.yaml"


def system_style(name: str) -> str:
    if not (SYSTEM / f"{name}.csl").is_file():
        pytest.skip(f"{name}.csl is not installed (Debian: citation-style-language-styles)")
    return name


DOC = document(para(T("A survey "), cite(item("csw-2018", "page", "5")), T(".")),
               para(T("A report "), cite(item("csw-2024")), T(".")),
               para(T("Again "), cite(item("csw-2018", "page", "7")), T(".")))


def test_author_date_style_cites_in_the_text_with_a_reference_list():
    out = cite_document(DOC, SOURCES, load_style(system_style("apa"), Path(".")))
    assert out.notes == ()
    assert [m.plain_text(b) for b in out.blocks] == [
        "A survey (Christian Solidarity Worldwide, 2018, p. 5).",
        "A report (Christian Solidarity Worldwide, 2024).",
        "Again (Christian Solidarity Worldwide, 2018, p. 7).",
        REFERENCES,
        "Christian Solidarity Worldwide. (2018). Movies, Markets and Mass Surveillance: Changes "
        "in North Korea 2007-2017 (short version). "
        "https://www.csw.org.uk/2018/01/31/report/3832/article.htm",
        "Christian Solidarity Worldwide. (2024). We Cannot Look Away. "
        "https://www.csw.org.uk/2024/09/11/report/6311/article.htm"]
    assert isinstance(out.blocks[3], m.Heading)


def test_numeric_style_numbers_sources_in_first_cited_order():
    out = cite_document(DOC, SOURCES, load_style(system_style("ieee"), Path(".")))
    texts = [m.plain_text(b) for b in out.blocks]
    assert texts[:3] == ["A survey [1, p. 5].", "A report [2].", "Again [1, p. 7]."]
    assert texts[4].startswith("[1]") and texts[5].startswith("[2]")


def test_a_note_style_gives_a_reference_list_when_asked():
    """OSCOLA 1.5: the bibliography gives the first citation's details, surname first."""
    style = load_style("uk-oscola", Path("."))
    plain = cite_document(DOC, SOURCES, style)
    listed = cite_document(replace_meta(DOC, bibliography=True), SOURCES, style)
    assert plain.blocks == DOC_BLOCKS(plain) and len(plain.notes) == 3
    assert listed.notes == plain.notes
    assert [m.plain_text(b) for b in listed.blocks[3:]] == [
        REFERENCES,
        "Christian Solidarity Worldwide, Movies, Markets and Mass Surveillance: Changes in North "
        "Korea 2007-2017 (short version) (2018) <https://www.csw.org.uk/2018/01/31/report/3832/"
        "article.htm> accessed 22 November 2026",
        "——, We Cannot Look Away (2024) <https://www.csw.org.uk/2024/09/11/report/6311/"
        "article.htm> accessed 22 November 2026"]


def replace_meta(doc: m.Document, **changes) -> m.Document:
    from dataclasses import replace
    return replace(doc, meta=replace(doc.meta, **changes))


def DOC_BLOCKS(doc: m.Document) -> tuple:
    return doc.blocks[:3]


# --- briefs ---------------------------------------------------------------------------------

def brief_with(tmp_path: Path, extra: str) -> Path:
    text = "\n".join(line for line in START.read_text(encoding="utf-8").splitlines()
                     if not line.startswith(("style:", "formats:")))
    path = tmp_path / "brief.yaml"
    path.write_text(text + "\n" + extra, encoding="utf-8")
    return path


def test_a_brief_names_a_style_by_its_csl_name(tmp_path):
    system_style("chicago-note-bibliography")
    dataset = load_dataset(FROZEN / "data")
    loaded = load_brief(brief_with(tmp_path, "style: chicago-note-bibliography\n"), dataset,
                        FROZEN / "templates")
    assert loaded.style == str(SYSTEM / "chicago-note-bibliography.csl")


def test_the_project_styles_folder_comes_before_the_system(tmp_path):
    system_style("apa")
    (tmp_path / "styles").mkdir()
    own = tmp_path / "styles" / "apa.csl"
    own.write_bytes((PROJECT / "src/briefgen/styles/un.csl").read_bytes())
    briefs = tmp_path / "briefs"
    briefs.mkdir()
    dataset = load_dataset(FROZEN / "data")
    loaded = load_brief(brief_with(briefs, "style: apa\n"), dataset, FROZEN / "templates")
    assert loaded.style == str(own)


def test_an_author_date_brief_builds_in_every_format(tmp_path):
    system_style("apa")
    brief = brief_with(tmp_path, "style: apa\nformats: [docx, pdf, html, md]\n")
    result = subprocess.run([sys.executable, "-m", "briefgen.cli", "build", str(brief), "--out",
                             str(tmp_path / "out"), "--allow-overlength"],
                            capture_output=True, text=True, cwd=FROZEN)
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "out" / "brief.html").read_text(encoding="utf-8")
    assert "(Christian Solidarity Worldwide, 2018" in html and ">References<" in html
    pdf = " ".join(subprocess.run(["pdftotext", str(tmp_path / "out" / "brief.pdf"), "-"],
                                  capture_output=True, text=True).stdout.split())  # lines joined
    assert "References" in pdf and "(Christian Solidarity Worldwide, 2018" in pdf
