"""Value types of the questionnaire: durations, scores, colours, ids, links, e-mail and phone."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BeforeValidator,
    GetCoreSchemaHandler,
    PlainSerializer,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, core_schema

from .i18n import N_, _

UNITS: dict[str, tuple[str, int]] = {}
for _unit, _minutes, _names in (
    ("minutes", 1, "m min mins minute minutes menit"),
    ("hours", 60, "h hr hrs hour hours jam"),
    ("days", 1440, "d day days hari"),
    ("weeks", 10080, "w wk wks week weeks minggu pekan"),
    ("months", 43200, "mo month months bulan"),
    ("years", 525600, "y yr yrs year years tahun"),
):
    for _name in _names.split():
        UNITS[_name] = (_unit, _minutes)

DURATION_RE = re.compile(r"[ \t]*([0-9]{1,4})[ \t]*([a-zA-Z]+)[ \t]*")

# The JSON Schema checks what an editor's YAML parser gives (YAML 1.2: `1.10` and `2200` are
# numbers, `true` a boolean, `yes` and `2026-12-01` text), where this module reads the text as
# written. So each check of text is one regular expression, used whole by the validator and
# as the schema's pattern (ECMA-262, as editors apply it: no \d or \s, which differ from
# Python's), and a field whose text may be written as a number or a boolean accepts those too.


def anchored(regex: str) -> str:
    """``regex`` as a JSON Schema pattern, which matches anywhere unless anchored."""
    return f"^(?:{regex})$"


def any_case(word: str) -> str:
    """``on`` -> ``[oO][nN]``: JSON Schema patterns take no flags."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


def _pattern_schema(regex: str, **more: Any) -> dict[str, Any]:
    return {"type": "string", "pattern": anchored(regex), **more}


@dataclass(frozen=True)
class Duration:
    """A span of time as the questionnaire wrote it: an amount of a unit."""

    amount: int
    unit: str  # minutes, hours, days, weeks, months or years

    @property
    def minutes(self) -> int:
        """Length in minutes (a month counts as 30 days, a year as 365)."""
        return self.amount * {u: m for u, m in UNITS.values()}[self.unit]

    def after(self, day: dt.date) -> dt.date:
        """The calendar date this long after ``day`` (months and years by the calendar)."""
        if self.unit in ("months", "years"):
            months = self.amount * (12 if self.unit == "years" else 1)
            y, m = divmod(day.month - 1 + months, 12)
            year, month = day.year + y, m + 1
            return day.replace(
                year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
            )
        return day + dt.timedelta(minutes=self.minutes)

    def __str__(self) -> str:
        short = {"minutes": "m", "hours": "h", "days": "d", "weeks": "w"}
        if self.unit in short:
            return f"{self.amount}{short[self.unit]}"
        return f"{self.amount} {self.unit}"


@cache
def unit_words() -> dict[str, tuple[str, int]]:
    """Unit words: the built-in abbreviations plus every language's words in its strings.yaml."""
    from . import resources
    from .loader import load_builtin

    words = dict(UNITS)
    minutes = {unit: m for unit, m in UNITS.values()}
    for path in sorted(resources.content_dir().glob("*/strings.yaml")):
        for unit, names in load_builtin(path).get("units", {}).items():
            for name in names:
                words.setdefault(name.lower(), (unit, minutes[unit]))
    return words


def parse_duration(value: Any) -> Duration:
    if isinstance(value, Duration):
        return value
    match = DURATION_RE.fullmatch(str(value)) if isinstance(value, str | int) else None
    unit = unit_words().get(match.group(2).lower()) if match else None
    if not match or not unit:
        raise PydanticCustomError(
            "duration",
            _(
                "{value} is not a duration: write a number and a unit, such as 30m, 2h, 3d, 2w"
                " or 6 months"
            ),
            {"value": repr(value)},
        )
    amount = int(match.group(1))
    if amount <= 0:
        raise PydanticCustomError("duration", _("a duration must be longer than zero"))
    return Duration(amount, unit[0])


def duration_regex() -> str:
    """What :func:`parse_duration` accepts: an amount from 1 to 9999 and a known unit word."""
    amount = "[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]"
    words = sorted(unit_words(), key=lambda w: (-len(w), w))
    return f"[ \\t]*(?:{amount})[ \\t]*(?:{'|'.join(map(any_case, words))})[ \\t]*"


