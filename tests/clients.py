"""Real clients reading our outputs back: Pandoc, LibreOffice and poppler.

Tests use these to show that what briefgen writes is what other programs find in it, not
what briefgen itself believes it wrote.
"""

from __future__ import annotations

import functools
import io
import json
import re
import shutil
import socket
import subprocess
import threading
import unicodedata
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import lxml.html
import pytest
from lxml import etree


def need(tool: str) -> str:
    """The tool's path; skip the test where it is not installed (CI installs them all)."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    return path


def pandoc_json(path: Path, fmt: str = "docx", *extra: str) -> dict:
    out = subprocess.run([need("pandoc"), "-f", fmt, "-t", "json", *extra, str(path)],
                         check=True, capture_output=True, text=True, cwd=path.parent)
    return json.loads(out.stdout)


def stringify(node) -> str:
    """Pandoc AST inlines or blocks as plain text: notes left out, blocks on their own lines."""
    if isinstance(node, list):
        blocks = any(isinstance(n, dict) and n.get("t") in BLOCK_TYPES for n in node)
        return ("\n" if blocks else "").join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""   # attributes, URLs, list numbering: not text the reader sees
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return "\n"
    if kind == "Note":
        return ""
    if kind == "Code":
        return content[1]
    if kind == "Quoted":
        left, right = ("\u201c", "\u201d") if content[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
        return left + stringify(content[1]) + right
    return stringify(content)


BLOCK_TYPES = {"Para", "Plain", "BlockQuote", "BulletList", "OrderedList", "Header", "Table", "Div",
               "HorizontalRule", "CodeBlock"}


def notes(node) -> list[str]:
    """Every footnote's text in document order."""
    found = []
    if isinstance(node, list):
        for n in node:
            found += notes(n)
    elif isinstance(node, dict):
        if node.get("t") == "Note":
            found.append(stringify(node["c"]))
        else:
            for value in node.values():
                found += notes(value)
    return found


