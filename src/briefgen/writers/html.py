"""The HTML writer: one accessible web page, and the print page WeasyPrint lays out as PDF.

The body is built here in Python from ``briefgen.model``, not in Jinja, so data text never
meets a template engine: every string goes through ``escape_html`` once and a finding that
reads ``{{ 7*7 }}`` or ``<script>`` is shown as exactly that. Jinja only lays out the page
around the body (``page.html.j2``, which an audience may override), in briefgen's sandbox
(``briefgen.sandbox``) with autoescaping and ``StrictUndefined``.

Two modes share one walk:

- ``web``: each note reference is a superscript link to a numbered list of notes after the
  text (DPUB-ARIA roles ``doc-noteref``, ``doc-endnotes``, ``doc-backlink``).
- ``print``: each note's text sits inline where it is referenced, in ``span.footnote``;
  the CSS rule ``float: footnote`` makes WeasyPrint move it to the foot of the page.

Heading levels are shifted so the page reads title ``<h1>``, then ``<h2>`` and deeper with
no level skipped, whatever levels the document's Markdown used.
"""

from __future__ import annotations

import dataclasses
import base64
import re
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable
from urllib.parse import urlsplit

from jinja2 import FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from briefgen import model
from briefgen.typography import WORD_JOINER
from briefgen.errors import BriefgenError, WriteError
from briefgen.sandbox import Sandbox, template_problem
from briefgen.writers import Written, brand_css, glyphs, one_line, storable
from briefgen.writers.look import Look

if TYPE_CHECKING:
    from briefgen.target import Target

MODES = ("web", "print")
PAGE_TEMPLATE = "page.html.j2"
BASE_CSS = "base.css"
AUDIENCE_CSS = "style.css"

# Characters a CSS string cannot hold as they are, or that could end a <style> element.
_CSS_STRING_UNSAFE = re.compile(r'[\\"\'<>&\x00-\x1f\x7f]')
_STYLE_END = re.compile(r"</(style)", re.IGNORECASE)
_SAFE_SCHEMES = {"http", "https", "mailto", "tel", "ftp"}
_ALIGNS = {"left", "right", "center"}
_URL_PARTS = re.compile(r"[^/]*/+|[^/]+$")      # "https://", "example.org/", "a.pdf"


