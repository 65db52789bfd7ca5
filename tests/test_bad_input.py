"""The bad-input corpus: each case is one fault, and briefgen names it in one located line.

Every case in ``tests/bad_input/<case>/`` is run as a user runs briefgen: the base project
(as the ``project`` fixture makes it: ``tests/roots/minimal``'s data, the audience ``plain``
and the brief ``briefs/b.yaml``) is copied into a temporary folder, the case's files are laid
over it, and ``briefgen`` runs there in a fresh process with the arguments in the case's
``command`` file (default ``build --all --out out``). The processes run side by side, one per
core, before the cases' tests look at what each did. Then:

- the exit status is 1 (2 for a command-line mistake, whose one line reads
  ``briefgen: error: ...``);
- the error output is exactly the case's ``expected.txt``: one ``path:line:col: error: ...``
  line per problem, then ``briefgen: N problems in M files`` (the counts checked too);
- there is no traceback, and nothing in the project changed or was added: no output folder,
  no ``.part`` file, ``data/``, ``briefs/`` and ``templates/`` as they were.

``tests/bad_input/README.md`` lists every case with what it prints; it is generated from the
corpus and checked here. ``BRIEFGEN_REGEN_GOLDEN=1`` rewrites the ``expected.txt`` files and
the README from what briefgen prints now (review the diff before committing).
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from regen import regenerate
from conftest import BRIEF, ROOTS, TEMPLATE, write

CORPUS = Path(__file__).parent / "bad_input"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir())
DEFAULT_COMMAND = "build --all --out out"
CASE_FILES = ("expected.txt", "command")       # the case's own files, not laid over the base

LOCATED = re.compile(r"^(?P<path>[^\s:][^:]*):\d+:\d+: error: \S")
WHOLE_FILE = re.compile(r"^(?P<path>[^\s:][^:]*): error: \S")
SUMMARY = re.compile(r"^briefgen: (?P<problems>\d+) problems? in (?P<files>\d+) files?$")
USAGE = re.compile(r"^briefgen: error: \S")
# Cases whose problem is a file or folder as a whole, with no line in it to point at.
NO_LINE = {"stray-folder": "a misspelt folder has no line to point at"}


def overlay(case: Path, project: Path) -> None:
    """The case's files laid over the project, byte for byte."""
    for source in sorted(case.rglob("*")):
        relative = source.relative_to(case)
        if source.is_file() and str(relative) not in CASE_FILES:
            target = project / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def command(case: Path) -> list[str]:
    given = case / "command"
    return shlex.split(given.read_text(encoding="utf-8") if given.exists() else DEFAULT_COMMAND)


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """briefgen in a fresh process, so a traceback would really be printed."""
    return subprocess.run([sys.executable, "-m", "briefgen.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``, with a digest of each file's bytes."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest()
                                         if p.is_file() else "folder")
            for p in sorted(folder.rglob("*"))}


def check_form(name: str, lines: list[str]) -> None:
    """One located line per problem, then a summary that counts them; or one usage line."""
    if len(lines) == 1 and USAGE.match(lines[0]):
        return
    *problems, summary = lines
    counts = SUMMARY.match(summary)
    assert counts, summary
    pattern = WHOLE_FILE if name in NO_LINE else LOCATED
    found = [pattern.match(line) or LOCATED.match(line) for line in problems]
    assert all(found), [line for line, ok in zip(problems, found) if not ok]
    assert int(counts["problems"]) == len(problems)
    assert int(counts["files"]) == len({match["path"] for match in found})


def base_project(folder: Path) -> Path:
    """The project the ``project`` fixture makes, in ``folder``."""
    shutil.copytree(ROOTS / "minimal", folder, dirs_exist_ok=True)
    write(folder, "templates/plain/content.md.j2", TEMPLATE)
    write(folder, "briefs/b.yaml", BRIEF)
    return folder


@dataclass
class Outcome:
    folder: Path
    before: dict[str, str]
    result: subprocess.CompletedProcess


