"""The citation styles briefgen finds by name: its house styles, the one list of them, then a
project's own ``styles/`` folder and the system's CSL styles (Debian's
citation-style-language-styles)."""

import re
from pathlib import Path

STYLES_DIR = Path(__file__).resolve().parent
HOUSE_STYLES: dict[str, Path] = {"uk-oscola": STYLES_DIR / "uk-oscola.csl",
                                 "un": STYLES_DIR / "un.csl"}
SYSTEM_STYLES = Path("/usr/share/citation-style-language/styles")


def find_style(name: str, base: Path) -> Path | None:
    """The file of a style named by house name, path or CSL name; None when there is none."""
    if name in HOUSE_STYLES:
        return HOUSE_STYLES[name]
    candidates = [base / name]
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        candidates += [base / "styles" / f"{name}.csl", SYSTEM_STYLES / f"{name}.csl"]
    return next((path for path in candidates if path.is_file()), None)
