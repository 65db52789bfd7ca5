"""``briefgen diff OLD NEW``: what changed in each brief between two releases.

A side is a ``dist/`` folder with its manifest, or a git revision of the project. A revision is
taken out of the repository with ``git archive`` into a temporary folder (no hooks, no
configured commands: the same care as the manifest's ``git describe``) and built there, every
brief in every format it asks for, into a temporary ``dist/``; its dataset is kept, so changed
records are shown with a word diff of their text and recommendations with their status.

Two ``dist/`` folders are compared by their manifests alone (``manifest.content_record``):
records added, removed or changed by id and hash, notes by their texts' hashes, words and
pages against the limits. The exit status is ``diff``'s: 0 when nothing changed, 1 when
something did.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import BriefgenError, Location, Problem, display_path
from .manifest import MANIFEST, record_data, safe_git


class DiffError(BriefgenError):
    """A side that is neither a release folder nor a revision of the project."""


@dataclass
class Side:
    """One release: its manifest's outputs by brief, and its dataset when it was built here."""

    name: str
    outputs: dict[str, dict[str, dict]]        # brief -> format -> manifest entry
    dataset: Any = None
    project: Path | None = None                # a revision's folder, where it was built
    briefs: dict[str, Any] = field(default_factory=dict)    # name -> LoadedBrief
    date: str = ""                             # a revision's commit time, ISO 8601 UTC

    def record(self, record_id: str) -> Any:
        if self.dataset is None or record_id not in self.dataset.by_id:
            return None
        return self.dataset.get(record_id)


@dataclass
class BriefDiff:
    """What changed in one brief between the two sides."""

    brief: str
    only_in: str = ""                          # "old" or "new" when the brief is on one side
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)    # id, kind, fields
    status: list[dict[str, Any]] = field(default_factory=list)     # id, old, new
    notes: list[dict[str, Any]] = field(default_factory=list)      # what, old, new
    outputs: list[dict[str, Any]] = field(default_factory=list)    # format, words, pages

    @property
    def any(self) -> bool:
        return bool(self.only_in or self.added or self.removed or self.changed or self.status
                     or self.notes or any(o["changed"] for o in self.outputs))

    def as_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items()}
        data["changed-anything"] = self.any
        return data


# --- the sides ------------------------------------------------------------------------------

