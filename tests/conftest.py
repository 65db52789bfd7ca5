"""Shared fixtures: a small valid dataset copied into a temporary working folder."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from briefgen.validate import load_dataset
from briefgen.errors import BriefgenError

# Counting a DOCX's pages starts LibreOffice (two seconds a document): the tests that are about
# pages turn it on (test_formats.py, test_docx_design.py); the rest build without the count.
os.environ.setdefault("BRIEFGEN_DOCX_PAGES", "off")
# Charts drawn by the tests are kept in a folder of this run's, never the user's cache.
if "BRIEFGEN_CACHE_DIR" not in os.environ:
    os.environ["BRIEFGEN_CACHE_DIR"] = tempfile.mkdtemp(prefix="briefgen-test-cache-")
    atexit.register(shutil.rmtree, os.environ["BRIEFGEN_CACHE_DIR"], True)

ROOTS = Path(__file__).parent / "roots"
PROJECT = Path(__file__).parent.parent


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A temporary working folder holding a copy of the minimal dataset as `data/`."""
    shutil.copytree(ROOTS / "minimal", tmp_path, dirs_exist_ok=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(folder: Path, relpath: str, text: str) -> Path:
    path = folder / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(data: Path | str = "data") -> list[str]:
    """Every problem the dataset loader reports, as the printed lines."""
    try:
        load_dataset(Path(data))
    except BriefgenError as err:
        return [str(p) for p in err.problems]
    return []


BRIEF = """\
title: A test brief
audience: plain
date: "2026-12-03"
organisations: [Test Org]
style: uk-oscola
select:
  findings: {}
  quotes: {}
  statistics: {}
  recommendations: {}
"""

TEMPLATE = """\
# Findings

{% for f in findings %}
{{ f.text }} {{ cite(f) }}

{% endfor %}
"""


@pytest.fixture
def project(workdir):
    """The minimal dataset, one audience `plain` (templates/plain) and one brief (briefs/b.yaml)."""
    write(workdir, "templates/plain/content.md.j2", TEMPLATE)
    write(workdir, "briefs/b.yaml", BRIEF)
    return workdir


def brief_problems(path: str = "briefs/b.yaml", data: str = "data") -> list[str]:
    """Every problem loading one brief reports, as printed lines."""
    from briefgen.brief import load_briefs

    dataset = load_dataset(Path(data))
    try:
        load_briefs([Path(path)], dataset, Path("templates"))
    except BriefgenError as err:
        return [str(p) for p in err.problems]
    return []
