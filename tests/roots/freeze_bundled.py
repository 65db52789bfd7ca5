"""Freeze the bundled briefs, with what they print, as the test root ``tests/roots/bundled``.

    .venv/bin/python tests/roots/freeze_bundled.py      (then make golden, and review the diff)

Each brief's records are picked with briefgen's own ``select``; the copy keeps them, every
record, source and id the briefs and templates name, the sources those cite, the
vocabularies, the templates and the brand. Records are written with their models'
``model_dump`` (a source's ``text`` left out: the texts are verify's, not the writers').
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from briefgen.brief import SELECTABLE, load_briefs
from briefgen.dataset import KINDS
from briefgen.select import select
from briefgen.validate import load_dataset

PROJECT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent / "bundled"
ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


def named_ids(dataset, texts: list[str]) -> set[str]:
    return {m for text in texts for m in ID.findall(text) if m in dataset.by_id}


def references(value):
    """Every id a dumped record names (sources, linked statistics and quotes, same-as...)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("statistics", "quotes", "same-as", "overlaps", "source"):
                yield from (item if isinstance(item, list) else [item])
            yield from references(item)
    elif isinstance(value, list):
        for item in value:
            yield from references(item)


def kept(dataset, briefs) -> set[str]:
    keep = set()
    for loaded in briefs:
        picked = select(dataset, loaded.brief.select)
        keep |= {r.id for kind in SELECTABLE for r in getattr(picked, kind)}
    texts = [p.read_text(encoding="utf-8") for p in (PROJECT / "briefs").glob("*.yaml")]
    texts += [p.read_text(encoding="utf-8") for p in (PROJECT / "templates").rglob("*.j2")]
    keep |= named_ids(dataset, texts)
    while True:
        more = {i for rid in keep if rid in dataset.by_id
                for i in references(dataset.get(rid).model_dump(mode="json", by_alias=True))
                if isinstance(i, str) and i in dataset.by_id} - keep
        if not more:
            return keep
        keep |= more


def write_records(dataset, keep: set[str]) -> None:
    for kind in KINDS:
        if kind.place.endswith(".yaml"):
            if (PROJECT / "data" / kind.place).is_file():
                shutil.copy(PROJECT / "data" / kind.place, OUT / "data" / kind.place)
            continue
        chosen = [r.model_dump(mode="json", by_alias=True, exclude_none=True,
                               exclude_defaults=True, exclude={"text"} if kind.name == "sources"
                               else set())
                  for r in dataset.records(kind.name) if r.id in keep]
        if chosen:
            (OUT / "data" / kind.place).mkdir()
            (OUT / "data" / kind.place / "frozen.yaml").write_text(
                yaml.safe_dump(chosen, allow_unicode=True, sort_keys=False, width=100),
                encoding="utf-8")


def main() -> None:
    dataset = load_dataset(PROJECT / "data")
    briefs = load_briefs(sorted((PROJECT / "briefs").glob("*.yaml")), dataset,
                         PROJECT / "templates")
    readme = (OUT / "README.md").read_text(encoding="utf-8")
    shutil.rmtree(OUT)
    (OUT / "data").mkdir(parents=True)
    (OUT / "README.md").write_text(readme, encoding="utf-8")
    write_records(dataset, kept(dataset, briefs))
    if (PROJECT / "data" / "foreign-terms.yaml").is_file():
        shutil.copy(PROJECT / "data" / "foreign-terms.yaml", OUT / "data")
    ignore = shutil.ignore_patterns("README.md")
    shutil.copytree(PROJECT / "briefs", OUT / "briefs", ignore=ignore)
    shutil.copytree(PROJECT / "templates", OUT / "templates", ignore=ignore)
    shutil.copy(PROJECT / "brand.yaml", OUT / "brand.yaml")
    shutil.copytree(PROJECT / "brand", OUT / "brand")


if __name__ == "__main__":
    main()
