"""Stage 5, cite: number the notes and format every citation once, with a CSL style.

The document model arrives with ``Cite`` nodes (Pandoc citations) and ``InlineNote`` nodes (an
author's own footnotes). One walk in reading order turns each into a ``NoteRef`` and a numbered
``Note`` (note styles) or into the citation's text in place (author-date and numeric styles),
so every writer prints the same note N.

Pandoc's citeproc formats (the Pandoc that ``pypandoc-binary`` bundles, kept running by
``citeproc.py``):
692 of the 757 CSL processor test-suite fixtures the stage can express pass through it
(``make csl-suite``, tests/csl-suite.md), where citeproc-py's own list of known failures was
334 of 845, and it needed about 750 lines of patches here. The walk gives it a Pandoc JSON
document with one paragraph per note or in-text citation, in reading order, and the sources
as metadata (``references``), every text as plain inlines so no data is read as markup; it
reads back the formatted inlines.

What is done here around Pandoc, each in one small place:

- the space before a citation's note mark goes and punctuation after it moves before it
  (``_Walk.cite_note``), as Pandoc places note marks;
- a citation inside an author's note is printed as the note's own words: Pandoc puts it in
  parentheses (it cannot make a note in a note), and the parentheses go (``_unparenthesised``);
- a locator that is a heading ("Legal framework", "Border-Tightening", "To the government,
  item 5") is given to Pandoc as a token of U+FFFE marks, which no loaded text can hold, and
  put back after: Pandoc 3.9 takes a space, comma or hyphen as a sign of several and prints
  "sections", and makes a hyphen an en dash (``_locator_text``, ``model_inlines``);
- a house style that writes "ibid" in lower case keeps it at the start of a note, which
  Pandoc capitalises (``Style.capitalise_notes``);
- a locator's label goes to Pandoc in the style's language ("{Seite 100}"), the only one
  Pandoc reads it in (``locator_labels``);
- where Pandoc reads a style otherwise than CSL (near-note-distance, first-reference-note-
  number on a first cite, a tab), it is given a rewritten copy (``for_pandoc``);
- a prefix that is a sentence capitalises the "ibid" after it (``sentence_prefix``);
- where Pandoc reads the sources otherwise than CSL under a style (a particle kept with the
  family name, initials spaced otherwise, first-reference-note-number in an in-text style),
  it is given the items otherwise (``Reading``, ``for_pandoc_item``).
"""

from __future__ import annotations

import base64
import copy
import json
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from . import citeproc
from .citeproc import pandoc_path  # noqa: F401  (the Pandoc the tests compare with)
from . import model as m
from .dataset import LOCATOR_KEYS, Source
from .errors import BriefgenError, Location, Problem, display_path
from .schema import did_you_mean
from .styles import HOUSE_STYLES, SYSTEM_STYLES, find_style

# House styles whose "ibid" stays lower case at the start of a note (OSCOLA 4th edition,
# 1.3: "2 ibid 112."), where Pandoc, as CSL processors do, capitalises it.
LOWER_CASE_IBID = {"uk-oscola"}
DEFAULT_LOCALE = "en-GB"
REFERENCES = "References"     # the reference list's heading
CSL_NS = "http://purl.org/net/xbiblio/csl"

# The locator labels of CSL 1.0.2 (the locale terms a style can print for them).
CSL_LOCATORS = (
    "act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation",
    "equation", "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph", "part",
    "rule", "scene", "section", "sub-verbo", "supplement", "table", "timestamp", "title-locator",
    "verse", "volume",
)

# A space inside a locator, as Pandoc is given it (see the module's docstring). YAML cannot
# hold U+FFFE, so no dataset text has one; ``plain`` removes it from anything else.
SPACE = "\ufffe"


class CiteError(BriefgenError):
    """A citation names a source that is not there, or the citation style cannot be used."""


# --- CSL-JSON from the dataset ------------------------------------------------------------

def csl_item(source: Source) -> dict[str, Any]:
    """One source as a CSL-JSON item: the dataset's CSL-YAML keys, dates as date-parts.

    ``cited-in`` is the dataset's own bookkeeping, not CSL, so it is left out.
    """
    item = source.model_dump(by_alias=True, exclude_none=True, exclude={"cited_in", "text"})
    item = {key: value for key, value in item.items() if value != []}
    for key in ("issued", "accessed"):
        if key in item:
            item[key] = {"date-parts": [[int(part) for part in item[key].split("-")]]}
    return _not_repeated(item)


def _not_repeated(item: dict[str, Any]) -> dict[str, Any]:
    """What a note would say twice, left out, as OSCOLA 4th edition and the UN Editorial
    Manual cite: a publisher that is the author ("Christian Solidarity Worldwide, ... (CSW
    2018)"); an author that is the newspaper ("BBC News, '...' BBC News"); a short title the
    full one does not contain ("North Korea briefing" for "North Korea"), which the reader
    of the first note was never shown."""
    authors = [name.get("literal") for name in item.get("author", [])]
    if item.get("publisher") and authors == [item["publisher"]]:
        del item["publisher"]
    if item.get("container-title") and authors == [item["container-title"]] \
            and item.get("type", "").startswith("article"):
        del item["author"]
    short = item.get("title-short")
    if short and short.lower() not in item.get("title", "").lower():
        del item["title-short"]
    return item


def csl_json(sources: Iterable[Source]) -> str:
    """A CSL-JSON bibliography file, the same bytes for the same sources in the same order."""
    return csl_json_text([csl_item(source) for source in sources])