def libreoffice_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert with LibreOffice headless, in a private profile so runs do not clash."""
    profile = out_dir / "lo-profile"
    subprocess.run([need("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / (docx.stem + ".pdf")


def visible(text: str) -> str:
    """The text as a reader sees it: the DOCX shows a URL's hyphens as non-breaking hyphens
    (U+2011) and puts a zero-width space (U+200B) where it may break after a slash."""
    return text.replace("\u2011", "-").replace("\u200b", "")


def squash(text: str) -> str:
    """Text compared apart from spacing and line breaks, which differ between layouts (table
    cells, list items, wrapped lines); NFC so composed and decomposed letters agree; without
    the word joiner (U+2060) that keeps a code such as A/HRC/25/63 on one line, which one PDF
    text layer keeps and another drops; as a reader sees it (``visible``)."""
    return re.sub(r"[\s\u2060]+", "", unicodedata.normalize("NFC", visible(text)))


def pdf_info_pages(pdf: Path) -> int:
    """The page count poppler's pdfinfo reads."""
    info = subprocess.run([need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, reading order)."""
    out = subprocess.run([need("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


# --- the same notes and body in every format ---------------------------------------------
#
# Each reader returns (body, notes): the body text with each note's number where its call is
# (as a reader sees "court.7"), and the notes as (number, text) in order. Whitespace is the
# caller's to normalise: line breaks differ between formats, words do not.

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NOTE_LINE = 13.6          # points: taller than a 9 pt note line, shorter than an 11 pt one
# A list or paragraph number (never a year: lists stop short of 1000) or a bullet.
LIST_MARKER = re.compile(r"^(\d{1,3}[.)]|[•‣◦–-])$")


def docx_text(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """From the package itself: document.xml paragraphs and footnotes.xml notes. Word numbers
    notes by their references' order, so the n-th reference shows n."""
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        foot = etree.fromstring(package.read("word/footnotes.xml"))
    w = f"{{{W_NS}}}"
    order: list[str] = []
    paragraphs = []
    for para in body.iter(w + "p"):
        parts = []
        for node in para.iter(w + "t", w + "footnoteReference", w + "tab", w + "br"):
            if node.tag == w + "t":
                parts.append(node.text or "")
            elif node.tag == w + "footnoteReference":
                order.append(node.get(w + "id"))
                parts.append(str(len(order)))
            else:
                parts.append(" ")
        paragraphs.append("".join(parts))
    texts = {}
    for note in foot.iter(w + "footnote"):
        if note.get(w + "type") in (None, "normal"):
            texts[note.get(w + "id")] = " ".join(
                "".join(t.text or "" for t in p.iter(w + "t")) for p in note.iter(w + "p"))
    return "\n".join(paragraphs), [(n, texts[i].strip()) for n, i in enumerate(order, 1)]


def html_text(path: Path) -> tuple[str, list[tuple[int, str]]]:
    """From the web page: the text of <main> (note calls are their numbers) and the notes
    list, each item's number from its value, back-links left out."""
    tree = lxml.html.fromstring(path.read_bytes())
    main = tree.find(".//main")
    for skip in main.xpath(".//*[contains(concat(' ', @class, ' '), ' para-number ')]"):
        skip.drop_tree()   # Word numbers paragraphs itself; the other readers drop numbers too
    for skip in main.xpath(".//*[contains(concat(' ', @class, ' '), ' figure-data ')]"):
        skip.drop_tree()   # a chart's figures, for screen readers: only the web page has them
    notes = []
    for item in tree.xpath("//*[@role='doc-endnote']"):
        for back in item.xpath(".//*[@role='doc-backlink']"):
            back.drop_tree()
        notes.append((int(item.get("value")), " ".join(item.text_content().split())))
    endnotes = main.xpath(".//*[@role='doc-endnotes']")
    for section in endnotes:
        section.drop_tree()
    blocks = main.xpath(".//p | .//li[not(.//p)] | .//h1 | .//h2 | .//h3 | .//h4 | .//th | .//td"
                        " | .//figcaption")
    return "\n".join(b.text_content() for b in blocks), notes


@dataclass
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def height(self) -> float:
        return self.y1 - self.y0


def pdf_words(pdf: Path) -> list[tuple[float, list[Word]]]:
    """Every page's height and words with their boxes (``pdftotext -bbox``)."""
    out = subprocess.run([need("pdftotext"), "-enc", "UTF-8", "-bbox", str(pdf), "-"],
                         check=True, capture_output=True).stdout
    tree = etree.fromstring(out, etree.XMLParser(recover=True))
    pages = []
    for page in tree.iter("{*}page"):
        words = [Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                 for w in page.iter("{*}word")]
        pages.append((float(page.get("height")), words))
    return pages


def _rows(words: list[Word]) -> list[list[Word]]:
    """Words grouped into printed lines, each left to right. A word joins a line when their
    heights overlap by more than 2 pt, so a raised note call stays on its line."""
    rows: list[list[Word]] = []
    top = bottom = 0.0
    for word in sorted(words, key=lambda w: (w.y0, w.x0)):
        if rows and word.y0 < bottom - 2 and word.y1 > top + 2:
            rows[-1].append(word)
            top, bottom = min(top, word.y0), max(bottom, word.y1)
        else:
            rows.append([word])
            top, bottom = word.y0, word.y1
    return [sorted(r, key=lambda w: w.x0) for r in rows]


def pdf_text(pdf: Path, margin: float = 64.0) -> tuple[str, list[tuple[int, str]]]:
    """Body and notes as a reader finds them on the printed pages.

    Running headers and page numbers sit in the margins (``margin`` points from the top and
    bottom edges) and are left out. On each page, the notes are the run of lines at the foot
    set smaller than the body: every look sets notes at 9 pt (a line box about 12.3 pt high
    in poppler's measure) and body text at 11 pt (about 15 pt). A note starts with its number
    at the left of the note area. Row-initial list markers (bullets, "1.") are dropped, as
    Word keeps them out of the text.
    """
    body_rows, notes = [], []
    for height, words in pdf_words(pdf):
        inside = [w for w in words if w.y1 > margin and w.y0 < height - margin]
        rows = _rows(inside)
        if not rows:
            continue
        foot = len(rows)
        while foot > 0 and max(w.height for w in rows[foot - 1]) < NOTE_LINE:
            foot -= 1
        foot = _first_note_row(rows, foot, notes)
        body_rows += rows[:foot]
        _read_notes(rows[foot:], notes)
    body = "\n".join(" ".join(w.text for w in _without_marker(r)) for r in body_rows)
    return body, [(n, " ".join(t.split())) for n, t in notes]


# The brand's contact block opens with these words (writers.html.CONTACT_LABEL, lib.typ).
CONTACT_LABEL = "For more information, contact"


def _first_note_row(rows: list[list[Word]], foot: int, notes: list[tuple[int, str]]) -> int:
    """Where the note area starts among the small rows from ``foot`` on: at the first row that
    starts with the next note's number, or, on a page whose notes all continue one from the
    page before, at ``foot``. Small rows above it (the brand's contact block, set small, at
    the end of the text) are body text."""
    expected = str(notes[-1][0] + 1 if notes else 1)
    for index in range(foot, len(rows)):
        if rows[index][0].text == expected:
            return index
    if foot < len(rows) and " ".join(w.text for w in rows[foot]).startswith(CONTACT_LABEL):
        return len(rows)        # a last page holding the contact block alone: no notes on it
    return foot


def _read_notes(rows: list[list[Word]], notes: list[tuple[int, str]]) -> None:
    if not rows:
        return
    left = min(r[0].x0 for r in rows)
    for row in rows:
        first = row[0]
        starts = abs(first.x0 - left) < 1.5 and first.text.isdigit()
        if starts and int(first.text) == (notes[-1][0] + 1 if notes else 1):
            notes.append((int(first.text), " ".join(w.text for w in row[1:])))
        elif notes:
            number, text = notes[-1]
            notes[-1] = (number, text + " " + " ".join(w.text for w in row))


def _without_marker(row: list[Word]) -> list[Word]:
    return row[1:] if row and LIST_MARKER.match(row[0].text) else row


# --- the network -------------------------------------------------------------------------

@contextmanager
def local_listener() -> Iterator[tuple[int, list[tuple]]]:
    """A real TCP listener on 127.0.0.1; yields its port and the list of connections it got
    (the addresses they came from), so a test can show that nothing reached it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(5)
    server.settimeout(0.2)
    connections: list[tuple] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, address = server.accept()
            except (socket.timeout, OSError):
                continue
            connections.append(address)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], connections
    finally:
        stop.set()
        thread.join(timeout=2)
        _drain(server, connections)
        server.close()


def _drain(server: socket.socket, connections: list[tuple]) -> None:
    """Connections the kernel queued but nobody accepted yet: they count too."""
    server.setblocking(False)
    while True:
        try:
            conn, address = server.accept()
        except OSError:
            return
        connections.append(address)
        conn.close()


# --- python-docx's knowledge of the OOXML schema -------------------------------------------
#
# python-docx models an element type as a class (docx.oxml), declaring each child it knows
# with ZeroOrOne, OneAndOnlyOne, ZeroOrMore, OneOrMore or ZeroOrOneChoice and the tags that
# must follow it in the schema's sequence (``successors``). The declarations are read back
# from the methods python-docx makes of them (each closes over its declaration).


@functools.lru_cache(maxsize=None)
def _declared(cls: type) -> tuple[dict[str, int], tuple[tuple[str, frozenset[str]], ...]]:
    """For an oxml class: each known child tag's place in the sequence (from the declaration
    with the longest run of successors, which names the whole rest of the sequence), and the
    children (or choice groups) that may appear at most once."""
    from docx.oxml import xmlchemy
    from docx.oxml.ns import qn

    found = {}
    for klass in cls.__mro__:
        for value in vars(klass).values():
            function = value.fget if isinstance(value, property) else value
            for cell in getattr(function, "__closure__", None) or ():
                try:
                    item = cell.cell_contents
                except ValueError:
                    continue
                if isinstance(item, xmlchemy._BaseChildElement):
                    found[id(item)] = item
    order: list[list[str]] = []
    once = []
    for item in found.values():
        choice = isinstance(item, xmlchemy.ZeroOrOneChoice)
        tags = [c.nsptagname for c in item._choices] if choice else [item._nsptagname]
        sequence = [tags] + [[tag] for tag in item._successors]
        if len(sequence) > len(order):
            order = sequence
        if choice or isinstance(item, (xmlchemy.ZeroOrOne, xmlchemy.OneAndOnlyOne)):
            once.append(("|".join(tags), frozenset(qn(t) for t in tags)))
    rank = {qn(tag): place for place, group in enumerate(order) for tag in group}
    return rank, tuple(once)


def ooxml_order_problems(data: bytes) -> list[str]:
    """Every element of every XML part of the package ``data`` that python-docx models with
    a child out of the schema's order, or a once-only child more than once."""
    from docx.oxml import xmlchemy
    from docx.oxml.parser import parse_xml

    problems = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in package.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            for element in parse_xml(package.read(name)).iter():
                if not isinstance(element, xmlchemy.BaseOxmlElement):
                    continue
                rank, once = _declared(type(element))
                last = -1
                for child in element:
                    place = rank.get(child.tag, last)
                    if place < last:
                        problems.append(f"{name}: {element.tag}: {child.tag} out of order")
                    last = max(last, place)
                for label, tags in once:
                    count = sum(1 for child in element if child.tag in tags)
                    if count > 1:
                        problems.append(f"{name}: {element.tag}: {label} {count} times")
    return problems
