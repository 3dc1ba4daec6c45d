"""The JSON Schema that `init` writes agrees with `validate`: what one accepts, the other does.

An editor applies the schema to what its YAML parser makes of the file: YAML 1.2's core schema
in yaml-language-server, where `1.10` and `2200` are numbers, `true` is a boolean and `yes`
and `2026-12-01` are text. crisisplan keeps every scalar as the text written. So each field is
tried with scalars as they are written, plain and quoted, drawn from both sides: texts that
validate's own patterns accept, values that the schema accepts, and near misses of both.

One kind of scalar cannot agree, and is not drawn: in a field that is not free text, a plain
number or boolean written other than the plain way (`3.0`, `+3`, `0x3`, `03` or `1e3` for a
score, `True` for an id). The schema sees only the value 3; validate sees what was written.
"""

from __future__ import annotations

import re
import string
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import ValidationError

from crisisplan.errors import QuestionnaireError
from crisisplan.questionnaire import load_questionnaire
from crisisplan.schema import json_schema
from crisisplan.types import (
    COLOR_RE,
    COUNT_RE,
    DATE_RE,
    EMAIL_RE,
    FLAG_RE,
    ID_RE,
    PHONE_RE,
    SCORE_RE,
    duration_regex,
    url_regex,
)

# -- what an editor sees: YAML 1.2 core -------------------------------------------------------


class Yaml12(yaml.SafeLoader):
    """PyYAML with YAML 1.2's core schema instead of 1.1's: no `yes`/`on` booleans, no dates,
    no `1_000` or `1:30` numbers; `0o17` and `0x1F` are integers, `.inf` a float."""


Yaml12.yaml_implicit_resolvers = {}
INT_12 = r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
FLOAT_12 = (
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
for _tag, _regex, _first in [
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("int", INT_12, list("-+0123456789")),
    ("float", FLOAT_12, list("-+.0123456789")),
]:
    Yaml12.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_regex})$"), _first)


def _int(loader: Yaml12, node: yaml.ScalarNode) -> int:
    text = node.value
    base = {"0o": 8, "0x": 16}.get(text[:2], 10)
    return int(text[2:] if base != 10 else text, base)


def _float(loader: Yaml12, node: yaml.ScalarNode) -> float:
    return float(node.value.lower().replace(".inf", "inf").replace(".nan", "nan"))


Yaml12.add_constructor("tag:yaml.org,2002:int", _int)
Yaml12.add_constructor("tag:yaml.org,2002:float", _float)
Yaml12.add_constructor("tag:yaml.org,2002:bool", lambda loader, node: node.value.lower() == "true")


def _ecma_pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """``pattern`` as ECMA-262 reads it, as editors do: ``$`` is the end of the text (Python's
    also matches before a final newline)."""
    if validator.is_type(instance, "string") and not re.search(
        re.sub(r"\$$", r"\\Z", pattern), instance
    ):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Editor = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _ecma_pattern})
EDITOR = Editor(json_schema(), format_checker=jsonschema.FormatChecker())

# -- the fields tried, in a questionnaire that is valid without them ----------------------------

BASE = """\
company:
  name: Kopi
  values: [Warmth]
audiences:
  - id: customers
    name: Customers
team:
  - id: crisis-lead
    role: Crisis lead
channels:
  - id: instagram
    name: Instagram
threats:
  - id: recall
    title: A recall
    likelihood: 3
    impact: 2
"""

