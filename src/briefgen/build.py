"""The build: every stage of the pipeline for one brief, then one writer per Target.

The stages are a list the build walks (as markdown-it-py keeps its rules), so a stage is one
function from the work so far to the work so far. The release plan selected the brief's
records already (once, before hashing) and resolved each output to a ``Target``; the build
runs the stages once per brief and hands the document to each Target's writer
(``writers.writer``), which returns bytes. Only the build touches the disk: each file goes to
a temporary file in the output folder and is renamed into place once every format of the
brief succeeded, so a brief that fails leaves no partial file.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from . import cite as citing
from . import limits
from . import measure
from . import model as m
from . import typography
from .brief import LoadedBrief
from .compose import TEMPLATE, compose
from .dataset import Dataset
from .errors import BriefgenError, Problem, text_location
from .select import Selected, select
from .target import Target, targets
from .writers import Written, glyphs, preparer, unstorable_messages, writer
from .writers.look import Look


@dataclass
class Work:
    """One brief on its way through the pipeline."""

    loaded: LoadedBrief
    dataset: Dataset
    selected: Selected
    style: Path                    # the CSL file every Target of the brief cites with
    writers: tuple[str, ...] = ()  # the writers its Targets need (``Target.writer``)
    markdown: str = ""
    document: m.Document | None = None
    records: tuple[str, ...] = ()  # the ids of the records the document printed
    count: measure.Count | None = None
    allow_overlength: bool = False
    allowed: list[Problem] = field(default_factory=list)   # over a limit, by the author's leave
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    prepared: dict[str, Any] = field(default_factory=dict)   # by writer key, ``preparer``'s

    @property
    def look(self) -> Look:
        return Look.of(self.loaded)

    def warn(self, messages: list[str]) -> None:
        """Warnings about this brief's output, located at the brief file."""
        self.warnings += [Problem(self.loaded.loc(), m, "warning") for m in messages]


def _compose(work: Work) -> None:
    numbered = work.loaded.audience.numbered_paragraphs
    composed = compose(work.loaded, work.dataset, work.selected, numbered)
    work.markdown, work.document = composed.markdown, composed.document
    work.records = composed.records
    work.warnings += composed.warnings


def _cite(work: Work) -> None:
    style = _style(work.style)
    sources = {s.id: s for s in work.dataset.records("sources")}
    # The brief's own text was checked when composing, so a citation naming an unknown
    # source was written into the template itself: point at the line that wrote it.
    template = work.loaded.template_dir / TEMPLATE
    pending = citing.start_citing(
        work.document, sources, style,
        locate=lambda cite: text_location(template, [cite.source, *(f"@{i.key}" for i in cite.items)]))
    # While Pandoc formats the notes, in its own process: the writers' libraries (python-docx,
    # Typst...) are imported now, most of what a fresh process has left to load.
    for key in work.writers:
        writer(key)
    cited = pending.result()
    references = tuple(citing.csl_item(sources[key]) for key in cited.bibliography
                       if key in sources)
    # The notes' own text typeset as the body's was (typography.py): the style's words as it
    # writes them, then quotes, dashes and no-break codes as everywhere else.
    work.document = replace(cited, references=references,
                            notes=typography.typeset_notes(cited.notes))


@lru_cache(maxsize=None)
def _style(path: Path) -> citing.Style:
    """Each style parsed once per build; briefs citing with it take turns (one thread). Not
    probed: the brief's own citeproc run reports what Pandoc refuses in it, in the same words."""
    return citing.load_style(str(path), Path("."), probe=False)


def _measure(work: Work) -> None:
    work.count = measure.count(work.document)
    _limit(work, limits.word_problem(work.loaded, work.count, work.allow_overlength))


def _limit(work: Work, problem: Problem | None) -> None:
    """An over-limit brief fails, unless allowed: then it is a warning --strict lets pass."""
    if problem is None:
        return
    if problem.severity == "warning":
        work.allowed.append(problem)
    else:
        raise limits.LimitError([problem])


def _unstorable(work: Work) -> None:
    """Characters the writers drop (``writers.storable``) are named in a warning."""
    work.warn(unstorable_messages([work.markdown, glyphs.document_text(work.document)]))


STAGES: list[tuple[str, Callable[[Work], None]]] = [
    ("compose", _compose),
    ("cite", _cite),
    ("measure", _measure),
    ("unstorable", _unstorable),
]


def run_stages(loaded: LoadedBrief, dataset: Dataset, selected: Selected, style: Path,
               **options: Any) -> Work:
    work = Work(loaded, dataset, selected, style, **options)
    for name, stage in STAGES:
        start = time.perf_counter()
        stage(work)
        work.timings[name] = time.perf_counter() - start
    return work


