"""Stage 1, load: YAML files to plain values that remember where they came from.

We read PyYAML's parser events (libyaml's C parser) and build plain dicts, lists and scalars
ourselves, instead of using PyYAML's composer and constructor, because

- the constructor forgets positions, silently keeps the last of two duplicate keys, and turns
  ``2014-02-07`` into a date object where the dataset wants the text as written;
- composing a node graph first costs ten times what the events cost (measured with
  ``make bench``: 3.0 s against 0.3 s for 14,000 records), and a large dataset must load fast.

Positions are kept as (line, column) pairs and become Locations only when a problem needs one.

Hostile input is a located problem, never a traceback or a hang: bytes that are not UTF-8,
control characters and stray byte order marks are found before parsing (every one in the
file), nesting deeper than ``MAX_DEPTH`` stops the parse there (no recursion, no hang), and an alias
to an anchor that does not exist is named. A problem that leaves the tree readable (a
duplicate key, an unsupported tag) does not stop the file being validated: ``read_file``
returns the tree with its problems, so one run reports every problem in the file.
"""

from __future__ import annotations

import codecs
import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from . import paths
from .errors import LoadError, Location, Problem, display_path

try:  # libyaml's parser: the events come from C
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_SCALARS = yaml.constructor.SafeConstructor()
_RESOLVER = yaml.resolver.Resolver()
_TAG = "tag:yaml.org,2002:"
_CONSTRUCT = {
    _TAG + "str": lambda node: node.value,
    _TAG + "timestamp": lambda node: node.value,  # dates stay as written
    _TAG + "int": _SCALARS.construct_yaml_int,
    _TAG + "float": _SCALARS.construct_yaml_float,
    _TAG + "bool": _SCALARS.construct_yaml_bool,
    _TAG + "null": _SCALARS.construct_yaml_null,
}

Pos = tuple[int, int]

# Lists and mappings inside each other, at most: the schema's deepest record needs six.
MAX_DEPTH = 50
TOO_DEEP = f"lists and mappings nested too deep; expected at most {MAX_DEPTH} levels, got more"
# What YAML 1.1 lets a file hold as it is: tab, LF, CR, printable ASCII, NEL and the rest of
# Unicode but surrogates, U+FFFE and U+FFFF (the same set libyaml's reader checks).
_UNPRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SHOWN_CHARACTERS = 10             # unprintable characters reported one by one per file
# Byte order marks of the encodings a text editor may save in instead of UTF-8.
_OTHER_BOMS = (("UTF-32", (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)),
               ("UTF-16", (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)))


class _Placed:
    """Where a mapping or list stands in its file (``path`` and the parser's ``mark``, which
    each sets)."""

    __slots__ = ()

    @property
    def pos(self) -> Pos:
        return _at(self.mark)

    @property
    def loc(self) -> Location:
        return Location(self.path, *_at(self.mark))


class YMap(_Placed, dict):
    """A mapping that knows where it, each key and each value stand in the file.

    Positions are kept as the parser's marks and turned into (line, column) only when a problem
    needs one: a large dataset has hundreds of thousands of them and almost no problems.
    """

    __slots__ = ("path", "mark", "marks")

    def __init__(self, path: str, mark: Any):
        self.path, self.mark = path, mark
        self.marks: dict[str, tuple[Any, Any]] = {}   # key: (the key's mark, the value's mark)

    def key_pos(self, key: str) -> Pos:
        return _at(self.marks[key][0])

    def value_pos(self, key: str) -> Pos:
        return _at(self.marks[key][1])


class YSeq(_Placed, list):
    """A list that knows where it and each item stand in the file."""

    __slots__ = ("path", "mark", "item_marks")

    def __init__(self, path: str, mark: Any):
        self.path, self.mark = path, mark
        self.item_marks: list[Any] = []

    def item_loc(self, index: int) -> Location:
        return Location(self.path, *_at(self.item_marks[index]))


def _at(mark: Any) -> Pos:
    """A parser mark as (line, column), counted from 1 as an editor counts them."""
    return mark.line + 1, mark.column + 1


def _pos(event: yaml.Event) -> Pos:
    return _at(event.start_mark)


class _Abandoned(Exception):
    """The builder gave up on the file; its problems say why."""


