"""The command line: exit codes, one line per problem, no traceback, nothing written."""

import os
import subprocess
import sys
from pathlib import Path

from briefgen.cli import main
from conftest import BRIEF, write


def run(*args):
    """briefgen in a fresh process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "briefgen.cli", *args],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "100"})


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_check_passes_on_a_valid_dataset(workdir, capsys):
    assert main(["check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("data: ok, 11 records in 8 files (2 themes, 2 actors, 1 benchmark-groups, "
                          "2 sources, 1 findings, 1 statistics, 1 quotes, 1 recommendations)")


def test_check_reports_every_problem_and_exits_1_without_a_traceback(workdir):
    write(workdir, "data/findings/x.yaml", "- id: a\n  text: t\n  text: u\n")
    write(workdir, "data/quotes/y.yaml", "- {id: q, text: t, themes: [religion], evidence: []}\n")
    before = snapshot(workdir)
    result = run("check")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [   # the duplicate key does not hide the rest
        "data/findings/x.yaml:1:3: error: missing key 'confidence'; expected every finding to "
        "have 'confidence'",
        "data/findings/x.yaml:1:3: error: missing key 'evidence'; expected every finding to "
        "have 'evidence'",
        "data/findings/x.yaml:1:3: error: missing key 'themes'; expected every finding to have "
        "'themes'",
        "data/findings/x.yaml:3:3: error: duplicate key 'text'; expected each key once in a "
        "mapping, got it again (first at line 2, column 3)",
        "data/quotes/y.yaml:1:50: error: 'evidence' is empty; expected at least one item",
        "briefgen: 5 problems in 2 files",
    ]
    assert "Traceback" not in result.stderr
    assert snapshot(workdir) == before


def test_check_of_a_missing_data_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("check", "--data", "nowhere")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "nowhere: error: no data folder; expected a folder of YAML files, got nothing there")


def test_ls_prints_a_table_filtered_by_theme(workdir):
    write(workdir, "data/findings/more.yaml", """\
- id: detention-finding
  text: Prison camps hold many thousands.
  themes: [detention]
  confidence: documented
  evidence: [{source: brief-2024, section: Prison camps}]
