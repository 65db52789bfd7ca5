"""Brief files: one YAML file per document, validated like the dataset.

A brief names its audience (a folder under ``templates/``), its selection rules, its
citation style, limits and formats. Everything a brief refers to (themes, actors, sources,
record ids, the template, the style, a reference .docx) is checked here, with the position
of the key that names it, so ``briefgen check`` reports every problem before a build starts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator

from .brand import DEFAULT as DEFAULT_BRAND, ResolvedBrand, project_brand, resolve_brand
from .dataset import CONFIDENCE, KIND_BY_NAME, Dataset
from .errors import LoadError, Location, Problem, ValidationError, describe, display_path
from . import outputs, paths
from .load import YMap, load_file, locate, read_file
from .styles import HOUSE_STYLES, SYSTEM_STYLES, find_style
from .schema import DateText, FullDate, Id, Model, Text, did_you_mean, validate
from .validate import unknown_id_message

from .names import FORMATS, PDF_ENGINES  # noqa: E402  (the names the command line offers)
ORDERS = Literal["as-listed", "date", "theme"]
SELECTABLE = ("findings", "statistics", "quotes", "recommendations")


class Span(Model):
    """A period of interest: records whose period overlaps it are selected."""

    from_: DateText | None = Field(None, alias="from")
    to: DateText | None = None


class Rule(Model):
    """How one kind of record is picked. Lists are alternatives (any of); keys combine (all of)."""

    themes: list[Id] = []
    addressees: list[Id] = []
    sources: list[Id] = []
    confidence: list[CONFIDENCE] = []
    period: Span | None = None
    include: list[Id] = []
    exclude: list[Id] = []
    order: ORDERS = "as-listed"
    limit: int | None = Field(None, ge=1)


class Selection(Model):
    findings: Rule | None = None
    statistics: Rule | None = None
    quotes: Rule | None = None
    recommendations: Rule | None = None


class Limits(Model):
    """A brief's own limits; each one it leaves out is the audience's."""

    words: int | None = Field(None, ge=1)
    pages: int | None = Field(None, ge=1)


# How a selected statistic is printed: its table, or a chart (charts.py).
CHART_CHOICES = ("table", "bars", "stacked")
ChartChoice = Literal[CHART_CHOICES]


class Brief(Model):
    title: Text
    subtitle: Text | None = None
    audience: Id
    date: FullDate
    organisations: list[Text] = Field(min_length=1)
    author: Text | None = None
    occasion: Text | None = None
    lang: Text = "en-GB"
    style: Text | None = None
    bibliography: bool = False    # a reference list after the notes (note styles)
    select: Selection
    limits: Limits = Limits()
    formats: list[Literal[FORMATS]] = Field(["docx"], min_length=1)
    pdf_engine: Literal[PDF_ENGINES] = Field("typst", alias="pdf-engine")
    output: Id | None = None
    reference_docx: Text | None = Field(None, alias="reference-docx")
    brand: Text | None = None             # another brand file than the project's brand.yaml
    introduction: Text | None = None
    closing: Text | None = None
    # What some audiences print: each is the brief's own Markdown, with citations allowed.
    about: Text | None = None             # a short introduction to the organisation(s)
    summary: list[Text] = []              # summary points (else a template takes findings)
    questions: list[Text] = []            # suggested questions, as for a Minister
    keywords: list[Text] = []             # a UPR summary's key words
    state_under_review: Text | None = Field(None, alias="state-under-review")
    session: Text | None = None           # the UPR session or the body's session
    # Earlier UPR recommendations a recommendation follows up: id -> "126.45 (A/HRC/42/10)".
    upr_links: dict[Id, Text] = Field({}, alias="upr-links")
    # Statistics as tables or charts: one choice for all, or by statistic id ("all" for the
    # rest): ``charts: bars`` or ``charts: {all: table, csw-2018-religious-freedom: stacked}``.
    charts: dict[Id, ChartChoice] = {}

    @field_validator("charts", mode="before")
    @classmethod
    def _one_for_all(cls, value: Any) -> Any:
        """``charts: bars`` is ``charts: {all: bars}``; a bad word is then located at it."""
        if isinstance(value, str) and value not in CHART_CHOICES:
            raise ValueError("invalid 'charts'; expected one of table, bars or stacked, or a "
                             f"mapping of statistic ids (or all) to them, got {value!r}")
        return {"all": value} if isinstance(value, str) else value

    def chart_for(self, statistic_id: str) -> str:
        """``table``, ``bars`` or ``stacked``: how this brief prints one statistic."""
        return self.charts.get(statistic_id, self.charts.get("all", "table"))


# The brief keys whose text is Markdown written for this brief (citations allowed).
FREE_TEXT = ("introduction", "closing", "about", "summary", "questions")


@dataclass(frozen=True)
class LoadedBrief:
    """A valid brief, where it came from, and the files it resolves to."""

    path: Path
    brief: Brief
    tree: YMap
    template_dir: Path
    audience: "Audience"
    style: str                    # a house style name or a path to a .csl file
    reference_docx: Path | None
    brand: ResolvedBrand = DEFAULT_BRAND   # brand.yaml, the audience's overrides applied

    @property
    def name(self) -> str:
        return self.brief.output or self.path.stem

    @property
    def style_file(self) -> Path:
        """The CSL file the brief cites with."""
        return HOUSE_STYLES.get(self.style) or Path(self.style)

    def loc(self, *where: Any) -> Location:
        return locate(self.tree, where) or Location(display_path(self.path))


# --- references ---------------------------------------------------------------------------

# What each rule key names: the kind of record its ids must be.
RULE_REFERENCES = {"themes": "themes", "addressees": "actors", "sources": "sources"}


def _reference_problems(tree: YMap, brief: Brief, dataset: Dataset) -> list[Problem]:
    problems = []
    for kind in SELECTABLE:
        rule = getattr(brief.select, kind)
        if rule is None:
            continue
        for key, target in RULE_REFERENCES.items():
            problems += _unknown_ids(tree, (kind, key), getattr(rule, key), target, dataset)
        for key in ("include", "exclude"):
            problems += _unknown_ids(tree, (kind, key), getattr(rule, key), kind, dataset)
        if rule.addressees and kind != "recommendations":
            problems.append(Problem(locate(tree, ("select", kind, "addressees")),
                                    f"'addressees' selects recommendations only; expected it "
                                    f"under 'recommendations', got it under {kind!r}"))
    charted = [key for key in brief.charts if key != "all"]
    known = {r.id for r in dataset.records("statistics")} if charted else set()
    for stat_id in charted:
        if stat_id not in known:
            problems.append(Problem(locate(tree, ("charts", stat_id), key_itself=True),
                                    unknown_id_message(stat_id, "statistics", known)))
    known = {r.id for r in dataset.records("recommendations")} if brief.upr_links else set()
    for rec_id in brief.upr_links:
        if rec_id not in known:
            problems.append(Problem(locate(tree, ("upr-links", rec_id), key_itself=True),
                                    unknown_id_message(rec_id, "recommendations", known)))
    return problems


def _unknown_ids(tree: YMap, where: tuple, ids: list[str], target: str,
                 dataset: Dataset) -> list[Problem]:
    if not ids:            # most rule keys are empty: skip building the set (200 briefs at
        return []          # 10,000 findings spent 1.7 s here)
    known = {r.id for r in dataset.records(target)}
    problems = []
    for index, value in enumerate(ids):
        if value in known:
            continue
        other = dataset.by_id.get(value)
        if other is not None:
            message = (f"wrong kind of id in {where[-1]!r}; expected a "
                       f"{KIND_BY_NAME[target].singular}, got the {other.kind.singular} {value!r}")
        else:
            message = unknown_id_message(value, target, known)
        problems.append(Problem(locate(tree, ("select",) + where + (index,)), message))
    return problems


def _file_problems(tree: YMap, brief: Brief, base: Path,
                   templates: Path) -> tuple[list[Problem], dict[str, Any]]:
    """The template folder, style and reference .docx a brief names exist."""
    problems, found = [], {}
    template_dir = templates / brief.audience
    known = sorted(p.name for p in templates.iterdir() if p.is_dir()) if templates.is_dir() else []
    if not (template_dir / "content.md.j2").is_file():
        hint = did_you_mean(brief.audience, known) or f"; expected one of {', '.join(known) or 'none'}"
        problems.append(Problem(locate(tree, ("audience",)),
                                f"unknown audience {brief.audience!r} (no {display_path(template_dir)}/content.md.j2){hint}"))
    found["template_dir"] = template_dir
    if not problems:
        # Jinja's includes and Typst's #read open files below the folder by themselves: a
        # link there that leaves the project is refused before any template runs.
        problems += paths.folder_problems(template_dir)
    found["audience"] = audience = load_audience(template_dir) if not problems else Audience()
    found["style"], style_problem = _style(tree, brief, base, audience)
    if style_problem is None and found["style"] not in HOUSE_STYLES:
        style_problem = paths.problem(Path(found["style"]), locate(tree, ("style",)))
    problems += [style_problem] if style_problem else []
    found["reference_docx"] = None
    if brief.reference_docx:
        found["reference_docx"] = ref = base / brief.reference_docx
        problem = _reference_docx_problem(ref)
        problems += [Problem(locate(tree, ("reference-docx",)), problem)] if problem else []
    if style_problem is None and found["style"].endswith(".csl") and Path(found["style"]).is_file():
        problems += _style_file_problems(found["style"])
    found["brand"], brand_problems = _brand(tree, brief, base, templates, template_dir)
    problems += brand_problems
    return problems, found


def _brand(tree: YMap, brief: Brief, base: Path, templates: Path,
           template_dir: Path) -> tuple[ResolvedBrand, list[Problem]]:
    """The brief's brand: the file it names, else the project's ``brand.yaml`` (else the
    defaults), with its audience's ``brand:`` overrides on top."""
    if brief.brand:
        path = base / brief.brand
        if not path.is_file():
            return DEFAULT_BRAND, [Problem(locate(tree, ("brand",)),
                                           f"no brand file {display_path(path)}; expected a "
                                           f"brand .yaml file there, got nothing")]
    else:
        path = project_brand(templates)
        path = path if path.is_file() else None
    audience_file = template_dir / "audience.yaml"
    override = None
    if audience_file.is_file():
        audience_tree = load_file(audience_file)
        override = audience_tree.get("brand") if isinstance(audience_tree, YMap) else None
    try:
        return resolve_brand(path, override, template_dir), []
    except ValidationError as err:
        return DEFAULT_BRAND, err.problems


