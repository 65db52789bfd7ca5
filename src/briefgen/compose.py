"""Stage 4, compose: the audience's Jinja2 template turns a selection into Markdown.

The template runs in Jinja2's sandbox with StrictUndefined. Every value a template prints
with ``{{ ... }}`` passes through ``finalize``, which escapes it for Markdown unless it is
already ``Markdown`` (a citation made by ``cite()``, or the brief's own free text). So a
finding's ``*``, ``#``, ``[@x]`` or ``{{ 7*7 }}`` is printed as those characters: the value is
rendered once and never read as template code, and the escape stops Markdown reading it.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from contextvars import ContextVar
from functools import lru_cache
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2.exceptions import SecurityError
from pydantic import BaseModel

from . import charts as charting
from . import model as m
from . import typography
from .brief import FREE_TEXT, LoadedBrief, date_text
from .dataset import KIND_BY_NAME, Dataset, Evidence
from .errors import BriefgenError, Location, Problem, display_path
from .lint import lint
from .load import locate
from .parse import parse
from .sandbox import Sandbox, template_problem
from .select import Selected
from .schema import did_you_mean
from .terms import Abbrev, Origin, Terms, Value, load_profile, protected_pattern
from .writers.markdown import escape_markdown

TEMPLATE = "content.md.j2"


class ComposeError(BriefgenError):
    """A template failed, or a brief's own Markdown cites what is not there."""


class Markdown(str):
    """Text that is already Markdown: printed as it is, not escaped."""


class FreeText(Value):
    """The brief's own Markdown (introduction, summary points, ...): printed as Markdown."""


# The terminology pass of the document being rendered (one render at a time per thread).
_TERMS: ContextVar[Terms | None] = ContextVar("briefgen_terms", default=None)
# The records whose text the document has printed, in order (one per print), for the lint.
_PRINTED: ContextVar[list | None] = ContextVar("briefgen_printed", default=None)
# The ids of the records the template read any field of, in the order first read: what the
# document printed of the dataset, kept in the manifest so two releases can be compared.
_READ: ContextVar[dict | None] = ContextVar("briefgen_read", default=None)


def _finalize(value: Any) -> str:
    """Every printed value: the audience's terminology applied to the project's own words
    (in reading order, so a short name is defined where it is first used), then escaped."""
    if isinstance(value, Markdown):
        return value
    if value is None:
        return ""
    terms, printed = _TERMS.get(), _PRINTED.get()
    if printed is not None and getattr(value, "record", None):
        printed.append(value)
    if isinstance(value, FreeText):
        return value if terms is None else terms.own(value, value.origin, markdown=True)
    if terms is not None and isinstance(value, str):
        if getattr(value, "verbatim", False):
            terms.verbatim(str(value))
        else:
            value = terms.own(str(value), getattr(value, "origin", None) or terms.template_origin)
    return escape_markdown(value)


# --- what templates can call --------------------------------------------------------------

def locator_markdown(evidence: Evidence) -> str:
    """A pinpoint as Pandoc writes it: ``paragraph 80``, ``{section Legal framework}``.

    Braces keep a locator that is not a number together with its label, as Pandoc reads it. A
    benchmark or an interview is not a CSL locator: braced (``{benchmark 12}``), Pandoc and
    the cite stage read it as a page, which styles print bare. The items within a locator
    follow it (``{section Recommendations}, items 1 and 9``), in the same words in every style.
    """
    parts = [_locator_part(*evidence.locator)] if evidence.locator else []
    if evidence.items:
        parts.append(items_text(evidence.items))
    return ", ".join(parts)


def items_text(items: str) -> str:
    """``item 6``, ``items 1 and 9``: plural only when there are several."""
    several = re.search(r"\d\s*(?:,|and|&|-|–)\s*\d", items) is not None
    return f"{'items' if several else 'item'} {escape_markdown(items)}"


def _locator_part(label: str, value: str) -> str:
    if label in ("benchmark", "interview"):   # not CSL locators: read by Pandoc as a page
        return f"{{{label} {escape_markdown(value)}}}"
    from .cite import NUMBERS   # numbers, alone or several: what Pandoc reads unbraced
    if NUMBERS.fullmatch(value):
        return f"{label} {escape_markdown(value)}"
    return f"{{{label} {escape_markdown(value)}}}"   # a heading, even of one word


