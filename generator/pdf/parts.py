"""Typesetting one PDF on several cores.

WeasyPrint lays out a document on one core, and a long handbook spends nearly all its build
time there. Every page of the print HTML starts a new sheet, so the document splits where
``<!--crisisplan:part-->`` marks a page start into parts that typeset to the same sheets on
their own. Each part is typeset in a forked process and the parts are joined with pikepdf.

What a part cannot know alone is settled at a rendezvous. WeasyPrint paginates first and lays
out the page margins (running headers, "page N / M") afterwards; between the two, each part
reports its page count and where its anchors fell, and learns its first page number, the
total and the page number of every anchor in the whole document. A page reference
(``target-counter()``: the contents' page numbers, "contact sheet (p. 61)") is then given its
number, and WeasyPrint makes again only the pages that hold one (``internals.numbering``);
should they come to other pages, the PDF is typeset as one.

Links across parts go through named destinations: a part gets an empty placeholder for each
id it links to but does not hold, and the joined PDF keeps the destination from the part that
really holds it. Bookmarks are rebuilt over the whole document, the PDF/UA structure trees are
joined under one Document element, and the document information comes from the front part.

This relies on WeasyPrint internals (pinned in pyproject.toml) and on the built-in print
theme; :func:`usable` says when the single-process path must be used instead, and
``tests/test_parts.py`` compares both paths.
"""

from __future__ import annotations

import contextlib
import gc
import html as htmllib
import io
import re
import shutil
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .. import output
from ..errors import BuildError, CrisisplanError, ended
from ..i18n import _
from ..processes import can_fork, cores, forked
from ..sanitize import TAG
from . import internals
from .weasy import font_config, import_weasyprint, render, save, warm, write_pdf

PART = "<!--crisisplan:part-->"
_RUNNING = re.compile(r"<!--crisisplan:running-->.*?<!--/crisisplan:running-->", re.S)
_ID = re.compile(r'\sid="([^"]*)"')
_HREF = re.compile(r'\shref="#([^"]*)"')
_PAGINATION = re.compile(
    r"@page|@import|break-|string-set|counter|target-|footnote|\bpage\s*:", re.I
)
_FIRST = re.compile(r"<(?:section|nav)\b[^>]*>")
_LANG = re.compile(r'<html lang="([^"]*)"')


@dataclass(frozen=True)
class Part:
    """One complete HTML document of whole pages, and the ids it only holds placeholders for."""

    html: str
    stubs: frozenset[str]


def usable(overrides: Sequence[Path]) -> bool:
    """Whether parts give the same PDF as one document: forking is possible, a core is spare,
    and the print theme is the built-in one. An ``extra.css`` that leaves pages alone (no
    ``@page`` rules, breaks, counters or running strings) is fine; any other print override
    may break or number pages its own way, so it is typeset as one document."""
    if not (can_fork() and internals.known()):
        return False
    for root in overrides:
        for file in (root / "themes" / "print").rglob("*"):
            if file.is_file() and (
                file.name != "extra.css"
                or _PAGINATION.search(file.read_text(encoding="utf-8", errors="replace"))
            ):
                return False
    return True


def split(html: str, count: int) -> list[Part] | None:
    """``count`` parts of consecutive pages, the first from the cover to the contents.

    The pages are shared out by the length of their HTML (typesetting time follows it closely).
    ``None`` when the HTML lacks the markers (a print template override without them).
    """
    start, end = html.find("<body>"), html.rfind("</body>")
    if start < 0 or end < 0:
        return None
    head, pieces = html[: start + 6], html[start + 6 : end].split(PART)
    if len(pieces) < 3 or 'class="toc"' not in pieces[1]:
        return None
    running = _RUNNING.search(pieces[0])
    if running is None:
        return None
    # The cover, the card and the contents stay together: the running strings live on the
    # cover, and the contents is best typeset beside the front it follows.
    pieces = [pieces[0] + PART + pieces[1], *pieces[2:]]
    total, done = sum(map(len, pieces)), 0
    groups: list[list[str]] = [[]]
    for piece in pieces:  # each in the share its middle falls in
        middle = done + len(piece) / 2
        if groups[-1] and len(groups) < count and middle >= total * len(groups) / count:
            groups.append([])
        groups[-1].append(piece)
        done += len(piece)
    everywhere = set(
        _ID.findall(html)
    )  # a link to an id held nowhere stays broken, as in one document
    parts = []
    for index, group in enumerate(groups):
        body = PART.join(group)
        if index:  # the running header and footer strings live on the cover
            body = _after_first_tag(body, running.group(0))
        stubs = (_attributes(_HREF, body) & everywhere) - _attributes(_ID, body)
        placeholders = "".join(f'<div id="{stub}"></div>' for stub in sorted(stubs))
        parts.append(
            Part(
                head + _after_first_tag(body, placeholders) + "</body></html>",
                frozenset(unquote(htmllib.unescape(s)) for s in stubs),
            )
        )
    return parts


def _attributes(pattern: re.Pattern[str], html: str) -> set[str]:
    """The values ``pattern`` finds in the tags of ``html``, not in its text."""
    return {value for tag in TAG.findall(html) for value in pattern.findall(tag)}


