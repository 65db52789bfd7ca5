"""Stage 4, compose: the audience's Jinja2 template turns a selection into Markdown.

The template runs in Jinja2's sandbox with StrictUndefined. Every value a template prints
with ``{{ ... }}`` passes through ``finalize``, which escapes it for Markdown unless it is
already ``Markdown`` (a citation made by ``cite()``, or the brief's own free text). So a
finding's ``*``, ``#``, ``[@x]`` or ``{{ 7*7 }}`` is printed as those characters: the value is
rendered once and never read as template code, and the escape stops Markdown reading it.
"""

from __future__ import annotations

import re
import traceback
from contextvars import ContextVar
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2.exceptions import SecurityError
from pydantic import BaseModel

from . import model as m
from .brief import FREE_TEXT, LoadedBrief, date_text
from .dataset import KIND_BY_NAME, Dataset, Evidence
from .errors import BriefgenError, Location, Problem, display_path
from .load import locate
from .parse import parse
from .sandbox import Sandbox
from .select import Selected
from .schema import did_you_mean
from .terms import Origin, Terms, Value, load_profile

TEMPLATE = "content.md.j2"


class ComposeError(BriefgenError):
    """A template failed, or a brief's own Markdown cites what is not there."""


class Markdown(str):
    """Text that is already Markdown: printed as it is, not escaped."""


# --- the one escaping function for Markdown -----------------------------------------------

# Every ASCII punctuation character that means something to CommonMark or Pandoc's Markdown
# inline (emphasis, code, links, citations, HTML, entities, maths, super/subscript, tables).
INLINE_SPECIALS = re.compile(r"([\\`*_{}\[\]<>!&~^$@|#])")
# At the start of a line these begin a block: lists, headings (escaped above), quotes, rules.
BLOCK_START = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+=:])")


def escape_markdown(text: str) -> str:
    """Plain text as Markdown that reads back as the same text.

    Line breaks become spaces (a paragraph's text is one line, so nothing in it can start a
    block); each special character gets a backslash, which CommonMark and Pandoc both allow
    before any ASCII punctuation.
    """
    text = re.sub(r"[ \t]*[\r\n]+[ \t]*", " ", str(text))
    text = INLINE_SPECIALS.sub(r"\\\1", text)
    return BLOCK_START.sub(_escape_block_start, text)


def _escape_block_start(found: re.Match) -> str:
    if found[2]:
        return f"{found[1]}{found[2]}\\{found[3]}"
    return f"{found[4]}\\{found[5]}"


class FreeText(Value):
    """The brief's own Markdown (introduction, summary points, ...): printed as Markdown."""


# The terminology pass of the document being rendered (one render at a time per thread).
_TERMS: ContextVar[Terms | None] = ContextVar("briefgen_terms", default=None)


def _finalize(value: Any) -> str:
    """Every printed value: the audience's terminology applied to the project's own words
    (in reading order, so a short name is defined where it is first used), then escaped."""
    if isinstance(value, Markdown):
        return value
    if value is None:
        return ""
    terms = _TERMS.get()
    if isinstance(value, FreeText):
        return value if terms is None else terms.own(value, value.origin, markdown=True)
    if terms is not None and isinstance(value, str) and not getattr(value, "verbatim", False):
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


def cite(*things: Any) -> Markdown:
    """One citation for records or evidence lists: ``[@coi-2014, paragraph 80; @hrw-2019, ...]``."""
    evidence = [e for thing in things for e in _evidence_of(thing)]
    parts = [f"@{e.source}, {locator_markdown(e)}" for e in evidence]
    return Markdown(f"[{'; '.join(dict.fromkeys(parts))}]") if parts else Markdown("")


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
        path = self._path + (type(self._record).model_fields[name].alias or name,)
        if isinstance(value, str):
            where = locate(self._tree, path) or Location("?")
            what = f"{KIND_BY_NAME[self._kind].singular} {self._tree.get('id')!r}"
            verbatim = not self._path and name in VERBATIM.get(self._kind, ())
            return Value(value, Origin(where, what), verbatim)
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
           terms: Terms | None = None) -> str:
    """The brief's Markdown; a template error names the template file and line."""
    template_path = loaded.template_dir / TEMPLATE
    token = _TERMS.set(terms)
    try:
        template = environment(loaded.template_dir).get_template(TEMPLATE)
        return template.render(context(loaded, dataset, selected))
    except BriefgenError:
        raise
    except Exception as err:   # noqa: BLE001 - whatever a template does is the template's problem
        raise ComposeError([template_problem(err, template_path)]) from None
    finally:
        _TERMS.reset(token)


