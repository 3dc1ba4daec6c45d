"""The questionnaire reference (docs/questionnaire.md), written from the schema's own descriptions.

The defaults it states are the ones the tool applies: the schema's own, and those of each
language's defaults file (:data:`crisisplan.defaults.FROM_DATA`), read from that data here.
"""

from __future__ import annotations

import re
import sys
import typing
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from .choices import LANGUAGES
from .defaults import FROM_DATA, SECTIONS, defaults
from .schema import FileName, Questionnaire, bare, is_type, optional, ref_of, section_model
from .types import (
    Color,
    Count,
    Date,
    Duration,
    DurationField,
    Email,
    Flag,
    Id,
    LongText,
    Name,
    Phone,
    Score,
    Text,
    Url,
    VaultName,
)

COMMAND = "python -m crisisplan.reference > docs/questionnaire.md"

# Matched with ==, not looked up in a dict: the Annotated types carry unhashable metadata.
NAMES: list[tuple[Any, str, str]] = [
    (FileName, "file name", "file names"),
    (VaultName, "vault name", "vault names"),
    (Name, "name (200 characters)", "names (200 characters each)"),
    (Text, "text (1,000 characters)", "texts (1,000 characters each)"),
    (LongText, "long text (4,000 characters)", "long texts (4,000 characters each)"),
    (Id, "id", "ids"),
    (DurationField, "duration", "durations"),
    (Score, "score 1-5", "scores 1-5"),
    (Count, "whole number", "whole numbers"),
    (Color, "colour", "colours"),
    (Url, "web address", "web addresses"),
    (Email, "e-mail", "e-mail addresses"),
    (Phone, "phone", "phone numbers"),
    (Date, "date", "dates"),
    (Flag, "true or false", "true or false"),
    (bool, "true or false", "true or false"),
]
_DEFAULT_NOTE = re.compile(r"\s*Default: (.+?)\.?$")


def readable(tp: Any, *, plural: bool = False) -> str:
    """How a field's type is written in the reference: ``duration``, ``list of ids``..."""
    ref = ref_of(tp)
    if ref is not None:
        return f"{ref.kind} ids" if plural else f"{ref.kind} id"
    tp = optional(tp)
    for known, one, many in NAMES:
        if is_type(tp, known):
            return many if plural else one
    tp = bare(tp)
    origin = typing.get_origin(tp)
    if origin is Literal:
        return " or ".join(f"`{value}`" for value in typing.get_args(tp))
    if origin is list:
        return "list of " + readable(typing.get_args(tp)[0], plural=True)
    if origin is dict:
        key, value = typing.get_args(tp)
        return f"mapping of {readable(key, plural=True)} to {readable(value, plural=True)}"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mappings" if plural else "mapping"
    raise TypeError(f"no readable name for {tp!r}: add it to crisisplan.reference.NAMES")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _default(info: FieldInfo) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        value = info.get_default(call_default_factory=True, validated_data={})
        return "see below" if isinstance(value, BaseModel) else "empty"
    if info.default is None or info.default is PydanticUndefined:
        return ""
    if isinstance(info.default, bool):
        return f"`{str(info.default).lower()}`"
    return f"`{info.default}`"


_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _stated(value: Any) -> str:
    """A default value as the reference states it: ``15m``, a list of ids, a mapping's fields."""
    if isinstance(value, str | Duration):
        return f"`{value}`"
    if isinstance(value, list) and value and hasattr(value[0], "id"):
        return ", ".join(f"`{item.id}`" for item in value)
    if isinstance(value, list) and value and all(_ID.fullmatch(str(item)) for item in value):
        return ", ".join(f"`{item}`" for item in value)
    if isinstance(value, list):
        return f"the language's built-in list ({_items(len(value))})"
    assert isinstance(value, BaseModel), value
    fields = value.model_dump(exclude_defaults=True)
    return "; ".join(f"{key}: {_stated(getattr(value, key))}" for key in fields)


def from_data(section: str, name: str) -> str:
    """What the defaults file of each language fills in at ``section.name`` (a section when
    ``section`` is empty), as the reference states it."""
    values = {
        lang: getattr(getattr(defaults(lang), section) if section else defaults(lang), name)
        for lang in LANGUAGES
    }
    stated = {lang: _stated(value) for lang, value in values.items()}
    if len(set(stated.values())) == 1:
        return stated[LANGUAGES[0]]
    if all(isinstance(value, str) for value in values.values()):
        return ", ".join(f"{text} (`{lang}`)" for lang, text in stated.items())
    if all(isinstance(value, list) for value in values.values()):
        counts = ", ".join(f"{_items(len(value))} in `{lang}`" for lang, value in values.items())
        return f"the language's built-in list ({counts})"
    return f"the language's built-in {name.replace('_', ' ')}"


def _row(section: str, name: str, info: FieldInfo) -> str:
    description = info.description
    if not description:
        raise ValueError(f"field {name!r} has no description: every field needs one")
    default = _default(info)
    note = _DEFAULT_NOTE.search(description)
    data = (section, name) in FROM_DATA or (not section and name in SECTIONS)
    if data and note:
        raise ValueError(
            f"{section}.{name}: the description states a default the defaults data gives:"
            " remove its 'Default: ...'"
        )
    if data:
        default = from_data(section, name)
    elif note:  # a rule in words ("the crisis lead"), where a None default says nothing
        default, description = note.group(1), description[: note.start()]
    kind = readable(info.rebuild_annotation())
    return f"| `{name}` | {_cell(kind)} | {_cell(default)} | {_cell(description)} |"


def _table(model: type[BaseModel], section: str = "") -> list[str]:
    rows = [_row(section, name, info) for name, info in model.model_fields.items()]
    return ["| field | type | default | description |", "| --- | --- | --- | --- |", *rows]


def _section(path: str, info: FieldInfo, level: int) -> list[str]:
    model = section_model(info.annotation)
    assert model is not None
    doc = " ".join((model.__doc__ or "").split())
    is_list = typing.get_origin(optional(info.annotation)) is list
    intro = f"A list. Each item: {doc[0].lower()}{doc[1:]}" if is_list else doc
    lines = ["#" * level + f" {path}", "", intro, "", *_table(model, path)]
    for name, sub in model.model_fields.items():
        if section_model(sub.annotation) is not None:
            lines += ["", *_section(f"{path}.{name}", sub, level + 1)]
    return lines


def markdown() -> str:
    """The questionnaire reference as Markdown: one section per questionnaire section."""
    lines = [
        "# Questionnaire reference",
        "",
        f"<!-- Generated from generator/schema.py by `{COMMAND}`: do not edit. -->",
        "",
        "A questionnaire is one YAML file. Only `company.name` is required: every section left",
        "out comes from the built-in defaults of the handbook's language. Durations are a number",
        "and a unit (`30m`, `2h`, `3d`, `2w`, `6 months`); ids are lower-case letters, digits and",
        "hyphens (`crisis-lead`); scores are whole numbers from 1 to 5.",
        "",
        "## Sections",
        "",
        *_table(Questionnaire),
    ]
    for name, info in Questionnaire.model_fields.items():
        lines += ["", *_section(name, info, 2)]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
