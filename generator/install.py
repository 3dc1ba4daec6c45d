"""How crisisplan was installed, so that a message can name the pip command that adds an
optional part to this very installation."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

DISTRIBUTION = "crisisplan"


def pip_install(extra: str) -> str:
    """The command that installs crisisplan's ``extra`` where crisisplan is installed:
    ``pip install '.[zensical]'`` for a checkout installed from the current folder,
    ``pip install 'crisisplan[zensical]'`` for an install from an index."""
    return f"{pip()} install {target(extra, _direct_url())}"


def pip() -> str:
    """``pip`` when the first pip on ``PATH`` is this environment's, else the path of this
    environment's (``.venv/bin/pip``: the quick start does not activate the venv)."""
    folder = Path(sys.executable).parent
    own = shutil.which("pip", path=str(folder))
    if own is None:
        return f"{shlex.quote(_shown(Path(sys.executable)))} -m pip"
    first = shutil.which("pip")
    if first is not None and os.path.samefile(first, own):
        return "pip"
    return shlex.quote(_shown(Path(own)))


def target(extra: str, direct_url: dict[str, object] | None) -> str:
    """What ``pip install`` is given to add ``extra``, from the distribution's
    ``direct_url.json`` (PEP 610; ``None`` for an install from an index)."""
    url = direct_url.get("url") if direct_url else None
    if direct_url is None or not isinstance(url, str):
        return shlex.quote(f"{DISTRIBUTION}[{extra}]")
    dir_info = direct_url.get("dir_info")
    parsed = urlparse(url)
    if isinstance(dir_info, dict) and parsed.scheme == "file":
        where = shlex.quote(f"{_shown(Path(unquote(parsed.path)))}[{extra}]")
        return f"-e {where}" if dir_info.get("editable") else where
    vcs_info = direct_url.get("vcs_info")
    if isinstance(vcs_info, dict) and isinstance(vcs_info.get("vcs"), str):
        commit = vcs_info.get("requested_revision") or vcs_info.get("commit_id")
        url = f"{vcs_info['vcs']}+{url}" + (f"@{commit}" if commit else "")
    return shlex.quote(f"{DISTRIBUTION}[{extra}] @ {url}")


def _direct_url() -> dict[str, object] | None:
    # Every crisisplan on the path, not the first: in a checkout, `python -m crisisplan` finds
    # the build's crisisplan.egg-info in the current folder first, which has no direct_url.json.
    for dist in metadata.distributions(name=DISTRIBUTION):
        try:
            text = dist.read_text("direct_url.json")
            data = json.loads(text) if text else None
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            return data
    return None


def _shown(path: Path) -> str:
    """``path`` as the user would type it here: ``.`` for the current folder, relative below
    it (``./`` first unless it starts with a dot, so pip takes it for a path), absolute
    elsewhere."""
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    shown = relative.as_posix()
    return shown if shown.startswith(".") else f"./{shown}"
