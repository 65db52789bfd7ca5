"""The brand: the organisation's name, logo, colours, fonts, metrics and contact, in one file.

``brand.yaml`` sits at the project root, beside ``data/`` and ``briefs/``. It is the single
source of the look: the DOCX styles, the Typst page and the CSS are all made from it, so the
three renderings of a brief agree on page size, margins, font sizes, leading and spacing,
and so on pages. An audience overrides any part in ``audience.yaml`` (``brand:``, a mapping
of the same keys), and a brief may name another brand file (``brand: path``).

It is checked like the dataset: unknown keys (with a "did you mean"), wrong types, a colour
that is not ``#rrggbb``, a logo file that is not there and a font family no installed font
has are located problems, ``path:line:col: error: ...``, all of them reported at once.

Lengths are numbers in fixed units, so no writer ever pastes a string into its own syntax:
font sizes and spacing in points, page margins and the logo's width in millimetres, the
leading as a multiple of the font size (baseline to baseline).
"""

from __future__ import annotations

import copy
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from .errors import Location, Problem, ValidationError, display_path
from . import paths
from .load import YMap, locate, read_file
from .schema import Colour, Model, Number, Text, validate

BRAND_FILE = "brand.yaml"
LOGO_FORMATS = {".svg": "svg", ".png": "png"}
PAGE_SIZES = {"A4": (210.0, 297.0), "letter": (215.9, 279.4)}   # millimetres


class Logo(Model):
    file: Text                          # SVG or PNG, relative to the file that names it
    alt: Text                           # the text a screen reader reads for it
    width: Number = Field(40, gt=0, le=200)    # printed width, in millimetres


class Colours(Model):
    accent: Colour = "#1f3a5f"          # masthead band, rules, heading colour
    text: Colour = "#1a1a1a"
    headings: Colour = "#1f3a5f"
    link: Colour = "#1f4e79"
    muted: Colour = "#4a4a4a"           # running header, footer, masthead details
    rule: Colour = "#8a8a8a"            # hairlines: the notes' separator, table rules


class Fonts(Model):
    """Font families in order of preference; Noto draws Latin and Hangul alike (Debian:
    ``fonts-noto-core``, ``fonts-noto-cjk``)."""

    text: list[Text] = Field(["Noto Serif", "Noto Serif CJK KR"], min_length=1)
    headings: list[Text] = Field(["Noto Sans", "Noto Sans CJK KR"], min_length=1)
    mono: list[Text] = Field(["DejaVu Sans Mono", "Noto Sans Mono CJK KR"], min_length=1)


class Sizes(Model):
    """Font sizes in points."""

    body: Number = Field(11, ge=6, le=24)
    notes: Number = Field(9, ge=5, le=24)
    title: Number = Field(19, ge=8, le=48)
    subtitle: Number = Field(12, ge=6, le=36)
    heading_1: Number = Field(13, ge=6, le=36, alias="heading-1")
    heading_2: Number = Field(11.5, ge=6, le=36, alias="heading-2")
    heading_3: Number = Field(11, ge=6, le=36, alias="heading-3")
    small: Number = Field(8.5, ge=5, le=14)        # running header, footer, masthead lines


class Spacing(Model):
    """Vertical space in points."""

    paragraph: Number = Field(6, ge=0, le=36)      # after a paragraph
    list_item: Number = Field(2, ge=0, le=36, alias="list-item")
    heading_above: Number = Field(12, ge=0, le=72, alias="heading-above")
    heading_below: Number = Field(4, ge=0, le=36, alias="heading-below")
    note: Number = Field(2, ge=0, le=12)           # between two footnotes


class Leading(Model):
    """Baseline to baseline, in font sizes (CSS ``line-height``; Word's exact spacing)."""

    body: Number = Field(1.35, ge=1, le=3)
    notes: Number = Field(1.2, ge=1, le=3)


class Margins(Model):
    """Millimetres."""

    top: Number = Field(25, ge=5, le=80)
    bottom: Number = Field(25, ge=5, le=80)
    left: Number = Field(25, ge=5, le=80)
    right: Number = Field(25, ge=5, le=80)


