"""`briefgen ls`: a readable table of what the dataset holds, so an author can pick records."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from .dataset import Dataset, Kind
from .errors import UsageError
from .names import FILTER_HELP
from .schema import did_you_mean

@dataclass(frozen=True)
class Filter:
    """One `ls` filter: the record field it reads, and where its allowed values come from."""

    help: str
    field: str                   # a record applies when its model has this field
    target: str | None           # the kind whose ids it takes, or None for a fixed vocabulary
    read: Callable[[Any], set[str]]


FILTERS = {
    "theme": Filter(FILTER_HELP["theme"], "themes", "themes", lambda r: set(r.themes)),
    "source": Filter(FILTER_HELP["source"], "evidence", "sources",
                     lambda r: {e.source for e in r.evidence}),
    "addressee": Filter(FILTER_HELP["addressee"], "addressees", "actors",
                        lambda r: set(r.addressees)),
    "confidence": Filter(FILTER_HELP["confidence"], "confidence", None,
                         lambda r: {r.confidence}),
}


def filter_records(dataset: Dataset, kind: Kind, wanted: dict[str, list[str]]) -> list[Any]:
    """The records of one kind that pass every filter given (a record passes a filter when it
    matches any of its values); unknown filter values are errors."""
    records = dataset.records(kind.name)
    for name, values in wanted.items():
        rule = FILTERS[name]
        if rule.field not in kind.model.model_fields:
            raise UsageError(f"--{name} does not apply to {kind.name}")
        _check_values(name, _allowed(dataset, kind, rule), values)
        records = [r for r in records if rule.read(r) & set(values)]
    return records


def _allowed(dataset: Dataset, kind: Kind, rule: Filter) -> list[str]:
    if rule.target:
        return sorted(r.id for r in dataset.records(rule.target))
    return list(get_args(kind.model.model_fields[rule.field].annotation))


def _check_values(name: str, known: list[str], values: list[str]) -> None:
    for value in values:
        if value not in known:
            hint = did_you_mean(value, known) or f"; expected one of {', '.join(known)}"
            raise UsageError(f"unknown {name} {value!r}{hint}")


def _values(stat: Any) -> str:
    mark = "%" if stat.unit == "percent" else ""
    return " / ".join(f"{v.value:g}{mark}" for v in stat.values)


# Kind -> the columns of its table: (heading, how to read a record).
COLUMNS: dict[str, list[tuple[str, Callable[[Any], str]]]] = {
    "themes": [("ID", lambda r: r.id), ("LABEL", lambda r: r.label)],
    "actors": [("ID", lambda r: r.id), ("LABEL", lambda r: r.label)],
    "benchmark-groups": [("ID", lambda r: r.id), ("NO.", lambda r: r.number), ("LABEL", lambda r: r.label)],
    "sources": [("ID", lambda r: r.id), ("TYPE", lambda r: r.type), ("ISSUED", lambda r: r.issued or ""),
                ("TITLE", lambda r: r.title)],
    "findings": [("ID", lambda r: r.id), ("CONFIDENCE", lambda r: r.confidence),
                 ("THEMES", lambda r: ",".join(r.themes)), ("TEXT", lambda r: r.text)],
    "statistics": [("ID", lambda r: r.id), ("UNIT", lambda r: r.unit), ("VALUES", _values),
                   ("TITLE", lambda r: r.title)],
    "quotes": [("ID", lambda r: r.id), ("SPEAKER", lambda r: r.speaker or "(unattributed)"), ("TEXT", lambda r: r.text)],
    "recommendations": [("ID", lambda r: r.id), ("TO", lambda r: ",".join(r.addressees)),
                        ("TEXT", lambda r: r.text)],
}


MIDDLE_WIDTH = 32  # a middle column (themes, speaker) wider than this is cut with "…"
MIN_TEXT_WIDTH = 30


def render_table(kind: Kind, records: list[Any], width: int = 0) -> str:
    """Columns padded to their widest cell; the last (the text) wraps within the width."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    columns = COLUMNS[kind.name]
    rows = [[h for h, _ in columns]] + [[_one_line(read(r)) for _, read in columns] for r in records]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns) - 1)]
    widths = [widths[0]] + [min(w, MIDDLE_WIDTH) for w in widths[1:]]
    room = max(MIN_TEXT_WIDTH, width - sum(widths) - 2 * len(widths))
    lines = []
    for row in rows:
        cells = [_cut(c, w).ljust(w) for c, w in zip(row, widths)]
        wrapped = textwrap.wrap(row[-1], room) or [""]
        lines.append("  ".join(cells + [wrapped[0]]).rstrip())
        indent = " " * (sum(widths) + 2 * len(widths))
        lines += [indent + more for more in wrapped[1:]]
    lines.append(f"({len(records)} {kind.name})")
    return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _cut(text: str, room: int) -> str:
    return text if len(text) <= room else text[: room - 1] + "…"


