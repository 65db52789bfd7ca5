"""Charts (charts.py): the same bytes on every run, alt text from the figures, the brand's font,
shades that stay apart in greyscale, and a PNG at 300 dpi."""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from briefgen import charts
from briefgen.dataset import Statistic

PROJECT = Path(__file__).parent.parent


def statistic(record_id: str) -> Statistic:
    for name in ("csw-2018.yaml", "hrw-2019.yaml", "ohchr-2020.yaml"):
        for record in yaml.safe_load((PROJECT / "data" / "statistics" / name).read_text()):
            if record["id"] == record_id:
                return Statistic.model_validate(record)
    raise LookupError(record_id)


SURVEY = "csw-2018-bribery"
COUNT = "hrw-2019-arrivals-rok"

DIGEST = """
import hashlib, sys, yaml
from briefgen import charts
from briefgen.dataset import Statistic
records = yaml.safe_load(open(sys.argv[1]))
record = next(r for r in records if r["id"] == sys.argv[2])
chart = charts.render(Statistic.model_validate(record), style=sys.argv[3])
print(hashlib.sha256(chart.svg).hexdigest(), hashlib.sha256(chart.png).hexdigest())
"""


@pytest.mark.parametrize("style", ["bars", "stacked"])
def test_the_same_bytes_in_a_fresh_process_each_time(style):
    """Two separate runs (no shared Matplotlib state, ids or caches) write identical files."""
    data = PROJECT / "data" / "statistics" / "csw-2018.yaml"
    runs = {subprocess.run([sys.executable, "-c", DIGEST, str(data), SURVEY, style],
                           capture_output=True, text=True, check=True).stdout
            for _ in range(2)}
    assert len(runs) == 1
    chart = charts.render(statistic(SURVEY), style=style)
    assert runs.pop().split() == [hashlib.sha256(chart.svg).hexdigest(),
                                  hashlib.sha256(chart.png).hexdigest()]


# --- the drawing kept between builds ----------------------------------------------------------

def test_a_chart_from_the_cache_is_the_chart_drawn_anew(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path))
    options = {"style": "stacked", "accent": "#7a1f3d", "size": 9.0, "width_mm": 150.0}
    first = charts.drawn(statistic(SURVEY), **options)
    assert len(list((tmp_path / "charts").glob("*.chart"))) == 1
    monkeypatch.setattr(charts, "render", lambda *a, **k: pytest.fail("drawn again"))
    assert charts.drawn(statistic(SURVEY), **options) == first
    monkeypatch.undo()
    assert first == charts.render(statistic(SURVEY), **options)


@pytest.mark.parametrize("change", [
    {"accent": "#005a9c"}, {"size": 10.0}, {"width_mm": 120.0}, {"fonts": ("DejaVu Serif",)},
    {"style": "bars"}, "statistic"])
def test_any_change_to_what_a_chart_shows_draws_it_again(tmp_path, monkeypatch, change):
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path))
    options = {"style": "stacked", "accent": "#7a1f3d", "size": 9.0, "width_mm": 150.0}
    record = statistic(SURVEY)
    charts.drawn(record, **options)
    if change == "statistic":
        first = record.values[0]
        record = record.model_copy(update={"values": [first.model_copy(
            update={"value": first.value + 1}), *record.values[1:]]})
    else:
        options = {**options, **change}
    again = charts.drawn(record, **options)
    assert len(list((tmp_path / "charts").glob("*.chart"))) == 2
    assert again == charts.render(record, **options)


def test_a_damaged_cache_file_is_drawn_again(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(tmp_path))
    first = charts.drawn(statistic(COUNT))
    (kept,) = (tmp_path / "charts").glob("*.chart")
    kept.write_bytes(kept.read_bytes()[:-100])
    assert charts.drawn(statistic(COUNT)) == first


