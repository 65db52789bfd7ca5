"""`briefgen watch`: a warm process that rebuilds a brief on every save (issue 18), driven as
an author would drive it: a copy of the project, an edit, the new output, Ctrl-C."""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

BUNDLED = Path(__file__).parent / "roots" / "bundled"
BRIEF = "briefs/uk-westminster-hall-forb.yaml"
OUTPUT = "dist/uk-westminster-hall-forb.md"
SAID = "states that North Koreans have no freedom of thought"
SAID_NOW = "reports that North Koreans have no freedom of thought"
GUARD = 90            # seconds any one wait may take before the test fails (no hang)


class Watching:
    """A `briefgen watch` process and the lines it prints, read as they come."""

    def __init__(self, root: Path, *args: str):
        env = {**os.environ, "BRIEFGEN_DOCX_PAGES": "off", "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "briefgen.cli", "watch", BRIEF, *args], cwd=root, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + GUARD
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"no line matching {pattern!r} in {GUARD} s; saw {self.seen}")

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)
        try:
            code = self.process.wait(timeout=GUARD)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return code, self.process.stderr.read()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(BUNDLED, root)
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _wait_until(check, what: str) -> None:
    deadline = time.monotonic() + GUARD
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen in {GUARD} s")


def test_an_edited_finding_is_in_the_new_output_and_ctrl_c_stops_cleanly(project):
    watching = Watching(project, "--format", "md")
    try:
        assert "uk-westminster-hall-forb (md)" in watching.wait_for(r"\] built ")
        watching.wait_for("^watching 1 brief")
        assert SAID in (project / OUTPUT).read_text()
        _edit(project / "data/findings/frozen.yaml", SAID, SAID_NOW)
        _wait_until(lambda: SAID_NOW in (project / OUTPUT).read_text(), "the rebuild")
        assert re.search(r"\] built uk-westminster-hall-forb \(md\) \(\d+\.\d\d s\)$",
                         watching.wait_for(r"\] built uk-"))
    finally:
        code, stderr = watching.stop()
    assert code == 0
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert watching.wait_for("^stopped$")


def test_a_broken_save_keeps_the_last_good_output_and_says_where(project):
    watching = Watching(project, "--format", "md")
    try:
        watching.wait_for("^watching")
        before = (project / OUTPUT).read_bytes()
        brief = project / BRIEF
        good = brief.read_text()
        brief.write_text(good + "oops: [\n")
        line = watching.wait_for("not built")
        assert line.endswith("not built: 1 problem; the last good outputs stay "
                             f"({line.rsplit('(', 1)[1]}")
        assert watching.wait_for(r"^briefs/uk-westminster-hall-forb\.yaml:\d+:\d+: error: YAML "
                                 "syntax error")
        assert (project / OUTPUT).read_bytes() == before
        assert not [p for p in (project / "dist").iterdir() if p.name.endswith(".part")]
        brief.write_text(good.replace("Freedom of religion", "Freedom of religion (draft)", 1))
        watching.wait_for(r"\] built uk-westminster-hall-forb \(md\)")
        assert (project / OUTPUT).read_bytes() != before
    finally:
        code, _ = watching.stop()
    assert code == 0


def test_serve_shows_the_page_on_the_loopback_only_and_nothing_outside_dist(project):
    watching = Watching(project, "--format", "md", "--serve")
    try:
        url = watching.wait_for(r"^serving http://").split()[-1]
        assert url.startswith("http://127.0.0.1:")
        watching.wait_for("^watching")
        frame = urllib.request.urlopen(url, timeout=GUARD).read().decode()
        assert '<iframe id="page" src="/uk-westminster-hall-forb.html"' in frame
        page = urllib.request.urlopen(url + "uk-westminster-hall-forb.html", timeout=GUARD)
        assert page.status == 200 and b"Freedom of religion" in page.read()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url + "..%2f" + "..%2fdata%2ffindings%2ffrozen.yaml",
                                   timeout=GUARD)
        assert refused.value.code == 404
    finally:
        code, _ = watching.stop()
    assert code == 0
