"""`make bench`: briefgen's speed on this machine, beside Pandoc and raw Typst, against targets.

1. the start brief to DOCX in a fresh process, beside `pandoc --citeproc` on the same content;
2. the bundled release (`briefgen build --all`), cold, per output, beside the same Pandoc figure;
3. briefgen's PDF beside Typst's raw compile of the same page and data;
4. the rebuild with nothing changed, beside the cold build;
5. scale: a generated dataset of 10,000 findings and 200 briefs: load and validate, the build
   with one and two workers (throughput, peak memory), and DOCX in batch beside Pandoc.

Writes bench/results.json and bench/results.md and prints the tables. Each figure is the
median of several runs (the scale builds run once each); where a target is missed, a profile
of the same work says what costs the time.
"""

from __future__ import annotations

import compileall
import json
import os
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
# The generated projects (10,000 findings, the theme briefs) live outside this project: inside
# it, every build the bench times would hash their 55 MB for its no-op stamp (stamp.py hashes
# the whole project tree), which a real project does not hold.
OUT = Path(os.environ.get("BRIEFGEN_BENCH_OUT", Path(tempfile.gettempdir()) / "briefgen-bench"))
sys.path.insert(0, str(HERE))
from generate import briefs as generate_briefs, generate  # noqa: E402

RUNS = 5
MEASURE = """
import resource, sys, time
from pathlib import Path
t = time.perf_counter()
from briefgen.validate import load_dataset
imported = time.perf_counter()
dataset = load_dataset(Path(sys.argv[1]))
done = time.perf_counter()
print(imported - t, done - imported, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
      sum(dataset.counts().values()))
"""


CHART_SCRIPT = """
import json, sys, time
start = time.perf_counter()
import yaml
from briefgen import charts
from briefgen.dataset import Statistic
records = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
record = Statistic.model_validate(next(r for r in records if r["id"] == sys.argv[2]))
charts.render(record, style="bars")
first = time.perf_counter() - start
warm = {}
for style in ("bars", "stacked"):
    times = []
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter()
        charts.render(record, style=style)
        times.append(time.perf_counter() - t)
    warm[style] = sorted(times)[len(times) // 2]
print(json.dumps({"first_s": first, **{f"{k}_warm_s": v for k, v in warm.items()}}))
"""


def chart_cost() -> dict:
    """What a chart costs (charts.py): the start brief's survey drawn in a new process, the
    first one with Matplotlib's import, then again, as a bar chart and as a stacked bar (SVG
    and 300 dpi PNG each). The builds above include it for the briefs that ask for charts."""
    out = subprocess.run([sys.executable, "-c", CHART_SCRIPT,
                          str(PROJECT / "data" / "statistics" / "csw-2018.yaml"),
                          "csw-2018-religious-freedom", str(RUNS)],
                         check=True, capture_output=True, text=True, cwd=PROJECT).stdout
    return {k: round(v, 4) for k, v in json.loads(out).items()}


def _chart_table(results: dict) -> str:
    c = results["charts"]
    return ("| a chart (SVG and 300 dpi PNG) | first, with Matplotlib's import | bars, again | "
            "stacked bar, again |\n|---|---:|---:|---:|\n"
            f"| csw-2018-religious-freedom | {c['first_s']:.3f} s | {c['bars_warm_s']:.3f} s | "
            f"{c['stacked_warm_s']:.3f} s |")


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 4)


def fresh_process_check(data: Path) -> float:
    """Wall time of `briefgen check` as a user runs it: new interpreter, imports, load, validate.
    The briefs checked are the ones beside the data (the bundled ones name bundled records,
    which a generated dataset does not have)."""
    briefs = data.parent / "briefs"
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "briefgen.cli", "check", "--data", str(data),
                        "--briefs-dir", str(briefs if briefs.is_dir() else PROJECT / "briefs"),
                        "--templates", str(data.parent / "templates"
                                           if (data.parent / "templates").is_dir()
                                           else PROJECT / "templates")],
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


