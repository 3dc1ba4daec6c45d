"""Built pages mended where the theme's markup is invalid or inaccessible and no block reaches it.

Material for MkDocs writes a few things that the Nu HTML Checker calls errors or that axe-core
calls violations, in template code outside any block a ``custom_dir`` can override (``base.html``
itself) or in partials whose only override is a full copy (``nav-item.html``, ``toc.html``,
``search.html``, 40 to 170 lines each, which would then stop following Material's updates). Each
mend below is one exact pattern of that markup; ``tests/test_checkers.py`` runs both checkers on
built handbooks, so a Material release that changes its markup shows there, not on a client's
phone. The task lists come from Python-Markdown (pymdownx.tasklist), whose checkbox has no name;
the content's tables get what a phone needs to stack them (``data-label`` and friends, read by
``crisisplan.css``); the header's title is split so that a phone can show the company alone.

Applied to every page after the build, by either engine, before the Content-Security-Policy is
computed (``finish.py``).
"""

from __future__ import annotations

import html as htmllib
import re

#: ``autocomplete`` is not allowed on a checkbox (the drawer and search toggles); Material
#: closes both on every navigation, which is what the attribute was for.
_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?)\s+autocomplete="off"')
#: ``tabindex=""`` is not an integer (a section label that is not focusable).
_EMPTY_TABINDEX = re.compile(r'\s+tabindex=""')
#: The table of contents' title is a label for the toggle ``__toc``, which a section's index
#: page does not have: then it is a plain title.
_TOC_LABEL = re.compile(r'<label class="md-nav__title" for="__toc">(.*?)</label>', re.S)
#: The search dialog has no name; it takes the one Material gives its search field.
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
_SEARCH_NAME = re.compile(
    r'<input type="text" class="md-search__input" name="query" aria-label="([^"]*)"'
)
#: A section's menu is named by its toggle label, which is empty when the section has an index
#: page (the link beside it carries the title): every section menu had the same empty name.
#: It is named by the title at its top instead.
_SECTION_NAV = re.compile(
    r'(<nav class="md-nav" data-md-level="\d+") aria-labelledby="(__nav_[\d_]+)_label"'
    r'([^>]*>\s*<label class="md-nav__title") for="\2">'
)
#: The header's and the drawer's title is the site name, "Company · Title": on a phone the title
#: part is left out (crisisplan.css) so that the company's name fits on the line, not cut in
#: the middle. Split at the last " · " (the built-in titles have none).
_HEADER_TITLE = re.compile(
    r'(<div class="md-header__topic">\s*<span class="md-ellipsis">\s*)([^<]*) · ([^<]*?)(\s*</span>)'
)
_DRAWER_TITLE = re.compile(
    r'(<label class="md-nav__title" for="__drawer">.*?</a>\s*)([^<]*) · ([^<]*?)(\s*</label>)',
    re.S,
)
#: The logo's tooltip: Material escapes the site name there, which crisisplan has escaped
#: already (every questionnaire value is), so "A & B" showed as "A &amp; B".
_LOGO_TITLE = re.compile(
    r'(<a href="[^"]*" title=")([^"]*)(" class="md-(?:header|nav)__button md-logo")'
)
#: A task list's checkbox, named by the text of its item.
_TASK = re.compile(
    r'(<li class="task-list-item"><label class="task-list-control"><input type="checkbox"'
    r'[^>]*?)(/?>)(<span class="task-list-indicator"></span></label>)(.*?)(?=</li>|<ul|<ol|<p>)',
    re.S,
)
_TAG = re.compile(r"<[^>]*>")
#: A table of the page's content (Markdown tables have neither class nor nested tables).
_TABLE = re.compile(r"<table>(.*?)</table>", re.S)
_HEADER = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
_ROW = re.compile(r"<tr>(.*?)</tr>", re.S)
_CELL_TEXT = re.compile(r"<td\b([^>]*)>(.*?)</td>", re.S)
#: What a blank cell of a form may hold: nothing, a dash, or boxes to tick with their options.
_BLANK = re.compile(r"^\s*(?:[–—-]?|(?:☐\s*[^☐]{0,20}?\s*)+)\s*$")
#: Tables of this many columns or more are set as stacked rows on a phone, each cell labelled
#: with its column's header (crisisplan.css); narrower ones fit as they are.
STACKED_COLUMNS = 3


