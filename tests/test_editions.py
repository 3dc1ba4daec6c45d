"""Both editions of one client side by side: distinct folders, PDF names that say the edition,
and neither ever replacing the other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crisisplan.build import Options, build_handbook, prepare
from crisisplan.cli import cli
from crisisplan.model import pdf_name


@pytest.fixture
def clients(tmp_path, example_path) -> Path:
    """An agency's clients/ folder with an internal and a public copy of one client."""
    folder = tmp_path / "clients"
    folder.mkdir()
    shutil.copy(example_path.parent / "logo.svg", folder / "logo.svg")
    text = example_path.read_text(encoding="utf-8")
    assert "\n  edition: internal " in text
    (folder / "kopi.yaml").write_text(text, encoding="utf-8")
    (folder / "kopi-public.yaml").write_text(
        text.replace("\n  edition: internal ", "\n  edition: public ", 1), encoding="utf-8"
    )
    return folder


def personal_numbers(path: Path) -> list[str]:
    """The team's personal phone numbers as the site prints them."""
    _, hb, _ = prepare(path, ())
    return [p.phone for p in hb.team if p.phone]


def site_text(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(site.rglob("*.html")))


def run(*args: str) -> object:
    result = CliRunner().invoke(cli, ["build", *args])
    return result


def test_an_internal_and_a_public_copy_of_one_client_build_side_by_side(clients, tmp_path):
    out = tmp_path / "out"
    result = run(str(clients), "-o", str(out), "--no-pdf")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "kopi-nusantara",
        "kopi-nusantara-public",
    ]
    numbers = personal_numbers(clients / "kopi.yaml")
    assert numbers
    internal = site_text(out / "kopi-nusantara")
    public = site_text(out / "kopi-nusantara-public")
    assert all(n in internal for n in numbers)
    assert not [n for n in numbers if n in public]


def test_edition_both_builds_the_two_and_a_rebuild_of_one_leaves_the_other(clients, tmp_path):
    out = tmp_path / "out"
    result = run(str(clients / "kopi.yaml"), "-o", str(out), "--no-pdf", "--edition", "both")
    assert result.exit_code == 0, result.output
    assert "kopi.yaml (internal): built" in result.output
    assert "kopi.yaml (public): built" in result.output
    public_page = out / "kopi-nusantara-public" / "index.html"
    before = public_page.stat().st_mtime_ns
    again = run(str(clients / "kopi.yaml"), "-o", str(out), "--no-pdf", "--edition", "internal")
    assert again.exit_code == 0, again.output
    assert public_page.stat().st_mtime_ns == before
    assert "Confidential" not in public_page.read_text(encoding="utf-8")
    assert "Confidential" in (out / "kopi-nusantara" / "index.html").read_text(encoding="utf-8")


def test_edition_option_overrides_the_questionnaire(clients, tmp_path):
    result = build_handbook(
        clients / "kopi.yaml", tmp_path / "out", Options(pdf=False, edition="public")
    )
    assert result.output.name == "kopi-nusantara-public"
    numbers = personal_numbers(clients / "kopi.yaml")
    assert not [n for n in numbers if n in site_text(result.output)]


def test_two_copies_of_the_same_edition_are_refused_with_advice_that_fits(clients, tmp_path):
    shutil.copy(clients / "kopi.yaml", clients / "kopi-again.yaml")
    out = tmp_path / "out"
    result = run(str(clients), "-o", str(out), "--no-pdf")
    assert result.exit_code == 1
    assert "its internal edition would be built into kopi-nusantara/" in result.output
    assert "or build one as the other edition" in result.output
    assert (out / "kopi-nusantara-public" / "index.html").is_file()  # the others still build
    assert not (out / "kopi-nusantara").exists()


@pytest.mark.parametrize(
    ("language", "edition", "name"),
    [
        ("en", "internal", "kopi-nusantara-crisis-handbook-2026.2-internal"),
        ("en", "public", "kopi-nusantara-crisis-handbook-2026.2-public"),
        ("id", "internal", "kopi-nusantara-buku-panduan-krisis-2026.2-internal"),
        ("id", "public", "kopi-nusantara-buku-panduan-krisis-2026.2-public"),
    ],
)
def test_file_names_end_in_the_same_words_in_every_language(
    tmp_path, example_path, language, edition, name
):
    # Scripts find `*-internal.pdf`, `*-public.pdf` and `*-calendar.ics` whatever the language;
    # the words before the version are the handbook's.
    folder = tmp_path / "q"
    shutil.copytree(example_path.parent, folder)
    path = folder / "questionnaire.yaml"
    text = path.read_text(encoding="utf-8").replace("\n  language: en", f"\n  language: {language}")
    path.write_text(text.replace("edition: internal ", f"edition: {edition} ", 1))
    hb = prepare(path, ())[1]
    assert (hb.pdf, hb.calendar_file) == (f"{name}.pdf", f"{name}-calendar.ics")


def test_a_version_keeps_its_dots_and_loses_what_a_file_name_cannot_hold():
    assert pdf_name("Acme", "2026.2") == "acme-crisis-handbook-2026.2.pdf"
    assert pdf_name("Acme", "v1..2 / draft", edition="Public") == (
        "acme-crisis-handbook-v1.2-draft-public.pdf"
    )
    assert pdf_name("Acme", "...", edition="Internal") == "acme-crisis-handbook-1-internal.pdf"
