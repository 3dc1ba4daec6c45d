"""Properties of the loader: any text survives exactly, and no input can crash it."""

from __future__ import annotations

import unicodedata

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crisisplan.errors import QuestionnaireError
from crisisplan.loader import CONTROL, load_bytes
from crisisplan.schema import Questionnaire
from crisisplan.types import clean

# Any text a user could type (surrogates cannot be encoded; control characters but tab and
# line feed are refused, tested below), as long as it is not blank once the invisible format
# characters are removed.
texts = st.text(
    st.characters(exclude_categories=["Cs", "Cc"], include_characters="\t\n"), max_size=1000
).filter(lambda s: clean(s).strip() != "")
#: What the loader refuses even written as an escape: C0 but tab, LF and CR; DEL; C1.
CONTROLS = [chr(c) for c in range(0xA0) if CONTROL.match(chr(c))]

# Bytes that look a lot like YAML, so the parser goes deeper than it does with random noise.
yamlish = st.text(
    st.sampled_from([*"abc019 -:#[]{},&*!|>'\"?%@`\t\n\r\x00\x07\\", "é", "\ufeff", "\x85"])
).map(lambda s: s.encode("utf-8"))


@settings(max_examples=200, deadline=None)
@given(summary=texts, values=st.lists(texts, max_size=3))
def test_any_text_survives_loading_exactly(summary: str, values: list[str]) -> None:
    """Every character a reader can see is kept, in order; the invisible ones are dropped."""
    raw = yaml.safe_dump({"company": {"name": "Kopi", "summary": summary, "values": values}})
    doc = load_bytes(raw.encode("utf-8"), "q.yaml")
    assert doc.data["company"] == {"name": "Kopi", "summary": summary, "values": values}
    company = Questionnaire.model_validate(doc.data).company
    assert (company.summary, company.values) == (clean(summary), [clean(v) for v in values])
    for text in (company.summary, *company.values):
        assert text is not None
        assert not any(unicodedata.category(c) == "Cf" and c not in "\u200c\u200d" for c in text)
    visible = [c for c in summary if unicodedata.category(c) != "Cf"]
    assert [c for c in company.summary or "" if unicodedata.category(c) != "Cf"] == [
        " " if unicodedata.category(c) in ("Zl", "Zp") else c for c in visible
    ]


def test_the_refused_controls_are_c0_del_and_c1() -> None:
    assert len(CONTROLS) == 32 - 3 + 1 + 32
    assert not {"\t", "\n", "\r"} & set(CONTROLS)


@settings(max_examples=100, deadline=None)
@given(before=texts, control=st.sampled_from(CONTROLS), after=texts)
def test_a_control_character_written_as_an_escape_is_refused_at_its_field(
    before: str, control: str, after: str
) -> None:
    raw = yaml.safe_dump({"company": {"name": "Kopi", "summary": before + control + after}})
    assert "\\" in raw  # PyYAML wrote it as an escape: \0, \e, \x9B, \N ...
    try:
        load_bytes(raw.encode("utf-8"), "q.yaml")
    except QuestionnaireError as exc:
        lines = exc.format_message().splitlines()
    assert lines == [
        f"q.yaml:3:12: company.summary: character U+{ord(control):04X} is not allowed: remove it",
        "Error: 1 error in q.yaml; nothing was written.",
    ]


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from(["\r", "\r\n"]), texts)
def test_every_line_end_is_a_line_feed(before: str, end: str, after: str) -> None:
    raw = yaml.safe_dump({"company": {"name": "Kopi", "summary": before + end + after}})
    doc = load_bytes(raw.encode("utf-8"), "q.yaml")
    assert doc.data["company"]["summary"] == before + "\n" + after


@settings(max_examples=200, deadline=None)
@given(st.binary() | yamlish)
def test_any_bytes_load_or_raise_a_questionnaire_error(raw: bytes) -> None:
    try:
        doc = load_bytes(raw, "q.yaml")
    except QuestionnaireError as exc:
        assert exc.problems, "an error with nothing to point at"
        assert all(p.file == "q.yaml" and p.line >= 1 and p.col >= 1 for p in exc.problems)
    else:
        assert isinstance(doc.data, dict)
