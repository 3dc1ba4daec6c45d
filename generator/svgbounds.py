"""The work an SVG logo asks of a renderer, bounded: chained masks, references, dashes, segments.

The allow-list in :mod:`crisisplan.images` keeps an SVG from doing anything but draw; this
module keeps it from asking for too much drawing. A few kilobytes can otherwise ask for
billions of operations: a mask that uses the previous mask twice, forty times over; 4,990
paths dashed every 0.01 unit; one path of a million segments. WeasyPrint and Chromium both
draw what they are asked to, so the bounds are counted here, on the rebuilt SVG, before
anything is published. Every estimate errs on the side of more work.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .i18n import N_, _

#: ``url(#…)`` references in one logo (paints, clip-paths, masks), counted where written.
MAX_REFERENCES = 1_000
#: Elements that use a mask: each use paints an offscreen layer the size of the element.
MAX_MASK_USES = 32
#: Shapes drawn through clip-paths and masks, each use counting its clip-path's or mask's shapes.
MAX_MASKED = 5_000
#: Path segments drawn: commands in ``d`` (repeats included), points of polylines and polygons,
#: those in a clip-path or mask once more for each use.
MAX_SEGMENTS = 8_000
#: Numbers in one ``stroke-dasharray``.
MAX_DASH_VALUES = 16
#: Dashes in one logo, estimated from the length of every shape drawn (those in a clip-path or
#: mask once more per use) and the densest dash array.
MAX_DASHES = 100_000

_MASKS = {"clipPath": "clip-path", "mask": "mask"}
_REFERENCE = re.compile(r"url\s*\(\s*['\"]?#([\w.:-]+)['\"]?\s*\)", re.I)
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_TOKEN = re.compile(rf"[\s,]*(?:([MmLlHhVvCcSsQqTtAaZz])|({_NUMBER}))")
_FLAG = re.compile(r"[\s,]*([01])")
_POINTS = re.compile(_NUMBER)
_ARITY = {"m": 2, "l": 2, "h": 1, "v": 1, "c": 6, "s": 4, "q": 4, "t": 2, "a": 7}
_LENGTH = re.compile(rf"\s*({_NUMBER})\s*(px|in|cm|mm|pt|pc|q)?\s*", re.I)
_UNITS = {"px": 1.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "pt": 4 / 3, "pc": 16.0}
_UNITS["q"] = _UNITS["mm"] / 4
#: CSS properties that would change a shape's length or segments out of sight of this count.
_GEOMETRY = frozenset(["d", "r", "rx", "ry", "width", "height"])
_SIMPLE_SELECTOR = re.compile(r"[\w\s.#,>-]*")
_SHAPE_FUNCTION = re.compile(r"\b(?:path|polygon|shape)\s*\(", re.I)


class TooMuchWork(ValueError):
    """An SVG that asks a renderer for more work than a logo needs; the message says which."""


@dataclass
class _Rule:
    """One rule of a ``<style>`` sheet: what it may select (None: anything) and what it sets."""

    selects: frozenset[str] | None
    declarations: list[tuple[str, str]]

    def applies(self, element: Any) -> bool:
        if self.selects is None:
            return True
        names = {_name(element), "#" + element.get("id", "")}
        names.update("." + cls for cls in element.get("class", "").split())
        return bool(names & self.selects)


@dataclass
class _Count:
    references: int = 0
    mask_uses: int = 0
    masked: int = 0
    segments: int = 0
    length: float = 0.0
    unmeasured: str = ""
    dashes: list[str] = field(default_factory=list)


def check(root: Any) -> None:
    """Raise :class:`TooMuchWork` if the (rebuilt) SVG under ``root`` exceeds a bound."""
    masks = {el.get("id"): el for el in root.iter() if _name(el) in _MASKS and el.get("id")}
    sizes = {key: _size(el) for key, el in masks.items()}
    rules = [rule for el in root.iter() if _name(el) == "style" for rule in _rules(el.text or "")]
    count = _Count()
    for rule in rules:
        for key, value in rule.declarations:
            count.references += len(_REFERENCE.findall(value))
            _declaration(key, value, N_("its style sheet"), count)
    for element, enclosing in _walk(root, None):
        used: list[str] = []
        for key, value in element.attrib.items():
            used += _REFERENCE.findall(value)
            if key == "style":
                for name, declared in _style(value):
                    _declaration(name, declared, N_("a style attribute"), count)
            elif key == "stroke-dasharray":
                count.dashes.append(value)
            elif _SHAPE_FUNCTION.search(value) and key not in ("d", "points"):
                raise _shape_in_css()
        count.references += len(used)
        for rule in rules:
            if rule.applies(element):
                used += [
                    ref for _key, value in rule.declarations for ref in _REFERENCE.findall(value)
                ]
        for ref in used:
            if ref not in masks:
                continue
            if enclosing is not None:
                raise TooMuchWork(
                    _(
                        "a {kind} may not use another mask or clip-path ({id!r} uses {ref!r}):"
                        " flatten the logo",
                        kind=_MASKS[_name(enclosing)],
                        id=enclosing.get("id", ""),
                        ref=ref,
                    )
                )
            count.masked += sizes[ref].masked
            count.segments += sizes[ref].segments
            count.length += sizes[ref].length
            count.mask_uses += _name(masks[ref]) == "mask"
        _shape(element, count)
    _limit(count.references, MAX_REFERENCES, N_("url(#…) references"))
    _limit(count.mask_uses, MAX_MASK_USES, N_("elements that use a mask"))
    _limit(
        count.masked,
        MAX_MASKED,
        N_("shapes drawn through clip-paths and masks (each use counted)"),
    )
    _check_dashes(root, count)
    _limit(count.segments, MAX_SEGMENTS, N_("path segments"), N_("simplify it or use a PNG"))


def _size(mask: Any) -> _Count:
    """The shapes, path segments and outline length in a clip-path or mask, drawn at each use."""
    count = _Count()
    for element in mask.iter():
        count.masked += 1
        _shape(element, count)
    return count


def _declaration(key: str, value: str, where: str, count: _Count) -> None:
    if key == "d" or _SHAPE_FUNCTION.search(value):
        raise _shape_in_css()
    if key in _GEOMETRY:
        count.unmeasured = _("{where} sets {key}", where=_(where), key=key)
    if key == "stroke-dasharray":
        count.dashes.append(value)


def _shape_in_css() -> TooMuchWork:
    return TooMuchWork(
        _(
            "the SVG draws a shape in CSS (d, path(), polygon() or shape()): keep shapes in path"
            " and polygon elements"
        )
    )


def _limit(value: int, most: int, what: str, fix: str = N_("simplify it")) -> None:
    if value > most:
        raise TooMuchWork(
            _(
                "the SVG has {value:,} {what}; at most {most:,} are allowed: {fix}",
                value=value,
                what=_(what),
                most=most,
                fix=_(fix),
            )
        )


def _check_dashes(root: Any, count: _Count) -> None:
    density = 0.0  # dashes per unit of length, of the densest dash array
    for value in count.dashes:
        if value.strip().lower() in ("none", "inherit", "initial", "unset", ""):
            continue
        parts = [p for p in re.split(r"[\s,]+", value.strip()) if p]
        if len(parts) > MAX_DASH_VALUES:
            raise TooMuchWork(
                _(
                    "a stroke-dasharray has {n} values; at most {most} are allowed",
                    n=len(parts),
                    most=MAX_DASH_VALUES,
                )
            )
        lengths = [_length(p) for p in parts]
        if any(n is None or n < 0 for n in lengths):
            raise TooMuchWork(
                _(
                    "stroke-dasharray {value!r} is not a list of lengths: use plain numbers",
                    value=value.strip(),
                )
            )
        total = sum(n for n in lengths if n is not None)
        if total > 0:
            density = max(density, len(lengths) / (2 * total))
    if density == 0:
        return
    for element in root.iter():
        if _name(element) in ("text", "tspan"):
            raise TooMuchWork(
                _("a logo with text may not use stroke-dasharray: convert the text to paths")
            )
        if "non-scaling-stroke" in " ".join(element.attrib.values()) + (element.text or ""):
            raise TooMuchWork(
                _("a logo with stroke-dasharray may not use vector-effect: non-scaling-stroke")
            )
    if count.unmeasured:
        raise TooMuchWork(
            _(
                "a logo with stroke-dasharray needs shapes of plain sizes, but {what}: convert"
                " the shapes to paths",
                what=count.unmeasured,
            )
        )
    dashes = count.length * density
    if not dashes <= MAX_DASHES:  # NaN or infinite counts as too many
        figure = f"{dashes:,.0f}" if dashes < 1e15 else _("more than 10^15")
        raise TooMuchWork(
            _(
                "the SVG's stroke-dasharray would draw about {figure} dashes; at most {most:,}"
                " are allowed: use longer dashes and gaps",
                figure=figure,
                most=MAX_DASHES,
            )
        )


def _walk(element: Any, enclosing: Any) -> Iterator[tuple[Any, Any]]:
    """Every element, with the clip-path or mask it is part of (itself included), if any."""
    if enclosing is None and _name(element) in _MASKS:
        enclosing = element
    yield element, enclosing
    for child in element:
        yield from _walk(child, enclosing)


def _name(element: Any) -> str:
    return str(element.tag).rpartition("}")[2]


def _rules(css: str) -> Iterator[_Rule]:
    css = re.sub(r"/\*.*?(\*/|$)", " ", css, flags=re.S)
    for selector, body in re.findall(r"([^{}]*)\{([^{}]*)\}", css):
        # simple selectors (tags, classes, ids) select only elements that carry one of their
        # names; anything else (*, :not(), attributes) is taken to select every element
        simple = _SIMPLE_SELECTOR.fullmatch(selector)
        names = frozenset(re.findall(r"[.#]?[\w-]+", selector)) if simple else None
        yield _Rule(names, list(_style(body)))


def _style(text: str) -> Iterator[tuple[str, str]]:
    for declaration in text.split(";"):
        key, colon, value = declaration.partition(":")
        if colon:
            yield key.strip().lower(), value.replace("!important", "").strip()


def _length(text: str | None) -> float | None:
    match = _LENGTH.fullmatch(text or "")
    if not match:
        return None
    return float(match.group(1)) * _UNITS[(match.group(2) or "px").lower()]


def _shape(element: Any, count: _Count) -> None:
    """Add the element's segments and the bound of its outline's length to ``count``."""
    name = _name(element)
    if name == "path":
        segments, length = path_work(element.get("d", ""))
    elif name in ("polyline", "polygon"):
        numbers = [float(n) for n in _POINTS.findall(element.get("points", ""))]
        points = list(zip(numbers[0::2], numbers[1::2], strict=False))
        if name == "polygon" and points:
            points.append(points[0])
        segments = len(points)
        length = sum(math.dist(a, b) for a, b in itertools.pairwise(points))
    elif name in ("rect", "circle", "ellipse", "line"):
        keys = {
            "rect": ("width", "height"),
            "circle": ("r",),
            "ellipse": ("rx", "ry"),
            "line": ("x1", "y1", "x2", "y2"),
        }[name]
        sizes = []
        for key in keys:
            size = _length(element.get(key, "0"))
            if size is None:
                count.unmeasured = _(
                    "a {name} has {key}={value!r}", name=name, key=key, value=element.get(key)
                )
                size = 0.0
            sizes.append(size)
        segments = 0
        if name == "rect":
            length = 2 * (abs(sizes[0]) + abs(sizes[1]))
        elif name == "line":
            length = math.dist(sizes[0:2], sizes[2:4])
        else:
            length = 2 * math.pi * max(abs(s) for s in sizes)
    else:
        return
    declared = _length(element.get("pathLength"))
    count.segments += segments
    count.length += max(length, abs(declared or 0.0))


def path_work(d: str) -> tuple[int, float]:
    """The segments of a path's ``d`` and a bound of its length (its control polygon's).

    Read as renderers read it: implicit repeats are segments too, and reading stops at the
    first error.
    """
    segments, length = 0, 0.0
    x = y = start_x = start_y = 0.0
    command, position = "", 0
    args: list[float] = []
    while True:
        arc_flag = command in ("a", "A") and len(args) in (3, 4)
        match = (_FLAG if arc_flag else _TOKEN).match(d, position)
        if not match:
            return segments, length
        position = match.end()
        if arc_flag:
            args.append(float(match.group(1)))
        elif match.group(1):
            command, args = match.group(1), []
            if command in "zZ":
                segments += 1
                length += math.dist((x, y), (start_x, start_y))
                x, y = start_x, start_y
            continue
        elif not command or command in "zZ":
            return segments, length
        else:
            args.append(float(match.group(2)))
        lower = command.lower()
        if len(args) < _ARITY[lower]:
            continue
        ox, oy = (x, y) if command.islower() else (0.0, 0.0)
        points: list[tuple[float, float]]
        if lower == "h":
            points = [(args[0] + (x if command.islower() else 0.0), y)]
        elif lower == "v":
            points = [(x, args[0] + (y if command.islower() else 0.0))]
        elif lower == "a":
            end = (args[5] + ox, args[6] + oy)
            chord = math.dist((x, y), end)
            length += 2 * math.pi * max(abs(args[0]), abs(args[1])) + math.pi * chord
            points = [end]
            x, y = end
            segments += 1
            args = []
            continue
        else:
            points = [(args[i] + ox, args[i + 1] + oy) for i in range(0, len(args), 2)]
        segments += 1
        if lower == "m":
            start_x, start_y = points[0]
            command = "l" if command == "m" else "L"  # what repeats after a move is a line
        else:
            length += sum(math.dist(a, b) for a, b in zip([(x, y), *points], points, strict=False))
        x, y = points[-1]
        args = []
