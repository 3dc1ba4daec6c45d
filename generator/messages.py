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
from .i18n import N_, _
from .loader import Document, Path_, dotted
from .schema import Questionnaire, section_model

#: What an empty list of a section means, and what to do instead.
_EMPTY = {
    "audiences": N_(
        "at least one audience is needed: list them, or leave audiences out to use the standard set"
    ),
    "team": N_(
        "at least one team member is needed: list them, or leave team out to use the standard roles"
    ),
    "severity_levels": N_(
        "at least one severity level is needed: list them, or leave severity_levels out to use"
        " the standard four"
    ),
    "threats": N_(
        "at least one threat is needed: list them, or leave threats out to use the starter"
        " catalogue"
    ),
}


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """``"did you mean 'crisis-lead'? "`` for a near miss, else an empty string."""
    near = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.6)
    return _("did you mean {near!r}? ", near=near[0]) if near else ""


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
            where = doc.problem(loc[:-1], _("{key} is required", key=loc[-1]))
            out.append(replace(where, path=dotted(loc)))
        elif kind == "too_short" and len(loc) == 1 and loc[0] in _EMPTY:
            out.append(doc.problem(loc, _(_EMPTY[str(loc[0])])))
        elif err["input"] is None and (cut := cut_by_comment(doc, loc)):
            out.append(_emptied(doc, loc, *cut))
        elif isinstance(err["input"], dict) and (written := _one_line_pair(doc, loc, err["input"])):
            out.append(
                doc.problem(
                    loc,
                    _(
                        "{written!r} became a key and a value: in YAML a ': ' inside a text"
                        " makes a mapping, not text; quote the text: {fix}",
                        written=written,
                        fix=_quoted_line(loc, written),
                    ),
                )
            )
        else:
            out.append(doc.problem(loc, _message(err)))
    return list(dict.fromkeys(out))  # a union's branches can fail at one place alike


def _message(err: Any) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "literal_error":
        return _(
            "{value!r} is not allowed: write one of {allowed}",
            value=err["input"],
            allowed=_or(ctx.get("expected", "")),
        )
    if kind == "list_type":
        return _("expected a list (lines starting with '- ')")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("expected a mapping (key: value lines)")
    if kind == "bool_parsing":
        return _("{value!r} is not true or false: write true or false", value=err["input"])
    if kind == "string_type":
        return _("expected text, not a list or a mapping")
    if kind == "too_short":
        return _("at least {n} is needed", n=ctx.get("min_length", 1))
    if kind == "too_long":
        return _("at most {n} are allowed", n=ctx.get("max_length", 0))
    msg = str(err["msg"])  # a message of pydantic's own, in English
    return msg.removeprefix("Value error, ")


def _or(expected: str) -> str:
    """pydantic's ``'en' or 'id'`` with the language's word for or."""
    return str(expected).replace(" or ", _(" or "))


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
        return _("unknown key {key!r}: did you mean {near!r}?", key=key, near=near)
    allowed = _fields_at(model, loc[:-1])
    if len(allowed) <= LISTED:
        return _(
            "unknown key {key!r}: allowed keys are {allowed}", key=key, allowed=", ".join(allowed)
        )
    section = ".".join(str(part) for part in loc[:-1] if not isinstance(part, int))
    if section:
        return _(
            "unknown key {key!r}: not a field of {section}; 'crisisplan fields' lists them all",
            key=key,
            section=section,
        )
    return _(
        "unknown key {key!r}: not a section of a questionnaire; 'crisisplan fields' lists them all",
        key=key,
    )


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
        _(
            "{comment!r} was read as a comment (in YAML an unquoted # starts one), so the value"
            " is empty: quote it: {fix}",
            comment=comment,
            fix=_quoted_line(path, comment),
        ),
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
                _(
                    "{comment!r} was read as a comment (in YAML a space and # start one), so the"
                    " text stops before it: quote the whole text: {fix}",
                    comment=comment,
                    fix=_quoted_line(path, value + " " + comment),
                ),
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
