"""A message that says what to install names a pip command that works where crisisplan is."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import crisisplan
from crisisplan import install
from crisisplan.cli import cli


def test_an_index_install_adds_the_extra_by_name() -> None:
    assert install.target("zensical", None) == "'crisisplan[zensical]'"


def test_a_checkout_in_the_current_folder_is_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    checkout = {"url": tmp_path.as_uri(), "dir_info": {}}
    assert install.target("zensical", checkout) == "'.[zensical]'"
    editable = {"url": tmp_path.as_uri(), "dir_info": {"editable": True}}
    assert install.target("zensical", editable) == "-e '.[zensical]'"


def test_a_checkout_elsewhere_is_its_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "my tools" / "crisisplan"
    checkout.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    found = {"url": checkout.as_uri(), "dir_info": {}}
    assert install.target("zensical", found) == "'./my tools/crisisplan[zensical]'"
    monkeypatch.chdir(checkout)
    assert install.target("zensical", {"url": tmp_path.as_uri(), "dir_info": {}}) == (
        f"'{tmp_path}[zensical]'"
    )


def test_a_wheel_or_a_repository_is_a_direct_reference() -> None:
    wheel = {"url": "file:///tmp/crisisplan-0.1.0-py3-none-any.whl", "archive_info": {}}
    assert install.target("zensical", wheel) == (
        "'crisisplan[zensical] @ file:///tmp/crisisplan-0.1.0-py3-none-any.whl'"
    )
    git = {
        "url": "https://example.org/agency/crisisplan.git",
        "vcs_info": {"vcs": "git", "commit_id": "abc123"},
    }
    assert install.target("zensical", git) == (
        "'crisisplan[zensical] @ git+https://example.org/agency/crisisplan.git@abc123'"
    )


def test_the_installed_distribution_is_read() -> None:
    # The suite runs crisisplan installed from this checkout: editable (pip install -e
    # '.[test]', as scripts/test.sh does) when it imports the checkout's own files.
    root = Path(__file__).resolve().parent.parent
    editable = Path(crisisplan.__file__).resolve().is_relative_to(root)
    assert install._direct_url() == {
        "url": root.as_uri(),
        "dir_info": {"editable": True} if editable else {},
    }


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A virtual environment's bin/ with its python and pip, the current folder above it."""
    folder = tmp_path / ".venv" / "bin"
    folder.mkdir(parents=True)
    for name in ("python", "pip"):
        (folder / name).write_text("#!/bin/sh\n")
        (folder / name).chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(folder / "python"))
    monkeypatch.chdir(tmp_path)
    return folder


def test_pip_is_pip_when_the_environment_is_active(env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", f"{env}{os.pathsep}/usr/bin")
    assert install.pip() == "pip"


def test_pip_is_the_environments_own_when_it_is_not(env: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", "/usr/bin")
    assert install.pip() == ".venv/bin/pip"
    (env / "pip").unlink()
    assert install.pip() == ".venv/bin/python -m pip"


def test_without_zensical_build_names_the_command_for_this_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, example: Path
) -> None:
    monkeypatch.setitem(sys.modules, "zensical", None)  # `import zensical` fails
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    for found, command in [
        ({"url": tmp_path.as_uri(), "dir_info": {}}, "pip install '.[zensical]'"),
        (None, "pip install 'crisisplan[zensical]'"),
    ]:
        monkeypatch.setattr(install, "_direct_url", lambda found=found: found)
        args = ["build", str(example), "-o", "out", "--engine", "zensical", "--no-pdf"]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert f"Error: the zensical engine is not installed: {command}." in (
            result.output.splitlines()
        )
        assert not (tmp_path / "out" / "kopi-nusantara").exists()
