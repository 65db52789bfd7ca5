"""Golden files: compared as they are, rewritten only on request, never passing silently.

``BRIEFGEN_REGEN_GOLDEN=1`` (``make golden``) makes each golden test write its file from what
the code does now and then fail, naming the file: a regeneration never passes as a test run
would, so a CI that sets the variable by mistake is red, and the person regenerating reviews
``git diff`` and runs the tests again without it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REGEN = bool(os.environ.get("BRIEFGEN_REGEN_GOLDEN"))


def regenerate(golden: Path, content: str | bytes) -> None:
    """Under BRIEFGEN_REGEN_GOLDEN, write ``golden`` and fail; otherwise do nothing."""
    if not REGEN:
        return
    golden.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        golden.write_bytes(content)
    else:
        golden.write_text(content, encoding="utf-8")
    pytest.fail(f"rewrote {golden} (BRIEFGEN_REGEN_GOLDEN is set): review the diff, then run "
                f"the tests again without it", pytrace=False)


def page_without_css(page: str) -> str:
    """A web page with its inline CSS left out: the look's CSS is a file of its own, the same
    for every page of an audience, and would be noise in every page's diff."""
    return re.sub(r"(<style>).*?(</style>)", r"\1/* the look's CSS */\2", page, flags=re.S)
