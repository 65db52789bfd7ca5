"""Stage 1, load: YAML files to plain values that remember where they came from.

We read PyYAML's parser events (libyaml's C parser) and build plain dicts, lists and scalars
ourselves, instead of using PyYAML's composer and constructor, because

- the constructor forgets positions, silently keeps the last of two duplicate keys, and turns
  ``2014-02-07`` into a date object where the dataset wants the text as written;
- composing a node graph first costs ten times what the events cost (measured with
  ``make bench``: 3.0 s against 0.3 s for 14,000 records), and a large dataset must load fast.

Positions are kept as (line, column) pairs and become Locations only when a problem needs one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

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


class _Builder:
    """Builds YMap/YSeq/scalars from parser events, collecting problems as it goes."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.anchors: dict[str, Any] = {}

    def problem(self, pos: Pos, message: str) -> None:
        self.problems.append(Problem(Location(self.path, *pos), message))

    def value(self, event: yaml.Event, events) -> Any:
        """The value that starts with `event`; nested events are read from `events`."""
        if isinstance(event, yaml.ScalarEvent):
            built = self.scalar(event)
        elif isinstance(event, yaml.MappingStartEvent):
            built = self.mapping(event, events)
        elif isinstance(event, yaml.SequenceStartEvent):
            built = self.sequence(event, events)
        else:  # an alias
            return self.anchors.get(event.anchor)
        if event.anchor:
            self.anchors[event.anchor] = built
        return built

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
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = err.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError([Problem(
            Location(path, line, col),
            f"file is not UTF-8; expected UTF-8 text, got byte 0x{data[err.start]:02x}",
        )]) from None


def _syntax_problem(err: yaml.MarkedYAMLError, path: str) -> Problem:
    mark = err.problem_mark or err.context_mark
    loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    what = err.problem or "invalid YAML"
    if err.context:
        what = f"{what} ({err.context})"
    return Problem(loc, f"YAML syntax error: {what}")


def _events(text: str):
    return iter(yaml.parse(text, Loader=_Loader))


def parse(text: str, path: str) -> Any:
    """Parse YAML text into positioned values; raise LoadError with every problem found."""
    builder = _Builder(path)
    try:
        value = builder.document(_events(text))
    except yaml.MarkedYAMLError as err:
        raise LoadError([_syntax_problem(err, path)]) from None
    except yaml.YAMLError as err:  # e.g. a reader error on a control character
        raise LoadError([Problem(Location(path), f"YAML error: {err}")]) from None
    if builder.problems:
        raise LoadError(builder.problems)
    return value


def load_file(path: Path) -> Any:
    """Read one YAML file; errors name it as the user would (relative to the working folder)."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise LoadError([Problem(Location(shown), f"cannot read file: {err.strerror}")]) from None
    return parse(_decode(data, shown), shown)


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
