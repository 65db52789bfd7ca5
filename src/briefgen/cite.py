"""Stage 5, cite: number the notes and format every citation once, with a CSL style.

The document model arrives with ``Cite`` nodes (Pandoc citations) and ``InlineNote`` nodes (an
author's own footnotes). One walk in reading order turns each into a ``NoteRef`` and a numbered
``Note`` whose text citeproc-py formats, so every writer prints the same note N.

citeproc-py formats; what it leaves to its caller or gets wrong for note styles is done here,
each in one small documented place (no other Python library formats CSL, so there is nothing
better to call; site-packages is left alone):

- positions (first, subsequent, ibid, ibid-with-locator, near-note) are computed from the
  notes (``_History``) and read by the style's ``cs:if`` (``_If``): citeproc-py compares its
  Locator objects by identity (a repeated pinpoint gives "ibid., 5" for "Ibid."), crashes on
  ``near-note`` and cannot tell notes apart;
- ``first-reference-note-number`` ("(n 3)"), which citeproc-py never sets (``_Item``);
- the written order of a citation's sources, which citeproc-py re-sorts (``_Registry``);
- ``is-numeric`` and ``locator`` tests, ``disambiguate`` (``_If``), ``initialize="false"``
  (``_Name``), text case (``_Text``, ``_NamePart``) and hyphens in locators (``_Text``):
  citeproc-py's style elements, with these classes swapped in when the style is parsed
  (``_parser``);
- formatted text as model nodes: citeproc-py's HTML output escapes locale terms but not the
  data, affixes or delimiters, so it is not HTML; the cite pass's own output format marks
  italics and bold with private-use characters instead (``_Marks``, ``parse_marked``).

Pandoc's citeproc is the reference (tests/test_cite_pandoc.py compares note for note), so the
walk does as it does: the space before a citation's note mark goes and punctuation after it
moves before it; a citation inside an author's note is printed in place, and its closing full
stop only where it ends the paragraph; a title's "?" is not followed by the note's ".".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from citeproc import model as csl
from citeproc.source import Citation, CitationItem, Locator, Reference
from citeproc.source.json import CiteProcJSON
from citeproc.string import MixedString, NoCase, String
from lxml import etree

from . import model as m
from .dataset import LOCATOR_KEYS, Source
from .errors import BriefgenError, Location, Problem, display_path
from .schema import did_you_mean
from .styles import HOUSE_STYLES
from .writers import markdown

DEFAULT_LOCALE = "en-GB"
CSL_NS = "http://purl.org/net/xbiblio/csl"

# The locator labels of CSL 1.0.2 (the locale terms a style can print for them).
CSL_LOCATORS = (
    "act", "appendix", "article-locator", "book", "canon", "chapter", "column", "elocation",
    "equation", "figure", "folio", "issue", "line", "note", "opus", "page", "paragraph", "part",
    "rule", "scene", "section", "sub-verbo", "supplement", "table", "timestamp", "title-locator",
    "verse", "volume",
)


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
    return item


def csl_json(sources: Iterable[Source]) -> str:
    """A CSL-JSON bibliography file, the same bytes for the same sources in the same order."""
    return markdown.csl_json([csl_item(source) for source in sources])


# --- the output format: italics and bold as marks no text can hold --------------------------

# The marks are lone surrogates: no loaded text holds one (UTF-8 cannot encode them and YAML
# refuses their escapes), so a source's title never contains a mark, and every character it
# does contain (private-use ones too, which were the marks once) reaches the note.
EMPH = ("\ud800", "\ud801")
STRONG = ("\ud802", "\ud803")
_MARK = re.compile("([\ud800-\ud803])")


def _unmarked(value: Any) -> Any:
    """Data, affixes and locators with the marks removed, so only citeproc-py makes marks.

    This is the one escaping function of the cite pass's output format.
    """
    if isinstance(value, str):
        return _MARK.sub("", value)
    if isinstance(value, list):
        return [_unmarked(v) for v in value]
    if isinstance(value, dict):
        return {k: _unmarked(v) for k, v in value.items()}
    return value


class _Marked(String):
    """Formatted text wrapped in marks. String's methods would re-wrap (they call
    ``self.__class__``), so the ones citeproc-py uses return plain Strings."""

    marks = ("", "")

    def __new__(cls, text: Any) -> "_Marked":
        return super().__new__(cls, cls.marks[0] + str(text) + cls.marks[1])

    def replace(self, *args: Any) -> String:
        return String(str.replace(self, *args))

    def rstrip(self, *args: Any) -> String:
        return String(str.rstrip(self, *args))

    def lower(self) -> String:
        return String(str.lower(self))

    def upper(self) -> String:
        return String(str.upper(self))

    def capitalize_first(self) -> String:
        text = str(self)
        start = len(text) - len(text.lstrip(EMPH[0] + STRONG[0]))
        return String(text[:start] + text[start:start + 1].upper() + text[start + 1:])

    def words(self) -> Iterator[String]:
        return (String(word) for word in str.split(self))


class _Marks:
    """A citeproc-py formatter (a namespace: ``preformat`` and one class per font style).

    The model has emphasis and strong emphasis only; the other font styles print plain.
    """

    @staticmethod
    def preformat(text: Any) -> str:
        return str(text)

    class Italic(_Marked):
        marks = EMPH

    class Bold(_Marked):
        marks = STRONG

    Oblique = Italic
    Light = Underline = Superscript = Subscript = SmallCaps = String


def parse_marked(text: str) -> tuple[m.Inline, ...]:
    """Marked text as model inlines: Text, Emph and Strong, nested as marked."""
    stack: list[list[m.Inline]] = [[]]
    for piece in _MARK.split(text):
        if piece in (EMPH[0], STRONG[0]):
            stack.append([])
        elif piece in (EMPH[1], STRONG[1]):
            children = m.merge_text(stack.pop())
            if children:
                stack[-1].append(m.Emph(children) if piece == EMPH[1] else m.Strong(children))
        elif piece:
            stack[-1].append(m.Text(piece))
    return m.merge_text([node for level in stack for node in level])


def link_urls(nodes: tuple[m.Inline, ...], urls: list[str]) -> tuple[m.Inline, ...]:
    """The sources' URLs in the formatted text as Links, as Pandoc's citeproc links them.

    Only the cited sources' own URLs are linked, so nothing that merely looks like one is.
    """
    if not urls:
        return nodes
    longest_first = sorted(set(urls), key=len, reverse=True)
    pattern = re.compile("(" + "|".join(map(re.escape, longest_first)) + ")")
    out: list[m.Inline] = []
    for node in nodes:
        if isinstance(node, m.Text):
            for i, piece in enumerate(pattern.split(node.text)):
                if piece:
                    out.append(m.Link(piece, (m.Text(piece),)) if i % 2 else m.Text(piece))
        elif isinstance(node, (m.Emph, m.Strong)):
            out.append(replace(node, children=link_urls(node.children, urls)))
        else:
            out.append(node)
    return tuple(out)


_CLOSERS = EMPH[1] + STRONG[1] + "’”'\"»"
_DOUBLED_STOP = re.compile(f"([?!][{_CLOSERS}]*|\\.[{_CLOSERS}]+)\\.$")
_SENTENCE_END = re.compile(f"[.?!][{_CLOSERS}]*$")


def capitalise_first(nodes: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    """The first letter of the first text upper-cased, inside emphasis or a link too."""
    if not nodes:
        return nodes
    first, rest = nodes[0], nodes[1:]
    if isinstance(first, m.Text):
        return (m.Text(first.text[:1].upper() + first.text[1:]),) + rest
    if isinstance(first, (m.Emph, m.Strong, m.Link)):
        return (replace(first, children=capitalise_first(first.children)),) + rest
    return nodes


def single_full_stop(text: str) -> str:
    """A citation's closing full stop dropped after a title's own ?, ! or quoted full stop
    ("prison?’." as "prison?’"). citeproc-py merges two full stops only when they touch;
    CSL and Pandoc also look through closing quotes and take ? and ! as ending the sentence.
    """
    return _DOUBLED_STOP.sub(r"\1", text)


# --- styles -------------------------------------------------------------------------------

def is_numeric(value: Any) -> bool:
    """CSL 1.0.2's numeric test: numbers with optional letter affixes ("2b", "L2"), alone or
    joined by commas, hyphens or ampersands ("2-4", "2, 5"). citeproc-py's own test accepts
    only a single number and never looks at the locator."""
    number = r"[A-Za-z]*\d+[A-Za-z]*"
    return value is not None and re.fullmatch(
        rf"\s*{number}(?:\s*[-\u2013,&]\s*{number})*\s*", str(value)) is not None


class _If(csl.If):
    """``cs:if`` that reads the positions the walk computed, and tests locators right.

    citeproc-py computes positions from its list of earlier cites: it compares Locator objects
    by identity, counts near-note distance in citations and crashes reading the distance, and
    cannot tell notes apart. It never finds a locator numeric, ``locator="sub-verbo"`` never
    matches (it compares "sub verbo"), and it skips ``disambiguate`` so the test passes
    always. citeproc-py does no disambiguation at all, so here no cite ever needs it.
    """

    def render(self, item: "_Item", context: Any = None, delimiter: str = "", **kwargs: Any) -> Any:
        tests = {"type": self._type, "variable": self._variable, "is-numeric": self._is_numeric,
                 "is-uncertain-date": self._is_uncertain_date, "locator": self._locator,
                 "position": self._position, "disambiguate": lambda item: [False]}
        results = [result for name, test in tests.items() if name in self.attrib
                   for result in test(item)]
        match = {"any": any, "none": lambda found: not any(found)}.get(self.get("match"), all)
        if not match(results):
            raise csl.ConditionFailed
        return self.render_children(item, context=context, delimiter=delimiter, **kwargs)

    def _position(self, item: "_Item", context: Any = None) -> list[bool]:
        return [name in item.positions for name in self.get("position").split()]

    def _is_numeric(self, item: "_Item") -> list[bool]:
        return [is_numeric(_variable(item, name)) for name in self.get("is-numeric").split()]

    def _locator(self, item: "_Item") -> list[bool]:
        return [item.has_locator and item.locator.label == name
                for name in self.get("locator").split()]


class _ElseIf(_If):
    pass


class _Name(csl.Name):
    """``cs:name`` that keeps given names whole under ``initialize="false"``, which
    citeproc-py ignores ("J Pearson" for OSCOLA's "James Pearson")."""

    def initialize(self, given: str, mark: str, context: Any) -> str:
        if self.get("initialize", "true") == "false":
            return given
        return super().initialize(given, mark, context)


class _Text(csl.Text):
    """``cs:text`` whose ``text-case="title"`` capitalises past leading punctuation and
    every part of a hyphenated word, as CSL and Pandoc do (citeproc-py gives "(short
    Version)" and "Rights-centred"), and whose locator keeps its hyphens unless it is a
    range of numbers (citeproc-py makes every hyphen an en dash)."""

    def case(self, text: Any, language: str | None = None) -> Any:
        if self.get("text-case") == "title" and language == "en":
            return title_case(_string(text))
        return super().case(_string(text), language)

    def _variable(self, item: "_Item", context: Any) -> Any:
        text = super()._variable(item, context)
        if text is not None and self.get("variable") == "locator" and not is_numeric(
                item.locator.identifier):
            return str(item.locator.identifier)   # a heading: "Border-Tightening", not "–"
        return text


class _NamePart(csl.Name_Part):
    """``cs:name-part`` whose text case works: citeproc-py hands it the name's parts as plain
    str (no ``capitalize_first``) and None for an institution's missing given name, and
    joins what it returns with ``str.join`` (so plain str goes back)."""

    def format_part(self, given: Any, family: Any) -> tuple[Any, Any]:
        if (given if self.get("name") == "given" else family) is None:
            return given, family
        given, family = super().format_part(_string(given), _string(family))
        return (None if given is None else str(given)), (None if family is None else str(family))


def _string(text: Any) -> Any:
    """Text as citeproc-py's String types, whose methods its text-case code calls: names,
    affixes and some values arrive as plain str, which lacks them."""
    if isinstance(text, MixedString):
        return MixedString([_string(part) for part in text])
    if isinstance(text, str) and not isinstance(text, String):
        return String(text)
    return text


def title_case(text: Any) -> str:
    """CSL title case: lower-case words capitalised, stop words kept lower except first or
    after a colon; words with capitals, and text marked nocase, kept as they are."""
    out, previous = [], ":"
    for word in text.words():
        plain = str(word)
        bare = plain.strip("([{‘“'\"")
        if isinstance(word, NoCase) or not word.islower():
            out.append(plain)
        elif bare in csl.TextCased._stop_words and previous not in ":.":
            out.append(plain)
        else:
            out.append("-".join(_capital(part) for part in plain.split("-")))
        previous = plain[-1]
    return " ".join(out)


def _capital(word: str) -> str:
    return re.sub(r"^(\W*)(\w)", lambda found: found[1] + found[2].upper(), word)


def _variable(item: "_Item", name: str) -> Any:
    if name == "locator":
        return item.locator.identifier if item.has_locator else None
    return item.reference.get(name.replace("-", "_"))


def _parser() -> etree.XMLParser:
    """An XML parser that builds citeproc-py's style elements, with the classes above for
    cs:if, cs:else-if, cs:name, cs:name-part and cs:text.

    citeproc-py's frontend builds the same lookup but offers no way to change one class.
    """
    lookup = etree.ElementNamespaceClassLookup()
    namespace = lookup.get_namespace(CSL_NS)
    namespace[None] = csl.CitationStylesElement
    namespace.update({cls.__name__.replace("_", "-").lower(): cls
                      for cls in csl.CitationStylesElement.__subclasses__()})
    namespace.update({"if": _If, "else-if": _ElseIf, "name": _Name, "name-part": _NamePart,
                      "text": _Text})
    parser = etree.XMLParser(remove_comments=True, no_network=True, resolve_entities=False)
    parser.set_element_class_lookup(lookup)
    return parser


_PARSER = _parser()
_SCHEMA: list[etree.RelaxNG] = []   # compiled on first use


def _schema() -> etree.RelaxNG:
    if not _SCHEMA:
        from citeproc import SCHEMA_PATH
        _SCHEMA.append(etree.RelaxNG(etree.parse(SCHEMA_PATH)))
    return _SCHEMA[0]


@dataclass(frozen=True, eq=False)
class Style:
    """A loaded CSL style. Not for two threads at once: citeproc-py keeps state in it."""

    name: str
    path: Path
    locale: str
    root: Any = field(repr=False)   # citeproc-py's parsed style element
    # A note that is a citation starts with a capital, as Pandoc's citeproc and citeproc-js
    # print third-party styles; the house styles keep their own case (OSCOLA's "ibid").
    capitalise_notes: bool = True

    @property
    def near_note_distance(self) -> int:
        return int(self.root.citation.get("near-note-distance", "5"))


def load_style(name_or_path: str, base: Path) -> Style:
    """A house style by name ("uk-oscola", "un") or any CSL file by path (relative to base)."""
    path = HOUSE_STYLES.get(name_or_path) or base / name_or_path
    if not path.is_file():
        raise CiteError([Problem(Location(display_path(path)), _missing_style(name_or_path))])
    root = _parse_style(path)
    locale = root.get("default-locale") or DEFAULT_LOCALE
    root.set_locale_list(locale, validate=False)
    return Style(name_or_path, path, locale, root, path not in HOUSE_STYLES.values())


def _missing_style(name: str) -> str:
    hint = did_you_mean(name, sorted(HOUSE_STYLES))
    if hint:
        return f"no citation style {name!r}{hint}"
    return (f"no citation style {name!r}; expected {' or '.join(map(repr, HOUSE_STYLES))} "
            "or the path of a CSL file, got nothing there")


def _parse_style(path: Path) -> csl.Style:
    """The parsed style; a file that is not a valid independent CSL style is a CiteError."""
    where = display_path(path)
    try:
        tree = etree.parse(str(path), _PARSER)
    except etree.XMLSyntaxError as err:
        line, col = err.position
        what = re.sub(r", line \d+, column \d+$", "", err.msg)
        raise CiteError([Problem(Location(where, line, col), f"not a CSL style: {what}")])
    root = tree.getroot()
    if root.tag != f"{{{CSL_NS}}}style" or root.citation is None:
        got = "a dependent style" if root.tag == f"{{{CSL_NS}}}style" else f"<{root.tag}>"
        raise CiteError([Problem(Location(where, root.sourceline or 1, 1),
                                 "not an independent CSL style; expected <style> with a "
                                 f"<citation> in the CSL namespace, got {got}")])
    if not _schema().validate(tree):
        error = _schema().error_log[0]   # the first is the cause; the rest follow from it
        raise CiteError([Problem(Location(where, error.line, error.column or 1),
                                 f"invalid CSL style: {error.message}")])
    return root


# --- positions ----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Cited:
    """One source cited in one note, with its pinpoint as CSL sees it."""

    key: str
    locator: tuple[str, str] | None
    note: int


def position(cite: _Cited, before: _Cited | None, last_note: int | None,
             near: int) -> frozenset[str]:
    """The CSL 1.0.2 positions of one cite.

    ``before`` is the cite an "ibid" would point back to: the one just before in the same
    citation, or the previous citation when it cites one source in this note or the note
    just before (as Pandoc's citeproc does; OSCOLA: "the immediately preceding footnote").
    ``last_note`` is the note of the latest earlier cite of the same source.
    """
    if last_note is None:
        return frozenset({"first"})
    found = {"subsequent"}
    if cite.note - last_note <= near:
        found.add("near-note")
    if before is not None and before.key == cite.key:
        if cite.locator == before.locator:
            found.add("ibid")
        elif cite.locator is not None:
            found |= {"ibid", "ibid-with-locator"}
    return frozenset(found)


@dataclass
class _History:
    """Where each source was cited so far, and the citation before this one."""

    near: int
    first: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)
    previous: tuple[_Cited, ...] = ()

    def place(self, cites: list[_Cited]) -> list[tuple[frozenset[str], int | None]]:
        """Each cite's positions and first note (None when first), recording the citation."""
        placed = []
        for i, cite in enumerate(cites):
            placed.append((position(cite, self._before(cites, i), self.last.get(cite.key),
                                    self.near), self.first.get(cite.key)))
            self.first.setdefault(cite.key, cite.note)
            self.last[cite.key] = cite.note
        self.previous = tuple(cites)
        return placed

    def _before(self, cites: list[_Cited], i: int) -> _Cited | None:
        if i:
            return cites[i - 1]
        if len(self.previous) == 1 and self.previous[0].note >= cites[0].note - 1:
            return self.previous[0]
        return None


