"""Issue 20: hostile projects and unlucky operators, each case a separate briefgen process.

Every case runs ``briefgen`` on a copy of the minimal project in ``tmp_path`` and checks what a
user would: the exit status, the exact one-line message, no traceback, no stray file, the
inputs unchanged; each run has a timeout, so a hang fails the test instead of the suite.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BRIEF, ROOTS, TEMPLATE, write

GUARD = 120                       # seconds; a run that takes longer is a hang


@pytest.fixture
def proj(tmp_path):
    """The minimal project (data, audience `plain`, brief `b`) in its own folder."""
    root = tmp_path / "p"
    shutil.copytree(ROOTS / "minimal", root)
    write(root, "templates/plain/content.md.j2", TEMPLATE)
    write(root, "briefs/b.yaml", BRIEF)
    return root


def env(**extra: str) -> dict[str, str]:
    found = {**os.environ, "COLUMNS": "100", **extra}
    found.pop("SOURCE_DATE_EPOCH", None) if "SOURCE_DATE_EPOCH" not in extra else None
    return found


def run(cwd: Path, *args: str, environ: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "briefgen.cli", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=GUARD,
                          env=environ or env(), stdin=subprocess.DEVNULL)
    assert "Traceback" not in done.stderr + done.stdout
    return done


def snapshot(folder: Path, leave_out: str = "out") -> dict[str, bytes]:
    """Every input file's bytes (links as where they lead), the output folder left out."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] in (leave_out, ".briefgen-cache"):
            continue
        if path.is_symlink():
            found[str(rel)] = os.readlink(path).encode()
        elif path.is_file():
            found[str(rel)] = path.read_bytes()
    return found


def errors(done: subprocess.CompletedProcess) -> list[str]:
    return done.stderr.splitlines()


def parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.part")) if folder.exists() else []


def manifest_true(out: Path) -> bool:
    """Every file the manifest lists has the bytes it records."""
    data = json.loads((out / "manifest.json").read_text())
    return all(hashlib.sha256((out / f["name"]).read_bytes()).hexdigest() == f["sha256"]
               for entry in data["outputs"] for f in entry["files"])


LEAVES = ("a symbolic link that leaves the project; expected a file inside the project ({root}) "
          "or a folder named on the command line, got a link to {target}")


# --- A. reading outside the project ---------------------------------------------------------

PAGE_TYP_READING = '#read("{path}")\n'


@pytest.mark.parametrize("link,target,read", [
    ("rootdir", "/", "rootdir/proc/self/environ"),
    ("pw.txt", "/etc/passwd", "pw.txt"),
], ids=["folder-link", "file-link"])
def test_1_typst_cannot_read_through_a_link_out_of_the_project(proj, link, target, read):
    write(proj, "templates/plain/page.typ", PAGE_TYP_READING.format(path=read))
    (proj / "templates/plain" / link).symlink_to(target)
    before = snapshot(proj)
    done = run(proj, "build", "--all", "--format", "pdf", "--out", "out")
    assert done.returncode == 1
    assert errors(done) == [
        f"templates/plain/{link}: error: " + LEAVES.format(root=proj, target=target),
        "briefgen: 1 problem in 1 file"]
    assert not (proj / "out").exists() and snapshot(proj) == before


