"""Every use of WeasyPrint's and pydyf's private internals, in one place, for speed only.

Typesetting in parts (``parts.py``) needs to meet the parts between pagination and the page
margins, and to rebuild the bookmarks over the joined document; writing a long tagged PDF
needs pydyf's page list kept between calls. All of that touches code that is not WeasyPrint's
or pydyf's public API, so it lives here, and :func:`known` says whether the installed versions
are the ones it was written for and tested with. With any other version, every device here
stands aside: the PDF is typeset in one piece with the public API only, so an upgrade costs
speed, never correctness.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
from collections.abc import Callable, Iterator
from functools import cache
from types import SimpleNamespace
from typing import Any

#: The versions the devices below were written for and are tested with.
KNOWN = {"weasyprint": ("70.",), "pydyf": ("0.13.",)}

Meet = Callable[[int, dict[str, int]], tuple[int, int]]


@cache
def known() -> bool:
    """Whether the installed WeasyPrint and pydyf are versions this module knows."""
    for package, prefixes in KNOWN.items():
        try:
            version = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return False
        if not version.startswith(prefixes):
            return False
    return True


@contextlib.contextmanager
def numbering(meet: Meet) -> Iterator[None]:
    """Call ``meet(pages, anchors)`` once pagination is done and before the page margins are
    laid out; it returns ``(offset, total)``: the number of pages before this document and the
    number of pages in all. ``anchors`` maps each id to the index of its page.

    WeasyPrint paginates a document before it lays out its margin boxes (running headers,
    "page N / M"): the hook is its ``layout.make_margin_boxes``, and the numbers are written
    into the page counters of ``context.page_maker``.
    """
    import weasyprint.layout as layout

    original = layout.make_margin_boxes
    met: set[int] = set()

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if id(context) not in met:
            met.add(id(context))
            anchors = {
                name: item.page_maker_index
                for name, item in context.target_collector.target_lookup_items.items()
                if item.page_maker_index is not None
            }
            offset, total = meet(len(context.page_maker) - 1, anchors)
            for entry in context.page_maker[1:]:
                counters = entry[3][1]
                counters["page"] = [counters.get("page", [0])[0] + offset]
                counters["pages"] = [total]
        return original(context, page, state)

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = original


def outline_tree(pages: list[tuple[float, list[Any]]]) -> list[Any]:
    """The bookmark tree of a document whose pages have these heights and bookmarks, nested
    as WeasyPrint nests them (its own function, given the joined document's pages)."""
    from weasyprint.anchors import make_page_bookmark_tree
    from weasyprint.matrix import Matrix

    tree: list[Any] = []
    skipped: list[int] = []
    last_by_depth = [tree]
    previous = 0
    for number, (height, bookmarks) in enumerate(pages):
        matrix = Matrix(a=0.75, d=-0.75, f=height * 0.75)
        previous = make_page_bookmark_tree(
            SimpleNamespace(bookmarks=bookmarks), skipped, last_by_depth, previous, number, matrix
        )
    return tree


@contextlib.contextmanager
def page_references_once() -> Iterator[None]:
    """Make ``pydyf.PDF.page_references`` build its tuple once per page added, not per call.

    WeasyPrint asks for it for every element of the PDF/UA structure tree, and pydyf rebuilds
    the tuple of all pages each time: write time grew with pages x elements. The tuple only
    changes when a page is added, so it is kept until then. Nothing is changed for versions
    this module does not know.
    """
    if not known():
        yield
        return
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


def font_folder(fonts: Any) -> Any:
    """The temporary folder a ``FontConfiguration`` copies web fonts into, if it made one."""
    return getattr(fonts, "_folder", None)


@contextlib.contextmanager
def header_scope() -> Iterator[None]:
    """Give each table header cell of the PDF/UA structure tree a ``/Scope`` (``/Column``, or
    ``/Row`` for ``<th scope="row">``).

    WeasyPrint links data cells to their headers with ``/Headers`` and ``/ID``, which PDF/UA
    allows; a checker that looks for the association on the header cells themselves (pdfua's
    UA-15-003) finds none. With the scope written too, the table is described both ways. The
    structure elements are built by ``weasyprint.pdf.tags._build_box_tree``, which calls
    itself for each box; each header cell's element passes through here on its way out.
    Nothing is changed for versions this module does not know.
    """
    if not known():
        yield
        return
    from weasyprint.pdf import tags

    original = tags._build_box_tree

    def build_box_tree(box: Any, *args: Any) -> Iterator[Any]:
        for element in original(box, *args):
            if element.get("S") == "/TH" and "A" in element:
                scope = box.element.get("scope") if box.element is not None else None
                element["A"]["Scope"] = "/Row" if scope == "row" else "/Column"
            yield element

    tags._build_box_tree = build_box_tree
    try:
        yield
    finally:
        tags._build_box_tree = original
