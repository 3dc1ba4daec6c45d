"""Stage 1, messages: pydantic's validation errors as compiler-style problems in a user's words."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .loader import Document, dotted
from .schema import Questionnaire, section_model

#: What an empty list of a section means, and what to do instead.
_EMPTY = {
    "audiences": "at least one audience is needed: list them, or leave audiences out to use the standard set",
    "team": "at least one team member is needed: list them, or leave team out to use the standard roles",
    "severity_levels": "at least one severity level is needed: list them, or leave severity_levels out to use the standard four",
    "threats": "at least one threat is needed: list them, or leave threats out to use the starter catalogue",
}


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"did you mean 'crisis-lead'? "`` for a near miss, else an empty string."""
    near = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return f"did you mean {near[0]!r}? " if near else ""


def schema_problems(
    doc: Document, exc: ValidationError, model: type[BaseModel] = Questionnaire
) -> list[Problem]:
    """Each of pydantic's errors as a problem at the place in the file it is about."""
    out: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            out.append(doc.problem(loc, _unknown_key(model, loc), key=True))
        elif loc and loc[-1] == "[key]":  # pydantic's marker for a bad key of a dict field
            out.append(doc.problem(loc[:-1], _message(err), key=True))
        elif kind == "missing":
            where = doc.problem(loc[:-1], f"{loc[-1]} is required")
            out.append(replace(where, path=dotted(loc)))
        elif kind == "too_short" and len(loc) == 1 and loc[0] in _EMPTY:
            out.append(doc.problem(loc, _EMPTY[str(loc[0])]))
        else:
            out.append(doc.problem(loc, _message(err)))
    return out


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        return f"{err['input']!r} is not allowed: write one of {ctx.get('expected', '')}"
    if kind == "list_type":
        return "expected a list (lines starting with '- ')"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "expected a mapping (key: value lines)"
    if kind == "bool_parsing":
        return f"{err['input']!r} is not true or false: write true or false"
    if kind == "string_type":
        return "expected text, not a list or a mapping"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at ``loc`` (the parent of an unknown key)."""
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue
        info = current.model_fields.get(str(part)) if current else None
        current = section_model(info.annotation) if info else None
    return list(current.model_fields) if current else []


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    allowed = _fields_at(model, loc[:-1])
    hint = did_you_mean(str(loc[-1]), allowed)
    return f"unknown key {str(loc[-1])!r}: {hint}allowed keys are {', '.join(allowed)}"