class _DurationSchema:
    """The duration's JSON Schema, made when asked: the unit words come from the content."""

    def __get_pydantic_json_schema__(self, core: Any, handler: Any) -> dict[str, Any]:
        return _pattern_schema(duration_regex(), examples=["30m", "2h", "3d", "6 months"])


DurationField = Annotated[
    Duration,
    BeforeValidator(parse_duration),
    PlainSerializer(str, return_type=str),
    _DurationSchema(),
]


SCORE_RE = "[1-5]"


def _score(value: Any) -> int:
    text = value if isinstance(value, str) else ""
    if not re.fullmatch(SCORE_RE, text):
        raise PydanticCustomError(
            "score",
            _("{value} is not a score: write a whole number from 1 to 5"),
            {"value": repr(value)},
        )
    return int(text)


Score = Annotated[
    int,
    BeforeValidator(_score),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 1, "maximum": 5}, _pattern_schema(SCORE_RE)]}
    ),
]


COUNT_RE = "_*(?:[0-9]_*){1,12}"  # 2200, or 2_200 as YAML 1.1 wrote it


def _count(value: Any) -> int:
    text = value if isinstance(value, str) else ""
    if not re.fullmatch(COUNT_RE, text):
        raise PydanticCustomError(
            "count",
            _("{value} is not a whole number: write digits, such as 2200"),
            {"value": repr(value)},
        )
    return int(text.replace("_", ""))


Count = Annotated[
    int,
    BeforeValidator(_count),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 10**12 - 1},
                _pattern_schema(COUNT_RE),
            ]
        }
    ),
]

ID_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


