"""Calling a writer as the build does: ``write(document, target, look) -> Written``."""

from __future__ import annotations

from pathlib import Path

from briefgen import model
from briefgen.styles import HOUSE_STYLES
from briefgen.target import Target, output_files
from briefgen.writers import Written, writer
from briefgen.writers.look import Look

EPOCH = 1700000000                      # 2023-11-14T22:13:20Z


def target(key: str, *, epoch: int = EPOCH, name: str = "out",
           reference_docx: Path | None = None) -> Target:
    """A Target for the writer ``key`` ("docx", "pdf/typst", ...)."""
    fmt, _, engine = key.partition("/")
    return Target(name, fmt, engine or None, HOUSE_STYLES["uk-oscola"], epoch,
                  output_files(name, fmt), reference_docx)


def write_file(out: Path, doc: model.Document, look: Look, key: str, **options) -> Written:
    """Run the writer and put its document file at ``out``, as the build would."""
    written = writer(key)(doc, target(key, name=out.stem, **options), look)
    out.write_bytes(written.files[f"{out.stem}.{key.partition('/')[0]}"])
    return written