def _run_case(name: str, folder: Path) -> Outcome:
    case = CORPUS / name
    overlay(case, base_project(folder))
    before = snapshot(folder)
    return Outcome(folder, before, run(command(case), folder))


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict[str, Outcome]:
    """Every case run once, side by side; a case's test then reads its outcome."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {name: pool.submit(_run_case, name, tmp_path_factory.mktemp(name))
                   for name in CASES}
        return {name: future.result() for name, future in futures.items()}


def test_the_base_project_builds(tmp_path):
    """The cases' base is valid and the default command writes: so 'nothing written' below
    means the fault stopped it."""
    project = base_project(tmp_path)
    result = run(shlex.split(DEFAULT_COMMAND), project)
    assert (result.returncode, result.stderr) == (0, "")
    assert sorted(p.name for p in (project / "out").iterdir()) == ["b.docx", "manifest.json"]


@pytest.mark.parametrize("name", CASES)
def test_bad_input(outcomes, name):
    case, outcome = CORPUS / name, outcomes[name]
    result = outcome.result
    assert "Traceback" not in result.stderr + result.stdout
    regenerate(case / "expected.txt", result.stderr)
    assert result.stderr == (case / "expected.txt").read_text(encoding="utf-8")
    assert result.returncode == (2 if USAGE.match(result.stderr) else 1)
    check_form(name, result.stderr.splitlines())
    assert not (outcome.folder / "out").exists()
    assert snapshot(outcome.folder) == outcome.before


# --- the README ------------------------------------------------------------------------------

README_HEAD = """\
# The bad-input corpus

Each folder here is one fault in an otherwise valid project, and what briefgen prints for it.
`tests/test_bad_input.py` copies the base project (the `project` fixture of
`tests/conftest.py`: `tests/roots/minimal`'s data, the audience `plain` with the template of
`conftest.TEMPLATE`, and the brief `briefs/b.yaml` of `conftest.BRIEF`) into a temporary
folder, lays the case's files over it, and runs `briefgen` there as a separate process with
the arguments in the case's `command` file (default: `{default}`). It checks that

- the exit status is 1, or 2 for a command-line mistake (`briefgen: error: ...`);
- the error output is exactly `expected.txt`: one `path:line:col: error: ...` line per
  problem (paths relative to the project), then `briefgen: N problems in M files`;
  {no_line}
- there is no traceback, and nothing in the project was written or changed: no output
  folder, no `.part` file, `data/`, `briefs/` and `templates/` as they were.

A case holds only the files that differ from the base, stored byte for byte
(`.gitattributes` turns off line-ending conversion): the cases that are about bytes (not
UTF-8, UTF-16, a byte order mark, a control character, a tab) are those files themselves.

This table is generated from the corpus, and the test fails when it is out of date. After a
deliberate change of a message, rewrite every `expected.txt` and this file with

```sh
BRIEFGEN_REGEN_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_bad_input.py
```

(`make golden` does it too) and review the diff.

{count} cases:

| case | files | command | prints |
|---|---|---|---|
"""


def _cell(text: str) -> str:
    """Text as inline code in a Markdown table cell."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def readme() -> str:
    no_line = "; ".join(f"`{name}` prints `path: error: ...` ({why})"
                        for name, why in NO_LINE.items())
    out = README_HEAD.format(default=DEFAULT_COMMAND, count=len(CASES),
                             no_line=f"the exception: {no_line};")
    for name in CASES:
        case = CORPUS / name
        files = sorted(str(p.relative_to(case)) for p in case.rglob("*")
                       if p.is_file() and str(p.relative_to(case)) not in CASE_FILES)
        expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
        out += (f"| {name} | {'<br>'.join(_cell(f) for f in files) or '(none)'} "
                f"| {_cell(' '.join(command(case)))} "
                f"| {'<br>'.join(_cell(line) for line in expected)} |\n")
    return out


def test_the_readme_lists_every_case_and_what_it_prints():
    path = CORPUS / "README.md"
    regenerate(path, readme())
    assert path.read_text(encoding="utf-8") == readme()
