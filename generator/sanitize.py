"""Defence in depth: an allow-list HTML sanitiser (nh3) over every rendered page body."""

from __future__ import annotations

import re

import nh3

TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "input",
    "label",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
    "svg",
    "g",
    "rect",
    "text",
    "title",
    "line",
    "path",
    "circle",
}
COMMON = {"class", "id", "title", "role", "lang", "dir"}
ATTRIBUTES = {
    "*": COMMON,
    "a": COMMON | {"href"},
    "input": COMMON | {"type", "checked", "disabled"},
    "td": COMMON | {"align", "colspan", "rowspan"},
    "th": COMMON | {"align", "colspan", "rowspan"},
    "div": COMMON | {"data-threat", "data-channel", "data-category", "data-severity"},
    "svg": COMMON
    | {"xmlns", "viewbox", "viewBox", "width", "height", "aria-labelledby", "aria-label"},
    "rect": {"x", "y", "width", "height", "fill", "stroke", "stroke-width", "rx", "class"},
    "text": {"x", "y", "text-anchor", "transform", "class", "fill", "font-size"},
    "line": {"x1", "y1", "x2", "y2", "stroke", "stroke-width", "class"},
    "path": {"d", "fill", "stroke", "stroke-width", "class"},
    "circle": {"cx", "cy", "r", "fill", "class"},
    "g": {"class", "transform"},
    "title": {"id"},
}
SCHEMES = {"http", "https", "mailto", "tel"}
#: A start tag, its attribute values quoted as the sanitiser writes them. Text between tags
#: may hold a literal ``href="..."`` (the sanitiser leaves quotes in text as they are); only
#: tags are looked into.
TAG = re.compile(r'<[a-zA-Z][^">]*(?:"[^"]*"[^">]*)*>')


def sanitize(html: str) -> str:
    """Keep only the tags, attributes and link schemes a handbook page uses."""
    return str(
        nh3.clean(
            html,
            tags=TAGS,
            attributes=ATTRIBUTES,
            url_schemes=SCHEMES,
            link_rel=None,
            strip_comments=True,
        )
    )