def template_problem(err: Exception, template_path: Path) -> Problem:
    """Any error of a template as one located problem: a syntax error at its line, a rendering
    error (undefined value, sandbox refusal, endless recursion, an error raised by something
    it called) at the template line it happened on. The content templates and the HTML page
    templates both report through here."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        return Problem(_template_loc(err.filename or str(template_path), err.lineno),
                       f"template syntax error: {err.message}")
    return Problem(_runtime_loc(err, template_path), _runtime_message(err))


def _template_loc(filename: str, line: int | None) -> Location:
    return Location(display_path(filename), line or 0, 1 if line else 0)


def _runtime_loc(err: Exception, template_path: Path) -> Location:
    """The template line a rendering error happened on (Jinja maps its frames to it)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__)
              if f.filename and f.filename.endswith(".j2")]
    if frames:
        return _template_loc(frames[-1].filename, frames[-1].lineno)
    return Location(display_path(template_path))


def _runtime_message(err: Exception) -> str:
    if isinstance(err, jinja2.UndefinedError):
        return f"template uses an undefined value: {err.message}"
    if isinstance(err, jinja2.exceptions.SecurityError):
        return f"template tried something the sandbox forbids: {err}"
    if isinstance(err, jinja2.TemplateNotFound):
        return (f"template {err.name!r} not found; expected the name of a template inside "
                f"the template folder, got none of that name there")
    if isinstance(err, RecursionError):
        return ("template calls itself without end; expected an include or macro that stops, "
                "got recursion deeper than Python allows")
    if isinstance(err, jinja2.TemplateError):
        return f"template error: {err}"
    text = " ".join(str(err).split())
    return f"template error: {type(err).__name__}: {text[:200]}"


# --- the document -------------------------------------------------------------------------

@dataclass
class Composed:
    markdown: str
    document: m.Document
    warnings: list[Problem]       # what the audience's terminology lint found


def compose(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
            numbered: bool = False) -> Composed:
    """The brief's Markdown and its document model (citations not yet numbered)."""
    _check_free_text(loaded, dataset)
    terms = terms_for(loaded, dataset)
    head = meta(loaded, terms)
    markdown = render(loaded, dataset, selected, terms)
    blocks = parse(markdown)
    blocks = number_paragraphs(blocks) if numbered else unmark_headings(blocks)
    return Composed(markdown, m.Document(head, blocks), terms.problems if terms else [])


def terms_for(loaded: LoadedBrief, dataset: Dataset) -> Terms | None:
    """The audience's terminology pass, its own template's words already linted.

    Names are kept as written: the organisations', and every source's title wherever the
    project's text names a work ("In its 2007 report North Korea: A Case to Answer, ...").
    A title of one or two words ("North Korea", a CSW country briefing) cannot be told from
    the country's name in running text, so it is not kept.
    """
    name = loaded.audience.terminology
    if not name:
        return None
    titles = [t for s in dataset.records("sources") for t in (s.title, s.title_short)
              if t and len(t.split()) > 2]
    terms = Terms(load_profile(name), display_path(loaded.path),
                  keep=tuple(loaded.brief.organisations) + tuple(titles))
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
        if terms is None:
            return text
        return terms.own(text, Origin(loaded.loc(key), f"the brief's {key!r}"), define=False)

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