def escape_html(text: str) -> Markup:
    """Text as it goes into HTML: the one escaping function of the HTML and PDF writers.

    - Characters HTML and XML cannot hold are dropped: C0 controls other than tab, LF and CR
      (``\\x00``, ``\\x0b``...), lone surrogates, U+FFFE and U+FFFF. A browser would show
      them as boxes at best and WeasyPrint's parser may refuse them.
    - A line break (LF, CR or CRLF) becomes one space, as in the DOCX and Typst writers (a
      browser shows it as a space anyway; a hard break is a ``LineBreak`` node).
    - ``&``, ``<``, ``>``, ``"`` and ``'`` become character references (markupsafe), so the
      result is safe both as element text and as a quoted attribute value.
    - Everything else stays as typed: ``{{ 7*7 }}``, ``*``, ``#`` and ``[@x]`` are text.

    A ``Markup`` argument is treated as plain text too: nothing reaches the page unescaped
    by claiming to be markup already.
    """
    return escape(one_line(str(text)))


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string, safe inside a ``<style>`` element.

    Quotes, backslashes, controls and ``<``, ``>``, ``&`` are written as CSS hex escapes
    (``\\22 ``), so a font name can neither end the string nor the style element.
    """
    def hex_escape(match: re.Match) -> str:
        return f"\\{ord(match.group()):x} "
    return '"' + _CSS_STRING_UNSAFE.sub(hex_escape, storable(str(text))) + '"'


def font_family(names: Iterable[str], generic: str = "") -> Markup:
    """A CSS ``font-family`` value: each family a quoted CSS string, then a generic family.

    ``generic`` (``serif``, ``sans-serif``, ``monospace``) is the last resort a browser
    falls back to when none of the named families is installed.
    """
    values = [css_string(name) for name in names]
    if generic in ("serif", "sans-serif", "monospace", "system-ui"):
        values.append(generic)
    return Markup(", ".join(values))


def render_body(doc: model.Document, *, mode: str) -> Markup:
    """The document's blocks as HTML, for the page's ``<main>``."""
    return _Body(doc, _check_mode(mode)).blocks(doc.blocks)


def render_notes(doc: model.Document) -> Markup:
    """The web page's notes: an ordered list after the text, each with a link back.

    Only notes some reference points to get a back-link; it returns to the first reference.
    """
    if not doc.notes:
        return Markup("")
    body = _Body(doc, "web")
    referenced = {ref.number for ref in model.find(doc.blocks, model.NoteRef)}
    items = [_note_item(body, note, note.number in referenced)
             for note in sorted(doc.notes, key=lambda n: n.number)]
    return Markup('<section class="notes" role="doc-endnotes" aria-labelledby="notes-title">\n'
                  '<h2 id="notes-title">Notes</h2>\n<ol>\n{}</ol>\n</section>\n'
                  ).format(Markup("").join(items))


def render_page(doc: model.Document, look: Look, *, mode: str) -> str:
    """The whole page: the audience's ``page.html.j2`` (else the default) around the body.

    A mistake in a page template is a ``WriteError`` naming the template's file and line.
    """
    mode = _check_mode(mode)
    meta = _storable_meta(doc.meta)
    body = render_body(doc, mode=mode)
    notes = render_notes(doc) if mode == "web" else Markup("")
    try:
        template = _environment(tuple(str(p) for p in look.search_path)).get_template(PAGE_TEMPLATE)
        return template.render(
            meta=meta, body=body, notes=notes, css=page_css(look), fonts=look.fonts, mode=mode,
            lang=meta.lang or "en-GB", date_text=meta.date_text,
            organisations=meta.organisations, brand=brand_view(look, meta),
            masthead={"label": storable(look.masthead.label or ""),
                      "submitted_by": storable(look.masthead.submitted_by or "")},
            brand_css=brand_stylesheet(look, meta))
    except BriefgenError:
        raise
    except Exception as err:   # noqa: BLE001 - whatever a page template does is its problem
        raise WriteError([template_problem(err, look.file(PAGE_TEMPLATE))]) from None


def write(doc: model.Document, target: Target, look: Look) -> Written:
    """The writer contract (``writers.Written``): the web page as UTF-8; the same inputs give
    the same bytes."""
    return Written({target.files[0]: render_page(doc, look, mode="web").encode("utf-8")})


CONTACT_LABEL = "For more information, contact"


def brand_view(look: Look, meta: model.Meta) -> dict:
    """What a page template prints of the brand: plain texts (escaped when printed), the logo
    as a ``data:`` URL, and links only to a mail address or a web address of a safe scheme."""
    brand = look.brand
    b, contact = brand.brand, brand.brand.contact
    web = storable(contact.web or "")
    return {
        "organisation": storable(look.organisation(meta.organisations)),
        "logo_src": brand_css.logo_src(brand),
        "logo_alt": storable(brand.logo.alt) if brand.logo else "",
        "contact_label": CONTACT_LABEL,
        "contact_name": storable(contact.name or ""),
        "email": storable(contact.email or ""),
        "phone": storable(contact.phone or ""),
        "web": web, "web_href": web if web and _safe_url(web) else "",
        "address": ", ".join(storable(line) for line in contact.address),
        "registration": storable(b.registration or ""),
        "footer": storable(b.footer or ""),
    }


def brand_stylesheet(look: Look, meta: model.Meta) -> Markup:
    """The brand's custom properties and printed page (``brand_css``), for the ``<style>``."""
    css = brand_css.stylesheet(
        look.brand, header=one_line(meta.title),
        organisation=one_line(" \u00b7 ".join(
            x for x in (look.organisation(meta.organisations), look.brand.brand.footer) if x)),
        fonts=font_family(look.fonts.headings, "sans-serif"), css_string=css_string,
        text=glyphs.vertical_metrics(tuple(look.fonts.text)),
        heading=glyphs.vertical_metrics(tuple(look.fonts.headings), bold=True),
        advance=partial(glyphs.advance, tuple(look.fonts.text)))
    return Markup(_STYLE_END.sub(r"<\\/\1", css))


def page_css(look: Look) -> Markup:
    """The default ``base.css``, then the audience's own ``style.css`` when it has one.

    The files are the project's own, so they are used as written; only a literal
    ``</style`` is defused, as it would end the ``<style>`` element the CSS is placed in.
    """
    parts = [look.file(BASE_CSS).read_text(encoding="utf-8")]
    own = look.own(AUDIENCE_CSS)
    if own is not None:
        parts.append(own.read_text(encoding="utf-8"))
    css = "\n".join(part.rstrip("\n") for part in parts) + "\n"
    return Markup(_STYLE_END.sub(r"<\\/\1", css))


# --- the page template -----------------------------------------------------------------------

