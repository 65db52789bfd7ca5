"""The Typst PDF writer: the document model goes to a Typst page as JSON data.

Nothing is spliced into Typst markup. The model, its notes already formatted by the cite
pass, is serialised with ``json`` and handed over in ``sys.inputs``; the page (the audience's
``page.typ`` or briefgen's default) imports the ``@local/briefgen`` package shipped in
``briefgen/look/typst/`` and lays it out, with real ``#footnote``s. A string placed in Typst
content is shown as text, so no escaping is needed; ``typst_text`` only drops characters no
PDF text can hold.

- One ``typst.Compiler`` per page file, kept for the whole build, all sharing one font scan.
- Tagged PDF/UA-1 with the document's title and language.
- Reproducible: Typst ignores SOURCE_DATE_EPOCH, so the timestamp is passed in.
- No network: a page may import only ``@local`` packages; anything else (``@preview/...``,
  which Typst would download) is refused before compiling, and while compiling Typst's
  downloader is pointed at a closed port (``_offline``), for a name the check cannot see.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

from briefgen import model
from briefgen.errors import Location, Problem, WriteError, display_path
from briefgen.writers import Written, glyphs, one_line
from briefgen.writers.epoch import resolve_epoch
from briefgen.writers.glyphs import SHOWN, document_text, typst_fonts, undrawable
from briefgen.writers.look import DEFAULT_LOOK, Look

if TYPE_CHECKING:
    from briefgen.target import Target

PAGE = "page.typ"
PACKAGES = DEFAULT_LOOK / "typst"
PDF_STANDARD = "ua-1"

# A package import other than briefgen's own local ones: Typst would fetch it from the network.
_REMOTE_IMPORT = re.compile(r'"@(?!local/)[^"]*"')


def typst_text(text: str) -> str:
    """Text as the Typst page receives it: characters no PDF text can hold are dropped
    (``\\x0b``, ``\\x00``, lone surrogates) and a line break is a space, as a soft break in
    Markdown is. Markup characters stay as they are: the page shows strings as text."""
    return one_line(text)


# --- the data ------------------------------------------------------------------------------

def document_data(doc: model.Document, look: Look, leave_out: str = "") -> dict[str, Any]:
    """The JSON the Typst page reads: the model, numbered, plus the audience's look.

    The characters of ``leave_out`` (those no installed font draws, see ``compile_pdf``) are
    dropped from every string.
    """
    data = _clean(model.to_data(doc), {ord(c): None for c in leave_out})
    _number(data)
    _figure_images(data, doc)
    lang, _, region = doc.meta.lang.partition("-")
    organisation = look.organisation(doc.meta.organisations)
    data["look"] = _clean({
        "fonts": look.fonts.model_dump(),
        "lang": lang.lower() or "en",
        "region": region.upper() or None,
        "running-header": doc.meta.title,
        "running-footer": " \u00b7 ".join(x for x in (organisation, look.brand.footer) if x),
        "organisation": organisation,
        "contact-label": CONTACT_LABEL,
        # the audience's words for its masthead (audience.yaml), as the DOCX has them
        "masthead": {"label": look.masthead.label,
                     "submitted-by": look.masthead.submitted_by},
        "brand": brand_data(look),
    }, {ord(c): None for c in leave_out})
    data["look"]["brand"]["logo"] = _logo_data(look)
    return data


CONTACT_LABEL = "For more information, contact"


def brand_data(look: Look) -> dict[str, Any]:
    """The brand's metrics, colours and contact as the page reads them (numbers in points and
    millimetres; colours ``#rrggbb``, checked when the brand was loaded)."""
    brand = look.brand
    data = brand.brand.model_dump(by_alias=True, exclude={"logo"})
    width, height = brand.page_mm
    data["page"].update(width=width, height=height)
    data["organisation"] = brand.organisation or ""
    return data


def _logo_data(look: Look) -> dict[str, Any] | None:
    """The logo as data: an SVG as its text, a PNG as its bytes (Typst's ``bytes(array)``);
    never a path, so the page reads no file outside its own folder."""
    logo = look.brand.logo
    if logo is None:
        return None
    data: dict[str, Any] = {"format": logo.format, "alt": typst_text(logo.alt),
                            "width": logo.width_mm}
    if logo.format == "svg":
        data["svg"] = logo.data.decode("utf-8")
    else:
        data["png"] = list(logo.data)
    return data


def _clean(data: Any, dropped: dict[int, None]) -> Any:
    if isinstance(data, str):
        return typst_text(data).translate(dropped)
    if isinstance(data, list):
        return [_clean(d, dropped) for d in data]
    if isinstance(data, dict):
        return {k: (v if k == "type" else _clean(v, dropped)) for k, v in data.items()}
    return data


