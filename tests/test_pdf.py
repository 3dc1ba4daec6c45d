"""The printed playbook: pages, contents, bookmarks, metadata, tags, fonts and safety."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pypdf
import pytest

from crisisplan.build import Options, build_handbook
from crisisplan.errors import BuildError
from crisisplan.pdf.weasy import fetcher, write_pdf
from crisisplan.playbook import playbook


@pytest.fixture(scope="module")
def pdf(reference_build) -> pypdf.PdfReader:
    assert reference_build.pdf is not None
    return pypdf.PdfReader(reference_build.pdf)


@pytest.fixture(scope="module")
def page_texts(pdf) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in pdf.pages]


def test_pdf_is_inside_the_site_folder_and_linked(reference_build):
    assert reference_build.pdf.parent == reference_build.output
    assert reference_build.pdf.name == "kopi-nusantara-crisis-handbook-2026.2-internal.pdf"
    for page in ("index.html", "response/food-safety.html"):
        html = (reference_build.output / page).read_text(encoding="utf-8")
        assert "kopi-nusantara-crisis-handbook-2026.2-internal.pdf" in html


def test_page_count_and_threat_titles(pdf, page_texts, reference_pages):
    assert len(pdf.pages) >= 15
    text = " ".join(page_texts)
    for title in re.findall(
        r"^# (.+?)(?: \{[^{}]*\})?$",  # the title, without its "{ #threat }" id
        "\n".join(
            reference_pages[p]
            for p in reference_pages
            if p.startswith("response/") and p != "response/index.md"
        ),
        re.M,
    ):
        assert " ".join(title.replace("&#39;", "'").split()) in text


def test_a_typed_hyphen_reads_back_as_a_hyphen(page_texts):
    # Automatic hyphenation uses U+002D too; if it used U+2010, the font's one hyphen glyph
    # would read back as U+2010 everywhere and "next-update" could not be found in the PDF.
    assert "\u2010" not in "".join(page_texts)
    assert "first-response time" in " ".join(page_texts)


def test_metadata_language_and_structure_tree(pdf):
    meta = pdf.metadata
    assert "Kopi Nusantara" in meta.title
    assert meta.author == "Ombak Digital Agency"
    assert meta.subject and "Kopi Nusantara" in meta.subject
    root = pdf.trailer["/Root"]
    assert root["/Lang"] == "en"
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]


def _outline(pdf, items=None, out=None):
    out = [] if out is None else out
    for item in pdf.outline if items is None else items:
        if isinstance(item, list):
            _outline(pdf, item, out)
        else:
            out.append((item.title, pdf.get_destination_page_number(item)))
    return out


def test_bookmarks_land_on_pages_that_carry_their_titles(pdf, page_texts):
    bookmarks = _outline(pdf)
    assert len(bookmarks) >= 10
    titles = [t for t, _ in bookmarks]
    for phase in ("1 Preparation", "2 Response", "3 Reassurance", "4 Recovery"):
        assert phase in titles
    for title, page in bookmarks:
        assert " ".join(title.split()) in page_texts[page], (title, page)


def test_contents_page_numbers_are_the_real_pages(pdf, page_texts):
    bookmarks = dict(_outline(pdf))
    contents = next(  # the contents may follow the last lines of "About this handbook"
        i for i, t in enumerate(page_texts) if re.search(r"\bContents In a crisis now\?", t)
    )
    toc = page_texts[contents]
    assert "{" not in toc  # no Markdown attribute list such as "{ #threat }"
    checked = 0
    for title, page in bookmarks.items():
        match = re.search(re.escape(title) + r"[ .]*?(\d+)", toc)
        if match:
            assert int(match.group(1)) == page + 1, title
            checked += 1
    assert checked >= 10
    threats = [t for t, _ in _outline(pdf) if t.startswith(("Customers fall ill", "A competitor"))]
    for title in threats:  # the threats are listed, each with its page
        assert re.search(re.escape(title) + r"[ .]*?\d+", toc), title


def test_fonts_are_embedded_and_subset(pdf):
    fonts = {}
    for page in pdf.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name, font in fonts.items():
        descendant = (
            font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        )
        descriptor = descendant["/FontDescriptor"]
        assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name
        assert re.match(r"/[A-Z]{6}\+", name), name


def test_fetcher_refuses_the_network_and_files_outside(tmp_path):
    from weasyprint.urls import FatalURLFetchingError

    inside = tmp_path / "inside"
    inside.mkdir()
    (inside / "ok.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (inside / "link.txt").symlink_to(tmp_path / "secret.txt")
    fetch = fetcher([inside])
    assert fetch.fetch((inside / "ok.svg").as_uri()).read().startswith(b"<svg")
    assert fetch.fetch("data:text/plain,hi").read() == b"hi"
    for url in (
        "http://127.0.0.1:9/x.css",
        "https://example.com/x.png",
        (tmp_path / "secret.txt").as_uri(),
        (inside / "link.txt").as_uri(),
        (inside / ".." / "secret.txt").as_uri(),
        "ftp://x/y",
    ):
        with pytest.raises(FatalURLFetchingError):
            fetch.fetch(url)


def test_a_forbidden_resource_fails_the_build_naming_it(tmp_path):
    html = '<html><body><img src="http://127.0.0.1:9/tracker.png"></body></html>'
    with pytest.raises(BuildError) as info:
        write_pdf(html, tmp_path / "x.pdf", folder=tmp_path)
    assert "http://127.0.0.1:9/tracker.png" in info.value.format_message()
    assert not (tmp_path / "x.pdf").exists()


def test_quicker_page_references_write_the_same_bytes(tmp_path, monkeypatch):
    from crisisplan.pdf.weasy import render, save

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    pages = "".join(
        f'<section style="break-before: page"><h1>Page {i}</h1><p>Text <a href="#s{i}">link</a>'
        f'</p><h2 id="s{i}">Part</h2><table><tr><td>{i}</td></tr></table></section>'
        for i in range(12)
    )
    document = render(f'<html lang="en"><body>{pages}</body></html>', folder=tmp_path)
    save(document, tmp_path / "quick.pdf")
    document.write_pdf(  # WeasyPrint and pydyf as they come
        tmp_path / "plain.pdf",
        pdf_variant="pdf/ua-1",
        uncompressed_pdf=False,
        pdf_identifier=b"crisisplan",
    )
    assert len(document.pages) == 12
    assert (tmp_path / "quick.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


#: The names WeasyPrint 70 asks cffi for (weasyprint/text/ffi.py), found and not found here.
LIBRARY_NAMES = (
    "libgobject-2.0-0", "gobject-2.0-0", "gobject-2.0", "pango-1.0", "pangoft2-1.0",
    "harfbuzz", "harfbuzz-subset", "harfbuzz-vector", "libfontconfig-1", "fontconfig",
    "libpango-1.0.dylib", "c", "m",
)  # fmt: skip


def test_libraries_are_found_from_the_loader_cache_as_the_full_search_finds_them():
    import ctypes.util
    import sys

    from crisisplan.pdf import internals

    if not sys.platform.startswith("linux") or internals._loader_cache() is None:
        pytest.skip("the loader's cache is Linux's ldconfig -p")
    full = ctypes.util.find_library
    expected = {name: full(name) for name in LIBRARY_NAMES}
    assert expected["pango-1.0"] and expected["gobject-2.0"]  # else WeasyPrint would not load
    with internals.libraries_from_loader_cache():
        quick = {name: ctypes.util.find_library(name) for name in LIBRARY_NAMES}
    assert ctypes.util.find_library is full
    # The same library for every name the cache lists. The full search may find a name in
    # gcc's and ld's paths too; WeasyPrint then opens the library by its file name (below).
    listed = {name: found for name, found in quick.items() if found}
    assert listed == {name: expected[name] for name in listed}
    assert set(listed) >= {"gobject-2.0", "pango-1.0", "pangoft2-1.0", "fontconfig", "c"}


def _run(script: str) -> str:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_weasyprint_loads_when_the_loader_cache_lists_none_of_its_libraries():
    """A library outside the cache (LD_LIBRARY_PATH): WeasyPrint opens it by its file name."""
    script = (
        "from crisisplan.pdf import internals, weasy\n"
        "internals._loader_cache = lambda: b''  # a cache that lists nothing\n"
        "weasy.import_weasyprint()\n"
        "import weasyprint\n"
        "print(weasyprint.HTML(string='<p>Loaded</p>').write_pdf()[:5].decode())\n"
    )
    assert _run(script).strip() == "%PDF-"


def test_an_import_that_fails_with_the_quick_lookup_is_made_again_with_the_full_search():
    script = (
        "import sys\n"
        "class Once:  # the first import of WeasyPrint's library bindings fails\n"
        "    failed = False\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name == 'weasyprint.text.ffi' and not Once.failed:\n"
        "            Once.failed = True\n"
        "            raise OSError('cannot load library pango (the quick lookup)')\n"
        "sys.meta_path.insert(0, Once())\n"
        "from crisisplan.pdf import weasy\n"
        "weasy.import_weasyprint()\n"
        "import weasyprint\n"
        "print(Once.failed, all(hasattr(weasyprint, m) for m in ('text', 'urls', 'css')))\n"
        "print(weasyprint.HTML(string='<p>Loaded</p>').write_pdf()[:5].decode())\n"
    )
    assert _run(script).split() == ["True", "True", "%PDF-"]


def test_reproducible_with_source_date_epoch(tmp_path, monkeypatch, example_path):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    first = build_handbook(example_path, tmp_path / "a", Options(site=False))
    second = build_handbook(example_path, tmp_path / "b", Options(site=False))
    assert first.pdf.read_bytes() == second.pdf.read_bytes()


def test_letter_paper(tmp_path, example_path):
    result = build_handbook(Path(example_path), tmp_path, Options(site=False, paper="letter"))
    box = pypdf.PdfReader(result.pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_crisis_card_is_one_page_on_its_own_sheet(page_texts):
    """Cover, an empty back, the card alone on a right-hand page, then the contents."""
    assert page_texts[0].startswith("Kopi Nusantara Social media crisis handbook")
    assert page_texts[1] == ""
    assert "In a crisis now?" in page_texts[2] and "Who to call" in page_texts[2]
    assert page_texts[3].startswith("About this handbook")  # governance before the contents
    contents = next(i for i, t in enumerate(page_texts) if "Contents In a crisis now?" in t)
    assert 3 < contents < 7


def test_paper_forms_follow_the_handbook(page_texts):
    log = next(i for i, t in enumerate(page_texts) if t.startswith("Incident log sheet"))
    review = next(i for i, t in enumerate(page_texts) if t.startswith("Post-crisis review sheet"))
    assert review == log + 1 == len(page_texts) - 1
    # the review page's questions (the playbook's), one list for the page and the sheet
    questions = playbook("en").review_questions
    assert len(questions) == 8
    for question in questions:
        assert " ".join(question.split()) in page_texts[review], question
    assert "Source or link" in page_texts[log]


def test_every_threat_pages_tables_are_measured(reference_pages):
    from crisisplan.pdf.html import sections

    threats = [s for s in sections(reference_pages) if s["kind"] == "threat"]
    assert len(threats) == 7
    for section in threats:
        html = str(section["html"])
        measured = len(re.findall(r'<table class="cp-measured(?: cp-short)?">', html))
        assert html.count("<table") == measured >= 4, section["id"]


def _markdown_table(rows: int, *cells: str) -> str:
    import markdown

    header = "| " + " | ".join(f"H{i}" for i in range(len(cells))) + " |\n"
    rule = "|" + "---|" * len(cells) + "\n"
    body = "".join("| " + " | ".join(cells) + " |\n" for _ in range(rows))
    return markdown.markdown(header + rule + body, extensions=["tables"])


def _widths(table: str) -> list[float]:
    return [float(w) for w in re.findall(r'<th style="width: ([\d.]+)%">', table)]


def test_tables_get_column_widths_from_the_font_metrics():
    from crisisplan.pdf.tables import _TABLE, _measure_table

    title = "A title of a threat that needs all the room it can get " * 4
    html = _markdown_table(40, "12", title, "Moderate")
    fixed = _TABLE.sub(_measure_table, html)
    assert fixed.startswith('<table class="cp-measured')
    widths = _widths(fixed)
    assert len(widths) == 2 and "<th>H1</th>" in fixed  # the widest column takes the rest
    assert 1.5 < widths[0] < widths[1] < 12  # "12" and "Moderate" need little room
    short = _TABLE.sub(_measure_table, _markdown_table(1, "12", "A title", "Moderate"))
    assert short.startswith('<table class="cp-measured')
    too_wide = _markdown_table(3, *["Incomprehensibilities"] * 9)
    assert _TABLE.sub(_measure_table, too_wide) == too_wide  # words cannot fit: auto layout


def test_measured_widths_break_lines_where_pango_does():
    from crisisplan.pdf.tables import _TABLE, _measure_table, _words

    assert _words("https://example.org/news today") == ["https://", "example.org/", "news", "today"]
    assert _words("e-mail +62-21 1/2") == ["e-", "mail", "+62-21", "1/2"]  # not before digits
    assert _words("30\u00a0minutes") == ["30\u00a0minutes"]

    filler = "some words to fill the line " * 8
    phone = '<a href="tel:+62811">+62 811 8000 1234</a>'
    linked, unbroken, plain = (
        _widths(_TABLE.sub(_measure_table, _markdown_table(2, cell, "x", filler)))[0]
        for cell in (phone, "+62\u00a0811\u00a08000\u00a01234", "+62 811 8000 1234")
    )
    assert linked == unbroken > plain  # print.css keeps a tel: (or mailto:) link on one line


def test_tables_with_less_room_code_or_no_header_are_left_to_weasyprint():
    from crisisplan.pdf.tables import _TABLE, _measure_table, measure

    table = _markdown_table(2, "one", "two")
    assert measure(table).startswith('<table class="cp-measured')
    for inside in (
        "<ul><li>{}</li></ul>",
        '<div class="admonition">{}</div>',
        "<blockquote>{}</blockquote>",
    ):
        nested = inside.format(table)
        assert measure(nested) == nested  # narrower than the text width
        assert measure(nested + table) == nested + _TABLE.sub(_measure_table, table)
    code = _markdown_table(2, "<code>some_identifier</code>", "two")
    assert measure(code) == code  # set in another font
    headless = (
        "<table><tbody><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></tbody></table>"
    )
    assert measure(headless) == headless  # no header cells to carry the widths


def test_the_cards_tables_keep_automatic_layout():
    from crisisplan.pdf.html import sections

    table = "| A | B |\n|---|---|\n| one | two |\n"
    pages = {"index.md": f"# Card\n\n{table}", "about.md": f"# About\n\n{table}"}
    card, about = sections(pages)
    assert "<table>" in str(card["html"]) and "cp-measured" not in str(card["html"])
    assert 'class="cp-measured' in str(about["html"])
    assert "cp-measured" not in "".join(str(s["html"]) for s in sections(pages, measure=False))


def test_attribute_like_text_stays_text_in_print():
    from crisisplan import text
    from crisisplan.pdf.html import sections

    words = 'We write id="a", href="#b" and href="other.md" in plain text.'
    source = f"# Title\n\n{text.escape(words)}\n\n[Next](other.md#part)\n"
    (page,) = sections({"response/x.md": source})
    body = str(page["html"])
    plain = html.unescape(re.sub(r"<[^>]+>", "", body))
    assert words in plain  # before, ids and links were rewritten inside the text too
    assert 'href="#response--other-part"' in body and 'id="response--x-title"' in body


# -- importing WeasyPrint ----------------------------------------------------------------------


def test_a_short_table_is_kept_on_one_page_and_a_long_one_may_break() -> None:
    from crisisplan import resources
    from crisisplan.pdf.tables import SHORT_ROWS, measure

    def table(rows: int) -> str:
        body = "".join(f"<tr><td>row {i}</td><td>text</td></tr>" for i in range(rows - 1))
        return f"<table><thead><tr><th>A</th><th>B</th></tr></thead><tbody>{body}</tbody></table>"

    assert measure(table(SHORT_ROWS)).startswith('<table class="cp-measured cp-short">')
    assert measure(table(SHORT_ROWS + 1)).startswith('<table class="cp-measured">')
    assert "table.cp-short { break-inside: avoid; }" in (
        resources.themes_dir() / "print" / "print.css"
    ).read_text(encoding="utf-8")