def _best_wall(command: list[str], cwd: Path, env: dict | None = None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=cwd,
                       env=None if env is None else {**os.environ, **env})
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
        # --force: the build is incremental, and every run must make the file
        docx = briefgen + ["--format", "docx", "--force", "--out", str(out)]
        # The start brief's chart comes from the chart cache, as in every build of the brief
        # after its first (the Markdown export above drew it); then drawn anew each run, and
        # then with the DOCX's pages counted by LibreOffice (kept running, started early).
        result = {"briefgen_docx_fresh_process_s": _best_wall(docx, PROJECT),
                  "briefgen_docx_chart_drawn_s": _best_wall(docx, PROJECT,
                                                            {"BRIEFGEN_CACHE_DIR": "off"}),
                  "briefgen_docx_with_pages_s": _best_wall(docx, PROJECT,
                                                           {"BRIEFGEN_DOCX_PAGES": "on"})}
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
from briefgen.build import build_formats, stages_of
from briefgen.validate import load_dataset
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
    # allow_overlength: WeasyPrint sets the two-page briefing on three; speed is measured here
    build = lambda engine: build_formats(loaded, dataset, ["pdf"], out, pdf_engine=engine,
                                         allow_overlength=True)
    first = {e: timed(lambda: build(e)) for e in ("typst", "weasyprint")}
    warm = {e: median([timed(lambda: build(e)) for _ in range(runs)]) for e in ("typst", "weasyprint")}
    # The raw compile: the same page and the same JSON, handed to Typst in a new process, as
    # `typst compile page.typ --input document=...` would be: none of briefgen's stages
    # (select, compose, cite), data preparation or glyph check, and a cold Typst cache.
    work = stages_of(loaded, dataset)
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
    briefgen = [sys.executable, "-m", "briefgen.cli", "build", str(START_BRIEF), "--format", "pdf",
                "--force", "--allow-overlength"]
    tmp = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
    try:
        for engine in ("typst", "weasyprint"):
            results[START_BRIEF.stem][f"{engine}_fresh_process_s"] = _best_wall(
                briefgen + ["--pdf-engine", engine, "--out", str(tmp)], PROJECT)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return results



# --- the release: cold, nothing changed ---------------------------------------------------------

BUILD = [sys.executable, "-m", "briefgen.cli", "build", "--all"]

NOOP_IN_PROCESS = """
import sys, time
from briefgen.cli import main
import briefgen.release, briefgen.summary, briefgen.progress
start = time.perf_counter()
main(["build", "--all", "--out", sys.argv[1]])
print(time.perf_counter() - start, file=sys.stderr)
"""


def _timed(command: list[str], cwd: Path = PROJECT) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - start


def release_build() -> dict:
    """`briefgen build --all` (what `make briefs` runs) into an empty folder, then again with
    nothing changed: whole processes, as a user runs them."""
    cold, noop, after_imports = [], [], []
    outputs = 0
    for _ in range(3):
        out = Path(tempfile.mkdtemp(prefix="briefgen-bench-"))
        try:
            cold.append(_timed(BUILD + ["--out", str(out)]))
            outputs = len(json.loads((out / "manifest.json").read_text())["outputs"])
            noop += [_timed(BUILD + ["--out", str(out)]) for _ in range(RUNS)]
            after_imports.append(float(subprocess.run(
                [sys.executable, "-c", NOOP_IN_PROCESS, str(out)], check=True, capture_output=True,
                text=True, cwd=PROJECT).stderr.split()[-1]))
        finally:
            shutil.rmtree(out, ignore_errors=True)
    return {"outputs": outputs, "briefs": len(list((PROJECT / "briefs").glob("*.yaml"))),
            "cold_s": _median(cold), "per_output_s": round(statistics.median(cold) / outputs, 4),
            "noop_s": _median(noop), "noop_after_imports_s": _median(after_imports)}