def mend(page: str) -> str:
    """``page`` with Material's invalid or unnamed markup mended (see the module's patterns)."""
    page = _CHECKBOX_AUTOCOMPLETE.sub(r"\1", page)
    page = _EMPTY_TABINDEX.sub("", page)
    if 'id="__toc"' not in page:
        page = _TOC_LABEL.sub(r'<div class="md-nav__title">\1</div>', page)
    name = _SEARCH_NAME.search(page)
    if name:
        page = page.replace(
            _SEARCH_DIALOG, f'{_SEARCH_DIALOG[:-1]} aria-label="{name.group(1)}">', 1
        )
    page = _SECTION_NAV.sub(r'\1 aria-labelledby="\2_title"\3 id="\2_title" for="\2">', page)
    title = r'\1\2<span class="cp-header-title"> · \3</span>\4'
    page = _HEADER_TITLE.sub(title, page, count=1)
    page = _DRAWER_TITLE.sub(title, page, count=1)
    page = _LOGO_TITLE.sub(_logo_title, page)
    page = _TABLE.sub(_labelled_cells, page)
    return _TASK.sub(_named_task, page)


def _logo_title(match: re.Match[str]) -> str:
    """The tooltip escaped once: its text unescaped twice (what crisisplan and Material
    escaped) and escaped again for the attribute, so no quote can end it."""
    start, title, end = match.groups()
    return f"{start}{htmllib.escape(htmllib.unescape(htmllib.unescape(title)))}{end}"


def _named_task(match: re.Match[str]) -> str:
    start, end, indicator, item = match.groups()
    words = _plain(item)
    if not words or "aria-label=" in start:
        return match.group(0)
    return f'{start} aria-label="{htmllib.escape(words)}"{end}{indicator}{item}'


def _labelled_cells(match: re.Match[str]) -> str:
    """A wide table set for stacking on a phone: each body cell with ``data-label`` (its
    column's header, as plain text), ``data-empty`` on cells with nothing to read and on rows
    with nothing but blanks, and ``data-form`` on a table of blank rows only (a form to print).

    No explicit table roles: the Nu checker calls ``role="row"`` and the like on a table's own
    elements errors, and a browser that drops a table's semantics when a phone stacks it still
    reads each cell with its column's name (``::before``)."""
    table = match.group(0)
    if "</thead>" not in table:
        return table
    head, body = table.split("</thead>", 1)
    labels = [_plain(h) for h in _HEADER.findall(head)]
    if len(labels) < STACKED_COLUMNS:
        return table
    rows = 0
    blank_rows = 0

    def row(m: re.Match[str]) -> str:
        nonlocal rows, blank_rows
        column = iter(labels)
        cells = _CELL_TEXT.findall(m[1])
        blank = all(_blank(text) for _, text in cells)
        rows += 1
        blank_rows += blank

        def cell(c: re.Match[str]) -> str:
            label = htmllib.escape(next(column, ""))
            empty = ' data-empty=""' if _blank(c[2], options=False) else ""
            return f'<td{c[1]} data-label="{label}"{empty}>{c[2]}</td>'

        empty = ' data-empty=""' if blank else ""
        return f"<tr{empty}>{_CELL_TEXT.sub(cell, m[1])}</tr>"

    body = _ROW.sub(row, body)
    if rows and rows == blank_rows:
        head = head.replace("<table>", '<table data-form="">', 1)
    return f"{head}</thead>{body}"


def _blank(fragment: str, *, options: bool = True) -> bool:
    """Whether a cell has nothing to read: empty or a dash, or (``options``) only boxes to
    tick, such as "☐ Open ☐ Done" in a form's row."""
    text = _plain(fragment)
    if not options:
        return text in ("", "–", "—", "-")
    return bool(_BLANK.match(text))


def _plain(fragment: str) -> str:
    """The text of an HTML fragment, on one line."""
    return " ".join(htmllib.unescape(_TAG.sub(" ", fragment)).split())
