"""Stage 3, select: a brief's rules pick records from the dataset. A pure function.

Within a rule, each key narrows the choice (all of them must hold) and the ids listed under a
key are alternatives (any of them will do). ``include`` adds records whatever the other keys
say, ``exclude`` removes them, then the order is applied and the limit cuts the list.
A kind the brief does not mention selects nothing; an empty rule (``quotes: {}``) selects all.
Recommendations that several selected sources make (linked by ``same-as``) become one, citing
every source.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .brief import SELECTABLE, Rule, Selection, Span
from .dataset import Dataset


@dataclass(frozen=True)
class Selected:
    """The records a brief picked, per kind, in the brief's order."""

    findings: tuple = ()
    statistics: tuple = ()
    quotes: tuple = ()
    recommendations: tuple = ()


def select(dataset: Dataset, selection: Selection) -> Selected:
    """The records each rule picks from the dataset."""
    theme_order = [t.id for t in dataset.records("themes")]
    picked = {}
    for kind in SELECTABLE:
        rule = getattr(selection, kind)
        merge = kind == "recommendations"
        picked[kind] = tuple(pick(dataset.records(kind), rule, theme_order, merge)) if rule else ()
    return Selected(**picked)


def pick(records: list[Any], rule: Rule, theme_order: list[str], merge: bool = False) -> list[Any]:
    """One rule applied to one kind's records (in dataset order); ``merge`` joins the records
    that make the same call (``same-as``) before the limit counts them."""
    by_id = {r.id: r for r in records}
    included = [by_id[i] for i in dict.fromkeys(rule.include) if i in by_id]
    include_only = rule.include and not _filters(rule)
    matching = [] if include_only else [r for r in records if matches(r, rule)]
    chosen = included + [r for r in matching if r.id not in set(rule.include)]
    chosen = [r for r in chosen if r.id not in set(rule.exclude)]
    chosen = ORDERS[rule.order](chosen, rule, theme_order)
    chosen = merge_same(chosen) if merge else chosen
    return chosen[: rule.limit] if rule.limit else chosen


def merge_same(records: list[Any]) -> list[Any]:
    """Each group of records linked by ``same-as`` (either way, or through another) as one.

    The group's first record keeps its place and its words (a recommendation is quoted, so
    its text is never blended); it gains the others' evidence, addressees and themes, so it
    is grouped under each addressee once and cites every source that makes it.
    """
    group = _same_groups(records)
    merged: dict[int, list[Any]] = {}
    for record in records:
        merged.setdefault(group[record.id], []).append(record)
    return [_joined(merged[key]) for key in dict.fromkeys(group[r.id] for r in records)]


def _same_groups(records: list[Any]) -> dict[str, int]:
    """A group number per record id: records linked, directly or not, share one."""
    ids = [r.id for r in records]
    parent = {i: i for i in ids}

    def root(i: str) -> str:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for record in records:
        for other in getattr(record, "same_as", ()):
            if other in parent:
                parent[root(other)] = root(record.id)
    roots = {}
    return {i: roots.setdefault(root(i), len(roots)) for i in ids}


def _joined(records: list[Any]) -> Any:
    first = records[0]
    if len(records) == 1:
        return first
    return first.model_copy(update={
        "evidence": _union(r.evidence for r in records),
        "addressees": _union(r.addressees for r in records),
        "themes": _union(r.themes for r in records),
        "same_as": [r.id for r in records[1:]],
    })


def _union(lists) -> list[Any]:
    return list(dict.fromkeys(item for items in lists for item in items))


def _filters(rule: Rule) -> bool:
    """Whether the rule narrows by content at all (else ``include`` alone is the list)."""
    return bool(rule.themes or rule.addressees or rule.sources or rule.confidence or rule.period)


def matches(record: Any, rule: Rule) -> bool:
    """A record satisfies every key the rule sets. A recommendation's lead-in (text that asks
    nothing) is never matched by a filter: a brief names it under ``include`` or not at all."""
    if getattr(record, "lead_in", False):
        return False
    return all(test(record, rule) for test in TESTS)


def _themes(record: Any, rule: Rule) -> bool:
    return not rule.themes or bool(set(record.themes) & set(rule.themes))


def _addressees(record: Any, rule: Rule) -> bool:
    return not rule.addressees or bool(set(getattr(record, "addressees", ())) & set(rule.addressees))


def _sources(record: Any, rule: Rule) -> bool:
    return not rule.sources or any(e.source in rule.sources for e in record.evidence)


def _confidence(record: Any, rule: Rule) -> bool:
    return not rule.confidence or getattr(record, "confidence", None) in rule.confidence


def _period(record: Any, rule: Rule) -> bool:
    """A record's period overlaps the rule's span; a record with no period never matches one."""
    if rule.period is None:
        return True
    if record.period is None:
        return False
    start, end = period_bounds(record.period)
    return _overlaps(start, end, rule.period)


TESTS = (_themes, _addressees, _sources, _confidence, _period)


def period_bounds(period: str) -> tuple[str, str]:
    """The first and last day a period covers, as ISO strings that sort as dates."""
    start, _, end = period.partition("/")
    return _first_day(start), _last_day(end or start)


def _first_day(date: str) -> str:
    return (date + "-01-01")[:10] if len(date) == 4 else (date + "-01")[:10]


def _last_day(date: str) -> str:
    # '-31' sorts after every real day of the month, which is all a comparison needs.
    return (date + "-12-31")[:10] if len(date) == 4 else (date + "-31")[:10]


def _overlaps(start: str, end: str, span: Span) -> bool:
    after_start = span.from_ is None or end >= _first_day(span.from_)
    before_end = span.to is None or start <= _last_day(span.to)
    return after_start and before_end


# --- orders -------------------------------------------------------------------------------

def _as_listed(records: list[Any], rule: Rule, theme_order: list[str]) -> list[Any]:
    return records


def _by_date(records: list[Any], rule: Rule, theme_order: list[str]) -> list[Any]:
    """Oldest first by period start; records without a period last, in their order."""
    def key(record: Any) -> tuple:
        period = record.period
        return (period is None, period_bounds(period)[0] if period else "")
    return sorted(records, key=key)


def _by_theme(records: list[Any], rule: Rule, theme_order: list[str]) -> list[Any]:
    """Grouped by the first of their themes the rule names (else the vocabulary's order)."""
    order = list(rule.themes) + [t for t in theme_order if t not in rule.themes]
    rank = {theme: i for i, theme in enumerate(order)}
    return sorted(records, key=lambda r: min((rank.get(t, len(rank)) for t in r.themes)))


ORDERS = {"as-listed": _as_listed, "date": _by_date, "theme": _by_theme}
