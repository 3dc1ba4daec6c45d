"""The questionnaire reference in docs/ is generated from the schema and cannot drift from it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Literal

import pytest

from crisisplan import reference
from crisisplan.schema import ChannelId, MemberId, ThreatId, json_schema
from crisisplan.types import (
    Color,
    Date,
    DurationField,
    Email,
    Id,
    LongText,
    Name,
    Phone,
    Score,
    Text,
    Url,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "questionnaire.md"


def test_questionnaire_reference_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == reference.markdown(), (
        f"docs/questionnaire.md is out of date: run `{reference.COMMAND}` and commit the result"
    )


def test_every_section_and_field_is_in_the_reference() -> None:
    text = reference.markdown()
    headings = re.findall(r"^#{2,3} (\S+)$", text, re.M)
    assert headings == [
        "Sections",
        "handbook",
        "handbook.sign_off",
        "handbook.holders",
        "handbook.changes",
        "company",
        "company.updates",
        "brand",
        "brand.colors",
        "brand.voice",
        "audiences",
        "channels",
        "team",
        "approvals",
        "severity_levels",
        "monitoring",
        "monitoring.rota",
        "threats",
        "threats.questions",
        "threats.notify",
        "recovery",
        "contacts",
        "staffing",
    ]
    assert (
        "| `review_every` | duration | 6 months | How often the handbook is reviewed, such as "
        "`6 months`. |" in text
    )
    assert "| `likelihood` | score 1-5 | **required** | Likelihood from 1 (rare) to 5" in text
    assert (
        "| `activate` | list of team member ids | empty | Team member ids called in at this"
        " level. |" in text
    )
    schema = json_schema()
    for definition in [schema, *schema["$defs"].values()]:
        for field in definition["properties"]:
            assert f"| `{field}` |" in text, field


def test_every_field_has_a_description() -> None:
    schema = json_schema()
    defs = schema["$defs"]

    def described(prop: dict[str, Any]) -> bool:
        # pydantic leaves a field's description out when it repeats its model's docstring.
        ref = prop.get("$ref", "").removeprefix("#/$defs/")
        return bool(prop.get("description") or (ref and defs[ref].get("description")))

    missing = [
        f"{model}.{name}"
        for model, definition in [("Questionnaire", schema), *defs.items()]
        for name, prop in definition.get("properties", {}).items()
        if not described(prop)
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("annotation", "written"),
    [
        (DurationField, "duration"),
        (Score, "score 1-5"),
        (Color, "colour"),
        (Url, "web address"),
        (Email, "e-mail"),
        (Phone, "phone"),
        (Id, "id"),
        (list[Id], "list of ids"),
        (Text | None, "text (1,000 characters)"),
        (Name, "name (200 characters)"),
        (LongText, "long text (4,000 characters)"),
        (ThreatId, "id"),
        (MemberId | None, "team member id"),
        (list[ChannelId], "list of channel ids"),
        (Date, "date"),
        (Literal["en", "id"], "`en` or `id`"),
        (dict[Id, Text], "mapping of ids to texts (1,000 characters each)"),
        (dict[ChannelId, LongText], "mapping of channel ids to long texts (4,000 characters each)"),
        (bool, "true or false"),
    ],
)
def test_types_are_written_readably(annotation: Any, written: str) -> None:
    assert reference.readable(annotation) == written


def test_a_type_without_a_readable_name_is_an_error() -> None:
    with pytest.raises(TypeError, match=r"no readable name for <class 'datetime\.time'>"):
        reference.readable(dt.time)


def test_cli_reference_is_up_to_date() -> None:
    from crisisplan import clidocs

    doc = Path(__file__).resolve().parent.parent / "docs" / "cli.md"
    assert doc.read_text(encoding="utf-8") == clidocs.markdown(), (
        f"docs/cli.md is out of date: run `{clidocs.COMMAND}` and commit the result"
    )