def _id(value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.fullmatch(value) or len(value) > 64:
        raise PydanticCustomError(
            "id",
            _(
                "{value} is not an id: use lower-case letters, digits and hyphens, such as"
                " crisis-lead"
            ),
            {"value": repr(value)},
        )
    return value


Id = Annotated[
    str,
    BeforeValidator(_id),
    WithJsonSchema(  # `2024`, `true` and `false` are ids, and numbers or booleans to an editor
        {
            "anyOf": [
                {"type": "string", "pattern": ID_RE.pattern, "maxLength": 64},
                {"type": "integer", "minimum": 0},
                {"type": "boolean"},
            ]
        }
    ),
]

COLOR_RE = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def _color(value: Any) -> str:
    if not isinstance(value, str) or not COLOR_RE.fullmatch(value):
        raise PydanticCustomError(
            "color",
            _("{value} is not a colour: write #RRGGBB or #RGB, such as #5B3A29"),
            {"value": repr(value)},
        )
    text = value.upper()
    if len(text) == 4:
        text = "#" + "".join(c * 2 for c in text[1:])
    return text


Color = Annotated[str, BeforeValidator(_color), WithJsonSchema(_pattern_schema(COLOR_RE.pattern))]


_URL_SHAPE = "[hH][tT][tT][pP][sS]?://[^{bad}/?#\\[\\]\\\\]+(?:[/?#\\\\][^{bad}]*)?"
_URL_BAD = "<>\"'`"


@cache
def url_regex() -> str:
    """An http or https address with a host: printable, without spaces, quotes, angle brackets
    or backticks, and no [ ] in the host (an IPv6 literal, which Python's parser may refuse).
    For the schema; the validator checks the shape and printability apart, which is quicker."""
    bad = _char_class(lambda c: not c.isprintable() or c.isspace(), _URL_BAD)
    return _URL_SHAPE.format(bad=bad)


URL_SHAPE = re.compile(_URL_SHAPE.format(bad="\\x00-\\x20\\x7f" + re.escape(_URL_BAD)))


def _url(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
    except ValueError:
        parts = urlsplit("")
    if (
        not URL_SHAPE.fullmatch(text)
        or not text.isprintable()  # with the shape, what url_regex() says in one pattern
        or parts.scheme.lower() not in ("http", "https")
        or not parts.netloc
    ):
        raise PydanticCustomError(
            "url",
            _("{value} is not a web address: write one starting with https:// or http://"),
            {"value": repr(value)},
        )
    return text


class _UrlSchema:
    def __get_pydantic_json_schema__(self, core: Any, handler: Any) -> dict[str, Any]:
        return _pattern_schema(url_regex(), format="uri")


Url = Annotated[str, BeforeValidator(_url), _UrlSchema()]

EMAIL_RE = re.compile(
    r"[A-Za-z0-9.!#$%&*+/=?^_{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def _email(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    if not EMAIL_RE.fullmatch(text) or len(text) > 254:
        raise PydanticCustomError(
            "email",
            _("{value} is not an e-mail address: write name@example.com"),
            {"value": repr(value)},
        )
    return text


Email = Annotated[
    str,
    BeforeValidator(_email),
    WithJsonSchema(_pattern_schema(EMAIL_RE.pattern, maxLength=254, format="email")),
]

#: Digits, spaces, ( ) . - / and an optional leading +, with at least four digits.
PHONE_RE = re.compile(r"(?=(?:[^0-9]*[0-9]){4})\+?[0-9][0-9 ().\-/]{3,30}")


def _phone(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    if not PHONE_RE.fullmatch(text):
        raise PydanticCustomError(
            "phone",
            _(
                "{value} is not a phone number: write digits, spaces and an optional leading +,"
                " such as +62 812 1000 2000"
            ),
            {"value": repr(value)},
        )
    return text


Phone = Annotated[
    str,
    BeforeValidator(_phone),
    WithJsonSchema(  # 0812345678 unquoted is a number to an editor, the text to crisisplan
        {
            "anyOf": [
                _pattern_schema(PHONE_RE.pattern),
                {"type": "integer", "minimum": 1000, "maximum": 10**31 - 1},
            ]
        }
    ),
]


def tel_link(phone: str) -> str:
    """``+62 812 1000 2000`` -> ``tel:+6281210002000``."""
    return "tel:" + ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)


DATE_RE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        if not isinstance(value, str) or not re.fullmatch(DATE_RE, value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError(
            "date",
            _("{value} is not a date: write YYYY-MM-DD, such as 2026-12-01"),
            {"value": repr(value)},
        ) from None


Date = Annotated[
    dt.date, BeforeValidator(_date), WithJsonSchema(_pattern_schema(DATE_RE, format="date"))
]


#: The words pydantic reads as true or false, in any case (YAML 1.2 reads only true and false).
FLAG_RE = "|".join(
    any_case(w) for w in ("true", "false", "yes", "no", "on", "off", "t", "f", "y", "n", "1", "0")
)

#: ``true`` or ``false``; ``yes`` and ``on`` are text to an editor, and true to crisisplan.
Flag = Annotated[
    bool,
    WithJsonSchema({"anyOf": [{"type": "boolean"}, _pattern_schema(FLAG_RE), {"enum": [0, 1]}]}),
]


#: Characters that change how text is shown without being seen: bidirectional overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069), zero-width spaces, marks and other format characters
#: (Unicode category Cf), and line or paragraph separators. Removed from every text, so a
#: reversed or hidden word cannot reach a title, a name or a statement. The zero-width joiner
#: and non-joiner stay: emoji sequences and several scripts need them.
_KEPT_FORMAT = {"\u200c", "\u200d"}


def clean(value: str) -> str:
    """``value`` without invisible format characters; line and paragraph separators become spaces."""
    if value.isprintable() or all(c.isprintable() or c in "\n\t" for c in value):
        return value
    return "".join(
        " " if unicodedata.category(c) in ("Zl", "Zp") else c
        for c in value
        if c in _KEPT_FORMAT or unicodedata.category(c) != "Cf"
    )


def _blank(c: str) -> bool:
    """Whether ``c`` is nothing once a text is cleaned and stripped: a space or invisible."""
    return c.isspace() or (unicodedata.category(c) == "Cf" and c not in _KEPT_FORMAT)


def _char_class(test: Any, more: str = "") -> str:
    """The inside of a regex character class of every character that passes ``test``, plus
    ``more``: ranges of ``\\uXXXX`` escapes, which ECMA-262 and Python read alike."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if test(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))

    def char(code: int) -> str:  # astral characters as themselves: \\u{...} is not Python's
        return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)

    out = "".join(char(a) + ("" if a == b else "-" + char(b)) for a, b in ranges)
    return out + re.escape(more)


@cache
def not_blank() -> str:
    """A pattern for a text that is not blank: one character that is not :func:`_blank`."""
    return f"[^{_char_class(_blank)}]"


#: No control character (C0 but tab, line feed and carriage return; DEL; C1), which the loader
#: refuses however it is written: as an ECMA-262 pattern.
NO_CONTROL = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"
#: One line: line breaks only at the start or the end, which a one-line text drops.
ONE_LINE = "^[\\r\\n]*[^\\r\\n]*[\\r\\n]*$"


def _text_schema(limit: int, *, one_line: bool = False) -> Any:
    """A text's JSON Schema: a number or a boolean is the text it was written as; no control
    character, and for a one-line text no line break inside it."""

    class TextSchema:
        def __get_pydantic_json_schema__(self, core: Any, handler: Any) -> dict[str, Any]:
            patterns = [NO_CONTROL, *([ONE_LINE] if one_line else [])]
            return {
                "type": ["string", "number", "boolean"],
                "minLength": 1,
                "maxLength": limit,
                "pattern": not_blank(),
                "allOf": [{"pattern": p} for p in patterns],
            }

    return TextSchema()


def _text(limit: int, kind: str) -> Any:
    def validate(value: Any) -> str:
        if value is None:  # a key written with nothing after it
            raise PydanticCustomError("text", _("must not be blank"))
        if not isinstance(value, str):
            raise PydanticCustomError("text", _("expected text, not a list or a mapping"))
        text = clean(value)
        if not text.strip():
            raise PydanticCustomError("text", _("must not be blank"))
        if len(value) > limit:  # as written, as an editor counts them
            raise PydanticCustomError(
                "text_length",
                _("{length} characters is too long for {kind}: at most {limit} are allowed"),
                {"length": f"{len(value):,}", "kind": _(kind), "limit": f"{limit:,}"},
            )
        return text

    return validate


@dataclass(frozen=True)
class OneLine:
    """Marks a text that is one line (a name, a title, a handle), and checks it: the line
    breaks a folded or literal YAML block (``name: >``) leaves at its end, or blank lines
    leave at its start, are dropped, and one inside it is refused. Texts without the mark
    keep their line breaks."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    @staticmethod
    def check(value: str) -> str:
        text = value.strip("\n")
        if "\n" in text:
            raise PydanticCustomError(
                "one_line",
                _(
                    "a name or title is one line, and this one has a line break after {before}:"
                    " write it on one line"
                ),
                {"before": repr(text.split("\n", 1)[0][-40:])},
            )
        return text


#: A name or a title: one line, a few words.
Name = Annotated[
    str,
    BeforeValidator(_text(200, N_("a name or title"))),
    OneLine(),
    _text_schema(200, one_line=True),
]
#: A sentence or two: a list item, a concern, a tone of voice.
Text = Annotated[
    str,
    BeforeValidator(_text(1000, N_("this text"))),
    _text_schema(1000),
]
#: A statement, a message, a scenario or a summary.
LongText = Annotated[
    str,
    BeforeValidator(_text(4000, N_("a statement or description"))),
    _text_schema(4000),
]


_SECRET_WORDS = re.compile(
    r"(?i)\b(password|passwd|pwd|pass|sandi|kata sandi|pin|otp|token)\s*[:=]"
)


def _not_secret(value: str) -> str:
    """A vault's name, never a secret: refuse what looks like a password or a key.

    A secret is one word of 8 or more characters with a digit and a symbol, or a digit between
    letters ("S3cr3t"), or anything written as ``password: ...``. A name such as
    ``1Password vault "Crisis"`` or ``Kopi-Vault-2026`` passes.
    """
    word = " " not in value.strip() and len(value.strip()) >= 8
    symbol = re.search(r"[!@#$%^&*()+=?<>{}\[\]|~]", value)
    digit = re.search(r"\d", value)
    leet = re.search(r"[A-Za-z]\d+[A-Za-z]", value)
    if _SECRET_WORDS.search(value) or (word and ((digit and symbol) or leet)):
        raise PydanticCustomError(
            "secret",
            _(
                "this looks like a password or a secret: write where the login is kept (the"
                " password manager's or vault's name), never the secret itself"
            ),
        )
    return value


#: Where a secret is kept, never the secret: a password manager's or vault's name.
VaultName = Annotated[Name, AfterValidator(_not_secret)]