def test_an_unwritable_cache_is_no_cache_and_no_failure(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", str(blocked))
    assert charts.drawn(statistic(COUNT)) == charts.render(statistic(COUNT))
    monkeypatch.setenv("BRIEFGEN_CACHE_DIR", "off")
    assert charts.cache_dir() is None


def test_no_date_or_software_stamp_in_either_file():
    chart = charts.render(statistic(SURVEY))
    assert b"<dc:date>" not in chart.svg and b"Matplotlib v" not in chart.svg
    assert b"Software" not in chart.png and b"matplotlib" not in chart.png.lower()


def test_the_png_is_300_dpi_and_the_svg_an_svg():
    from PIL import Image
    chart = charts.render(statistic(SURVEY))
    image = Image.open(io.BytesIO(chart.png))
    assert image.format == "PNG"
    assert tuple(round(d) for d in image.info["dpi"]) == (300, 300)
    width_inches = image.size[0] / 300
    assert width_inches == pytest.approx(chart.width_mm / 25.4, abs=0.01)
    assert chart.svg.lstrip().startswith(b"<?xml") and b"<svg" in chart.svg


def test_alt_text_gives_every_figure_in_the_charts_order():
    chart = charts.render(statistic(SURVEY))
    assert chart.alt.startswith("Survey chart. How has bribery changed over the past ten years?")
    assert "42% answered “Bribery is much more common than it was in 2007”" in chart.alt
    order = [chart.alt.index(f"{n}% answered") for n in (42, 5, 18, 4, 3, 28)]
    assert order == sorted(order)


def test_alt_text_of_a_count_names_its_unit():
    alt = charts.alt_text(statistic(COUNT))
    assert alt.startswith("Bar chart. North Koreans arriving in South Korea")
    assert "2011: 2,706 people" in alt and "January–September 2018: 808 people" in alt


def test_a_records_own_alt_text_wins():
    record = statistic(SURVEY).model_copy(update={"alt": "Four in ten said bribery grew."})
    assert charts.alt_text(record) == "Four in ten said bribery grew."


def test_the_data_table_rows_print_the_values_as_the_chart_does():
    chart = charts.render(statistic(COUNT))
    assert chart.rows[0] == ("2011", "2,706 people")
    assert len(chart.rows) == len(statistic(COUNT).values)


def test_labels_are_drawn_as_outlines_in_the_brands_font():
    """The SVG carries glyph outlines (no font needed to read it), and Matplotlib finds the
    brand's heading font on this machine rather than falling back to its own DejaVu."""
    from matplotlib import font_manager
    found = font_manager.findfont(font_manager.FontProperties(family="Noto Sans"),
                                  fallback_to_default=False)
    assert "NotoSans" in Path(found).name
    chart = charts.render(statistic(SURVEY), fonts=["Noto Sans"])
    assert b"<text" not in chart.svg and b"<path" in chart.svg


def test_another_font_draws_other_outlines():
    """The brand's font reaches the drawing: changing it changes the bytes."""
    sans = charts.render(statistic(COUNT), fonts=["Noto Sans"])
    serif = charts.render(statistic(COUNT), fonts=["Noto Serif"])
    assert sans.svg != serif.svg


@pytest.mark.parametrize("count", [2, 4, 6, 8])
def test_stacked_shades_step_apart_in_greyscale(count):
    """Neighbouring segments differ in luminance enough to tell apart printed in grey."""
    tones = [charts.luminance(c) for c in charts.shades("#1f3a5f", count)]
    assert tones == sorted(tones)
    assert min(b - a for a, b in zip(tones, tones[1:])) >= 0.05


def test_a_value_label_reads_on_its_segment():
    for colour in charts.shades("#1f3a5f", 6):
        ink = charts.ink_on(colour)
        lighter, darker = sorted([charts.luminance(colour), charts.luminance(ink)])[::-1]
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5     # WCAG AA for text


def test_the_brands_accent_colours_the_bars():
    chart = charts.render(statistic(COUNT), accent="#7a1f3d")
    assert b"#7a1f3d" in chart.svg


def test_an_unknown_style_is_a_chart_error():
    with pytest.raises(charts.ChartError, match="expected one of bars, stacked"):
        charts.render(statistic(SURVEY), style="pie")


# --- the brief's choice and the compose stage -------------------------------------------------

from briefgen import model as m                       # noqa: E402
from briefgen.brief import load_brief                  # noqa: E402
from briefgen.compose import compose                   # noqa: E402
from briefgen.select import select                     # noqa: E402
from briefgen.validate import load_dataset             # noqa: E402

from conftest import BRIEF, brief_problems, write      # noqa: E402

CHART_TEMPLATE = """\
{% for stat in statistics %}
{% if charted(stat) %}
{{ figure(stat) }}

{% else %}
{{ stat.title }} {{ cite(stat) }}

{% endif %}
{% endfor %}
"""


def composed(project, charts: str):
    write(project, "templates/plain/content.md.j2", CHART_TEMPLATE)
    write(project, "briefs/b.yaml", BRIEF + charts)
    dataset = load_dataset(Path("data"))
    loaded = load_brief(Path("briefs/b.yaml"), dataset, Path("templates"))
    return compose(loaded, dataset, select(dataset, loaded.brief.select))


def test_statistics_are_tables_unless_the_brief_asks_for_charts(project):
    assert not list(m.find(composed(project, "").document.blocks, m.Figure))


@pytest.mark.parametrize("charts", ["charts: bars\n", "charts: {prisoners: stacked}\n",
                                    "charts: {all: bars}\n"])
def test_the_brief_asks_for_a_chart_for_all_or_by_statistic(project, charts):
    figures = list(m.find(composed(project, charts).document.blocks, m.Figure))
    assert [f.number for f in figures] == [1]
    assert m.plain_text(figures[0].caption).rstrip() == "Figure 1: Have you heard of prison camps?"
    assert any(isinstance(n, m.Cite) for n in figures[0].caption)   # numbered by the cite stage
    assert [[m.plain_text(cell) for cell in row] for row in figures[0].table.rows] == \
        [["Yes", "60"], ["No", "39.5"]]
    assert figures[0].svg.startswith("<?xml") and figures[0].png.startswith(b"\x89PNG")


def test_a_table_for_one_statistic_when_all_others_are_charts(project):
    assert not list(m.find(composed(project, "charts: {all: bars, prisoners: table}\n")
                           .document.blocks, m.Figure))


def test_the_markdown_export_numbers_the_figure_and_keeps_its_table(project):
    markdown = composed(project, "charts: bars\n").document.markdown
    assert "Figure 1: Have you heard of prison camps? [@brief-2024" in markdown
    assert "| Yes | 60 |" in markdown and "briefgen-figure-" not in markdown


def test_hostile_data_is_text_in_the_caption_table_and_alt_text(project):
    hostile = "{{ 7*7 }} <script>x</script> # *star* [@brief-2024]"
    path = project / "data/statistics" / next(p.name for p in (project / "data/statistics")
                                              .glob("*.yaml"))
    path.write_text(path.read_text().replace("Have you heard of prison camps?", f"'{hostile}'")
                    .replace('label: "Yes"', f"label: '{hostile}'"))
    figure = next(m.find(composed(project, "charts: bars\n").document.blocks, m.Figure))
    assert m.plain_text(figure.caption).rstrip() == f"Figure 1: {hostile}"
    assert m.plain_text(figure.table.rows[0][0]) == hostile
    assert hostile in figure.alt


def test_a_code_span_in_the_brief_is_no_figure_marker(project):
    write(project, "templates/plain/content.md.j2", "`briefgen-figure-0123456789abcdef0123` x\n")
    write(project, "briefs/b.yaml", BRIEF + "charts: bars\n")
    dataset = load_dataset(Path("data"))
    loaded = load_brief(Path("briefs/b.yaml"), dataset, Path("templates"))
    doc = compose(loaded, dataset, select(dataset, loaded.brief.select)).document
    assert not list(m.find(doc.blocks, m.Figure))


def test_a_chart_choice_that_does_not_exist_is_a_located_problem(project):
    write(project, "briefs/b.yaml", BRIEF + "charts: pie\n")
    lines = brief_problems()
    assert lines == ["briefs/b.yaml:11:9: error: invalid 'charts'; expected one of table, bars "
                     "or stacked, or a mapping of statistic ids (or all) to them, got 'pie'"]


def test_a_bad_choice_for_one_statistic_is_located_at_it(project):
    write(project, "briefs/b.yaml", BRIEF + "charts: {prisoners: pie}\n")
    lines = brief_problems()
    assert len(lines) == 1 and lines[0].startswith("briefs/b.yaml:11:21: error: invalid "
                                                   "'prisoners'; expected one of table"), lines


def test_a_chart_for_a_statistic_that_is_not_there_is_a_located_problem(project):
    write(project, "briefs/b.yaml", BRIEF + "charts: {prisoner: bars}\n")
    lines = brief_problems()
    assert len(lines) == 1 and lines[0].startswith("briefs/b.yaml:11:10: error: "), lines
    assert "'prisoner'" in lines[0] and "prisoners" in lines[0]     # did you mean