def test_2_a_jinja_include_cannot_follow_a_link_out_of_the_project(proj, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-TOKEN\n")
    (proj / "templates/plain/leak.j2").symlink_to(secret)
    write(proj, "templates/plain/content.md.j2", TEMPLATE + '\n{% include "leak.j2" %}\n')
    done = run(proj, "build", "--all", "--format", "md", "--format", "html", "--out", "out")
    assert done.returncode == 1
    assert errors(done) == [
        "templates/plain/leak.j2: error: " + LEAVES.format(root=proj, target=secret),
        "briefgen: 1 problem in 1 file"]
    assert "SECRET" not in done.stdout + done.stderr and not (proj / "out").exists()


def test_3_the_weasyprint_sandbox_is_the_project_not_the_working_folder(proj, tmp_path):
    secret = tmp_path / "secret.txt"          # beside the project, inside the working folder
    secret.write_text("SECRET-TOKEN\n")
    write(proj, "templates/plain/page.html.j2",
          '{% extends "base.html.j2" %}\n{% block head_extra %}<link rel="attachment" '
          f'href="file://{secret}">{{% endblock %}}\n')
    done = run(tmp_path, "build", "p/briefs/b.yaml", "--data", "p/data", "--briefs-dir",
               "p/briefs", "--templates", "p/templates", "--format", "pdf", "--pdf-engine",
               "weasyprint", "--out", "p/out")
    assert done.returncode == 0
    assert errors(done) == [
        f"p/briefs/b.yaml:1:1: warning: refused to fetch file://{secret}: briefgen reads files "
        "only inside the project and its own look"]
    import pikepdf

    with pikepdf.open(proj / "out/b.pdf") as pdf:
        assert len(pdf.attachments) == 0
    assert b"SECRET" not in (proj / "out/b.pdf").read_bytes()


def test_4_reading_the_dataset_version_runs_nothing_the_repository_configures(proj, tmp_path):
    git = ["git", "-C", str(proj), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True, timeout=GUARD)
    subprocess.run([*git, "add", "-A"], check=True, timeout=GUARD)
    subprocess.run([*git, "commit", "-qm", "x"], check=True, timeout=GUARD)
    marker = tmp_path / "ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    subprocess.run([*git, "config", "core.fsmonitor", str(hook)], check=True, timeout=GUARD)
    done = run(proj, "build", "--all", "--format", "md", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert not marker.exists()
    version = json.loads((proj / "out/manifest.json").read_text())["dataset"]
    assert version and len(version) >= 7            # the commit, as describe --always gives it


@pytest.mark.parametrize("target", ["/etc/passwd", "/etc/hostname"])
def test_5_a_data_file_linking_out_of_the_project_is_refused_unread(proj, target):
    (proj / "data/findings/more.yaml").symlink_to(target)
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "data/findings/more.yaml: error: " + LEAVES.format(root=proj, target=target),
        "briefgen: 1 problem in 1 file"]
    assert "root:" not in done.stderr


def test_5_a_source_text_outside_the_texts_folder_is_refused_unread(proj):
    path = proj / "data/sources/sources.yaml"
    path.write_text(path.read_text().replace("  number: A/HRC/25/63\n",
                                             "  number: A/HRC/25/63\n  text: /etc/passwd\n"))
    (proj / "texts").mkdir()
    done = run(proj, "verify", "--texts", "texts")
    assert done.returncode == 1
    assert errors(done)[-2:] == [
        f"data/sources/sources.yaml:8:9: error: /etc/passwd: a file outside the project; "
        f"expected a file inside the project ({proj}) or a folder named on the command line, "
        "got a path that resolves outside them",
        "briefgen: 1 problem in 1 file"]
    assert "root:" not in done.stdout + done.stderr


def test_a_folder_named_on_the_command_line_may_be_elsewhere(proj, tmp_path):
    """The rule's other half: a templates folder the user names outside the project is read."""
    shutil.move(proj / "templates", tmp_path / "shared-templates")
    done = run(proj, "check", "--templates", str(tmp_path / "shared-templates"))
    assert done.returncode == 0, done.stderr


def test_the_brand_beside_a_named_templates_folder_is_read_unless_it_links_out(proj, tmp_path):
    shared = tmp_path / "shared"
    shutil.move(proj / "templates", shared / "templates")
    write(shared, "brand.yaml", "organisation: Shared Org\n")
    done = run(proj, "check", "--templates", str(shared / "templates"))
    assert done.returncode == 0, done.stderr
    (shared / "brand.yaml").unlink()
    (shared / "brand.yaml").symlink_to("/etc/passwd")
    done = run(proj, "check", "--templates", str(shared / "templates"))
    assert done.returncode == 1
    assert errors(done) == [
        f"{shared}/brand.yaml: error: " + LEAVES.format(root=proj, target="/etc/passwd"),
        "briefgen: 1 problem in 1 file"]


def test_a_style_named_outside_the_project_is_a_located_problem(proj, tmp_path):
    style = tmp_path / "own.csl"
    shutil.copy(Path(__file__).parent.parent / "src/briefgen/styles/un.csl", style)
    write(proj, "briefs/b.yaml", BRIEF.replace("style: uk-oscola", f"style: {style}"))
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        f"briefs/b.yaml:5:8: error: {style}: a file outside the project; expected a file "
        f"inside the project ({proj}) or a folder named on the command line, got a path that "
        "resolves outside them",
        "briefgen: 1 problem in 1 file"]


