"""Self-test of the browser fixtures in tests/browser_support.py.

The fixtures come from tests/conftest.py registering the plugin: pytest_plugins = ["browser_support"].
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_support import is_external

BUTTON_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>fixture self-test</title></head>
<body>
  <button id="go" type="button">Press</button>
  <p id="out"></p>
  <script>
    document.getElementById("go").addEventListener("click", () => {
      document.getElementById("out").textContent = "pressed";
    });
  </script>
</body>
</html>
"""

EXTERNAL_IMAGE_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>external</title></head>
<body><img src="http://example.invalid/x.png" alt=""></body>
</html>
"""


@pytest.mark.parametrize(
    ("url", "external"),
    [
        ("file:///tmp/site/index.html", False),
        ("data:text/html,hi", False),
        ("blob:null/1234", False),
        ("about:blank", False),
        ("http://example.invalid/x.png", True),
        ("https://unpkg.com/iframe-worker/shim", True),
        ("wss://example.invalid/socket", True),
    ],
)
def test_is_external(url: str, external: bool) -> None:
    assert is_external(url) is external


def test_local_page_has_no_errors_and_no_external_requests(page, tmp_path: Path) -> None:
    html = tmp_path / "index.html"
    html.write_text(BUTTON_PAGE, encoding="utf-8")

    page.goto(html.as_uri())
    page.click("#go")

    assert page.text_content("#out") == "pressed"
    assert page.console_errors == []
    assert page.external_requests == []


def test_external_request_and_console_error_are_recorded(page, tmp_path: Path) -> None:
    html = tmp_path / "external.html"
    html.write_text(EXTERNAL_IMAGE_PAGE, encoding="utf-8")

    page.goto(html.as_uri())
    page.evaluate("console.error('deliberate')")

    assert page.external_requests == ["http://example.invalid/x.png"]
    assert any("deliberate" in message for message in page.console_errors)
