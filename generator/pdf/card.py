"""Stage 5, the pull-out card: its length estimated from the print font, so it stays one page.

The card is set at 11 pt, as large as the body text or larger, and never smaller: when a long
questionnaire (many severity levels, long signs, long names) would run past its page, what
varies is held to fewer lines instead (print.css: ``line-clamp`` on the card's list items,
tightened by the class chosen here). Names of people are never hyphenated (``cp-name``).
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterable

from .tables import _mm

#: Page height less the card page's margins, border and padding (print.css), by paper (mm).
_HEIGHT_MM = {"A4": 297.0 - 26.0 - 9.4, "letter": 279.4 - 26.0 - 9.4}
#: Text width of the card: page width less margins (2 x 14 mm), padding and border (mm).
_WIDTH_MM = {"A4": 210.0 - 28.0 - 13.4, "letter": 215.9 - 28.0 - 13.4}
SIZE_PT = 11.0
_LINE_MM = SIZE_PT * 1.32 * 25.4 / 72
#: The estimate against WeasyPrint's layout: the reference card measures 246 mm laid out and
#: 258 mm estimated (the estimate counts full margins where WeasyPrint collapses them).
_CALIBRATION = 0.97
#: The list items' line limits of print.css: none of the classes, ``cp-tight``, ``cp-tighter``.
CLAMPS = {"": 3, "cp-tight": 2, "cp-tighter": 1}

_BLOCK = re.compile(r"<(h1|h2|p|li|pre)\b[^>]*>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<br\s*/?>")
# Fixed height of each kind of block besides its lines: margins, padding, frame (mm).
_EXTRA_MM = {"h1": 6.0, "h2": 6.0, "p": 1.2, "li": 0.0, "pre": 8.0}
_INDENT_MM = {"li": 6.0, "pre": 9.0}
_SIZE = {"h1": 20.0, "h2": 13.0}


def _lines(text: str, width_mm: float, size_pt: float, bold: bool) -> int:
    """Lines a paragraph of ``text`` takes at ``width_mm``, breaking at spaces."""
    count, line = 1, 0.0
    space = _mm(" ", bold, size_pt)
    for word in text.split():
        w = _mm(word, bold, size_pt)
        if line and line + space + w > width_mm:
            count, line = count + 1, w
        else:
            line += (space if line else 0.0) + w
    return count


def height_mm(body: str, paper: str, clamp: int | None) -> float:
    """The card's estimated height with list items held to ``clamp`` lines."""
    width = _WIDTH_MM.get(paper, _WIDTH_MM["A4"])
    total = 12.0  # the "pull-out card" label and slack at the top
    for match in _BLOCK.finditer(body):
        kind, inner = match.group(1), match.group(2)
        if kind == "p" and "<li" in body[max(0, match.start() - 8) : match.start()]:
            continue  # a list item's paragraph is counted with the item
        size = _SIZE.get(kind, SIZE_PT)
        lines = 0
        for piece in _BREAK.split(inner) if kind != "pre" else inner.split("\n"):
            text = htmllib.unescape(_TAG.sub("", piece))
            lines += _lines(text, width - _INDENT_MM.get(kind, 0.0), size, kind in _SIZE)
        if kind == "li" and clamp is not None:
            lines = min(lines, clamp)
        total += lines * size * 1.32 * 25.4 / 72 + _EXTRA_MM[kind]
    return total


def fit(body: str, paper: str = "A4") -> str:
    """The class that keeps the card on one page: ``""`` when it fits as it is."""
    room = _HEIGHT_MM.get(paper, _HEIGHT_MM["A4"])
    for name, clamp in CLAMPS.items():
        if height_mm(body, paper, clamp) * _CALIBRATION <= room:
            return name
    return "cp-tighter cp-columns"


def mark_names(html: str, names: Iterable[str]) -> str:
    """Each person's name in the text of ``html`` (not in its tags) as
    ``<span class="cp-name">``, which print.css never hyphenates, and never breaks in a table."""
    escaped = sorted({htmllib.escape(n, quote=False) for n in names if n and n.strip()}, key=len)
    if not escaped:
        return html
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(n) for n in reversed(escaped)) + r")(?![\w-])"
    )
    out = []
    for i, piece in enumerate(re.split(r"(<[^>]*>)", html)):
        out.append(piece if i % 2 else pattern.sub(r'<span class="cp-name">\1</span>', piece))
    return "".join(out)
