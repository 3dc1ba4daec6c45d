"""The tool's own messages in the handbook's language: gettext catalogs read with Babel.

Every message crisisplan prints (validate's problems, build's warnings and summary, init's
advice) is written in English in the code, wrapped in :func:`_` or :func:`ngettext`, and
looked up in ``content/locale/<language>/LC_MESSAGES/crisisplan.po`` for the language being
spoken. The language is that of the questionnaire a message is about: :func:`speaking` sets
it for a block (a context variable, so each thread and each build process has its own), and
:func:`sniff` reads it from a questionnaire's text before the YAML is parsed, so that even a
YAML error is reported in the questionnaire's language. English needs no catalog.

Messages use ``{name}`` fields (``str.format``), filled after the lookup, so a translation can
put them in its own order. Adding a language: ``pybabel init`` a catalog from
``content/locale/crisisplan.pot`` (see docs/languages.md).
"""

from __future__ import annotations

import contextlib
import gettext
import io
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import cache, wraps
from pathlib import Path
from typing import Any, TypeVar, cast

from . import resources

DOMAIN = "crisisplan"
DEFAULT = "en"

_language: ContextVar[str] = ContextVar("crisisplan_language", default=DEFAULT)


def locale_dir() -> Path:
    """``content/locale/``: the catalogs, one folder per language, and the template (.pot)."""
    return resources.content_dir() / "locale"


def catalog_path(language: str) -> Path:
    return locale_dir() / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def languages() -> tuple[str, ...]:
    """The languages messages can be printed in: English and every language with a catalog."""
    found = {p.parent.parent.name for p in locale_dir().glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(found | {DEFAULT}))


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalog of ``language``, compiled in memory from its .po file (no .mo to go stale)."""
    path = catalog_path(language)
    if language == DEFAULT or not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def current() -> str:
    """The language messages are printed in now."""
    return _language.get()


@contextlib.contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Print the messages of the block in ``language`` (English when it has no catalog)."""
    token = _language.set(language if language in languages() else DEFAULT)
    try:
        yield
    finally:
        _language.reset(token)


def _(message: str, /, **values: object) -> str:
    """``message`` in the current language, its ``{name}`` fields filled from ``values``."""
    translated = translations(current()).gettext(message)
    return translated.format(**values) if values else translated


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural of a message for ``n``, as the current language counts;
    ``{n}`` and the other fields are filled from ``values``."""
    translated = translations(current()).ngettext(singular, plural, n)
    return translated.format(n=n, **values)


#: ``handbook:`` at the start of a line, a block (nothing after it) or a flow mapping.
_HANDBOOK = re.compile(r"""handbook\s*:\s*(\{.*)?$""")
#: ``language: id``, quoted or not, as a key of a block or of a flow mapping.
_LANGUAGE = re.compile(r"""(?:^|[\s{,])language\s*:\s*["']?([A-Za-z]{2,3})\b""")
#: ``  language: id`` as a key of the ``handbook:`` block.
_KEY = re.compile(r"""\s+language\s*:\s*["']?([A-Za-z]{2,3})\b""")
#: A comment: ``#`` at the start of a line or after a space.
_COMMENT = re.compile(r"(?:^|\s)#.*$")


def sniff(text: str) -> str:
    """The handbook language a questionnaire's text names (``handbook.language``), read
    before (or without) parsing it, so that every message about it, a YAML error included, is
    in that language. Comments, and a ``language:`` anywhere but in ``handbook``, say nothing."""
    inside = False
    for raw in text.splitlines():
        line = _COMMENT.sub("", raw).rstrip()
        if not line.strip():
            continue
        if not line[0].isspace():  # a section starts
            head = _HANDBOOK.match(line)
            inside = head is not None and head.group(1) is None
            found = _LANGUAGE.search(head.group(1)) if head and head.group(1) else None
        else:
            found = _KEY.match(line) if inside else None
        if found and found.group(1).lower() in languages():
            return found.group(1).lower()
    return DEFAULT


def language_of(path: Path | str) -> str:
    """The handbook language of the questionnaire at ``path`` (English when it names none, or
    when it is not a regular file that can be read: that is reported where it is loaded)."""
    try:  # opened without blocking, then checked: a pipe put in its place is never read
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return DEFAULT
    with os.fdopen(fd, "rb") as handle:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > 4 * 1024 * 1024:
                return DEFAULT
            return sniff(handle.read().decode("utf-8", errors="replace"))
        except OSError:  # said where the file is loaded
            return DEFAULT


#: How messages are found in the code: ``_("…")``, ``N_("…")`` and ``ngettext("…", "…", n)``.
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def extract() -> list[tuple[str | tuple[str, str], str]]:
    """Every message of the code, in order: ``(msgid or (singular, plural), where)``, read
    from the package's source with Babel's extractor (what ``pybabel extract`` does)."""
    from babel.messages.extract import extract_from_dir

    package = Path(__file__).resolve().parent
    found: dict[str | tuple[str, str], str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        package, [("**.py", "python")], keywords=KEYWORDS
    ):
        key = tuple(message) if isinstance(message, (list, tuple)) else message
        found.setdefault(key, f"{filename}:{lineno}")  # type: ignore[arg-type]
    return list(found.items())


_F = TypeVar("_F", bound=Callable[..., Any])


def in_its_language(func: _F) -> _F:
    """Run ``func(path, …)`` speaking the language of the questionnaire at ``path``: every
    message it makes (a problem, a warning, an error) is in the handbook's language."""

    @wraps(func)
    def wrapper(path: Path | str, *args: Any, **kwargs: Any) -> Any:
        with speaking(language_of(path)):
            return func(path, *args, **kwargs)

    return cast(_F, wrapper)


def N_(message: str, /) -> str:
    """Mark ``message`` for the catalogs without translating it now: it is translated where it
    is used, in the language spoken then (a constant made at import time)."""
    return message
