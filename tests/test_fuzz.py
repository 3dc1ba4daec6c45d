"""Fuzzing the questionnaire model: random valid questionnaires build, random text stays text.

The questionnaires are drawn from the schema (tests/questionnaires.py): every field of the
model, present or not, with random text and references that resolve.
"""

from __future__ import annotations

import html
import re
import string
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import tinyhtml5
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from questionnaires import ID_SECTIONS, Drawn, questionnaire

from crisisplan.build import Options, build_handbook, prepare
from crisisplan.choices import LANGUAGES
from crisisplan.pdf.html import print_html
from crisisplan.questionnaire import load_questionnaire
from crisisplan.text import PLACEHOLDER
from crisisplan.types import clean

# Printable text with the characters that mean something to Markdown, HTML and Jinja.
ALPHABET = string.ascii_letters + string.digits + " <>&\"'`*_[](){}#!|~=:-+.\\/@%;$^" + "éçİ☕"
TEXT = st.text(ALPHABET, min_size=1, max_size=40).filter(
    lambda s: s.strip() and not s.startswith(" ")
)


@st.composite
def questionnaires(draw) -> tuple[dict, list[str]]:
    """A random valid questionnaire made from the schema: every field may be there or not,
    every text is random, every reference resolves. Returns it and the texts it holds."""
    maker = Drawn(draw, TEXT)
    sizes = {section: draw(st.integers(1, 3)) for section in ID_SECTIONS}
    edition = draw(st.sampled_from(["internal", "public"]))
    data = questionnaire(
        maker, language=draw(st.sampled_from(LANGUAGES)), edition=edition, sizes=sizes
    )

    def shown(path: tuple, value: str) -> bool:
        # Placeholders in statements become blanks, not the text as written.
        if {"holding_statement", "messages"} & set(map(str, path)) and PLACEHOLDER.search(value):
            return False
        # The public edition leaves out the contacts that are a person's.
        if edition == "public" and path[0] == "contacts":
            return data["contacts"][path[1]].get("personal", True) is False
        return True

    texts = [value for path, value in maker.written.items() if shown(path, value)]
    return data, texts


@contextmanager
def written(data: dict) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="crisisplan-fuzz-") as folder:
        path = Path(folder) / "questionnaire.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        yield path


def live_elements(markup: str) -> list[str]:
    document = tinyhtml5.parse(f"<div>{markup}</div>")
    found = []
    for el in document.iter():
        if not isinstance(el.tag, str):  # a comment
            continue
        tag = el.tag.rsplit("}", 1)[-1]
        if tag in ("script", "iframe", "img", "style", "object", "embed", "form", "base", "meta"):
            found.append(tag)
        for name, value in el.attrib.items():
            if name.lower().startswith("on") or (
                name in ("href", "src")
                and re.match(r"\s*(javascript|data|file|vbscript):", value, re.I)
            ):
                found.append(f"{tag}[{name}={value}]")
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_random_text_stays_inert_and_literal(drawn):
    data, texts = drawn
    with written(data) as path:
        loaded, hb, pages = prepare(path)
        document = print_html(hb, pages, folder=loaded.folder)
    body = document.split("<body>", 1)[1]
    assert live_elements(body) == []
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    squashed = text.replace(" ", "")
    for value in texts:
        assert clean(value).replace(" ", "") in squashed, value


@pytest.mark.slow
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires(), st.booleans())
def test_every_questionnaire_that_validates_builds(drawn, pdf):
    """``validate`` passing means ``build`` succeeds: the site, and the PDF too for some."""
    data, _ = drawn
    with written(data) as path:
        load_questionnaire(path)  # valid: raises nothing
        result = build_handbook(path, path.parent / "out", Options(pdf=pdf))
        assert (result.output / "index.html").is_file()
        assert (result.pdf is not None and result.pdf.is_file()) == pdf
        for page in result.output.rglob("*.html"):
            document = page.read_text(encoding="utf-8")
            article = document.split('class="md-content__inner', 1)[-1].split("</article>", 1)[0]
            assert live_elements(article) == [], page
