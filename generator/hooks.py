"""The MkDocs hooks of every crisisplan project: sanitised page bodies, a strict policy per page.

A generated project names them in ``mkdocs.yml`` (through ``crisisplan_hooks.py``), so a plain
``mkdocs build`` of an exported project gets them too. Zensical runs no hooks: crisisplan calls
:func:`crisisplan.finish.finish_site` itself after a Zensical build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority

from .finish import finish_site
from .sanitize import sanitize


# First of all: before a plugin keeps the body, as mkdocs-encryptcontent-plugin (--protect)
# does to encrypt it, so that what it keeps is the sanitised body.
@event_priority(100)
def on_page_content(html: str, **kwargs: Any) -> str:
    """Sanitise the page body after Markdown and before the theme wraps it."""
    return sanitize(html)


# Last of all: after Material's offline plugin (-100), which writes search/search_index.js from
# search_index.json, so that finish_site can remove the .json copy.
@event_priority(-110)
def on_post_build(config: Any, **kwargs: Any) -> None:
    """Mend every page, put the Content-Security-Policy first in it, write ``_headers``, make
    the error page work from disk, and drop sitemaps without addresses (``finish.py``)."""
    finish_site(Path(config["site_dir"]), config.get("site_url") or None)
