"""`make bench`: how long checking the dataset takes, and building the start brief to DOCX.

Writes bench/results.json and bench/results.md and prints the table. Each figure is the
median of several runs on this machine; the scale run also reports peak memory (max RSS).
"""

from __future__ import annotations

import json
import platform
import shutil
import tempfile
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

RUNS = 5
MEASURE = """
import resource, sys, time
from pathlib import Path
t = time.perf_counter()
from briefgen.dataset import load_dataset
imported = time.perf_counter()
dataset = load_dataset(Path(sys.argv[1]))
done = time.perf_counter()
print(imported - t, done - imported, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      sum(dataset.counts().values()))
"""


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 4)


def fresh_process_check(data: Path) -> float:
    """Wall time of `briefgen check` as a user runs it: new interpreter, imports, load, validate."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "briefgen.cli", "check", "--data", str(data)],
                       check=True, capture_output=True, cwd=PROJECT)
        times.append(time.perf_counter() - start)
    return _median(times)


def load_and_validate(data: Path) -> dict:
    """Import time, load+validate time and peak memory, each run in its own process."""
    runs = [subprocess.run([sys.executable, "-c", MEASURE, str(data)], check=True,
                           capture_output=True, text=True).stdout.split() for _ in range(RUNS)]
    return {"import_s": _median([float(r[0]) for r in runs]),
            "load_validate_s": _median([float(r[1]) for r in runs]),
            "peak_rss_mb": round(max(float(r[2]) for r in runs), 1),
            "records": int(runs[0][3])}


START_BRIEF = PROJECT / "briefs" / "uk-westminster-hall-forb.yaml"


def _best_wall(command: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=cwd)
        times.append(time.perf_counter() - start)
    return _median(times)


def docx_against_pandoc() -> dict:
    """The start brief to DOCX in a fresh process, beside Pandoc on the same content.

    Pandoc gets briefgen's own Markdown export with its CSL-JSON bibliography and the same
    CSL style, so both make the same document with the same notes from the same input.
    """
    out = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    try:
        briefgen = [sys.executable, "-m", "briefgen.cli", "build", str(START_BRIEF)]
        subprocess.run(briefgen + ["--format", "md", "--out", str(out)], check=True,
                       capture_output=True, cwd=PROJECT)
        result = {"briefgen_docx_fresh_process_s":
                  _best_wall(briefgen + ["--format", "docx", "--out", str(out)], PROJECT)}
        pandoc = shutil.which("pandoc")
        if pandoc:
            md = f"{START_BRIEF.stem}.md"
            result["pandoc_citeproc_docx_s"] = _best_wall(
                [pandoc, "--citeproc", md, "-o", "pandoc.docx"], out)
            result["pandoc"] = subprocess.run([pandoc, "--version"], capture_output=True,
                                              text=True).stdout.splitlines()[0]
        return result
    finally:
        shutil.rmtree(out, ignore_errors=True)


RAW_TYPST = """
import json, sys, time
start = time.perf_counter()
import typst
page, packages, data = sys.argv[1:4]
began = time.perf_counter()
typst.compile(page, root=page.rsplit("/", 1)[0], package_path=packages,
              sys_inputs={"document": open(data, encoding="utf-8").read()},
              pdf_standards=["ua-1"], timestamp=0)
end = time.perf_counter()
print(json.dumps({"compile": end - began, "process": end - start}))
"""

PDF_MEASURE = """
import json, statistics, subprocess, sys, tempfile, time
from pathlib import Path
from briefgen.brief import load_briefs
from briefgen.build import build_brief, run_stages
from briefgen.dataset import load_dataset
from briefgen.writers import typst_pdf
from briefgen.writers.look import Look

runs, RAW = int(sys.argv[1]), sys.argv[2]
dataset = load_dataset(Path("data"))
briefs = load_briefs(sorted(Path("briefs").glob("*.yaml")), dataset, Path("templates"))
out = Path(tempfile.mkdtemp())
median = lambda xs: round(statistics.median(xs), 4)

def timed(fn):
    start = time.perf_counter(); fn(); return time.perf_counter() - start

