"""Charts: a statistic drawn once, as SVG (Typst, WeasyPrint, the web page) and as a 300 dpi PNG
(the DOCX, beside the SVG), with alt text generated from its figures.

Matplotlib draws them: it is on PyPI as wheels, needs no browser, draws with the brand's own
fonts (found through its font manager, which reads the fonts installed on the machine) and
writes the same bytes on every run once its SVG id salt is fixed and the date and software
stamps are left out of both files. Each chart is drawn in a private ``rc_context``, so a build
never changes Matplotlib's global settings.

A survey is a horizontal bar chart of its answers (``bars``) or one 100% stacked bar
(``stacked``); a count or a series is bars. Every bar is labelled with its value, so no reader
needs the colours; the stacked bar's shades also step in luminance (``shades``), so they stay
apart in greyscale.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import json
import os
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

from .stamp import write_cache

Style = Literal["bars", "stacked"]
STYLES: tuple[str, ...] = ("bars", "stacked")
DPI = 300
SALT = "briefgen"                   # Matplotlib's svg.hashsalt: the SVG's ids, the same each run
LABEL_WIDTH = 34                    # characters per line of an answer's label
MM_PER_INCH = 25.4


class ChartError(Exception):
    """A statistic that cannot be drawn (no values; a style that does not exist)."""


@dataclass(frozen=True)
class Chart:
    """One statistic's chart: its SVG and PNG bytes, its alt text and the data table that a
    screen reader gets after it (label, value as printed)."""

    svg: bytes
    png: bytes
    alt: str
    rows: tuple[tuple[str, str], ...]
    width_mm: float
    height_mm: float


# --- numbers and words ------------------------------------------------------------------------

def value_text(value: float, unit: str) -> str:
    """A value as the chart, its alt text and its table print it: ``42%``, ``2,706 people``."""
    number = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    if unit == "percent":
        return f"{number}%"
    if unit in ("number", ""):
        return number
    return f"{number} {unit}"


def alt_text(statistic) -> str:
    """The chart's alt text, from its figures: what a reader who cannot see it needs, in the
    order the chart shows them. A record's own ``alt`` wins."""
    own = getattr(statistic, "alt", None)
    if own:
        return own
    about = statistic.title.rstrip()
    if statistic.population:
        about += f" ({statistic.population}"
        about += f", {statistic.period})" if statistic.period else ")"
    parts = [_alt_part(statistic, value) for value in statistic.values]
    kind = "Bar chart" if statistic.kind == "count" else "Survey chart"
    return f"{kind}. {about}: " + "; ".join(parts) + "."


def _alt_part(statistic, value) -> str:
    number = value_text(value.value, statistic.unit)
    label = value.label.rstrip(".")
    if statistic.kind == "survey":
        return f"{number} answered “{label}”"
    return f"{label}: {number}"


def rows(statistic) -> tuple[tuple[str, str], ...]:
    return tuple((value.label, value_text(value.value, statistic.unit))
                 for value in statistic.values)


# --- colours --------------------------------------------------------------------------------

