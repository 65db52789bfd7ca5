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
import re
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
# A plain scalar can be other than text only if it starts with one of these (YAML 1.1).
_MAYBE_TYPED = re.compile(r"[-+.0-9~nNtTfFyYoO]|$")

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


class YMap(dict):
    """A mapping that knows where it, each key and each value stand in the file."""

    def __init__(self, path: str, pos: Pos):
        super().__init__()
        self.path, self.pos = path, pos
        self.key_pos: dict[str, Pos] = {}
        self.value_pos: dict[str, Pos] = {}

    @property
    def loc(self) -> Location:
        return Location(self.path, *self.pos)


class YSeq(list):
    """A list that knows where it and each item stand in the file."""

    def __init__(self, path: str, pos: Pos):
        super().__init__()
        self.path, self.pos = path, pos
        self.item_pos: list[Pos] = []

    @property
    def loc(self) -> Location:
        return Location(self.path, *self.pos)

    def item_loc(self, index: int) -> Location:
        return Location(self.path, *self.item_pos[index])


def _pos(event: yaml.Event) -> Pos:
    mark = event.start_mark
    return mark.line + 1, mark.column + 1


class _Abandoned(Exception):
    """The builder gave up on the file; its problems say why."""


class _Builder:
    """Builds YMap/YSeq/scalars from parser events, collecting problems as it goes."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.anchors: dict[str, Any] = {}
        self.depth = 0

    def problem(self, pos: Pos, message: str) -> None:
        self.problems.append(Problem(Location(self.path, *pos), message))

    def value(self, event: yaml.Event, events) -> Any:
        """The value that starts with `event`; nested events are read from `events`."""
        if isinstance(event, yaml.ScalarEvent):
            built = self.scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            return self.alias(event)
        elif self.depth >= MAX_DEPTH:
            return self.too_deep(event, events)
        else:
            self.depth += 1
            if isinstance(event, yaml.MappingStartEvent):
                built = self.mapping(event, events)
            else:
                built = self.sequence(event, events)
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

    def too_deep(self, event: yaml.Event, events) -> None:
        """Stop at a list or mapping nested too deep: one problem, and the file is not read on.

        Reading on is no option: libyaml takes time quadratic in the depth of nested brackets
        (a megabyte of ``[`` would take hours), so the parse ends here.
        """
        self.problem(_pos(event), TOO_DEEP)
        raise _Abandoned


    def scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0] or not _MAYBE_TYPED.match(event.value):
                return event.value  # quoted, or plainly text
            tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, (True, False))
        construct = _CONSTRUCT.get(tag)
        if construct is None:
            self.problem(_pos(event), "unsupported YAML tag; expected plain text, numbers, lists "
                                      f"and mappings, got {tag!r}")
            return event.value
        return construct(yaml.ScalarNode(tag, event.value))

    def sequence(self, event: yaml.SequenceStartEvent, events) -> YSeq:
        seq = YSeq(self.path, _pos(event))
        for item in events:
            if isinstance(item, yaml.SequenceEndEvent):
                break
            seq.item_pos.append(_pos(item))
            seq.append(self.value(item, events))
        return seq

    def mapping(self, event: yaml.MappingStartEvent, events) -> YMap:
        ymap = YMap(self.path, _pos(event))
        for key_event in events:
            if isinstance(key_event, yaml.MappingEndEvent):
                break
            key, key_pos = self.key(key_event, events), _pos(key_event)
            value_event = next(events)
            value = self.value(value_event, events)
            if key is None:
                continue
            if key in ymap:
                first = ymap.key_pos[key]
                self.problem(key_pos, f"duplicate key {key!r}; expected each key once in a mapping, "
                                      f"got it again (first at line {first[0]}, column {first[1]})")
                continue
            ymap[key], ymap.key_pos[key], ymap.value_pos[key] = value, key_pos, _pos(value_event)
        return ymap

    def key(self, event: yaml.Event, events) -> str | None:
        # Keys stay as written: `yes:` or `2014:` are keys named so, not a boolean or a number.
        if isinstance(event, yaml.ScalarEvent):
            return event.value
        what = "an alias" if isinstance(event, yaml.AliasEvent) else (
            "a list" if isinstance(event, yaml.SequenceStartEvent) else "a mapping")
        self.value(event, events)  # read past it
        self.problem(_pos(event), f"invalid key; expected a plain word as a mapping key, got {what}")
        return None

    def document(self, events) -> Any:
        """The one document of a stream of events (None for an empty file)."""
        value = None
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                if value is not None:
                    self.problem(_pos(event), "a second YAML document; expected one document "
                                              "per file, got another '---'")
                    break
                value = self.value(next(events), events)
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


def _events(text: str):
    return iter(yaml.parse(text, Loader=_Loader))


def parse_all(text: str, path: str) -> tuple[Any, list[Problem]]:
    """YAML text as positioned values, and every problem found in it.

    The tree is None when the text cannot be read at all (a syntax error); problems that leave
    it readable (a duplicate key: the first is kept) come with the tree.
    """
    problems = _character_problems(text, path)
    if problems:
        return None, problems
    builder = _Builder(path)
    try:
        value = builder.document(_events(text))
    except yaml.MarkedYAMLError as err:
        return None, builder.problems + [_syntax_problem(err, path, text)]
    except yaml.reader.ReaderError as err:
        return None, builder.problems + [_reader_problem(err, text, path)]
    except _Abandoned:
        return None, builder.problems
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
            pos = node.key_pos[step] if (last and key_itself) else node.value_pos[step]
            best, node = Location(node.path, *pos), node[step]
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
            best, node = node.item_loc(step), node[step]
        else:
            break
    return best
