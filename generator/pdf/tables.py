"""Stage 5, tables: column widths measured from the print font, so WeasyPrint need not measure.

WeasyPrint's automatic table layout measures every cell with Pango, and a long table again on
every page it continues on: a tenth of the reference PDF's layout time and a fifth of a long
one's. The pages' tables get widths computed here by the CSS 2.1 rule from the print font's
advance widths.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import cache

from .. import resources

_TABLE = re.compile(r"<table>(.*?)</table>", re.S)

#: Tables without a class (the register, the severity and contact tables, warning signs,
#: recovery actions...) get fixed column widths computed here: WeasyPrint's automatic layout
#: measures every cell with Pango (for a long table, again on every page it continues on),
#: which took a tenth of the reference PDF's layout time and a fifth of a long one's.
_TEXT_MM = 174.0  # the text width of A4 (210 mm less 2 x 18 mm margins); letter is wider
_PADDING_MM = 4.2  # 2 mm each side and the border, as print.css sets for cells
_TIGHT_MM = 3.0  # 1.4 mm each side: print.css's table.cp-tight, for a table whose words need it
_SLACK_MM = 1.0  # for kerning and rounding, so that the longest word never breaks
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL = re.compile(r"<t([hd])>(.*?)</t[hd]>", re.S)
_BREAK = re.compile(r"<br\s*/?>")
_ANY_TAG = re.compile(r"<[^>]*>")  # start or end tag, to strip from a cell's text
_SPACE = re.compile(r"[ \t\n]+")  # not at no-break spaces
#: Where else a line may break, as Pango breaks (UAX #14): after a slash or a hyphen that a
#: letter follows ("https://example.org/news", "e-mail"), not before a digit ("+62-21").
_AFTER = re.compile(r"(?<=[/-])(?=[^\W\d_])|\u200b")
#: What holds a table with less than the text width: a list item, a note, a quote...
_CONTAINER = re.compile(r"<(/?)(?:li|div|blockquote|details|dd|td|th)\b")
#: print.css keeps phone numbers, e-mail addresses and people's names (in tables) on one line.
_NOWRAP = re.compile(
    r'(<a\s[^>]*href="(?:tel|mailto):[^"]*"[^>]*>|<span class="cp-(?:name|date)">)(.*?)(</a>|</span>)',
    re.S,
)
#: A date as the pages write it ("1 September 2027", "1 Desember 2026"): kept on one line.
_DATE = re.compile(r"(?<![\w.,])\d{1,2} [^\W\d_]{3,} \d{4}(?![\w])")
_TAG_OR_TEXT = re.compile(r"(<[^>]*>)")
#: A cell that says there is nothing: a column of nothing else is left out of print.
_NOTHING = {"–", "—", "-"}


@cache
def _advances(bold: bool) -> tuple[dict[int, int], int]:
    """The print font's advance widths by code point, and its units per em."""
    from fontTools.ttLib import TTFont

    name = "SourceSans3-Bold.ttf" if bold else "SourceSans3-Regular.ttf"
    with TTFont(resources.themes_dir() / "fonts" / "print" / name, lazy=True) as font:
        metrics = font["hmtx"].metrics
        return {c: metrics[g][0] for c, g in font.getBestCmap().items()}, font["head"].unitsPerEm


def text_mm(text: str, bold: bool = False, size_pt: float = 9.0) -> float:
    """How wide ``text`` is set in the print font, in mm."""
    return _mm(text, bold, size_pt)


