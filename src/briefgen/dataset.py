"""Stage 2, validate: the dataset's typed records, read from a data folder.

The schema is documented for authors in ``data/README.md``; the models here are its
executable form. Loading collects every problem in every file before failing once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, model_validator

from .errors import Location, Problem, ValidationError, describe, display_path
from .load import YSeq, read_file
from .schema import DateText, Id, Model, Number, Period, Text, did_you_mean, validate

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


class Evidence(Model):
    """A pinpoint citation: a source and its pinpoint, structured.

    One locator (page, paragraph, section, the source's own footnote as ``note``, chapter,
    ..., an interview code) and, within it, ``items`` ("1 and 9"); or ``items`` alone. A
    locator's value is free text ("Legal framework", "12-14").
    """

    source: Id
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

    @model_validator(mode="after")
    def _person_or_literal(self) -> "Name":
        if (self.literal is None) == (self.family is None):
            raise ValueError("a name needs either 'family' (a person) or 'literal' "
                             "(an institution); expected one of them, got "
                             + ("both" if self.literal else "neither"))
        return self


class Source(Model):
    """A bibliographic record with CSL-YAML keys."""

    id: Id
    type: CSL_TYPES
    title: Text
    title_short: Text | None = Field(None, alias="title-short")
    author: list[Name] = []
    editor: list[Name] = []
    issued: DateText | None = None
    accessed: DateText | None = None
    publisher: Text | None = None
    publisher_place: Text | None = Field(None, alias="publisher-place")
    container_title: Text | None = Field(None, alias="container-title")
    collection_title: Text | None = Field(None, alias="collection-title")
    genre: Text | None = None
    number: Text | None = None
    URL: Text | None = None
    language: Text | None = None
    note: Text | None = None
    abstract: Text | None = None
    cited_in: list[Evidence] = Field([], alias="cited-in")


class Finding(Model):
    id: Id
    text: Text
    themes: list[Id] = Field(min_length=1)
    period: Period | None = None
    confidence: CONFIDENCE
    evidence: list[Evidence] = Field(min_length=1)
    statistics: list[Id] = []
    quotes: list[Id] = []


class Value(Model):
    label: Text
    value: Number
    value_note: Text | None = Field(None, alias="value-note")


class Statistic(Model):
    id: Id
    kind: Literal["survey", "count"]
    title: Text
    themes: list[Id] = Field(min_length=1)
    period: Period | None = None
    population: Text | None = None
    unit: Text
    values: list[Value] = Field(min_length=1)
    evidence: list[Evidence] = Field(min_length=1)
    sum_note: Text | None = Field(None, alias="sum-note")
    note: Text | None = None      # for authors: how the figures were read, doubts to check


class Quote(Model):
    id: Id
    text: Text
    speaker: Text | None = None   # None: the source prints the quotation unattributed
    themes: list[Id] = Field(min_length=1)
    period: Period | None = None
    evidence: list[Evidence] = Field(min_length=1)
    note: Text | None = None


class Benchmark(Model):
    number: int
    group: Id


class Status(Model):
    date: DateText
    status: Literal["met", "partially-met", "not-met", "unknown"]
    note: Text | None = None
    evidence: list[Evidence] = Field(min_length=1)


class Recommendation(Model):
    id: Id
    text: Text
    addressees: list[Id] = Field(min_length=1)
    themes: list[Id] = Field(min_length=1)
    period: Period | None = None
    benchmark: Benchmark | None = None
    evidence: list[Evidence] = Field(min_length=1)
    status: list[Status] = []
    # Recommendations of other sources that make the same call (a person's judgement, since
    # two reports rarely share wording); a brief selecting several prints one, citing all.
    same_as: list[Id] = Field([], alias="same-as")


@dataclass(frozen=True)
class Kind:
    """One kind of record: its name in messages, model, and where its files live."""

    name: str          # plural, as in `briefgen ls findings`
    singular: str      # as in error messages: "every finding"
    model: type[Model]
    place: str         # a file (vocabularies) or a folder of files (records)


KINDS: tuple[Kind, ...] = (
    Kind("themes", "theme", Theme, "themes.yaml"),
    Kind("actors", "actor", Actor, "actors.yaml"),
    Kind("benchmark-groups", "benchmark group", BenchmarkGroup, "benchmark-groups.yaml"),
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
    """The files that hold one kind's records, in a stable order."""
    place = root / kind.place
    if kind.place.endswith(".yaml"):
        return [place] if place.is_file() else []
    return sorted(p for p in place.glob("*.y*ml") if p.suffix in (".yaml", ".yml"))


def _stray_problems(root: Path) -> list[Problem]:
    """YAML files or folders in the data folder that no kind claims (a misspelt folder)."""
    known = sorted(k.place for k in KINDS)
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


def load_dataset(root: Path) -> Dataset:
    """Load and validate a data folder; raise ValidationError listing every problem."""
    from .validate import cross_check  # the cross-checks need the loaded records

    if not root.is_dir():
        raise ValidationError([Problem(Location(display_path(root)),
                                       "no data folder; expected a folder of YAML files, got nothing there")])
    dataset, problems = Dataset(root), _stray_problems(root)
    for kind in KINDS:
        files = kind_files(root, kind)
        if not files and kind.place.endswith(".yaml"):
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
    problems += cross_check(dataset)
    if problems:
        raise ValidationError(problems)
    return dataset
