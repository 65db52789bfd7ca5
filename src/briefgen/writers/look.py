"""An audience's look: the files and settings the PDF and HTML writers lay a document out with.

Each file is looked up first in the audience's template folder (``templates/<audience>/``) and
then in briefgen's default look (``briefgen/look/``), so an audience overrides only what it
changes: its Typst page (``page.typ``), its HTML page (``page.html.j2``) or its CSS
(``style.css``, added after the default ``base.css``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from briefgen.brand import DEFAULT as DEFAULT_BRAND, ResolvedBrand
from briefgen.brief import FontStacks, LoadedBrief, Masthead
from briefgen.paths import project_root

DEFAULT_LOOK = Path(__file__).resolve().parent.parent / "look"


@dataclass(frozen=True)
class Look:
    folder: Path                  # the audience's template folder
    fonts: FontStacks
    numbered: bool                # numbered paragraphs, as the audience asks
    # Where files a page refers to may be read from, beside the audience's folder and the
    # default look: the project (``paths.project_root``), never the folder briefgen runs in.
    root: Path = field(default_factory=Path.cwd)
    brand: ResolvedBrand = DEFAULT_BRAND   # resolved once, when the brief was loaded
    masthead: Masthead = Masthead()        # the audience's, for the DOCX's title block

    @classmethod
    def of(cls, loaded: LoadedBrief) -> "Look":
        audience = loaded.audience
        brand = loaded.brand
        folder = loaded.template_dir.resolve()
        # The project the command confined reading to; else the templates folder's parent.
        root = project_root() or folder.parent.parent
        return cls(folder, fonts_of(audience, brand), audience.numbered_paragraphs, root=root,
                   brand=brand, masthead=audience.masthead)

    def file(self, name: str) -> Path:
        """The audience's own file of that name, else the default look's."""
        own = self.folder / name
        return own if own.is_file() else DEFAULT_LOOK / name

    def own(self, name: str) -> Path | None:
        """The audience's own file of that name, if it has one."""
        own = self.folder / name
        return own if own.is_file() else None

    def organisation(self, organisations: tuple[str, ...]) -> str:
        """The name the masthead and the contact block give: the brand's, else the brief's."""
        return self.brand.organisation_for(organisations)

    @property
    def search_path(self) -> list[Path]:
        """Where page templates are found: the audience first, then the default look."""
        return [self.folder, DEFAULT_LOOK]


def fonts_of(audience, brand: ResolvedBrand) -> FontStacks:
    """The brand's fonts; an audience's own ``fonts:`` (the older way to set them) wins."""
    if "fonts" in audience.model_fields_set:
        return audience.fonts
    return FontStacks.model_validate(brand.brand.fonts.model_dump())
