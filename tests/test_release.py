"""Release builds: every brief in every format, reproducible, incremental, isolated, sharded.

Each test works on temporary copies of data/, briefs/ and templates/ (the real ones are never
touched), with every bundled brief plus briefs of its own where it needs more than one. The
extra briefs use a small audience of their own (``release-test``), so they do not depend on
how the bundled audiences' templates change.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from briefgen import manifest, release
from briefgen.brief import load_briefs
from briefgen.validate import load_dataset
from briefgen.progress import Progress, wants_bar
from briefgen.release import BUILT, FAILED, SKIPPED, Done, Row, Shard, parse_shard, plan
from briefgen.select import select
from briefgen.styles import HOUSE_STYLES
from briefgen.target import target
from briefgen.summary import cells

from clients import pdf_info_pages
from conftest import PROJECT, TEMPLATE, write

BUNDLED = sorted(p.stem for p in (PROJECT / "briefs").glob("*.yaml"))
ALL_FORMATS = ["docx", "html", "md", "pdf"]


# --- helpers -------------------------------------------------------------------------------

def copy_project(root: Path) -> Path:
    """data/, briefs/, templates/ and the brand (brand.yaml, its logo in brand/) copied into
    ``root``, plus the release-test audience."""
    for folder in ("data", "briefs", "templates", "brand"):
        shutil.copytree(PROJECT / folder, root / folder)
    shutil.copy(PROJECT / "brand.yaml", root / "brand.yaml")
    write(root, "templates/release-test/content.md.j2", TEMPLATE)
    return root


def add_brief(root: Path, name: str, findings: list[str], formats: list[str],
              audience: str = "release-test", introduction: str = "") -> None:
    """A brief that picks exactly these findings (and nothing else)."""
    text = (f"title: Release test {name}\naudience: {audience}\ndate: \"2026-11-26\"\n"
            f"organisations: [Test Org]\nstyle: uk-oscola\nformats: [{', '.join(formats)}]\n"
            f"select:\n  findings: {{include: [{', '.join(findings)}]}}\n")
    if introduction:
        text += f"introduction: {json.dumps(introduction)}\n"
    write(root, f"briefs/{name}.yaml", text)


def finding_ids(root: Path) -> list[str]:
    return [f.id for f in load_dataset(root / "data").records("findings")]


def build(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`briefgen build --all` in a fresh process in ``root``, stdout a pipe (not a terminal)."""
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    return subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--all", *args],
                          capture_output=True, text=True, cwd=root,
                          env={**environment, **(env or {})})


