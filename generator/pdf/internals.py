"""Every use of WeasyPrint's and pydyf's private internals, in one place, for speed only.

Typesetting in parts (``parts.py``) needs to meet the parts between pagination and the page
margins, and to rebuild the bookmarks over the joined document; writing a long tagged PDF
needs pydyf's page list kept between calls; importing WeasyPrint quickly needs to know how it
looks for its libraries. All of that touches code that is not WeasyPrint's or pydyf's public
API, so it lives here, and :func:`known` says whether the installed versions
are the ones it was written for and tested with. With any other version, every device here
stands aside: the PDF is typeset in one piece with the public API only, so an upgrade costs
speed, never correctness.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import os
import re
import subprocess
import sys
from collections.abc import Callable, Collection, Iterator
from functools import cache
from types import SimpleNamespace
from typing import Any

#: The versions the devices below were written for and are tested with.
KNOWN = {"weasyprint": ("70.",), "pydyf": ("0.13.",)}

#: What a reference to a page held by another part shows until the parts meet: three digits.
WIDE_NUMBER = 888

#: ``meet(pages, anchors)`` -> ``(offset, total, numbers)``: see :func:`numbering`.
Meet = Callable[[int, dict[str, int]], tuple[int, int, dict[str, int]]]


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


class Repaginated(Exception):
    """With the page numbers of the whole document written in, a part came to other pages."""


@contextlib.contextmanager
def numbering(meet: Meet, elsewhere: Collection[str] = ()) -> Iterator[None]:
    """Call ``meet(pages, anchors)`` once pagination is done; it returns ``(offset, total,
    numbers)``: the number of pages before this document, the number of pages in all, and the
    page number (1-based, in the whole document) of every anchor. ``anchors`` maps each id to
    the index of its page; ``elsewhere``: the ids whose placeholders this document holds but
    whose pages are another's.

    WeasyPrint paginates in a loop (``layout.make_all_pages``, again while a page's content
    changed) and lays out the page margins afterwards. The hook is the first round whose
    pagination is stable: there the page counters of ``context.page_maker`` are moved on by
    ``offset``, every anchor's page counter is given its number in the whole document, and
    the pages that hold a ``target-counter()`` are marked to be made again; WeasyPrint's next
    round makes only those. "Page N / M" in the margins gets ``total`` there. :class:`Repaginated`
    is raised, for the caller to typeset the document as one, when the pages with references
    then come to other pages, when WeasyPrint's rounds end before they are made again, and
    when a reference is to a placeholder that the rendezvous gave no number (its element has
    no box where it is held).

    Until then a reference to a placeholder shows :data:`WIDE_NUMBER`, as wide as the widest
    real numbers of a document under 1,000 pages, so that the real ones seldom break a line
    differently (a contents' line, "contact sheet (p. 61)"); when they do move a page, the
    check above catches it.
    """
    import weasyprint.layout as layout

    make_all_pages, make_margin_boxes = layout.make_all_pages, layout.make_margin_boxes
    met: dict[int, tuple[int, dict[str, int], int]] = {}  # pages, anchors, total
    checked: set[int] = set()
    seeded: dict[int, Callable[..., None]] = {}  # WeasyPrint's cache_target_page_counters
    keep = frozenset(elsewhere)

    def anchors_of(context: Any) -> dict[str, int]:
        return {
            name: item.page_maker_index
            for name, item in context.target_collector.target_lookup_items.items()
            if item.page_maker_index is not None and name not in keep
        }

    def renumber(context: Any, pages: int) -> None:
        anchors = anchors_of(context)
        offset, total, numbers = meet(pages, anchors)
        met[id(context)] = (pages, anchors, total)
        collector = context.target_collector
        referenced = {  # None: made with attr(), which WeasyPrint files under no name
            name
            for (_, token), lookup in collector.counter_lookup_items.items()
            if token == "content"
            for name in lookup.missing_target_counters
        }
        concerned = keep if None in referenced else keep & referenced
        if concerned - numbers.keys():  # a reference to it would keep showing WIDE_NUMBER
            raise Repaginated()
        for entry in context.page_maker:
            counters = entry[3][1]
            counters["page"] = [counters.get("page", [0])[0] + offset]
        for name, item in collector.target_lookup_items.items():
            if name in numbers and item.page_maker_index is not None:
                item.cached_page_counter_values = {
                    **item.cached_page_counter_values,
                    "page": [numbers[name]],
                }
        # WeasyPrint files a reference made with attr() under no anchor name, so it cannot tell
        # which references an anchor's new number concerns: every page with a reference to a
        # page is made again.
        for (_, token), lookup in collector.counter_lookup_items.items():
            known = lookup.page_maker_index is not None
            if token == "content" and lookup.missing_target_counters and known:
                # the reference's text now, so that the page is made again once, not twice
                lookup.parse_again(lookup.cached_page_counter_values)
                context.page_maker[lookup.page_maker_index][-1]["content_changed"] = True
        original = seeded[id(context)]  # WeasyPrint's own, not the seeding one

        def cache(name: str, *args: Any) -> None:
            if name not in keep:  # a placeholder keeps the page of the part that holds it
                original(name, *args)

        collector.cache_target_page_counters = cache

    def seed(context: Any) -> None:
        collector = context.target_collector
        original = collector.cache_target_page_counters

        def cache(name: str, values: dict[str, Any], *args: Any) -> None:
            original(name, {**values, "page": [WIDE_NUMBER]} if name in keep else values, *args)

        collector.cache_target_page_counters = cache

    def paginate(context: Any, *args: Any) -> Iterator[Any]:
        if id(context) not in seeded:
            seeded[id(context)] = context.target_collector.cache_target_page_counters
            seed(context)
        made = list(make_all_pages(context, *args))
        stable = not any(entry[-1]["content_changed"] for entry in context.page_maker)
        if stable and id(context) not in met:
            renumber(context, len(made))
        return iter(made)

    def margins(context: Any, page: Any, state: Any) -> Any:
        if id(context) not in checked:
            checked.add(id(context))
            pages = len(context.page_maker) - 1
            if id(context) not in met:  # never stable within WeasyPrint's rounds
                renumber(context, pages)
                raise Repaginated()
            before, anchors, total = met[id(context)]
            if pages != before or anchors_of(context) != anchors:
                raise Repaginated()
            if any(entry[-1]["content_changed"] for entry in context.page_maker):
                raise Repaginated()  # WeasyPrint's rounds ended before the pages were made
            for entry in context.page_maker:
                entry[3][1]["pages"] = [total]
        return make_margin_boxes(context, page, state)

    layout.make_all_pages, layout.make_margin_boxes = paginate, margins
    try:
        yield
    finally:
        layout.make_all_pages, layout.make_margin_boxes = make_all_pages, make_margin_boxes


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


@contextlib.contextmanager
def libraries_from_loader_cache() -> Iterator[None]:
    """While WeasyPrint is imported, let ``ctypes.util.find_library`` answer from one listing
    of the dynamic loader's cache (``ldconfig -p``) instead of a new search for every name.

    WeasyPrint asks cffi for each of its seven libraries under several names (Windows' and
    macOS' too), and cffi asks ``find_library`` for each name; on Linux every question ran
    ``ldconfig -p``, and every name not found there ``gcc`` and ``ld`` too: 54 programs and
    0.16 s of WeasyPrint's 0.4 s import, before the PDF can start. The answers are the ones
    ``find_library`` reads from the same listing, by the same pattern; a name the cache does
    not list gets none, and WeasyPrint goes on to the library's Linux file name
    (``libpango-1.0.so.0``), which the loader opens from its own search path,
    ``LD_LIBRARY_PATH`` included; should the import still fail,
    :func:`~crisisplan.pdf.weasy.import_weasyprint` makes it again with the full search.
    Nothing is changed for versions this module does not know, nor off Linux.
    """
    listing = _loader_cache() if known() and sys.platform.startswith("linux") else None
    if listing is None:
        yield
        return
    import ctypes.util

    original = ctypes.util.find_library
    bits = "64" if sys.maxsize > 2**32 else "32"
    abi = _ABI.get(f"{os.uname().machine}-{bits}", "libc6")

    def find_library(name: str) -> str | None:  # ctypes.util._findSoname_ldconfig's pattern
        pattern = os.fsencode(rf"\s+(lib{re.escape(name)}\.[^\s]+)\s+\({re.escape(abi)}")
        found = re.search(pattern, listing)
        return os.fsdecode(found.group(1)) if found else None

    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        if ctypes.util.find_library is find_library:  # unless someone replaced it meanwhile
            ctypes.util.find_library = original


#: ``ctypes.util._findSoname_ldconfig``'s map from machine to the loader cache's ABI label.
_ABI = {
    "x86_64-64": "libc6,x86-64",
    "ppc64-64": "libc6,64bit",
    "sparc64-64": "libc6,64bit",
    "s390x-64": "libc6,64bit",
    "ia64-64": "libc6,IA-64",
}


def _loader_cache() -> bytes | None:
    """``ldconfig -p``'s listing, as bytes (paths need not be text); ``None`` if it fails."""
    try:
        return subprocess.run(
            ["/sbin/ldconfig", "-p"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env={"LC_ALL": "C", "LANG": "C"},
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