def _style_file_problems(path: str) -> list[Problem]:
    """A third-party style is read now, so ``check`` finds a broken one before a build."""
    from .cite import CiteError, load_style

    try:
        load_style(path, Path("."))
    except CiteError as err:
        return err.problems
    return []


def _reference_docx_problem(ref: Path) -> str | None:
    """Why a reference document cannot serve, or None (``reference.py``)."""
    refused = paths.refusal(ref)
    if refused:
        return f"{display_path(ref)}: {refused}"
    if not ref.is_file():
        return f"no reference document {display_path(ref)}; expected a .docx file, got nothing there"
    from . import reference   # zipfile, ~20 ms: only for a brief that names a reference document

    return reference.problem(ref)


def _style(tree: YMap, brief: Brief, base: Path, audience: "Audience") -> tuple[str, Problem | None]:
    style = brief.style or audience.style
    if style in HOUSE_STYLES:
        return style, None
    path = base / style
    if path.suffix == ".csl" and path.is_file():
        return str(path), None
    if path.suffix != ".csl":    # a CSL name: the project's styles/, then the system's
        found = find_style(style, base.parent) if "/" not in style else None
        if found is not None:
            return str(found), None
    where = locate(tree, ("style",)) or Location(display_path(base))
    if path.suffix == ".csl":
        return style, Problem(where, f"no citation style file {display_path(path)}; expected a "
                                     f".csl file there, got nothing")
    hint = did_you_mean(style, list(HOUSE_STYLES)) or ""
    return style, Problem(where, f"unknown citation style {style!r}; expected "
                                 f"{' or '.join(HOUSE_STYLES)}, the path of a .csl file, or the "
                                 f"name of one in styles/ or {SYSTEM_STYLES}{hint}")


