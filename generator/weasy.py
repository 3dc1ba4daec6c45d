"""The WeasyPrint side of stage 5: import it, typeset print HTML, write tagged PDF.

Kept apart from ``pdf.py``, which renders the print HTML with Jinja, Markdown and the model:
typesetting (``typeset.py``, ``pdfprocess.py``) needs none of those.
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import shutil
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from . import clock, resources
from .errors import BuildError, Problem


def fetcher(roots: list[Path]) -> Any:
    """A URL fetcher that reads only ``data:`` URLs and files under ``roots`` (symlinks resolved)."""
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    allowed = [r.resolve() for r in roots]

    class Fetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                parts = urlsplit(url)
                path = Path(unquote(parts.path)).resolve()
                if (
                    not parts.netloc
                    and any(path.is_relative_to(r) for r in allowed)
                    and path.is_file()
                ):
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise FatalURLFetchingError(
                f"the PDF may not load {url[:200]!r}: only data: URLs and "
                "files inside the questionnaire's folder and the themes are allowed"
            )

    return Fetcher(allow_redirects=False)


def import_weasyprint() -> None:
    """Import WeasyPrint, about 0.3 s sooner on Linux; a BuildError says why it cannot be.

    WeasyPrint tries several names for each library it loads (``libpango-1.0-0``,
    ``pango-1.0-0``, ``pango-1.0``...), and cffi asks ``ctypes.util.find_library`` about
    each name that does not load. For a name it cannot find, that runs ldconfig, gcc and ld
    in turn: 16 names at about 17 ms each. While importing, only ldconfig's cache is asked,
    which is what ``find_library`` asks first, so the libraries found are the same. If one is
    not in that cache, the import is tried again with the full search.
    """
    if "weasyprint" in sys.modules:
        return
    import ctypes.util

    search = ctypes.util.find_library
    quick = getattr(ctypes.util, "_findSoname_ldconfig", None)  # CPython on Linux
    tries = [quick, search] if quick and sys.platform.startswith("linux") else [search]
    failure: Exception | None = None
    for find in tries:
        ctypes.util.find_library = find
        try:
            # WeasyPrint prints installation advice on stdout before it gives up
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint  # noqa: F401
            return
        except (ImportError, OSError) as exc:  # the quick search: a library outside the cache
            failure = exc
        finally:
            ctypes.util.find_library = search
    raise BuildError(  # most often Pango is missing
        f"Error: WeasyPrint, which makes the PDF, cannot be loaded ({' '.join(str(failure).split())});"
        " nothing was written. It needs Pango (Debian: apt-get install libpango-1.0-0"
        " libpangoft2-1.0-0); --no-pdf builds the site alone."
    )


def render(html: str, *, folder: Path, overrides: Sequence[Path] = (), fonts: Any = None) -> Any:
    """Lay out ``html`` with WeasyPrint; return the Document.

    ``fonts``: the font configuration from :func:`font_config`, which removes its temporary
    folder when done.
    """
    import_weasyprint()
    import weasyprint

    with _fetch_errors():
        return weasyprint.HTML(
            string=html,
            base_url=folder.resolve().as_uri() + "/",
            url_fetcher=fetcher([folder, resources.themes_dir(), *overrides]),
        ).render(font_config=fonts)


@contextlib.contextmanager
def font_config() -> Iterator[Any]:
    """A font configuration for the documents rendered in the block; its folder goes with it.

    WeasyPrint copies a document's web fonts into a temporary folder that it removes when the
    configuration is garbage collected, which a forked process that ends with ``os._exit``
    never does: each part of a PDF left one behind. Here it is removed on the way out.
    """
    import_weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    try:
        yield fonts
    finally:
        folder = getattr(fonts, "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def save(document: Any, target: Path) -> None:
    """Write a laid-out Document as tagged PDF/UA-1."""
    with _fetch_errors(), _page_references_once():
        document.write_pdf(
            target,
            pdf_variant="pdf/ua-1",
            uncompressed_pdf=False,
            pdf_identifier=b"crisisplan" if clock.epoch() is not None else None,
        )


@contextlib.contextmanager
def _page_references_once() -> Iterator[None]:
    """Make ``pydyf.PDF.page_references`` build its tuple once per page added, not per call.

    WeasyPrint asks for it for every element of the PDF/UA structure tree, and pydyf rebuilds
    the tuple of all pages each time: write time grew with pages x elements, about 50 s of a
    700-page handbook. The tuple only changes when a page is added, so it is kept until then.
    """
    import pydyf

    original = pydyf.PDF.page_references

    def page_references(pdf: Any) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_crisisplan_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), original.fget(pdf))
            pdf.__dict__["_crisisplan_page_references"] = cached
        return cached[1]  # type: ignore[no-any-return]

    pydyf.PDF.page_references = property(page_references)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


@contextlib.contextmanager
def _fetch_errors() -> Iterator[None]:
    from weasyprint.urls import FatalURLFetchingError

    try:
        yield
    except FatalURLFetchingError as exc:
        raise BuildError(
            "Error: the PDF build failed; nothing was written.",
            [Problem("print.html", 1, 1, "pdf", str(exc))],
        ) from None


def write_pdf(html: str, target: Path, *, folder: Path, overrides: Sequence[Path] = ()) -> int:
    """Render ``html`` to ``target`` with WeasyPrint, in this process; return the page count."""
    with font_config() as fonts:
        document = render(html, folder=folder, overrides=overrides, fonts=fonts)
        save(document, target)
    return len(document.pages)