class _Item(CitationItem):
    """A citeproc-py cite that carries its positions, its first note and its number.

    citeproc-py reads every variable from ``item.reference``; this item's reference adds
    ``first-reference-note-number``, which citeproc-py knows by name but never sets.
    """

    def __init__(self, key: str, reference: Reference, positions: frozenset[str],
                 number: int, **args: Any):
        super().__init__(key, **args)
        object.__setattr__(self, "_reference", reference)
        object.__setattr__(self, "positions", positions)
        object.__setattr__(self, "_number", number)

    @property
    def reference(self) -> Reference:
        return self._reference

    @property
    def number(self) -> int:   # citation-number: the order of first citation
        return self._number


def _with_note(reference: Reference, note: int | None) -> Reference:
    if note is None:
        return reference
    fields = {k: v for k, v in reference.items() if k not in ("key", "type")}
    return Reference(reference.key, reference.type, first_reference_note_number=str(note),
                     **fields)


class _Registry:
    """What citeproc-py's citation layout reads of a bibliography: the formatter and the keys.

    The layout sorts a citation's items by their index in ``keys`` (first-cited order), though
    CSL keeps the written order unless the style has a ``cs:sort``: so ``keys`` lists the
    citation's own keys first, in the order written.
    """

    formatter = _Marks

    def __init__(self, all_keys: Iterable[str]):
        self.all_keys = list(all_keys)
        self.keys = self.all_keys

    def written(self, keys: list[str]) -> None:
        self.keys = list(dict.fromkeys(keys)) + [k for k in self.all_keys if k not in keys]


