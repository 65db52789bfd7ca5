"""The PDF writer by WeasyPrint: the HTML writer's print page, laid out as a tagged PDF/UA-1.

- The page is ``render_page(..., mode="print")``: each note sits in the text where it is
  referenced and the CSS ``float: footnote`` puts it at the foot of its page.
- The PDF is tagged (PDF/UA-1); its title comes from ``<title>``, its language from
  ``<html lang>``.
- No network: WeasyPrint reaches files only through our fetcher (``check_url``), which allows
  ``data:`` URLs and ``file:`` paths inside the project or briefgen's own look. Every other
  URL (``http:``, a file elsewhere) is not fetched and comes back as a warning.
- Reproducible: the creation and modification dates come from ``epoch``, and the file
  identifier is a digest of the content, so the same inputs give the same bytes.
- WeasyPrint's own log is kept off the console; its warnings are returned with ours.

WeasyPrint is imported on first use (about a second), so builds without a PDF do not pay it.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from briefgen import model
from briefgen.errors import Location, Problem, WriteError
from briefgen.writers import Written, glyphs
from briefgen.writers.html import render_page
from briefgen.writers.look import DEFAULT_LOOK, Look

if TYPE_CHECKING:
    from briefgen.target import Target

PDF_VARIANT = "pdf/ua-1"
NO_NETWORK = "briefgen never reaches the network"
OUTSIDE = "briefgen reads files only inside the project and its own look"
_LOGGERS = ("weasyprint", "weasyprint.progress")
# WeasyPrint messages about the machine, not the document: left out of the warnings.
_NOISE = ("Using fontTools instead of HarfBuzz-Subset",)


def write(doc: model.Document, target: Target, look: Look) -> Written:
    """The writer contract (``writers.Written``): a tagged PDF/UA-1, its pages and warnings.

    Files the page refers to (an audience's CSS images, say) are read only inside the
    project (``look.root``), the audience's folder and briefgen's default look.
    """
    pdf, pages, warnings = render_pdf(doc, look, epoch=target.epoch)
    return Written({target.files[0]: pdf}, pages,
                   glyphs.messages(doc, look.fonts.text, "text") + warnings)


def render_pdf(doc: model.Document, look: Look, *, epoch: int) -> tuple[bytes, int, list[str]]:
    """The PDF's bytes, its pages and its warnings (one line each); ``epoch`` (UNIX seconds)
    dates the file."""
    weasyprint = _weasyprint()
    refused: list[tuple[str, str]] = []          # (url, reason), as the fetcher meets them
    roots = (Path(look.root), Path(look.folder), DEFAULT_LOOK)
    fetcher = _fetcher_class()(roots=roots, refused=refused)
    page = render_page(doc, look, mode="print")
    # pdf_identifier=True: the /ID is an MD5 of the content, the same for the same bytes.
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT, "pdf_identifier": True}
    with _captured_log() as records, _source_date_epoch(epoch):
        html = weasyprint.HTML(string=page, base_url=str(Path(look.folder).resolve()),
                               url_fetcher=fetcher)
        document = html.render(**options)
        _date(document.metadata, epoch)
        pdf = document.write_pdf(**options)
    lines = [f"refused to fetch {url}: {reason}" for url, reason in refused]
    return pdf, len(document.pages), _unique(lines + _log_warnings(records, [url for url, _ in refused]))


def check_url(url: str, roots: tuple[Path, ...]) -> str | None:
    """Why briefgen will not fetch ``url``, or None when it may.

    ``data:`` URLs hold their content and are always allowed. A ``file:`` URL is allowed
    when the file, its symbolic links resolved, is inside one of ``roots``. Anything else
    would reach the network (or another machine) and is refused.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return None
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return NO_NETWORK
    path = Path(url2pathname(unquote(parts.path))).resolve()
    if any(path.is_relative_to(Path(root).resolve()) for root in roots):
        return None
    return OUTSIDE


# --- WeasyPrint ------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _weasyprint():
    """The weasyprint module, imported once, on the first PDF a process writes.

    WeasyPrint loads Pango when imported; on a machine without it, that is one clear line
    naming the Debian packages rather than a traceback.
    """
    try:
        import weasyprint
    except OSError as err:
        raise WriteError([Problem(Location("weasyprint"),
                                  f"WeasyPrint cannot start; expected Pango installed (Debian: "
                                  f"libpango-1.0-0 libpangoft2-1.0-0), got: {err}")]) from None
    return weasyprint


@lru_cache(maxsize=None)
def _fetcher_class() -> type:
    """A URL fetcher that asks ``check_url`` first; a subclass of WeasyPrint's own.

    WeasyPrint 70 calls the fetcher and reads its ``_fail_on_errors``, so it must be a
    ``URLFetcher`` rather than a plain function; the class is made on first use so that
    importing this module does not import WeasyPrint.
    """
    base = _weasyprint().urls.URLFetcher

    class LocalFetcher(base):
        def __init__(self, roots: tuple[Path, ...], refused: list[tuple[str, str]]) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
            self.roots = roots
            self.refused = refused

        def fetch(self, url: str, headers: Any = None) -> Any:
            reason = check_url(url, self.roots)
            if reason is not None:
                self.refused.append((url, reason))
                raise ValueError(f"briefgen refused {url}: {reason}")
            return super().fetch(url, headers)

    return LocalFetcher


def _date(metadata: Any, epoch: int) -> None:
    """Date the PDF from ``epoch``: the info dictionary and the XMP metadata both read it."""
    when = datetime.fromtimestamp(epoch, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.created = metadata.modified = when


@contextmanager
def _source_date_epoch(epoch: int) -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` set to ``epoch`` while WeasyPrint writes, then restored.

    Without HarfBuzz-Subset, WeasyPrint subsets fonts with fontTools, which stamps each
    font's ``head.modified`` with the clock unless this variable (the reproducible-builds
    convention) is set.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved


# --- WeasyPrint's log ------------------------------------------------------------------------

class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _captured_log() -> Iterator[list[logging.LogRecord]]:
    """WeasyPrint's warnings and errors, collected instead of printed.

    Its progress messages and its log stop here too (no propagation), so a user's logging
    set-up does not print them; everything is restored afterwards.
    """
    collect = _Collect()
    loggers = [logging.getLogger(name) for name in _LOGGERS]
    saved = [logger.propagate for logger in loggers]
    for logger in loggers:
        logger.propagate = False
    loggers[0].addHandler(collect)
    try:
        yield collect.records
    finally:
        loggers[0].removeHandler(collect)
        for logger, propagate in zip(loggers, saved):
            logger.propagate = propagate


def _log_warnings(records: list[logging.LogRecord], urls: list[str]) -> list[str]:
    """WeasyPrint's messages as warnings, less those about the refused ``urls``."""
    out = []
    for record in records:
        message = " ".join(record.getMessage().split())
        if not any(url in message for url in urls) and not message.startswith(_NOISE):
            out.append(f"WeasyPrint: {message}")
    return out


def _unique(lines: list[str]) -> list[str]:
    return list(dict.fromkeys(lines))