@lru_cache(maxsize=None)
def _environment(search_path: tuple[str, ...]) -> Sandbox:
    """One sandboxed environment per search path, so templates are parsed once per process.

    ``finalize`` sends every printed value that is plain text through ``escape_html``, so
    a template's ``{{ meta.title }}`` is escaped exactly as the body is.
    """
    env = Sandbox(autoescape=True, undefined=StrictUndefined,
                               loader=FileSystemLoader(list(search_path)),
                               finalize=_finalize, keep_trailing_newline=True)
    env.filters["font_family"] = font_family
    return env


def _finalize(value: object) -> object:
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape_html(value)
    return value


def _storable_meta(meta: model.Meta) -> model.Meta:
    """Metadata with characters HTML cannot hold dropped, for filters such as ``join``."""
    changes = {}
    for f in dataclasses.fields(meta):
        value = getattr(meta, f.name)
        if isinstance(value, str):
            changes[f.name] = storable(value)
        elif isinstance(value, tuple):
            changes[f.name] = tuple(storable(v) for v in value)
    return dataclasses.replace(meta, **changes)


def _check_mode(mode: str) -> str:
    if mode not in MODES:
        raise ValueError(f"mode must be 'web' or 'print', got {mode!r}")
    return mode


# --- the body --------------------------------------------------------------------------------

