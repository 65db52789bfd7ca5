"""brand.yaml is checked like the dataset, and an audience or a brief can change it."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.brand import resolve_brand
from briefgen.brief import load_brief
from briefgen.validate import load_dataset
from briefgen.writers.look import Look

from conftest import BRIEF, PROJECT, brief_problems, write

SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'

BRAND = """\
organisation: Test Org
logo: {file: logo.svg, alt: Test Org logo, width: 12}
colours: {accent: "#112233"}
fonts:
  text: [Noto Serif]
sizes: {body: 10.5}
page:
  margins: {left: 20, right: 20}
contact: {name: The desk, email: desk@example.org}
registration: Registered charity no. 0000000
"""


def _loaded(path: str = "briefs/b.yaml"):
    return load_brief(Path(path), load_dataset(Path("data")), Path("templates"))


@pytest.fixture
def branded(project):
    write(project, "brand.yaml", BRAND)
    write(project, "logo.svg", SVG)
    return project


def test_the_bundled_brand_is_the_bundled_organisations():
    brand = resolve_brand(PROJECT / "brand.yaml")
    organisations = {line.split(":", 1)[1].strip(" []\n")
                     for path in (PROJECT / "briefs").glob("*.yaml")
                     for line in path.read_text().splitlines() if line.startswith("organisations:")}
    assert organisations == {brand.organisation}
    assert brand.logo is not None and brand.logo.format == "svg"
    assert brand.logo.data.startswith(b"<svg") and brand.logo.alt
    assert brand.brand.page.size == "A4"


def test_a_brief_gets_the_project_brand(branded):
    loaded = _loaded()
    assert loaded.brand.organisation == "Test Org"
    assert loaded.brand.brand.sizes.body == 10.5
    assert loaded.brand.brand.colours.accent == "#112233"
    assert loaded.brand.logo.data == SVG.encode()
    assert loaded.brand.text_width_mm == 170
    look = Look.of(loaded)
    assert look.fonts.text == ["Noto Serif"]        # the brand's fonts reach every writer


def test_without_a_brand_file_the_defaults_stand(project):
    loaded = _loaded()
    assert loaded.brand.logo is None
    assert loaded.brand.brand.page.size == "A4"
    assert Look.of(loaded).organisation(("Test Org",)) == "Test Org"


def test_every_problem_of_the_brand_file_is_located(branded):
    write(branded, "brand.yaml", BRAND.replace("colours:", "colors:")
          .replace("sizes: {body: 10.5}", "sizes: {body: big}"))
    assert brief_problems() == [
        "brand.yaml:3:1: error: unknown key 'colors' in brand; did you mean 'colours'?",
        "brand.yaml:6:15: error: wrong type for 'body'; expected a number, got a string ('big')",
    ]


def test_a_bad_colour_is_located(branded):
    write(branded, "brand.yaml", BRAND.replace('"#112233"', "navy"))
    assert brief_problems() == [
        "brand.yaml:3:19: error: invalid 'accent'; expected a colour written #rrggbb, "
        "like '#1f3a5f', got a string ('navy')"]


def test_a_missing_logo_and_an_uninstalled_font_are_located(branded):
    write(branded, "brand.yaml", BRAND.replace("logo.svg", "logo2.svg")
          .replace("[Noto Serif]", "[Noto Serif, Nonesuch Garamond]"))
    assert brief_problems() == [
        "brand.yaml:2:14: error: no logo file logo2.svg; expected an SVG file there, got nothing",
        "brand.yaml:5:22: error: no installed font is 'Nonesuch Garamond'; expected the name of "
        "a font family installed on this machine (fc-list : family), got none of that name",
    ]


def test_a_logo_must_be_svg_or_png(branded):
    write(branded, "logo.gif", "GIF89a")
    write(branded, "brand.yaml", BRAND.replace("logo.svg", "logo.gif"))
    assert brief_problems() == [
        "brand.yaml:2:14: error: unknown logo format '.gif'; expected an .svg or .png file, "
        "got logo.gif"]


def test_the_brand_files_problem_is_reported_once_for_all_its_briefs(branded):
    write(branded, "briefs/c.yaml", BRIEF)
    write(branded, "brand.yaml", BRAND.replace("colours:", "colors:"))
    from briefgen.brief import load_briefs
    from briefgen.errors import BriefgenError

    with pytest.raises(BriefgenError) as err:
        load_briefs([Path("briefs/b.yaml"), Path("briefs/c.yaml")], load_dataset(Path("data")),
                    Path("templates"))
    assert [str(p) for p in err.value.problems] == [
        "brand.yaml:3:1: error: unknown key 'colors' in brand; did you mean 'colours'?"]


def test_an_audience_overrides_any_field(branded):
    write(branded, "templates/plain/audience.yaml",
          'brand:\n  colours: {accent: "#009edb"}\n  contact: {phone: "+44 20 7946 0000"}\n')
    brand = _loaded().brand.brand
    assert brand.colours.accent == "#009edb"
    assert brand.contact.phone == "+44 20 7946 0000"
    assert brand.contact.email == "desk@example.org"        # the rest stays the brand file's
    assert brand.sizes.body == 10.5


def test_an_audience_override_is_checked_in_its_own_file(branded):
    write(branded, "templates/plain/audience.yaml",
          "label: Plain\nbrand:\n  colours: {acent: \"#009edb\"}\n  logo: {file: nope.png}\n")
    assert brief_problems() == [
        "templates/plain/audience.yaml:3:13: error: unknown key 'acent' in colours; "
        "did you mean 'accent'?"]


def test_an_audience_logo_is_found_beside_its_audience_file(branded):
    write(branded, "templates/plain/audience.yaml", "brand:\n  logo: {file: nope.png, alt: x}\n")
    assert brief_problems() == [
        "templates/plain/audience.yaml:2:16: error: no logo file templates/plain/nope.png; "
        "expected a PNG file there, got nothing"]


def test_a_brief_may_name_another_brand_file(branded):
    write(branded, "briefs/other.yaml", "organisation: Other Org\n")
    write(branded, "briefs/b.yaml", BRIEF + "brand: other.yaml\n")
    loaded = _loaded()
    assert loaded.brand.organisation == "Other Org"
    assert loaded.brand.logo is None            # the project's brand.yaml is not read


def test_a_brief_naming_a_missing_brand_file_is_located(branded):
    write(branded, "briefs/b.yaml", BRIEF + "brand: gone.yaml\n")
    assert brief_problems() == [
        "briefs/b.yaml:11:8: error: no brand file briefs/gone.yaml; expected a brand .yaml file "
        "there, got nothing"]
