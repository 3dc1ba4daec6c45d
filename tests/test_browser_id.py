"""The Bahasa Indonesia website in a real browser, opened from disk (file://) as a client would.

An Indonesian public-edition questionnaire is built once (site only) and checked in Chromium:
``<html lang="id">``, the Indonesian phase names in the navigation, Material's interface in
Indonesian, what Material's search can and cannot find in Indonesian text (it has no
Indonesian stemmer: see docs/languages.md), no console errors, no request off the disk, and no
personal phone number or e-mail address anywhere in the public site.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import material
import pytest

from crisisplan import resources
from crisisplan.build import Options, build_handbook

PHASES = ("preparation", "response", "reassurance", "recovery")
VIRAL_PAGE = "response/video-viral-tiktok.html"
HOAX_PAGE = "response/hoaks-harga.html"
VIRAL_TITLE = "Video keluhan pelanggan viral di TikTok"
HOAX_TITLE = "Isu hoaks tentang harga menyebar"
VIRAL_STATEMENT = "Kami sudah melihat video yang beredar"

# Personal contact details of the crisis team: the public edition must not show any of them.
PHONES = ("+62 812 3456 7890", "0813-9876-5432")
EMAILS = ("sari.wulandari@batiklestari.example", "dimas.pratama@batiklestari.example")

QUESTIONNAIRE = f"""\
handbook:
  language: id
  edition: public
  version: "2027.1"
  prepared_by: Agensi Ombak Digital
  review_every: 6 bulan
company:
  name: Batik Lestari
  legal_name: PT Batik Lestari Nusantara
  industry: Ritel batik tulis dan cap
  headquarters: Yogyakarta, Indonesia
  summary: Toko batik dengan 12 gerai dan toko daring yang melayani pelanggan di seluruh Indonesia.
  values: [Jujur soal bahan dan proses, Melayani dengan ramah]
audiences:
  - id: pelanggan
    name: Pelanggan dan pembeli daring
    priority: 1
    concerns: Kualitas kain, harga yang adil, dan pengembalian dana
    channels: [tiktok, instagram]
  - id: karyawan
    name: Karyawan gerai dan pengrajin
    priority: 1
    channels: [grup-staf]
channels:
  - id: tiktok
    name: TikTok
    handle: "@batiklestari"
    followers: 85000
    owner: medsos
    max_length: 2200
  - id: instagram
    name: Instagram
    handle: "@batiklestari.id"
    owner: medsos
    max_length: 2200
  - id: grup-staf
    name: Grup WhatsApp staf
    owner: humas
    internal: true
team:
  - id: humas
    role: Kepala humas
    name: Sari Wulandari
    title: Manajer Komunikasi
    phone: "{PHONES[0]}"
    email: {EMAILS[0]}
    backup: medsos
    duties: [Memimpin tim krisis, Menyetujui pernyataan awal]
  - id: medsos
    role: Admin media sosial
    name: Dimas Pratama
    phone: "{PHONES[1]}"
    email: {EMAILS[1]}
    backup: humas
approvals:
  holding_statement: [humas]
  full_statement: [humas]
  within: 30 menit
monitoring:
  tools: [Brand24]
  keywords: ["#batiklestari", Batik Lestari]
  owner: medsos
  check_every: 2 jam
threats:
  - id: video-viral-tiktok
    title: {VIRAL_TITLE}
    origin: external
    category: keluhan pelanggan
    description: >
      Seorang pembeli mengunggah video kain batik yang luntur (warnanya pudar) setelah dicuci
      sekali, dan video itu ditonton ratusan ribu kali dalam semalam.
    likelihood: 4
    impact: 3
    owner: medsos
    warning_signs: [Komentar tentang kain luntur naik tajam di TikTok]
    prevention: [Cantumkan cara mencuci batik di setiap kemasan]
    facts_to_confirm: [Nomor pesanan dan gerai asal kain]
    holding_statement: >
      {VIRAL_STATEMENT} tentang kain {{motif}} yang luntur, dan kami mohon maaf atas
      pengalaman ini. Tim kami sedang memeriksa pesanan tersebut bersama pembelinya. Kabar
      berikutnya paling lambat {{next_update}}.
    actions: [Hubungi pembeli lewat pesan langsung, Tawarkan penukaran atau pengembalian dana]
  - id: hoaks-harga
    title: {HOAX_TITLE}
    origin: external
    category: misinformasi
    description: Pesan berantai mengaku semua harga batik naik dua kali lipat mulai bulan depan.
    likelihood: 3
    impact: 3
    holding_statement: >
      Kabar tentang kenaikan harga yang beredar tidak benar. Harga resmi selalu tercantum di
      situs dan toko daring kami. Kami akan menyampaikan kabar berikutnya paling lambat
      {{next_update}}.
