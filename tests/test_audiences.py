"""The bundled audiences' own rules, on the bundled dataset: what their readers check first."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from briefgen.typography import own_text
from clients import html_text, need, squash
from conftest import PROJECT as LIVE, ROOTS

# The bundled briefs as frozen for the tests (tests/roots/bundled), so that an organisation's
# edits to its own briefs and findings never fail these.
PROJECT = ROOTS / "bundled"


def build(tmp_path: Path, brief: dict, *args: str, data: Path = PROJECT / "data"
          ) -> subprocess.CompletedProcess:
    path = tmp_path / "briefs" / "b.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(brief, allow_unicode=True), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "briefgen.cli", "build", str(path), "--out", str(tmp_path / "out"),
         "--data", str(data), "--templates", str(PROJECT / "templates"), *args],
        capture_output=True, text=True, cwd=tmp_path)


def bundled(name: str) -> dict:
    return yaml.safe_load((PROJECT / "briefs" / f"{name}.yaml").read_text(encoding="utf-8"))


def test_a_upr_recommendation_names_the_earlier_recommendation_it_follows_up(tmp_path):
    brief = bundled("un-upr-dprk")
    rec = "csw-briefing-2024-dprk-release-prison-camp-detainees"
    brief["upr-links"] = {rec: "126.45 (A/HRC/42/10)"}
    result = build(tmp_path, brief, "--format", "html", "--strict")
    assert result.returncode == 0, result.stderr
    body, _ = html_text(tmp_path / "out/b.html")
    line = next(ln for ln in body.splitlines() if ln.startswith("“Release all persons"))
    # (the note number depends on what comes before: any number; no break inside the symbol)
    assert re.search(r"immediately and unconditionally\.”\d+ \(follows up recommendation "
                     r"126\.45 \(A/\u2060HRC/\u206042/\u206010\)\)$", line), line
    assert body.count("(follows up recommendation") == 1


def test_a_upr_link_to_an_unknown_recommendation_is_located(tmp_path):
    brief = bundled("un-upr-dprk")
    brief["upr-links"] = {"csw-briefing-2024-dprk-release-prisoners": "126.45"}
    result = build(tmp_path, brief, "--format", "md")
    assert result.returncode == 1
    line = result.stderr.splitlines()[0]
    assert line.startswith("briefs/b.yaml:") and ": error: unknown recommendation " \
        "'csw-briefing-2024-dprk-release-prisoners'" in line


def test_a_joint_upr_submission_gets_the_joint_limit_and_speaks_in_the_plural(tmp_path):
    brief = bundled("un-upr-dprk")
    brief["organisations"] = ["North Korea Evidence Project", "Second Organisation"]
    result = build(tmp_path, brief, "--format", "md", "--strict")
    assert result.returncode == 0, result.stderr
    assert " / 5,630 " in result.stdout
    markdown = (tmp_path / "out/b.md").read_text(encoding="utf-8")
    assert "The submitting organizations support the recommendations below" in markdown


def test_an_individual_upr_submission_over_2815_words_fails(tmp_path):
    brief = bundled("un-upr-dprk")
    brief["select"]["findings"] = {"themes": ["detention", "escapees", "religion"]}
    brief["select"]["recommendations"] = {"addressees": ["dprk"]}
    # every such record of the whole bundled dataset: more than the frozen copy holds
    result = build(tmp_path, brief, "--format", "docx", data=LIVE / "data")
    assert result.returncode == 1
    assert "error: over the word limit; expected at most 2,815 words (body and footnotes), " \
           "got " in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_minister_s_questions_are_on_page_one_of_the_briefing(tmp_path):
    need("pdftotext")
    brief = bundled("uk-westminster-hall-forb")
    result = build(tmp_path, brief, "--format", "pdf", "--strict")
    assert result.returncode == 0, result.stderr
    page_one = squash(subprocess.run(["pdftotext", "-f", "1", "-l", "1",
                                      str(tmp_path / "out/b.pdf"), "-"],
                                     capture_output=True, text=True, check=True).stdout)
    # Each question as printed: an abbreviation defined before it is written short, and the
    # project's own text typeset (curly apostrophes).
    questions = [q.replace("Commission of Inquiry", "COI") for q in brief["questions"]]
    for text in ["Key points", "Suggested questions for the Minister", *questions]:
        assert squash(own_text(text)) in page_one, text
