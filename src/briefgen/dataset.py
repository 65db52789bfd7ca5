"""Stage 2, validate: the dataset's typed records, read from a data folder.

The schema is documented for authors in ``data/README.md``; the models here are its
executable form. Loading collects every problem in every file before failing once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AliasChoices, BaseModel, BeforeValidator, Field, create_model, model_validator
from pydantic_core import PydanticCustomError

from .errors import Location, Problem, ValidationError, describe, display_path
from .load import YSeq, read_file
from .schema import DateText, Id, Model, Number, Period, Text, did_you_mean, validate

@dataclass(frozen=True)
class Ref:
    """Marks an id that names a record of another kind; ``validate`` checks it exists."""

    kind: str


def ref(kind: str) -> Any:
    """An id naming a record of ``kind``: the schema is the one table of references."""
    return Annotated[Id, Ref(kind)]


LOCATOR_KEYS = ("page", "paragraph", "section", "note", "chapter", "figure", "table", "line",
                "benchmark", "interview")
# What a pinpoint may add to its locator: the numbered item(s) in it ("items 1 and 9").
PINPOINT_PARTS = ("items",)

CONFIDENCE = Literal["un-established", "official", "documented", "survey",
                     "multiple-testimonies", "single-testimony", "anecdotal"]

CSL_TYPES = Literal[
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book",
    "broadcast", "chapter", "dataset", "document", "entry", "entry-encyclopedia", "hearing",
    "interview", "legal_case", "legislation", "manuscript", "motion_picture", "pamphlet",
    "personal_communication", "post", "post-weblog", "regulation", "report", "speech",
    "standard", "thesis", "treaty", "webpage",
]


class Primary(Model):
    """The document a source quotes or reports, where the dataset has it: the COI report
    behind a briefing's account of it. Its pinpoint is optional (a briefing rarely gives one)."""

    source: ref("sources")
    page: Text | None = None
    paragraph: Text | None = None
    section: Text | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _at_most_one_locator(self) -> "Primary":
        given = [k for k in ("page", "paragraph", "section", "note") if getattr(self, k)]
        if len(given) > 1:
            raise ValueError(f"a primary source takes at most one locator; expected one of "
                             f"page, paragraph, section, note, got {', '.join(given)}")
        return self

    @property
    def locator(self) -> tuple[str, str] | None:
        label = next((k for k in ("page", "paragraph", "section", "note") if getattr(self, k)), None)
        return (label, getattr(self, label)) if label else None


class Evidence(Model):
    """A pinpoint citation: a source and its pinpoint, structured.

    One locator (page, paragraph, section, the source's own footnote as ``note``, chapter,
    ..., an interview code) and, within it, ``items`` ("1 and 9"); or ``items`` alone. A
    locator's value is free text ("Legal framework", "12-14").
    """

    source: ref("sources")
    page: Text | None = None
    paragraph: Text | None = None
    section: Text | None = None
    note: Text | None = None
    chapter: Text | None = None
    figure: Text | None = None
    table: Text | None = None
    line: Text | None = None
    benchmark: Text | None = None
    interview: Text | None = None   # an interview's code in the source ("interview 12")
    items: Text | None = None       # numbered item(s) within the locator: "6", "1 and 9"
    # The primary document behind what this source says here; audiences that cite primary
    # sources (UN audiences: ``primary-sources: true``) cite it instead.
    primary: Primary | None = None

    @model_validator(mode="after")
    def _one_locator(self) -> "Evidence":
        given = [k for k in LOCATOR_KEYS if getattr(self, k) is not None]
        if len(given) > 1 or not (given or self.items):
            got = ", ".join(given) if given else "none"
            raise ValueError(
                f"evidence needs one locator, with or without items; expected one of "
                f"{', '.join(LOCATOR_KEYS)} or items, got {got}"
            )
        return self

    @property
    def locator(self) -> tuple[str, str] | None:
        """(label, value), e.g. ('paragraph', '80'); None for items alone."""
        label = next((k for k in LOCATOR_KEYS if getattr(self, k) is not None), None)
        return (label, getattr(self, label)) if label else None


