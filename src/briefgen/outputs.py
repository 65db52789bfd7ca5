"""The output folder: what may be written there, by one build at a time, and nothing left half.

- An output's name is a brief's name and a format's suffix. ``manifest`` is the manifest's own
  name (``manifest.json`` would be a Markdown export's bibliography too), so no brief may take
  it; and a name is at most ``MAX_NAME`` bytes, so that the temporary file an output is first
  written to (``.NAME.md.XXXXXXXX.part``) stays within the 255 bytes a file name may have.
- A document is dated within the years a ZIP file (a DOCX) can record: 1980 to 2107.
- Only one build writes into a folder at a time (``locked``): a second one waits for the first,
  so the manifest lists every output of both, with their true hashes.
- Temporary files (``.*.part``) left by a build that was killed are removed by the next build
  into the folder, under its lock, before it writes anything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from .errors import Location, Problem, UsageError, WriteError, display_path

RESERVED = ("manifest",)
MAX_NAME = 200                          # bytes; 255 less the temporary file's additions
# What a ZIP file's date fields can hold (the DOCX writer stores its parts with the epoch).
FIRST_DAY, LAST_DAY = dt.date(1980, 1, 1), dt.date(2107, 12, 31)
FIRST_EPOCH = 315532800                 # 1980-01-01T00:00:00Z
LAST_EPOCH = 4354819199                 # 2107-12-31T23:59:59Z
PART = ".part"


def name_problems(name: str, at: Location) -> list[Problem]:
    """An output name briefgen cannot write: reserved, or too long for a file name."""
    if name.lower() in RESERVED:
        return [Problem(at, f"output name {name!r} is reserved for the build manifest; expected "
                            f"another name, got {name!r}")]
    size = len(name.encode("utf-8"))
    if size > MAX_NAME:
        return [Problem(at, f"output name too long; expected at most {MAX_NAME} bytes, got "
                            f"{size}")]
    return []


def date_problems(iso: str, at: Location | None) -> list[Problem]:
    """A brief dated outside what a DOCX can record."""
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return []              # the schema said what is wrong with it
    if FIRST_DAY <= day <= LAST_DAY:
        return []
    return [Problem(at, f"date out of range; expected a date from {FIRST_DAY} to {LAST_DAY} "
                        f"(what a DOCX file can record), got {iso}")]


def check_epoch(epoch: int, name: str = "SOURCE_DATE_EPOCH") -> int:
    if FIRST_EPOCH <= epoch <= LAST_EPOCH:
        return epoch
    raise UsageError(f"{name} out of range; expected seconds from {FIRST_EPOCH} to "
                     f"{LAST_EPOCH} ({FIRST_DAY} to {LAST_DAY}, what a DOCX file can "
                     f"record), got {epoch}")


def check_out(out: str | Path | None, inputs: list[Path]) -> Path:
    """The output folder the command line names, else ``dist``. Refused: an empty name (an
    unset ``$DIST``, which would write into the current folder), and a folder inside an input
    folder or holding one, where outputs would be read as inputs (and rebuilt every run)."""
    if out is None:
        return Path("dist")
    if str(out) == "":
        raise UsageError("--out names no folder; expected an output folder such as dist, "
                         "got an empty name")
    folder = Path(out)
    real = Path(os.path.realpath(folder))
    for given in inputs:
        source = Path(os.path.realpath(given))
        if real.is_relative_to(source) or source.is_relative_to(real):
            how = "the same folder as" if real == source else (
                "inside" if real.is_relative_to(source) else "a folder above")
            raise UsageError(f"--out {out} is {how} the input folder {given}; expected an "
                             f"output folder apart from the data, briefs and templates, got "
                             f"one {how} {given}")
    return folder


def remove_parts(out_dir: Path) -> None:
    """Temporary files a killed build left; only ever called under the folder's lock."""
    try:
        names = os.listdir(out_dir)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and name.endswith(PART):
            with contextlib.suppress(OSError):
                os.unlink(out_dir / name)


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder for this build alone (``flock`` on the folder itself, so no
    lock file is left); a second build waits, saying so once."""
    try:
        import fcntl
    except ImportError:             # not POSIX: no lock, as before
        yield
        return
    try:
        fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as err:
        raise WriteError([Problem(Location(display_path(out_dir)),
                                  f"cannot open the output folder; expected a folder briefgen "
                                  f"can write to, got {err.strerror}")]) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"briefgen: {display_path(out_dir)}: another build is writing into this "
                  f"folder; waiting for it to finish", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        remove_parts(out_dir)
        try:
            yield
        finally:
            remove_parts(out_dir)      # what an interrupted build's workers were writing
    finally:
        os.close(fd)