class FontStacks(Model):
    """Font families in order of preference, for every PDF and HTML writer.

    The defaults draw Latin and Hangul alike from Debian's ``fonts-noto-core`` and
    ``fonts-noto-cjk``; a character no family in its stack can draw is a warning.
    """

    text: list[Text] = Field(["Noto Serif", "Noto Serif CJK KR"], min_length=1)
    headings: list[Text] = Field(["Noto Sans", "Noto Sans CJK KR"], min_length=1)
    mono: list[Text] = Field(["DejaVu Sans Mono", "Noto Sans Mono CJK KR"], min_length=1)


class AudienceLimits(Model):
    """The limits an audience sets unless a brief sets its own, and how it counts words."""

    words: int | None = Field(None, ge=1)
    joint_words: int | None = Field(None, ge=1, alias="joint-words")  # more than one organisation
    pages: int | None = Field(None, ge=1)
    count_notes: bool = Field(True, alias="count-notes")             # footnotes are words too


class LineLook(Model):
    """How one line of the masthead is set where the audience's page sets it otherwise than
    the DOCX's named style for it: its size in points, weight, slant and brand colour, and a
    bar in the accent colour at its left (as a block's left stroke in ``page.typ``)."""

    size: float | None = Field(None, gt=0, le=72)
    bold: bool | None = None
    italic: bool | None = None
    colour: Literal["accent", "headings", "text", "muted"] | None = None
    bar: bool = False
    # its space above and below, in points, where the page spaces it otherwise than the
    # DOCX's style (the organisation's and the date's on the brand line are the line's own)
    above: float | None = Field(None, ge=0, le=72)
    below: float | None = Field(None, ge=0, le=72)


