"""The built website, read as files: pages, brand, logo, offline search, no external loads,
the PDF link, the edition note, navigation, escaping, ``crisisplan export`` and safe output."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import cssselect2
import pytest
import tinyhtml5
import yaml
from click.testing import CliRunner

from crisisplan import build as build_module
from crisisplan import resources
from crisisplan.build import Options, build_handbook
from crisisplan.cli import cli
from crisisplan.errors import BuildError
from crisisplan.images import sanitize_svg
from crisisplan.text import strings

BRAND = "#5B3A29"
PDF_NAME = "kopi-nusantara-crisis-handbook-2026.2-internal.pdf"
PHASES = ["preparation", "response", "reassurance", "recovery"]
PHASE_TITLES = ["Preparation", "Response", "Reassurance", "Recovery"]
HOSTILE = "Acme <b>&</b> Co"
SITE_ONLY = Options(pdf=False)

# URLs in Material's own JavaScript that are loaded only under a condition this site never
# meets. Each is checked by test_conditions_of_materials_external_loads_are_never_met.
MATERIAL_CONDITIONAL = {
    "https://unpkg.com/resize-observer-polyfill": "loaded only by a browser without ResizeObserver",
    "https://unpkg.com/mermaid@": "loaded only by a page with a Mermaid diagram",
    "https://api.github.com/": "fetched only when mkdocs.yml sets repo_url",
    "https://bit.ly/": "text of a console warning about an invalid search query, never loaded",
}
MATERIAL_JS = re.compile(r"(bundle|search)\.[0-9a-f]+\.min\.js$")

# Attributes through which a page loads something as it is viewed. <a href> loads nothing
# until followed, so links to the client's own website are fine.
LOADING = {
    "link": ("href",),
    "script": ("src",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "input": ("src",),
    "image": ("href", "{http://www.w3.org/1999/xlink}href"),
    "use": ("href", "{http://www.w3.org/1999/xlink}href"),
}
CSS_URL = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""", re.S)
CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""")
JS_URL_LITERAL = re.compile(
    r"""["'`]((?:https?:)?//[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}[^"'`\s]*)""", re.I
)


# -- helpers ----------------------------------------------------------------------------------


def parse(path: Path) -> cssselect2.ElementWrapper:
    return cssselect2.ElementWrapper.from_html_root(tinyhtml5.parse(path.read_text("utf-8")))


def select(root: cssselect2.ElementWrapper, selector: str) -> list:
    return [wrapper.etree_element for wrapper in root.query_all(selector)]


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def is_external(url: str) -> bool:
    """True for a URL that leaves the site: any scheme but data:, or protocol-relative."""
    url = url.strip()
    scheme = urlsplit(url).scheme.lower()
    return url.startswith("//") or (bool(scheme) and scheme != "data")


def target(page: Path, url: str) -> Path:
    """The file a relative URL of ``page`` points at."""
    return (page.parent / unquote(urlsplit(url).path)).resolve()


def srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with a digest of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "/"
        for p in sorted(folder.rglob("*"))
    }


def minimal(folder: Path, name: str = "Warung Sederhana") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "questionnaire.yaml"
    path.write_text(yaml.safe_dump({"company": {"name": name}}), encoding="utf-8")
    return path


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(reference_build) -> Path:
    return reference_build.output


@pytest.fixture(scope="module")
def pages(site: Path) -> list[Path]:
    """The site's pages, without 404.html (a web server's page: its links are root-relative)."""
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


@pytest.fixture(scope="module")
def parsed(pages: list[Path]) -> dict[Path, cssselect2.ElementWrapper]:
    return {page: parse(page) for page in pages}


@pytest.fixture(scope="module")
def reference_data(example_path: Path) -> dict:
    return yaml.safe_load(example_path.read_text(encoding="utf-8"))


# -- the reference site -----------------------------------------------------------------------


def test_site_has_at_least_eight_pages(pages, parsed):
    assert len(pages) >= 8, [p.name for p in pages]
    for page, root in parsed.items():
        titles = select(root, "head > title")
        assert titles and text_of(titles[0]), page