#: Where each field is written (a line of BASE to replace, or to add after a section's line),
#: and the kind of value it takes.
FIELDS: dict[str, tuple[str, str, str]] = {
    "company.name": ("  name: Kopi", "  name: {}", "name"),
    "company.industry": ("company:", "company:\n  industry: {}", "name"),
    "company.summary": ("company:", "company:\n  summary: {}", "name"),
    "company.values[0]": ("  values: [Warmth]", "  values:\n    - {}", "name"),
    "handbook.version": ("company:", "handbook:\n  version: {}\ncompany:", "name"),
    "threats[0].likelihood": ("    likelihood: 3", "    likelihood: {}", "score"),
    "channels[0].followers": (
        "    name: Instagram",
        "    name: Instagram\n    followers: {}",
        "count",
    ),
    "channels[0].internal": (
        "    name: Instagram",
        "    name: Instagram\n    internal: {}",
        "flag",
    ),
    "audiences[0].id": ("  - id: customers", "  - id: {}", "id"),
    "handbook.review_every": ("company:", "handbook:\n  review_every: {}\ncompany:", "duration"),
    "handbook.effective": ("company:", "handbook:\n  effective: {}\ncompany:", "date"),
    "brand.colors.primary": ("company:", "brand:\n  colors:\n    primary: {}\ncompany:", "color"),
    "company.website": ("company:", "company:\n  website: {}", "url"),
    "team[0].email": ("    role: Crisis lead", "    role: Crisis lead\n    email: {}", "email"),
    "company.hotline": ("company:", "company:\n  hotline: {}", "phone"),
    "handbook.edition": ("company:", "handbook:\n  edition: {}\ncompany:", "edition"),
}

#: What validate accepts, by kind, as the one pattern it matches the text with.
PATTERNS = {
    "score": SCORE_RE,
    "count": COUNT_RE,
    "flag": FLAG_RE,
    "id": ID_RE.pattern.strip("^$"),
    "duration": duration_regex(),
    "date": DATE_RE,
    "color": COLOR_RE.pattern,
    "url": url_regex(),
    "email": EMAIL_RE.pattern,
    "phone": PHONE_RE.pattern,
    "edition": "internal|public",
    "name": r"\S.{0,60}",
}

# -- scalars as written -------------------------------------------------------------------------

#: Characters a user types, and a few that trap: other spaces, invisible ones, quotes, escapes.
TRAPS = [" ", "\t", "\n", "é", "漢", "\u00a0", "\u2003", "\u200b", "\u200d", "\ufeff"]
ALPHABET = st.sampled_from(
    [
        *string.ascii_letters,
        *string.digits,
        *string.punctuation,
        *TRAPS,
        "\u202e",
        "\u00ad",
        "\x85",
        "😀",
    ]
)


def double_quoted(text: str) -> str:
    """``text`` as a YAML double-quoted scalar, escaping what YAML would fold or refuse."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif c in "\n\x85\u2028\u2029" or not (c.isprintable() or c == "\t") or c == "\ufeff":
            out.append(f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def canonical(value: Any) -> str:
    """A value the schema sees, written the plain way (text quoted)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"inf": ".inf", "-inf": "-.inf", "nan": ".nan"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    return double_quoted(value)


@st.composite
def near_miss(draw: st.DrawFn, text: str) -> str:
    """``text`` with one character added, removed or replaced."""
    at = draw(st.integers(0, len(text)))
    how = draw(st.sampled_from(["add", "remove", "replace"]))
    c = draw(ALPHABET)
    if how == "add" or not text:
        return text[:at] + c + text[at:]
    at = min(at, len(text) - 1)
    return text[:at] + ("" if how == "remove" else c) + text[at + 1 :]


def accepted_texts(kind: str) -> st.SearchStrategy[str]:
    """Texts validate's own pattern for ``kind`` accepts (and what is near them)."""
    texts = st.from_regex(PATTERNS[kind], fullmatch=True, alphabet=ALPHABET)
    return st.one_of(texts, texts.flatmap(near_miss))


def schema_values() -> st.SearchStrategy[Any]:
    """Values the schema's types admit: numbers, booleans, null, text."""
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-10, 10**13),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(ALPHABET, max_size=30),
        st.text(ALPHABET, min_size=195, max_size=205),  # around a name's limit
    )


@st.composite
def written(draw: st.DrawFn, kind: str) -> str:
    """A scalar as a user may write it after ``key: ``."""
    source = draw(st.sampled_from(["text", "value", "numeral"]))
    if source == "value":
        return canonical(draw(schema_values()))
    if source == "numeral" and kind == "name":  # any way of writing a number, in a text field
        return draw(st.from_regex(f"{INT_12}|{FLOAT_12}", fullmatch=True))
    text = draw(accepted_texts(kind))
    return text if draw(st.booleans()) else double_quoted(text)


