"""``briefgen watch BRIEF...``: rebuild while the author writes, in one warm process.

The process loads everything once (Python's imports, the Typst compiler and its fonts, the
Pandoc kept running by ``citeproc.py``), builds the briefs, then waits on the project's files
with ``watchfiles`` (a maintained watcher on the operating system's own notifications). On
each save it reads the dataset and the briefs again and runs the release build, which builds
only the outputs whose inputs changed (the manifest's hashes): a finding the brief selects,
the brief, its audience's templates, the brand, a style. A build that fails writes nothing,
so the last good outputs stay as they were; its problems are printed as located lines.

``--serve`` serves the briefs' web pages from the output folder at ``http://127.0.0.1:PORT``
(bound to the loopback interface only). The page shown is a small frame around the brief's own
page, which is served as built: the frame reloads it after each rebuild (Server-Sent Events,
from the standard library's HTTP server) and shows the last build's problems above it.
"""

from __future__ import annotations

import html
import json
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote, urlparse

from .errors import BriefgenError, Problem

# Files whose change can change a brief (the rest of a project, such as dist/, is ignored).
WATCHED_SUFFIXES = (".yaml", ".yml", ".j2", ".typ", ".css", ".csl", ".svg", ".png", ".docx",
                    ".html", ".md")
QUIET_MS = 30         # a save is built once the files have been quiet this long
READY_MS = 200        # how soon the watch says it is in place (and wakes, when nothing changes)


@dataclass
class State:
    """What the last build said, for the terminal and the served page."""

    generation: int = 0
    problems: list[str] = field(default_factory=list)
    pages: dict[str, str] = field(default_factory=dict)     # brief -> its web page's file name
    changed: threading.Condition = field(default_factory=threading.Condition)

    def update(self, problems: list[str], pages: dict[str, str]) -> None:
        with self.changed:
            self.generation += 1
            self.problems, self.pages = problems, pages
            self.changed.notify_all()


@dataclass
class Watcher:
    """The briefs to build and how; ``build_once`` is one rebuild, ``run`` the loop."""

    briefs: list[Path]
    data: Path
    templates: Path
    out_dir: Path
    formats: list[str] | None = None
    pdf_engine: str | None = None
    state: State = field(default_factory=State)
    say: Callable[[str], None] = print

    def build_once(self) -> bool:
        """One build of every watched brief; True when it succeeded. Prints one line."""
        from . import release
        from .brief import load_briefs
        from .validate import load_dataset

        began = time.perf_counter()
        try:
            dataset = load_dataset(self.data)
            loaded = load_briefs(self.briefs, dataset, self.templates)
            settings = release.Settings(self.out_dir, self.formats, self.pdf_engine, jobs=1)
            result = release.build_release(loaded, dataset, settings)
        except BriefgenError as err:
            self._failed(err.problems, began)
            return False
        if result.problems:
            self._failed(result.problems, began)
            return False
        built: dict[str, list[str]] = {}
        for row in result.rows:
            if row.status == "built":
                built.setdefault(row.brief, []).append(row.format)
        seconds = time.perf_counter() - began
        what = "; ".join(f"{name} ({', '.join(formats)})" for name, formats in built.items()) \
            if built else "nothing changed"
        self.say(f"[{time.strftime('%H:%M:%S')}] built {what} ({seconds:.2f} s)")
        for warning in result.warnings:
            self.say(str(warning))
        self.state.update([], {b.name: f"{b.name}.html" for b in loaded})
        return True

    def _failed(self, problems: list[Problem], began: float) -> None:
        seconds = time.perf_counter() - began
        noun = "problem" if len(problems) == 1 else "problems"
        self.say(f"[{time.strftime('%H:%M:%S')}] not built: {len(problems)} {noun}; the last "
                 f"good outputs stay ({seconds:.2f} s)")
        lines = [str(p) for p in sorted(problems)]
        for line in lines:
            self.say(line)
        self.state.update(lines, self.state.pages)

    def folders(self) -> list[Path]:
        """What to watch: the dataset, the briefs' folders, the templates, the project's brand
        and styles (whatever of them exists)."""
        root = self.data.resolve().parent
        found = [self.data, self.templates, *{b.resolve().parent for b in self.briefs},
                 root / "brand.yaml", root / "brand", root / "styles"]
        return sorted({p.resolve() for p in found if p.exists()})

    def relevant(self, path: str) -> bool:
        out = self.out_dir.resolve()
        here = Path(path)
        return here.suffix in WATCHED_SUFFIXES and not here.name.startswith(".") \
            and not here.resolve().is_relative_to(out)

    def run(self, stop: threading.Event | None = None) -> None:
        """Build, then rebuild on every change until Ctrl-C (or ``stop``)."""
        import logging

        import watchfiles

        # watchfiles says "KeyboardInterrupt caught, stopping watch" through logging; Ctrl-C
        # is ours to report (one line, "stopped")
        logging.getLogger("watchfiles").addHandler(logging.NullHandler())
        logging.getLogger("watchfiles").propagate = False
        self.build_once()
        ready = False
        # yield_on_timeout: the first (empty) answer says the watch is in place, so "watching"
        # is printed only once a save can no longer be missed.
        for changes in watchfiles.watch(*self.folders(), step=QUIET_MS, stop_event=stop,
                                        raise_interrupt=False, rust_timeout=READY_MS,
                                        yield_on_timeout=True,
                                        watch_filter=lambda _, path: self.relevant(path)):
            if changes and not (stop and stop.is_set()):
                self.build_once()
                _collect()
            if not ready:
                ready = True
                self.say(f"watching {len(self.briefs)} brief(s); Ctrl-C to stop")


