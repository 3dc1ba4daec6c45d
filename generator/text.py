"""Untrusted text made safe: escaping for Markdown and HTML, placeholders, durations and dates."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from typing import Any

from babel.dates import format_date
from markupsafe import Markup

from . import resources
from .loader import load_builtin
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
    return load_builtin(resources.content_dir() / language / "strings.yaml")  # type: ignore[no-any-return]


def duration(d: Duration, language: str) -> str:
    """``Duration(2, 'hours')`` -> ``2 hours`` / ``2 jam``."""
    one, many = strings(language)["units"][d.unit]
    return f"{d.amount} {one if d.amount == 1 else many}"


def date(day: dt.date, language: str) -> str:
    """A date written out: ``1 December 2026`` / ``1 Desember 2026``."""
    return format_date(day, format="long" if language != "en" else "d MMMM y", locale=language)


def every(d: Duration, language: str) -> str:
    """How often, as people say it: ``hourly``, ``daily``, ``every 2 hours``; ``setiap hari``."""
    s = strings(language)
    if d.amount == 1 and d.unit in s["every_one"]:
        return str(s["every_one"][d.unit])
    return str(s["every_many"]).format(duration=duration(d, language))


@cache
def _prepositions() -> str:
    """The words that may stand before ``{next_update}`` in any language: a statement may be
    written in another language than the handbook's ("by {next_update}" in an Indonesian
    handbook), and the whole phrase is replaced, never the placeholder alone."""
    from .choices import LANGUAGES

    return (
        "(?:" + "|".join(str(strings(code)["next_update_preposition"]) for code in LANGUAGES) + ")"
    )


def fill_placeholders(
    text: str,
    next_update: Duration,
    language: str,
    *,
    place: str | None = None,
    known: dict[str, str] | None = None,
    next_internal_update: Duration | None = None,
) -> str:
    """The plain text of a message with ``{next_update}`` (from the cadence),
    ``{next_internal_update}`` (staff's), ``{source_of_truth}`` (the single place for
    updates) and the ``known`` blanks (such as ``{crisis lead}``, when the handbook knows who
    that is) filled in."""
    s = strings(language)
    text = one_line(text).strip()
    for token, every in (
        ("next_update", next_update),
        ("next_internal_update", next_internal_update),
    ):
        if every is None:
            continue
        within = s["within"].format(duration=duration(every, language))
        text = re.sub(_prepositions() + r"\s+\{" + token + r"\}", within, text)
        text = text.replace("{" + token + "}", within)
    if place is not None:
        text = text.replace("{source_of_truth}", place)
    for blank_, value in (known or {}).items():
        text = text.replace("{" + blank_ + "}", value)
    return text


def complete(text: str, place: str) -> bool:
    """Whether a statement says when the next update comes and where."""
    return "{next_update}" in text and ("{source_of_truth}" in text or place in text)


def completed(text: str, place: str, language: str) -> str:
    """A statement with a closing line for what it leaves out: the next update's time, its
    place, or both (the first-message recipe ends with them)."""
    s = strings(language)["closing"]
    has_time = "{next_update}" in text
    has_place = "{source_of_truth}" in text or place in text
    if has_time and has_place:
        return text
    line = s["place"] if has_time else s["time"] if has_place else s["both"]
    return f"{text.rstrip()} {line}"


def blank(label: str, language: str) -> Markup:
    """A blank to fill in before posting: ``[label]``, highlighted."""
    title = escape(strings(language)["fill_in"])
    return Markup(f'<mark class="blank" title="{title}">[{escape(label)}]</mark>')


def blanks(plain: str, language: str) -> Markup:
    """Plain text as escaped HTML, with each ``{placeholder}`` as a marked blank."""
    out: list[str] = []
    last = 0
    for match in PLACEHOLDER.finditer(plain):
        out.append(escape(plain[last : match.start()]))
        out.append(blank(match.group(1).replace("_", " "), language))
        last = match.end()
    out.append(escape(plain[last:]))
    return Markup("".join(out))


def statement(text: str, next_update: Duration, language: str, **filled: Any) -> Markup:
    """A message as escaped HTML: :func:`fill_placeholders` (``filled`` are its keyword
    arguments), then each remaining ``{placeholder}`` as a marked blank."""
    return blanks(fill_placeholders(text, next_update, language, **filled), language)


_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def shorten(plain: str, limit: int, closing: str) -> str:
    """The first sentences of ``plain`` that fit ``limit`` with ``closing`` after them; if the
    first sentence alone is too long, as many of its words as fit, with an ellipsis."""
    room = limit - len(closing) - 1
    kept = ""
    for sentence in _SENTENCE.split(plain):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > room:
            break
        kept = candidate
    if not kept:
        words = plain.split()
        while words and len(" ".join(words)) + 1 > room:
            words.pop()
        kept = " ".join(words).rstrip(",;:") + "…" if words else ""
    return f"{kept} {closing}".strip()


def slugify(value: str, keep: str = "") -> str:
    """A safe folder and anchor name: lower-case ASCII letters, digits and hyphens (and the
    characters in ``keep``, such as the dot of a version, never at either end).

    Other scripts are transliterated (anyascii), so ``Кофе Москва`` gives ``kofe-moskva``
    rather than nothing.
    """
    from anyascii import anyascii

    ends = "-" + keep
    allowed = re.escape(keep)
    slug = re.sub(rf"[^a-z0-9{allowed}]+", "-", anyascii(value).lower())
    slug = re.sub(r"\.{2,}", ".", slug).strip(ends) if "." in keep else slug.strip(ends)
    return slug[:60].strip(ends)


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


def folder_for(company: str, edition: str) -> str:
    """A handbook's folder under the output folder: the company's slug, and ``-public`` for the
    public edition (the same in every language, for deploy scripts), so that neither edition
    ever replaces the other."""
    slug = slug_for(company)
    return f"{slug}-public" if edition == "public" else slug


def slug_for(name: str) -> str:
    """The client's folder name, from the company name: safe on every file system, never empty."""
    slug = slugify(name)
    if not slug or slug in RESERVED_SLUGS:
        slug = f"client-{slug}" if slug else "client"
    return slug