recovery:
  share_lessons_with: [karyawan]
"""


def headings(language: str) -> dict[str, str]:
    """Each phase's title: the first ``# `` heading of ``content/<language>/<phase>/index.md``."""
    titles = {}
    for phase in PHASES:
        source = (resources.content_dir() / language / phase / "index.md").read_text("utf-8")
        first = next(line for line in source.splitlines() if line.startswith("# "))
        titles[phase] = re.sub(r"\s*\{ #[\w-]+ \}$", "", first[2:]).strip()
    return titles


def material_strings(language: str) -> dict[str, str]:
    """Material's interface strings of ``language`` (partials/languages/<language>.html)."""
    source = Path(material.__file__).parent / "templates/partials/languages" / f"{language}.html"
    return dict(re.findall(r'^\s*"([\w.]+)": "(.*)",?$', source.read_text("utf-8"), re.M))


def build(root: Path, questionnaire: str) -> Path:
    folder = root / "questionnaire"
    folder.mkdir()
    path = folder / "questionnaire.yaml"
    path.write_text(questionnaire, encoding="utf-8")
    return build_handbook(path, root / "out", Options(pdf=False)).output


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Indonesian public edition, built once for this module (site only)."""
    return build(tmp_path_factory.mktemp("id-public"), QUESTIONNAIRE)


def url(site: Path, page: str = "index.html") -> str:
    return (site / page).as_uri()


def content_pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if p.name != "404.html")


def search(page, words: str) -> None:
    """Type into Material's search box as a person would (it reacts to key presses only).

    A query already in the box is first deleted with the keyboard, and the result list is
    back to its "type to start searching" line before the new query is typed.
    """
    box = page.locator(".md-search__input")
    if not box.is_visible():  # phones: the box opens from the header's search button
        page.locator('label.md-header__button[for="__search"]').click()
    box.click()
    if box.input_value():
        box.press("Control+A")
        box.press("Backspace")
        page.locator(".md-search-result__meta").filter(
            has_text=material_strings("id")["search.result.placeholder"]
        ).wait_for(timeout=10_000)
    box.press_sequentially(words, delay=30)


def results(page, site: Path, words: str) -> set[str]:
    """The pages Material's search lists for ``words``, once the list shows the whole query.

    Each result link carries the query as ``?h=``; "no results" can only be the final answer
    for one word, since typing more letters only narrows a prefix search.
    """
    search(page, words)
    none = material_strings("id")["search.result.none"]
    page.wait_for_function(
        """([words, none]) => {
            const meta = document.querySelector(".md-search-result__meta");
            const links = [...document.querySelectorAll(".md-search-result__link")];
            return links.some(a => new URL(a.href).searchParams.get("h") === words)
                || (!words.includes(" ") && meta && meta.textContent.trim() === none);
        }""",
        arg=[words.lower(), none],
        timeout=10_000,
    )
    hrefs = page.locator(".md-search-result__link").evaluate_all("links => links.map(a => a.href)")
    prefix = site.as_uri() + "/"
    return {re.split(r"[?#]", href.removeprefix(prefix))[0] for href in hrefs}


# -- language: lang attribute, navigation, Material's interface ------------------------------


def test_every_page_is_indonesian_without_errors_or_requests(page, site):
    page.goto(url(site))
    assert results(page, site, "hoaks")  # the search worker has started
    pages = content_pages(site)
    assert VIRAL_PAGE in pages and HOAX_PAGE in pages
    for name in pages:
        page.goto(url(site, name))
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "id", name
        assert page.locator("header.md-header").is_visible(), name
    assert page.console_errors == []
    assert page.external_requests == []


def test_navigation_shows_the_indonesian_phase_names(page, site):
    titles = headings("id")
    assert titles["preparation"] == "1 Persiapan"
    assert titles["reassurance"] == "3 Menjaga Kepercayaan"
    english = headings("en")
    assert all(titles[p] != english[p] for p in PHASES)
    page.goto(url(site))
    nav = page.locator("nav.md-nav--primary")
    for phase in PHASES:
        entry = nav.get_by_text(titles[phase], exact=True).first
        assert entry.is_visible(), phase
        assert english[phase] not in nav.text_content()
    links = {
        " ".join(t.split()) for t in nav.locator(".md-nav__link").all_text_contents() if t.strip()
    }
    # threat pages are listed on the Response page, not on every page's navigation
    assert not {VIRAL_TITLE, HOAX_TITLE} & links
    page.goto(url(site, "response/index.html"))
    listed = " ".join(page.locator("article").inner_text().split())
    assert VIRAL_TITLE in listed and HOAX_TITLE in listed
    assert page.title().endswith("Panduan manajemen krisis media sosial")
    assert page.console_errors == []


def test_material_interface_is_indonesian(page, site):
    ind, en = material_strings("id"), material_strings("en")
    assert ind["search.placeholder"] == "Cari" != en["search.placeholder"]
    page.goto(url(site))
    box = page.locator(".md-search__input")
    assert box.get_attribute("placeholder") == ind["search.placeholder"]
    box.click()
    meta = page.locator(".md-search-result__meta")
    meta.wait_for(state="visible")
    # "Mempersiapkan pencarian" while the index loads, then "Ketik untuk ..."
    assert meta.inner_text().strip() in (
        ind["search.result.initializer"],
        ind["search.result.placeholder"],
    )
    page.wait_for_function(
        "text => document.querySelector('.md-search-result__meta').textContent.trim() == text",
        arg=ind["search.result.placeholder"],
        timeout=10_000,
    )
    search(page, "hoaks")
    page.wait_for_function(
        "re => new RegExp(re).test(document.querySelector('.md-search-result__meta').textContent)",
        arg=ind["search.result.other"].replace("#", r"\d+"),  # "# dokumen ditemukan"
        timeout=10_000,
    )
    box.press("Escape")
    footer = page.locator(".md-footer__link--next .md-footer__direction")
    assert footer.inner_text().strip() == ind["footer.next"]  # "Selanjutnya"
    page.goto(url(site, VIRAL_PAGE))
    primary = page.locator("nav.md-nav--primary")
    assert primary.get_attribute("aria-label") == ind["nav"]  # "Navigasi"
    assert page.locator("nav.md-nav--secondary").first.get_attribute("aria-label") == ind["toc"]
    assert page.console_errors == []


# -- search in Indonesian -----------------------------------------------------------------------


def test_the_search_index_has_no_stemmer_and_splits_on_punctuation(site):
    """``theme.language: id``: English tokenising, an empty pipeline and the base separator."""
    script = (site / "search" / "search_index.js").read_text("utf-8")  # var __index = {...}
    config = json.loads(script[script.index("{") :])["config"]
    assert config["lang"] == ["en"]  # Material bundles no lunr.id: the English tokenizer
    assert config["separator"] == r'[\s\-,:;!?=\[\]()"/“”‘’]+|\.(?!\d)'  # base mkdocs.yml
    # " " is no lunr function: the worker drops the stemmer, the stop words and the trimmer.
    assert config["pipeline"] == [" "]


# Whole words and prefixes of words find the page: Material adds a trailing wildcard to each
# word typed, so a root that starts the indexed word (keluh -> keluhan) works too.
FOUND = {
    "keluhan": VIRAL_PAGE,  # whole words of a threat title
    "hoaks": HOAX_PAGE,
    "pelanggan": VIRAL_PAGE,
    "TikTok": VIRAL_PAGE,
    "Hoaks": HOAX_PAGE,  # any case
    "menyebar": HOAX_PAGE,
    "keluh": VIRAL_PAGE,  # a root that starts the word: keluh -> keluhan
    "hoak": HOAX_PAGE,  # a word typed half-way
    "harg": HOAX_PAGE,
    "luntur": VIRAL_PAGE,  # in the scenario text
    "dicuci": VIRAL_PAGE,  # the word as written, di- and all
    "pudar": VIRAL_PAGE,  # before a closing parenthesis: "pudar)" still starts with "pudar"
    "kenaikan": HOAX_PAGE,  # in the holding statement
    "keluhan pelanggan": VIRAL_PAGE,  # two words
    "hoaks harga": HOAX_PAGE,
}

# Other affixed forms find nothing: there is no Indonesian stemmer (docs/languages.md).
NOT_FOUND = {
    "mengeluhkan": VIRAL_PAGE,  # meN-...-kan: the page says "keluhan"
    "pelanggannya": VIRAL_PAGE,  # -nya: longer than the indexed "pelanggan"
    "sebar": HOAX_PAGE,  # the root of "menyebar" is not a prefix of it
    "cuci": VIRAL_PAGE,  # the root of "dicuci"
    "langgan": VIRAL_PAGE,  # the root of "pelanggan" (pe-...-an)
}


def test_search_finds_whole_words_and_prefixes(page, site):
    page.goto(url(site))
    missed = {
        w: sorted(found) for w, t in FOUND.items() if t not in (found := results(page, site, w))
    }
    assert missed == {}
    assert page.console_errors == []
    assert page.external_requests == []


def test_search_does_not_find_other_affixed_forms(page, site):
    """Documented limits: no Indonesian stemmer, only whole words and their prefixes.

    If this fails, the search has learnt Indonesian morphology: update docs/languages.md.
    """
    page.goto(url(site))
    found = {w: t for w, t in NOT_FOUND.items() if t in results(page, site, w)}
    assert found == {}
    assert page.console_errors == []


def test_search_result_opens_the_threat_page(page, site):
    page.goto(url(site))
    search(page, "keluhan")
    result = page.locator(f'.md-search-result__link[href*="{VIRAL_PAGE}"]').first
    result.wait_for(state="visible", timeout=10_000)
    assert "keluhan" in result.inner_text().lower()
    result.click()
    page.wait_for_url(re.compile(re.escape(VIRAL_PAGE)))
    assert page.locator(".md-content h1").inner_text().rstrip("¶ ") == VIRAL_TITLE
    assert VIRAL_STATEMENT in page.locator(".script pre").first.inner_text()
    assert page.locator("mark.blank").first.inner_text() == "[motif]"
    assert page.console_errors == []
    assert page.external_requests == []


def test_search_finds_a_word_after_an_opening_parenthesis(page, site):
    page.goto(url(site))
    assert VIRAL_PAGE in results(page, site, "warnanya")


# -- the public edition: no personal contact details --------------------------------------------


def digits_pattern(phone: str) -> re.Pattern[str]:
    """The phone's national digits in any layout: +62 812..., 0812-..., 62812..., 8 1 2 ..."""
    national = re.sub(r"\D", "", phone).removeprefix("62").removeprefix("0")
    return re.compile(r"\D{0,3}".join(national))


