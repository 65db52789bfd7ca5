"""Generate a large synthetic dataset for the benchmark (never part of data/).

The records are shaped like the bundled ones (same vocabularies, evidence, links) so that
loading and validating them costs what real records cost. ``briefs`` writes briefs that
select from a dataset (the generated one, or the bundled one for a batch of real-sized
documents), each a short briefing on one theme in the bundled ``uk-briefing`` audience (its
template folder is copied next to them).
"""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import yaml

PROJECT = Path(__file__).resolve().parent.parent
WORDS = ("escapees report that border guards markets bribes information radio prison camps "
         "religion surveillance families women children labour food detention").split()


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _evidence(rng: random.Random, sources: list[str]) -> list[dict]:
    return [{"source": rng.choice(sources), "paragraph": str(rng.randint(1, 400))}]


def generate(out: Path, findings: int = 10_000, recommendations: int = 2_000,
             quotes: int = 1_000, statistics: int = 500, sources: int = 200, seed: int = 7) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for name in ("themes.yaml", "actors.yaml", "benchmark-groups.yaml"):
        shutil.copy(PROJECT / "data" / name, out / name)
    themes = [t["id"] for t in yaml.safe_load((out / "themes.yaml").read_text())]
    actors = [a["id"] for a in yaml.safe_load((out / "actors.yaml").read_text())]
    source_ids = [f"source-{i}" for i in range(sources)]
    quote_ids = [f"quote-{i}" for i in range(quotes)]
    stat_ids = [f"stat-{i}" for i in range(statistics)]
    records = {
        "sources": [{"id": s, "type": "report", "title": _text(rng, 8), "issued": "2020-01-31",
                     "author": [{"literal": "Example Organisation"}]} for s in source_ids],
        "quotes": [{"id": q, "text": _text(rng, 30), "speaker": "Interviewee A, 50",
                    "themes": [rng.choice(themes)], "evidence": _evidence(rng, source_ids)}
                   for q in quote_ids],
        "statistics": [{"id": s, "kind": "count", "title": _text(rng, 6), "unit": "people",
                        "themes": [rng.choice(themes)], "evidence": _evidence(rng, source_ids),
                        "values": [{"label": str(2000 + y), "value": rng.randint(1, 3000)}
                                   for y in range(5)]} for s in stat_ids],
        "findings": [{"id": f"finding-{i}", "text": _text(rng, 35), "confidence": "documented",
                      "themes": rng.sample(themes, 2), "period": "2007/2017",
                      "evidence": _evidence(rng, source_ids),
                      "quotes": [rng.choice(quote_ids)], "statistics": [rng.choice(stat_ids)]}
                     for i in range(findings)],
        "recommendations": [{"id": f"rec-{i}", "text": f"{_text(rng, 25)} ({i})",
                             "addressees": [rng.choice(actors)], "themes": [rng.choice(themes)],
                             "evidence": _evidence(rng, source_ids)} for i in range(recommendations)],
    }
    for kind, items in records.items():
        (out / kind).mkdir(parents=True, exist_ok=True)
        for start in range(0, len(items), 1000):  # files of 1,000 records, as a team would split them
            path = out / kind / f"part-{start // 1000:03d}.yaml"
            path.write_text(yaml.dump(items[start:start + 1000], allow_unicode=True, sort_keys=False,
                                      Dumper=yaml.CSafeDumper), encoding="utf-8")
    return out


BRIEF = """\
title: Generated briefing {n} on {theme}
audience: uk-briefing
date: "2026-11-26"
organisations: [Example Organisation]
style: uk-oscola
limits: {{words: 2000, pages: 20}}   # the audience allows two: these measure speed, not fit
formats: [{formats}]
introduction: This briefing draws on the evidence collected below [@{source}, page {n}].
select:
  findings: {{themes: [{theme}], limit: 12}}
  statistics: {{themes: [{theme}], limit: 2}}
  quotes: {{themes: [{theme}], limit: 3}}
  recommendations: {{themes: [{theme}], limit: 6}}
"""


def briefs(data: Path, out: Path, count: int = 200, formats: tuple[str, ...] = ("docx", "pdf", "html", "md"),
           seed: int = 7) -> tuple[Path, Path]:
    """``count`` briefs on the dataset in ``data``, one theme each in turn, written to
    ``out/briefs`` with their audience in ``out/templates``."""
    rng = random.Random(seed)
    themes = [t["id"] for t in yaml.safe_load((data / "themes.yaml").read_text())]
    sources = sorted(s["id"] for path in (data / "sources").glob("*.yaml")
                     for s in yaml.safe_load(path.read_text()))
    for folder in ("briefs", "templates"):
        shutil.rmtree(out / folder, ignore_errors=True)
    shutil.copytree(PROJECT / "templates" / "uk-briefing", out / "templates" / "uk-briefing")
    (out / "briefs").mkdir(parents=True)
    for n in range(count):
        text = BRIEF.format(n=n, theme=themes[n % len(themes)], source=rng.choice(sources),
                            formats=", ".join(formats))
        (out / "briefs" / f"brief-{n:03d}.yaml").write_text(text, encoding="utf-8")
    return out / "briefs", out / "templates"


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else PROJECT / "bench" / "out" / "scale"
    print(generate(folder / "data"), *briefs(folder / "data", folder))
