"""Terminology profiles: an audience's names and spelling, applied to the project's own words.

A profile (``terms/<name>.yaml``, named by ``terminology:`` in an audience's settings) says how
a country is named (the UN writes "the Democratic People's Republic of Korea" where the project
writes "North Korea", and "DPRK" only once that is defined), which words have no safe rewrite
and must be reworded by a person, and a small spelling glossary (-ize or -ise).

It applies to the project's own text only: findings, statistics, labels, the brief's own
Markdown. Verbatim records (quotations, recommendations, source titles) are left exactly as
the source printed them, and so is anything inside quotation marks in any text. What a
profile cannot rewrite is reported by the lint, with the record or file it comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterable

from pydantic import Field

from .errors import Location, Problem, ValidationError, display_path
from .load import load_file
from .schema import Model, Text, validate

PROFILES = Path(__file__).resolve().parent / "terms"


# --- profiles -----------------------------------------------------------------------------

class Name(Model):
    """A name the profile writes its own way: ``find`` becomes ``write``.

    With ``short``, the first use is ``write (short)`` and later ones ``short``; a bare
    ``short`` before that definition is written in full too.
    """

    find: Text
    write: Text
    short: Text | None = None
    article: Text | None = None      # "the": added unless the text already has it


class Flag(Model):
    """Words with no safe automatic rewrite ("North Korean escapees"): the lint names them."""

    find: Text
    advice: Text


class Profile(Model):
    label: Text
    names: list[Name] = []
    flag: list[Flag] = []
    # Word stems and their replacements ("organis": "organiz"), matched with an inflection.
    spelling: dict[str, str] = {}
    labels: Text = Field("label", pattern="^(label|un-label)$")   # which actor label to print


@dataclass(frozen=True)
class _Patterns:
    """A profile's names, flags and spellings as compiled patterns, in the profile's order."""

    names: tuple[re.Pattern, ...]
    flags: tuple[re.Pattern, ...]
    spelling: tuple[re.Pattern, ...]


_COMPILED: dict[int, tuple[Profile, _Patterns]] = {}


def _patterns(profile: Profile) -> _Patterns:
    """Compiled once per profile (a profile is loaded once, ``load_profile``), not once per
    text a document lints: every template and value of every brief goes through them."""
    known = _COMPILED.get(id(profile))
    if known is None or known[0] is not profile:
        known = profile, _Patterns(
            tuple(re.compile(rf"\b{words(n.find)}\b(?![\w])") for n in profile.names),
            tuple(re.compile(rf"\b{words(f.find)}\b") for f in profile.flag),
            tuple(re.compile(rf"\b{re.escape(stem)}(?:{_INFLECTIONS})\b", re.IGNORECASE)
                  for stem in profile.spelling))
        _COMPILED[id(profile)] = known
    return known[1]


@lru_cache(maxsize=None)
def load_profile(name: str) -> Profile:
    path = PROFILES / f"{name}.yaml"
    tree = load_file(path)
    profile, problems = validate(Profile, tree, "profile", Location(display_path(path)))
    if profile is None:
        raise ValidationError(problems)
    return profile


def profile_names() -> list[str]:
    return sorted(p.stem for p in PROFILES.glob("*.yaml"))


# --- where text comes from ----------------------------------------------------------------

@dataclass(frozen=True)
class Origin:
    """Where a piece of text was written, for the lint: the place to fix it, and what it is."""

    loc: Location
    what: str                    # "finding 'famine-1990s'", "the brief's 'introduction'"


class Value(str):
    """A record's text as a template sees it: a string that knows where it came from."""

    origin: Origin
    verbatim: bool
    record: str | None           # the record's id, where this is its text (what it says)

    def __new__(cls, text: str, origin: Origin, verbatim: bool = False,
                record: str | None = None) -> "Value":
        value = super().__new__(cls, text)
        value.origin, value.verbatim, value.record = origin, verbatim, record
        return value


# --- applying a profile -------------------------------------------------------------------

# Text inside quotation marks is somebody's words and is never changed: “…”, ‘…’ (an opening
# ‘ after a space or at the start, so an apostrophe is not a quotation), «…» and "…".
QUOTED = r"“[^”]*”|(?:(?<=\s)|^)‘[^’]*’|«[^»]*»|\"[^\"\n]*\""
# In the brief's own Markdown, also citations, link targets, code and block-quote lines.
MARKDOWN_KEPT = r"\[@[^\]]*\]|\]\([^)]*\)|`[^`]*`|^>.*$"
_QUOTED = re.compile(QUOTED, re.M)
_MARKDOWN_KEPT = re.compile(f"{QUOTED}|{MARKDOWN_KEPT}", re.M)
_SENTENCE_START = re.compile(r"(?:^|[.!?:]\s+|\n\s*)$")
# An article already before a name: "a North Korea Human Rights Foundation" gets no "the".
_ARTICLE_BEFORE = re.compile(r"\b(?:a|an|the|A|An|The)\s+$")
_INFLECTIONS = "e|ed|es|ing|ation|ations|er|ers"


