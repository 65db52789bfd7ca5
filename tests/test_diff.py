"""`briefgen diff OLD NEW`: two releases of a project compared brief by brief, as a reviewer
asks before a brief goes out again (issue 19), and the manifest facts it reads."""

from __future__ import annotations

import json
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.diff import note_changes, word_diff

BUNDLED = Path(__file__).parent / "roots" / "bundled"
# Two briefs are enough to see what a diff says, and keep each side's build short.
KEPT = ("uk-westminster-hall-forb", "un-sr-accountability")
CHANGED_FINDING = "csw-2018-2007-call-for-coi"


def briefgen(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen.cli", *args], capture_output=True,
                          text=True, cwd=root, env={**os.environ, "BRIEFGEN_DOCX_PAGES": "off"})


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@example.org", "-c", "user.name=Test", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The frozen bundled project with two of its briefs, as a git repository tagged v1."""
    root = tmp_path / "project"
    shutil.copytree(BUNDLED, root)
    for brief in (root / "briefs").glob("*.yaml"):
        if brief.stem not in KEPT:
            brief.unlink()
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    git(root, "tag", "v1")
    return root


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def second_release(root: Path) -> None:
    """A finding reworded, a recommendation's assessment changed, a source retitled."""
    replace_in(root / "data/findings/frozen.yaml", "CSW asked the United Nations",
               "CSW urged the United Nations")
    replace_in(root / "data/recommendations/frozen.yaml", "    status: partially-met",
               "    status: met")
    replace_in(root / "data/sources/frozen.yaml", "2007-2017 (short version)", "2007-2017 (summary)")
    git(root, "commit", "-qam", "v2")


def test_two_revisions_word_diff_status_notes_and_limits(project):
    second_release(project)
    result = briefgen(project, "diff", "v1", "HEAD")
    assert (result.returncode, result.stderr) == (1, "")
    lines = result.stdout.splitlines()
    at = lines.index("un-sr-accountability")
    brief = lines[at:]
    assert (f"  ~ {CHANGED_FINDING} text: … Answer, a Call to Act, CSW [-asked-]{{+urged+}} the "
            "United Nations to set up …") in brief
    assert ("  status of csw-2018-rec-2007-member-states: partially-met (2017) -> met (2017)"
            in brief)
    assert ("  ~ csw-2018 title: … Surveillance: Changes in North Korea 2007-2017 "
            "[-(short version)-]{+(summary)+}") in brief
    assert any(line.startswith("  note ") and line.endswith(" changed") for line in brief)
    assert "  words: 1,368 -> 1,367 (limit 5,000)" in brief
    # the start brief cites the retitled source, but prints neither the finding nor the
    # recommendation
    start = lines[lines.index("uk-westminster-hall-forb"):at]
    assert not any(CHANGED_FINDING in line for line in start)
    assert any("~ csw-2018 title" in line for line in start)


def test_json_for_tools(project):
    second_release(project)
    result = briefgen(project, "diff", "v1", "HEAD", "un-sr-accountability", "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["changed"] is True
    [brief] = report["briefs"]
    assert brief["brief"] == "un-sr-accountability"
    changed = {c["id"]: c for c in brief["changed"]}
    assert changed[CHANGED_FINDING]["fields"]["text"].count("{+urged+}") == 1
    assert brief["status"] == [{"id": "csw-2018-rec-2007-member-states",
                                "old": "partially-met (2017)", "new": "met (2017)"}]


def test_nothing_changed_is_exit_0(project):
    result = briefgen(project, "diff", "v1", "HEAD")
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "no changes")


def test_two_release_folders_compared_by_their_manifests(project):
    assert briefgen(project, "build", "--all", "--format", "md", "--out", "../old").returncode == 0
    second_release(project)
    assert briefgen(project, "build", "--all", "--format", "md", "--out", "../new").returncode == 0
    result = briefgen(project, "diff", "../old", "../new")
    assert result.returncode == 1
    assert (f"  ~ {CHANGED_FINDING} (changed; compare git revisions for the text)"
            in result.stdout.splitlines())
    same = briefgen(project, "diff", "../old", "../old")
    assert (same.returncode, same.stdout.splitlines()[-1]) == (0, "no changes")