# The charts the document being rendered drew, by the marker that starts each caption.
_CHARTS: ContextVar[dict | None] = ContextVar("briefgen_charts", default=None)
FIGURE_MARK = "briefgen-figure-"


def charted(loaded: LoadedBrief, stat: Any) -> bool:
    """Whether the brief prints this statistic as a chart (``charts:``), not a table."""
    return loaded.brief.chart_for(str(stat.id)) != "table"


def figure(loaded: LoadedBrief, stat: Any) -> Markdown:
    """A statistic's chart as Markdown: its caption (the title and the citation) after a
    marker, then its data table. The chart is drawn now, with the brief's brand; after
    parsing, ``figures`` makes the marked paragraph and its table one numbered ``Figure``. The
    marker is an inline code span holding a digest of the chart, so no text of the brief or
    the data can make one (a code span they write stays a code span)."""
    charts = _CHARTS.get()
    record = object.__getattribute__(stat, "_record")
    brand = loaded.brand
    style = loaded.brief.chart_for(record.id)
    chart = charting.drawn(record, style="stacked" if style == "stacked" else "bars",
                            accent=brand.colours.accent, text_colour=brand.colours.text,
                            fonts=tuple(brand.fonts.headings), size=brand.sizes.small,
                            width_mm=brand.text_width_mm)
    key = FIGURE_MARK + hashlib.sha256(chart.svg + record.id.encode()).hexdigest()[:20]
    if charts is not None:
        charts[key] = chart
    # "Figure N: the question": who was asked, and when, are in the alt text and the note.
    caption = f"`{key}` {_finalize(stat.title)}"
    unit = "Per cent" if record.unit == "percent" else _finalize(stat.unit)
    rows = "".join(f"| {_finalize(value.label)} | {_number(value.value)} |\n"
                   for value in stat.values)
    return Markdown(f"{caption} {cite(stat)}\n\n| Answer | {unit} |\n|:--|--:|\n{rows}")


def figures(blocks: tuple[m.Block, ...], charts: dict) -> tuple[m.Block, ...]:
    """Each marked caption and the table after it as one ``Figure``, numbered in reading
    order; the caption starts "Figure N: "."""
    out: list[m.Block] = []
    number = 0
    for block in blocks:
        key = _figure_key(block, charts)
        if key is None:
            if isinstance(block, m.Table) and out and isinstance(out[-1], m.Figure) \
                    and out[-1].table is _PENDING:
                out[-1] = replace(out[-1], table=block)
            else:
                out.append(block)
            continue
        number += 1
        chart = charts[key]
        rest = m.merge_text((m.Text(f"Figure {number}: "),) + _after_mark(block.children))
        out.append(m.Figure(number, rest, chart.alt, _PENDING, chart.svg.decode("utf-8"),
                            chart.png, chart.width_mm, chart.height_mm))
    return tuple(out)


_PENDING = m.Table((), ())


def _figure_key(block: m.Block, charts: dict) -> str | None:
    if isinstance(block, m.Paragraph) and block.children \
            and isinstance(block.children[0], m.Code) and block.children[0].text in charts:
        return block.children[0].text
    return None


def _after_mark(children: tuple[m.Inline, ...]) -> tuple[m.Inline, ...]:
    rest = children[1:]
    if rest and isinstance(rest[0], m.Text):
        rest = (m.Text(rest[0].text.lstrip()),) + rest[1:]
    return rest


def figures_markdown(markdown: str, charts: dict) -> str:
    """The composed Markdown with each marker as the figure's number, for the Markdown
    export: "Figure N: " before the caption, which the data table follows."""
    for number, key in enumerate(sorted(charts, key=markdown.find), start=1):
        markdown = markdown.replace(f"`{key}` ", f"Figure {number}: ", 1)
    return markdown


# Whether the document being rendered cites primary sources (its audience's setting).
_PRIMARY: ContextVar[bool] = ContextVar("briefgen_primary", default=False)


