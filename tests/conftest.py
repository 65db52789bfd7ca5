"""Shared fixtures: a small valid dataset copied into a temporary working folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefgen.dataset import load_dataset
from briefgen.errors import BriefgenError

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