# --- locators and affixes -----------------------------------------------------------------

def csl_locator(item: m.CiteItem) -> tuple[str, str] | None:
    """(label, value) as CSL sees it; a missing label means page, as in Pandoc and CSL.

    A label the dataset has but CSL lacks (``benchmark``) becomes part of the value, as
    Pandoc reads ``[@ohchr-2020, {benchmark 21}]``: styles print such a page locator bare.
    """
    if item.locator is None:
        return None
    value = _unmarked(item.locator)
    if item.label is None or item.label in CSL_LOCATORS:
        return item.label or "page", value
    return "page", f"{item.label} {value}"


def affixes(item: m.CiteItem) -> dict[str, str]:
    """Prefix and suffix spaced as Pandoc spaces them ("see X", "X, emphasis added")."""
    found = {}
    prefix, suffix = _unmarked(item.prefix), _unmarked(item.suffix)
    if prefix.strip():
        found["prefix"] = prefix.rstrip() + " "
    if suffix.strip():
        found["suffix"] = suffix if suffix[0] in " ,;:." else " " + suffix
    return found


# --- the walk -----------------------------------------------------------------------------

def cite_document(doc: m.Document, sources: Mapping[str, Source], style: Style,
                  locate: Callable[[m.Cite], Location] | None = None) -> m.Document:
    """The document with every citation and author's note as a numbered, formatted note.

    ``locate`` says where a citation was written, for its problems (default: the title).
    """
    _check_keys(doc, sources, locate)
    walk = _Walk(style, sources)
    blocks = walk.blocks(doc.blocks, None)
    notes = tuple(sorted(walk.notes, key=lambda note: note.number))
    return replace(doc, blocks=blocks, notes=notes, bibliography=tuple(walk.order))


