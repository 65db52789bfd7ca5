"""No network: URLs of a local listener, put wherever a project can hold a URL, and every
format built; the listener hears nothing.

The URLs point at a real TCP listener on 127.0.0.1 (``clients.local_listener``): a source's
``URL`` (a link in its note), a Markdown link and image in the brief's introduction, the same
in the content template, the HTML page template (``<img>``, ``<link>``, ``<script>``,
``<object>``, ``<iframe>``...) and its CSS (``@import``, ``url()``, ``@font-face``). The brief
is built as DOCX, Typst PDF, WeasyPrint PDF, HTML and Markdown. The outputs are checked to
hold the URLs (so they were read, and kept as links where a link belongs), WeasyPrint's
refusals are in the warnings, and a Typst page asking for an image by URL, or a package from
the network, fails with one located line. The proxy variables point at the listener too, so
anything that would reach the network through a proxy (Typst's package downloader, for a
package name computed in the page) would be heard. The listener is shown to hear a
connection first, so its silence means something.
"""

from __future__ import annotations

import re
import socket
import time
import zipfile
from pathlib import Path

from briefgen.cli import main
from briefgen.writers.weasy import NO_NETWORK
from clients import local_listener, need
from conftest import BRIEF, TEMPLATE, write

REFUSED = re.compile(r"refused to fetch (?P<url>\S+): (?P<reason>.+)$")

PAGE_HTML = """\
{{% extends "base.html.j2" %}}
{{% block masthead %}}
<img src="{url}/page.png" alt="">
<link rel="stylesheet" href="{url}/page.css">
<script src="{url}/page.js"></script>
<object data="{url}/page.svg" type="image/svg+xml"></object>
<embed src="{url}/embed.svg" type="image/svg+xml">
<iframe src="{url}/frame.html"></iframe>
<video poster="{url}/poster.png"></video>
<svg width="4" height="4"><image href="{url}/svg-image.png" width="4" height="4"/></svg>
<h1>{{{{ meta.title }}}}</h1>
{{% endblock %}}
"""

STYLE_CSS = """\
@import url("{url}/import.css");
@font-face {{ font-family: Remote; src: url("{url}/font.woff2"); }}
body {{ background: url("{url}/background.png"); }}
p {{ font-family: Remote, "Noto Serif"; }}
li {{ list-style-image: url("{url}/bullet.png"); }}
"""

INTRODUCTION = """\
introduction: |
  See [the listener]({url}/intro-link) and ![an image]({url}/intro-image.png)
  and <img src="{url}/intro-raw.png"> [@coi-2014, paragraph 80].
formats: [docx, pdf, html, md]
"""

TEMPLATE_LINKS = """\
{{{{ introduction }}}}

A [template link]({url}/template-link) and ![a template image]({url}/template-image.png).

"""


def plant(project: Path, url: str) -> None:
    """The listener's URLs in every place a project can hold one."""
    sources = project / "data/sources/sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "  number: A/HRC/25/63\n", f"  number: A/HRC/25/63\n  URL: {url}/source\n"),
        encoding="utf-8")
    write(project, "briefs/b.yaml", BRIEF + INTRODUCTION.format(url=url))
    write(project, "templates/plain/content.md.j2", TEMPLATE_LINKS.format(url=url) + TEMPLATE)
    write(project, "templates/plain/page.html.j2", PAGE_HTML.format(url=url))
    write(project, "templates/plain/style.css", STYLE_CSS.format(url=url))


def hear(port: int, connections: list) -> None:
    """The listener hears a connection: its silence later means nothing reached it."""
    socket.create_connection(("127.0.0.1", port), timeout=5).close()
    deadline = time.monotonic() + 10      # a hang guard: the accepting thread polls
    while not connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(connections) == 1
    connections.clear()


def build(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["build", "briefs/b.yaml", *args])
    return code, capsys.readouterr().err.splitlines()


def package_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        return "\n".join(package.read(name).decode("utf-8", "replace")
                         for name in package.namelist() if name.endswith(".rels"))


def check_every_format(project: Path, capsys, url: str) -> None:
    code, err = build(capsys, "--out", "out")
    assert (code, err) == (0, [])
    out = project / "out"
    assert f'href="{url}/source"' in (out / "b.html").read_text(encoding="utf-8")
    assert f'<img src="{url}/page.png"' in (out / "b.html").read_text(encoding="utf-8")
    rels = package_text(out / "b.docx")
    assert f'Target="{url}/intro-link" TargetMode="External"' in rels
    assert f'Target="{url}/source" TargetMode="External"' in rels
    assert f"({url}/template-link)" in (out / "b.md").read_text(encoding="utf-8")
    assert f"{url}/source".encode() in (out / "b.pdf").read_bytes()      # Typst's link


def check_weasyprint(capsys, url: str) -> None:
    code, err = build(capsys, "--format", "pdf", "--pdf-engine", "weasyprint", "--out", "weasy")
    assert code == 0
    refusals = [REFUSED.search(line) for line in err if "refused to fetch" in line]
    # (the @import is not fetched at all: after base.css, it is not at the top of the sheet)
    assert {f"{url}/page.png", f"{url}/page.css",
            f"{url}/background.png", f"{url}/font.woff2"} <= {r["url"] for r in refusals}
    assert {r["reason"] for r in refusals} == {NO_NETWORK}


def check_typst_pages(project: Path, capsys, url: str) -> None:
    write(project, "templates/plain/page.typ", f'#image("{url}/typst.png")\n')
    code, err = build(capsys, "--format", "pdf", "--out", "typst-image")
    assert code == 1 and err[0].startswith("templates/plain/page.typ:1:7: error: Typst could "
                                           "not lay out the document")
    assert err[0].endswith("network access is not supported")
    write(project, "templates/plain/page.typ", '#import "@preview/cetz:0.3.0": canvas\n')
    code, err = build(capsys, "--format", "pdf", "--out", "typst-package")
    assert code == 1 and err[0].startswith(
        'templates/plain/page.typ:1:9: error: package "@preview/cetz:0.3.0" would be downloaded')
    # A package name computed in Typst gets past that check; Typst's downloader, which
    # follows the proxy variables (the test points them at the listener), must not run.
    write(project, "templates/plain/page.typ",
          '#let name = str.from-unicode(64) + "preview/cetz:0.3.0"\n#import name: canvas\n')
    code, err = build(capsys, "--format", "pdf", "--out", "typst-computed")
    assert (code, err) == (1, [
        "templates/plain/page.typ:2:8: error: a package would be downloaded; expected "
        "briefgen's own \"@local/briefgen:0.1.0\" (briefgen never reaches the network), got an "
        "import of a package name Typst computes, which it could only download",
        "briefgen: 1 problem in 1 file"])


PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY",
                   "all_proxy")


def test_no_format_reaches_the_network(project, capsys, monkeypatch):
    need("pdftotext")
    with local_listener() as (port, connections):
        hear(port, connections)
        url = f"http://127.0.0.1:{port}"
        for name in PROXY_VARIABLES:      # whatever goes through a proxy comes here too
            monkeypatch.setenv(name, url)
        monkeypatch.setenv("NO_PROXY", "")
        monkeypatch.setenv("no_proxy", "")
        plant(project, url)
        check_every_format(project, capsys, url)
        check_weasyprint(capsys, url)
        check_typst_pages(project, capsys, url)
    assert connections == []