class Theme(Model):
    id: Id
    label: Text
    description: Text | None = None


class Actor(Model):
    id: Id
    label: Text
    un_label: Text | None = Field(None, alias="un-label")


class BenchmarkGroup(Model):
    id: Id
    number: Text
    label: Text


class Name(Model):
    """A CSL name: a person (family, given) or an institution (literal)."""

    family: Text | None = None
    given: Text | None = None
    literal: Text | None = None
    # The rest of a CSL name, as Zotero and Pandoc write them.
    suffix: Text | None = None
    dropping_particle: Text | None = Field(None, alias="dropping-particle")
    non_dropping_particle: Text | None = Field(None, alias="non-dropping-particle")
    parse_names: bool | None = Field(None, alias="parse-names")
    comma_suffix: bool | None = Field(None, alias="comma-suffix")
    static_ordering: bool | None = Field(None, alias="static-ordering")

    @model_validator(mode="after")
    def _person_or_literal(self) -> "Name":
        if (self.literal is None) == (self.family is None):
            raise ValueError("a name needs either 'family' (a person) or 'literal' "
                             "(an institution); expected one of them, got "
                             + ("both" if self.literal else "neither"))
        return self


def _csl_date(value: Any) -> Any:
    """A date as CSL-JSON writes it (``{"date-parts": [[2018, 1, 31]]}``, Zotero and Pandoc)
    or as a string: the dataset keeps ``"2018-01-31"``, and the cite stage writes date-parts
    again. A range or a season has no place in a YYYY-MM-DD string and is refused."""
    if not isinstance(value, dict):
        return value
    if "raw" in value and "date-parts" not in value:
        return value["raw"]
    parts = value.get("date-parts")
    if not (isinstance(parts, list) and len(parts) == 1 and isinstance(parts[0], list)
            and 1 <= len(parts[0]) <= 3):
        raise PydanticCustomError("csl_date", "one date as date-parts (such as "
                                              "[[2018, 1, 31]]) or YYYY-MM-DD")
    try:
        numbers = [int(part) for part in parts[0]]
    except (TypeError, ValueError):
        raise PydanticCustomError("csl_date", "date-parts of whole numbers") from None
    return "-".join([f"{numbers[0]:04d}", *(f"{n:02d}" for n in numbers[1:])])


CslDate = Annotated[DateText, BeforeValidator(_csl_date)]

# CSL 1.0.2's standard variables that the models below do not name one by one: a source from
# Zotero or Pandoc keeps them, and the cite stage hands them to the style.
CSL_TEXT_VARIABLES = (
    "annote", "archive", "archive_collection", "archive_location", "archive-place",
    "authority", "call-number", "chapter-number", "citation-key", "collection-number",
    "container-title-short", "dimensions", "division", "DOI", "edition", "event",
    "event-title", "event-place", "ISBN", "ISSN", "issue", "jurisdiction", "keyword",
    "license", "medium", "number-of-pages", "number-of-volumes", "original-publisher",
    "original-publisher-place", "original-title", "page", "page-first", "part-number",
    "part-title", "PMCID", "PMID", "printing-number", "references", "reviewed-genre",
    "reviewed-title", "scale", "section", "source", "status", "supplement-number", "version",
    "volume", "volume-title", "volume-title-short",
)
CSL_NAME_VARIABLES = (
    "chair", "collection-editor", "compiler", "composer", "container-author", "contributor",
    "curator", "director", "editorial-director", "editor-translator", "executive-producer",
    "guest", "host", "illustrator", "interviewer", "narrator", "organizer", "original-author",
    "performer", "producer", "recipient", "reviewed-author", "script-writer",
    "series-creator", "translator",
)
CSL_DATE_VARIABLES = ("available-date", "event-date", "original-date", "submitted")


