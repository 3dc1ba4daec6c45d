"""Properties of the loader: any text survives exactly, and no input can crash it."""

from __future__ import annotations

import unicodedata

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crisisplan.errors import QuestionnaireError
from crisisplan.loader import load_bytes
from crisisplan.schema import Questionnaire
from crisisplan.types import clean

# Any text a user could type (surrogates cannot be encoded), as long as it is not blank once
# the invisible format characters are removed.
texts = st.text(st.characters(exclude_categories=["Cs"]), max_size=1000).filter(
    lambda s: clean(s).strip() != ""
)

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
