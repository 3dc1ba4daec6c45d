"""The code base stays typed and linted: mypy (strict) and ruff, as the README says."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "command",
    [
        ["ruff", "check", "generator", "tests", "benchmarks"],
        ["ruff", "format", "--check", "generator", "tests", "benchmarks"],
        ["mypy"],
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_clean(command):
    tool = BIN / command[0] if (BIN / command[0]).exists() else shutil.which(command[0])
    if tool is None:
        pytest.skip(f"{command[0]} is not installed")
    result = subprocess.run([str(tool), *command[1:]], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
