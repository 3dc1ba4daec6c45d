"""Search costs nothing until it is used: the index ships once and loads on demand.

Material's bundle would load the search index and start its search worker on every page, at
page load. ``themes/material/assets/javascripts/search-on-demand.js`` holds both back until
the reader turns to search, and answers the bundle's request for ``search_index.json`` (over
http) from ``search_index.js``, the one copy the site keeps. Checked in Chromium from disk
and from a web server, in English and in Indonesian.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from browser_support import search, serving

from crisisplan.build import Options, build_handbook

THREAT_PAGE = "response/hoax-price.html"  # "A false rumour about our prices or ownership spreads"
SEARCH_FILES = re.compile(r"/search/search_index\.|/workers/search\.")
INDEX = "search/search_index.js"
WORKER = "assets/javascripts/workers/search."
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory, example_path: Path) -> Path:
    """The bundled example, site only."""
    return build_handbook(example_path, tmp_path_factory.mktemp("en"), Options(pdf=False)).output


@pytest.fixture(scope="module")
def indonesian(tmp_path_factory: pytest.TempPathFactory, example_path: Path) -> Path:
    """The bundled example with ``language: id``: Indonesian pages, the same threats."""
    data = yaml.safe_load(example_path.read_text(encoding="utf-8"))
    data["handbook"]["language"] = "id"
    root = tmp_path_factory.mktemp("id")
    shutil.copytree(example_path.parent, root / "questionnaire")  # with its logo
    questionnaire = root / "questionnaire" / example_path.name
    questionnaire.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return build_handbook(questionnaire, root / "out", Options(pdf=False)).output


@pytest.fixture(scope="module")
def serve() -> Iterator[Callable[[Path], str]]:
    """``serve(site)``: the address of ``site`` on a local web server, started once per site."""
    with contextlib.ExitStack() as stack:
        servers: dict[Path, str] = {}

        def address(site: Path) -> str:
            if site not in servers:
                servers[site] = stack.enter_context(serving(site)) + "/"
            return servers[site]

        yield address


@pytest.fixture(params=["disk", "http"])
def base(request: pytest.FixtureRequest, serve: Callable[[Path], str]) -> Callable[[Path], str]:
    """The address a site is opened at: its folder (``file://``) or a local web server."""
    if request.param == "disk":
        return lambda site: site.as_uri() + "/"
    return serve


def watch(page) -> list[str]:
    """The URL of every request the page's context makes from now on (frames and workers too)."""
    requested: list[str] = []
    page.context.on("request", lambda request: requested.append(request.url))
    return requested


def search_requests(requested: list[str]) -> list[str]:
    return [re.sub(r"\?.*", "", url) for url in requested if SEARCH_FILES.search(url)]


def open_quietly(page, url: str) -> list[str]:
    """Open ``url``, wait until the network is idle, and check that search loaded nothing."""
    requested = watch(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert search_requests(requested) == []
    return requested


def test_the_site_ships_one_copy_of_the_index(english, indonesian):
    for site in (english, indonesian):
        assert (site / INDEX).read_text(encoding="utf-8").startswith("var __index = {")
        assert sorted(p.name for p in (site / "search").iterdir()) == ["search_index.js"]


def test_search_loads_when_used_and_finds_and_highlights(page, english, base):
    home = base(english)
    requested = open_quietly(page, home + "index.html")

    search(page, "rumour")
    result = page.locator(f'.md-search-result__link[href*="{THREAT_PAGE}"]').first
    result.wait_for(state="visible", timeout=10_000)
    assert "rumour" in result.inner_text().lower()
    loaded = search_requests(requested)
    assert loaded.count(home + INDEX) == 1
    others = [u for u in loaded if u != home + INDEX]  # the worker, once, and nothing else
    assert len(others) == 1 and others[0].startswith(home + WORKER)

    # The page the result opens highlights the word: it needs the index, not the worker.
    requested.clear()
    result.click()
    page.wait_for_url(re.compile(re.escape(THREAT_PAGE) + r"\?h=rumour"))
    mark = page.locator("mark[data-md-highlight]").first
    mark.wait_for(timeout=10_000)
    assert mark.inner_text().lower() == "rumour"
    assert not [u for u in search_requests(requested) if "/workers/" in u]
    assert page.console_errors == []  # CSP violations are console errors too


def test_search_keys_and_the_phone_icon_load_it(page, english, base):
    home = base(english)
    requested = open_quietly(page, home + "preparation/index.html")
    page.keyboard.press("/")  # one of Material's search keys: focuses the box
    page.keyboard.type("rumour", delay=30)
    page.locator(".md-search-result__link").first.wait_for(state="visible", timeout=10_000)
    assert search_requests(requested).count(home + INDEX) == 1

    page.set_viewport_size(PHONE)
    requested = open_quietly(page, home + "index.html")
    page.locator('label.md-header__button[for="__search"]').click()
    page.locator(".md-search__input").press_sequentially("rumour", delay=30)
    page.locator(f'.md-search-result__link[href*="{THREAT_PAGE}"]').first.wait_for(
        state="visible", timeout=10_000
    )
    assert search_requests(requested).count(home + INDEX) == 1
    assert page.console_errors == []


def test_indonesian_search_loads_when_used(page, indonesian, base):
    home = base(indonesian)
    requested = open_quietly(page, home + "index.html")
    search(page, "rumour")  # the threats' own words, from the questionnaire
    result = page.locator(f'.md-search-result__link[href*="{THREAT_PAGE}"]').first
    result.wait_for(state="visible", timeout=10_000)
    assert search_requests(requested).count(home + INDEX) == 1
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.console_errors == []
