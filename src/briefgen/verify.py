"""``briefgen verify``: the evidence checked against its sources' own texts.

A source may name its full text (``text:`` a ``.txt`` or ``.pdf`` file, found in the texts
folder: ``--texts``, else ``$BRIEFGEN_TEXTS``, else ``../shared/seeds`` beside the project).
Against that text, every record that cites the source is checked:

- each quotation and recommendation must stand there word for word;
- each figure of a finding or statistic must stand there;
- where the text has pages (a PDF, or form feeds in a text file), a ``page`` pinpoint must be
  the page the words stand on;
- in a brief's own prose (introduction, summary, questions...), each quoted phrase and each
  figure of a sentence must stand in a text that sentence cites.

Texts are compared after one stated normalisation (``normalise``): curly quotes and
apostrophes as straight ones, dashes as hyphens, a word hyphenated across a line break
joined, footnote marks (superscript digits) and emphasis asterisks dropped, every run of
white space one space; and up to two page breaks (running heads, footnotes) may interrupt a
quotation, as extracted texts put them there.

A problem names the record's file and line, with the nearest passage the text holds and its
page. A cited source with no text is listed as unverified, never passed over in silence;
``--strict`` makes that an error.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from .brief import FREE_TEXT, LoadedBrief
from .dataset import Dataset
from . import paths
from .errors import BriefgenError, Location, Problem, display_path
from .load import locate

BREAKS = 2                  # page breaks a quotation may be interrupted by
MIN_RUN = 40                # characters of a quotation that must stand before a break
SHOWN = 160                 # characters of the nearest passage shown in a problem
DEFAULT_TEXTS = Path("..") / "shared" / "seeds"


class VerifyError(BriefgenError):
    """The evidence does not stand in its sources' texts."""


# --- the texts ---------------------------------------------------------------------------------

SUPERSCRIPTS = str.maketrans("", "", "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079")
TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
                            "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2032": "'",
                            "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                            "\u2014": "-", "\u2212": "-", "\u00a0": " ", "\u202f": " ",
                            "*": None, "\u00ad": None})
HYPHENATED = re.compile(r"(?<=[a-z])-[ \t]*\n[ \t]*(?=[a-z])")


def normalise(text: str) -> str:
    """The text as verify compares it (the normalisation the module docstring states)."""
    text = HYPHENATED.sub("", text)
    text = text.translate(SUPERSCRIPTS).translate(TYPOGRAPHY)
    return " ".join(text.split())


@dataclass(frozen=True)
class SourceText:
    """A source's full text, normalised, with where each of its pages starts."""

    source: str
    path: Path
    text: str
    page_starts: tuple[int, ...] = ()       # offsets; empty when the text has no pages

    @cached_property
    def digits(self) -> str:
        """The text with its numbers as digits (``as_digits``), made once for every figure."""
        return as_digits(self.text)

    def page_at(self, offset: int) -> int | None:
        if not self.page_starts:
            return None
        return sum(1 for start in self.page_starts if start <= offset)


def read_text(source: str, path: Path) -> SourceText:
    """A .txt (UTF-8; form feeds separate pages) or a .pdf (its text through pdftotext)."""
    raw = _pdf_text(path) if path.suffix.lower() == ".pdf" else path.read_text(encoding="utf-8")
    pages = [normalise(page) for page in raw.split("\f")]
    if len(pages) == 1:
        return SourceText(source, path, pages[0])
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 1
    return SourceText(source, path, " ".join(pages), tuple(starts))


