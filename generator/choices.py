"""What the command line offers: languages, paper sizes, site engines.

A module of its own, light to import: the command line's options need these before the
heavier modules that use them are imported.
"""

from __future__ import annotations

from . import resources

# A language is offered when content/<code>/ has its strings: adding a folder adds a language.
LANGUAGES: tuple[str, ...] = tuple(
    sorted(p.parent.name for p in resources.content_dir().glob("*/strings.yaml"))
)
PAPER = {"a4": "A4", "letter": "letter"}
ENGINES = ("mkdocs", "zensical")