def cite(*things: Any) -> Markdown:
    """One citation for records or evidence lists: ``[@coi-2014, paragraph 80; @hrw-2019, ...]``.

    Where the audience cites primary sources, an evidence naming its primary document (the
    COI report behind CSW's account of it) cites that document instead.
    """
    evidence = [e for thing in things for e in _evidence_of(thing)]
    parts = [_cited(e) for e in evidence]
    return Markdown(f"[{'; '.join(dict.fromkeys(parts))}]") if parts else Markdown("")


def _cited(evidence: Evidence) -> str:
    primary = evidence.primary if _PRIMARY.get() else None
    if primary is None:
        return f"@{evidence.source}, {locator_markdown(evidence)}"
    if primary.locator is None:
        return f"@{primary.source}"
    pinpoint = Evidence(source=primary.source, **dict([primary.locator]))
    return f"@{primary.source}, {locator_markdown(pinpoint)}"


def _evidence_of(thing: Any) -> list[Evidence]:
    if isinstance(thing, Evidence):
        return [thing]
    if isinstance(thing, (list, tuple)):
        return [e for item in thing for e in _evidence_of(item)]
    return list(getattr(thing, "evidence", ()))


@dataclass(frozen=True)
class Group:
    """Records under one heading: a theme or an addressee."""

    id: str
    label: str
    records: tuple


def group_by(records: Iterable[Any], attribute: str, labels: dict[str, str],
             preferred: Iterable[str] = ()) -> list[Group]:
    """Records grouped by one of their themes or addressees.

    A record goes under the first of its values that the brief asked for (``preferred``),
    else under its first value; groups come in the brief's order, then as first seen.
    """
    preferred = list(preferred)
    groups: dict[str, list] = {}
    for record in records:
        values = getattr(record, attribute)
        key = next((v for v in preferred if v in values), values[0])
        groups.setdefault(key, []).append(record)
    rank = {key: i for i, key in enumerate(preferred)}
    keys = sorted(groups, key=lambda k: rank.get(k, len(rank)))
    return [Group(key, labels.get(key, key), tuple(groups[key])) for key in keys]


@dataclass(frozen=True)
class BySource:
    """Records made by one author (or the same authors): whom a quoted recommendation is by."""

    sources: tuple[str, ...]
    label: Value                 # "Christian Solidarity Worldwide", "CSW and OHCHR"
    plural: bool                 # more than one author: "recommend", not "recommends"
    records: tuple


def by_source(records: Iterable[Any], dataset: Dataset) -> list[BySource]:
    """Records grouped by the authors of the sources they cite, in order of first appearance,
    so a template can say whose recommendations it quotes ("CSW recommends that ...")."""
    groups: dict[tuple[str, ...], list] = {}
    for record in records:
        sources = tuple(dict.fromkeys(e.source for e in record.evidence))
        groups.setdefault(sources, []).append(record)
    return [_source_group(sources, tuple(recs), dataset) for sources, recs in groups.items()]


def _source_group(sources: tuple[str, ...], records: tuple, dataset: Dataset) -> BySource:
    authors = list(dict.fromkeys(a for s in sources for a in _authors(s, dataset)))
    text = " and ".join(authors) if len(authors) < 3 else \
        ", ".join(authors[:-1]) + " and " + authors[-1]
    first = dataset.by_id[sources[0]]
    origin = Origin(locate(first.tree, ("author",)) or first.loc, f"source {sources[0]!r}")
    return BySource(sources, Value(text, origin), len(authors) > 1, records)


def _authors(source_id: str, dataset: Dataset) -> list[str]:
    source = dataset.get(source_id)
    names = [n.literal or " ".join(filter(None, (n.given, n.family))) for n in source.author]
    return names or [source.publisher or source.title]


def _number(value: float) -> str:
    return f"{value:g}"