class _Body:
    """One walk over the blocks: numbered paragraphs, heading levels and note references."""

    def __init__(self, doc: model.Document, mode: str) -> None:
        self.mode = mode
        self.notes = {note.number: note for note in doc.notes}
        self.paragraph_number = 0
        self.outline = model.Outline()
        self.referenced: set[int] = set()
        self._blocks: dict[type, Callable[[object], Markup]] = {
            model.Heading: self.heading, model.Paragraph: self.paragraph,
            model.BulletList: self.bullet_list, model.OrderedList: self.ordered_list,
            model.BlockQuote: self.quote, model.Table: self.table,
            model.ThematicBreak: lambda node: Markup("<hr>\n"),
            model.Changed: self.changed, model.Figure: self.figure,
        }

    # -- blocks --

    def blocks(self, blocks: Iterable[model.Block]) -> Markup:
        blocks = tuple(blocks)
        out = []
        for block, after in zip(blocks, blocks[1:] + (None,)):
            if isinstance(block, model.Paragraph) and model.is_list(after):
                out.append(self.paragraph(block, lead_in=True))
            else:
                out.append(self._blocks[type(block)](block))
        return Markup("").join(out)

    def heading(self, node: model.Heading) -> Markup:
        """``<h2>`` and deeper, no level skipped (``model.Outline``): the title is the h1."""
        level = self.outline.level(node.level)
        return Markup("<h{0}>{1}</h{0}>\n").format(level, self.inlines(node.children))

    def paragraph(self, node: model.Paragraph, lead_in: bool = False) -> Markup:
        """``<p>``; a list's lead-in (``lead_in``) is marked to stay with the list."""
        lead = Markup(' class="lead-in"') if lead_in else Markup("")
        if not node.numbered:
            return Markup("<p{}>{}</p>\n").format(lead, self.inlines(node.children))
        self.paragraph_number += 1
        # The space goes inside the number's span: an inline block as wide as the hanging
        # indent (base.css) drops its own trailing space, so the first line starts level with
        # the others, while the text still reads "3. Third ...".
        lead = Markup(" lead-in") if lead_in else Markup("")
        return Markup('<p class="numbered{}"><span class="para-number">{}. </span>{}</p>\n'
                      ).format(lead, self.paragraph_number, self.inlines(node.children))

    def bullet_list(self, node: model.BulletList) -> Markup:
        return Markup("<ul>\n{}</ul>\n").format(self.items(node.items))

    def ordered_list(self, node: model.OrderedList) -> Markup:
        """``<ol start>``; in print also its counter, as WeasyPrint does not read ``start``."""
        start = Markup("")
        if node.start != 1:
            start = Markup(' start="{}"').format(node.start)
            if self.mode == "print":
                start += Markup(' style="counter-reset: list-item {}"').format(node.start - 1)
        # In print, the indent fits the widest number, as Typst's does (base.css).
        digits = len(str(node.start + len(node.items) - 1))
        if self.mode == "print" and digits > 1:
            start += Markup(' class="digits-{}"').format(min(digits, 3))
        return Markup("<ol{}>\n{}</ol>\n").format(start, self.items(node.items))

    def items(self, items: Iterable[tuple[model.Block, ...]]) -> Markup:
        return Markup("").join(Markup("<li>{}</li>\n").format(self.item(item)) for item in items)

    def item(self, blocks: tuple[model.Block, ...]) -> Markup:
        """A list item; a lone plain paragraph is written bare, as a tight list is."""
        if len(blocks) == 1 and isinstance(blocks[0], model.Paragraph) and not blocks[0].numbered:
            return self.inlines(blocks[0].children)
        return Markup("\n") + self.blocks(blocks)

    def quote(self, node: model.BlockQuote) -> Markup:
        return Markup("<blockquote>\n{}</blockquote>\n").format(self.blocks(node.blocks))

    def table(self, node: model.Table) -> Markup:
        head = self.row(node.header, node.aligns, "th", ' scope="col"')
        body = Markup("").join(self.row(row, node.aligns, "td", "") for row in node.rows)
        return Markup("<table>\n<thead>\n{}</thead>\n<tbody>\n{}</tbody>\n</table>\n"
                      ).format(head, body)

    def row(self, cells: tuple[tuple[model.Inline, ...], ...], aligns: tuple[str, ...],
            tag: str, extra: str) -> Markup:
        out = []
        for index, cell in enumerate(cells):
            align = aligns[index] if index < len(aligns) else ""
            css = Markup(' class="align-{}"').format(align) if align in _ALIGNS else Markup("")
            out.append(Markup("<{0}{1}{2}>{3}</{0}>").format(Markup(tag), Markup(extra), css,
                                                           self.inlines(cell)))
        return Markup("<tr>{}</tr>\n").format(Markup("").join(out))

    def figure(self, node: model.Figure) -> Markup:
        """``<figure>``: the chart's SVG as an image with its alt text, at its drawn width,
        and the caption; on the web page its data table follows, for screen readers and for
        anyone who wants the figures (``aria-describedby`` links the two)."""
        src = "data:image/svg+xml;base64," + base64.b64encode(node.svg.encode("utf-8")).decode()
        table_id = f"figure-{node.number}-data"
        described = Markup(' aria-describedby="{}"').format(table_id) if self.mode == "web" \
            else Markup("")
        out = Markup('<figure class="chart" id="figure-{0}">\n<img src="{1}" alt="{2}" '
                     'style="width: {3:.2f}mm; max-width: 100%"{4}>\n'
                     '<figcaption>{5}</figcaption>\n</figure>\n').format(
            node.number, src, escape_html(node.alt), node.width_mm, described,
            self.inlines(node.caption))
        if self.mode != "web":
            return out
        return out + Markup('<div class="figure-data" id="{}">\n{}</div>\n').format(
            table_id, self.table(node.table))

    def changed(self, node: model.Changed) -> Markup:
        """A redline's blocks added or removed whole (``redline.py``)."""
        return Markup('<div class="redline-{}">\n{}</div>\n').format(
            "inserted" if node.change == "ins" else "deleted", self.blocks(node.blocks))

    # -- inlines --

    def inlines(self, inlines: Iterable[model.Inline], in_link: bool = False) -> Markup:
        inlines = tuple(inlines)
        if self.mode == "print":
            return self.kept_calls(inlines, in_link)
        return Markup("").join(self.inline(node, in_link) for node in inlines)

    def kept_calls(self, inlines: tuple[model.Inline, ...], in_link: bool) -> Markup:
        """Print: a word joiner (U+2060) between a note call and the text just before it, so
        that the call is never alone at the start of a line. WeasyPrint breaks a line between
        a word and the inline box that follows it where Unicode's rules allow no break
        (uk-forced-repatriation p. 1: "execution.”" then the call "2" on a line of its
        own); a joiner at the end of the word's text forbids it. (A ``white-space: nowrap``
        span round word and call made WeasyPrint break the line earlier instead.)"""
        out: list[Markup] = []
        for node, after in zip(inlines, inlines[1:] + (None,)):
            out.append(self.inline(node, in_link))
            if (isinstance(after, model.NoteRef) and isinstance(node, model.Text)
                    and node.text[-1:].strip()):
                out.append(Markup(WORD_JOINER))
        return Markup("").join(out)

    def inline(self, node: model.Inline, in_link: bool) -> Markup:
        if isinstance(node, model.Text):
            return escape_html(node.text)
        if isinstance(node, model.Emph):
            return Markup("<em>{}</em>").format(self.inlines(node.children, in_link))
        if isinstance(node, model.Strong):
            return Markup("<strong>{}</strong>").format(self.inlines(node.children, in_link))
        if isinstance(node, model.Code):
            return Markup("<code>{}</code>").format(escape_html(node.text))
        if isinstance(node, model.Link):
            return self.link(node, in_link)
        if isinstance(node, model.LineBreak):
            return Markup("<br>\n")
        if isinstance(node, model.NoteRef):
            return self.note_ref(node, in_link)
        if isinstance(node, model.Inserted):
            return Markup("<ins>{}</ins>").format(self.inlines(node.children, in_link))
        if isinstance(node, model.Deleted):
            return Markup("<del>{}</del>").format(self.inlines(node.children, in_link))
        raise TypeError(f"the HTML writer needs a document after the cite pass; "
                        f"expected Text, Emph, Strong, Code, Link, LineBreak or NoteRef, "
                        f"got {type(node).__name__}")

    def link(self, node: model.Link, in_link: bool) -> Markup:
        """``<a href>``; a link inside a link, or to a scheme such as ``javascript:``, is text.

        Note references inside the link text follow the link, as HTML cannot nest links.
        """
        refs = [child for child in node.children if isinstance(child, model.NoteRef)]
        text = self.inlines([c for c in node.children if not isinstance(c, model.NoteRef)],
                            in_link=True)
        if node.children == (model.Text(node.url),):
            text = url_text(node.url)
        after = Markup("").join(self.note_ref(ref, in_link) for ref in refs)
        if in_link or not _safe_url(node.url):
            return text + after
        return Markup('<a href="{}">{}</a>').format(escape_html(node.url), text) + after

    def note_ref(self, node: model.NoteRef, in_link: bool) -> Markup:
        note = self.notes.get(node.number)
        if note is None:
            raise ValueError(f"NoteRef({node.number}) has no Note in doc.notes")
        first = node.number not in self.referenced
        self.referenced.add(node.number)
        if self.mode == "print":
            # The call is a link to its note, written here rather than made by WeasyPrint
            # (its ::footnote-call is not a link). The note's text follows, floated to the
            # foot of the page (base.css), where its marker is the same number.
            call = Markup('<a class="note-call" href="#note-{0}">{0}</a>').format(node.number)
            if in_link:
                call = Markup('<sup class="note-call">{}</sup>').format(node.number)
            if not first:      # the note is already at the foot of a page: only its number
                return call
            return call + Markup('<span class="footnote" id="note-{}">{}</span>').format(
                node.number, self.note_inline(note))
        anchor = Markup(' id="note-ref-{}"').format(node.number) if first else Markup("")
        return Markup('<a class="note-ref"{} href="#note-{}" role="doc-noteref">'
                      '<sup>{}</sup></a>').format(anchor, node.number, node.number)

    def note_inline(self, note: model.Note) -> Markup:
        """A note's blocks as phrasing content, for a ``span``: blocks joined by a space."""
        return Markup(" ").join(part for part in self.inline_blocks(note.blocks) if part)

    def inline_blocks(self, blocks: Iterable[model.Block]) -> Iterable[Markup]:
        for block in blocks:
            if isinstance(block, (model.Paragraph, model.Heading)):
                yield self.inlines(block.children)
            elif isinstance(block, model.BlockQuote):
                yield from self.inline_blocks(block.blocks)
            elif isinstance(block, (model.BulletList, model.OrderedList)):
                for item in block.items:
                    yield from self.inline_blocks(item)
            elif isinstance(block, model.Table):
                for row in (block.header,) + block.rows:
                    yield from (self.inlines(cell) for cell in row)