def test_a_release_that_is_not_there_is_one_line_and_exit_2(project):
    result = briefgen(project, "diff", "v9", "HEAD")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "v9: error: no such release; expected a folder with a manifest.json or a git revision "
        "of the project, got neither", "briefgen: 1 problem in 1 file"]
    assert "Traceback" not in result.stderr


def test_the_manifest_keeps_what_a_diff_needs(project):
    assert briefgen(project, "build", "--all", "--format", "md", "--out", "dist").returncode == 0
    outputs = json.loads((project / "dist/manifest.json").read_text())["outputs"]
    entry = next(o for o in outputs if o["brief"] == "un-sr-accountability")
    assert CHANGED_FINDING in entry["records"]
    assert "csw-2018" in entry["records"]                 # a cited source is printed too
    assert len(entry["note-hashes"]) == entry["notes"]
    assert entry["limits"] == {"words": 5000, "pages": None}


def test_word_diff_and_note_moves():
    assert word_diff("a b c", "a c") == "a [-b-] c"
    assert word_diff("same", "same") == "same"
    assert note_changes(["x", "y", "z"], ["y", "x", "q", "w"]) == [
        {"what": "moved", "old": 2, "new": 1}, {"what": "moved", "old": 1, "new": 2},
        {"what": "changed", "old": 3, "new": 3}, {"what": "added", "old": None, "new": 4}]
    assert note_changes(["x", "y"], ["x"]) == [{"what": "removed", "old": 2, "new": None}]


def test_redlines_for_the_briefs_that_changed(project, tmp_path):
    second_release(project)
    result = briefgen(project, "diff", "v1", "HEAD", "--redline", "../redlines")
    assert result.returncode == 1, result.stderr
    written = sorted(p.name for p in (tmp_path / "redlines").iterdir())
    assert written == sorted(f"{name}.redline.{ext}" for name in KEPT for ext in ("docx", "html"))
    page = (tmp_path / "redlines" / "un-sr-accountability.redline.html").read_text()
    assert "<del>asked</del><ins>urged</ins>" in page
    import zipfile
    with zipfile.ZipFile(tmp_path / "redlines" / "un-sr-accountability.redline.docx") as z:
        body = z.read("word/document.xml").decode()
        notes = z.read("word/footnotes.xml").decode()
    when = subprocess.run(["git", "log", "-1", "--format=%cI"], cwd=project, capture_output=True,
                          text=True, check=True).stdout.strip()
    assert "<w:delText>asked</w:delText>" in body and ">urged</w:t>" in body
    assert "<w:delText>(short version)</w:delText>" in notes and ">(summary)</w:t>" in notes
    assert 'w:author="briefgen"' in body and f'w:date="{when[:10]}T' in body


def test_a_redline_needs_two_revisions(project):
    assert briefgen(project, "build", "--all", "--format", "md", "--out", "../old").returncode == 0
    result = briefgen(project, "diff", "../old", "HEAD", "--redline", "../redlines")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].endswith(
        "error: a redline needs the documents themselves; expected two git revisions, got a "
        "release folder (its manifest holds hashes)")


def test_a_release_over_its_limit_is_compared_not_refused(project):
    """The newer release's brief is over its word limit: the diff says so against the limit
    (the build it makes for the comparison allows it), where a build would fail."""
    replace_in(project / "briefs/uk-westminster-hall-forb.yaml", "limits: {words: 2000}",
               "limits: {words: 600}")
    replace_in(project / "data/sources/frozen.yaml", "2007-2017 (short version)", "2007-2017")
    git(project, "commit", "-qam", "v2: a tighter limit")
    result = briefgen(project, "diff", "v1", "HEAD", "uk-westminster-hall-forb")
    assert (result.returncode, result.stderr) == (1, "")
    [words] = [line for line in result.stdout.splitlines() if line.startswith("  words: ")]
    before, after = map(int, re.match(r"  words: ([\d,]+) -> ([\d,]+) \(limit 600\)$",
                                      words.replace(",", "")).groups())
    assert before - after == 2 and after > 600          # "(short version)" gone, still over


def test_a_revision_without_the_project_is_one_line(project):
    git(project, "rm", "-rq", "data")
    git(project, "commit", "-qm", "no data")
    result = briefgen(project, "diff", "v1", "HEAD")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "HEAD: error: no briefgen project at that revision; expected a data folder in ., got none")