def _number(data: dict[str, Any]) -> None:
    """In reading order: number numbered paragraphs 1, 2, ..., give headings levels with no
    gap below the title (``model.Outline``; PDF/UA requires it) and mark each note's first
    reference, so the page needs no state of its own.

    The first reference also carries its note's blocks (``note``), so the page lays a node
    out from the node alone. Typst memoises every call of a page's function by its
    arguments: handing each node the whole document to look its note up in cost a hash of
    the document per node, time growing with the square of its length (2,000 findings took
    23 s to lay out instead of 2)."""
    paragraph, seen, outline, first = 0, set(), model.Outline(), []
    for node in _walk(data["blocks"]):
        if node.get("type") == "Heading":
            node["level"] = outline.level(node["level"])
        elif node.get("type") == "Paragraph" and node.get("numbered"):
            paragraph += 1
            node["number"] = paragraph
        elif node.get("type") == "NoteRef":
            node["first"] = node["number"] not in seen
            seen.add(node["number"])
            first += [node] if node["first"] else []
    notes = {note["number"]: note["blocks"] for note in data["notes"]}
    for node in first:
        node["note"] = notes.get(node["number"], [])
    _mark_lead_ins(data["blocks"])


def _mark_lead_ins(blocks: list[Any]) -> None:
    """A paragraph just before a list is its lead-in: ``keep`` it on the page of the list's
    first item (and so of the heading above it, which Typst keeps with what follows)."""
    for block, after in zip(blocks, blocks[1:]):
        if block.get("type") == "Paragraph" and after.get("type") in ("BulletList", "OrderedList"):
            block["keep"] = True
    for block in blocks:
        for items in block.get("items", []):
            _mark_lead_ins(items)
        if block.get("type") == "BlockQuote":
            _mark_lead_ins(block["blocks"])


def _figure_images(data: dict[str, Any], doc: model.Document) -> None:
    """Each figure's SVG, which ``to_data`` leaves out (golden files hold no drawings), put
    back into its node for the page: the same figures in the same reading order."""
    nodes = [n for n in _walk(data.get("blocks", [])) if n.get("type") == "Figure"]
    for node, figure in zip(nodes, model.find(doc.blocks, model.Figure)):
        node["svg"] = figure.svg


def _walk(data: Any):
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield from _walk(value)


# --- compiling -----------------------------------------------------------------------------

@lru_cache(maxsize=None)
def compiler(page: Path):
    """One compiler per page file, reused by every document of the build that uses it."""
    import typst

    return typst.Compiler(page, root=page.parent, font_paths=typst_fonts(),
                          package_path=PACKAGES, package_cache_path=PACKAGES)


def _refuse_remote_imports(page: Path) -> None:
    """Every package a Typst file in the page's folder names that Typst would download.

    Run before each compile, not once per compiler: Typst reads the files again each time,
    and a page changed since (in a long-running process) would otherwise go unchecked.
    """
    problems = [problem for path in sorted(page.parent.rglob("*.typ"))
                for problem in _remote_imports(path, _signature(path))]
    if problems:
        raise WriteError(problems)


def _signature(path: Path) -> tuple[int, ...]:
    """What changes when a file is written: a file read before, unchanged, is not read again."""
    info = path.stat()
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


@lru_cache(maxsize=512)
def _remote_imports(path: Path, signature: tuple[int, ...]) -> tuple[Problem, ...]:
    return tuple(
        Problem(Location(display_path(path), number, match.start() + 1),
                f"package {match.group(0)} would be downloaded; expected briefgen's own "
                f'"@local/briefgen:0.1.0" (briefgen never reaches the network), got a '
                f"remote package")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for match in _REMOTE_IMPORT.finditer(line))


# Typst has no offline switch, and its package downloader follows the proxy variables. While
# it compiles they all name a closed port on the loopback interface, so a package the check
# above cannot see (a name computed in Typst: "@pre" + "view/...") fails to download without
# a byte leaving the machine.
NOWHERE = "http://127.0.0.1:0"
_PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                    "all_proxy")
_NO_PROXY_VARIABLES = ("NO_PROXY", "no_proxy")


@contextmanager
def _offline() -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in _PROXY_VARIABLES + _NO_PROXY_VARIABLES}
    os.environ.update({name: NOWHERE for name in _PROXY_VARIABLES})
    os.environ.update({name: "" for name in _NO_PROXY_VARIABLES})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass(frozen=True)
class Prepared:
    """The Python half of a Typst PDF (``prepare``): the page's data as JSON, the characters
    no font draws, and the font warnings. The other half is Typst's own work (``compile_pdf``),
    which runs without Python's lock."""

    source: str
    missing: str
    warnings: list[str]


