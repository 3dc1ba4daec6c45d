"""Untrusted text made safe: escaping for Markdown and HTML, placeholders, durations and dates."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from . import resources
from .loader import load_yaml
from .types import Duration

# Every character that means something to Markdown, its extensions or HTML becomes a numeric
# character reference: inert in Markdown paragraphs, tables and raw HTML blocks alike, and
# shown by the browser as the character itself.
_SPECIAL = set("\\`*_{}[]()#+-.!|<>&\"'~=:^$%@;/")
_ENTITY = {c: f"&#{ord(c)};" for c in _SPECIAL}
_WHITESPACE = re.compile(r"\s+")
_CONTROL = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]"
)


def one_line(value: str) -> str:
    """Collapse newlines and runs of spaces; drop control and bidirectional-override characters."""
    return _WHITESPACE.sub(" ", _CONTROL.sub("", value))


def escape(value: Any) -> Markup:
    """Escape any value for Markdown and HTML at once; Markup passes through unchanged."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return Markup("")
    text = one_line(str(value))
    return Markup("".join(_ENTITY.get(c, c) for c in text))


def html(value: Any) -> Markup:
    """Escape for HTML only (for text that will not pass through Markdown)."""
    if isinstance(value, Markup):
        return value
    return Markup.escape(one_line(str(value)) if value is not None else "")


PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_ -]{0,40})\}")


@cache
def strings(language: str) -> dict[str, Any]:
    """The interface strings of ``language`` (``content/<language>/strings.yaml``)."""
    return load_yaml(resources.content_dir() / language / "strings.yaml").data


def duration(d: Duration, language: str) -> str:
    """``Duration(2, 'hours')`` -> ``2 hours`` / ``2 jam``."""
    one, many = strings(language)["units"][d.unit]
    return f"{d.amount} {one if d.amount == 1 else many}"


def date(day: dt.date, language: str) -> str:
    """A date written out: ``1 December 2026`` / ``1 Desember 2026``."""
    return format_date(day, format="long" if language != "en" else "d MMMM y", locale=language)


def fill_placeholders(text: str, next_update: Duration, language: str) -> str:
    """The plain text of a message with ``{next_update}`` filled in from the cadence."""
    s = strings(language)
    within = s["within"].format(duration=duration(next_update, language))
    text = re.sub(
        s["next_update_preposition"] + r"\s+\{next_update\}", within, one_line(text).strip()
    )
    return text.replace("{next_update}", within)


def statement(text: str, next_update: Duration, language: str) -> Markup:
    """A message as escaped HTML, with each remaining ``{placeholder}`` as a marked blank."""
    plain = fill_placeholders(text, next_update, language)
    out: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(plain):
        out.append(escape(plain[last : match.start()]))
        label = escape(match.group(1).replace("_", " "))
        out.append(
            f'<mark class="blank" title="{escape(strings(language)["fill_in"])}">[{label}]</mark>'
        )
        last = match.end()
    out.append(escape(plain[last:]))
    return Markup("".join(out))


def slugify(value: str) -> str:
    """A safe folder and anchor name: lower-case ASCII letters, digits and hyphens.

    Other scripts are transliterated (anyascii), so ``Кофе Москва`` gives ``kofe-moskva``
    rather than nothing.
    """
    from anyascii import anyascii

    return re.sub(r"[^a-z0-9]+", "-", anyascii(value).lower()).strip("-")[:60].strip("-")


#: Names a client's folder may not take: devices on Windows, and the output's own folders.
RESERVED_SLUGS = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
    "site",
    "assets",
}


def slug_for(name: str) -> str:
    """The client's folder name, from the company name: safe on every file system, never empty."""
    slug = slugify(name)
    if not slug or slug in RESERVED_SLUGS:
        slug = f"client-{slug}" if slug else "client"
    return slug