def _pdf_text(path: Path) -> str:
    """poppler's pdftotext keeps the page breaks (form feeds) that pinpoints need."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise VerifyError([Problem(Location(display_path(path)),
                                   "cannot read a PDF's text; expected pdftotext (Debian: "
                                   "poppler-utils), got none installed")])
    done = subprocess.run([tool, "-enc", "UTF-8", str(path), "-"], capture_output=True)
    if done.returncode != 0:
        raise VerifyError([Problem(Location(display_path(path)),
                                   f"cannot read this PDF's text; expected a PDF, got "
                                   f"{done.stderr.decode(errors='replace').strip()[:120]}")])
    return done.stdout.decode("utf-8", errors="replace")


# --- finding words in a text ------------------------------------------------------------------

def find_verbatim(words: str, text: str, breaks: int = BREAKS) -> int | None:
    """Where the normalised ``words`` stand in ``text``, allowing up to ``breaks`` page
    breaks inside them (each after a run of at least MIN_RUN characters); else None."""
    words, start, first = words.rstrip(".;: "), 0, None
    for _ in range(breaks + 1):
        found = text.find(words, start)
        if found >= 0:
            return found if first is None else first
        cut, where = _longest_prefix(words, text, start)
        if cut < MIN_RUN:
            return None
        first = where - cut if first is None else first
        words, start = words[cut:].lstrip(), where
    return None


def _longest_prefix(words: str, text: str, start: int) -> tuple[int, int]:
    """How much of the start of ``words`` stands (at whole words) in ``text`` after ``start``,
    and where that run ends."""
    best, where = 0, start
    for end in (m.start() for m in re.finditer(" ", words)):
        found = text.find(words[:end], start)
        if found < 0:
            break
        best, where = end, found + end
    return best, where


def nearest(words: str, text: SourceText) -> str:
    """The passage of ``text`` most like ``words``, and its page, for a problem message.

    rapidfuzz's partial alignment finds the best-matching window of the text."""
    from rapidfuzz import fuzz

    alignment = fuzz.partial_ratio_alignment(words[:400], text.text)
    if alignment is None or alignment.score < 50:
        return "no passage like it"
    start, end = _word_bounds(text.text, alignment.dest_start, alignment.dest_end)
    passage = text.text[start:end]
    if len(passage) > SHOWN:
        passage = passage[:SHOWN].rsplit(" ", 1)[0] + " …"
    page = text.page_at(start)
    where = f" (page {page})" if page else ""
    return f"nearest passage{where}: \"{passage}\""


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The window widened to whole words, without the spaces at its ends."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --- figures -----------------------------------------------------------------------------------

UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER_WORD = re.compile(r"\b(?:(%s)(?:-(%s))?|(%s))\b" % (
    "|".join(TENS), "|".join(UNITS[1:10]), "|".join(UNITS)), re.IGNORECASE)
# Numbers written as other words: multiplicatives and ordinals ('twice', 'fourth', '14th').
OTHER_NUMBERS = {"once": 1, "twice": 2, "thrice": 3, "first": 1, "second": 2, "third": 3,
                 "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8, "ninth": 9,
                 "tenth": 10, "eleventh": 11, "twelfth": 12}
OTHER_WORD = re.compile(r"\b(%s)\b" % "|".join(OTHER_NUMBERS), re.IGNORECASE)
ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
FIGURE = re.compile(r"\d[\d,.]*\d|\d")


def as_digits(text: str) -> str:
    """Numbers as digits without thousands separators: 'Thirty-nine of 2,706' -> '39 of 2706',
    'twice' -> '2', 'the fourth' and 'the 4th' -> 'the 4'."""
    def word(m: re.Match) -> str:
        if m.group(3):
            return str(UNITS.index(m.group(3).lower()))
        tens = 20 + 10 * TENS.index(m.group(1).lower())
        return str(tens + (UNITS.index(m.group(2).lower()) if m.group(2) else 0))
    text = OTHER_WORD.sub(lambda m: str(OTHER_NUMBERS[m.group(1).lower()]), text)
    text = ORDINAL_SUFFIX.sub("", NUMBER_WORD.sub(word, text))
    return re.sub(r"(?<=\d),(?=\d{3})", "", text)


def figures(text: str) -> list[str]:
    return [n.rstrip(".,") for n in FIGURE.findall(as_digits(normalise(text)))]


def _figure_in(number: str, digits: str) -> bool:
    """The number stands in the text as a number of its own (not inside a longer one)."""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?![\d]|\.\d)", digits) is not None


# --- the checks --------------------------------------------------------------------------------

@dataclass
class Report:
    """What verify found: problems, and how much it could and could not check."""

    problems: list[Problem] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)     # what -> how many
    unverified: dict[str, int] = field(default_factory=dict)  # source -> records citing it
    texts: dict[str, SourceText] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.checked[what] = self.checked.get(what, 0) + 1


