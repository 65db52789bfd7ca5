"""Pandoc's citeproc, kept running: one ``pandoc lua`` process for all the documents a
process cites.

``pandoc --citeproc`` run afresh for each brief spends most of its time getting ready: the
same five bundled briefs take 40-250 ms each that way, and 10-15 ms each in one process that
stays (``make bench``). Pandoc 3.9 can run a Lua script with its own library loaded
(``pandoc lua``), so a short script (``citeproc.lua``) reads one Pandoc JSON document a
line, runs ``pandoc.utils.citeproc`` on it, the same function ``--citeproc`` runs, and writes
the result a line. Pandoc's server mode would do the same over HTTP, but the Pandoc that
pypandoc-binary ships is built without the threaded runtime the server needs.

A request is sent at once and its answer read when it is wanted (``Pending``), so the caller
can do other work while Pandoc formats. The process belongs to the process that started it: a
worker process of a parallel build starts its own. It ends when its input closes, at exit or
when this process dies.
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from functools import cache
from pathlib import Path

SCRIPT = Path(__file__).with_name("citeproc.lua")


class CiteprocFailed(Exception):
    """Pandoc refused a document (the message is Pandoc's own), or stopped (``stopped``)."""

    def __init__(self, message: str, stopped: bool = False):
        super().__init__(message)
        self.stopped = stopped


@cache
def pandoc_path() -> str:
    """The Pandoc bundled with pypandoc-binary (the version the tests and the README state).

    Found beside the package without importing it: ``pypandoc.get_pandoc_path`` runs
    ``--version`` on every Pandoc it can find and takes the newest, which costs a process
    or more at every start and could pick another Pandoc than the one pinned.
    """
    import importlib.util

    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / ("pandoc.exe" if sys.platform == "win32" else "pandoc")
        if bundled.is_file():
            return str(bundled)
    import pypandoc   # a pypandoc without its binary: whatever Pandoc it finds
    return pypandoc.get_pandoc_path()


class Pending:
    """A document sent to Pandoc; ``result()`` waits for it and returns it formatted."""

    def __init__(self, worker: _Worker, ticket: int):
        self._worker, self._ticket = worker, ticket
        self._value: dict | None = None

    def result(self) -> dict:
        if self._value is None:
            self._value = self._worker.answer(self._ticket)
        return self._value


class _Worker:
    """The ``pandoc lua`` process and the answers read from it, in the order asked."""

    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None
        self.owner = 0                      # the pid that started the process
        self.lock = threading.Lock()
        self.sent = self.read = 0           # requests written, answers read
        self.answers: dict[int, dict | CiteprocFailed] = {}

    def submit(self, document: dict) -> Pending:
        line = json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self.lock:
            process = self._running()
            # Answers not yet read are read first: Pandoc writes an answer before it reads the
            # next line, so a long answer left in the pipe would block it, and then our write.
            while self.read < self.sent:
                self.read += 1
                self.answers[self.read] = self._read_one()
            try:
                process.stdin.write(line)
                process.stdin.flush()
            except OSError as err:
                self._stop()
                raise CiteprocFailed(f"Pandoc stopped: {err.strerror}", stopped=True) from None
            self.sent += 1
            return Pending(self, self.sent)

    def answer(self, ticket: int) -> dict:
        with self.lock:
            while self.read < ticket:
                self.read += 1
                self.answers[self.read] = self._read_one()
            found = self.answers.pop(ticket)
        if isinstance(found, CiteprocFailed):
            raise found
        return found

    def _read_one(self) -> dict | CiteprocFailed:
        line = self.process.stdout.readline() if self.process else ""
        if not line:
            self._stop()
            return CiteprocFailed("Pandoc stopped before it answered", stopped=True)
        answer = json.loads(line)
        if "error" in answer and "blocks" not in answer:
            return CiteprocFailed(" ".join(str(answer["error"]).split()))
        return answer

    def _running(self) -> subprocess.Popen:
        if self.process is None or self.owner != os.getpid() or self.process.poll() is not None:
            # A process inherited over fork is the parent's: its pipes are not ours to use.
            self.process, self.owner = None, os.getpid()
            self.sent = self.read = 0
            self.answers.clear()
            self.process = subprocess.Popen(
                [pandoc_path(), "lua", str(SCRIPT)], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8",
                bufsize=1 << 16)
        return self.process

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and self.owner == os.getpid():
            for stream in (process.stdin, process.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def close(self) -> None:
        with self.lock:
            self._stop()


_WORKER = _Worker()
atexit.register(_WORKER.close)


def prestart() -> None:
    """Start Pandoc now, for citations to come: it starts while a brief is composed. A Pandoc
    that cannot start is not a problem yet: the brief that cites reports it, where it cites."""
    try:
        with _WORKER.lock:
            _WORKER._running()
    except Exception:      # noqa: BLE001  (not found, not executable: whatever Popen raises)
        pass


def submit(document: dict) -> Pending:
    """Send a Pandoc JSON document (its metadata naming the style as ``csl``) to be cited."""
    return _WORKER.submit(document)