def statuses(stdout: str) -> dict[tuple[str, str], str]:
    """(brief, format) -> status, read from the summary table."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("BRIEF "))
    found = {}
    for line in lines[start + 1:]:
        cells_ = re.split(r"\s{2,}", line.strip())
        if len(cells_) != 7:
            break
        found[(cells_[0], cells_[1])] = cells_[6]
    return found


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def briefs_selecting(root: Path, finding: str) -> set[str]:
    dataset = load_dataset(root / "data")
    briefs = load_briefs(sorted((root / "briefs").glob("*.yaml")), dataset, root / "templates")
    return {b.name for b in briefs
            if finding in {f.id for f in select(dataset, b.brief.select).findings}}


def edit_finding(root: Path, finding: str, text: str) -> None:
    """Change one finding's text. The file is rewritten by PyYAML, so every other record of
    it changes its layout but not its content: what counts is the records, not the bytes."""
    for path in sorted((root / "data" / "findings").glob("*.yaml")):
        records = yaml.safe_load(path.read_text(encoding="utf-8"))
        for record in records:
            if record["id"] == finding:
                record["text"] = text
                path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False),
                                encoding="utf-8")
                return
    raise AssertionError(f"no finding {finding}")


# --- reproducible ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def two_releases(tmp_path_factory):
    """Every brief in every format, built twice from two copies: one process, then two
    workers. A second brief of our own makes sure two workers have two briefs to share."""
    roots = []
    for jobs in ("1", "2"):
        root = copy_project(tmp_path_factory.mktemp(f"jobs{jobs}"))
        add_brief(root, "zz-extra", finding_ids(root)[:3], ALL_FORMATS)
        result = build(root, "--jobs", jobs)
        assert result.returncode == 0, result.stderr
        roots.append(root)
    return roots


def test_two_builds_in_two_folders_with_one_or_two_workers_give_the_same_bytes(two_releases):
    first, second = (files(root / "dist") for root in two_releases)
    assert sorted(first) == sorted(second)
    briefs = (two_releases[0] / "briefs").glob("*.yaml")
    expected = {f"{path.stem}.{fmt}" for path in briefs
                for fmt in yaml.safe_load(path.read_text())["formats"]}
    assert expected | {"manifest.json"} <= set(first)
    assert {f"zz-extra.{fmt}" for fmt in ALL_FORMATS} <= expected
    for name, data in first.items():
        assert second[name] == data, name


def test_the_manifest_records_each_file_as_it_is(two_releases):
    dist = two_releases[0] / "dist"
    data = json.loads((dist / "manifest.json").read_text())
    assert data["briefgen"] == "0.1.0" and data["dataset"] is None   # a copy outside git
    keys = [(e["brief"], e["format"]) for e in data["outputs"]]
    assert keys == sorted(keys)
    on_disk = {p.name for p in dist.iterdir()} - {"manifest.json"}
    assert {f["name"] for e in data["outputs"] for f in e["files"]} == on_disk
    for entry in data["outputs"]:
        for record in entry["files"]:
            path = dist / record["name"]
            assert record["sha256"] == manifest.file_sha256(path)
            assert record["size"] == path.stat().st_size
        assert entry["words"] > 0 and entry["notes"] > 0
        assert entry["digest"] == manifest.digest(entry["inputs"])
        if entry["format"] == "pdf":
            assert entry["pages"] == pdf_info_pages(dist / entry["files"][0]["name"])
        else:
            assert entry["pages"] is None


def test_source_date_epoch_dates_the_files_and_the_brief_date_is_the_default(tmp_path):
    root = copy_project(tmp_path)
    add_brief(root, "dated", finding_ids(root)[:1], ["docx"])
    assert build(root, "--format", "docx", "--out", "plain").returncode == 0
    assert build(root, "--format", "docx", "--out", "epoch",
                 env={"SOURCE_DATE_EPOCH": "1700000000"}).returncode == 0
    epochs = {}
    for out in ("plain", "epoch"):
        entries = json.loads((root / out / "manifest.json").read_text())["outputs"]
        epochs[out] = {e["inputs"]["epoch"] for e in entries if e["brief"] == "dated"}
    assert epochs == {"plain": {1795651200}, "epoch": {1700000000}}   # 2026-11-26 00:00 UTC
    assert (root / "plain/dated.docx").read_bytes() != (root / "epoch/dated.docx").read_bytes()


# --- incremental -------------------------------------------------------------------------------

@pytest.fixture
def two_briefs(tmp_path):
    """The bundled briefs and two of our own, `picks` (selects finding X) and `passes` (does
    not), built once as md and html."""
    root = copy_project(tmp_path)
    x, y = finding_ids(root)[:2]
    add_brief(root, "picks", [x], ["md", "html"])
    add_brief(root, "passes", [y], ["md", "html"])
    first = build(root, "--format", "md", "--format", "html")
    assert first.returncode == 0, first.stderr
    return root, x


def test_a_second_run_skips_everything_and_says_so(two_briefs):
    root, _ = two_briefs
    before = files(root / "dist")
    again = build(root, "--format", "md", "--format", "html")
    assert again.returncode == 0, again.stderr
    found = statuses(again.stdout)
    assert len(found) == 2 * (len(BUNDLED) + 2)
    assert set(found.values()) == {SKIPPED}
    assert again.stdout.splitlines()[-1].startswith(
        f"{len(found)} outputs, all skipped (unchanged): nothing to build")
    assert "building" not in again.stdout
    assert files(root / "dist") == before


def test_a_run_with_nothing_to_build_loads_no_writer_library(two_briefs):
    root, _ = two_briefs
    script = ("import sys; from briefgen.cli import main\n"
              "code = main(['build', '--all', '--format', 'md', '--format', 'html'])\n"
              "print([m for m in ('docx', 'typst', 'weasyprint', 'citeproc', 'jinja2') "
              "if m in sys.modules])\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"


def test_touching_one_finding_rebuilds_exactly_the_briefs_that_select_it(two_briefs):
    root, x = two_briefs
    edit_finding(root, x, "An edited finding, so that every brief printing it must change.")
    selecting = briefs_selecting(root, x)
    assert "picks" in selecting and "passes" not in selecting
    again = build(root, "--format", "md", "--format", "html")
    assert again.returncode == 0, again.stderr
    built = {key for key, status in statuses(again.stdout).items() if status == BUILT}
    assert built == {(name, fmt) for name in selecting for fmt in ("html", "md")}
    assert "An edited finding" in (root / "dist" / "picks.md").read_text()


def test_force_rebuilds_everything(two_briefs):
    root, _ = two_briefs
    again = build(root, "--format", "md", "--format", "html", "--force")
    assert again.returncode == 0, again.stderr
    assert set(statuses(again.stdout).values()) == {BUILT}


def test_a_deleted_output_is_rebuilt_alone(two_briefs):
    root, _ = two_briefs
    (root / "dist" / "passes.html").unlink()
    again = build(root, "--format", "md", "--format", "html")
    built = {key for key, status in statuses(again.stdout).items() if status == BUILT}
    assert built == {("passes", "html")}


def test_an_edited_source_rebuilds_the_briefs_that_can_cite_it(tmp_path):
    """A source counts when a picked record's evidence cites it or the brief's own text does."""
    root = copy_project(tmp_path)
    dataset = load_dataset(root / "data")
    finding = dataset.records("findings")[0]
    other = next(s.id for s in dataset.records("sources") if s.id not in _evidence(finding))
    add_brief(root, "by-evidence", [finding.id], ["md"])
    add_brief(root, "by-text", [finding.id], ["md"], introduction=f"As shown [@{other}, page 1].")
    inputs = manifest.Inputs(dataset)
    briefs = {b.name: b for b in load_briefs(sorted((root / "briefs").glob("*.yaml")), dataset,
                                              root / "templates")}
    before = {name: _records(inputs, briefs[name], dataset) for name in briefs}
    path = next(p for p in (root / "data" / "sources").glob("*.yaml")
                if f"id: {other}\n" in p.read_text())
    path.write_text(path.read_text().replace(f"id: {other}\n", f"id: {other}\n  note: edited\n", 1))
    changed_data = load_dataset(root / "data")
    changed = manifest.Inputs(changed_data)
    after = {name: _records(changed, briefs[name], changed_data) for name in briefs}
    assert after["by-text"] != before["by-text"]
    assert after["by-evidence"] == before["by-evidence"]


def _records(inputs: manifest.Inputs, loaded, dataset) -> str:
    return inputs.of(target(loaded, "md"), loaded, select(dataset, loaded.brief.select))["records"]


def _evidence(record) -> set[str]:
    return {e.source for e in record.evidence}


def test_the_manifest_keeps_what_this_run_did_not_plan_and_forgets_briefs_now_gone(two_briefs):
    root, _ = two_briefs
    assert build(root, "--format", "docx", "--jobs", "1").returncode == 0
    entries = json.loads((root / "dist" / "manifest.json").read_text())["outputs"]
    assert {(e["brief"], e["format"]) for e in entries if e["brief"] == "picks"} == {
        ("picks", "docx"), ("picks", "html"), ("picks", "md")}
    (root / "briefs" / "passes.yaml").unlink()
    assert build(root, "--format", "md").returncode == 0
    entries = json.loads((root / "dist" / "manifest.json").read_text())["outputs"]
    assert "passes" not in {e["brief"] for e in entries}
    assert ("picks", "docx") in {(e["brief"], e["format"]) for e in entries}


def test_a_skipped_output_shows_its_warnings_again_and_strict_builds_it_to_fail(tmp_path):
    root = copy_project(tmp_path)
    write(root, "templates/release-fonts/content.md.j2", TEMPLATE)
    write(root, "templates/release-fonts/audience.yaml",
          "fonts:\n  text: [No Such Serif, Noto Serif]\n")
    add_brief(root, "fonts", finding_ids(root)[:1], ["pdf"], audience="release-fonts")
    first = build(root, "--format", "pdf", "--jobs", "1")
    warning = ("briefs/fonts.yaml:1:1: warning: font family 'No Such Serif' of the text stack is "
               "not installed")
    assert first.returncode == 0 and warning in first.stderr
    again = build(root, "--format", "pdf")
    assert again.returncode == 0 and set(statuses(again.stdout).values()) == {SKIPPED}
    assert again.stderr == first.stderr
    strict = build(root, "--format", "pdf", "--strict")
    assert strict.returncode == 1
    assert statuses(strict.stdout)[("fonts", "pdf")] == FAILED
    assert "(an error under --strict)" in strict.stderr


# --- isolated ----------------------------------------------------------------------------------

def test_a_failing_brief_leaves_no_file_and_the_others_build(tmp_path):
    root = copy_project(tmp_path)
    write(root, "templates/release-broken/content.md.j2", "# Broken\n\n{{ no_such_value }}\n")
    add_brief(root, "zz-broken", finding_ids(root)[:1], ["md", "html"], audience="release-broken")
    add_brief(root, "zz-fine", finding_ids(root)[:1], ["md", "html"])
    result = build(root, "--format", "md", "--format", "html", "--jobs", "2")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "templates/release-broken/content.md.j2:3:1: error: template uses an undefined value: "
        "'no_such_value' is undefined",
        "briefgen: 1 problem in 1 file"]
    names = {p.name for p in (root / "dist").iterdir()}
    assert not {n for n in names if n.startswith("zz-broken") or ".part" in n}
    for name in BUNDLED + ["zz-fine"]:
        assert {f"{name}.md", f"{name}.html"} <= names
    found = statuses(result.stdout)
    assert found[("zz-broken", "md")] == found[("zz-broken", "html")] == FAILED
    assert found[("zz-fine", "md")] == BUILT
    entries = json.loads((root / "dist" / "manifest.json").read_text())["outputs"]
    assert "zz-broken" not in {e["brief"] for e in entries}


# Loaded by every Python process started with it on PYTHONPATH, spawned workers included: the
# brief `zz-crash` raises (a bug) or kills the process building it (a crash in a library).
CRASH = """
import os
from briefgen import build
real = build.prepare_brief
def flaky(loaded, *args, **kwargs):
    if loaded.name == "zz-crash":
        if os.environ["CRASH"] == "raise":
            raise RuntimeError("boom")
        os._exit(3)
    return real(loaded, *args, **kwargs)
