"""Regenerating golden files never passes: it writes the file and fails the test."""

from __future__ import annotations

import pytest

import regen


def test_regeneration_writes_the_golden_file_and_fails(tmp_path, monkeypatch):
    monkeypatch.setattr(regen, "REGEN", True)
    golden = tmp_path / "deep" / "page.html"
    with pytest.raises(pytest.fail.Exception, match="rewrote .*page.html"):
        regen.regenerate(golden, "<p>new</p>\n")
    assert golden.read_text(encoding="utf-8") == "<p>new</p>\n"


def test_without_the_variable_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(regen, "REGEN", False)
    regen.regenerate(tmp_path / "page.html", b"bytes")
    assert not (tmp_path / "page.html").exists()


def test_a_page_keeps_everything_but_its_inline_css():
    page = "<head><style>\nbody { color: red }\n</style></head><body><p>style</p></body>"
    assert regen.page_without_css(page) == (
        "<head><style>/* the look's CSS */</style></head><body><p>style</p></body>")