_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_MAPPING_START, _MAPPING_END = yaml.MappingStartEvent, yaml.MappingEndEvent
_SEQUENCE_END, _DOCUMENT_START = yaml.SequenceEndEvent, yaml.DocumentStartEvent
_STREAM_END = yaml.StreamEndEvent
# The first characters of a plain scalar that YAML 1.1 may read as other than text (a number,
# a date, a boolean, null): any other plain scalar is text as it stands.
_MAYBE_TYPED = frozenset("-+.0123456789~nNtTfFyYoO")


class _Builder:
    """Builds YMap/YSeq/scalars from parser events, collecting problems as it goes.

    ``next_event`` is the C parser's own ``get_event``: called directly, not through
    ``yaml.parse``'s generator, as the builder's loops run once for every event in the file.
    """

    def __init__(self, path: str, next_event: Any):
        self.path = path
        self.next = next_event
        self.problems: list[Problem] = []
        self.anchors: dict[str, Any] = {}
        self.depth = 0

    def problem(self, pos: Pos, message: str) -> None:
        self.problems.append(Problem(Location(self.path, *pos), message))

    def value(self, event: yaml.Event) -> Any:
        """The value that starts with `event`; nested events are read on from the parser."""
        kind = type(event)
        if kind is _SCALAR:
            built = self.scalar(event)
        elif kind is _ALIAS:
            return self.alias(event)
        elif self.depth >= MAX_DEPTH:
            return self.too_deep(event)
        else:
            self.depth += 1
            built = self.mapping(event) if kind is _MAPPING_START else self.sequence(event)
            self.depth -= 1
        if event.anchor:
            self.anchors[event.anchor] = built
        return built

    def alias(self, event: yaml.AliasEvent) -> Any:
        if event.anchor in self.anchors:
            return self.anchors[event.anchor]
        self.problem(_pos(event), f"unknown alias '*{event.anchor}'; expected an anchor "
                                  f"'&{event.anchor}' earlier in the file, got none")
        return None

    def too_deep(self, event: yaml.Event) -> None:
        """Stop at a list or mapping nested too deep: one problem, and the file is not read on.

        Reading on is no option: libyaml takes time quadratic in the depth of nested brackets
        (a megabyte of ``[`` would take hours), so the parse ends here.
        """
        self.problem(_pos(event), TOO_DEEP)
        raise _Abandoned

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag, value = event.tag, event.value
        if tag is None or tag == "!":
            if not event.implicit[0] or (value and value[0] not in _MAYBE_TYPED):
                return value  # quoted, or plainly text
            if value.isascii() and value.isdigit() and (value[0] != "0" or value == "0"):
                return int(value)  # a plain decimal integer, the commonest number (YAML 1.1)
            tag = _RESOLVER.resolve(yaml.ScalarNode, value, (True, False))
        construct = _CONSTRUCT.get(tag)
        if construct is None:
            self.problem(_pos(event), "unsupported YAML tag; expected plain text, numbers, lists "
                                      f"and mappings, got {tag!r}")
            return value
        return construct(yaml.ScalarNode(tag, value))

    def sequence(self, event: yaml.SequenceStartEvent) -> YSeq:
        seq = YSeq(self.path, event.start_mark)
        marks, append, get = seq.item_marks.append, seq.append, self.next
        item = get()
        while type(item) is not _SEQUENCE_END:
            marks(item.start_mark)
            append(self.scalar(item) if type(item) is _SCALAR and item.anchor is None
                   else self.value(item))
            item = get()
        return seq

    def mapping(self, event: yaml.MappingStartEvent) -> YMap:
        ymap = YMap(self.path, event.start_mark)
        marks, get = ymap.marks, self.next
        key_event = get()
        while type(key_event) is not _MAPPING_END:
            key = key_event.value if type(key_event) is _SCALAR else self.bad_key(key_event)
            value_event = get()
            value = (self.scalar(value_event)
                     if type(value_event) is _SCALAR and value_event.anchor is None
                     else self.value(value_event))
            if key is not None:
                if key in marks:
                    first = _at(marks[key][0])
                    self.problem(_pos(key_event), f"duplicate key {key!r}; expected each key once "
                                 f"in a mapping, got it again (first at line {first[0]}, column "
                                 f"{first[1]})")
                else:
                    ymap[key] = value
                    marks[key] = key_event.start_mark, value_event.start_mark
            key_event = get()
        return ymap

    def bad_key(self, event: yaml.Event) -> None:
        # Keys stay as written: `yes:` or `2014:` are keys named so, not a boolean or a number;
        # a key that is not a scalar is a problem.
        what = "an alias" if type(event) is _ALIAS else (
            "a mapping" if type(event) is _MAPPING_START else "a list")
        self.value(event)  # read past it
        self.problem(_pos(event), f"invalid key; expected a plain word as a mapping key, got {what}")
        return None

    def document(self) -> Any:
        """The one document of a stream of events (None for an empty file)."""
        value = None
        event = self.next()
        while type(event) is not _STREAM_END:
            if type(event) is _DOCUMENT_START:
                if value is not None:
                    self.problem(_pos(event), "a second YAML document; expected one document "
                                              "per file, got another '---'")
                    break
                value = self.value(self.next())
            event = self.next()
        return value


