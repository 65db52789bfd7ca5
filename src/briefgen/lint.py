"""Lint, after compose: what reads wrong in a document though every record in it is right.

Each check takes the brief, the dataset and the selection and returns warnings (errors under
``--strict``) located where the author can fix them. The checks are a list, as validate's are.
"""

from __future__ import annotations

from collections.abc import Callable

from .brief import LoadedBrief
from .dataset import Dataset
from .errors import Problem
from .load import locate
from .select import Selected


def check_overlapping_recommendations(loaded: LoadedBrief, dataset: Dataset,
                                      selected: Selected) -> list[Problem]:
    """Two recommendations marked ``overlaps`` (one asks in part for what the other does, as
    CSW's two calls naming the same three missionaries, spelt two ways) are not printed one
    after the other unremarked: the brief picks one."""
    printed = {r.id for r in selected.recommendations}
    for record in selected.recommendations:     # a merged record's same-as ids print too
        printed.update(getattr(record, "same_as", ()))
    problems, seen = [], set()
    for record in selected.recommendations:
        for other in record.overlaps:
            pair = frozenset((record.id, other))
            if other in printed and pair not in seen:
                seen.add(pair)
                where = locate(dataset.by_id[record.id].tree, ("overlaps",))
                problems.append(Problem(loaded.loc("select", "recommendations"), (
                    f"brief prints recommendations {record.id!r} and {other!r}, which overlap "
                    f"(marked at {where}); expected one of them, got both (exclude the other)"),
                    "warning"))
    return problems


CHECKS: list[Callable[[LoadedBrief, Dataset, Selected], list[Problem]]] = [
    check_overlapping_recommendations,
]


def lint(loaded: LoadedBrief, dataset: Dataset, selected: Selected) -> list[Problem]:
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(loaded, dataset, selected)
    return problems
