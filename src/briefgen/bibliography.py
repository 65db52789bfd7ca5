"""Sources from and to the tools users have: ``briefgen import sources`` and ``export sources``.

``import`` reads a bibliography as Zotero, Pandoc or a BibTeX manager writes it (CSL-JSON,
CSL-YAML as a list or under ``references:``, BibTeX through bibtexparser) and writes it as
dataset YAML: each item checked against the dataset's source schema, its id made a dataset id
(lower-case words joined by hyphens; a Zotero URL id gives way to the item's citation key, else
to its first author and year), dates as YYYY-MM-DD. ``export`` writes every source of the
dataset as CSL-JSON, which Zotero imports; briefgen reads its own export back.

Problems are located in the file read: a YAML or JSON item at its line, a BibTeX entry at the
line it starts on.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import yaml

from .dataset import Source
from .errors import BriefgenError, Location, Problem, display_path
from .load import YMap, YSeq, read_file
from .schema import describe, validate


class BibliographyError(BriefgenError):
    """A bibliography to import cannot be read, or an item in it is not a source."""


# --- reading -------------------------------------------------------------------------------------

def read_items(path: Path) -> list[tuple[dict, Location]]:
    """The items of a CSL-JSON, CSL-YAML or BibTeX file, each with where it stands."""
    if not path.is_file():
        raise BibliographyError([Problem(Location(display_path(path)),
                                         "no such file; expected a .json, .yaml or .bib "
                                         "bibliography, got nothing there")])
    if path.suffix.lower() == ".bib":
        return _bibtex_items(path)
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise BibliographyError([Problem(Location(display_path(path)),
                                         f"unknown kind of bibliography; expected a .json, .yaml "
                                         f"or .bib file, got {path.suffix or 'no suffix'}")])
    return _csl_items(path)


def _csl_items(path: Path) -> list[tuple[dict, Location]]:
    """CSL-JSON is YAML too, so one located reader serves both."""
    tree, problems = read_file(path)
    if problems:
        raise BibliographyError(problems)
    if isinstance(tree, YMap) and isinstance(tree.get("references"), YSeq):
        tree = tree["references"]               # Pandoc's metadata block
    if not isinstance(tree, YSeq):
        at = getattr(tree, "loc", Location(display_path(path), 1, 1))
        raise BibliographyError([Problem(at, f"wrong top level; expected a list of references "
                                             f"(or 'references:' holding one), got "
                                             f"{describe(tree)}")])
    return [(item, tree.item_loc(index)) for index, item in enumerate(tree)]


# BibTeX entry types as CSL types (the mapping Pandoc and citeproc-js use, in short).
BIBTEX_TYPES = {
    "article": "article-journal", "book": "book", "booklet": "pamphlet", "inbook": "chapter",
    "incollection": "chapter", "inproceedings": "paper-conference", "conference":
    "paper-conference", "manual": "report", "mastersthesis": "thesis", "phdthesis": "thesis",
    "proceedings": "book", "techreport": "report", "report": "report", "unpublished":
    "manuscript", "online": "webpage", "electronic": "webpage", "www": "webpage",
    "misc": "document", "thesis": "thesis", "legislation": "legislation",
}
# BibTeX fields as CSL variables; the rest are named below or left out.
BIBTEX_FIELDS = {
    "title": "title", "shorttitle": "title-short", "journal": "container-title",
    "journaltitle": "container-title", "booktitle": "container-title", "publisher":
    "publisher", "address": "publisher-place", "location": "publisher-place", "volume":
    "volume", "pages": "page", "doi": "DOI", "isbn": "ISBN", "issn": "ISSN", "url": "URL",
    "note": "note", "abstract": "abstract", "type": "genre", "series": "collection-title",
    "edition": "edition", "language": "language", "chapter": "chapter-number",
}


def _bibtex_items(path: Path) -> list[tuple[dict, Location]]:
    import bibtexparser
    from bibtexparser import middlewares

    shown = display_path(path)
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)   # failures are reported below
    library = bibtexparser.parse_string(
        path.read_text(encoding="utf-8"),
        append_middleware=[middlewares.MonthIntMiddleware(True), middlewares.SeparateCoAuthors(),
                           middlewares.SplitNameParts(), middlewares.LatexDecodingMiddleware()])
    failed = [Problem(Location(shown, block.start_line + 1, 1),
                      "BibTeX syntax error; expected an entry such as @report{key, title = "
                      "{...}}, got one that does not close") for block in library.failed_blocks]
    if failed:
        raise BibliographyError(failed)
    return [(_bibtex_item(entry), Location(shown, entry.start_line + 1, 1))
            for entry in library.entries]


def _bibtex_item(entry: Any) -> dict:
    fields = {name.lower(): field.value for name, field in entry.fields_dict.items()}
    item: dict[str, Any] = {"id": entry.key,
                            "type": BIBTEX_TYPES.get(entry.entry_type.lower(), "document")}
    for name, variable in BIBTEX_FIELDS.items():
        if name in fields:
            item.setdefault(variable, _plain(fields[name]))
    publisher = fields.get("institution") or fields.get("organization") or fields.get("school")
    if publisher and "publisher" not in item:
        item["publisher"] = _plain(publisher)
    if "number" in fields:
        item["issue" if item["type"] == "article-journal" else "number"] = _plain(fields["number"])
    for role in ("author", "editor"):
        if role in fields:
            item[role] = [_bibtex_name(name) for name in fields[role]]
    issued = _bibtex_date(fields)
    if issued:
        item["issued"] = issued
    if "urldate" in fields:
        item["accessed"] = _plain(fields["urldate"])
    return item


def _plain(value: Any) -> str:
    """A field's text without BibTeX's protective braces, one line."""
    return " ".join(str(value).replace("{", "").replace("}", "").split())


def _bibtex_name(name: Any) -> dict:
    """A person as family and given names; a name in braces (``{Human Rights Watch}``) is an
    institution, which BibTeX writes so that it is not split."""
    if not name.first and not name.von and len(name.last) == 1 and name.last[0].startswith("{"):
        return {"literal": _plain(name.last[0])}
    person = {"family": _plain(" ".join(name.last)), "given": _plain(" ".join(name.first))}
    if name.von:
        person["non-dropping-particle"] = _plain(" ".join(name.von))
    if name.jr:
        person["suffix"] = _plain(" ".join(name.jr))
    return {key: value for key, value in person.items() if value}


def _bibtex_date(fields: dict) -> str | None:
    if "date" in fields:
        return _plain(fields["date"])
    if "year" not in fields:
        return None
    parts = [_plain(fields["year"])]
    if isinstance(fields.get("month"), int):
        parts.append(f"{fields['month']:02d}")
        if str(fields.get("day", "")).isdigit():
            parts.append(f"{int(fields['day']):02d}")
    return "-".join(parts)


# --- ids ------------------------------------------------------------------------------------------

def dataset_id(item: Any, taken: set[str]) -> str:
    """A dataset id for an imported item, unique among ``taken``."""
    raw = str(item.get("id", "")) if isinstance(item, dict) else ""
    if re.match(r"^[a-z]+://", raw) or not raw:
        raw = str(item.get("citation-key") or _author_year(item))
    base = re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-") or "source"
    found, n = base, 1
    while found in taken:
        n += 1
        found = f"{base}-{n}"
    taken.add(found)
    return found


def _author_year(item: dict) -> str:
    names = item.get("author") or item.get("editor") or [{}]
    first = names[0] if isinstance(names, list) and names else {}
    who = first.get("family") or first.get("literal") or item.get("title", "source")
    when = item.get("issued")
    year = when["date-parts"][0][0] if isinstance(when, dict) and when.get("date-parts") else when
    return f"{who} {year or ''}"


# --- import and export ----------------------------------------------------------------------------

def import_sources(path: Path, taken: set[str] = frozenset()) -> str:
    """The bibliography at ``path`` as dataset YAML; every problem in it raised at once."""
    ids, problems, records = set(taken), [], []
    for item, loc in read_items(path):
        if isinstance(item, dict):      # a YAML/JSON item keeps its positions for problems
            item["id"] = dataset_id(item, ids)
        record, found = validate(Source, item, "source", loc)
        problems += found
        if record is not None:
            records.append(record.model_dump(mode="json", by_alias=True, exclude_none=True,
                                             exclude_defaults=True))
    if problems:
        raise BibliographyError(problems)
    return _dataset_yaml(records, path)


def _dataset_yaml(records: list[dict], path: Path) -> str:
    header = f"# Sources imported from {path.name} by `briefgen import sources`.\n"
    body = yaml.safe_dump(records, allow_unicode=True, sort_keys=False, width=100,
                          default_flow_style=False)
    return header + body


def export_sources(dataset: Any) -> str:
    """Every source of the dataset as CSL-JSON, in the dataset's order."""
    from .cite import csl_json

    return csl_json(dataset.records("sources"))
