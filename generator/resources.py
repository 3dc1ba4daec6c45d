"""Where the built-in content, themes and base mkdocs.yml live, installed or in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent


@cache
def root() -> Path:
    """The folder holding ``content/``, ``themes/`` and ``mkdocs.yml``.

    In a wheel they are installed inside the package; in a checkout (and an editable install)
    they sit at the top of the repository, beside ``generator/``.
    """
    if (_HERE / "content").is_dir():
        return _HERE
    return _HERE.parent


def content_dir() -> Path:
    return root() / "content"


def themes_dir() -> Path:
    return root() / "themes"


def base_config() -> Path:
    installed = _HERE / "base" / "mkdocs.yml"
    return installed if installed.is_file() else root() / "mkdocs.yml"


def example() -> Path:
    """The bundled example questionnaire that ``crisisplan build`` uses without a FILE."""
    return content_dir() / "examples" / "kopi-nusantara" / "questionnaire.yaml"