""")
    result = run("ls", "findings", "--theme", "detention")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [
        "ID                 CONFIDENCE  THEMES     TEXT",
        "detention-finding  documented  detention  Prison camps hold many thousands.",
        "(1 findings)",
    ]


def test_ls_filters_combine_and_wrap_long_text(workdir, capsys):
    assert main(["ls", "recommendations", "--addressee", "dprk", "--source", "brief-2024",
                 "--width", "60"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "ID                 TO    TEXT",
        "release-prisoners  dprk  Release all persons detained in",
        "                         prison camps.",
        "(1 recommendations)",
    ]


def test_ls_rejects_an_unknown_filter_value_with_a_hint(workdir):
    result = run("ls", "findings", "--theme", "religon")
    assert result.returncode == 2
    assert result.stderr == "briefgen: error: unknown theme 'religon'; did you mean 'religion'?\n"


def test_ls_rejects_a_filter_that_does_not_apply(workdir):
    result = run("ls", "sources", "--addressee", "dprk")
    assert result.returncode == 2
    assert result.stderr == "briefgen: error: --addressee does not apply to sources\n"


def test_build_writes_each_format_and_leaves_inputs_alone(project):
    before = snapshot(project)
    result = run("build", "briefs/b.yaml", "--format", "md", "--format", "docx", "--out", "out")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (project / "out").iterdir()) == [
        "b.csl", "b.docx", "b.json", "b.md", "manifest.json"]
    # the outputs, and the stamp a later build answers from (a cache: stamp.py), are all new
    assert {k: v for k, v in snapshot(project).items()
            if "/out/" not in k and "/.briefgen-cache/" not in k} == before


def test_a_failing_brief_writes_nothing_and_the_others_still_build(project):
    write(project, "templates/broken/content.md.j2", "{{ findings[0].txt }}\n")
    write(project, "briefs/a.yaml", BRIEF.replace("audience: plain", "audience: broken"))
    result = run("build", "--all", "--format", "md", "--out", "out")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "templates/broken/content.md.j2:1:1: error: template uses an undefined value: "
        "a finding has no field 'txt'; did you mean 'text'?",
        "briefgen: 1 problem in 1 file",
    ]
    assert sorted(p.name for p in (project / "out").iterdir()) == [
        "b.csl", "b.json", "b.md", "manifest.json"]


def test_build_fails_on_an_invalid_dataset_and_writes_nothing(project):
    write(project, "data/findings/x.yaml", "- id: a\n")
    result = run("build", "--all", "--out", "out")
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == "briefgen: 4 problems in 1 file"
    assert not (project / "out").exists()


def test_build_needs_briefs_or_all(project):
    result = run("build")
    assert result.returncode == 2
    assert result.stderr == "briefgen: error: no briefs to build; expected brief files or --all\n"


def test_check_covers_briefs(project):
    write(project, "briefs/b.yaml", BRIEF.replace("audience: plain", "audience: plan"))
    result = run("check")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "briefs/b.yaml:2:11: error: unknown audience 'plan' (no templates/plan/content.md.j2); "
        "did you mean 'plain'?")


def test_ls_confidence_levels_come_from_the_schema_not_from_the_records(workdir, capsys):
    assert main(["ls", "findings", "--confidence", "official"]) == 0  # none in the data: no error
    assert capsys.readouterr().out.splitlines()[-1] == "(0 findings)"


def test_a_template_citing_an_unknown_source_is_reported_at_the_template(project):
    write(project, "templates/plain/content.md.j2", "Claim [@coi-2041, page 3].\n")
    result = run("build", "briefs/b.yaml", "--format", "md", "--out", "out")
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "templates/plain/content.md.j2:1:7: error: unknown source 'coi-2041' in "
        "[@coi-2041, page 3]; did you mean 'coi-2014'?")
    assert not (project / "out").exists()


def test_an_output_folder_that_cannot_be_made_is_one_clear_line(project):
    write(project, "notes.txt", "a file, not a folder\n")
    result = run("build", "briefs/b.yaml", "--out", "notes.txt/out")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "notes.txt/out: error: cannot write the output; expected a folder briefgen can "
        "write to, got Not a directory",
        "briefgen: 1 problem in 1 file",
    ]


# --- working in a project ------------------------------------------------------------------------

def test_check_composes_each_brief_so_a_build_error_shows_at_check_time(project, capsys):
    write(project, "templates/plain/content.md.j2", "# X\n\n{{ brief.oral_question }}\n")
    write(project, "briefs/c.yaml", BRIEF.replace("title: A test brief", "title: Another") +
          "introduction: As the report says [@no-such-source, page 2].\n")
    assert main(["check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "briefs/c.yaml:11:15: error: unknown source 'no-such-source' cited in 'introduction'; "
        "expected the id of a source",
        "templates/plain/content.md.j2:3:1: error: template uses an undefined value: a brief "
        "has no field 'oral_question'; did you mean 'questions'?",
        "briefgen: 2 problems in 2 files"]
    assert not (project / "dist").exists()


def test_ls_lists_the_briefs_and_the_audiences(project, capsys):
    assert main(["ls", "briefs", "--width", "100"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "BRIEF  AUDIENCE  FORMATS  LIMITS  TITLE",
        "b      plain     docx     -       A test brief",
        "(1 briefs)"]
    assert main(["ls", "audiences", "--width", "100"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "AUDIENCE  STYLE      TERMS  LIMITS  BRIEFS  LABEL",
        "plain     uk-oscola  -      -       1       plain",
        "(1 audiences)"]


def test_show_prints_a_record_where_it_is_and_the_briefs_that_select_it(project, capsys):
    assert main(["show", "witness-cross"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("quote witness-cross at data/quotes/quotes.yaml:1:3\n\nid: witness-cross\n")
    assert out.endswith("selected by:\n  b (briefs/b.yaml)\n")
    assert main(["show", "witness-crosss"]) == 2
    assert "no record 'witness-crosss'; did you mean 'witness-cross'?" in capsys.readouterr().err


def test_run_from_a_subfolder_briefgen_works_on_its_project(project, monkeypatch, capsys):
    monkeypatch.chdir(project / "briefs")
    assert main(["build", "b.yaml", "--format", "md"]) == 0
    assert (project / "dist" / "b.md").is_file()
    monkeypatch.chdir(project / "templates" / "plain")
    assert main(["check"]) == 0
    assert "data: ok" in capsys.readouterr().out


def test_the_names_the_parser_offers_are_those_of_the_modules_that_own_them():
    from briefgen import brief, listing, names
    from briefgen.dataset import KINDS

    assert names.KIND_NAMES == tuple(k.name for k in KINDS)
    assert (names.FORMATS, names.PDF_ENGINES) == (brief.FORMATS, brief.PDF_ENGINES)
    assert list(names.FILTER_HELP) == list(listing.FILTERS)
    assert names.PROJECT_LISTS == tuple(listing.LISTS)
