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


def main() -> None:
    scale = generate(HERE / "out" / "scale-data")
    results = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}",
        "runs_per_figure": RUNS,
        "bundled": {"check_fresh_process_s": fresh_process_check(PROJECT / "data"),
                    **load_and_validate(PROJECT / "data")},
        "scale": {"check_fresh_process_s": fresh_process_check(scale), **load_and_validate(scale)},
        "start_brief_docx": docx_against_pandoc(),
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
    return "\n".join(rows) + f"\n\nmedian of {results['runs_per_figure']} runs; {results['machine']}"


if __name__ == "__main__":
    main()