def site_texts(site: Path) -> dict[str, str]:
    """Every page, the sitemap and the search index of the site, as plain decoded text."""
    texts = {}
    for path in sorted(site.rglob("*")):
        name = str(path.relative_to(site))
        if path.suffix in {".html", ".xml"}:
            texts[name] = html.unescape(path.read_text("utf-8"))
        elif path.parent.name == "search" and path.suffix in {".json", ".js"}:
            source = path.read_text("utf-8")
            data = json.loads(source[source.index("{") :])
            texts[name] = html.unescape(json.dumps(data, ensure_ascii=False))
    return texts


def contacts_in(texts: dict[str, str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, content in texts.items():
        hits = [p for p in PHONES if digits_pattern(p).search(content)]
        hits += [e for e in EMAILS if e.lower() in content.lower()]
        hits += [e.split("@")[0] for e in EMAILS if e.split("@")[0] in content.lower()]
        hits += [s for s in ("tel:", "mailto:") if s in content]
        if hits:
            found[name] = hits
    return found


def test_public_site_has_no_personal_phone_or_email(site):
    texts = site_texts(site)
    assert {"index.html", "appendix/index.html", VIRAL_PAGE, "search/search_index.js"} <= set(texts)
    assert contacts_in(texts) == {}
    assert "Sari Wulandari" in texts["appendix/index.html"]  # names stay; contacts do not


def test_public_pages_in_the_browser_show_no_personal_contact(page, site):
    for name in content_pages(site):
        page.goto(url(site, name))
        body = page.locator("body").inner_text()
        assert contacts_in({name: body}) == {}, name
        assert page.locator('a[href^="tel:"], a[href^="mailto:"]').count() == 0, name
    assert page.console_errors == []


def test_the_contact_check_finds_the_internal_editions_contacts(tmp_path):
    """The same questionnaire as an internal edition fails the check: it is not vacuous."""
    internal = build(tmp_path, QUESTIONNAIRE.replace("edition: public", "edition: internal"))
    found = contacts_in(site_texts(internal))
    assert set(PHONES) | set(EMAILS) <= set(found["appendix/index.html"])
