"""A redline (briefgen/redline.py, the DOCX writer's tracked changes): accepting every change
gives the newer version's text, rejecting every change the older one's, notes included, and
Word's readers open it (python-docx; LibreOffice where installed)."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from briefgen import model as m
from briefgen.redline import merge
from briefgen.writers.docx import docx_bytes

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
PARTS = ("word/document.xml", "word/footnotes.xml")
WHEN = ("briefgen", "2026-11-29T00:00:00Z")


def _p(*inlines) -> m.Paragraph:
    return m.Paragraph(tuple(m.Text(i) if isinstance(i, str) else i for i in inlines))


def _note(number: int, text: str) -> m.Note:
    return m.Note(number, (_p(text),))


OLD = m.Document(m.Meta("A brief"), (
    m.Heading(2, (m.Text("Findings"),)),
    _p("CSW asked the United Nations to act.", m.NoteRef(1)),
    _p("A paragraph the new version drops.", m.NoteRef(2)),
    m.BulletList(((_p("first point"),), (_p("second point, ", m.Emph((m.Text("as written"),))),))),
    _p("Unchanged closing words.", m.NoteRef(3)),
), (_note(1, "Report, p 1."), _note(2, "A source only the old version cites."),
    _note(3, "Same note.")))

NEW = m.Document(m.Meta("A brief"), (
    m.Heading(2, (m.Text("Findings"),)),
    _p("CSW urged the United Nations to act.", m.NoteRef(1)),
    m.BulletList(((_p("first point"),), (_p("second point, ", m.Strong((m.Text("as written"),))),),
                  (_p("a third point"),))),
    _p("A paragraph only the new version has.", m.NoteRef(2)),
    _p("Unchanged closing words.", m.NoteRef(3)),
), (_note(1, "Report, p 2."), _note(2, "A source only the new version cites."),
    _note(3, "Same note.")))


def _parts(data: bytes) -> dict[str, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: etree.fromstring(z.read(name)) for name in PARTS}


def _resolve(root: etree._Element, keep: str) -> etree._Element:
    """Every change accepted (keep "ins") or rejected (keep "del"), as Word does it."""
    drop = "del" if keep == "ins" else "ins"
    for p in root.xpath(f"//w:p[w:pPr/w:rPr/w:{drop}]", namespaces=NS):
        p.getparent().remove(p)                      # a paragraph that goes, mark and all
    for mark in root.xpath(f"//w:pPr/w:rPr/w:{keep}", namespaces=NS):
        mark.getparent().remove(mark)
    for element in root.xpath(f"//w:{drop}", namespaces=NS):
        element.getparent().remove(element)
    for element in root.xpath(f"//w:{keep}", namespaces=NS):
        for child in list(element):
            element.addprevious(child)
        element.getparent().remove(element)
    for text in root.xpath("//w:delText", namespaces=NS):
        text.tag = f"{{{W}}}t"
    return root


def _texts(root: etree._Element) -> list[str]:
    """Each paragraph's text, with each footnote reference as [*]."""
    out = []
    for p in root.iter(f"{{{W}}}p"):
        parts = []
        for node in p.iter(f"{{{W}}}t", f"{{{W}}}footnoteReference"):
            parts.append("[*]" if node.tag.endswith("footnoteReference") else node.text or "")
        out.append("".join(parts))
    return out


def _notes(parts: dict[str, etree._Element]) -> list[str]:
    """The notes' texts in the order the body refers to them (a footnote whose reference was
    deleted goes with it, as in Word)."""
    by_id = {note.get(f"{{{W}}}id"): "".join(t.text or "" for t in note.iter(f"{{{W}}}t"))
             for note in parts["word/footnotes.xml"].iter(f"{{{W}}}footnote")}
    return [by_id[ref.get(f"{{{W}}}id")]
            for ref in parts["word/document.xml"].iter(f"{{{W}}}footnoteReference")]


@pytest.mark.parametrize("keep, version", [("ins", NEW), ("del", OLD)])
def test_accepting_gives_the_new_text_and_rejecting_the_old(keep, version):
    redline = {name: _resolve(root, keep)
               for name, root in _parts(docx_bytes(merge(OLD, NEW), revision=WHEN)).items()}
    plain = _parts(docx_bytes(version))
    assert _texts(redline["word/document.xml"]) == _texts(plain["word/document.xml"])
    assert _notes(redline) == _notes(plain)
    assert len(_notes(plain)) == 3


def test_the_changes_are_words_paragraphs_formatting_and_notes():
    merged = merge(OLD, NEW)
    body = _parts(docx_bytes(merged, revision=WHEN))["word/document.xml"]
    deleted = ["".join(d.itertext()) for d in body.iter(f"{{{W}}}del") if len(d)]
    inserted = ["".join(i.itertext()) for i in body.iter(f"{{{W}}}ins") if len(i)]
    assert "asked" in deleted and "urged" in inserted
    assert "as written" in deleted and "as written" in inserted    # italic made bold
    assert "A paragraph the new version drops." in deleted
    assert "A paragraph only the new version has." in inserted
    assert "a third point" in inserted
    # every change by briefgen, dated, with an id of its own across the document and notes
    changes = [e for root in _parts(docx_bytes(merged, revision=WHEN)).values()
               for e in root.iter(f"{{{W}}}ins", f"{{{W}}}del")]
    assert {(e.get(f"{{{W}}}author"), e.get(f"{{{W}}}date")) for e in changes} == {WHEN}
    ids = [e.get(f"{{{W}}}id") for e in changes]
    assert len(ids) == len(set(ids))
    # the notes: numbered in reading order, the dropped one and the new one both there
    assert [n.number for n in merged.notes] == [1, 2, 3, 4]


def test_python_docx_and_libreoffice_open_it(tmp_path):
    data = docx_bytes(merge(OLD, NEW), revision=WHEN)
    path = tmp_path / "brief.redline.docx"
    path.write_bytes(data)
    assert [p.text for p in docx.Document(str(path)).paragraphs if p.text]
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    shown = (tmp_path / "brief.redline.txt").read_text(encoding="utf-8-sig")
    assert "asked" in shown and "urged" in shown      # LibreOffice shows both, tracked