# Where a fresh process spends its time: each phase of building the start brief to DOCX, and
# of a rebuild that finds nothing changed (which stops after hashing the inputs).
PHASES = """
import json, sys, tempfile, time
from pathlib import Path
phases, last = {}, [time.perf_counter()]
def mark(name):
    now = time.perf_counter()
    phases[name], last[0] = now - last[0], now
import briefgen.cli, briefgen.release, briefgen.summary
mark("import briefgen.cli and release (pydantic, PyYAML)")
from briefgen.build import stages_of
mark("import the stages (Jinja2, markdown-it-py, the cite stage)")
from briefgen.writers import writer
write_docx = writer("docx")
mark("import the DOCX writer (python-docx)")
from briefgen.validate import load_dataset
from briefgen.brief import load_briefs
from briefgen import manifest
dataset = load_dataset(Path("data"))
mark("load and validate the dataset")
briefs = load_briefs([Path(sys.argv[1])], dataset, Path("templates"))
mark("load and check the brief")
from briefgen.select import select
from briefgen.target import target
selected = select(dataset, briefs[0].brief.select)
mark("select its records")
inputs = manifest.Inputs(dataset)
for fmt in ("docx", "html", "md", "pdf"):
    manifest.digest(inputs.of(target(briefs[0], fmt), briefs[0], selected))
mark("hash the inputs of its four outputs")
manifest.dataset_version(Path("data"))
mark("git describe (the manifest's dataset version)")
from briefgen.build import run_stages
work = run_stages(briefs[0], dataset, selected, briefs[0].style_file)
mark("the stages")
for stage, seconds in work.timings.items():
    phases[f"  of which {stage}"] = seconds
docx_target = target(briefs[0], "docx")
written = write_docx(work.document, docx_target, work.look)
(Path(tempfile.mkdtemp()) / "out.docx").write_bytes(written.files[docx_target.files[0]])
mark("write the DOCX")
print(json.dumps(phases))
"""


def phases() -> dict:
    """Medians of each phase, in fresh processes, and the interpreter's own start."""
    runs = [json.loads(subprocess.run([sys.executable, "-c", PHASES, str(START_BRIEF)], check=True,
                                      capture_output=True, text=True, cwd=PROJECT).stdout)
            for _ in range(RUNS)]
    result = {"python start": _median([_timed([sys.executable, "-c", "pass"]) for _ in range(RUNS)])}
    result.update({name: _median([r[name] for r in runs]) for name in runs[0]})
    return result


# --- scale: 10,000 findings, 200 briefs -----------------------------------------------------------

PEAK = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
if done.returncode:
    sys.exit(done.stderr)
print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
"""


def _scale_build(folder: Path, out: Path, *options: str) -> dict:
    """One cold build of every generated brief, in a process of its own; its peak memory is
    the largest resident set of the build and its workers (RUSAGE_CHILDREN)."""
    shutil.rmtree(out, ignore_errors=True)
    command = BUILD + ["--data", str(folder / "data"), "--briefs-dir", str(folder / "briefs"),
                       "--templates", str(folder / "templates"), "--out", str(out), *options]
    seconds, peak = map(float, subprocess.run([sys.executable, "-c", PEAK, *command], check=True,
                                              capture_output=True, text=True,
                                              cwd=PROJECT).stdout.split())
    outputs = len(json.loads((out / "manifest.json").read_text())["outputs"])
    return {"wall_s": round(seconds, 2), "outputs": outputs,
            "outputs_per_s": round(outputs / seconds, 2), "peak_rss_mb": round(peak, 1)}


def scale_builds(folder: Path) -> dict:
    out = folder / "dist"
    result = {f"jobs{jobs}": _scale_build(folder, out, "--jobs", str(jobs)) for jobs in (1, 2)}
    result["profile"] = build_profile(folder / "data", folder, 20)
    return result


# --- a batch of real-sized documents: one brief per theme of the bundled dataset --------------

def _theme_build(folder: Path, out: Path, *options: str) -> float:
    shutil.rmtree(out, ignore_errors=True)
    return _timed(BUILD + ["--briefs-dir", str(folder / "briefs"), "--templates",
                           str(folder / "templates"), "--out", str(out), *options])


def theme_batch(folder: Path) -> dict:
    """Every theme brief to DOCX in one cold `briefgen build --all`, per document, beside
    Pandoc converting each one's Markdown export; and their PDFs beside raw Typst."""
    briefs = len(list((folder / "briefs").glob("*.yaml")))
    walls = [_theme_build(folder, folder / "dist-docx", "--format", "docx") for _ in range(3)]
    result = {"briefs": briefs, "docx_wall_s": _median(walls),
              "docx_per_doc_s": round(statistics.median(walls) / briefs, 4)}
    _theme_build(folder, folder / "dist-md", "--format", "md")
    pandoc = shutil.which("pandoc")
    if pandoc:
        result["pandoc_docx_per_doc_s"] = _median(
            [_timed([pandoc, "--citeproc", md.name, "-o", str(folder / "pandoc.docx")], md.parent)
             for md in sorted((folder / "dist-md").glob("*.md"))])
    result["pdf"] = pdf_batch(folder)
    result["profile"] = build_profile(PROJECT / "data", folder, briefs, "docx,pdf")
    return result