def words(text: str) -> str:
    """A phrase as a pattern whose words may be split by any run of spaces or a line break
    (the brief's Markdown is wrapped: "North\nKorea" is "North Korea")."""
    return r"\s+".join(map(re.escape, text.split()))


@dataclass(frozen=True)
class Abbrev:
    """An abbreviation as one document writes it: its short form and its long form."""

    short: str
    long: str
    also: tuple[str, ...] = ()    # other long forms, as written ("UN Commission of Inquiry")
    article: str | None = None    # written before the long form where no article stands

    @cached_property
    def pattern(self) -> re.Pattern:
        # A long form (perhaps defined by hand, "Commission of Inquiry (COI)", perhaps a
        # possessive), or the short form standing alone (not inside "COI-led" or "XCOI").
        longs = "|".join(words(f) for f in sorted({self.long, *self.also}, key=len, reverse=True))
        return re.compile(rf"\b(?P<long>{longs})(?P<hand>\s*\({re.escape(self.short)}\))?"
                          rf"(?P<poss>['’]s)?(?![\w-])"
                          rf"|(?<![\w-]){re.escape(self.short)}(?P<sposs>['’]s)?(?![\w-])")


def protected_pattern(name: str, abbreviations: Iterable[Abbrev]) -> str:
    """A protected name as a pattern: spaces as any spacing, and an abbreviation's long form
    in it also matching its short form or its definition ("All-Party Parliamentary Group
    (APPG) on North Korea", "APPG on North Korea")."""
    pattern = words(name)
    for abbrev in abbreviations:
        long = words(abbrev.long)
        if long in pattern:
            short = re.escape(abbrev.short)
            pattern = pattern.replace(long, f"(?:{long}(?:\\s*\\({short}\\))?|{short})")
    return pattern