results = {}
for loaded in briefs:
    name = loaded.name
    build = lambda engine: build_brief(loaded, dataset, ["pdf"], out, pdf_engine=engine)
    first = {e: timed(lambda: build(e)) for e in ("typst", "weasyprint")}
    warm = {e: median([timed(lambda: build(e)) for _ in range(runs)]) for e in ("typst", "weasyprint")}
    # The raw compile: the same page and the same JSON, handed to Typst in a new process, as
    # `typst compile page.typ --input document=...` would be: none of briefgen's stages
    # (select, compose, cite), data preparation or glyph check, and a cold Typst cache.
    work = run_stages(loaded, dataset)
    look = Look.of(loaded)
    data = out / f"{name}.json"
    data.write_text(json.dumps(typst_pdf.document_data(work.document, look), ensure_ascii=False))
    raw = [json.loads(subprocess.run([sys.executable, "-c", RAW, str(look.file("page.typ")),
                                      str(typst_pdf.PACKAGES), str(data)],
                                     check=True, capture_output=True, text=True).stdout)
           for _ in range(runs)]
    results[name] = {"typst_first_s": round(first["typst"], 4), "typst_warm_s": warm["typst"],
                     "weasyprint_first_s": round(first["weasyprint"], 4),
                     "weasyprint_warm_s": warm["weasyprint"],
                     "raw_typst_compile_s": median([r["compile"] for r in raw]),
                     "raw_typst_process_s": median([r["process"] for r in raw]),
                     "stages_s": round(sum(work.timings.values()), 4),
                     "notes": len(work.document.notes)}
print(json.dumps(results))
"""


def pdf_per_brief() -> dict:
    """Per bundled brief, in one process: the PDF with each engine, the whole pipeline from
    select to file (first build, then again: Typst's memo cache makes a repeat cheap); and,
    in a new process, Typst's raw compile of the same page and data."""
    out = subprocess.run([sys.executable, "-c", PDF_MEASURE, str(RUNS), RAW_TYPST], check=True,
                         capture_output=True, text=True, cwd=PROJECT).stdout
    results = json.loads(out)
    briefgen = [sys.executable, "-m", "briefgen.cli", "build", str(START_BRIEF), "--format", "pdf"]
    tmp = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    try:
        for engine in ("typst", "weasyprint"):
            results[START_BRIEF.stem][f"{engine}_fresh_process_s"] = _best_wall(
                briefgen + ["--pdf-engine", engine, "--out", str(tmp)], PROJECT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results


def main() -> None:
    scale = generate(HERE / "out" / "scale-data")
    results = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "runs_per_figure": RUNS,
        "bundled": {"check_fresh_process_s": fresh_process_check(PROJECT / "data"),
                    **load_and_validate(PROJECT / "data")},
        "scale": {"check_fresh_process_s": fresh_process_check(scale), **load_and_validate(scale)},
        "start_brief_docx": docx_against_pandoc(),
        "pdf": pdf_per_brief(),
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = render(results)
    (HERE / "results.md").write_text(table + "\n")
    print(table)


def render(results: dict) -> str:
    rows = ["| dataset | records | `briefgen check` (fresh process) | import | load + validate | peak RSS |",
            "|---|---:|---:|---:|---:|---:|"]
    for name in ("bundled", "scale"):
        r = results[name]
        rows.append(f"| {name} | {r['records']:,} | {r['check_fresh_process_s']:.3f} s | "
                    f"{r['import_s']:.3f} s | {r['load_validate_s']:.3f} s | {r['peak_rss_mb']:.0f} MB |")
    docx = results["start_brief_docx"]
    rows += ["", "| start brief to DOCX | briefgen (fresh process) | pandoc --citeproc (same Markdown, bibliography, CSL) | ratio |",
             "|---|---:|---:|---:|"]
    pandoc = docx.get("pandoc_citeproc_docx_s")
    ratio = f"{docx['briefgen_docx_fresh_process_s'] / pandoc:.2f}" if pandoc else "n/a"
    rows.append(f"| {START_BRIEF.name} | {docx['briefgen_docx_fresh_process_s']:.3f} s | "
                f"{f'{pandoc:.3f} s' if pandoc else 'pandoc not installed'} | {ratio} |")
    rows += ["", "| brief to PDF | notes | Typst, first | Typst, again | raw Typst compile (new process) | "
             "briefgen over raw Typst | WeasyPrint, first | WeasyPrint, again |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, r in results["pdf"].items():
        over = r["typst_first_s"] / r["raw_typst_compile_s"] - 1
        rows.append(f"| {name} | {r['notes']} | {r['typst_first_s']:.3f} s | {r['typst_warm_s']:.3f} s | "
                    f"{r['raw_typst_compile_s']:.3f} s | {over:+.0%} | {r['weasyprint_first_s']:.3f} s | "
                    f"{r['weasyprint_warm_s']:.3f} s |")
    start = results["pdf"].get(START_BRIEF.stem, {})
    if "typst_fresh_process_s" in start:
        rows.append(f"\nWhole process, {START_BRIEF.name} to PDF: briefgen with Typst "
                    f"{start['typst_fresh_process_s']:.3f} s, raw Typst {start['raw_typst_process_s']:.3f} s, "
                    f"briefgen with WeasyPrint {start['weasyprint_fresh_process_s']:.3f} s")
    return "\n".join(rows) + f"\n\nmedian of {results['runs_per_figure']} runs; {results['machine']}"


if __name__ == "__main__":
    main()