BATCH_PDF = """
import json, sys, tempfile, time
from pathlib import Path
from briefgen.brief import load_briefs
from briefgen import release
from briefgen.build import stages_of
from briefgen.validate import load_dataset
from briefgen.writers import typst_pdf
from briefgen.writers.look import Look
folder, data_out = Path(sys.argv[1]), Path(sys.argv[2])
dataset = load_dataset(Path("data"))
briefs = load_briefs(sorted((folder / "briefs").glob("*.yaml")), dataset, folder / "templates")
out = Path(tempfile.mkdtemp())
start = time.perf_counter()   # the release path a build --all --format pdf --jobs 1 takes
release.build_release(briefs, dataset, release.Settings(out, ["pdf"], jobs=1, force=True))
seconds = time.perf_counter() - start
for loaded in briefs:     # the same documents' data, for Typst alone (not timed)
    work = stages_of(loaded, dataset)
    data = typst_pdf.document_data(work.document, Look.of(loaded))
    (data_out / f"{loaded.name}.json").write_text(json.dumps(data, ensure_ascii=False, sort_keys=True))
print(seconds, Look.of(briefs[0]).file("page.typ"))
"""

RAW_BATCH = """
import sys, time
from pathlib import Path
start = time.perf_counter()
import typst
from briefgen.writers import typst_pdf
from briefgen.writers.glyphs import typst_fonts
page, data = Path(sys.argv[1]), Path(sys.argv[2])
compiler = typst.Compiler(page, root=page.parent, font_paths=typst_fonts(),
                          package_path=typst_pdf.PACKAGES, package_cache_path=typst_pdf.PACKAGES)
for path in sorted(data.glob("*.json")):
    compiler.compile(format="pdf", sys_inputs={"document": path.read_text(encoding="utf-8")},
                     pdf_standards=["ua-1"], timestamp=0)
print(time.perf_counter() - start)
"""


def pdf_batch(folder: Path) -> dict:
    """The theme briefs as PDF in one process, by the release path (plan, select, hash, the
    stages, glyph check, data, compile, manifest; one job) beside one Typst compiler laying out the same pages and data in a new process
    (its import, font scan and compiles). The same fonts, page and package for both."""
    data = folder / "typst-data"
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    runs = []
    for _ in range(3):
        seconds, page = subprocess.run([sys.executable, "-c", BATCH_PDF, str(folder), str(data)],
                                       check=True, capture_output=True, text=True,
                                       cwd=PROJECT).stdout.split()
        raw = subprocess.run([sys.executable, "-c", RAW_BATCH, page, str(data)], check=True,
                             capture_output=True, text=True, cwd=PROJECT).stdout
        runs.append((float(seconds), float(raw)))
    return {"briefgen_s": _median([r[0] for r in runs]), "raw_typst_s": _median([r[1] for r in runs])}


