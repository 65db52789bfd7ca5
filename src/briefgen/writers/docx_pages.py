"""How many pages a DOCX has, as LibreOffice lays it out.

A .docx holds no page count of its own that can be trusted (``docProps/app.xml`` says what the
last program to save it counted; python-docx writes none): the pages exist only once a word
processor lays the text out. LibreOffice is the one that runs headless, so the count is its:
``soffice --headless --convert-to pdf`` in a temporary folder, with a temporary user profile
(``-env:UserInstallation``, one per process) so that it neither touches the user's own
profile nor waits on a LibreOffice already running, then the PDF's pages read with pikepdf when installed, else
``pdfinfo``. Without LibreOffice the count is None, and the summary says it was not made.
"""

from __future__ import annotations

import atexit
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SOFFICE_NAMES = ("soffice", "libreoffice")
TIMEOUT = 180                       # seconds; a first start of LibreOffice takes a few


class PageCountError(Exception):
    """LibreOffice is there but made no PDF of the document (it says why on stderr)."""


def soffice() -> str | None:
    """LibreOffice's command, or None when it is not installed."""
    return next((path for name in SOFFICE_NAMES if (path := shutil.which(name))), None)


_PROFILE: list[Path] = []      # this process's LibreOffice profile, made at its first count


def _profile() -> str:
    """One LibreOffice profile per process, kept for its later counts (LibreOffice starts
    faster with a profile it has set up) and removed when the process ends. Each worker
    process has its own, so no two LibreOffices share one."""
    if not _PROFILE:
        folder = Path(tempfile.mkdtemp(prefix="briefgen-libreoffice-"))
        atexit.register(shutil.rmtree, folder, True)
        _PROFILE.append(folder)
    return _PROFILE[0].as_uri()


def count_pages(data: bytes) -> int | None:
    """The pages of the .docx ``data`` as LibreOffice lays them out; None without LibreOffice."""
    command = soffice()
    if command is None:
        return None
    with tempfile.TemporaryDirectory(prefix="briefgen-pages-") as folder:
        work = Path(folder)
        source = work / "document.docx"
        source.write_bytes(data)
        profile = _profile()
        done = subprocess.run(
            [command, f"-env:UserInstallation={profile}", "--headless", "--norestore",
             "--convert-to", "pdf", "--outdir", str(work), str(source)],
            capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL)
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
