"""Stage 3: render the content templates to Markdown pages, escaping every questionnaire value."""

from __future__ import annotations

import re
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import jinja2
from babel.numbers import format_decimal
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import overrides as overrides_
from . import text
from .errors import Problem, TemplateError
from .i18n import _
from .model import Handbook
from .types import ID_RE, tel_link

# Pages in reading order; "response/{threat}.md" stands for one page per threat.
PAGES = (
    "index.md",
    "preparation/index.md",
    "preparation/drill.md",
    "preparation/exercises.md",
    "response/index.md",
    "response/{threat}.md",
    "reassurance/index.md",
    "recovery/index.md",
    "appendix/index.md",
    "about.md",
)
PHASES = ("preparation", "response", "reassurance", "recovery")


def environment(language: str, overrides: Sequence[Path] = ()) -> SandboxedEnvironment:
    """Page templates: the agency's override folders, then the built-in ``content/<language>``;
    then ``content/shared``, which holds markup without words (the heat map)."""
    env = SandboxedEnvironment(
        loader=jinja2.ChoiceLoader(
            [
                overrides_.loader(f"content/{language}", overrides),
                overrides_.loader("content/shared", overrides),
            ]
        ),
        undefined=jinja2.StrictUndefined,
        finalize=text.escape,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        duration=lambda d: text.duration(d, language),
        every=lambda d: text.every(d, language),
        date=lambda d: text.date(d, language),
        clock=lambda minutes: f"+{minutes // 60}:{minutes % 60:02d}",
        thousands=lambda n: format_decimal(n, locale=language),
        link=link,
        tel=lambda phone: link(tel_link(phone), phone) if phone else "",
        mailto=lambda email: link(f"mailto:{email}", email) if email else "",
        cell=cell,
        anchor=anchor,
    )
    env.globals.update(s=text.strings(language), blank=lambda label: text.blank(label, language))
    return env


SAFE_SCHEMES = ("http://", "https://", "mailto:", "tel:")


def link(url: str | None, label: Any = None) -> Markup:
    """An HTML link when ``url`` is http, https, mailto or tel; otherwise just the label as text."""
    shown = text.escape(label if label is not None else url or "")
    if not url or not url.strip().lower().startswith(SAFE_SCHEMES):
        return shown
    return Markup(f'<a href="{text.html(url.strip())}">{shown}</a>')


def anchor(value: str) -> Markup:
    """An id from the questionnaire (validated: letters, digits, hyphens) as part of an HTML id.

    Headings that show questionnaire text take an id made from the item's id, never from the
    text: a title such as ``__config`` would otherwise take the theme's own element id.
    """
    if not ID_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an id")
    return Markup(value)


def cell(values: Any) -> Markup:
    """A list as one table cell: items separated by line breaks."""
    if not values:
        return Markup("–")
    return Markup("<br>").join(text.escape(v) for v in values)


def render_pages(hb: Handbook, env: SandboxedEnvironment) -> dict[str, str]:
    """Every page of the handbook as Markdown, keyed by its path under ``docs/``."""
    pages: dict[str, str] = {}
    for page in PAGES:
        if page == "response/{threat}.md":
            for tv in hb.threats:
                pages[tv.page] = _render(env, "response/threat.md", hb=hb, t=tv)
        else:
            pages[page] = _render(env, page, hb=hb)
    return pages


#: A line break in a table cell or list item, not yet followed by a space.
_BREAK = re.compile(r"<br\s*/?>(?![ \n])")


def _render(env: SandboxedEnvironment, name: str, **context: Any) -> str:
    """One page; a space follows each line break, so that the search index, which drops the
    tags, does not run the words on either side together ("rise<br>Staff" was "riseStaff")."""
    try:
        return _BREAK.sub("<br> ", env.get_template(name).render(**context))
    except jinja2.TemplateSyntaxError as exc:
        raise _error(exc.filename or name, exc.lineno, exc.message or str(exc)) from None
    except jinja2.TemplateNotFound as exc:
        raise _error(name, 1, _("template {name!r} not found", name=exc.name)) from None
    except (jinja2.TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
        filename, line = name, 1
        for frame in traceback.extract_tb(exc.__traceback__):
            if frame.filename.endswith((".md", ".html", ".j2")):
                filename, line = frame.filename, frame.lineno or 1
        raise _error(filename, line, f"{type(exc).__name__}: {exc}") from None


def _error(filename: str, line: int, message: str) -> TemplateError:
    problem = Problem(filename, line, 1, "", message)
    return TemplateError(_("Error: a template failed to render; nothing was written."), [problem])
