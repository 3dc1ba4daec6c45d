"""The built website in a real browser, opened from disk (file://) as a client would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_support import search

BRAND_RGB = "rgb(91, 58, 41)"  # #5B3A29
PHONE = {"width": 390, "height": 844}
SEARCH_WORD = "rumour"
THREAT_PAGE = "response/hoax-price.html"  # "A false rumour about our prices or ownership spreads"
SCRIPT_PAGE = "response/food-safety.html"
SCRIPT_TEXT = "Their health comes first"


@pytest.fixture
def site(reference_build) -> Path:
    return reference_build.output


def url(site: Path, page: str = "index.html") -> str:
    return (site / page).as_uri()


def content_pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html") if p.name != "404.html")


Colour = tuple[float, float, float]


def parse_colour(css: str) -> tuple[Colour, float]:
    """``rgb(1, 2, 3)`` or ``rgba(1, 2, 3, 0.5)`` as ((r, g, b), alpha)."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    alpha = numbers[3] if len(numbers) > 3 else 1.0
    return (numbers[0], numbers[1], numbers[2]), alpha


def flatten(css: str, behind: str) -> Colour:
    """The opaque colour seen where ``css`` is painted over ``behind``."""
    (r, g, b), alpha = parse_colour(css)
    (r2, g2, b2), _ = parse_colour(behind)
    return (
        r * alpha + r2 * (1 - alpha),
        g * alpha + g2 * (1 - alpha),
        b * alpha + b2 * (1 - alpha),
    )


def contrast(one: Colour, two: Colour) -> float:
    """WCAG contrast ratio of two opaque sRGB colours."""

    def luminance(rgb: Colour) -> float:
        linear = [
            c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4
            for c in rgb
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_header_has_the_brand_colour_and_the_logo(page, site):
    page.goto(url(site))
    header = page.locator("header.md-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == BRAND_RGB
    logo = page.locator("header.md-header .md-logo img")
    logo.wait_for(state="visible")
    assert logo.is_visible()
    assert logo.evaluate("img => img.complete && img.naturalWidth") > 0
    assert page.console_errors == []


def test_search_finds_a_threat_from_disk(page, site):
    page.goto(url(site))
    search(page, SEARCH_WORD)
    result = page.locator(f'.md-search-result__link[href*="{THREAT_PAGE}"]').first
    result.wait_for(state="visible", timeout=10_000)
    assert SEARCH_WORD in result.inner_text().lower()
    result.click()
    page.wait_for_url(re.compile(re.escape(THREAT_PAGE)))
    assert SEARCH_WORD in page.locator(".md-content h1").inner_text().lower()
    assert page.console_errors == []
    assert page.external_requests == []


def test_copy_button_copies_the_holding_statement(page, site):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(url(site, SCRIPT_PAGE))
    button = page.locator(".script pre [data-clipboard-target]").first
    button.wait_for(state="attached")
    assert (
        page.locator(".script pre [data-clipboard-target]").count()
        == page.locator(".script pre").count()
    )
    button.click()
    page.locator(".md-dialog").get_by_text("Copied").wait_for(state="visible")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert SCRIPT_TEXT in copied
    assert "[outlet]" in copied  # blanks stay visible as text
    assert "<mark" not in copied
    assert page.console_errors == []


def test_no_request_leaves_the_disk_and_no_console_errors(page, site):
    page.goto(url(site))
    search(page, "viral")
    page.locator(".md-search-result__link").first.wait_for(state="visible", timeout=10_000)
    for name in content_pages(site):
        page.goto(url(site, name))
        page.wait_for_load_state("load")
        assert page.locator("header.md-header").is_visible(), name
    assert page.external_requests == []
    assert page.console_errors == []


def test_content_security_policy_blocks_other_origins(page, site):
    finished: list[str] = []
    page.on("requestfinished", lambda request: finished.append(request.url))
    page.goto(url(site))
    outcome = page.evaluate(
        """() => new Promise(resolve => {
            document.addEventListener("securitypolicyviolation",
                e => resolve("blocked " + e.effectiveDirective));
            const img = new Image();
            img.onload = () => resolve("loaded");
            img.onerror = () => setTimeout(() => resolve("error"), 1000);
            img.src = "https://example.invalid/pixel.png";
        })"""
    )
    assert outcome == "blocked img-src"
    assert [u for u in finished if not u.startswith("file:")] == []
    assert any("Content Security Policy" in e for e in page.console_errors)
    local = page.evaluate(
        """() => new Promise(resolve => {
            const img = new Image();
            img.onload = () => resolve("loaded");
            img.onerror = () => resolve("error");
            img.src = "assets/logo.svg";
        })"""
    )
    assert local == "loaded"


def test_dark_mode_toggle_keeps_the_brand_and_a_readable_pdf_link(page, site):
    page.goto(url(site))
    body = page.locator("body")
    for scheme in ("default", "slate"):
        if body.get_attribute("data-md-color-scheme") != scheme:
            page.locator('form[data-md-component="palette"] label:visible').first.click()
            page.wait_for_function(
                f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'"
            )
        header = page.locator("header.md-header")
        assert header.evaluate("e => getComputedStyle(e).backgroundColor") == BRAND_RGB
        colours = page.evaluate(
            """() => ({
                link: getComputedStyle(document.querySelector(".cp-pdf")).color,
                banner: getComputedStyle(document.querySelector(".md-banner")).backgroundColor,
                page: getComputedStyle(document.body).backgroundColor,
            })"""
        )
        banner = flatten(colours["banner"], colours["page"])
        ratio = contrast(flatten(colours["link"], colours["page"]), banner)
        assert ratio >= 4.5, (scheme, colours, ratio)
    assert page.console_errors == []


def test_phone_home_page_fits_and_shows_the_first_screen(page, site):
    """At 390x844, without scrolling: who to call (tap to call), the first three steps, what
    to post first and links to the most severe threats; and no page scrolls sideways."""
    page.set_viewport_size(PHONE)
    for name in content_pages(site):
        page.goto(url(site, name))
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, (name, width)
    page.goto(url(site))
    content = page.locator(".md-content")
    first_screen = [
        content.locator(".cp-call a[href^='tel:']").first,
        content.locator("ol").first.locator("li").nth(2),
        content.locator(".cp-first"),
        content.locator("a[href*='response/food-safety']").first,
    ]
    for element in first_screen:
        box = element.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], element
    assert page.evaluate("window.scrollY") == 0
    assert page.console_errors == []