def _decode(data: bytes, path: str) -> str:
    """The file's text; a file in another encoding is one problem at its first wrong byte."""
    for encoding, marks in _OTHER_BOMS:
        if data.startswith(marks):
            raise LoadError([Problem(Location(path, 1, 1),
                                     f"file is {encoding} (it starts with a {encoding} byte order "
                                     f"mark); expected UTF-8 text, got {encoding}")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError([Problem(
            Location(path, line, col),
            f"file is not UTF-8; expected UTF-8 text, got byte 0x{data[err.start]:02x}",
        )]) from None
    return text[1:] if text.startswith("\ufeff") else text   # a UTF-8 byte order mark is allowed


def _position(text: str, index: int) -> Pos:
    """The (line, column) of a character index in the text, as an editor counts them."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _character_problems(text: str, path: str) -> list[Problem]:
    """Every character YAML refuses to read, each at its place (the first ten, then a count).

    libyaml stops at the first with a message that names a character offset, not a line; a
    byte order mark (U+FEFF) after the start, where two files were joined, it would read as
    text and then fail with a syntax error about something else.
    """
    problems = []
    found = [m for m in re.finditer(f"{_UNPRINTABLE.pattern}|\ufeff", text)]
    for match in found[:SHOWN_CHARACTERS]:
        code = f"U+{ord(match.group()):04X}"
        if match.group() == "\ufeff":
            message = (f"byte order mark {code} inside the file; expected one only as the very "
                       f"first character, if at all, got one here (were two files joined?)")
        else:
            message = (f"control character {code} in the file; expected printable text "
                       f"(YAML allows no raw control characters), got {code}")
        problems.append(Problem(Location(path, *_position(text, match.start())), message))
    if len(found) > SHOWN_CHARACTERS:
        rest = found[SHOWN_CHARACTERS]
        problems.append(Problem(Location(path, *_position(text, rest.start())),
                                f"and {len(found) - SHOWN_CHARACTERS} more characters like "
                                f"these; expected printable text, got binary data?"))
    return problems


def _syntax_problem(err: yaml.MarkedYAMLError, path: str, text: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    what = err.problem or "invalid YAML"
    if "maximum nesting depth" in what:
        # libyaml 0.2.6 (PyYAML 6.0.4) has a depth limit of its own, which its scanner meets
        # before the builder sees the events of flow brackets: the same problem as ours.
        return Problem(loc, TOO_DEEP)
    at_tab = mark is not None and text[mark.index: mark.index + 1] == "\t"
    if at_tab or "tab character" in what:
        return Problem(loc, "YAML syntax error: a tab indents this line; expected spaces (YAML "
                            "does not allow tabs for indentation), got a tab")
    if err.context:
        what = f"{what} ({err.context}{_context_place(err, mark)})"
    return Problem(loc, f"YAML syntax error: {what}{_hint(what, mark, text)}")


_KEY_LINE = re.compile(r"^(\s*)(?:-\s+)?([^\s:#][^:#]*?):(?:\s|$)")


def _hint(what: str, mark: Any, text: str) -> str:
    """What to do about the two commonest slips: a colon inside a plain value, and a line
    indented as no key above it is."""
    if "mapping values are not allowed" in what:
        return ("; quote the value: a colon and a space inside a plain value start a mapping, "
                "so write it as key: \"...: ...\"")
    if mark is None or not ("expected key" in what or "indicator" in what or "block end" in what):
        return ""
    lines = text.splitlines()
    for number in range(min(mark.line, len(lines)) - 1, -1, -1):
        found = _KEY_LINE.match(lines[number])
        if found:
            return (f"; check this line's indentation against the key '{found[2].strip()}' "
                    f"above it (line {number + 1}, column {len(found[1]) + 1})")
    return ""


def _context_place(err: yaml.MarkedYAMLError, mark: Any) -> str:
    """Where the part the parser was in started ('while parsing a flow sequence that starts
    at line 3, column 11'), when that is not where the problem is."""
    where = err.context_mark
    if where is None or mark is None or (where.line, where.column) == (mark.line, mark.column):
        return ""
    place = f"line {where.line + 1}, column {where.column + 1}"
    return f" that starts at {place}" if err.context.startswith("while parsing") else f" at {place}"


def _reader_problem(err: yaml.reader.ReaderError, text: str, path: str) -> Problem:
    """libyaml's reader refusing a character (normally found before, by _character_problems)."""
    index = err.position if isinstance(err.position, int) and err.position <= len(text) else 0
    return Problem(Location(path, *_position(text, index)),
                   f"unreadable character; expected printable text, got {err.reason}")


def parse_all(text: str, path: str) -> tuple[Any, list[Problem]]:
    """YAML text as positioned values, and every problem found in it.

    The tree is None when the text cannot be read at all (a syntax error); problems that leave
    it readable (a duplicate key: the first is kept) come with the tree.
    """
    problems = _character_problems(text, path)
    if problems:
        return None, problems
    loader = _Loader(text)
    builder = _Builder(path, loader.get_event)
    try:
        value = builder.document()
    except yaml.MarkedYAMLError as err:
        return None, builder.problems + [_syntax_problem(err, path, text)]
    except yaml.reader.ReaderError as err:
        return None, builder.problems + [_reader_problem(err, text, path)]
    except _Abandoned:
        return None, builder.problems
    finally:
        loader.dispose()
    return value, builder.problems


def parse(text: str, path: str) -> Any:
    """Parse YAML text into positioned values; raise LoadError with every problem found."""
    value, problems = parse_all(text, path)
    if problems:
        raise LoadError(problems)
    return value


def read_file(path: Path) -> tuple[Any, list[Problem]]:
    """One YAML file's tree (None when unreadable) and every problem in it; paths are shown as
    the user would type them (relative to the working folder)."""
    shown = display_path(path)
    try:
        data = paths.read_bytes(path)      # inside the project, a regular file, bounded
    except paths.Refused as err:
        return None, [Problem(Location(shown), str(err))]
    except OSError as err:
        return None, [Problem(Location(shown), f"cannot read file: {err.strerror}")]
    try:
        text = _decode(data, shown)
    except LoadError as err:
        return None, err.problems
    return parse_all(text, shown)


def load_file(path: Path) -> Any:
    """Read one YAML file; raise LoadError with every problem in it."""
    tree, problems = read_file(path)
    if problems:
        raise LoadError(problems)
    return tree


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """Reading a large dataset without Python's cycle collector.

    A loaded tree and its records hold no reference cycles, so reference counting frees them;
    the cycle collector would only walk the growing tree again and again while it is built
    (10,000 findings: 2.5 s to load and validate with it, 1.5 s without; ``make bench``). On
    the way out, what was built is frozen out of the collector's sight (``gc.freeze``): else
    its first collection would walk every object made while it was off (0.3 s more). Frozen
    objects are still freed by reference counting when nothing holds them.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_on:
            gc.enable()


def locate(root: Any, where: tuple, key_itself: bool = False) -> Location | None:
    """The location of the value at a path of keys and indexes inside a loaded tree.

    Walks as far as the path exists and returns the deepest location found, so a problem
    with a missing key points at the mapping that lacks it. With ``key_itself`` the last
    step names a key, and its own position is returned (for an unknown key).
    """
    node = root
    best = root.loc if isinstance(root, (YMap, YSeq)) else None
    for i, step in enumerate(where):
        last = i == len(where) - 1
        if isinstance(node, YMap) and step in node:
            pos = node.key_pos(step) if (last and key_itself) else node.value_pos(step)
            best, node = Location(node.path, *pos), node[step]
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
            best, node = node.item_loc(step), node[step]
        else:
            break
    return best
