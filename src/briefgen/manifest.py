"""The build manifest (``dist/manifest.json``): every output, its bytes, and what it was made from.

Each output records the sha256 and size of its files, its pages, words and notes, the
warnings its build gave (shown again when it is skipped) and the hashes of its inputs. The next build skips an output whose inputs hash the same and whose
files on disk still have the recorded sha256.

An output's inputs are:

- ``brief``: the brief file's bytes;
- ``records``: the records its selection picks (the select stage runs, which is cheap), the
  vocabularies (every kind that is neither selectable nor a source: themes, actors...) and
  the sources it can cite: those named by the evidence of the picked records, and every source
  whose ``@id`` appears in the brief file (its introduction and closing) or in a file of its
  audience's folder. A source edit rebuilds only the briefs that can print it;
- ``audience``: every file in the audience's template folder; ``look``: every file of
  briefgen's default look; ``brand``: the brand file(s) and logo the brief's look is made
  from;
- the output's ``Target`` (``target.py``): ``format``, ``pdf-engine`` (PDF only), ``style``
  (the CSL file's hash), ``reference-docx`` (DOCX only), and ``epoch``, the seconds the
  document is dated with (``SOURCE_DATE_EPOCH``, else the brief's date);
- ``versions``: briefgen's version and the libraries that shape the bytes (typst, weasyprint,
  python-docx, and pypandoc-binary, the Pandoc that formats the notes), and ``code``, a hash
  of briefgen's own modules, so a change to briefgen between version numbers rebuilds too.

The inputs are a pure function of the Target, the brief and the records its rules picked, which
the release selects once per brief and hands to the build too.

An output built over its word or page limit by ``--allow-overlength`` says so in
``allowed-overlength``, so the next build without that flag builds it again (and fails it).

The manifest itself is deterministic: sorted keys, outputs in (brief, format) order, paths
relative to the output folder, no timestamps. Fonts installed on the machine are not inputs.

This module imports no writer library, so a build where nothing changed stays fast.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from . import __version__
from .brief import SELECTABLE, LoadedBrief
from .dataset import KINDS, Dataset
from .errors import Location, Problem
from .select import Selected
from .stamp import file_sha256, installed_versions, normalised
from .target import Target, output_files
from .writers.look import DEFAULT_LOOK

MANIFEST = "manifest.json"
PACKAGE = Path(__file__).resolve().parent
TOOLS = ("typst", "weasyprint", "python-docx", "pypandoc-binary")
VOCABULARIES = tuple(k.name for k in KINDS if k.name not in SELECTABLE and k.name != "sources")
_CITED = re.compile(r"@([a-z0-9]+(?:-[a-z0-9]+)*)")

Key = tuple[str, str]              # (brief name, format)


# --- hashing -------------------------------------------------------------------------------

def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def folder_files(folder: Path, suffix: str = "") -> dict[str, bytes]:
    """Every file below ``folder`` (ending in ``suffix``) by its relative path, in order."""
    paths = sorted(p for p in folder.rglob(f"*{suffix}")
                   if p.is_file() and "__pycache__" not in p.parts)
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in paths}


def files_digest(files: dict[str, bytes]) -> str:
    return sha256(_canonical({name: sha256(data) for name, data in files.items()}))


def record_data(record: Any) -> Any:
    """A record as the data it holds, keys as written in YAML: what is hashed and compared."""
    return record.model_dump(mode="json", by_alias=True, exclude_none=True)


def _cited_sources(value: Any) -> set[str]:
    """The ``source`` of every evidence item anywhere in a dumped record."""
    if isinstance(value, dict):
        found = {value["source"]} if isinstance(value.get("source"), str) else set()
        return found.union(*(_cited_sources(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_cited_sources(v) for v in value))
    return set()


def tool_versions() -> dict[str, str]:
    versions = {"briefgen": __version__}
    installed = installed_versions()
    for name in TOOLS:
        versions[name] = installed.get(normalised(name), "not installed")
    return versions


# --- inputs --------------------------------------------------------------------------------

@dataclass
class Inputs:
    """The input hashes of outputs, with what briefs and formats share computed once."""

    dataset: Dataset
    _audiences: dict[Path, dict[str, bytes]] = field(default_factory=dict)
    _briefs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _files: dict[Path, str] = field(default_factory=dict)

    @cached_property
    def shared(self) -> dict[str, Any]:
        code = files_digest(folder_files(PACKAGE, ".py"))
        return {"look": files_digest(folder_files(DEFAULT_LOOK)), "code": code,
                "versions": tool_versions()}

    @cached_property
    def sources(self) -> dict[str, Any]:
        return {s.id: s for s in self.dataset.records("sources")}

    @cached_property
    def vocabularies(self) -> dict[str, Any]:
        """Every kind a brief does not select (themes, actors, abbreviations...), and the
        foreign terms the typography pass sets in italics: any may change any brief."""
        found = {kind: [record_data(r) for r in self.dataset.records(kind)] for kind in VOCABULARIES}
        terms = self.dataset.root / "foreign-terms.yaml"
        found["foreign-terms"] = file_sha256(terms) if terms.is_file() else None
        return found

    def of(self, target: Target, loaded: LoadedBrief, selected: Selected) -> dict[str, Any]:
        """Every input of one output, each a hash or a short value."""
        inputs = {**self._brief(loaded, selected), **self.shared, "format": target.format,
                  "pdf-engine": target.engine, "style": self._file(target.style),
                  "epoch": target.epoch,
                  "brand": sorted(self._file(p) for p in loaded.brand.sources)}
        if target.reference_docx is not None:
            inputs["reference-docx"] = self._file(target.reference_docx)
        return inputs

    def _file(self, path: Path) -> str:
        if path not in self._files:
            self._files[path] = file_sha256(path)
        return self._files[path]

    def _brief(self, loaded: LoadedBrief, selected: Selected) -> dict[str, Any]:
        if loaded.name not in self._briefs:
            brief_bytes = loaded.path.read_bytes()
            audience = self._audience(loaded.template_dir)
            self._briefs[loaded.name] = {
                "brief": sha256(brief_bytes),
                "records": self._records(selected, [brief_bytes, *audience.values()]),
                "audience": files_digest(audience),
            }
        return self._briefs[loaded.name]

    def _audience(self, folder: Path) -> dict[str, bytes]:
        if folder not in self._audiences:
            self._audiences[folder] = folder_files(folder)
        return self._audiences[folder]

    def _records(self, selected: Selected, texts: list[bytes]) -> str:
        """The picked records, the vocabularies and the sources the brief can cite."""
        picked = {kind: [record_data(r) for r in getattr(selected, kind)] for kind in SELECTABLE}
        cited = _cited_sources(picked)
        for text in texts:
            cited |= set(_CITED.findall(text.decode("utf-8", "replace")))
        sources = {i: record_data(self.sources[i]) for i in sorted(cited) if i in self.sources}
        return sha256(_canonical({**picked, "sources": sources, **self.vocabularies}))


def digest(inputs: dict[str, Any]) -> str:
    """One hash of all an output's inputs: equal digests, equal bytes."""
    return sha256(_canonical(inputs))


