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
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import jinja2

from . import model as m
from .brief import LoadedBrief, date_text
from .dataset import Dataset, Evidence
from .errors import BriefgenError, Location, Problem, display_path
from .parse import parse
from .sandbox import Sandbox
from .select import Selected
from .schema import did_you_mean

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


def _finalize(value: Any) -> str:
    if isinstance(value, Markdown):
        return value
    if value is None:
        return ""
    return escape_markdown(value)


# --- what templates can call --------------------------------------------------------------

def locator_markdown(evidence: Evidence) -> str:
    """A pinpoint as Pandoc writes it: ``paragraph 80``, ``{section Legal framework}``.

    Braces keep a locator that is not a number together with its label, as Pandoc reads it. A
    benchmark is not a CSL locator, so it is the citation's suffix (``benchmark 12``).
    """
    label, value = evidence.locator
    if label == "benchmark":
        return f"benchmark {escape_markdown(value)}"
    plain = re.fullmatch(r"[\w.:]+(?:\s*[-–,&]\s*[\w.:]+)*", value) and " " not in value
    return f"{label} {value}" if plain else f"{{{label} {escape_markdown(value)}}}"


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


def context(loaded: LoadedBrief, dataset: Dataset, selected: Selected) -> dict[str, Any]:
    brief = loaded.brief
    themes = {t.id: t.label for t in dataset.records("themes")}
    actors = {a.id: a.label for a in dataset.records("actors")}
    return {
        "brief": brief,
        "date": date_text(brief.date),
        "introduction": Markdown(brief.introduction or ""),
        "closing": Markdown(brief.closing or ""),
        "findings": selected.findings,
        "statistics": selected.statistics,
        "quotes": selected.quotes,
        "recommendations": selected.recommendations,
        "themes": themes,
        "actors": actors,
        "cite": cite,
        "by_theme": lambda records: group_by(records, "themes", themes, _asked(brief, "themes")),
        "by_addressee": lambda records: group_by(records, "addressees", actors,
                                                 _asked(brief, "addressees")),
    }


def _asked(brief: Any, key: str) -> list[str]:
    """The themes or addressees the brief's rules name, in the order it names them."""
    rules = [getattr(brief.select, kind) for kind in ("findings", "statistics", "quotes",
                                                       "recommendations")]
    return list(dict.fromkeys(v for rule in rules if rule for v in getattr(rule, key)))


def render(loaded: LoadedBrief, dataset: Dataset, selected: Selected) -> str:
    """The brief's Markdown; a template error names the template file and line."""
    template_path = loaded.template_dir / TEMPLATE
    try:
        template = environment(loaded.template_dir).get_template(TEMPLATE)
        return template.render(context(loaded, dataset, selected))
    except BriefgenError:
        raise
    except Exception as err:   # noqa: BLE001 - whatever a template does is the template's problem
        raise ComposeError([template_problem(err, template_path)]) from None


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

def compose(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
            numbered: bool = False) -> tuple[str, m.Document]:
    """The brief's Markdown and its document model (citations not yet numbered)."""
    _check_free_text(loaded, dataset)
    markdown = render(loaded, dataset, selected)
    blocks = parse(markdown)
    if numbered:
        blocks = tuple(_numbered(b) for b in blocks)
    return markdown, m.Document(meta(loaded), blocks)


def _numbered(block: m.Block) -> m.Block:
    return m.Paragraph(block.children, True) if isinstance(block, m.Paragraph) else block


def meta(loaded: LoadedBrief) -> m.Meta:
    brief = loaded.brief
    return m.Meta(
        title=brief.title, subtitle=brief.subtitle or "",
        authors=(brief.author,) if brief.author else (),
        organisations=tuple(brief.organisations), date=brief.date,
        date_text=date_text(brief.date), occasion=brief.occasion or "",
        lang=brief.lang, audience=brief.audience,
    )


def _check_free_text(loaded: LoadedBrief, dataset: Dataset) -> None:
    """Citations in the brief's introduction and closing name sources that exist."""
    known = sorted(s.id for s in dataset.records("sources"))
    problems = []
    for key in ("introduction", "closing"):
        text = getattr(loaded.brief, key)
        for cite_node in m.find(parse(text) if text else (), m.Cite):
            for item in cite_node.items:
                if item.key not in known:
                    hint = did_you_mean(item.key, known) or "; expected the id of a source"
                    problems.append(Problem(loaded.loc(key),
                                            f"unknown source {item.key!r} cited in {key!r}{hint}"))
    if problems:
        raise ComposeError(problems)


