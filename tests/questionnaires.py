"""Questionnaires made from the schema itself: every field the model has, filled by a maker.

The attack suite fills every free-text field with a payload and the property tests fill the
same fields with drawn values; both walk :class:`crisisplan.schema.Questionnaire`, so a field
added to the model is covered without editing a test.
"""

from __future__ import annotations

import itertools
import typing
from collections.abc import Iterator, Sequence
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from crisisplan.schema import (
    File,
    Questionnaire,
    ThreatId,
    bare,
    is_one_line,
    is_type,
    optional,
    ref_of,
)
from crisisplan.types import (
    Color,
    Count,
    Date,
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

LIMITS = ((Name, 200), (Text, 1000), (LongText, 4000))
#: Sections whose items are named by an id, and the ids the generated ones take.
ID_SECTIONS = ("team", "channels", "audiences", "severity_levels", "threats")


class Maker(Protocol):
    """Where the values come from."""

    def text(self, path: tuple[str | int, ...], limit: int, *, one_line: bool = False) -> str: ...
    def size(self, path: tuple[str | int, ...], low: int, high: int) -> int: ...
    def include(self, path: tuple[str | int, ...]) -> bool: ...
    def pick(self, path: tuple[str | int, ...], options: Sequence[Any]) -> Any: ...


def free_text_fields(model: type[BaseModel] = Questionnaire, path: str = "") -> list[str]:
    """The dotted path of every free-text field of the model (``threats[].title``...)."""
    out = []
    for name, info in model.model_fields.items():
        tp = info.rebuild_annotation()
        here = f"{path}.{name}" if path else name
        while not _limit(tp) and typing.get_origin(bare(tp)) in (list, dict):
            inner = bare(tp)
            here += "[]" if typing.get_origin(inner) is list else "{}"
            tp = typing.get_args(inner)[-1]
        if isinstance(bare(tp), type) and issubclass(bare(tp), BaseModel):
            out += free_text_fields(bare(tp), here)
        elif _limit(tp) and not _is_file(tp):
            out.append(here)
    return out


def _limit(tp: Any) -> int | None:
    return next((limit for known, limit in LIMITS if is_type(optional(tp), known)), None)


def _is_file(tp: Any) -> bool:
    tp = optional(tp)
    return typing.get_origin(tp) is typing.Annotated and any(
        isinstance(m, File) for m in tp.__metadata__
    )


def questionnaire(
    make: Maker,
    *,
    language: str = "en",
    edition: str = "internal",
    sizes: dict[str, int] | None = None,
) -> dict[str, Any]:
    """A valid questionnaire with every section and every field the maker includes."""
    sizes = {"team": 2, "channels": 2, "audiences": 2, "severity_levels": 2, "threats": 2} | (
        sizes or {}
    )
    pools = {
        section: [f"{section[:3]}{i}" for i in range(sizes[section])] for section in ID_SECTIONS
    }
    pools["threats"] = [f"threat-{i}" for i in range(sizes["threats"])]
    walker = _Walker(make, pools, {"language": language, "edition": edition})
    data = walker.model(Questionnaire, ())
    # A person cannot be their own backup: point each backup at the next person.
    for i, member in enumerate(data.get("team", [])):
        if "backup" in member:
            member["backup"] = pools["team"][(i + 1) % len(pools["team"])]
            if member["backup"] == member["id"]:
                del member["backup"]
    return data


class _Walker:
    def __init__(self, make: Maker, pools: dict[str, list[str]], fixed: dict[str, str]) -> None:
        self.make, self.pools, self.fixed = make, pools, fixed

    def model(self, model: type[BaseModel], path: tuple[str | int, ...]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            here = (*path, name)
            tp = info.rebuild_annotation()
            if _is_file(tp):
                continue
            if name in self.fixed and model.__name__ == "Handbook":
                out[name] = self.fixed[name]
                continue
            required = info.is_required() or (not path and name in ID_SECTIONS)
            if not required and not self.make.include(here):
                continue
            out[name] = self.value(tp, here)
        return out

    def value(self, tp: Any, path: tuple[str | int, ...]) -> Any:
        ref = ref_of(tp)
        if ref is not None:
            return self.make.pick(path, self.pools[ref.section])
        limit = _limit(tp)
        one_line = is_one_line(tp)
        if limit and is_type(optional(tp), VaultName):  # a vault's name: never one word
            # the line breaks a block leaves at its start stay at its start, before "Vault "
            return "Vault " + self.make.text(path, limit - 6, one_line=one_line).lstrip("\r\n")
        if limit:
            return self.make.text(path, limit, one_line=one_line)
        tp = optional(tp)
        for known, value in _LEAVES:
            if is_type(tp, known):
                return value(self.make, path)
        inner = bare(tp)
        origin = typing.get_origin(inner)
        if origin is Literal:
            return self.make.pick(path, typing.get_args(inner))
        if origin is list:
            item = typing.get_args(inner)[0]
            section = path[-1] if len(path) == 1 and path[-1] in ID_SECTIONS else None
            if section:
                return [self.item(item, section, i) for i in range(len(self.pools[section]))]
            return [self.value(item, (*path, i)) for i in range(self.make.size(path, 0, 2))]
        if origin is dict:
            keys = self.pools["channels"]
            count = self.make.size(path, 0, min(2, len(keys)))
            return {
                key: self.value(typing.get_args(inner)[1], (*path, key)) for key in keys[:count]
            }
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return self.model(inner, path)
        raise TypeError(f"no value for {tp!r} at {path}")

    def item(self, tp: Any, section: str, index: int) -> dict[str, Any]:
        model = bare(tp)
        data = self.model(model, (section, index))
        data["id"] = self.pools[section][index]
        return data


_LEAVES: list[tuple[Any, Any]] = [
    (ThreatId, lambda make, path: "threat"),
    (Id, lambda make, path: "id"),
    (Score, lambda make, path: make.pick(path, [1, 2, 3, 4, 5])),
    (Count, lambda make, path: make.pick(path, [0, 40, 280, 2200, 480000])),
    (DurationField, lambda make, path: make.pick(path, ["15m", "30m", "2h", "4h", "1d", "3d"])),
    (Date, lambda make, path: "2026-12-01"),
    (Color, lambda make, path: make.pick(path, ["#5B3A29", "#FFFFFF", "#000", "#e0a526"])),
    (Url, lambda make, path: "https://example.org/news"),
    (Email, lambda make, path: "someone@example.org"),
    (Phone, lambda make, path: "+62 812 1000 2000"),
    (Flag, lambda make, path: make.pick(path, [False, True])),
]


class Payloads:
    """A maker that writes payloads into every free-text field and includes every optional one.

    Each field takes the payloads in turn, starting from its own place in the list: the n-th
    threat's title is the n-th payload, so a list as long as the payloads carries every one.
    """

    def __init__(self, payloads: Sequence[str]) -> None:
        self._payloads = list(payloads)
        self._fields: dict[tuple[str, ...], Iterator[int]] = {}
        self._choices = itertools.count()
        self.written: dict[tuple[str | int, ...], str] = {}

    def text(self, path: tuple[str | int, ...], limit: int, *, one_line: bool = False) -> str:
        field = tuple(str(p) for p in path if not isinstance(p, int))
        start = 0 if field[-1] == "title" else len(self._fields)
        turn = self._fields.setdefault(field, itertools.count(start))
        value = self._payloads[next(turn) % len(self._payloads)][:limit]
        self.written[path] = value
        return value

    def size(self, path: tuple[str | int, ...], low: int, high: int) -> int:
        return max(1, high)

    def include(self, path: tuple[str | int, ...]) -> bool:
        return True

    def pick(self, path: tuple[str | int, ...], options: Sequence[Any]) -> Any:
        return options[next(self._choices) % len(options)]


class Drawn:
    """A maker that draws every choice from Hypothesis; one-line texts (names, titles) from
    ``one_line`` when it is given."""

    def __init__(self, draw: Any, text: Any, one_line: Any = None) -> None:
        from hypothesis import strategies as st

        self._draw, self._text, self._st = draw, text, st
        self._one_line = text if one_line is None else one_line
        self.written: dict[tuple[str | int, ...], str] = {}
        self.one_line: set[tuple[str | int, ...]] = set()

    def text(self, path: tuple[str | int, ...], limit: int, *, one_line: bool = False) -> str:
        value: str = self._draw(self._one_line if one_line else self._text)
        value = value if len(value) <= limit else value[:limit]  # keeps a str subclass whole
        self.written[path] = value
        if one_line:
            self.one_line.add(path)
        return value

    def size(self, path: tuple[str | int, ...], low: int, high: int) -> int:
        value: int = self._draw(self._st.integers(low, high))
        return value

    def include(self, path: tuple[str | int, ...]) -> bool:
        value: bool = self._draw(self._st.booleans())
        return value

    def pick(self, path: tuple[str | int, ...], options: Sequence[Any]) -> Any:
        return self._draw(self._st.sampled_from(list(options)))