# --- the project: briefs and audiences, and where a record is used -------------------------

def _table(headings: list[str], rows: list[list[str]], noun: str, width: int) -> str:
    """Columns padded to their widest cell, the last cut to the width."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    rows = [headings] + rows
    widths = [max(len(row[i]) for row in rows) for i in range(len(headings) - 1)]
    room = max(MIN_TEXT_WIDTH, width - sum(widths) - 2 * len(widths))
    lines = ["  ".join([c.ljust(w) for c, w in zip(row, widths)] + [_cut(row[-1], room)]).rstrip()
             for row in rows]
    return "\n".join(lines + [f"({len(rows) - 1} {noun})"])


def _limit(words: int | None, pages: int | None) -> str:
    parts = ([f"{words:,} words"] if words else []) + ([f"{pages} pages"] if pages else [])
    return ", ".join(parts) or "-"


def list_briefs(briefs: list[Any], templates: Any, width: int = 0) -> str:
    from .limits import limits_of

    rows = []
    for loaded in sorted(briefs, key=lambda b: b.name):
        limit = limits_of(loaded)
        rows.append([loaded.name, loaded.brief.audience, ", ".join(loaded.brief.formats),
                     _limit(limit.words, limit.pages), _one_line(loaded.brief.title)])
    return _table(["BRIEF", "AUDIENCE", "FORMATS", "LIMITS", "TITLE"], rows, "briefs", width)


def list_audiences(briefs: list[Any], templates: Any, width: int = 0) -> str:
    from pathlib import Path

    from .brief import load_audience

    rows = []
    for folder in sorted(p for p in Path(templates).iterdir() if (p / "content.md.j2").is_file()):
        audience = load_audience(folder)
        used = sum(1 for b in briefs if b.brief.audience == folder.name)
        rows.append([folder.name, audience.style, audience.terminology or "-",
                     _limit(audience.limits.words, audience.limits.pages), str(used),
                     _one_line(audience.label)])
    return _table(["AUDIENCE", "STYLE", "TERMS", "LIMITS", "BRIEFS", "LABEL"], rows,
                  "audiences", width)


LISTS = {"briefs": list_briefs, "audiences": list_audiences}


def show_record(dataset: Dataset, briefs: list[Any], record_id: str) -> str:
    """A record as its file holds it, where it is, and every brief whose rules select it."""
    import yaml

    from .select import SELECTABLE, select

    entry = dataset.by_id.get(record_id)
    if entry is None or entry.record is None:
        known = sorted(dataset.by_id)
        raise UsageError(f"no record {record_id!r}{did_you_mean(record_id, known) or ''}")
    dumped = entry.record.model_dump(mode="json", by_alias=True, exclude_none=True,
                                     exclude_defaults=True)
    text = yaml.safe_dump(dumped, allow_unicode=True, sort_keys=False, width=100)
    users = []
    if entry.kind.name in SELECTABLE:
        for loaded in sorted(briefs, key=lambda b: b.name):
            picked = getattr(select(dataset, loaded.brief.select), entry.kind.name)
            if any(r.id == record_id for r in picked):
                users.append(f"  {loaded.name} ({loaded.path})")
    selected = ("selected by:\n" + "\n".join(users)) if users else "selected by no brief"
    return f"{entry.kind.singular} {record_id} at {entry.loc}\n\n{text}\n{selected}"