def read_release(folder: Path) -> Side:
    """A ``dist/`` folder's manifest, by brief and format."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        entries = data["outputs"]
        outputs: dict[str, dict[str, dict]] = {}
        for entry in entries:
            outputs.setdefault(entry["brief"], {})[entry["format"]] = entry
    except (OSError, ValueError, KeyError, TypeError) as err:
        what = getattr(err, "strerror", None) or "not a briefgen manifest"
        raise DiffError([Problem(Location(display_path(path)),
                                 f"cannot read the release's manifest; expected a manifest.json "
                                 f"that briefgen wrote, got {what}")]) from None
    return Side(display_path(folder), outputs)


def export_revision(root: Path, revision: str, into: Path) -> Path:
    """The project as it was at ``revision``, written below ``into``; its folder returned."""
    found = safe_git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if found.returncode:
        raise DiffError([Problem(Location(revision), "no such release; expected a folder with "
                                 "a manifest.json or a git revision of the project, got neither")])
    top = safe_git(root, "rev-parse", "--show-toplevel").stdout.strip()
    prefix = os.path.relpath(root.resolve(), Path(top).resolve()) if top else "."
    commit = found.stdout.strip()
    listed = safe_git(root, "ls-tree", "--name-only", f"{commit}:{'' if prefix == '.' else prefix}")
    inputs = [name for name in listed.stdout.splitlines() if name in PROJECT_INPUTS]
    if listed.returncode or "data" not in inputs:
        raise DiffError([Problem(Location(revision), "no briefgen project at that revision; "
                                 f"expected a data folder in {prefix}, got none")])
    here = [name if prefix == "." else f"{prefix}/{name}" for name in inputs]
    archive = safe_git(root, "archive", "--format=tar", commit, "--", *here, binary=True)
    if archive.returncode:
        raise DiffError([Problem(Location(revision), "cannot read the revision; expected git "
                                 f"archive to succeed, got {archive.stderr.decode().strip()}")])
    folder = into / "tree"
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        for member in tar.getmembers():
            _extract(tar, member, folder)
    return folder / prefix if prefix != "." else folder


# What a build reads of a project: the rest of a repository (tests, tools) is not exported.
PROJECT_INPUTS = ("data", "briefs", "templates", "brand.yaml", "brand", "styles")


def _extract(tar: tarfile.TarFile, member: tarfile.TarInfo, folder: Path) -> None:
    """One member, if it is safe: no link out of the folder, no device (PEP 706's data filter
    where Python has it, else files and folders only). A refused member is left out; the
    build then reports what it misses, as it would in a project received so."""
    if hasattr(tarfile, "data_filter"):
        try:
            tar.extract(member, folder, filter="data")
        except tarfile.FilterError:
            pass
    elif (member.isfile() or member.isdir()) and not member.name.startswith("/") \
            and ".." not in Path(member.name).parts:
        tar.extract(member, folder)


@contextmanager
def _in_project(project: Path) -> Iterator[None]:
    """Work in a revision's folder as a build works in its project: from its root, reading
    nothing outside it (``paths.confine``, as for any project received from others)."""
    from . import paths

    here, saved = Path.cwd(), paths.roots()
    os.chdir(project)
    paths.confine(project, brand_home=project)
    try:
        yield
    finally:
        paths.set_roots(saved)
        os.chdir(here)


def build_revision(root: Path, revision: str, into: Path) -> Side:
    """Every brief of the project at ``revision`` built with this briefgen into ``into``."""
    from .brief import load_briefs
    from .release import Settings, build_release
    from .validate import load_dataset

    project = export_revision(root, revision, into).resolve()
    dist = into / "dist"
    try:
        with _in_project(project):
            dataset = load_dataset(Path("data"))
            briefs = load_briefs(sorted(Path("briefs").glob("*.yaml")), dataset,
                                 Path("templates"))
            # over a limit is a fact to compare (the pages line says so), not a failure
            result = build_release(briefs, dataset, Settings(dist.resolve(), jobs=1,
                                                             complete=True,
                                                             allow_overlength=True))
        if result.problems:
            raise BriefgenError(result.problems)
    except BriefgenError as err:
        raise DiffError([Problem(Location(f"{revision}:{p.loc}"), p.message)
                         for p in err.problems]) from None
    side = read_release(dist)
    side.name, side.dataset, side.project = revision, dataset, project
    side.briefs = {b.name: b for b in briefs}
    when = safe_git(root, "log", "-1", "--format=%ct", revision).stdout.strip()
    side.date = (dt.datetime.fromtimestamp(int(when), dt.timezone.utc)
                 .strftime("%Y-%m-%dT%H:%M:%SZ") if when.isdigit() else "")
    return side


# --- redlines -------------------------------------------------------------------------------

def write_redlines(old: Side, new: Side, diffs: list[BriefDiff], out: Path) -> list[Path]:
    """For each brief that changed, on both sides: ``OUT/NAME.redline.docx``, the newer
    version with every change since the older one as a Word tracked change (author
    "briefgen", dated with the newer revision's commit), notes included; and
    ``OUT/NAME.redline.html``, the same changes on the web page (``<ins>``, ``<del>``)."""
    if old.project is None or new.project is None:
        raise DiffError([Problem(Location(old.name if old.project is None else new.name),
                                 "a redline needs the documents themselves; expected two git "
                                 "revisions, got a release folder (its manifest holds hashes)")])
    from . import redline
    from .build import stages_of
    from .writers.docx import docx_bytes
    from .writers.html import render_page
    from .writers.look import Look

    written = []
    out.mkdir(parents=True, exist_ok=True)
    for d in diffs:
        if not d.any or d.only_in:
            continue
        with _in_project(old.project):
            before = stages_of(old.briefs[d.brief], old.dataset).document
        loaded = new.briefs[d.brief]
        with _in_project(new.project):
            after = stages_of(loaded, new.dataset).document
            merged = redline.merge(before, after)
            files = {f"{d.brief}.redline.docx": docx_bytes(merged, Look.of(loaded),
                                                           revision=("briefgen", new.date)),
                     f"{d.brief}.redline.html":
                         render_page(merged, Look.of(loaded), mode="web").encode("utf-8")}
        for name, data in files.items():
            path = out / name
            temp = path.with_name(f".{path.name}.part")
            temp.write_bytes(data)
            os.replace(temp, path)
            written.append(path)
    return written


def side_of(what: str, root: Path, scratch: Path) -> Side:
    folder = Path(what)
    if folder.is_dir() and (folder / MANIFEST).is_file():
        return read_release(folder)
    scratch.mkdir(parents=True, exist_ok=True)
    return build_revision(root, what, Path(tempfile.mkdtemp(dir=scratch)))


# --- comparing ------------------------------------------------------------------------------

def compare(old: Side, new: Side, briefs: list[str] | None = None) -> list[BriefDiff]:
    names = sorted(set(old.outputs) | set(new.outputs))
    if briefs:
        unknown = [b for b in briefs if b not in names]
        if unknown:
            raise DiffError([Problem(Location(b), f"no brief {b!r} in either release; expected "
                                     f"one of {', '.join(names)}, got {b!r}") for b in unknown])
        names = [n for n in names if n in briefs]
    return [_brief(name, old, new) for name in names]


def _brief(name: str, old: Side, new: Side) -> BriefDiff:
    found = BriefDiff(name)
    before, after = old.outputs.get(name), new.outputs.get(name)
    if before is None or after is None:
        found.only_in = "new" if before is None else "old"
        return found
    was, now = _content(before), _content(after)
    old_ids, new_ids = was.get("records", {}), now.get("records", {})
    found.added = [r for r in new_ids if r not in old_ids]
    found.removed = [r for r in old_ids if r not in new_ids]
    for rid in (r for r in new_ids if r in old_ids and new_ids[r] != old_ids[r]):
        found.changed.append({"id": rid, **_record_change(old.record(rid), new.record(rid))})
        status = _status_change(old.record(rid), new.record(rid))
        if status:
            found.status.append({"id": rid, **status})
    found.notes = note_changes(was.get("note-hashes", []), now.get("note-hashes", []))
    found.outputs = [_output(fmt, before.get(fmt), after.get(fmt))
                     for fmt in sorted(set(before) | set(after))]
    return found


def _content(entries: dict[str, dict]) -> dict[str, Any]:
    """A brief's records and notes are the same in every format: the first that has them."""
    for fmt in sorted(entries):
        if "records" in entries[fmt]:
            return entries[fmt]
    return {}


def _record_change(old: Any, new: Any) -> dict[str, Any]:
    """The fields that changed, each text with a word diff (when both records are at hand)."""
    if old is None or new is None:
        return {"kind": None, "fields": {}}
    before, after = record_data(old), record_data(new)
    fields = {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            was, now = before.get(key), after.get(key)
            fields[key] = (word_diff(was, now) if isinstance(was, str) and isinstance(now, str)
                           else {"old": was, "new": now})
    return {"kind": type(new).__name__.lower(), "fields": fields}


def _status_change(old: Any, new: Any) -> dict[str, Any] | None:
    """A recommendation's status as the latest entry of its status list says it."""
    if old is None or new is None or not hasattr(new, "status"):
        return None
    was, now = _latest_status(old), _latest_status(new)
    return {"old": was, "new": now} if was != now else None


def _latest_status(record: Any) -> str | None:
    """The latest assessment of a recommendation: "partially-met (2019)"."""
    statuses = getattr(record, "status", None) or []
    if not statuses:
        return None
    last = statuses[-1]
    return f"{last.status} ({last.date})"


CONTEXT = 6      # unchanged words kept on each side of a change; longer runs are cut to "…"


def word_diff(old: str, new: str) -> str:
    """``old`` to ``new`` word by word, as ``git diff --word-diff`` writes it: [-gone-]{+new+},
    with a few unchanged words around each change."""
    a, b = old.split(), new.split()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    out = []
    for n, (op, i1, i2, j1, j2) in enumerate(ops):
        if op == "equal":
            out += _context(a[i1:i2], first=n == 0, last=n == len(ops) - 1)
            continue
        gone = "[-" + " ".join(a[i1:i2]) + "-]" if i2 > i1 else ""
        came = "{+" + " ".join(b[j1:j2]) + "+}" if j2 > j1 else ""
        out.append(gone + came)
    return " ".join(out)


def _context(words: list[str], first: bool, last: bool) -> list[str]:
    """An unchanged run: whole when short, else its ends next to the changes."""
    keep_head = 0 if first else CONTEXT        # words after the change before it
    keep_tail = 0 if last else CONTEXT         # words before the change after it
    if len(words) <= keep_head + keep_tail + 1:
        return words
    return words[:keep_head] + ["…"] + (words[len(words) - keep_tail:] if keep_tail else [])


def note_changes(old: list[str], new: list[str]) -> list[dict[str, Any]]:
    """Each note that changed, moved, came or went, by number (1-based)."""
    found = []
    for i, text in enumerate(new, 1):
        if i <= len(old) and old[i - 1] == text:
            continue
        if text in old:
            found.append({"what": "moved", "old": old.index(text) + 1, "new": i})
        elif i <= len(old):
            found.append({"what": "changed", "old": i, "new": i})
        else:
            found.append({"what": "added", "old": None, "new": i})
    for i, text in enumerate(old, 1):
        if i > len(new) and text not in new:
            found.append({"what": "removed", "old": i, "new": None})
    return found


def _output(fmt: str, before: dict | None, after: dict | None) -> dict[str, Any]:
    def facts(entry: dict | None) -> dict[str, Any]:
        if entry is None:
            return {"words": None, "pages": None, "limits": {}}
        return {"words": entry.get("words"), "pages": entry.get("pages"),
                "limits": entry.get("limits", {})}

    was, now = facts(before), facts(after)
    return {"format": fmt, "old": was, "new": now,
            "changed": (was["words"], was["pages"]) != (now["words"], now["pages"])
            or before is None or after is None}


# --- telling -----------------------------------------------------------------------------------

def text(diffs: list[BriefDiff], old: Side, new: Side) -> str:
    """The report for a terminal. A record's text is data: a control character an escape in
    the YAML put there (ESC, say) is left out, so it cannot drive the terminal."""
    from .writers import storable

    return storable(_text(diffs, old, new))


def _text(diffs: list[BriefDiff], old: Side, new: Side) -> str:
    lines = [f"briefgen diff {old.name} {new.name}"]
    for d in diffs:
        if not d.any:
            continue
        lines.append("")
        lines.append(d.brief)
        if d.only_in:
            lines.append(f"  only in the {d.only_in} release")
            continue
        for rid in d.added:
            lines.append(f"  + {rid}")
        for rid in d.removed:
            lines.append(f"  - {rid}")
        for change in d.changed:
            fields = change["fields"]
            if not fields:
                lines.append(f"  ~ {change['id']} (changed; compare git revisions for the text)")
            for key, how in fields.items():
                if key == "status" and any(st["id"] == change["id"] for st in d.status):
                    continue          # said below, as the latest assessment
                shown = how if isinstance(how, str) else _short_change(how)
                lines.append(f"  ~ {change['id']} {key}: {shown}")
        for status in d.status:
            lines.append(f"  status of {status['id']}: {status['old']} -> {status['new']}")
        for note in d.notes:
            lines.append("  note " + _note_line(note))
        lines += _limits_lines(d.outputs)
    if len(lines) == 1:
        lines.append("no changes")
    return "\n".join(lines)


def _short_change(how: dict[str, Any]) -> str:
    """A change of a value that is not text: shown whole when short (--format json has it all)."""
    was, now = json.dumps(how["old"], ensure_ascii=False), json.dumps(how["new"], ensure_ascii=False)
    return f"{was} -> {now}" if len(was) + len(now) <= 120 else "changed"


def _note_line(note: dict[str, Any]) -> str:
    if note["what"] == "moved":
        return f"{note['old']} moved to {note['new']}"
    if note["what"] == "added":
        return f"{note['new']} added"
    if note["what"] == "removed":
        return f"{note['old']} removed"
    return f"{note['new']} changed"


def _limits_lines(outputs: list[dict[str, Any]]) -> list[str]:
    """Words once (every format counts the same words), pages for each format that has them,
    before and after, with the limit."""
    if not any(o["changed"] for o in outputs):
        return []
    lines = []
    words = next(((o["old"]["words"], o["new"]["words"], o["new"]["limits"].get("words"))
                  for o in outputs if o["old"]["words"] is not None
                  or o["new"]["words"] is not None), None)
    if words:
        lines.append(f"  words: {_n(words[0])} -> {_n(words[1])}" + _of(words[2]))
    paged = [o for o in outputs if o["old"]["pages"] is not None or o["new"]["pages"] is not None]
    if paged:
        limit = next((o["new"]["limits"].get("pages") for o in paged
                      if o["new"]["limits"].get("pages")), None)
        lines.append("  pages: " + ", ".join(
            f"{o['format']} {_n(o['old']['pages'])} -> {_n(o['new']['pages'])}" for o in paged)
            + _of(limit))
    return lines


def _n(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _of(limit: int | None) -> str:
    return f" (limit {limit:,})" if limit else ""


def run(old: str, new: str, briefs: list[str], root: Path, as_json: bool,
        redlines: Path | None = None) -> tuple[str, bool]:
    """The report, and whether anything changed; with ``redlines``, a redline DOCX there for
    each brief that changed."""
    scratch = Path(tempfile.mkdtemp(prefix="briefgen-diff-"))
    try:
        before, after = side_of(old, root, scratch / "old"), side_of(new, root, scratch / "new")
        diffs = compare(before, after, briefs or None)
        if redlines is not None:
            write_redlines(before, after, diffs, redlines)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    changed = any(d.any for d in diffs)
    if as_json:
        report = json.dumps({"old": before.name, "new": after.name, "changed": changed,
                             "briefs": [d.as_json() for d in diffs]}, indent=2, sort_keys=True)
    else:
        report = text(diffs, before, after)
    return report, changed
