"""The CSL processor test suite, run through the cite stage (``make csl-suite``).

Each fixture of ``processor-tests/humans`` (read where it is, never copied: the folder is
``$BRIEFGEN_CSL_SUITE`` or ``../shared/csl-test-suite`` beside the repository) is turned into
what the cite stage takes (a document of citations as model nodes, CSL-JSON sources, a style
file), cited with ``cite_document``, and the notes, in-text citations or reference list it
gives are printed as the suite's HTML and compared with the fixture's RESULT.

A fixture is given as a brief would give it: each citation in a note is a note of its own
(the cite stage makes a citation in the text a note in a note style), several in one note are
an author's note holding them, and the document is typeset as compose does (a citation's
prefix and suffix are the author's words). What the fixture's CSL-JSON says in citeproc-js's
older ways is read as citeproc-js reads it: a label at the start of a locator given without
one, "name: value" variables in the note field, journalAbbreviation and shortTitle, empty
date parts.

A fixture the stage's interface cannot express is counted apart, with the reason: a registry
updated between runs (BIBENTRIES), a filtered bibliography (BIBSECTION), a position the
fixture forces on a cite that the document places otherwise (one it would place the same is
taken), a citation outside a note in a note style, markup in the data (briefgen's data is
plain text: "<i>" in a title prints as those characters), or formatting the document model
has no node for (small capitals, superscript, display blocks: the model has emphasis and
strong emphasis only).

Run as a script it prints the table by category and writes tests/csl-suite.md.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen import model as m
from briefgen.cite import CiteError, cite_document, load_style
from briefgen.typography import typeset

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SUITE = ROOT.parent / "shared" / "csl-test-suite"
REPORT = ROOT / "tests" / "csl-suite.md"

SECTION = re.compile(r">>=+ *([A-Z-]+) *=+>>\n(.*?)\n<<=+ *\1 *=+<<", re.S)
OLD_LABELS = {"sub verbo": "sub-verbo"}   # CSL 1.0's spelling of the label
ITEM_KEYS = {"id", "locator", "label", "prefix", "suffix", "suppress-author", "author-only"}
# The markup of a RESULT that the document model can hold: emphasis, strong, and the
# reference list's wrapper.
HELD = re.compile(r'</?i>|</?b>|<div class="csl-bib-body">|<div class="csl-entry">|</div>')
DATA_MARKUP = re.compile(r"<(/?)(i|b|sc|sup|sub|span)\b[^>]*>")


def suite_dir() -> Path:
    return Path(os.environ.get("BRIEFGEN_CSL_SUITE") or DEFAULT_SUITE) / "processor-tests" / "humans"


@dataclass(frozen=True)
class Outcome:
    name: str
    status: str        # "passed", "failed" or "not expressible"
    reason: str = ""   # why not expressible, or what differed
    expected: str = ""
    got: str = ""

    @property
    def category(self) -> str:
        return self.name.split("_", 1)[0]


class NotExpressible(Exception):
    pass


def sections(path: Path) -> dict[str, str]:
    return {name: body for name, body in SECTION.findall(path.read_text(encoding="utf-8"))}


def run_fixture(path: Path, workdir: Path) -> Outcome:
    name = path.stem
    fixture: dict[str, str] = {}
    try:
        fixture = sections(path)
        case = _case(fixture)
        style_file = workdir / f"{name}.csl"
        style_file.write_text(fixture["CSL"], encoding="utf-8")
        style = load_style(str(style_file), workdir, default_locale="en-US")
        got = case.run(style)
    except NotExpressible as why:
        return Outcome(name, "not expressible", str(why))
    except CiteError as err:
        return Outcome(name, "failed", f"CiteError: {err}", fixture.get("RESULT", ""), "")
    except Exception as err:   # a fixture the runner misreads is a failure, shown with its cause
        return Outcome(name, "failed", f"{type(err).__name__}: {err}", fixture.get("RESULT", ""))
    expected = fixture["RESULT"]
    if style.note and case.mode == "citation":
        expected = note_case(expected, case.note_starts)
    if normalise(got) == normalise(expected):
        return Outcome(name, "passed")
    return Outcome(name, "failed", "output differs", expected, got)


def note_case(result: str, starts: list[bool] | None = None) -> str:
    """The fixture's citations as the cite stage prints them in a note style: a citation
    that is a footnote starts it with a capital (as Pandoc prints notes; citeproc-js's suite
    prints the bare cluster); one of several in an author's note is the note's words, as
    written. ``starts`` says which lines are a footnote (default: all; the first only when
    one citation prints several lines). The one change made to a RESULT, listed here."""
    def capital(line: str) -> str:
        found = re.match(r"^((?:\.\.|>>)\[\d+\] )?((?:<[^>]+>|[^\w<])*)(\w)(\w*)", line)
        if not found or any(c.isupper() for c in found[4]):
            return line   # a word in mixed case ("iPad") keeps it, as CSL's text cases do
        return line[:found.end(3) - 1] + found[3].upper() + line[found.end(3):]
    lines = result.split("\n")
    if starts is None:
        starts = [True] * len(lines)
    elif len(starts) != len(lines):   # a citation of several lines (a style's line breaks)
        starts = [True] + [False] * (len(lines) - 1) if len(starts) == 1 else [True] * len(lines)
    return "\n".join(capital(line) if start else line for line, start in zip(lines, starts))


def normalise(text: str) -> str:
    text = html.unescape(text.replace("&#38;", "&"))
    lines = [re.sub(r"^(\.\.|>>)\[\d+\] ", "", line.strip()) for line in text.strip().splitlines()]
    return "\n".join(line for line in lines if line)


# --- a fixture as cite-stage input ----------------------------------------------------------

@dataclass
class Case:
    mode: str
    items: dict[str, dict]
    citations: list[tuple[int, list[dict]]]   # (note index, items), in document order
    note_starts: list[bool] | None = None      # which result lines are a footnote of their own

    def run(self, style: Any) -> str:
        doc, lines = self.document(style.note)
        self.note_starts = [where == "note" and [w for w, n, _ in lines if n == at] == [where]
                            for where, at, _ in lines]
        sources = self.items
        out = cite_document(doc, sources, style, bibliography=self.mode == "bibliography")
        if self.mode == "bibliography":
            entries = out.blocks[len(doc.blocks) + 1:]   # after the heading
            body = "".join(f'  <div class="csl-entry">{to_html(e.children)}</div>\n'
                           for e in entries)
            return f'<div class="csl-bib-body">\n{body}</div>'
        notes = {note.number: note.blocks for note in out.notes}
        return "\n".join(to_html(out.blocks[at].children if where == "text" else
                                  notes[at][part].children if part < len(notes[at]) else ())
                         for where, at, part in lines)

    def document(self, note_style: bool) -> tuple[m.Document, list[tuple[str, int, int]]]:
        """One paragraph per citation, and where each citation's line will be: ("text", the
        paragraph) or ("note", its number, the paragraph in it).

        A citation the fixture puts in a note is in a note: in a note style one alone is a
        citation in the text, which the cite stage makes a note (as a brief writes it);
        several in one note, or any in an in-text style, are an author's note holding them,
        one paragraph each. Author's notes fill the gaps between note numbers. A citation
        outside a note is in the text (in-text styles)."""
        blocks, lines, number = [], [], 0
        for index, group in self._notes(note_style):
            cites = [m.Cite(tuple(_cite_item(i) for i in items)) for items in group]
            if index == 0:
                lines += [("text", len(blocks) + k, 0) for k in range(len(cites))]
                blocks += [m.Paragraph((cite,)) for cite in cites]
                continue
            while index > number + 1:
                number += 1
                blocks.append(m.Paragraph((m.InlineNote((m.Paragraph((m.Text("-"),)),)),)))
            number += 1
            if note_style and len(cites) == 1:
                blocks.append(m.Paragraph((cites[0],)))
            else:
                note = m.InlineNote(tuple(m.Paragraph((cite,)) for cite in cites))
                blocks.append(m.Paragraph((note,)))
            lines += [("note", number, k) for k in range(len(cites))]
        # as compose gives a brief's text to the cite stage: typeset, a citation's prefix and
        # suffix (the author's words) included
        return m.Document(m.Meta("CSL fixture"), typeset(tuple(blocks))), lines

    def _notes(self, note_style: bool) -> list[tuple[int, list[list[dict]]]]:
        """The citations by note: (note index, the citations in it), in order; those outside
        notes (index 0) one by one."""
        out: list[tuple[int, list[list[dict]]]] = []
        last = 0
        for index, items in self.citations:
            if index == 0 and note_style:
                raise NotExpressible("a citation outside a note in a note style; the cite "
                                     "stage makes every such citation a note")
            if index and index < last:
                raise NotExpressible("citations out of note order")
            if index and out and index == out[-1][0]:
                out[-1][1].append(items)
            else:
                out.append((index, [items]))
            last = index or last
        return out


# The en-US locale's terms for the locator labels (long and short, singular and plural), by
# which citeproc-js reads a label at the start of a locator given without one: "vol. 1, fol.
# 186" is volume 1 (locator_TrickyEntryForPlurals), as Pandoc's Markdown reader reads
# "[@item, vol. 1]".
LABEL_TERMS = {
    term: label for label, terms in {
        "act": "act acts", "appendix": "appendix appendices app. apps.",
        "article-locator": "article articles art. arts.", "book": "book books bk. bks.",
        "canon": "canon canons c. cc.", "chapter": "chapter chapters chap. chaps.",
        "column": "column columns col. cols.", "elocation": "location locations loc. locs.",
        "equation": "equation equations eq. eqs.", "figure": "figure figures fig. figs.",
        "folio": "folio folios fol. fols.", "issue": "number numbers no. nos.",
        "line": "line lines l. ll.", "note": "note notes n. nn.", "opus": "opus opera op. opp.",
        "page": "page pages p. pp.", "paragraph": "paragraph paragraphs para. paras.",
        "part": "part parts pt. pts.", "rule": "rule rules r. rr.",
        "scene": "scene scenes sc. scs.", "section": "section sections sec. secs.",
        "sub-verbo": "s.v. s.vv.", "supplement": "supplement supplements supp. supps.",
        "table": "table tables tbl. tbls.", "title-locator": "title titles tit. tits.",
        "verse": "verse verses v. vv.", "volume": "volume volumes vol. vols.",
    }.items() for term in terms.split()
}


def _labelled(locator: str) -> tuple[str | None, str]:
    """A locator given without a label, read as citeproc-js reads it: a leading locator term
    is its label, else it is a page."""
    found = re.match(r"(\S+)\s+(?=\S)", locator)
    if found and found[1].lower() in LABEL_TERMS:
        return LABEL_TERMS[found[1].lower()], locator[found.end():]
    return None, locator


def _cite_item(item: dict) -> m.CiteItem:
    mode = ("suppress-author" if item.get("suppress-author") else
            "author-only" if item.get("author-only") else "normal")
    locator = item.get("locator")
    label = item.get("label") if locator not in (None, "") else None
    if label is None and locator not in (None, ""):
        label, locator = _labelled(str(locator))
    label = OLD_LABELS.get(label, label)
    return m.CiteItem(str(item["id"]), label or ("page" if locator not in (None, "") else None),
                      None if locator in (None, "") else str(locator),
                      item.get("prefix", ""), item.get("suffix", ""), mode)


def _case(fixture: dict[str, str]) -> Case:
    for section in ("BIBENTRIES", "BIBSECTION", "ABBREVIATIONS"):
        if section in fixture:
            raise NotExpressible(f"{section}: {_SECTION_WHY[section]}")
    mode = fixture.get("MODE", "").strip()
    if mode not in ("citation", "bibliography"):
        raise NotExpressible(f"mode {mode or 'missing'!r}")
    if "CSL" not in fixture or "<style" not in fixture["CSL"]:
        raise NotExpressible("the style is not given inline")
    result = fixture["RESULT"]
    held = HELD.sub("", result)
    tag = re.search(r"</?[a-z][^>]*>", held)
    if tag:
        raise NotExpressible(f"formatting the document model has no node for ({tag.group()})")
    items = {}
    for raw in json.loads(fixture["INPUT"]):
        if "id" not in raw:
            raise NotExpressible("an item without an id cannot be cited")
        markup = _markup(raw)
        if markup:
            raise NotExpressible(f"markup in the data ({markup}); briefgen's data is plain text")
        items[str(raw["id"])] = _csl_names(_note_variables(dict(raw, id=str(raw["id"]))))
    return Case(mode, items, _citations(fixture, list(items)))


_SECTION_WHY = {
    "BIBENTRIES": "a registry updated between runs; the cite stage cites a document once",
    "BIBSECTION": "a filtered bibliography",
    "ABBREVIATIONS": "an abbreviation list",
}


# CSL variables a fixture gives in the "note" field, one "name: value" line each, as
# citeproc-js (and Pandoc's CSL-JSON reader) read them: variables CSL-JSON had no field for
# when the fixture was written. The cite stage takes them as the fields they are.
NOTE_NAMES = {
    "author", "chair", "collection-editor", "compiler", "composer", "container-author",
    "contributor", "curator", "director", "editor", "editorial-director", "executive-producer",
    "guest", "host", "illustrator", "interviewer", "narrator", "organizer", "original-author",
    "performer", "producer", "recipient", "reviewed-author", "script-writer", "series-creator",
    "translator",
}
NOTE_DATES = {"accessed", "available-date", "event-date", "issued", "original-date", "submitted"}
NOTE_TEXTS = {
    "title", "title-short", "container-title", "container-title-short", "collection-title",
    "collection-title-short", "reviewed-title", "genre", "publisher", "publisher-place",
    "event-place", "event-title", "original-title", "original-publisher",
    "original-publisher-place", "medium", "archive", "archive-place", "authority",
    "chapter-number", "collection-number", "edition", "issue", "number", "number-of-pages",
    "number-of-volumes", "page", "section", "source", "status", "volume", "version",
}


# CSL-JSON's older names for two variables, which citeproc-js (and Pandoc's CSL-JSON reader)
# still read; the cite stage takes the CSL names.
OLD_NAMES = {"journalAbbreviation": "container-title-short", "shortTitle": "title-short"}


def _csl_names(item: dict) -> dict:
    """The item with CSL's names for its variables, and its dates' empty parts left out
    ("date-parts": [["2000", "", ""]] is the year 2000, as citeproc-js reads it)."""
    out = {OLD_NAMES.get(key, key): value for key, value in item.items()
           if not (key in OLD_NAMES and OLD_NAMES[key] in item)}
    for key, value in out.items():
        if isinstance(value, dict) and isinstance(value.get("date-parts"), list):
            parts = [[p for p in date if p != ""] if isinstance(date, list) else date
                     for date in value["date-parts"]]
            out[key] = dict(value, **{"date-parts": parts})
    return out


def _note_variables(item: dict) -> dict:
    """The item with the variables its note field gives as fields; other lines stay."""
    note = item.get("note")
    if not isinstance(note, str):
        return item
    kept, out = [], dict(item)
    for line in note.split("\n"):
        found = re.fullmatch(r"([a-z][a-z-]*):\s*(.+)", line.strip())
        name = found[1] if found else ""
        if name in NOTE_NAMES:   # "Hall || W.C.": family || given
            family, _, given = found[2].partition("||")
            name_of = {"family": family.strip(), "given": given.strip()}
            out.setdefault(name, []).append({k: v for k, v in name_of.items() if v})
        elif name in NOTE_DATES:
            out[name] = {"raw": found[2].strip()}
        elif name in NOTE_TEXTS:
            out[name] = found[2].strip()
        else:
            kept.append(line)
    if kept:
        out["note"] = "\n".join(kept)
    else:
        del out["note"]
    return out


def _markup(value: Any) -> str:
    if isinstance(value, str):
        found = DATA_MARKUP.search(value)
        return found.group() if found else ""
    if isinstance(value, list):
        return next((f for f in map(_markup, value) if f), "")
    if isinstance(value, dict):
        return next((f for f in map(_markup, value.values()) if f), "")
    return ""


def _citations(fixture: dict[str, str], ids: list[str]) -> list[tuple[int, list[dict]]]:
    if "CITATIONS" in fixture:
        return _given_positions(_from_citations(json.loads(fixture["CITATIONS"])))
    if "CITATION-ITEMS" in fixture:
        citations = json.loads(fixture["CITATION-ITEMS"])
    else:
        citations = [[{"id": i} for i in ids]]
    for items in citations:
        _check_items(items)
    return _given_positions([(n, items) for n, items in enumerate(citations, 1)])


# citeproc-js's numbers for the positions a fixture may give a cite
FIRST, SUBSEQUENT, IBID, IBID_WITH_LOCATOR = range(4)


def _given_positions(citations: list[tuple[int, list[dict]]]) -> list[tuple[int, list[dict]]]:
    """The citations, with any position a fixture gives a cite checked against the one the
    cite stage will compute from the document (CSL 1.0.2, "Position"): the same, the key
    goes; another, the fixture asks for what no document gives, which is not expressible."""
    seen: set[str] = set()
    previous: list[dict] = []
    out = []
    for index, items in citations:
        for n, item in enumerate(items):
            before = items[n - 1] if n else (previous[0] if len(previous) == 1 else None)
            if "position" in item and item["position"] != _position(item, before, seen):
                raise NotExpressible(f"position {item['position']} given to a cite the "
                                     "document places otherwise")
            seen.add(str(item["id"]))
        previous = items
        out.append((index, [{k: v for k, v in item.items() if k != "position"}
                            for item in items]))
    return out


def _position(item: dict, before: dict | None, seen: set[str]) -> int:
    if str(item["id"]) not in seen:
        return FIRST
    if before is None or str(before["id"]) != str(item["id"]):
        return SUBSEQUENT
    here, there = item.get("locator"), before.get("locator")
    if here in (None, ""):
        return IBID if there in (None, "") else SUBSEQUENT
    return IBID if here == there and item.get("label") == before.get("label") else IBID_WITH_LOCATOR


def _check_items(items: list[dict]) -> None:
    for item in items:
        extra = set(item) - ITEM_KEYS - {"position"}
        if extra:
            raise NotExpressible(f"citation item keys {sorted(extra)} (positions are computed)")
        for key in ("prefix", "suffix"):
            markup = _markup(item.get(key, ""))
            if markup:
                raise NotExpressible(f"markup in a {key} ({markup})")


def _from_citations(steps: list) -> list[tuple[int, list[dict]]]:
    """The document after the last step: the citations before, the new one, those after."""
    known: dict[str, dict] = {}
    order: list[str] = []
    for citation, before, after in steps:
        known[citation["citationID"]] = citation
        order = [c for c, _ in before] + [citation["citationID"]] + [c for c, _ in after]
        for cid, index in before + after:
            known[cid] = dict(known[cid], properties={"noteIndex": index})
    out = []
    for cid in order:
        citation = known[cid]
        _check_items(citation["citationItems"])
        out.append((citation.get("properties", {}).get("noteIndex", 0), citation["citationItems"]))
    return out


# --- output as the suite's HTML -----------------------------------------------------------

def escape(text: str) -> str:
    return text.replace("&", "&#38;").replace("<", "&#60;").replace(">", "&#62;")


def to_html(nodes: Any) -> str:
    out = []
    for node in nodes:
        if isinstance(node, m.Text):
            out.append(escape(node.text))
        elif isinstance(node, m.Emph):
            out.append(f"<i>{to_html(node.children)}</i>")
        elif isinstance(node, m.Strong):
            out.append(f"<b>{to_html(node.children)}</b>")
        elif isinstance(node, m.Link):
            out.append(to_html(node.children))
        elif isinstance(node, m.Code):
            out.append(escape(node.text))
        elif isinstance(node, m.LineBreak):
            out.append("\n")
    return "".join(out)


# --- the whole suite ----------------------------------------------------------------------

def run_suite(folder: Path | None = None) -> list[Outcome]:
    folder = folder or suite_dir()
    paths = sorted(folder.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda p: run_fixture(p, Path(tmp)), paths))


def table(outcomes: list[Outcome]) -> list[tuple[str, int, int, int]]:
    counts: dict[str, Counter] = {}
    for outcome in outcomes:
        counts.setdefault(outcome.category, Counter())[outcome.status] += 1
    rows = [(cat, c["passed"], c["failed"], c["not expressible"]) for cat, c in sorted(counts.items())]
    total = Counter()
    for c in counts.values():
        total.update(c)
    return rows + [("all", total["passed"], total["failed"], total["not expressible"])]


def markdown(outcomes: list[Outcome], engine: str) -> str:
    lines = ["# The CSL processor test suite through the cite stage", "",
             f"Engine: {engine}. Made by `make csl-suite` (tests/cite/csl_suite.py); "
             "the fixtures are read from the shared copy of the suite, never copied here.", "",
             "| category | passed | failed | not expressible | passed of expressible |",
             "|---|---:|---:|---:|---:|"]
    for cat, passed, failed, skipped in table(outcomes):
        share = f"{100 * passed / (passed + failed):.1f}%" if passed + failed else "-"
        name = f"**{cat}**" if cat == "all" else cat
        lines.append(f"| {name} | {passed} | {failed} | {skipped} | {share} |")
    reasons = Counter(re.sub(r"\(.*", "", o.reason).strip() for o in outcomes
                      if o.status == "not expressible")
    lines += ["", "## Not expressible, by reason", ""]
    lines += [f"- {reason}: {n}" for reason, n in reasons.most_common()]
    lines += ["", "## Failed", ""]
    lines += [f"- {o.name}" for o in outcomes if o.status == "failed"]
    return "\n".join(lines) + "\n"


def main() -> int:
    folder = suite_dir()
    if not folder.is_dir():
        print(f"no CSL test suite at {folder}; set BRIEFGEN_CSL_SUITE", file=sys.stderr)
        return 1
    from briefgen.cite import pandoc_path
    import subprocess
    version = subprocess.run([pandoc_path(), "--version"], capture_output=True,
                             text=True).stdout.split("\n")[0]
    outcomes = run_suite(folder)
    print(f"{'category':<14}{'passed':>8}{'failed':>8}{'not expr.':>11}")
    for cat, passed, failed, skipped in table(outcomes):
        print(f"{cat:<14}{passed:>8}{failed:>8}{skipped:>11}")
    REPORT.write_text(markdown(outcomes, f"Pandoc's citeproc ({version})"), encoding="utf-8")
    print(f"wrote {REPORT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
