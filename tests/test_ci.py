"""The GitHub workflow is what a careful GitHub user expects, and its problem matcher reads
briefgen's own lines. Read as data (PyYAML), not searched as text."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import yaml

from conftest import PROJECT

WORKFLOW = PROJECT / ".github" / "workflows" / "ci.yml"
MATCHER = PROJECT / ".github" / "briefgen-problems.json"


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))     # YAML 1.1 reads a bare `on` as true
    return data


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


def test_tests_run_on_every_push_and_pull_request_and_the_release_on_a_tag():
    on = workflow()["on"]
    assert "pull_request" in on and on["push"]["tags"] == ["v*"]
    release = workflow()["jobs"]["release"]
    assert release["needs"] == "test" and "refs/tags/v" in release["if"]


def test_only_the_release_job_may_write():
    data = workflow()
    assert data["permissions"] == {"contents": "read"}
    assert "permissions" not in data["jobs"]["test"]
    assert data["jobs"]["release"]["permissions"] == {"contents": "write"}


def test_every_action_is_pinned_to_a_commit_and_checkout_keeps_no_token():
    for job in workflow()["jobs"]:
        for step in steps(job):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


def test_jobs_have_a_timeout_a_cache_and_one_run_per_ref():
    data = workflow()
    assert data["concurrency"]["group"]
    for name, job in data["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 90, name
        assert any(s.get("uses", "").startswith("actions/cache@") for s in job["steps"]), name


def test_ci_runs_the_readme_test_command_through_ci_run():
    assert any(step.get("run") == "bash .ci/run" for step in steps("test"))
    assert "make test" in (PROJECT / ".ci" / "run").read_text(encoding="utf-8")


def test_the_problem_matcher_reads_briefgen_errors_and_warnings():
    pattern = json.loads(MATCHER.read_text())["problemMatcher"][0]["pattern"][0]
    regexp = re.compile(pattern["regexp"])
    found = regexp.match("data/findings/religion.yaml:42:5: error: unknown theme 'relgion'; "
                         "did you mean 'religion'?")
    assert found and (found[pattern["file"]], found[pattern["line"]], found[pattern["column"]],
                      found[pattern["severity"]]) == ("data/findings/religion.yaml", "42", "5",
                                                      "error")
    assert regexp.match("briefs/b.yaml:2:11: warning: over the page limit")
    assert not regexp.match("briefgen: 1 problem in 1 file")
    assert any(step.get("run", "").startswith("echo \"::add-matcher::.github/briefgen-problems")
               for step in steps("test"))


def test_a_release_attaches_the_diff_against_the_previous_tag(tmp_path):
    """The release job's diff step, run as it is written in the workflow, in a project with
    two tags: the text and JSON diffs against v1 are written and attached."""
    import shutil
    import subprocess

    [step] = [s for s in steps("release") if "briefgen diff" in s.get("run", "")]
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "tests" / "roots" / "bundled", root)
    for brief in (root / "briefs").glob("*.yaml"):
        if brief.stem != "uk-westminster-hall-forb":
            brief.unlink()
    (root / ".venv").symlink_to(PROJECT / ".venv")
    (root / ".gitignore").write_text(".venv\nchanges/\n")
    git = ["git", "-c", "user.email=t@example.org", "-c", "user.name=Test"]
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "one"], ["tag", "v1"]):
        subprocess.run(git + command, cwd=root, check=True, capture_output=True)
    source = root / "data" / "sources" / "frozen.yaml"
    source.write_text(source.read_text().replace("(short version)", "(summary)", 1))
    for command in (["commit", "-qam", "two"], ["tag", "v2"]):
        subprocess.run(git + command, cwd=root, check=True, capture_output=True)
    done = subprocess.run(["sh", "-e", "-c", step["run"]], cwd=root, capture_output=True,
                          text=True, env={**os.environ, "GITHUB_REF_NAME": "v2",
                                          "BRIEFGEN_DOCX_PAGES": "off"})
    assert done.returncode == 0, done.stderr
    text = (root / "changes" / "diff-v1.txt").read_text()
    assert "[-(short version)-]{+(summary)+}" in text
    assert json.loads((root / "changes" / "diff-v1.json").read_text())["changed"] is True
    assert (root / "changes" / "uk-westminster-hall-forb.redline.docx").is_file()
    release = [s for s in steps("release") if "action-gh-release" in s.get("uses", "")]
    assert "changes/*" in release[0]["with"]["files"]