class _SourceBase(Model):
    """A bibliographic record with CSL-YAML keys."""

    id: Id
    type: CSL_TYPES
    title: Text
    title_short: Text | None = Field(None, alias="title-short")
    author: list[Name] = []
    editor: list[Name] = []
    issued: CslDate | None = None
    accessed: CslDate | None = None
    publisher: Text | None = None
    publisher_place: Text | None = Field(None, alias="publisher-place")
    container_title: Text | None = Field(None, alias="container-title")
    collection_title: Text | None = Field(None, alias="collection-title")
    genre: Text | None = None
    number: Text | None = None
    URL: Text | None = Field(None, validation_alias=AliasChoices("URL", "url"))
    language: Text | None = None
    note: Text | None = None
    abstract: Text | None = None
    cited_in: list[Evidence] = Field([], alias="cited-in")
    # The source's full text (.txt or .pdf), in the texts folder: `briefgen verify` checks
    # the records citing it against it. briefgen's own, not CSL.
    text: Text | None = None


def _python_name(variable: str) -> str:
    return variable.replace("-", "_")


# Source: the base's fields and every other CSL variable, each optional, under its CSL name.
Source = create_model(
    "Source", __base__=_SourceBase, __doc__=_SourceBase.__doc__,
    **{_python_name(v): (Text | None, Field(None, alias=v)) for v in CSL_TEXT_VARIABLES},
    **{_python_name(v): (list[Name], Field([], alias=v)) for v in CSL_NAME_VARIABLES},
    **{_python_name(v): (CslDate | None, Field(None, alias=v)) for v in CSL_DATE_VARIABLES},
)


class Finding(Model):
    id: Id
    text: Text
    themes: list[ref("themes")] = Field(min_length=1)
    period: Period | None = None
    confidence: CONFIDENCE
    evidence: list[Evidence] = Field(min_length=1)
    statistics: list[ref("statistics")] = []
    quotes: list[ref("quotes")] = []


class Value(Model):
    label: Text
    value: Number
    value_note: Text | None = Field(None, alias="value-note")


class Statistic(Model):
    id: Id
    kind: Literal["survey", "count"]
    title: Text
    themes: list[ref("themes")] = Field(min_length=1)
    period: Period | None = None
    population: Text | None = None
    unit: Text
    values: list[Value] = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)
    sum_note: Text | None = Field(None, alias="sum-note")
    alt: Text | None = None       # a chart's alt text, in place of the one made from the values
    note: Text | None = None      # for authors: how the figures were read, doubts to check


class Quote(Model):
    id: Id
    text: Text
    speaker: Text | None = None   # None: the source prints the quotation unattributed
    themes: list[ref("themes")] = Field(min_length=1)
    period: Period | None = None
    evidence: list[Evidence] = Field(min_length=1)
    note: Text | None = None


class Benchmark(Model):
    number: int
    group: ref("benchmark-groups")


class Status(Model):
    date: DateText
    status: Literal["met", "partially-met", "not-met", "unknown"]
    note: Text | None = None
    evidence: list[Evidence] = Field(min_length=1)


class Recommendation(Model):
    id: Id
    text: Text
    addressees: list[ref("actors")] = Field(min_length=1)
    themes: list[ref("themes")] = Field(min_length=1)
    period: Period | None = None
    benchmark: Benchmark | None = None
    evidence: list[Evidence] = Field(min_length=1)
    status: list[Status] = []
    # Recommendations of other sources that make the same call (a person's judgement, since
    # two reports rarely share wording); a brief selecting several prints one, citing all.
    same_as: list[ref("recommendations")] = Field([], alias="same-as")
    # Text a report prints among its recommendations that asks nothing itself (a section's
    # introduction, "these recommendations ... can be used as benchmarks"): kept for its
    # wording, never picked by a brief's filters, only by naming it under ``include``.
    lead_in: bool = Field(False, alias="lead-in")
    # Recommendations (of this source or another) that ask in part for the same thing, but
    # not all of it, so neither replaces the other; a brief printing both is warned.
    overlaps: list[ref("recommendations")] = []


class Abbreviation(Model):
    """A short form and what it stands for: a document defines it at its first use, once
    ("the Commission of Inquiry (COI)", then "COI"). ``forms`` gives the long form a
    terminology profile writes instead (``un: United Nations Commission of Inquiry``)."""

    short: Text = Field(pattern=r"^[A-Z][A-Za-z0-9&]*[A-Z0-9]$")
    long: Text
    also: list[Text] = []          # other long forms that mean it ("UN Commission of Inquiry")
    article: Literal["the"] | None = None   # the long form takes one: "the Office of ... (OHCHR)"
    forms: dict[str, Text] = {}


