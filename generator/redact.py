"""Stage 1, the public edition: a personal phone number or e-mail address typed into free text.

The public edition leaves out ``team[].phone``, ``team[].email`` and every personal contact's
details, but a questionnaire's text (a duty, a note, a statement) may repeat one. Each such
repetition is replaced by a mask in the model itself, before anything is rendered, and is a
warning at the field that held it. A number is recognised by its digits, whatever the spaces,
dashes or brackets between them, written with its country code or with a leading 0.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from .errors import Problem
from .i18n import _
from .loader import Document, Path_
from .schema import File, Questionnaire, bare, is_type, optional
from .text import strings
from .types import LongText, Name, Text

#: Fewer significant digits than this is an extension, too short to be told from other numbers.
MIN_DIGITS = 7
_SEPARATORS = r"[\s.\-/()]{0,2}"


def redact(q: Questionnaire, doc: Document) -> list[Problem]:
    """Mask in ``q``'s free text every personal number and address the public edition leaves
    out; a warning for each field masked. Nothing to do in the internal edition."""
    if q.handbook.edition != "public":
        return []
    found = _personal(q)
    if not found:
        return []
    mask = strings(q.handbook.language)["withheld"]
    problems: list[Problem] = []

    def fix(original: str, path: Path_) -> str:
        text = original
        for pattern, what in found:
            text, count = pattern.subn(mask, text)
            if count:
                message = _(
                    "{what} is written here; the public edition prints {mask!r} in its place:"
                    " write a role or the company's hotline instead",
                    what=what,
                    mask=mask,
                )
                problems.append(doc.problem(path, message, warning=True))
        return text if text != original else original

    _walk(Questionnaire, q, (), fix)
    return problems


def _personal(q: Questionnaire) -> list[tuple[re.Pattern[str], str]]:
    """A pattern for each personal number and address (but those also given as public ones),
    and what it is, for the warning."""
    public = [
        n for c in q.contacts if not c.personal for n in (c.phone, c.out_of_hours, c.email) if n
    ] + ([q.company.hotline] if q.company.hotline else [])
    people: list[tuple[str, str, str | None, list[str | None]]] = [
        (f"team[{i}]", m.name or m.id, m.email, [m.phone, m.out_of_hours])
        for i, m in enumerate(q.team or [])
    ]
    people += [
        (f"contacts[{i}]", c.name, c.email, [c.phone, c.out_of_hours])
        for i, c in enumerate(q.contacts)
        if c.personal
    ]
    out: list[tuple[re.Pattern[str], str]] = []
    seen: set[str] = set()
    for where, who, email, phones in people:
        found: list[tuple[re.Pattern[str] | None, str, str]] = []
        if email:
            pattern = re.compile(rf"(?<![\w.+-]){re.escape(email)}(?![\w-])", re.IGNORECASE)
            found.append(
                (
                    pattern,
                    email.lower(),
                    _(
                        "the personal e-mail address of {who!r} ({field})",
                        who=who,
                        field=where + ".email",
                    ),
                )
            )
        for field, phone in zip(("phone", "out_of_hours"), phones, strict=True):
            if phone:
                what = _(
                    "the personal phone number of {who!r} ({field})",
                    who=who,
                    field=where + "." + field,
                )
                found.append((_phone_pattern(phone), _core(phone), what))
        for spelled, key, what in found:
            # a number also given as a public one (the hotline) is published anyway
            if spelled and key not in seen and not any(spelled.search(p) for p in public):
                seen.add(key)
                out.append((spelled, what))
    return out


def _core(phone: str) -> str:
    """A number's digits without the trunk 0: ``0812-1000`` and ``812 1000`` are one number."""
    return re.sub(r"\D", "", phone).lstrip("0")


def _phone_pattern(phone: str) -> re.Pattern[str] | None:
    """``phone`` in text, by its digits: with its country code (``+62 812 …``), without it
    (``0812 …``), any separators between the digits."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):  # the country code is 1 to 3 digits: try each
        cores = {digits, *(digits[k:] for k in (1, 2, 3))}
    else:
        cores = {digits, digits.lstrip("0")}
    cores = {c for c in cores if len(c.lstrip("0")) >= MIN_DIGITS}
    if not cores:
        return None
    spelled = "|".join(_SEPARATORS.join(c) for c in sorted(cores, key=len, reverse=True))
    prefix = rf"(?:\(?\+?\d{{1,3}}\)?{_SEPARATORS}|\(?0{_SEPARATORS})?"
    return re.compile(rf"(?<![\d+]){prefix}(?:{spelled})(?!\d)")


def _is_text(tp: Any) -> bool:
    tp = optional(tp)
    if typing.get_origin(tp) is typing.Annotated and any(
        isinstance(m, File) for m in tp.__metadata__
    ):
        return False
    return any(is_type(tp, known) for known in (Name, Text, LongText))


def _walk(tp: Any, value: Any, path: Path_, fix: Callable[[str, Path_], str]) -> Any:
    """``value`` (of type ``tp``) with ``fix`` applied to every free text in it; models, lists
    and mappings are changed in place, and only where a text changed."""
    if isinstance(value, str):
        return fix(value, path) if _is_text(tp) else value
    inner = bare(tp)
    args = typing.get_args(inner)
    if isinstance(value, list) and typing.get_origin(inner) is list:
        for i, item in enumerate(value):
            new = _walk(args[0], item, (*path, i), fix)
            if new is not item:
                value[i] = new
    elif isinstance(value, dict) and typing.get_origin(inner) is dict:
        for key, item in value.items():
            new = _walk(args[1], item, (*path, key), fix)
            if new is not item:
                value[key] = new
    elif isinstance(value, BaseModel):
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            new = _walk(info.rebuild_annotation(), item, (*path, name), fix)
            if new is not item:
                setattr(value, name, new)
    return value
