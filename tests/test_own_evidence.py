"""An organisation's own evidence: a project that adds a report that is not one of the four seed
reports, with its text, two findings and a quotation from it and a brief that selects them, is
checked, verified and passes the data tests, as the bundled project does.

The data tests run in a process of their own on the copy (``BRIEFGEN_DATA``, ``BRIEFGEN_SEEDS``),
so what they assert of the bundled data is shown to hold for any dataset built the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import PROJECT, write
from test_bundled_data import SEEDS

HRW_2020 = """\
North Korea: Events of 2019

The government continued to restrict freedom of movement. In 2019, 1,047 people
reached South Korea after escaping, fewer than the year before.

"I was beaten every day in the holding centre," one woman told Human Rights Watch.
"""

SOURCE = """\
- id: hrw-2020
  type: chapter
  title: "North Korea: Events of 2019"
  container-title: World Report 2020
  author:
    - literal: Human Rights Watch
  issued: {date-parts: [[2020, 1, 14]]}
  url: https://www.hrw.org/world-report/2020/country-chapters/north-korea
  text: hrw-2020.txt
"""

FINDINGS = """\
- id: hrw-2020-movement
  text: Freedom of movement stayed restricted through 2019.
  themes: [movement]
  period: "2019"
  confidence: documented
  evidence:
    - {source: hrw-2020, section: North Korea}
- id: hrw-2020-arrivals
  text: 1,047 escapees reached South Korea in 2019, fewer than the year before.
  themes: [movement]
  period: "2019"
  confidence: official
  evidence:
    - {source: hrw-2020, section: North Korea}
"""

QUOTE = """\
- id: hrw-2020-holding-centre
  text: I was beaten every day in the holding centre.
  speaker: A woman interviewed by Human Rights Watch
  themes: [detention]
  evidence:
    - {source: hrw-2020, section: North Korea}
"""

BRIEF = """\
title: Escape and return in 2019
audience: uk-briefing
date: "2026-12-01"
organisations: [Test Org]
formats: [md]
select:
  findings: {include: [hrw-2020-movement, hrw-2020-arrivals]}
  quotes: {include: [hrw-2020-holding-centre]}
"""


def briefgen(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen.cli", *args], cwd=root,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def own(tmp_path_factory) -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed reports' texts are not at {SEEDS} (BRIEFGEN_SEEDS names them)")
    root = tmp_path_factory.mktemp("own")
    for name in ("data", "briefs", "templates"):
        shutil.copytree(PROJECT / name, root / name)
    for extra in ("brand.yaml", "brand"):
        if (PROJECT / extra).is_file():
            shutil.copy(PROJECT / extra, root / extra)
        elif (PROJECT / extra).is_dir():
            shutil.copytree(PROJECT / extra, root / extra)
    shutil.copytree(SEEDS, root / "texts")
    write(root, "texts/hrw-2020.txt", HRW_2020)
    write(root, "data/sources/hrw-2020.yaml", SOURCE)
    write(root, "data/findings/hrw-2020.yaml", FINDINGS)
    write(root, "data/quotes/hrw-2020.yaml", QUOTE)
    write(root, "briefs/escape-2019.yaml", BRIEF)
    return root


def test_check_passes(own):
    result = briefgen(own, "check")
    assert result.returncode == 0, result.stderr
    assert "6 briefs composed" in result.stdout


def test_verify_finds_the_new_records_in_their_text(own):
    result = briefgen(own, "verify", "--texts", "texts")
    assert result.returncode == 0, result.stderr
    assert "5 source texts" in result.stdout


def test_verify_finds_a_figure_the_new_text_does_not_hold(own, tmp_path):
    shutil.copytree(own, tmp_path / "p")
    path = tmp_path / "p" / "data" / "findings" / "hrw-2020.yaml"
    path.write_text(path.read_text().replace("1,047", "1,074"))
    result = briefgen(tmp_path / "p", "verify", "--texts", "texts")
    assert result.returncode == 1
    assert "data/findings/hrw-2020.yaml:9:9: error: figure 1074 of this finding is not in " \
           "hrw-2020's text" in result.stderr


def test_the_data_tests_pass_on_it(own):
    env = {**os.environ, "BRIEFGEN_DATA": str(own / "data"), "BRIEFGEN_SEEDS": str(own / "texts")}
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             "tests/test_bundled_data.py", "tests/test_seed_reports.py"],
                            cwd=PROJECT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout.splitlines()[-1]