PROFILE = """
import cProfile, json, pstats, sys, tempfile
from pathlib import Path
from briefgen import release
from briefgen.brief import load_briefs
from briefgen.validate import load_dataset
data, folder, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
formats = sys.argv[4].split(",") if sys.argv[4] else None
dataset = load_dataset(data)
briefs = load_briefs(sorted((folder / "briefs").glob("*.yaml"))[:count], dataset,
                     folder / "templates")
profile = cProfile.Profile()
profile.enable()
release.build_release(briefs, dataset, release.Settings(Path(tempfile.mkdtemp()), formats, jobs=1))
profile.disable()
stats = pstats.Stats(profile).stats
wanted = {("release", "build_release"): "the whole build",
          ("manifest", "_brief"): "hash the inputs", ("select", "select"): "select (once a brief)",
          ("compose", "compose"): "stage: compose", ("build", "_cite"): "stage: cite (Pandoc's citeproc, kept running)",
          ("glyphs", "messages"): "glyph check", ("docx", "write"): "write DOCX",
          ("typst_pdf", "compile_pdf"): "write PDF (Typst compile and data)",
          ("html", "write"): "write HTML", ("markdown", "write"): "write Markdown"}
found = dict.fromkeys(wanted.values(), 0.0)
for (path, _, name), (_, _, _, cumulative, _) in stats.items():
    key = (Path(path).stem, name)
    if key in wanted and "briefgen" in path:
        found[wanted[key]] += cumulative / count
found = {name: seconds for name, seconds in found.items() if seconds}
print(json.dumps(found))
"""


def build_profile(data: Path, folder: Path, count: int, formats: str = "") -> dict:
    """Per brief, in one process under cProfile (which slows Python code, not Typst's): where
    building one brief spends its time."""
    out = subprocess.run([sys.executable, "-c", PROFILE, str(data), str(folder), str(count),
                          formats], check=True, capture_output=True, text=True,
                         cwd=PROJECT).stdout
    return {name: round(seconds, 4) for name, seconds in json.loads(out).items()}


# --- watch: from a save to the new PDF --------------------------------------------------------

def watch_save_to_pdf(saves: int = 7) -> dict:
    """`briefgen watch` on a copy of the project, the start brief to PDF with Typst: the time
    from writing the brief (its title changed) to the new PDF in place, in the warm process,
    beside the same brief's cold build in a fresh process."""
    import signal

    folder = Path(tempfile.mkdtemp(prefix="briefgen-watch-"))
    try:
        for name in ("data", "briefs", "templates", "brand"):
            shutil.copytree(PROJECT / name, folder / name)
        shutil.copy(PROJECT / "brand.yaml", folder / "brand.yaml")
        brief, pdf = folder / "briefs" / START_BRIEF.name, folder / "dist" / f"{START_BRIEF.stem}.pdf"
        cold = _best_wall([sys.executable, "-m", "briefgen.cli", "build", str(brief), "--format",
                           "pdf", "--force", "--out", str(folder / "cold")], folder)
        watcher = subprocess.Popen([sys.executable, "-m", "briefgen.cli", "watch", str(brief),
                                    "--format", "pdf"], cwd=folder, stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        for line in watcher.stdout:
            if line.startswith("watching"):
                break
        text, times = brief.read_text(encoding="utf-8"), []
        for n in range(saves):
            before = pdf.stat().st_ino, pdf.stat().st_mtime_ns
            start = time.perf_counter()
            brief.write_text(text.replace("title: ", f"title: ({n}) ", 1), encoding="utf-8")
            while (pdf.stat().st_ino, pdf.stat().st_mtime_ns) == before:
                time.sleep(0.002)
                if time.perf_counter() - start > 30:
                    raise RuntimeError("watch did not rebuild the PDF in 30 s")
            times.append(time.perf_counter() - start)
            time.sleep(0.3)
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)
        return {"save_to_pdf_s": _median(times), "cold_build_s": cold}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --- targets ----------------------------------------------------------------------------------------

