"""Real clients reading our outputs back: Pandoc, LibreOffice and poppler.

Tests use these to show that what briefgen writes is what other programs find in it, not
what briefgen itself believes it wrote.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest


def need(tool: str) -> str:
    """The tool's path; skip the test where it is not installed (CI installs them all)."""
    path = shutil.which(tool)
    if path is None:
        pytest.skip(f"{tool} is not installed (.ci/run installs it)")
    return path


def pandoc_json(path: Path, fmt: str = "docx", *extra: str) -> dict:
    out = subprocess.run([need("pandoc"), "-f", fmt, "-t", "json", *extra, str(path)],
                         check=True, capture_output=True, text=True, cwd=path.parent)
    return json.loads(out.stdout)


def stringify(node) -> str:
    """Pandoc AST inlines or blocks as plain text: notes left out, blocks on their own lines."""
    if isinstance(node, list):
        blocks = any(isinstance(n, dict) and n.get("t") in BLOCK_TYPES for n in node)
        return ("\n" if blocks else "").join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""   # attributes, URLs, list numbering: not text the reader sees
    kind, content = node.get("t"), node.get("c")
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak"):
        return " "
    if kind == "LineBreak":
        return "\n"
    if kind == "Note":
        return ""
    if kind == "Code":
        return content[1]
    if kind == "Quoted":
        left, right = ("\u201c", "\u201d") if content[0]["t"] == "DoubleQuote" else ("\u2018", "\u2019")
        return left + stringify(content[1]) + right
    return stringify(content)


BLOCK_TYPES = {"Para", "Plain", "BlockQuote", "BulletList", "OrderedList", "Header", "Table", "Div",
               "HorizontalRule", "CodeBlock"}


def notes(node) -> list[str]:
    """Every footnote's text in document order."""
    found = []
    if isinstance(node, list):
        for n in node:
            found += notes(n)
    elif isinstance(node, dict):
        if node.get("t") == "Note":
            found.append(stringify(node["c"]))
        else:
            for value in node.values():
                found += notes(value)
    return found


def libreoffice_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert with LibreOffice headless, in a private profile so runs do not clash."""
    profile = out_dir / "lo-profile"
    subprocess.run([need("soffice"), f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(out_dir), str(docx)],
                   check=True, capture_output=True, timeout=180)
    return out_dir / (docx.stem + ".pdf")


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext, reading order)."""
    out = subprocess.run([need("pdftotext"), "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")