def load_texts(dataset: Dataset, folder: Path) -> tuple[dict[str, SourceText], list[Problem]]:
    """Every source's text that can be read; a ``text:`` whose file is missing is a warning."""
    texts, problems = {}, []
    for entry in dataset.entries.get("sources", []):
        source = entry.record
        if source is None or source.text is None:
            continue
        path = folder / source.text
        where = locate(entry.tree, ("text",)) or entry.loc
        refused = paths.problem(path, where)      # the data names it: inside the texts folder
        if refused:
            problems.append(refused)
        elif path.is_file():
            texts[source.id] = read_text(source.id, path)
        else:
            problems.append(Problem(where, f"no text file {display_path(path)}; expected the "
                                           f"source's full text there, got nothing (its records "
                                           f"are unverified)", "warning"))
    return texts, problems


def verify(dataset: Dataset, briefs: list[LoadedBrief], folder: Path) -> Report:
    report = Report()
    report.texts, report.problems = load_texts(dataset, folder)
    for kind in ("quotes", "recommendations", "findings", "statistics"):
        for entry in dataset.entries.get(kind, []):
            if entry.record is not None:
                _check_record(report, kind, entry)
    for loaded in briefs:
        _check_brief(report, loaded)
    return report


def _cited_texts(report: Report, evidence: Iterable[Any]) -> list[tuple[Any, SourceText]]:
    found = []
    for item in evidence:
        if item.source in report.texts:
            found.append((item, report.texts[item.source]))
        else:
            report.unverified[item.source] = report.unverified.get(item.source, 0) + 1
    return found


def _check_record(report: Report, kind: str, entry: Any) -> None:
    record = entry.record
    cited = _cited_texts(report, record.evidence)
    if not cited:
        return
    if kind in ("quotes", "recommendations"):
        _check_words(report, kind, record.text, cited, locate(entry.tree, ("text",)), entry)
    elif kind == "findings":
        where = locate(entry.tree, ("text",))
        _check_figures(report, figures(record.text), cited, where, kind)
        _check_quoted_phrases(report, normalise(record.text), cited, where)
        _check_own_words(report, record.text, cited, where)
    else:
        _check_figures(report, figures(record.title), cited, locate(entry.tree, ("title",)), kind)
        for index, value in enumerate(record.values):
            where = locate(entry.tree, ("values", index, "value"))
            _check_figures(report, figures(f"{value.label} {value.value:g}"), cited, where, kind)


def _check_words(report: Report, kind: str, words: str, cited: list, where: Location,
                 entry: Any) -> None:
    report.count("quotations" if kind == "quotes" else kind)
    wanted = normalise(words)
    for evidence, text in cited:
        offset = find_verbatim(wanted, text.text)
        if offset is not None:
            _check_page(report, evidence, text, offset, entry)
            return
    singular = "quotation" if kind == "quotes" else "recommendation"
    names = " or ".join(f"{text.source}'s text" for _, text in cited)
    report.problems.append(Problem(where, f"{singular} not found word for word in {names}; "
                                          f"expected the words as printed, got none there "
                                          f"({nearest(wanted, cited[0][1])})"))


def _check_page(report: Report, evidence: Any, text: SourceText, offset: int, entry: Any) -> None:
    page = text.page_at(offset)
    pinpoint = getattr(evidence, "page", None)
    if page is None or pinpoint is None:
        return
    report.count("page pinpoints")
    if str(pinpoint).strip() != str(page):
        index = entry.record.evidence.index(evidence)
        where = locate(entry.tree, ("evidence", index, "page")) or entry.loc
        report.problems.append(Problem(where, f"wrong page; expected page {page}, where the "
                                              f"words stand in {text.source}'s text, got "
                                              f"page {pinpoint}"))


def _check_figures(report: Report, numbers: list[str], cited: list, where: Location,
                   what: str) -> None:
    for number in numbers:
        report.count("figures")
        if not any(_figure_in(number, text.digits) for _, text in cited):
            names = " or ".join(f"{text.source}'s text" for _, text in cited)
            report.problems.append(Problem(where, f"figure {number} of this {what[:-1]} is not "
                                                  f"in {names}; expected the figure as the "
                                                  f"source prints it, got none"))