class Page(Model):
    size: Literal["A4", "letter"] = "A4"
    margins: Margins = Margins()


class Contact(Model):
    """Who a reader writes to; printed at the end of every brief."""

    name: Text | None = None
    email: Text | None = None
    phone: Text | None = None
    web: Text | None = None
    address: list[Text] = []


class Brand(Model):
    organisation: Text | None = None    # else the brief's first organisation
    logo: Logo | None = None
    colours: Colours = Colours()
    fonts: Fonts = Fonts()
    sizes: Sizes = Sizes()
    leading: Leading = Leading()
    spacing: Spacing = Spacing()
    page: Page = Page()
    contact: Contact = Contact()
    registration: Text | None = None   # "Registered charity no. ..."
    footer: Text | None = None         # a line of the organisation's own, under the contact


@dataclass(frozen=True)
class LogoImage:
    """The logo as the writers use it: its bytes, format and alt text, read once."""

    data: bytes
    format: str                   # "svg" or "png"
    alt: str
    width_mm: float
    path: Path


@dataclass(frozen=True)
class ResolvedBrand:
    """A brief's brand after every override, with the logo read: what the writers get."""

    brand: Brand
    logo: LogoImage | None
    sources: tuple[Path, ...] = ()    # the brand files and logo it was made from (for hashing)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.brand, name)

    def organisation_for(self, organisations: tuple[str, ...] | list[str]) -> str:
        return self.brand.organisation or (organisations[0] if organisations else "")

    @property
    def page_mm(self) -> tuple[float, float]:
        return PAGE_SIZES[self.brand.page.size]

    @property
    def text_width_mm(self) -> float:
        margins = self.brand.page.margins
        return self.page_mm[0] - margins.left - margins.right


DEFAULT = ResolvedBrand(Brand(), None)


# --- loading ------------------------------------------------------------------------------

def project_brand(templates: Path) -> Path:
    """Where the project's brand file is: beside ``templates/`` (and ``data/``, ``briefs/``)."""
    return Path(templates).resolve().parent / BRAND_FILE


def resolve_brand(path: Path | None, override: Any = None,
                  override_dir: Path | None = None) -> ResolvedBrand:
    """The brand of ``path`` (None: the defaults), with an audience's ``override`` tree (its
    ``brand:`` in ``audience.yaml``, whose folder is ``override_dir``) on top.

    Raise ValidationError with every problem of both.
    """
    trees, problems, sources = [], [], []
    if path is not None:
        stat = Path(path).stat()
        tree, file_problems = _brand_tree(Path(path), stat.st_mtime_ns, stat.st_size)
        problems += file_problems
        if tree is not None:
            trees.append(tree)
            sources.append(Path(path).resolve())
    if override is not None:
        problems += check_tree(override, override_dir or Path("."), partial=True)
        trees.append(_absolute_logo(override, override_dir or Path(".")))
    if problems:
        raise ValidationError(problems)
    merged: dict[str, Any] = {}
    for tree in trees:
        merged = _merge(merged, tree)
    brand, problems = validate(Brand, merged, "brand", Location(display_path(path or BRAND_FILE)))
    if brand is None:
        raise ValidationError(problems)
    logo = _read_logo(brand.logo) if brand.logo else None
    if logo is not None:
        sources.append(logo.path)
    return ResolvedBrand(brand, logo, tuple(sources))


@lru_cache(maxsize=64)
def _brand_tree(path: Path, mtime: int = 0, size: int = 0) -> tuple[Any, tuple[Problem, ...]]:
    """A brand file's tree with its logo path made absolute, and its problems: read once per
    version of the file (``mtime``, ``size``), however many briefs use it."""
    tree, problems = read_file(path)
    if tree is None:
        return None, tuple(problems)
    if not isinstance(tree, YMap):
        return None, tuple(problems) + (Problem(
            getattr(tree, "loc", Location(display_path(path), 1, 1)),
            "wrong top level; expected a mapping of brand keys, got something else"),)
    problems += check_tree(tree, path.parent, partial=False)
    if problems:
        return None, tuple(problems)
    return _absolute_logo(tree, path.parent), ()