# --- B. builds that die cleanly ---------------------------------------------------------------

# A template that never finishes composing (10^10 loop steps), so a test can stop a build
# while it is certainly running, without timing anything.
ENDLESS = ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")


def slow_project(proj: Path) -> None:
    write(proj, "templates/slow/content.md.j2", ENDLESS)
    write(proj, "briefs/z.yaml", BRIEF.replace("audience: plain", "audience: slow"))


def _as_from_a_terminal() -> None:
    """Ctrl-C's default, which a test runner's worker may have set to 'ignore' (and a child
    inherits that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(cwd: Path, *args: str) -> subprocess.Popen:
    build = subprocess.Popen([sys.executable, "-m", "briefgen.cli", *args], cwd=cwd,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=env(), start_new_session=True, stdin=subprocess.DEVNULL,
                             preexec_fn=_as_from_a_terminal)
    STARTED.append(build)
    return build


@pytest.fixture(autouse=True)
def _no_build_left_running():
    """A build a test started is stopped with it, whatever the test found."""
    yield
    for build in STARTED:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.communicate()
    STARTED.clear()


STARTED: list[subprocess.Popen] = []


def wait_for(stream, text: str) -> list[str]:
    """Lines of ``stream`` up to and including the first that holds ``text``."""
    seen = []
    for line in stream:
        seen.append(line)
        if text in line:
            return seen
    raise AssertionError(f"{text!r} never came; got {seen}")


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux's")
def test_6_workers_end_when_the_build_is_killed(proj):
    slow_project(proj)
    build = start(proj, "build", "--all", "--format", "md", "--jobs", "2", "--out", "out")
    wait_for(build.stdout, "built b")        # one worker done with b, the other in z for good
    workers = [os.pidfd_open(pid) for pid in children(build.pid)]
    assert workers
    build.kill()
    # The workers held stdout and stderr open: both end only when every worker has ended.
    out, err = build.communicate(timeout=GUARD)
    assert "Traceback" not in err
    for pidfd in workers:                  # readable once the process has ended
        import select

        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        assert poller.poll(GUARD * 1000), "a worker outlived the build"
        os.close(pidfd)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_7_ctrl_c_is_one_line_exit_130_no_temporary_file_and_a_true_manifest(proj, jobs):
    slow_project(proj)
    build = start(proj, "build", "--all", "--format", "md", "--jobs", jobs, "--out", "out")
    if jobs == "2":
        wait_for(build.stdout, "built b")
    else:
        wait_for(build.stdout, "building")
    os.killpg(build.pid, signal.SIGINT)        # as the terminal sends Ctrl-C: to the group
    out, err = build.communicate(timeout=GUARD)
    assert build.returncode == 130
    assert err.splitlines()[-1] == (
        "briefgen: interrupted; outputs finished before it are written and in the manifest, "
        "nothing half-written is left")
    assert "Traceback" not in err + out
    out_dir = proj / "out"
    assert parts(out_dir) == []
    if jobs == "2":
        assert manifest_true(out_dir)
        names = [e["brief"] for e in json.loads((out_dir / "manifest.json").read_text())["outputs"]]
        assert names == ["b"]


def test_8_an_output_that_is_a_folder_names_the_output_and_leaves_no_part_file(proj):
    (proj / "out/b.md").mkdir(parents=True)
    done = run(proj, "build", "--all", "--format", "md", "--out", "out")
    assert done.returncode == 1
    assert errors(done)[-2:] == [
        "out/b.md: error: cannot write the output; expected a folder briefgen can write to, "
        "got Is a directory",
        "briefgen: 1 problem in 1 file"]
    assert parts(proj / "out") == []


def test_8_a_file_size_limit_mid_write_is_one_line_and_leaves_nothing(proj):
    import resource

    def limited() -> None:                    # as `ulimit -f 2` in the shell
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    before = snapshot(proj)
    done = subprocess.run([sys.executable, "-m", "briefgen.cli", "build", "--all", "--format",
                           "md", "--format", "html", "--out", "out"], cwd=proj,
                          capture_output=True, text=True, timeout=GUARD, env=env(),
                          preexec_fn=limited)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert errors(done) == [
        "out: error: cannot write the output; expected a folder briefgen can write to, got "
        "File too large",
        "briefgen: 1 problem in 1 file"]
    assert not (proj / "out").exists() and snapshot(proj) == before


def test_8_stale_part_files_of_a_killed_build_are_removed(proj):
    stale = write(proj, "out/.b.md.k3j2h1g0.part", "half a file")
    done = run(proj, "build", "--all", "--format", "md", "--out", "out")
    assert done.returncode == 0
    assert not stale.exists() and parts(proj / "out") == []


def test_9_a_manifest_that_cannot_be_written_is_one_line(proj):
    (proj / "out/manifest.json").mkdir(parents=True)
    done = run(proj, "build", "--all", "--format", "md", "--out", "out")
    assert done.returncode == 1
    assert errors(done)[-2:] == [
        "out/manifest.json: error: cannot write the build manifest; expected a file briefgen "
        "can write, got Is a directory",
        "briefgen: 1 problem in 1 file"]
    assert parts(proj / "out") == []


def test_10_a_second_build_into_the_same_folder_waits_for_the_first(proj):
    out_dir = proj / "out"
    out_dir.mkdir()
    fd = os.open(out_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)             # as a first build holds it
        build = start(proj, "build", "--all", "--format", "md", "--format", "html",
                      "--out", "out")
        assert build.stderr.readline() == (
            "briefgen: out: another build is writing into this folder; waiting for it to "
            "finish\n")
        assert not (out_dir / "manifest.json").exists()
    finally:
        os.close(fd)
    out, err = build.communicate(timeout=GUARD)
    assert build.returncode == 0, err
    assert manifest_true(out_dir)
    assert len(json.loads((out_dir / "manifest.json").read_text())["outputs"]) == 2


def test_10_two_builds_at_once_both_land_in_the_manifest(proj):
    write(proj, "briefs/c.yaml", BRIEF.replace("A test brief", "Another"))
    first = start(proj, "build", "briefs/b.yaml", "--format", "md", "--out", "out")
    second = start(proj, "build", "briefs/c.yaml", "--format", "md", "--out", "out")
    for build in (first, second):
        build.communicate(timeout=GUARD)
        assert build.returncode == 0
    data = json.loads((proj / "out/manifest.json").read_text())
    assert [e["brief"] for e in data["outputs"]] == ["b", "c"]
    assert manifest_true(proj / "out")


# --- C. a manifest that cannot lie ------------------------------------------------------------

@pytest.mark.parametrize("tamper", ["empty", "swapped"])
def test_11_the_manifest_file_list_is_not_trusted(proj, tamper):
    write(proj, "briefs/c.yaml", BRIEF.replace("A test brief", "Another"))
    assert run(proj, "build", "--all", "--format", "md", "--out", "out").returncode == 0
    path = proj / "out/manifest.json"
    data = json.loads(path.read_text())
    b, c = data["outputs"]
    if tamper == "empty":
        b["files"] = []
    else:
        b["files"], c["files"] = c["files"], b["files"]
    path.write_text(json.dumps(data))
    (proj / "out/b.md").unlink()
    done = run(proj, "build", "--all", "--format", "md", "--out", "out")
    assert done.returncode == 0
    assert "b      md" in done.stdout and "built" in done.stdout.split("b      md")[1].splitlines()[0]
    assert (proj / "out/b.md").is_file() and manifest_true(proj / "out")


def test_12_the_name_manifest_is_reserved(proj):
    write(proj, "briefs/manifest.yaml", BRIEF)
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "briefs/manifest.yaml: error: output name 'manifest' is reserved for the build "
        "manifest; expected another name, got 'manifest'",
        "briefgen: 1 problem in 1 file"]


@pytest.mark.parametrize("out,how,folder", [
    ("templates/plain", "inside", "templates"),
    ("data", "the same folder as", "data"),
    (".", "a folder above", "data"),
])
def test_13_an_output_folder_among_the_inputs_is_refused(proj, out, how, folder):
    before = snapshot(proj, leave_out="-")
    done = run(proj, "build", "--all", "--format", "md", "--out", out)
    assert done.returncode == 2
    assert errors(done) == [
        f"briefgen: error: --out {out} is {how} the input folder {folder}; expected an output "
        f"folder apart from the data, briefs and templates, got one {how} {folder}"]
    assert snapshot(proj, leave_out="-") == before


# --- D. bad input that crashed or hung --------------------------------------------------------

@pytest.mark.parametrize("date", ["2108-01-01", "1979-12-31"])
def test_17_a_date_a_docx_cannot_record_is_refused_at_check(proj, date):
    write(proj, "briefs/b.yaml", BRIEF.replace('"2026-12-03"', f'"{date}"'))
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "briefs/b.yaml:3:7: error: date out of range; expected a date from 1980-01-01 to "
        f"2107-12-31 (what a DOCX file can record), got {date}",
        "briefgen: 1 problem in 1 file"]


def test_17_a_source_date_epoch_past_2107_is_refused(proj):
    done = run(proj, "check", environ=env(SOURCE_DATE_EPOCH="99999999999"))
    assert done.returncode == 2
    assert errors(done) == [
        "briefgen: error: SOURCE_DATE_EPOCH out of range; expected seconds from 315532800 to "
        "4354819199 (1980-01-01 to 2107-12-31, what a DOCX file can record), got 99999999999"]


def test_18_a_fifo_in_the_data_folder_is_refused_not_waited_on(proj):
    os.mkfifo(proj / "data/findings/more.yaml")
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "data/findings/more.yaml: error: not a regular file; expected a file, got a FIFO "
        "(named pipe)",
        "briefgen: 1 problem in 1 file"]


def test_18_a_link_to_dev_zero_is_refused_not_read(proj):
    (proj / "data/findings/more.yaml").symlink_to("/dev/zero")
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "data/findings/more.yaml: error: " + LEAVES.format(root=proj, target="/dev/zero"),
        "briefgen: 1 problem in 1 file"]


def test_18_a_file_over_the_size_bound_is_refused(proj):
    from briefgen.paths import MAX_BYTES

    with open(proj / "data/findings/more.yaml", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)          # sparse: no disk used
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        f"data/findings/more.yaml: error: file too large; expected at most {MAX_BYTES:,} "
        f"bytes, got {MAX_BYTES + 1:,}",
        "briefgen: 1 problem in 1 file"]


def test_18_a_fifo_or_an_oversized_file_in_a_template_folder_is_refused(proj):
    from briefgen.paths import MAX_BYTES

    os.mkfifo(proj / "templates/plain/pipe.typ")
    with open(proj / "templates/plain/big.css", "wb") as handle:
        handle.truncate(MAX_BYTES + 1)
    done = run(proj, "build", "--all", "--format", "pdf", "--out", "out")
    assert done.returncode == 1
    assert errors(done) == [
        f"templates/plain/big.css: error: file too large; expected at most {MAX_BYTES:,} "
        f"bytes, got {MAX_BYTES + 1:,}",
        "templates/plain/pipe.typ: error: not a regular file; expected a file, got a FIFO "
        "(named pipe)",
        "briefgen: 2 problems in 2 files"]
    assert not (proj / "out").exists()


def test_19_an_empty_output_folder_is_refused(proj):
    before = snapshot(proj, leave_out="-")
    done = run(proj, "build", "--all", "--out", "")
    assert done.returncode == 2
    assert errors(done) == ["briefgen: error: --out names no folder; expected an output folder "
                            "such as dist, got an empty name"]
    assert snapshot(proj, leave_out="-") == before


def test_20_a_brief_name_too_long_for_a_file_is_refused_at_check(proj):
    name = "b" * 240
    write(proj, "briefs/b.yaml", BRIEF + f"output: {name}\n")
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "briefs/b.yaml:11:9: error: output name too long; expected at most 200 bytes, got 240",
        "briefgen: 1 problem in 1 file"]


def reference_docx(path: Path, replace: dict[str, bytes] = {}, add: dict[str, int] = {}) -> None:
    """python-docx's own template, with parts replaced and zero-filled parts of given sizes
    added (written in steps: the test never holds a bomb in memory)."""
    import zipfile

    import docx

    plain = path.with_suffix(".plain.docx")
    docx.Document().save(plain)
    with zipfile.ZipFile(plain) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for member in source.infolist():
            package.writestr(member.filename, replace.get(member.filename,
                                                          source.read(member.filename)))
        for name, size in add.items():
            with package.open(name, "w", force_zip64=True) as part:
                for _ in range(size // (1 << 20)):
                    part.write(bytes(1 << 20))
    plain.unlink()


def test_14_a_zip_bomb_reference_docx_is_refused_at_check(proj):
    reference_docx(proj / "briefs/ref.docx", add={"word/media/bomb.bin": 100 << 20})
    assert (proj / "briefs/ref.docx").stat().st_size < 1 << 20
    write(proj, "briefs/b.yaml", BRIEF + "reference-docx: ref.docx\n")
    for command in (["check"], ["build", "--all", "--format", "docx", "--out", "out"]):
        done = run(proj, *command)
        assert done.returncode == 1
        assert errors(done) == [
            "briefs/b.yaml:11:17: error: reference document briefs/ref.docx: part "
            "word/media/bomb.bin unpacks to 104,857,600 bytes; expected at most 67,108,864 "
            "bytes a part (a zip bomb?)",
            "briefgen: 1 problem in 1 file"]
    assert not (proj / "out").exists()


CORE_WITH_ENTITY = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                    b'<!DOCTYPE cp:coreProperties [<!ENTITY xxe "expanded">]>\n'
                    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/'
                    b'2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
                    b'<dc:title>&xxe;</dc:title></cp:coreProperties>')


def test_15_a_reference_docx_part_declaring_a_dtd_is_refused_at_check(proj):
    reference_docx(proj / "briefs/ref.docx", replace={"docProps/core.xml": CORE_WITH_ENTITY})
    write(proj, "briefs/b.yaml", BRIEF + "reference-docx: ref.docx\n")
    done = run(proj, "check")
    assert done.returncode == 1
    assert errors(done) == [
        "briefs/b.yaml:11:17: error: reference document briefs/ref.docx: part "
        "docProps/core.xml declares a DTD; expected XML without <!DOCTYPE> or <!ENTITY> (Word "
        "writes none), got one",
        "briefgen: 1 problem in 1 file"]


def test_14_15_a_plain_reference_docx_still_builds(proj):
    reference_docx(proj / "briefs/ref.docx")
    write(proj, "briefs/b.yaml", BRIEF + "reference-docx: ref.docx\n")
    done = run(proj, "build", "--all", "--format", "docx", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert (proj / "out/b.docx").is_file()


# The Debian styles that crashed the cite stage when issue 20 was filed (text-case or
# strip-periods on a citation number, capitalize-first on an empty name part): errata,
# wiley-vch-books, current-organic-synthesis and the ABNT family.
DEBIAN_STYLES = Path("/usr/share/citation-style-language/styles")
CRASHED = ("errata", "wiley-vch-books", "current-organic-synthesis")


def crashed_styles() -> list[str]:
    if not DEBIAN_STYLES.is_dir():
        return []
    abnt = sorted(p.stem for p in DEBIAN_STYLES.glob("*.csl")
                  if "abnt" in p.stem or p.stem.startswith("associacao-brasileira-de-normas"))
    return [s for s in CRASHED if (DEBIAN_STYLES / f"{s}.csl").is_file()] + abnt


@pytest.mark.skipif(not crashed_styles(), reason="Debian's citation-style-language-styles "
                                                 "is not installed")
def test_16_the_debian_styles_that_crashed_the_cite_stage_format(proj):
    styles = crashed_styles()
    assert len(styles) >= 16
    (proj / "briefs/b.yaml").unlink()
    for style in styles:
        write(proj, f"briefs/{style}.yaml", BRIEF.replace("style: uk-oscola", f"style: {style}"))
    done = run(proj, "check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == (
        f"briefs: ok, {len(styles)} briefs composed, cited and counted against their limits")
    done = run(proj, "build", "--all", "--format", "html", "--out", "out")
    assert done.returncode == 0, done.stderr
    assert sorted(p.stem for p in (proj / "out").glob("*.html")) == sorted(styles)


def test_18_a_fifo_anywhere_in_the_project_does_not_hang_the_build_stamp(proj):
    """The no-op stamp hashes every file of the project; a FIFO it would wait on for ever."""
    os.mkfifo(proj / "notes.fifo")
    for _ in range(2):                          # the first leaves the stamp, the second reads it
        done = run(proj, "build", "--all", "--format", "md", "--out", "out")
        assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("1 output, all skipped (unchanged)")
