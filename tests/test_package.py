"""The wheel carries the content, the themes and the base mkdocs.yml, and works from there."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pikepdf
import pytest

ROOT = Path(__file__).resolve().parent.parent
# Left out of the copy the wheel is built from: at the top, and anywhere.
TOP_SKIP = {".git", ".venv", ".hypothesis", "build", "dist", "site"}
ANY_SKIP = shutil.ignore_patterns("__pycache__", "*_cache", "*.egg-info", "node_modules")


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


@pytest.mark.slow
def test_protect_works_right_after_installing_the_wheel(wheel: Path, tmp_path: Path) -> None:
    # The quick start's `pip install .` in a fresh venv, then `build --protect`: no extra needed.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    bin_ = venv / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    done = subprocess.run(
        [str(bin_ / "python"), "-m", "pip", "install", "-q", "--no-compile", str(wheel)],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    passphrase = "kopi tubruk at dawn, twice"
    done = subprocess.run(
        [str(bin_ / "crisisplan"), "build", "--protect", "-o", "out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "CRISISPLAN_PASSPHRASE": passphrase},
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = tmp_path / "out" / "kopi-nusantara"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert re.search(
        r'<div id="mkdocs-encrypted-content" style="display:none">[A-Za-z0-9+/=]+;', home
    )
    index = (site / "search" / "search_index.js").read_text(encoding="utf-8")
    assert '"docs":[]' in index and '"encrypted":{"crisisplan-kopi-nusantara-1":' in index
    (pdf,) = site.glob("*.pdf")
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(pdf)
    with pikepdf.open(pdf, password=passphrase) as doc:
        assert doc.encryption.R == 6
