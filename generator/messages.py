"""Stage 1, messages: pydantic's validation errors as compiler-style problems in a user's words."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from pydantic import BaseModel, ValidationError

from .errors import Problem
from .loader import Document, Path_, dotted
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
    errors = exc.errors(include_url=False)
    missing = {tuple(e["loc"]) for e in errors if e["type"] == "missing"}
    meant: set[tuple[Any, ...]] = set()  # missing keys an unknown key is a misspelling of
    for err in errors:
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            near = _nearest(model, loc)
            if near and (*loc[:-1], near) in missing:
                meant.add((*loc[:-1], near))
    for err in errors:
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            out.append(doc.problem(loc, _unknown_key(model, loc), key=True))
        elif kind == "missing" and loc in meant:
            continue  # said once, at the misspelt key
        elif loc and loc[-1] == "[key]":  # pydantic's marker for a bad key of a dict field
            out.append(doc.problem(loc[:-1], _message(err), key=True))
        elif kind == "missing":
            where = doc.problem(loc[:-1], f"{loc[-1]} is required")
            out.append(replace(where, path=dotted(loc)))
        elif kind == "too_short" and len(loc) == 1 and loc[0] in _EMPTY:
            out.append(doc.problem(loc, _EMPTY[str(loc[0])]))
        elif err["input"] is None and (cut := cut_by_comment(doc, loc)):
            out.append(_emptied(doc, loc, *cut))
        elif isinstance(err["input"], dict) and (written := _one_line_pair(doc, loc, err["input"])):
            out.append(
                doc.problem(
                    loc,
                    f"{written!r} became a key and a value: in YAML a ': ' inside a text makes a"
                    f" mapping, not text; quote the text: {_quoted_line(loc, written)}",
                )
            )
        else:
            out.append(doc.problem(loc, _message(err)))
    return list(dict.fromkeys(out))  # a union's branches can fail at one place alike


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


#: Up to this many allowed keys are listed after an unknown key; more are left to the reference.
LISTED = 8


def _nearest(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The allowed key nearest to the unknown key at ``loc``, if one is near."""
    near = difflib.get_close_matches(str(loc[-1]), _fields_at(model, loc[:-1]), n=1, cutoff=0.6)
    return near[0] if near else None


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    key = str(loc[-1])
    near = _nearest(model, loc)
    if near:
        return f"unknown key {key!r}: did you mean {near!r}?"
    allowed = _fields_at(model, loc[:-1])
    if len(allowed) <= LISTED:
        return f"unknown key {key!r}: allowed keys are {', '.join(allowed)}"
    section = ".".join(str(part) for part in loc[:-1] if not isinstance(part, int))
    what = f"a field of {section}" if section else "a section of a questionnaire"
    return f"unknown key {key!r}: not {what}; 'crisisplan fields' lists them all"


# -- YAML traps: what a line became, said in the user's words ------------------------------------

#: A comment right after a value that reads as part of it: ``#`` then a letter or a digit
#: (``#boycott``, ``#8B1E3F``). A comment written ``# like this`` is a comment.
_WORDLIKE = re.compile(r"[ \t]+(#\w.*?)\s*$")


def cut_by_comment(doc: Document, path: Path_) -> tuple[int, int, str] | None:
    """Where the plain value at ``path`` is followed on its line by a comment that reads as
    part of it, and that comment: YAML dropped it from the value."""
    start, end = doc.values.get(path), doc.ends.get(path)
    if start is None or end is None or end[0] > len(doc.lines):
        return None
    first = doc.lines[start[0] - 1][start[1] - 1 : start[1]]
    if start != end and first in ('"', "'", "|", ">"):  # quoted or a block: the text is whole
        return None
    line = doc.lines[end[0] - 1]
    match = _WORDLIKE.match(line, end[1] - 1)
    return (end[0], match.start(1) + 1, match.group(1)) if match else None


def _emptied(
    doc: Document, path: Path_, line: int, col: int, comment: str, *, warning: bool = False
) -> Problem:
    return Problem(
        doc.file,
        line,
        col,
        dotted(path),
        f"{comment!r} was read as a comment (in YAML an unquoted # starts one), so the value is"
        f" empty: quote it: {_quoted_line(path, comment)}",
        warning,
    )


def comment_warnings(doc: Document, errors: Iterable[Problem] = ()) -> list[Problem]:
    """A warning for each value that lost a ``#word`` written after it to a comment, except
    where one of ``errors`` already is."""
    skipped = {(p.line, p.col) for p in errors} | {p.path for p in errors}
    out: list[Problem] = []
    for path, start in doc.values.items():
        cut = None if dotted(path) in skipped else cut_by_comment(doc, path)
        if cut is not None and cut[:2] in skipped:
            continue
        if cut is None:
            continue
        line, col, comment = cut
        if start == doc.ends[path]:
            out.append(_emptied(doc, path, line, col, comment, warning=True))
            continue
        value = _value_at(doc.data, path)
        out.append(
            Problem(
                doc.file,
                line,
                col,
                dotted(path),
                f"{comment!r} was read as a comment (in YAML a space and # start one), so the"
                f" text stops before it: quote the whole text: {_quoted_line(path, value + ' ' + comment)}",
                True,
            )
        )
    return out


def _value_at(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _one_line_pair(doc: Document, path: Path_, value: dict[str, Any]) -> str | None:
    """The text of a one-line ``key: value`` at ``path``, as it was written, if it is one."""
    if len(value) != 1:
        return None
    start, end = doc.values.get(path), doc.ends.get((*path, next(iter(value))))
    if start is None or end is None or start[0] != end[0] or start[0] > len(doc.lines):
        return None
    written = doc.lines[start[0] - 1][start[1] - 1 : end[1] - 1]
    return None if written.startswith("{") else written


def _quoted_line(path: Path_, text: str) -> str:
    """How the line is written with ``text`` quoted: ``primary: "#8B1E3F"``, ``- "a: b"``."""
    quoted = (
        f"'{text}'"
        if ('"' in text or "\\" in text) and "'" not in text
        else json.dumps(text, ensure_ascii=False)
    )
    return f"- {quoted}" if isinstance(path[-1], int) else f"{path[-1]}: {quoted}"