def plain_way(node: yaml.Node) -> bool:
    """Whether a scalar is written as the schema sees it: text, or a number or a boolean
    written the plain way (see the module's docstring)."""
    if not isinstance(node, yaml.ScalarNode) or node.style is not None:
        return True
    value = yaml.load(node.value or "~", Loader=Yaml12)
    if isinstance(value, bool):
        return node.value in ("true", "false")
    if isinstance(value, int | float):
        return isinstance(value, int) and node.value == str(value)
    return True


# -- the two verdicts ---------------------------------------------------------------------------

FOLDER = Path(tempfile.mkdtemp(prefix="crisisplan-agrees-"))


def validate_says(text: str) -> list[str]:
    path = FOLDER / "q.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_questionnaire(path)
    except QuestionnaireError as exc:
        return [str(p) for p in exc.problems if not p.warning]
    return []


def schema_says(text: str) -> list[str]:
    data = yaml.load(text, Loader=Yaml12)
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in EDITOR.iter_errors(data)]


def test_the_base_questionnaire_is_valid_both_ways() -> None:
    assert (validate_says(BASE), schema_says(BASE)) == ([], [])


def document(field: str, scalar: str) -> str:
    line, replacement, _ = FIELDS[field]
    assert BASE.count(line + "\n") == 1, line
    return BASE.replace(line + "\n", replacement.format(scalar) + "\n", 1)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, str]:
    field = draw(st.sampled_from(sorted(FIELDS)))
    return field, draw(written(FIELDS[field][2]))


@settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(case=cases())
@example(case=("handbook.version", "1.10"))  # a number to an editor, the text "1.10" to us
@example(case=("company.values[0]", "yes"))
@example(case=("company.name", "2026-12-01"))
@example(case=("channels[0].internal", "yes"))  # text to an editor, true to pydantic
@example(case=("channels[0].followers", "1_000"))  # text to an editor (YAML 1.1's number)
@example(case=("company.hotline", "0812345678"))  # the number 812345678 to an editor
@example(case=("threats[0].likelihood", '"3"'))
@example(case=("company.name", '"\u200b "'))  # blank once invisible characters are gone
@example(case=("company.website", '"https://kopi.id/\u202e"'))
@example(case=("handbook.effective", '"20261201"'))
@example(case=("brand.colors.primary", '"#abc\\n"'))
def test_the_schema_and_validate_agree(case: tuple[str, str]) -> None:
    field, scalar = case
    text = document(field, scalar)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        assume(False)  # not a value: a YAML error, which an editor reports itself
    node = _node_at(root, field)
    assume(node is not None and plain_way(node))
    by_validate, by_schema = validate_says(text), schema_says(text)
    assert (by_validate == [], by_schema == []) in ((True, True), (False, False)), (
        f"{field}: {scalar}\n  validate: {by_validate}\n  schema: {by_schema}"
    )


def _node_at(root: yaml.Node, field: str) -> yaml.Node | None:
    node: yaml.Node | None = root
    for part in re.findall(r"[a-z_]+|\d+", field):
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit():
            node = node.value[int(part)] if int(part) < len(node.value) else None
        else:
            return None
    return node


@pytest.mark.parametrize(
    ("field", "scalar"),
    [
        ("handbook.version", "1.10"),
        ("channels[0].internal", "yes"),
        ("channels[0].followers", "2200"),
        ("audiences[0].id", "2024"),
        ("company.hotline", "0812345678"),
        ("threats[0].likelihood", '"3"'),
    ],
)
def test_what_validate_accepts_an_editor_does_not_mark(field: str, scalar: str) -> None:
    """The cases of issue 25: each was refused by the schema `init` wrote."""
    text = document(field, scalar)
    assert (validate_says(text), schema_says(text)) == ([], [])
