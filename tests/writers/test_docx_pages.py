"""The DOCX page count: one LibreOffice kept running per process, and nothing left behind.

Each test runs its counts in a child Python with ``TMPDIR`` in the test's own folder, so what
LibreOffice leaves (its profile, its process) is seen there, and with the counts on.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clients import need
from conftest import ROOTS

PROJECT = ROOTS / "bundled"
BRIEF = PROJECT / "briefs" / "uk-westminster-hall-forb.yaml"


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp), "BRIEFGEN_DOCX_PAGES": "on"}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat")
    return not (state.exists() and state.read_text().split()[2] == "Z")


def _gone(pid: int, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.1)
    return False


def _left(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.glob("briefgen-*"))


@pytest.fixture(scope="module")
def docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docx")
    subprocess.run([sys.executable, "-m", "briefgen.cli", "build", str(BRIEF), "--format",
                    "docx", "--out", str(out)], check=True, capture_output=True, cwd=PROJECT,
                   env={**os.environ, "BRIEFGEN_DOCX_PAGES": "off"})
    return out / f"{BRIEF.stem}.docx"


COUNTS = """
import json, sys
from pathlib import Path
from briefgen.writers import docx_pages
data = Path(sys.argv[1]).read_bytes()
counts, pids = [], []
for _ in range(int(sys.argv[2])):
    counts.append(docx_pages.count_pages(data))
    office = docx_pages._OFFICE[0]
    pids.append(office.process.pid if office.process else None)
print(json.dumps({"counts": counts, "pids": pids, "folder": str(office.folder)}), flush=True)
if len(sys.argv) > 3:
    import time; time.sleep(60)
"""


def _counts(docx: Path, tmp: Path, times: int) -> dict:
    done = subprocess.run([sys.executable, "-c", COUNTS, str(docx), str(times)],
                          capture_output=True, text=True, env=_env(tmp), timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_counts_in_one_process_share_one_libreoffice_and_agree_with_one_off(docx, tmp_path):
    need("soffice")
    run = _counts(docx, tmp_path, 3)
    pid = run["pids"][0]
    assert pid is not None and run["pids"] == [pid] * 3
    one_off = tmp_path / "one-off"
    subprocess.run(["soffice", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(one_off), str(docx)],
                   check=True, capture_output=True, timeout=180)
    from briefgen.writers.docx_pages import pdf_pages
    assert run["counts"] == [pdf_pages(one_off / f"{BRIEF.stem}.pdf")] * 3
    # the process has ended: its LibreOffice with it, and its profile removed
    assert _gone(pid)
    assert not Path(run["folder"]).exists()


def test_a_killed_build_takes_its_libreoffice_with_it(docx, tmp_path):
    need("soffice")
    child = subprocess.Popen([sys.executable, "-c", COUNTS, str(docx), "1", "stay"],
                             stdout=subprocess.PIPE, text=True, env=_env(tmp_path))
    try:
        pid = json.loads(child.stdout.readline())["pids"][0]
        assert _alive(pid)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert _gone(pid)


def test_a_libreoffice_that_died_is_started_again(docx, tmp_path):
    need("soffice")
    script = COUNTS + """
import os, signal
os.killpg(pids[0], signal.SIGKILL)
docx_pages._OFFICE[0].process.wait()
print(json.dumps([docx_pages.count_pages(data), docx_pages._OFFICE[0].process.pid]))
"""
    done = subprocess.run([sys.executable, "-c", script, str(docx), "1"], capture_output=True,
                          text=True, env=_env(tmp_path), timeout=300)
    assert done.returncode == 0, done.stderr
    first, (count, pid) = (json.loads(line) for line in done.stdout.splitlines())
    assert count == first["counts"][0] and pid != first["pids"][0]


def test_a_release_with_workers_leaves_no_libreoffice_behind(tmp_path):
    need("soffice")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    done = subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--all", "--jobs", "2",
                           "--format", "docx", "--out", str(tmp_path / "dist")],
                          capture_output=True, text=True, cwd=PROJECT, env=_env(tmp),
                          timeout=600)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "dist" / "manifest.json").read_text(encoding="utf-8"))
    assert all(isinstance(o["pages"], int) for o in manifest["outputs"])
    assert _left(tmp) == []
    running = subprocess.run(["pgrep", "-f", str(tmp)], capture_output=True, text=True).stdout
    assert running == ""


def test_a_count_that_times_out_ends_the_libreoffice_it_was_stuck_in(docx, monkeypatch):
    need("soffice")
    from briefgen.writers import docx_pages

    monkeypatch.setenv("BRIEFGEN_DOCX_PAGES", "on")
    docx_pages.prestart()
    office = docx_pages._OFFICE[0]
    try:
        assert office.ready()
        pid = office.process.pid

        def stuck(*args, **kwargs):
            raise subprocess.TimeoutExpired(args[0], docx_pages.TIMEOUT)

        monkeypatch.setattr(docx_pages.subprocess, "run", stuck)
        with pytest.raises(subprocess.TimeoutExpired):
            docx_pages.count_pages(docx.read_bytes())
        assert office.process is None and _gone(pid)
    finally:
        docx_pages.shutdown()
