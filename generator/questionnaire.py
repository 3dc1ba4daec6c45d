"""Stage 1: load a questionnaire, validate it, check it and fill in its defaults.

Reading :func:`load_questionnaire` tells the order: the YAML (``loader``), the schema
(``schema``, its errors in a user's words from ``messages``), the checks that need no valid
model (``checks``: ids, references, files), the defaults (``defaults``), then the warnings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from . import clock, i18n
from .checks import check, warnings
from .choices import LANGUAGES
from .defaults import apply_defaults
from .errors import Problem, QuestionnaireError
from .images import Image
from .loader import Document, load_yaml
from .messages import comment_warnings, schema_problems
from .redact import redact
from .schema import Questionnaire


@dataclass
class Loaded:
    """A validated questionnaire with its defaults applied, and what a reviewer should see."""

    questionnaire: Questionnaire
    path: Path
    document: Document
    warnings: list[Problem] = field(default_factory=list)
    defaulted: set[str] = field(default_factory=set)
    #: The checked logo and favicon, as they will be published (``logo``, ``favicon``).
    images: dict[str, Image] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return self.path.resolve().parent


@i18n.in_its_language
def load_questionnaire(
    path: Path | str, *, today: dt.date | None = None, edition: str | None = None
) -> Loaded:
    """Load and validate ``path``; raise :class:`QuestionnaireError` listing every problem.

    ``edition`` (``internal`` or ``public``) replaces the questionnaire's ``handbook.edition``,
    before the defaults and warnings that depend on it."""
    path = Path(path)
    doc = load_yaml(path, collect=True)
    handbook = doc.data.get("handbook")
    language = handbook.get("language") if isinstance(handbook, dict) else None
    checked = check(doc, path.resolve().parent, language if language in LANGUAGES else "en")
    problems = doc.problems + checked.problems
    try:
        q = Questionnaire.model_validate(doc.data)
    except ValidationError as exc:
        problems += schema_problems(doc, exc)
    cut = comment_warnings(doc, problems)
    if problems:
        raise QuestionnaireError.from_problems(problems + cut)
    if edition:
        q.handbook.edition = edition  # type: ignore[assignment]
    loaded = Loaded(q, path, doc, images=checked.images)
    loaded.defaulted = apply_defaults(q)
    withheld = redact(q, doc)  # before the checks that read the texts as they will print
    loaded.warnings = cut + withheld + warnings(q, doc, loaded.defaulted, today or clock.today())
    return loaded
