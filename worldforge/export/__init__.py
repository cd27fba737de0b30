"""Storybook writers: HTML, EPUB, PDF, Twee 3 (and back), Markdown.

Export reads stories (core, store) and never runs a model.
"""

from worldforge.export.book import Book, build_book
from worldforge.export.formats import SUFFIXES, Exported, default_output, export_story
from worldforge.export.twee import export_twee, import_twee, parse_twee

__all__ = [
    "SUFFIXES",
    "Book",
    "Exported",
    "build_book",
    "default_output",
    "export_story",
    "export_twee",
    "import_twee",
    "parse_twee",
]
