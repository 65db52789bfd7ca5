"""The kept-running Pandoc (briefgen/citeproc.py): the same answers as ``pandoc --citeproc``,
in the order asked, a refused document that does not stop the next, and one process per
process that uses it."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess

import pytest

from briefgen import citeproc
from briefgen.styles import HOUSE_STYLES


def _document(style: str, keys: list[str], title: str = "A report") -> dict:
    references = {"t": "MetaList", "c": [
        {"t": "MetaMap", "c": {"id": {"t": "MetaString", "c": key},
                               "type": {"t": "MetaString", "c": "report"},
                               "title": {"t": "MetaInlines", "c": [{"t": "Str", "c": title}]},
                               "author": {"t": "MetaList", "c": [{"t": "MetaMap", "c": {
                                   "literal": {"t": "MetaString", "c": f"Author {key}"}}}]}}}
        for key in sorted(set(keys))]}
    blocks = [{"t": "Para", "c": [{"t": "Cite", "c": [[{
        "citationId": key, "citationPrefix": [], "citationSuffix": [],
        "citationMode": {"t": "NormalCitation"}, "citationNoteNum": n, "citationHash": 0}], []]}]}
        for n, key in enumerate(keys, 1)]
    return {"pandoc-api-version": [1, 23, 1, 1],
            "meta": {"references": references, "csl": {"t": "MetaString", "c": style}},
            "blocks": blocks}


OSCOLA = str(HOUSE_STYLES["uk-oscola"].resolve())


def _by_the_command_line(document: dict) -> dict:
    done = subprocess.run([citeproc.pandoc_path(), "--from", "json", "--to", "json",
                           "--citeproc"], input=json.dumps(document), capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout)


def test_the_worker_answers_as_pandoc_citeproc_does():
    document = _document(OSCOLA, ["a", "b", "a", "a"])
    assert citeproc.submit(document).result()["blocks"] == _by_the_command_line(document)["blocks"]


def test_answers_come_back_to_whoever_asked_in_any_order():
    first = citeproc.submit(_document(OSCOLA, ["a"], "First title"))
    second = citeproc.submit(_document(OSCOLA, ["b"], "Second title"))
    assert "Second" in json.dumps(second.result())
    assert "First" in json.dumps(first.result())
    assert "Second" not in json.dumps(first.result())


def test_a_refused_document_is_an_error_and_the_next_one_is_answered(tmp_path):
    missing = str(tmp_path / "missing.csl")
    with pytest.raises(citeproc.CiteprocFailed, match="missing.csl"):
        citeproc.submit(_document(missing, ["a"])).result()
    assert citeproc.submit(_document(OSCOLA, ["a"])).result()["blocks"]


def _child(queue) -> None:
    answer = citeproc.submit(_document(OSCOLA, ["a"], "From the child")).result()
    queue.put((os.getpid(), citeproc._WORKER.owner, "From the child" in json.dumps(answer)))


def test_a_forked_process_starts_a_pandoc_of_its_own():
    citeproc.submit(_document(OSCOLA, ["a"])).result()      # the parent's is running
    parent_process = citeproc._WORKER.process
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue,))
    child.start()
    pid, owner, answered = queue.get(timeout=60)
    child.join(timeout=60)
    assert (owner, answered, child.exitcode) == (pid, True, 0)
    # the parent's Pandoc was not touched by the child, and still answers
    assert citeproc._WORKER.process is parent_process
    assert citeproc.submit(_document(OSCOLA, ["b"])).result()["blocks"]


def test_closing_ends_the_pandoc_process():
    citeproc.submit(_document(OSCOLA, ["a"])).result()
    process = citeproc._WORKER.process
    citeproc._WORKER.close()
    assert process.poll() is not None
    assert citeproc.submit(_document(OSCOLA, ["a"])).result()["blocks"]   # and starts again


def test_long_answers_asked_for_together_do_not_block_pandoc():
    """Answers larger than a pipe's buffer, several asked before any is read."""
    keys = [f"k{i}" for i in range(400)]
    asked = [citeproc.submit(_document(OSCOLA, keys, f"Title {n} " + "word " * 50))
             for n in range(3)]
    notes = [sum(b["t"] == "Para" for b in p.result()["blocks"]) for p in asked]
    assert notes == [400, 400, 400]


def test_a_pandoc_that_stops_is_a_stop_not_a_refusal(tmp_path, monkeypatch):
    quitter = tmp_path / "quit.lua"
    quitter.write_text("os.exit(1)\n")
    citeproc._WORKER.close()
    monkeypatch.setattr(citeproc, "SCRIPT", quitter)
    with pytest.raises(citeproc.CiteprocFailed) as raised:
        citeproc.submit(_document(OSCOLA, ["a"])).result()
    assert raised.value.stopped
    citeproc._WORKER.close()
    monkeypatch.undo()
    assert citeproc.submit(_document(OSCOLA, ["b"])).result()["blocks"]   # a new Pandoc


def test_prestart_starts_the_pandoc_that_answers_later():
    citeproc._WORKER.close()
    citeproc.prestart()
    process = citeproc._WORKER.process
    assert process is not None and process.poll() is None
    assert citeproc.submit(_document(OSCOLA, ["a"])).result()["blocks"]
    assert citeproc._WORKER.process is process


def test_a_pandoc_that_cannot_start_is_no_problem_until_something_is_cited(tmp_path,
                                                                            monkeypatch):
    citeproc._WORKER.close()
    monkeypatch.setattr(citeproc, "pandoc_path", lambda: str(tmp_path / "no-pandoc"))
    citeproc.prestart()                         # says nothing
    with pytest.raises(OSError):
        citeproc.submit(_document(OSCOLA, ["a"]))
    monkeypatch.undo()
    citeproc._WORKER.close()
    assert citeproc.submit(_document(OSCOLA, ["b"])).result()["blocks"]