def targets(results: dict) -> list[dict]:
    """Each target: the figure, the bound, met or not, and by how much."""
    docx, release, scale = results["start_brief_docx"], results["release"], results["scale"]
    pandoc = docx.get("pandoc_citeproc_docx_s")
    batch = results["batch"]
    batch_pandoc = batch.get("pandoc_docx_per_doc_s")
    jobs1, jobs2 = scale["build"]["jobs1"], scale["build"]["jobs2"]
    rows = [
        ("DOCX, fresh process, at most twice Pandoc's time", docx["briefgen_docx_fresh_process_s"],
         pandoc and 2 * pandoc, "s"),
        (f"DOCX in batch ({batch['briefs']} briefs), per document, at most half of Pandoc's",
         batch["docx_per_doc_s"], batch_pandoc and batch_pandoc / 2, "s"),
        (f"PDF in batch ({batch['briefs']} briefs): overhead over raw Typst at most 25%",
         batch["pdf"]["briefgen_s"] / batch["pdf"]["raw_typst_s"] - 1, 0.25, "%"),
        ("no-op rebuild at most 0.2 s (whole process)", release["noop_s"], 0.2, "s"),
        ("watch: a save of the start brief to its new PDF (Typst) at most 0.3 s",
         results["watch"]["save_to_pdf_s"], 0.3, "s"),
        ("10,000 findings: load and validate within 1 s", scale["load_validate_s"], 1.0, "s"),
        ("throughput grows with workers (2 over 1)", jobs2["outputs_per_s"] / jobs1["outputs_per_s"],
         None, "x"),
        ("peak memory under 500 MB", max(jobs1["peak_rss_mb"], jobs2["peak_rss_mb"],
                                         scale["peak_rss_mb"]), 500, "MB"),
    ]
    return [_target(name, value, bound, unit) for name, value, bound, unit in rows]


def _target(name: str, value: float, bound: float | None, unit: str) -> dict:
    if unit == "x":                        # a ratio that must exceed 1
        return {"target": name, "value": round(value, 2), "bound": 1.0, "met": value > 1.0,
                "by": f"{value:.2f}x"}
    if bound is None:
        return {"target": name, "value": round(value, 4), "bound": None, "met": None,
                "by": "no comparison (pandoc not installed)"}
    met = value <= bound
    if unit == "%":
        by = f"{value:+.0%} against {bound:+.0%}"
    else:
        by = f"{value / bound:.2f}x the bound" if not met else f"{bound - value:.3g} {unit} to spare"
    return {"target": name, "value": round(value, 4), "bound": round(bound, 4), "met": met, "by": by}


# --- the run ---------------------------------------------------------------------------------------

