"""Session fixtures that build whole handbooks once and share them between test files."""

from __future__ import annotations

from pathlib import Path

import pytest

from crisisplan import resources
from crisisplan.build import Result, build_handbook, prepare

SHARED = Path(__file__).resolve().parents[2] / "shared" / "examples"


@pytest.fixture(scope="session")
def example_path() -> Path:
    """The bundled reference questionnaire (a copy of shared/examples/kopi-nusantara)."""
    return resources.example()


@pytest.fixture(scope="session")
def reference_build(tmp_path_factory: pytest.TempPathFactory, example_path: Path) -> Result:
    """The reference questionnaire built once: site and PDF."""
    monkey = pytest.MonkeyPatch()
    monkey.setenv("SOURCE_DATE_EPOCH", "1764547200")
    try:
        return build_handbook(example_path, tmp_path_factory.mktemp("reference"))
    finally:
        monkey.undo()


@pytest.fixture(scope="session")
def reference_pages(example_path: Path) -> dict[str, str]:
    """The reference questionnaire's rendered Markdown pages."""
    return prepare(example_path)[2]


@pytest.fixture(scope="session")
def minimal_pages() -> dict[str, str]:
    return prepare(resources.content_dir() / "examples" / "minimal.yaml")[2]
