"""Problems with a location, and the error classes of each pipeline stage.

Every problem prints as one line, ``path:line:col: error: what is wrong; expected X, got Y``,
the form compilers use, so an editor can jump to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: 1-based line and column, as editors count them."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.col}"
        return self.path


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the input, where it is, and how bad."""

    loc: Location
    message: str
    severity: str = field(default="error", compare=False)

    def __str__(self) -> str:
        return f"{self.loc}: {self.severity}: {self.message}"


def display_path(path: Path | str) -> str:
    """The path as the user would type it: relative to the working folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


def text_location(path: Path, texts: list[str]) -> Location:
    """Where the first of ``texts`` found in the file stands, else the file itself.

    For a problem found in what a file produced rather than in the file (a citation a
    template wrote), so the editor still jumps to the line that wrote it.
    """
    shown = display_path(path)
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Location(shown)
    for text in texts:
        index = content.find(text) if text else -1
        if index >= 0:
            line = content.count("\n", 0, index) + 1
            return Location(shown, line, index - (content.rfind("\n", 0, index) + 1) + 1)
    return Location(shown)


def describe(value: object) -> str:
    """How a value is named in 'got Y': its kind, and the value itself when short."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({shown!r})" if value else "an empty string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


class BriefgenError(Exception):
    """Base of every error the user can cause; carries one or more located problems."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LoadError(BriefgenError):
    """A file could not be read or parsed as YAML."""


class ValidationError(BriefgenError):
    """The dataset or a brief does not follow the schema or refers to what is not there."""


class WriteError(BriefgenError):
    """An output could not be written (the folder, a reference document)."""


class UsageError(Exception):
    """A command-line argument names something that is not there (no file location)."""
