"""The house citation styles shipped with briefgen, by name: the one list of them."""

from pathlib import Path

STYLES_DIR = Path(__file__).resolve().parent
HOUSE_STYLES: dict[str, Path] = {"uk-oscola": STYLES_DIR / "uk-oscola.csl",
                                 "un": STYLES_DIR / "un.csl"}