build.prepare_brief = flaky
"""


@pytest.mark.parametrize("how", ["raise", "die"])
def test_a_crash_in_a_worker_is_reported_with_the_brief_name(tmp_path, how):
    root = copy_project(tmp_path / "project")
    add_brief(root, "zz-crash", finding_ids(root)[:1], ["md"])
    write(tmp_path, "hook/sitecustomize.py", CRASH)
    result = build(root, "--format", "md", "--jobs", "2",
                   env={"CRASH": how, "PYTHONPATH": str(tmp_path / "hook")})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[-1] == "briefgen: 1 problem in 1 file"
    assert lines[0].startswith("briefs/zz-crash.yaml:")
    assert lines[0].endswith(
        "error: briefgen failed building this brief (a bug in briefgen; please report it); "
        "expected a build, got RuntimeError: boom at sitecustomize.py:8" if how == "raise" else
        "error: the worker process building this brief stopped (a crash in briefgen or a "
        "library it uses; please report it); expected a build, got no result")
    assert not (root / "dist" / "zz-crash.md").exists()
    assert all((root / "dist" / f"{name}.md").is_file() for name in BUNDLED)


# --- sharding, jobs ----------------------------------------------------------------------------

def test_shards_partition_the_sorted_outputs():
    for length in range(12):
        items = list(range(length))
        for count in range(1, 5):
            parts = [Shard(index, count).take(items) for index in range(1, count + 1)]
            assert [i for part in parts for i in part] == items
            assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_shards_one_two_and_three_of_three_build_every_output_once(tmp_path):
    root = copy_project(tmp_path)
    for name in ("s-one", "s-two", "s-three"):
        add_brief(root, name, finding_ids(root)[:1], ["md", "html"])
    seen: list[tuple[str, str]] = []
    for k in (1, 2, 3):
        result = build(root, "--format", "md", "--format", "html", "--shard", f"{k}/3",
                       "--out", f"shard{k}")
        assert result.returncode == 0, result.stderr
        part = statuses(result.stdout)
        assert set(part.values()) == {BUILT}
        seen += part
    expected = sorted((name, fmt) for name in BUNDLED + ["s-one", "s-two", "s-three"]
                      for fmt in ("html", "md"))
    assert sorted(seen) == expected and len(set(seen)) == len(seen)


def test_the_plan_is_sorted_by_brief_and_format(tmp_path):
    root = copy_project(tmp_path)
    dataset = load_dataset(root / "data")
    briefs = load_briefs(sorted((root / "briefs").glob("*.yaml")), dataset, root / "templates")
    planned = plan(briefs, ["pdf", "md"])
    keys = [(t.brief, t.format) for t in planned]
    assert keys == sorted(keys) and len(keys) == 2 * len(briefs)
    assert plan(briefs, ["pdf", "md"], Shard(1, 1)) == planned


def test_each_target_resolves_its_pdf_engine_once_command_line_first(tmp_path):
    root = copy_project(tmp_path)
    dataset = load_dataset(root / "data")
    briefs = load_briefs(sorted((root / "briefs").glob("*.yaml")), dataset, root / "templates")
    own = {t.brief: t.engine for t in plan(briefs, ["pdf"])}
    assert own == {b.name: b.brief.pdf_engine for b in briefs}
    assert {t.engine for t in plan(briefs, ["pdf"], pdf_engine="weasyprint")} == {"weasyprint"}
    assert {t.writer for t in plan(briefs, ["pdf"], pdf_engine="weasyprint")} == {"pdf/weasyprint"}
    assert {t.engine for t in plan(briefs, ["md", "docx"], pdf_engine="weasyprint")} == {None}


@pytest.mark.parametrize("option, value, message", [
    ("--shard", "4/3", "bad --shard '4/3'; expected K/N with 1 <= K <= N, such as 2/4"),
    ("--shard", "0/2", "bad --shard '0/2'; expected K/N with 1 <= K <= N, such as 2/4"),
    ("--shard", "half", "bad --shard 'half'; expected K/N with 1 <= K <= N, such as 2/4"),
    ("--jobs", "0", "bad --jobs '0'; expected a whole number of at least 1, such as 2"),
    ("--jobs", "many", "bad --jobs 'many'; expected a whole number of at least 1, such as 2"),
])
def test_a_bad_shard_or_jobs_value_is_one_usage_line(tmp_path, option, value, message):
    root = copy_project(tmp_path)
    result = build(root, option, value)
    assert result.returncode == 2
    assert result.stderr == f"briefgen: error: {message}\n"
    assert not (root / "dist").exists()


def test_parse_shard_reads_k_of_n():
    assert parse_shard("2/4") == Shard(2, 4) and parse_shard(None) is None


# --- progress and summary ----------------------------------------------------------------------

def test_progress_is_plain_lines_when_stdout_is_not_a_terminal(two_briefs):
    root, _ = two_briefs
    result = build(root, "--format", "md", "--force", "--jobs", "1")
    lines = result.stdout.splitlines()
    n = len(BUNDLED) + 2                    # briefs, each built as md only
    assert lines[0] == f"building {n} outputs in one process"
    progress = [line for line in lines if line.startswith("[")]
    assert len(progress) == n
    for line in progress:
        assert re.fullmatch(r"\[\d+/\d+\] built [\w-]+: md \(\d+\.\d\d s\)", line), line
    assert "\r" not in result.stdout and "\x1b" not in result.stdout


def test_progress_draws_a_bar_on_a_terminal_and_clears_it():
    out = io.StringIO()
    progress = Progress(out, bar=True)
    progress.start(4, 0, 2)
    progress.step(Done("a-brief", ["docx", "pdf"]))
    progress.finish()
    text = out.getvalue()
    assert "\r[" in text and "] 2/4 a-brief" in text and "#" in text
    assert text.endswith("\r\x1b[K") and "\n" not in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_only_on_a_terminal_and_never_in_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert wants_bar(_Terminal()) and not wants_bar(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not wants_bar(_Terminal())


def test_the_summary_shows_words_against_the_limit():
    assert cells(Row("b", "pdf", BUILT, 3, 1804, 2000, 31, 1.2)) == (
        "b", "pdf", "3", "1,804 / 2,000", "31", "1.20 s", BUILT)
    assert cells(Row("b", "docx", SKIPPED, None, 2100, 2000, 31))[3] == "2,100 / 2,000 (over)"
    assert cells(Row("b", "md", FAILED, limit=2000))[2:6] == ("-", "-", "-", "-")


def test_a_target_cites_with_the_file_of_its_house_style_or_its_own(tmp_path):
    root = copy_project(tmp_path)
    dataset = load_dataset(root / "data")
    add_brief(root, "own-style", [dataset.records("findings")[0].id], ["md"])
    (root / "own.csl").write_bytes(HOUSE_STYLES["un"].read_bytes())
    path = root / "briefs" / "own-style.yaml"
    path.write_text(path.read_text().replace("style: uk-oscola", "style: ../own.csl"))
    briefs = {b.name: b for b in load_briefs(sorted((root / "briefs").glob("*.yaml")), dataset,
                                              root / "templates")}
    assert target(briefs["own-style"], "md").style.resolve() == (root / "own.csl").resolve()
    for loaded in briefs.values():
        if loaded.style in HOUSE_STYLES:
            assert target(loaded, "pdf").style == HOUSE_STYLES[loaded.style]


def test_tool_versions_are_those_importlib_metadata_reports():
    from importlib import metadata

    versions = manifest.tool_versions()
    assert {name: versions[name] for name in manifest.TOOLS} == {
        name: metadata.version(name) for name in manifest.TOOLS}


def test_one_process_writes_a_brief_while_the_next_brief_composes(monkeypatch, tmp_path):
    """With one job, a brief's writers run on a second thread while the next brief's stages
    run: the writers of "a" can see "b" start. Results still come in plan order."""
    b_started = threading.Event()
    saw_b_start = []

    def start(loaded, dataset, task, settings):
        if task.brief == "b":
            b_started.set()
        return task.brief

    def finish(name):
        if name == "a":
            saw_b_start.append(b_started.wait(timeout=60))
        return release.Done(name, [])

    monkeypatch.setattr(release, "start_one", start)
    monkeypatch.setattr(release, "finish_one", finish)
    finished = []
    tasks = [release.Task(name, [], None) for name in "abc"]
    release._pipelined(tasks, dict.fromkeys("abc"), None, release.Settings(tmp_path),
                       finished.append)
    assert saw_b_start == [True]
    assert [done.brief for done in finished] == ["a", "b", "c"]