def _check_keys(doc: m.Document, sources: Mapping[str, Source],
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


def _item_problems(cite: m.Cite, item: m.CiteItem, sources: Mapping[str, Source]) -> list[str]:
    written = cite.source or f"[@{item.key}]"
    if item.key not in sources:
        hint = did_you_mean(item.key, sorted(sources))
        return [f"unknown source {item.key!r} in {written}"
                + (hint or f"; expected the id of one of the {len(sources)} sources")]
    if item.label is not None and item.label not in CSL_LOCATORS + LOCATOR_KEYS:
        hint = did_you_mean(item.label, list(CSL_LOCATORS))
        return [f"unknown locator label {item.label!r} in {written}"
                + (hint or f"; expected one of {', '.join(CSL_LOCATORS)}")]
    return []


_MOVED = re.compile(r"^[.,;:!?]+")


def _ends_paragraph(rest: tuple[m.Inline, ...]) -> bool:
    """Nothing but space follows: no text, citation or note."""
    return not m.plain_text(rest).strip() and not any(
        isinstance(node, (m.Cite, m.InlineNote, m.NoteRef)) for node in rest)


class _Walk:
    """One pass over the document in reading order, numbering notes as it meets them."""

    def __init__(self, style: Style, sources: Mapping[str, Source]):
        self.style = style
        self.sources = sources
        self.history = _History(style.near_note_distance)
        self.registry = _Registry(sources)
        self.references: dict[str, Reference] = {}
        self.notes: list[m.Note] = []
        self.order: list[str] = []
        self.count = 0

    # blocks
    def blocks(self, blocks: tuple[m.Block, ...], note: int | None) -> tuple[m.Block, ...]:
        return tuple(self.block(block, note) for block in blocks)

    def block(self, block: m.Block, note: int | None) -> m.Block:
        if isinstance(block, (m.Heading, m.Paragraph)):
            return replace(block, children=self.inlines(block.children, note))
        if isinstance(block, (m.BulletList, m.OrderedList)):
            return replace(block, items=tuple(self.blocks(item, note) for item in block.items))
        if isinstance(block, m.BlockQuote):
            return replace(block, blocks=self.blocks(block.blocks, note))
        if isinstance(block, m.Table):
            return replace(block, header=self.cells(block.header, note),
                           rows=tuple(self.cells(row, note) for row in block.rows))
        return block

    def cells(self, cells: tuple[tuple[m.Inline, ...], ...], note: int | None) -> tuple:
        return tuple(self.inlines(cell, note) for cell in cells)

    # inlines
    def inlines(self, inlines: tuple[m.Inline, ...], note: int | None) -> tuple[m.Inline, ...]:
        out: list[m.Inline] = []
        cut = 0   # characters of the next Text that moved before a note mark or were absorbed
        for i, node in enumerate(inlines):
            if isinstance(node, m.Text) and cut:
                node, cut = m.Text(node.text[cut:]), 0
            following = inlines[i + 1] if i + 1 < len(inlines) else None
            if isinstance(node, m.Cite) and note is None:
                cut = self.cite_note(node, out, following)
            elif isinstance(node, m.Cite):
                cut = self.cite_inline(node, note, out, inlines[i + 1:])
            elif isinstance(node, m.InlineNote):
                out.append(self.author_note(node))
            elif isinstance(node, (m.Emph, m.Strong, m.Link)):
                out.append(replace(node, children=self.inlines(node.children, note)))
            else:
                out.append(node)
        return m.merge_text(out)

    def cite_note(self, cite: m.Cite, out: list[m.Inline], following: Any) -> int:
        """A citation in the text as a note; as Pandoc does, the space before the note mark
        goes and punctuation just after it moves before it. Returns the characters moved."""
        number = self.new_note()
        text = self.format(cite, number, True)
        if self.style.capitalise_notes:
            text = capitalise_first(text)
        self.notes.append(m.Note(number, (m.Paragraph(text),)))
        if out and isinstance(out[-1], m.Text):
            out[-1] = m.Text(out[-1].text.rstrip(" "))
        match = _MOVED.match(following.text) if isinstance(following, m.Text) else None
        moved = match.group() if match else ""
        out.extend([m.Text(moved), m.NoteRef(number)] if moved else [m.NoteRef(number)])
        return len(moved)

    def cite_inline(self, cite: m.Cite, note: int, out: list[m.Inline],
                    rest: tuple[m.Inline, ...]) -> int:
        """A citation inside an author's note, printed in place: the style's closing
        punctuation only where the citation ends the paragraph. Returns the characters of the
        next Text absorbed (a full stop the citation already ends with)."""
        nodes = self.format(cite, note, _ends_paragraph(rest))
        out.extend(nodes)
        following = rest[0] if rest else None
        if isinstance(following, m.Text) and following.text.startswith("."):
            return 1 if _SENTENCE_END.search(m.plain_text(nodes)) else 0
        return 0

    def author_note(self, node: m.InlineNote) -> m.NoteRef:
        number = self.new_note()
        self.notes.append(m.Note(number, self.blocks(node.blocks, number)))
        return m.NoteRef(number)

    def new_note(self) -> int:
        self.count += 1
        return self.count

    # formatting
    def format(self, cite: m.Cite, note: int, closed: bool) -> tuple[m.Inline, ...]:
        """One citation formatted as inlines; ``closed``: with the layout's closing suffix."""
        items = self.items(cite, note)
        citation = Citation(items)
        citation.bibliography = self.registry
        self.registry.written([item.key for item in items])
        text = _render(self.style, citation, closed)
        urls = [self.sources[item.key].URL for item in cite.items if self.sources[item.key].URL]
        return link_urls(parse_marked(single_full_stop(text)), urls)

    def items(self, cite: m.Cite, note: int) -> list[_Item]:
        cited = [_Cited(item.key, csl_locator(item), note) for item in cite.items]
        items = []
        for written, one, (positions, first) in zip(cite.items, cited, self.history.place(cited)):
            if one.key not in self.order:
                self.order.append(one.key)
            args = affixes(written)
            if one.locator:
                args["locator"] = Locator(*one.locator)
            reference = _with_note(self.reference(one.key), first)
            number = self.order.index(one.key) + 1
            items.append(_Item(one.key, reference, positions, number, **args))
        return items

    def reference(self, key: str) -> Reference:
        if key not in self.references:
            data = _unmarked(csl_item(self.sources[key]))
            self.references[key] = CiteProcJSON([data])[key]
        return self.references[key]


def _render(style: Style, citation: Citation, closed: bool) -> str:
    """citeproc-py's rendering of one citation, without the layout's suffix unless closed."""
    style.root.formatter = _Marks
    layout = style.root.citation.layout
    suffix = layout.get("suffix")
    if not closed and suffix is not None:
        del layout.attrib["suffix"]
    try:
        text = style.root.citation.render(citation, [], None)
    finally:
        if suffix is not None:
            layout.set("suffix", suffix)
    return str(text or "")
