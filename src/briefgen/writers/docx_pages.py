"""How many pages a DOCX has, as LibreOffice lays it out.

A .docx holds no page count of its own that can be trusted (``docProps/app.xml`` says what the
last program to save it counted; python-docx writes none): the pages exist only once a word
processor lays the text out. LibreOffice is the one that runs headless, so the count is its:
``soffice --convert-to pdf`` in a temporary folder, then the PDF's pages read with pikepdf when
installed, else ``pdfinfo``. Without LibreOffice the count is None, and the summary says it
was not made; ``BRIEFGEN_DOCX_PAGES=off`` asks not to count.

LibreOffice takes a second to start and a sixth of one to lay a brief out, so each process
keeps one running (``Office``), started as soon as a build knows it will count
(``prestart``) so that it starts while the brief is composed and cited, as Pandoc's citeproc
is kept running (``citeproc.py``). ``soffice --convert-to`` hands its document to the
LibreOffice already running on the same profile (its single-instance pipe) and waits for the
PDF. No Python package drives LibreOffice without its own ``uno`` module, which belongs to
the system's Python and not to a virtual environment; so this is the command line, kept
running. A LibreOffice that has no document open ends after its first conversion, so the one
kept running holds an empty text document open; it is ready when LibreOffice has written
that document's lock file.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT = 180                       # seconds; a first start of LibreOffice takes a few
RESTART = 81                        # LibreOffice's exit status asking to be started again
KEEP = "keep.txt"                   # the document the kept LibreOffice holds open
KEEP_LOCK = ".~lock.keep.txt#"      # written by LibreOffice once it has opened it


class PageCountError(Exception):
    """LibreOffice is there but made no PDF of the document (it says why on stderr)."""


def counting() -> bool:
    """Whether DOCX pages are counted (``BRIEFGEN_DOCX_PAGES=off`` says not to)."""
    return os.environ.get("BRIEFGEN_DOCX_PAGES", "").lower() not in ("off", "0", "no")


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    return next((path for name in SOFFICE_NAMES if (path := shutil.which(name))), None)


class Office:
    """One LibreOffice for one process's counts, with a profile of its own (so it neither
    touches the user's profile nor waits on a LibreOffice the user has open), ended with the
    process. ``soffice.bin`` is started itself rather than through its launcher, which would
    leave it running if this process were killed: ``setpriv --pdeathsig`` has the kernel end
    it with its parent (the standard library's ``subprocess`` has no call for it)."""

    def __init__(self, command: str) -> None:
        self.command = command
        self.pid = os.getpid()
        self.folder = Path(tempfile.mkdtemp(prefix="briefgen-libreoffice-"))
        self.profile = (self.folder / "profile").as_uri()
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        (self.folder / KEEP).write_bytes(b"\n")

    def program(self) -> list[str] | None:
        """soffice.bin beside the launcher, under setpriv; None where either is missing."""
        binary = Path(os.path.realpath(self.command)).with_name("soffice.bin")
        setpriv = shutil.which("setpriv")
        if not binary.is_file() or setpriv is None:
            return None
        return [setpriv, "--pdeathsig", "TERM", "--", str(binary)]

    def start(self) -> None:
        """Start LibreOffice, not waiting for it; a no-op when it is running or cannot be."""
        if self.process is not None and self.process.poll() is None:
            return
        program = self.program()
        if program is None:
            return
        (self.folder / KEEP_LOCK).unlink(missing_ok=True)   # one a LibreOffice that died left
        try:
            self.process = subprocess.Popen(
                [*program, f"-env:UserInstallation={self.profile}", "--headless",
                 "--norestore", "--nologo", "--writer", str(self.folder / KEEP)],
                cwd=self.folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL, start_new_session=True)
        except OSError:
            self.process = None

    def ready(self) -> bool:
        """Wait until the kept LibreOffice has its document open; False if it ended."""
        deadline = time.monotonic() + TIMEOUT
        while self.process is not None and time.monotonic() < deadline:
            if (self.folder / KEEP_LOCK).exists():
                return self.process.poll() is None
            status = self.process.poll()
            if status == RESTART and self.restarts < 3:
                # A new profile's first start ends asking for a second (LibreOffice's own
                # launcher starts it again the same way).
                self.restarts += 1
                self.process = None
                self.start()
            elif status is not None:
                self.process = None
            else:
                time.sleep(0.01)
        return False

    def convert(self, source: Path, outdir: Path) -> subprocess.CompletedProcess:
        """``source`` as a PDF in ``outdir``: by the kept LibreOffice when it is up, else by
        a LibreOffice this command starts and ends (the same command either way)."""
        with self.lock:
            self.start()
            if not self.ready():
                self.stop_process()     # never two LibreOffices on one profile
            try:
                return subprocess.run(
                    [self.command, f"-env:UserInstallation={self.profile}", "--headless",
                     "--norestore", "--convert-to", "pdf", "--outdir", str(outdir),
                     str(source)],
                    capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                self.stop_process()     # stuck on this document: the next count starts afresh
                raise

    def stop_process(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, PermissionError):
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def close(self) -> None:
        """End LibreOffice and remove its profile (in the process that started it only)."""
        if os.getpid() != self.pid:
            return
        self.stop_process()
        shutil.rmtree(self.folder, ignore_errors=True)


_OFFICE: list[Office] = []     # this process's, made at its first count or prestart


def _office(command: str) -> Office:
    """This process's Office: a forked worker makes its own rather than share its parent's."""
    if not _OFFICE or _OFFICE[0].pid != os.getpid():
        office = Office(command)
        _OFFICE[:] = [office]
        atexit.register(office.close)
    return _OFFICE[0]


def shutdown() -> None:
    """End this process's LibreOffice now (a worker process calls it before it exits, as
    multiprocessing's workers end without running ``atexit``)."""
    if _OFFICE and _OFFICE[0].pid == os.getpid():
        _OFFICE.pop().close()


def prestart() -> None:
    """Start LibreOffice now, for a count to come, when counting is on and it is installed."""
    command = soffice()
    if command is not None and counting():
        _office(command).start()


def count_pages(data: bytes) -> int | None:
    """The pages of the .docx ``data`` as LibreOffice lays them out; None without LibreOffice."""
    command = soffice()
    if command is None:
        return None
    with tempfile.TemporaryDirectory(prefix="briefgen-pages-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(data)
        done = _office(command).convert(source, work)
        pdf = work / "document.pdf"
        if not pdf.is_file():
            raise PageCountError(" ".join((done.stderr or done.stdout or "no output").split()))
        return pdf_pages(pdf)


def pdf_pages(pdf: Path) -> int:
    """A PDF's pages: pikepdf when installed, else poppler's ``pdfinfo``."""
    try:
        import pikepdf
    except ImportError:
        pikepdf = None
    if pikepdf is not None:
        with pikepdf.open(pdf) as document:
            return len(document.pages)
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", out.stdout, re.M).group(1))
