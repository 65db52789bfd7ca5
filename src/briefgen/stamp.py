"""A build that finds nothing changed, answered without loading anything.

A release build skips every output whose inputs hash as the manifest recorded (``manifest.py``),
but to know that it loads and validates the dataset and the briefs, which costs more than the
rest of such a build (importing pydantic and PyYAML alone is most of it). So a build that
succeeded leaves a stamp (in ``.briefgen-cache/`` at the project root, one per output folder; a
cache, never an output):
the hash of everything the build could have read, and the summary it printed. The next build
with the same command computes that hash first; when it is the same, and every output is still
on disk with the bytes the manifest records, it prints the same summary and stops there.

What the hash covers, so that any change of input goes the long way:

- every file below the project root (the folder holding ``data/``), but the output folder,
  version control's and Python's own folders and caches, hashed by content;
- the files the build named outside the root (a style or reference document elsewhere), which
  the stamp lists;
- briefgen's own files (wherever it is installed) and the versions of the libraries that shape
  the bytes; ``SOURCE_DATE_EPOCH``; the git refs that ``git describe`` reads (the manifest's
  dataset version);
- the command: which briefs, formats, PDF engine, output folder, ``--strict``,
  ``--allow-overlength`` and ``--shard``.

Under ``--force`` there is no stamp to answer from, and under ``--strict`` a stamp whose build
had warnings is not used (they must fail the build again). The same is written as the
slow path: this module only imports the standard library.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import threading
from pathlib import Path
from typing import Any

from .names import output_files

CACHE = ".briefgen-cache"
VERSION = 1
# Folders below the root that are never a build's input.
IGNORED = frozenset({".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".hypothesis",
                     ".mypy_cache", ".ruff_cache", "node_modules", ".tox", ".nox", CACHE})
PACKAGE = Path(__file__).resolve().parent
TOOLS = ("typst", "weasyprint", "python-docx", "pypandoc-binary")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_digest(root: Path, leave_out: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file below ``root`` by its relative path and content hash, in order; ignored
    folders and ``leave_out`` (the output folder) are not read. Links are followed as the
    build would follow them; a broken one counts as an empty file."""
    left = {p.resolve() for p in leave_out}
    real_root = Path(os.path.realpath(root))
    found: dict[str, str] = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        # An output folder (one with a build manifest) holds outputs, never inputs.
        dirs[:] = sorted(d for d in dirs if d not in IGNORED and (here / d).resolve() not in left
                         and not (here / d / "manifest.json").is_file())
        for name in sorted(files):
            path = here / name
            found[path.relative_to(root).as_posix()] = _entry_digest(path, real_root)
    return found


def _entry_digest(path: Path, real_root: Path) -> str:
    """A file's hash; a link that leaves the root, or anything but a regular file (a FIFO
    would block the read, ``/dev/zero`` never ends), by what it is instead: the build refuses
    those (``paths.py``), so their content is never an input."""
    try:
        real = os.path.realpath(path)
        if not Path(real).is_relative_to(real_root):
            return "outside:" + real
        if not stat.S_ISREG(os.stat(path).st_mode):
            return "special"
        return file_sha256(path)
    except OSError:
        return ""


def _git_refs(root: Path) -> dict[str, str]:
    """What ``git describe --tags --always`` reads: HEAD and every ref (not the objects,
    which refs name by hash)."""
    git = root / ".git"
    if git.is_file():                          # a worktree: .git names its git folder
        text = git.read_text(encoding="utf-8", errors="replace").strip()
        git = (root / text.removeprefix("gitdir:").strip()).resolve()
    if not git.is_dir():
        return {}
    folders = [git]
    common = git / "commondir"
    if common.is_file():
        folders.append((git / common.read_text().strip()).resolve())
    found = {}
    for folder in folders:
        for name in ("HEAD", "packed-refs"):
            if (folder / name).is_file():
                found[f"{folder}/{name}"] = file_sha256(folder / name)
        if (folder / "refs").is_dir():
            found.update({f"{folder}/{k}": v for k, v in tree_digest(folder / "refs").items()})
    return found


def installed_versions() -> dict[str, str]:
    """Installed distributions' versions, read off the ``NAME-VERSION.dist-info`` folder names
    on ``sys.path`` (the first found wins, as for imports). ``importlib.metadata`` answers the
    same, but importing it (with zipfile, email and csv) cost more than the rest of a build
    that finds nothing changed; the folder names are the standard's (PEP 427/PEP 491)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info") and "-" in name:
                project, _, version = name[: -len(".dist-info")].rpartition("-")
                found.setdefault(normalised(project), version)
    return found


def normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    out, last = [], ""
    for char in name.lower():
        char = "-" if char in "-_." else char
        if not (char == "-" and last == "-"):
            out.append(char)
        last = char
    return "".join(out)


def key(root: Path, out_dir: Path, command: dict[str, Any], outside: list[str]) -> str:
    """The hash of everything a build with ``command`` could read (see the module's doc)."""
    versions = installed_versions()
    inputs = {
        "version": VERSION,
        "command": command,
        "project": tree_digest(root, (out_dir,)),
        "outside": {p: (file_sha256(Path(p)) if Path(p).is_file() else "")
                    for p in sorted(outside)},
        "briefgen": tree_digest(PACKAGE),
        "tools": {name: versions.get(normalised(name), "") for name in TOOLS},
        "python": sys.version,
        "epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "git": _git_refs(root),
    }
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- reading and writing the stamp -------------------------------------------------------------

def stamp_path(root: Path, out_dir: Path) -> Path:
    """One stamp per output folder, named by a hash of its absolute path."""
    name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
    return root / CACHE / f"stamp-{name}.json"


def read(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == VERSION else None


def write(root: Path, out_dir: Path, stamp_key: str, outside: list[str], table: list[str],
          warnings: list[str], outputs: list[list[str]]) -> None:
    """Written to a temporary file and renamed, as every output is."""
    data = {"version": VERSION, "key": stamp_key, "outside": sorted(outside), "table": table,
            "warnings": warnings, "outputs": outputs}
    write_cache(stamp_path(root, out_dir),
                json.dumps(data, indent=1, sort_keys=True).encode("utf-8"))


def write_cache(path: Path, data: bytes) -> None:
    """A cache file (the stamp, a drawn chart) written beside its name and renamed: a reader
    never sees half of one, and two writers each put a whole one in place. A cache that
    cannot be written is no cache, never a failed build."""
    temp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp.write_bytes(data)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):     # not there, or no folder to be in
            temp.unlink()


def outputs_intact(out_dir: Path, outputs: list[list[str]]) -> bool:
    """Every output the stamp's build planned is in the manifest with its files as recorded."""
    try:
        manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
        records = {(e["brief"], e["format"]): e for e in manifest["outputs"]}
        for brief, fmt in outputs:
            files = records[(brief, fmt)]["files"]
            if [f["name"] for f in files] != list(output_files(brief, fmt)):
                return False               # the names are the Target's, not the manifest's
            for file in files:
                path = out_dir / file["name"]
                if path.stat().st_size != file["size"] or file_sha256(path) != file["sha256"]:
                    return False
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return True


def answer(out_dir: Path, root: Path, command: dict[str, Any], strict: bool) -> dict | None:
    """The stamp of the same build on the same inputs, its outputs intact; else None."""
    stamp = read(stamp_path(root, out_dir))
    if stamp is None or (strict and stamp.get("warnings")):
        return None
    if stamp.get("key") != key(root, out_dir, command, stamp.get("outside", [])):
        return None
    return stamp if outputs_intact(out_dir, stamp.get("outputs", [])) else None
