"""Both editions of one client side by side: distinct folders, PDF names that say the edition,
and neither ever replacing the other."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdf
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


LEAKY = """\
company:
  name: Toko Maju
  hotline: "+62 21 5000 1234"
handbook:
  edition: {edition}
team:
  - id: lead
    role: Crisis lead
    name: Sari
    phone: "+62 812 1000 2000"
    email: sari@tokomaju.example
    duties:
      - Declares a crisis; call her on 0812-1000-2000 or (0812) 1000 2000 at night
      - Mail SARI@tokomaju.example, or ring the hotline +62 21 5000 1234
      - Orders 62812 and 2026-12-01 stay as they are
contacts:
  - kind: counsel
    name: Budi Santoso
    phone: "0813 7000 8000"
    note: Budi's mobile is +62 813-7000-8000
  - kind: other
    name: Press desk
    email: press@tokomaju.example
    personal: false
    note: Write to press@tokomaju.example
threats:
  - id: outage
    title: The app is down
    kind: outage
    likelihood: 3
    impact: 4
    holding_statement: >-
      We know the app is down. Questions: sari@tokomaju.example.
"""


def test_a_personal_number_or_address_in_free_text_is_masked_in_the_public_edition(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(LEAKY.format(edition="public"), encoding="utf-8")
    result = build_handbook(path, tmp_path / "out", Options())
    pdf = "\n".join(page.extract_text() for page in pypdf.PdfReader(result.pdf).pages)
    site = site_text(result.output)
    for published in (site, pdf):
        squashed = published.replace("\n", " ")
        for leaked in ("1000-2000", "1000 2000", "7000-8000", "7000 8000", "sari@", "SARI@"):
            assert leaked not in squashed
        assert "[personal contact withheld]" in squashed
        assert "+62 21 5000 1234" in squashed  # the hotline is the company's
        assert "press@tokomaju.example" in squashed  # so is the press desk
        assert "62812 and 2026-12-01 stay" in squashed
    mask = "the public edition prints '[personal contact withheld]' in its place: write a role or the company's hotline instead"
    assert sorted(str(w) for w in result.warnings if "personal" in w.message) == [
        f"{path}:13:9: warning: team[0].duties[0]: the personal phone number of 'Sari'"
        f" (team[0].phone) is written here; {mask}",
        f"{path}:14:9: warning: team[0].duties[1]: the personal e-mail address of 'Sari'"
        f" (team[0].email) is written here; {mask}",
        f"{path}:20:11: warning: contacts[0].note: the personal phone number of 'Budi Santoso'"
        f" (contacts[0].phone) is written here; {mask}",
        f"{path}:32:24: warning: threats[0].holding_statement: the personal e-mail address of"
        f" 'Sari' (team[0].email) is written here; {mask}",
    ]


def test_the_internal_edition_keeps_the_numbers_written_in_its_texts(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text(LEAKY.format(edition="internal"), encoding="utf-8")
    loaded, _, pages = prepare(path, ())
    assert not [w for w in loaded.warnings if "personal" in w.message]
    assert "call her on 0812-1000-2000" in loaded.questionnaire.team[0].duties[0]
    assert "withheld" not in "".join(pages.values())


def test_the_indonesian_public_edition_masks_in_its_own_language(tmp_path):
    path = tmp_path / "q.yaml"
    text = LEAKY.format(edition="public").replace("  edition:", "  language: id\n  edition:")
    path.write_text(text, encoding="utf-8")
    loaded, _, _ = prepare(path, ())
    assert loaded.questionnaire.team[0].duties[0] == (
        "Declares a crisis; call her on [kontak pribadi disembunyikan] or"
        " [kontak pribadi disembunyikan] at night"
    )