def check_tree(tree: Any, base: Path, *, partial: bool) -> list[Problem]:
    """Every problem of a brand tree: its schema, its logo file and its fonts.

    ``partial`` (an audience's override) allows keys to be missing: the brand file has them.
    """
    loc = getattr(tree, "loc", Location("?"))
    if not isinstance(tree, dict):
        return [Problem(loc, "wrong type for 'brand'; expected a mapping of brand keys, "
                             "got something else")]
    brand, problems = validate(Brand, tree, "brand", loc)
    if partial:
        problems = [p for p in problems if not p.message.startswith("missing key")]
    if problems:
        return problems
    return _logo_problems(tree, base) + _font_problems(tree)


def _logo_problems(tree: dict, base: Path) -> list[Problem]:
    logo = tree.get("logo")
    if not isinstance(logo, dict) or not isinstance(logo.get("file"), str):
        return []
    path = base / logo["file"]
    where = locate(tree, ("logo", "file"))
    kind = LOGO_FORMATS.get(path.suffix.lower())
    if kind is None:
        return [Problem(where, f"unknown logo format {path.suffix or 'without a suffix'!r}; "
                               f"expected an .svg or .png file, got {display_path(path)}")]
    refused = paths.problem(path, where)
    if refused:
        return [refused]
    if not path.is_file():
        return [Problem(where, f"no logo file {display_path(path)}; expected {'an' if kind == 'svg' else 'a'} "
                               f"{kind.upper()} file there, got nothing")]
    if kind == "png" and not path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"):
        return [Problem(where, f"logo {display_path(path)} is not a PNG file; expected PNG "
                               f"data, got another kind of file")]
    return []


def _font_problems(tree: dict) -> list[Problem]:
    fonts = tree.get("fonts")
    if not isinstance(fonts, dict):
        return []
    installed = installed_families()
    problems = []
    for role, families in fonts.items():
        for index, family in enumerate(families if isinstance(families, list) else []):
            if family.casefold() not in installed:
                problems.append(Problem(locate(tree, ("fonts", role, index)),
                                        f"no installed font is {family!r}; expected the name "
                                        f"of a font family installed on this machine "
                                        f"(fc-list : family), got none of that name"))
    return problems


@lru_cache(maxsize=1)
def installed_families() -> frozenset[str]:
    """Every installed font family (case folded): fontconfig's list (``fc-list``), which Word
    under Wine, LibreOffice, WeasyPrint and Typst all see. Without fontconfig, Typst's scan of
    the system fonts (its built-in fonts, which have no file, do not count).

    fontconfig first: checking a brand must not load Typst, as a build with nothing to do
    loads no writer library.
    """
    fc_list = shutil.which("fc-list")
    if fc_list is not None:
        out = subprocess.run([fc_list, "--format", "%{family}\n"], capture_output=True,
                             text=True, check=False).stdout
        return frozenset(name.strip().casefold() for line in out.splitlines()
                         for name in line.split(",") if name.strip())
    from .writers.glyphs import typst_fonts

    return frozenset(info.family.casefold() for info in typst_fonts().fonts() if info.path)


def _absolute_logo(tree: Any, base: Path) -> Any:
    """A copy of the tree with the logo's file resolved against the folder it was named in."""
    logo = tree.get("logo") if isinstance(tree, dict) else None
    if not isinstance(logo, dict) or not isinstance(logo.get("file"), str):
        return tree
    tree = copy.copy(tree)
    logo = copy.copy(logo)
    logo["file"] = str((base / logo["file"]).resolve())
    tree["logo"] = logo
    return tree


def _merge(base: dict, over: dict) -> dict:
    """``over`` on top of ``base``: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _read_logo(logo: Logo) -> LogoImage:
    path = Path(logo.file)
    return LogoImage(path.read_bytes(), LOGO_FORMATS[path.suffix.lower()], logo.alt,
                     float(logo.width), path)
