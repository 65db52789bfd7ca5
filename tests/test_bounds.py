"""Bounds: a brief selecting 5,000 findings, and findings of a megabyte and of the longest
text allowed (``schema.MAX_TEXT``), build or fail with one clear line, in bounded memory, and
nothing hangs.

Each build runs as a separate process, as a user runs it; its peak memory is the resident set
the kernel reports for that process (``os.wait4``, in a small launcher: see ``LAUNCHER``), and a
build still running after ``HANG_GUARD`` seconds is killed and fails the test. The time is
printed, never asserted.

Measured on the 2-core CI machine (peak resident set; seconds, for information):

- 5,000 findings, each cited (5,001 notes, about 520 pages), DOCX + Typst PDF + HTML +
  Markdown in one process: 1,170 MB, 25 to 30 s (954 MB and 11 s when first measured).
  Typst's layout is most of both. (Before the Typst page stopped handing every node the
  whole document: 282 s.)
- the same as a WeasyPrint PDF: 880 MB, 90 s; WeasyPrint's footnotes are most of it.
- a finding of 20,000 characters with no space (``MAX_TEXT``, the longest text allowed, and
  the worst case for line breaking), every format: Typst 98 MB, 1 s; WeasyPrint 111 MB, 6 s.
- a finding of a megabyte: refused when the data is read, 44 MB, under a second.

``MEMORY_BOUND`` is 1.5 GB: about a quarter more than the largest measured, so a change that
holds the whole document again fails, while the machine-to-machine variation of a few per
cent does not.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.schema import MAX_TEXT
from clients import need
from conftest import BRIEF, ROOTS, TEMPLATE, write

HANG_GUARD = 600                       # seconds: a hang guard, not a claim about speed
MEMORY_BOUND = 1_500_000_000           # bytes of peak resident memory, see above
FINDINGS = 5_000
WORDS = ("escapees report that border guards markets bribes information radio prison camps "
         "religion surveillance families").split()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    peak: int                          # bytes
    seconds: float


# The build is started by a small Python of its own, which waits for it and reports its
# peak (wait4). Started straight from this test process, the build's figure would be at
# least this process's own: on exec, Linux keeps the high-water mark of the memory it
# replaces, and a child spawned by fork or vfork replaces a copy of the test process
# (1.6 GB once a run had built documents in process: every bound "failed").
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[2:], stdout=open(sys.argv[1] + ".out", "wb"),
                         stderr=open(sys.argv[1] + ".err", "wb"))
pid, status, usage = os.wait4(child.pid, 0)
with open(sys.argv[1], "w") as report:
    report.write(f"{os.waitstatus_to_exitcode(status)} {usage.ru_maxrss * 1024}")
"""


def measured(args: list[str], cwd: Path) -> Run:
    """briefgen in a process of its own; its exit code, output and peak resident memory."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "run"
        began = time.monotonic()
        launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, str(report), sys.executable,
                                     "-m", "briefgen.cli", *args], cwd=cwd,
                                    start_new_session=True)
        while launcher.poll() is None:
            if time.monotonic() - began > HANG_GUARD:
                os.killpg(launcher.pid, signal.SIGKILL)
                launcher.wait()
                pytest.fail(f"briefgen {' '.join(args)} still ran after {HANG_GUARD} s")
            time.sleep(0.2)
        seconds = time.monotonic() - began
        code, peak = map(int, report.read_text().split())
        run = Run(code, Path(f"{report}.out").read_text(), Path(f"{report}.err").read_text(),
                  peak, seconds)
    print(f"\nbriefgen {' '.join(args)}: exit {run.code}, {run.peak / 1e6:.0f} MB, "
          f"{run.seconds:.1f} s")
    return run


def finding(record_id: str, text: str, locator: str) -> str:
    return (f"- id: {record_id}\n  text: {text}\n  themes: [religion]\n  confidence: documented\n"
            f"  evidence: [{{source: coi-2014, paragraph: '{locator}'}}]\n")


def project(folder: Path, findings: str) -> Path:
    """The base project, a brief asking for every format, and these findings besides."""
    import shutil

    shutil.copytree(ROOTS / "minimal", folder, dirs_exist_ok=True)
    write(folder, "templates/plain/content.md.j2", TEMPLATE)
    write(folder, "briefs/b.yaml", BRIEF + "formats: [docx, pdf, html, md]\n")
    write(folder, "data/findings/more.yaml", findings)
    return folder


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    rng = random.Random(7)
    texts = (" ".join(rng.choice(WORDS) for _ in range(35)) + "." for _ in range(FINDINGS))
    records = "".join(finding(f"finding-{i}", text, str(i % 400 + 1))
                      for i, text in enumerate(texts))
    return project(tmp_path_factory.mktemp("many"), records)


def test_a_brief_of_5000_findings_builds_every_format(many):
    need("pdftotext")
    run = measured(["build", "--all", "--out", "typst"], many)
    assert (run.code, run.stderr) == (0, "")
    assert sorted(p.name for p in (many / "typst").iterdir()) == [
        "b.csl", "b.docx", "b.html", "b.json", "b.md", "b.pdf", "manifest.json"]
    page = (many / "typst" / "b.html").read_text(encoding="utf-8")
    assert page.count('role="doc-endnote"') == FINDINGS + 1   # and the base's one finding
    assert run.peak < MEMORY_BOUND


def test_a_brief_of_5000_findings_builds_with_weasyprint(many):
    need("pdftotext")
    run = measured(["build", "--all", "--format", "pdf", "--pdf-engine", "weasyprint",
                    "--out", "weasyprint"], many)
    assert (run.code, run.stderr) == (0, "")
    assert (many / "weasyprint" / "b.pdf").stat().st_size > 100_000
    assert run.peak < MEMORY_BOUND


def test_a_finding_of_a_megabyte_is_refused_in_one_line(tmp_path):
    text = ("A finding of a megabyte repeats these words. " * 25_000)[:999_999] + "."
    folder = project(tmp_path, finding("big", text, "1"))
    run = measured(["build", "--all", "--out", "out"], folder)
    assert (run.code, run.stderr) == (1, (
        "data/findings/more.yaml:2:9: error: 'text' is too long; expected at most 20,000 "
        "characters, got 1,000,000\n"
        "briefgen: 1 problem in 1 file\n"))
    assert not (folder / "out").exists()
    assert run.peak < MEMORY_BOUND


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_the_longest_text_allowed_builds_even_as_one_word(tmp_path, engine):
    """No space to break the line at: the worst case for both engines' line breaking."""
    need("pdftotext")
    folder = project(tmp_path, finding("long", "x" * MAX_TEXT, "1"))
    run = measured(["build", "--all", "--pdf-engine", engine, "--out", "out"], folder)
    assert run.code == 0
    assert sorted(p.name for p in (folder / "out").iterdir()) == [
        "b.csl", "b.docx", "b.html", "b.json", "b.md", "b.pdf", "manifest.json"]
    assert "x" * MAX_TEXT in (folder / "out" / "b.html").read_text(encoding="utf-8")
    assert run.peak < MEMORY_BOUND