def csl_json_text(items: list[dict[str, Any]]) -> str:
    """CSL-JSON items as the file's text: sorted keys, two-space indent, a final newline."""
    return json.dumps(items, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


# --- Pandoc JSON: what goes in ------------------------------------------------------------

def plain(text: str) -> str:
    """Text with the locator-space mark removed and ``TAB_MARK``'s first character doubled:
    the one escaping function of what Pandoc is given (everything else goes as plain
    inlines, which Pandoc never reads as markup); ``unmarked`` undoes it."""
    return text.replace(SPACE, "").replace(AFTER, "").replace(MARK, MARK + MARK)


# A tab in a style's affix or text ("1.&#9;"): Pandoc's citeproc makes it a word space, so
# the style Pandoc is given holds TAB_MARK instead (``for_pandoc``), a tab again in what
# comes back. A private-use character, doubled by ``plain`` wherever the data has it, so no
# text can make the mark.
MARK = "\ue000"
TAB_MARK = MARK + "\ue001"
_MARKED = re.compile(MARK + "([" + MARK + "\ue001])")


def unmarked(text: str) -> str:
    """Text from Pandoc as it was given: each ``TAB_MARK`` a tab, a doubled mark one."""
    if MARK not in text:
        return text
    return _MARKED.sub(lambda found: "\t" if found[1] == "\ue001" else MARK, text)


def inlines_of(text: str) -> list[dict]:
    """Text as Pandoc inlines: words (Str) and spaces (Space), nothing read as markup."""
    out: list[dict] = []
    for i, piece in enumerate(re.split(r"( +)", text)):
        if i % 2:   # one Space a word break; more spaces are kept as written
            out.append({"t": "Space"} if piece == " " else {"t": "Str", "c": piece})
        elif piece:
            out.append({"t": "Str", "c": piece})
    return out


def meta_value(value: Any) -> dict:
    """A CSL-JSON value as Pandoc metadata: text as inlines, numbers as strings."""
    if isinstance(value, bool):
        return {"t": "MetaBool", "c": value}
    if isinstance(value, (int, float)):
        return {"t": "MetaString", "c": str(value)}
    if isinstance(value, str):
        return {"t": "MetaInlines", "c": inlines_of(plain(value))}
    if isinstance(value, list):
        return {"t": "MetaList", "c": [meta_value(v) for v in value]}
    return {"t": "MetaMap", "c": {k: _date_field(k, v) if "date-parts" in value or "raw" in value
                                  else meta_value(v) for k, v in value.items()}}


def _date_field(key: str, value: Any) -> dict:
    """A CSL-JSON date's fields as Pandoc reads them: "circa" a flag (CSL-JSON allows 1),
    "raw" a string Pandoc parses."""
    if key == "circa":
        return {"t": "MetaBool", "c": bool(value)}
    if key == "raw" and isinstance(value, str):
        return {"t": "MetaString", "c": plain(value)}
    return meta_value(value)


def _dates(item: dict) -> dict:
    """A date given as "raw" text that is no date ("Bogus Date") printed as it is, as
    citeproc-js does, where Pandoc would print "n.d."."""
    out = dict(item)
    for key, value in item.items():
        if isinstance(value, dict) and isinstance(value.get("raw"), str) \
                and not value.get("date-parts") and not re.match(r"\s*-?\d", value["raw"]):
            out[key] = {"literal": value["raw"]}
    return out


# Numbers, alone or several ("1 and 9", "213 et 235", "213 & 235", "2, 5", "80-82"): Pandoc
# decides from these whether the label is plural, so their spaces stay.
NUMBERS = re.compile(r"[\w.]*\d[\w.]*(?:\s*(?:[-–,&]|\w+|,\s*\w+)\s*[\w.]*\d[\w.]*)*")


ITEMS = re.compile(r"^,\s*(items?\s+\S.*)$")
AFTER = "\uffff"   # where a heading's items go, once its closing quote is known (U+FFFF)


def _locator_text(label: str, value: str, headings: list[tuple[str, str]],
                  after: str = "", labels: Mapping[str, str] = {}) -> str:
    """``{label value}`` as Pandoc reads a locator. A locator that is not numbers (a heading)
    goes as a token of U+FFFE marks (the n-th heading: n marks), put back by
    ``model_inlines``: Pandoc reads a space, comma or hyphen as a sign of several."""
    value = plain(value).strip()
    lead, rest = (value, "") if after or NUMBERS.fullmatch(value) else _numbers_first(value)
    if after or "\\-" in value or not NUMBERS.fullmatch(lead):
        # "327\-30": a hyphen that is not a range, as CSL processors read the escape
        lead, rest = "", value.replace("\\-", "-")
    if rest:
        heading = (rest, after)
        if heading not in headings:   # the same heading, the same token: "ibid" sees it
            headings.append(heading)
        lead += SPACE * (headings.index(heading) + 1)
    return "{" + labels.get(label, label.replace("-", " ")) + " " + lead.replace("}", "") + "}"


def _numbers_first(value: str) -> tuple[str, str]:
    """A locator that is not numbers but starts with them, followed by a part with its own
    label ("367-368, fig. 333", "1, fol. 186, 8 April 1544"), as (the numbers, the rest):
    the label is the numbers' own, so Pandoc reads them (singular or plural, a range's en
    dash) and the rest is printed as written, where Pandoc would count its comma as a sign
    of several pages. Otherwise (value, ""): a heading, all of it printed as written."""
    for found in re.finditer(r",\s+(?=[^\W\d])", value):
        if NUMBERS.fullmatch(value[:found.start()]):
            return value[:found.start()], value[found.start():]
    return value, ""


def pandoc_cite(cite: m.Cite, note: int, headings: list, terms: Mapping = {},
                labels: Mapping[str, str] = {}, sentence: bool = False) -> dict:
    """A citation as a Pandoc Cite; its locator goes in the suffix, where Pandoc reads it.

    ``note`` is the note it is in or becomes, which Pandoc reads for positions and "(n 3)"
    (as Pandoc's Markdown reader sets it: each citation outside a note counts as one).
    ``sentence``: a prefix that ends a sentence capitalises the term the citation starts
    with ("He said so. Ibid."), as Pandoc does in a note style for a prefix ending in ". ";
    ``sentence_prefix`` extends that to a sentence ending in "?", "!" or a closing quote.
    """
    citations = []
    for item, extra in merged(cite.items, terms):
        suffix, rest = "", plain(item.suffix)
        items = ITEMS.match(rest)
        after = ", ".join(part for part in (items[1] if items else "", plain(extra)) if part)
        if item.locator is not None:
            label, value = csl_locator(item)
            suffix = ", " + _locator_text(label, value, headings, after, labels)
            rest = "" if items else rest
        suffix += _suffix(rest)
        mode = {"suppress-author": "SuppressAuthor", "author-only": "AuthorInText"}.get(
            item.mode, "NormalCitation")
        prefix = inlines_of(sentence_prefix(plain(item.prefix).strip(), sentence))
        citations.append({"citationId": item.key, "citationPrefix": prefix,
                          "citationSuffix": inlines_of(suffix), "citationMode": {"t": mode},
                          "citationNoteNum": note, "citationHash": 0})
    return {"t": "Cite", "c": [citations, []]}


# A prefix that is a sentence of its own: at least two words, ending in ".", "?" or "!",
# perhaps inside closing quotes or brackets.
_SENTENCE = re.compile(r"\S\s+\S.*[.?!][’”'\"»)\]]*$", re.S)
# What Pandoc is given after such a prefix so that its own rule for a sentence prefix (a
# prefix ending in ". ") capitalises the citation's first term, and what comes out of the
# output again (``plain`` keeps U+FFFF out of any text given, so nothing else can hold it).
SENTENCE_MARK = AFTER + "." + AFTER + "."


def sentence_prefix(prefix: str, sentence: bool) -> str:
    """The prefix as Pandoc is given it: a sentence (in a style that capitalises "ibid" in a
    note) ends in ``SENTENCE_MARK`` and a space; anything else as it is."""
    if sentence and _SENTENCE.search(prefix) and not prefix.endswith(". "):
        return prefix + SENTENCE_MARK + " "
    return prefix


# Which locator of a source's pinpoints in one note leads when they are merged: the larger part.
RANK = ("chapter", "section", "page", "paragraph", "table", "figure", "line", "note")


def merged(items: Iterable[m.CiteItem],
           terms: Mapping[str, tuple[str, str]] = {}) -> list[tuple[m.CiteItem, str]]:
    """A citation's items, a source cited twice or more in it as one item, where first
    written, with what follows its locator: "paras 26, 27" (not "para 26; ibid para 27");
    "section ‘Introduction’, footnote 1" (not "footnote 1; ibid., section ‘Introduction’"),
    the later parts in the style's own words (``terms``)."""
    groups: dict[str, list[m.CiteItem]] = {}
    for item in items:
        groups.setdefault(item.key, []).append(item)
    out = []
    for item in items:
        group = groups[item.key]
        if _mergeable(group):
            if item is group[0]:
                values = ", ".join(one.locator for one in group)
                out.append((replace(item, locator=values, suffix=group[-1].suffix), ""))
        elif _combinable(group):
            if item is group[0]:
                out.append(_combined(group, terms))
        else:
            out.append((item, ""))
    return out


def _mergeable(group: list[m.CiteItem]) -> bool:
    # the same pinpoint twice stays two cites, and the second is "ibid" (as CSL prints it)
    return (len(group) > 1 and len({item.label for item in group}) == 1
            and len({item.locator for item in group}) == len(group)
            and all(item.locator and NUMBERS.fullmatch(item.locator) for item in group)
            and not any(item.prefix for item in group[1:])
            and not any(item.suffix for item in group[:-1]))


def _combinable(group: list[m.CiteItem]) -> bool:
    labels = [item.label or "page" for item in group]
    return (len(group) > 1 and len(set(labels)) == len(group) and all(l in RANK for l in labels)
            and all(item.locator for item in group)
            and not any(item.prefix for item in group[1:])
            and not any(item.suffix for item in group))


def _combined(group: list[m.CiteItem], terms: Mapping[str, tuple[str, str]]) -> tuple:
    lead = min(group, key=lambda item: RANK.index(item.label or "page"))
    rest = [item for item in group if item is not lead]
    words = []
    for item in rest:
        single, several = terms.get(item.label or "page", (item.label, item.label + "s"))
        plural = re.search(r"\d\s*(?:,|and|&|-|–)\s*\d", item.locator) is not None
        words.append(f"{several if plural else single} {item.locator}".strip())
    return replace(lead, prefix=group[0].prefix), ", ".join(words)


def _suffix(suffix: str) -> str:
    """A suffix spaced as Pandoc spaces it ("X, emphasis added", "X emphasis added")."""
    if not suffix.strip():
        return ""
    return suffix if suffix[0] in " ,;:." else " " + suffix


def pandoc_inlines(nodes: Iterable[m.Inline], note: int, headings: list[str],
                   labels: Mapping[str, str] = {}, sentence: bool = False) -> list[dict]:
    """Model inlines (in author's note ``note``) as Pandoc's, citations as Cites."""
    out: list[dict] = []
    for node in nodes:
        if isinstance(node, m.Text):
            out += inlines_of(plain(node.text))
        elif isinstance(node, (m.Emph, m.Strong)):
            children = pandoc_inlines(node.children, note, headings, labels, sentence)
            out.append({"t": type(node).__name__, "c": children})
        elif isinstance(node, m.Link):
            children = pandoc_inlines(node.children, note, headings, labels, sentence)
            out.append({"t": "Link", "c": [["", [], []], children,
                                           [plain(node.url), ""]]})
        elif isinstance(node, m.Cite):
            out.append(pandoc_cite(node, note, headings, labels=labels, sentence=sentence))
        elif isinstance(node, m.Code):
            out.append({"t": "Code", "c": [["", [], []], plain(node.text)]})
        elif isinstance(node, m.LineBreak):
            out.append({"t": "LineBreak"})
    return out


def csl_locator(item: m.CiteItem) -> tuple[str, str] | None:
    """(label, value) as CSL sees it; a missing label means page, as in Pandoc and CSL.

    A label the dataset has but CSL lacks (``benchmark``) becomes part of the value, as
    Pandoc reads ``[@ohchr-2020, {benchmark 21}]``: styles print such a page locator bare.
    """
    if item.locator is None:
        return None
    if item.label is None or item.label in CSL_LOCATORS:
        return item.label or "page", item.locator
    return "page", f"{item.label} {item.locator}"


# --- Pandoc JSON: what comes out ----------------------------------------------------------

QUOTES = {"SingleQuote": ("‘", "’"), "DoubleQuote": ("“", "”")}


def model_inlines(nodes: list[dict], headings: list[str] = ()) -> tuple[m.Inline, ...]:
    """Pandoc's formatted inlines as the model's: text, emphasis, strong emphasis, links.

    The model has no small capitals, superscript or the like; their text is kept plain.
    """
    out: list[m.Inline] = []
    for node in nodes:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            content = unmarked(content.replace(SENTENCE_MARK, ""))
            out.append(m.Text(re.sub(SPACE + "+", lambda marks: _heading(headings, marks[0]),
                                     content)))
        elif kind == "Space":
            out.append(m.Text(" "))
        elif kind in ("LineBreak", "SoftBreak"):   # a style's own line break ("&#x0A;")
            out.append(m.LineBreak())
        elif kind in ("Emph", "Strong"):
            children = model_inlines(content, headings)
            kind_of = m.Emph if kind == "Emph" else m.Strong
            out.append(kind_of(children) if children else m.Text(""))
        elif kind == "Link":
            out.append(m.Link(unmarked(content[2][0]), model_inlines(content[1], headings)))
        elif kind == "Quoted":
            opening, closing = QUOTES[content[0]["t"]]
            out += [m.Text(opening), *model_inlines(content[1], headings), m.Text(closing)]
        elif kind == "Code":
            out.append(m.Code(unmarked(content[1])))
        elif kind in ("Span", "Cite"):
            out += model_inlines(content[1], headings)
        elif kind in ("SmallCaps", "Superscript", "Subscript", "Underline", "Strikeout"):
            out += model_inlines(content, headings)
    return tuple(_items_placed(node, headings) for node in m.merge_text(out))


def _heading(headings: list[tuple[str, str]], marks: str) -> str:
    heading, after = headings[len(marks) - 1]
    return heading + (f"{AFTER}{len(marks)}{AFTER}" if after else "")


def _items_placed(node: m.Inline, headings: list[tuple[str, str]]) -> m.Inline:
    """A heading's items after its closing quote: "s ‘Recommendations’, items 1 and 9" (the
    style quotes the heading, so the items could not go to Pandoc inside it)."""
    if not isinstance(node, m.Text) or AFTER not in node.text:
        return node
    return m.Text(re.sub(f"{AFTER}(\\d+){AFTER}([’”'\"»]*)",
                         lambda found: found[2] + ", " + headings[int(found[1]) - 1][1],
                         node.text))


def _unparenthesised(nodes: list[dict]) -> list[dict]:
    """A citation Pandoc set in parentheses inside a note, without them."""
    if len(nodes) >= 2 and nodes[0] == {"t": "Str", "c": "("} and _ends_with(nodes[-1], ")"):
        return nodes[1:-1] + _without_last(nodes[-1], ")")
    return nodes


def _ends_with(node: dict, text: str) -> bool:
    return node["t"] == "Str" and node["c"].endswith(text)


def _without_last(node: dict, text: str) -> list[dict]:
    rest = node["c"][:-len(text)]
    return [{"t": "Str", "c": rest}] if rest else []


def _in_text_cites(nodes: list[dict], inside_note: bool) -> Iterator[list[dict]]:
    """The formatted inlines of each Cite among Pandoc's inlines, in order."""
    for node in nodes:
        if node["t"] == "Cite":
            yield _unparenthesised(node["c"][1]) if inside_note else node["c"][1]
        elif node["t"] in ("Emph", "Strong", "SmallCaps", "Superscript", "Subscript",
                           "Underline", "Strikeout"):
            yield from _in_text_cites(node["c"], inside_note)
        elif node["t"] in ("Link", "Span"):
            yield from _in_text_cites(node["c"][1], inside_note)


# --- styles -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reading:
    """Where Pandoc's citeproc (3.9) would read the sources otherwise than CSL 1.0.2 and the
    CSL test suite under a style, so ``for_pandoc_item`` gives them to it otherwise. Each
    change leaves what the style prints as CSL says it; only Pandoc's reading moves:

    - ``particles``: an in-text style keeps a non-dropping particle with the family name
      (demote-non-dropping-particle="never"), yet Pandoc tells names apart for given-name
      disambiguation by the family name without it, so "dos Santos" and "Santos" were one
      name and both got initials (disambiguate_PrimaryNameWithNonDroppingParticle). Not
      in a note style: Pandoc capitalises a note's first word unless it is a name that
      starts in lower case, and "dos Santos" given whole would be one, where "Dos Santos"
      is due (disambiguate_PrimaryNameWithParticle stays failing, README);
    - ``initials``: every name the style prints is initialised, yet Pandoc takes "J.J." and
      "J. J." for two people and adds given names to tell them apart
      (disambiguate_DifferentSpacingInInitials);
    - ``first_note``: an in-text style prints first-reference-note-number, which Pandoc
      sets in note styles only, for its citations in notes (position_IbidSeparateCiteSameNote).
    """

    particles: bool = False
    initials: bool = False
    first_note: bool = False


@dataclass(frozen=True, eq=False)
class Style:
    """A CSL style as a file Pandoc reads, and what the walk must know of it."""

    name: str
    path: Path
    locale: str
    note: bool = True             # class="note": citations become footnotes
    # Pandoc capitalises a note that starts with a citation; a house style whose "ibid" is
    # lower case (OSCOLA's) keeps it so.
    capitalise_notes: bool = True
    ibid: str = ""                # the style's own "ibid" term, when it sets one
    # the style's own short locator terms, (single, multiple): ("fn", "fns") for "note"
    terms: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    # the locator labels in the style's language, as Pandoc reads them in a locator:
    # {"page": "Seite"} for a German style; empty for English, whose labels are CSL's names
    labels: Mapping[str, str] = field(default_factory=dict)
    # the style as Pandoc reads it, where it differs from the file (``for_pandoc``): a data
    # URI; else Pandoc reads the file
    pandoc_csl: str = ""
    # how the sources are given to Pandoc where it would read them otherwise than CSL does
    # (``Reading``, ``for_pandoc_item``)
    reading: Reading = Reading()


def load_style(name_or_path: str, base: Path, default_locale: str = DEFAULT_LOCALE,
               probe: bool = True) -> Style:
    """A style by house name ("uk-oscola", "un"), by path (relative to base), or by CSL name
    ("chicago-note-bibliography") from ``base/styles`` or the system's CSL styles folder.

    ``probe`` runs Pandoc on an empty document, so a style Pandoc refuses is a problem now;
    a build about to cite with the style leaves it out, as its own run reports the same.
    """
    path = find_style(name_or_path, base)
    if path is None:
        raise CiteError([Problem(Location(name_or_path), _missing_style(name_or_path))])
    root = _parse_style(path)
    locale = root.get("default-locale") or default_locale
    ibid = root.findtext(f"{{{CSL_NS}}}locale/{{{CSL_NS}}}terms/{{{CSL_NS}}}term[@name='ibid']")
    # A house style is known by its file (the build names a style by the file it resolved).
    lower_ibid = path.resolve() in {HOUSE_STYLES[name].resolve() for name in LOWER_CASE_IBID}
    style = Style(name_or_path, path, locale, root.get("class") == "note",
                  not lower_ibid, ibid or "", _short_terms(root), pandoc_csl=for_pandoc(root),
                  reading=reading(root))
    if probe:
        run_citeproc(style, [], [])   # what Pandoc refuses in the style (unknown elements) now
    if not locale.lower().startswith("en"):
        style = replace(style, labels=locator_labels(root, locale))
    return style


def locator_labels(root: Any, locale: str) -> dict[str, str]:
    """Each locator label's word in the style's language ({"page": "Seite"}), asked of Pandoc.

    Pandoc reads a locator's label by the terms of the style's locale only, so a German
    style takes "{Seite 100}" and reads "{page 100}" as no label at all. No Python package
    holds the CSL locales Pandoc carries, so a probe style in the same locale, with the
    style's own locale terms, prints each label's long term (one Pandoc run per style).
    """
    probe = etree.Element(f"{{{CSL_NS}}}style", nsmap={None: CSL_NS},
                          attrib={"class": "note", "version": "1.0", "default-locale": locale})
    info = etree.SubElement(probe, f"{{{CSL_NS}}}info")
    for name, text in (("title", "probe"), ("id", "probe"), ("updated", "2026-01-01T00:00:00Z")):
        etree.SubElement(info, f"{{{CSL_NS}}}{name}").text = text
    for own in root.iterfind(f"{{{CSL_NS}}}locale"):
        probe.append(copy.deepcopy(own))
    layout = etree.SubElement(etree.SubElement(probe, f"{{{CSL_NS}}}citation"),
                              f"{{{CSL_NS}}}layout")
    etree.SubElement(layout, f"{{{CSL_NS}}}text", value="x")
    for label in CSL_LOCATORS:
        etree.SubElement(layout, f"{{{CSL_NS}}}text", term=label, prefix=f"[{label}=",
                         suffix="]")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "labels.csl"
        path.write_bytes(etree.tostring(probe, xml_declaration=True, encoding="utf-8"))
        cite = pandoc_cite(m.Cite((m.CiteItem("probe"),)), 1, [])
        out = run_citeproc(Style("probe", path, locale), [{"id": "probe", "type": "book"}],
                           [{"t": "Para", "c": [cite]}])
    text = m.plain_text(model_inlines(next(_find_note(out["blocks"][0]["c"]))[0]["c"]))
    return {label: term.strip() for label, term in re.findall(r"\[([\w-]+)=([^\]]*)\]", text)
            if term.strip() and label in CSL_LOCATORS}


def _short_terms(root: Any) -> dict[str, tuple[str, str]]:
    """The locator terms a style defines itself, short form: {"note": ("fn", "fns")}."""
    found = {}
    for term in root.iterfind(f"{{{CSL_NS}}}locale/{{{CSL_NS}}}terms/{{{CSL_NS}}}term"):
        if term.get("form") == "short" and term.get("name") in RANK:
            single = term.findtext(f"{{{CSL_NS}}}single") or term.text or ""
            found[term.get("name")] = (single, term.findtext(f"{{{CSL_NS}}}multiple") or single)
    return found


def _missing_style(name: str) -> str:
    hint = did_you_mean(name, sorted(HOUSE_STYLES))
    if hint:
        return f"no citation style {name!r}{hint}"
    return (f"no citation style {name!r}; expected {' or '.join(map(repr, HOUSE_STYLES))}, "
            "the path of a CSL file, or the name of one in styles/ or "
            f"{SYSTEM_STYLES}, got nothing there")


_PARSER = etree.XMLParser(remove_comments=True, no_network=True, resolve_entities=False)


def _parse_style(path: Path) -> Any:
    """The style's root element; a file that is not an independent CSL style is a CiteError.

    Pandoc reads the style itself (``_run`` reports what it refuses); this checks what makes a
    file a style at all, with the line to point at.
    """
    where = display_path(path)
    try:
        root = etree.parse(str(path), _PARSER).getroot()
    except etree.XMLSyntaxError as err:
        line, col = err.position
        what = re.sub(r", line \d+, column \d+$", "", err.msg)
        raise CiteError([Problem(Location(where, line, col), f"not a CSL style: {what}")])
    if root.tag != f"{{{CSL_NS}}}style" or root.find(f"{{{CSL_NS}}}citation") is None:
        got = "a dependent style" if root.tag == f"{{{CSL_NS}}}style" else f"<{root.tag}>"
        raise CiteError([Problem(Location(where, root.sourceline or 1, 1),
                                 "not an independent CSL style; expected <style> with a "
                                 f"<citation> in the CSL namespace, got {got}")])
    problems = [Problem(Location(where, element.sourceline or 1, 1), message)
                for element in root.iter() for message in _attribute_problems(element)]
    if problems:
        raise CiteError(problems)
    return root


# --- the style as Pandoc reads it ------------------------------------------------------------
# Where Pandoc's citeproc (3.9) reads a style otherwise than CSL 1.0.2 and the CSL test
# suite say, each mended by rewriting the style Pandoc is given (its meaning under CSL
# unchanged), since Pandoc's citeproc cannot be patched from here:
# - a tab in an affix or a text is a word space to Pandoc (``TAB_MARK``,
#   label_EditorTranslator1);
# - near-note-distance is an option of cs:citation; Pandoc reads it on cs:style only, and
#   counts a cite "near" when fewer notes than it lie between, where CSL says "no more than"
#   (position_NearNoteSameNote);
# - first-reference-note-number is the note of an earlier cite of the item; Pandoc gives it
#   to the first cite too, its own note (position_ResetNoteNumbers).

NEVER_SET = "briefgen-never-set"     # a variable no item has: called, and empty
TEXT_ATTRIBUTES = ("prefix", "suffix", "delimiter", "value", "after-collapse-delimiter",
                   "cite-group-delimiter", "year-suffix-delimiter")


def for_pandoc(root: Any) -> str:
    """The style as a data URI for Pandoc when it needs one of the rewrites above, else ""."""
    style = copy.deepcopy(root)
    changed = _near_note_distance(style) | _first_reference_note(style) | _tabs(style)
    if not changed:
        return ""
    data = etree.tostring(style, xml_declaration=True, encoding="utf-8")
    return "data:application/xml;base64," + base64.b64encode(data).decode("ascii")


def _tabs(root: Any) -> bool:
    """Each tab in the style's affixes, delimiters, values and terms as ``TAB_MARK``."""
    changed = False
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in TEXT_ATTRIBUTES:
            value = element.get(name)
            if value is not None and "\t" in value:
                element.set(name, value.replace("\t", TAB_MARK))
                changed = True
        if element.text and "\t" in element.text and element.tag.endswith(("}term", "}single",
                                                                              "}multiple")):
            element.text = element.text.replace("\t", TAB_MARK)
            changed = True
    return changed


def _near_note_distance(root: Any) -> bool:
    """CSL's near-note-distance (default 5; a cite no more than that many notes after the
    last cite of its item is "near"), on cs:style as Pandoc reads it and one more, since
    Pandoc asks for fewer. Only a style that tests near-note is rewritten."""
    if not any("near-note" in (el.get("position") or "").split()
               for el in root.iter() if isinstance(el.tag, str)):
        return False
    citation = root.find(f"{{{CSL_NS}}}citation")
    given = citation.get("near-note-distance") or root.get("near-note-distance") or "5"
    if not given.strip().isdigit():
        return False
    root.set("near-note-distance", str(int(given) + 1))
    return True


def _first_reference_note(root: Any) -> bool:
    """first-reference-note-number only where the cite is not the item's first: each text or
    number printing it, in a choose on position "subsequent" whose other branch calls a
    variable no item has (so a group around it is suppressed on a first cite, as it is when
    the variable is empty), and each condition testing it (alone, or with match="all")
    also testing the position. A condition with match="any" or "none" is left as written."""
    changed = False
    for element in _printing_first_note(root):
        parent, at = element.getparent(), element.getparent().index(element)
        choose = etree.Element(f"{{{CSL_NS}}}choose")
        branch = etree.SubElement(choose, f"{{{CSL_NS}}}if", position="subsequent")
        etree.SubElement(etree.SubElement(choose, f"{{{CSL_NS}}}else"),
                         f"{{{CSL_NS}}}text", variable=NEVER_SET)
        choose.tail, element.tail = element.tail, None
        parent.remove(element)
        branch.append(element)
        parent.insert(at, choose)
        changed = True
    for condition in root.iter(f"{{{CSL_NS}}}if", f"{{{CSL_NS}}}else-if"):
        tested = (condition.get("variable") or "").split()
        if "first-reference-note-number" in tested and condition.get("match", "all") == "all":
            positions = (condition.get("position") or "").split()
            condition.set("position", " ".join(dict.fromkeys([*positions, "subsequent"])))
            changed = True
    return changed


# --- the sources as Pandoc reads them ---------------------------------------------------------

def _printing_first_note(root: Any) -> list[Any]:
    """The style's cs:text and cs:number elements that print first-reference-note-number."""
    return [element for element in root.iter(f"{{{CSL_NS}}}text", f"{{{CSL_NS}}}number")
            if element.get("variable") == "first-reference-note-number"]


def reading(root: Any) -> Reading:
    """How the sources go to Pandoc under the style (``Reading``)."""
    in_text = root.get("class") != "note"
    return Reading(particles=in_text and root.get("demote-non-dropping-particle") == "never",
                   initials=_every_name_initialised(root),
                   first_note=in_text and bool(_printing_first_note(root)))


def _every_name_initialised(root: Any) -> bool:
    """Whether each cs:names prints with an initialize-with: its cs:name's (a substitute's
    shorthand cs:names takes the cs:name of the cs:names it is in), or one inherited from
    the cs:citation or cs:bibliography it is in, or from cs:style. A cs:names in a macro,
    which either may call, inherits only what both set."""
    def sets(element: Any) -> bool:
        return element is not None and element.get("initialize-with") is not None

    holders = [h for h in (root.find(f"{{{CSL_NS}}}citation"),
                           root.find(f"{{{CSL_NS}}}bibliography")) if h is not None]
    names = list(root.iter(f"{{{CSL_NS}}}names"))
    for element in names:
        holder = next((a for a in element.iterancestors() if a in holders), None)
        inherited = sets(holder) if holder is not None else all(map(sets, holders))
        if not (sets(_name_element(element)) or inherited or sets(root)):
            return False
    return bool(names)


def _name_element(names: Any) -> Any:
    for element in (names, *names.iterancestors(f"{{{CSL_NS}}}names")):
        name = element.find(f"{{{CSL_NS}}}name")
        if name is not None or element.getparent().tag != f"{{{CSL_NS}}}substitute":
            return name
    return None


# A given name of initials only, with or without spaces between them ("J.J.", "J. J.").
_INITIALS = re.compile(r"(?:[^\W\d_]\.\s*)+")
# After these a non-dropping particle joins the family name with no space ("d'Alembert").
_JOINING = ("'", "’", "-", "–", "\u00a0")


def for_pandoc_item(item: dict, reading: Reading, first_note: int | None = None) -> dict:
    """A source's CSL-JSON item as Pandoc is given it under a style (``Reading``)."""
    if not (reading.particles or reading.initials or first_note):
        return item
    out = {key: [_name(name, reading) if isinstance(name, dict) else name for name in value]
           if isinstance(value, list) else value for key, value in item.items()}
    if first_note:
        out["first-reference-note-number"] = first_note
    return out


def _name(name: dict, reading: Reading) -> dict:
    """One name as Pandoc is given it: under ``Reading.particles`` the non-dropping particle
    and the family name as one unit (in double quotes, CSL-JSON's way to keep a family name
    whole, which Pandoc drops), under ``Reading.initials`` initials spaced alike."""
    out = dict(name)
    family, given = name.get("family"), name.get("given")
    if reading.particles and isinstance(family, str) and "literal" not in name \
            and not (family.startswith('"') and family.endswith('"')):
        particle = out.pop("non-dropping-particle", "")
        joined = particle and (particle if particle.endswith(_JOINING) else particle + " ")
        out["family"] = f'"{joined}{family}"'
    if reading.initials and isinstance(given, str) and _INITIALS.fullmatch(given.strip()):
        out["given"] = " ".join(f"{letter}." for letter in re.findall(r"[^\W\d_]", given))
    return out


# The formatting attributes of CSL 1.0.2 and their values. Pandoc reads an unknown value as
# no formatting and says nothing, so a typo ("slanted") would vanish from every note; no
# Python package but citeproc-py ships the CSL schema, so these few are checked here.
FORMATTING = {
    "font-style": ("normal", "italic", "oblique"),
    "font-variant": ("normal", "small-caps"),
    "font-weight": ("normal", "bold", "light"),
    "text-decoration": ("none", "underline"),
    "vertical-align": ("baseline", "sup", "sub"),
    "text-case": ("lowercase", "uppercase", "capitalize-first", "capitalize-all", "sentence",
                  "title"),
    "display": ("block", "left-margin", "right-inline", "indent"),
    "quotes": ("true", "false"), "strip-periods": ("true", "false"),
}


def _attribute_problems(element: Any) -> list[str]:
    if not isinstance(element.tag, str):
        return []
    tag = element.tag.replace(f"{{{CSL_NS}}}", "")
    return [f"invalid CSL style: Invalid attribute {name} for element {tag}; expected one of "
            f"{', '.join(FORMATTING[name])}, got {value!r}"
            for name, value in element.attrib.items()
            if name in FORMATTING and value not in FORMATTING[name]]


# --- Pandoc -------------------------------------------------------------------------------

def citeproc_document(style: Style, references: list[dict], blocks: list[dict],
                      bibliography: bool = False) -> dict:
    """The Pandoc JSON document citeproc is given: the blocks, the sources as ``references``
    and the style as ``csl``, by its absolute path (Pandoc runs in its own process)."""
    meta = {"references": meta_value(references), "lang": {"t": "MetaString", "c": style.locale},
            "suppress-bibliography": {"t": "MetaBool", "c": not bibliography},
            "notes-after-punctuation": {"t": "MetaBool", "c": False},
            "csl": {"t": "MetaString",
                    "c": style.pandoc_csl or str(Path(style.path).resolve())}}
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": meta, "blocks": blocks}


class Citing:
    """A document's citations sent to Pandoc; ``result()`` waits for them, formatted."""

    def __init__(self, style: Style, references: list[dict], blocks: list[dict],
                 bibliography: bool = False):
        self.style = style
        self.pending = citeproc.submit(citeproc_document(style, references, blocks, bibliography))

    def result(self) -> dict:
        try:
            return self.pending.result()
        except citeproc.CiteprocFailed as err:
            if err.stopped:
                raise CiteError([Problem(Location(display_path(self.style.path)),
                                         f"citations not formatted; expected Pandoc's answer, "
                                         f"got {err}")]) from None
            what = re.sub(r"^Citeproc\w*Error:? ", "", str(err))
            raise CiteError([Problem(Location(display_path(self.style.path)),
                                     f"invalid CSL style: {what}")]) from None


def run_citeproc(style: Style, references: list[dict], blocks: list[dict],
                 bibliography: bool = False) -> dict:
    """Pandoc's citeproc on one document: the document back, citations formatted."""
    return Citing(style, references, blocks, bibliography).result()


# --- the walk -----------------------------------------------------------------------------

def cite_document(doc: m.Document, sources: Mapping[str, Source | dict], style: Style,
                  locate: Callable[[m.Cite], Location] | None = None,
                  bibliography: bool | None = None) -> m.Document:
    """The document with every citation and author's note as a numbered, formatted note
    (note styles) or every citation as text in place and a reference list (other styles).

    ``sources`` are dataset records or CSL-JSON items. ``locate`` says where a citation was
    written, for its problems (default: the title). ``bibliography`` adds the reference list
    to a note style's document (default: as the brief asks, ``Meta.bibliography``).
    """
    return start_citing(doc, sources, style, locate, bibliography).result()


class CitingDocument:
    """A document whose citations Pandoc is formatting; ``result()`` waits and returns the
    document cited (so the caller can do other work meanwhile)."""

    def __init__(self, doc: m.Document, style: Style, plan: _Plan, cited: list[str],
                 with_list: bool, citing: Citing):
        self.doc, self.style, self.plan, self.cited = doc, style, plan, cited
        self.with_list, self.citing = with_list, citing

    def result(self) -> m.Document:
        out = self.citing.result()
        style, plan = self.style, self.plan
        walk = _Walk(style, _results(out["blocks"], plan.kinds, style.note), plan.headings)
        blocks = walk.blocks(self.doc.blocks, None)
        notes = tuple(sorted(walk.notes, key=lambda note: note.number))
        if self.with_list:
            entries = reference_list(out["blocks"])
            blocks += (m.Heading(2, (m.Text(REFERENCES),)),) + entries if entries else ()
        return replace(self.doc, blocks=blocks, notes=notes, bibliography=tuple(self.cited))


def start_citing(doc: m.Document, sources: Mapping[str, Source | dict], style: Style,
                 locate: Callable[[m.Cite], Location] | None = None,
                 bibliography: bool | None = None) -> CitingDocument:
    """``cite_document`` in two steps: the citations are checked and sent to Pandoc now, and
    the document comes back from ``result()``."""
    if bibliography is None:
        bibliography = doc.meta.bibliography
    _check_keys(doc, sources, locate)
    plan = _Plan(style)
    plan.blocks(doc.blocks)
    cited = list(dict.fromkeys(key for key in plan.keys))
    first = plan.first_notes if style.reading.first_note else {}
    references = [for_pandoc_item(_reference(sources[key]), style.reading, first.get(key))
                  for key in cited]
    with_list = bibliography or not style.note
    citing = Citing(style, references, plan.pandoc_blocks(), with_list)
    return CitingDocument(doc, style, plan, cited, with_list, citing)


def _reference(source: Source | dict) -> dict:
    return csl_item(source) if isinstance(source, Source) else _dates(source)


def _check_keys(doc: m.Document, sources: Mapping[str, Any],
                locate: Callable[[m.Cite], Location] | None) -> None:
    """Every unknown source and locator label of every citation, reported at once.

    The cite pass has no file to point at: the caller's ``locate`` finds each citation's
    place, else the problems are located at the document's title.
    """
    title = Location(doc.meta.title or "document")
    where = locate or (lambda cite: title)
    problems = [Problem(where(cite), message) for cite in m.find(doc.blocks, m.Cite)
                for item in cite.items for message in _item_problems(cite, item, sources)]
    if problems:
        raise CiteError(problems)


def _item_problems(cite: m.Cite, item: m.CiteItem, sources: Mapping[str, Any]) -> list[str]:
    written = cite.source or f"[@{item.key}]"
    if item.key not in sources:
        hint = did_you_mean(item.key, sorted(sources))
        return [f"unknown source {item.key!r} in {written}"
                + (hint or f"; expected the id of one of the {len(sources)} sources")]
    if item.label is not None and item.label not in CSL_LOCATORS + LOCATOR_KEYS:
        hint = did_you_mean(item.label, list(CSL_LOCATORS))
        return [f"unknown locator label {item.label!r} in {written}"
                + (hint or f"; expected one of {', '.join(CSL_LOCATORS)}")]
    return _suffix_problems(item, written)


def _suffix_problems(item: m.CiteItem, written: str) -> list[str]:
    """A locator written so that Pandoc would print it as text: without the comma before it
    ("[@coi-2014 para 80]"), or in braces without its label ("[@hrw-2019, {Summary}]")."""
    from .parse import LOCATOR_TERMS
    missing = re.match(r"\s+(\S+)\s+\S", item.suffix)
    if item.locator is None and missing and missing[1].lower() in LOCATOR_TERMS:
        return [f"citation {written} has no comma before its locator; expected "
                f"'@{item.key}, {item.suffix.strip()}'"]
    braced = re.match(r"\s*,\s*\{([^{}\s]+)\}", item.suffix)
    if item.locator is None and braced:
        return [f"locator {{{braced[1]}}} in {written} has no label, so Pandoc prints the "
                f"braces; expected a label first, like '{{section {braced[1]}}}'"]
    return []


def _inline_runs(blocks: Iterable[m.Block]) -> Iterator[tuple[m.Inline, ...]]:
    """Every run of inlines in blocks (paragraphs, headings, list items, cells), in order."""
    for block in blocks:
        if isinstance(block, (m.Heading, m.Paragraph)):
            yield block.children
        elif isinstance(block, (m.BulletList, m.OrderedList)):
            for item in block.items:
                yield from _inline_runs(item)
        elif isinstance(block, m.BlockQuote):
            yield from _inline_runs(block.blocks)
        elif isinstance(block, m.Table):
            yield from (cell for row in (block.header, *block.rows) for cell in row)
        elif isinstance(block, m.Figure):
            yield block.caption
            yield from _inline_runs((block.table,))


class _Plan:
    """The first pass: each note or in-text citation, in reading order, as one Pandoc
    paragraph (``kinds`` says which kind each is)."""

    def __init__(self, style: Style):
        self.style = style
        self.paras: list[dict] = []
        self.kinds: list[str] = []
        self.keys: list[str] = []
        self.count = 0     # notes so far, each citation outside a note counted as one
        self.notes = 0     # the notes the document will have so far
        # each cited item's first note, or None where it is first cited outside a note
        self.first_notes: dict[str, int | None] = {}
        self.headings: list[tuple[str, str]] = []   # locators given to Pandoc as marks
        # a sentence prefix capitalises "ibid" after it, but not in a style whose "ibid" is
        # lower case even at the start of a note (OSCOLA's)
        self.sentence = style.note and style.capitalise_notes

    def blocks(self, blocks: Iterable[m.Block]) -> None:
        for run in _inline_runs(blocks):
            self.inlines(run)

    def inlines(self, nodes: Iterable[m.Inline]) -> None:
        for node in nodes:
            if isinstance(node, m.Cite):
                self.keys += [item.key for item in node.items]
                self.count += 1
                self.notes += self.style.note
                self.first(node.items, self.notes if self.style.note else None)
                cited = pandoc_cite(node, self.count, self.headings, self.style.terms,
                                    self.style.labels, self.sentence)
                self.add("note" if self.style.note else "in-text", [cited])
            elif isinstance(node, m.InlineNote):
                self.author_note(node)
            elif isinstance(node, (m.Emph, m.Strong, m.Link)):
                self.inlines(node.children)

    def author_note(self, node: m.InlineNote) -> None:
        runs = list(_inline_runs(node.blocks))
        items = [item for cite in m.find(runs, m.Cite) for item in cite.items]
        self.keys += [item.key for item in items]
        self.count += 1
        self.notes += 1
        self.first(items, self.notes)
        filler = [{"t": "Str", "c": "-"}]   # Pandoc keeps no empty paragraph
        paras = [{"t": "Para", "c": pandoc_inlines(run, self.count, self.headings,
                                                   self.style.labels, self.sentence) or filler}
                 for run in runs] or [{"t": "Para", "c": [{"t": "Str", "c": "-"}]}]
        self.add("author-note", [{"t": "Note", "c": paras}])

    def first(self, items: Iterable[m.CiteItem], note: int | None) -> None:
        for item in items:
            self.first_notes.setdefault(item.key, note)

    def add(self, kind: str, inlines: list[dict]) -> None:
        self.kinds.append(kind)
        self.paras.append({"t": "Para", "c": inlines})

    def pandoc_blocks(self) -> list[dict]:
        return list(self.paras)


def _results(blocks: list[dict], kinds: list[str], note_style: bool) -> Iterator[Any]:
    """What Pandoc made of each planned paragraph: a note's blocks, an in-text citation's
    inlines, or the formatted citations of an author's note (one list per run)."""
    for block, kind in zip(blocks, kinds):
        inlines = block["c"]
        if kind == "in-text":
            yield next(_in_text_cites(inlines, False), [])
            continue
        note = next(_find_note(inlines))
        if kind == "note":
            yield note
        else:
            yield [list(_in_text_cites(para["c"], note_style)) for para in note]


def _find_note(nodes: list[dict]) -> Iterator[list[dict]]:
    for node in nodes:
        if node["t"] == "Note":
            yield node["c"]
        elif node["t"] == "Cite":
            yield from _find_note(node["c"][1])


def reference_list(blocks: list[dict]) -> tuple[m.Block, ...]:
    """The reference list Pandoc appended (its ``refs`` Div), one paragraph per entry."""
    for block in blocks:
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            entries = (model_inlines(_entry_inlines(entry["c"][1]))
                       for entry in block["c"][1] if entry["t"] == "Div")
            return tuple(m.Paragraph(entry) for entry in entries if entry)   # none empty
    return ()


def _entry_inlines(blocks: list[dict]) -> list[dict]:
    return [node for block in blocks if block["t"] in ("Para", "Plain") for node in block["c"]]


_MOVED = re.compile(r"^[.,;:!?]+")
_DOUBLED_STOP = re.compile("([?!][’”'\"»]*)\\.$")


def single_full_stop(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """A note's closing full stop dropped after a heading locator's own "?" ("met?”"):
    Pandoc saw the heading as a mark token (``_locator_text``), so it could not."""
    if nodes and isinstance(nodes[-1], m.Text):
        return nodes[:-1] + (m.Text(_DOUBLED_STOP.sub(r"\1", nodes[-1].text)),)
    return nodes


@lru_cache(maxsize=8)
def _after_sentence(ibid: str) -> re.Pattern:
    """A capitalised "ibid" where Pandoc capitalises it inside a note: after "; " (the
    citation before it ends there) or after the end of a sentence (a prefix's); what precedes
    it is group 1."""
    return re.compile(rf"(; |[.?!][’”'\"»)\]]*\s+){re.escape(ibid.capitalize())}")


class _Walk:
    """The second pass over the document in reading order: each citation and author's note
    replaced by what Pandoc made of it, notes numbered as they are met."""

    def __init__(self, style: Style, results: Iterator[Any], headings: list[tuple[str, str]]):
        self.style = style
        self.headings = headings
        self.results = results
        self.notes: list[m.Note] = []
        self.count = 0
        self.in_note: list[list[dict]] | None = None   # an author's note's citations, per run

    # blocks
    def blocks(self, blocks: tuple[m.Block, ...], note: int | None) -> tuple[m.Block, ...]:
        return tuple(self.block(block, note) for block in blocks)

    def block(self, block: m.Block, note: int | None) -> m.Block:
        if isinstance(block, (m.Heading, m.Paragraph)):
            return replace(block, children=self.run(block.children, note))
        if isinstance(block, (m.BulletList, m.OrderedList)):
            return replace(block, items=tuple(self.blocks(item, note) for item in block.items))
        if isinstance(block, m.BlockQuote):
            return replace(block, blocks=self.blocks(block.blocks, note))
        if isinstance(block, m.Table):
            return replace(block, header=self.cells(block.header, note),
                           rows=tuple(self.cells(row, note) for row in block.rows))
        if isinstance(block, m.Figure):
            return replace(block, caption=self.run(block.caption, note),
                           table=self.block(block.table, note))
        return block

    def cells(self, cells: tuple[tuple[m.Inline, ...], ...], note: int | None) -> tuple:
        return tuple(self.run(cell, note) for cell in cells)

    def run(self, inlines: tuple[m.Inline, ...], note: int | None) -> tuple[m.Inline, ...]:
        """One run of inlines; inside an author's note, with that run's citations."""
        if note is None or self.in_note is None:
            return self.inlines(inlines, None)
        cites = iter(self.in_note.pop(0) if self.in_note else [])
        return self.inlines(inlines, cites)

    # inlines
    def inlines(self, inlines: tuple[m.Inline, ...],
                cites: Iterator | None) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        cut = 0   # characters of the next Text that moved before a note mark
        for i, node in enumerate(inlines):
            if isinstance(node, m.Text) and cut:
                node, cut = m.Text(node.text[cut:]), 0
            following = inlines[i + 1] if i + 1 < len(inlines) else None
            if isinstance(node, m.Cite) and cites is not None:
                out.extend(model_inlines(next(cites, []), self.headings))
            elif isinstance(node, m.Cite) and self.style.note:
                cut = self.cite_note(out, following)
            elif isinstance(node, m.Cite):
                out.extend(model_inlines(next(self.results), self.headings))
            elif isinstance(node, m.InlineNote):
                out.append(self.author_note(node))
            elif isinstance(node, (m.Emph, m.Strong, m.Link)):
                out.append(replace(node, children=self.inlines(node.children, cites)))
            else:
                out.append(node)
        return m.merge_text(out)

    def cite_note(self, out: list[m.Inline], following: Any) -> int:
        """A citation in the text as a note; as Pandoc does, the space before the note mark
        goes and punctuation just after it moves before it. Returns the characters moved."""
        number = self.new_note()
        blocks = tuple(m.Paragraph(single_full_stop(self.note_case(
            model_inlines(_entry_inlines([b]), self.headings)))) for b in next(self.results))
        self.notes.append(m.Note(number, blocks))
        if out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(out[-1].text.rstrip(" "))
        match = _MOVED.match(following.text) if isinstance(following, m.Text) else None
        moved = match.group() if match else ""
        out.extend([m.Text(moved), m.NoteRef(number)] if moved else [m.NoteRef(number)])
        return len(moved)

    def note_case(self, nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
        """The style's lower-case "ibid" kept so where Pandoc capitalised it: after "; " in a
        note citing two sources (it follows a full stop there), after a prefix that ends a
        sentence, and at the start of a note in a style that says so
        (``Style.capitalise_notes``)."""
        ibid = self.style.ibid
        if not ibid.islower():
            return nodes
        inside = _after_sentence(ibid)
        nodes = tuple(m.Text(inside.sub(lambda found: found[1] + ibid, n.text))
                      if isinstance(n, m.Text) else n for n in nodes)
        if self.style.capitalise_notes or not nodes or not isinstance(nodes[0], m.Text):
            return nodes
        text = nodes[0].text
        if text.startswith(ibid.capitalize()):
            return (m.Text(ibid + text[len(ibid):]),) + nodes[1:]
        return nodes

    def author_note(self, node: m.InlineNote) -> m.NoteRef:
        number = self.new_note()
        self.in_note = next(self.results)
        self.notes.append(m.Note(number, self.blocks(node.blocks, number)))
        self.in_note = None
        return m.NoteRef(number)

    def new_note(self) -> int:
        self.count += 1
        return self.count
