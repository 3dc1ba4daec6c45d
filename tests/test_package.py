"""The wheel carries the content, the themes and the base mkdocs.yml, and works from there."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Left out of the copy the wheel is built from: at the top, and anywhere.
TOP_SKIP = {".git", ".venv", ".hypothesis", "build", "dist", "site"}
ANY_SKIP = shutil.ignore_patterns("__pycache__", "*_cache", "*.egg-info")


def ignore(folder: str, names: list[str]) -> set[str]:
    top = TOP_SKIP if Path(folder) == ROOT else set()
    return top.intersection(names) | ANY_SKIP(folder, names)


def repo_files(folder: str) -> set[str]:
    """Files under ``folder`` of the checkout, as paths inside the wheel's ``crisisplan/``."""
    return {
        f"crisisplan/{path.relative_to(ROOT).as_posix()}"
        for path in (ROOT / folder).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy, so the build leaves no build/ or *.egg-info in the checkout.
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=ignore)
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp / "dist"), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (path,) = (tmp / "dist").glob("crisisplan-*.whl")
    return path


@pytest.mark.slow
def test_wheel_contents(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in (
        "crisisplan/__init__.py",
        "crisisplan/py.typed",
        "crisisplan/content/en/defaults.yaml",
        "crisisplan/content/en/strings.yaml",
        "crisisplan/content/en/starter.yaml",
        "crisisplan/content/examples/kopi-nusantara/questionnaire.yaml",
        "crisisplan/content/examples/kopi-nusantara/logo.svg",
        "crisisplan/base/mkdocs.yml",
    ):
        assert name in names, name
    assert repo_files("content") - names == set()
    assert repo_files("themes") - names == set()
    assert not any(name.startswith(("tests/", "docs/", "crisisplan/tests/")) for name in names)


@pytest.mark.slow
def test_wheel_works_without_the_checkout(wheel: Path, tmp_path: Path) -> None:
    # A pure-Python wheel unpacked is installed: run from there, far from the checkout.
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    script = (
        "import crisisplan, crisisplan.resources as r\n"
        "from crisisplan.questionnaire import load_questionnaire\n"
        "print(crisisplan.__file__)\n"
        "print(r.base_config())\n"
        "print(load_questionnaire(r.example()).questionnaire.company.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        str(site / "crisisplan" / "__init__.py"),
        str(site / "crisisplan" / "base" / "mkdocs.yml"),
        "Kopi Nusantara",
    ]