# --- rendering ----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def environment(template_dir: Path) -> Sandbox:
    """One sandbox per audience folder, so briefs of one audience share compiled templates."""
    env = Sandbox(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["number"] = _number
    return env


# Fields a source printed and we quote (a quotation and its attribution as printed): never
# changed by a terminology profile.
VERBATIM = {"quotes": {"text", "speaker"}, "recommendations": {"text"},
            "sources": {"title", "title_short", "container_title", "collection_title"}}


class View:
    """A record as a template sees it: the same attributes, with each text a ``Value`` that
    knows the record and file position it came from, and whether it is quoted verbatim.
    (The sandbox keeps templates off the underscored attributes.)"""

    __slots__ = ("_record", "_kind", "_tree", "_path")

    def __init__(self, record: Any, kind: str, tree: Any, path: tuple = ()) -> None:
        self._record, self._kind, self._tree, self._path = record, kind, tree, path

    def __getattr__(self, name: str) -> Any:
        # Only the record's fields: pydantic's own methods (parse_file reads any file,
        # model_copy, model_config) stay out of a template's reach, refused as the sandbox
        # refuses them on a model (sandbox.py).
        if name not in type(self._record).model_fields:
            if hasattr(self._record, name):
                raise SecurityError(f"access to attribute {name!r} of "
                                    f"{type(self._record).__name__!r} object is unsafe.")
            raise AttributeError(name)
        return self._wrap(getattr(self._record, name), name)

    def _wrap(self, value: Any, name: str) -> Any:
        read = _READ.get()
        if read is not None and not self._path and isinstance(self._tree.get("id"), str):
            read.setdefault(self._tree["id"], None)
        path = self._path + (type(self._record).model_fields[name].alias or name,)
        if isinstance(value, str):
            where = locate(self._tree, path) or Location("?")
            what = f"{KIND_BY_NAME[self._kind].singular} {self._tree.get('id')!r}"
            verbatim = not self._path and name in VERBATIM.get(self._kind, ())
            said = self._tree.get("id") if not self._path and name == "text" else None
            return Value(value, Origin(where, what), verbatim, said)
        if isinstance(value, list) and value and isinstance(value[0], BaseModel) \
                and not isinstance(value[0], Evidence):
            return [view(v, self._kind, self._tree, path + (i,)) for i, v in enumerate(value)]
        if isinstance(value, BaseModel) and not isinstance(value, Evidence):
            return view(value, self._kind, self._tree, path)
        return value


def view(record: Any, kind: str, tree: Any, path: tuple = ()) -> View:
    """``record`` (or a part of it, at ``path`` in its record's loaded ``tree``) as a View."""
    return _view_class(type(record))(record, kind, tree, path)


def _views(records: Iterable[Any], kind: str, dataset: Dataset) -> tuple:
    return tuple(view(r, kind, dataset.by_id[r.id].tree) for r in records)


@lru_cache(maxsize=None)
def _view_class(model: type) -> type:
    """A View named as its record's model, so a template's misspelt attribute reads
    "'briefgen.dataset.Finding object' has no attribute 'txt'", as Jinja names objects."""
    return type(model.__name__, (View,), {"__module__": model.__module__, "__slots__": ()})


def _labels(records: list[Any], kind: str, dataset: Dataset, field: str = "label") -> dict:
    """Vocabulary labels by id, each knowing its place in the vocabulary file: the ``field``
    a profile asks for (``un-label``) where the record has one, else ``label``."""
    name = field.replace("-", "_")
    return {r.id: getattr(view(r, kind, dataset.by_id[r.id].tree),
                          name if getattr(r, name, None) else "label") for r in records}


def _free_text(loaded: LoadedBrief, key: str, index: int | None = None) -> FreeText:
    text = getattr(loaded.brief, key)
    where = (key,) if index is None else (key, index)
    text = text if index is None else text[index]
    return FreeText(text or "", Origin(loaded.loc(*where), f"the brief's {key!r}"))


def context(loaded: LoadedBrief, dataset: Dataset, selected: Selected) -> dict[str, Any]:
    brief = loaded.brief
    label_field = _profile_labels(loaded)
    themes = _labels(dataset.records("themes"), "themes", dataset)
    actors = _labels(dataset.records("actors"), "actors", dataset, label_field)
    return {
        "brief": brief,
        "date": date_text(brief.date),
        "introduction": _free_text(loaded, "introduction"),
        "closing": _free_text(loaded, "closing"),
        "about": _free_text(loaded, "about"),
        "summary": [_free_text(loaded, "summary", i) for i in range(len(brief.summary))],
        "questions": [_free_text(loaded, "questions", i) for i in range(len(brief.questions))],
        "findings": _views(selected.findings, "findings", dataset),
        "statistics": _views(selected.statistics, "statistics", dataset),
        "quotes": _views(selected.quotes, "quotes", dataset),
        "recommendations": _views(selected.recommendations, "recommendations", dataset),
        "upr_links": dict(brief.upr_links),
        "themes": themes,
        "actors": actors,
        "cite": cite,
        "by_theme": lambda records: group_by(records, "themes", themes, _asked(brief, "themes")),
        "by_addressee": lambda records: group_by(records, "addressees", actors,
                                                 _asked(brief, "addressees")),
        "by_source": lambda records: by_source(records, dataset),
        "charted": lambda stat: charted(loaded, stat),
        "figure": lambda stat: figure(loaded, stat),
        "tables": lambda stats: [s for s in stats if not charted(loaded, s)],
    }


def _profile_labels(loaded: LoadedBrief) -> str:
    name = loaded.audience.terminology
    return load_profile(name).labels if name else "label"


def _asked(brief: Any, key: str) -> list[str]:
    """The themes or addressees the brief's rules name, in the order it names them."""
    rules = [getattr(brief.select, kind) for kind in ("findings", "statistics", "quotes",
                                                       "recommendations")]
    return list(dict.fromkeys(v for rule in rules if rule for v in getattr(rule, key)))


def render(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
           terms: Terms | None = None, printed: list | None = None,
           read: dict | None = None, charts: dict | None = None) -> str:
    """The brief's Markdown; a template error names the template file and line. Each
    record text printed is appended to ``printed``, and each record read is a key of ``read``."""
    template_path = loaded.template_dir / TEMPLATE
    token = _TERMS.set(terms)
    printing = _PRINTED.set(printed)
    reading = _READ.set(read)
    drawing = _CHARTS.set(charts)
    primary = _PRIMARY.set(loaded.audience.primary_sources)
    try:
        template = environment(loaded.template_dir).get_template(TEMPLATE)
        return template.render(context(loaded, dataset, selected))
    except BriefgenError:
        raise
    except Exception as err:   # noqa: BLE001 - whatever a template does is the template's problem
        raise ComposeError([template_problem(err, template_path)]) from None
    finally:
        _TERMS.reset(token)
        _PRINTED.reset(printing)
        _READ.reset(reading)
        _CHARTS.reset(drawing)
        _PRIMARY.reset(primary)


# --- the document -------------------------------------------------------------------------

@dataclass
class Composed:
    markdown: str
    document: m.Document
    warnings: list[Problem]       # what the audience's terminology lint found
    records: tuple[str, ...] = () # the ids of the records it printed, in the order first read


def compose(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
            numbered: bool = False) -> Composed:
    """The brief's Markdown and its document model (citations not yet numbered)."""
    _check_free_text(loaded, dataset)
    terms = terms_for(loaded, dataset)
    head = meta(loaded, terms)
    printed: list = []
    read: dict = {}
    drawn: dict = {}
    markdown = render(loaded, dataset, selected, terms, printed, read, drawn)
    blocks = parse(markdown)
    blocks = number_paragraphs(blocks) if numbered else unmark_headings(blocks)
    # Typography, once, as the text enters the model (quotes, dashes, no breaks, foreign
    # terms in italics); the notes are typeset where the cite pass makes them.
    blocks = typography.typeset(blocks, typography.load_terms(dataset.root))
    blocks = figures(blocks, drawn)
    markdown = figures_markdown(markdown, drawn)
    return Composed(markdown, m.Document(head, blocks, markdown=markdown),
                    terms.problems + lint(loaded, dataset, selected, printed), tuple(read))


def terms_for(loaded: LoadedBrief, dataset: Dataset) -> Terms:
    """The document's pass over its own words: the dataset's abbreviations, defined at their
    first use, and the audience's terminology profile (if it names one), its own template's
    words already linted.

    Names are kept as written: the organisations', the protected names of the dataset
    (``names.yaml``), and every source's title wherever the project's text names a work
    ("In its 2007 report North Korea: A Case to Answer, ..."). A title of one or two words
    ("North Korea", a CSW country briefing) cannot be told from the country's name in
    running text, so it is not kept.
    """
    name = loaded.audience.terminology
    profile = load_profile(name) if name else None
    titles = [t for s in dataset.records("sources") for t in (s.title, s.title_short)
              if t and len(t.split()) > 2]
    abbreviations = tuple(Abbrev(a.short, a.forms.get(name, a.long) if name else a.long,
                                 tuple(a.also) + ((a.long,) if name in a.forms else ()),
                                 a.article)
                          for a in dataset.records("abbreviations"))
    protected = tuple(protected_pattern(n.name, abbreviations) for n in dataset.records("names"))
    terms = Terms(profile, display_path(loaded.path),
                  keep=tuple(loaded.brief.organisations) + tuple(titles),
                  protected=protected, abbreviations=abbreviations)
    template = loaded.template_dir / TEMPLATE
    terms.template_origin = Origin(Location(display_path(template)), "the template")
    terms.check_literal(template.read_text(encoding="utf-8"), template)
    return terms


# A heading ending in Pandoc's ``{-}`` or ``{.unnumbered}`` starts a section whose paragraphs
# are not numbered (a UPR summary); the mark itself is not printed.
UNNUMBERED = re.compile(r"\s*\{(?:-|\.unnumbered)\}\s*$")


def number_paragraphs(blocks: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
    """Top-level paragraphs numbered, from the first heading on, except in sections marked
    unnumbered. Paragraphs before any heading (a cover: who submits, to whom) are not."""
    out, numbering = [], False
    for block in blocks:
        if isinstance(block, m.Heading):
            block, marked = _unmark(block)
            numbering = not marked
        elif isinstance(block, m.Paragraph) and numbering:
            block = m.Paragraph(block.children, True)
        out.append(block)
    return tuple(out)


def unmark_headings(blocks: tuple[m.Block, ...]) -> tuple[m.Block, ...]:
    return tuple(_unmark(b)[0] if isinstance(b, m.Heading) else b for b in blocks)


def _unmark(heading: m.Heading) -> tuple[m.Heading, bool]:
    last = heading.children[-1] if heading.children else None
    if not isinstance(last, m.Text) or not UNNUMBERED.search(last.text):
        return heading, False
    text = UNNUMBERED.sub("", last.text)
    children = heading.children[:-1] + ((m.Text(text),) if text else ())
    return m.Heading(heading.level, children), True


def meta(loaded: LoadedBrief, terms: Terms | None = None) -> m.Meta:
    brief = loaded.brief

    def own(key: str) -> str:
        text = getattr(brief, key) or ""
        if terms is not None:
            text = terms.own(text, Origin(loaded.loc(key), f"the brief's {key!r}"), define=False)
        return typography.own_text(text)

    return m.Meta(
        title=own("title"), subtitle=own("subtitle"),
        authors=(brief.author,) if brief.author else (),
        organisations=tuple(brief.organisations), date=brief.date,
        date_text=date_text(brief.date), occasion=own("occasion"),
        lang=brief.lang, audience=brief.audience, bibliography=brief.bibliography,
    )


def _check_free_text(loaded: LoadedBrief, dataset: Dataset) -> None:
    """Citations in the brief's own Markdown name sources that exist."""
    known = sorted(s.id for s in dataset.records("sources"))
    problems = []
    for key in FREE_TEXT:
        value = getattr(loaded.brief, key)
        texts = value if isinstance(value, list) else [value]
        for index, text in enumerate(texts):
            where = (key, index) if isinstance(value, list) else (key,)
            for cite_node in m.find(parse(text) if text else (), m.Cite):
                for item in cite_node.items:
                    if item.key not in known:
                        hint = did_you_mean(item.key, known) or "; expected the id of a source"
                        problems.append(Problem(loaded.loc(*where),
                                                f"unknown source {item.key!r} cited in {key!r}{hint}"))
    if problems:
        raise ComposeError(problems)


