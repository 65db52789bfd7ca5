"""Stage 1, load: YAML files to plain values that remember where they came from.

PyYAML's C parser composes the node graph (fast, and every node keeps its position); we then
build plain dicts, lists and scalars ourselves instead of using PyYAML's constructor, because
the constructor forgets positions, silently keeps the last of two duplicate keys, and turns
``2014-02-07`` into a date object where the dataset wants the text as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import LoadError, Location, Problem, display_path

try:  # the C loader: an order of magnitude faster on a large dataset
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

_SCALARS = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_CONSTRUCT = {
    "tag:yaml.org,2002:int": _SCALARS.construct_yaml_int,
    "tag:yaml.org,2002:float": _SCALARS.construct_yaml_float,
    "tag:yaml.org,2002:bool": _SCALARS.construct_yaml_bool,
    "tag:yaml.org,2002:null": _SCALARS.construct_yaml_null,
}


class YMap(dict):
    """A mapping that knows where it, each key and each value stand in the file."""

    def __init__(self, loc: Location):
        super().__init__()
        self.loc = loc
        self.key_locs: dict[str, Location] = {}
        self.value_locs: dict[str, Location] = {}


class YSeq(list):
    """A list that knows where it and each item stand in the file."""

    def __init__(self, loc: Location):
        super().__init__()
        self.loc = loc
        self.item_locs: list[Location] = []


def _loc(path: str, node: yaml.Node) -> Location:
    mark = node.start_mark
    return Location(path, mark.line + 1, mark.column + 1)


class _Builder:
    """Turns one composed node graph into YMap/YSeq/scalars, collecting problems."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []

    def build(self, node: yaml.Node) -> Any:
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return self._sequence(node)
        return self._scalar(node)

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag in (_STR, _TIMESTAMP):
            return node.value
        construct = _CONSTRUCT.get(node.tag)
        if construct is None:
            self.problems.append(Problem(
                _loc(self.path, node),
                f"unsupported YAML tag; expected plain text, numbers, lists and mappings, "
                f"got {node.tag!r}",
            ))
            return node.value
        return construct(node)

    def _sequence(self, node: yaml.SequenceNode) -> YSeq:
        seq = YSeq(_loc(self.path, node))
        for item in node.value:
            seq.item_locs.append(_loc(self.path, item))
            seq.append(self.build(item))
        return seq

    def _mapping(self, node: yaml.MappingNode) -> YMap:
        ymap = YMap(_loc(self.path, node))
        for key_node, value_node in node.value:
            key = self._key(key_node)
            if key is None:
                continue
            key_loc = _loc(self.path, key_node)
            if key in ymap:
                first = ymap.key_locs[key]
                self.problems.append(Problem(
                    key_loc,
                    f"duplicate key {key!r}; expected each key once in a mapping, "
                    f"got it again (first at line {first.line}, column {first.col})",
                ))
                continue
            ymap.key_locs[key] = key_loc
            ymap.value_locs[key] = _loc(self.path, value_node)
            ymap[key] = self.build(value_node)
        return ymap

    def _key(self, node: yaml.Node) -> str | None:
        # Keys stay as written: `yes:` or `2014:` are keys named so, not a boolean or a number.
        if isinstance(node, yaml.ScalarNode):
            return node.value
        self.problems.append(Problem(
            _loc(self.path, node),
            "invalid key; expected a plain word as a mapping key, got a "
            + ("list" if isinstance(node, yaml.SequenceNode) else "mapping"),
        ))
        return None


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


def parse(text: str, path: str) -> Any:
    """Parse YAML text into positioned values; raise LoadError with every problem found."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        raise LoadError([_syntax_problem(err, path)]) from None
    except yaml.YAMLError as err:  # e.g. a reader error on a control character
        raise LoadError([Problem(Location(path), f"YAML error: {err}")]) from None
    if node is None:
        return None
    builder = _Builder(path)
    value = builder.build(node)
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
    node, best = root, getattr(root, "loc", None)
    for i, step in enumerate(where):
        last = i == len(where) - 1
        if isinstance(node, YMap) and step in node:
            best = node.key_locs[step] if (last and key_itself) else node.value_locs[step]
            node = node[step]
        elif isinstance(node, YSeq) and isinstance(step, int) and 0 <= step < len(node):
            best, node = node.item_locs[step], node[step]
        else:
            break
    return best