def test_brand_colour_is_in_the_css_and_every_page_uses_it(site, pages, parsed, reference_data):
    assert reference_data["brand"]["colors"]["primary"].upper() == BRAND
    brand_css = site / "assets" / "stylesheets" / "brand.css"
    css = brand_css.read_text(encoding="utf-8")
    assert re.search(rf"--md-primary-fg-color:\s*{BRAND}\s*;", css, re.I), css
    for page in pages:
        sheets = [
            target(page, link.get("href"))
            for link in select(parsed[page], 'link[rel="stylesheet"]')
        ]
        assert brand_css.resolve() in sheets, page


def test_logo_is_copied_and_used_in_header_and_as_favicon(
    site, pages, parsed, example_path, reference_data
):
    logo = site / "assets" / "logo.svg"
    source = example_path.parent / reference_data["brand"]["logo"]
    # the checked copy: the same drawing, rebuilt from the SVG allow-list (crisisplan/images.py)
    assert logo.read_bytes() == sanitize_svg(source.read_bytes())
    assert b"<circle" in logo.read_bytes()
    for page in pages:
        header = select(parsed[page], ".md-header .md-logo img")
        assert [target(page, img.get("src")) for img in header] == [logo.resolve()], page
        icons = select(parsed[page], 'link[rel~="icon"]')
        assert [target(page, link.get("href")) for link in icons] == [logo.resolve()], page


def test_offline_search_index_is_there(site, reference_data):
    script = site / "search" / "search_index.js"
    prefix = "var __index = "
    text = script.read_text(encoding="utf-8")
    assert text.startswith(prefix)
    index = json.loads(text[len(prefix) :].strip().rstrip(";"))
    titles = {doc["title"] for doc in index["docs"]}
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    for threat in reference_data["threats"]:
        assert threat["title"] in titles
        assert f"response/{threat['id']}.html" in locations
    for location in locations:
        assert (site / location).is_file(), location


def test_pages_load_nothing_from_outside(site):
    external: list[str] = []
    pages = sorted(site.rglob("*.html"))  # 404.html too
    for page in pages:
        root = parse(page)
        for tag, attributes in LOADING.items():
            for element in select(root, tag):
                for attribute in attributes:
                    value = element.get(attribute)
                    if not value:
                        continue
                    urls = srcset_urls(value) if attribute == "srcset" else [value]
                    external += [
                        f"{page.name}: <{tag} {attribute}={u}>" for u in urls if is_external(u)
                    ]
        for element in select(root, "meta[http-equiv]"):
            if element.get("http-equiv").lower() == "refresh":
                external.append(f"{page.name}: <meta http-equiv=refresh>")
        inline = [text_of(s) for s in select(root, "style")]
        inline += [e.get("style") for e in select(root, "[style]")]
        for css in inline:
            external += [
                f"{page.name}: url({u})" for _, u in CSS_URL.findall(css) if is_external(u)
            ]
    assert external == []


def test_stylesheets_load_nothing_from_outside(site):
    sheets = sorted(site.rglob("*.css"))
    assert len(sheets) >= 4
    for sheet in sheets:
        css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.S)
        imports = CSS_IMPORT.findall(css)
        urls = [u for _, u in CSS_URL.findall(css)]
        assert [u for u in imports + urls if is_external(u)] == [], sheet
        for url in imports + urls:
            if not url.startswith(("data:", "#")):
                assert target(sheet, url).is_file(), f"{sheet.name}: {url}"


