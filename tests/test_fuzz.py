"""Fuzzing the questionnaire model: random valid questionnaires build, random text stays text.

The questionnaires are drawn from the schema (tests/questionnaires.py): every field of the
model, present or not, with random text and references that resolve. Each text is written
plain, quoted, folded (``>``, ``>-``) or literal (``|``, ``|-``), over one line or several; the
hostile ones also hold control characters (C0, DEL, C1), which YAML writes as escapes.
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
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from questionnaires import ID_SECTIONS, Drawn, questionnaire

from crisisplan.build import Options, build_handbook, export_project, prepare
from crisisplan.choices import LANGUAGES
from crisisplan.errors import QuestionnaireError
from crisisplan.loader import CONTROL, dotted
from crisisplan.pdf.html import print_html
from crisisplan.questionnaire import load_questionnaire
from crisisplan.text import PLACEHOLDER
from crisisplan.types import clean

# Printable text with the characters that mean something to Markdown, HTML and Jinja.
ALPHABET = string.ascii_letters + string.digits + " <>&\"'`*_[](){}#!|~=:-+.\\/@%;$^" + "éçİ☕"
WORDS = st.text(ALPHABET, min_size=1, max_size=40).filter(
    lambda s: s.strip() and not s.startswith(" ")
)
#: C0 but tab and line feed (CR is a line break), DEL and C1, NEL and CSI among them.
CONTROLS = [chr(c) for c in range(0xA0) if CONTROL.match(chr(c))]
STYLES = [None, '"', ">", "|"]


class Styled(str):
    """A text and how the YAML writes it: plain (None), quoted, folded or literal. PyYAML
    chooses the chomping (``>`` or ``>-``) from the text's end, and quotes a text it cannot
    write in the style asked, with escapes for its control characters."""

    style: str | None = None


def styled(text: str, style: str | None) -> Styled:
    out = Styled(text)
    out.style = style
    return out


class Dumper(yaml.SafeDumper):
    pass


Dumper.add_representer(
    Styled, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", str(s), style=s.style)
)

#: One line, maybe with the line break a block leaves at its end.
ONE_LINE = st.builds(
    styled, st.tuples(WORDS, st.sampled_from(["", "\n"])).map("".join), st.sampled_from(STYLES)
)
#: One to three lines, for the texts that may hold several.
LINES = st.builds(
    styled,
    st.tuples(
        st.lists(WORDS, min_size=1, max_size=3).map("\n".join), st.sampled_from(["", "\n"])
    ).map("".join),
    st.sampled_from(STYLES),
)


@st.composite
def hostile_text(draw, controls: bool) -> Styled:
    """Lines, maybe with a CR or a CRLF somewhere in them, or with ``controls`` a control
    character."""
    text = str(draw(LINES))
    breaks = st.sampled_from(["\r", "\r\n"])
    insert = draw(st.one_of(st.none(), breaks, *([st.sampled_from(CONTROLS)] if controls else [])))
    if insert is not None:
        at = draw(st.integers(0, len(text)))
        text = text[:at] + insert + text[at:]
    # Quoted, so that YAML writes every control character as an escape (NEL written raw is a
    # line break, not a character).
    return styled(text, '"' if CONTROL.search(text) else draw(st.sampled_from(STYLES)))


@st.composite
def questionnaires(draw, hostile: bool = False) -> tuple[dict, list[str]]:
    """A random valid questionnaire made from the schema: every field may be there or not,
    every text is random, every reference resolves. Returns it and the texts it holds.
    ``hostile``: every text may hold what a one-line field or any field refuses, or (in half
    the questionnaires) only line ends that every field takes."""
    if not hostile:
        maker = Drawn(draw, LINES, ONE_LINE)
    elif draw(st.booleans()):
        maker = Drawn(draw, hostile_text(controls=True))
    else:
        maker = Drawn(draw, hostile_text(controls=False), ONE_LINE)
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

    if hostile:
        return data, refusals(maker, data.get("handbook", {}).get("language", "en"))
    return data, [value for path, value in maker.written.items() if shown(path, value)]


@contextmanager
def written(data: dict) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="crisisplan-fuzz-") as folder:
        path = Path(folder) / "questionnaire.yaml"
        written = yaml.dump(data, Dumper=Dumper, allow_unicode=True)
        assert yaml.safe_load(written) == data  # the YAML says what was drawn
        path.write_text(written, encoding="utf-8")
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
        assert "".join(clean(value).split()) in squashed, value


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


#: What validate says of a control character and of a line break in a one-line text, in the
#: questionnaire's language.
REFUSED = {
    "en": ("character U+{:04X} is not allowed", "is one line"),
    "id": ("karakter U+{:04X} tidak diizinkan", "harus satu baris"),
}


def refusals(maker: Drawn, language: str = "en") -> dict[str, str]:
    """What validate must refuse in the drawn texts, by field: a control character anywhere,
    a line break inside a one-line text (what is left once its end is dropped)."""
    control, one_line = REFUSED[language]
    out = {}
    for path, value in maker.written.items():
        found = CONTROL.search(value)
        lines = value.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
        if found:
            out[dotted(path)] = control.format(ord(found.group()))
        elif path in maker.one_line and "\n" in lines:
            out[dotted(path)] = one_line
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires(hostile=True))
def test_validate_refuses_in_one_line_or_the_project_is_made(drawn):
    """Whatever the text, validate does not crash: it refuses each control character and each
    line break in a one-line field, one line each, or the handbook's project is written."""
    data, expected = drawn
    with written(data) as path:
        try:
            load_questionnaire(path)
        except QuestionnaireError as exc:
            event("refused")
            lines = exc.format_message().splitlines()
            assert all(line.isprintable() for line in lines)
            assert lines[-1].startswith("Error: ")
            assert all(re.match(rf"{re.escape(str(path))}:\d+:\d+: ", line) for line in lines[:-1])
            errors: dict[str, list[str]] = {}
            for p in exc.problems:  # a field may be refused twice (a control and a line break)
                if not p.warning:
                    errors.setdefault(p.path, []).append(p.message)
            assert set(errors) == set(expected), lines
            for field, why in expected.items():
                assert any(why in message for message in errors[field]), (field, errors[field])
        else:
            event("valid")
            assert expected == {}
            export_project(path, path.parent / "project")