def prepare(doc: model.Document, target: Target | None, look: Look) -> Prepared:
    """Everything of a Typst PDF but the layout: a release runs it with the brief's stages,
    so that the writers' thread, laying out the brief before, only waits on Typst."""
    _refuse_remote_imports(look.file(PAGE))
    missing = "".join(undrawable(document_text(doc), look.fonts.text))
    source = json.dumps(document_data(doc, look, missing), ensure_ascii=False, sort_keys=True)
    return Prepared(source, missing, glyphs.messages(doc, look.fonts.text, "text"))


def compile_pdf(doc: model.Document, look: Look, *, epoch: int | None = None,
                prepared: Prepared | None = None) -> tuple[bytes, list[str]]:
    """The PDF's bytes and Typst's warnings, one line each.

    A character no installed font draws (an emoji, without an emoji font) is left out, with a
    warning: Typst would otherwise refuse the whole document, as PDF/UA-1 forbids text without
    a glyph.
    """
    import typst

    page = look.file(PAGE)
    if prepared is None:
        prepared = prepare(doc, None, look)
    when = resolve_epoch(epoch, doc.meta)
    try:
        with _offline():
            pdf, warnings = compiler(page).compile_with_warnings(
                format="pdf", sys_inputs={"document": prepared.source},
                pdf_standards=[PDF_STANDARD], timestamp=int(when.timestamp()))
    except typst.TypstError as err:
        raise WriteError([Problem(_error_location(err, page), _failure(err))]) from None
    # A family Typst does not know is already reported, with its Debian package, by glyphs.py.
    return pdf, _left_out(list(prepared.missing)) + [
        f"Typst: {_one_line(w)}" for w in warnings
        if not w.message.startswith("unknown font family")]


def _left_out(chars: list[str]) -> list[str]:
    if not chars:
        return []
    named = "; ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed')}" for c in chars[:SHOWN])
    more = f"; and {len(chars) - SHOWN} more" if len(chars) > SHOWN else ""
    return [f"left {len(chars)} character(s) out of the Typst PDF: {named}{more}; expected a "
            f"character some installed font draws (PDF/UA-1 allows no text without a glyph), "
            f"got none that does"]


def _failure(err: Any) -> str:
    if (getattr(err, "message", "") or "").startswith("failed to download package"):
        return ("a package would be downloaded; expected briefgen's own \"@local/briefgen:0.1.0\" "
                "(briefgen never reaches the network), got an import of a package name Typst "
                "computes, which it could only download")
    return (f"Typst could not lay out the document; expected a page that compiles, got: "
            f"{_one_line(err, place=False)}")


def _one_line(diagnostic: Any, place: bool = True) -> str:
    """Typst's message, where it arose (``at file:line:col``, unless ``place`` is False because
    the place is the problem's location) and its hints."""
    message = getattr(diagnostic, "message", None) or str(diagnostic)
    # Typst's hint to adjust `--root` is for its own command line; briefgen sets the root.
    hints = [h for h in getattr(diagnostic, "hints", None) or [] if "--root" not in h]
    where = _SPAN.search(getattr(diagnostic, "diagnostic", "") or "")
    at = f" at {where.group(1)}" if where and (place or where.group(1).startswith("@")) else ""
    text = "; ".join([message + at, *hints])
    return " ".join(text.split())


def _error_location(err: Any, page: Path) -> Location:
    """Where Typst's error arose (its span, ``┌─ file:line:col``), else the page file."""
    where = _SPAN.search(getattr(err, "diagnostic", "") or "")
    if where is None:
        return Location(display_path(page))
    file, line, col = where.group(1).rsplit(":", 2)   # Typst shows it relative to the cwd
    if file.startswith("@"):       # inside a package (briefgen's own): the message names it
        return Location(display_path(page))
    return Location(display_path((Path.cwd() / file).resolve()), int(line), int(col))


_SPAN = re.compile(r"┌─ (\S+:\d+:\d+)")


def write(doc: model.Document, target: Target, look: Look,
          prepared: Prepared | None = None) -> Written:
    """The writer contract (``writers.Written``): a tagged PDF/UA-1, its pages and warnings;
    ``prepared``, when given, is ``prepare``'s for the same document, target and look."""
    if prepared is None:
        prepared = prepare(doc, target, look)
    pdf, warnings = compile_pdf(doc, look, epoch=target.epoch, prepared=prepared)
    return Written({target.files[0]: pdf}, page_count(pdf), prepared.warnings + warnings)


# Typst writes every page object as a plain dictionary (no object streams), so its pages can
# be counted in the bytes without a PDF library at run time; a test checks against pdfinfo.
_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def page_count(pdf: bytes) -> int:
    return len(_PAGE.findall(pdf))