@dataclass
class Terms:
    """One document's pass: the profile, whether the short name is defined yet, the lint."""

    profile: Profile | None
    brief: str = ""                       # the brief's path, named in every lint message
    defined: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    template_origin: Origin = Origin(Location("?"), "the template")   # text a template made
    keep: tuple[str, ...] = ()            # names kept as written (any case): organisations, titles
    protected: tuple[str, ...] = ()       # patterns of protected names (data/names.yaml)
    abbreviations: tuple[Abbrev, ...] = ()
    hand_defined: set[str] = field(default_factory=set)    # by the brief's own text
    bare_uses: dict[str, Origin] = field(default_factory=dict)   # short forms it used first

    # -- the project's own text --

    def own(self, text: str, origin: Origin, *, markdown: bool = False,
            define: bool = True) -> str:
        """``text`` with the profile applied outside quotations; what is left is linted.

        ``define=False`` (titles, headings) writes names in full without defining the short
        form, as a title does not introduce an abbreviation.
        """
        if not text:
            return text
        if markdown:
            self._lint_hand_definitions(text, origin)
        text = self._outside(_MARKDOWN_KEPT if markdown else _QUOTED, text,
                             lambda part, before: self._abbreviate(part, define))
        if self.profile is None:
            return text
        kept = self._kept[markdown]
        result = self._outside(kept, text,
                               lambda part, before: self._rewrite(part, before, define, origin))
        self._lint(result, origin, kept)
        return result

    @staticmethod
    def _outside(kept: re.Pattern, text: str, rewrite) -> str:
        """``text`` with ``rewrite(part, text before it)`` applied to each part outside what
        ``kept`` matches, in reading order."""
        out, last = [], 0
        for span in kept.finditer(text):
            out.append(rewrite(text[last:span.start()], "".join(out)))
            out.append(span.group(0))
            last = span.end()
        out.append(rewrite(text[last:], "".join(out)))
        return "".join(out)

    def verbatim(self, text: str) -> None:
        """A quotation the reader has read: an abbreviation it defines ("the UN Commission of
        Inquiry (COI)") is defined for the rest of the document."""
        for abbrev in self.abbreviations:
            for match in abbrev.pattern.finditer(text):
                if match.group("hand"):
                    self.defined.add(abbrev.short)

    # -- abbreviations --

    def _abbreviate(self, part: str, define: bool) -> str:
        """Each abbreviation defined at its first use in the document and short after it,
        whatever the text wrote (the long form, the short form, or a definition by hand). A
        possessive is written in full until the abbreviation is defined ("the Commission of
        Inquiry's report"), as "(COI)'s" reads badly. Titles (``define=False``) are left."""
        if not define:
            return part
        for abbrev in self.abbreviations:
            part = abbrev.pattern.sub(lambda m, a=abbrev: self._one_abbreviation(m, a), part)
        return part

    def _one_abbreviation(self, match: re.Match, abbrev: Abbrev) -> str:
        possessive = match.group("poss") or match.group("sposs") or ""
        if abbrev.short in self.defined:
            return abbrev.short + possessive
        written = match.group("long") or abbrev.long
        before = match.string[:match.start()]
        if abbrev.article and not _ARTICLE_BEFORE.search(before):
            start = _SENTENCE_START.search(before)
            written = f"{abbrev.article.capitalize() if start else abbrev.article} {written}"
        if possessive:
            return written + possessive
        self.defined.add(abbrev.short)
        return f"{written} ({abbrev.short})"

    def _lint_hand_definitions(self, text: str, origin: Origin) -> None:
        """The brief's own text: an abbreviation it defines by hand twice, or uses before the
        definition it gives later, is reported (the document prints it right either way, but
        the brief does not say what it prints)."""
        own = _MARKDOWN_KEPT.sub(lambda m: " " * len(m.group(0)), text)
        for abbrev in self.abbreviations:
            for match in abbrev.pattern.finditer(own):
                if match.group("hand"):
                    self._hand_definition(abbrev, origin, own, match)
                elif not match.group("long") and abbrev.short not in self.hand_defined:
                    self.bare_uses.setdefault(abbrev.short, origin)

    def _hand_definition(self, abbrev: Abbrev, origin: Origin, text: str, match: re.Match) -> None:
        if abbrev.short in self.hand_defined:
            self.problems.append(self._abbrev_problem(
                origin, f"defines {abbrev.short!r} again; expected one definition per "
                f"document (briefgen defines it at its first use)", text, match.start()))
        elif abbrev.short in self.bare_uses:
            first = self.bare_uses[abbrev.short]
            self.problems.append(Problem(first.loc, (
                f"abbreviation (brief {self.brief}): {first.what} uses {abbrev.short!r} before "
                f"{origin.what} defines it; expected the definition at the first use "
                f"(briefgen prints it there)"), "warning"))
        self.hand_defined.add(abbrev.short)

    def _abbrev_problem(self, origin: Origin, what: str, text: str, at: int) -> Problem:
        around = " ".join(text[max(0, at - 30): at + 60].split())
        return Problem(origin.loc, f"abbreviation (brief {self.brief}): {origin.what} {what}, "
                                   f"got \"…{around}…\"", "warning")

    @cached_property
    def _kept(self) -> dict[bool, re.Pattern]:
        """What is never changed, for plain text (False) and the brief's Markdown (True): the
        kept names first, compiled once per document rather than once per value."""
        patterns = [words(k) for k in sorted(set(self.keep), key=len, reverse=True)]
        patterns += sorted(set(self.protected), key=len, reverse=True)
        if not patterns:
            return {False: _QUOTED, True: _MARKDOWN_KEPT}
        names = "|".join(patterns)
        return {markdown: re.compile(f"(?i:{names})|{kept.pattern}", re.M)
                for markdown, kept in ((False, _QUOTED), (True, _MARKDOWN_KEPT))}

    @cached_property
    def _spelling(self) -> tuple[re.Pattern, dict[str, str]] | None:
        """Every glossary stem in one pattern, followed by one of its inflections, and what
        each stem (lower case) becomes."""
        stems = sorted(self.profile.spelling, key=len, reverse=True)
        if not stems:
            return None
        pattern = re.compile(rf"\b({'|'.join(map(re.escape, stems))})(?=(?:{_INFLECTIONS})\b)",
                             re.IGNORECASE)
        return pattern, {stem.lower(): new for stem, new in self.profile.spelling.items()}

    def _rewrite(self, part: str, before: str, define: bool, origin: Origin) -> str:
        for name in self.profile.names:
            part = self._names(part, before, name, define)
            part = self._compounds(part, name, origin)
        if self._spelling is not None:
            pattern, spelling = self._spelling
            part = pattern.sub(lambda m: _same_case(m.group(1), spelling[m.group(1).lower()]),
                               part)
        return part

    def _names(self, part: str, before: str, name: Name, define: bool) -> str:
        forms = [words(name.find)] + ([re.escape(name.short)] if name.short else [])
        pattern = re.compile(rf"(?:\b(the|The)\s+)?\b(?:{'|'.join(forms)})\b(?![-\w])"
                             r"(['’]s)?")

        def one(match: re.Match) -> str:
            article, possessive = match.group(1), match.group(2) or ""
            if name.short and define and name.short in self.defined:
                written = name.short
            elif name.short and define and not possessive:
                self.defined.add(name.short)
                written = f"{name.write} ({name.short})"
            else:
                written = name.write
            preceding = before + part[:match.start()]
            if name.article and not article and not _ARTICLE_BEFORE.search(preceding):
                start = _SENTENCE_START.search(preceding)
                article = name.article.capitalize() if start else name.article
            return f"{article} {written}{possessive}" if article else written + possessive

        return pattern.sub(one, part)

    def _compounds(self, part: str, name: Name, origin: Origin) -> str:
        """A name in a hyphenated compound ("North Korea-specific"): the short form once it is
        defined ("DPRK-specific"); before that, no rewrite reads well, so it is reported."""
        pattern = re.compile(rf"\b{words(name.find)}(?=-\w)")

        def one(match: re.Match) -> str:
            if name.short and name.short in self.defined:
                return name.short
            self.problems.append(self._problem(origin, match.group(0) + "-", (
                f'wording without the compound, or "{name.short or name.write}" once defined'),
                part, match.start()))
            return match.group(0)

        return pattern.sub(one, part)

    # -- the lint --

    def _lint(self, text: str, origin: Origin, kept: re.Pattern) -> None:
        own = kept.sub(lambda m: " " * len(m.group(0)), text)
        for flag, pattern in zip(self.profile.flag, _patterns(self.profile).flags):
            for match in pattern.finditer(own):
                self.problems.append(self._problem(origin, flag.find, flag.advice, text,
                                                   match.start()))

    def check_literal(self, source: str, path: Path) -> None:
        """A template's own words (outside its ``{{ }}``, ``{% %}`` and ``{# #}``): what
        the profile would change, or flags, is reported at its line and column, since a
        template's text is the audience's and is printed as written."""
        if self.profile is None:
            return
        for offset, literal in _literal_parts(source):
            own = _QUOTED.sub(lambda m: " " * len(m.group(0)), literal)
            for start, found, advice in self._violations(own):
                line = source.count("\n", 0, offset + start) + 1
                col = offset + start - (source.rfind("\n", 0, offset + start) + 1) + 1
                origin = Origin(Location(display_path(path), line, col), "the template")
                self.problems.append(self._problem(origin, found, advice, literal, start))

    def _violations(self, own: str) -> Iterable[tuple[int, str, str]]:
        patterns = _patterns(self.profile)
        for name, pattern in zip(self.profile.names, patterns.names):
            for match in pattern.finditer(own):
                yield match.start(), match.group(0), f'write "{name.write}"'
        for flag, pattern in zip(self.profile.flag, patterns.flags):
            for match in pattern.finditer(own):
                yield match.start(), match.group(0), flag.advice
        for (stem, new), pattern in zip(self.profile.spelling.items(), patterns.spelling):
            for match in pattern.finditer(own):
                word = match.group(0)
                yield match.start(), word, f'write "{_same_case(word[:len(stem)], new)}{word[len(stem):]}"'

    def _problem(self, origin: Origin, found: str, advice: str, text: str, at: int) -> Problem:
        around = " ".join(text[max(0, at - 30): at + len(found) + 30].split())
        return Problem(origin.loc,
                       f"{self.profile.label} (brief {self.brief}): {origin.what} says "
                       f"{found!r}; expected {advice}, got \"…{around}…\"", "warning")


def _same_case(old: str, new: str) -> str:
    if old.isupper():
        return new.upper()
    return new[0].upper() + new[1:] if old[:1].isupper() else new


def _literal_parts(source: str) -> Iterable[tuple[int, str]]:
    """(offset, text) of each run of a Jinja template's literal text.

    Written here rather than with Jinja's lexer because the lexer drops the positions of
    its tokens within a line, and the lint reports a column.
    """
    tag = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
    last = 0
    for match in tag.finditer(source):
        yield last, source[last:match.start()]
        last = match.end()
    yield last, source[last:]