def _after_first_tag(body: str, insert: str) -> str:
    """``body`` with ``insert`` after its first ``<section>`` or ``<nav>`` tag."""
    match = _FIRST.search(body)
    assert match is not None, "every part starts with a <section> or <nav>"
    return body[: match.end()] + insert + body[match.end() :]


# -- the rendezvous ---------------------------------------------------------------------------


class _Recount(Exception):
    """With the page numbers of the whole document written in, a part came to other pages."""


def _child(
    conn: Any, index: int, part: Part, folder: Path, overrides: Sequence[Path], target: Path
) -> None:
    """Typeset one part in a forked process; every outcome goes back through ``conn``.

    The process typesets this part and ends (with ``os._exit``: its memory goes back to the
    system then), so it runs without the cyclic garbage collector, whose collections walked
    the part's young layout, nearly all of it alive until the end, for up to a tenth of its
    time. The process that forked it keeps its own setting.
    """
    gc.disable()
    try:

        def meet(pages: int, anchors: dict[str, int]) -> tuple[int, int, dict[str, int]]:
            try:
                conn.send(("paged", pages, anchors))
                reply = conn.recv()
            except (EOFError, OSError):  # the parent gave up
                raise SystemExit(0) from None
            if reply[0] == "stop":
                raise SystemExit(0)
            return reply[1], reply[2], reply[3]

        with font_config() as fonts:
            with internals.numbering(meet, part.stubs):
                document = render(part.html, folder=folder, overrides=overrides, fonts=fonts)
            save(document, target, compress=False)  # the join compresses
        outcome: tuple[Any, ...] = (
            "done",
            [(page.height, page.bookmarks) for page in document.pages],
        )
    except internals.Repaginated:
        outcome = ("recount",)
    except CrisisplanError as exc:
        outcome = ("error", exc.message, exc.problems)
    except OSError as exc:  # a full disk: the parent reports it as every other, in one line
        # sent as a plain OSError, which always pickles: all the one line needs
        copy = OSError(exc.errno, exc.strerror or str(exc), exc.filename, None, exc.filename2)
        outcome = ("oserror", copy)
    except MemoryError:
        outcome = ("error", ended(_("part {n} of the PDF", n=index + 1)).message, [])
    except Exception as exc:  # a bug: one line, as every other (the traceback is the log's)
        what = " ".join(str(exc).split())[:300]
        kind = type(exc).__name__ + (": " + what if what else "")
        message = _(
            "Error: part {n} of the PDF failed unexpectedly ({kind}); nothing was written."
            " Please report this as a bug.",
            n=index + 1,
            kind=kind,
        )
        outcome = ("error", message, [])
    with contextlib.suppress(OSError):  # the parent may have given up
        conn.send(outcome)
    conn.close()


def typeset(
    html: str,
    target: Path,
    *,
    folder: Path,
    overrides: Sequence[Path] = (),
    parallel: bool = True,
    count: int | None = None,
) -> int:
    """Typeset ``html`` into ``target`` and return the page count: in parts on every core when
    ``parallel`` and :func:`usable`, else in this process. ``count`` parts of pages default to
    the number of cores.

    Every file it makes, WeasyPrint's temporary font folders included, is beside ``target``
    (in a build, inside its work folder) and removed on the way out; a build killed meanwhile
    leaves them where the next build removes them, not in the system's temporary folder.
    """
    temp = target.with_name(f".{target.name}.tmp")
    try:
        with _temporary_files_in(temp):
            return _typeset(html, target, folder, overrides, parallel, count)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


@contextlib.contextmanager
def _temporary_files_in(folder: Path) -> Iterator[None]:
    """``tempfile``'s folder is ``folder`` in the block, for this process and those it forks."""
    folder.mkdir(exist_ok=True)
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = before


def _typeset(
    html: str,
    target: Path,
    folder: Path,
    overrides: Sequence[Path],
    parallel: bool,
    count: int | None,
) -> int:
    parts = split(html, count or cores()) if parallel and usable(overrides) else None
    if parts is None:
        return write_pdf(html, target, folder=folder, overrides=overrides)
    import_weasyprint()  # once here, shared by every forked part
    lang = _LANG.search(html)
    if lang:  # the same (the PDF's own process has them already)
        warm(lang.group(1))

    files = [target.with_name(f".{target.name}.part{i}") for i in range(len(parts))]
    conns, processes = [], []
    try:
        for index, (part, file) in enumerate(zip(parts, files, strict=True)):
            process, conn = forked(_child, index, part, folder, tuple(overrides), file)
            processes.append(process)
            conns.append(conn)
        import pikepdf  # noqa: F401 - for the join, while this process only waits for the parts

        try:
            pages = _coordinate(parts, conns)
        except _Recount:
            return write_pdf(html, target, folder=folder, overrides=overrides)
        for process in processes:
            process.join()
        join(files, [p.stubs for p in parts], pages, target)
        return len(pages)
    except BaseException:  # parts still typesetting would only find out at their rendezvous
        for process in processes:
            if process.is_alive():
                process.terminate()
        raise
    finally:
        for conn in conns:
            conn.close()
        for process in processes:
            process.join()
        for file in files:
            file.unlink(missing_ok=True)


