"""Pytest plugin: a headless Chromium driven by Playwright, for tests of the built site.

Register it from ``tests/conftest.py`` with ``pytest_plugins = ["browser_support"]``.

It uses Debian's browser (``/usr/bin/chromium``, from ``apt-get install chromium``) through
Playwright's ``executable_path``, so ``playwright install`` (a browser download) is never
needed. Without that browser the tests that use these fixtures are skipped, unless the
environment variable ``CI`` is set (as CI does), where they fail instead.

Fixtures:

``browser``
    Session-scoped ``playwright.sync_api.Browser``.
``page``
    A fresh ``playwright.sync_api.Page`` in its own browser context, with two extra
    attributes filled while the test runs:

    ``page.console_errors``
        One string per console message of type ``error`` and per uncaught JavaScript
        exception (``"uncaught: ..."``), from any page of the context.
    ``page.external_requests``
        The URL of every request whose scheme is not ``file:``, ``data:``, ``blob:`` or
        ``about:`` (requests are recorded, not blocked).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCAL_SCHEMES = frozenset({"file", "data", "blob", "about"})


@contextlib.contextmanager
def serving(directory: Path, error_page: Path | None = None) -> Iterator[str]:
    """Serve ``directory`` over HTTP on a free local port, as a host would; yield its address
    (``http://127.0.0.1:PORT``, no slash at the end). With ``error_page``, a missing address
    gets that page with status 404, at the address asked for, as hosts do."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            if code != 404 or error_page is None:
                return super().send_error(code, message, explain)
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(error_page.read_bytes())
            return None

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def search(page: Page, word: str) -> None:
    """Type into Material's search box as a person would (it listens to key events)."""
    box = page.locator(".md-search__input")
    button = page.locator('label.md-header__button[for="__search"]')
    if button.is_visible():  # phones: the box opens from the header's search button
        button.click()
        box.wait_for(state="visible")
    else:
        box.click()
    box.press_sequentially(word, delay=30)


def in_ci() -> bool:
    """True when the environment variable CI is set to anything but an empty/false value."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def is_external(url: str) -> bool:
    """True for a URL that would leave the machine's files (http:, https:, ws:, ...)."""
    return urlsplit(url).scheme.lower() not in LOCAL_SCHEMES


def unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is an error, not a skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the Python package playwright is missing: pip install -e '.[test]'")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    console_errors: list[str] = []
    external_requests: list[str] = []

    def on_console(message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            where = location.get("url") or ""
            if where:
                where = f" ({where}:{location.get('lineNumber', 0)})"
            console_errors.append(f"{message.text}{where}")

    def on_web_error(web_error: Any) -> None:
        console_errors.append(f"uncaught: {web_error.error}")

    def on_request(request: Any) -> None:
        if is_external(request.url):
            external_requests.append(request.url)

    context.on("console", on_console)
    context.on("weberror", on_web_error)
    context.on("request", on_request)
    new_page = context.new_page()
    new_page.console_errors = console_errors  # type: ignore[attr-defined]
    new_page.external_requests = external_requests  # type: ignore[attr-defined]
    try:
        yield new_page
    finally:
        context.close()
