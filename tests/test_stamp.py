"""A build that finds nothing changed answers from its stamp, and any change goes the long way.

The long way loads the dataset (``cli.load_dataset``); these tests count its calls.
"""

from __future__ import annotations

import shutil

import pytest

from briefgen import cli
from briefgen.cli import main
from briefgen.stamp import normalised, stamp_path
from briefgen.styles import HOUSE_STYLES
from conftest import write

ARGV = ["build", "--all", "--format", "md", "--format", "html", "--out", "out"]


@pytest.fixture
def built(project, monkeypatch, capsys):
    """The project built once; ``loads()`` counts the dataset loads since."""
    assert main(ARGV) == 0
    capsys.readouterr()
    calls = []
    real = cli.load_dataset
    monkeypatch.setattr(cli, "load_dataset", lambda folder: calls.append(folder) or real(folder))
    return lambda: len(calls)


def rerun(capsys, *extra: str) -> str:
    assert main(ARGV + list(extra)) == 0
    return capsys.readouterr().out


def test_nothing_changed_answers_from_the_stamp_as_the_long_way_would(project, built, capsys):
    quick = rerun(capsys)
    assert built() == 0
    stamp_path(project, project / "out").unlink()
    slow = rerun(capsys)
    assert built() == 1
    assert [line.rsplit("(", 1)[0] for line in quick.splitlines()] == \
           [line.rsplit("(", 1)[0] for line in slow.splitlines()]
    assert quick.splitlines()[-1].startswith("2 outputs, all skipped (unchanged): nothing to build")


@pytest.mark.parametrize("change", [
    lambda p: write(p, "data/findings/findings.yaml",
                    (p / "data/findings/findings.yaml").read_text().replace("almost", "nearly")),
    lambda p: write(p, "data/findings/more.yaml", "[]\n"),
    lambda p: write(p, "briefs/b.yaml", (p / "briefs/b.yaml").read_text() + "subtitle: New\n"),
    lambda p: write(p, "templates/plain/content.md.j2",
                    (p / "templates/plain/content.md.j2").read_text() + "\nMore.\n"),
    lambda p: (p / "out" / "b.html").write_text("tampered"),
    lambda p: (p / "out" / "b.md").unlink(),
], ids=["data-edited", "data-added", "brief-edited", "template-edited", "output-tampered",
        "output-removed"])
def test_any_change_of_input_or_output_goes_the_long_way(project, built, capsys, change):
    change(project)
    rerun(capsys)
    assert built() == 1
    rerun(capsys)
    assert built() == 1              # and the build that followed left a stamp again


def test_the_epoch_a_flag_and_force_go_the_long_way(project, built, capsys, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rerun(capsys)
    assert built() == 1
    rerun(capsys, "--strict")
    assert built() == 2
    rerun(capsys, "--force")
    assert built() == 3


def test_a_style_outside_the_project_is_covered(project, tmp_path_factory, capsys, monkeypatch):
    # Outside the project a brief may name only files in a folder the command line names
    # (paths.py): here the templates folder, kept elsewhere with its own style.
    templates = tmp_path_factory.mktemp("shared") / "templates"
    shutil.copytree(project / "templates", templates)
    elsewhere = templates / "own.csl"
    elsewhere.write_bytes(HOUSE_STYLES["un"].read_bytes())
    write(project, "briefs/b.yaml", (project / "briefs/b.yaml").read_text()
          .replace("style: uk-oscola", f"style: {elsewhere}"))
    argv = ARGV + ["--templates", str(templates)]
    assert main(argv) == 0
    calls = []
    real = cli.load_dataset
    monkeypatch.setattr(cli, "load_dataset", lambda folder: calls.append(folder) or real(folder))
    assert main(argv) == 0
    assert calls == []
    elsewhere.write_text(elsewhere.read_text().replace("</style>", "<!-- edited --></style>"))
    assert main(argv) == 0
    assert len(calls) == 1


def test_distribution_names_compare_as_pep_503_says():
    assert normalised("Python_Docx") == normalised("python-docx") == normalised("python..docx")
