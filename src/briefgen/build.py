"""The build: every stage of the pipeline for each brief, then one writer per format.

The stages are a list the build walks (as markdown-it-py keeps its rules), so a stage is one
function from the work so far to the work so far. Outputs are written to a temporary file in
the output folder and renamed into place, so a brief that fails leaves no partial file.
``release.py`` builds many briefs: it skips unchanged outputs and runs briefs in parallel.
"""

from __future__ import annotations

import os
from functools import lru_cache
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import cite as citing
from . import limits
from . import measure
from . import model as m
from .brief import LoadedBrief
from .compose import TEMPLATE, compose
from .dataset import Dataset
from .errors import BriefgenError, Problem, text_location
from .select import Selected, select
from .writers.epoch import resolve_epoch
from .writers import markdown as md_writer
from .writers.look import Look


@dataclass
class Work:
    """One brief on its way through the pipeline."""

    loaded: LoadedBrief
    dataset: Dataset
    selected: Selected | None = None
    markdown: str = ""
    document: m.Document | None = None
    style: Any = None
    pdf_engine: str = "typst"
    pages: int | None = None      # as the PDF writer laid them out, when a PDF was asked for
    count: measure.Count | None = None
    allow_overlength: bool = False
    allowed: list[Problem] = field(default_factory=list)   # over a limit, by the author's leave
    warnings: list[Problem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def look(self) -> Look:
        return Look.of(self.loaded)

    def warn(self, messages: list[str]) -> None:
        """Warnings about this brief's output, located at the brief file."""
        self.warnings += [Problem(self.loaded.loc(), m, "warning") for m in messages]


def _select(work: Work) -> None:
    if work.selected is None:      # the release build may have selected already, to hash
        work.selected = select(work.dataset, work.loaded.brief.select)


def _compose(work: Work) -> None:
    numbered = work.loaded.audience.numbered_paragraphs
    composed = compose(work.loaded, work.dataset, work.selected, numbered)
    work.markdown, work.document = composed.markdown, composed.document
    work.warnings += composed.warnings


def _cite(work: Work) -> None:
    work.style = _style(work.loaded.style)
    sources = {s.id: s for s in work.dataset.records("sources")}
    # The brief's own text was checked when composing, so a citation naming an unknown
    # source was written into the template itself: point at the line that wrote it.
    template = work.loaded.template_dir / TEMPLATE
    work.document = citing.cite_document(
        work.document, sources, work.style,
        locate=lambda cite: text_location(template, [cite.source, *(f"@{i.key}" for i in cite.items)]))


@lru_cache(maxsize=None)
def _style(name: str) -> citing.Style:
    """Each style parsed once per build; briefs citing with it take turns (one thread)."""
    # LoadedBrief.style is a house style's name or a path already resolved from the brief.
    return citing.load_style(name, Path("."))


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
    from .writers import glyphs, unstorable_messages

    work.warn(unstorable_messages([work.markdown, glyphs.document_text(work.document)]))


STAGES: list[tuple[str, Callable[[Work], None]]] = [
    ("select", _select),
    ("compose", _compose),
    ("cite", _cite),
    ("measure", _measure),
    ("unstorable", _unstorable),
]


def run_stages(loaded: LoadedBrief, dataset: Dataset, **options: Any) -> Work:
    work = Work(loaded, dataset, **options)
    for name, stage in STAGES:
        start = time.perf_counter()
        stage(work)
        work.timings[name] = time.perf_counter() - start
    return work


# --- writers ------------------------------------------------------------------------------

def _write_docx(work: Work, out: Path) -> None:
    from .writers.docx import write_docx   # python-docx costs ~0.2 s to import: only when asked

    write_docx(work.document, out, reference_docx=work.loaded.reference_docx)


def _write_md(work: Work, out: Path) -> list[tuple[str, bytes]]:
    return md_writer.files(work, work.loaded.name)


def _write_pdf(work: Work, out: Path) -> None:
    _check_glyphs(work)
    if work.pdf_engine == "weasyprint":
        from .writers import weasy      # WeasyPrint costs ~0.9 s to import: only when asked

        epoch = int(resolve_epoch(None, work.document.meta).timestamp())
        laid = weasy.write_pdf(work.document, out, work.look, epoch=epoch,
                               project_root=Path.cwd())
    else:
        from .writers import typst_pdf

        laid = typst_pdf.write_pdf(work.document, out, work.look)
    work.warn(laid.warnings)
    work.pages = laid.pages
    _limit(work, limits.page_problem(work.loaded, laid.pages, work.allow_overlength))


def _check_glyphs(work: Work) -> None:
    from .writers import glyphs

    fonts = work.look.fonts
    work.warn(glyphs.messages(work.document, fonts.text, "text"))


def _write_html(work: Work, out: Path) -> None:
    from .writers import html

    html.write_html(work.document, out, work.look)


# A writer either writes the file it is given, or returns (file name, bytes) pairs to write.
WRITERS: dict[str, Callable[[Work, Path], Any]] = {
    "md": _write_md,
    "docx": _write_docx,
    "pdf": _write_pdf,
    "html": _write_html,
}


@dataclass
class Output:
    brief: str
    format: str
    paths: list[Path]
    seconds: float
    words: int = 0                # as the audience counts them (see limits.py)
    notes: int = 0
    pages: int | None = None      # PDF outputs only


def build_brief(loaded: LoadedBrief, dataset: Dataset, formats: list[str],
                out_dir: Path, *, pdf_engine: str | None = None, strict: bool = False,
                allow_overlength: bool = False,
                warnings: list[Problem] | None = None,
                selected: Selected | None = None) -> list[Output]:
    """Every asked format of one brief, all or nothing.

    Warnings are added to ``warnings``; under ``strict`` they are errors and nothing is
    written. A brief over a limit fails unless ``allow_overlength`` makes that a warning.
    """
    work = run_stages(loaded, dataset, pdf_engine=pdf_engine or loaded.brief.pdf_engine,
                      allow_overlength=allow_overlength, selected=selected)
    limit = limits.limits_of(loaded)
    staged: list[tuple[Path, Path]] = []
    outputs = []
    try:
        for fmt in formats:
            began = time.perf_counter()
            work.pages = None
            pairs = _run_writer(fmt, work, out_dir)
            staged += pairs
            outputs.append(Output(loaded.name, fmt, [final for _, final in pairs],
                                  time.perf_counter() - began, limit.words_of(work.count),
                                  len(work.document.notes), work.pages))
        if strict and work.warnings:
            raise BriefgenError([Problem(w.loc, w.message + " (an error under --strict)")
                                 for w in work.warnings])
    except BaseException:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise
    for temp, final in staged:
        os.replace(temp, final)
    if warnings is not None:
        warnings += work.warnings + work.allowed
    shared = sum(work.timings.values()) / max(len(outputs), 1)
    for output in outputs:
        output.seconds += shared
    return outputs


def _run_writer(fmt: str, work: Work, out_dir: Path) -> list[tuple[Path, Path]]:
    """Write one format into temporary files; return (temporary, final) path pairs."""
    final = out_dir / f"{work.loaded.name}.{fmt}"
    temp = _temp_path(out_dir, final.name)
    try:
        extra = WRITERS[fmt](work, temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    pairs = [(temp, final)] if temp.exists() else []
    for name, data in extra or []:
        extra_temp = _temp_path(out_dir, name)
        extra_temp.write_bytes(data)
        pairs.append((extra_temp, out_dir / name))
    return pairs


def _temp_path(out_dir: Path, name: str) -> Path:
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=out_dir)
    os.close(handle)
    os.unlink(path)
    return Path(path)