def main() -> None:
    # DOCX speed is compared with Pandoc's, which lays nothing out: the DOCX's page count
    # (LibreOffice, about two seconds a document) is left out here; README says what it costs.
    os.environ["BRIEFGEN_DOCX_PAGES"] = "off"
    # The bench's own chart cache, empty at its start: the first build of a brief draws.
    shutil.rmtree(OUT / "chart-cache", ignore_errors=True)
    os.environ["BRIEFGEN_CACHE_DIR"] = str(OUT / "chart-cache")
    # Bytecode as an installed package has it (pip compiles on install; an editable install
    # compiles on first import, unless PYTHONDONTWRITEBYTECODE is set, as in some sandboxes).
    compileall.compile_dir(PROJECT / "src" / "briefgen", quiet=1)
    load_before = os.getloadavg()[0]
    scale = generate(OUT / "scale" / "data")
    generate_briefs(scale, OUT / "scale")
    generate_briefs(PROJECT / "data", OUT / "themes", count=25, formats=("docx",))
    results = {
        "machine": f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}, "
                   f"{os.cpu_count()} cores",
        "runs_per_figure": RUNS,
        "bundled": {"check_fresh_process_s": fresh_process_check(PROJECT / "data"),
                    **load_and_validate(PROJECT / "data")},
        "scale": {"check_fresh_process_s": fresh_process_check(scale), **load_and_validate(scale)},
        "start_brief_docx": docx_against_pandoc(),
        "release": release_build(),
        "phases": phases(),
        "pdf": pdf_per_brief(),
        "watch": watch_save_to_pdf(),
        "charts": chart_cost(),
    }
    results["batch"] = theme_batch(OUT / "themes")
    results["scale"]["build"] = scale_builds(OUT / "scale")
    results["load_average"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    results["targets"] = targets(results)
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    table = render(results)
    (HERE / "results.md").write_text(table + "\n")
    print(table)


def render(results: dict) -> str:
    return "\n\n".join([_targets_table(results), _watch_table(results), _datasets_table(results),
                        _docx_table(results),
                        _release_table(results), _batch_table(results), _pdf_table(results),
                        _chart_table(results), _scale_table(results), _phases_table(results)]) + (
        f"\n\nmedian of {results['runs_per_figure']} runs (scale builds: one run each); "
        f"{results['machine']}; load average {results['load_average'][0]} before, "
        f"{results['load_average'][1]} after")


def _watch_table(results: dict) -> str:
    w = results["watch"]
    return "\n".join(["| start brief to PDF (Typst) | seconds |", "|---|---:|",
                      f"| `briefgen watch`: a save to the new PDF on disk (warm process) | {w['save_to_pdf_s']:.3f} |",
                      f"| `briefgen build` of the same brief, fresh process | {w['cold_build_s']:.3f} |"])


def _batch_table(results: dict) -> str:
    b = results["batch"]
    pandoc = b.get("pandoc_docx_per_doc_s")
    pdf = b["pdf"]
    return "\n".join([
        f"| batch: {b['briefs']} briefs on the bundled data, one per theme | briefgen | Pandoc / raw Typst | ratio |",
        "|---|---:|---:|---:|",
        f"| DOCX per document (one cold `build --all`; Pandoc per file) | {b['docx_per_doc_s']:.3f} s | "
        + (f"{pandoc:.3f} s | {b['docx_per_doc_s'] / pandoc:.2f} |" if pandoc else "n/a | n/a |"),
        f"| PDF, all {b['briefs']} in one process (raw: one Typst compiler) | {pdf['briefgen_s']:.3f} s | "
        f"{pdf['raw_typst_s']:.3f} s | {pdf['briefgen_s'] / pdf['raw_typst_s']:.2f} |",
        "", "| per theme brief, DOCX and PDF, one process (cProfile) | seconds |", "|---|---:|",
        *[f"| {name} | {seconds:.4f} |" for name, seconds in b["profile"].items()]])


def _targets_table(results: dict) -> str:
    rows = ["| target | measured | bound | met | |", "|---|---:|---:|:-:|---|"]
    for t in results["targets"]:
        met = {True: "yes", False: "**no**", None: "n/a"}[t["met"]]
        bound = "-" if t["bound"] is None else f"{t['bound']:g}"
        rows.append(f"| {t['target']} | {t['value']:g} | {bound} | {met} | {t['by']} |")
    return "\n".join(rows)


def _datasets_table(results: dict) -> str:
    rows = ["| dataset | records | `briefgen check` (fresh process) | import | load + validate | peak RSS |",
            "|---|---:|---:|---:|---:|---:|"]
    for name in ("bundled", "scale"):
        r = results[name]
        rows.append(f"| {name} | {r['records']:,} | {r['check_fresh_process_s']:.3f} s | "
                    f"{r['import_s']:.3f} s | {r['load_validate_s']:.3f} s | {r['peak_rss_mb']:.0f} MB |")
    return "\n".join(rows)


def _docx_table(results: dict) -> str:
    docx = results["start_brief_docx"]
    rows = ["| start brief to DOCX | briefgen (fresh process) | pandoc --citeproc (same Markdown, bibliography, CSL) | ratio |",
            "|---|---:|---:|---:|"]
    pandoc = docx.get("pandoc_citeproc_docx_s")
    ratio = f"{docx['briefgen_docx_fresh_process_s'] / pandoc:.2f}" if pandoc else "n/a"
    rows.append(f"| {START_BRIEF.name} | {docx['briefgen_docx_fresh_process_s']:.3f} s | "
                f"{f'{pandoc:.3f} s' if pandoc else 'pandoc not installed'} | {ratio} |")
    for key, what in (("briefgen_docx_chart_drawn_s", "its chart drawn anew (no chart cache)"),
                      ("briefgen_docx_with_pages_s", "its pages counted (LibreOffice)")):
        if key in docx:
            ratio = f"{docx[key] / pandoc:.2f}" if pandoc else "n/a"
            rows.append(f"| the same, {what} | {docx[key]:.3f} s | | {ratio} |")
    return "\n".join(rows)


def _release_table(results: dict) -> str:
    r = results["release"]
    pandoc = results["start_brief_docx"].get("pandoc_citeproc_docx_s")
    beside = f"{pandoc:.3f} s" if pandoc else "n/a"
    return "\n".join([
        "| `briefgen build --all` (bundled) | briefs | outputs | cold | per output | Pandoc per DOCX | "
        "nothing changed (whole process) | nothing changed (after imports) | no-op / cold |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| release | {r['briefs']} | {r['outputs']} | {r['cold_s']:.3f} s | {r['per_output_s']:.3f} s | "
        f"{beside} | {r['noop_s']:.3f} s | {r['noop_after_imports_s']:.3f} s | "
        f"{r['noop_s'] / r['cold_s']:.0%} |"])


def _pdf_table(results: dict) -> str:
    rows = ["| brief to PDF | notes | Typst, first | Typst, again | raw Typst compile (new process) | "
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
    return "\n".join(rows)


def _scale_table(results: dict) -> str:
    b = results["scale"]["build"]
    rows = ["| scale: 200 briefs, all formats, cold | outputs | wall | outputs/s | peak RSS |",
            "|---|---:|---:|---:|---:|"]
    for jobs in ("jobs1", "jobs2"):
        r = b[jobs]
        rows.append(f"| `--jobs {jobs[-1]}` | {r['outputs']} | {r['wall_s']:.1f} s | "
                    f"{r['outputs_per_s']:.2f} | {r['peak_rss_mb']:.0f} MB |")
    rows += ["", "| per generated brief, all formats, one process (cProfile of 20) | seconds |",
             "|---|---:|"]
    rows += [f"| {name} | {seconds:.4f} |" for name, seconds in b["profile"].items()]
    return "\n".join(rows)


def _phases_table(results: dict) -> str:
    rows = ["| a fresh process, phase by phase (start brief) | seconds | no-op pays it |",
            "|---|---:|:-:|"]
    for name, seconds in results["phases"].items():
        noop = "no" if name.startswith(("the stages", "  of which", "import the", "write")) else "yes"
        rows.append(f"| {name} | {seconds:.4f} | {noop} |")
    pandoc = results["start_brief_docx"].get("pandoc_citeproc_docx_s")
    phases = results["phases"]
    starting = sum(seconds for name, seconds in phases.items()
                   if name == "python start" or name.startswith("import "))
    if pandoc:
        rows.append(f"\nWhere the fresh DOCX's time goes, against its bound of twice Pandoc's "
                    f"({2 * pandoc:.3f} s): Python's start and the imports alone take "
                    f"{starting:.3f} s ({starting / (2 * pandoc):.0%} of the bound; the "
                    f"largest, the command line with its Pydantic schemas and PyYAML, "
                    f"{phases.get('import briefgen.cli and release (pydantic, PyYAML)', 0):.3f} s); "
                    f"the build itself (load, stages, writer) "
                    f"{sum(phases.values()) - starting - sum(v for k, v in phases.items() if k.startswith('  of which')):.3f} s.")
    return "\n".join(rows)


if __name__ == "__main__":
    main()
