"""Shared fixtures: the reference questionnaires and a helper that writes file trees."""

from __future__ import annotations

import datetime as dt
import os
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from crisisplan import resources

pytest_plugins = ["browser_support", "builds"]

#: The suite's "today". Every date a build takes from the calendar (a handbook's effective date
#: when its questionnaire gives none, the next review, the exercise calendar, the review
#: warnings) comes from ``SOURCE_DATE_EPOCH`` when it is set, so the suite pins it here, before
#: any test runs and for every process a test starts: the goldens and the warnings are the same
#: on any day. A test about the real date removes it (``monkeypatch.delenv``).
TODAY = dt.date(2026, 12, 1)
os.environ["SOURCE_DATE_EPOCH"] = str(
    int(dt.datetime.combine(TODAY, dt.time(), dt.UTC).timestamp())
)
#: Tests that need more than Python: each marker can be left out (``-m "not browser"``).
#: ``browser``: the test opens pages in Chromium (it asks for the ``page`` or ``browser``
#: fixture); ``pdf``: it typesets a PDF (its module is about the PDF, or it asks for the
#: reference build); ``slow``: set by the modules that build many handbooks.
BROWSER_FIXTURES = {"page", "browser"}
PDF_FIXTURES = {"reference_build", "pdf_path", "page_texts", "both", "attacked", "hostile"}
PDF_MODULES = {"test_pdf.py", "test_parts.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if names & PDF_FIXTURES or item.path.name in PDF_MODULES:
            item.add_marker(pytest.mark.pdf)


ROOT = Path(__file__).resolve().parent.parent
# The reference questionnaires shared by the whole project (a copy is bundled in content/).
SHARED = ROOT.parent / "shared" / "examples"

Tree = Mapping[str, str | bytes]


def write_tree(root: Path, files: Tree) -> Path:
    """Write ``{"relative/name": text}`` under ``root`` and return ``root``.

    Text is dedented (so it can be indented inside a test) and written as UTF-8; bytes are
    written as they are.
    """
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture(name="write_tree")
def write_tree_fixture() -> Callable[[Path, Tree], Path]:
    """``write_tree(tmp_path, {"questionnaire.yaml": '''...'''})``."""
    return write_tree


@pytest.fixture
def shared() -> Path:
    """``../shared/examples``; tests that use it skip where it is not checked out."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} does not exist")
    return SHARED


@pytest.fixture
def example() -> Path:
    """The bundled example questionnaire (content/examples/kopi-nusantara/questionnaire.yaml)."""
    return resources.example()
