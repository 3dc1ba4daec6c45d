"""The same generated project builds with Zensical, Material's successor (``--engine zensical``)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from crisisplan.cli import cli

pytest.importorskip("zensical", reason="the optional zensical engine is not installed")


def test_reference_builds_with_zensical(tmp_path, example_path):
    result = CliRunner().invoke(
        cli, ["build", str(example_path), "-o", str(tmp_path), "--engine", "zensical", "--no-pdf"]
    )
    assert result.exit_code == 0, result.output
    site = tmp_path / "kopi-nusantara"
    pages = list(site.rglob("*.html"))
    assert len(pages) >= 15
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "In a crisis now?" in home
    assert "Confidential: internal edition" in home  # the theme override's announce block
    assert "assets/stylesheets/brand.css" in home
    assert "#5B3A29" in (site / "assets" / "stylesheets" / "brand.css").read_text(encoding="utf-8")
    assert (site / "assets" / "logo.svg").is_file()
    threat = (site / "response" / "food-safety.html").read_text(encoding="utf-8")
    assert "Their health comes first" in threat