class Masthead(Model):
    """What an audience's masthead says and in what order, for the writers that have no page
    template of their own (the DOCX): as the audience's ``page.typ`` and ``page.html.j2`` set
    it in the PDFs and the web page."""

    label: Text | None = None             # a small capital label over the title: "Briefing"
    # where the date stands: at the right of the organisation's name, or under the title block
    date: Literal["brand-line", "below"] = "below"
    order: list[Literal["title", "subtitle", "occasion"]] = ["title", "subtitle", "occasion"]
    # a label over the submitting organisations, one a line ("Submitted by"); without it,
    # the organisations are named only when they are not the brand's alone
    submitted_by: Text | None = Field(None, alias="submitted-by")
    # a line's look where the page sets it otherwise than the DOCX's style for it: the
    # label, title, subtitle, occasion (a UN submission's mandate: 13 pt bold, a bar at its
    # left), the submitted-by label and the organisations under it, the date, and the
    # organisation's name on the brand line (the Masthead style)
    looks: dict[Literal["label", "title", "subtitle", "occasion", "submitted-by",
                        "organisations", "organisation", "date"], LineLook] = {}
    # where the name and the date stand beside the logo: level with its middle, or with its
    # foot (a Typst grid's ``align: horizon`` or ``bottom``)
    beside_logo: Literal["middle", "bottom"] = Field("middle", alias="beside-logo")
    # the rule under the brand line, in points (0: none), where the page draws it otherwise
    # than the DOCX's Masthead style (3 pt); and whether a rule closes the masthead
    rule: float | None = Field(None, ge=0, le=12)
    closing_rule: bool = Field(True, alias="closing-rule")
    # the closing rule's distance below the last line's text, in points, where the page sets
    # it otherwise than the DOCX's Date style (4 pt) or thematic break (1 pt)
    closing_rule_gap: float | None = Field(None, ge=0, le=31, alias="closing-rule-gap")


