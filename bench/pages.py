"""Page counts of every bundled brief in the three renderings: the Typst PDF, the WeasyPrint
PDF and the DOCX as LibreOffice lays it out. Each brief is built in its own look and brand.

    .venv/bin/python bench/pages.py            # a table; exit 1 when the counts disagree
    .venv/bin/python bench/pages.py --out DIR  # and keep the files (DIR/typst, weasy, docx)

The renderings share the brand's metrics (brand.yaml), so the counts should agree; a brief
whose counts differ, or exceed its page limit, is marked.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from briefgen.brief import load_brief
from briefgen.build import stages_of
from briefgen.validate import load_dataset
from briefgen.limits import limits_of
from briefgen.writers import docx_pages, typst_pdf, weasy
from briefgen.writers.docx import docx_bytes
from briefgen.writers.epoch import resolve_epoch
from briefgen.writers.look import Look

PROJECT = Path(__file__).resolve().parent.parent


def counts(path: Path, dataset, out: Path) -> tuple[str, int | None, list[int | None]]:
    loaded = load_brief(path, dataset, PROJECT / "templates")
    work = stages_of(loaded, dataset, allow_overlength=True)
    look = Look.of(loaded)
    pdf, _ = typst_pdf.compile_pdf(work.document, look)
    (out / "typst" / f"{loaded.name}.pdf").write_bytes(pdf)
    epoch = int(resolve_epoch(None, work.document.meta).timestamp())
    laid = weasy.write_pdf(work.document, out / "weasy" / f"{loaded.name}.pdf", look,
                           epoch=epoch, project_root=PROJECT)
    data = docx_bytes(work.document, look, reference_docx=loaded.reference_docx)
    (out / "docx" / f"{loaded.name}.docx").write_bytes(data)
    limit = getattr(limits_of(loaded), "pages", None)
    return loaded.name, limit, [typst_pdf.page_count(pdf), laid.pages,
                                docx_pages.count_pages(data)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the files here")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="briefgen-pages-"))
    for engine in ("typst", "weasy", "docx"):
        (out / engine).mkdir(parents=True, exist_ok=True)
    dataset = load_dataset(PROJECT / "data")
    print(f"{'brief':28} {'limit':>5} {'typst':>6} {'weasy':>6} {'docx':>6}")
    agree = True
    for path in sorted((PROJECT / "briefs").glob("*.yaml")):
        name, limit, pages = counts(path, dataset, out)
        known = {p for p in pages if p is not None}
        over = limit is not None and any(p > limit for p in known)
        mark = "  differ" if len(known) > 1 else ""
        mark += "  over the limit" if over else ""
        agree = agree and not mark
        shown = ["-" if p is None else str(p) for p in pages]
        print(f"{name:28} {limit or '-':>5} {shown[0]:>6} {shown[1]:>6} {shown[2]:>6}{mark}")
    if docx_pages.soffice() is None:
        print("the DOCX pages were not counted: LibreOffice (soffice) is not installed")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
