"""Stage 2, validate: the checks across records that no single record's schema can make.

The checks are a list the dataset loader walks, so a new one is one function and one line.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

from .dataset import KIND_BY_NAME, KINDS, Dataset, Entry, read_dataset, references, tree_id
from .errors import Problem, ValidationError
from .load import locate, no_cycle_collection
from .schema import did_you_mean

# Which kind a reference at a key must name, read off the schema (``dataset.ref``).
REFERENCES: dict[str, list[tuple[tuple, str]]] = {k.name: references(k.model) for k in KINDS}

PERCENT_TOLERANCE = 1.0


def check_unique_ids(dataset: Dataset) -> list[Problem]:
    """Ids are unique across the whole dataset; a repeat names both places."""
    problems = []
    for entries in dataset.entries.values():
        for entry in entries:
            record_id = tree_id(entry)
            first = dataset.by_id.get(record_id, entry)
            if first is not entry:
                problems.append(Problem(
                    locate(entry.tree, ("id",)),
                    f"duplicate id {record_id!r}; expected each id once across the dataset, "
                    f"got it again (first at {locate(first.tree, ('id',))})",
                ))
    return problems




def _walk(tree: object, path: tuple, done: tuple = ()) -> Iterator[tuple[tuple, object]]:
    """Every (path, value) in a loaded tree matching a key path with '*' wildcards."""
    if not path:
        yield done, tree
        return
    step, rest = path[0], path[1:]
    if step == "*" and isinstance(tree, list):
        for i, item in enumerate(tree):
            yield from _walk(item, rest, done + (i,))
    elif isinstance(tree, dict) and step in tree:
        yield from _walk(tree[step], rest, done + (step,))


def check_references(dataset: Dataset) -> list[Problem]:
    """Every id a record names exists, and is of the kind the key expects.

    References to a kind with an unreadable file are not checked: that file's problem is
    reported already, and every id it holds would otherwise be one more line.
    """
    ids_by_kind = {kind: {tree_id(e) for e in entries} - {None}
                   for kind, entries in dataset.entries.items()}
    problems = []
    for kind, entries in dataset.entries.items():
        for path, target in REFERENCES.get(kind, []):
            if target in dataset.unreadable:
                continue
            known = ids_by_kind.get(target, set())
            for entry in entries:
                if not all(type(v) is not str or v in known for v in _values(entry.tree, path)):
                    problems += _dangling(entry, path, target, known, dataset)
    return problems


def _values(tree: object, path: tuple) -> list:
    """The values at a key path with '*' wildcards, without their places: the quick pass over
    every record (``_walk`` finds the places, for a record with a problem)."""
    found = [tree]
    for step in path:
        if step == "*":
            found = [item for node in found if isinstance(node, list) for item in node]
        else:
            found = [node[step] for node in found if isinstance(node, dict) and step in node]
        if not found:
            break
    return found


def _dangling(entry: Entry, path: tuple, target: str, known: set[str], dataset: Dataset) -> list[Problem]:
    problems = []
    for where, value in _walk(entry.tree, path):
        if isinstance(value, str) and value not in known:
            problems.append(Problem(locate(entry.tree, where),
                                    _dangling_message(value, target, known, dataset)))
    return problems


def _dangling_message(value: str, target: str, known: set[str], dataset: Dataset) -> str:
    singular = KIND_BY_NAME[target].singular
    other = dataset.by_id.get(value)
    if other is not None:
        return (f"wrong kind of reference; expected the id of a {singular}, "
                f"got the {other.kind.singular} {value!r}")
    return unknown_id_message(value, target, known)


def unknown_id_message(value: str, target: str, known: set[str]) -> str:
    """An id that names nothing of its kind: a did-you-mean hint, else how many there are."""
    singular = KIND_BY_NAME[target].singular
    hint = did_you_mean(value, sorted(known))
    if hint:
        return f"unknown {singular} {value!r}{hint}"
    return f"unknown {singular} {value!r}; expected the id of one of the {len(known)} {target}"


def check_percentages(dataset: Dataset) -> list[Problem]:
    """A statistic in percent sums to 100 (plus or minus 1), or says why not."""
    problems = []
    for entry in dataset.entries.get("statistics", []):
        stat = entry.record
        if stat is None or stat.unit != "percent" or stat.sum_note:
            continue
        total = sum(v.value for v in stat.values)
        if abs(total - 100) > PERCENT_TOLERANCE:
            problems.append(Problem(
                locate(entry.tree, ("values",)),
                f"percentages of {stat.id!r} do not add up; expected 100 (plus or minus 1) "
                f"or a 'sum-note' saying why, got {total:g}",
            ))
    return problems


def normalise_text(text: str) -> str:
    """Text compared for sameness: case, spacing, quote marks and end punctuation ignored."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[\u2018\u2019\u201c\u201d'\"`]", "", text)
    text = re.sub(r"\s+", " ", text)
    return text.strip().rstrip(".;,: ")


def check_duplicate_recommendations(dataset: Dataset) -> list[Problem]:
    """No two recommendations to the same addressee say the same thing."""
    seen: dict[tuple[str, str], Entry] = {}
    problems = []
    for entry in dataset.entries.get("recommendations", []):
        if entry.record is None:
            continue
        text = normalise_text(entry.record.text)
        for addressee in entry.record.addressees:
            first = seen.setdefault((addressee, text), entry)
            if first is entry:
                continue
            problems.append(Problem(
                locate(entry.tree, ("text",)),
                f"recommendation {entry.record.id!r} repeats {first.record.id!r} "
                f"(at {locate(first.tree, ('text',))}) to the same addressee {addressee!r}; "
                f"expected it stored once with one evidence entry per place it is made",
            ))
    return problems


def check_unique_names(dataset: Dataset) -> list[Problem]:
    """An abbreviation's short form, and a protected name, is listed once; a repeat names
    both places."""
    problems = []
    for kind, key in (("abbreviations", "short"), ("names", "name")):
        seen: dict[str, Entry] = {}
        for entry in dataset.entries.get(kind, []):
            value = entry.tree.get(key) if isinstance(entry.tree, dict) else None
            if not isinstance(value, str):
                continue
            first = seen.setdefault(value, entry)
            if first is not entry:
                problems.append(Problem(
                    locate(entry.tree, (key,)),
                    f"duplicate {KIND_BY_NAME[kind].singular} {value!r}; expected each once, "
                    f"got it again (first at {locate(first.tree, (key,))})"))
    return problems


# The order the checks run in. Ids come first: the others look records up by id.
CHECKS: list[Callable[[Dataset], list[Problem]]] = [
    check_unique_ids,
    check_references,
    check_percentages,
    check_duplicate_recommendations,
    check_unique_names,
]


def cross_check(dataset: Dataset) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(dataset)
    return problems


# --- the stage -------------------------------------------------------------------------------

def load_dataset(root: Path) -> Dataset:
    """Load and validate a data folder; raise ValidationError listing every problem."""
    with no_cycle_collection():
        dataset, problems = read_dataset(root)
        if dataset is not None:
            problems += cross_check(dataset)
    if problems:
        raise ValidationError(problems)
    return dataset
