"""The MkDocs hooks of every crisisplan project: sanitised page bodies, a strict policy per page.

A generated project names them in ``mkdocs.yml`` (through ``crisisplan_hooks.py``), so a plain
``mkdocs build`` of an exported project gets them too. Zensical runs no hooks: crisisplan calls
:func:`crisisplan.csp.secure_site` itself after a Zensical build.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .csp import secure_site
from .sanitize import sanitize


def on_page_content(html: str, **kwargs: Any) -> str:
    """Sanitise the page body after Markdown and before the theme wraps it."""
    return sanitize(html)


def on_template_context(context: Any, template_name: str, **kwargs: Any) -> Any:
    """The error page links relative to the site's root, as every other page does.

    MkDocs links it from the server's root (``/assets/...``), which works only on a host that
    serves the site at its root; from disk or from a subfolder it came out unstyled and
    without its scripts. Opened at the site's root, it now works anywhere.
    """
    if template_name == "404.html":
        context["base_url"] = "."
    return context


def on_post_build(config: Any, **kwargs: Any) -> None:
    """Put the Content-Security-Policy first in every page, and write ``_headers``."""
    secure_site(Path(config["site_dir"]))
