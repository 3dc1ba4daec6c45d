"""Stage 5, WeasyPrint: import it, typeset print HTML with a fetcher that reads only what it
may, and write tagged PDF, with WeasyPrint's public API (its internals are in ``internals``).

Kept apart from ``html.py``: typesetting (``parts.py``, ``process.py``) needs no Jinja,
Markdown or model.
"""

from __future__ import annotations

import contextlib
import io
import mimetypes
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import clock, resources
from ..errors import BuildError, Problem, writing
from ..i18n import _
from . import internals


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
                _(
                    "the PDF may not load {url!r}: only data: URLs and files inside the"
                    " questionnaire's folder and the themes are allowed",
                    url=url[:200],
                )
            )

    return Fetcher(allow_redirects=False)


#: One import at a time: the library lookup it swaps in is the process's.
_importing = threading.Lock()


def import_weasyprint() -> None:
    """Import WeasyPrint; a :class:`BuildError` says why it cannot be (most often: no Pango)."""
    if "weasyprint" in sys.modules:
        return
    with _importing:
        if "weasyprint" in sys.modules:  # imported by another thread meanwhile
            return
        try:
            # WeasyPrint prints installation advice on stdout before it gives up
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    with internals.libraries_from_loader_cache():
                        import weasyprint
                except OSError:  # again with the full search, from a clean slate
                    for name in [n for n in sys.modules if n.partition(".")[0] == "weasyprint"]:
                        del sys.modules[name]
                    import weasyprint  # noqa: F401
        except (ImportError, OSError) as exc:
            raise BuildError(
                _(
                    "Error: WeasyPrint, which makes the PDF, cannot be loaded ({why}); nothing"
                    " was written. It needs Pango (Debian: apt-get install libpango-1.0-0"
                    " libpangoft2-1.0-0); --no-pdf builds the site alone.",
                    why=" ".join(str(exc).split()),
                )
            ) from None


def warm(language: str) -> None:
    """Load, once in this process, what every part forked from it would otherwise load for
    itself: the hyphenation patterns of the handbook's language (pyphen keeps them per
    process, for every WeasyPrint document that hyphenates in that language)."""
    import pyphen

    lang = pyphen.language_fallback(language)
    if lang:
        pyphen.Pyphen(lang=lang)


def render(html: str, *, folder: Path, overrides: Sequence[Path] = (), fonts: Any = None) -> Any:
    """Lay out ``html`` with WeasyPrint; return the Document.

    ``fonts``: the font configuration from :func:`font_config`, which removes its temporary
    folder when done.
    """
    import_weasyprint()
    import weasyprint

    # the web fonts are written to a temporary folder (a write that fails names no file)
    with _fetch_errors(), writing(tempfile.gettempdir()):
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
        folder = internals.font_folder(fonts)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def save(document: Any, target: Path, *, compress: bool = True) -> None:
    """Write a laid-out Document as tagged PDF/UA-1.

    ``compress=False`` for a part that :func:`parts.join` rewrites: qpdf compresses its streams
    there in C, which is faster than WeasyPrint's zlib at level 9 in Python's serializer.
    """
    with (
        _fetch_errors(),
        writing(target),  # a write to the open file that fails names none
        internals.page_references_once(),
        internals.header_scope(),
    ):
        document.write_pdf(
            target,
            pdf_variant="pdf/ua-1",
            uncompressed_pdf=not compress,
            pdf_identifier=b"crisisplan" if clock.epoch() is not None else None,
        )


@contextlib.contextmanager
def _fetch_errors() -> Iterator[None]:
    from weasyprint.urls import FatalURLFetchingError

    try:
        yield
    except FatalURLFetchingError as exc:
        raise BuildError(
            _("Error: the PDF build failed; nothing was written."),
            [Problem("print.html", 1, 1, "pdf", str(exc))],
        ) from None


def write_pdf(html: str, target: Path, *, folder: Path, overrides: Sequence[Path] = ()) -> int:
    """Render ``html`` to ``target`` with WeasyPrint, in this process; return the page count."""
    with font_config() as fonts:
        document = render(html, folder=folder, overrides=overrides, fonts=fonts)
        save(document, target)
    return len(document.pages)
