"""briefgen: advocacy briefings and UN submissions built from one evidence dataset."""

__version__ = "0.1.0"