class Audience(Model):
    """An audience's settings (``templates/<audience>/audience.yaml``): its defaults and rules."""

    label: Text = ""
    style: Text = "uk-oscola"
    numbered_paragraphs: bool = Field(False, alias="numbered-paragraphs")
    fonts: FontStacks = FontStacks()
    brand: Any = None                     # brand.yaml keys this audience sets otherwise (brand.py)
    terminology: Text | None = None       # a profile in briefgen/terms/: un, uk
    # Cite the primary document an evidence names (the COI report), not the report quoting it.
    primary_sources: bool = Field(False, alias="primary-sources")
    limits: AudienceLimits = AudienceLimits()
    masthead: Masthead = Masthead()


def load_audience(template_dir: Path) -> Audience:
    """The audience's settings; a folder without ``audience.yaml`` gets the defaults."""
    path = template_dir / "audience.yaml"
    if not path.is_file():
        return Audience(label=template_dir.name)
    tree = load_file(path)
    audience, problems = validate(Audience, tree, "audience", getattr(tree, "loc", Location(display_path(path))))
    if audience is None:
        raise ValidationError(problems)
    _check_profile(audience, tree)
    return audience


def _check_profile(audience: Audience, tree: YMap) -> None:
    from .terms import profile_names

    known = profile_names()
    if audience.terminology is not None and audience.terminology not in known:
        hint = did_you_mean(audience.terminology, known) or ""
        raise ValidationError([Problem(locate(tree, ("terminology",)),
                                       f"unknown terminology profile {audience.terminology!r}"
                                       f"{hint}; expected one of {', '.join(known)}")])


# --- loading ------------------------------------------------------------------------------

def load_brief(path: Path, dataset: Dataset, templates: Path) -> LoadedBrief:
    """Read and check one brief; raise ValidationError listing every problem in it."""
    tree, read_problems = read_file(path)   # a duplicate key: reported with the rest
    if tree is None and read_problems:
        raise LoadError(read_problems)
    shown = display_path(path)
    if not isinstance(tree, YMap):
        loc = getattr(tree, "loc", Location(shown, 1, 1))
        what = "nothing (an empty file)" if tree is None else describe(tree)
        raise ValidationError(read_problems + [Problem(loc, f"wrong top level; expected a mapping of brief keys, got {what}")])
    brief, problems = validate(Brief, tree, "brief", tree.loc)
    if brief is None:
        raise ValidationError(read_problems + problems)
    problems = read_problems + _reference_problems(tree, brief, dataset)
    problems += outputs.name_problems(brief.output or path.stem, locate(tree, ("output",))
                                      if brief.output else Location(display_path(path)))
    problems += outputs.date_problems(brief.date, locate(tree, ("date",)))
    found_problems, found = _file_problems(tree, brief, path.parent, templates)
    problems += found_problems
    if problems:
        raise ValidationError(problems)
    return LoadedBrief(path, brief, tree, **found)


def load_briefs(paths: list[Path], dataset: Dataset, templates: Path) -> list[LoadedBrief]:
    """Every brief, or one ValidationError with the problems of all of them."""
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_brief(path, dataset, templates))
        except (LoadError, ValidationError) as err:
            problems += err.problems
    problems += _clashing_outputs(loaded)
    problems = list(dict.fromkeys(problems))   # a brand file's problem, once for all its briefs
    if problems:
        raise ValidationError(problems)
    return loaded


def _clashing_outputs(briefs: list[LoadedBrief]) -> list[Problem]:
    seen: dict[str, LoadedBrief] = {}
    problems = []
    for loaded in briefs:
        first = seen.setdefault(loaded.name, loaded)
        if first is not loaded:
            problems.append(Problem(loaded.loc("output"),
                                    f"output name {loaded.name!r} is taken; expected a name of its own, "
                                    f"got the one of {display_path(first.path)}"))
    return problems


def date_text(iso: str) -> str:
    """A date as British and UN style write it: '7 February 2014'."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


# Not strftime('%B'): that follows the machine's locale, and a build must not.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