# --- entries -------------------------------------------------------------------------------

def file_record(path: Path, out_dir: Path) -> dict[str, Any]:
    return {"name": path.relative_to(out_dir).as_posix(), "sha256": file_sha256(path),
            "size": path.stat().st_size}


def entry(brief: str, fmt: str, files: list[dict[str, Any]], inputs: dict[str, Any], *,
          pages: int | None, words: int, notes: int, warnings: list[dict[str, Any]],
          allowed_overlength: bool = False, content: dict[str, Any] | None = None
          ) -> dict[str, Any]:
    return {"brief": brief, "format": fmt, "files": files, "pages": pages, "words": words,
            "notes": notes, "warnings": warnings, "allowed-overlength": allowed_overlength,
            "inputs": inputs, "digest": digest(inputs), **(content or {})}


def content_record(dataset: Dataset, records: tuple[str, ...], note_texts: list[str],
                   word_limit: int | None, page_limit: int | None) -> dict[str, Any]:
    """What ``briefgen diff`` compares between two releases without their sources: each record
    the output printed by id with the hash of its content, each note's text hash in order,
    one hash of all the notes, and the limits its words and pages were held to."""
    notes = [sha256(text.encode()) for text in note_texts]
    return {"records": {rid: sha256(_canonical(record_data(dataset.get(rid))))
                        for rid in records if rid in dataset.by_id},
            "note-hashes": notes, "notes-sha256": sha256(_canonical(notes)),
            "limits": {"words": word_limit, "pages": page_limit}}