def luminance(colour: str) -> float:
    """Relative luminance (WCAG 2) of ``#rrggbb``: how light a colour prints in greyscale."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def shades(accent: str, count: int) -> list[str]:
    """``count`` shades of the brand's accent hue, dark to light at even steps of luminance, so
    neighbouring segments of a stacked bar differ as much in greyscale as in colour."""
    r, g, b = (int(accent[i:i + 2], 16) / 255 for i in (1, 3, 5))
    hue, light, saturation = colorsys.rgb_to_hls(r, g, b)
    darkest = luminance(_hls(hue, min(light, 0.3), saturation))
    lightest = 0.8
    step = (lightest - darkest) / max(count - 1, 1)
    return [_with_luminance(hue, saturation, darkest + index * step) for index in range(count)]


def _hls(hue: float, light: float, saturation: float) -> str:
    rgb = colorsys.hls_to_rgb(hue, light, saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in rgb)


def _with_luminance(hue: float, saturation: float, target: float) -> str:
    """The colour of this hue and saturation whose luminance is ``target``: a bisection on
    HLS lightness (luminance grows with it), as no colour library inverts WCAG luminance."""
    low, high = 0.0, 1.0
    for _ in range(40):
        middle = (low + high) / 2
        if luminance(_hls(hue, middle, saturation)) < target:
            low = middle
        else:
            high = middle
    return _hls(hue, high, saturation)


def ink_on(colour: str) -> str:
    """Black or white, whichever reads on ``colour``."""
    return "#000000" if luminance(colour) > 0.18 else "#ffffff"


# --- drawing ----------------------------------------------------------------------------------

def render(statistic, *, style: Style = "bars", accent: str = "#1f3a5f",
           text_colour: str = "#1a1a1a", fonts: Iterable[str] = ("Noto Sans",),
           size: float = 8.5, width_mm: float = 160.0) -> Chart:
    """Draw ``statistic`` once; the same inputs give the same bytes."""
    if style not in STYLES:
        raise ChartError(f"no chart style {style!r}; expected one of {', '.join(STYLES)}")
    if not statistic.values:
        raise ChartError(f"statistic {statistic.id} has no values to draw")
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib import pyplot as plt  # noqa: F401  (registers the backends)
    from matplotlib.figure import Figure

    settings = {
        "svg.hashsalt": SALT,
        "svg.fonttype": "path",      # glyphs as outlines: every reader draws the brand's font
        "font.family": "sans-serif",
        "font.sans-serif": [*fonts, "DejaVu Sans"],
        "font.size": size,
        "text.color": text_colour,
        "axes.edgecolor": text_colour,
        "axes.labelcolor": text_colour,
        "xtick.color": text_colour,
        "ytick.color": text_colour,
        "path.simplify": False,
    }
    with matplotlib.rc_context(settings):
        drawer = _stacked if style == "stacked" and statistic.kind == "survey" else _bars
        figure, height_mm = drawer(Figure, statistic, accent, text_colour, width_mm, size)
        svg = _save(figure, "svg", {"Date": None, "Creator": None})
        png = _save(figure, "png", {"Software": None}, dpi=DPI)
    return Chart(svg=svg, png=png, alt=alt_text(statistic), rows=rows(statistic),
                 width_mm=width_mm, height_mm=height_mm)


# --- the drawing kept between builds -----------------------------------------------------------
# Importing Matplotlib and drawing a chart takes half a second, most of a fresh build of a
# brief with one; the chart rarely changes between two builds (the text around it does). So a
# drawn chart is kept in the user's cache folder, named by a hash of everything its bytes
# depend on: this module's code, Matplotlib's version, the font list Matplotlib itself keeps
# (the fonts it can choose from; it too reads new fonts only when that list is remade), the
# statistic, and the brand's options. The same inputs give the same bytes from the cache as
# from a new drawing. No Python package keeps a content-addressed store of a few files without
# more than this needs, hence the few lines here.

CACHE_FORMAT = 1


def cache_dir() -> Path | None:
    """``$BRIEFGEN_CACHE_DIR``/charts, else ``$XDG_CACHE_HOME`` (or ~/.cache)/briefgen/charts;
    None when ``BRIEFGEN_CACHE_DIR=off`` asks for no cache."""
    own = os.environ.get("BRIEFGEN_CACHE_DIR", "")
    if own.lower() in ("off", "0", "no"):
        return None
    if own:
        return Path(own) / "charts"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "briefgen" / "charts"


def drawn(statistic, **options) -> Chart:
    """``render(statistic, **options)``, from the cache when it was drawn before."""
    folder = cache_dir()
    if folder is None:
        return render(statistic, **options)
    path = folder / f"{_key(statistic, options)}.chart"
    kept = _read(path)
    if kept is not None:
        svg, png, height_mm = kept
        return Chart(svg=svg, png=png, alt=alt_text(statistic), rows=rows(statistic),
                     width_mm=options.get("width_mm", 160.0), height_mm=height_mm)
    chart = render(statistic, **options)
    _keep(path, chart)
    return chart


def _key(statistic, options: dict) -> str:
    code, matplotlib = _drawing_code()
    dump = statistic.model_dump_json() if hasattr(statistic, "model_dump_json") else repr(statistic)
    inputs = {"format": CACHE_FORMAT, "code": code, "matplotlib": matplotlib,
              "fonts": _font_list(), "statistic": dump,
              "options": {k: list(v) if isinstance(v, (tuple, list)) else v
                          for k, v in sorted(options.items())}}
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()


@lru_cache(maxsize=1)
def _drawing_code() -> tuple[str, str]:
    """This module's hash and Matplotlib's version: the same for a process's every chart.
    (The font list is read for each: the first drawing may be the one that writes it.)"""
    from importlib.metadata import PackageNotFoundError, version

    try:
        matplotlib = version("matplotlib")
    except PackageNotFoundError:
        matplotlib = ""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest(), matplotlib


def _font_list() -> str:
    """A hash of Matplotlib's font list files (where Matplotlib keeps them: MPLCONFIGDIR, else
    the cache folder), read without importing Matplotlib."""
    own = os.environ.get("MPLCONFIGDIR")
    base = Path(own) if own else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    digest = hashlib.sha256()
    for path in sorted(base.glob("fontlist-*.json")):
        try:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        except OSError:
            return "unreadable"
    return digest.hexdigest()


def _read(path: Path) -> tuple[bytes, bytes, float] | None:
    try:
        data = path.read_bytes()
        head, _, body = data.partition(b"\n")
        meta = json.loads(head)
        svg, png = body[:meta["svg"]], body[meta["svg"]:]
        if len(png) != meta["png"]:
            return None
        return svg, png, float(meta["height_mm"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _keep(path: Path, chart: Chart) -> None:
    head = json.dumps({"svg": len(chart.svg), "png": len(chart.png),
                       "height_mm": chart.height_mm}).encode()
    write_cache(path, head + b"\n" + chart.svg + chart.png)


def _save(figure, fmt: str, metadata: dict, **options) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, metadata=metadata, **options)
    return buffer.getvalue()


def _wrap(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LABEL_WIDTH)) or label


def _bars(Figure, statistic, accent: str, text_colour: str, width_mm: float, size: float):
    labels = [_wrap(v.label) for v in statistic.values]
    values = [float(v.value) for v in statistic.values]
    lines = sum(label.count("\n") + 1 for label in labels)
    height_mm = 4 + 3.6 * lines + 2.2 * len(labels)
    figure = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))
    # Room on the left for the longest line of a label (half an em a character, a rough
    # measure that errs wide), at most 42% of the width.
    longest = max(len(line) for label in labels for line in label.split("\n"))
    left = min(0.42, (longest * size * 0.5 / 72 * MM_PER_INCH + 4) / width_mm)
    axes = figure.add_axes((left, 2 / height_mm, 0.9 - left, 1 - 4 / height_mm))
    positions = list(range(len(values)))[::-1]          # the first answer on top
    axes.barh(positions, values, color=accent, height=0.7)
    axes.set_yticks(positions, labels)
    axes.set_ylim(-0.6, len(values) - 0.4)
    top = max(values) or 1.0
    axes.set_xlim(0, top * 1.15)
    for position, value in zip(positions, values):
        axes.text(value + top * 0.015, position, value_text(value, statistic.unit),
                  va="center", ha="left", color=text_colour)
    axes.xaxis.set_visible(False)
    for side in ("top", "right", "bottom"):
        axes.spines[side].set_visible(False)
    axes.tick_params(axis="y", length=0)
    return figure, height_mm


def _stacked(Figure, statistic, accent: str, text_colour: str, width_mm: float, size: float):
    values = [float(v.value) for v in statistic.values]
    total = sum(values) or 1.0
    colours = shades(accent, len(values))
    entries = [f"{item.label} ({value_text(value, statistic.unit)})"
               for item, value in zip(statistic.values, values)]
    # The legend in as many columns as its longest entry allows (half an em a character).
    longest = max(len(entry) for entry in entries) * size * 0.5 / 72 * MM_PER_INCH + 8
    columns = max(1, min(3, int(width_mm // longest)))
    wrap = 2 * LABEL_WIDTH if columns == 1 else 10_000
    rows_of = [len(textwrap.wrap(entry, wrap)) or 1 for entry in entries]
    legend_rows = sum(max(rows_of[i:i + columns]) for i in range(0, len(entries), columns))
    height_mm = 12 + 4.4 * legend_rows
    figure = Figure(figsize=(width_mm / MM_PER_INCH, height_mm / MM_PER_INCH))
    bar_share = 8 / height_mm
    axes = figure.add_axes((0.01, 1 - bar_share - 0.01, 0.98, bar_share))
    left = 0.0
    handles = []
    for value, colour, entry in zip(values, colours, entries):
        share = value / total * 100
        handles.append(axes.barh([0], [share], left=left, color=colour, height=1.0,
                                 edgecolor="#ffffff", linewidth=0.8,
                                 label="\n".join(textwrap.wrap(entry, wrap))))
        if share >= 5:
            axes.text(left + share / 2, 0, value_text(value, statistic.unit),
                      ha="center", va="center", color=ink_on(colour))
        left += share
    axes.set_xlim(0, 100)
    axes.set_ylim(-0.5, 0.5)
    axes.set_axis_off()
    # Row by row, as the segments run left to right: Matplotlib fills a legend's columns first.
    order = [i for start in range(columns) for i in range(start, len(handles), columns)]
    figure.legend(handles=[handles[i] for i in order], loc="upper left",
                  bbox_to_anchor=(0.01, 1 - bar_share - 2.5 / height_mm), frameon=False,
                  ncols=columns, handlelength=1.2, borderaxespad=0, columnspacing=1.5)
    return figure, height_mm
