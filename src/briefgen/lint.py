"""Lint, after compose: what reads wrong in a document though every record in it is right.

Each check takes the brief, the dataset and the selection and returns warnings (errors under
``--strict``) located where the author can fix them. The checks are a list, as validate's are.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .brief import FREE_TEXT, LoadedBrief
from .dataset import Dataset
from .errors import Location, Problem, display_path
from .load import locate
from .select import Selected


def check_overlapping_recommendations(loaded: LoadedBrief, dataset: Dataset,
                                      selected: Selected, printed: list) -> list[Problem]:
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


def check_records_printed_once(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
                               printed: list) -> list[Problem]:
    """A document prints each record's text once: a template that shows the first findings
    as a summary and then every finding again says the same thing twice."""
    problems, seen = [], set()
    for value in printed:
        if value.record in seen:
            problems.append(Problem(_template_loc(loaded), (
                f"the document prints {value.origin.what} twice; expected each record once, "
                f"got it again (the template prints it, brief {display_path(loaded.path)})"), "warning"))
        seen.add(value.record)
    return problems


def _template_loc(loaded: LoadedBrief) -> Location:
    return Location(display_path(loaded.template_dir / "content.md.j2"))


# --- the brief's own text restating a record ----------------------------------------------

# Words that say nothing of what a sentence is about.
STOPWORDS = frozenset("""a an and are as at be been by for from had has have in into is it its
    of on or that the their there these this those to was were which who with than then not no
    also more most some any all such other""".split())
STEM = 5                  # characters of a word compared: "punished" and "punishment" agree
RESTATES = 0.6            # share of the shorter text's content words the other has too
MIN_SHARED = 6            # and at least this many of them: short sentences share words by chance
_CITATION = re.compile(r"\[[^\]]*@[^\]]*\]")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"‘])")


def content_words(text: str) -> set[str]:
    """A text's content words, cut to their first letters so inflections agree."""
    words = re.findall(r"[A-Za-z][A-Za-z'’-]+|\d[\d,.]*", text.lower())
    return {w[:STEM] for w in words if w not in STOPWORDS}


def restates(sentence: str, record_text: str) -> bool:
    """Whether a sentence says what a record says, by the overlap coefficient of their
    content words: shared words over the words of the shorter. A restatement keeps most of the
    record's nouns, names and figures in another order and with other small words, which a
    character comparison (difflib's ratio) misses and this measure does not mind; a sentence
    that only touches the same subject shares a few words, below the threshold."""
    ours, theirs = content_words(sentence), content_words(record_text)
    shared = ours & theirs
    return len(shared) >= MIN_SHARED and len(shared) / min(len(ours), len(theirs)) >= RESTATES


def check_brief_text_restating_records(loaded: LoadedBrief, dataset: Dataset,
                                       selected: Selected, printed: list) -> list[Problem]:
    """A sentence of the brief's own text (introduction, summary, ...) that says again what a
    selected record says: the document would print the same point twice."""
    records = [r for kind in ("findings", "quotes", "recommendations")
               for r in getattr(selected, kind)]
    problems = []
    for key, index, text in _free_texts(loaded):
        where = (key,) if index is None else (key, index)
        for sentence in _SENTENCE.split(_CITATION.sub("", text)):
            for record in records:
                if restates(sentence, record.text):
                    problems.append(Problem(loaded.loc(*where), (
                        f"the brief's {key!r} restates {record.id!r} "
                        f"({dataset.by_id[record.id].loc}), which the document prints too; "
                        f"expected each point once, got \"{' '.join(sentence.split())[:80]}\""),
                        "warning"))
    return problems


def _free_texts(loaded: LoadedBrief):
    for key in FREE_TEXT:
        value = getattr(loaded.brief, key)
        if isinstance(value, list):
            yield from ((key, i, text) for i, text in enumerate(value) if text)
        elif value:
            yield key, None, value


CHECKS: list[Callable[[LoadedBrief, Dataset, Selected, list], list[Problem]]] = [
    check_overlapping_recommendations,
    check_records_printed_once,
    check_brief_text_restating_records,
]


def lint(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
         printed: list = ()) -> list[Problem]:
    """Every check's warnings; ``printed`` is the record texts the template printed."""
    problems: list[Problem] = []
    for check in CHECKS:
        problems += check(loaded, dataset, selected, list(printed))
    return problems