def test_scripts_load_nothing_from_outside(site):
    scripts = sorted(p for p in site.rglob("*.js") if p.name != "search_index.js")
    assert scripts
    unexpected = []
    for script in scripts:
        for url in JS_URL_LITERAL.findall(script.read_text(encoding="utf-8")):
            known = MATERIAL_JS.search(script.name) and url.startswith(tuple(MATERIAL_CONDITIONAL))
            if not known:
                unexpected.append(f"{script.relative_to(site)}: {url}")
    assert unexpected == []
    # The offline search index is data, not code: one assignment of a JSON object.
    index = (site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert re.fullmatch(r"var __index = \{.*\}\s*;?\s*", index, re.S)


def test_conditions_of_materials_external_loads_are_never_met(site):
    """Material's bundle can load from unpkg.com and api.github.com; nothing here triggers it."""
    for page in sorted(site.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"class=\"[^\"]*\bmermaid\b", html), page  # Mermaid diagrams
        assert 'data-md-component="source"' not in html, page  # repo_url set
    base = yaml.safe_load(Path(resources.base_config()).read_text("utf-8"))
    assert "repo_url" not in base


def test_every_page_links_the_pdf_and_the_pdf_exists(site, pages, parsed, reference_build):
    pdf = site / PDF_NAME
    assert reference_build.pdf == pdf
    assert pdf.read_bytes().startswith(b"%PDF-")
    for page in pages:
        links = select(parsed[page], "a.cp-pdf")
        assert [target(page, a.get("href")) for a in links] == [pdf.resolve()], page
        assert links[0].get("download") is not None


def test_internal_edition_shows_the_confidentiality_note(pages, parsed, reference_data):
    assert reference_data["handbook"]["edition"] == "internal"
    short, note = strings("en")["site"]["confidential_short"], strings("en")["site"]["confidential"]
    for page in pages:
        banner = select(parsed[page], ".md-banner .cp-confidential")
        assert [(text_of(e), e.get("title")) for e in banner] == [(short, note)]


def test_public_edition_has_no_confidentiality_note(tmp_path, example_path):
    folder = tmp_path / "client"
    folder.mkdir()
    (folder / "logo.svg").write_bytes((example_path.parent / "logo.svg").read_bytes())
    data = example_path.read_text(encoding="utf-8").replace("edition: internal", "edition: public")
    (folder / "questionnaire.yaml").write_text(data, encoding="utf-8")
    result = build_handbook(folder / "questionnaire.yaml", tmp_path / "out", SITE_ONLY)
    for page in result.output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "cp-confidential" not in html, page
        assert "cp-pdf" not in html, page  # no PDF was built, so none is linked


def test_home_page_is_the_crisis_card(site, parsed):
    home = parsed[site / "index.html"]
    assert [text_of(h).rstrip("¶") for h in select(home, ".md-content h1")] == ["In a crisis now?"]
    first = select(home, ".md-nav--primary > .md-nav__list > .md-nav__item a.md-nav__link")[0]
    assert first.get("href") == "index.html"
    assert select(home, ".md-content .cp-call a[href^='tel:']")  # tap to call
    assert len(select(home, ".md-content ol:first-of-type > li")) == 3  # the first three steps
    assert select(home, ".md-content .script.cp-first")  # what to post first


def test_navigation_has_the_four_phases_in_order(site, pages, parsed):
    for page in pages:
        items = select(parsed[page], ".md-nav--primary > .md-nav__list > .md-nav__item")
        top = []
        for item in items:
            link = next(
                a for a in item.iter() if a.get("href") and "md-nav__link" in a.get("class", "")
            )
            top.append((target(page, link.get("href")), text_of(link)))
        assert top[0][0] == (site / "index.html").resolve(), page
        phases = [(path, title) for path, title in top if path.parent.name in PHASES]
        assert [path for path, _ in phases] == [(site / p / "index.html").resolve() for p in PHASES]
        assert [title.split()[-1] for _, title in phases] == PHASE_TITLES


def test_palette_offers_dark_mode(pages, parsed):
    for page in pages:
        options = select(parsed[page], 'form[data-md-component="palette"] input.md-option')
        schemes = [o.get("data-md-color-scheme") for o in options]
        assert schemes == ["default", "slate"], page


# -- other builds -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """A site whose company name is markup."""
    tmp = tmp_path_factory.mktemp("hostile")
    return build_handbook(minimal(tmp / "client", HOSTILE), tmp / "out", SITE_ONLY)


def test_company_name_is_escaped_in_the_site(hostile_build):
    pages = sorted(hostile_build.output.rglob("*.html"))
    assert pages
    site_name = f"{HOSTILE} · Social media crisis handbook"
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "Acme &lt;b&gt;&amp;&lt;/b&gt; Co" in html, page
        root = parse(page)
        assert [text_of(e) for e in select(root, ".md-header__topic:first-child .md-ellipsis")] == [
            site_name
        ]
        assert text_of(select(root, "head > title")[0]).endswith(site_name)
        assert [a.get("aria-label") for a in select(root, ".md-header a.md-logo")] == [site_name]
        assert HOSTILE in text_of(select(root, ".md-copyright")[0])
    for file in hostile_build.output.rglob("*"):
        if file.suffix in (".html", ".js", ".json", ".xml", ".css"):
            assert "<b>&</b>" not in file.read_text(encoding="utf-8"), file


def test_logo_tooltip_shows_the_company_name(hostile_build):
    """Material escapes site_name in the logo's title attribute (partials/header.html and
    nav.html), which crisisplan has escaped already; markup.py escapes it once only."""
    site_name = f"{HOSTILE} · Social media crisis handbook"
    root = parse(hostile_build.output / "index.html")
    assert [a.get("title") for a in select(root, "a.md-logo")] == [site_name, site_name]


def test_export_writes_a_project_plain_mkdocs_builds(tmp_path, example_path):
    project = tmp_path / "project"
    result = CliRunner().invoke(cli, ["export", str(example_path), "-o", str(project)])
    assert result.exit_code == 0, result.output
    config = (project / "mkdocs.yml").read_text(encoding="utf-8")
    lines = [line for line in config.splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "INHERIT: crisisplan-base.yml"
    assert (project / "crisisplan-base.yml").is_file()
    assert (project / "docs" / "index.md").is_file()
    assert (project / "print.html").is_file()
    out = tmp_path / "out"
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run(
        [str(mkdocs), "build", "-f", str(project / "mkdocs.yml"), "-d", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert (out / "index.html").is_file()
    assert (out / "search" / "search_index.js").is_file()
    assert len(list(out.rglob("*.html"))) >= 8


def test_export_writes_print_html_for_the_paper_asked(tmp_path, example_path):
    sizes = {}
    for paper in ("a4", "letter"):
        project = tmp_path / paper
        args = ["export", str(example_path), "-o", str(project), "--paper", paper]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        html = (project / "print.html").read_text(encoding="utf-8")
        sizes[paper] = re.findall(r"@page \{ size: ([^;]+); \}", html)
    assert sizes == {"a4": ["A4"], "letter": ["letter"]}


def test_failed_build_leaves_the_previous_output_intact(tmp_path, monkeypatch):
    path = minimal(tmp_path / "client")
    out = tmp_path / "out"
    first = build_handbook(path, out, SITE_ONLY)
    before = snapshot(out)
    assert (first.output / "index.html").is_file()

    def broken(config_file: Path, site_dir: Path, *rest: object) -> None:
        site_dir.mkdir(parents=True)
        (site_dir / "index.html").write_text("half a site", encoding="utf-8")
        raise BuildError("Error: the site build failed (test); nothing was written.")

    monkeypatch.setattr(build_module, "build_site", broken)
    path.write_text(path.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    with pytest.raises(BuildError):
        build_handbook(path, out, Options(pdf=False, force=True))
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [".crisisplan", first.slug]


def test_refuses_an_output_folder_it_did_not_make(tmp_path):
    path = minimal(tmp_path / "client")
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(BuildError, match="did not make"):
        build_handbook(path, out, SITE_ONLY)
    assert snapshot(out) == before

    result = CliRunner().invoke(cli, ["build", str(path), "-o", str(out), "--no-pdf"])
    assert result.exit_code == 1
    assert "did not make" in result.output
    assert snapshot(out) == before

    result = CliRunner().invoke(cli, ["export", str(path), "-o", str(out)])
    assert result.exit_code == 1
    assert "did not make" in result.output
    assert snapshot(out) == before


def test_refuses_a_client_folder_it_did_not_make(tmp_path):
    path = minimal(tmp_path / "client")
    out = tmp_path / "out"
    build_handbook(path, out, SITE_ONLY)
    client = out / "warung-sederhana"
    for file in client.iterdir():  # someone replaced the client's folder with their own files
        if file.is_dir():
            shutil.rmtree(file)
        else:
            file.unlink()
    (client / "notes.txt").write_text("keep me", encoding="utf-8")
    before = snapshot(out)
    with pytest.raises(BuildError, match="did not make"):
        build_handbook(path, out, Options(pdf=False, force=True))
    assert snapshot(out) == before