def url_text(url: str) -> Markup:
    """A URL shown as itself, breaking only after a slash: each part up to and with its slash
    unbreakable (``span.url-part``, ``white-space: nowrap``), a ``<wbr>`` after it."""
    pieces = _URL_PARTS.findall(one_line(url))
    return Markup("<wbr>").join(Markup('<span class="url-part">{}</span>').format(escape_html(p))
                                for p in pieces if p)


def _note_item(body: _Body, note: model.Note, referenced: bool) -> Markup:
    """One ``li`` of the notes list: the note's text, then the link back to its reference."""
    blocks = note.blocks
    if len(blocks) == 1 and isinstance(blocks[0], model.Paragraph):
        text = body.inlines(blocks[0].children)
    else:
        text = Markup("\n") + body.blocks(blocks)
    back = Markup("")
    if referenced:
        back = Markup(' <a href="#note-ref-{0}" role="doc-backlink" '
                      'aria-label="Back to the text of note {0}">\u21a9</a>').format(note.number)
    return Markup('<li id="note-{0}" value="{0}" role="doc-endnote">{1}{2}</li>\n'
                  ).format(note.number, text, back)


def _safe_url(url: str) -> bool:
    """Whether a link may be followed: a web, mail or phone address, or a relative one."""
    try:
        scheme = urlsplit(storable(url).strip()).scheme.lower()
    except ValueError:
        return False
    return scheme == "" or scheme in _SAFE_SCHEMES