class ProtectedName(Model):
    """The name of an organisation, a law or a publication: printed as written, never
    rewritten by a terminology profile ("All-Party Parliamentary Group on North Korea")."""

    name: Text
    kind: Literal["organisation", "law", "publication", "post"]


@dataclass(frozen=True)
class Kind:
    """One kind of record: its name in messages, model, and where its files live."""

    name: str          # plural, as in `briefgen ls findings`
    singular: str      # as in error messages: "every finding"
    model: type[Model]
    place: str         # a file (vocabularies) or a folder of files (records)
    optional: bool = False   # a vocabulary a dataset may leave out


KINDS: tuple[Kind, ...] = (
    Kind("themes", "theme", Theme, "themes.yaml"),
    Kind("actors", "actor", Actor, "actors.yaml"),
    Kind("benchmark-groups", "benchmark group", BenchmarkGroup, "benchmark-groups.yaml"),
    Kind("abbreviations", "abbreviation", Abbreviation, "abbreviations.yaml", optional=True),
    Kind("names", "protected name", ProtectedName, "names.yaml", optional=True),
    Kind("sources", "source", Source, "sources"),
    Kind("findings", "finding", Finding, "findings"),
    Kind("statistics", "statistic", Statistic, "statistics"),
    Kind("quotes", "quote", Quote, "quotes"),
    Kind("recommendations", "recommendation", Recommendation, "recommendations"),
)
KIND_BY_NAME = {k.name: k for k in KINDS}


@dataclass
class Entry:
    """A record with the loaded tree it came from (for locating its values).

    ``record`` is None when the record failed its schema: its tree still takes part in the
    id and reference checks, so one run reports every problem.
    """

    kind: Kind
    record: Any | None
    tree: Any
    loc: Location


@dataclass
class Dataset:
    """Every record of a data folder, by kind and by id."""

    root: Path
    files: list[str] = field(default_factory=list)
    entries: dict[str, list[Entry]] = field(default_factory=dict)
    by_id: dict[str, Entry] = field(default_factory=dict)
    # Kinds with a file that could not be read as a list of records: their ids are not all
    # known, so a reference to one of them is not reported as unknown (one fault, one line).
    unreadable: set[str] = field(default_factory=set)

    def records(self, kind: str) -> list[Any]:
        return [e.record for e in self.entries.get(kind, []) if e.record is not None]

    def get(self, record_id: str) -> Any:
        return self.by_id[record_id].record

    def counts(self) -> dict[str, int]:
        return {k.name: len(self.entries.get(k.name, [])) for k in KINDS}


def tree_id(entry: Entry) -> str | None:
    """The id as written, even where the record failed its schema."""
    value = entry.tree.get("id") if isinstance(entry.tree, dict) else None
    return value if isinstance(value, str) else None


def _index(dataset: Dataset) -> None:
    """Records by id; of two with one id the first wins (the repeat is a problem reported)."""
    for entries in dataset.entries.values():
        for entry in entries:
            record_id = tree_id(entry)
            if record_id:
                dataset.by_id.setdefault(record_id, entry)


def kind_files(root: Path, kind: Kind) -> list[Path]:
    """The files that hold one kind's records, in a stable order. Sources may also be a
    CSL-JSON file as Zotero exports it (JSON is read as the YAML it also is)."""
    place = root / kind.place
    if kind.place.endswith(".yaml"):
        return [place] if place.is_file() else []
    suffixes = (".yaml", ".yml", ".json") if kind.name == "sources" else (".yaml", ".yml")
    return sorted(p for p in place.iterdir() if p.suffix in suffixes) if place.is_dir() else []


# Files of the data folder that are not records: the foreign terms the typography pass sets
# in italics (typography.py reads and checks it).
OTHER_FILES = ("foreign-terms.yaml",)