def _mm(text: str, bold: bool, size_pt: float = 9.0) -> float:
    advances, units = _advances(bold)
    width = sum(advances.get(ord(c), units // 2) for c in text)
    return width / units * size_pt * 25.4 / 72


def _words(text: str) -> list[str]:
    return [piece for word in _SPACE.split(text) for piece in _AFTER.split(word)]


#: Tables of at most this many rows, header included, are not split across pages.
SHORT_ROWS = 6
#: A column whose cells are all empty is there to write in: it is measured as if its longest
#: line took this share of the text width, so that it gets room for a pen.
WRITE_IN_SHARE = 0.5


def _unbroken(match: re.Match[str]) -> str:
    return match.group(1) + _SPACE.sub("\u00a0", match.group(2)) + match.group(3)


def measure(body: str) -> str:
    """A page body with its tables measured: those at the top level of the page, which have
    the whole text width (one in a list, a note or a quote has less)."""
    out: list[str] = []
    depth, last = 0, 0
    for match in _TABLE.finditer(body):
        for tag in _CONTAINER.finditer(body, last, match.start()):
            depth += -1 if tag.group(1) else 1
        out += [body[last : match.start()], _measure_table(match) if depth == 0 else match[0]]
        last = match.end()
    return "".join(out) + body[last:]


def _dates(table: str) -> str:
    """Each date in the table's text held together (``cp-date``, which print.css sets unbroken)."""
    return "".join(
        piece if piece.startswith("<") else _DATE.sub(r'<span class="cp-date">\g<0></span>', piece)
        for piece in _TAG_OR_TEXT.split(table)
    )


def _drop_nothing(table: str) -> str:
    """The table without its columns that say nothing in any body row ("–" in every cell, as
    an outside contact's out-of-hours number no one has, or left empty in a row to fill in):
    on paper they only take room. The first column, which names the rows, always stays."""
    rows = [_CELL.findall(row) for row in _ROW.findall(table)]
    if len(rows) < 2 or len({len(row) for row in rows}) != 1:
        return table
    said = [[_ANY_TAG.sub("", cell).strip() for _, cell in row] for row in rows[1:]]
    empty = {
        j
        for j in range(1, len(rows[0]))
        if all(row[j] in _NOTHING or not row[j] for row in said)
        and any(row[j] in _NOTHING for row in said)  # not a column to write in
    }
    if not empty or len(empty) == len(rows[0]) - 1:
        return table

    def row(match: re.Match[str]) -> str:
        cells = list(_CELL.finditer(match.group(0)))
        out, last = [], 0
        for j, cell in enumerate(cells):
            out.append(match.group(0)[last : cell.start()])
            if j not in empty:
                out.append(cell.group(0))
            last = cell.end()
        return "".join(out) + match.group(0)[last:]

    return _ROW.sub(row, table)


def _extents(
    rows: list[list[tuple[str, str]]], columns: int, *, whole_domains: bool, padding: float
) -> tuple[list[float], list[float]]:
    """Each column's narrowest (its longest word) and widest (its longest line) width, in mm,
    padding included."""
    narrowest, widest = [padding] * columns, [padding] * columns
    for row in rows:
        for j, (kind, cell) in enumerate(row):
            for line in _BREAK.split(cell):
                bold = kind == "h" or "<strong>" in line or "<b>" in line
                text = htmllib.unescape(_ANY_TAG.sub("", line))
                if whole_domains:
                    text = text.replace("\u200b.", ".")
                word = max((_mm(w, bold) for w in _words(text)), default=0.0)
                narrowest[j] = max(narrowest[j], word + padding + _SLACK_MM)
                whole = _mm(text.replace("\u200b", ""), bold)
                widest[j] = max(widest[j], whole + padding + _SLACK_MM)
    return narrowest, widest


def _measure_table(match: re.Match[str]) -> str:
    """A table's column widths as automatic layout would set them, from the font's metrics:
    each column between its longest word and its longest line, in proportion to the room
    left (CSS 2.1, 17.5.2.2). A table without a header row, or with code (set in another
    font), is left to WeasyPrint. Columns of nothing but "–" are left out, and dates are
    kept on one line."""
    table = _dates(_drop_nothing(match.group(0)))
    rows = [_CELL.findall(row) for row in _ROW.findall(_NOWRAP.sub(_unbroken, table))]
    columns = len(rows[0]) if rows else 0
    if (
        len(rows) < 2
        or not columns
        or any(len(row) != columns for row in rows)
        or any(kind != "h" for kind, _ in rows[0])
        or "<code" in table
    ):
        return table
    blank = [
        all(not _ANY_TAG.sub("", row[j][1]).strip() for row in rows[1:]) for j in range(columns)
    ]
    # An e-mail address's domain is kept whole (two lines at most: before and from its "@")
    # when the words fit so, with the cells' side padding narrowed if need be; else it may
    # break before its dots too.
    for whole_domains, padding in ((True, _PADDING_MM), (True, _TIGHT_MM), (False, _PADDING_MM)):
        narrowest, widest = _extents(rows, columns, whole_domains=whole_domains, padding=padding)
        if sum(narrowest) <= _TEXT_MM:
            break
    if whole_domains:  # no break before a domain's dots: only before the "@"
        table = table.replace("\u200b.", ".")
    widest = [
        max(w, _TEXT_MM * WRITE_IN_SHARE) if empty else w
        for w, empty in zip(widest, blank, strict=True)
    ]
    if sum(narrowest) > _TEXT_MM:  # the words do not fit: let WeasyPrint decide
        return table
    if sum(widest) <= _TEXT_MM:
        widths = [w * _TEXT_MM / sum(widest) for w in widest]
    else:
        room = (_TEXT_MM - sum(narrowest)) / (sum(widest) - sum(narrowest))
        widths = [lo + (hi - lo) * room for lo, hi in zip(narrowest, widest, strict=True)]
    # A cell's width leaves out its padding: the widest column gets no width and takes what
    # is left, padding included.
    widest_column = widths.index(max(widths))
    header = iter(
        "" if j == widest_column else f' style="width: {100 * (w - padding) / _TEXT_MM:.1f}%"'
        for j, w in enumerate(widths)
    )
    first = table.index("<tr>")
    end = table.index("</tr>", first)
    head = re.sub(r"<th>", lambda _: f"<th{next(header)}>", table[first:end])
    # A short table (approvals, a notice list) is kept on one page, with its heading, and so
    # is a table of empty rows to write in (a log).
    short = len(rows) <= SHORT_ROWS or all(blank)
    classes = "cp-measured cp-short" if short else "cp-measured"
    if padding == _TIGHT_MM:
        classes += " cp-tight"
    if any(blank) and not all(blank):  # rows to write in beside text: three lines high
        classes += " cp-write-in"
    return f'<table class="{classes}">{table[len("<table>") : first]}{head}{table[end:]}'
