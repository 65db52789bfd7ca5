"""The plan's unit: one ``Target`` per output, every per-output rule resolved once, here.

A Target says which brief, in which format, laid out by which writer (the PDF engine: the
command line's choice, else the brief's, else Typst), cited with which CSL file, dated with
which epoch, and written to which files. The manifest hashes its fields, the build consumes
it, the summary reads it; nothing downstream decides any of these again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .brief import LoadedBrief
from .names import output_files
from .writers.epoch import default_epoch


@dataclass(frozen=True)
class Target:
    brief: str                      # the brief's output name
    format: str                     # docx, pdf, html, md
    engine: str | None              # the PDF engine; None for other formats
    style: Path                     # the CSL file
    epoch: int                      # seconds since 1970 the document is dated with
    files: tuple[str, ...]          # the output files' names, the first the document itself
    reference_docx: Path | None = None

    @property
    def writer(self) -> str:
        """The writer's key in ``writers.WRITERS``."""
        return f"pdf/{self.engine}" if self.format == "pdf" else self.format


def target(loaded: LoadedBrief, fmt: str, pdf_engine: str | None = None) -> Target:
    """The one output of ``loaded`` in ``fmt``; ``pdf_engine`` is the command line's."""
    engine = (pdf_engine or loaded.brief.pdf_engine) if fmt == "pdf" else None
    return Target(loaded.name, fmt, engine, loaded.style_file, default_epoch(loaded.brief.date),
                  output_files(loaded.name, fmt),
                  loaded.reference_docx if fmt == "docx" else None)


def targets(loaded: LoadedBrief, formats: list[str] | None = None,
            pdf_engine: str | None = None) -> list[Target]:
    """Every output of one brief: the formats asked for, else the brief's own."""
    return [target(loaded, fmt, pdf_engine)
            for fmt in dict.fromkeys(formats or loaded.brief.formats)]