def _collect() -> None:
    """After a rebuild, while the author reads: loading a dataset freezes what it built out of
    the cycle collector's sight (``load.no_cycle_collection``), which a one-shot command wants;
    a process that loads again on every save gives it back and collects, so nothing piles up."""
    import gc

    gc.unfreeze()
    gc.collect()


# --- the served page ---------------------------------------------------------------------------

FRAME = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>briefgen watch: {title}</title>
<style>
body {{ margin: 0; font: 14px system-ui, sans-serif; }}
#problems {{ background: #fdecea; color: #611a15; padding: 0.5em 1em; white-space: pre-wrap;
  font-family: monospace; }}
#problems:empty {{ display: none; }}
nav {{ padding: 0.3em 1em; background: #eef1f5; }}
iframe {{ border: 0; width: 100%; height: calc(100vh - 2.2em); }}
</style></head>
<body><nav>{nav}</nav><div id="problems">{problems}</div>
<iframe id="page" src="{page}" title="{title}"></iframe>
<script>
const source = new EventSource("/events");
source.onmessage = (event) => {{
  const state = JSON.parse(event.data);
  document.getElementById("problems").textContent = state.problems.join("\\n");
  if (!state.problems.length) {{ document.getElementById("page").contentWindow.location.reload(); }}
}};
</script></body></html>
"""


def _handler(state: State, out_dir: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:                       # noqa: N802 (the standard's name)
            path = unquote(urlparse(self.path).path)
            if path == "/events":
                return self._events()
            if path == "/" or path.startswith("/brief/"):
                return self._frame(path.removeprefix("/brief/").strip("/"))
            return self._file(path.lstrip("/"))

        def _frame(self, brief: str) -> None:
            pages = state.pages
            name = brief if brief in pages else next(iter(sorted(pages)), "")
            nav = " · ".join(f'<a href="/brief/{html.escape(b)}">{html.escape(b)}</a>'
                             for b in sorted(pages))
            body = FRAME.format(title=html.escape(name), nav=nav,
                                problems=html.escape("\n".join(state.problems)),
                                page="/" + html.escape(pages.get(name, "")))
            self._send(200, "text/html; charset=utf-8", body.encode("utf-8"))

        def _file(self, name: str) -> None:
            target = (out_dir / name).resolve()
            if not target.is_relative_to(out_dir.resolve()) or not target.is_file():
                return self._send(404, "text/plain; charset=utf-8", b"not found")
            kinds = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
                     ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
            self._send(200, kinds.get(target.suffix, "application/octet-stream"),
                       target.read_bytes())

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = state.generation
            try:
                while True:
                    with state.changed:
                        state.changed.wait_for(lambda: state.generation != seen, timeout=15)
                        seen, problems = state.generation, list(state.problems)
                    data = json.dumps({"generation": seen, "problems": problems})
                    self.wfile.write(f"data: {data}\n\n".encode())
                    self.wfile.flush()
            except OSError:
                return                                   # the browser went away

        def _send(self, status: int, kind: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:   # noqa: A002
            return                                       # one line per rebuild, not per request

    return Handler


def serve(state: State, out_dir: Path, port: int) -> ThreadingHTTPServer:
    """The preview server on the loopback interface, in a thread of its own."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(state, out_dir))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="briefgen-serve", daemon=True).start()
    return server


def main(watcher: Watcher, port: int | None) -> int:
    server = None
    if port is not None:
        watcher.out_dir.mkdir(parents=True, exist_ok=True)
        server = serve(watcher.state, watcher.out_dir, port)
        host, bound = server.server_address[:2]
        watcher.say(f"serving http://{host}:{bound}/")
    # Ctrl-C (or SIGTERM) asks the loop to stop: the build under way finishes, then the watch
    # ends. Not a KeyboardInterrupt, which a finalizer running at that moment would swallow.
    stop = threading.Event()
    handlers = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        watcher.run(stop)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        if server is not None:
            server.shutdown()
    watcher.say("stopped")
    sys.stdout.flush()
    return 0