def stages_of(loaded: LoadedBrief, dataset: Dataset, **options: Any) -> Work:
    """The stages for one brief outside a release (tests, the benchmark): its records are
    selected now, and it cites with its own style."""
    return run_stages(loaded, dataset, select(dataset, loaded.brief.select), loaded.style_file,
                      **options)


# --- writers ------------------------------------------------------------------------------

@dataclass
class Output:
    """One Target built: its files and what the summary and the manifest say of it."""

    target: Target
    paths: list[Path]
    seconds: float
    words: int = 0                # as the audience counts them (see limits.py)
    notes: int = 0
    pages: int | None = None      # as the writer laid them out, where the format has pages
    over_allowed: bool = False    # over a limit, built by --allow-overlength


def build_brief(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
                targets: list[Target], out_dir: Path, *, strict: bool = False,
                allow_overlength: bool = False,
                warnings: list[Problem] | None = None) -> list[Output]:
    """Every Target of one brief, all or nothing.

    Warnings are added to ``warnings``; under ``strict`` they are errors and nothing is
    written. A brief over a limit fails unless ``allow_overlength`` makes that a warning.
    """
    work = prepare_brief(loaded, dataset, selected, targets, allow_overlength=allow_overlength)
    return write_brief(work, targets, out_dir, strict=strict, warnings=warnings)


def prepare_brief(loaded: LoadedBrief, dataset: Dataset, selected: Selected,
                  targets: list[Target], *, allow_overlength: bool = False) -> Work:
    """The first half of ``build_brief``: the stages, compose to measure, for its Targets,
    and the Python half of each writer that has one (``writers.preparer``)."""
    work = run_stages(loaded, dataset, selected, targets[0].style,
                      writers=tuple(dict.fromkeys(t.writer for t in targets)),
                      allow_overlength=allow_overlength)
    for target in targets:
        prepare = preparer(target.writer)
        if prepare is not None:
            work.prepared[target.writer] = prepare(work.document, target, work.look)
    return work


def write_brief(work: Work, targets: list[Target], out_dir: Path, *, strict: bool = False,
                warnings: list[Problem] | None = None) -> list[Output]:
    """The second half of ``build_brief``: each Target's writer, then every file renamed into
    place, or none. It touches nothing of another brief's, so a release can run it for one
    brief while the stages run for the next (``release._pipelined``)."""
    staged: list[tuple[Path, Path]] = []
    outputs = []
    try:
        for target in targets:
            began = time.perf_counter()
            output = _write(work, target, out_dir, staged)
            output.seconds = time.perf_counter() - began
            outputs.append(output)
        if strict and work.warnings:
            raise BriefgenError([Problem(w.loc, w.message + " (an error under --strict)")
                                 for w in work.warnings])
        for temp, final in staged:
            _replace(temp, final)
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    if warnings is not None:
        warnings += work.warnings + work.allowed
    shared = sum(work.timings.values()) / max(len(outputs), 1)
    for output in outputs:
        output.seconds += shared
    return outputs


def build_formats(loaded: LoadedBrief, dataset: Dataset, formats: list[str], out_dir: Path, *,
                  pdf_engine: str | None = None, **options: Any) -> list[Output]:
    """One brief outside a release: its records selected and its Targets planned now."""
    return build_brief(loaded, dataset, select(dataset, loaded.brief.select),
                       targets(loaded, formats, pdf_engine), out_dir, **options)


def _write(work: Work, target: Target, out_dir: Path,
           staged: list[tuple[Path, Path]]) -> Output:
    """One Target's files, staged as temporary files; its page limit checked."""
    words_over = bool(work.allowed)
    prepared = work.prepared.pop(target.writer, None)
    write = writer(target.writer)
    written: Written = (write(work.document, target, work.look) if prepared is None else
                        write(work.document, target, work.look, prepared=prepared))
    work.warn(written.warnings)
    page_over = None
    if written.pages is not None:
        page_over = limits.page_problem(work.loaded, written.pages, work.allow_overlength,
                                        target.format.upper())
        _limit(work, page_over)
    for name in target.files:
        temp = _temp_path(out_dir, name)
        staged.append((temp, out_dir / name))
        temp.write_bytes(written.files[name])
    limit = limits.limits_of(work.loaded)
    return Output(target, [out_dir / name for name in target.files], 0.0,
                  limit.words_of(work.count), len(work.document.notes), written.pages,
                  words_over or page_over is not None)


def _replace(temp: Path, final: Path) -> None:
    """A staged file into place; a failure names the output, not the temporary file."""
    try:
        os.replace(temp, final)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(final)) from None


def _temp_path(out_dir: Path, name: str) -> Path:
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out_dir)
    os.close(handle)
    os.unlink(path)
    return Path(path)
