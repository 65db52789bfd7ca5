"""Limits: a brief over its audience's word or page limit fails with the count, the limit and
its largest sections, unless the author allows it; the build's table shows every count."""

from __future__ import annotations

import json
from pathlib import Path

from briefgen.cli import main

from conftest import BRIEF, write

LONG = """\
## Short section

{{ findings[0].text }} {{ cite(findings[0]) }}

## Long section

{% for i in range(60) %}word {% endfor %}

"""


def over(project, words: int, extra: str = "") -> None:
    write(project, "templates/plain/content.md.j2", LONG)
    write(project, "templates/plain/audience.yaml",
          f"label: Plain\nlimits: {{words: {words}{extra}}}\n")


def test_a_brief_over_its_audience_word_limit_fails_and_writes_nothing(project, capsys):
    over(project, 50)
    assert main(["build", "briefs/b.yaml", "--format", "docx", "--out", "out"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "briefs/b.yaml:2:11: error: over the word limit; expected at most 50 words (body and "
        "footnotes), got 103, 53 over; largest: 'Long section' 62, footnotes 28, "
        "'Short section' 13; shorten it, or build with --allow-overlength",
        "briefgen: 1 problem in 1 file"]
    assert not Path("out").exists()


def test_the_brief_s_own_limit_wins_and_is_where_the_error_points(project, capsys):
    over(project, 50)
    write(project, "briefs/b.yaml", BRIEF + "limits: {words: 60}\n")
    assert main(["build", "briefs/b.yaml", "--format", "md", "--out", "out"]) == 1
    assert capsys.readouterr().err.startswith(
        "briefs/b.yaml:11:17: error: over the word limit; expected at most 60 words")


def test_footnotes_are_left_out_when_the_audience_does_not_count_them(project, capsys):
    over(project, 80, ", count-notes: false")
    assert main(["build", "briefs/b.yaml", "--format", "md", "--out", "out"]) == 0
    row = capsys.readouterr().out.splitlines()[-2].split()
    assert row[:6] == ["b", "md", "-", "75", "/", "80"]


def test_a_joint_submission_gets_the_joint_limit(project, capsys):
    over(project, 50, ", joint-words: 200")
    write(project, "briefs/b.yaml", BRIEF.replace("[Test Org]", "[Test Org, Other Org]"))
    assert main(["build", "briefs/b.yaml", "--format", "md", "--out", "out"]) == 0
    assert "103 / 200" in capsys.readouterr().out


def test_allow_overlength_builds_with_a_warning_that_strict_lets_pass(project, capsys):
    over(project, 50)
    argv = ["build", "briefs/b.yaml", "--format", "docx", "--out", "out", "--strict"]
    assert main(argv + ["--allow-overlength"]) == 0
    captured = capsys.readouterr()
    assert "warning: over the word limit; expected at most 50 words (body and footnotes), got " \
           "103, 53 over" in captured.err
    assert "(allowed by --allow-overlength)" in captured.err
    assert Path("out/b.docx").is_file()
    assert "103 / 50" in captured.out


def test_a_pdf_over_its_page_limit_fails(project, capsys):
    write(project, "templates/plain/content.md.j2",
          "{% for i in range(400) %}A paragraph of words, number {{ i }}.\n\n{% endfor %}")
    write(project, "templates/plain/audience.yaml", "label: Plain\nlimits: {pages: 2}\n")
    assert main(["build", "briefs/b.yaml", "--format", "docx", "--format", "pdf",
                 "--out", "out"]) == 1
    err = capsys.readouterr().err.splitlines()[0]
    assert err.startswith("briefs/b.yaml:2:11: error: over the page limit; expected at most 2 "
                          "pages, got ")
    assert not Path("out").exists()


def test_an_output_let_over_its_limit_is_not_skipped_when_the_leave_is_not_given_again(
        project, capsys):
    over(project, 50)
    argv = ["build", "briefs/b.yaml", "--format", "docx", "--out", "out"]
    assert main(argv + ["--allow-overlength"]) == 0
    assert main(argv + ["--allow-overlength"]) == 0
    assert "skipped (unchanged)" in capsys.readouterr().out
    assert main(argv) == 1
    assert "error: over the word limit" in capsys.readouterr().err


def test_the_manifest_says_which_outputs_were_let_over_their_limit(project):
    """A fact, not a phrase to search the warnings for: within limits is false."""
    argv = ["build", "briefs/b.yaml", "--format", "docx", "--format", "md", "--out", "out"]
    assert main(argv) == 0
    entries = json.loads(Path("out/manifest.json").read_text())["outputs"]
    assert [e["allowed-overlength"] for e in entries] == [False, False]
    over(project, 50)
    assert main(argv + ["--allow-overlength"]) == 0
    entries = json.loads(Path("out/manifest.json").read_text())["outputs"]
    assert [(e["format"], e["allowed-overlength"]) for e in entries] == [("docx", True),
                                                                           ("md", True)]


def test_the_summary_shows_pages_against_the_page_limit(project, capsys):
    write(project, "templates/plain/audience.yaml", "label: Plain\nlimits: {pages: 2}\n")
    assert main(["build", "briefs/b.yaml", "--format", "pdf", "--out", "out"]) == 0
    row = capsys.readouterr().out.splitlines()[-2].split()
    assert row[:5] == ["b", "pdf", "1", "/", "2"]