def warning_record(warning: Problem) -> dict[str, Any]:
    """A build's warning as the manifest keeps it, to be shown again when the output is
    skipped: the flaw is still in the file."""
    loc = warning.loc
    return {"path": loc.path, "line": loc.line, "col": loc.col, "message": warning.message}


def warnings_of(record: dict[str, Any]) -> list[Problem]:
    return [Problem(Location(w["path"], w["line"], w["col"]), w["message"], "warning")
            for w in record.get("warnings", [])]


def intact(record: dict[str, Any], out_dir: Path) -> bool:
    """Every file of an output is still there with the bytes the manifest recorded. Which
    files those are comes from the output's Target (``output_files``), never from the
    manifest's own list: an empty or swapped list would make a deleted output look intact."""
    try:
        files = record["files"]
        names = [f["name"] for f in files]
        if names != list(output_files(record["brief"], record["format"])):
            return False
        return all(f["size"] == (out_dir / f["name"]).stat().st_size
                   and f["sha256"] == file_sha256(out_dir / f["name"]) for f in files)
    except (OSError, KeyError, TypeError):
        return False


def unchanged(record: dict[str, Any] | None, inputs: dict[str, Any], out_dir: Path) -> bool:
    return record is not None and record.get("digest") == digest(inputs) and intact(record, out_dir)


# --- the file ------------------------------------------------------------------------------

def read(out_dir: Path) -> dict[Key, dict[str, Any]]:
    """The outputs an earlier build recorded; none when there is no readable manifest (then
    everything is built, which is always correct)."""
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        return {(e["brief"], e["format"]): e for e in data["outputs"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def render(entries: dict[Key, dict[str, Any]], dataset_version: str | None) -> str:
    data = {"briefgen": __version__, "dataset": dataset_version,
            "outputs": [entries[key] for key in sorted(entries)]}
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(out_dir: Path, entries: dict[Key, dict[str, Any]], dataset_version: str | None) -> None:
    """Written to a temporary file and renamed, as every output is."""
    temp = out_dir / f".{MANIFEST}.{os.getpid()}.part"
    try:
        temp.write_text(render(entries, dataset_version), encoding="utf-8")
        os.replace(temp, out_dir / MANIFEST)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


# git reads the repository's own config, and a project received as an archive brings its own
# .git/config: `describe --dirty` refreshes the index, which runs core.fsmonitor and may run a
# clean filter. So the version is read without --dirty (describe then reads refs and objects
# only), fsmonitor and hooks off, and no config but the repository's (no system or user file,
# no pager, no prompt).
_SAFE_GIT = ("git", "-c", "core.fsmonitor=false", "-c", "core.hooksPath=/dev/null",
             "-c", "core.pager=cat", "--no-optional-locks")


def _git_environment() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C",
            "HOME": "/nonexistent", "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}


def safe_git(where: Path, *args: str, binary: bool = False,
             timeout: float | None = None) -> subprocess.CompletedProcess:
    """git in ``where``, run so it executes nothing the repository configures (see above);
    its output as text, or as bytes with ``binary``."""
    return subprocess.run([*_SAFE_GIT, "-C", str(where), *args], capture_output=True,
                          text=not binary, timeout=timeout, stdin=subprocess.DEVNULL,
                          env=_git_environment())


def dataset_version(data: Path) -> str | None:
    """``git describe --tags --always`` of the repository holding the data folder, run so it
    executes nothing the repository configures; None where there is no git or no repository."""
    try:
        done = safe_git(data, "describe", "--tags", "--always", timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None