# Words between quotation marks in the project's own text: straight double quotes (after
# normalise), or single quotes that are not apostrophes.
QUOTED_WORDS = re.compile(r"\"([^\"]{3,})\"|(?<!\w)'(.{3,}?)'(?!\w)")
COPIED_RUN = 12             # words in a row that make a copied sentence, not a shared phrase


def _check_quoted_phrases(report: Report, prose: str, cited: list, where: Location) -> None:
    for found in QUOTED_WORDS.finditer(prose):
        phrase = found.group(1) or found.group(2)
        report.count("quoted phrases")
        if not any(find_verbatim(phrase, text.text) is not None for _, text in cited):
            names = " or ".join(f"{text.source}'s text" for _, text in cited)
            report.problems.append(Problem(where, f"quoted phrase \"{phrase}\" not found word "
                                                  f"for word in {names}; expected the source's "
                                                  f"words, got none there "
                                                  f"({nearest(phrase, cited[0][1])})"))


def copied_run(prose: str, text: str, words: int = COPIED_RUN) -> str | None:
    """A run of ``words`` words of the project's prose, outside its quotation marks and not a
    proper name (mostly capitalised words, like a treaty's title), that stands in ``text``."""
    tokens = QUOTED_WORDS.sub(" | ", normalise(prose)).split()
    for i in range(len(tokens) - words + 1):
        run = tokens[i:i + words]
        capitalised = sum(t[:1].isupper() or t[:1] == "(" for t in run)
        if "|" not in run and capitalised < words / 2 and " ".join(run) in text:
            return " ".join(run)
    return None


def _check_own_words(report: Report, prose: str, cited: list, where: Location) -> None:
    """A finding paraphrases: a sentence of its source copied without quotation marks is a
    problem (the source's words go in quotation marks, as quotations)."""
    report.count("paraphrases")
    for _, text in cited:
        run = copied_run(prose, text.text)
        if run:
            report.problems.append(Problem(where, f"finding copies {text.source}'s words "
                                                  f"outside quotation marks: \"{run}\"; expected "
                                                  f"the project's own words, or the words in "
                                                  f"quotation marks"))
            return


# --- a brief's own prose -----------------------------------------------------------------------

CITATION = re.compile(r"@([A-Za-z0-9][\w.:-]*[\w])")
SENTENCE = re.compile(r"[^.!?]*(?:\[[^\]]*\][^.!?]*)*[.!?]?")
LOCATOR = re.compile(r"\[[^\]]*\]")


def _check_brief(report: Report, loaded: LoadedBrief) -> None:
    for key in FREE_TEXT:
        value = getattr(loaded.brief, key, None)
        items = value if isinstance(value, list) else [value] if value else []
        for index, text in enumerate(items):
            path = (key, index) if isinstance(value, list) else (key,)
            where = locate(loaded.tree, path) or loaded.loc()
            for sentence in SENTENCE.findall(text):
                _check_sentence(report, sentence, where)


def _check_sentence(report: Report, sentence: str, where: Location) -> None:
    keys = CITATION.findall(sentence)
    if not keys:
        return
    cited = [(None, report.texts[k]) for k in keys if k in report.texts]
    for key in keys:
        if key not in report.texts:
            report.unverified[key] = report.unverified.get(key, 0) + 1
    if not cited:
        return
    prose = LOCATOR.sub(" ", normalise(sentence))     # pinpoints are not the source's words
    _check_quoted_phrases(report, prose, cited, where)
    _check_figures(report, figures(QUOTED_WORDS.sub(" ", prose)), cited, where, "briefs")


# --- the folder --------------------------------------------------------------------------------

def texts_folder(given: Path | None, root: Path) -> Path:
    """--texts, else $BRIEFGEN_TEXTS, else ../shared/seeds beside the project root."""
    if given is not None:
        return given
    env = os.environ.get("BRIEFGEN_TEXTS")
    return Path(env) if env else root / DEFAULT_TEXTS
