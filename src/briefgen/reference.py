"""A brief's reference .docx, checked at load so that ``check`` refuses what ``build`` cannot use.

A reference document comes with the project, so it may be hostile. Before python-docx opens
it (which unpacks every part into memory), every member of the zip package is bounded: its
unpacked size, the package's total, and how far a large member expands (a zip bomb is a small
file that unpacks to gigabytes). Every XML part is then read, within those bounds, and one that
declares a DTD is refused: Word writes none, lxml would keep an entity reference whose
declaration is dropped, and the DOCX written from it would not open.

zipfile stops reading a member at the size its directory declares, so bounding the declared
sizes bounds what is read. No library offers these checks for a package (python-docx and
zipfile trust the archive), so they are ours.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .errors import display_path

MAX_PART = 64 * 1024 * 1024            # bytes a member may unpack to (fonts and images fit)
MAX_TOTAL = 256 * 1024 * 1024          # bytes the whole package may unpack to
MAX_RATIO = 200                        # how far a member over 1 MiB may expand
_LARGE = 1024 * 1024
_DTD = tuple(m.encode(e) for m in ("<!DOCTYPE", "<!ENTITY") for e in ("utf-8", "utf-16-le",
                                                                       "utf-16-be"))


def problem(ref: Path) -> str | None:
    """Why a reference document cannot serve, or None (it exists and is a regular file)."""
    shown = display_path(ref)
    try:
        with zipfile.ZipFile(ref) as package:
            members = package.infolist()
            names = {m.filename for m in members}
            if "word/document.xml" not in names:
                return _not_word(shown)
            return _size_problem(members, shown) or _dtd_problem(package, members, shown)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return _not_word(shown)


def _not_word(shown: str) -> str:
    return (f"reference document {shown} is not a Word file; expected a .docx (a zip package "
            f"with word/document.xml), got another kind of file")


def _size_problem(members: list[zipfile.ZipInfo], shown: str) -> str | None:
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > MAX_PART:
            return (f"reference document {shown}: part {member.filename} unpacks to "
                    f"{member.file_size:,} bytes; expected at most {MAX_PART:,} bytes a part "
                    f"(a zip bomb?)")
        if member.file_size > _LARGE and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            return (f"reference document {shown}: part {member.filename} unpacks to "
                    f"{member.file_size // max(member.compress_size, 1):,} times its packed size; "
                    f"expected at most {MAX_RATIO} times (a zip bomb?)")
    if total > MAX_TOTAL:
        return (f"reference document {shown} unpacks to {total:,} bytes; expected at most "
                f"{MAX_TOTAL:,} (a zip bomb?)")
    return None


def _dtd_problem(package: zipfile.ZipFile, members: list[zipfile.ZipInfo],
                 shown: str) -> str | None:
    for member in members:
        if not member.filename.endswith((".xml", ".rels")):
            continue
        data = package.read(member)
        if any(mark in data for mark in _DTD):
            return (f"reference document {shown}: part {member.filename} declares a DTD; "
                    f"expected XML without <!DOCTYPE> or <!ENTITY> (Word writes none), got one")
    return None