def _coordinate(parts: list[Part], conns: list[Any]) -> list[tuple[float, list[Any]]]:
    """Meet every part after pagination, tell each where it starts; return every page's
    height and bookmarks, or raise the first part's error."""
    failure: list[Any] = []

    def receive(index: int, conn: Any) -> Any:
        try:
            message = conn.recv()
        except EOFError:  # it died without a word: killed, or out of memory
            message = ("error", ended(_("part {n} of the PDF", n=index + 1)).message, [])
        if message[0] in ("error", "oserror"):
            failure.append(message)
        return message

    def send(conn: Any, message: tuple[Any, ...]) -> None:
        with contextlib.suppress(OSError):  # it died: its end-of-file says so at receive()
            conn.send(message)

    paged = [receive(i, conn) for i, conn in enumerate(conns)]
    if not failure:
        counts = [message[1] for message in paged]
        offsets = [sum(counts[:i]) for i in range(len(counts))]
        total = sum(counts)
        numbers = {
            name: offset + page + 1
            for part, message, offset in zip(parts, paged, offsets, strict=True)
            for name, page in message[2].items()
            if name not in part.stubs
        }
        for conn, offset in zip(conns, offsets, strict=True):
            send(conn, ("go", offset, total, numbers))
        done = [receive(i, conn) for i, conn in enumerate(conns)]
        if any(message[0] == "recount" for message in done):
            raise _Recount()
    else:
        for conn, message in zip(conns, paged, strict=True):
            if message[0] == "paged":
                send(conn, ("stop",))
    if failure:
        if failure[0][0] == "oserror":
            raise failure[0][1]
        raise BuildError(failure[0][1], failure[0][2])
    return [page for message in done for page in message[1]]


# -- joining ----------------------------------------------------------------------------------


def join(
    files: Sequence[Path],
    stubs: Sequence[frozenset[str]],
    pages: list[tuple[float, list[Any]]],
    target: Path,
) -> None:
    """Join part PDFs into ``target``: pages, structure tree, destinations and bookmarks."""
    import pikepdf

    out = pikepdf.open(files[0])
    sources = []
    tree = out.Root.StructTreeRoot
    document = tree.K[0]
    nums = tree.ParentTree.Nums
    key = _next_key(nums)
    dests = _dests(out, stubs[0], copy=lambda obj: obj)
    for file, part_stubs in zip(files[1:], stubs[1:], strict=True):
        source = pikepdf.open(file)
        sources.append(source)  # qpdf copies stream data when saving: keep the source open
        first = len(out.pages)
        with warnings.catch_warnings():  # destinations are joined below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            out.pages.extend(source.pages)
        for kid in out.copy_foreign(source.Root.StructTreeRoot.K[0]).K:
            kid.P = document
            document.K.append(kid)
        source_nums = source.Root.StructTreeRoot.ParentTree.Nums
        for i in range(0, len(source_nums), 2):
            nums.append(int(source_nums[i]) + key)
            nums.append(_copy(out, source, source_nums[i + 1]))
        for page in out.pages[first:]:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + key
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + key
        key = _next_key(nums)
        dests.update(_dests(source, part_stubs, copy=partial(_copy, out, source)))
    tree.ParentTreeNextKey = key
    if dests:
        names = pikepdf.Array()
        for name in sorted(dests):
            names.append(pikepdf.String(name))
            names.append(dests[name])
        out.Root.Names.Dests = pikepdf.Dictionary(Names=names)
    _outline(out, pages)
    joined = io.BytesIO()
    out.save(
        joined,
        deterministic_id=True,
        compress_streams=True,  # the parts are written uncompressed (see weasy.save)
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
    )
    out.close()
    for source in sources:
        source.close()
    output.write_bytes(target, joined.getbuffer())  # see there: not by qpdf


def _copy(pdf: Any, source: Any, obj: Any) -> Any:
    """``obj`` of ``source`` copied into ``pdf``, with what it refers to."""
    return pdf.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


def _next_key(nums: Any) -> int:
    return max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _dests(pdf: Any, stubs: frozenset[str], copy: Callable[[Any], Any]) -> dict[str, Any]:
    names = pdf.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    return {
        str(names[i]): copy(names[i + 1])
        for i in range(0, len(names), 2)
        if str(names[i]) not in stubs
    }


def _outline(pdf: Any, pages: list[tuple[float, list[Any]]]) -> None:
    """Bookmarks over the whole document, nested as WeasyPrint nests them in one document."""
    import pikepdf

    tree = internals.outline_tree(pages)

    def items(subtrees: list[Any]) -> list[Any]:
        out = []
        for label, (page, x, y), children, state in subtrees:
            item = pikepdf.OutlineItem(label, page, pikepdf.PageLocation.XYZ, left=x, top=y, zoom=0)
            item.children.extend(items(children))
            item.is_closed = state == "closed"
            out.append(item)
        return out

    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines
    with pdf.open_outline() as outline:
        outline.root.extend(items(tree))
