"""The names the command line offers, in a module that imports nothing.

``briefgen``'s parser is built before it knows whether a command needs the dataset, and a
build that finds nothing changed never imports pydantic or PyYAML (``stamp.py``); so the names
the parser offers live here, and the modules that own them take them from here (a test checks
they agree).
"""

FORMATS = ("docx", "pdf", "html", "md")
PDF_ENGINES = ("typst", "weasyprint")
KIND_NAMES = ("themes", "actors", "benchmark-groups", "abbreviations", "names", "sources",
              "findings", "statistics", "quotes", "recommendations")
PROJECT_LISTS = ("briefs", "audiences")
FILTER_HELP = {
    "theme": "keep records with this theme (repeat for any of several)",
    "source": "keep records whose evidence cites this source",
    "addressee": "keep recommendations to this actor",
    "confidence": "keep findings with this confidence level",
}


def output_files(name: str, fmt: str) -> tuple[str, ...]:
    """The files of one output (``target.py``; the stamp checks them without the Target). The
    Markdown export brings its bibliography and style, so Pandoc can continue."""
    if fmt == "md":
        return (f"{name}.md", f"{name}.json", f"{name}.csl")
    return (f"{name}.{fmt}",)
