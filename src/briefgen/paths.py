"""Where briefgen may read from: the project, the folders the user named, and briefgen's own.

A build runs on projects received from others (a pull request, a partner's archive) and in CI
beside secrets, so every file briefgen reads goes through here first. A file is read only when

- it resolves, every symbolic link followed, inside one of the allowed roots: the project root
  (the folder holding the data folder), each folder and brief file named on the command line,
  briefgen's own package (house styles, the default look) and the system's CSL styles;
- it is a regular file (not a FIFO, which would hang the read, nor a device such as
  ``/dev/zero``, which never ends);
- it is no larger than ``MAX_BYTES``.

Anything else is a located problem, one line, naming the file and where its link leads, and no
byte of the file is read. A template folder is checked whole (``folder_problems``): Jinja's
includes and Typst's ``#read`` and ``#image`` open files inside it by themselves, so a link in
it that leaves the project is refused before any template runs.

The roots are set once per command (``confine``), before anything is read; library callers
that set none (tests, the benchmark) get the regular-file and size checks only. Python's
standard library has no containment check that follows links and names what it found, so
this one is ours (``os.path.realpath`` and ``Path.is_relative_to`` do the work).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import Location, Problem, display_path

PACKAGE = Path(__file__).resolve().parent
SYSTEM_STYLES = Path("/usr/share/citation-style-language/styles")
# The largest input file briefgen reads: far above any dataset file, brief, template, style
# or image a project holds (the bundled data's largest file is under 200 KB).
MAX_BYTES = 64 * 1024 * 1024

_roots: tuple[Path, ...] | None = None


class Refused(Exception):
    """A file briefgen will not read; the message says why, in the project's words."""


def confine(project: Path, named: list[Path] = (), brand_home: Path | None = None) -> None:
    """Allow reading below ``project`` and each of ``named`` (folders or files the user gave
    on the command line), briefgen's own files and the system's CSL styles; nothing else.

    ``brand_home`` is the folder holding a named templates folder: its ``brand.yaml`` and
    ``brand/`` belong with those templates (``brand.project_brand``). They are allowed by
    name, their own links not followed, so a brand.yaml that links out is still refused."""
    global _roots
    found = [Path(os.path.realpath(p)) for p in (project, *named)]
    if brand_home is not None:
        home = Path(os.path.realpath(brand_home))
        found += [home / "brand.yaml", home / "brand"]
    found += [PACKAGE, Path(os.path.realpath(SYSTEM_STYLES))]
    _roots = tuple(dict.fromkeys(found))


def allow(folder: Path) -> None:
    """One more root, chosen by the user rather than the project (``verify``'s texts folder,
    from --texts, $BRIEFGEN_TEXTS or its default beside the project)."""
    global _roots
    if _roots is not None:
        _roots = tuple(dict.fromkeys([*_roots, Path(os.path.realpath(folder))]))


def confine_nothing() -> None:
    set_roots(None)


def set_roots(found: tuple[Path, ...] | None) -> None:
    """The roots as ``roots()`` gave them (a spawned worker takes its parent's)."""
    global _roots
    _roots = found


def roots() -> tuple[Path, ...] | None:
    """The allowed roots, the project's first; None when no command set them."""
    return _roots


def project_root() -> Path | None:
    return _roots[0] if _roots else None


def _inside(real: Path) -> bool:
    return _roots is None or any(real.is_relative_to(root) for root in _roots)


def _where() -> str:
    return f"a file inside the project ({_roots[0]})" if _roots else "a file"


def escape(path: Path) -> str | None:
    """Why ``path`` may not be read because of where it resolves, or None."""
    real = Path(os.path.realpath(path))
    if _inside(real):
        return None
    if os.path.islink(path) or real != Path(os.path.abspath(path)):
        return (f"a symbolic link that leaves the project; expected {_where()} or a folder "
                f"named on the command line, got a link to {real}")
    return (f"a file outside the project; expected {_where()} or a folder named on the "
            f"command line, got a path that resolves outside them")


_KINDS = {stat.S_ISFIFO: "a FIFO (named pipe)", stat.S_ISCHR: "a character device",
          stat.S_ISBLK: "a block device", stat.S_ISSOCK: "a socket", stat.S_ISDIR: "a folder"}


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS.items() if test(mode)), "not a regular file")


def refusal(path: Path, limit: int = MAX_BYTES) -> str | None:
    """Why ``path`` may not be read (outside, not a regular file, too large), or None. A file
    that does not exist is not refused here: the caller says what it expected there."""
    escaped = escape(path)
    if escaped:
        return escaped
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not stat.S_ISREG(info.st_mode):
        return f"not a regular file; expected a file, got {_kind(info.st_mode)}"
    if info.st_size > limit:
        return (f"file too large; expected at most {limit:,} bytes, got {info.st_size:,}")
    return None


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, once ``refusal`` has nothing against it; raise Refused otherwise.

    The file is opened without blocking and checked again once open (it may have been swapped
    for a FIFO in between), and no more than ``limit`` bytes are ever read."""
    why = refusal(path, limit)
    if why:
        raise Refused(why)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused(f"not a regular file; expected a file, got {_kind(info.st_mode)}")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise Refused(f"file too large; expected at most {limit:,} bytes, got more")
    return data


def problem(path: Path, at: Location | None = None, limit: int = MAX_BYTES) -> Problem | None:
    """``refusal`` as a located problem: at ``at`` (where a file names it), else the path."""
    why = refusal(path, limit)
    if why is None:
        return None
    if at is not None:
        return Problem(at, f"{display_path(path)}: {why}")
    return Problem(Location(display_path(path)), why)


def folder_problems(folder: Path) -> list[Problem]:
    """Every entry below ``folder`` (the folder itself too) that resolves outside the roots or
    is not a regular file or folder, one problem each, links not followed into."""
    problems = []
    here = problem_of_entry(folder)
    if here or not os.path.isdir(folder):
        return [here] if here else []
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            found = problem_of_entry(Path(top) / name)
            if found:
                problems.append(found)
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))]
    return problems


def problem_of_entry(path: Path) -> Problem | None:
    escaped = escape(path)
    if escaped:
        return Problem(Location(display_path(path)), escaped)
    try:
        info = os.stat(path)
    except OSError:
        return None            # a broken link: whatever names it says it is missing
    if stat.S_ISDIR(info.st_mode):
        return None
    if not stat.S_ISREG(info.st_mode):
        return Problem(Location(display_path(path)),
                       f"not a regular file; expected a file, got {_kind(info.st_mode)}")
    if info.st_size > MAX_BYTES:
        return Problem(Location(display_path(path)), f"file too large; expected at most "
                                                     f"{MAX_BYTES:,} bytes, got {info.st_size:,}")
    return None
