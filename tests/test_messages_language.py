"""The tool's messages in the questionnaire's language: every message has every language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from crisisplan import i18n
from crisisplan.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIELD = re.compile(r"\{(\w*)[^{}]*\}")


def fields(text: str) -> set[str]:
    """The ``{name}`` fields of a message (``{value!r}`` and ``{n:,}`` count as their name)."""
    return set(FIELD.findall(text.replace("{{", "").replace("}}", "")))


def test_the_catalogs_are_up_to_date_with_the_code():
    """scripts/messages.py has been run: the template and each catalog hold every message the
    code has, and none it no longer has."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "messages.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_messages_are_found_in_the_code():
    messages = dict(i18n.extract())
    assert len(messages) > 100  # the code's messages are wrapped, not only a few of them
    assert any(isinstance(m, tuple) for m in messages)  # plurals go through ngettext


@pytest.mark.parametrize("language", [code for code in i18n.languages() if code != "en"])
def test_every_message_has_a_translation_with_the_same_fields(language):
    with i18n.catalog_path(language).open("rb") as handle:
        catalog = read_po(handle, locale=language)
    missing, fuzzy, mismatched = [], [], []
    for message, where in i18n.extract():
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        forms = (
            []
            if entry is None
            else (list(entry.string) if isinstance(entry.string, (list, tuple)) else [entry.string])
        )
        if not forms or not all(forms):
            missing.append(f"{where}: {message!r}")
            continue
        if entry.fuzzy:
            fuzzy.append(f"{where}: {message!r}")
        wanted = fields(message[0] if isinstance(message, tuple) else message)
        if isinstance(message, tuple):
            wanted |= fields(message[1])
        for form in forms:
            # a translation keeps every field (it may drop {n} where the language needs no number)
            if fields(form) - wanted or wanted - fields(form) - {"n"}:
                mismatched.append(f"{where}: {message!r} -> {form!r}")
    assert not missing, "no translation:\n" + "\n".join(missing)
    assert not fuzzy, "fuzzy (to review):\n" + "\n".join(fuzzy)
    assert not mismatched, "fields differ:\n" + "\n".join(mismatched)


def test_english_is_the_default_and_needs_no_catalog():
    assert i18n.current() == "en"
    assert i18n._("{x} is {y}", x=1, y=2) == "1 is 2"
    with i18n.speaking("xx"):  # a language with no catalog speaks English
        assert i18n.current() == "en"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("handbook:\n  language: id\n", "id"),
        ("handbook: {language: id, edition: public}\n", "id"),
        ('handbook:\n  language: "id"  # Bahasa Indonesia\n', "id"),
        ("handbook:\n  language: en\n", "en"),
        ("company: {name: Acme}\n", "en"),
        ("handbook:\n  language: xx\n", "en"),
        ("# language: id\nhandbook:\n  language: en\n", "en"),
        ("handbook:\n  # language: id\n  language: en  # not id\n", "en"),
        ("company:\n  summary: 'the language: id of the site'\nhandbook:\n  version: 1\n", "en"),
        ("company:\n  name: Toko\nhandbook:\n  version: 1\n  language: id\n", "id"),
    ],
)
def test_the_language_is_read_before_the_yaml_is_parsed(text, language):
    assert i18n.sniff(text) == language


# -- what a user sees, in both languages ----------------------------------------------------------

EN = "company:\n  name: Toko Maju\nhandbook:\n  effective: 15/12/2026\n  review_every: 6 moons\n"
ID = EN.replace("handbook:\n", "handbook:\n  language: id\n")


def invoke(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            EN,
            [
                "q.yaml:4:14: handbook.effective: '15/12/2026' is not a date: write YYYY-MM-DD,"
                " such as 2026-12-01",
                "q.yaml:5:17: handbook.review_every: '6 moons' is not a duration: write a number"
                " and a unit, such as 30m, 2h, 3d, 2w or 6 months",
                "Error: 2 errors in q.yaml.",
            ],
        ),
        (
            ID,
            [
                "q.yaml:5:14: handbook.effective: '15/12/2026' bukan tanggal: tulis TTTT-BB-HH,"
                " misalnya 2026-12-01",
                "q.yaml:6:17: handbook.review_every: '6 moons' bukan durasi: tulis angka dan"
                " satuan, misalnya 30 menit, 2 jam, 3 hari, 2 minggu atau 6 bulan",
                "Error: 2 kesalahan di q.yaml.",
            ],
        ),
    ],
)
def test_validate_speaks_the_questionnaires_language(tmp_path, text, expected):
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    code, output = invoke("validate", tmp_path / "q.yaml")
    assert code == 1
    assert output.replace(str(tmp_path) + "/", "").splitlines() == expected


def test_a_yaml_error_and_a_misspelt_key_are_in_the_questionnaires_language(tmp_path):
    path = tmp_path / "q.yaml"
    path.write_text("handbook: {language: id}\ncompany:\n  name: 'Toko\n", encoding="utf-8")
    assert (
        "teks bertanda kutip ini tidak ditutup: tambahkan tanda kutip penutup"
        in (invoke("validate", path)[1])
    )
    path.write_text("handbook: {language: id}\ncompany:\n  nmae: Toko\n", encoding="utf-8")
    lines = invoke("validate", path)[1].splitlines()
    assert lines[0].endswith("company.nmae: kunci 'nmae' tidak dikenal: maksud Anda 'name'?")


def test_warnings_and_the_summary_are_in_each_clients_language(tmp_path):
    """A batch of an English and an Indonesian client: each client's lines in its language, the
    lines about the whole batch in English (the clients share none); an Indonesian batch has
    them in Indonesian."""
    (tmp_path / "en.yaml").write_text("company: {name: Acme}\n", encoding="utf-8")
    (tmp_path / "id.yaml").write_text(
        "handbook: {language: id}\ncompany: {name: Toko}\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    code, mixed = invoke("build", tmp_path / "en.yaml", tmp_path / "id.yaml", "-o", out, "--no-pdf")
    assert code == 0, mixed
    assert "warning: company: no team is listed: the handbook prints blanks" in mixed
    assert "peringatan: company: tim belum ditulis: buku panduan mencetak isian kosong" in mixed
    assert "id.yaml: dibangun dalam " in mixed and "en.yaml: built in " in mixed
    assert "2 built or up to date, 0 failed" in mixed
    code, alone = invoke("build", tmp_path / "id.yaml", "-o", out, "--no-pdf")
    assert code == 0, alone
    assert f"Membangun ke {out}/ ..." in alone
    assert "id.yaml: sudah terbaru" in alone
    header = next(line for line in alone.splitlines() if line.startswith("klien"))
    assert header.split() == ["klien", "halaman", "PDF", "peringatan", "waktu", "status"]
    assert "1 dibangun atau sudah terbaru, 0 gagal" in alone


def test_init_speaks_the_language_it_writes(tmp_path):
    code, output = invoke("init", tmp_path / "toko.yaml", "--language", "id")
    assert code == 0
    assert (
        output.splitlines()[1]
        == f"Isi kuesionernya, lalu jalankan: crisisplan validate {tmp_path / 'toko.yaml'}"
    )
    code, output = invoke("validate", tmp_path / "toko.yaml")
    assert "masih contoh dari templat awal" in output and "still the starter" not in output
    code, output = invoke("init", tmp_path / "toko.yaml", "--language", "id")
    assert output.strip() == f"Error: {tmp_path / 'toko.yaml'} sudah ada; tidak ada yang ditulis."
