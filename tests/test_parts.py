"""Typesetting in parts must give the PDF that one document gives: same pages, same text, same
bookmarks and links, and a structure tree that holds together."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pikepdf
import pypdf
import pytest

from crisisplan.build import prepare
from crisisplan.errors import BuildError
from crisisplan.pdf import internals
from crisisplan.pdf import parts as pdfparts
from crisisplan.pdf.html import print_html


@pytest.fixture(scope="module")
def reference_html(example_path) -> str:
    loaded, hb, pages = prepare(example_path)
    return print_html(hb, pages, folder=loaded.folder, overrides=())


@pytest.fixture(scope="module")
def both(tmp_path_factory, example_path, reference_html) -> tuple[Path, Path]:
    """The reference PDF typeset as one document and in 3 parts."""
    if not pdfparts.usable(()):
        pytest.skip("typesetting in parts needs fork and 2 cores")
    out = tmp_path_factory.mktemp("typeset")
    one, parts = out / "one.pdf", out / "parts.pdf"
    folder = example_path.parent
    pdfparts.typeset(reference_html, one, folder=folder, parallel=False)
    joined, real = [], pdfparts.join
    with pytest.MonkeyPatch.context() as monkey:
        monkey.setattr(pdfparts, "join", lambda *args: joined.append(real(*args)))
        assert pdfparts.typeset(reference_html, parts, folder=folder, count=3) > 30
    assert len(joined) == 1  # the parts path ran, not the one-document fallback
    assert sorted(p.name for p in out.iterdir()) == ["one.pdf", "parts.pdf"]  # no part files left
    return one, parts


def _texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def _outline(reader: pypdf.PdfReader) -> list[tuple[int, str, int]]:
    out: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return out


def _links(reader: pypdf.PdfReader) -> list[tuple[int, str, int | str]]:
    names = reader.named_destinations
    links = []
    for number, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if "/Dest" in annotation:
                name = str(annotation["/Dest"])
                links.append((number, name, reader.get_destination_page_number(names[name])))
            else:
                links.append((number, str(annotation["/A"]["/URI"]), "external"))
    return links


def test_split_gives_whole_documents_with_placeholders_for_other_parts(reference_html):
    parts = pdfparts.split(reference_html, 3)
    assert parts is not None and len(parts) == 3
    assert 'class="toc"' in parts[0].html and 'id="cover"' in parts[0].html  # front and contents
    head = reference_html[: reference_html.index("<body>")]
    held: Counter[str] = Counter()
    for part in parts:
        assert part.html.startswith(head) and part.html.endswith("</body></html>")
        assert 'class="running-company"' in part.html  # the running header's strings
        ids = set(re.findall(r' id="([^"]*)"', part.html))
        links = set(re.findall(r' href="#([^"]*)"', part.html))
        assert part.stubs == links - (ids - part.stubs)  # every link resolves in the part
        held.update(ids - part.stubs)
    assert {i for i, n in held.items() if n > 1} == set()
    assert {"cover", "contents", "index", "response--food-safety", "form-review"} <= set(held)
    assert "form-review" in parts[0].stubs  # a contents link to the last part
    assert len(pdfparts.split(reference_html, 2) or ()) == 2
    broken = pdfparts.split(reference_html.replace('href="#form-review"', 'href="#nowhere"'), 2)
    assert broken is not None and all("nowhere" not in p.stubs for p in broken)


def test_split_needs_the_markers_and_usable_needs_the_built_in_print_theme(
    reference_html, tmp_path
):
    assert pdfparts.split(reference_html.replace(pdfparts.PART, ""), 2) is None
    agency = tmp_path / "agency"
    (agency / "themes" / "print").mkdir(parents=True)
    assert pdfparts.usable([agency])
    extra = agency / "themes" / "print" / "extra.css"
    extra.write_text("h1 { color: teal; }", encoding="utf-8")
    assert pdfparts.usable([agency])  # colours do not move pages
    for css in ("@page { margin: 1cm }", ".page { break-before: auto }", "h1 { page: wide }"):
        extra.write_text(css, encoding="utf-8")
        assert not pdfparts.usable([agency]), css
    extra.unlink()
    (agency / "themes" / "print" / "print.css").write_text("", encoding="utf-8")
    assert not pdfparts.usable([agency])


def test_parts_give_the_same_pages_text_bookmarks_and_links(both):
    one, parts = (pypdf.PdfReader(p) for p in both)
    assert len(parts.pages) == len(one.pages) > 50
    assert _texts(both[1]) == _texts(both[0])
    assert "\u2010" not in "".join(_texts(both[1]))  # a typed hyphen reads back as "-"
    assert _outline(parts) == _outline(one)
    assert [depth for depth, *_ in _outline(parts)].count(1) >= 10  # nesting across parts
    assert _links(parts) == _links(one)
    assert set(parts.named_destinations) == set(one.named_destinations)
    footers = [re.findall(r"(\d+) / (\d+)", t) for t in _texts(both[1])]  # the last: the footer
    numbered = [(i, found[-1]) for i, found in enumerate(footers) if found]
    assert len(numbered) >= 50
    assert all(groups == (str(i + 1), str(len(one.pages))) for i, groups in numbered)


def test_page_references_give_the_page_of_their_target_across_parts(both):
    """A link's page reference, "contact sheet (p. 61)", is written in by the part that holds
    the link from the numbers of the whole document (the rendezvous): it is the page that the
    link leads to, in the one document and in the joined parts alike."""
    reader = pypdf.PdfReader(both[1])
    card = _texts(both[1])[2]
    shown = [int(n) for n in re.findall(r"\(p\.\s(\d+)\)", card)]
    targets = {page + 1 for number, _, page in _links(reader) if number == 2 and page != "external"}
    assert set(shown) == targets
    assert max(shown) > 40  # the contact sheet, in the appendix: a part of its own


def test_a_part_that_comes_to_other_pages_with_its_numbers_falls_back_to_one_document(
    tmp_path, example_path, reference_html, monkeypatch
):
    if not pdfparts.usable(()):
        pytest.skip("typesetting in parts needs fork and 2 cores")
    real = internals.numbering

    def longer(meet, elsewhere=()):  # as if the page numbers made every part a page longer
        def more(pages, anchors):
            offset, total, numbers = meet(pages, anchors)
            return offset, total, {name: page * 10**40 for name, page in numbers.items()}

        return real(more, elsewhere)

    monkeypatch.setattr(internals, "numbering", longer)
    monkeypatch.setattr(pdfparts, "join", lambda *args: pytest.fail("the parts were joined"))
    pages = pdfparts.typeset(reference_html, tmp_path / "x.pdf", folder=example_path.parent)
    assert pages == len(pypdf.PdfReader(tmp_path / "x.pdf").pages) > 50
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.pdf"]


def _list(value):
    """A PDF value that is an array or a single object, as a list."""
    return list(value) if isinstance(value, pikepdf.Array) else [value]


def _elements(tree) -> Counter[str]:
    """Structure elements by type, each checked to name its parent."""
    kinds: Counter[str] = Counter()
    todo = [tree.K[0]]
    while todo:
        element = todo.pop()
        kinds[str(element.S)] += 1
        for kid in _list(element.get("/K")):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                assert kid.P.objgen == element.objgen
                todo.append(kid)
    return kinds


def test_joined_structure_tree_holds_together(both):
    with pikepdf.open(both[1]) as pdf:
        assert pdf.check_pdf_syntax() == []
        assert pdf.Root.Lang == "en" and pdf.Root.MarkInfo.Marked
        assert "pdfuaid" in str(pdf.Root.Metadata.read_bytes())
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        keys = [int(nums[i]) for i in range(0, len(nums), 2)]
        assert keys == sorted(set(keys)) and int(tree.ParentTreeNextKey) == keys[-1] + 1
        for page in pdf.pages:
            entries = nums[2 * keys.index(int(page.obj.StructParents)) + 1]
            content = b"".join(c.read_bytes() for c in _list(page.obj.Contents))
            assert len(set(re.findall(rb"/MCID (\d+)", content))) == len(entries)
            for annotation in page.obj.get("/Annots", []):
                # the key leads to the Link element that holds this very annotation
                link = nums[2 * keys.index(int(annotation.StructParent)) + 1]
                assert link.S == "/Link"
                objects = [
                    k.Obj.objgen
                    for k in _list(link.K)
                    if isinstance(k, pikepdf.Dictionary) and "/Obj" in k
                ]
                assert annotation.objgen in objects
        kinds = _elements(tree)
    with pikepdf.open(both[0]) as pdf:
        alone = _elements(pdf.Root.StructTreeRoot)
    # The same document structure; parts add only empty placeholders (Div, Span).
    for kind in ("/Document", "/Sect", "/H1", "/H2", "/P", "/Table", "/TR", "/L", "/Link"):
        assert kinds[kind] == alone[kind], kind


def test_a_failing_part_fails_the_whole_pdf_and_leaves_no_files(
    tmp_path, example_path, reference_html, monkeypatch
):
    real = pdfparts.render

    def render(html, **kwargs):
        if 'id="form-review"' in html:
            raise BuildError("Error: this part cannot be typeset.")
        return real(html, **kwargs)

    monkeypatch.setattr(pdfparts, "render", render)  # the forked parts inherit it
    with pytest.raises(BuildError, match="this part cannot be typeset"):
        pdfparts.typeset(reference_html, tmp_path / "x.pdf", folder=example_path.parent, count=2)
    assert list(tmp_path.iterdir()) == []


def _shown(tmp_path, html: str, numbers: dict[str, int], rounds: int = 8) -> str:
    """The text of a one-page part whose placeholder ``far`` gets ``numbers`` at the
    rendezvous, with WeasyPrint allowed ``rounds`` rounds of pagination."""
    import weasyprint
    import weasyprint.layout

    layout = weasyprint.layout.layout_document
    with pytest.MonkeyPatch.context() as monkey:
        monkey.setattr(layout, "__defaults__", (rounds,))  # max_loops
        with internals.numbering(lambda pages, anchors: (0, pages, numbers), {"far"}):
            pdf = weasyprint.HTML(string=html).write_pdf()
    (tmp_path / "x.pdf").write_bytes(pdf)
    return pypdf.PdfReader(tmp_path / "x.pdf").pages[0].extract_text()


PAGE_REFERENCE = (
    "<style>a::after { content: ' p. ' target-counter(attr(href url), page) }</style>"
    '<p><a href="#far">Contact sheet</a></p><div id="far"></div>'
)


def test_a_reference_to_another_parts_page_gets_its_number_at_the_rendezvous(tmp_path):
    """Until the rendezvous a page reference to a placeholder shows three digits, so that the
    real number seldom breaks a line differently (a line of the contents, "contact sheet
    (p. 61)"); the part shows the real one, or is refused for the document to be typeset as
    one: never the placeholder's number, however few rounds WeasyPrint allows itself."""
    assert "p. 61" in _shown(tmp_path, PAGE_REFERENCE, {"far": 61})
    for rounds in range(1, 9):
        try:
            text = _shown(tmp_path, PAGE_REFERENCE, {"far": 61}, rounds)
        except internals.Repaginated:
            continue
        assert "p. 61" in text and str(internals.WIDE_NUMBER) not in text, rounds
    with pytest.raises(internals.Repaginated):  # its element has no box where it is held
        _shown(tmp_path, PAGE_REFERENCE, {})


def test_parts_are_stopped_when_this_process_fails_before_their_rendezvous(
    tmp_path, example_path, reference_html, monkeypatch
):
    import multiprocessing
    import sys

    if not pdfparts.usable(()):
        pytest.skip("typesetting in parts needs fork and 2 cores")
    monkeypatch.setitem(sys.modules, "pikepdf", None)  # its import fails after the forks
    with pytest.raises(ImportError):
        pdfparts.typeset(reference_html, tmp_path / "x.pdf", folder=example_path.parent, count=2)
    assert multiprocessing.active_children() == []
    assert list(tmp_path.iterdir()) == []


def test_with_internals_it_does_not_know_the_pdf_is_typeset_in_one_piece(
    tmp_path, example_path, reference_html, monkeypatch
):
    """A WeasyPrint or pydyf upgrade costs speed, never correctness."""
    monkeypatch.setitem(internals.KNOWN, "weasyprint", ("999.",))
    monkeypatch.setattr(internals, "known", internals.known.__wrapped__)  # not the cached answer
    assert not internals.known()
    assert not pdfparts.usable(())
    monkeypatch.setattr(pdfparts, "split", lambda *args: pytest.fail("split into parts"))
    pages = pdfparts.typeset(reference_html, tmp_path / "x.pdf", folder=example_path.parent)
    assert pages == len(pypdf.PdfReader(tmp_path / "x.pdf").pages) > 50
    import pydyf

    before = pydyf.PDF.page_references
    with internals.page_references_once():  # stands aside too
        assert pydyf.PDF.page_references is before