def _foreign_term_problems(root: Path) -> list[Problem]:
    from .typography import load_terms     # typography reads it; checked with the dataset

    try:
        load_terms(root)
    except ValidationError as err:
        return err.problems
    return []


def _stray_problems(root: Path) -> list[Problem]:
    """YAML files or folders in the data folder that no kind claims (a misspelt folder)."""
    known = sorted([k.place for k in KINDS] + list(OTHER_FILES))
    problems = []
    for path in sorted(root.iterdir()):
        if path.name in known or path.name.startswith(".") or not _looks_like_data(path):
            continue
        what = f"unexpected {'folder' if path.is_dir() else 'file'} {path.name!r} in the data folder"
        hint = did_you_mean(path.name, known) or f"; expected one of {', '.join(known)}"
        problems.append(Problem(Location(display_path(path)), what + hint))
    return problems


def _looks_like_data(path: Path) -> bool:
    if path.is_dir():
        return any(path.glob("*.y*ml"))
    return path.suffix in (".yaml", ".yml")


def _file_entries(path: Path, kind: Kind) -> tuple[list[Entry] | None, list[Problem]]:
    """Load one file of records and validate each; collect every problem in it.

    The entries are None when the file could not be read as a list of records at all.
    """
    tree, problems = read_file(path)
    if tree is None and problems:
        return None, problems
    shown = display_path(path)
    if not isinstance(tree, YSeq):
        loc = getattr(tree, "loc", Location(shown, 1, 1))
        what = "nothing (an empty file)" if tree is None else describe(tree)
        return None, problems + [Problem(loc, f"wrong top level; expected a list of {kind.name}, got {what}")]
    entries, read_at = [], {p.loc for p in problems}
    for index, item in enumerate(tree):
        loc = tree.item_loc(index)
        record, found = validate(kind.model, item, kind.singular, loc)
        # A value the loader already reported (an unknown alias read as nothing) is not
        # reported again as the wrong type: one fault, one line.
        problems += [p for p in found if p.loc not in read_at]
        entries.append(Entry(kind, record, item, loc))
    return entries, problems


def read_dataset(root: Path) -> tuple[Dataset | None, list[Problem]]:
    """Every record of a data folder, each checked against its schema, with every problem
    found; None for a folder that is not there. The checks across records are ``validate``'s."""
    if not root.is_dir():
        return None, [Problem(Location(display_path(root)),
                              "no data folder; expected a folder of YAML files, got nothing there")]
    dataset, problems = Dataset(root), _stray_problems(root) + _foreign_term_problems(root)
    for kind in KINDS:
        files = kind_files(root, kind)
        if not files and kind.place.endswith(".yaml") and not kind.optional:
            problems.append(Problem(Location(display_path(root / kind.place)),
                                    f"missing file; expected the {kind.name} vocabulary here"))
        for path in files:
            dataset.files.append(display_path(path))
            entries, found = _file_entries(path, kind)
            dataset.entries.setdefault(kind.name, []).extend(entries or [])
            if entries is None:
                dataset.unreadable.add(kind.name)
            problems += found
    _index(dataset)
    return dataset, problems


# --- references, from the schema -------------------------------------------------------------

def references(model: type[BaseModel]) -> list[tuple[tuple, str]]:
    """Every (key path, kind) where a record of ``model`` names another record: the keys from
    the record down as YAML writes them, '*' standing for every item of a list."""
    found: list[tuple[tuple, str]] = []
    for name, info in model.model_fields.items():
        found += _refs(info.annotation, tuple(info.metadata), (info.alias or name,))
    return found


def _refs(annotation: Any, metadata: tuple, path: tuple) -> list[tuple[tuple, str]]:
    marks = [m.kind for m in metadata if isinstance(m, Ref)]
    if marks:
        return [(path, marks[0])]
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _refs(args[0], tuple(annotation.__metadata__), path)
    if origin is list:
        return _refs(args[0], (), path + ("*",))
    if origin is Union or (origin is not None and type(None) in args):
        return [r for arg in args if arg is not type(None) for r in _refs(arg, (), path)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [(path + sub, kind) for sub, kind in references(annotation)]
    return []
