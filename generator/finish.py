"""The last step of a site build, by either engine: every page made to work anywhere, mended,
and put under its Content-Security-Policy; what a site without an address cannot use removed.

MkDocs runs it as a hook (``hooks.py``); after a Zensical build, ``site.py`` calls it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from .csp import secure_page, write_headers
from .markup import mend

#: What a search engine would read, written by MkDocs and Zensical with empty addresses when
#: the site has no ``site_url``.
SITEMAPS = ("sitemap.xml", "sitemap.xml.gz")

#: In the error page, what points at the server's root: links, the theme's scope and base.
_ROOT_LINK = re.compile(r'\b(href|src)="/(?!/)')
_ROOT_BASE = re.compile(r'(new URL\(|"base":\s*)"/"')
_ROOT_JSON = re.compile(r'("search":\s*)"/(?!/)')


def finish_site(site: Path, site_url: str | None = None) -> None:
    """Finish every page of ``site``, write ``_headers`` for hosts, and leave out what no reader
    uses: source maps, the search language packs the index does not name, the second copy of
    the search index, and without ``site_url`` the sitemaps, whose addresses would be empty."""
    drop_source_maps(site)
    drop_unused_search_languages(site)
    drop_search_index_json(site)
    every: list[str] = []
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        if page.parent == site and page.name == "404.html" and not site_url:
            html = relative_error_page(html)
        html, hashes = secure_page(mend(html))
        page.write_text(html, encoding="utf-8")
        every += hashes
    write_headers(site, every)
    if not site_url:
        for name in SITEMAPS:
            (site / name).unlink(missing_ok=True)


def relative_error_page(html: str) -> str:
    """The 404 page with its links relative to the site's root, as every other page has them.

    Without a ``site_url``, MkDocs and Zensical link it from the server's root (``/assets/...``),
    which works only on a host that serves the site at its root; from disk or a subfolder it came
    out unstyled and without its scripts. Opened at the site's top level, it now works anywhere.
    With a ``site_url``, its links start with that address's path and work at any depth.
    """
    html = _ROOT_LINK.sub(r'\1="', html)
    return _ROOT_JSON.sub(r'\1"', _ROOT_BASE.sub(r'\1"."', html))


#: The comment that points a browser's developer tools at a source map.
_SOURCE_MAP = re.compile(rb"\n?(?://# sourceMappingURL=\S+|/\*# sourceMappingURL=\S+ \*/)\s*$")


def drop_source_maps(site: Path) -> None:
    """Remove the theme's source maps (1.3 MB for Material) and the comments naming them."""
    for path in site.joinpath("assets").rglob("*.map"):
        path.unlink()
    for path in [*site.joinpath("assets").rglob("*.js"), *site.joinpath("assets").rglob("*.css")]:
        data = path.read_bytes()
        trimmed = _SOURCE_MAP.sub(b"\n", data)
        if trimmed != data:
            path.write_bytes(trimmed)


def drop_unused_search_languages(site: Path) -> None:
    """Keep only the lunr language packs that Material's search worker loads for the index's
    languages (``workers/search.js``, ``setupSearchLanguages``); English needs none."""
    lunr = site / "assets" / "javascripts" / "lunr"
    index = site / "search" / "search_index.json"
    if not lunr.is_dir() or not index.is_file():
        return
    languages = json.loads(index.read_text(encoding="utf-8"))["config"]["lang"]
    keep = set()
    for language in languages:
        if language == "ja":
            keep.add("tinyseg.js")
        elif language in ("hi", "th"):
            keep.add("wordcut.js")
        if language != "en":
            keep |= {f"min/lunr.{language}.min.js", "min/lunr.stemmer.support.min.js"}
    if len(languages) > 1:
        keep |= {"min/lunr.multi.min.js", "min/lunr.stemmer.support.min.js"}
    if not keep:
        shutil.rmtree(lunr)
        return
    for path in sorted(lunr.rglob("*"), reverse=True):
        name = path.relative_to(lunr).as_posix()
        if path.is_file() and name not in keep:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def drop_search_index_json(site: Path) -> None:
    """Keep one copy of MkDocs' search index: ``search_index.js``, which the offline plugin
    writes for pages opened from disk; ``assets/javascripts/search-on-demand.js`` answers the
    theme's request for ``search_index.json`` from it over http. Zensical writes neither."""
    folder = site / "search"
    if (folder / "search_index.js").is_file():
        (folder / "search_index.json").unlink(missing_ok=True)
