"""The tool's messages in the questionnaire's language: every message has every language."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from crisisplan import i18n

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
    ],
)
def test_the_language_is_read_before_the_yaml_is_parsed(text, language):
    assert i18n.sniff(text) == language
